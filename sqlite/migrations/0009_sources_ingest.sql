-- Issue 10. Sources: the carriers' and platforms' systems that push events
-- (POST /api/v1/events). A source's API key is kept only as its SM3 hash,
-- like a session token. ingest_chunks remembers every chunk a source sent
-- (its id and the answer), so that a client resending after a failure is
-- answered again without the events entering the stream twice, long after
-- JetStream's duplicate window. ingest_hourly and ingest_rejects are the
-- status page's counts.
CREATE TABLE sources (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	name        TEXT NOT NULL UNIQUE,
	kind        TEXT NOT NULL, -- carrier, platform, open311
	dept_id     INTEGER NOT NULL REFERENCES depts(id),
	types       TEXT NOT NULL, -- event types it may send, comma-separated
	key_hash    TEXT NOT NULL UNIQUE, -- SM3("zhudun-source-key", key)
	disabled    BOOLEAN NOT NULL DEFAULT FALSE,
	created_at  TIMESTAMP NOT NULL,
	updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE ingest_chunks (
	source_id  INTEGER NOT NULL REFERENCES sources(id),
	chunk_id   TEXT NOT NULL,
	at         TIMESTAMP NOT NULL,
	accepted   INTEGER NOT NULL,
	rejected   INTEGER NOT NULL,
	rejects    TEXT NOT NULL, -- the answer's rejects, JSON
	PRIMARY KEY (source_id, chunk_id)
);
CREATE INDEX ingest_chunks_at ON ingest_chunks(at);

CREATE TABLE ingest_hourly (
	source_id  INTEGER NOT NULL REFERENCES sources(id),
	hour       TIMESTAMP NOT NULL,
	accepted   INTEGER NOT NULL,
	rejected   INTEGER NOT NULL,
	PRIMARY KEY (source_id, hour)
);

CREATE TABLE ingest_rejects (
	source_id  INTEGER NOT NULL REFERENCES sources(id),
	hour       TIMESTAMP NOT NULL,
	reason     TEXT NOT NULL, -- the reason up to its quoted value: never a value
	n          INTEGER NOT NULL,
	PRIMARY KEY (source_id, hour, reason)
);

-- The system administrator manages sources; a fresh install gets it from
-- the built-in roles.
INSERT INTO role_perms (role_id, perm) SELECT id, 'source:write' FROM roles WHERE id = 'sysadmin';
