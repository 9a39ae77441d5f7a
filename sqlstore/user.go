package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/password"
	"github.com/zhudun/zhudun/pii"
)

var _ zhudun.UserService = (*Store)(nil)

// userCols: a user's own record is what "self" scope means for users.
var userCols = scopeCols{Path: "d.path", DeptID: "u.dept_id", Owner: "u.id"}

const userSelect = `SELECT u.id, u.username, u.name, u.dept_id, d.code, d.name, d.path, u.disabled, u.must_change, u.totp_enabled,
	u.locked_until, u.phone_mask, u.idno_mask, u.created_by, u.created_at, u.updated_at, u.last_login_at
	FROM users u JOIN depts d ON d.id = u.dept_id`

func scanUser(r scanner) (*zhudun.User, error) {
	var u zhudun.User
	var locked, last sql.NullTime
	var createdBy sql.NullInt64
	if err := r.Scan(&u.ID, &u.Username, &u.Name, &u.DeptID, &u.DeptCode, &u.DeptName, &u.DeptPath, &u.Disabled, &u.MustChangePassword,
		&u.TOTPEnabled, &locked, &u.Phone, &u.IDNumber, &createdBy, &u.CreatedAt, &u.UpdatedAt, &last); err != nil {
		return nil, err
	}
	u.LockedUntil, u.LastLoginAt, u.CreatedBy = nullTime(locked), nullTime(last), createdBy.Int64
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return &u, nil
}

// loadRoles fills the roles of the given users in one query.
func (s *Store) loadRoles(ctx context.Context, q querier, users []*zhudun.User) error {
	if len(users) == 0 {
		return nil
	}
	byID := make(map[int64]*zhudun.User, len(users))
	ph := make([]string, 0, len(users))
	args := make([]any, 0, len(users))
	for _, u := range users {
		byID[u.ID] = u
		u.Roles = []string{}
		ph = append(ph, "?")
		args = append(args, u.ID)
	}
	rows, err := q.query(ctx, `SELECT user_id, role_id FROM user_roles WHERE user_id IN (`+strings.Join(ph, ",")+`) ORDER BY role_id`, args...)
	if err != nil {
		return s.internal("user roles", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var role string
		if err := rows.Scan(&id, &role); err != nil {
			return s.internal("user roles scan", err)
		}
		byID[id].Roles = append(byID[id].Roles, role)
	}
	return s.internalIf("user roles rows", rows.Err())
}

// personal normalises, seals and indexes one personal field. It returns the
// sealed text, the blind index and the mask; empty input clears the field.
func (s *Store) personal(kind, field, value string, userID int64) (enc, idx, mask string, err error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return "", "", "", nil
	}
	var canon string
	switch kind {
	case "phone":
		canon, err = pii.NormalizePhone(value)
		mask = pii.MaskPhone(canon)
	case "idno":
		canon, err = pii.NormalizeIDNumber(value)
		mask = pii.MaskIDNumber(canon)
	}
	if err != nil {
		var ze *zhudun.Error
		if errors.As(err, &ze) {
			ze.Field = field
			return "", "", "", ze
		}
		return "", "", "", zhudun.FieldError(field, "%v", err)
	}
	enc, err = s.keys.Seal([]byte(canon), piiAAD(kind, userID))
	if err != nil {
		return "", "", "", s.internal("seal", err)
	}
	return enc, s.keys.Index(kind, canon), mask, nil
}

// piiAAD binds a sealed value to its row and kind, so that a ciphertext
// copied into another user's row does not open.
func piiAAD(kind string, userID int64) []byte {
	return []byte("users/" + strconv.FormatInt(userID, 10) + "/" + kind)
}

// CreateUser adds an account in a department of the caller's user:write
// scope. Only the installer (system caller) assigns roles at creation; the
// API's path is sysadmin creates, secadmin grants (三员分立).
func (s *Store) CreateUser(ctx context.Context, nu zhudun.NewUser) (*zhudun.User, error) {
	nu.Username = strings.TrimSpace(nu.Username)
	nu.Name = strings.TrimSpace(nu.Name)
	if !zhudun.ValidUsername(nu.Username) {
		return nil, zhudun.FieldError("username", "username must be 2–32 of a–z, 0–9, '.', '_' and '-', starting with a letter")
	}
	if nu.Name == "" {
		nu.Name = nu.Username
	}
	if len([]rune(nu.Name)) > 64 {
		return nil, zhudun.FieldError("name", "name must be at most 64 characters")
	}
	if err := password.CheckFor("password", nu.Username, nu.Password); err != nil {
		return nil, err
	}
	if nu.DeptCode == "" {
		nu.DeptCode = zhudun.RootDeptCode
	}
	c := zhudun.CallerFrom(ctx)
	if c == nil {
		return nil, zhudun.Errorf(zhudun.EUNAUTHORIZED, "not signed in")
	}
	if len(nu.Roles) > 0 && !c.System {
		return nil, zhudun.FieldError("roles", "roles are granted by the security administrator, not at account creation")
	}
	if err := validRoleSet(nu.Roles); err != nil {
		return nil, err
	}
	if nu.Own && !c.System {
		nu.Own = false // only the installer sets a password that is the user's own
	}
	hash, err := password.Hash(nu.Password)
	if err != nil {
		return nil, s.internal("hash", err)
	}
	var out *zhudun.User
	err = s.write(ctx, func(ctx context.Context, tx *Tx) error {
		d, err := tx.deptInScope(ctx, nu.DeptCode, zhudun.PermUserWrite)
		if err != nil {
			if zhudun.ErrorCode(err) == zhudun.ENOTFOUND {
				return zhudun.FieldError("dept", "department %s not found", nu.DeptCode)
			}
			return err
		}
		if d.Disabled {
			return zhudun.FieldError("dept", "department %s is disabled", d.Code)
		}
		var id int64
		err = tx.queryRow(ctx, `INSERT INTO users (username, name, dept_id, password_hash, must_change, disabled, created_by, created_at, updated_at, password_changed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			nu.Username, nu.Name, d.ID, hash, !nu.Own, false, nullID(c.UserID), tx.now, tx.now, tx.now).Scan(&id)
		if err != nil {
			if tx.s.dialect.IsUniqueViolation(err) {
				return &zhudun.Error{Code: zhudun.ECONFLICT, Field: "username", Message: "username " + nu.Username + " is taken"}
			}
			return tx.s.internal("user insert", err)
		}
		if err := tx.setPersonal(ctx, id, nu.Phone, nu.IDNumber, true, true); err != nil {
			return err
		}
		if err := tx.recordPassword(ctx, id, hash); err != nil {
			return err
		}
		if err := tx.checkRolesExist(ctx, nu.Roles); err != nil {
			return err
		}
		for _, r := range nu.Roles {
			if _, err := tx.exec(ctx, `INSERT INTO user_roles (user_id, role_id) VALUES (?, ?)`, id, r); err != nil {
				return tx.s.internal("user role insert", err)
			}
		}
		u, err := tx.userByID(ctx, id)
		if err != nil {
			return err
		}
		out = u
		return tx.userChanged(ctx, "user.create", u, Detail(map[string]any{"username": u.Username, "dept": u.DeptCode, "roles": u.Roles}))
	})
	return out, err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (tx *Tx) setPersonal(ctx context.Context, id int64, phone, idno string, setPhone, setIDNo bool) error {
	if setPhone {
		enc, idx, mask, err := tx.s.personal("phone", "phone", phone, id)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE users SET phone_enc = ?, phone_idx = ?, phone_mask = ? WHERE id = ?`, enc, idx, mask, id); err != nil {
			return tx.s.internal("user phone", err)
		}
	}
	if setIDNo {
		enc, idx, mask, err := tx.s.personal("idno", "id_number", idno, id)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE users SET idno_enc = ?, idno_idx = ?, idno_mask = ? WHERE id = ?`, enc, idx, mask, id); err != nil {
			return tx.s.internal("user idno", err)
		}
	}
	return nil
}

// samePersonal reports which of the given personal fields equal what the
// user has, compared by their keyed index (the clear text is not opened).
// A value that does not normalise is not "same": setPersonal names it.
func (tx *Tx) samePersonal(ctx context.Context, id int64, phone, idno *string) (same struct{ phone, idno bool }, err error) {
	var phoneIdx, idnoIdx string
	if err := tx.queryRow(ctx, `SELECT phone_idx, idno_idx FROM users WHERE id = ?`, id).Scan(&phoneIdx, &idnoIdx); err != nil {
		return same, tx.s.internal("user personal load", err)
	}
	if phone != nil {
		if strings.TrimSpace(*phone) == "" {
			same.phone = phoneIdx == ""
		} else if canon, err := pii.NormalizePhone(*phone); err == nil {
			same.phone = phoneIdx != "" && tx.s.keys.Index("phone", canon) == phoneIdx
		}
	}
	if idno != nil {
		if strings.TrimSpace(*idno) == "" {
			same.idno = idnoIdx == ""
		} else if canon, err := pii.NormalizeIDNumber(*idno); err == nil {
			same.idno = idnoIdx != "" && tx.s.keys.Index("idno", canon) == idnoIdx
		}
	}
	return same, nil
}

func (tx *Tx) userByID(ctx context.Context, id int64) (*zhudun.User, error) {
	u, err := scanUser(tx.queryRow(ctx, userSelect+` WHERE u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "user not found")
	}
	if err != nil {
		return nil, tx.s.internal("user load", err)
	}
	return u, tx.s.loadRoles(ctx, tx, []*zhudun.User{u})
}

// userInScope loads a user visible under perm, or ENOTFOUND.
func (tx *Tx) userInScope(ctx context.Context, id int64, perm zhudun.Permission) (*zhudun.User, error) {
	var w where
	if _, err := scoped(ctx, &w, perm, userCols); err != nil {
		return nil, err
	}
	w.add("u.id = ?", id)
	u, err := scanUser(tx.queryRow(ctx, userSelect+w.sql(), w.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "user not found")
	}
	if err != nil {
		return nil, tx.s.internal("user load", err)
	}
	return u, tx.s.loadRoles(ctx, tx, []*zhudun.User{u})
}

func (tx *Tx) userChanged(ctx context.Context, action string, u *zhudun.User, detail []byte) error {
	if err := tx.audit(ctx, &zhudun.AuditEntry{Action: action, ObjectType: "user", ObjectID: u.Username, Detail: detail}); err != nil {
		return err
	}
	typ := "user.updated"
	if action == "user.create" {
		typ = "user.created"
	}
	return tx.emit(ctx, zhudun.Event{Type: typ, Perm: zhudun.PermUserRead, DeptPath: u.DeptPath, DeptID: u.DeptID, OwnerID: u.ID, Data: Detail(u)})
}

// FindUsers lists users inside the caller's user:read scope.
func (s *Store) FindUsers(ctx context.Context, f zhudun.UserFilter) ([]*zhudun.User, int, error) {
	var w where
	if _, err := scoped(ctx, &w, zhudun.PermUserRead, userCols); err != nil {
		return nil, 0, err
	}
	if f.ID != 0 {
		w.add("u.id = ?", f.ID)
	}
	if f.Username != "" {
		w.add("u.username = ?", f.Username)
	}
	if f.DeptCode != "" {
		w.add("d.code = ?", f.DeptCode)
	}
	if f.Under != "" {
		w.add("d.path LIKE (SELECT x.path FROM depts x WHERE x.code = ?) || '%'", f.Under)
	}
	if f.Role != "" {
		w.add("EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = u.id AND ur.role_id = ?)", f.Role)
	}
	if f.Q != "" {
		w.add("(LOWER(u.username) LIKE ? ESCAPE '\\' OR LOWER(u.name) LIKE ? ESCAPE '\\')", likeArg(f.Q), likeArg(f.Q))
	}
	// A search by personal data needs its own permission, whose scope
	// bounds the results too, and a reason; it is counted and audited.
	search, err := s.beginPIISearch(ctx, "user", f.PIIFilters(), f.Reason)
	if err != nil {
		return nil, 0, err
	}
	if search != nil {
		if _, err := scoped(ctx, &w, search.perm, userCols); err != nil {
			return nil, 0, err
		}
	}
	if f.Phone != "" {
		canon, err := pii.NormalizePhone(f.Phone)
		if err != nil {
			return nil, 0, zhudun.FieldError("phone", "%s", zhudun.ErrorMessage(err))
		}
		w.add("u.phone_idx = ?", s.keys.Index("phone", canon))
	}
	if f.IDNumber != "" {
		canon, err := pii.NormalizeIDNumber(f.IDNumber)
		if err != nil {
			return nil, 0, zhudun.FieldError("id_number", "%s", zhudun.ErrorMessage(err))
		}
		w.add("u.idno_idx = ?", s.keys.Index("idno", canon))
	}
	if f.Disabled != nil {
		w.add("u.disabled = ?", *f.Disabled)
	}
	var total int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM users u JOIN depts d ON d.id = u.dept_id`+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, s.internal("user count", err)
	}
	off, lim := page(f.Offset, f.Limit)
	rows, err := s.query(ctx, userSelect+w.sql()+` ORDER BY d.path, u.username LIMIT ? OFFSET ?`, append(w.args, lim, off)...)
	if err != nil {
		return nil, 0, s.internal("user list", err)
	}
	var out []*zhudun.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, 0, s.internal("user scan", err)
		}
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, s.internal("user rows", err)
	}
	if err := s.loadRoles(ctx, s, out); err != nil {
		return nil, 0, err
	}
	if err := search.done(ctx, s, total); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// FindUserByID returns one user inside the caller's user:read scope.
func (s *Store) FindUserByID(ctx context.Context, id int64) (*zhudun.User, error) {
	us, _, err := s.FindUsers(ctx, zhudun.UserFilter{ID: id, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(us) == 0 {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "user not found")
	}
	return us[0], nil
}

// UpdateUser changes a user in the caller's user:write scope; a move must
// land inside the scope too. Nobody disables their own account.
func (s *Store) UpdateUser(ctx context.Context, id int64, up zhudun.UserUpdate) (*zhudun.User, error) {
	var out *zhudun.User
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		u, err := tx.userInScope(ctx, id, zhudun.PermUserWrite)
		if err != nil {
			return err
		}
		c := zhudun.CallerFrom(ctx)
		// Every edit of an account — its name and personal fields as much
		// as a move or a disable — needs the account within the caller's
		// reach: whoever may change a city-wide role holder's phone could
		// take over its account recovery, or pass as it.
		if err := tx.checkAccountReach(ctx, u); err != nil {
			return err
		}
		change := map[string]any{}
		if up.Name != nil {
			n := strings.TrimSpace(*up.Name)
			if n == "" || len([]rune(n)) > 64 {
				return zhudun.FieldError("name", "name must be 1–64 characters")
			}
			if n != u.Name {
				change["name"] = map[string]string{"from": u.Name, "to": n}
				u.Name = n
			}
		}
		if up.DeptCode != nil && *up.DeptCode != u.DeptCode {
			d, err := tx.deptInScope(ctx, *up.DeptCode, zhudun.PermUserWrite)
			if err != nil {
				if zhudun.ErrorCode(err) == zhudun.ENOTFOUND {
					return zhudun.FieldError("dept", "department %s not found", *up.DeptCode)
				}
				return err
			}
			if d.Disabled {
				return zhudun.FieldError("dept", "department %s is disabled", d.Code)
			}
			// A move must not carry roles whose reach would escape the mover's scope.
			if err := tx.checkGrantReach(ctx, u.Roles, d.Path, d.ID); err != nil {
				return err
			}
			change["dept"] = map[string]string{"from": u.DeptCode, "to": d.Code}
			u.DeptID = d.ID
		}
		if up.Disabled != nil && *up.Disabled != u.Disabled {
			if c.UserID == u.ID && *up.Disabled {
				return zhudun.Errorf(zhudun.EFORBIDDEN, "you cannot disable your own account")
			}
			change["disabled"] = *up.Disabled
			u.Disabled = *up.Disabled
			// When it was disabled starts the retention of its personal data.
			var at *time.Time
			if u.Disabled {
				at = &tx.now
			} else if err := tx.markEnabled(ctx, u.ID); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE users SET disabled_at = ? WHERE id = ?`, at, u.ID); err != nil {
				return tx.s.internal("user disabled_at", err)
			}
		}
		if up.Phone != nil || up.IDNumber != nil {
			same, err := tx.samePersonal(ctx, u.ID, up.Phone, up.IDNumber)
			if err != nil {
				return err
			}
			if same.phone {
				up.Phone = nil
			}
			if same.idno {
				up.IDNumber = nil
			}
		}
		// Nothing changes: no write, no audit row, no event — an empty
		// "user.update {}" row would record a change that did not happen.
		if len(change) == 0 && up.Phone == nil && up.IDNumber == nil {
			out = u
			return nil
		}
		if _, err := tx.exec(ctx, `UPDATE users SET name = ?, dept_id = ?, disabled = ?, updated_at = ? WHERE id = ?`, u.Name, u.DeptID, u.Disabled, tx.now, u.ID); err != nil {
			return tx.s.internal("user update", err)
		}
		if u.Disabled {
			if _, err := tx.exec(ctx, `UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, tx.now, u.ID); err != nil {
				return tx.s.internal("user revoke", err)
			}
		}
		if up.Phone != nil || up.IDNumber != nil {
			var ph, idn string
			if up.Phone != nil {
				ph = *up.Phone
				change["phone"] = "changed"
			}
			if up.IDNumber != nil {
				idn = *up.IDNumber
				change["id_number"] = "changed"
			}
			if err := tx.setPersonal(ctx, u.ID, ph, idn, up.Phone != nil, up.IDNumber != nil); err != nil {
				return err
			}
		}
		nu, err := tx.userByID(ctx, u.ID)
		if err != nil {
			return err
		}
		out = nu
		return tx.userChanged(ctx, "user.update", nu, Detail(change))
	})
	return out, err
}

// ResetPassword sets an administrator-chosen password, which the user must
// change at next login; it clears a lockout and ends the user's sessions.
// Through the API nobody resets their own password, an administrator's
// (only the installer's CLI does: zhudun user passwd), or one of an account
// whose roles reach beyond the caller's.
func (s *Store) ResetPassword(ctx context.Context, id int64, pw string) error {
	if err := password.Check("password", pw); err != nil {
		return err
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return s.internal("hash", err)
	}
	c := zhudun.CallerFrom(ctx)
	return s.write(ctx, func(ctx context.Context, tx *Tx) error {
		u, err := tx.userInScope(ctx, id, zhudun.PermUserWrite)
		if err != nil {
			return err
		}
		if !c.System {
			if c.UserID == u.ID {
				return zhudun.Errorf(zhudun.EFORBIDDEN, "change your own password with your current one (修改密码), not through administration")
			}
			// 三员分立: an administrator who could reset another
			// administrator's password could become it. That is done only on
			// the server, by whoever may run the installer's CLI.
			for _, r := range u.Roles {
				if zhudun.IsAdminRole(r) {
					return zhudun.Errorf(zhudun.EFORBIDDEN, "an administrator's password is reset only on the server: zhudun user passwd --username %s", u.Username)
				}
			}
			if err := tx.checkAccountReach(ctx, u); err != nil {
				return err
			}
		}
		if err := tx.s.checkNewPassword(ctx, tx, u.ID, u.Username, "password", pw); err != nil {
			return err
		}
		if err := tx.recordPassword(ctx, u.ID, hash); err != nil {
			return err
		}
		own := c.System
		if _, err := tx.exec(ctx, `UPDATE users SET password_hash = ?, must_change = ?, failed_count = 0, locked_until = NULL, password_changed_at = ?, updated_at = ? WHERE id = ?`,
			hash, !own, tx.now, tx.now, u.ID); err != nil {
			return tx.s.internal("user password", err)
		}
		if _, err := tx.exec(ctx, `UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, tx.now, u.ID); err != nil {
			return tx.s.internal("user revoke", err)
		}
		return tx.userChanged(ctx, "user.password_reset", u, Detail(map[string]any{"must_change": !own}))
	})
}

// checkAccountReach refuses to reset, unlock, disable or enable an account
// whose roles reach beyond the caller's own — the rule that already held for
// moving it. A sub-bureau administrator who could reset the password of a
// holder of a city-wide role could sign in as it.
func (tx *Tx) checkAccountReach(ctx context.Context, u *zhudun.User) error {
	if err := tx.checkGrantReach(ctx, u.Roles, u.DeptPath, u.DeptID); err != nil {
		return zhudun.Errorf(zhudun.EFORBIDDEN, "%s holds a role that reaches beyond your own scope; ask an administrator above you", u.Username)
	}
	return nil
}

// validRoleSet enforces 三员分立 on a set of role ids: an administrator
// role stands alone.
func validRoleSet(roles []string) error {
	seen := map[string]bool{}
	admin := false
	for _, r := range roles {
		if !zhudun.ValidRoleID(r) {
			return zhudun.FieldError("roles", "invalid role id %q", r)
		}
		if seen[r] {
			return zhudun.FieldError("roles", "role %s listed twice", r)
		}
		seen[r] = true
		admin = admin || zhudun.IsAdminRole(r)
	}
	if admin && len(roles) > 1 {
		return zhudun.FieldError("roles", "an administrator role (sysadmin, secadmin, auditadmin) cannot be combined with any other role (三员分立)")
	}
	return nil
}

func (tx *Tx) checkRolesExist(ctx context.Context, roles []string) error {
	for _, r := range roles {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM roles WHERE id = ?`, r).Scan(&n); err != nil {
			return tx.s.internal("role check", err)
		}
		if n == 0 {
			return zhudun.FieldError("roles", "role %s does not exist", r)
		}
	}
	return nil
}

// checkGrantReach refuses roles whose scope, given to a user in the
// department (path, id), would reach beyond the caller's role:grant scope —
// or, for a system caller, accepts everything.
func (tx *Tx) checkGrantReach(ctx context.Context, roles []string, path string, deptID int64) error {
	c := zhudun.CallerFrom(ctx)
	if c.System || len(roles) == 0 {
		return nil
	}
	perm := zhudun.PermRoleGrant
	if !c.Has(perm) {
		perm = zhudun.PermUserWrite // a sysadmin moving a user: its own reach bounds the move
	}
	f, err := c.Filter(perm)
	if err != nil {
		return err
	}
	for _, r := range roles {
		var scope string
		if err := tx.queryRow(ctx, `SELECT scope FROM roles WHERE id = ?`, r).Scan(&scope); err != nil {
			return tx.s.internal("role scope", err)
		}
		if !f.Reaches(zhudun.Scope(scope), path, deptID) {
			return zhudun.Errorf(zhudun.EFORBIDDEN, "role %s (scope %s) would reach beyond your own scope", r, scope)
		}
	}
	return nil
}

// SetUserRoles replaces a user's roles (role:grant, the security admin).
func (s *Store) SetUserRoles(ctx context.Context, id int64, roles []string) (*zhudun.User, error) {
	roles = append([]string(nil), roles...)
	sort.Strings(roles)
	if err := validRoleSet(roles); err != nil {
		return nil, err
	}
	var out *zhudun.User
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		u, err := tx.userInScope(ctx, id, zhudun.PermRoleGrant)
		if err != nil {
			return err
		}
		c := zhudun.CallerFrom(ctx)
		if !c.System && c.UserID == u.ID {
			return zhudun.Errorf(zhudun.EFORBIDDEN, "you cannot change your own roles")
		}
		if err := tx.checkRolesExist(ctx, roles); err != nil {
			return err
		}
		// Both the roles given and the roles taken away must be within reach:
		// a sub-bureau admin cannot strip a city-wide role it could not grant.
		if err := tx.checkGrantReach(ctx, append(append([]string(nil), roles...), u.Roles...), u.DeptPath, u.DeptID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM user_roles WHERE user_id = ?`, u.ID); err != nil {
			return tx.s.internal("user roles delete", err)
		}
		for _, r := range roles {
			if _, err := tx.exec(ctx, `INSERT INTO user_roles (user_id, role_id) VALUES (?, ?)`, u.ID, r); err != nil {
				return tx.s.internal("user roles insert", err)
			}
		}
		// New rights take effect at the next sign-in; end current sessions
		// so that a revoked role stops working now.
		if _, err := tx.exec(ctx, `UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, tx.now, u.ID); err != nil {
			return tx.s.internal("user revoke", err)
		}
		from := u.Roles
		nu, err := tx.userByID(ctx, u.ID)
		if err != nil {
			return err
		}
		out = nu
		return tx.userChanged(ctx, "user.roles", nu, Detail(map[string]any{"from": from, "to": nu.Roles}))
	})
	return out, err
}

// RevealUserPII returns a user's clear-text personal fields to a holder of
// pii:view whose scope covers the user, and audits the view with its reason.
func (s *Store) RevealUserPII(ctx context.Context, id int64, reason string) (*zhudun.UserPII, error) {
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) < 4 || len([]rune(reason)) > 200 {
		return nil, zhudun.FieldError("reason", "state the reason for the query (查询事由), 4–200 characters")
	}
	var out zhudun.UserPII
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		var w where
		if _, err := scoped(ctx, &w, zhudun.PermPIIView, userCols); err != nil {
			return err
		}
		w.add("u.id = ?", id)
		var username, phoneEnc, idnoEnc string
		err := tx.queryRow(ctx, `SELECT u.username, u.phone_enc, u.idno_enc FROM users u JOIN depts d ON d.id = u.dept_id`+w.sql(), w.args...).Scan(&username, &phoneEnc, &idnoEnc)
		if errors.Is(err, sql.ErrNoRows) {
			return zhudun.Errorf(zhudun.ENOTFOUND, "user not found")
		}
		if err != nil {
			return tx.s.internal("pii load", err)
		}
		if phoneEnc != "" {
			b, err := tx.s.keys.Open(phoneEnc, piiAAD("phone", id))
			if err != nil {
				return tx.s.internal("pii open", err)
			}
			out.Phone = string(b)
		}
		if idnoEnc != "" {
			b, err := tx.s.keys.Open(idnoEnc, piiAAD("idno", id))
			if err != nil {
				return tx.s.internal("pii open", err)
			}
			out.IDNumber = string(b)
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "pii.view", ObjectType: "user", ObjectID: username,
			Detail: Detail(map[string]any{"reason": reason, "fields": []string{"phone", "id_number"}})})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
