package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/pii"
)

// Edits of the campus registry, groups and rounds, and the map's points
// (issue 14 follow-up, docs/campus.md). Each edit needs campus:write over
// the record as it is and, where it moves, over where it goes; outside
// that scope the record is ENOTFOUND. Every edit is audited with the
// fields it changed.

// UpdateSchool replaces a school's fields and contacts. A contact named by
// its ID keeps its sealed phone unless a new one is given; contacts left
// out are removed. Moving a school to another station needs campus:write
// over both. Audited campus.school.update with the changed fields.
func (s *Store) UpdateSchool(ctx context.Context, id int64, n zhudun.NewSchool) (*zhudun.School, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	if !zhudun.CallerFrom(ctx).Has(zhudun.PermCampusWrite) {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission campus:write required")
	}
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		old, err := tx.s.schoolInScope(ctx, tx, id, zhudun.PermCampusWrite)
		if err != nil {
			return err
		}
		st, err := tx.campusStation(ctx, n.Station, map[string]*zhudun.Dept{})
		if err != nil {
			return err
		}
		var dup int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM campus_schools WHERE code = ? AND id <> ?`, n.Code, id).Scan(&dup); err != nil {
			return tx.s.internal("school code check", err)
		}
		if dup > 0 {
			return zhudun.FieldError("code", "school code %s is registered already", n.Code)
		}
		var changed []string
		note := func(field string, differ bool) {
			if differ {
				changed = append(changed, field)
			}
		}
		note("code", old.Code != n.Code)
		note("name", old.Name != n.Name)
		note("type", old.Type != n.Type)
		note("private", old.Private != n.Private)
		note("district", old.District != n.District)
		note("station", old.StationID != st.ID)
		note("address", old.Address != n.Address)
		note("location", !samePoint(old.Lon, old.Lat, n.Lon, n.Lat))
		note("students", old.Students != n.Students)
		note("staff", old.Staff != n.Staff)
		note("security_staff", old.SecurityStaff != n.SecurityStaff)
		if _, err := tx.exec(ctx, `UPDATE campus_schools SET code = ?, name = ?, type = ?, private = ?, district = ?, station_id = ?, address = ?,
			lon = ?, lat = ?, students = ?, staff = ?, security_staff = ?, updated_at = ? WHERE id = ?`,
			n.Code, n.Name, n.Type, n.Private, n.District, st.ID, n.Address, n.Lon, n.Lat, n.Students, n.Staff, n.SecurityStaff, tx.now, id); err != nil {
			if tx.s.dialect.IsUniqueViolation(err) {
				return zhudun.FieldError("code", "school code %s is registered already", n.Code)
			}
			return tx.s.internal("school update", err)
		}
		cc, err := tx.replaceContacts(ctx, id, n.Contacts)
		if err != nil {
			return err
		}
		note("contacts", cc)
		if len(changed) == 0 {
			return nil // nothing changed, nothing to audit
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "campus.school.update", ObjectType: "school", ObjectID: fmt.Sprint(id),
			Detail: Detail(map[string]any{"code": n.Code, "changed": changed, "station": st.Code, "from_station": old.Station})})
	})
	if err != nil {
		return nil, err
	}
	return s.FindSchoolByIDAs(ctx, id, zhudun.PermCampusWrite)
}

func samePoint(lon0, lat0, lon1, lat1 *float64) bool {
	if lon0 == nil || lon1 == nil {
		return (lon0 == nil) == (lon1 == nil)
	}
	return *lon0 == *lon1 && *lat0 == *lat1
}

// campusStation resolves a station code inside the caller's campus:write
// scope (cached in stations for an import's rows).
func (tx *Tx) campusStation(ctx context.Context, code string, stations map[string]*zhudun.Dept) (*zhudun.Dept, error) {
	if st, ok := stations[code]; ok {
		return st, nil
	}
	d, err := tx.deptInScope(ctx, code, zhudun.PermCampusWrite)
	if err != nil {
		return nil, zhudun.FieldError("station", "%s", zhudun.ErrorMessage(err))
	}
	if d.Kind != zhudun.DeptStation || d.Disabled {
		return nil, zhudun.FieldError("station", "%s is not an active station", code)
	}
	stations[code] = d
	return d, nil
}

// replaceContacts makes the school's contacts those given and reports
// whether anything changed. Phones are normalised before anything is
// written, so a bad one changes nothing.
func (tx *Tx) replaceContacts(ctx context.Context, schoolID int64, cs []zhudun.NewSchoolContact) (bool, error) {
	phones, err := normalizePhones(cs, func(c zhudun.NewSchoolContact) string { return c.Phone })
	if err != nil {
		return false, err
	}
	type row struct{ role, name string }
	have := map[int64]row{}
	rows, err := tx.query(ctx, `SELECT id, role, name FROM campus_contacts WHERE school_id = ?`, schoolID)
	if err != nil {
		return false, tx.s.internal("school contacts", err)
	}
	for rows.Next() {
		var cid int64
		var r row
		if err := rows.Scan(&cid, &r.role, &r.name); err != nil {
			rows.Close()
			return false, tx.s.internal("school contact scan", err)
		}
		have[cid] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, tx.s.internal("school contacts rows", err)
	}
	changed := false
	kept := map[int64]bool{}
	for i, c := range cs {
		cid := c.ID
		if cid != 0 {
			r, ok := have[cid]
			if !ok || kept[cid] {
				return false, zhudun.FieldError("contacts", "contact %d: contact %d is not this school's", i+1, cid)
			}
			kept[cid] = true
			if r.role != c.Role || r.name != c.Name {
				changed = true
				if _, err := tx.exec(ctx, `UPDATE campus_contacts SET role = ?, name = ? WHERE id = ?`, c.Role, c.Name, cid); err != nil {
					return false, tx.s.internal("school contact update", err)
				}
			}
		} else {
			changed = true
			if err := tx.queryRow(ctx, `INSERT INTO campus_contacts (school_id, role, name) VALUES (?, ?, ?) RETURNING id`, schoolID, c.Role, c.Name).Scan(&cid); err != nil {
				return false, tx.s.internal("school contact insert", err)
			}
		}
		if phones[i] == "" {
			continue
		}
		changed = true
		enc, err := tx.s.keys.Seal([]byte(phones[i]), schoolAAD(cid))
		if err != nil {
			return false, tx.s.internal("school contact seal", err)
		}
		if _, err := tx.exec(ctx, `UPDATE campus_contacts SET phone_enc = ?, phone_idx = ?, phone_mask = ? WHERE id = ?`,
			enc, tx.s.keys.Index("phone", phones[i]), pii.MaskPhone(phones[i]), cid); err != nil {
			return false, tx.s.internal("school contact phone", err)
		}
	}
	for cid := range have {
		if kept[cid] {
			continue
		}
		changed = true
		if _, err := tx.exec(ctx, `DELETE FROM campus_contacts WHERE id = ?`, cid); err != nil {
			return false, tx.s.internal("school contact delete", err)
		}
	}
	return changed, nil
}

// SchoolPoints returns every located school of the caller's campus:read
// scope for the map, with its status from the hazards and notices the
// caller may see (an agency member: those of its groups' rounds only).
func (s *Store) SchoolPoints(ctx context.Context) ([]zhudun.SchoolPoint, error) {
	pred, args, err := campusPred(ctx, zhudun.PermCampusRead, "")
	if err != nil {
		return nil, err
	}
	npred, nargs, err := campusPred(ctx, zhudun.PermCampusRead, "n.round_id")
	if err != nil {
		return nil, err
	}
	hpred, hargs, err := campusPred(ctx, zhudun.PermCampusRead, "h.round_id")
	if err != nil {
		return nil, err
	}
	q := `SELECT sc.id, sc.name, sc.type, sc.lat, sc.lon,
		CASE WHEN EXISTS (SELECT 1 FROM campus_notices n WHERE n.school_id = sc.id AND n.status = 'open' AND n.deadline < ? AND ` + npred + `) THEN 'overdue'
		WHEN EXISTS (SELECT 1 FROM campus_notices n WHERE n.school_id = sc.id AND n.status = 'open' AND ` + npred + `)
			OR EXISTS (SELECT 1 FROM campus_hazards h WHERE h.school_id = sc.id AND h.status = 'open' AND ` + hpred + `) THEN 'open'
		ELSE 'ok' END
		FROM campus_schools sc JOIN depts sd ON sd.id = sc.station_id WHERE ` + pred + ` AND sc.lat IS NOT NULL AND sc.lon IS NOT NULL
		ORDER BY sc.id LIMIT ?`
	all := []any{tx0Day(s.clock())}
	all = append(all, nargs...)
	all = append(all, nargs...)
	all = append(all, hargs...)
	all = append(all, args...)
	all = append(all, zhudun.MaxSchoolPoints+1)
	rows, err := s.query(ctx, q, all...)
	if err != nil {
		return nil, s.internal("school points", err)
	}
	defer rows.Close()
	out := []zhudun.SchoolPoint{}
	for rows.Next() {
		var p zhudun.SchoolPoint
		if err := rows.Scan(&p.ID, &p.Name, &p.Type, &p.Lat, &p.Lon, &p.Status); err != nil {
			return nil, s.internal("school point scan", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, s.internal("school points rows", err)
	}
	if len(out) > zhudun.MaxSchoolPoints {
		return nil, zhudun.Errorf(zhudun.EINVALID, "more than %d schools in scope; filter the list instead", zhudun.MaxSchoolPoints)
	}
	return out, nil
}

// groupForWrite loads a group whose organising department is inside the
// caller's campus:write scope; any other is ENOTFOUND.
func (tx *Tx) groupForWrite(ctx context.Context, id int64) (string, error) {
	var gid int64
	var gpath, name string
	if err := tx.queryRow(ctx, `SELECT gd.id, gd.path, g.name FROM campus_groups g JOIN depts gd ON gd.id = g.dept_id WHERE g.id = ?`, id).Scan(&gid, &gpath, &name); err != nil {
		return "", zhudun.Errorf(zhudun.ENOTFOUND, "group %d not found", id)
	}
	f, err := zhudun.ScopeFor(ctx, zhudun.PermCampusWrite)
	if err != nil {
		return "", err
	}
	if !f.Covers(gpath, gid, 0) {
		return "", zhudun.Errorf(zhudun.ENOTFOUND, "group %d not found", id)
	}
	return name, nil
}

// insertMembers stores a group's members; an account must be an enabled
// user.
func (tx *Tx) insertMembers(ctx context.Context, id int64, ms []zhudun.GroupMember) error {
	for i, m := range ms {
		var uid any
		name := strings.TrimSpace(m.Name)
		if m.UserID != 0 {
			var uname string
			var disabled bool
			err := tx.queryRow(ctx, `SELECT username, disabled FROM users WHERE id = ?`, m.UserID).Scan(&uname, &disabled)
			if err != nil || disabled {
				return zhudun.FieldError("members", "member %d: user %d not found", i+1, m.UserID)
			}
			uid = m.UserID
			if name == "" {
				name = uname
			}
		}
		if _, err := tx.exec(ctx, `INSERT INTO campus_group_members (group_id, user_id, name, agency, title) VALUES (?, ?, ?, ?, ?)`,
			id, uid, name, m.Agency, strings.TrimSpace(m.Title)); err != nil {
			return tx.s.internal("group member insert", err)
		}
	}
	return nil
}

// UpdateGroup renames a group and replaces its members (an account
// removed stops seeing the group's rounds at once). The organising
// department stays. Audited campus.group.update.
func (s *Store) UpdateGroup(ctx context.Context, id int64, n zhudun.NewGroup) (*zhudun.Group, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	if !zhudun.CallerFrom(ctx).Has(zhudun.PermCampusWrite) {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission campus:write required")
	}
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		oldName, err := tx.groupForWrite(ctx, id)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE campus_groups SET name = ? WHERE id = ?`, n.Name, id); err != nil {
			return tx.s.internal("group update", err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM campus_group_members WHERE group_id = ?`, id); err != nil {
			return tx.s.internal("group members delete", err)
		}
		if err := tx.insertMembers(ctx, id, n.Members); err != nil {
			return err
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "campus.group.update", ObjectType: "campus_group", ObjectID: fmt.Sprint(id),
			Detail: Detail(map[string]any{"name": n.Name, "old_name": oldName, "members": len(n.Members)})})
	})
	if err != nil {
		return nil, err
	}
	return s.groupBack(ctx, id, n)
}

// UpdateRound re-plans a round: name, group, mode, window and schools. A
// school already visited in the round stays in its plan (its visits count
// towards the round); added schools must be inside the caller's
// campus:write scope. The organising department stays. Audited
// campus.round.update with the schools added and removed.
func (s *Store) UpdateRound(ctx context.Context, id int64, n zhudun.NewRound) (*zhudun.Round, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	if !zhudun.CallerFrom(ctx).Has(zhudun.PermCampusWrite) {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission campus:write required")
	}
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		old, err := tx.s.roundInScope(ctx, tx, id, zhudun.PermCampusWrite)
		if err != nil {
			return err
		}
		f, err := zhudun.ScopeFor(ctx, zhudun.PermCampusWrite)
		if err != nil {
			return err
		}
		if !f.Covers(old.DeptPath, old.DeptID, 0) {
			return zhudun.Errorf(zhudun.ENOTFOUND, "round %d not found", id)
		}
		if n.GroupID != old.GroupID {
			if _, err := tx.groupForWrite(ctx, n.GroupID); err != nil {
				return zhudun.FieldError("group_id", "group %d not found", n.GroupID)
			}
		}
		planned, err := tx.roundSchools(ctx, id)
		if err != nil {
			return err
		}
		want := map[int64]bool{}
		var added, removed []int64
		for _, sid := range n.Schools {
			if want[sid] {
				continue
			}
			want[sid] = true
			if planned[sid] {
				continue
			}
			if _, err := tx.s.schoolInScope(ctx, tx, sid, zhudun.PermCampusWrite); err != nil {
				return zhudun.FieldError("schools", "school %d not found", sid)
			}
			if _, err := tx.exec(ctx, `INSERT INTO campus_round_schools (round_id, school_id) VALUES (?, ?)`, id, sid); err != nil {
				return tx.s.internal("round school insert", err)
			}
			added = append(added, sid)
		}
		for sid := range planned {
			if want[sid] {
				continue
			}
			var visits int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM campus_visits WHERE round_id = ? AND school_id = ?`, id, sid).Scan(&visits); err != nil {
				return tx.s.internal("round school visits", err)
			}
			if visits > 0 {
				return zhudun.FieldError("schools", "school %d was visited in this round and stays in its plan", sid)
			}
			if _, err := tx.exec(ctx, `DELETE FROM campus_round_schools WHERE round_id = ? AND school_id = ?`, id, sid); err != nil {
				return tx.s.internal("round school delete", err)
			}
			removed = append(removed, sid)
		}
		slices.Sort(removed)
		if _, err := tx.exec(ctx, `UPDATE campus_rounds SET name = ?, group_id = ?, mode = ?, start_day = ?, end_day = ? WHERE id = ?`,
			n.Name, n.GroupID, n.Mode, n.StartDay, n.EndDay, id); err != nil {
			return tx.s.internal("round update", err)
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "campus.round.update", ObjectType: "campus_round", ObjectID: fmt.Sprint(id),
			Detail: Detail(map[string]any{"name": n.Name, "group": n.GroupID, "mode": n.Mode, "start_day": n.StartDay, "end_day": n.EndDay,
				"added": added, "removed": removed})})
	})
	if err != nil {
		return nil, err
	}
	return s.roundInScope(ctx, s, id, zhudun.PermCampusWrite)
}

// roundSchools is the round's planned schools.
func (tx *Tx) roundSchools(ctx context.Context, id int64) (map[int64]bool, error) {
	rows, err := tx.query(ctx, `SELECT school_id FROM campus_round_schools WHERE round_id = ?`, id)
	if err != nil {
		return nil, tx.s.internal("round schools", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var sid int64
		if err := rows.Scan(&sid); err != nil {
			return nil, tx.s.internal("round school scan", err)
		}
		out[sid] = true
	}
	return out, tx.s.internalIf("round schools rows", rows.Err())
}

// CampusAccounts lists the enabled holders of the campus_agency role, the
// accounts a group editor (campus:write) may make members. It shows names
// and departments only.
func (s *Store) CampusAccounts(ctx context.Context) ([]zhudun.CampusAccount, error) {
	if !zhudun.CallerFrom(ctx).Has(zhudun.PermCampusWrite) {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission campus:write required")
	}
	rows, err := s.query(ctx, `SELECT u.id, u.username, u.name, d.name FROM users u JOIN depts d ON d.id = u.dept_id
		WHERE NOT u.disabled AND u.id IN (SELECT user_id FROM user_roles WHERE role_id = ?) ORDER BY u.username LIMIT 1000`, zhudun.RoleCampusAgency)
	if err != nil {
		return nil, s.internal("campus accounts", err)
	}
	defer rows.Close()
	out := []zhudun.CampusAccount{}
	for rows.Next() {
		var a zhudun.CampusAccount
		if err := rows.Scan(&a.UserID, &a.Username, &a.Name, &a.Dept); err != nil {
			return nil, s.internal("campus account scan", err)
		}
		out = append(out, a)
	}
	return out, s.internalIf("campus accounts rows", rows.Err())
}
