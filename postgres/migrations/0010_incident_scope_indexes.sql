-- The parts of a list's scope (station, lent station, creator; see
-- incidentScopeParts) each on an index that holds what the part tests, so
-- that counting a part is an index-only scan. Imported history has no
-- creator: the creator indexes hold only rows a creator test can match.
DROP INDEX incidents_creator;
CREATE INDEX incidents_creator ON incidents(created_by, station_id, lent_station_id) WHERE created_by IS NOT NULL;

-- The open board, part by part: without these a station's part walked all
-- its closed history (the open incidents are few among millions).
CREATE INDEX incidents_open_station ON incidents(station_id, received_at, id) WHERE status <> 'closed';
CREATE INDEX incidents_open_creator ON incidents(created_by, station_id, lent_station_id) WHERE status <> 'closed' AND created_by IS NOT NULL;
ANALYZE incidents;

-- The grids as a whole have a version, changed by every write to them or
-- to the departments their rows name (code, name, path): a new incident's
-- grid is found in memory while the version is the one the memory was
-- read at (sqlstore/gridcache.go). Random, not a counter: a rolled-back
-- change must not leave a number a later change takes again.
CREATE TABLE grid_version (id INTEGER PRIMARY KEY CHECK (id = 1), v BIGINT NOT NULL);
INSERT INTO grid_version (id, v) VALUES (1, (random() * 9e18)::bigint);
CREATE FUNCTION grid_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE grid_version SET v = (random() * 9e18)::bigint;
	RETURN NULL;
END $$;
CREATE TRIGGER grids_version AFTER INSERT OR UPDATE OR DELETE ON grids FOR EACH STATEMENT EXECUTE FUNCTION grid_version_bump();
CREATE TRIGGER depts_version AFTER INSERT OR UPDATE OR DELETE ON depts FOR EACH STATEMENT EXECUTE FUNCTION grid_version_bump();
