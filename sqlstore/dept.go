package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/zhudun/zhudun"
)

var _ zhudun.DeptService = (*Store)(nil)

var deptCols = scopeCols{Path: "d.path", DeptID: "d.id"}

const deptSelect = `SELECT d.id, d.code, d.name, d.kind, d.parent_id, COALESCE(p.code, ''), d.path, d.disabled, d.region_code, d.lon, d.lat, d.created_at, d.updated_at
	FROM depts d LEFT JOIN depts p ON p.id = d.parent_id`

func scanDept(r scanner) (*zhudun.Dept, error) {
	var d zhudun.Dept
	var parent sql.NullInt64
	var lon, lat sql.NullFloat64
	if err := r.Scan(&d.ID, &d.Code, &d.Name, &d.Kind, &parent, &d.ParentCode, &d.Path, &d.Disabled, &d.RegionCode, &lon, &lat, &d.CreatedAt, &d.UpdatedAt); err != nil {
		return nil, err
	}
	d.ParentID = parent.Int64
	if lon.Valid && lat.Valid {
		d.Lon, d.Lat = &lon.Float64, &lat.Float64
	}
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return &d, nil
}

func validateDeptFields(d *zhudun.Dept) error {
	if !zhudun.ValidDeptCode(d.Code) {
		return zhudun.FieldError("code", "department code must be 2–32 of A–Z, 0–9, _ and -")
	}
	d.Name = strings.TrimSpace(d.Name)
	if d.Name == "" || len([]rune(d.Name)) > 64 {
		return zhudun.FieldError("name", "department name must be 1–64 characters")
	}
	if d.Kind == "" {
		d.Kind = zhudun.DeptStation
	}
	if !zhudun.ValidDeptKind(d.Kind) {
		return zhudun.FieldError("kind", "kind must be bureau, subbureau, division, station or squad")
	}
	if (d.Lon == nil) != (d.Lat == nil) {
		return zhudun.FieldError("lon", "lon and lat go together")
	}
	if d.Lon != nil && (*d.Lon < -180 || *d.Lon > 180 || *d.Lat < -90 || *d.Lat > 90) {
		return zhudun.FieldError("lon", "coordinates out of range")
	}
	return nil
}

// deptInScope loads a department by code inside the caller's scope for perm;
// a department outside the scope is ENOTFOUND, as if it did not exist.
func (tx *Tx) deptInScope(ctx context.Context, code string, perm zhudun.Permission) (*zhudun.Dept, error) {
	var w where
	if _, err := scoped(ctx, &w, perm, deptCols); err != nil {
		return nil, err
	}
	w.add("d.code = ?", code)
	d, err := scanDept(tx.queryRow(ctx, deptSelect+w.sql(), w.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "department %s not found", code)
	}
	if err != nil {
		return nil, tx.s.internal("dept load", err)
	}
	return d, nil
}

// CreateDept adds a department under d.ParentCode (ROOT when empty). The
// parent must be inside the caller's dept:write scope.
func (s *Store) CreateDept(ctx context.Context, d *zhudun.Dept) error {
	if err := validateDeptFields(d); err != nil {
		return err
	}
	if d.ParentCode == "" {
		d.ParentCode = zhudun.RootDeptCode
	}
	return s.write(ctx, func(ctx context.Context, tx *Tx) error {
		parent, err := tx.deptInScope(ctx, d.ParentCode, zhudun.PermDeptWrite)
		if err != nil {
			if zhudun.ErrorCode(err) == zhudun.ENOTFOUND {
				return &zhudun.Error{Code: zhudun.EINVALID, Field: "parent", Message: "parent department " + d.ParentCode + " not found"}
			}
			return err
		}
		if parent.Disabled {
			return zhudun.FieldError("parent", "parent department %s is disabled", parent.Code)
		}
		var lon, lat any
		if d.Lon != nil {
			lon, lat = *d.Lon, *d.Lat
		}
		err = tx.queryRow(ctx, `INSERT INTO depts (code, name, kind, parent_id, path, disabled, region_code, lon, lat, created_at, updated_at)
			VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?) RETURNING id`,
			d.Code, d.Name, d.Kind, parent.ID, false, d.RegionCode, lon, lat, tx.now, tx.now).Scan(&d.ID)
		if err != nil {
			if tx.s.dialect.IsUniqueViolation(err) {
				return &zhudun.Error{Code: zhudun.ECONFLICT, Field: "code", Message: "department code " + d.Code + " is taken"}
			}
			return tx.s.internal("dept insert", err)
		}
		d.Path = parent.Path + strconv.FormatInt(d.ID, 10) + "/"
		if _, err := tx.exec(ctx, `UPDATE depts SET path = ? WHERE id = ?`, d.Path, d.ID); err != nil {
			return tx.s.internal("dept path", err)
		}
		d.ParentID, d.CreatedAt, d.UpdatedAt = parent.ID, tx.now, tx.now
		return tx.deptChanged(ctx, "dept.create", d, Detail(map[string]any{"code": d.Code, "name": d.Name, "kind": d.Kind, "parent": d.ParentCode}))
	})
}

func (tx *Tx) deptChanged(ctx context.Context, action string, d *zhudun.Dept, detail []byte) error {
	if err := tx.audit(ctx, &zhudun.AuditEntry{Action: action, ObjectType: "dept", ObjectID: d.Code, Detail: detail}); err != nil {
		return err
	}
	typ := "dept.updated"
	if action == "dept.create" {
		typ = "dept.created"
	}
	return tx.emit(ctx, zhudun.Event{Type: typ, Perm: zhudun.PermDeptRead, DeptPath: d.Path, DeptID: d.ID, Data: Detail(d)})
}

// FindDepts lists departments inside the caller's dept:read scope, in tree
// order (by path).
func (s *Store) FindDepts(ctx context.Context, f zhudun.DeptFilter) ([]*zhudun.Dept, int, error) {
	var w where
	if _, err := scoped(ctx, &w, zhudun.PermDeptRead, deptCols); err != nil {
		return nil, 0, err
	}
	if f.ID != 0 {
		w.add("d.id = ?", f.ID)
	}
	if f.Code != "" {
		w.add("d.code = ?", f.Code)
	}
	if f.Under != "" {
		w.add("d.path LIKE (SELECT u.path FROM depts u WHERE u.code = ?) || '%'", f.Under)
	}
	if f.Q != "" {
		w.add("(LOWER(d.name) LIKE ? ESCAPE '\\' OR LOWER(d.code) LIKE ? ESCAPE '\\')", likeArg(f.Q), likeArg(f.Q))
	}
	if f.Disabled != nil {
		w.add("d.disabled = ?", *f.Disabled)
	}
	var total int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM depts d`+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, s.internal("dept count", err)
	}
	off, lim := page(f.Offset, f.Limit)
	rows, err := s.query(ctx, deptSelect+w.sql()+` ORDER BY d.path LIMIT ? OFFSET ?`, append(w.args, lim, off)...)
	if err != nil {
		return nil, 0, s.internal("dept list", err)
	}
	defer rows.Close()
	var out []*zhudun.Dept
	for rows.Next() {
		d, err := scanDept(rows)
		if err != nil {
			return nil, 0, s.internal("dept scan", err)
		}
		out = append(out, d)
	}
	return out, total, s.internalIf("dept rows", rows.Err())
}

// FindDeptByCode returns one department inside the caller's dept:read scope.
func (s *Store) FindDeptByCode(ctx context.Context, code string) (*zhudun.Dept, error) {
	ds, _, err := s.FindDepts(ctx, zhudun.DeptFilter{Code: code, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "department %s not found", code)
	}
	return ds[0], nil
}

// UpdateDept renames, re-kinds, moves, disables or locates a department in
// the caller's dept:write scope. Callers cannot move or disable their own
// department or one above it: that would carry their own reach with it.
func (s *Store) UpdateDept(ctx context.Context, code string, u zhudun.DeptUpdate) (*zhudun.Dept, error) {
	var out *zhudun.Dept
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		d, err := tx.deptInScope(ctx, code, zhudun.PermDeptWrite)
		if err != nil {
			return err
		}
		c := zhudun.CallerFrom(ctx)
		ownOrAbove := !c.System && strings.HasPrefix(c.DeptPath, d.Path)
		change := map[string]any{}
		if u.Name != nil {
			change["name"] = map[string]string{"from": d.Name, "to": *u.Name}
			d.Name = *u.Name
		}
		if u.Kind != nil {
			change["kind"] = map[string]string{"from": d.Kind, "to": *u.Kind}
			d.Kind = *u.Kind
		}
		if u.RegionCode != nil {
			d.RegionCode = *u.RegionCode
		}
		if u.Lon != nil || u.Lat != nil {
			d.Lon, d.Lat = u.Lon, u.Lat
		}
		if err := validateDeptFields(d); err != nil {
			return err
		}
		if u.Disabled != nil && *u.Disabled != d.Disabled {
			if ownOrAbove {
				return zhudun.Errorf(zhudun.EFORBIDDEN, "you cannot disable your own department or one above it")
			}
			if d.Code == zhudun.RootDeptCode {
				return zhudun.FieldError("disabled", "the root department cannot be disabled")
			}
			if *u.Disabled {
				var n int
				if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM depts WHERE path LIKE ? AND id <> ? AND disabled = ?`, d.Path+"%", d.ID, false).Scan(&n); err != nil {
					return tx.s.internal("dept children", err)
				}
				if n > 0 {
					return zhudun.FieldError("disabled", "department %s has %d enabled departments below it; disable them first", d.Code, n)
				}
				if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE dept_id = ? AND disabled = ?`, d.ID, false).Scan(&n); err != nil {
					return tx.s.internal("dept users", err)
				}
				if n > 0 {
					return zhudun.FieldError("disabled", "department %s has %d active users; move or disable them first", d.Code, n)
				}
			}
			change["disabled"] = *u.Disabled
			d.Disabled = *u.Disabled
		}
		var lon, lat any
		if d.Lon != nil {
			lon, lat = *d.Lon, *d.Lat
		}
		if _, err := tx.exec(ctx, `UPDATE depts SET name = ?, kind = ?, disabled = ?, region_code = ?, lon = ?, lat = ?, updated_at = ? WHERE id = ?`,
			d.Name, d.Kind, d.Disabled, d.RegionCode, lon, lat, tx.now, d.ID); err != nil {
			return tx.s.internal("dept update", err)
		}
		if u.ParentCode != nil && *u.ParentCode != d.ParentCode {
			if ownOrAbove {
				return zhudun.Errorf(zhudun.EFORBIDDEN, "you cannot move your own department or one above it")
			}
			if d.Code == zhudun.RootDeptCode {
				return zhudun.FieldError("parent", "the root department cannot be moved")
			}
			np, err := tx.deptInScope(ctx, *u.ParentCode, zhudun.PermDeptWrite)
			if err != nil {
				if zhudun.ErrorCode(err) == zhudun.ENOTFOUND {
					return zhudun.FieldError("parent", "parent department %s not found", *u.ParentCode)
				}
				return err
			}
			if strings.HasPrefix(np.Path, d.Path) {
				return &zhudun.Error{Code: zhudun.ECONFLICT, Field: "parent", Message: "a department cannot move under itself"}
			}
			newPath := np.Path + strconv.FormatInt(d.ID, 10) + "/"
			if _, err := tx.exec(ctx, `UPDATE depts SET path = ? || SUBSTR(path, ?), updated_at = ? WHERE path LIKE ?`,
				newPath, len(d.Path)+1, tx.now, d.Path+"%"); err != nil {
				return tx.s.internal("dept move", err)
			}
			if _, err := tx.exec(ctx, `UPDATE depts SET parent_id = ? WHERE id = ?`, np.ID, d.ID); err != nil {
				return tx.s.internal("dept move parent", err)
			}
			change["parent"] = map[string]string{"from": d.ParentCode, "to": np.Code}
			d.ParentID, d.ParentCode, d.Path = np.ID, np.Code, newPath
		}
		d.UpdatedAt = tx.now
		out = d
		return tx.deptChanged(ctx, "dept.update", d, Detail(change))
	})
	return out, err
}
