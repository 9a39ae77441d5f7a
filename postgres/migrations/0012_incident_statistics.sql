-- The incident lists' plans rest on the planner's idea of how many
-- incidents are open, and autovacuum's default (re-analyze after 10 % of
-- the table changed) waits for 200 000 changes on two million rows: a
-- board that filled from empty since the last ANALYZE was planned as one
-- row, joined every open incident to a scan of the departments, and cost
-- 40 ms a count where fresh statistics give 0.15 ms. Analyzed after every
-- 2 000 changes instead, whatever the table's size; vacuumed after 20 000
-- inserts so that the visibility map keeps the count's index-only scans
-- off the heap.
ALTER TABLE incidents SET (
	autovacuum_analyze_scale_factor = 0,
	autovacuum_analyze_threshold = 2000,
	autovacuum_vacuum_insert_scale_factor = 0,
	autovacuum_vacuum_insert_threshold = 20000,
	autovacuum_vacuum_scale_factor = 0.02
);
