-- Core schema: departments, roles, users, sessions, the audit chain and the
-- event outbox. Times are UTC.
CREATE TABLE depts (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	code        TEXT NOT NULL UNIQUE,
	name        TEXT NOT NULL,
	kind        TEXT NOT NULL,
	parent_id   INTEGER REFERENCES depts(id),
	path        TEXT NOT NULL,
	disabled    BOOLEAN NOT NULL DEFAULT FALSE,
	region_code TEXT NOT NULL DEFAULT '',
	lon         REAL,
	lat         REAL,
	created_at  TIMESTAMP NOT NULL,
	updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX depts_path ON depts(path);
CREATE INDEX depts_parent ON depts(parent_id);

CREATE TABLE roles (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	scope      TEXT NOT NULL,
	builtin    BOOLEAN NOT NULL,
	admin      BOOLEAN NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE TABLE role_perms (
	role_id TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
	perm    TEXT NOT NULL,
	PRIMARY KEY (role_id, perm)
);

CREATE TABLE users (
	id                  INTEGER PRIMARY KEY AUTOINCREMENT,
	username            TEXT NOT NULL UNIQUE,
	name                TEXT NOT NULL,
	dept_id             INTEGER NOT NULL REFERENCES depts(id),
	password_hash       TEXT NOT NULL,
	must_change         BOOLEAN NOT NULL,
	disabled            BOOLEAN NOT NULL DEFAULT FALSE,
	failed_count        INTEGER NOT NULL DEFAULT 0,
	locked_until        TIMESTAMP,
	totp_enabled        BOOLEAN NOT NULL DEFAULT FALSE,
	totp_secret         TEXT NOT NULL DEFAULT '',
	totp_pending        TEXT NOT NULL DEFAULT '',
	totp_last_step      INTEGER NOT NULL DEFAULT 0,
	phone_enc           TEXT NOT NULL DEFAULT '',
	phone_idx           TEXT NOT NULL DEFAULT '',
	phone_mask          TEXT NOT NULL DEFAULT '',
	idno_enc            TEXT NOT NULL DEFAULT '',
	idno_idx            TEXT NOT NULL DEFAULT '',
	idno_mask           TEXT NOT NULL DEFAULT '',
	created_by          INTEGER,
	created_at          TIMESTAMP NOT NULL,
	updated_at          TIMESTAMP NOT NULL,
	last_login_at       TIMESTAMP,
	password_changed_at TIMESTAMP NOT NULL
);
CREATE INDEX users_dept ON users(dept_id);
CREATE INDEX users_phone_idx ON users(phone_idx) WHERE phone_idx <> '';
CREATE INDEX users_idno_idx ON users(idno_idx) WHERE idno_idx <> '';

CREATE TABLE user_roles (
	user_id INTEGER NOT NULL REFERENCES users(id),
	role_id TEXT NOT NULL REFERENCES roles(id),
	PRIMARY KEY (user_id, role_id)
);

CREATE TABLE sessions (
	id           TEXT PRIMARY KEY, -- SM3 of the token; the token itself is never stored
	user_id      INTEGER NOT NULL REFERENCES users(id),
	created_at   TIMESTAMP NOT NULL,
	last_seen_at TIMESTAMP NOT NULL,
	client_addr  TEXT NOT NULL,
	user_agent   TEXT NOT NULL,
	must_change  BOOLEAN NOT NULL,
	must_enroll  BOOLEAN NOT NULL,
	revoked_at   TIMESTAMP
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_failures (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	client_addr TEXT NOT NULL,
	at          TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_addr ON login_failures(client_addr, at);

CREATE TABLE audit_log (
	seq         INTEGER PRIMARY KEY,
	at          TIMESTAMP NOT NULL,
	user_id     INTEGER,
	username    TEXT NOT NULL,
	dept_code   TEXT NOT NULL,
	dept_path   TEXT NOT NULL,
	action      TEXT NOT NULL,
	object_type TEXT NOT NULL,
	object_id   TEXT NOT NULL,
	result      TEXT NOT NULL,
	client_addr TEXT NOT NULL,
	detail      TEXT,
	prev_hash   TEXT NOT NULL,
	hash        TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_user ON audit_log(username, seq);
CREATE INDEX audit_log_path ON audit_log(dept_path, seq);

-- The chain's head, signed with a key the database does not hold. base_* is
-- where the chain in this table starts (after archiving).
CREATE TABLE audit_anchor (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	base_seq   INTEGER NOT NULL,
	base_hash  TEXT NOT NULL,
	head_seq   INTEGER NOT NULL,
	head_hash  TEXT NOT NULL,
	sig        TEXT NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
INSERT INTO audit_anchor (id, base_seq, base_hash, head_seq, head_hash, sig, updated_at)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 0,
        '0000000000000000000000000000000000000000000000000000000000000000', '', CURRENT_TIMESTAMP);

-- Rows are archived (moved out, verifiably) only while this table holds a
-- marker; otherwise the log refuses updates and deletes. Verification does
-- not rely on these triggers: whoever holds the file can drop them.
CREATE TABLE audit_archiving (id INTEGER PRIMARY KEY);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM audit_archiving)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Settings of this database. instance_id tells this database's events from
-- another's on a shared bus (event ids restart at 1 in every database).
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
INSERT INTO settings (key, value) VALUES ('instance_id', lower(hex(randomblob(16))));

CREATE TABLE outbox (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	type         TEXT NOT NULL,
	at           TIMESTAMP NOT NULL,
	perm         TEXT NOT NULL,
	dept_path    TEXT NOT NULL,
	dept_id      INTEGER,
	owner_id     INTEGER,
	data         TEXT NOT NULL,
	published_at TIMESTAMP
);
CREATE INDEX outbox_pending ON outbox(id) WHERE published_at IS NULL;

INSERT INTO depts (id, code, name, kind, parent_id, path, disabled, region_code, created_at, updated_at)
VALUES (1, 'ROOT', '根部门', 'bureau', NULL, '/1/', FALSE, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
