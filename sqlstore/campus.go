package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/zhudun/zhudun"
)

// Campus safety inspections (issue 14, docs/campus.md): the registry of
// schools, the joint groups and the rounds. Visits, hazards and notices
// are in campusvisit.go, the statistics in campusreport.go.

var _ zhudun.CampusService = (*Store)(nil)

// campusPred is the data scope of campus records for the caller's
// permission perm. A record is decided by its school (alias sc, joined
// with its station as sd): a station sees its own schools, a subtree its
// stations', scope all every school. Scope self is an agency member's:
// records of the rounds of the groups it is a member of — roundCol names
// the record's round; for a school itself ("" roundCol), the schools
// planned in those rounds. Anything else fails closed.
func campusPred(ctx context.Context, perm zhudun.Permission, roundCol string) (string, []any, error) {
	f, err := zhudun.ScopeFor(ctx, perm)
	if err != nil {
		return "", nil, err
	}
	if f.Kind == zhudun.ScopeSelf {
		if f.UserID == 0 {
			return "", nil, zhudun.Errorf(zhudun.EFORBIDDEN, "data scope not recognised")
		}
		mine := `SELECT r.id FROM campus_rounds r JOIN campus_group_members m ON m.group_id = r.group_id WHERE m.user_id = ?`
		if roundCol == "" {
			return `sc.id IN (SELECT rs.school_id FROM campus_round_schools rs WHERE rs.round_id IN (` + mine + `))`, []any{f.UserID}, nil
		}
		return roundCol + ` IN (` + mine + `)`, []any{f.UserID}, nil
	}
	return scopeSQL(f, scopeCols{Path: "sd.path", DeptID: "sc.station_id"})
}

// schoolAAD binds a contact's sealed phone to its row.
func schoolAAD(id int64) []byte {
	return []byte("campus_contacts/" + strconv.FormatInt(id, 10) + "/phone")
}

const schoolSelect = `SELECT sc.id, sc.code, sc.name, sc.type, sc.private, sc.district, sc.station_id, sd.path, sd.code, sd.name,
	sc.address, sc.lon, sc.lat, sc.students, sc.staff, sc.security_staff, sc.generated, sc.created_by, sc.created_at, sc.updated_at
	FROM campus_schools sc JOIN depts sd ON sd.id = sc.station_id`

func scanSchool(r scanner) (*zhudun.School, error) {
	var s zhudun.School
	var lon, lat sql.NullFloat64
	if err := r.Scan(&s.ID, &s.Code, &s.Name, &s.Type, &s.Private, &s.District, &s.StationID, &s.StationPath, &s.Station, &s.StationName,
		&s.Address, &lon, &lat, &s.Students, &s.Staff, &s.SecurityStaff, &s.Generated, &s.CreatedBy, &s.CreatedAt, &s.UpdatedAt); err != nil {
		return nil, err
	}
	if lon.Valid && lat.Valid {
		s.Lon, s.Lat = &lon.Float64, &lat.Float64
	}
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	s.Contacts = []zhudun.SchoolContact{}
	return &s, nil
}

// schoolInScope loads a school inside the caller's scope for perm; outside
// it the school is ENOTFOUND.
func (s *Store) schoolInScope(ctx context.Context, q querier, id int64, perm zhudun.Permission) (*zhudun.School, error) {
	pred, args, err := campusPred(ctx, perm, "")
	if err != nil {
		return nil, err
	}
	sch, err := scanSchool(q.queryRow(ctx, schoolSelect+` WHERE `+pred+` AND sc.id = ?`, append(args, id)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "school %d not found", id)
	}
	if err != nil {
		return nil, s.internal("school load", err)
	}
	return sch, nil
}

// schoolContacts fills the schools' contacts, phones masked.
func (s *Store) schoolContacts(ctx context.Context, q querier, list []*zhudun.School) error {
	if len(list) == 0 {
		return nil
	}
	by := map[int64]*zhudun.School{}
	args := make([]any, len(list))
	for i, sc := range list {
		by[sc.ID], args[i] = sc, sc.ID
	}
	rows, err := q.query(ctx, `SELECT id, school_id, role, name, phone_mask FROM campus_contacts WHERE school_id IN (?`+strings.Repeat(", ?", len(list)-1)+`) ORDER BY id`, args...)
	if err != nil {
		return s.internal("school contacts", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c zhudun.SchoolContact
		var sid int64
		if err := rows.Scan(&c.ID, &sid, &c.Role, &c.Name, &c.PhoneMasked); err != nil {
			return s.internal("school contact scan", err)
		}
		by[sid].Contacts = append(by[sid].Contacts, c)
	}
	return s.internalIf("school contacts rows", rows.Err())
}

// insertSchool stores one validated school in tx, its station inside the
// caller's campus:write scope; it does not audit.
func (tx *Tx) insertSchool(ctx context.Context, n *zhudun.NewSchool, stations map[string]*zhudun.Dept) (int64, error) {
	st, err := tx.campusStation(ctx, n.Station, stations)
	if err != nil {
		return 0, err
	}
	var n0 int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM campus_schools WHERE code = ?`, n.Code).Scan(&n0); err != nil {
		return 0, tx.s.internal("school code check", err)
	}
	if n0 > 0 {
		return 0, zhudun.FieldError("code", "school code %s is registered already", n.Code)
	}
	var id int64
	if err := tx.queryRow(ctx, `INSERT INTO campus_schools (code, name, type, private, district, station_id, address, lon, lat, students, staff,
		security_staff, generated, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		n.Code, n.Name, n.Type, n.Private, n.District, st.ID, n.Address, n.Lon, n.Lat, n.Students, n.Staff, n.SecurityStaff, n.Generated,
		zhudun.CallerFrom(ctx).Username, tx.now, tx.now).Scan(&id); err != nil {
		if tx.s.dialect.IsUniqueViolation(err) {
			return 0, zhudun.FieldError("code", "school code %s is registered already", n.Code)
		}
		return 0, tx.s.internal("school insert", err)
	}
	if _, err := tx.replaceContacts(ctx, id, n.Contacts); err != nil {
		return 0, err
	}
	return id, nil
}

// CreateSchool registers a school at a station of the caller's
// campus:write scope. Audited campus.school.create (phones masked).
func (s *Store) CreateSchool(ctx context.Context, n zhudun.NewSchool) (*zhudun.School, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	if !zhudun.CallerFrom(ctx).Has(zhudun.PermCampusWrite) {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission campus:write required")
	}
	var id int64
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		var err error
		if id, err = tx.insertSchool(ctx, &n, map[string]*zhudun.Dept{}); err != nil {
			return err
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "campus.school.create", ObjectType: "school", ObjectID: fmt.Sprint(id),
			Detail: Detail(map[string]any{"code": n.Code, "name": n.Name, "station": n.Station, "generated": n.Generated})})
	})
	if err != nil {
		return nil, err
	}
	return s.FindSchoolByIDAs(ctx, id, zhudun.PermCampusWrite)
}

// ImportSchools stores rows all or nothing: every row is checked, the
// errors of all of them are returned, and one bad row stores none.
// Audited campus.school.import once with the count.
func (s *Store) ImportSchools(ctx context.Context, rows []zhudun.NewSchool) (int, []zhudun.ImportRowError, error) {
	if !zhudun.CallerFrom(ctx).Has(zhudun.PermCampusWrite) {
		return 0, nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission campus:write required")
	}
	if len(rows) == 0 || len(rows) > 20000 {
		return 0, nil, zhudun.FieldError("file", "1 to 20000 rows")
	}
	var bad []zhudun.ImportRowError
	rowErr := func(i int, err error) {
		var ze *zhudun.Error
		field, msg := "", zhudun.ErrorMessage(err)
		if errors.As(err, &ze) {
			field = ze.Field
		}
		bad = append(bad, zhudun.ImportRowError{Row: i + 2, Field: field, Message: msg})
	}
	codes := map[string]int{}
	for i := range rows {
		if err := rows[i].Validate(); err != nil {
			rowErr(i, err)
			continue
		}
		if j, dup := codes[rows[i].Code]; dup {
			rowErr(i, zhudun.FieldError("code", "school code %s repeats row %d", rows[i].Code, j+2))
			continue
		}
		codes[rows[i].Code] = i
	}
	if len(bad) > 0 {
		return 0, bad, nil
	}
	errBadRows := errors.New("rows refused")
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		stations := map[string]*zhudun.Dept{}
		for i := range rows {
			if _, err := tx.insertSchool(ctx, &rows[i], stations); err != nil {
				if zhudun.ErrorCode(err) != zhudun.EINVALID && zhudun.ErrorCode(err) != zhudun.ENOTFOUND {
					return err
				}
				rowErr(i, err)
			}
		}
		if len(bad) > 0 {
			return errBadRows // roll every row back
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "campus.school.import", ObjectType: "school",
			Detail: Detail(map[string]any{"rows": len(rows)})})
	})
	if errors.Is(err, errBadRows) {
		return 0, bad, nil
	}
	if err != nil {
		return 0, nil, err
	}
	return len(rows), nil, nil
}

// FindSchools lists the schools of the caller's campus:read scope by name.
func (s *Store) FindSchools(ctx context.Context, f zhudun.SchoolFilter) ([]*zhudun.School, int, error) {
	pred, args, err := campusPred(ctx, zhudun.PermCampusRead, "")
	if err != nil {
		return nil, 0, err
	}
	w := where{parts: []string{pred}, args: args}
	if f.Type != "" {
		w.add("sc.type = ?", f.Type)
	}
	if f.District != "" {
		w.add("sc.district = ?", f.District)
	}
	if f.Station != "" {
		w.add("sd.code = ?", f.Station)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		w.add(`LOWER(sc.name) LIKE ? ESCAPE '\'`, likeArg(q))
	}
	if f.Round != 0 {
		w.add("sc.id IN (SELECT school_id FROM campus_round_schools WHERE round_id = ?)", f.Round)
	}
	var total int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM campus_schools sc JOIN depts sd ON sd.id = sc.station_id`+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, s.internal("schools count", err)
	}
	off, lim := page(f.Offset, f.Limit)
	rows, err := s.query(ctx, schoolSelect+w.sql()+` ORDER BY sc.name, sc.id LIMIT ? OFFSET ?`, append(w.args, lim, off)...)
	if err != nil {
		return nil, 0, s.internal("schools", err)
	}
	out := []*zhudun.School{}
	for rows.Next() {
		sc, err := scanSchool(rows)
		if err != nil {
			rows.Close()
			return nil, 0, s.internal("school scan", err)
		}
		out = append(out, sc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, s.internal("schools rows", err)
	}
	return out, total, s.schoolContacts(ctx, s, out)
}

// FindSchoolByID returns a school of the caller's campus:read scope.
func (s *Store) FindSchoolByID(ctx context.Context, id int64) (*zhudun.School, error) {
	return s.FindSchoolByIDAs(ctx, id, zhudun.PermCampusRead)
}

// FindSchoolByIDAs returns a school of the caller's scope for perm, with
// its contacts.
func (s *Store) FindSchoolByIDAs(ctx context.Context, id int64, perm zhudun.Permission) (*zhudun.School, error) {
	sc, err := s.schoolInScope(ctx, s, id, perm)
	if err != nil {
		return nil, err
	}
	return sc, s.schoolContacts(ctx, s, []*zhudun.School{sc})
}

// RevealSchoolContact returns a contact's clear phone to a holder of
// pii:view whose campus:read scope covers the school, and audits the view
// with its reason (pii.view).
func (s *Store) RevealSchoolContact(ctx context.Context, id int64, reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if n := len([]rune(reason)); n < 4 || n > 200 {
		return "", zhudun.FieldError("reason", "state the reason for the query (查询事由), 4–200 characters")
	}
	if !zhudun.CallerFrom(ctx).Has(zhudun.PermPIIView) {
		return "", zhudun.Errorf(zhudun.EFORBIDDEN, "permission pii:view required")
	}
	var out string
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		var schoolID int64
		var enc string
		err := tx.queryRow(ctx, `SELECT school_id, phone_enc FROM campus_contacts WHERE id = ?`, id).Scan(&schoolID, &enc)
		if errors.Is(err, sql.ErrNoRows) {
			return zhudun.Errorf(zhudun.ENOTFOUND, "contact %d not found", id)
		}
		if err != nil {
			return tx.s.internal("contact load", err)
		}
		if _, err := tx.s.schoolInScope(ctx, tx, schoolID, zhudun.PermCampusRead); err != nil {
			if zhudun.ErrorCode(err) == zhudun.ENOTFOUND {
				return zhudun.Errorf(zhudun.ENOTFOUND, "contact %d not found", id)
			}
			return err
		}
		if enc != "" {
			b, err := tx.s.keys.Open(enc, schoolAAD(id))
			if err != nil {
				return tx.s.internal("contact open", err)
			}
			out = string(b)
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "pii.view", ObjectType: "school_contact", ObjectID: fmt.Sprint(id),
			Detail: Detail(map[string]any{"reason": reason, "fields": []string{"phone"}, "school": schoolID})})
	})
	return out, err
}

// groupPred is the scope of groups for campus:read: scope all every group;
// a department scope the groups it organises or whose rounds plan one of
// its schools; scope self the groups the caller is a member of.
func groupPred(ctx context.Context) (string, []any, error) {
	f, err := zhudun.ScopeFor(ctx, zhudun.PermCampusRead)
	if err != nil {
		return "", nil, err
	}
	switch f.Kind {
	case zhudun.ScopeAll:
		return "1 = 1", nil, nil
	case zhudun.ScopeSelf:
		return "g.id IN (SELECT group_id FROM campus_group_members WHERE user_id = ?)", []any{f.UserID}, nil
	}
	own, oargs, err := scopeSQL(f, scopeCols{Path: "gd.path", DeptID: "g.dept_id"})
	if err != nil {
		return "", nil, err
	}
	sp, sargs, err := scopeSQL(f, scopeCols{Path: "sd.path", DeptID: "sc.station_id"})
	if err != nil {
		return "", nil, err
	}
	return "(" + own + ` OR g.id IN (SELECT r.group_id FROM campus_rounds r JOIN campus_round_schools rs ON rs.round_id = r.id
		JOIN campus_schools sc ON sc.id = rs.school_id JOIN depts sd ON sd.id = sc.station_id WHERE ` + sp + `))`, append(oargs, sargs...), nil
}

// CreateGroup forms a joint group in a department of the caller's
// campus:write scope. Members with an account must be enabled users.
// Audited campus.group.create.
func (s *Store) CreateGroup(ctx context.Context, n zhudun.NewGroup) (*zhudun.Group, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	caller := zhudun.CallerFrom(ctx)
	if !caller.Has(zhudun.PermCampusWrite) {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission campus:write required")
	}
	var id int64
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		code := n.Dept
		if code == "" {
			code = caller.DeptCode
		}
		d, err := tx.deptInScope(ctx, code, zhudun.PermCampusWrite)
		if err != nil {
			return zhudun.FieldError("dept", "%s", zhudun.ErrorMessage(err))
		}
		if err := tx.queryRow(ctx, `INSERT INTO campus_groups (name, dept_id, created_by, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			n.Name, d.ID, caller.Username, tx.now).Scan(&id); err != nil {
			return tx.s.internal("group insert", err)
		}
		if err := tx.insertMembers(ctx, id, n.Members); err != nil {
			return err
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "campus.group.create", ObjectType: "campus_group", ObjectID: fmt.Sprint(id),
			Detail: Detail(map[string]any{"name": n.Name, "dept": d.Code, "members": len(n.Members)})})
	})
	if err != nil {
		return nil, err
	}
	return s.groupBack(ctx, id, n)
}

// groupBack reads a group just written; a caller that cannot read it back
// (campus:write without campus:read) gets what it gave.
func (s *Store) groupBack(ctx context.Context, id int64, n zhudun.NewGroup) (*zhudun.Group, error) {
	gs, err := s.findGroups(ctx, "g.id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(gs) == 0 {
		return &zhudun.Group{ID: id, Name: n.Name, Members: n.Members}, nil
	}
	return gs[0], nil
}

// FindGroups lists the groups of the caller's campus:read scope.
func (s *Store) FindGroups(ctx context.Context) ([]*zhudun.Group, error) {
	return s.findGroups(ctx, "1 = 1")
}

func (s *Store) findGroups(ctx context.Context, extra string, xargs ...any) ([]*zhudun.Group, error) {
	pred, args, err := groupPred(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT g.id, g.name, g.dept_id, gd.path, gd.code, g.created_by, g.created_at FROM campus_groups g
		JOIN depts gd ON gd.id = g.dept_id WHERE `+pred+` AND `+extra+` ORDER BY g.id`, append(args, xargs...)...)
	if err != nil {
		return nil, s.internal("groups", err)
	}
	out := []*zhudun.Group{}
	by := map[int64]*zhudun.Group{}
	for rows.Next() {
		g := &zhudun.Group{Members: []zhudun.GroupMember{}}
		if err := rows.Scan(&g.ID, &g.Name, &g.DeptID, &g.DeptPath, &g.Dept, &g.CreatedBy, &g.CreatedAt); err != nil {
			rows.Close()
			return nil, s.internal("group scan", err)
		}
		g.CreatedAt = g.CreatedAt.UTC()
		out = append(out, g)
		by[g.ID] = g
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, s.internalIf("groups rows", err)
	}
	ids := make([]any, 0, len(out))
	for _, g := range out {
		ids = append(ids, g.ID)
	}
	mr, err := s.query(ctx, `SELECT m.group_id, COALESCE(m.user_id, 0), COALESCE(u.username, ''), m.name, m.agency, m.title
		FROM campus_group_members m LEFT JOIN users u ON u.id = m.user_id WHERE m.group_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY m.id`, ids...)
	if err != nil {
		return nil, s.internal("group members", err)
	}
	defer mr.Close()
	for mr.Next() {
		var gid int64
		var m zhudun.GroupMember
		if err := mr.Scan(&gid, &m.UserID, &m.Username, &m.Name, &m.Agency, &m.Title); err != nil {
			return nil, s.internal("group member scan", err)
		}
		by[gid].Members = append(by[gid].Members, m)
	}
	return out, s.internalIf("group members rows", mr.Err())
}

// roundPred is the scope of rounds for perm: scope all every round; a
// department scope the rounds it organises or that plan one of its
// schools; scope self the rounds of the caller's groups.
func roundPred(ctx context.Context, perm zhudun.Permission) (string, []any, error) {
	f, err := zhudun.ScopeFor(ctx, perm)
	if err != nil {
		return "", nil, err
	}
	switch f.Kind {
	case zhudun.ScopeAll:
		return "1 = 1", nil, nil
	case zhudun.ScopeSelf:
		return "r.group_id IN (SELECT group_id FROM campus_group_members WHERE user_id = ?)", []any{f.UserID}, nil
	}
	own, oargs, err := scopeSQL(f, scopeCols{Path: "rd.path", DeptID: "r.dept_id"})
	if err != nil {
		return "", nil, err
	}
	sp, sargs, err := scopeSQL(f, scopeCols{Path: "sd.path", DeptID: "sc.station_id"})
	if err != nil {
		return "", nil, err
	}
	return "(" + own + ` OR r.id IN (SELECT rs.round_id FROM campus_round_schools rs JOIN campus_schools sc ON sc.id = rs.school_id
		JOIN depts sd ON sd.id = sc.station_id WHERE ` + sp + `))`, append(oargs, sargs...), nil
}

const roundSelect = `SELECT r.id, r.name, r.dept_id, rd.path, rd.code, r.group_id, g.name, r.mode, r.start_day, r.end_day, r.created_by, r.created_at,
	(SELECT COUNT(*) FROM campus_round_schools rs WHERE rs.round_id = r.id),
	(SELECT COUNT(*) FROM campus_round_schools rs WHERE rs.round_id = r.id AND EXISTS (SELECT 1 FROM campus_visits v WHERE v.round_id = r.id AND v.school_id = rs.school_id))
	FROM campus_rounds r JOIN depts rd ON rd.id = r.dept_id JOIN campus_groups g ON g.id = r.group_id`

func scanRound(r scanner) (*zhudun.Round, error) {
	var x zhudun.Round
	if err := r.Scan(&x.ID, &x.Name, &x.DeptID, &x.DeptPath, &x.Dept, &x.GroupID, &x.Group, &x.Mode, &x.StartDay, &x.EndDay, &x.CreatedBy, &x.CreatedAt,
		&x.Schools, &x.Reached); err != nil {
		return nil, err
	}
	x.CreatedAt = x.CreatedAt.UTC()
	return &x, nil
}

// roundInScope loads a round of the caller's scope for perm.
func (s *Store) roundInScope(ctx context.Context, q querier, id int64, perm zhudun.Permission) (*zhudun.Round, error) {
	pred, args, err := roundPred(ctx, perm)
	if err != nil {
		return nil, err
	}
	r, err := scanRound(q.queryRow(ctx, roundSelect+` WHERE `+pred+` AND r.id = ?`, append(args, id)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "round %d not found", id)
	}
	if err != nil {
		return nil, s.internal("round load", err)
	}
	return r, nil
}

// CreateRound plans a round: a group of the caller's campus:write reach,
// the schools (each within its campus:write scope) and the window.
// Audited campus.round.create.
func (s *Store) CreateRound(ctx context.Context, n zhudun.NewRound) (*zhudun.Round, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	caller := zhudun.CallerFrom(ctx)
	if !caller.Has(zhudun.PermCampusWrite) {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission campus:write required")
	}
	var id int64
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		code := n.Dept
		if code == "" {
			code = caller.DeptCode
		}
		d, err := tx.deptInScope(ctx, code, zhudun.PermCampusWrite)
		if err != nil {
			return zhudun.FieldError("dept", "%s", zhudun.ErrorMessage(err))
		}
		if _, err := tx.groupForWrite(ctx, n.GroupID); err != nil {
			if zhudun.ErrorCode(err) == zhudun.ENOTFOUND {
				return zhudun.FieldError("group_id", "group %d not found", n.GroupID)
			}
			return err
		}
		if err := tx.queryRow(ctx, `INSERT INTO campus_rounds (name, dept_id, group_id, mode, start_day, end_day, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			n.Name, d.ID, n.GroupID, n.Mode, n.StartDay, n.EndDay, caller.Username, tx.now).Scan(&id); err != nil {
			return tx.s.internal("round insert", err)
		}
		seen := map[int64]bool{}
		for _, sid := range n.Schools {
			if seen[sid] {
				continue
			}
			seen[sid] = true
			if _, err := tx.s.schoolInScope(ctx, tx, sid, zhudun.PermCampusWrite); err != nil {
				return zhudun.FieldError("schools", "school %d not found", sid)
			}
			if _, err := tx.exec(ctx, `INSERT INTO campus_round_schools (round_id, school_id) VALUES (?, ?)`, id, sid); err != nil {
				return tx.s.internal("round school insert", err)
			}
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "campus.round.create", ObjectType: "campus_round", ObjectID: fmt.Sprint(id),
			Detail: Detail(map[string]any{"name": n.Name, "group": n.GroupID, "schools": len(seen), "mode": n.Mode, "start_day": n.StartDay, "end_day": n.EndDay})})
	})
	if err != nil {
		return nil, err
	}
	return s.roundInScope(ctx, s, id, zhudun.PermCampusWrite)
}

// FindRounds lists the rounds of the caller's campus:read scope, newest
// first.
func (s *Store) FindRounds(ctx context.Context) ([]*zhudun.Round, error) {
	pred, args, err := roundPred(ctx, zhudun.PermCampusRead)
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, roundSelect+` WHERE `+pred+` ORDER BY r.id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, s.internal("rounds", err)
	}
	defer rows.Close()
	out := []*zhudun.Round{}
	for rows.Next() {
		r, err := scanRound(rows)
		if err != nil {
			return nil, s.internal("round scan", err)
		}
		out = append(out, r)
	}
	return out, s.internalIf("rounds rows", rows.Err())
}

// FindRoundByID returns a round of the caller's campus:read scope.
func (s *Store) FindRoundByID(ctx context.Context, id int64) (*zhudun.Round, error) {
	return s.roundInScope(ctx, s, id, zhudun.PermCampusRead)
}

// RoundCoverage is the round's board: of the planned schools the caller
// sees, those reached by a visit of the round and those not, the
// unreached counted by district and type.
func (s *Store) RoundCoverage(ctx context.Context, id int64) (*zhudun.Coverage, error) {
	r, err := s.roundInScope(ctx, s, id, zhudun.PermCampusRead)
	if err != nil {
		return nil, err
	}
	pred, args, err := campusPred(ctx, zhudun.PermCampusRead, "rs.round_id")
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT sc.id, EXISTS (SELECT 1 FROM campus_visits v WHERE v.round_id = rs.round_id AND v.school_id = sc.id)
		FROM campus_round_schools rs JOIN campus_schools sc ON sc.id = rs.school_id JOIN depts sd ON sd.id = sc.station_id
		WHERE rs.round_id = ? AND `+pred+` ORDER BY sc.id`, append([]any{id}, args...)...)
	if err != nil {
		return nil, s.internal("coverage", err)
	}
	cov := &zhudun.Coverage{Round: r, Unreached: []*zhudun.School{}, ByDistrict: map[string]int{}, ByType: map[string]int{}}
	var unreached []any
	for rows.Next() {
		var sid int64
		var reached bool
		if err := rows.Scan(&sid, &reached); err != nil {
			rows.Close()
			return nil, s.internal("coverage scan", err)
		}
		cov.Planned++
		if reached {
			cov.Reached++
		} else {
			unreached = append(unreached, sid)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.internal("coverage rows", err)
	}
	for len(unreached) > 0 {
		chunk := unreached[:min(len(unreached), 500)]
		unreached = unreached[len(chunk):]
		sr, err := s.query(ctx, schoolSelect+` WHERE sc.id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`) ORDER BY sc.district, sc.type, sc.name`, chunk...)
		if err != nil {
			return nil, s.internal("coverage schools", err)
		}
		for sr.Next() {
			sc, err := scanSchool(sr)
			if err != nil {
				sr.Close()
				return nil, s.internal("coverage school scan", err)
			}
			cov.Unreached = append(cov.Unreached, sc)
			cov.ByDistrict[sc.District]++
			cov.ByType[sc.Type]++
		}
		sr.Close()
		if err := sr.Err(); err != nil {
			return nil, s.internal("coverage schools rows", err)
		}
	}
	return cov, nil
}
