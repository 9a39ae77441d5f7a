-- Fencing tokens of the elected engine stages (docs/live.md, "The global
-- stage is elected"). A worker that takes the global stage's lease takes
-- the next token here before it restores the checkpoint; each change it
-- writes then checks, in its own transaction, that its token is still the
-- newest. A holder that stalled past its lease and wakes after another
-- took over is refused, whole, instead of writing its older state over
-- the newer one. The tokens live in the database, not in the lease's
-- bucket, so that a bucket created again cannot make them go back.
CREATE TABLE engine_fences (
	name  TEXT PRIMARY KEY,
	fence BIGINT NOT NULL
);
