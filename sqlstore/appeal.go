package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/fourcuts"
	"github.com/zhudun/zhudun/pii"
)

var _ zhudun.AppealService = (*Store)(nil)

// appealAAD binds an appeal's sealed resident ID to its row, as piiAAD
// does a user's.
func appealAAD(id int64) []byte { return []byte("appeals/" + strconv.FormatInt(id, 10) + "/idno") }

// appealSelect reads an appeal with the finding it matched, if any; an
// unmatched appeal (no cut finding) belongs to the department of the
// officer who entered it.
const appealSelect = `SELECT a.id, COALESCE(a.finding_id, 0), a.category, COALESCE(f.entity, a.entity), a.entered_by, a.idno_mask, a.reason,
	a.status, a.decided_by, a.decision_reason, a.created_at, a.decided_at, d.code
	FROM appeals a LEFT JOIN findings f ON f.id = a.finding_id JOIN depts d ON d.id = COALESCE(f.dept_id, a.dept_id)`

// appealScope is the data scope of an appeal's department.
var appealScope = scopeCols{Path: "d.path", DeptID: "COALESCE(f.dept_id, a.dept_id)"}

func scanAppeal(r scanner) (*zhudun.Appeal, error) {
	var a zhudun.Appeal
	var decided sql.NullTime
	if err := r.Scan(&a.ID, &a.FindingID, &a.Category, &a.Entity, &a.EnteredBy, &a.IDNumberMasked, &a.Reason, &a.Status, &a.DecidedBy,
		&a.DecisionReason, &a.CreatedAt, &decided, &a.DeptCode); err != nil {
		return nil, err
	}
	a.CreatedAt, a.DecidedAt = a.CreatedAt.UTC(), nullTime(decided)
	a.Unmatched = a.FindingID == 0
	return &a, nil
}

// CreateAppeal records a resident's appeal against a cut, entered by an
// officer (appeal:write). The cut entity is named by category and entity;
// the finding's department need not be the officer's. The answer is the
// same whether or not the entity is on a cut list — a station must not
// learn from the form what the bureau cut: an appeal that matches no cut
// finding is kept unmatched, for the analysts over the officer's
// department to answer.
func (s *Store) CreateAppeal(ctx context.Context, n zhudun.NewAppeal) (*zhudun.Appeal, error) {
	if !zhudun.CallerFrom(ctx).Has(zhudun.PermAppealWrite) {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission appeal:write required")
	}
	return s.createAppeal(ctx, n, "")
}

// CreateSourceAppeal records an appeal a source enters on a resident's
// behalf, for an entity of its own list (ENOTFOUND for any other: the
// source knows its list).
func (s *Store) CreateSourceAppeal(ctx context.Context, src *zhudun.Source, n zhudun.NewAppeal) (*zhudun.Appeal, error) {
	if err := sourceCategory(src, n.Category); err != nil {
		return nil, err
	}
	return s.createAppeal(sourceCaller(ctx, src), n, src.Binding)
}

func (s *Store) createAppeal(ctx context.Context, n zhudun.NewAppeal, binding string) (*zhudun.Appeal, error) {
	n.Reason = pii.MaskText(n.Reason) // the resident's ID is its own sealed field, never in the reason
	et, ok := categoryEntityType[n.Category]
	if !ok {
		return nil, zhudun.FieldError("category", "unknown category %q", n.Category)
	}
	entity, prefix, _, ok := fourcuts.CanonicalAllow(et, strings.TrimSpace(n.Entity))
	if !ok || prefix {
		return nil, zhudun.FieldError("entity", "entity is not one %s", et)
	}
	key := entityKey(et, entity)
	if err := zhudun.ValidReason("reason", n.Reason); err != nil {
		return nil, err
	}
	canon, err := pii.NormalizeIDNumber(n.IDNumber)
	if err != nil {
		return nil, zhudun.FieldError("id_number", "%s", zhudun.ErrorMessage(err))
	}
	idx := s.keys.Index("idno", canon)
	var out *zhudun.Appeal
	err = s.writeWorkbench(ctx, func(ctx context.Context, tx *Tx) error {
		q := `SELECT f.id, f.review FROM findings f WHERE f.kind = ? AND f.category = ? AND f.entity_key = ?`
		args := []any{zhudun.KindFinding, n.Category, key}
		if binding != "" {
			q += ` AND f.networks LIKE ? ESCAPE '\'`
			args = append(args, networkLike(binding))
		}
		var fid sql.NullInt64
		var review string
		err := tx.queryRow(ctx, q, args...).Scan(&fid, &review)
		switch {
		case errors.Is(err, sql.ErrNoRows) || err == nil && review != zhudun.ReviewCut:
			if binding != "" {
				return zhudun.Errorf(zhudun.ENOTFOUND, "no cut %s %s", n.Category, n.Entity)
			}
			fid = sql.NullInt64{} // an officer's: kept unmatched
		case err != nil:
			return tx.s.internal("appeal finding", err)
		}
		// One open appeal per resident and entity, matched or not alike
		// (a conflict tells the officer nothing of the cut).
		var open int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM appeals WHERE category = ? AND entity = ? AND idno_idx = ? AND status = ?`,
			n.Category, key, idx, zhudun.AppealOpen).Scan(&open); err != nil {
			return tx.s.internal("appeal open", err)
		}
		if open > 0 {
			return zhudun.Errorf(zhudun.ECONFLICT, "this resident's appeal against %s is open already", entity)
		}
		c := zhudun.CallerFrom(ctx)
		var dept sql.NullInt64
		if c.DeptCode != "" {
			if err := tx.queryRow(ctx, `SELECT id FROM depts WHERE code = ?`, c.DeptCode).Scan(&dept); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return tx.s.internal("appeal dept", err)
			}
		}
		// An officer without a department is refused whether or not the
		// entity is cut (refusing only the unmatched would tell).
		if binding == "" && !dept.Valid {
			return zhudun.Errorf(zhudun.EFORBIDDEN, "an appeal is entered by an officer of a department")
		}
		var id int64
		if err := tx.queryRow(ctx, `INSERT INTO appeals (finding_id, category, entity, dept_id, entered_by, reason, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			fid, n.Category, key, dept, c.Username, n.Reason, zhudun.AppealOpen, tx.now).Scan(&id); err != nil {
			return tx.s.internal("appeal insert", err)
		}
		enc, err := tx.s.keys.Seal([]byte(canon), appealAAD(id))
		if err != nil {
			return tx.s.internal("appeal seal", err)
		}
		if _, err := tx.exec(ctx, `UPDATE appeals SET idno_enc = ?, idno_idx = ?, idno_mask = ? WHERE id = ?`,
			enc, idx, pii.MaskIDNumber(canon), id); err != nil {
			return tx.s.internal("appeal idno", err)
		}
		if out, err = scanAppeal(tx.queryRow(ctx, appealSelect+` WHERE a.id = ?`, id)); err != nil {
			return tx.s.internal("appeal load", err)
		}
		// What was entered (canonical), not the finding's entity as the
		// engine saw it (a device's 15-digit IMEI against the 14-digit
		// key): a receipt that differed would tell the officer it is cut.
		out.Entity = key
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "appeal.create", ObjectType: "appeal", ObjectID: fmt.Sprint(id),
			Detail: Detail(map[string]any{"finding_id": fid.Int64, "matched": fid.Valid, "category": n.Category, "entity": out.Entity,
				"reason": n.Reason, "id_number": out.IDNumberMasked})})
	})
	return out, err
}

// FindAppeals lists the appeals against findings in the caller's
// finding:read scope, newest first; status "" lists all.
func (s *Store) FindAppeals(ctx context.Context, status string) ([]*zhudun.Appeal, error) {
	var w where
	if status != "" {
		if !slices.Contains([]string{zhudun.AppealOpen, zhudun.AppealRestored, zhudun.AppealRejected}, status) {
			return nil, zhudun.FieldError("status", "status must be open, restored or rejected")
		}
		w.add("a.status = ?", status)
	}
	if _, err := scoped(ctx, &w, zhudun.PermFindingRead, appealScope); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, appealSelect+w.sql()+` ORDER BY a.id DESC LIMIT 500`, w.args...)
	if err != nil {
		return nil, s.internal("appeals", err)
	}
	defer rows.Close()
	out := []*zhudun.Appeal{}
	for rows.Next() {
		a, err := scanAppeal(rows)
		if err != nil {
			return nil, s.internal("appeal scan", err)
		}
		out = append(out, a)
	}
	return out, s.internalIf("appeal rows", rows.Err())
}

// DecideAppeal restores the entity (the finding's status becomes restored
// and enters the source's next fetch) or rejects the appeal, with a
// reason, within the caller's finding:write scope.
func (s *Store) DecideAppeal(ctx context.Context, id int64, restore bool, reason string) (*zhudun.Appeal, error) {
	reason = pii.MaskText(reason)
	if err := zhudun.ValidReason("reason", reason); err != nil {
		return nil, err
	}
	var out *zhudun.Appeal
	err := s.writeWorkbench(ctx, func(ctx context.Context, tx *Tx) error {
		var w where
		w.add("a.id = ?", id)
		if _, err := scoped(ctx, &w, zhudun.PermFindingWrite, appealScope); err != nil {
			return err
		}
		a, err := scanAppeal(tx.queryRow(ctx, appealSelect+w.sql(), w.args...))
		if errors.Is(err, sql.ErrNoRows) {
			return zhudun.Errorf(zhudun.ENOTFOUND, "appeal %d not found", id)
		}
		if err != nil {
			return tx.s.internal("appeal load", err)
		}
		if a.Status != zhudun.AppealOpen {
			return zhudun.Errorf(zhudun.ECONFLICT, "appeal %d is %s already", id, a.Status)
		}
		status, action := zhudun.AppealRejected, "appeal.reject"
		c := zhudun.CallerFrom(ctx)
		if restore && a.Unmatched {
			return zhudun.Errorf(zhudun.EINVALID, "appeal %d names no cut entity: nothing to restore; reject it with the answer for the resident", id)
		}
		if restore {
			status, action = zhudun.AppealRestored, "appeal.restore"
			if _, err := tx.exec(ctx, `UPDATE findings SET review = ?, confirmed = ?, restored_at = ?, list_at = ?, review_reason = ?, reviewed_by = ?,
				reviewed_at = ?, updated_at = ? WHERE id = ?`, zhudun.ReviewRestored, false, tx.now, tx.now, reason, c.Username, tx.now, tx.now, a.FindingID); err != nil {
				return tx.s.internal("appeal restore", err)
			}
			tx.rollupFinding(a.FindingID) // a restored account no longer counts
			f, err := scanFinding(tx.queryRow(ctx, findingSelect+` WHERE f.id = ?`, a.FindingID))
			if err != nil {
				return tx.s.internal("appeal finding", err)
			}
			if err := tx.emitFinding(ctx, "finding.updated", f); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `UPDATE appeals SET status = ?, decided_by = ?, decision_reason = ?, decided_at = ? WHERE id = ?`,
			status, c.Username, reason, tx.now, id); err != nil {
			return tx.s.internal("appeal decide", err)
		}
		if out, err = scanAppeal(tx.queryRow(ctx, appealSelect+` WHERE a.id = ?`, id)); err != nil {
			return tx.s.internal("appeal reload", err)
		}
		if err := tx.audit(ctx, &zhudun.AuditEntry{Action: action, ObjectType: "appeal", ObjectID: fmt.Sprint(id),
			Detail: Detail(map[string]any{"finding_id": a.FindingID, "entity": a.Entity, "reason": reason})}); err != nil {
			return err
		}
		if !restore {
			return nil
		}
		// Other residents' open appeals against the restored entity are
		// answered by the restoration too.
		var others []int64
		rows, err := tx.query(ctx, `SELECT id FROM appeals WHERE finding_id = ? AND status = ? AND id <> ? ORDER BY id`, a.FindingID, zhudun.AppealOpen, id)
		if err != nil {
			return tx.s.internal("appeal others", err)
		}
		for rows.Next() {
			var o int64
			if err := rows.Scan(&o); err != nil {
				rows.Close()
				return tx.s.internal("appeal others scan", err)
			}
			others = append(others, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return tx.s.internal("appeal others", err)
		}
		for _, o := range others {
			if _, err := tx.exec(ctx, `UPDATE appeals SET status = ?, decided_by = ?, decision_reason = ?, decided_at = ? WHERE id = ?`,
				status, c.Username, reason, tx.now, o); err != nil {
				return tx.s.internal("appeal decide", err)
			}
			if err := tx.audit(ctx, &zhudun.AuditEntry{Action: action, ObjectType: "appeal", ObjectID: fmt.Sprint(o),
				Detail: Detail(map[string]any{"finding_id": a.FindingID, "entity": a.Entity, "reason": reason, "with": id})}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// AppealStats counts the appeals in the caller's finding:read scope per
// signal of the appealed finding's evidence, most appealed first: a signal
// that causes wrongful cuts shows as many restorations.
func (s *Store) AppealStats(ctx context.Context) ([]*zhudun.AppealStat, error) {
	var w where
	if _, err := scoped(ctx, &w, zhudun.PermFindingRead, scopeCols{Path: "d.path", DeptID: "f.dept_id"}); err != nil {
		return nil, err
	}
	// the evidence the confirmation rested on (the engine's later runs
	// rewrite f.evidence); findings confirmed before it was kept: today's
	rows, err := s.query(ctx, `SELECT a.status, CASE WHEN f.confirmed_evidence <> '' THEN f.confirmed_evidence ELSE f.evidence END FROM appeals a JOIN findings f ON f.id = a.finding_id JOIN depts d ON d.id = f.dept_id`+w.sql(), w.args...)
	if err != nil {
		return nil, s.internal("appeal stats", err)
	}
	defer rows.Close()
	by := map[string]*zhudun.AppealStat{}
	for rows.Next() {
		var status, ev string
		if err := rows.Scan(&status, &ev); err != nil {
			return nil, s.internal("appeal stats scan", err)
		}
		var evs []struct {
			Signal string `json:"signal"`
		}
		if err := json.Unmarshal([]byte(ev), &evs); err != nil {
			return nil, s.internal("appeal stats evidence", err)
		}
		seen := map[string]bool{}
		for _, e := range evs {
			if e.Signal == "" || seen[e.Signal] {
				continue
			}
			seen[e.Signal] = true
			st := by[e.Signal]
			if st == nil {
				st = &zhudun.AppealStat{Signal: e.Signal}
				by[e.Signal] = st
			}
			st.Appeals++
			switch status {
			case zhudun.AppealOpen:
				st.Open++
			case zhudun.AppealRestored:
				st.Restored++
			case zhudun.AppealRejected:
				st.Rejected++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.internal("appeal stats rows", err)
	}
	out := make([]*zhudun.AppealStat, 0, len(by))
	for _, st := range by {
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b *zhudun.AppealStat) int {
		if a.Appeals != b.Appeals {
			return b.Appeals - a.Appeals
		}
		return strings.Compare(a.Signal, b.Signal)
	})
	return out, nil
}
