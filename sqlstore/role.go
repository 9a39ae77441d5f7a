package sqlstore

import (
	"context"
	"sort"
	"strings"

	"github.com/zhudun/zhudun"
)

var _ zhudun.RoleService = (*Store)(nil)

// FindRoles lists every role with its permissions (role:read). Roles are
// definitions, not records of a department, so they have no data scope.
func (s *Store) FindRoles(ctx context.Context) ([]*zhudun.Role, error) {
	if _, err := zhudun.ScopeFor(ctx, zhudun.PermRoleRead); err != nil {
		return nil, err
	}
	rs, err := s.roles(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*zhudun.Role, len(rs))
	for i, r := range rs {
		out[i] = &r.Role
	}
	return out, nil
}

// ownedRole is a role with where its owning department sits in the tree.
type ownedRole struct {
	zhudun.Role
	ownerPath string
	ownerID   int64
}

func (s *Store) roles(ctx context.Context) ([]*ownedRole, error) {
	rows, err := s.query(ctx, `SELECT r.id, r.name, r.scope, r.builtin, r.admin, d.code, d.path, d.id FROM roles r
		JOIN depts d ON d.id = r.owner_dept_id ORDER BY r.builtin DESC, r.id`)
	if err != nil {
		return nil, s.internal("roles", err)
	}
	defer rows.Close()
	var out []*ownedRole
	byID := map[string]*zhudun.Role{}
	for rows.Next() {
		var r ownedRole
		var scope string
		if err := rows.Scan(&r.ID, &r.Name, &scope, &r.Builtin, &r.Admin, &r.OwnerDept, &r.ownerPath, &r.ownerID); err != nil {
			return nil, s.internal("roles scan", err)
		}
		r.Scope, r.Perms = zhudun.Scope(scope), []zhudun.Permission{}
		out = append(out, &r)
		byID[r.ID] = &r.Role
	}
	if err := rows.Err(); err != nil {
		return nil, s.internal("roles rows", err)
	}
	prow, err := s.query(ctx, `SELECT role_id, perm FROM role_perms ORDER BY role_id, perm`)
	if err != nil {
		return nil, s.internal("role perms", err)
	}
	defer prow.Close()
	for prow.Next() {
		var id, p string
		if err := prow.Scan(&id, &p); err != nil {
			return nil, s.internal("role perms scan", err)
		}
		if r := byID[id]; r != nil {
			r.Perms = append(r.Perms, zhudun.Permission(p))
		}
	}
	return out, s.internalIf("role perms rows", prow.Err())
}

func validateRole(r *zhudun.Role, grantScope zhudun.ScopeFilter) error {
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" || len([]rune(r.Name)) > 64 {
		return zhudun.FieldError("name", "role name must be 1–64 characters")
	}
	if !r.Scope.Valid() {
		return zhudun.FieldError("scope", "scope must be all, subtree, dept or self")
	}
	if grantScope.Kind != zhudun.ScopeAll && r.Scope.Wider(grantScope.Kind) {
		return &zhudun.Error{Code: zhudun.EFORBIDDEN, Field: "scope", Message: "a role cannot reach further than your own scope (" + string(grantScope.Kind) + ")"}
	}
	seen := map[zhudun.Permission]bool{}
	for _, p := range r.Perms {
		if !zhudun.ValidPermission(p) {
			return zhudun.FieldError("perms", "unknown permission %q", p)
		}
		if zhudun.IsAdminPermission(p) {
			return zhudun.FieldError("perms", "permission %s belongs to the administrator roles only (三员分立)", p)
		}
		seen[p] = true
	}
	r.Perms = r.Perms[:0]
	for p := range seen {
		r.Perms = append(r.Perms, p)
	}
	sort.Slice(r.Perms, func(i, j int) bool { return r.Perms[i] < r.Perms[j] })
	return nil
}

// CreateRole defines a business role (role:write).
func (s *Store) CreateRole(ctx context.Context, r *zhudun.Role) error {
	f, err := zhudun.ScopeFor(ctx, zhudun.PermRoleWrite)
	if err != nil {
		return err
	}
	if !zhudun.ValidRoleID(r.ID) {
		return zhudun.FieldError("id", "role id must be 2–32 of a–z, 0–9 and _, starting with a letter")
	}
	if err := validateRole(r, f); err != nil {
		return err
	}
	r.Builtin, r.Admin = false, false
	c := zhudun.CallerFrom(ctx)
	owner := c.DeptID
	if c.System || owner == 0 {
		owner = zhudun.RootDeptID
	}
	return s.write(ctx, func(ctx context.Context, tx *Tx) error {
		if err := tx.queryRow(ctx, `SELECT code FROM depts WHERE id = ?`, owner).Scan(&r.OwnerDept); err != nil {
			return tx.s.internal("role owner", err)
		}
		if _, err := tx.exec(ctx, `INSERT INTO roles (id, name, scope, builtin, admin, owner_dept_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.Name, string(r.Scope), false, false, owner, tx.now, tx.now); err != nil {
			if tx.s.dialect.IsUniqueViolation(err) {
				return &zhudun.Error{Code: zhudun.ECONFLICT, Field: "id", Message: "role " + r.ID + " exists"}
			}
			return tx.s.internal("role insert", err)
		}
		if err := tx.setPerms(ctx, r.ID, r.Perms); err != nil {
			return err
		}
		return tx.roleChanged(ctx, "role.create", r, Detail(r))
	})
}

func (tx *Tx) setPerms(ctx context.Context, id string, perms []zhudun.Permission) error {
	if _, err := tx.exec(ctx, `DELETE FROM role_perms WHERE role_id = ?`, id); err != nil {
		return tx.s.internal("role perms delete", err)
	}
	for _, p := range perms {
		if _, err := tx.exec(ctx, `INSERT INTO role_perms (role_id, perm) VALUES (?, ?)`, id, string(p)); err != nil {
			return tx.s.internal("role perms insert", err)
		}
	}
	return nil
}

func (tx *Tx) roleChanged(ctx context.Context, action string, r *zhudun.Role, detail []byte) error {
	if err := tx.audit(ctx, &zhudun.AuditEntry{Action: action, ObjectType: "role", ObjectID: r.ID, Detail: detail}); err != nil {
		return err
	}
	typ := "role.updated"
	if action == "role.create" {
		typ = "role.created"
	}
	return tx.emit(ctx, zhudun.Event{Type: typ, Perm: zhudun.PermRoleRead, DeptPath: "/", Data: Detail(r)})
}

// UpdateRole adjusts a business role's name, scope or permissions
// (role:write). The administrator roles are fixed.
func (s *Store) UpdateRole(ctx context.Context, id string, u zhudun.RoleUpdate) (*zhudun.Role, error) {
	f, err := zhudun.ScopeFor(ctx, zhudun.PermRoleWrite)
	if err != nil {
		return nil, err
	}
	var out *zhudun.Role
	err = s.write(ctx, func(ctx context.Context, tx *Tx) error {
		all, err := tx.s.roles(ctx)
		if err != nil {
			return err
		}
		var r *zhudun.Role
		for _, x := range all {
			if x.ID == id {
				r = &x.Role
				// Only administrators at or above the owning department
				// edit a role: a sub-bureau cannot rewrite what the city
				// defined, holders or not.
				if !f.Covers(x.ownerPath, x.ownerID, 0) {
					return zhudun.Errorf(zhudun.EFORBIDDEN, "role %s belongs to %s; only its administrators or those above edit it", id, x.OwnerDept)
				}
			}
		}
		if r == nil {
			return zhudun.Errorf(zhudun.ENOTFOUND, "role %s not found", id)
		}
		if r.Admin {
			return zhudun.Errorf(zhudun.EFORBIDDEN, "the administrator roles are fixed (三员分立)")
		}
		before := *r
		if u.Name != nil {
			r.Name = *u.Name
		}
		if u.Scope != nil {
			r.Scope = *u.Scope
		}
		if u.Perms != nil {
			r.Perms = append([]zhudun.Permission(nil), (*u.Perms)...)
		}
		if err := validateRole(r, f); err != nil {
			return err
		}
		// Widening a role reaches every holder: the editor's own reach must
		// cover the new scope (checked in validateRole) — and only a city-wide
		// editor may change a role held across the city.
		if f.Kind != zhudun.ScopeAll {
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM user_roles ur JOIN users us ON us.id = ur.user_id JOIN depts d ON d.id = us.dept_id
				WHERE ur.role_id = ? AND d.path NOT LIKE ?`, id, f.DeptPath+"%").Scan(&n); err != nil {
				return tx.s.internal("role holders", err)
			}
			if n > 0 {
				return zhudun.Errorf(zhudun.EFORBIDDEN, "role %s is held by %d users outside your scope", id, n)
			}
		}
		if _, err := tx.exec(ctx, `UPDATE roles SET name = ?, scope = ?, updated_at = ? WHERE id = ?`, r.Name, string(r.Scope), tx.now, id); err != nil {
			return tx.s.internal("role update", err)
		}
		if err := tx.setPerms(ctx, id, r.Perms); err != nil {
			return err
		}
		out = r
		return tx.roleChanged(ctx, "role.update", r, Detail(map[string]any{"from": before, "to": r}))
	})
	return out, err
}

// EnsureBuiltinRoles seeds the built-in roles that are missing. It never
// overwrites a role: the security admin may have adjusted a business role, and
// the administrator roles cannot be changed through any API.
func (s *Store) EnsureBuiltinRoles(ctx context.Context) error {
	ctx = zhudun.WithCaller(ctx, zhudun.SystemCaller("migrate"))
	return s.write(ctx, func(ctx context.Context, tx *Tx) error {
		for _, r := range zhudun.BuiltinRoles() {
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM roles WHERE id = ?`, r.ID).Scan(&n); err != nil {
				return tx.s.internal("role seed", err)
			}
			if n > 0 {
				continue
			}
			if _, err := tx.exec(ctx, `INSERT INTO roles (id, name, scope, builtin, admin, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				r.ID, r.Name, string(r.Scope), true, r.Admin, tx.now, tx.now); err != nil {
				return tx.s.internal("role seed insert", err)
			}
			if err := tx.setPerms(ctx, r.ID, r.Perms); err != nil {
				return err
			}
			if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "role.seed", ObjectType: "role", ObjectID: r.ID, Detail: Detail(r)}); err != nil {
				return err
			}
		}
		return nil
	})
}
