-- Issue 10, item 7: each live engine process (serve's embedded engine or a
-- zhudun engine worker) upserts its row here every 10 s; the status page
-- counts as alive those seen within the last 30 s. Kept in the database,
-- beside the checkpoints, rather than in a JetStream KV bucket: the status
-- page reads both in one query, and a worker that cannot reach the
-- database cannot write findings either, so it is rightly not "alive".
-- Rows not seen for a day are deleted by the next heartbeat.
CREATE TABLE engine_workers (
	id      TEXT PRIMARY KEY, -- host/pid/start
	name    TEXT NOT NULL,    -- the engine (consumer and checkpoint) it runs
	host    TEXT NOT NULL,
	pid     INTEGER NOT NULL,
	started TIMESTAMP NOT NULL,
	seen    TIMESTAMP NOT NULL,
	seq     INTEGER NOT NULL, -- last stream sequence fed
	events  INTEGER NOT NULL  -- events the engine holds
);
