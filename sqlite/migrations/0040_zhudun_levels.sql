-- Issue 16, 铸盾: a community's level kept per day (docs/zhudun.md
-- "Statistics"). A row is written whenever a community's level or score
-- is computed anew (registered, edited, re-levelled by a new rule
-- edition) and differs from the one in force; the level at a moment is
-- the newest row from before it. Existing communities start with their
-- level now, from their registration (nothing older is known).
CREATE TABLE zd_community_levels (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	community_id INTEGER NOT NULL REFERENCES zd_communities(id),
	level        TEXT NOT NULL,
	score        INTEGER NOT NULL,
	rule_version INTEGER NOT NULL,
	valid_from   TIMESTAMP NOT NULL
);
CREATE INDEX zd_community_levels_community ON zd_community_levels(community_id, valid_from);

INSERT INTO zd_community_levels (community_id, level, score, rule_version, valid_from)
	SELECT id, level, score, rule_version, created_at FROM zd_communities;
