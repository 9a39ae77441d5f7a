-- The review's terminal takeover (review_findings.md 1): a registration
-- carrying only a unit's terminal phone, which is no secret, took the code
-- over. The first registration now binds the phone to the device identity
-- it carries (manufacturer id, terminal model, terminal id: trust on first
-- use); a later one from another identity is refused. NULL: not bound yet
-- (rows from before this migration bind at their next registration).
-- Changing the unit's terminal deletes the row, which re-arms it.
ALTER TABLE terminal_auth ADD COLUMN device_maker TEXT;
ALTER TABLE terminal_auth ADD COLUMN device_model TEXT;
ALTER TABLE terminal_auth ADD COLUMN device_id TEXT;
-- Alarm flooding (review_findings.md 4): unit_alarms.raised keeps the kinds
-- a row announced (the unit.alarm event), so that a kind is announced at
-- most once per zhudun.AlarmRepeatInterval per unit however its bit
-- toggles; NULL for older rows.
ALTER TABLE unit_alarms ADD COLUMN raised TEXT;
CREATE INDEX unit_alarms_unit_raised ON unit_alarms(unit_id, raised_at);
