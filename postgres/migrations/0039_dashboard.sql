-- The command dashboard (docs/dashboard.md) counts today's Four Cuts
-- findings by when the platform recorded, an analyst confirmed and a
-- carrier cut them, and drills down to the same lists: each range reads
-- its own index instead of the whole findings table.
CREATE INDEX findings_created ON findings(created_at);
CREATE INDEX findings_confirmed_at ON findings(confirmed_at) WHERE confirmed_at IS NOT NULL;
CREATE INDEX findings_cut_at ON findings(cut_at) WHERE cut_at IS NOT NULL;
