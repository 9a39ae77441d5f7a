-- Officers' appeals are taken whether or not the entity is on a cut list
-- (docs/cutlists.md, "Appeals"): the form must not tell a station what
-- the bureau cut. finding_id is NULL when no cut finding matched; category
-- and entity are as entered (canonical); dept_id is the department of the
-- officer who entered it, whose analysts answer an unmatched appeal.
ALTER TABLE appeals ALTER COLUMN finding_id DROP NOT NULL;
ALTER TABLE appeals ADD COLUMN category TEXT NOT NULL DEFAULT '',
	ADD COLUMN entity TEXT NOT NULL DEFAULT '',
	ADD COLUMN dept_id BIGINT REFERENCES depts(id);
UPDATE appeals a SET category = f.category, entity = f.entity_key FROM findings f WHERE f.id = a.finding_id;
CREATE INDEX appeals_entity ON appeals(category, entity);
