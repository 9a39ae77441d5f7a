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

// holdForSecond applies the two-person rule: a confirmation that would
// change more findings than Options.TwoPersonAbove is not applied but kept
// as a pending request (audited review.request) for a second analyst. It
// returns nil when the review may go ahead.
func (tx *Tx) holdForSecond(ctx context.Context, fs []*zhudun.Finding, r zhudun.Review, target string) (*zhudun.ReviewResult, error) {
	if tx.s.twoPerson <= 0 || r.Decision != zhudun.DecisionConfirm {
		return nil, nil
	}
	var ids []string
	gangs := map[string]bool{}
	for _, f := range fs {
		if f.Review != zhudun.ReviewConfirmed {
			ids = append(ids, strconv.FormatInt(f.ID, 10))
			if f.Gang != "" {
				gangs[f.Gang] = true
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	// What this analyst confirmed of the same gangs before counts too:
	// a gang confirmed one finding at a time is still a gang.
	before := 0
	if len(ids) <= tx.s.twoPerson && len(gangs) > 0 {
		var err error
		if before, err = tx.confirmedBy(ctx, zhudun.CallerFrom(ctx).Username, gangs); err != nil {
			return nil, err
		}
	}
	if len(ids)+before <= tx.s.twoPerson {
		return nil, nil
	}
	c := zhudun.CallerFrom(ctx)
	dept := c.DeptID
	if dept == 0 {
		dept = 1
	}
	var id int64
	if err := tx.queryRow(ctx, `INSERT INTO review_requests (decision, reason, target, finding_ids, requested_by, requester_id, dept_id, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, r.Decision, r.Reason, target, strings.Join(ids, ","), c.Username, c.UserID, dept,
		zhudun.RequestPending, tx.now).Scan(&id); err != nil {
		return nil, tx.s.internal("review request", err)
	}
	if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "review.request", ObjectType: "review_request", ObjectID: fmt.Sprint(id),
		Detail: Detail(map[string]any{"reason": r.Reason, "target": target, "findings": len(ids), "above": tx.s.twoPerson})}); err != nil {
		return nil, err
	}
	req, err := scanRequest(tx.queryRow(ctx, requestSelect+` WHERE q.id = ?`, id))
	if err != nil {
		return nil, tx.s.internal("review request load", err)
	}
	return &zhudun.ReviewResult{Findings: []*zhudun.Finding{}, Pending: req}, nil
}

const requestSelect = `SELECT q.id, q.decision, q.reason, q.target, q.finding_ids, q.requested_by, q.requester_id, d.code, q.status, q.decided_by,
	q.decided_at, q.created_at FROM review_requests q JOIN depts d ON d.id = q.dept_id`

func scanRequest(r scanner) (*zhudun.ReviewRequest, error) {
	var q zhudun.ReviewRequest
	var ids string
	var requester int64
	var decided sql.NullTime
	if err := r.Scan(&q.ID, &q.Decision, &q.Reason, &q.Target, &ids, &q.RequestedBy, &requester, &q.DeptCode, &q.Status, &q.DecidedBy,
		&decided, &q.CreatedAt); err != nil {
		return nil, err
	}
	for _, s := range strings.Split(ids, ",") {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			q.FindingIDs = append(q.FindingIDs, n)
		}
	}
	q.DecidedAt, q.CreatedAt = nullTime(decided), q.CreatedAt.UTC()
	return &q, nil
}

// FindReviewRequests lists the requests of the caller's finding:read
// scope (over the requester's department), newest first.
func (s *Store) FindReviewRequests(ctx context.Context, status string) ([]*zhudun.ReviewRequest, error) {
	var w where
	switch status {
	case "":
	case zhudun.RequestPending, zhudun.RequestApproved, zhudun.RequestRejected:
		w.add("q.status = ?", status)
	default:
		return nil, zhudun.FieldError("status", "status must be pending, approved or rejected")
	}
	if _, err := scoped(ctx, &w, zhudun.PermFindingRead, scopeCols{Path: "d.path", DeptID: "q.dept_id"}); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, requestSelect+w.sql()+` ORDER BY q.id DESC LIMIT 500`, w.args...)
	if err != nil {
		return nil, s.internal("review requests", err)
	}
	defer rows.Close()
	out := []*zhudun.ReviewRequest{}
	for rows.Next() {
		q, err := scanRequest(rows)
		if err != nil {
			return nil, s.internal("review request scan", err)
		}
		out = append(out, q)
	}
	return out, s.internalIf("review request rows", rows.Err())
}

// DecideReviewRequest approves or rejects a pending request. The second
// analyst is someone else than the requester and must reach every finding
// the request changes (finding:write in scope); an approval applies the
// review as it was asked, in the name of the requester, audited under the
// approver.
func (s *Store) DecideReviewRequest(ctx context.Context, id int64, approve bool) (*zhudun.ReviewRequest, *zhudun.ReviewResult, error) {
	var req *zhudun.ReviewRequest
	var res *zhudun.ReviewResult
	err := s.writeWorkbench(ctx, func(ctx context.Context, tx *Tx) error {
		q, err := scanRequest(tx.queryRow(ctx, requestSelect+` WHERE q.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return zhudun.Errorf(zhudun.ENOTFOUND, "review request %d not found", id)
		}
		if err != nil {
			return tx.s.internal("review request load", err)
		}
		var fs []*zhudun.Finding
		for _, fid := range q.FindingIDs {
			got, err := tx.reviewable(ctx, "f.id = ?", fid)
			if err != nil {
				return err
			}
			if len(got) == 0 {
				return zhudun.Errorf(zhudun.ENOTFOUND, "review request %d not found", id) // a finding out of the caller's reach
			}
			fs = append(fs, got...)
		}
		c := zhudun.CallerFrom(ctx)
		var requester int64
		if err := tx.queryRow(ctx, `SELECT requester_id FROM review_requests WHERE id = ?`, id).Scan(&requester); err != nil {
			return tx.s.internal("review request requester", err)
		}
		if requester == c.UserID {
			return zhudun.Errorf(zhudun.EFORBIDDEN, "a second analyst must approve: not the one who asked")
		}
		if q.Status != zhudun.RequestPending {
			return zhudun.Errorf(zhudun.ECONFLICT, "review request %d is %s already", id, q.Status)
		}
		status, action := zhudun.RequestRejected, "review.reject"
		if approve {
			status, action = zhudun.RequestApproved, "review.approve"
			// cut or restored since the request: left alone, as a gang review does
			live := fs[:0]
			for _, f := range fs {
				if f.Review != zhudun.ReviewCut && f.Review != zhudun.ReviewRestored {
					live = append(live, f)
				}
			}
			if res, err = tx.review(ctx, live, zhudun.Review{Decision: q.Decision, Reason: q.Reason}, q.RequestedBy); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `UPDATE review_requests SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?`, status, c.Username, tx.now, id); err != nil {
			return tx.s.internal("review request decide", err)
		}
		if err := tx.audit(ctx, &zhudun.AuditEntry{Action: action, ObjectType: "review_request", ObjectID: fmt.Sprint(id),
			Detail: Detail(map[string]any{"target": q.Target, "requested_by": q.RequestedBy, "findings": len(q.FindingIDs)})}); err != nil {
			return err
		}
		req, err = scanRequest(tx.queryRow(ctx, requestSelect+` WHERE q.id = ?`, id))
		if err != nil {
			return tx.s.internal("review request reload", err)
		}
		return nil
	})
	return req, res, err
}

// confirmedBy counts the findings of the gangs that user confirmed alone
// (and that stand confirmed or cut): those a second analyst approved do
// not count.
func (tx *Tx) confirmedBy(ctx context.Context, user string, gangs map[string]bool) (int, error) {
	total := 0
	for g := range gangs {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM findings f WHERE f.kind = ? AND f.gang = ? AND f.reviewed_by = ? AND f.review IN (?, ?)
			AND NOT EXISTS (SELECT 1 FROM review_requests q WHERE q.status = ? AND q.requested_by = f.reviewed_by
				AND ',' || q.finding_ids || ',' LIKE '%,' || CAST(f.id AS TEXT) || ',%')`,
			zhudun.KindFinding, g, user, zhudun.ReviewConfirmed, zhudun.ReviewCut, zhudun.RequestApproved).Scan(&n); err != nil {
			return 0, tx.s.internal("confirmed by", err)
		}
		total += n
	}
	return total, nil
}
