package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/password"
)

var _ zhudun.PolicyService = (*Store)(nil)

// policyTTL is how long a process trusts its copy of the stored policy: a
// change made through another server takes effect here within it.
const policyTTL = 5 * time.Second

// rootPath is the materialised path of the root department (migration 0001).
const rootPath = "/1/"

// policyCache holds the last stored policy read.
type policyCache struct {
	mu     sync.Mutex
	p      zhudun.Policy
	at     time.Time
	loaded bool
	gen    int // bumped when the stored policy changes: a read begun before is not kept
}

// storedPolicy is the JSON kept in settings under 'policy'.
type storedPolicy struct {
	Policy    zhudun.Policy `json:"policy"`
	UpdatedAt time.Time     `json:"updated_at,omitzero"`
	UpdatedBy string        `json:"updated_by,omitempty"`
}

func (s *Store) readPolicy(ctx context.Context, q querier) (storedPolicy, error) {
	sp := storedPolicy{Policy: zhudun.DefaultPolicy()}
	var v string
	err := q.queryRow(ctx, `SELECT value FROM settings WHERE key = 'policy'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return sp, nil
	}
	if err != nil {
		return sp, s.internal("policy load", err)
	}
	// Unmarshalled over the defaults: a field added in a later version
	// starts at its default.
	if err := json.Unmarshal([]byte(v), &sp); err != nil {
		return storedPolicy{Policy: zhudun.DefaultPolicy()}, s.internal("policy decode", err)
	}
	return sp, nil
}

// policy is the policy in force: stored values (cached for policyTTL) with
// the start-up overrides applied. If the database cannot be read it keeps
// the last values read, or the defaults, which are never weaker than a
// stored policy may be.
func (s *Store) policy(ctx context.Context) zhudun.Policy {
	c := &s.pol
	c.mu.Lock()
	now := time.Now()
	fresh := c.loaded && now.Sub(c.at) <= policyTTL
	p, gen := c.p, c.gen
	c.mu.Unlock()
	if !fresh {
		// Read without the lock: a slow read (a busy pool) must not hold up
		// every request that asks for the policy.
		sp, err := s.readPolicy(ctx, s)
		c.mu.Lock()
		switch {
		case err == nil && gen == c.gen:
			c.p, c.at, c.loaded = sp.Policy, now, true
			p = sp.Policy
		case err == nil:
			p = sp.Policy // read after a change began; used, not cached
		case !c.loaded:
			c.p = zhudun.DefaultPolicy()
			p = c.p
		default:
			p = c.p
		}
		c.mu.Unlock()
	}
	p, _ = s.overrides.Apply(p)
	return p
}

func (s *Store) forgetPolicy() {
	s.pol.mu.Lock()
	s.pol.loaded = false
	s.pol.gen++
	s.pol.mu.Unlock()
}

// cityWide reports whether c holds p over the whole tree: the policy and
// the alerts are the city's, not a sub-bureau's.
func cityWide(c *zhudun.Caller, p zhudun.Permission) bool {
	if c == nil {
		return false
	}
	sc, ok := c.Perms[p]
	return ok && (sc == zhudun.ScopeAll || (sc == zhudun.ScopeSubtree && c.DeptPath == rootPath))
}

// FindPolicy returns the stored and effective policy (role:read over the
// whole tree).
func (s *Store) FindPolicy(ctx context.Context) (*zhudun.PolicyView, error) {
	if !cityWide(zhudun.CallerFrom(ctx), zhudun.PermRoleRead) {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission role:read over the whole organisation required")
	}
	sp, err := s.readPolicy(ctx, s)
	if err != nil {
		return nil, err
	}
	return s.policyView(sp), nil
}

func (s *Store) policyView(sp storedPolicy) *zhudun.PolicyView {
	eff, over := s.overrides.Apply(sp.Policy)
	if over == nil {
		over = []string{}
	}
	if sp.Policy.TOTPRoles == nil {
		sp.Policy.TOTPRoles = []string{}
	}
	if eff.TOTPRoles == nil {
		eff.TOTPRoles = []string{}
	}
	return &zhudun.PolicyView{Stored: sp.Policy, Effective: eff, Overridden: over, UpdatedAt: sp.UpdatedAt, UpdatedBy: sp.UpdatedBy}
}

// UpdatePolicy replaces the stored policy (role:write over the whole tree,
// the security administrator). A field a start-up flag overrides cannot be
// changed here: the change would not take effect. The audit row records
// every field changed, from and to.
func (s *Store) UpdatePolicy(ctx context.Context, p zhudun.Policy) (*zhudun.PolicyView, error) {
	c := zhudun.CallerFrom(ctx)
	if !cityWide(c, zhudun.PermRoleWrite) {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission role:write over the whole organisation required")
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	roles := []string{}
	for _, r := range p.TOTPRoles {
		if r = strings.TrimSpace(r); r != "" && !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	sort.Strings(roles)
	p.TOTPRoles = roles
	var out *zhudun.PolicyView
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		if err := tx.checkRolesExist(ctx, roles); err != nil {
			var ze *zhudun.Error
			if errors.As(err, &ze) {
				ze.Field = "totp_roles"
			}
			return err
		}
		old, err := tx.s.readPolicy(ctx, tx)
		if err != nil {
			return err
		}
		change := policyChanges(old.Policy, p)
		_, over := tx.s.overrides.Apply(p)
		for _, f := range over {
			if _, ok := change[f]; ok {
				return &zhudun.Error{Code: zhudun.ECONFLICT, Field: f, Message: f + " is set by a start-up flag and cannot be changed here"}
			}
		}
		sp := storedPolicy{Policy: p, UpdatedAt: tx.now, UpdatedBy: c.Username}
		out = tx.s.policyView(sp)
		if len(change) == 0 {
			out.UpdatedAt, out.UpdatedBy = old.UpdatedAt, old.UpdatedBy
			return nil
		}
		b, _ := json.Marshal(sp)
		res, err := tx.exec(ctx, `UPDATE settings SET value = ? WHERE key = 'policy'`, string(b))
		if err != nil {
			return tx.s.internal("policy update", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.exec(ctx, `INSERT INTO settings (key, value) VALUES ('policy', ?)`, string(b)); err != nil {
				return tx.s.internal("policy insert", err)
			}
		}
		if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "policy.update", ObjectType: "policy", ObjectID: "policy", Detail: Detail(change)}); err != nil {
			return err
		}
		return tx.emit(ctx, zhudun.Event{Type: "policy.updated", Perm: zhudun.PermRoleRead, DeptPath: rootPath, DeptID: 1, Data: Detail(out)})
	})
	if err != nil {
		return nil, err
	}
	s.forgetPolicy()
	return out, nil
}

// policyChanges lists the fields that differ, by JSON name, from → to.
func policyChanges(a, b zhudun.Policy) map[string]any {
	out := map[string]any{}
	ints := []struct {
		name string
		x, y int
	}{
		{"lockout_threshold", a.LockoutThreshold, b.LockoutThreshold},
		{"lockout_minutes", a.LockoutMinutes, b.LockoutMinutes},
		{"idle_minutes", a.IdleMinutes, b.IdleMinutes},
		{"password_max_age_days", a.PasswordMaxAgeDays, b.PasswordMaxAgeDays},
		{"password_history", a.PasswordHistory, b.PasswordHistory},
		{"dormant_days", a.DormantDays, b.DormantDays},
	}
	for _, f := range ints {
		if f.x != f.y {
			out[f.name] = map[string]int{"from": f.x, "to": f.y}
		}
	}
	x, y := slices.Clone(a.TOTPRoles), slices.Clone(b.TOTPRoles)
	sort.Strings(x)
	sort.Strings(y)
	if !slices.Equal(x, y) {
		out["totp_roles"] = map[string][]string{"from": x, "to": y}
	}
	return out
}

// --- passwords --------------------------------------------------------------

// querier reads either through a transaction (*Tx) or straight from the
// database (*Store).
type querier interface {
	queryRow(ctx context.Context, q string, args ...any) *sql.Row
	query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// checkNewPassword applies the whole password policy to a password about to
// be set for a user: strength, no username inside it, and none of the
// user's last PasswordHistory passwords (the current one included). It is
// called on every path that sets a password: creation, the user's own
// change, an administrator's reset and the CLI's.
func (s *Store) checkNewPassword(ctx context.Context, q querier, userID int64, username, field, pw string) error {
	if err := password.CheckFor(field, username, pw); err != nil {
		return err
	}
	if userID == 0 {
		return nil
	}
	n := s.policy(ctx).PasswordHistory
	var hashes []string
	var cur string
	if err := q.queryRow(ctx, `SELECT password_hash FROM users WHERE id = ?`, userID).Scan(&cur); err != nil {
		return s.internal("password current", err)
	}
	hashes = append(hashes, cur)
	rows, err := q.query(ctx, `SELECT hash FROM password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?`, userID, n)
	if err != nil {
		return s.internal("password history", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return s.internal("password history scan", err)
		}
		if h != cur {
			hashes = append(hashes, h)
		}
	}
	if err := rows.Err(); err != nil {
		return s.internal("password history rows", err)
	}
	// The newest n passwords: the current one and n-1 before it.
	if len(hashes) > n {
		hashes = hashes[:n]
	}
	for _, h := range hashes {
		if password.Verify(h, pw) {
			return zhudun.FieldError(field, "the password must differ from the last %d passwords", n)
		}
	}
	return nil
}

// recordPassword keeps hash in the user's history and forgets what no
// policy setting could still ask about.
func (tx *Tx) recordPassword(ctx context.Context, userID int64, hash string) error {
	if _, err := tx.exec(ctx, `INSERT INTO password_history (user_id, hash, set_at) VALUES (?, ?, ?)`, userID, hash, tx.now); err != nil {
		return tx.s.internal("password history insert", err)
	}
	_, err := tx.exec(ctx, `DELETE FROM password_history WHERE user_id = ? AND id NOT IN
		(SELECT id FROM password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?)`, userID, userID, zhudun.MaxPasswordHistory)
	return tx.s.internalIf("password history prune", err)
}

// passwordExpired reports whether the user's password is older than the
// policy allows; sign-in then forces a change like an initial password.
func (s *Store) passwordExpired(ctx context.Context, userID int64, now time.Time, p zhudun.Policy) (bool, error) {
	var changed time.Time
	if err := s.queryRow(ctx, `SELECT password_changed_at FROM users WHERE id = ?`, userID).Scan(&changed); err != nil {
		return false, s.internal("password age", err)
	}
	return now.Sub(changed) > p.PasswordMaxAge(), nil
}

// --- dormant accounts -------------------------------------------------------

// markEnabled starts a re-enabled account's dormancy period afresh.
func (tx *Tx) markEnabled(ctx context.Context, userID int64) error {
	_, err := tx.exec(ctx, `UPDATE users SET enabled_at = ? WHERE id = ?`, tx.now, userID)
	return tx.s.internalIf("user enabled_at", err)
}

const dormantSelect = `SELECT u.id, u.username, u.name, d.code, u.disabled, u.created_at, u.last_login_at, u.enabled_at
	FROM users u JOIN depts d ON d.id = u.dept_id`

func scanDormant(r scanner, now time.Time) (*zhudun.DormantUser, error) {
	var d zhudun.DormantUser
	var created time.Time
	var last, enabled sql.NullTime
	if err := r.Scan(&d.ID, &d.Username, &d.Name, &d.DeptCode, &d.Disabled, &created, &last, &enabled); err != nil {
		return nil, err
	}
	d.LastLogin = nullTime(last)
	d.LastActive = created.UTC()
	for _, t := range []sql.NullTime{last, enabled} {
		if t.Valid && t.Time.After(d.LastActive) {
			d.LastActive = t.Time.UTC()
		}
	}
	d.Days = int(now.Sub(d.LastActive) / (24 * time.Hour))
	return &d, nil
}

// dormantWhere selects accounts inactive since before cutoff: no sign-in,
// creation or re-enabling after it.
func dormantWhere(w *where, cutoff time.Time) {
	w.add("COALESCE(u.last_login_at, u.created_at) < ?", cutoff)
	w.add("u.created_at < ?", cutoff)
	w.add("(u.enabled_at IS NULL OR u.enabled_at < ?)", cutoff)
}

// FindDormantUsers lists accounts in the caller's user:read scope that
// have been inactive longer than the policy's dormant_days, enabled ones
// (about to be disabled) and those the sweep already disabled.
func (s *Store) FindDormantUsers(ctx context.Context) ([]*zhudun.DormantUser, error) {
	var w where
	if _, err := scoped(ctx, &w, zhudun.PermUserRead, userCols); err != nil {
		return nil, err
	}
	now := s.clock()
	dormantWhere(&w, now.Add(-s.policy(ctx).Dormant()))
	rows, err := s.query(ctx, dormantSelect+w.sql()+` ORDER BY u.username LIMIT 500`, w.args...)
	if err != nil {
		return nil, s.internal("dormant list", err)
	}
	defer rows.Close()
	out := []*zhudun.DormantUser{}
	for rows.Next() {
		d, err := scanDormant(rows, now)
		if err != nil {
			return nil, s.internal("dormant scan", err)
		}
		out = append(out, d)
	}
	return out, s.internalIf("dormant rows", rows.Err())
}

// DisableDormant disables every enabled account inactive longer than the
// policy allows, each in its own transaction with a user.disable_dormant
// audit row; the account's sessions end. Only the system caller (the
// server's sweep, the CLI) runs it. It returns the usernames disabled.
func (s *Store) DisableDormant(ctx context.Context) ([]string, error) {
	c := zhudun.CallerFrom(ctx)
	if c == nil || !c.System {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "the dormant-account sweep runs as the system")
	}
	p := s.policy(ctx)
	now := s.clock()
	cutoff := now.Add(-p.Dormant())
	var w where
	dormantWhere(&w, cutoff)
	w.add("u.disabled = ?", false)
	rows, err := s.query(ctx, dormantSelect+w.sql()+` ORDER BY u.id`, w.args...)
	if err != nil {
		return nil, s.internal("dormant sweep", err)
	}
	var found []*zhudun.DormantUser
	for rows.Next() {
		d, err := scanDormant(rows, now)
		if err != nil {
			rows.Close()
			return nil, s.internal("dormant sweep scan", err)
		}
		found = append(found, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.internal("dormant sweep rows", err)
	}
	var done []string
	for _, d := range found {
		err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
			// Checked again inside the transaction: the user may have
			// signed in, or been enabled, since the list was read.
			var w where
			w.add("u.id = ?", d.ID)
			w.add("u.disabled = ?", false)
			dormantWhere(&w, cutoff)
			var id int64
			err := tx.queryRow(ctx, `SELECT u.id FROM users u`+w.sql(), w.args...).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			if err != nil {
				return tx.s.internal("dormant recheck", err)
			}
			if _, err := tx.exec(ctx, `UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?`, true, tx.now, d.ID); err != nil {
				return tx.s.internal("dormant disable", err)
			}
			if _, err := tx.exec(ctx, `UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, tx.now, d.ID); err != nil {
				return tx.s.internal("dormant revoke", err)
			}
			u, err := tx.userByID(ctx, d.ID)
			if err != nil {
				return err
			}
			done = append(done, u.Username)
			return tx.userChanged(ctx, "user.disable_dormant", u, Detail(map[string]any{
				"last_active": d.LastActive, "days": d.Days, "dormant_days": p.DormantDays}))
		})
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

// loginLimits are the sign-in limits in force: the policy's lockout
// threshold and duration, unless SetLoginLimits (Options.LoginLimits) set
// them explicitly, with the address limits of LoginLimits.
func (s *Store) loginLimits(ctx context.Context) zhudun.LoginLimits {
	l := s.LoginLimits()
	var set zhudun.LoginLimits
	if p := s.limitsSet.Load(); p != nil {
		set = *p
	}
	p := s.policy(ctx)
	if set.MaxFailures <= 0 {
		l.MaxFailures = p.LockoutThreshold
	}
	if set.Lock <= 0 {
		l.Lock = p.Lockout()
	}
	return l
}

// raiseLockout raises security.lockout for the attempt that locked a name.
// A name without an account is named by its fingerprint, as in the audit
// row: it may be a password typed into the wrong field.
func (s *Store) raiseLockout(ctx context.Context, u *loginUser, username, addr string, l zhudun.LoginLimits) {
	ev := zhudun.SecurityEvent{Event: zhudun.SecLockout, ClientAddr: addr,
		Detail: map[string]any{"failures": l.MaxFailures, "minutes": int(l.Lock / time.Minute)}}
	if u != nil {
		ev.Subject, ev.Username = u.username, u.username
	} else {
		ev.Subject = "sm3:" + gmcrypto.SM3Hex([]byte(username))[:16]
		ev.Detail["account"] = false
	}
	s.raise(ctx, ev)
}
