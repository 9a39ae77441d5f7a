-- Issue 16, 铸盾 coverage of road length (docs/zhudun.md "Roads"): the
-- bureau's road centrelines, replaced whole by each import (zhudun import
-- roads, POST /api/v1/zhudun/roads/import), each import recorded in
-- zd_road_imports (its id is the layer's stamp the coverage engine
-- rebuilds on). lines is the road's WGS-84 MultiLineString coordinates as
-- JSON ([[[lon, lat], …], …]); length_m its length on the sphere. The
-- monthly coverage rows get the grid's road length and its covered part.
CREATE TABLE zd_roads (
	id       INTEGER PRIMARY KEY AUTOINCREMENT,
	name     TEXT NOT NULL DEFAULT '',
	class    TEXT NOT NULL DEFAULT '',
	lines    TEXT NOT NULL,
	length_m REAL NOT NULL,
	min_lon  REAL NOT NULL,
	min_lat  REAL NOT NULL,
	max_lon  REAL NOT NULL,
	max_lat  REAL NOT NULL
);

CREATE TABLE zd_road_imports (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	roads       INTEGER NOT NULL,
	length_m    REAL NOT NULL,
	imported_by TEXT NOT NULL,
	imported_at TIMESTAMP NOT NULL
);

ALTER TABLE zd_coverage_months ADD COLUMN road_m REAL NOT NULL DEFAULT 0;
ALTER TABLE zd_coverage_months ADD COLUMN road_covered_m REAL NOT NULL DEFAULT 0;
