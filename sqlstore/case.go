package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
)

// Cases (issue 12, docs/cases.md): the case row, its reads and its
// lifecycle. Numbers are in casenumber.go, links and merges in caselink.go,
// people and measures in caseperson.go, seizures, entities and campaigns in
// caseseizure.go.

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

// caseNote records a timeline row that is not a lifecycle step (an edit,
// an attachment), the status left as it is.
func (tx *Tx) caseNote(ctx context.Context, c *zhudun.Case, kind, reason string, changes []zhudun.CaseChange) error {
	var ch string
	if len(changes) > 0 {
		ch = string(Detail(changes))
	}
	_, err := tx.exec(ctx, `INSERT INTO case_events (case_id, at, actor, from_status, to_status, reason, kind, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, tx.now, zhudun.CallerFrom(ctx).Username, c.Status, c.Status, reason, kind, ch)
	return tx.s.internalIf("case note", err)
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
	return tx.caseEmit(ctx, typ, c)
}

// caseEmit emits case.created or case.updated for case c to holders of
// case:read over its department (no personal data in it).
func (tx *Tx) caseEmit(ctx context.Context, typ string, c *zhudun.Case) error {
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
func (s *Store) CreateCase(ctx context.Context, n zhudun.NewCase) (*zhudun.CaseDetail, error) {
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
		c, entities, err := tx.createCase(ctx, n)
		if err != nil {
			return err
		}
		id = c.ID
		return tx.caseChanged(ctx, "case.create", c, map[string]any{"title": n.Title, "type": n.Type, "dept": c.DeptCode,
			"from_gang": n.FromGang, "entities": entities, "campaigns": n.Campaigns})
	})
	if err != nil {
		return nil, err
	}
	return s.caseDetail(ctx, s, id, zhudun.PermCaseWrite)
}

// createCase opens case n (validated) in a department of the caller's
// case:write scope, without its audit row; it returns the case and the
// number of the engine's entities it took.
func (tx *Tx) createCase(ctx context.Context, n zhudun.NewCase) (*zhudun.Case, int, error) {
	caller := zhudun.CallerFrom(ctx)
	var id int64
	code := n.Dept
	if code == "" {
		code = caller.DeptCode
	}
	d, err := tx.deptInScope(ctx, code, zhudun.PermCaseWrite)
	if err != nil {
		return nil, 0, zhudun.FieldError("dept", "%s", zhudun.ErrorMessage(err))
	}
	if d.Disabled {
		return nil, 0, zhudun.FieldError("dept", "department %s is disabled", d.Code)
	}
	team := slices.Clone(n.Team)
	if n.Lead != 0 {
		team = append(team, n.Lead)
	}
	slices.Sort(team)
	team = slices.Compact(team)
	users, err := tx.caseUsers(ctx, team)
	if err != nil {
		return nil, 0, err
	}
	for _, u := range team {
		if _, ok := users[u]; !ok {
			f := "team"
			if u == n.Lead {
				f = "lead"
			}
			return nil, 0, zhudun.FieldError(f, "user %d not found", u)
		}
	}
	var fs []*zhudun.Finding
	switch {
	case n.FromGang != "":
		if fs, err = tx.visibleFindings(ctx, "f.gang = ?", n.FromGang); err != nil {
			return nil, 0, err
		}
		if len(fs) == 0 {
			return nil, 0, zhudun.Errorf(zhudun.ENOTFOUND, "gang %s not found", n.FromGang)
		}
	case len(n.FromFindings) > 0:
		if fs, err = tx.findingsByID(ctx, n.FromFindings); err != nil {
			return nil, 0, err
		}
	}
	received := tx.now
	if n.ReceivedAt != nil {
		if n.ReceivedAt.After(tx.now.Add(time.Minute)) {
			return nil, 0, zhudun.FieldError("received_at", "received_at is in the future")
		}
		received = n.ReceivedAt.UTC().Truncate(time.Microsecond)
	}
	tmp := make([]byte, 8)
	_, _ = rand.Read(tmp)
	if err := tx.queryRow(ctx, `INSERT INTO cases (receipt, title, type, type_version, dept_id, lead_id, status, received_at, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		"tmp-"+hex.EncodeToString(tmp), n.Title, n.Type, zhudun.CaseTypesVersion, d.ID, nullID(n.Lead), zhudun.CaseReceived, received,
		caller.Username, tx.now, tx.now).Scan(&id); err != nil {
		return nil, 0, tx.s.internal("case insert", err)
	}
	tx.rollupCase(id)
	receipt := fmt.Sprintf("SA%d-%06d", received.In(zhudun.CST()).Year(), id)
	if _, err := tx.exec(ctx, `UPDATE cases SET receipt = ? WHERE id = ?`, receipt, id); err != nil {
		return nil, 0, tx.s.internal("case receipt", err)
	}
	for _, u := range n.Team {
		if u == n.Lead {
			continue
		}
		if _, err := tx.exec(ctx, `INSERT INTO case_team (case_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, u); err != nil {
			return nil, 0, tx.s.internal("case team", err)
		}
	}
	for _, cp := range n.Campaigns {
		if err := tx.tagCampaign(ctx, id, d, cp); err != nil {
			return nil, 0, err
		}
	}
	if _, err := tx.addEntities(ctx, id, fs); err != nil {
		return nil, 0, err
	}
	if err := tx.caseEventAt(ctx, id, received, "", zhudun.CaseReceived, ""); err != nil {
		return nil, 0, err
	}
	c, err := tx.s.caseInScope(ctx, tx, id, zhudun.PermCaseWrite)
	if err != nil {
		return nil, 0, err
	}
	return c, len(fs), nil
}

// FindCases lists the cases of the caller's case:read scope, newest first.
func (s *Store) FindCases(ctx context.Context, f zhudun.CaseFilter) ([]*zhudun.Case, int, error) {
	var w where
	if _, err := scoped(ctx, &w, zhudun.PermCaseRead, caseCols); err != nil {
		return nil, 0, err
	}
	switch {
	case f.Status == "":
	case f.Status == zhudun.CaseOpen:
		// Not yet solved or ended: received or filed (the dashboard's 在办案件).
		w.add("c.status IN (?, ?)", zhudun.CaseReceived, zhudun.CaseFiled)
	case slices.Contains(zhudun.CaseStatuses, f.Status):
		w.add("c.status = ?", f.Status)
	default:
		return nil, 0, zhudun.FieldError("status", "unknown status %q", f.Status)
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
func (s *Store) FindCaseByID(ctx context.Context, id int64) (*zhudun.CaseDetail, error) {
	return s.caseDetail(ctx, s, id, zhudun.PermCaseRead)
}

// FindCaseByNumber finds a case by its number or receipt; the number of a
// duplicate merged into another case returns the survivor (followed
// through chains of merges), with a note.
func (s *Store) FindCaseByNumber(ctx context.Context, number string) (*zhudun.CaseDetail, error) {
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
		c.Note = fmt.Sprintf("%s was merged into %s", number, caseName(c.Case))
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
func (s *Store) caseDetail(ctx context.Context, q querier, id int64, perm zhudun.Permission) (*zhudun.CaseDetail, error) {
	cs, err := s.caseInScope(ctx, q, id, perm)
	if err != nil {
		return nil, err
	}
	if err := s.caseTags(ctx, q, []*zhudun.Case{cs}); err != nil {
		return nil, err
	}
	c := &zhudun.CaseDetail{Case: cs}
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
	rows, err := q.query(ctx, `SELECT at, actor, from_status, to_status, reason, kind, changes FROM case_events WHERE case_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, s.internal("case events", err)
	}
	defer rows.Close()
	out := []*zhudun.CaseEvent{}
	for rows.Next() {
		var e zhudun.CaseEvent
		var changes string
		if err := rows.Scan(&e.At, &e.Actor, &e.From, &e.To, &e.Reason, &e.Kind, &changes); err != nil {
			return nil, s.internal("case event scan", err)
		}
		if changes != "" {
			if err := json.Unmarshal([]byte(changes), &e.Changes); err != nil {
				return nil, s.internal("case event changes", err)
			}
		}
		e.At = e.At.UTC()
		out = append(out, &e)
	}
	return out, s.internalIf("case events rows", rows.Err())
}

// TransitionCase moves a case along its lifecycle (case:write in scope).
// The status changes by compare-and-set, so that two concurrent moves of
// one case cannot both succeed; filing draws the department's next serial
// of the filing year in the same transaction. Audited case.file for
// filing, case.transition otherwise.
func (s *Store) TransitionCase(ctx context.Context, id int64, t zhudun.CaseTransition) (*zhudun.CaseDetail, error) {
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
		nc, action, detail, err := tx.transitionCase(ctx, id, t)
		if err != nil {
			return err
		}
		return tx.caseChanged(ctx, action, nc, detail)
	})
	if err != nil {
		return nil, err
	}
	return s.caseDetail(ctx, s, id, zhudun.PermCaseWrite)
}

// transitionCase moves case id (t checked) along its lifecycle, without
// its audit row; it returns the case as moved, the audit action and its
// detail.
func (tx *Tx) transitionCase(ctx context.Context, id int64, t zhudun.CaseTransition) (*zhudun.Case, string, map[string]any, error) {
	c, err := tx.writableCase(ctx, id)
	if err != nil {
		return nil, "", nil, err
	}
	if !zhudun.CanTransition(c.Status, t.To) {
		return nil, "", nil, zhudun.Errorf(zhudun.ECONFLICT, "a %s case cannot become %s", c.Status, t.To)
	}
	at := tx.now
	if t.At != nil {
		at = t.At.UTC().Truncate(time.Microsecond)
		if at.After(tx.now.Add(time.Minute)) {
			return nil, "", nil, zhudun.FieldError("at", "at is in the future")
		}
		// ORDER BY rather than MAX(): SQLite's aggregate loses the
		// column's time type.
		var last time.Time
		err := tx.queryRow(ctx, `SELECT at FROM case_events WHERE case_id = ? AND kind = 'status' ORDER BY at DESC LIMIT 1`, id).Scan(&last)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, "", nil, tx.s.internal("case last step", err)
		}
		if err == nil && at.Before(last) {
			return nil, "", nil, zhudun.FieldError("at", "at is before the case's last step (%s)", last.UTC().Format(time.RFC3339))
		}
	}
	col := map[string]string{zhudun.CaseFiled: "filed_at", zhudun.CaseSolved: "solved_at", zhudun.CaseTransferred: "transferred_at",
		zhudun.CaseClosedUnfiled: "closed_at", zhudun.CaseRevoked: "closed_at"}[t.To]
	res, err := tx.exec(ctx, `UPDATE cases SET status = ?, `+col+` = ?, updated_at = ? WHERE id = ? AND status = ?`, t.To, at, tx.now, id, c.Status)
	if err != nil {
		return nil, "", nil, tx.s.internal("case transition", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, "", nil, zhudun.Errorf(zhudun.ECONFLICT, "case %d changed meanwhile", id)
	}
	tx.rollupCase(id)
	action := "case.transition"
	if t.To == zhudun.CaseFiled {
		action = "case.file"
		if err := tx.fileNumber(ctx, c, at); err != nil {
			return nil, "", nil, err
		}
	}
	if err := tx.caseEventAt(ctx, id, at, c.Status, t.To, t.Reason); err != nil {
		return nil, "", nil, err
	}
	nc, err := tx.s.caseInScope(ctx, tx, id, zhudun.PermCaseWrite)
	if err != nil {
		return nil, "", nil, err
	}
	detail := map[string]any{"from": c.Status, "to": t.To, "reason": t.Reason}
	if t.At != nil {
		detail["at"] = at
	}
	if t.To == zhudun.CaseSolved {
		n, err := tx.confirmSolved(ctx, nc)
		if err != nil {
			return nil, "", nil, err
		}
		detail["confirmed"] = n
	}
	return nc, action, detail, nil
}

// confirmSolved confirms, through the workbench's review, the case's
// entities whose findings are not yet decided (status new) and that the
// caller may review (finding:write in scope): a solved case is the reason,
// and the confirmed entities reach their networks' cut lists. A finding an
// analyst dismissed is left to the analyst; outside the caller's scope it
// is left too. The two-person rule does not hold the case's own decision.
func (tx *Tx) confirmSolved(ctx context.Context, c *zhudun.Case) (int, error) {
	if !zhudun.CallerFrom(ctx).Has(zhudun.PermFindingWrite) {
		return 0, nil
	}
	var w where
	w.add("f.kind = ?", zhudun.KindFinding)
	w.add("f.review = ?", zhudun.ReviewNew)
	w.add("f.id IN (SELECT finding_id FROM case_entities WHERE case_id = ? AND finding_id IS NOT NULL)", c.ID)
	if _, err := scoped(ctx, &w, zhudun.PermFindingWrite, scopeCols{Path: "d.path", DeptID: "f.dept_id"}); err != nil {
		return 0, err
	}
	if err := tx.lockWorkbench(ctx); err != nil {
		return 0, err
	}
	fs, err := tx.findingsWhere(ctx, w)
	if err != nil || len(fs) == 0 {
		return 0, err
	}
	number := c.Number
	if number == "" {
		number = c.Receipt
	}
	res, err := tx.review(ctx, fs, zhudun.Review{Decision: zhudun.DecisionConfirm, Reason: "案件 " + number + " 已破案"}, "")
	if err != nil {
		return 0, err
	}
	return len(res.Findings), nil
}
