package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/fourcuts"
	"github.com/zhudun/zhudun/pii"
)

var _ zhudun.ReviewService = (*Store)(nil)

// ReviewFinding confirms or dismisses one finding within the caller's
// finding:write scope (docs/cutlists.md). A cut or restored finding is
// ECONFLICT: it is decided through appeals.
func (s *Store) ReviewFinding(ctx context.Context, id int64, r zhudun.Review) (*zhudun.ReviewResult, error) {
	r.Reason = pii.MaskText(r.Reason)
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var out *zhudun.ReviewResult
	err := s.writeWorkbench(ctx, func(ctx context.Context, tx *Tx) error {
		fs, err := tx.reviewable(ctx, "f.id = ?", id)
		if err != nil {
			return err
		}
		if len(fs) == 0 {
			return zhudun.Errorf(zhudun.ENOTFOUND, "finding %d not found", id)
		}
		// A cut finding is decided through an appeal; a restored one too,
		// unless the entity was active again since its restoration (a
		// reissued number, a resident back at it): then it may be
		// confirmed anew.
		if f := fs[0]; f.Review == zhudun.ReviewCut || f.Review == zhudun.ReviewRestored &&
			!(r.Decision == zhudun.DecisionConfirm && f.RestoredAt != nil && f.LastSeen.After(*f.RestoredAt)) {
			return zhudun.Errorf(zhudun.ECONFLICT, "finding %d is %s: it is decided through an appeal", id, f.Review)
		}
		if out, err = tx.holdForSecond(ctx, fs, r, fmt.Sprintf("finding %d", id)); out != nil || err != nil {
			return err
		}
		out, err = tx.review(ctx, fs, r, "")
		return err
	})
	return out, err
}

// ReviewGang confirms or dismisses every finding of a gang within the
// caller's finding:write scope; members already cut or restored are left
// as they are. A gang none of whose members the caller may review is
// ENOTFOUND.
func (s *Store) ReviewGang(ctx context.Context, gang string, r zhudun.Review) (*zhudun.ReviewResult, error) {
	r.Reason = pii.MaskText(r.Reason)
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if gang == "" {
		return nil, zhudun.FieldError("gang", "a gang is required")
	}
	var out *zhudun.ReviewResult
	err := s.writeWorkbench(ctx, func(ctx context.Context, tx *Tx) error {
		fs, err := tx.reviewable(ctx, "f.gang = ?", gang)
		if err != nil {
			return err
		}
		if len(fs) == 0 {
			return zhudun.Errorf(zhudun.ENOTFOUND, "gang %s not found", gang)
		}
		// Cut and restored members are decided through appeals; a member
		// an analyst dismissed (perhaps allowlisted as legitimate) is not
		// confirmed again by a review of its whole gang — only when named
		// (the finding, or a selection).
		fs = slices.DeleteFunc(fs, func(f *zhudun.Finding) bool {
			return f.Review == zhudun.ReviewCut || f.Review == zhudun.ReviewRestored ||
				r.Decision == zhudun.DecisionConfirm && f.Review == zhudun.ReviewDismissed
		})
		if len(fs) == 0 {
			return zhudun.Errorf(zhudun.ECONFLICT, "no member of gang %s is left to %s", gang, r.Decision)
		}
		if out, err = tx.holdForSecond(ctx, fs, r, "gang "+gang); out != nil || err != nil {
			return err
		}
		out, err = tx.review(ctx, fs, r, "")
		return err
	})
	return out, err
}

// MaxReviewBatch bounds a review of selected findings.
const MaxReviewBatch = 500

// ReviewFindings confirms or dismisses the selected findings at once,
// within the caller's finding:write scope: every one must be reviewable
// (ENOTFOUND naming the first that is not found, ECONFLICT the first cut
// or restored). The selection counts as one review for the two-person
// rule, as a gang does — reviewing many findings one request each is what
// the rule is there to stop.
func (s *Store) ReviewFindings(ctx context.Context, ids []int64, r zhudun.Review) (*zhudun.ReviewResult, error) {
	r.Reason = pii.MaskText(r.Reason)
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if len(ids) == 0 || len(ids) > MaxReviewBatch {
		return nil, zhudun.FieldError("ids", "1 to %d finding ids", MaxReviewBatch)
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var out *zhudun.ReviewResult
	err := s.writeWorkbench(ctx, func(ctx context.Context, tx *Tx) error {
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
		var w where
		w.add("f.kind = ?", zhudun.KindFinding)
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		w.add("f.id IN ("+marks+")", args...)
		if _, err := scoped(ctx, &w, zhudun.PermFindingWrite, scopeCols{Path: "d.path", DeptID: "f.dept_id"}); err != nil {
			return err
		}
		fs, err := tx.findingsWhere(ctx, w)
		if err != nil {
			return err
		}
		got := map[int64]*zhudun.Finding{}
		for _, f := range fs {
			got[f.ID] = f
		}
		for _, id := range ids {
			f := got[id]
			if f == nil {
				return zhudun.Errorf(zhudun.ENOTFOUND, "finding %d not found", id)
			}
			if f.Review == zhudun.ReviewCut || f.Review == zhudun.ReviewRestored {
				return zhudun.Errorf(zhudun.ECONFLICT, "finding %d is %s: it is decided through an appeal", id, f.Review)
			}
		}
		var names []string
		for _, id := range ids {
			names = append(names, fmt.Sprint(id))
		}
		if out, err = tx.holdForSecond(ctx, fs, r, "findings "+strings.Join(names, ",")); out != nil || err != nil {
			return err
		}
		out, err = tx.review(ctx, fs, r, "")
		return err
	})
	return out, err
}

// reviewable loads the findings (never leads) matching pred within the
// caller's finding:write scope.
func (tx *Tx) reviewable(ctx context.Context, pred string, arg any) ([]*zhudun.Finding, error) {
	var w where
	w.add("f.kind = ?", zhudun.KindFinding)
	w.add(pred, arg)
	if _, err := scoped(ctx, &w, zhudun.PermFindingWrite, scopeCols{Path: "d.path", DeptID: "f.dept_id"}); err != nil {
		return nil, err
	}
	return tx.findingsWhere(ctx, w)
}

// findingsWhere loads the findings w selects, in id order.
func (tx *Tx) findingsWhere(ctx context.Context, w where) ([]*zhudun.Finding, error) {
	rows, err := tx.query(ctx, findingSelect+w.sql()+` ORDER BY f.id`, w.args...)
	if err != nil {
		return nil, tx.s.internal("review load", err)
	}
	defer rows.Close()
	var out []*zhudun.Finding
	for rows.Next() {
		f, err := scanFinding(rows)
		if err != nil {
			return nil, tx.s.internal("review scan", err)
		}
		out = append(out, f)
	}
	return out, tx.s.internalIf("review rows", rows.Err())
}

// review applies r to fs: each changed finding is written, audited and
// emitted; one already so decided is left alone. A confirmation enters the
// cut lists (list_at); a dismissal of a confirmed finding leaves them with
// status dismissed, so that a source that fetched it knows. requester,
// when set, is the analyst who asked for a review the caller approves (the
// two-person rule): the finding names the requester, the audit both.
func (tx *Tx) review(ctx context.Context, fs []*zhudun.Finding, r zhudun.Review, requester string) (*zhudun.ReviewResult, error) {
	c := zhudun.CallerFrom(ctx)
	by := c.Username
	if requester != "" {
		by = requester
	}
	out := &zhudun.ReviewResult{Findings: []*zhudun.Finding{}}
	status := zhudun.ReviewConfirmed
	if r.Decision == zhudun.DecisionDismiss {
		status = zhudun.ReviewDismissed
	}
	for _, f := range fs {
		if f.Review != status {
			var err error
			if f.Review == zhudun.ReviewRestored {
				// confirmed anew after a restoration: to be cut again on
				// every network, whatever they reported before
				if _, err := tx.exec(ctx, `DELETE FROM cut_reports WHERE finding_id = ?`, f.ID); err != nil {
					return nil, tx.s.internal("review reports", err)
				}
			}
			if status == zhudun.ReviewConfirmed {
				// the deadline starts again: each network's silence is raised anew
				if _, err := tx.exec(ctx, `DELETE FROM cut_overdue WHERE finding_id = ?`, f.ID); err != nil {
					return nil, tx.s.internal("review overdue", err)
				}
				_, err = tx.exec(ctx, `UPDATE findings SET review = ?, confirmed = ?, confirmed_at = ?, list_at = ?, review_reason = ?, reviewed_by = ?,
					reviewed_at = ?, not_cut_reason = '', not_cut_at = NULL, overdue_at = NULL, confirmed_evidence = evidence, updated_at = ? WHERE id = ?`,
					status, true, tx.now, tx.now, r.Reason, by, tx.now, tx.now, f.ID)
			} else {
				_, err = tx.exec(ctx, `UPDATE findings SET review = ?, confirmed = ?, list_at = CASE WHEN confirmed_at IS NULL THEN list_at ELSE ? END,
					review_reason = ?, reviewed_by = ?, reviewed_at = ?, updated_at = ? WHERE id = ?`,
					status, false, tx.now, r.Reason, by, tx.now, tx.now, f.ID)
			}
			if err != nil {
				return nil, tx.s.internal("review", err)
			}
			tx.rollupAccount(f)
			d := map[string]any{"reason": r.Reason, "category": f.Category, "entity": f.Entity, "gang": f.Gang, "from": f.Review}
			if requester != "" {
				d["requested_by"] = requester
			}
			if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "finding." + r.Decision, ObjectType: "finding", ObjectID: fmt.Sprint(f.ID), Detail: Detail(d)}); err != nil {
				return nil, err
			}
			nf, err := scanFinding(tx.queryRow(ctx, findingSelect+` WHERE f.id = ?`, f.ID))
			if err != nil {
				return nil, tx.s.internal("review reload", err)
			}
			if err := tx.emitFinding(ctx, "finding.updated", nf); err != nil {
				return nil, err
			}
			f = nf
		}
		out.Findings = append(out.Findings, f)
		if r.Allow {
			a := &zhudun.AllowItem{EntityType: f.EntityType, Entity: f.Entity, Reason: r.Reason, ExpiresAt: r.AllowExpires, FindingID: &f.ID}
			added, err := tx.addAllow(ctx, a)
			if err != nil {
				return nil, err
			}
			if added {
				out.Allowed = append(out.Allowed, a)
			}
		}
	}
	return out, nil
}

const allowSelect = `SELECT a.id, a.entity_type, a.entity, a.reason, a.owner, d.code, a.finding_id, a.expires_at, a.created_at
	FROM allowlist a JOIN depts d ON d.id = a.dept_id`

func scanAllow(r scanner) (*zhudun.AllowItem, error) {
	var a zhudun.AllowItem
	var fid sql.NullInt64
	var exp sql.NullTime
	if err := r.Scan(&a.ID, &a.EntityType, &a.Entity, &a.Reason, &a.Owner, &a.DeptCode, &fid, &exp, &a.CreatedAt); err != nil {
		return nil, err
	}
	if fid.Valid {
		a.FindingID = &fid.Int64
	}
	a.ExpiresAt = nullTime(exp)
	a.CreatedAt = a.CreatedAt.UTC()
	return &a, nil
}

// FindAllowlist lists the allowlist entries the caller may see (finding:read
// over the department of whoever added them), newest first.
func (s *Store) FindAllowlist(ctx context.Context) ([]*zhudun.AllowItem, error) {
	var w where
	if _, err := scoped(ctx, &w, zhudun.PermFindingRead, scopeCols{Path: "d.path", DeptID: "a.dept_id"}); err != nil {
		return nil, err
	}
	return s.allowRows(ctx, allowSelect+w.sql()+` ORDER BY a.id DESC`, w.args...)
}

// ActiveAllowlist returns every entry not expired at now: the live engine's.
func (s *Store) ActiveAllowlist(ctx context.Context, now time.Time) ([]*zhudun.AllowItem, error) {
	return s.allowRows(ctx, allowSelect+` WHERE a.expires_at IS NULL OR a.expires_at > ? ORDER BY a.id`, now.UTC())
}

func (s *Store) allowRows(ctx context.Context, q string, args ...any) ([]*zhudun.AllowItem, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, s.internal("allowlist", err)
	}
	defer rows.Close()
	out := []*zhudun.AllowItem{}
	for rows.Next() {
		a, err := scanAllow(rows)
		if err != nil {
			return nil, s.internal("allowlist scan", err)
		}
		out = append(out, a)
	}
	return out, s.internalIf("allowlist rows", rows.Err())
}

// AddAllow adds an entry (finding:write). The engine is the city's, so an
// entry holds everywhere; it belongs to the department of the analyst who
// added it, who (and whoever's scope covers it) may remove it.
func (s *Store) AddAllow(ctx context.Context, a *zhudun.AllowItem) error {
	a.Reason = pii.MaskText(a.Reason)
	if !zhudun.CallerFrom(ctx).Has(zhudun.PermFindingWrite) {
		return zhudun.Errorf(zhudun.EFORBIDDEN, "permission finding:write required")
	}
	return s.writeWorkbench(ctx, func(ctx context.Context, tx *Tx) error {
		added, err := tx.addAllow(ctx, a)
		if err == nil && !added {
			err = zhudun.Errorf(zhudun.ECONFLICT, "%s %s is on the allowlist already", a.EntityType, a.Entity)
		}
		return err
	})
}

// addAllow inserts a, validated as the engine will read it; an entity on
// the list already is not added again (false).
func (tx *Tx) addAllow(ctx context.Context, a *zhudun.AllowItem) (bool, error) {
	a.Entity = strings.TrimSpace(a.Entity)
	if !slices.Contains(zhudun.AllowEntityTypes, a.EntityType) {
		return false, zhudun.FieldError("entity_type", "entity type must be msisdn, imei, device, account or ip")
	}
	if err := zhudun.ValidReason("reason", a.Reason); err != nil {
		return false, err
	}
	canon, prefix, bits, ok := fourcuts.CanonicalAllow(a.EntityType, a.Entity)
	if !ok {
		return false, zhudun.FieldError("entity", "%s is not a well-formed %s", a.Entity, a.EntityType)
	}
	// One spelling per entity: the engine's (+8613912345678 is 13912345678).
	a.Entity = canon
	// An entry holds city-wide (the engine is the city's): an analyst whose
	// scope is not the whole city may list only an entity that one of their
	// own findings or leads names, never an address range; a range is at
	// most a /16.
	city, err := tx.cityWide(ctx, zhudun.PermFindingWrite)
	if err != nil {
		return false, err
	}
	if prefix && (!city || bits < 16) {
		return false, zhudun.FieldError("entity", "an address range is listed by a city-wide analyst only, and is at most a /16")
	}
	if !city {
		var w where
		w.add("f.entity_type = ?", a.EntityType)
		w.add("f.entity_key = ?", entityKey(a.EntityType, a.Entity))
		if _, err := scoped(ctx, &w, zhudun.PermFindingWrite, scopeCols{Path: "d.path", DeptID: "f.dept_id"}); err != nil {
			return false, err
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM findings f JOIN depts d ON d.id = f.dept_id`+w.sql(), w.args...).Scan(&n); err != nil {
			return false, tx.s.internal("allowlist scope", err)
		}
		if n == 0 {
			return false, zhudun.Errorf(zhudun.EFORBIDDEN, "%s %s is named by no finding within your scope: an entry holds city-wide", a.EntityType, a.Entity)
		}
	}
	if a.ExpiresAt != nil {
		if !a.ExpiresAt.After(tx.now) {
			return false, zhudun.FieldError("expires_at", "an expiry must be in the future")
		}
		t := a.ExpiresAt.UTC()
		a.ExpiresAt = &t
	}
	c := zhudun.CallerFrom(ctx)
	dept := c.DeptID
	if dept == 0 {
		dept = 1
	}
	// An expired entry no longer holds: it gives way to the new one (its
	// removal audited as any other).
	var expired int64
	err = tx.queryRow(ctx, `SELECT id FROM allowlist WHERE entity_type = ? AND entity = ? AND expires_at IS NOT NULL AND expires_at <= ?`,
		a.EntityType, a.Entity, tx.now).Scan(&expired)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return false, tx.s.internal("allowlist expired", err)
	default:
		if _, err := tx.exec(ctx, `DELETE FROM allowlist WHERE id = ?`, expired); err != nil {
			return false, tx.s.internal("allowlist expired", err)
		}
		if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "allowlist.remove", ObjectType: "allowlist", ObjectID: fmt.Sprint(expired),
			Detail: Detail(map[string]any{"entity_type": a.EntityType, "entity": a.Entity, "expired": true})}); err != nil {
			return false, err
		}
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM allowlist WHERE entity_type = ? AND entity = ?`, a.EntityType, a.Entity).Scan(&n); err != nil {
		return false, tx.s.internal("allowlist check", err)
	}
	if n > 0 {
		return false, nil
	}
	var fid any
	if a.FindingID != nil {
		fid = *a.FindingID
	}
	var exp any
	if a.ExpiresAt != nil {
		exp = *a.ExpiresAt
	}
	if err := tx.queryRow(ctx, `INSERT INTO allowlist (entity_type, entity, reason, owner, dept_id, finding_id, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, a.EntityType, a.Entity, a.Reason, c.Username, dept, fid, exp, tx.now).Scan(&a.ID); err != nil {
		return false, tx.s.internal("allowlist insert", err)
	}
	a.Owner, a.CreatedAt = c.Username, tx.now
	if err := tx.queryRow(ctx, `SELECT code FROM depts WHERE id = ?`, dept).Scan(&a.DeptCode); err != nil {
		return false, tx.s.internal("allowlist dept", err)
	}
	return true, tx.audit(ctx, &zhudun.AuditEntry{Action: "allowlist.add", ObjectType: "allowlist", ObjectID: fmt.Sprint(a.ID),
		Detail: Detail(map[string]any{"entity_type": a.EntityType, "entity": a.Entity, "reason": a.Reason, "expires_at": a.ExpiresAt, "finding_id": a.FindingID})})
}

// RemoveAllow deletes an entry within the caller's finding:write scope
// (over the department it belongs to); the engine finds the entity again.
func (s *Store) RemoveAllow(ctx context.Context, id int64) error {
	return s.writeWorkbench(ctx, func(ctx context.Context, tx *Tx) error {
		var w where
		w.add("a.id = ?", id)
		if _, err := scoped(ctx, &w, zhudun.PermFindingWrite, scopeCols{Path: "d.path", DeptID: "a.dept_id"}); err != nil {
			return err
		}
		a, err := scanAllow(tx.queryRow(ctx, allowSelect+w.sql(), w.args...))
		if errors.Is(err, sql.ErrNoRows) {
			return zhudun.Errorf(zhudun.ENOTFOUND, "allowlist entry %d not found", id)
		}
		if err != nil {
			return tx.s.internal("allowlist load", err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM allowlist WHERE id = ?`, id); err != nil {
			return tx.s.internal("allowlist delete", err)
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "allowlist.remove", ObjectType: "allowlist", ObjectID: fmt.Sprint(id),
			Detail: Detail(map[string]any{"entity_type": a.EntityType, "entity": a.Entity, "reason": a.Reason, "owner": a.Owner})})
	})
}

// cityWide reports whether the caller's scope of perm is the whole city
// (every department, or the root's subtree).
func (tx *Tx) cityWide(ctx context.Context, perm zhudun.Permission) (bool, error) {
	f, err := zhudun.ScopeFor(ctx, perm)
	if err != nil {
		return false, err
	}
	if f.Kind == zhudun.ScopeAll {
		return true, nil
	}
	if f.Kind != zhudun.ScopeSubtree {
		return false, nil
	}
	var root string
	if err := tx.queryRow(ctx, `SELECT path FROM depts WHERE id = 1`).Scan(&root); err != nil {
		return false, tx.s.internal("root path", err)
	}
	return f.DeptPath == root, nil
}
