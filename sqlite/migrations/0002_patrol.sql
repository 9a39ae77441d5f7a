-- Grid patrol and incident dispatch (网格驻巡): grids, units, positions,
-- incidents and the rollup the patrol report reads. Times are UTC.
CREATE TABLE grids (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	code        TEXT NOT NULL UNIQUE,
	name        TEXT NOT NULL,
	station_id  INTEGER NOT NULL REFERENCES depts(id),
	patrol_lon  REAL NOT NULL,
	patrol_lat  REAL NOT NULL,
	boundary    TEXT NOT NULL, -- GeoJSON MultiPolygon, WGS-84
	min_lon     REAL NOT NULL,
	min_lat     REAL NOT NULL,
	max_lon     REAL NOT NULL,
	max_lat     REAL NOT NULL,
	created_at  TIMESTAMP NOT NULL,
	updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX grids_station ON grids(station_id);

CREATE TABLE units (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	callsign     TEXT NOT NULL UNIQUE,
	kind         TEXT NOT NULL,
	station_id   INTEGER NOT NULL REFERENCES depts(id),
	terminal     TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL,
	status_label TEXT NOT NULL,
	incident_id  INTEGER,
	lon          REAL,
	lat          REAL,
	position_at  TIMESTAMP,
	version      INTEGER NOT NULL DEFAULT 1,
	created_at   TIMESTAMP NOT NULL,
	updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX units_station ON units(station_id);

-- Telemetry: kept, streamed, not audited.
CREATE TABLE unit_positions (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	unit_id     INTEGER NOT NULL REFERENCES units(id),
	lon         REAL NOT NULL,
	lat         REAL NOT NULL,
	ts          TIMESTAMP NOT NULL,
	received_at TIMESTAMP NOT NULL
);
CREATE INDEX unit_positions_unit ON unit_positions(unit_id, ts);

CREATE TABLE incidents (
	id                  INTEGER PRIMARY KEY AUTOINCREMENT,
	category            TEXT NOT NULL,
	category_version    INTEGER NOT NULL,
	lon                 REAL NOT NULL,
	lat                 REAL NOT NULL,
	address             TEXT NOT NULL DEFAULT '',
	source              TEXT NOT NULL,
	phone_enc           TEXT NOT NULL DEFAULT '',
	phone_idx           TEXT NOT NULL DEFAULT '',
	phone_mask          TEXT NOT NULL DEFAULT '',
	priority            INTEGER NOT NULL,
	status              TEXT NOT NULL,
	grid_id             INTEGER NOT NULL REFERENCES grids(id),
	station_id          INTEGER NOT NULL REFERENCES depts(id),
	unit_id             INTEGER REFERENCES units(id),
	lent_station_id     INTEGER REFERENCES depts(id), -- the assigned unit's station while it is another's
	recommended_unit_id INTEGER,
	override_reason     TEXT NOT NULL DEFAULT '',
	received_at         TIMESTAMP NOT NULL,
	dispatched_at       TIMESTAMP,
	arrived_at          TIMESTAMP,
	closed_at           TIMESTAMP,
	outcome             TEXT NOT NULL DEFAULT '',
	note                TEXT NOT NULL DEFAULT '',
	case_ref            TEXT NOT NULL DEFAULT '',
	imported            BOOLEAN NOT NULL DEFAULT FALSE,
	created_by          INTEGER,
	created_at          TIMESTAMP NOT NULL,
	updated_at          TIMESTAMP NOT NULL
);
CREATE INDEX incidents_station ON incidents(station_id, received_at);
CREATE INDEX incidents_received ON incidents(received_at);
CREATE INDEX incidents_lent ON incidents(lent_station_id) WHERE lent_station_id IS NOT NULL;
CREATE INDEX incidents_creator ON incidents(created_by);
CREATE INDEX incidents_phone_idx ON incidents(phone_idx) WHERE phone_idx <> '';

-- The report's rollup, kept in the transaction of every incident change:
-- counts per day ('d') and per calendar month ('m', day = first of month)
-- in Asia/Shanghai, per owning station, for one dimension at a time:
-- o = outcome ('' while open) per grid; c = category, s = source and
-- r = response minutes (received → arrived, rounded up) per station only,
-- with grid_id 0 — per-grid histograms would be as large as the data.
CREATE TABLE patrol_rollup (
	grain      TEXT NOT NULL,
	day        TEXT NOT NULL,
	station_id INTEGER NOT NULL,
	grid_id    INTEGER NOT NULL,
	dim        TEXT NOT NULL,
	val        TEXT NOT NULL,
	n          INTEGER NOT NULL,
	PRIMARY KEY (grain, day, station_id, grid_id, dim, val)
);
