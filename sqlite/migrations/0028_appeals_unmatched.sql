-- Officers' appeals are taken whether or not the entity is on a cut list
-- (docs/cutlists.md, "Appeals"): the form must not tell a station what
-- the bureau cut. finding_id is NULL when no cut finding matched; category
-- and entity are as entered (canonical); dept_id is the department of the
-- officer who entered it, whose analysts answer an unmatched appeal.
-- SQLite cannot drop a NOT NULL: the table is rebuilt.
CREATE TABLE appeals_new (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	finding_id      INTEGER REFERENCES findings(id),
	category        TEXT NOT NULL DEFAULT '',
	entity          TEXT NOT NULL DEFAULT '',
	dept_id         INTEGER REFERENCES depts(id),
	entered_by      TEXT NOT NULL,
	idno_enc        TEXT NOT NULL DEFAULT '',
	idno_idx        TEXT NOT NULL DEFAULT '',
	idno_mask       TEXT NOT NULL DEFAULT '',
	reason          TEXT NOT NULL,
	status          TEXT NOT NULL,
	decided_by      TEXT NOT NULL DEFAULT '',
	decision_reason TEXT NOT NULL DEFAULT '',
	created_at      TIMESTAMP NOT NULL,
	decided_at      TIMESTAMP
);
INSERT INTO appeals_new (id, finding_id, category, entity, entered_by, idno_enc, idno_idx, idno_mask, reason, status,
	decided_by, decision_reason, created_at, decided_at)
	SELECT a.id, a.finding_id, f.category, f.entity_key, a.entered_by, a.idno_enc, a.idno_idx, a.idno_mask, a.reason, a.status,
		a.decided_by, a.decision_reason, a.created_at, a.decided_at
	FROM appeals a JOIN findings f ON f.id = a.finding_id;
-- ids are never reused (a sealed ID is bound to its row's id): the new
-- table continues the old one's sequence.
DELETE FROM sqlite_sequence WHERE name = 'appeals_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'appeals_new', seq FROM sqlite_sequence WHERE name = 'appeals';
DROP TABLE appeals;
ALTER TABLE appeals_new RENAME TO appeals;
CREATE INDEX appeals_finding ON appeals(finding_id);
CREATE INDEX appeals_entity ON appeals(category, entity);
