-- Issue 12, cyber cases and campaigns (docs/cases.md).
--
-- A case is received with a receipt id and gets its number on filing:
-- prefix〔year〕serial号, the serial drawn from case_counters (one row per
-- department and year, incremented in one statement, never MAX()+1) so
-- that a serial is never given twice nor reused. Money is integer fen.
-- A person's resident ID and phone are sealed (SM4, bound to the row) with
-- a blind index and a mask, like users'; the index finds the one person
-- again across cases. Dates of the law's documents (measures, seizures,
-- apprehension, campaigns) are China calendar days, 'YYYY-MM-DD'.
CREATE TABLE case_prefixes (
	dept_id    INTEGER PRIMARY KEY REFERENCES depts(id),
	prefix     TEXT NOT NULL UNIQUE,
	updated_by TEXT NOT NULL,
	updated_at TIMESTAMP NOT NULL
);

CREATE TABLE case_counters (
	dept_id INTEGER NOT NULL REFERENCES depts(id),
	year    INTEGER NOT NULL,
	last    INTEGER NOT NULL,
	PRIMARY KEY (dept_id, year)
);

CREATE TABLE cases (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	receipt        TEXT NOT NULL UNIQUE,
	number         TEXT UNIQUE,
	year           INTEGER,
	serial         INTEGER,
	title          TEXT NOT NULL,
	type           TEXT NOT NULL,
	type_version   INTEGER NOT NULL,
	dept_id        INTEGER NOT NULL REFERENCES depts(id),
	lead_id        INTEGER REFERENCES users(id),
	status         TEXT NOT NULL,
	merged_into    INTEGER REFERENCES cases(id),
	received_at    TIMESTAMP NOT NULL,
	filed_at       TIMESTAMP,
	solved_at      TIMESTAMP,
	transferred_at TIMESTAMP,
	closed_at      TIMESTAMP,
	created_by     TEXT NOT NULL,
	created_at     TIMESTAMP NOT NULL,
	updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX cases_dept ON cases(dept_id, id);
CREATE INDEX cases_status ON cases(status, id);
CREATE UNIQUE INDEX cases_serial ON cases(dept_id, year, serial) WHERE serial IS NOT NULL;

CREATE TABLE case_team (
	case_id INTEGER NOT NULL REFERENCES cases(id),
	user_id INTEGER NOT NULL REFERENCES users(id),
	PRIMARY KEY (case_id, user_id)
);

CREATE TABLE case_events (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id     INTEGER NOT NULL REFERENCES cases(id),
	at          TIMESTAMP NOT NULL,
	actor       TEXT NOT NULL,
	from_status TEXT NOT NULL,
	to_status   TEXT NOT NULL,
	reason      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events(case_id, id);

-- A link is stored once, the lower id first; both cases list it.
CREATE TABLE case_links (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	case_a     INTEGER NOT NULL REFERENCES cases(id),
	case_b     INTEGER NOT NULL REFERENCES cases(id),
	reason     TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	UNIQUE (case_a, case_b)
);
CREATE INDEX case_links_b ON case_links(case_b);

CREATE TABLE campaigns (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	name       TEXT NOT NULL UNIQUE,
	from_day   TEXT NOT NULL,
	to_day     TEXT NOT NULL,
	dept_id    INTEGER NOT NULL REFERENCES depts(id),
	created_by TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);

CREATE TABLE case_campaigns (
	case_id     INTEGER NOT NULL REFERENCES cases(id),
	campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
	PRIMARY KEY (case_id, campaign_id)
);
CREATE INDEX case_campaigns_campaign ON case_campaigns(campaign_id, case_id);

CREATE TABLE people (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	name       TEXT NOT NULL,
	idno_enc   TEXT NOT NULL DEFAULT '',
	idno_idx   TEXT NOT NULL DEFAULT '',
	idno_mask  TEXT NOT NULL DEFAULT '',
	phone_enc  TEXT NOT NULL DEFAULT '',
	phone_idx  TEXT NOT NULL DEFAULT '',
	phone_mask TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX people_idno ON people(idno_idx) WHERE idno_idx <> '';
CREATE INDEX people_phone ON people(phone_idx) WHERE phone_idx <> '';

CREATE TABLE case_people (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id        INTEGER NOT NULL REFERENCES cases(id),
	person_id      INTEGER NOT NULL REFERENCES people(id),
	role           TEXT NOT NULL, -- suspect, victim, witness
	apprehended_on TEXT NOT NULL DEFAULT '',
	note           TEXT NOT NULL DEFAULT '',
	created_by     TEXT NOT NULL,
	created_at     TIMESTAMP NOT NULL,
	UNIQUE (case_id, person_id, role)
);
CREATE INDEX case_people_person ON case_people(person_id);

-- The five coercive measures and, not coercive, the summons.
CREATE TABLE case_measures (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id     INTEGER NOT NULL REFERENCES cases(id),
	person_id   INTEGER NOT NULL REFERENCES people(id),
	kind        TEXT NOT NULL,
	coercive    BOOLEAN NOT NULL,
	from_day    TEXT NOT NULL,
	to_day      TEXT NOT NULL DEFAULT '',
	authority   TEXT NOT NULL,
	document_no TEXT NOT NULL,
	created_by  TEXT NOT NULL,
	created_at  TIMESTAMP NOT NULL
);
CREATE INDEX case_measures_case ON case_measures(case_id);
CREATE INDEX case_measures_from ON case_measures(from_day);

CREATE TABLE case_seizures (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id     INTEGER NOT NULL REFERENCES cases(id),
	kind        TEXT NOT NULL, -- funds, sim_cards, bank_cards, devices, accounts
	amount_fen  BIGINT NOT NULL DEFAULT 0,
	account     TEXT NOT NULL DEFAULT '',
	bank        TEXT NOT NULL DEFAULT '',
	state       TEXT NOT NULL DEFAULT '', -- funds: frozen, seized, returned
	frozen_on   TEXT NOT NULL DEFAULT '',
	seized_on   TEXT NOT NULL DEFAULT '',
	returned_on TEXT NOT NULL DEFAULT '',
	count       INTEGER NOT NULL DEFAULT 0,
	items       TEXT NOT NULL DEFAULT '[]', -- JSON array of numbers, IMEIs or accounts
	device_type TEXT NOT NULL DEFAULT '',
	slots       INTEGER NOT NULL DEFAULT 0,
	note        TEXT NOT NULL DEFAULT '',
	created_by  TEXT NOT NULL,
	created_at  TIMESTAMP NOT NULL
);
CREATE INDEX case_seizures_case ON case_seizures(case_id);

CREATE TABLE case_entities (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id     INTEGER NOT NULL REFERENCES cases(id),
	finding_id  INTEGER REFERENCES findings(id),
	category    TEXT NOT NULL,
	entity_type TEXT NOT NULL,
	entity      TEXT NOT NULL,
	gang        TEXT NOT NULL DEFAULT '',
	evidence    TEXT NOT NULL DEFAULT '[]',
	added_by    TEXT NOT NULL,
	added_at    TIMESTAMP NOT NULL,
	UNIQUE (case_id, category, entity)
);
CREATE INDEX case_entities_entity ON case_entities(entity_type, entity);
