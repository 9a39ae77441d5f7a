-- Patrol plans and coverage (docs/patrol.md "Patrol plans and coverage").
-- One plan per grid; its checkpoints, shifts and windows are one JSON
-- document (edited and read whole, never queried inside).
CREATE TABLE patrol_plans (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	grid_id     INTEGER NOT NULL UNIQUE REFERENCES grids(id),
	name        TEXT NOT NULL,
	body        TEXT NOT NULL,
	version     INTEGER NOT NULL DEFAULT 1,
	created_at  TIMESTAMP NOT NULL,
	updated_at  TIMESTAMP NOT NULL
);
-- Every counted pass of a unit through a checkpoint in a window. Written
-- by every server that tracks coverage: the same pass computed twice is one
-- row (the unique key), so the insert ignores conflicts.
CREATE TABLE patrol_visits (
	plan_id     INTEGER NOT NULL,
	grid_id     INTEGER NOT NULL,
	station_id  INTEGER NOT NULL,
	checkpoint  TEXT NOT NULL,
	win         INTEGER NOT NULL,
	shift_date  TEXT NOT NULL, -- YYYY-MM-DD, Asia/Shanghai: the date the shift began
	shift       TEXT NOT NULL,
	unit_id     INTEGER NOT NULL,
	at          TIMESTAMP NOT NULL,
	UNIQUE (plan_id, checkpoint, win, shift_date, unit_id, at)
);
CREATE INDEX patrol_visits_shift ON patrol_visits(shift_date, station_id);
-- Coverage of a shift: grid rows (unit_id 0) and unit rows (grid_id 0),
-- written at the shift's end (final = 1) and while it runs.
CREATE TABLE patrol_coverage (
	shift_date  TEXT NOT NULL,
	shift       TEXT NOT NULL,
	grid_id     INTEGER NOT NULL,
	unit_id     INTEGER NOT NULL,
	station_id  INTEGER NOT NULL,
	planned     INTEGER NOT NULL,
	visited     INTEGER NOT NULL,
	other       INTEGER NOT NULL,
	final       INTEGER NOT NULL,
	updated_at  TIMESTAMP NOT NULL,
	PRIMARY KEY (shift_date, shift, grid_id, unit_id)
);
CREATE INDEX patrol_coverage_station ON patrol_coverage(station_id, shift_date);
