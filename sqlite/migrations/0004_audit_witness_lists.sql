-- Audit (issue 19.6): every row carries the audit key's signature of its
-- seq and hash, so that an edited row is named even when every later hash was
-- recomputed. Rows written before this migration keep an empty signature.
ALTER TABLE audit_log ADD COLUMN sig TEXT NOT NULL DEFAULT '';

-- Rows may be deleted only at or below the anchor's base (archiving moves
-- the base first). The old guard let any row go while audit_archiving held
-- a marker, and anyone could insert one; that table is no longer read.
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN OLD.seq > (SELECT base_seq FROM audit_anchor WHERE id = 1)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- The anchor only moves forward: putting back an older anchor row is
-- refused here, and caught by the witness where this guard was dropped.
CREATE TRIGGER audit_anchor_forward BEFORE UPDATE ON audit_anchor
WHEN NEW.head_seq < OLD.head_seq OR NEW.base_seq < OLD.base_seq OR NEW.base_seq > NEW.head_seq
BEGIN SELECT RAISE(ABORT, 'audit_anchor only moves forward'); END;
CREATE TRIGGER audit_anchor_no_delete BEFORE DELETE ON audit_anchor
BEGIN SELECT RAISE(ABORT, 'audit_anchor cannot be deleted'); END;

-- Imports (issue 19.10): the identity of every imported row — its file and
-- line, or the source system's own id — so that an interrupted import run
-- again stores each row once.
CREATE TABLE incident_imports (
	import_key  TEXT PRIMARY KEY,
	incident_id INTEGER NOT NULL,
	imported_at TIMESTAMP NOT NULL
);

-- Incident lists (issue 19.13): newest first, served by an index in that
-- order. The board's open incidents are few among millions closed: a
-- partial index holds only them. (SQLite appends the rowid, the id, to
-- every index: incidents_received already orders by (received_at, id).)
CREATE INDEX incidents_open ON incidents(received_at) WHERE status <> 'closed';


-- The grid under a new incident's point is looked up by bounding box inside
-- the write transaction: an index keeps that short.
CREATE INDEX grids_bbox ON grids(min_lon, max_lon);
ANALYZE;
