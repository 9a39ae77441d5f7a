-- The parts of a list's scope (station, lent station, creator; see
-- incidentScopeParts) each on an index that holds what the part tests, so
-- that counting a part reads the index alone.
--
-- Creator: imported history has no creator, so an index over every row
-- told the planner that one creator owns two million incidents and it
-- scanned the table instead (0.6 s a history list). Partial, it holds
-- only the rows a creator test can match, and its statistics say so.
DROP INDEX incidents_creator;
CREATE INDEX incidents_creator ON incidents(created_by, station_id, lent_station_id) WHERE created_by IS NOT NULL;

-- The open board, part by part: without these a station's part walked all
-- its closed history (the open incidents are few among millions).
CREATE INDEX incidents_open_station ON incidents(station_id, received_at) WHERE status <> 'closed';
CREATE INDEX incidents_open_creator ON incidents(created_by, station_id, lent_station_id) WHERE status <> 'closed' AND created_by IS NOT NULL;
ANALYZE incidents;

-- The grids as a whole have a version, changed by every write to them or
-- to the departments their rows name (code, name, path): a new incident's
-- grid is found in memory while the version is the one the memory was
-- read at (sqlstore/gridcache.go), where the bounding-box query read
-- half the grids' rows each time (0.6 ms a creation). Random, not a
-- counter: a rolled-back change must not leave a number a later change
-- takes again.
CREATE TABLE grid_version (id INTEGER PRIMARY KEY CHECK (id = 1), v INTEGER NOT NULL);
INSERT INTO grid_version (id, v) VALUES (1, random());
CREATE TRIGGER grids_version_insert AFTER INSERT ON grids BEGIN UPDATE grid_version SET v = random(); END;
CREATE TRIGGER grids_version_update AFTER UPDATE ON grids BEGIN UPDATE grid_version SET v = random(); END;
CREATE TRIGGER grids_version_delete AFTER DELETE ON grids BEGIN UPDATE grid_version SET v = random(); END;
CREATE TRIGGER depts_version_insert AFTER INSERT ON depts BEGIN UPDATE grid_version SET v = random(); END;
CREATE TRIGGER depts_version_update AFTER UPDATE ON depts BEGIN UPDATE grid_version SET v = random(); END;
CREATE TRIGGER depts_version_delete AFTER DELETE ON depts BEGIN UPDATE grid_version SET v = random(); END;
