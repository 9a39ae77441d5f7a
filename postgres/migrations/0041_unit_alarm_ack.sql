-- Issue 13, acknowledging terminals' alarms on the server (docs/livemap.md,
-- "Alarms"): an announced alarm (raised not empty) stays open on every
-- command screen until one user acknowledges it, which records who, when
-- and an optional note (audited as unit.alarm_ack). Rows from before this
-- migration were acknowledged per screen and nowhere recorded: they are
-- marked acknowledged at their raising, by nobody, so that the first
-- screen after the upgrade does not list every alarm ever raised.
ALTER TABLE unit_alarms ADD COLUMN acked_at TIMESTAMPTZ;
ALTER TABLE unit_alarms ADD COLUMN acked_by TEXT;
ALTER TABLE unit_alarms ADD COLUMN ack_note TEXT;
UPDATE unit_alarms SET acked_at = raised_at, acked_by = '' WHERE raised IS NOT NULL AND raised <> '';
CREATE INDEX unit_alarms_unacked ON unit_alarms(raised_at) WHERE acked_at IS NULL AND raised IS NOT NULL AND raised <> '';
