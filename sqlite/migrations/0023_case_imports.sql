-- Issue 12.6, bulk entry of cases. Every row a bulk import stores is kept
-- here under its import key (per kind: case, person, measure, seizure;
-- a case's key is its department's, any other row's its case's), so
-- that the same file imported again stores nothing twice, and so that a
-- later file's rows find the cases and people of an earlier one by the
-- keys the clerk gave them. case_id names the case the row went to (its
-- department decides who may see the key); object_id the row stored: the
-- case, the case_people row, the measure or the seizure.
CREATE TABLE case_imports (
	kind        TEXT NOT NULL,
	import_key  TEXT NOT NULL,
	owner_id    INTEGER NOT NULL, -- a case row: its department; any other: its case
	case_id     INTEGER NOT NULL REFERENCES cases(id),
	object_id   INTEGER NOT NULL,
	imported_at TIMESTAMP NOT NULL,
	PRIMARY KEY (kind, owner_id, import_key)
);
CREATE INDEX case_imports_case ON case_imports(case_id);
