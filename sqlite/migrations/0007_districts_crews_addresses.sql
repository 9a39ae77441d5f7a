-- Issue 18. Districts: the map's base layer, imported by the bureau
-- (zhudun import districts), no longer compiled into the binary. Unit crews:
-- the officers (users) riding a unit. Standard addresses: the local table the
-- built-in geocoder searches when no bureau address service is configured.
CREATE TABLE districts (
	code        TEXT PRIMARY KEY, -- GB/T 2260, "370102"
	name        TEXT NOT NULL,
	boundary    TEXT NOT NULL, -- GeoJSON MultiPolygon, WGS-84
	min_lon     REAL NOT NULL,
	min_lat     REAL NOT NULL,
	max_lon     REAL NOT NULL,
	max_lat     REAL NOT NULL,
	updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE unit_crew (
	unit_id  INTEGER NOT NULL REFERENCES units(id),
	user_id  INTEGER NOT NULL REFERENCES users(id),
	PRIMARY KEY (unit_id, user_id)
);
CREATE INDEX unit_crew_user ON unit_crew(user_id);

CREATE TABLE std_addresses (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	address    TEXT NOT NULL,
	district   TEXT NOT NULL, -- GB/T 2260 code
	lon        REAL NOT NULL, -- WGS-84
	lat        REAL NOT NULL,
	generated  INTEGER NOT NULL DEFAULT 0 -- 1: made up for the demo city
);
CREATE INDEX std_addresses_address ON std_addresses(address);
