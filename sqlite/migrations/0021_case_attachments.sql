-- Issue 12.7: case attachments and editing a case after opening
-- (docs/cases.md).
--
-- case_attachments holds each file's record; the content is a blob in the
-- blob store (the data directory's attachments/), named at random,
-- encrypted with SM4-GCM under a key of its own, which key_enc holds
-- sealed under the keyring's pii key (bound to the blob's name): rotating
-- the pii key re-seals key_enc, never the file. A deletion keeps the
-- record (who, when, why, the SM3 digest) and destroys the content:
-- key_enc is emptied and the blob removed.
CREATE TABLE case_attachments (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id     INTEGER NOT NULL REFERENCES cases(id),
	name        TEXT NOT NULL,
	type        TEXT NOT NULL,
	size        BIGINT NOT NULL,
	sm3         TEXT NOT NULL,
	blob        TEXT NOT NULL UNIQUE,
	key_enc     TEXT NOT NULL DEFAULT '',
	uploaded_by TEXT NOT NULL,
	uploaded_at TIMESTAMP NOT NULL,
	deleted_by  TEXT NOT NULL DEFAULT '',
	deleted_at  TIMESTAMP,
	delete_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_attachments_case ON case_attachments(case_id, id);

-- The live files' count and bytes, changed in one conditional statement
-- per upload so that concurrent uploads cannot pass the limits together.
ALTER TABLE cases ADD COLUMN attach_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN attach_bytes BIGINT NOT NULL DEFAULT 0;

-- A case moved to another department keeps its number; the serial stays
-- the old department's, so uniqueness is over the department whose
-- counter gave it.
ALTER TABLE cases ADD COLUMN serial_dept_id INTEGER REFERENCES depts(id);
UPDATE cases SET serial_dept_id = dept_id WHERE serial IS NOT NULL;
DROP INDEX cases_serial;
CREATE UNIQUE INDEX cases_serial ON cases(serial_dept_id, year, serial) WHERE serial IS NOT NULL;

-- Timeline rows that are not lifecycle steps: edits (changes: JSON
-- [{field, before, after}]) and attachments added or deleted.
ALTER TABLE case_events ADD COLUMN kind TEXT NOT NULL DEFAULT 'status';
ALTER TABLE case_events ADD COLUMN changes TEXT NOT NULL DEFAULT '';
