-- Issue 10, the engine as a stream. findings holds the live engine's
-- findings and leads (kind), one row per (kind, category, entity key),
-- updated in place as evidence grows and set 'withdrawn' when no longer
-- found; entity_key is the entity, except an IMEI's first 14 digits (a
-- device first seen as an IMEISV is renamed in place when its IMEI
-- arrives). Entities are what is being cut and are kept in clear; a holder
-- never appears (the stream carries holders only as keyed pseudonyms, and
-- no evidence names one). dept_id is the department of the source whose
-- event first raised the finding (the root when unknown): the data scope.
-- engine_checkpoints is each live engine's snapshot of its aggregates and
-- the last stream sequence it covers, written in the transaction that
-- writes the findings it produced (docs/live.md).
CREATE TABLE findings (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	kind        TEXT NOT NULL, -- finding, lead
	category    TEXT NOT NULL,
	entity_type TEXT NOT NULL,
	entity      TEXT NOT NULL,
	entity_key  TEXT NOT NULL,
	score       REAL NOT NULL,
	gang        TEXT NOT NULL,
	first_seen  TIMESTAMP NOT NULL,
	last_seen   TIMESTAMP NOT NULL,
	evidence    TEXT NOT NULL, -- JSON, the contract's evidence array
	status      TEXT NOT NULL, -- live, withdrawn
	confirmed   BOOLEAN NOT NULL DEFAULT FALSE,
	dept_id     INTEGER NOT NULL REFERENCES depts(id),
	source      TEXT NOT NULL,
	created_at  TIMESTAMP NOT NULL,
	updated_at  TIMESTAMP NOT NULL,
	UNIQUE (kind, category, entity_key)
);
CREATE INDEX findings_list ON findings(kind, status, category, id);
CREATE INDEX findings_gang ON findings(gang);

CREATE TABLE engine_checkpoints (
	name   TEXT PRIMARY KEY,
	seq    INTEGER NOT NULL,
	state  BLOB NOT NULL,
	at     TIMESTAMP NOT NULL
);
