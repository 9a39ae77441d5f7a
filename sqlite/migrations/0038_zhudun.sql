-- Issue 16, 铸盾: smart-security communities, cameras, video coverage per
-- grid and safe-unit certification (docs/zhudun.md).
--
-- Every record belongs to its owning station (its data scope). A
-- community's facilities are counts per kind (JSON object) and its level
-- is computed under the level rule edition it names; editions are kept
-- (zd_level_rules), the newest is in force, edition 1 is the built-in
-- zhudun.DefaultLevelRule. Property contacts' phones are sealed (SM4,
-- bound to the row) with a blind index and a mask. Cameras are keyed by
-- their GB/T 28181 device id; a camera the platform no longer lists is
-- kept as gone. Monthly figures (coverage per grid, cameras per station)
-- are written over during the month, so the row of a past month is its
-- state at the month's end. Days are China calendar days, 'YYYY-MM-DD'.
CREATE TABLE zd_communities (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	code             TEXT NOT NULL UNIQUE,
	name             TEXT NOT NULL,
	address          TEXT NOT NULL,
	district         TEXT NOT NULL,
	station_id       INTEGER NOT NULL REFERENCES depts(id),
	grid             TEXT NOT NULL DEFAULT '',
	lon              REAL,
	lat              REAL,
	boundary         TEXT NOT NULL DEFAULT '',
	households       INTEGER NOT NULL,
	property_company TEXT NOT NULL DEFAULT '',
	facilities       TEXT NOT NULL DEFAULT '{}',
	score            INTEGER NOT NULL,
	level            TEXT NOT NULL,
	rule_version     INTEGER NOT NULL,
	generated        BOOLEAN NOT NULL DEFAULT FALSE,
	created_by       TEXT NOT NULL,
	created_at       TIMESTAMP NOT NULL,
	updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX zd_communities_station ON zd_communities(station_id, id);

CREATE TABLE zd_community_contacts (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	community_id INTEGER NOT NULL REFERENCES zd_communities(id),
	name         TEXT NOT NULL,
	phone_enc    TEXT NOT NULL DEFAULT '',
	phone_idx    TEXT NOT NULL DEFAULT '',
	phone_mask   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX zd_community_contacts_community ON zd_community_contacts(community_id, id);

CREATE TABLE zd_level_rules (
	version    INTEGER PRIMARY KEY,
	body       TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);

CREATE TABLE zd_cameras (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	device_id  TEXT NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	lon        REAL NOT NULL,
	lat        REAL NOT NULL,
	height     REAL NOT NULL,
	direction  REAL NOT NULL,
	fov        REAL NOT NULL,
	range_m    REAL NOT NULL,
	type       TEXT NOT NULL,
	owner      TEXT NOT NULL,
	online     BOOLEAN NOT NULL,
	gone       BOOLEAN NOT NULL DEFAULT FALSE,
	station_id INTEGER NOT NULL REFERENCES depts(id),
	grid       TEXT NOT NULL DEFAULT '',
	extra      TEXT NOT NULL DEFAULT '{}',
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX zd_cameras_station ON zd_cameras(station_id, id);

CREATE TABLE zd_camera_months (
	month      TEXT NOT NULL,
	station_id INTEGER NOT NULL REFERENCES depts(id),
	online     INTEGER NOT NULL,
	offline    INTEGER NOT NULL,
	PRIMARY KEY (month, station_id)
);

CREATE TABLE zd_grid_targets (
	grid_id    INTEGER PRIMARY KEY REFERENCES grids(id),
	target_pct REAL NOT NULL,
	updated_at TIMESTAMP NOT NULL
);

CREATE TABLE zd_coverage_months (
	month      TEXT NOT NULL,
	grid_id    INTEGER NOT NULL REFERENCES grids(id),
	area_m2    REAL NOT NULL,
	covered_m2 REAL NOT NULL,
	PRIMARY KEY (month, grid_id)
);

CREATE TABLE zd_safe_units (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	name         TEXT NOT NULL,
	kind         TEXT NOT NULL,
	address      TEXT NOT NULL,
	district     TEXT NOT NULL,
	station_id   INTEGER NOT NULL REFERENCES depts(id),
	status       TEXT NOT NULL,
	applied_on   TEXT NOT NULL,
	inspected_on TEXT NOT NULL DEFAULT '',
	certified_on TEXT NOT NULL DEFAULT '',
	decided_on   TEXT NOT NULL DEFAULT '',
	reason       TEXT NOT NULL DEFAULT '',
	checklist    TEXT NOT NULL DEFAULT '{}',
	created_by   TEXT NOT NULL,
	updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX zd_safe_units_station ON zd_safe_units(station_id, id);

-- Stations' officers read their own; commanders read and keep them.
INSERT INTO role_perms (role_id, perm) SELECT id, 'zhudun:read' FROM roles WHERE id IN ('officer', 'commander');
INSERT INTO role_perms (role_id, perm) SELECT id, 'zhudun:write' FROM roles WHERE id = 'commander';
