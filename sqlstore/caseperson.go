package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/pii"
)

// People of cases and their coercive measures (docs/cases.md, "People").

// personAAD binds a person's sealed field to its row and kind, as piiAAD
// does a user's: a ciphertext copied into another person's row does not
// open.
func personAAD(id int64, kind string) []byte {
	return []byte("people/" + strconv.FormatInt(id, 10) + "/" + kind)
}

// sealPersonal normalises value (kind "idno" or "phone") and returns its
// canonical form, or a field error.
func sealPersonalCanon(kind, field, value string) (string, error) {
	var canon string
	var err error
	switch kind {
	case "idno":
		canon, err = pii.NormalizeIDNumber(value)
	case "phone":
		canon, err = pii.NormalizePhone(value)
	}
	if err != nil {
		return "", zhudun.FieldError(field, "%s", zhudun.ErrorMessage(err))
	}
	return canon, nil
}

// setPersonField seals canon into person id's kind column with its blind
// index and mask.
func (tx *Tx) setPersonField(ctx context.Context, id int64, kind, canon string) error {
	enc, err := tx.s.keys.Seal([]byte(canon), personAAD(id, kind))
	if err != nil {
		return tx.s.internal("person seal", err)
	}
	mask := pii.MaskPhone(canon)
	if kind == "idno" {
		mask = pii.MaskIDNumber(canon)
	}
	_, err = tx.exec(ctx, `UPDATE people SET `+kind+`_enc = ?, `+kind+`_idx = ?, `+kind+`_mask = ?, updated_at = ? WHERE id = ?`,
		enc, tx.s.keys.Index(kind, canon), mask, tx.now, id)
	if err != nil {
		if tx.s.dialect.IsUniqueViolation(err) {
			return zhudun.Errorf(zhudun.ECONFLICT, "the person was added meanwhile: try again")
		}
		return tx.s.internal("person field", err)
	}
	return nil
}

const casePersonSelect = `SELECT cp.id, p.id, p.name, p.idno_mask, p.phone_mask, cp.role, cp.apprehended_on, cp.note, cp.created_by, cp.created_at
	FROM case_people cp JOIN people p ON p.id = cp.person_id`

func scanCasePerson(r scanner) (*zhudun.CasePerson, error) {
	var p zhudun.CasePerson
	if err := r.Scan(&p.ID, &p.PersonID, &p.Name, &p.IDNumberMasked, &p.PhoneMasked, &p.Role, &p.ApprehendedOn, &p.Note, &p.CreatedBy, &p.CreatedAt); err != nil {
		return nil, err
	}
	p.CreatedAt = p.CreatedAt.UTC()
	return &p, nil
}

func (s *Store) casePeople(ctx context.Context, q querier, id int64) ([]*zhudun.CasePerson, error) {
	rows, err := q.query(ctx, casePersonSelect+` WHERE cp.case_id = ? ORDER BY cp.id`, id)
	if err != nil {
		return nil, s.internal("case people", err)
	}
	defer rows.Close()
	out := []*zhudun.CasePerson{}
	for rows.Next() {
		p, err := scanCasePerson(rows)
		if err != nil {
			return nil, s.internal("case person scan", err)
		}
		out = append(out, p)
	}
	return out, s.internalIf("case people rows", rows.Err())
}

// AddCasePerson adds a suspect, victim or witness to a case (case:write in
// scope). A resident ID already known (by its blind index) joins that
// person — one record across cases, whose name stays as first entered; a
// phone given replaces the person's. Audited case.person.add with the
// masked ID only.
func (s *Store) AddCasePerson(ctx context.Context, id int64, n zhudun.NewCasePerson) (*zhudun.CasePerson, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	idno, phone, err := canonPersonal(n)
	if err != nil {
		return nil, err
	}
	var out *zhudun.CasePerson
	err = s.write(ctx, func(ctx context.Context, tx *Tx) error {
		c, err := tx.writableCase(ctx, id)
		if err != nil {
			return err
		}
		add, err := tx.addCasePerson(ctx, c, n, idno, phone)
		if err != nil {
			return err
		}
		out = add.CasePerson
		return tx.caseChanged(ctx, "case.person.add", c, map[string]any{"person": add.PersonID, "role": n.Role, "known": add.known,
			"id_number": out.IDNumberMasked, "apprehended_on": n.ApprehendedOn})
	})
	return out, err
}

// addedPerson is a person addCasePerson added to a case: known when the
// resident ID joined a person on record.
type addedPerson struct {
	*zhudun.CasePerson
	known bool
}

// canonPersonal checks and normalises a new person's resident ID and
// phone (either may be empty).
func canonPersonal(n zhudun.NewCasePerson) (idno, phone string, err error) {
	if v := strings.TrimSpace(n.IDNumber); v != "" {
		if idno, err = sealPersonalCanon("idno", "id_number", v); err != nil {
			return "", "", err
		}
	}
	if v := strings.TrimSpace(n.Phone); v != "" {
		if phone, err = sealPersonalCanon("phone", "phone", v); err != nil {
			return "", "", err
		}
	}
	return idno, phone, nil
}

// addCasePerson adds person n (validated; idno and phone canonical or
// empty) to writable case c and marks the case with the person's ID and
// phone (the cross-reference), without an audit row.
func (tx *Tx) addCasePerson(ctx context.Context, c *zhudun.Case, n zhudun.NewCasePerson, idno, phone string) (*addedPerson, error) {
	var pid int64
	if idno != "" {
		err := tx.queryRow(ctx, `SELECT id FROM people WHERE idno_idx = ?`, tx.s.keys.Index("idno", idno)).Scan(&pid)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, tx.s.internal("person lookup", err)
		}
	}
	known := pid != 0
	if !known {
		if err := tx.queryRow(ctx, `INSERT INTO people (name, created_at, updated_at) VALUES (?, ?, ?) RETURNING id`, n.Name, tx.now, tx.now).Scan(&pid); err != nil {
			return nil, tx.s.internal("person insert", err)
		}
		if idno != "" {
			if err := tx.setPersonField(ctx, pid, "idno", idno); err != nil {
				return nil, err
			}
		}
	}
	if phone != "" {
		if err := tx.setPersonField(ctx, pid, "phone", phone); err != nil {
			return nil, err
		}
	}
	var cpid int64
	err := tx.queryRow(ctx, `INSERT INTO case_people (case_id, person_id, role, apprehended_on, note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (case_id, person_id, role) DO NOTHING RETURNING id`,
		c.ID, pid, n.Role, n.ApprehendedOn, strings.TrimSpace(n.Note), zhudun.CallerFrom(ctx).Username, tx.now).Scan(&cpid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ECONFLICT, "the person is a %s of this case already", n.Role)
	}
	if err != nil {
		return nil, tx.s.internal("case person", err)
	}
	tx.rollupCase(c.ID)
	out, err := scanCasePerson(tx.queryRow(ctx, casePersonSelect+` WHERE cp.id = ?`, cpid))
	if err != nil {
		return nil, tx.s.internal("case person load", err)
	}
	var marks []mark
	if idno != "" {
		marks = append(marks, mark{"idno", tx.s.keys.Index("idno", idno), pii.MaskIDNumber(idno)})
	}
	if m, ok := tx.phoneMark(phone); ok && phone != "" {
		marks = append(marks, m)
	}
	if err := tx.markCase(ctx, c, "person", marks); err != nil {
		return nil, err
	}
	return &addedPerson{out, known}, nil
}

// FindPerson returns a person with each case of theirs in the caller's
// case:read scope; a person with none there is ENOTFOUND.
func (s *Store) FindPerson(ctx context.Context, id int64) (*zhudun.Person, error) {
	var w where
	if _, err := scoped(ctx, &w, zhudun.PermCaseRead, caseCols); err != nil {
		return nil, err
	}
	w.add("cp.person_id = ?", id)
	rows, err := s.query(ctx, `SELECT c.id, c.receipt, COALESCE(c.number, ''), c.title, c.status, d.code, cp.role, cp.apprehended_on
		FROM case_people cp JOIN cases c ON c.id = cp.case_id JOIN depts d ON d.id = c.dept_id`+w.sql()+` ORDER BY c.id DESC, cp.id`, w.args...)
	if err != nil {
		return nil, s.internal("person cases", err)
	}
	defer rows.Close()
	p := &zhudun.Person{ID: id, Cases: []*zhudun.PersonCase{}}
	for rows.Next() {
		var pc zhudun.PersonCase
		if err := rows.Scan(&pc.CaseID, &pc.Receipt, &pc.Number, &pc.Title, &pc.Status, &pc.DeptCode, &pc.Role, &pc.ApprehendedOn); err != nil {
			return nil, s.internal("person case scan", err)
		}
		p.Cases = append(p.Cases, &pc)
	}
	if err := rows.Err(); err != nil {
		return nil, s.internal("person cases rows", err)
	}
	if len(p.Cases) == 0 {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "person %d not found", id)
	}
	if err := s.queryRow(ctx, `SELECT name, idno_mask, phone_mask, created_at FROM people WHERE id = ?`, id).Scan(&p.Name, &p.IDNumberMasked, &p.PhoneMasked, &p.CreatedAt); err != nil {
		return nil, s.internal("person load", err)
	}
	p.CreatedAt = p.CreatedAt.UTC()
	return p, nil
}

// RevealPersonPII returns a person's clear ID number and phone to a holder
// of pii:view whose scope covers one of the person's cases, and audits the
// view with its reason (pii.view, as a user's).
func (s *Store) RevealPersonPII(ctx context.Context, id int64, reason string) (*zhudun.PersonPII, error) {
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) < 4 || len([]rune(reason)) > 200 {
		return nil, zhudun.FieldError("reason", "state the reason for the query (查询事由), 4–200 characters")
	}
	var out zhudun.PersonPII
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		var w where
		w.add("cp.person_id = p.id")
		if _, err := scoped(ctx, &w, zhudun.PermPIIView, caseCols); err != nil {
			return err
		}
		var idnoEnc, phoneEnc string
		err := tx.queryRow(ctx, `SELECT p.idno_enc, p.phone_enc FROM people p WHERE p.id = ? AND EXISTS (SELECT 1 FROM case_people cp
			JOIN cases c ON c.id = cp.case_id JOIN depts d ON d.id = c.dept_id`+w.sql()+`)`, append([]any{id}, w.args...)...).Scan(&idnoEnc, &phoneEnc)
		if errors.Is(err, sql.ErrNoRows) {
			return zhudun.Errorf(zhudun.ENOTFOUND, "person %d not found", id)
		}
		if err != nil {
			return tx.s.internal("person pii load", err)
		}
		for _, f := range []struct {
			enc, kind string
			dst       *string
		}{{idnoEnc, "idno", &out.IDNumber}, {phoneEnc, "phone", &out.Phone}} {
			if f.enc == "" {
				continue
			}
			b, err := tx.s.keys.Open(f.enc, personAAD(id, f.kind))
			if err != nil {
				return tx.s.internal("person pii open", err)
			}
			*f.dst = string(b)
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "pii.view", ObjectType: "person", ObjectID: fmt.Sprint(id),
			Detail: Detail(map[string]any{"reason": reason, "fields": []string{"id_number", "phone"}})})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

const measureSelect = `SELECT m.id, m.case_id, m.person_id, p.name, m.kind, m.coercive, m.from_day, m.to_day, m.authority, m.document_no, m.created_by, m.created_at
	FROM case_measures m JOIN people p ON p.id = m.person_id`

func scanMeasure(r scanner) (*zhudun.Measure, error) {
	var m zhudun.Measure
	if err := r.Scan(&m.ID, &m.CaseID, &m.PersonID, &m.PersonName, &m.Kind, &m.Coercive, &m.From, &m.To, &m.Authority, &m.DocumentNo, &m.CreatedBy, &m.CreatedAt); err != nil {
		return nil, err
	}
	m.CreatedAt = m.CreatedAt.UTC()
	return &m, nil
}

func (s *Store) caseMeasures(ctx context.Context, q querier, id int64) ([]*zhudun.Measure, error) {
	rows, err := q.query(ctx, measureSelect+` WHERE m.case_id = ? ORDER BY m.from_day, m.id`, id)
	if err != nil {
		return nil, s.internal("case measures", err)
	}
	defer rows.Close()
	out := []*zhudun.Measure{}
	for rows.Next() {
		m, err := scanMeasure(rows)
		if err != nil {
			return nil, s.internal("case measure scan", err)
		}
		out = append(out, m)
	}
	return out, s.internalIf("case measures rows", rows.Err())
}

// AddMeasure records a coercive measure, or a summons (not coercive), on a
// suspect of the case (case:write in scope). Audited case.measure.add.
func (s *Store) AddMeasure(ctx context.Context, id int64, n zhudun.NewMeasure) (*zhudun.Measure, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	var out *zhudun.Measure
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		c, err := tx.writableCase(ctx, id)
		if err != nil {
			return err
		}
		if out, err = tx.addMeasure(ctx, c, n); err != nil {
			return err
		}
		return tx.caseChanged(ctx, "case.measure.add", c, map[string]any{"person": n.Person, "kind": n.Kind, "from": n.From, "to": n.To,
			"authority": n.Authority, "document_no": n.DocumentNo})
	})
	return out, err
}

// addMeasure records measure n (validated) on a suspect of writable case
// c, without an audit row.
func (tx *Tx) addMeasure(ctx context.Context, c *zhudun.Case, n zhudun.NewMeasure) (*zhudun.Measure, error) {
	var one int
	err := tx.queryRow(ctx, `SELECT 1 FROM case_people WHERE case_id = ? AND person_id = ? AND role = ?`, c.ID, n.Person, zhudun.RoleSuspect).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.FieldError("person", "person %d is not a suspect of this case", n.Person)
	}
	if err != nil {
		return nil, tx.s.internal("measure person", err)
	}
	coercive := n.Kind != zhudun.MeasureSummons
	var mid int64
	if err := tx.queryRow(ctx, `INSERT INTO case_measures (case_id, person_id, kind, coercive, from_day, to_day, authority, document_no, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.ID, n.Person, n.Kind, coercive, n.From, n.To, n.Authority, n.DocumentNo,
		zhudun.CallerFrom(ctx).Username, tx.now).Scan(&mid); err != nil {
		return nil, tx.s.internal("measure insert", err)
	}
	tx.rollupCase(c.ID)
	out, err := scanMeasure(tx.queryRow(ctx, measureSelect+` WHERE m.id = ?`, mid))
	if err != nil {
		return nil, tx.s.internal("measure load", err)
	}
	return out, nil
}

// SetApprehended records the day a suspect of the case was caught (抓获),
// or clears it with ""; case:write in scope. Audited case.person.apprehend.
func (s *Store) SetApprehended(ctx context.Context, id, person int64, day string) (*zhudun.CasePerson, error) {
	if day != "" {
		if err := zhudun.ValidDate("apprehended_on", day); err != nil {
			return nil, err
		}
	}
	var out *zhudun.CasePerson
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		c, err := tx.writableCase(ctx, id)
		if err != nil {
			return err
		}
		var cpid int64
		var from string
		err = tx.queryRow(ctx, `SELECT id, apprehended_on FROM case_people WHERE case_id = ? AND person_id = ? AND role = ?`,
			id, person, zhudun.RoleSuspect).Scan(&cpid, &from)
		if errors.Is(err, sql.ErrNoRows) {
			return zhudun.Errorf(zhudun.ENOTFOUND, "person %d is not a suspect of case %d", person, id)
		}
		if err != nil {
			return tx.s.internal("apprehend load", err)
		}
		if _, err := tx.exec(ctx, `UPDATE case_people SET apprehended_on = ? WHERE id = ?`, day, cpid); err != nil {
			return tx.s.internal("apprehend", err)
		}
		tx.rollupCase(id)
		if out, err = scanCasePerson(tx.queryRow(ctx, casePersonSelect+` WHERE cp.id = ?`, cpid)); err != nil {
			return tx.s.internal("apprehend reload", err)
		}
		return tx.caseChanged(ctx, "case.person.apprehend", c, map[string]any{"person": person, "from": from, "to": day})
	})
	return out, err
}
