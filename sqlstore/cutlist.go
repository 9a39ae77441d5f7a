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

// cutSelect reads a list's items for one binding (the first argument):
// the status is the finding's when it is no longer to cut (restored,
// dismissed), else this network's report (cut), else confirmed — a device
// cut on one carrier is still to cut on the other.
// cutSelect reads a list's items with this network's report (the join's
// binding is the first argument); cutItem derives the status.
const cutSelect = `SELECT f.id, f.category, f.entity_type, f.entity, f.gang, f.score, f.review, COALESCE(r.status, ''), r.at, COALESCE(r.reason, ''),
	f.confirmed_at, f.restored_at, f.list_at FROM findings f LEFT JOIN cut_reports r ON r.finding_id = f.id AND r.binding = ?`

// cutItem is a list's item for one network: the finding's status when it
// is no longer to cut (restored, dismissed), else this network's report
// (cut) — a device cut on one carrier is still to cut on the other.
func cutItem(r scanner) (*zhudun.CutItem, error) {
	var it zhudun.CutItem
	var review, report, reason string
	var at, restored sql.NullTime
	if err := r.Scan(&it.FindingID, &it.Category, &it.EntityType, &it.Entity, &it.Gang, &it.Score, &review, &report, &at, &reason,
		&it.ConfirmedAt, &restored, &it.UpdatedAt); err != nil {
		return nil, err
	}
	switch {
	case review == zhudun.ReviewRestored || review == zhudun.ReviewDismissed:
		it.Status = review
	case report == "cut":
		it.Status, it.CutAt = zhudun.ReviewCut, nullTime(at)
	default:
		it.Status = zhudun.ReviewConfirmed
		if report == "not_cut" {
			it.NotCut = reason
		}
	}
	it.ConfirmedAt, it.UpdatedAt = it.ConfirmedAt.UTC(), it.UpdatedAt.UTC()
	it.RestoredAt = nullTime(restored)
	return &it, nil
}

// networkLike matches a finding placed on binding by the engine (with
// ESCAPE '\': a binding's "_" is a character, not a wildcard).
func networkLike(binding string) string {
	return "%," + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(binding) + ",%"
}

// CutList returns the source's list of category: the findings ever
// confirmed that the events put on the source's network or platform,
// changed after since (zero: all), in the order they changed. Whoever sent
// the events plays no part. The fetch is audited under the source.
//
// after pages within one instant: with after > 0 the items after (since,
// after) in (list_at, id) order — a gang confirmed at once shares one
// list_at, and a full page may end inside it.
func (s *Store) CutList(ctx context.Context, src *zhudun.Source, category string, since time.Time, after int64) ([]*zhudun.CutItem, error) {
	if err := sourceCategory(src, category); err != nil {
		return nil, err
	}
	page := `f.list_at > ?`
	args := []any{src.Binding, zhudun.KindFinding, category, since.UTC()}
	if after > 0 {
		page = `(f.list_at > ? OR f.list_at = ? AND f.id > ?)`
		args = append(args, since.UTC(), after)
	}
	rows, err := s.query(ctx, cutSelect+` WHERE f.kind = ? AND f.category = ? AND f.confirmed_at IS NOT NULL AND `+page+`
		AND f.networks LIKE ? ESCAPE '\' ORDER BY f.list_at, f.id LIMIT ?`, append(args, networkLike(src.Binding), maxCutList)...)
	if err != nil {
		return nil, s.internal("cut list", err)
	}
	out := []*zhudun.CutItem{}
	for rows.Next() {
		it, err := cutItem(rows)
		if err != nil {
			rows.Close()
			return nil, s.internal("cut list scan", err)
		}
		out = append(out, it)
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
			// This network's own report: another network's cut does not
			// cut the entity here.
			var mine string
			err = tx.queryRow(ctx, `SELECT status FROM cut_reports WHERE finding_id = ? AND binding = ?`, f.ID, src.Binding).Scan(&mine)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return tx.s.internal("ack report", err)
			}
			r.Status = zhudun.ReviewConfirmed
			if mine == "cut" {
				r.Status = zhudun.ReviewCut
			}
			switch {
			case f.Review != zhudun.ReviewConfirmed && f.Review != zhudun.ReviewCut:
				r.Status = f.Review
				r.Error = "not to be cut: its status is " + f.Review
				continue
			case mine == "cut" && a.Status == "cut":
				continue // reported again
			}
			reason := ""
			if a.Status == "not_cut" {
				reason = strings.TrimSpace(a.Reason)
			}
			if _, err := tx.exec(ctx, `INSERT INTO cut_reports (finding_id, binding, status, reason, source, at) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (finding_id, binding) DO UPDATE SET status = excluded.status, reason = excluded.reason, source = excluded.source, at = excluded.at`,
				f.ID, src.Binding, a.Status, reason, src.Name, tx.now); err != nil {
				return tx.s.internal("ack report", err)
			}
			// (confirmed to cut leaves the cyber rollup as it is: both count)
			switch {
			case a.Status == "cut" && f.Review == zhudun.ReviewConfirmed:
				// the first network to cut it: the finding is cut
				_, err = tx.exec(ctx, `UPDATE findings SET review = ?, cut_at = ?, cut_source = ?, not_cut_reason = '', not_cut_at = NULL, list_at = ?, updated_at = ? WHERE id = ?`,
					zhudun.ReviewCut, tx.now, src.Name, tx.now, tx.now, f.ID)
			case a.Status == "cut":
				_, err = tx.exec(ctx, `UPDATE findings SET list_at = ?, updated_at = ? WHERE id = ?`, tx.now, tx.now, f.ID)
			default:
				_, err = tx.exec(ctx, `UPDATE findings SET not_cut_reason = ?, not_cut_at = ?, cut_source = ?, updated_at = ? WHERE id = ?`,
					reason, tx.now, src.Name, tx.now, f.ID)
			}
			if err != nil {
				return tx.s.internal("ack", err)
			}
			if a.Status == "cut" {
				r.Status = zhudun.ReviewCut
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
		// per network: this binding's reports, not the finding's status
		// (a device cut by one carrier is still to cut by the other)
		q := `SELECT
			COALESCE(SUM(CASE WHEN f.review IN ('confirmed', 'cut') AND r.status IS NULL THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN f.review IN ('confirmed', 'cut') AND r.status = 'cut' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN f.review IN ('confirmed', 'cut') AND r.status = 'not_cut' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN f.review IN ('confirmed', 'cut') AND r.status IS NULL AND f.confirmed_at < ? THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN f.review = 'restored' THEN 1 ELSE 0 END), 0)
			FROM findings f JOIN depts d ON d.id = f.dept_id LEFT JOIN cut_reports r ON r.finding_id = f.id AND r.binding = ?` + w.sql() +
			` AND f.kind = ? AND f.category = ? AND f.confirmed_at IS NOT NULL AND f.networks LIKE ? ESCAPE '\'`
		args := append([]any{overdue, st.Binding}, w.args...)
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

// EscalateOverdue marks, once per network, each confirmed finding that a
// network on which it is to be cut has reported neither cut nor not cut
// within deadline of its confirmation: a device one carrier cut is still
// overdue on the other carrier that stayed silent. Each mark is audited
// and raised to the commanders over the finding's department: a
// cutlist.overdue event, naming the network, for holders of report:read
// there (the commander's permission; analysts see the overdue count in the
// lists' figures).
func (s *Store) EscalateOverdue(ctx context.Context, deadline time.Duration) (int, error) {
	ctx = zhudun.WithCaller(ctx, zhudun.SystemCaller("cutlist"))
	n := 0
	err := s.writeWorkbench(ctx, func(ctx context.Context, tx *Tx) error {
		n = 0
		lists, err := cutListsOf(ctx, tx)
		if err != nil {
			return err
		}
		for _, l := range lists {
			rows, err := tx.query(ctx, findingSelect+` WHERE f.kind = ? AND f.category = ? AND f.review IN (?, ?) AND f.confirmed_at < ?
				AND f.networks LIKE ? ESCAPE '\'
				AND NOT EXISTS (SELECT 1 FROM cut_reports r WHERE r.finding_id = f.id AND r.binding = ?)
				AND NOT EXISTS (SELECT 1 FROM cut_overdue o WHERE o.finding_id = f.id AND o.binding = ?)
				ORDER BY f.id LIMIT 1000`, zhudun.KindFinding, l.category, zhudun.ReviewConfirmed, zhudun.ReviewCut, tx.now.Add(-deadline),
				networkLike(l.binding), l.binding, l.binding)
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
				if _, err := tx.exec(ctx, `INSERT INTO cut_overdue (finding_id, binding, at) VALUES (?, ?, ?)`, f.ID, l.binding, tx.now); err != nil {
					return tx.s.internal("overdue mark", err)
				}
				d := map[string]any{"category": f.Category, "entity": f.Entity, "network": l.binding, "networks": f.Networks,
					"confirmed_at": f.ConfirmedAt, "deadline_hours": deadline.Hours()}
				if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "cutlist.overdue", ObjectType: "finding", ObjectID: fmt.Sprint(f.ID), Detail: Detail(d)}); err != nil {
					return err
				}
				d["id"], d["dept"] = f.ID, f.DeptCode
				if err := tx.emit(ctx, zhudun.Event{Type: "cutlist.overdue", Perm: zhudun.PermReportRead, DeptPath: f.DeptPath, DeptID: f.DeptID, Data: Detail(d)}); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	return n, err
}

// cutList is one network's list of one category.
type cutList struct{ binding, category string }

// cutListsOf returns the lists the sources' networks and platforms keep,
// each once however many sources share a binding.
func cutListsOf(ctx context.Context, tx *Tx) ([]cutList, error) {
	rows, err := tx.query(ctx, `SELECT DISTINCT binding, kind FROM sources WHERE kind IN (?, ?) ORDER BY binding, kind`, zhudun.SourceCarrier, zhudun.SourcePlatform)
	if err != nil {
		return nil, tx.s.internal("cut lists", err)
	}
	defer rows.Close()
	var out []cutList
	for rows.Next() {
		var binding, kind string
		if err := rows.Scan(&binding, &kind); err != nil {
			return nil, tx.s.internal("cut lists scan", err)
		}
		for _, cat := range zhudun.CutCategories(kind) {
			out = append(out, cutList{binding, cat})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, tx.s.internal("cut lists", err)
	}
	return out, nil
}
