package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/password"
	"github.com/zhudun/zhudun/totp"
)

var _ zhudun.AuthService = (*Store)(nil)

// sessionMaxAge bounds a session however active it is.
const sessionMaxAge = 12 * time.Hour

// dummyHash is verified against when the username is unknown, so that a
// wrong username costs the same time as a wrong password.
var dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$wM1uA1d1r0GfD0nq8pJw3DqjM8Zp0k2N3xJ9m3n6cXo"

func badLogin() error { return zhudun.Errorf(zhudun.EUNAUTHORIZED, "wrong username or password") }

func sessionID(token string) string { return gmcrypto.SM3Hex([]byte("zhudun-session"), []byte(token)) }

func retryAfter(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	return s
}

// Login checks a username and password (and a TOTP code where enrolled) and
// opens a session. Every attempt first takes a slot from its client address
// (LoginLimits.AddrLimit failures in AddrWindow) and from its name
// (MaxFailures in a row, then locked for Lock — the same for a name without
// an account); see loginguard.go. Every outcome is audited, and an audit row
// that cannot be written fails the request.
func (s *Store) Login(ctx context.Context, req zhudun.LoginRequest) (*zhudun.Session, error) {
	now := s.clock()
	lim := s.loginLimits(ctx)
	username := strings.ToLower(strings.TrimSpace(req.Username))
	addr := req.ClientAddr
	var u loginUser
	err := s.queryRow(ctx, `SELECT u.id, u.username, u.password_hash, u.disabled, u.failed_count, u.locked_until, u.must_change,
		u.totp_enabled, u.totp_secret, u.totp_last_step, d.code, d.path, d.disabled
		FROM users u JOIN depts d ON d.id = u.dept_id WHERE u.username = ?`, username).
		Scan(&u.id, &u.username, &u.hash, &u.disabled, &u.failed, &u.locked, &u.mustChange, &u.totpOn, &u.totpSecret, &u.totpLast, &u.deptCode, &u.deptPath, &u.deptDisabled)
	acct := &u
	if errors.Is(err, sql.ErrNoRows) {
		acct = nil
	} else if err != nil {
		return nil, s.internal("login load", err)
	}
	// The address first, before any password work. A refused attempt still
	// counts toward the name: spreading guesses over throttled addresses
	// must not spare the account.
	ok, wait, err := s.claimAddr(ctx, addr, now, lim)
	if err != nil {
		return nil, err
	}
	if !ok {
		if _, err := s.claimName(ctx, acct, username, now, lim); err != nil {
			return nil, err
		}
		if err := s.loginAudit(ctx, acct, username, addr, zhudun.ResultDenied, "address throttled"); err != nil {
			return nil, err
		}
		s.raise(ctx, zhudun.SecurityEvent{Event: zhudun.SecThrottle, Subject: addr, ClientAddr: addr, Detail: map[string]any{"limit": lim.AddrLimit}})
		return nil, &zhudun.Error{Code: zhudun.ETOOMANY, Message: "too many failed sign-ins from your address; try again later", RetryAfter: retryAfter(wait)}
	}
	slot, err := s.claimName(ctx, acct, username, now, lim)
	if err != nil {
		return nil, err
	}
	if slot.refused {
		if err := s.loginAudit(ctx, acct, username, addr, zhudun.ResultFailed, "account locked"); err != nil {
			return nil, err
		}
		return nil, lockedError(slot.until.Sub(now))
	}
	if acct == nil {
		password.Verify(dummyHash, req.Password)
		return nil, s.loginFailure(ctx, nil, username, addr, "unknown user", slot.last, lim)
	}
	if !password.Verify(u.hash, req.Password) {
		return nil, s.loginFailure(ctx, acct, username, addr, "wrong password", slot.last, lim)
	}
	if u.disabled || u.deptDisabled {
		// The slot stays taken, as for a name without an account.
		return nil, s.loginFailure(ctx, acct, username, addr, "account disabled", slot.last, lim)
	}
	step := u.totpLast
	if u.totpOn {
		if strings.TrimSpace(req.OTP) == "" {
			// The password was right: no guess against the address. The
			// name's slot stays taken — giving it back would let whoever has
			// the password reset the count between guesses at the code. If
			// it was the last slot, its lock is lifted with one slot left:
			// the attempt with the code takes it (and locks on a wrong
			// code), where the lock would refuse the user's code.
			if err := s.releaseAddr(ctx, addr); err != nil {
				return nil, err
			}
			if slot.last {
				if _, err := s.execDB(ctx, `UPDATE users SET failed_count = ?, locked_until = NULL WHERE id = ? AND failed_count = 0`, max(lim.MaxFailures-1, 0), u.id); err != nil {
					return nil, s.internal("login lift", err)
				}
			}
			if err := s.loginAudit(ctx, &u, username, addr, zhudun.ResultDenied, "otp required"); err != nil {
				return nil, err
			}
			return nil, zhudun.Errorf(zhudun.EOTPREQUIRED, "enter the 6-digit code from your authenticator app")
		}
		secret, err := s.keys.Open(u.totpSecret, totpAAD(u.id))
		if err != nil {
			return nil, s.internal("totp open", err)
		}
		st, ok := totp.Validate(string(secret), req.OTP, now, u.totpLast)
		if !ok {
			return nil, s.loginFailure(ctx, &u, username, addr, "wrong otp", slot.last, lim)
		}
		step = st
	}
	pol := s.policy(ctx)
	roles, err := s.userRoleIDs(ctx, u.id)
	if err != nil {
		return nil, err
	}
	mustEnroll := !u.totpOn && pol.NeedsTOTP(roles)
	expired, err := s.passwordExpired(ctx, u.id, now, pol)
	if err != nil {
		return nil, err
	}
	tok := make([]byte, 32)
	if _, err := rand.Read(tok); err != nil {
		return nil, s.internal("token", err)
	}
	sess := &zhudun.Session{Token: base64.RawURLEncoding.EncodeToString(tok), UserID: u.id, MustChangePassword: u.mustChange || expired,
		MustEnrollTOTP: mustEnroll, PasswordExpired: expired && !u.mustChange, CreatedAt: now, LastSeenAt: now}
	sess.ID = sessionID(sess.Token)
	caller := &zhudun.Caller{UserID: u.id, Username: u.username, DeptCode: u.deptCode, DeptPath: u.deptPath, ClientAddr: addr}
	err = s.write(zhudun.WithCaller(ctx, caller), func(ctx context.Context, tx *Tx) error {
		if _, err := tx.exec(ctx, `UPDATE users SET last_login_at = ?, totp_last_step = ? WHERE id = ?`, now, step, u.id); err != nil {
			return tx.s.internal("login update", err)
		}
		// A success clears the failures only if no other attempt took a
		// slot since this one did: attempts under way beside it (an
		// attack racing the user) keep theirs, and a lock they set stands,
		// so that a burst gets MaxFailures checks whoever wins. The slot
		// that locked the name is this attempt's own lock, which no later
		// attempt can have touched (a locked name refuses them uncounted).
		reset := `UPDATE users SET failed_count = 0, locked_until = NULL WHERE id = ? AND failed_count = ? AND (locked_until IS NULL OR locked_until <= ?)`
		args := []any{u.id, slot.count, now}
		if slot.last {
			reset, args = `UPDATE users SET failed_count = 0, locked_until = NULL WHERE id = ?`, []any{u.id}
		}
		if _, err := tx.exec(ctx, reset, args...); err != nil {
			return tx.s.internal("login reset", err)
		}
		ua := req.UserAgent
		if len(ua) > 200 {
			ua = ua[:200]
		}
		if _, err := tx.exec(ctx, `INSERT INTO sessions (id, user_id, created_at, last_seen_at, client_addr, user_agent, must_change, must_enroll) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			sess.ID, u.id, now, now, addr, ua, sess.MustChangePassword, sess.MustEnrollTOTP); err != nil {
			return tx.s.internal("session insert", err)
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "auth.login", ObjectType: "user", ObjectID: u.username,
			Detail: Detail(map[string]any{"totp": u.totpOn, "must_change_password": u.mustChange, "password_expired": sess.PasswordExpired})})
	})
	if err != nil {
		return nil, err
	}
	if err := s.releaseAddr(ctx, addr); err != nil {
		return nil, err
	}
	s.checkAdminAddress(ctx, u.id, u.username, roles, addr, sess.ID)
	return sess, nil
}

type loginUser struct {
	id                           int64
	username, hash               string
	disabled, mustChange, totpOn bool
	deptDisabled                 bool
	failed                       int
	locked                       sql.NullTime
	totpSecret                   string
	totpLast                     int64
	deptCode, deptPath           string
}

func totpAAD(userID int64) []byte {
	return []byte("users/" + itoa(userID) + "/totp")
}

// loginFailure audits a failed attempt whose slot is already counted
// (loginguard.go). The attempt that took the last slot answers ELOCKED: the
// name is locked from now on, whether or not an account has it.
func (s *Store) loginFailure(ctx context.Context, u *loginUser, username, addr, reason string, last bool, l zhudun.LoginLimits) error {
	if last {
		reason += "; account locked"
	}
	if err := s.loginAudit(ctx, u, username, addr, zhudun.ResultFailed, reason); err != nil {
		return err
	}
	if last {
		s.raiseLockout(ctx, u, username, addr, l)
		return lockedError(l.Lock)
	}
	return badLogin()
}

// loginAudit records a sign-in outcome. An unknown name may be a password
// typed into the wrong field: only a fingerprint of it is recorded.
func (s *Store) loginAudit(ctx context.Context, u *loginUser, username, addr, result, reason string) error {
	caller := &zhudun.Caller{Username: "(unknown)", DeptPath: "/", ClientAddr: addr}
	obj := "sm3:" + gmcrypto.SM3Hex([]byte(username))[:16]
	if u != nil {
		caller = &zhudun.Caller{UserID: u.id, Username: u.username, DeptCode: u.deptCode, DeptPath: u.deptPath, ClientAddr: addr}
		obj = u.username
	}
	return s.Record(zhudun.WithCaller(ctx, caller), &zhudun.AuditEntry{Action: "auth.login", ObjectType: "user", ObjectID: obj, Result: result,
		Detail: Detail(map[string]any{"reason": reason})})
}

func (s *Store) userRoleIDs(ctx context.Context, id int64) ([]string, error) {
	rows, err := s.query(ctx, `SELECT role_id FROM user_roles WHERE user_id = ? ORDER BY role_id`, id)
	if err != nil {
		return nil, s.internal("user roles", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, s.internal("user roles scan", err)
		}
		out = append(out, r)
	}
	return out, s.internalIf("user roles rows", rows.Err())
}

// CallerFor builds the caller of user id: department, roles, and the widest
// scope of each permission over the roles.
func (s *Store) CallerFor(ctx context.Context, id int64) (*zhudun.Caller, error) {
	c := &zhudun.Caller{UserID: id, Perms: map[zhudun.Permission]zhudun.Scope{}}
	// One statement for the account and its grants: every request asks,
	// and on SQLite each statement outside a transaction is a read
	// transaction of its own, with the locks of the write-ahead log's
	// index taken and released by system calls.
	rows, err := s.queryFixed(ctx, `SELECT u.username, u.dept_id, d.code, d.path, r.id, r.scope, rp.perm
		FROM users u JOIN depts d ON d.id = u.dept_id
		LEFT JOIN user_roles ur ON ur.user_id = u.id LEFT JOIN roles r ON r.id = ur.role_id
		LEFT JOIN role_perms rp ON rp.role_id = r.id
		WHERE u.id = ? ORDER BY r.id`, id)
	if err != nil {
		return nil, s.internal("caller", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	found := false
	for rows.Next() {
		var role, scope, perm sql.NullString
		if err := rows.Scan(&c.Username, &c.DeptID, &c.DeptCode, &c.DeptPath, &role, &scope, &perm); err != nil {
			return nil, s.internal("caller scan", err)
		}
		found = true
		if !role.Valid {
			continue // no roles: the account grants nothing
		}
		if !seen[role.String] {
			seen[role.String] = true
			c.Roles = append(c.Roles, role.String)
		}
		sc := zhudun.Scope(scope.String)
		if !perm.Valid || !sc.Valid() {
			continue // an unknown scope grants nothing: fail closed
		}
		p := zhudun.Permission(perm.String)
		if cur, ok := c.Perms[p]; !ok || sc.Wider(cur) {
			c.Perms[p] = sc
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.internal("caller rows", err)
	}
	if !found {
		return nil, zhudun.Errorf(zhudun.EUNAUTHORIZED, "not signed in")
	}
	return c, nil
}

// Authenticate resolves a session token. Sessions end after the policy's
// idle minutes, 12 hours in all, at logout, or when the account is disabled.
func (s *Store) Authenticate(ctx context.Context, token, clientAddr string) (*zhudun.Session, *zhudun.Caller, error) {
	sess, err := s.session(ctx, token, true)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.CallerFor(ctx, sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	c.ClientAddr, c.SessionID = clientAddr, sess.ID
	return sess, c, nil
}

// SessionValid checks a token like Authenticate but leaves the idle timer
// alone: a long-lived event stream must not keep an idle session alive.
func (s *Store) SessionValid(ctx context.Context, token string) error {
	_, err := s.session(ctx, token, false)
	return err
}

// StreamCaller re-checks a long-lived stream's session like SessionValid
// and returns the session's caller as the database has it now: a stream
// follows its user's moves and role changes.
func (s *Store) StreamCaller(ctx context.Context, token, clientAddr string) (*zhudun.Session, *zhudun.Caller, error) {
	sess, err := s.session(ctx, token, false)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.CallerFor(ctx, sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	c.ClientAddr, c.SessionID = clientAddr, sess.ID
	return sess, c, nil
}

func (s *Store) session(ctx context.Context, token string, touch bool) (*zhudun.Session, error) {
	if token == "" || len(token) > 100 {
		return nil, zhudun.Errorf(zhudun.EUNAUTHORIZED, "not signed in")
	}
	now := s.clock()
	sess := &zhudun.Session{ID: sessionID(token)}
	var revoked sql.NullTime
	var disabled bool
	// One table in the outer query, the user's flag in a subquery: SQLite
	// (with STAT4) re-plans a join whose parameter meets an indexed column
	// each time the value changes — here every request, 10–75 µs of parsing
	// under load — while a one-table lookup by primary key takes a shortcut
	// planner that never looks at the value.
	err := s.queryRowFixed(ctx, `SELECT s.user_id, s.created_at, s.last_seen_at, s.must_change, s.must_enroll, s.revoked_at,
		(SELECT u.disabled FROM users u WHERE u.id = s.user_id) FROM sessions s WHERE s.id = ?`, sess.ID).
		Scan(&sess.UserID, &sess.CreatedAt, &sess.LastSeenAt, &sess.MustChangePassword, &sess.MustEnrollTOTP, &revoked, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.EUNAUTHORIZED, "not signed in")
	}
	if err != nil {
		return nil, s.internal("session load", err)
	}
	idle := s.policy(ctx).Idle()
	if revoked.Valid || disabled || now.Sub(sess.LastSeenAt) > idle || now.Sub(sess.CreatedAt) > sessionMaxAge {
		return nil, zhudun.Errorf(zhudun.EUNAUTHORIZED, "session ended; sign in again")
	}
	// Touch at most every 30 s: the idle timer needs no finer grain, and a
	// busy page would otherwise write on every request.
	if touch && now.Sub(sess.LastSeenAt) > 30*time.Second {
		if _, err := s.execDB(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, now, sess.ID); err != nil {
			return nil, s.internal("session touch", err)
		}
		sess.LastSeenAt = now
	}
	sess.EndsAt = sess.LastSeenAt.Add(idle)
	if end := sess.CreatedAt.Add(sessionMaxAge); end.Before(sess.EndsAt) {
		sess.EndsAt = end
	}
	return sess, nil
}

// Logout revokes the session of token.
func (s *Store) Logout(ctx context.Context, token string) error {
	id := sessionID(token)
	return s.write(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, tx.now, id)
		if err != nil {
			return tx.s.internal("logout", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return zhudun.Errorf(zhudun.EUNAUTHORIZED, "not signed in")
		}
		var uid int64
		if err := tx.queryRow(ctx, `SELECT user_id FROM sessions WHERE id = ?`, id).Scan(&uid); err != nil {
			return tx.s.internal("logout user", err)
		}
		if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "auth.logout", ObjectType: "session"}); err != nil {
			return err
		}
		return tx.sessionsEnded(ctx, uid)
	})
}

// ChangePassword replaces the signed-in user's password after checking the
// old one; a wrong old password counts as a failed sign-in.
func (s *Store) ChangePassword(ctx context.Context, token, old, nw string) error {
	sess, c, err := s.Authenticate(ctx, token, "")
	if err != nil {
		return err
	}
	if cc := zhudun.CallerFrom(ctx); cc != nil {
		c.ClientAddr = cc.ClientAddr
	}
	ctx = zhudun.WithCaller(ctx, c)
	var u loginUser
	if err := s.queryRow(ctx, `SELECT u.id, u.username, u.password_hash, u.failed_count, d.code, d.path FROM users u JOIN depts d ON d.id = u.dept_id WHERE u.id = ?`, sess.UserID).
		Scan(&u.id, &u.username, &u.hash, &u.failed, &u.deptCode, &u.deptPath); err != nil {
		return s.internal("password load", err)
	}
	// The old password is a secret like the sign-in one: it takes a slot
	// first, so that parallel guesses through an open session are bounded
	// by the same lockout.
	now, lim := s.clock(), s.loginLimits(ctx)
	slot, err := s.claimName(ctx, &u, u.username, now, lim)
	if err != nil {
		return err
	}
	if slot.refused {
		return lockedError(slot.until.Sub(now))
	}
	if !password.Verify(u.hash, old) {
		err := s.loginFailure(ctx, &u, u.username, c.ClientAddr, "wrong old password at password change", slot.last, lim)
		if zhudun.ErrorCode(err) == zhudun.EUNAUTHORIZED {
			return &zhudun.Error{Code: zhudun.EINVALID, Field: "old", Message: "the current password is wrong"}
		}
		return err
	}
	// The old password is proven: the slot it took is given back.
	if _, err := s.execDB(ctx, `UPDATE users SET failed_count = 0, locked_until = NULL WHERE id = ?`, u.id); err != nil {
		return s.internal("password count reset", err)
	}
	if nw == old {
		return zhudun.FieldError("new", "the new password must differ from the current one")
	}
	if err := s.checkNewPassword(ctx, s, u.id, u.username, "new", nw); err != nil {
		return err
	}
	hash, err := password.Hash(nw)
	if err != nil {
		return s.internal("hash", err)
	}
	return s.write(ctx, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.exec(ctx, `UPDATE users SET password_hash = ?, must_change = ?, failed_count = 0, password_changed_at = ?, updated_at = ? WHERE id = ?`,
			hash, false, tx.now, tx.now, u.id); err != nil {
			return tx.s.internal("password update", err)
		}
		if err := tx.recordPassword(ctx, u.id, hash); err != nil {
			return err
		}
		// Other sessions of the user end; this one continues, now unrestricted.
		if _, err := tx.exec(ctx, `UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND id <> ? AND revoked_at IS NULL`, tx.now, u.id, sess.ID); err != nil {
			return tx.s.internal("password revoke", err)
		}
		if _, err := tx.exec(ctx, `UPDATE sessions SET must_change = ? WHERE id = ?`, false, sess.ID); err != nil {
			return tx.s.internal("password session", err)
		}
		if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "auth.password", ObjectType: "user", ObjectID: u.username}); err != nil {
			return err
		}
		return tx.sessionsEnded(ctx, u.id)
	})
}

// sessionsEnded tells the user's open event streams that sessions of the
// user ended, so that they re-check now rather than on their next minute.
// Changes that emit user.updated (disable, roles, reset) need not: that
// event makes the streams re-check too.
func (tx *Tx) sessionsEnded(ctx context.Context, userID int64) error {
	return tx.emit(ctx, zhudun.Event{Type: zhudun.EventSessionEnded, OwnerID: userID})
}

// BeginTOTP starts enrolment for the signed-in user: a new secret is kept
// pending until ConfirmTOTP proves the app has it.
func (s *Store) BeginTOTP(ctx context.Context) (*zhudun.TOTPEnrollment, error) {
	c := zhudun.CallerFrom(ctx)
	if c == nil || c.UserID == 0 {
		return nil, zhudun.Errorf(zhudun.EUNAUTHORIZED, "not signed in")
	}
	secret := totp.NewSecret()
	sealed, err := s.keys.Seal([]byte(secret), totpAAD(c.UserID))
	if err != nil {
		return nil, s.internal("totp seal", err)
	}
	if _, err := s.execDB(ctx, `UPDATE users SET totp_pending = ? WHERE id = ?`, sealed, c.UserID); err != nil {
		return nil, s.internal("totp pending", err)
	}
	return &zhudun.TOTPEnrollment{Secret: secret, URI: totp.URI("zhudun", c.Username, secret)}, nil
}

// ConfirmTOTP enables the pending secret if code matches it.
func (s *Store) ConfirmTOTP(ctx context.Context, code string) error {
	c := zhudun.CallerFrom(ctx)
	if c == nil || c.UserID == 0 {
		return zhudun.Errorf(zhudun.EUNAUTHORIZED, "not signed in")
	}
	var pending string
	if err := s.queryRow(ctx, `SELECT totp_pending FROM users WHERE id = ?`, c.UserID).Scan(&pending); err != nil {
		return s.internal("totp load", err)
	}
	if pending == "" {
		return zhudun.FieldError("code", "start enrolment first")
	}
	secret, err := s.keys.Open(pending, totpAAD(c.UserID))
	if err != nil {
		return s.internal("totp open", err)
	}
	step, ok := totp.Validate(string(secret), code, s.clock(), 0)
	if !ok {
		return zhudun.FieldError("code", "the code does not match; check the app's clock and try the next code")
	}
	return s.write(ctx, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.exec(ctx, `UPDATE users SET totp_secret = ?, totp_pending = '', totp_enabled = ?, totp_last_step = ?, updated_at = ? WHERE id = ?`,
			pending, true, step, tx.now, c.UserID); err != nil {
			return tx.s.internal("totp enable", err)
		}
		if _, err := tx.exec(ctx, `UPDATE sessions SET must_enroll = ? WHERE user_id = ?`, false, c.UserID); err != nil {
			return tx.s.internal("totp sessions", err)
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "auth.totp_enroll", ObjectType: "user", ObjectID: c.Username})
	})
}

// Unlock clears a lockout (user:write) of an account within the caller's
// reach (checkAccountReach).
func (s *Store) Unlock(ctx context.Context, id int64) error {
	return s.write(ctx, func(ctx context.Context, tx *Tx) error {
		u, err := tx.userInScope(ctx, id, zhudun.PermUserWrite)
		if err != nil {
			return err
		}
		if err := tx.checkAccountReach(ctx, u); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE users SET failed_count = 0, locked_until = NULL, updated_at = ? WHERE id = ?`, tx.now, id); err != nil {
			return tx.s.internal("unlock", err)
		}
		return tx.userChanged(ctx, "user.unlock", u, nil)
	})
}
