-- Issue 15, e-bike fire safety (docs/fire.md).
--
-- A report is placed at a point in its grid and station (its data
-- scope); lat and long are kept as the client sent them (Open311 returns
-- them unchanged) beside the numbers. The reporter's name, phone, e-mail,
-- account id and device id are sealed (SM4-GCM, bound to the row), the
-- phone with a blind index, each with a mask. A place groups the reports
-- within 30 m (or at one standard address) within 30 days; a place with
-- a second report is a repeat location (flagged_at). The escalation's
-- steps are append-only rows; an order's deadline is a China calendar
-- day, 'YYYY-MM-DD'.
CREATE TABLE fire_places (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	station_id INTEGER NOT NULL REFERENCES depts(id),
	lon        REAL NOT NULL,
	lat        REAL NOT NULL,
	address    TEXT NOT NULL,
	address_id TEXT NOT NULL,
	reports    INTEGER NOT NULL,
	flagged_at TIMESTAMP,
	last_at    TIMESTAMP NOT NULL
);
CREATE INDEX fire_places_near ON fire_places(lat, lon);
CREATE INDEX fire_places_address ON fire_places(address_id);

CREATE TABLE fire_reports (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	token         TEXT NOT NULL UNIQUE,
	service_code  TEXT NOT NULL,
	description   TEXT NOT NULL,
	attributes    TEXT NOT NULL, -- JSON object code -> [values]
	lat_text      TEXT NOT NULL,
	long_text     TEXT NOT NULL,
	lon           REAL NOT NULL,
	lat           REAL NOT NULL,
	address       TEXT NOT NULL,
	address_id    TEXT NOT NULL,
	zipcode       TEXT NOT NULL,
	grid_id       INTEGER NOT NULL REFERENCES grids(id),
	station_id    INTEGER NOT NULL REFERENCES depts(id),
	place_id      INTEGER NOT NULL REFERENCES fire_places(id),
	reporter_kind TEXT NOT NULL,
	source        TEXT NOT NULL,
	name_enc      TEXT NOT NULL DEFAULT '',
	name_mask     TEXT NOT NULL DEFAULT '',
	phone_enc     TEXT NOT NULL DEFAULT '',
	phone_idx     TEXT NOT NULL DEFAULT '',
	phone_mask    TEXT NOT NULL DEFAULT '',
	email_enc     TEXT NOT NULL DEFAULT '',
	email_mask    TEXT NOT NULL DEFAULT '',
	account_enc   TEXT NOT NULL DEFAULT '',
	device_enc    TEXT NOT NULL DEFAULT '',
	media_url     TEXT NOT NULL,
	media_name    TEXT NOT NULL DEFAULT '',
	unit_id       INTEGER,
	status        TEXT NOT NULL,
	deadline      TEXT NOT NULL DEFAULT '',
	referred_to   TEXT NOT NULL DEFAULT '',
	case_id       INTEGER REFERENCES cases(id),
	escalated_at  TIMESTAMP,
	created_by    TEXT NOT NULL,
	requested_at  TIMESTAMP NOT NULL,
	updated_at    TIMESTAMP NOT NULL,
	closed_at     TIMESTAMP
);
CREATE INDEX fire_reports_station ON fire_reports(station_id, requested_at);
CREATE INDEX fire_reports_requested ON fire_reports(requested_at);
CREATE INDEX fire_reports_place ON fire_reports(place_id, requested_at);
CREATE INDEX fire_reports_open ON fire_reports(status, deadline);

CREATE TABLE fire_steps (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	report_id   INTEGER NOT NULL REFERENCES fire_reports(id),
	action      TEXT NOT NULL,
	from_status TEXT NOT NULL,
	to_status   TEXT NOT NULL,
	note        TEXT NOT NULL,
	target      TEXT NOT NULL,
	target_dept TEXT NOT NULL,
	deadline    TEXT NOT NULL,
	decision    TEXT NOT NULL,
	amount_fen  INTEGER NOT NULL,
	legal_basis TEXT NOT NULL,
	consequence TEXT NOT NULL,
	case_id     INTEGER REFERENCES cases(id),
	actor       TEXT NOT NULL,
	at          TIMESTAMP NOT NULL
);
CREATE INDEX fire_steps_report ON fire_steps(report_id, id);
CREATE INDEX fire_steps_at ON fire_steps(at);

-- Photos: the Open311 upload (step_id NULL, kind media) and the officers'
-- photos of each step; the content sealed (SM4-GCM) under the pii key.
CREATE TABLE fire_photos (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	report_id    INTEGER NOT NULL REFERENCES fire_reports(id),
	step_id      INTEGER REFERENCES fire_steps(id),
	kind         TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size         INTEGER NOT NULL,
	data_enc     TEXT NOT NULL,
	created_by   TEXT NOT NULL,
	created_at   TIMESTAMP NOT NULL
);
CREATE INDEX fire_photos_report ON fire_photos(report_id, id);

CREATE TABLE fire_alerts (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	report_id INTEGER NOT NULL REFERENCES fire_reports(id),
	recipient TEXT NOT NULL,
	deadline  TEXT NOT NULL,
	at        TIMESTAMP NOT NULL,
	UNIQUE (report_id, recipient, deadline)
);

-- The fire roles and permissions (zhudun.BuiltinRoles), as campus's are.
INSERT INTO roles (id, name, scope, builtin, admin, created_at, updated_at) VALUES
	('fire_officer', '消防安全民警', 'dept', TRUE, FALSE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
INSERT INTO role_perms (role_id, perm) VALUES
	('fire_officer', 'dept:read'), ('fire_officer', 'grid:read'), ('fire_officer', 'fire:read'),
	('fire_officer', 'fire:write'), ('fire_officer', 'report:read');
INSERT INTO role_perms (role_id, perm) SELECT id, 'fire:read' FROM roles WHERE id IN ('officer', 'commander');
INSERT INTO role_perms (role_id, perm) SELECT id, 'fire:write' FROM roles WHERE id = 'officer';
