package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/zhudun/zhudun"
)

// Links between cases and merges of duplicates (串并案, docs/cases.md).

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
			if err := tx.caseNote(ctx, x.c, "link", reason, []zhudun.CaseChange{{Field: "case", After: caseRef(x.o)}}); err != nil {
				return err
			}
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

// caseRef names a case on another's timeline: its number, else its
// receipt — what the links list shows of a case the reader may not open.
func caseRef(c *zhudun.Case) string {
	if c.Number != "" {
		return c.Number
	}
	return c.Receipt
}

// UnlinkCases removes the link between case id and other, with a reason
// (4–500 characters). case:write over id suffices: either owner answers
// for its own file and must be able to take a wrong link off it, even one
// a city-wide user made across divisions; the other case need not be in
// the caller's scope, and nothing of it is shown but what the link already
// showed (its number or receipt). Both timelines get an "unlink" row and
// both cases a case.unlink audit row (the other's case.updated goes to its
// own department's readers). A merged case is 409 as for every write; a
// link that does not exist is ENOTFOUND.
func (s *Store) UnlinkCases(ctx context.Context, id, other int64, reason string) (*zhudun.CaseDetail, error) {
	reason = strings.TrimSpace(reason)
	if err := zhudun.ValidReason("reason", reason); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		a, err := tx.writableCase(ctx, id)
		if err != nil {
			return err
		}
		lo, hi := min(id, other), max(id, other)
		var lid int64
		var linkReason, linkBy string
		err = tx.queryRow(ctx, `DELETE FROM case_links WHERE case_a = ? AND case_b = ? RETURNING id, reason, created_by`, lo, hi).Scan(&lid, &linkReason, &linkBy)
		if errors.Is(err, sql.ErrNoRows) {
			return zhudun.Errorf(zhudun.ENOTFOUND, "case %d is not linked to case %d", id, other)
		}
		if err != nil {
			return tx.s.internal("case unlink", err)
		}
		// The other case as stored, whatever the caller's scope: it is
		// only named on the timelines and in the audit rows.
		b, err := scanCase(tx.queryRow(ctx, caseSelect+` WHERE c.id = ?`, other))
		if err != nil {
			return tx.s.internal("case unlink other", err)
		}
		for _, x := range []struct{ c, o *zhudun.Case }{{a, b}, {b, a}} {
			if err := tx.caseNote(ctx, x.c, "unlink", reason, []zhudun.CaseChange{{Field: "case", Before: caseRef(x.o)}}); err != nil {
				return err
			}
			if err := tx.caseChanged(ctx, "case.unlink", x.c, map[string]any{"other": x.o.ID, "other_receipt": x.o.Receipt, "reason": reason,
				"link": lid, "link_reason": linkReason, "linked_by": linkBy}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.caseDetail(ctx, s, id, zhudun.PermCaseRead)
}

// MergeCase merges duplicate id into the survivor into (case:write over
// both): the duplicate's people, measures, seizures, entities and
// campaigns move to the survivor (what the survivor holds already stays
// once), the duplicate becomes merged and points at it, and its number
// and receipt keep finding it (FindCaseByNumber). A duplicate must be
// open (received or filed). Audited case.merge on both.
func (s *Store) MergeCase(ctx context.Context, id, into int64, reason string) (*zhudun.CaseDetail, error) {
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
		// The duplicate's entities change case: a review of one of them
		// meanwhile would find the old holder only, and leave the
		// survivor's cyber rollup without it (cyberrollup.go).
		if err := tx.lockWorkbench(ctx); err != nil {
			return err
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
			// the files, and their count and bytes (the survivor may pass
			// its limits: a merge is not refused for them)
			`UPDATE case_attachments SET case_id = ? WHERE case_id = ?`,
			`UPDATE cases SET attach_count = attach_count + (SELECT d.attach_count FROM cases d WHERE d.id = ?),
				attach_bytes = attach_bytes + (SELECT d.attach_bytes FROM cases d WHERE d.id = ?) WHERE id = ?`,
			// what the duplicate held the survivor holds (cross-reference)
			`INSERT INTO case_marks (case_id, kind, mkey, shown, source) SELECT ?, kind, mkey, shown, source FROM case_marks WHERE case_id = ?
				ON CONFLICT DO NOTHING`,
		}
		for _, q := range moves {
			args := []any{into, id}
			if strings.HasPrefix(q, "UPDATE cases SET attach_count") {
				args = []any{id, id, into}
			}
			if _, err := tx.exec(ctx, q, args...); err != nil {
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
		res, err := tx.exec(ctx, `UPDATE cases SET status = ?, merged_into = ?, closed_at = ?, updated_at = ?, attach_count = 0, attach_bytes = 0 WHERE id = ? AND status = ?`,
			zhudun.CaseMerged, into, tx.now, tx.now, id, dup.Status)
		if err != nil {
			return tx.s.internal("case merge", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return zhudun.Errorf(zhudun.ECONFLICT, "case %d changed meanwhile", id)
		}
		// the duplicate's figures leave with its content, to the survivor
		tx.rollupCase(id, into)
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
