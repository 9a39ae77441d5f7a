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
