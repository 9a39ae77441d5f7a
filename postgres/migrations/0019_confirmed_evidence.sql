-- Issue 11: the evidence an analyst confirmed on. The engine rewrites a
-- finding's evidence as events arrive; what the decision (and a later
-- cut) rested on is kept here, written with each confirmation, so that
-- the appeal statistics per signal count the signals behind the cuts.
ALTER TABLE findings ADD COLUMN confirmed_evidence TEXT NOT NULL DEFAULT '';
