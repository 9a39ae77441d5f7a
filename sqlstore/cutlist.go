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
	"github.com/zhudun/zhudun/pii"
)

var _ zhudun.CutListService = (*Store)(nil)

// categoryEntityType is the entity type of each category (the contract's).
var categoryEntityType = map[string]string{
	"black_card": "msisdn", "black_device": "imei", "black_account": "account", "black_software": "device", "black_line": "ip",
}

// maxCutList bounds one fetch; a source pages with ?since= (the items come
// in list order, so the last one's updated_at is the next since).
const maxCutList = 10000

// sourceCaller is the audit actor of a source's request: the source, not
// a user.
func sourceCaller(ctx context.Context, src *zhudun.Source) context.Context {
	c := &zhudun.Caller{Username: "source:" + src.Name, DeptPath: src.DeptPath, DeptCode: src.DeptCode, Perms: map[zhudun.Permission]zhudun.Scope{}}
	if prev := zhudun.CallerFrom(ctx); prev != nil {
		c.ClientAddr = prev.ClientAddr
	}
	return zhudun.WithCaller(ctx, c)
}

func sourceCategory(src *zhudun.Source, category string) error {
	if !slices.Contains(zhudun.CutCategories(src.Kind), category) {
		return zhudun.Errorf(zhudun.EFORBIDDEN, "a %s source has no %s list (its lists: %s)", src.Kind, category,
			strings.Join(zhudun.CutCategories(src.Kind), ", "))
	}
	return nil
}

const cutSelect = `SELECT f.id, f.category, f.entity_type, f.entity, f.gang, f.score, f.review, f.confirmed_at, f.cut_at, f.not_cut_reason,
	f.restored_at, f.list_at FROM findings f`

// networkLike matches a finding placed on binding by the engine (with
// ESCAPE '\': a binding's "_" is a character, not a wildcard).
func networkLike(binding string) string {
	return "%," + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(binding) + ",%"
}

// CutList returns the source's list of category: the findings ever
// confirmed that the events put on the source's network or platform,
// changed after since (zero: all), in the order they changed. Whoever sent
// the events plays no part. The fetch is audited under the source.
func (s *Store) CutList(ctx context.Context, src *zhudun.Source, category string, since time.Time) ([]*zhudun.CutItem, error) {
	if err := sourceCategory(src, category); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, cutSelect+` WHERE f.kind = ? AND f.category = ? AND f.confirmed_at IS NOT NULL AND f.list_at > ?
		AND f.networks LIKE ? ESCAPE '\' ORDER BY f.list_at, f.id LIMIT ?`,
		zhudun.KindFinding, category, since.UTC(), networkLike(src.Binding), maxCutList)
	if err != nil {
		return nil, s.internal("cut list", err)
	}
	out := []*zhudun.CutItem{}
	for rows.Next() {
		var it zhudun.CutItem
		var cut, restored sql.NullTime
		if err := rows.Scan(&it.FindingID, &it.Category, &it.EntityType, &it.Entity, &it.Gang, &it.Score, &it.Status, &it.ConfirmedAt,
			&cut, &it.NotCut, &restored, &it.UpdatedAt); err != nil {
			rows.Close()
			return nil, s.internal("cut list scan", err)
		}
		it.ConfirmedAt, it.UpdatedAt = it.ConfirmedAt.UTC(), it.UpdatedAt.UTC()
		it.CutAt, it.RestoredAt = nullTime(cut), nullTime(restored)
		out = append(out, &it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.internal("cut list rows", err)
	}
	ctx = sourceCaller(ctx, src)
	err = s.write(ctx, func(ctx context.Context, tx *Tx) error {
		d := map[string]any{"source": src.Name, "binding": src.Binding, "category": category, "items": len(out)}
		if !since.IsZero() {
			d["since"] = since.UTC()
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "cutlist.fetch", ObjectType: "cutlist", ObjectID: category, Detail: Detail(d)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// maxAcks bounds one report.
const maxAcks = 10000

// AckCuts records the source's report on entities of its list: cut makes
// the finding's status cut; not_cut keeps it confirmed with the reason,
// shown and counted. An entity not on the source's list is answered with
// an error, the others recorded; each recorded one is audited.
func (s *Store) AckCuts(ctx context.Context, src *zhudun.Source, category string, acks []zhudun.CutAck) ([]*zhudun.CutAckResult, error) {
	if err := sourceCategory(src, category); err != nil {
		return nil, err
	}
	if len(acks) == 0 || len(acks) > maxAcks {
		return nil, zhudun.FieldError("items", "1 to %d items", maxAcks)
	}
	acks = slices.Clone(acks)
	for i, a := range acks {
		// a source's reason is shown to analysts and to every source of
		// the binding: phone and ID numbers in it are masked
		acks[i].Reason = pii.MaskText(a.Reason)
		switch a.Status {
		case "cut":
		case "not_cut":
			if n := len([]rune(strings.TrimSpace(a.Reason))); n == 0 || n > 500 {
				return nil, zhudun.FieldError("items", "item %d: not_cut needs a reason (at most 500 characters)", i+1)
			}
		default:
			return nil, zhudun.FieldError("items", "item %d: status must be cut or not_cut", i+1)
		}
	}
	ctx = sourceCaller(ctx, src)
	out := make([]*zhudun.CutAckResult, 0, len(acks))
	err := s.writeWorkbench(ctx, func(ctx context.Context, tx *Tx) error {
		out = out[:0]
		for _, a := range acks {
			r := &zhudun.CutAckResult{Entity: a.Entity}
			out = append(out, r)
			f, err := scanFinding(tx.queryRow(ctx, findingSelect+` WHERE f.kind = ? AND f.category = ? AND f.entity_key = ? AND f.networks LIKE ? ESCAPE '\'
				AND f.confirmed_at IS NOT NULL`, zhudun.KindFinding, category, entityKey(categoryEntityType[category], strings.TrimSpace(a.Entity)), networkLike(src.Binding)))
			if errors.Is(err, sql.ErrNoRows) {
				r.Error = "not on this list"
				continue
			}
			if err != nil {
				return tx.s.internal("ack load", err)
			}
			r.Status = f.Review
			switch {
			case f.Review == zhudun.ReviewCut && a.Status == "cut":
				continue // reported again
			case f.Review != zhudun.ReviewConfirmed:
				r.Error = "not to be cut: its status is " + f.Review
				continue
			}
			if a.Status == "cut" {
				_, err = tx.exec(ctx, `UPDATE findings SET review = ?, cut_at = ?, cut_source = ?, not_cut_reason = '', not_cut_at = NULL, list_at = ?, updated_at = ? WHERE id = ?`,
					zhudun.ReviewCut, tx.now, src.Name, tx.now, tx.now, f.ID)
				r.Status = zhudun.ReviewCut
			} else {
				_, err = tx.exec(ctx, `UPDATE findings SET not_cut_reason = ?, not_cut_at = ?, cut_source = ?, updated_at = ? WHERE id = ?`,
					strings.TrimSpace(a.Reason), tx.now, src.Name, tx.now, f.ID)
			}
			if err != nil {
				return tx.s.internal("ack", err)
			}
			if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "cutlist.ack", ObjectType: "finding", ObjectID: fmt.Sprint(f.ID),
				Detail: Detail(map[string]any{"source": src.Name, "category": category, "entity": f.Entity, "status": a.Status, "reason": a.Reason})}); err != nil {
				return err
			}
			nf, err := scanFinding(tx.queryRow(ctx, findingSelect+` WHERE f.id = ?`, f.ID))
			if err != nil {
				return tx.s.internal("ack reload", err)
			}
			if err := tx.emitFinding(ctx, "finding.updated", nf); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// CutListStats counts, per source and list, the findings in the caller's
// finding:read scope: confirmed and not yet reported, cut, reported not
// cut, overdue (confirmed longer than deadline ago, not reported) and
// restored.
func (s *Store) CutListStats(ctx context.Context, deadline time.Duration) ([]*zhudun.CutListStat, error) {
	var w where
	if _, err := scoped(ctx, &w, zhudun.PermFindingRead, scopeCols{Path: "d.path", DeptID: "f.dept_id"}); err != nil {
		return nil, err
	}
	srcs, err := s.query(ctx, `SELECT name, kind, binding FROM sources WHERE kind IN (?, ?) ORDER BY name`, zhudun.SourceCarrier, zhudun.SourcePlatform)
	if err != nil {
		return nil, s.internal("cut stats sources", err)
	}
	var out []*zhudun.CutListStat
	for srcs.Next() {
		var name, kind, binding string
		if err := srcs.Scan(&name, &kind, &binding); err != nil {
			srcs.Close()
			return nil, s.internal("cut stats scan", err)
		}
		for _, cat := range zhudun.CutCategories(kind) {
			out = append(out, &zhudun.CutListStat{Source: name, Binding: binding, Category: cat})
		}
	}
	srcs.Close()
	if err := srcs.Err(); err != nil {
		return nil, s.internal("cut stats sources", err)
	}
	overdue := s.clock().Add(-deadline)
	for _, st := range out {
		q := `SELECT
			COALESCE(SUM(CASE WHEN f.review = 'confirmed' AND f.not_cut_at IS NULL THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN f.review = 'cut' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN f.review = 'confirmed' AND f.not_cut_at IS NOT NULL THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN f.review = 'confirmed' AND f.not_cut_at IS NULL AND f.confirmed_at < ? THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN f.review = 'restored' THEN 1 ELSE 0 END), 0)
			FROM findings f JOIN depts d ON d.id = f.dept_id` + w.sql() + ` AND f.kind = ? AND f.category = ? AND f.confirmed_at IS NOT NULL AND f.networks LIKE ? ESCAPE '\'`
		args := append([]any{overdue}, w.args...)
		args = append(args, zhudun.KindFinding, st.Category, networkLike(st.Binding))
		if err := s.queryRow(ctx, q, args...).Scan(&st.Confirmed, &st.Cut, &st.NotCut, &st.Overdue, &st.Restored); err != nil {
			return nil, s.internal("cut stats", err)
		}
	}
	if out == nil {
		out = []*zhudun.CutListStat{}
	}
	return out, nil
}

// EscalateOverdue marks, once, each confirmed finding reported neither cut
// nor not cut within deadline of its confirmation, audits it and raises it
// to the commanders over the finding's department: a cutlist.overdue event
// for holders of report:read there (the commander's permission; analysts
// see the overdue count in the lists' figures).
func (s *Store) EscalateOverdue(ctx context.Context, deadline time.Duration) (int, error) {
	ctx = zhudun.WithCaller(ctx, zhudun.SystemCaller("cutlist"))
	n := 0
	err := s.writeWorkbench(ctx, func(ctx context.Context, tx *Tx) error {
		n = 0
		rows, err := tx.query(ctx, findingSelect+` WHERE f.kind = ? AND f.review = ? AND f.not_cut_at IS NULL AND f.overdue_at IS NULL AND f.confirmed_at < ?
			ORDER BY f.id LIMIT 1000`, zhudun.KindFinding, zhudun.ReviewConfirmed, tx.now.Add(-deadline))
		if err != nil {
			return tx.s.internal("overdue", err)
		}
		var fs []*zhudun.Finding
		for rows.Next() {
			f, err := scanFinding(rows)
			if err != nil {
				rows.Close()
				return tx.s.internal("overdue scan", err)
			}
			fs = append(fs, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return tx.s.internal("overdue rows", err)
		}
		for _, f := range fs {
			if _, err := tx.exec(ctx, `UPDATE findings SET overdue_at = ? WHERE id = ?`, tx.now, f.ID); err != nil {
				return tx.s.internal("overdue mark", err)
			}
			d := map[string]any{"category": f.Category, "entity": f.Entity, "networks": f.Networks, "confirmed_at": f.ConfirmedAt, "deadline_hours": deadline.Hours()}
			if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "cutlist.overdue", ObjectType: "finding", ObjectID: fmt.Sprint(f.ID), Detail: Detail(d)}); err != nil {
				return err
			}
			d["id"], d["dept"] = f.ID, f.DeptCode
			if err := tx.emit(ctx, zhudun.Event{Type: "cutlist.overdue", Perm: zhudun.PermReportRead, DeptPath: f.DeptPath, DeptID: f.DeptID, Data: Detail(d)}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
