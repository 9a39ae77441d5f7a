-- PostgreSQL's migration 0012 sets autovacuum thresholds for incidents.
-- SQLite has no background statistics: its plans use what ANALYZE (0010)
-- recorded, and the list statements name their departments as id lists
-- so that an index condition does not depend on them. Nothing to change.
SELECT 1;
