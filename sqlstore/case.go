package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
)

// Cases (issue 12, docs/cases.md): the case row, its number, lifecycle,
// links and merges. People and measures are in caseperson.go, seizures,
// entities and campaigns in caseseizure.go.

var _ zhudun.CaseService = (*Store)(nil)

// caseCols decide a case's data scope: its owning department.
var caseCols = scopeCols{Path: "d.path", DeptID: "c.dept_id"}

const caseSelect = `SELECT c.id, c.receipt, c.number, c.year, c.serial, c.title, c.type, c.type_version, c.dept_id, d.path, d.code,
	c.lead_id, COALESCE(u.username, ''), c.status, c.merged_into, c.received_at, c.filed_at, c.solved_at, c.transferred_at, c.closed_at,
	c.created_by, c.created_at, c.updated_at
	FROM cases c JOIN depts d ON d.id = c.dept_id LEFT JOIN users u ON u.id = c.lead_id`

func scanCase(r scanner) (*zhudun.Case, error) {
	var c zhudun.Case
	var number sql.NullString
	var year, serial, lead, merged sql.NullInt64
	var filed, solved, transferred, closed sql.NullTime
	if err := r.Scan(&c.ID, &c.Receipt, &number, &year, &serial, &c.Title, &c.Type, &c.TypeVersion, &c.DeptID, &c.DeptPath, &c.DeptCode,
		&lead, &c.Lead, &c.Status, &merged, &c.ReceivedAt, &filed, &solved, &transferred, &closed,
		&c.CreatedBy, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return nil, err
	}
	c.Number, c.Year, c.Serial, c.LeadID = number.String, int(year.Int64), int(serial.Int64), lead.Int64
	if merged.Valid {
		c.MergedInto = &merged.Int64
	}
	c.FiledAt, c.SolvedAt, c.TransferAt, c.ClosedAt = nullTime(filed), nullTime(solved), nullTime(transferred), nullTime(closed)
	c.ReceivedAt, c.CreatedAt, c.UpdatedAt = c.ReceivedAt.UTC(), c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	c.Team, c.Campaigns = []string{}, []zhudun.CampaignRef{}
	return &c, nil
}

// caseInScope loads a case inside the caller's scope for perm; outside it
// the case is ENOTFOUND, as if it did not exist.
func (s *Store) caseInScope(ctx context.Context, q querier, id int64, perm zhudun.Permission) (*zhudun.Case, error) {
	var w where
	if _, err := scoped(ctx, &w, perm, caseCols); err != nil {
		return nil, err
	}
	w.add("c.id = ?", id)
	c, err := scanCase(q.queryRow(ctx, caseSelect+w.sql(), w.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "case %d not found", id)
	}
	if err != nil {
		return nil, s.internal("case load", err)
	}
	return c, nil
}

// writableCase loads a case the caller may write that is not merged away.
func (tx *Tx) writableCase(ctx context.Context, id int64) (*zhudun.Case, error) {
	c, err := tx.s.caseInScope(ctx, tx, id, zhudun.PermCaseWrite)
	if err != nil {
		return nil, err
	}
	if c.Status == zhudun.CaseMerged {
		return nil, zhudun.Errorf(zhudun.ECONFLICT, "case %d was merged into case %d: write to that one", id, *c.MergedInto)
	}
	return c, nil
}

// caseEvent records one step of a case's lifecycle, taken now.
func (tx *Tx) caseEvent(ctx context.Context, id int64, from, to, reason string) error {
	return tx.caseEventAt(ctx, id, tx.now, from, to, reason)
}

// caseEventAt records one step of a case's lifecycle taken at at.
func (tx *Tx) caseEventAt(ctx context.Context, id int64, at time.Time, from, to, reason string) error {
	_, err := tx.exec(ctx, `INSERT INTO case_events (case_id, at, actor, from_status, to_status, reason) VALUES (?, ?, ?, ?, ?, ?)`,
		id, at, zhudun.CallerFrom(ctx).Username, from, to, reason)
	return tx.s.internalIf("case event", err)
}

// caseChanged audits a change of case c and emits case.updated (or the
// type given) to holders of case:read over its department.
func (tx *Tx) caseChanged(ctx context.Context, action string, c *zhudun.Case, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	detail["receipt"] = c.Receipt
	if c.Number != "" {
		detail["number"] = c.Number
	}
	if err := tx.audit(ctx, &zhudun.AuditEntry{Action: action, ObjectType: "case", ObjectID: fmt.Sprint(c.ID), Detail: Detail(detail)}); err != nil {
		return err
	}
	typ := "case.updated"
	if action == "case.create" {
		typ = "case.created"
	}
	return tx.emit(ctx, zhudun.Event{Type: typ, Perm: zhudun.PermCaseRead, DeptPath: c.DeptPath, DeptID: c.DeptID,
		Data: Detail(map[string]any{"id": c.ID, "receipt": c.Receipt, "number": c.Number, "status": c.Status, "dept": c.DeptCode})})
}

// caseUsers checks that the lead and team are users the caller reaches
// with case:write and returns their usernames by id.
func (tx *Tx) caseUsers(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var w where
	if _, err := scoped(ctx, &w, zhudun.PermCaseWrite, scopeCols{Path: "d.path", DeptID: "u.dept_id"}); err != nil {
		return nil, err
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	w.add("u.id IN (?"+strings.Repeat(", ?", len(ids)-1)+")", args...)
	w.add("u.disabled = ?", false)
	rows, err := tx.query(ctx, `SELECT u.id, u.username FROM users u JOIN depts d ON d.id = u.dept_id`+w.sql(), w.args...)
	if err != nil {
		return nil, tx.s.internal("case users", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, tx.s.internal("case users scan", err)
		}
		out[id] = name
	}
	return out, tx.s.internalIf("case users rows", rows.Err())
}

// CreateCase opens a case (受案) in a department of the caller's case:write
// scope, with its lead, team and campaigns, and — from a gang or chosen
// findings within the caller's finding:read scope — the engine's entities.
// Audited case.create.
func (s *Store) CreateCase(ctx context.Context, n zhudun.NewCase) (*zhudun.Case, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	caller := zhudun.CallerFrom(ctx)
	if caller == nil {
		return nil, zhudun.Errorf(zhudun.EUNAUTHORIZED, "not signed in")
	}
	if !caller.Has(zhudun.PermCaseWrite) {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission case:write required")
	}
	var id int64
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		code := n.Dept
		if code == "" {
			code = caller.DeptCode
		}
		d, err := tx.deptInScope(ctx, code, zhudun.PermCaseWrite)
		if err != nil {
			return zhudun.FieldError("dept", "%s", zhudun.ErrorMessage(err))
		}
		team := slices.Clone(n.Team)
		if n.Lead != 0 {
			team = append(team, n.Lead)
		}
		slices.Sort(team)
		team = slices.Compact(team)
		users, err := tx.caseUsers(ctx, team)
		if err != nil {
			return err
		}
		for _, u := range team {
			if _, ok := users[u]; !ok {
				f := "team"
				if u == n.Lead {
					f = "lead"
				}
				return zhudun.FieldError(f, "user %d not found", u)
			}
		}
		var fs []*zhudun.Finding
		switch {
		case n.FromGang != "":
			if fs, err = tx.visibleFindings(ctx, "f.gang = ?", n.FromGang); err != nil {
				return err
			}
			if len(fs) == 0 {
				return zhudun.Errorf(zhudun.ENOTFOUND, "gang %s not found", n.FromGang)
			}
		case len(n.FromFindings) > 0:
			if fs, err = tx.findingsByID(ctx, n.FromFindings); err != nil {
				return err
			}
		}
		received := tx.now
		if n.ReceivedAt != nil {
			if n.ReceivedAt.After(tx.now.Add(time.Minute)) {
				return zhudun.FieldError("received_at", "received_at is in the future")
			}
			received = n.ReceivedAt.UTC().Truncate(time.Microsecond)
		}
		tmp := make([]byte, 8)
		_, _ = rand.Read(tmp)
		if err := tx.queryRow(ctx, `INSERT INTO cases (receipt, title, type, type_version, dept_id, lead_id, status, received_at, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			"tmp-"+hex.EncodeToString(tmp), n.Title, n.Type, zhudun.CaseTypesVersion, d.ID, nullID(n.Lead), zhudun.CaseReceived, received,
			caller.Username, tx.now, tx.now).Scan(&id); err != nil {
			return tx.s.internal("case insert", err)
		}
		receipt := fmt.Sprintf("SA%d-%06d", received.In(zhudun.CST()).Year(), id)
		if _, err := tx.exec(ctx, `UPDATE cases SET receipt = ? WHERE id = ?`, receipt, id); err != nil {
			return tx.s.internal("case receipt", err)
		}
		for _, u := range n.Team {
			if u == n.Lead {
				continue
			}
			if _, err := tx.exec(ctx, `INSERT INTO case_team (case_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, u); err != nil {
				return tx.s.internal("case team", err)
			}
		}
		for _, cp := range n.Campaigns {
			if err := tx.tagCampaign(ctx, id, d, cp); err != nil {
				return err
			}
		}
		if _, err := tx.addEntities(ctx, id, fs); err != nil {
			return err
		}
		if err := tx.caseEventAt(ctx, id, received, "", zhudun.CaseReceived, ""); err != nil {
			return err
		}
		c, err := tx.s.caseInScope(ctx, tx, id, zhudun.PermCaseWrite)
		if err != nil {
			return err
		}
		return tx.caseChanged(ctx, "case.create", c, map[string]any{"title": n.Title, "type": n.Type, "dept": d.Code,
			"from_gang": n.FromGang, "entities": len(fs), "campaigns": n.Campaigns})
	})
	if err != nil {
		return nil, err
	}
	return s.caseDetail(ctx, s, id, zhudun.PermCaseWrite)
}

// FindCases lists the cases of the caller's case:read scope, newest first.
func (s *Store) FindCases(ctx context.Context, f zhudun.CaseFilter) ([]*zhudun.Case, int, error) {
	var w where
	if _, err := scoped(ctx, &w, zhudun.PermCaseRead, caseCols); err != nil {
		return nil, 0, err
	}
	if f.Status != "" {
		if !slices.Contains(zhudun.CaseStatuses, f.Status) {
			return nil, 0, zhudun.FieldError("status", "unknown status %q", f.Status)
		}
		w.add("c.status = ?", f.Status)
	}
	if f.Type != "" {
		if !zhudun.ValidCaseType(f.Type) {
			return nil, 0, zhudun.FieldError("type", "unknown case type %q", f.Type)
		}
		w.add("c.type = ?", f.Type)
	}
	if f.Campaign != 0 {
		w.add("c.id IN (SELECT case_id FROM case_campaigns WHERE campaign_id = ?)", f.Campaign)
	}
	if f.Dept != "" {
		w.add("d.path LIKE (SELECT path FROM depts WHERE code = ?) || '%'", f.Dept)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		w.add(`(LOWER(c.title) LIKE ? ESCAPE '\' OR LOWER(c.receipt) LIKE ? ESCAPE '\' OR LOWER(COALESCE(c.number, '')) LIKE ? ESCAPE '\')`,
			likeArg(q), likeArg(q), likeArg(q))
	}
	var total int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM cases c JOIN depts d ON d.id = c.dept_id`+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, s.internal("cases count", err)
	}
	off, lim := page(f.Offset, f.Limit)
	rows, err := s.query(ctx, caseSelect+w.sql()+fmt.Sprintf(` ORDER BY c.id DESC LIMIT %d OFFSET %d`, lim, off), w.args...)
	if err != nil {
		return nil, 0, s.internal("cases", err)
	}
	defer rows.Close()
	out := []*zhudun.Case{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, 0, s.internal("case scan", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, s.internal("cases rows", err)
	}
	rows.Close()
	if err := s.caseTags(ctx, s, out); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// caseTags fills the team and campaigns of cases.
func (s *Store) caseTags(ctx context.Context, q querier, cs []*zhudun.Case) error {
	if len(cs) == 0 {
		return nil
	}
	byID := map[int64]*zhudun.Case{}
	args := make([]any, len(cs))
	for i, c := range cs {
		byID[c.ID], args[i] = c, c.ID
	}
	in := "(?" + strings.Repeat(", ?", len(cs)-1) + ")"
	rows, err := q.query(ctx, `SELECT t.case_id, u.username FROM case_team t JOIN users u ON u.id = t.user_id WHERE t.case_id IN `+in+` ORDER BY u.username`, args...)
	if err != nil {
		return s.internal("case team", err)
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return s.internal("case team scan", err)
		}
		byID[id].Team = append(byID[id].Team, name)
	}
	rows.Close()
	rows, err = q.query(ctx, `SELECT cc.case_id, p.id, p.name FROM case_campaigns cc JOIN campaigns p ON p.id = cc.campaign_id WHERE cc.case_id IN `+in+` ORDER BY p.id`, args...)
	if err != nil {
		return s.internal("case campaigns", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var r zhudun.CampaignRef
		if err := rows.Scan(&id, &r.ID, &r.Name); err != nil {
			return s.internal("case campaigns scan", err)
		}
		byID[id].Campaigns = append(byID[id].Campaigns, r)
	}
	return s.internalIf("case campaigns rows", rows.Err())
}

// FindCaseByID returns a case of the caller's case:read scope with all its
// parts.
func (s *Store) FindCaseByID(ctx context.Context, id int64) (*zhudun.Case, error) {
	return s.caseDetail(ctx, s, id, zhudun.PermCaseRead)
}

// FindCaseByNumber finds a case by its number or receipt; the number of a
// duplicate merged into another case returns the survivor (followed
// through chains of merges), with a note.
func (s *Store) FindCaseByNumber(ctx context.Context, number string) (*zhudun.Case, error) {
	number = strings.TrimSpace(number)
	if number == "" {
		return nil, zhudun.FieldError("number", "a number is required")
	}
	var id int64
	var merged sql.NullInt64
	err := s.queryRow(ctx, `SELECT id, merged_into FROM cases WHERE number = ? OR receipt = ?`, number, number).Scan(&id, &merged)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "case %s not found", number)
	}
	if err != nil {
		return nil, s.internal("case by number", err)
	}
	for hops := 0; merged.Valid && hops < 32; hops++ {
		id = merged.Int64
		if err := s.queryRow(ctx, `SELECT merged_into FROM cases WHERE id = ?`, id).Scan(&merged); err != nil {
			return nil, s.internal("case merged", err)
		}
	}
	c, err := s.caseDetail(ctx, s, id, zhudun.PermCaseRead)
	if err != nil {
		// the duplicate's number must not tell where it went to a caller who
		// may not read the survivor
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "case %s not found", number)
	}
	if c.Number != number && c.Receipt != number {
		c.Note = fmt.Sprintf("%s was merged into %s", number, caseName(c))
	}
	return c, nil
}

func caseName(c *zhudun.Case) string {
	if c.Number != "" {
		return c.Number
	}
	return c.Receipt
}

// caseDetail loads a case in scope for perm with its parts.
func (s *Store) caseDetail(ctx context.Context, q querier, id int64, perm zhudun.Permission) (*zhudun.Case, error) {
	c, err := s.caseInScope(ctx, q, id, perm)
	if err != nil {
		return nil, err
	}
	if err := s.caseTags(ctx, q, []*zhudun.Case{c}); err != nil {
		return nil, err
	}
	if c.People, err = s.casePeople(ctx, q, id); err != nil {
		return nil, err
	}
	if c.Measures, err = s.caseMeasures(ctx, q, id); err != nil {
		return nil, err
	}
	if c.Seizures, err = s.caseSeizures(ctx, q, id); err != nil {
		return nil, err
	}
	if c.Entities, err = s.caseEntities(ctx, q, id); err != nil {
		return nil, err
	}
	if c.Events, err = s.caseEvents(ctx, q, id); err != nil {
		return nil, err
	}
	if c.Links, err = s.caseLinks(ctx, q, id); err != nil {
		return nil, err
	}
	return c, nil
}

func (s *Store) caseEvents(ctx context.Context, q querier, id int64) ([]*zhudun.CaseEvent, error) {
	rows, err := q.query(ctx, `SELECT at, actor, from_status, to_status, reason FROM case_events WHERE case_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, s.internal("case events", err)
	}
	defer rows.Close()
	out := []*zhudun.CaseEvent{}
	for rows.Next() {
		var e zhudun.CaseEvent
		if err := rows.Scan(&e.At, &e.Actor, &e.From, &e.To, &e.Reason); err != nil {
			return nil, s.internal("case event scan", err)
		}
		e.At = e.At.UTC()
		out = append(out, &e)
	}
	return out, s.internalIf("case events rows", rows.Err())
}

// caseLinks lists a case's links from both sides; the other case's title
// only when the caller may read it.
func (s *Store) caseLinks(ctx context.Context, q querier, id int64) ([]*zhudun.CaseLink, error) {
	rows, err := q.query(ctx, `SELECT l.id, c.id, c.receipt, COALESCE(c.number, ''), c.title, d.code, d.path, c.dept_id, l.reason, l.created_by, l.created_at
		FROM case_links l JOIN cases c ON c.id = CASE WHEN l.case_a = ? THEN l.case_b ELSE l.case_a END JOIN depts d ON d.id = c.dept_id
		WHERE l.case_a = ? OR l.case_b = ? ORDER BY l.id`, id, id, id)
	if err != nil {
		return nil, s.internal("case links", err)
	}
	defer rows.Close()
	f, ferr := zhudun.ScopeFor(ctx, zhudun.PermCaseRead)
	out := []*zhudun.CaseLink{}
	for rows.Next() {
		var l zhudun.CaseLink
		var path string
		var deptID int64
		if err := rows.Scan(&l.ID, &l.Case, &l.Receipt, &l.Number, &l.Title, &l.DeptCode, &path, &deptID, &l.Reason, &l.CreatedBy, &l.CreatedAt); err != nil {
			return nil, s.internal("case link scan", err)
		}
		if ferr != nil || !f.Covers(path, deptID, 0) {
			l.Title = ""
		}
		l.CreatedAt = l.CreatedAt.UTC()
		out = append(out, &l)
	}
	return out, s.internalIf("case links rows", rows.Err())
}

// casePrefix is the number prefix in force for department d (see
// zhudun.DefaultCasePrefix).
func (s *Store) casePrefix(ctx context.Context, q querier, d *zhudun.Dept) (*zhudun.CasePrefix, error) {
	out := &zhudun.CasePrefix{Dept: d.Code}
	err := q.queryRow(ctx, `SELECT prefix FROM case_prefixes WHERE dept_id = ?`, d.ID).Scan(&out.Prefix)
	if err == nil {
		return out, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, s.internal("case prefix", err)
	}
	out.Default = true
	root := zhudun.DefaultCasePrefix
	if err := q.queryRow(ctx, `SELECT prefix FROM case_prefixes WHERE dept_id = ?`, zhudun.RootDeptID).Scan(&root); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, s.internal("case root prefix", err)
	}
	out.Prefix = root
	if d.ID != zhudun.RootDeptID {
		out.Prefix = root + d.Code
	}
	return out, nil
}

// CasePrefixFor returns the prefix in force for a department of the
// caller's case:read scope.
func (s *Store) CasePrefixFor(ctx context.Context, dept string) (*zhudun.CasePrefix, error) {
	var w where
	if _, err := scoped(ctx, &w, zhudun.PermCaseRead, deptCols); err != nil {
		return nil, err
	}
	w.add("d.code = ?", dept)
	d, err := scanDept(s.queryRow(ctx, deptSelect+w.sql(), w.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "department %s not found", dept)
	}
	if err != nil {
		return nil, s.internal("dept load", err)
	}
	return s.casePrefix(ctx, s, d)
}

// SetCasePrefix sets a department's number prefix (case:write over it).
// Numbers given already keep theirs; a prefix another department uses is
// ECONFLICT. Audited case.prefix.
func (s *Store) SetCasePrefix(ctx context.Context, dept, prefix string) (*zhudun.CasePrefix, error) {
	prefix = strings.TrimSpace(prefix)
	if err := zhudun.ValidCasePrefix(prefix); err != nil {
		return nil, err
	}
	var out *zhudun.CasePrefix
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		d, err := tx.deptInScope(ctx, dept, zhudun.PermCaseWrite)
		if err != nil {
			return err
		}
		old, err := tx.s.casePrefix(ctx, tx, d)
		if err != nil {
			return err
		}
		var other int64
		err = tx.queryRow(ctx, `SELECT dept_id FROM case_prefixes WHERE prefix = ? AND dept_id <> ?`, prefix, d.ID).Scan(&other)
		if err == nil {
			return zhudun.Errorf(zhudun.ECONFLICT, "prefix %s is another department's", prefix)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return tx.s.internal("case prefix check", err)
		}
		// The root's prefix in force numbers the root's cases even when it
		// is the default: no other department may take it.
		if d.ID != zhudun.RootDeptID {
			rp, err := tx.s.casePrefix(ctx, tx, &zhudun.Dept{ID: zhudun.RootDeptID, Code: zhudun.RootDeptCode})
			if err != nil {
				return err
			}
			if rp.Prefix == prefix {
				return zhudun.Errorf(zhudun.ECONFLICT, "prefix %s is the root department's", prefix)
			}
			// nor another department's default (the root's and its code)
			if code, ok := strings.CutPrefix(prefix, rp.Prefix); ok {
				var n int
				if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM depts WHERE code = ? AND id <> ?`, code, d.ID).Scan(&n); err != nil {
					return tx.s.internal("case prefix default check", err)
				}
				if n > 0 {
					return zhudun.Errorf(zhudun.ECONFLICT, "prefix %s is department %s's default", prefix, code)
				}
			}
		}
		if _, err := tx.exec(ctx, `INSERT INTO case_prefixes (dept_id, prefix, updated_by, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (dept_id) DO UPDATE SET prefix = excluded.prefix, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			d.ID, prefix, zhudun.CallerFrom(ctx).Username, tx.now); err != nil {
			return tx.s.internal("case prefix set", err)
		}
		out = &zhudun.CasePrefix{Dept: d.Code, Prefix: prefix}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "case.prefix", ObjectType: "dept", ObjectID: d.Code,
			Detail: Detail(map[string]any{"from": old.Prefix, "to": prefix})})
	})
	return out, err
}

// TransitionCase moves a case along its lifecycle (case:write in scope).
// The status changes by compare-and-set, so that two concurrent moves of
// one case cannot both succeed; filing draws the department's next serial
// of the filing year in the same transaction. Audited case.file for
// filing, case.transition otherwise.
func (s *Store) TransitionCase(ctx context.Context, id int64, t zhudun.CaseTransition) (*zhudun.Case, error) {
	t.Reason = strings.TrimSpace(t.Reason)
	if !slices.Contains(zhudun.CaseStatuses, t.To) || t.To == zhudun.CaseMerged || t.To == zhudun.CaseReceived {
		return nil, zhudun.FieldError("to", "to must be filed, solved, transferred, closed_unfiled or revoked")
	}
	if zhudun.TransitionNeedsReason(t.To) || t.Reason != "" {
		if err := zhudun.ValidReason("reason", t.Reason); err != nil {
			return nil, err
		}
	}
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		c, err := tx.writableCase(ctx, id)
		if err != nil {
			return err
		}
		if !zhudun.CanTransition(c.Status, t.To) {
			return zhudun.Errorf(zhudun.ECONFLICT, "a %s case cannot become %s", c.Status, t.To)
		}
		at := tx.now
		if t.At != nil {
			at = t.At.UTC().Truncate(time.Microsecond)
			if at.After(tx.now.Add(time.Minute)) {
				return zhudun.FieldError("at", "at is in the future")
			}
			// ORDER BY rather than MAX(): SQLite's aggregate loses the
			// column's time type.
			var last time.Time
			err := tx.queryRow(ctx, `SELECT at FROM case_events WHERE case_id = ? ORDER BY at DESC LIMIT 1`, id).Scan(&last)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return tx.s.internal("case last step", err)
			}
			if err == nil && at.Before(last) {
				return zhudun.FieldError("at", "at is before the case's last step (%s)", last.UTC().Format(time.RFC3339))
			}
		}
		col := map[string]string{zhudun.CaseFiled: "filed_at", zhudun.CaseSolved: "solved_at", zhudun.CaseTransferred: "transferred_at",
			zhudun.CaseClosedUnfiled: "closed_at", zhudun.CaseRevoked: "closed_at"}[t.To]
		res, err := tx.exec(ctx, `UPDATE cases SET status = ?, `+col+` = ?, updated_at = ? WHERE id = ? AND status = ?`, t.To, at, tx.now, id, c.Status)
		if err != nil {
			return tx.s.internal("case transition", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return zhudun.Errorf(zhudun.ECONFLICT, "case %d changed meanwhile", id)
		}
		action := "case.transition"
		if t.To == zhudun.CaseFiled {
			action = "case.file"
			if err := tx.fileNumber(ctx, c, at); err != nil {
				return err
			}
		}
		if err := tx.caseEventAt(ctx, id, at, c.Status, t.To, t.Reason); err != nil {
			return err
		}
		nc, err := tx.s.caseInScope(ctx, tx, id, zhudun.PermCaseWrite)
		if err != nil {
			return err
		}
		detail := map[string]any{"from": c.Status, "to": t.To, "reason": t.Reason}
		if t.At != nil {
			detail["at"] = at
		}
		return tx.caseChanged(ctx, action, nc, detail)
	})
	if err != nil {
		return nil, err
	}
	return s.caseDetail(ctx, s, id, zhudun.PermCaseWrite)
}

// fileNumber gives case c the next serial of its department and the
// filing year (China time, of at) and its number. The counter row is incremented
// in one statement — the row lock orders concurrent filings — and a
// rolled-back filing rolls its increment back with it, so no serial is
// given twice or skipped by a failure, and none is reused.
func (tx *Tx) fileNumber(ctx context.Context, c *zhudun.Case, at time.Time) error {
	year := at.In(zhudun.CST()).Year()
	var serial int
	if err := tx.queryRow(ctx, `INSERT INTO case_counters (dept_id, year, last) VALUES (?, ?, 1)
		ON CONFLICT (dept_id, year) DO UPDATE SET last = case_counters.last + 1 RETURNING last`, c.DeptID, year).Scan(&serial); err != nil {
		return tx.s.internal("case counter", err)
	}
	d := &zhudun.Dept{ID: c.DeptID, Code: c.DeptCode}
	p, err := tx.s.casePrefix(ctx, tx, d)
	if err != nil {
		return err
	}
	number := zhudun.CaseNumber(p.Prefix, year, serial)
	var taken int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM cases WHERE number = ?`, number).Scan(&taken); err != nil {
		return tx.s.internal("case number check", err)
	}
	if taken > 0 {
		return zhudun.Errorf(zhudun.ECONFLICT, "number %s is taken: set the department's prefix", number)
	}
	_, err = tx.exec(ctx, `UPDATE cases SET number = ?, year = ?, serial = ? WHERE id = ?`, number, year, serial, c.ID)
	return tx.s.internalIf("case number", err)
}

// LinkCases links two cases (串并案) with a reason; case:write over both.
// Audited case.link on each.
func (s *Store) LinkCases(ctx context.Context, id, other int64, reason string) (*zhudun.CaseLink, error) {
	reason = strings.TrimSpace(reason)
	if err := zhudun.ValidReason("reason", reason); err != nil {
		return nil, err
	}
	if id == other {
		return nil, zhudun.FieldError("case", "a case is not linked to itself")
	}
	var out *zhudun.CaseLink
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		a, err := tx.writableCase(ctx, id)
		if err != nil {
			return err
		}
		b, err := tx.writableCase(ctx, other)
		if err != nil {
			return err
		}
		lo, hi := min(id, other), max(id, other)
		var lid int64
		err = tx.queryRow(ctx, `INSERT INTO case_links (case_a, case_b, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (case_a, case_b) DO NOTHING RETURNING id`, lo, hi, reason, zhudun.CallerFrom(ctx).Username, tx.now).Scan(&lid)
		if errors.Is(err, sql.ErrNoRows) {
			return zhudun.Errorf(zhudun.ECONFLICT, "cases %d and %d are linked already", id, other)
		}
		if err != nil {
			return tx.s.internal("case link", err)
		}
		for _, x := range []struct{ c, o *zhudun.Case }{{a, b}, {b, a}} {
			if err := tx.caseChanged(ctx, "case.link", x.c, map[string]any{"other": x.o.ID, "other_receipt": x.o.Receipt, "reason": reason}); err != nil {
				return err
			}
		}
		links, err := tx.s.caseLinks(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, l := range links {
			if l.ID == lid {
				out = l
			}
		}
		return nil
	})
	return out, err
}

// MergeCase merges duplicate id into the survivor into (case:write over
// both): the duplicate's people, measures, seizures, entities and
// campaigns move to the survivor (what the survivor holds already stays
// once), the duplicate becomes merged and points at it, and its number
// and receipt keep finding it (FindCaseByNumber). A duplicate must be
// open (received or filed). Audited case.merge on both.
func (s *Store) MergeCase(ctx context.Context, id, into int64, reason string) (*zhudun.Case, error) {
	reason = strings.TrimSpace(reason)
	if err := zhudun.ValidReason("reason", reason); err != nil {
		return nil, err
	}
	if id == into {
		return nil, zhudun.FieldError("into", "a case is not merged into itself")
	}
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		dup, err := tx.writableCase(ctx, id)
		if err != nil {
			return err
		}
		surv, err := tx.writableCase(ctx, into)
		if err != nil {
			return err
		}
		if dup.Status != zhudun.CaseReceived && dup.Status != zhudun.CaseFiled {
			return zhudun.Errorf(zhudun.ECONFLICT, "a %s case is not merged", dup.Status)
		}
		moves := []string{
			// people: a person the survivor holds in the same role stays once
			`INSERT INTO case_people (case_id, person_id, role, apprehended_on, note, created_by, created_at)
				SELECT ?, person_id, role, apprehended_on, note, created_by, created_at FROM case_people WHERE case_id = ?
				ON CONFLICT (case_id, person_id, role) DO NOTHING`,
			`INSERT INTO case_entities (case_id, finding_id, category, entity_type, entity, gang, evidence, added_by, added_at)
				SELECT ?, finding_id, category, entity_type, entity, gang, evidence, added_by, added_at FROM case_entities WHERE case_id = ?
				ON CONFLICT (case_id, category, entity) DO NOTHING`,
			`INSERT INTO case_campaigns (case_id, campaign_id) SELECT ?, campaign_id FROM case_campaigns WHERE case_id = ?
				ON CONFLICT DO NOTHING`,
			`UPDATE case_measures SET case_id = ? WHERE case_id = ?`,
			`UPDATE case_seizures SET case_id = ? WHERE case_id = ?`,
		}
		for _, q := range moves {
			if _, err := tx.exec(ctx, q, into, id); err != nil {
				return tx.s.internal("case merge move", err)
			}
		}
		// A suspect both cases hold keeps the duplicate's apprehension day
		// when the survivor has none.
		if _, err := tx.exec(ctx, `UPDATE case_people SET apprehended_on = (SELECT d.apprehended_on FROM case_people d
				WHERE d.case_id = ? AND d.person_id = case_people.person_id AND d.role = case_people.role)
			WHERE case_id = ? AND apprehended_on = '' AND EXISTS (SELECT 1 FROM case_people d
				WHERE d.case_id = ? AND d.person_id = case_people.person_id AND d.role = case_people.role AND d.apprehended_on <> '')`,
			id, into, id); err != nil {
			return tx.s.internal("case merge apprehension", err)
		}
		for _, q := range []string{`DELETE FROM case_people WHERE case_id = ?`, `DELETE FROM case_entities WHERE case_id = ?`, `DELETE FROM case_campaigns WHERE case_id = ?`} {
			if _, err := tx.exec(ctx, q, id); err != nil {
				return tx.s.internal("case merge clear", err)
			}
		}
		res, err := tx.exec(ctx, `UPDATE cases SET status = ?, merged_into = ?, closed_at = ?, updated_at = ? WHERE id = ? AND status = ?`,
			zhudun.CaseMerged, into, tx.now, tx.now, id, dup.Status)
		if err != nil {
			return tx.s.internal("case merge", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return zhudun.Errorf(zhudun.ECONFLICT, "case %d changed meanwhile", id)
		}
		if _, err := tx.exec(ctx, `UPDATE cases SET updated_at = ? WHERE id = ?`, tx.now, into); err != nil {
			return tx.s.internal("case merge survivor", err)
		}
		if err := tx.caseEvent(ctx, id, dup.Status, zhudun.CaseMerged, reason); err != nil {
			return err
		}
		dup.Status = zhudun.CaseMerged
		if err := tx.caseChanged(ctx, "case.merge", dup, map[string]any{"into": into, "into_receipt": surv.Receipt, "reason": reason}); err != nil {
			return err
		}
		return tx.caseChanged(ctx, "case.merge", surv, map[string]any{"merged": id, "merged_receipt": dup.Receipt, "merged_number": dup.Number, "reason": reason})
	})
	if err != nil {
		return nil, err
	}
	return s.caseDetail(ctx, s, into, zhudun.PermCaseWrite)
}
