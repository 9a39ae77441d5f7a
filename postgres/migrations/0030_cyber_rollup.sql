-- The cyber report's rollup (issue 12 "Scale", docs/cases.md "Scale"):
-- the report read a year's cases, measures, apprehensions and seized
-- accounts and joined each to its case for the scope and the merged status
-- (5.6 s city-wide at 200,000 cases). cyber_rollup holds, per case (and
-- per workbench finding), the facts each figure counts, already carrying
-- the department, the China day and the campaign (0: every case; a tagged
-- case's facts again under each of its campaigns), so that a period's
-- figure is one index range: sums for the additive figures (n), and for
-- the distinct ones (people, accounts) one row per key (k: the person's id,
-- the account's id in cyber_accounts). Merged duplicates have no rows.
-- sqlstore/cyberrollup.go writes a case's rows again in the transaction of
-- every change to it; this migration's Go step (sqlstore.migrationSteps)
-- fills both tables from the rows already there.
CREATE TABLE cyber_accounts (
	id      BIGSERIAL PRIMARY KEY,
	account TEXT NOT NULL UNIQUE
);

CREATE TABLE cyber_rollup (
	campaign_id BIGINT NOT NULL,
	metric      TEXT NOT NULL,
	day         TEXT NOT NULL,   -- China day, YYYY-MM-DD
	dept_id     BIGINT NOT NULL,
	sub         TEXT NOT NULL,   -- measure kind, device type, workbench/seized
	k           BIGINT NOT NULL,   -- person or account id; 0 for sums
	n           BIGINT NOT NULL,
	case_id     BIGINT NOT NULL,   -- the case the row is of (0: a finding's)
	finding_id  BIGINT NOT NULL    -- the finding the row is of (0: a case's)
);
-- every figure's read: one range of (campaign, metric, day), covering
CREATE INDEX cyber_rollup_report ON cyber_rollup(campaign_id, metric, day, dept_id, sub, k, n);
-- a department's subtree: a few ranges of (campaign, metric, dept, day)
CREATE INDEX cyber_rollup_dept ON cyber_rollup(campaign_id, metric, dept_id, day, sub, k, n);
CREATE INDEX cyber_rollup_case ON cyber_rollup(case_id) WHERE case_id <> 0;
CREATE INDEX cyber_rollup_finding ON cyber_rollup(finding_id) WHERE finding_id <> 0;
-- a finding's change reaches the cases holding it
CREATE INDEX case_entities_finding ON case_entities(finding_id) WHERE finding_id IS NOT NULL;
