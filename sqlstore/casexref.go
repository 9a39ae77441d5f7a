package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/pii"
)

var _ zhudun.CaseXrefService = (*Store)(nil)

// openCase is the statuses in which a case is still worked on: a
// cross-reference with a closed, revoked, transferred or merged case
// tells nobody anything they can act on.
const openCase = `('received', 'filed', 'solved')`

// mark is one identifier a case holds (case_marks).
type mark struct{ kind, key, shown string }

// entityMark is the mark of an engine entity: numbers by their blind
// index (a person's phone and a black card meet), IMEIs by their first 14
// digits (one device), the rest as the engine compares them.
func (tx *Tx) entityMark(entityType, entity string) (mark, bool) {
	switch entityType {
	case "msisdn":
		return tx.phoneMark(entity)
	case "imei":
		return mark{"imei", entityKey("imei", entity), entity}, true
	case "account", "ip", "device":
		return mark{entityType, entity, entity}, true
	}
	return mark{}, false
}

func (tx *Tx) phoneMark(v string) (mark, bool) {
	canon, err := pii.NormalizePhone(v)
	if err != nil {
		return mark{}, false
	}
	return mark{"phone", tx.s.keys.Index("phone", canon), pii.MaskPhone(canon)}, true
}

// digitsMark marks a bank account or card by its digits, shown with the
// last four only.
func (tx *Tx) digitsMark(kind, v string) (mark, bool) {
	var b strings.Builder
	for _, r := range v {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if len(d) < 8 {
		return mark{}, false
	}
	// a bank account is personal data: matched by its blind index
	return mark{kind, tx.s.keys.Index("bank", d), strings.Repeat("*", len(d)-4) + d[len(d)-4:]}, true
}

// seizureMarks are the identifiers a seizure names.
func (tx *Tx) seizureMarks(z *zhudun.Seizure) []mark {
	var out []mark
	add := func(m mark, ok bool) {
		if ok {
			out = append(out, m)
		}
	}
	for _, it := range z.Items {
		switch z.Kind {
		case zhudun.SeizureSIMCards:
			add(tx.phoneMark(it))
		case zhudun.SeizureDevices:
			add(tx.entityMark("imei", it))
		case zhudun.SeizureAccounts:
			add(tx.entityMark("account", it))
		case zhudun.SeizureBankCards:
			add(tx.digitsMark("bank_card", it))
		}
	}
	if z.Kind == zhudun.SeizureFunds && z.Account != "" {
		add(tx.digitsMark("bank_account", z.Account))
	}
	return out
}

// markCase records the marks a case gained and raises, for each one
// another open case holds, an alert on both (within this transaction).
func (tx *Tx) markCase(ctx context.Context, c *zhudun.Case, source string, marks []mark) error {
	for _, m := range marks {
		res, err := tx.exec(ctx, `INSERT INTO case_marks (case_id, kind, mkey, shown, source) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			c.ID, m.kind, m.key, m.shown, source)
		if err != nil {
			return tx.s.internal("case mark", err)
		}
		if n, _ := res.RowsAffected(); n == 0 || !strings.Contains(openCase, "'"+c.Status+"'") {
			continue // held already, or this case is closed
		}
		rows, err := tx.queryFixed(ctx, `SELECT DISTINCT m.case_id FROM case_marks m JOIN cases c ON c.id = m.case_id
			WHERE m.kind = ? AND m.mkey = ? AND m.case_id <> ? AND c.status IN `+openCase+` ORDER BY m.case_id`, m.kind, m.key, c.ID)
		if err != nil {
			return tx.s.internal("case xref", err)
		}
		var others []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return tx.s.internal("case xref scan", err)
			}
			others = append(others, id)
		}
		rows.Close()
		for _, o := range others {
			if err := tx.caseAlert(ctx, c.ID, &o, nil, m, source); err != nil {
				return err
			}
			if err := tx.caseAlert(ctx, o, &c.ID, nil, m, source); err != nil {
				return err
			}
		}
	}
	return nil
}

// findingTouchesCases raises an alert on each open case holding the
// entity of a finding the engine just raised.
func (tx *Tx) findingTouchesCases(ctx context.Context, f *zhudun.Finding) error {
	m, ok := tx.entityMark(f.EntityType, f.Entity)
	if !ok {
		return nil
	}
	rows, err := tx.queryFixed(ctx, `SELECT DISTINCT m.case_id FROM case_marks m JOIN cases c ON c.id = m.case_id
		WHERE m.kind = ? AND m.mkey = ? AND c.status IN `+openCase+` ORDER BY m.case_id`, m.kind, m.key)
	if err != nil {
		return tx.s.internal("finding xref", err)
	}
	var cases []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return tx.s.internal("finding xref scan", err)
		}
		cases = append(cases, id)
	}
	rows.Close()
	for _, id := range cases {
		fid := f.ID
		if err := tx.caseAlert(ctx, id, nil, &fid, m, "finding"); err != nil {
			return err
		}
	}
	return nil
}

// caseAlert stores one alert and tells the case's readers (case.alert).
func (tx *Tx) caseAlert(ctx context.Context, caseID int64, other, finding *int64, m mark, source string) error {
	var id int64
	var o, f any
	if other != nil {
		o = *other
	}
	if finding != nil {
		f = *finding
	}
	if err := tx.queryRow(ctx, `INSERT INTO case_alerts (case_id, other_case_id, finding_id, kind, shown, source, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, caseID, o, f, m.kind, m.shown, source, tx.now).Scan(&id); err != nil {
		return tx.s.internal("case alert", err)
	}
	var deptID int64
	var path string
	if err := tx.queryRow(ctx, `SELECT c.dept_id, d.path FROM cases c JOIN depts d ON d.id = c.dept_id WHERE c.id = ?`, caseID).Scan(&deptID, &path); err != nil {
		return tx.s.internal("case alert dept", err)
	}
	data, _ := json.Marshal(map[string]any{"id": id, "case_id": caseID, "kind": m.kind, "shown": m.shown, "source": source})
	return tx.emit(ctx, zhudun.Event{Type: "case.alert", Perm: zhudun.PermCaseRead, DeptPath: path, DeptID: deptID, Data: data})
}

const caseAlertSelect = `SELECT a.id, a.case_id, a.other_case_id, a.finding_id, a.kind, a.shown, a.source, a.created_at,
	a.state, a.closed_by, a.closed_at, a.close_note FROM case_alerts a`

// scanAlerts reads alert rows and shows each one's other case as far as
// the caller may read it.
func (s *Store) scanAlerts(ctx context.Context, rows *sql.Rows) ([]*zhudun.CaseAlert, error) {
	out := []*zhudun.CaseAlert{}
	var others []*int64
	for rows.Next() {
		var a zhudun.CaseAlert
		var other, finding sql.NullInt64
		var closed sql.NullTime
		if err := rows.Scan(&a.ID, &a.CaseID, &other, &finding, &a.Kind, &a.Shown, &a.Source, &a.CreatedAt,
			&a.State, &a.ClosedBy, &closed, &a.CloseNote); err != nil {
			rows.Close()
			return nil, s.internal("case alert scan", err)
		}
		a.CreatedAt = a.CreatedAt.UTC()
		a.ClosedAt = nullTime(closed)
		if finding.Valid {
			a.FindingID = &finding.Int64
		}
		var o *int64
		if other.Valid {
			o = &other.Int64
		}
		others = append(others, o)
		out = append(out, &a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.internal("case alert rows", err)
	}
	for i, o := range others {
		if o == nil {
			continue
		}
		side, err := s.alertSide(ctx, *o)
		if err != nil {
			return nil, err
		}
		out[i].Other = side
	}
	return out, nil
}

// CaseAlerts lists a case's alerts, newest first (case:read over the
// case); the other case is shown as far as the caller may read it.
func (s *Store) CaseAlerts(ctx context.Context, caseID int64) ([]*zhudun.CaseAlert, error) {
	if _, err := s.caseInScope(ctx, s, caseID, zhudun.PermCaseRead); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, caseAlertSelect+` WHERE a.case_id = ? ORDER BY a.id DESC LIMIT 500`, caseID)
	if err != nil {
		return nil, s.internal("case alerts", err)
	}
	return s.scanAlerts(ctx, rows)
}

// FindCaseAlerts lists the alerts of every case in the caller's case:read
// scope, newest first, each with its own case and the other side as far as
// the caller may read it (a division's page of 交叉比对). The scope is the
// alert's own case's: an alert another division holds about one of the
// caller's cases is theirs, not listed here (the caller has its twin on
// their own case).
func (s *Store) FindCaseAlerts(ctx context.Context, f zhudun.CaseAlertFilter) ([]*zhudun.CaseAlert, int, error) {
	var w where
	if _, err := scoped(ctx, &w, zhudun.PermCaseRead, caseCols); err != nil {
		return nil, 0, err
	}
	switch f.State {
	case "":
	case zhudun.AlertOpen, zhudun.AlertClosed:
		w.add("a.state = ?", f.State)
	default:
		return nil, 0, zhudun.FieldError("state", "state is open or closed, not %q", f.State)
	}
	if f.Dept != "" {
		w.add("d.path LIKE (SELECT path FROM depts WHERE code = ?) || '%'", f.Dept)
	}
	const from = ` FROM case_alerts a JOIN cases c ON c.id = a.case_id JOIN depts d ON d.id = c.dept_id`
	var total int
	if err := s.queryRow(ctx, `SELECT COUNT(*)`+from+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, s.internal("case alerts count", err)
	}
	off, lim := page(f.Offset, f.Limit)
	rows, err := s.query(ctx, `SELECT a.id, a.case_id, a.other_case_id, a.finding_id, a.kind, a.shown, a.source, a.created_at,
		a.state, a.closed_by, a.closed_at, a.close_note`+from+w.sql()+fmt.Sprintf(` ORDER BY a.id DESC LIMIT %d OFFSET %d`, lim, off), w.args...)
	if err != nil {
		return nil, 0, s.internal("case alerts", err)
	}
	out, err := s.scanAlerts(ctx, rows)
	if err != nil {
		return nil, 0, err
	}
	// Each alert's own case, in the scope by the query: shown in full.
	own := map[int64]*zhudun.AlertSide{}
	for _, a := range out {
		if own[a.CaseID] == nil {
			side, err := s.alertSide(ctx, a.CaseID)
			if err != nil {
				return nil, 0, err
			}
			own[a.CaseID] = side
		}
		a.Case = own[a.CaseID]
	}
	return out, total, nil
}

// CloseCaseAlert closes an open alert of a case the caller may write, with
// a note of what was done (4–500 characters). Audited case.alert.close on
// the case, which emits case.updated; an alert of a case outside the
// caller's case:write scope is ENOTFOUND, a closed one ECONFLICT.
func (s *Store) CloseCaseAlert(ctx context.Context, id int64, note string) (*zhudun.CaseAlert, error) {
	note = strings.TrimSpace(note)
	if err := zhudun.ValidReason("note", note); err != nil {
		return nil, err
	}
	var caseID int64
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		if err := tx.queryRow(ctx, `SELECT case_id FROM case_alerts WHERE id = ?`, id).Scan(&caseID); errors.Is(err, sql.ErrNoRows) {
			return zhudun.Errorf(zhudun.ENOTFOUND, "alert %d not found", id)
		} else if err != nil {
			return tx.s.internal("case alert", err)
		}
		c, err := tx.s.caseInScope(ctx, tx, caseID, zhudun.PermCaseWrite)
		if zhudun.ErrorCode(err) == zhudun.ENOTFOUND {
			return zhudun.Errorf(zhudun.ENOTFOUND, "alert %d not found", id)
		} else if err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE case_alerts SET state = 'closed', closed_by = ?, closed_at = ?, close_note = ? WHERE id = ? AND state = 'open'`,
			zhudun.CallerFrom(ctx).Username, tx.now, note, id)
		if err != nil {
			return tx.s.internal("case alert close", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return zhudun.Errorf(zhudun.ECONFLICT, "alert %d is closed already", id)
		}
		return tx.caseChanged(ctx, "case.alert.close", c, map[string]any{"alert": id, "note": note})
	})
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, caseAlertSelect+` WHERE a.id = ?`, id)
	if err != nil {
		return nil, s.internal("case alert", err)
	}
	out, err := s.scanAlerts(ctx, rows)
	if err != nil {
		return nil, err
	}
	if len(out) != 1 {
		return nil, s.internal("case alert reread", fmt.Errorf("alert %d: %d rows", id, len(out)))
	}
	return out[0], nil
}

// alertSide is the other case as the caller may see it: all of it when
// in the caller's case:read scope; else its department and its lead.
func (s *Store) alertSide(ctx context.Context, id int64) (*zhudun.AlertSide, error) {
	var side zhudun.AlertSide
	// whom to contact: the lead investigator, else who opened the case
	err := s.queryRow(ctx, `SELECT d.code, d.name, COALESCE(NULLIF(u.name, ''), u.username, c.created_by) FROM cases c JOIN depts d ON d.id = c.dept_id
		LEFT JOIN users u ON u.id = c.lead_id WHERE c.id = ?`, id).Scan(&side.Dept, &side.DeptName, &side.Lead)
	if err != nil {
		return nil, s.internal(fmt.Sprintf("alert side %d", id), err)
	}
	c, err := s.caseInScope(ctx, s, id, zhudun.PermCaseRead)
	switch {
	case errors.Is(err, nil):
		side.Visible, side.CaseID, side.Number, side.Title, side.Status = true, c.ID, c.Number, c.Title, c.Status
		if side.Number == "" {
			side.Number = c.Receipt
		}
	case zhudun.ErrorCode(err) == zhudun.ENOTFOUND:
	default:
		return nil, err
	}
	return &side, nil
}

// rebuildCaseMarks computes every case's marks again from what the case
// holds (its entities, seizures and people, whose sealed fields it opens):
// after the index key rotates the stored marks' blind indexes would no
// longer meet new ones. Alerts already raised stay. Run by RekeyPII.
func (s *Store) rebuildCaseMarks(ctx context.Context) (int, error) {
	n := 0
	for after := int64(0); ; {
		rows, err := s.query(ctx, caseSelect+` WHERE c.id > ? ORDER BY c.id LIMIT 200`, after)
		if err != nil {
			return n, s.internal("marks cases", err)
		}
		var cases []*zhudun.Case
		for rows.Next() {
			c, err := scanCase(rows)
			if err != nil {
				rows.Close()
				return n, s.internal("marks case scan", err)
			}
			cases = append(cases, c)
		}
		rows.Close()
		if len(cases) == 0 {
			return n, nil
		}
		err = s.write(ctx, func(ctx context.Context, tx *Tx) error {
			for _, c := range cases {
				if err := tx.remark(ctx, c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += len(cases)
		after = cases[len(cases)-1].ID
	}
}

// remark replaces one case's marks by those its content gives now.
func (tx *Tx) remark(ctx context.Context, c *zhudun.Case) error {
	type src struct {
		name  string
		marks []mark
	}
	var ent, sz, ppl src
	ent.name, sz.name, ppl.name = "entity", "seizure", "person"
	rows, err := tx.query(ctx, `SELECT entity_type, entity FROM case_entities WHERE case_id = ?`, c.ID)
	if err != nil {
		return tx.s.internal("marks entities", err)
	}
	for rows.Next() {
		var typ, e string
		if err := rows.Scan(&typ, &e); err != nil {
			rows.Close()
			return tx.s.internal("marks entity scan", err)
		}
		if m, ok := tx.entityMark(typ, e); ok {
			ent.marks = append(ent.marks, m)
		}
	}
	rows.Close()
	rows, err = tx.query(ctx, seizureSelect+` WHERE case_id = ?`, c.ID)
	if err != nil {
		return tx.s.internal("marks seizures", err)
	}
	for rows.Next() {
		z, err := scanSeizure(rows)
		if err != nil {
			rows.Close()
			return tx.s.internal("marks seizure scan", err)
		}
		sz.marks = append(sz.marks, tx.seizureMarks(z)...)
	}
	rows.Close()
	rows, err = tx.query(ctx, `SELECT p.id, p.idno_enc, p.phone_enc FROM case_people cp JOIN people p ON p.id = cp.person_id WHERE cp.case_id = ?`, c.ID)
	if err != nil {
		return tx.s.internal("marks people", err)
	}
	type person struct {
		id          int64
		idno, phone string
	}
	var ps []person
	for rows.Next() {
		var p person
		if err := rows.Scan(&p.id, &p.idno, &p.phone); err != nil {
			rows.Close()
			return tx.s.internal("marks person scan", err)
		}
		ps = append(ps, p)
	}
	rows.Close()
	for _, p := range ps {
		if p.idno != "" {
			b, err := tx.s.keys.Open(p.idno, personAAD(p.id, "idno"))
			if err != nil {
				return tx.s.internal("marks person open", err)
			}
			if canon, err := pii.NormalizeIDNumber(string(b)); err == nil {
				ppl.marks = append(ppl.marks, mark{"idno", tx.s.keys.Index("idno", canon), pii.MaskIDNumber(canon)})
			}
		}
		if p.phone != "" {
			b, err := tx.s.keys.Open(p.phone, personAAD(p.id, "phone"))
			if err != nil {
				return tx.s.internal("marks person open", err)
			}
			if m, ok := tx.phoneMark(string(b)); ok {
				ppl.marks = append(ppl.marks, m)
			}
		}
	}
	if _, err := tx.exec(ctx, `DELETE FROM case_marks WHERE case_id = ?`, c.ID); err != nil {
		return tx.s.internal("marks clear", err)
	}
	for _, x := range []src{ent, sz, ppl} {
		for _, m := range x.marks {
			if _, err := tx.exec(ctx, `INSERT INTO case_marks (case_id, kind, mkey, shown, source) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				c.ID, m.kind, m.key, m.shown, x.name); err != nil {
				return tx.s.internal("marks insert", err)
			}
		}
	}
	return nil
}
