package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/pii"
)

// maxGangMembers bounds a gang read: beyond it the page would not draw.
const maxGangMembers = 5000

// Gang returns the members of a gang the caller may see (finding:read
// within scope, withdrawn ones too: a confirmed member whose evidence
// faded is still part of what the analyst decided), drawn as a graph.
func (s *Store) Gang(ctx context.Context, id string) (*zhudun.Gang, error) {
	if id == "" {
		return nil, zhudun.FieldError("gang", "a gang is required")
	}
	fs, _, err := s.FindFindings(ctx, zhudun.FindingFilter{Kind: zhudun.KindFinding, Gang: id, Engine: "any", Sort: "+id", Limit: -1})
	if err != nil {
		return nil, err
	}
	if len(fs) == 0 {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "gang %s not found", id)
	}
	total := len(fs)
	if total > maxGangMembers {
		fs = fs[:maxGangMembers]
	}
	g := zhudun.NewGang(id, fs)
	g.Total = total
	return g, nil
}

// PromoteLead makes a lead a finding (docs/cutlists.md, "Leads"): the
// analyst's judgement that a weaker suspicion is black. finding:write
// within scope over the lead's department. The new finding keeps the
// lead's evidence, department and source, is new for review and names who
// promoted it and why; the lead becomes promoted. Audited lead.promote.
func (s *Store) PromoteLead(ctx context.Context, id int64, reason string) (*zhudun.Finding, error) {
	reason = pii.MaskText(reason)
	if err := zhudun.ValidReason("reason", reason); err != nil {
		return nil, err
	}
	c := zhudun.CallerFrom(ctx)
	var out *zhudun.Finding
	err := s.writeWorkbench(ctx, func(ctx context.Context, tx *Tx) error {
		var w where
		w.add("f.kind = ?", zhudun.KindLead)
		w.add("f.id = ?", id)
		if _, err := scoped(ctx, &w, zhudun.PermFindingWrite, scopeCols{Path: "d.path", DeptID: "f.dept_id"}); err != nil {
			return err
		}
		lead, err := scanFinding(tx.queryRow(ctx, findingSelect+w.sql(), w.args...))
		if errors.Is(err, sql.ErrNoRows) {
			return zhudun.Errorf(zhudun.ENOTFOUND, "lead %d not found", id)
		}
		if err != nil {
			return tx.s.internal("lead load", err)
		}
		if lead.Review == zhudun.ReviewPromoted {
			return zhudun.Errorf(zhudun.ECONFLICT, "lead %d was promoted already", id)
		}
		var fid int64
		err = tx.queryRow(ctx, `INSERT INTO findings (kind, category, entity_type, entity, entity_key, score, gang, first_seen, last_seen,
			evidence, status, dept_id, source, created_at, updated_at, networks, links, promoted_by, promote_reason, promoted_at)
			VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?)
			ON CONFLICT (kind, category, entity_key) DO NOTHING RETURNING id`,
			zhudun.KindFinding, lead.Category, lead.EntityType, lead.Entity, entityKey(lead.EntityType, lead.Entity), lead.Score,
			lead.FirstSeen.UTC(), lead.LastSeen.UTC(), string(lead.Evidence), zhudun.FindingLive, lead.DeptID, lead.Source, tx.now, tx.now,
			joinNetworks(lead.Networks), c.Username, reason, tx.now).Scan(&fid)
		if errors.Is(err, sql.ErrNoRows) {
			return zhudun.Errorf(zhudun.ECONFLICT, "%s %s is a finding already", lead.Category, lead.Entity)
		}
		if err != nil {
			return tx.s.internal("lead promote", err)
		}
		if _, err := tx.exec(ctx, `UPDATE findings SET review = ?, review_reason = ?, reviewed_by = ?, reviewed_at = ?, updated_at = ? WHERE id = ?`,
			zhudun.ReviewPromoted, reason, c.Username, tx.now, tx.now, id); err != nil {
			return tx.s.internal("lead promoted", err)
		}
		if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "lead.promote", ObjectType: "finding", ObjectID: fmt.Sprint(fid),
			Detail: Detail(map[string]any{"lead": id, "reason": reason, "category": lead.Category, "entity": lead.Entity, "score": lead.Score})}); err != nil {
			return err
		}
		if out, err = scanFinding(tx.queryRow(ctx, findingSelect+` WHERE f.id = ?`, fid)); err != nil {
			return tx.s.internal("promoted load", err)
		}
		if err := tx.emitFinding(ctx, "finding.created", out); err != nil {
			return err
		}
		nl, err := scanFinding(tx.queryRow(ctx, findingSelect+` WHERE f.id = ?`, id))
		if err != nil {
			return tx.s.internal("lead reload", err)
		}
		return tx.emitFinding(ctx, "finding.updated", nl)
	})
	return out, err
}
