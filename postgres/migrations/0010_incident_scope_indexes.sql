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
