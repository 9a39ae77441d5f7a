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
