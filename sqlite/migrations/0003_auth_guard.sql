-- Security second pass (issue 19): atomic sign-in counters, the personal-data
-- search quota and the department that owns each role.

-- Failure counters that are not an account's own (users.failed_count is):
-- 'addr:<client address>' counts failed sign-ins from one address in a
-- window; 'name:<keyed index of the name>' counts wrong passwords for a name
-- without an account, so that it locks exactly like an existing one. Times
-- are Unix microseconds so that both backends compare them as numbers.
CREATE TABLE login_guard (
	subject      TEXT PRIMARY KEY,
	failures     INTEGER NOT NULL,
	window_start BIGINT NOT NULL,
	locked_until BIGINT
);

-- Searches by personal data (phone, resident ID) per user in a window; past
-- the limit the capability locks until a security administrator clears it.
CREATE TABLE pii_search_quota (
	user_id      INTEGER PRIMARY KEY REFERENCES users(id),
	searches     INTEGER NOT NULL,
	window_start BIGINT NOT NULL,
	locked_at    TIMESTAMP
);

-- The department that owns a role: only administrators at or above it edit
-- the role. Existing roles belong to the root (the city). SQLite cannot add
-- a column with both REFERENCES and a non-null default; the store checks it.
ALTER TABLE roles ADD COLUMN owner_dept_id INTEGER NOT NULL DEFAULT 1;

-- Dispatchers ask "has this caller phoned before?": pii:search by default.
INSERT INTO role_perms (role_id, perm) SELECT id, 'pii:search' FROM roles WHERE id = 'dispatcher';
