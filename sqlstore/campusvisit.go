package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
)

// Campus visits, hazards and notices (issue 14, docs/campus.md): a visit
// fills its school's checklist; a failed item may raise a hazard,
// rectified on the spot or put under a notice; the re-inspection closes,
// extends or re-issues the notice; an open notice past its deadline
// escalates.

// inspectable checks that the caller may inspect the school in the round: the
// school is in its campus:inspect scope (a station's own, or planned in a
// round of its groups) and in the round's plan.
func (tx *Tx) inspectable(ctx context.Context, roundID, schoolID int64) (*zhudun.Round, *zhudun.School, error) {
	r, err := tx.s.roundInScope(ctx, tx, roundID, zhudun.PermCampusInspect)
	if err != nil {
		return nil, nil, err
	}
	// An agency member's round was checked above (its group's); its
	// plan decides the school. Anyone else inspects the schools of its
	// own scope.
	f, err := zhudun.ScopeFor(ctx, zhudun.PermCampusInspect)
	if err != nil {
		return nil, nil, err
	}
	pred, args := "1 = 1", []any(nil)
	if f.Kind != zhudun.ScopeSelf {
		if pred, args, err = campusPred(ctx, zhudun.PermCampusInspect, ""); err != nil {
			return nil, nil, err
		}
	}
	sc, err := scanSchool(tx.queryRow(ctx, schoolSelect+` WHERE `+pred+` AND sc.id = ? AND sc.id IN (SELECT school_id FROM campus_round_schools WHERE round_id = ?)`,
		append(args, schoolID, roundID)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, zhudun.FieldError("school_id", "school %d is not in round %d's plan within your scope", schoolID, roundID)
	}
	if err != nil {
		return nil, nil, tx.s.internal("visit school", err)
	}
	return r, sc, nil
}

// RecordVisit records a visit with its checklist results under the
// current edition and raises the hazards of failed items, each either
// rectified on the spot or open for a notice. Every applicable item must
// have a result. Audited campus.visit.create with the hazards' count.
func (s *Store) RecordVisit(ctx context.Context, n zhudun.NewVisit) (*zhudun.Visit, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	caller := zhudun.CallerFrom(ctx)
	if !caller.Has(zhudun.PermCampusInspect) {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission campus:inspect required")
	}
	var id int64
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		_, sc, err := tx.inspectable(ctx, n.RoundID, n.SchoolID)
		if err != nil {
			return err
		}
		cl, _ := zhudun.ChecklistFor(zhudun.ChecklistVersion, sc.Type)
		items := map[string]zhudun.ChecklistItem{}
		for _, it := range cl.Items {
			items[it.ID] = it
		}
		for _, r := range n.Results {
			if _, ok := items[r.Item]; !ok {
				return zhudun.FieldError("results", "item %s is not on the %s checklist v%d", r.Item, sc.Type, cl.Version)
			}
		}
		if len(n.Results) != len(items) {
			return zhudun.FieldError("results", "%d of the checklist's %d items have a result: give all", len(n.Results), len(items))
		}
		at := tx.now
		if n.At != nil {
			if n.At.After(tx.now) {
				return zhudun.FieldError("at", "a visit is not in the future")
			}
			at = n.At.UTC().Truncate(time.Microsecond)
		}
		officers, _ := json.Marshal(n.Officers)
		if err := tx.queryRow(ctx, `INSERT INTO campus_visits (round_id, school_id, mode, at, checklist_version, officers, note, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, n.RoundID, n.SchoolID, n.Mode, at, cl.Version, string(officers),
			strings.TrimSpace(n.Note), caller.Username, tx.now).Scan(&id); err != nil {
			return tx.s.internal("visit insert", err)
		}
		hazards, onSpot := 0, 0
		for _, r := range n.Results {
			if _, err := tx.exec(ctx, `INSERT INTO campus_visit_items (visit_id, item, result, note) VALUES (?, ?, ?, ?)`,
				id, r.Item, r.Result, strings.TrimSpace(r.Note)); err != nil {
				return tx.s.internal("visit item insert", err)
			}
			if r.Hazard == nil {
				continue
			}
			h := r.Hazard
			status, closed := zhudun.HazardOpen, any(nil)
			if h.RectifiedOnSpot {
				status, closed = zhudun.HazardRectified, at
				onSpot++
			}
			if _, err := tx.exec(ctx, `INSERT INTO campus_hazards (visit_id, round_id, school_id, item, category, severity, description, status,
				rectify_note, found_at, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, n.RoundID, n.SchoolID, r.Item,
				items[r.Item].Category, h.Severity, h.Description, status, strings.TrimSpace(h.RectifyNote), at, closed); err != nil {
				return tx.s.internal("hazard insert", err)
			}
			hazards++
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "campus.visit.create", ObjectType: "campus_visit", ObjectID: fmt.Sprint(id),
			Detail: Detail(map[string]any{"round": n.RoundID, "school": sc.Code, "mode": n.Mode, "hazards": hazards, "rectified_on_spot": onSpot})})
	})
	if err != nil {
		return nil, err
	}
	return s.visit(ctx, id, zhudun.PermCampusInspect)
}

// FindVisitByID returns a visit of the caller's campus:read scope.
func (s *Store) FindVisitByID(ctx context.Context, id int64) (*zhudun.Visit, error) {
	return s.visit(ctx, id, zhudun.PermCampusRead)
}

func (s *Store) visit(ctx context.Context, id int64, perm zhudun.Permission) (*zhudun.Visit, error) {
	pred, args, err := campusPred(ctx, perm, "v.round_id")
	if err != nil {
		return nil, err
	}
	var v zhudun.Visit
	var officers string
	err = s.queryRow(ctx, `SELECT v.id, v.round_id, v.school_id, sc.name, v.mode, v.at, v.checklist_version, v.officers, v.note, v.created_by
		FROM campus_visits v JOIN campus_schools sc ON sc.id = v.school_id JOIN depts sd ON sd.id = sc.station_id
		WHERE `+pred+` AND v.id = ?`, append(args, id)...).Scan(&v.ID, &v.RoundID, &v.SchoolID, &v.School, &v.Mode, &v.At,
		&v.ChecklistVersion, &officers, &v.Note, &v.CreatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "visit %d not found", id)
	}
	if err != nil {
		return nil, s.internal("visit load", err)
	}
	v.At = v.At.UTC()
	_ = json.Unmarshal([]byte(officers), &v.Officers)
	rows, err := s.query(ctx, `SELECT item, result, note FROM campus_visit_items WHERE visit_id = ? ORDER BY item`, id)
	if err != nil {
		return nil, s.internal("visit items", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r zhudun.ItemResult
		if err := rows.Scan(&r.Item, &r.Result, &r.Note); err != nil {
			return nil, s.internal("visit item scan", err)
		}
		v.Results = append(v.Results, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.internal("visit items rows", err)
	}
	v.Hazards, _, err = s.findHazards(ctx, perm, "h.visit_id = ?", []any{id}, 0, 500)
	return &v, err
}

const hazardSelect = `SELECT h.id, h.visit_id, h.round_id, h.school_id, sc.name, h.item, h.category, h.severity, h.description, h.status,
	h.rectify_note, h.notice_id, h.found_at, h.closed_at
	FROM campus_hazards h JOIN campus_schools sc ON sc.id = h.school_id JOIN depts sd ON sd.id = sc.station_id`

func scanHazard(r scanner) (*zhudun.Hazard, error) {
	var h zhudun.Hazard
	var notice sql.NullInt64
	var closed sql.NullTime
	if err := r.Scan(&h.ID, &h.VisitID, &h.RoundID, &h.SchoolID, &h.School, &h.Item, &h.Category, &h.Severity, &h.Description, &h.Status,
		&h.RectifyNote, &notice, &h.FoundAt, &closed); err != nil {
		return nil, err
	}
	if notice.Valid {
		h.NoticeID = &notice.Int64
	}
	h.FoundAt, h.ClosedAt = h.FoundAt.UTC(), nullTime(closed)
	return &h, nil
}

func (s *Store) findHazards(ctx context.Context, perm zhudun.Permission, extra string, xargs []any, off, lim int) ([]*zhudun.Hazard, int, error) {
	pred, args, err := campusPred(ctx, perm, "h.round_id")
	if err != nil {
		return nil, 0, err
	}
	w := where{parts: []string{pred, extra}, args: append(args, xargs...)}
	var total int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM campus_hazards h JOIN campus_schools sc ON sc.id = h.school_id
		JOIN depts sd ON sd.id = sc.station_id`+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, s.internal("hazards count", err)
	}
	rows, err := s.query(ctx, hazardSelect+w.sql()+` ORDER BY h.id LIMIT ? OFFSET ?`, append(w.args, lim, off)...)
	if err != nil {
		return nil, 0, s.internal("hazards", err)
	}
	defer rows.Close()
	out := []*zhudun.Hazard{}
	for rows.Next() {
		h, err := scanHazard(rows)
		if err != nil {
			return nil, 0, s.internal("hazard scan", err)
		}
		out = append(out, h)
	}
	return out, total, s.internalIf("hazards rows", rows.Err())
}

// hazardWhere turns a filter into a predicate over h.
func hazardWhere(f zhudun.HazardFilter, alias string) (string, []any) {
	var w where
	w.add("1 = 1")
	if f.Round != 0 {
		w.add(alias+".round_id = ?", f.Round)
	}
	if f.School != 0 {
		w.add(alias+".school_id = ?", f.School)
	}
	if f.Status != "" {
		w.add(alias+".status = ?", f.Status)
	}
	return strings.Join(w.parts, " AND "), w.args
}

// FindHazards lists the hazards of the caller's campus:read scope.
func (s *Store) FindHazards(ctx context.Context, f zhudun.HazardFilter) ([]*zhudun.Hazard, int, error) {
	pred, args := hazardWhere(f, "h")
	off, lim := page(f.Offset, f.Limit)
	return s.findHazards(ctx, zhudun.PermCampusRead, pred, args, off, lim)
}

// nextNotice numbers a notice of department d in the year (China time) of
// at: the counter row is incremented in one statement, so a serial is never
// given twice, and a rolled-back issue rolls its increment back.
func (tx *Tx) nextNotice(ctx context.Context, d *zhudun.Dept, at time.Time) (string, int, int, error) {
	year := at.In(zhudun.CST()).Year()
	var serial int
	if err := tx.queryRow(ctx, `INSERT INTO campus_notice_counters (dept_id, year, last) VALUES (?, ?, 1)
		ON CONFLICT (dept_id, year) DO UPDATE SET last = campus_notice_counters.last + 1 RETURNING last`, d.ID, year).Scan(&serial); err != nil {
		return "", 0, 0, tx.s.internal("notice counter", err)
	}
	return zhudun.NoticeNumber(d.Name, year, serial), year, serial, nil
}

// insertNotice stores a notice of department d issued at at over hazards
// (all open or noticed, of one school and round) and puts them under it.
func (tx *Tx) insertNotice(ctx context.Context, d *zhudun.Dept, hs []*zhudun.Hazard, n zhudun.NewNotice, at time.Time) (int64, string, error) {
	number, year, serial, err := tx.nextNotice(ctx, d, at)
	if err != nil {
		return 0, "", err
	}
	officers, _ := json.Marshal(n.Officers)
	var id int64
	if err := tx.queryRow(ctx, `INSERT INTO campus_notices (number, year, serial, dept_id, school_id, round_id, legal_basis, deadline, school_rep,
		officers, status, issued_by, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, number, year, serial, d.ID,
		hs[0].SchoolID, hs[0].RoundID, n.LegalBasis, n.Deadline, n.SchoolRep, string(officers), zhudun.NoticeOpen,
		zhudun.CallerFrom(ctx).Username, at).Scan(&id); err != nil {
		if tx.s.dialect.IsUniqueViolation(err) {
			return 0, "", zhudun.Errorf(zhudun.ECONFLICT, "notice number %s is taken", number)
		}
		return 0, "", tx.s.internal("notice insert", err)
	}
	for _, h := range hs {
		if _, err := tx.exec(ctx, `UPDATE campus_hazards SET status = ?, notice_id = ? WHERE id = ?`, zhudun.HazardNoticed, id, h.ID); err != nil {
			return 0, "", tx.s.internal("hazard notice", err)
		}
	}
	return id, number, nil
}

// IssueNotice issues a Rectification-within-deadline Notice for open
// hazards of one school (campus:inspect over them), numbered in the
// issuing department's series for the year of its issue. IssuedAt
// back-enters a paper notice (补录): not in the future, not before any of
// its hazards was found, its deadline after the issue day (it may have
// passed: the notice is then overdue at once). A hazard rectified on the
// spot or already under a notice is ECONFLICT. Audited campus.notice.issue
// with the issue instant.
func (s *Store) IssueNotice(ctx context.Context, n zhudun.NewNotice) (*zhudun.Notice, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	caller := zhudun.CallerFrom(ctx)
	if !caller.Has(zhudun.PermCampusInspect) {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission campus:inspect required")
	}
	var id int64
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		at, err := pastInstant(n.IssuedAt, tx.now, "issued_at", "a notice is not issued in the future")
		if err != nil {
			return err
		}
		if n.Deadline <= tx0Day(at) {
			if n.IssuedAt == nil {
				return zhudun.FieldError("deadline", "the deadline is after today")
			}
			return zhudun.FieldError("deadline", "the deadline is after the issue day %s", tx0Day(at))
		}
		code := n.Dept
		if code == "" {
			code = caller.DeptCode
		}
		d, err := tx.deptInScope(ctx, code, zhudun.PermCampusInspect)
		if err != nil {
			return zhudun.FieldError("dept", "the issuing department: %s", zhudun.ErrorMessage(err))
		}
		ids := slices.Clone(n.Hazards)
		slices.Sort(ids)
		ids = slices.Compact(ids)
		args := make([]any, len(ids))
		for i, v := range ids {
			args[i] = v
		}
		hs, _, err := tx.s.findHazardsTx(ctx, tx, zhudun.PermCampusInspect, "h.id IN (?"+strings.Repeat(", ?", len(ids)-1)+")", args)
		if err != nil {
			return err
		}
		if len(hs) != len(ids) {
			return zhudun.FieldError("hazards", "a hazard was not found")
		}
		for _, h := range hs {
			if h.Status != zhudun.HazardOpen {
				return zhudun.Errorf(zhudun.ECONFLICT, "hazard %d is %s: only an open hazard gets a notice", h.ID, h.Status)
			}
			if h.SchoolID != hs[0].SchoolID || h.RoundID != hs[0].RoundID {
				return zhudun.FieldError("hazards", "a notice is for the hazards of one school in one round")
			}
			if at.Before(h.FoundAt) {
				return zhudun.FieldError("issued_at", "hazard %d was found at %s: a notice is not issued before the visit",
					h.ID, h.FoundAt.In(zhudun.CST()).Format("2006-01-02 15:04"))
			}
		}
		var number string
		if id, number, err = tx.insertNotice(ctx, d, hs, n, at); err != nil {
			return err
		}
		detail := map[string]any{"number": number, "school": hs[0].SchoolID, "hazards": ids, "deadline": n.Deadline,
			"legal_basis": n.LegalBasis, "issued_at": at.Format(time.RFC3339)}
		if n.IssuedAt != nil {
			detail["back_entered"] = true
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "campus.notice.issue", ObjectType: "campus_notice", ObjectID: fmt.Sprint(id),
			Detail: Detail(detail)})
	})
	if err != nil {
		return nil, err
	}
	return s.notice(ctx, s, id, zhudun.PermCampusInspect)
}

// pastInstant is the instant a back-entered record gives (at the
// microsecond both backends keep), or now without one; an instant after
// now is EINVALID on field.
func pastInstant(given *time.Time, now time.Time, field, msg string) (time.Time, error) {
	if given == nil {
		return now, nil
	}
	if given.After(now) {
		return time.Time{}, zhudun.FieldError(field, "%s", msg)
	}
	return given.UTC().Truncate(time.Microsecond), nil
}

// tx0Day is the China calendar day of t, 'YYYY-MM-DD'.
func tx0Day(t time.Time) string { return t.In(zhudun.CST()).Format("2006-01-02") }

// findHazardsTx is findHazards on q (a transaction).
func (s *Store) findHazardsTx(ctx context.Context, q querier, perm zhudun.Permission, extra string, xargs []any) ([]*zhudun.Hazard, int, error) {
	pred, args, err := campusPred(ctx, perm, "h.round_id")
	if err != nil {
		return nil, 0, err
	}
	rows, err := q.query(ctx, hazardSelect+` WHERE `+pred+` AND `+extra+` ORDER BY h.id`, append(args, xargs...)...)
	if err != nil {
		return nil, 0, s.internal("hazards", err)
	}
	defer rows.Close()
	out := []*zhudun.Hazard{}
	for rows.Next() {
		h, err := scanHazard(rows)
		if err != nil {
			return nil, 0, s.internal("hazard scan", err)
		}
		out = append(out, h)
	}
	return out, len(out), s.internalIf("hazards rows", rows.Err())
}

const noticeSelect = `SELECT n.id, n.number, n.year, n.serial, n.dept_id, nd.code, nd.name, n.school_id, sc.name, n.round_id, n.legal_basis,
	n.deadline, n.school_rep, n.officers, n.status, n.replaced_by, n.escalated_at, n.issued_by, n.issued_at, n.closed_at
	FROM campus_notices n JOIN depts nd ON nd.id = n.dept_id JOIN campus_schools sc ON sc.id = n.school_id JOIN depts sd ON sd.id = sc.station_id`

func scanNotice(r scanner, now time.Time) (*zhudun.Notice, error) {
	var n zhudun.Notice
	var officers string
	var replaced sql.NullInt64
	var esc, closed sql.NullTime
	if err := r.Scan(&n.ID, &n.Number, &n.Year, &n.Serial, &n.DeptID, &n.Dept, &n.DeptName, &n.SchoolID, &n.School, &n.RoundID, &n.LegalBasis,
		&n.Deadline, &n.SchoolRep, &officers, &n.Status, &replaced, &esc, &n.IssuedBy, &n.IssuedAt, &closed); err != nil {
		return nil, err
	}
	_ = json.Unmarshal([]byte(officers), &n.Officers)
	if replaced.Valid {
		n.ReplacedBy = &replaced.Int64
	}
	n.EscalatedAt, n.ClosedAt, n.IssuedAt = nullTime(esc), nullTime(closed), n.IssuedAt.UTC()
	n.Overdue = zhudun.IsOverdue(n.Status, n.Deadline, now)
	n.Hazards, n.Steps = []*zhudun.Hazard{}, []zhudun.NoticeStep{}
	return &n, nil
}

// notice loads a notice of the caller's scope for perm with its hazards
// and steps.
func (s *Store) notice(ctx context.Context, q querier, id int64, perm zhudun.Permission) (*zhudun.Notice, error) {
	pred, args, err := campusPred(ctx, perm, "n.round_id")
	if err != nil {
		return nil, err
	}
	n, err := scanNotice(q.queryRow(ctx, noticeSelect+` WHERE `+pred+` AND n.id = ?`, append(args, id)...), s.clock())
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "notice %d not found", id)
	}
	if err != nil {
		return nil, s.internal("notice load", err)
	}
	// A superseded notice's hazards moved to the notice that replaced it:
	// it lists them still.
	if n.Hazards, _, err = s.findHazardsTx(ctx, q, perm, "(h.notice_id = ? OR h.notice_id = (SELECT replaced_by FROM campus_notices WHERE id = ?))", []any{id, id}); err != nil {
		return nil, err
	}
	rows, err := q.query(ctx, `SELECT at, actor, outcome, deadline, reason FROM campus_notice_steps WHERE notice_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, s.internal("notice steps", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st zhudun.NoticeStep
		if err := rows.Scan(&st.At, &st.Actor, &st.Outcome, &st.Deadline, &st.Reason); err != nil {
			return nil, s.internal("notice step scan", err)
		}
		st.At = st.At.UTC()
		n.Steps = append(n.Steps, st)
	}
	return n, s.internalIf("notice steps rows", rows.Err())
}

// FindNoticeByID returns a notice of the caller's campus:read scope.
func (s *Store) FindNoticeByID(ctx context.Context, id int64) (*zhudun.Notice, error) {
	return s.notice(ctx, s, id, zhudun.PermCampusRead)
}

// FindNotices lists the notices of the caller's campus:read scope, newest
// first; Status "overdue" selects the open notices past their deadline.
func (s *Store) FindNotices(ctx context.Context, f zhudun.HazardFilter) ([]*zhudun.Notice, int, error) {
	pred, args, err := campusPred(ctx, zhudun.PermCampusRead, "n.round_id")
	if err != nil {
		return nil, 0, err
	}
	overdue := f.Status == "overdue"
	if overdue {
		f.Status = zhudun.NoticeOpen
	}
	hp, hargs := hazardWhere(f, "n")
	w := where{parts: []string{pred, hp}, args: append(args, hargs...)}
	if overdue {
		w.add("n.deadline < ?", tx0Day(s.clock()))
	}
	var total int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM campus_notices n JOIN campus_schools sc ON sc.id = n.school_id
		JOIN depts sd ON sd.id = sc.station_id`+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, s.internal("notices count", err)
	}
	off, lim := page(f.Offset, f.Limit)
	rows, err := s.query(ctx, noticeSelect+w.sql()+` ORDER BY n.id DESC LIMIT ? OFFSET ?`, append(w.args, lim, off)...)
	if err != nil {
		return nil, 0, s.internal("notices", err)
	}
	defer rows.Close()
	now := s.clock()
	out := []*zhudun.Notice{}
	for rows.Next() {
		n, err := scanNotice(rows, now)
		if err != nil {
			return nil, 0, s.internal("notice scan", err)
		}
		out = append(out, n)
	}
	return out, total, s.internalIf("notices rows", rows.Err())
}

// Reinspect records a re-inspection of an open notice (campus:inspect
// over it): close rectifies it and its hazards; extend sets a later
// deadline with a reason; reissue, when the hazards are still there,
// supersedes it with a new notice (a new number of the same department)
// for the same hazards, issued at the re-inspection. At back-enters a
// re-inspection done earlier: not in the future, not before the notice's
// issue or its last step; a new deadline is after the re-inspection's
// day. Audited campus.notice.reinspect with the re-inspection instant.
func (s *Store) Reinspect(ctx context.Context, id int64, r zhudun.Reinspection) (*zhudun.Notice, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if !zhudun.CallerFrom(ctx).Has(zhudun.PermCampusInspect) {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission campus:inspect required")
	}
	out := id
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		n, err := tx.s.notice(ctx, tx, id, zhudun.PermCampusInspect)
		if err != nil {
			return err
		}
		if n.Status != zhudun.NoticeOpen {
			return zhudun.Errorf(zhudun.ECONFLICT, "notice %s is %s", n.Number, n.Status)
		}
		at, err := pastInstant(r.At, tx.now, "at", "a re-inspection is not in the future")
		if err != nil {
			return err
		}
		if at.Before(n.IssuedAt) {
			return zhudun.FieldError("at", "notice %s was issued at %s: a re-inspection is not before it",
				n.Number, n.IssuedAt.In(zhudun.CST()).Format("2006-01-02 15:04"))
		}
		if k := len(n.Steps); k > 0 && at.Before(n.Steps[k-1].At) {
			return zhudun.FieldError("at", "notice %s was last re-inspected at %s: a re-inspection is not before it",
				n.Number, n.Steps[k-1].At.In(zhudun.CST()).Format("2006-01-02 15:04"))
		}
		if r.Outcome != zhudun.ReinspectClose && r.Deadline <= tx0Day(at) {
			if r.At == nil {
				return zhudun.FieldError("deadline", "the new deadline is after today")
			}
			return zhudun.FieldError("deadline", "the new deadline is after the re-inspection day %s", tx0Day(at))
		}
		if r.Outcome == zhudun.ReinspectExtend && r.Deadline <= n.Deadline {
			return zhudun.FieldError("deadline", "an extension's deadline is after %s", n.Deadline)
		}
		detail := map[string]any{"number": n.Number, "outcome": r.Outcome, "reason": r.Reason, "at": at.Format(time.RFC3339)}
		if r.At != nil {
			detail["back_entered"] = true
		}
		switch r.Outcome {
		case zhudun.ReinspectClose:
			if _, err := tx.exec(ctx, `UPDATE campus_notices SET status = ?, closed_at = ? WHERE id = ?`, zhudun.NoticeClosed, at, id); err != nil {
				return tx.s.internal("notice close", err)
			}
			if _, err := tx.exec(ctx, `UPDATE campus_hazards SET status = ?, closed_at = ? WHERE notice_id = ?`, zhudun.HazardClosed, at, id); err != nil {
				return tx.s.internal("notice hazards close", err)
			}
		case zhudun.ReinspectExtend:
			if _, err := tx.exec(ctx, `UPDATE campus_notices SET deadline = ?, escalated_at = NULL WHERE id = ?`, r.Deadline, id); err != nil {
				return tx.s.internal("notice extend", err)
			}
			detail["from"], detail["to"] = n.Deadline, r.Deadline
		case zhudun.ReinspectReissue:
			officers := r.Officers
			if len(officers) == 0 {
				officers = n.Officers
			}
			d := &zhudun.Dept{ID: n.DeptID, Code: n.Dept, Name: n.DeptName}
			nid, number, err := tx.insertNotice(ctx, d, n.Hazards, zhudun.NewNotice{LegalBasis: n.LegalBasis, Deadline: r.Deadline,
				SchoolRep: n.SchoolRep, Officers: officers}, at)
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE campus_notices SET status = ?, replaced_by = ?, closed_at = ? WHERE id = ?`,
				zhudun.NoticeSuperseded, nid, at, id); err != nil {
				return tx.s.internal("notice supersede", err)
			}
			detail["new_number"] = number
			out = nid
		}
		if _, err := tx.exec(ctx, `INSERT INTO campus_notice_steps (notice_id, at, actor, outcome, deadline, reason) VALUES (?, ?, ?, ?, ?, ?)`,
			id, at, zhudun.CallerFrom(ctx).Username, r.Outcome, r.Deadline, r.Reason); err != nil {
			return tx.s.internal("notice step", err)
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "campus.notice.reinspect", ObjectType: "campus_notice", ObjectID: fmt.Sprint(id), Detail: Detail(detail)})
	})
	if err != nil {
		return nil, err
	}
	return s.notice(ctx, s, out, zhudun.PermCampusInspect)
}

// EscalateOverdueNotices marks the open notices past their deadline and not yet
// escalated (all of them: it runs as the system, from serve's ticker or
// the CLI), alerting the school's station and each education member of
// the round's group, one audit row per notice (campus.notice.overdue)
// and an event to the station's campus:read holders.
func (s *Store) EscalateOverdueNotices(ctx context.Context) ([]*zhudun.CampusAlert, error) {
	c := zhudun.CallerFrom(ctx)
	if c == nil || !c.System {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "escalation runs as the system")
	}
	var out []*zhudun.CampusAlert
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT n.id, n.number, n.deadline, sc.name, sd.code, sd.path, sd.id, n.round_id FROM campus_notices n
			JOIN campus_schools sc ON sc.id = n.school_id JOIN depts sd ON sd.id = sc.station_id
			WHERE n.status = ? AND n.escalated_at IS NULL AND n.deadline < ? ORDER BY n.id`, zhudun.NoticeOpen, tx0Day(tx.now))
		if err != nil {
			return tx.s.internal("overdue notices", err)
		}
		type due struct {
			id, stationID, round                    int64
			number, deadline, school, station, path string
		}
		var ds []due
		for rows.Next() {
			var d due
			if err := rows.Scan(&d.id, &d.number, &d.deadline, &d.school, &d.station, &d.path, &d.stationID, &d.round); err != nil {
				rows.Close()
				return tx.s.internal("overdue scan", err)
			}
			ds = append(ds, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return tx.s.internal("overdue rows", err)
		}
		for _, d := range ds {
			recipients := []string{"station:" + d.station}
			mr, err := tx.query(ctx, `SELECT m.name FROM campus_group_members m JOIN campus_rounds r ON r.group_id = m.group_id
				WHERE r.id = ? AND m.agency = ? ORDER BY m.id`, d.round, zhudun.AgencyEducation)
			if err != nil {
				return tx.s.internal("overdue education", err)
			}
			for mr.Next() {
				var name string
				if err := mr.Scan(&name); err != nil {
					mr.Close()
					return tx.s.internal("overdue education scan", err)
				}
				recipients = append(recipients, "education:"+name)
			}
			mr.Close()
			for _, rc := range recipients {
				if _, err := tx.exec(ctx, `INSERT INTO campus_alerts (notice_id, recipient, at) VALUES (?, ?, ?)`, d.id, rc, tx.now); err != nil {
					return tx.s.internal("campus alert", err)
				}
				out = append(out, &zhudun.CampusAlert{NoticeID: d.id, Number: d.number, School: d.school, Recipient: rc, At: tx.now})
			}
			if _, err := tx.exec(ctx, `UPDATE campus_notices SET escalated_at = ? WHERE id = ?`, tx.now, d.id); err != nil {
				return tx.s.internal("notice escalate", err)
			}
			if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "campus.notice.overdue", ObjectType: "campus_notice", ObjectID: fmt.Sprint(d.id),
				Detail: Detail(map[string]any{"number": d.number, "deadline": d.deadline, "alerted": recipients})}); err != nil {
				return err
			}
			if err := tx.emit(ctx, zhudun.Event{Type: "campus.overdue", Perm: zhudun.PermCampusRead, DeptPath: d.path, DeptID: d.stationID,
				Data: Detail(map[string]any{"notice": d.id, "number": d.number, "school": d.school, "deadline": d.deadline})}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// FindCampusAlerts lists the escalations of the notices the caller sees,
// newest first.
func (s *Store) FindCampusAlerts(ctx context.Context) ([]*zhudun.CampusAlert, error) {
	pred, args, err := campusPred(ctx, zhudun.PermCampusRead, "n.round_id")
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT a.id, a.notice_id, n.number, sc.name, a.recipient, a.at FROM campus_alerts a
		JOIN campus_notices n ON n.id = a.notice_id JOIN campus_schools sc ON sc.id = n.school_id JOIN depts sd ON sd.id = sc.station_id
		WHERE `+pred+` ORDER BY a.id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, s.internal("campus alerts", err)
	}
	defer rows.Close()
	out := []*zhudun.CampusAlert{}
	for rows.Next() {
		var a zhudun.CampusAlert
		if err := rows.Scan(&a.ID, &a.NoticeID, &a.Number, &a.School, &a.Recipient, &a.At); err != nil {
			return nil, s.internal("campus alert scan", err)
		}
		a.At = a.At.UTC()
		out = append(out, &a)
	}
	return out, s.internalIf("campus alerts rows", rows.Err())
}
