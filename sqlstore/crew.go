package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"

	"github.com/zhudun/zhudun"
)

// A unit's crew: the officers (users) riding it, kept in unit_crew.

// loadCrews fills the Crew of each unit with one query.
func (s *Store) loadCrews(ctx context.Context, q querier, us []*zhudun.Unit) error {
	if len(us) == 0 {
		return nil
	}
	byID := make(map[int64]*zhudun.Unit, len(us))
	ph := make([]string, 0, len(us))
	args := make([]any, 0, len(us))
	for _, u := range us {
		u.Crew = []zhudun.CrewMember{}
		byID[u.ID] = u
		ph = append(ph, "?")
		args = append(args, u.ID)
	}
	rows, err := q.query(ctx, `SELECT c.unit_id, x.id, x.username, x.name FROM unit_crew c JOIN users x ON x.id = c.user_id
		WHERE c.unit_id IN (`+strings.Join(ph, ", ")+`) ORDER BY x.username`, args...)
	if err != nil {
		return s.internal("unit crew", err)
	}
	defer rows.Close()
	for rows.Next() {
		var uid int64
		var m zhudun.CrewMember
		if err := rows.Scan(&uid, &m.UserID, &m.Username, &m.Name); err != nil {
			return s.internal("unit crew scan", err)
		}
		byID[uid].Crew = append(byID[uid].Crew, m)
	}
	return s.internalIf("unit crew rows", rows.Err())
}

// UpdateUnit binds a unit to its terminal and crew, audited as unit.update.
func (s *Store) UpdateUnit(ctx context.Context, id int64, up zhudun.UnitUpdate) (*zhudun.Unit, error) {
	if up.Terminal != nil {
		t := strings.TrimSpace(*up.Terminal)
		if len(t) > 64 {
			return nil, zhudun.FieldError("terminal", "terminal must be at most 64 characters")
		}
		up.Terminal = &t
	}
	var out *zhudun.Unit
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		u, err := tx.unitInScope(ctx, id, zhudun.PermUnitWrite)
		if err != nil {
			return err
		}
		detail := map[string]any{}
		if up.Terminal != nil && *up.Terminal != u.Terminal {
			if *up.Terminal != "" {
				var other string
				// Compared as the gateway matches them (zhudun.TerminalKey):
				// 013800138000 and 13800138000 are one terminal.
				err := tx.queryRow(ctx, `SELECT callsign FROM units WHERE ltrim(terminal, '0') = ? AND id <> ?`, zhudun.TerminalKey(*up.Terminal), u.ID).Scan(&other)
				if err == nil {
					return &zhudun.Error{Code: zhudun.ECONFLICT, Field: "terminal", Message: "terminal " + *up.Terminal + " is bound to unit " + other}
				}
				if !errors.Is(err, sql.ErrNoRows) {
					return tx.s.internal("unit terminal", err)
				}
			}
			if _, err := tx.exec(ctx, `UPDATE units SET terminal = ? WHERE id = ?`, *up.Terminal, u.ID); err != nil {
				return tx.s.internal("unit terminal", err)
			}
			// A new terminal starts unbound, and so does the unit's: the
			// old code and device binding go (re-arming after a device is
			// replaced: docs/jt808.md).
			res, err := tx.exec(ctx, `DELETE FROM terminal_auth WHERE unit_id = ? OR phone_key = ?`, u.ID, zhudun.TerminalKey(*up.Terminal))
			if err != nil {
				return tx.s.internal("unit terminal binding", err)
			}
			detail["terminal"] = map[string]string{"from": u.Terminal, "to": *up.Terminal}
			if n, _ := res.RowsAffected(); n > 0 {
				detail["terminal_binding_cleared"] = true
			}
		}
		if up.Crew != nil {
			names := map[string]bool{}
			var ids []int64
			var usernames []string
			for _, n := range *up.Crew {
				n = strings.TrimSpace(n)
				if n == "" || names[n] {
					continue
				}
				names[n] = true
				var uid int64
				var path string
				err := tx.queryRow(ctx, `SELECT x.id, d.path FROM users x JOIN depts d ON d.id = x.dept_id WHERE x.username = ?`, n).Scan(&uid, &path)
				if errors.Is(err, sql.ErrNoRows) || err == nil && !strings.HasPrefix(path, u.DeptPath) {
					// One answer for "no such user" and "not of this station":
					// the form must not tell which usernames exist elsewhere.
					return zhudun.FieldError("crew", "%s is not an officer of %s", n, u.StationName)
				}
				if err != nil {
					return tx.s.internal("crew user", err)
				}
				ids = append(ids, uid)
				usernames = append(usernames, n)
			}
			if len(ids) > 8 {
				return zhudun.FieldError("crew", "a crew has at most 8 officers")
			}
			var moved []string
			for _, uid := range ids {
				var other string
				err := tx.queryRow(ctx, `SELECT u.callsign FROM unit_crew c JOIN units u ON u.id = c.unit_id WHERE c.user_id = ? AND c.unit_id <> ?`, uid, u.ID).Scan(&other)
				if err == nil {
					moved = append(moved, other)
				} else if !errors.Is(err, sql.ErrNoRows) {
					return tx.s.internal("crew move", err)
				}
				if _, err := tx.exec(ctx, `DELETE FROM unit_crew WHERE user_id = ?`, uid); err != nil {
					return tx.s.internal("crew move", err)
				}
			}
			if _, err := tx.exec(ctx, `DELETE FROM unit_crew WHERE unit_id = ?`, u.ID); err != nil {
				return tx.s.internal("crew clear", err)
			}
			for _, uid := range ids {
				if _, err := tx.exec(ctx, `INSERT INTO unit_crew (unit_id, user_id) VALUES (?, ?)`, u.ID, uid); err != nil {
					return tx.s.internal("crew insert", err)
				}
			}
			sort.Strings(usernames)
			detail["crew"] = usernames
			if len(moved) > 0 {
				detail["left_units"] = moved
			}
		}
		if len(detail) == 0 {
			out = u
			return tx.s.loadCrews(ctx, tx, []*zhudun.Unit{u})
		}
		if _, err := tx.exec(ctx, `UPDATE units SET version = version + 1, updated_at = ? WHERE id = ?`, tx.now, u.ID); err != nil {
			return tx.s.internal("unit update", err)
		}
		nu, err := tx.unitByID(ctx, u.ID)
		if err != nil {
			return err
		}
		if err := tx.s.loadCrews(ctx, tx, []*zhudun.Unit{nu}); err != nil {
			return err
		}
		out = nu
		if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "unit.update", ObjectType: "unit", ObjectID: nu.Callsign, Detail: Detail(detail)}); err != nil {
			return err
		}
		return tx.unitEvent(ctx, "unit.updated", nu)
	})
	return out, err
}

// MyUnit returns the unit whose crew the caller is in.
func (s *Store) MyUnit(ctx context.Context) (*zhudun.Unit, error) {
	c := zhudun.CallerFrom(ctx)
	if c == nil || c.UserID == 0 {
		return nil, zhudun.Errorf(zhudun.EUNAUTHORIZED, "sign in first")
	}
	var id int64
	err := s.queryRow(ctx, `SELECT unit_id FROM unit_crew WHERE user_id = ?`, c.UserID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "you are in no unit's crew")
	}
	if err != nil {
		return nil, s.internal("my unit", err)
	}
	return s.FindUnitByID(ctx, id)
}

// unitForStatus loads the unit whose status the caller reports: with
// unit:write over it, or as one of its crew (with unit:read over it).
func (tx *Tx) unitForStatus(ctx context.Context, id int64) (*zhudun.Unit, error) {
	u, err := tx.unitInScope(ctx, id, zhudun.PermUnitWrite)
	if err == nil || zhudun.ErrorCode(err) != zhudun.ENOTFOUND && zhudun.ErrorCode(err) != zhudun.EFORBIDDEN {
		return u, err
	}
	c := zhudun.CallerFrom(ctx)
	if c == nil || c.UserID == 0 {
		return nil, err
	}
	u, rerr := tx.unitInScope(ctx, id, zhudun.PermUnitRead)
	if rerr != nil {
		return nil, err
	}
	var n int
	if qerr := tx.queryRow(ctx, `SELECT COUNT(*) FROM unit_crew WHERE unit_id = ? AND user_id = ?`, id, c.UserID).Scan(&n); qerr != nil {
		return nil, tx.s.internal("crew check", qerr)
	}
	if n == 0 {
		return nil, err
	}
	return u, nil
}

// CrewCandidates lists the enabled users under the unit's station.
func (s *Store) CrewCandidates(ctx context.Context, id int64) ([]zhudun.CrewMember, error) {
	var out []zhudun.CrewMember
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		u, err := tx.unitInScope(ctx, id, zhudun.PermUnitWrite)
		if err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT x.id, x.username, x.name FROM users x JOIN depts d ON d.id = x.dept_id
			WHERE d.path LIKE ? AND x.disabled = ? ORDER BY x.username LIMIT 500`, u.DeptPath+"%", false)
		if err != nil {
			return tx.s.internal("crew candidates", err)
		}
		defer rows.Close()
		out = []zhudun.CrewMember{}
		for rows.Next() {
			var m zhudun.CrewMember
			if err := rows.Scan(&m.UserID, &m.Username, &m.Name); err != nil {
				return tx.s.internal("crew candidate scan", err)
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}
