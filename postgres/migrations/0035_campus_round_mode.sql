-- Issue 14 follow-up (docs/campus.md): a round is planned as overt (明查),
-- covert (暗访) or both (mixed); each visit still records its own mode.
-- Rounds from before this migration read as mixed, which is what the
-- press report's "明查暗访" rounds were.
ALTER TABLE campus_rounds ADD COLUMN mode TEXT NOT NULL DEFAULT 'mixed';
