-- Issue 11, the analyst's review and the cut (docs/cutlists.md).
--
-- findings gains the analyst's axis beside the engine's (status live or
-- withdrawn stays the engine's): review is new, confirmed, dismissed, cut
-- or restored, and only the review service and the cut-list service write
-- it, so the engine's updates never undo a decision. networks lists the
-- carriers (a card's sim events, a device's cards') or platforms (an
-- account's, a fingerprint's or an address's registrations) the events put
-- the entity on, ",cmcc,cuc," — the live engine writes it from the events,
-- never from the source that sent them. list_at is when the entity last
-- changed in a cut list (confirmed, cut, restored, dismissed after a
-- confirmation): what ?since= compares.
ALTER TABLE findings ADD COLUMN review TEXT NOT NULL DEFAULT 'new';
ALTER TABLE findings ADD COLUMN review_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN reviewed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN reviewed_at TIMESTAMP;
ALTER TABLE findings ADD COLUMN confirmed_at TIMESTAMP;
ALTER TABLE findings ADD COLUMN cut_at TIMESTAMP;
ALTER TABLE findings ADD COLUMN cut_source TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN not_cut_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN not_cut_at TIMESTAMP;
ALTER TABLE findings ADD COLUMN restored_at TIMESTAMP;
ALTER TABLE findings ADD COLUMN list_at TIMESTAMP;
ALTER TABLE findings ADD COLUMN overdue_at TIMESTAMP;
ALTER TABLE findings ADD COLUMN networks TEXT NOT NULL DEFAULT '';
CREATE INDEX findings_cutlist ON findings(category, list_at);

-- A source's binding: the carrier network code or platform name whose
-- entities its cut lists carry (its name unless set).
ALTER TABLE sources ADD COLUMN binding TEXT NOT NULL DEFAULT '';
UPDATE sources SET binding = name;

-- The allowlist, moved from the --allow file into the database: the live
-- engine reads the entries not yet expired and stops finding them.
CREATE TABLE allowlist (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	entity_type TEXT NOT NULL, -- msisdn, imei, device, account, ip (an address or CIDR), holder
	entity      TEXT NOT NULL,
	reason      TEXT NOT NULL,
	owner       TEXT NOT NULL, -- the analyst who added it
	dept_id     INTEGER NOT NULL REFERENCES depts(id), -- the owner's department: who may see and remove it
	finding_id  INTEGER REFERENCES findings(id), -- the dismissed finding it came from
	expires_at  TIMESTAMP,
	created_at  TIMESTAMP NOT NULL,
	UNIQUE (entity_type, entity)
);

-- Appeals (申诉) against a cut. The resident's ID is personal data: sealed
-- (idno_enc), found by its keyed index (idno_idx), shown masked.
CREATE TABLE appeals (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	finding_id      INTEGER NOT NULL REFERENCES findings(id),
	entered_by      TEXT NOT NULL, -- a user's name, or "source:" and the source's
	idno_enc        TEXT NOT NULL DEFAULT '',
	idno_idx        TEXT NOT NULL DEFAULT '',
	idno_mask       TEXT NOT NULL DEFAULT '',
	reason          TEXT NOT NULL,
	status          TEXT NOT NULL, -- open, restored, rejected
	decided_by      TEXT NOT NULL DEFAULT '',
	decision_reason TEXT NOT NULL DEFAULT '',
	created_at      TIMESTAMP NOT NULL,
	decided_at      TIMESTAMP
);
CREATE INDEX appeals_finding ON appeals(finding_id);

-- The two-person rule (off unless --review-two-person N): a confirmation
-- of more than N entities at once waits here for a second analyst.
CREATE TABLE review_requests (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	decision     TEXT NOT NULL,
	reason       TEXT NOT NULL,
	target       TEXT NOT NULL, -- "gang G-000001" or "finding 42", as asked
	finding_ids  TEXT NOT NULL, -- the findings to change, comma-separated
	requested_by TEXT NOT NULL,
	requester_id INTEGER NOT NULL,
	dept_id      INTEGER NOT NULL REFERENCES depts(id), -- the requester's
	status       TEXT NOT NULL, -- pending, approved, rejected
	decided_by   TEXT NOT NULL DEFAULT '',
	decided_at   TIMESTAMP,
	created_at   TIMESTAMP NOT NULL
);

-- Officers at stations enter appeals for the residents who come to them.
INSERT INTO role_perms (role_id, perm) SELECT id, 'appeal:write' FROM roles WHERE id IN ('officer', 'analyst');
