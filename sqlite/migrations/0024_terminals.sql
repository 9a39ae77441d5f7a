-- Issue 13, the JT/T 808 gateway. terminal_auth holds the code each
-- vehicle terminal was given at its registration, as an SM3 hash (a code is
-- 128 random bits: a fast hash suffices, and a stolen database gives no
-- terminal's code); it stays valid across reconnects and restarts until the
-- terminal registers again. A terminal is matched to its unit by phone
-- without leading zeros (units_terminal_key). unit_alarms keeps the alarms
-- terminals raised: one open row per unit (cleared_at NULL) with the kinds
-- up, so a held alarm bit is raised once, not with every report.
CREATE TABLE terminal_auth (
	phone_key        TEXT PRIMARY KEY,
	unit_id          INTEGER NOT NULL REFERENCES units(id),
	code_hash        TEXT NOT NULL,
	registered_at    TIMESTAMP NOT NULL,
	authenticated_at TIMESTAMP
);
CREATE INDEX units_terminal_key ON units(ltrim(terminal, '0'));
CREATE TABLE unit_alarms (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	unit_id    INTEGER NOT NULL REFERENCES units(id),
	kinds      TEXT NOT NULL, -- comma-separated, jt808.AlarmNames order
	lon        REAL,
	lat        REAL,
	at         TIMESTAMP NOT NULL, -- the report's time
	raised_at  TIMESTAMP NOT NULL,
	cleared_at TIMESTAMP
);
CREATE INDEX unit_alarms_open ON unit_alarms(unit_id) WHERE cleared_at IS NULL;
