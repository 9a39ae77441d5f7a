-- Issue 11, the gang page and promoted leads (docs/cutlists.md).
--
-- links holds a finding's ties to the other entities of its gang as a JSON
-- array of "category|entity" (and "outlet|name"), written by the live
-- engine: the gang graph draws them. A lead an analyst promotes becomes a
-- finding of its own, with who promoted it, why and when; the lead's
-- review becomes 'promoted'. The engine never withdraws a promoted finding.
ALTER TABLE findings ADD COLUMN links TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN promoted_by TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN promote_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN promoted_at TIMESTAMPTZ;
