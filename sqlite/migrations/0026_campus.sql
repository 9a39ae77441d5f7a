-- Issue 14, campus safety inspections (平安校园, docs/campus.md).
--
-- A school belongs to its owning station (its data scope); joint groups
-- have members, some of them accounts of other agencies, who see only
-- their groups' rounds. A visit records the checklist edition it was
-- filled under and one row per item; a failed item may raise a hazard,
-- rectified on the spot or put under a notice. A notice's serial comes
-- from campus_notice_counters (one row per issuing department and year,
-- incremented in one statement) so a number is never given twice nor
-- reused. Days (round windows, deadlines) are China calendar days,
-- 'YYYY-MM-DD'. Contacts' phones are sealed (SM4, bound to the row) with
-- a blind index and a mask.
CREATE TABLE campus_schools (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	code           TEXT NOT NULL UNIQUE,
	name           TEXT NOT NULL,
	type           TEXT NOT NULL,
	private        BOOLEAN NOT NULL,
	district       TEXT NOT NULL,
	station_id     INTEGER NOT NULL REFERENCES depts(id),
	address        TEXT NOT NULL,
	lon            REAL,
	lat            REAL,
	students       INTEGER NOT NULL,
	staff          INTEGER NOT NULL,
	security_staff INTEGER NOT NULL,
	generated      BOOLEAN NOT NULL DEFAULT FALSE,
	created_by     TEXT NOT NULL,
	created_at     TIMESTAMP NOT NULL,
	updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX campus_schools_station ON campus_schools(station_id, id);

CREATE TABLE campus_contacts (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	school_id  INTEGER NOT NULL REFERENCES campus_schools(id),
	role       TEXT NOT NULL,
	name       TEXT NOT NULL,
	phone_enc  TEXT NOT NULL DEFAULT '',
	phone_idx  TEXT NOT NULL DEFAULT '',
	phone_mask TEXT NOT NULL DEFAULT ''
);
CREATE INDEX campus_contacts_school ON campus_contacts(school_id, id);

CREATE TABLE campus_groups (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	name       TEXT NOT NULL,
	dept_id    INTEGER NOT NULL REFERENCES depts(id),
	created_by TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);

CREATE TABLE campus_group_members (
	id       INTEGER PRIMARY KEY AUTOINCREMENT,
	group_id INTEGER NOT NULL REFERENCES campus_groups(id),
	user_id  INTEGER REFERENCES users(id),
	name     TEXT NOT NULL,
	agency   TEXT NOT NULL,
	title    TEXT NOT NULL
);
CREATE INDEX campus_group_members_group ON campus_group_members(group_id);
CREATE INDEX campus_group_members_user ON campus_group_members(user_id);

CREATE TABLE campus_rounds (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	name       TEXT NOT NULL,
	dept_id    INTEGER NOT NULL REFERENCES depts(id),
	group_id   INTEGER NOT NULL REFERENCES campus_groups(id),
	start_day  TEXT NOT NULL,
	end_day    TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);

CREATE TABLE campus_round_schools (
	round_id  INTEGER NOT NULL REFERENCES campus_rounds(id),
	school_id INTEGER NOT NULL REFERENCES campus_schools(id),
	PRIMARY KEY (round_id, school_id)
);
CREATE INDEX campus_round_schools_school ON campus_round_schools(school_id);

CREATE TABLE campus_visits (
	id                INTEGER PRIMARY KEY AUTOINCREMENT,
	round_id          INTEGER NOT NULL REFERENCES campus_rounds(id),
	school_id         INTEGER NOT NULL REFERENCES campus_schools(id),
	mode              TEXT NOT NULL,
	at                TIMESTAMP NOT NULL,
	checklist_version INTEGER NOT NULL,
	officers          TEXT NOT NULL, -- JSON array of names
	note              TEXT NOT NULL,
	created_by        TEXT NOT NULL,
	created_at        TIMESTAMP NOT NULL
);
CREATE INDEX campus_visits_school ON campus_visits(school_id, at);
CREATE INDEX campus_visits_round ON campus_visits(round_id, school_id);

CREATE TABLE campus_visit_items (
	visit_id INTEGER NOT NULL REFERENCES campus_visits(id),
	item     TEXT NOT NULL,
	result   TEXT NOT NULL,
	note     TEXT NOT NULL,
	PRIMARY KEY (visit_id, item)
);

CREATE TABLE campus_notice_counters (
	dept_id INTEGER NOT NULL REFERENCES depts(id),
	year    INTEGER NOT NULL,
	last    INTEGER NOT NULL,
	PRIMARY KEY (dept_id, year)
);

CREATE TABLE campus_notices (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	number       TEXT NOT NULL UNIQUE,
	year         INTEGER NOT NULL,
	serial       INTEGER NOT NULL,
	dept_id      INTEGER NOT NULL REFERENCES depts(id),
	school_id    INTEGER NOT NULL REFERENCES campus_schools(id),
	round_id     INTEGER NOT NULL REFERENCES campus_rounds(id),
	legal_basis  TEXT NOT NULL,
	deadline     TEXT NOT NULL,
	school_rep   TEXT NOT NULL,
	officers     TEXT NOT NULL, -- JSON array of names
	status       TEXT NOT NULL,
	replaced_by  INTEGER REFERENCES campus_notices(id),
	escalated_at TIMESTAMP,
	issued_by    TEXT NOT NULL,
	issued_at    TIMESTAMP NOT NULL,
	closed_at    TIMESTAMP,
	UNIQUE (dept_id, year, serial)
);
CREATE INDEX campus_notices_school ON campus_notices(school_id, id);
CREATE INDEX campus_notices_open ON campus_notices(status, deadline);

CREATE TABLE campus_hazards (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	visit_id     INTEGER NOT NULL REFERENCES campus_visits(id),
	round_id     INTEGER NOT NULL REFERENCES campus_rounds(id),
	school_id    INTEGER NOT NULL REFERENCES campus_schools(id),
	item         TEXT NOT NULL,
	category     TEXT NOT NULL,
	severity     TEXT NOT NULL,
	description  TEXT NOT NULL,
	status       TEXT NOT NULL,
	rectify_note TEXT NOT NULL,
	notice_id    INTEGER REFERENCES campus_notices(id),
	found_at     TIMESTAMP NOT NULL,
	closed_at    TIMESTAMP
);
CREATE INDEX campus_hazards_school ON campus_hazards(school_id, found_at);
CREATE INDEX campus_hazards_notice ON campus_hazards(notice_id);

CREATE TABLE campus_notice_steps (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	notice_id INTEGER NOT NULL REFERENCES campus_notices(id),
	at        TIMESTAMP NOT NULL,
	actor     TEXT NOT NULL,
	outcome   TEXT NOT NULL,
	deadline  TEXT NOT NULL,
	reason    TEXT NOT NULL
);
CREATE INDEX campus_notice_steps_notice ON campus_notice_steps(notice_id, id);

CREATE TABLE campus_alerts (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	notice_id INTEGER NOT NULL REFERENCES campus_notices(id),
	recipient TEXT NOT NULL,
	at        TIMESTAMP NOT NULL,
	UNIQUE (notice_id, recipient)
);

-- Photos of hazards, stored as taken (evidence); served with their
-- metadata (EXIF GPS) stripped.
CREATE TABLE campus_photos (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	hazard_id    INTEGER NOT NULL REFERENCES campus_hazards(id),
	kind         TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size         INTEGER NOT NULL,
	data         BLOB NOT NULL,
	created_by   TEXT NOT NULL,
	created_at   TIMESTAMP NOT NULL
);
CREATE INDEX campus_photos_hazard ON campus_photos(hazard_id, id);

-- The campus roles (zhudun.BuiltinRoles) are seeded here, as the
-- permissions added to the existing roles below are, so that a database
-- upgraded and a fresh one hold the same rows; the start-up seed finds
-- them present and leaves them.
INSERT INTO roles (id, name, scope, builtin, admin, created_at, updated_at) VALUES
	('campus_supervisor', '经文保民警', 'all', TRUE, FALSE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('campus_agency', '联合督导成员（外单位）', 'self', TRUE, FALSE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
INSERT INTO role_perms (role_id, perm) VALUES
	('campus_supervisor', 'dept:read'), ('campus_supervisor', 'campus:read'), ('campus_supervisor', 'campus:write'),
	('campus_supervisor', 'campus:inspect'), ('campus_supervisor', 'report:read'), ('campus_supervisor', 'pii:view'),
	('campus_agency', 'campus:read'), ('campus_agency', 'campus:inspect');

-- Stations' officers inspect their own schools; commanders read them.
INSERT INTO role_perms (role_id, perm) SELECT id, 'campus:read' FROM roles WHERE id IN ('officer', 'commander');
INSERT INTO role_perms (role_id, perm) SELECT id, 'campus:inspect' FROM roles WHERE id = 'officer';
