-- Issue 12: a division's page of cross-reference alerts (docs/cases.md).
-- An alert is open until an owner of its case closes it with a note of
-- what was done (contacted the other division, not the same ring); each
-- side's alert is its own row, so each owner closes theirs.
ALTER TABLE case_alerts ADD COLUMN state TEXT NOT NULL DEFAULT 'open';
ALTER TABLE case_alerts ADD COLUMN closed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE case_alerts ADD COLUMN closed_at TIMESTAMP;
ALTER TABLE case_alerts ADD COLUMN close_note TEXT NOT NULL DEFAULT '';
CREATE INDEX case_alerts_state ON case_alerts(state, id);
