-- Audit (issue 19.6): every row carries the audit key's signature of its
-- seq and hash, so that an edited row is named even when every later hash was
-- recomputed. Rows written before this migration keep an empty signature.
ALTER TABLE audit_log ADD COLUMN sig TEXT NOT NULL DEFAULT '';

-- Rows may be deleted only at or below the anchor's base (archiving moves
-- the base first). The old guard let any row go while audit_archiving held
-- a marker, and anyone could insert one; that table is no longer read.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' AND OLD.seq <= (SELECT base_seq FROM audit_anchor WHERE id = 1) THEN
		RETURN OLD;
	END IF;
	RAISE EXCEPTION 'audit_log is append-only';
END $$;

-- The anchor only moves forward: putting back an older anchor row is
-- refused here, and caught by the witness where this guard was dropped.
CREATE FUNCTION audit_anchor_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		RAISE EXCEPTION 'audit_anchor cannot be deleted';
	END IF;
	IF NEW.head_seq < OLD.head_seq OR NEW.base_seq < OLD.base_seq OR NEW.base_seq > NEW.head_seq THEN
		RAISE EXCEPTION 'audit_anchor only moves forward';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER audit_anchor_forward BEFORE UPDATE OR DELETE ON audit_anchor
FOR EACH ROW EXECUTE FUNCTION audit_anchor_forward();

-- TRUNCATE skips row triggers.
CREATE FUNCTION audit_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '% cannot be truncated', TG_TABLE_NAME;
END $$;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_no_truncate();
CREATE TRIGGER audit_anchor_no_truncate BEFORE TRUNCATE ON audit_anchor
FOR EACH STATEMENT EXECUTE FUNCTION audit_no_truncate();

-- Imports (issue 19.10): the identity of every imported row — its file and
-- line, or the source system's own id — so that an interrupted import run
-- again stores each row once.
CREATE TABLE incident_imports (
	import_key  TEXT PRIMARY KEY,
	incident_id BIGINT NOT NULL,
	imported_at TIMESTAMPTZ NOT NULL
);

-- Incident lists (issue 19.13): newest first by (received_at, id), served by
-- an index in that order, also per station; the board's open incidents are
-- few among millions closed: a partial index holds only them.
CREATE INDEX incidents_received_id ON incidents(received_at, id);
DROP INDEX incidents_received;
CREATE INDEX incidents_station_received ON incidents(station_id, received_at, id);
DROP INDEX incidents_station;
CREATE INDEX incidents_open ON incidents(received_at, id) WHERE status <> 'closed';

-- The grid under a new incident's point is looked up by bounding box inside
-- the write transaction: an index keeps that short.
CREATE INDEX grids_bbox ON grids(min_lon, max_lon);
