-- The global stage's fencing token (docs/live.md, "The global stage is
-- elected"): the revision at which its holder acquired the lease. A
-- checkpoint is written only by a holder whose fence is at least the
-- stored one, so a holder that stalled past its lease and woke after
-- another took over cannot write its older state over the newer one.
ALTER TABLE engine_checkpoints ADD COLUMN fence BIGINT NOT NULL DEFAULT 0;
