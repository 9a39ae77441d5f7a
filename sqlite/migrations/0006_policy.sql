-- Policy the security administrator sets, password history, dormant
-- accounts, security alerts and the cursors of audit forwarding (issue 20
-- items 4 and 5). The policy itself is one JSON row in settings
-- (key 'policy'), filled with the defaults on first read.
CREATE TABLE password_history (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	user_id INTEGER NOT NULL REFERENCES users(id),
	hash    TEXT NOT NULL,
	set_at  TIMESTAMP NOT NULL
);
CREATE INDEX password_history_user ON password_history(user_id, id);

-- When an administrator last enabled the account: a re-enabled dormant
-- account gets a full period before the sweep disables it again.
ALTER TABLE users ADD COLUMN enabled_at TIMESTAMP;

CREATE TABLE alerts (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	at          TIMESTAMP NOT NULL,
	last_at     TIMESTAMP NOT NULL,
	event       TEXT NOT NULL,
	subject     TEXT NOT NULL,
	username    TEXT NOT NULL,
	client_addr TEXT NOT NULL,
	detail      TEXT,
	count       INTEGER NOT NULL DEFAULT 1,
	acked_at    TIMESTAMP,
	acked_by    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX alerts_fold ON alerts(event, subject, last_at);

-- How far each forwarder (audit rows to a collector, alerts to a webhook)
-- has got: a restart or an outage resumes after last_id.
CREATE TABLE forward_cursors (
	name       TEXT PRIMARY KEY,
	last_id    INTEGER NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
