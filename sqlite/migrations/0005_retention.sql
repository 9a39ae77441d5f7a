-- When an account was disabled: retention clears the personal data of
-- accounts disabled longer than the configured period (zhudun serve
-- --retain-disabled-pii). Accounts already disabled count from their last
-- change.
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMP;
UPDATE users SET disabled_at = updated_at WHERE disabled;
CREATE INDEX users_disabled_at ON users(disabled_at) WHERE disabled_at IS NOT NULL;
CREATE INDEX outbox_published ON outbox(published_at) WHERE published_at IS NOT NULL;
CREATE INDEX sessions_last_seen ON sessions(last_seen_at);
CREATE INDEX login_failures_at ON login_failures(at);
