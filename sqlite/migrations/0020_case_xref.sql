-- Issue 12.4, cross-reference (Aleph-style). case_marks holds every
-- identifier a case holds — a number, IMEI, account, line, fingerprint,
-- resident ID, bank account or card — by kind and key: phone numbers and
-- resident IDs by their blind index (the keyring's, as people's), never in
-- clear, shown masked; the engine's entities in the form the engine
-- compares them. When a case gains one another open case holds, both get
-- an alert (case_alerts); when the engine raises a finding on one an open
-- case holds, that case gets one (finding_id set, no other case).
CREATE TABLE case_marks (
	case_id INTEGER NOT NULL REFERENCES cases(id),
	kind    TEXT NOT NULL, -- phone, imei, account, ip, device, idno, bank_account, bank_card
	mkey    TEXT NOT NULL,
	shown   TEXT NOT NULL,
	source  TEXT NOT NULL, -- entity, seizure, person
	PRIMARY KEY (case_id, kind, mkey)
);
CREATE INDEX case_marks_key ON case_marks(kind, mkey);
CREATE TABLE case_alerts (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id       INTEGER NOT NULL REFERENCES cases(id),
	other_case_id INTEGER REFERENCES cases(id),
	finding_id    INTEGER REFERENCES findings(id),
	kind          TEXT NOT NULL,
	shown         TEXT NOT NULL,
	source        TEXT NOT NULL,
	created_at    TIMESTAMP NOT NULL
);
CREATE INDEX case_alerts_case ON case_alerts(case_id, id);
