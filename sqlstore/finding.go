package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
)

var _ zhudun.FindingService = (*Store)(nil)

const findingSelect = `SELECT f.id, f.kind, f.category, f.entity_type, f.entity, f.score, f.gang, f.first_seen, f.last_seen,
	f.evidence, f.status, f.confirmed, f.dept_id, d.code, d.path, f.source, f.created_at, f.updated_at,
	f.review, f.review_reason, f.reviewed_by, f.reviewed_at, f.confirmed_at, f.cut_at, f.cut_source, f.not_cut_reason, f.restored_at, f.networks,
	f.links, f.promoted_by, f.promote_reason, f.promoted_at
	FROM findings f JOIN depts d ON d.id = f.dept_id`

func scanFinding(r scanner) (*zhudun.Finding, error) {
	var f zhudun.Finding
	var ev, nets, links string
	var reviewedAt, confirmedAt, cutAt, restoredAt, promotedAt sql.NullTime
	if err := r.Scan(&f.ID, &f.Kind, &f.Category, &f.EntityType, &f.Entity, &f.Score, &f.Gang, &f.FirstSeen, &f.LastSeen,
		&ev, &f.Status, &f.Confirmed, &f.DeptID, &f.DeptCode, &f.DeptPath, &f.Source, &f.CreatedAt, &f.UpdatedAt,
		&f.Review, &f.ReviewReason, &f.ReviewedBy, &reviewedAt, &confirmedAt, &cutAt, &f.CutSource, &f.NotCutReason, &restoredAt, &nets,
		&links, &f.PromotedBy, &f.PromoteReason, &promotedAt); err != nil {
		return nil, err
	}
	f.ReviewedAt, f.ConfirmedAt, f.CutAt, f.RestoredAt = nullTime(reviewedAt), nullTime(confirmedAt), nullTime(cutAt), nullTime(restoredAt)
	f.Networks = splitNetworks(nets)
	f.Links = splitLinks(links)
	f.PromotedAt = nullTime(promotedAt)
	f.Evidence = []byte(ev)
	f.FirstSeen, f.LastSeen = f.FirstSeen.UTC(), f.LastSeen.UTC()
	f.CreatedAt, f.UpdatedAt = f.CreatedAt.UTC(), f.UpdatedAt.UTC()
	f.Unsupported = f.Confirmed && f.Status == zhudun.FindingWithdrawn
	return &f, nil
}

// FindFindings lists findings (or leads, by f.Kind) within the caller's
// finding:read scope, newest first unless f.Sort says otherwise; live ones
// unless f.Status or f.Engine says withdrawn (docs/cutlists.md, "The
// findings list").
func (s *Store) FindFindings(ctx context.Context, f zhudun.FindingFilter) ([]*zhudun.Finding, int, error) {
	var w where
	switch f.Kind {
	case "", zhudun.KindFinding:
		w.add("f.kind = ?", zhudun.KindFinding)
	case zhudun.KindLead:
		w.add("f.kind = ?", zhudun.KindLead)
	default:
		return nil, 0, zhudun.FieldError("kind", "kind must be finding or lead")
	}
	engine := f.Engine
	switch {
	case f.Status == zhudun.FindingLive || f.Status == zhudun.FindingWithdrawn:
		engine = f.Status
	case slices.Contains(zhudun.ReviewStatuses, f.Status) || f.Status == zhudun.ReviewPromoted && f.Kind == zhudun.KindLead:
		w.add("f.review = ?", f.Status)
	case f.Status != "":
		return nil, 0, zhudun.FieldError("status", "status must be live, withdrawn, new, confirmed, dismissed, cut or restored")
	}
	switch engine {
	case "", zhudun.FindingLive:
		w.add("f.status = ?", zhudun.FindingLive)
	case zhudun.FindingWithdrawn:
		w.add("f.status = ?", zhudun.FindingWithdrawn)
	case "any":
	default:
		return nil, 0, zhudun.FieldError("engine", "engine must be live, withdrawn or any")
	}
	if f.Category != "" {
		w.add("f.category = ?", f.Category)
	}
	if f.Gang != "" {
		w.add("f.gang = ?", f.Gang)
	}
	if f.MinScore > 0 {
		w.add("f.score >= ?", f.MinScore)
	}
	if f.MaxScore > 0 {
		w.add("f.score <= ?", f.MaxScore)
	}
	if f.Signal != "" {
		if !signalRE.MatchString(f.Signal) {
			return nil, 0, zhudun.FieldError("signal", "a signal is a–z, 0–9 and _")
		}
		// The contract's evidence is written by the engine's own encoder:
		// a signal appears exactly as "signal":"name".
		w.add(`f.evidence LIKE ? ESCAPE '\'`, "%"+strings.Trim(likeArg(`"signal":"`+f.Signal+`"`), "%")+"%")
	}
	if f.Source != "" {
		w.add("f.source = ?", f.Source)
	}
	for _, r := range []struct {
		col string
		t   time.Time
		op  string
	}{{"f.first_seen", f.FirstFrom, ">="}, {"f.first_seen", f.FirstTo, "<"}, {"f.last_seen", f.LastFrom, ">="}, {"f.last_seen", f.LastTo, "<"},
		{"f.created_at", f.CreatedFrom, ">="}, {"f.created_at", f.CreatedTo, "<"}, {"f.confirmed_at", f.ConfirmedFrom, ">="}, {"f.confirmed_at", f.ConfirmedTo, "<"},
		{"f.cut_at", f.CutFrom, ">="}, {"f.cut_at", f.CutTo, "<"}} {
		if !r.t.IsZero() {
			w.add(r.col+" "+r.op+" ?", r.t.UTC())
		}
	}
	if f.Region != "" {
		var path string
		err := s.queryRow(ctx, `SELECT path FROM depts WHERE code = ?`, f.Region).Scan(&path)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, 0, zhudun.FieldError("region", "department %s not found", f.Region)
		}
		if err != nil {
			return nil, 0, s.internal("finding region", err)
		}
		w.add("d.path LIKE ?", path+"%")
	}
	order, err := findingOrder(f.Sort)
	if err != nil {
		return nil, 0, err
	}
	if _, err := scoped(ctx, &w, zhudun.PermFindingRead, scopeCols{Path: "d.path", DeptID: "f.dept_id"}); err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM findings f JOIN depts d ON d.id = f.dept_id`+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, s.internal("finding count", err)
	}
	offset, limit := page(f.Offset, f.Limit)
	if f.Limit < 0 { // an export: every row, in pages of the caller's making
		limit = maxExportRows
	}
	rows, err := s.query(ctx, findingSelect+w.sql()+` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(w.args, limit, offset)...)
	if err != nil {
		return nil, 0, s.internal("finding list", err)
	}
	defer rows.Close()
	out := []*zhudun.Finding{}
	for rows.Next() {
		x, err := scanFinding(rows)
		if err != nil {
			return nil, 0, s.internal("finding scan", err)
		}
		out = append(out, x)
	}
	return out, total, s.internalIf("finding rows", rows.Err())
}

// maxExportRows bounds an export of findings (Limit < 0).
const maxExportRows = 100000

var signalRE = regexp.MustCompile(`^[a-z0-9_]{1,64}$`)

// findingOrder is the ORDER BY of a sort key: id (newest first), score,
// first_seen, last_seen; "-" before one for descending, "+" ascending;
// the times and the score descend unless told.
func findingOrder(sort string) (string, error) {
	dir := ""
	key := sort
	if strings.HasPrefix(sort, "-") || strings.HasPrefix(sort, "+") {
		dir, key = sort[:1], sort[1:]
	}
	col := map[string]string{"": "f.id", "id": "f.id", "score": "f.score", "first_seen": "f.first_seen", "last_seen": "f.last_seen"}[key]
	if col == "" {
		return "", zhudun.FieldError("sort", "sort by id, score, first_seen or last_seen")
	}
	if dir == "+" {
		return col + " ASC, f.id", nil
	}
	return col + " DESC, f.id DESC", nil
}

// EngineFindings returns every stored finding and lead, withdrawn ones
// too, in id order: the live engine's starting point for its diffs. It is
// the engine's, not an API: no caller scope applies.
func (s *Store) EngineFindings(ctx context.Context) ([]*zhudun.Finding, error) {
	rows, err := s.query(ctx, findingSelect+` ORDER BY f.id`)
	if err != nil {
		return nil, s.internal("engine findings", err)
	}
	defer rows.Close()
	var out []*zhudun.Finding
	for rows.Next() {
		x, err := scanFinding(rows)
		if err != nil {
			return nil, s.internal("finding scan", err)
		}
		out = append(out, x)
	}
	return out, s.internalIf("finding rows", rows.Err())
}

// EngineCheckpoint returns the named engine's checkpoint: ENOTFOUND when
// it has none yet.
func (s *Store) EngineCheckpoint(ctx context.Context, name string) (*zhudun.EngineCheckpoint, error) {
	cp := zhudun.EngineCheckpoint{Name: name}
	var seq int64
	err := s.queryRow(ctx, `SELECT seq, state FROM engine_checkpoints WHERE name = ?`, name).Scan(&seq, &cp.State)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "no checkpoint for engine %s", name)
	}
	if err != nil {
		return nil, s.internal("checkpoint load", err)
	}
	cp.Seq = uint64(seq)
	return &cp, nil
}

// TakeFence takes the next fencing token for engine name: every change
// written under an older one is refused from now on (EngineCheckpoint.Fence).
// The engine's own, needing no caller.
func (s *Store) TakeFence(ctx context.Context, name string) (uint64, error) {
	var fence int64
	err := s.writeRow(ctx, []any{&fence}, `INSERT INTO engine_fences (name, fence) VALUES (?, 1)
		ON CONFLICT (name) DO UPDATE SET fence = engine_fences.fence + 1 RETURNING fence`, name)
	if err != nil {
		return 0, s.internal("fence take", err)
	}
	return uint64(fence), nil
}

// FindingKey is what identifies a stored finding: kind, category and
// entity, an IMEI by its first 14 digits (one device, however it is
// written; docs/spec/events.md).
func FindingKey(kind, category, entityType, entity string) string {
	return kind + "\x00" + category + "\x00" + entityKey(entityType, entity)
}

func entityKey(entityType, entity string) string {
	if entityType == "imei" && len(entity) > 14 {
		return entity[:14]
	}
	return entity
}

// ApplyFindingChange writes one engine run's findings and its checkpoint
// in one transaction, and emits finding.created, finding.updated and
// finding.withdrawn for the SSE clients allowed to see them. New findings
// get ids (set in ch.Upsert) and the department of their source.
func (s *Store) ApplyFindingChange(ctx context.Context, ch *zhudun.FindingChange) error {
	return s.write(ctx, func(ctx context.Context, tx *Tx) error {
		if f := ch.Fence; f.Token != 0 {
			// An UPDATE, not a SELECT: it holds the token's row until this
			// transaction ends, so a successor's TakeFence waits for this
			// change and then restores a checkpoint that includes it.
			res, err := tx.exec(ctx, `UPDATE engine_fences SET fence = fence WHERE name = ? AND fence = ?`, f.Name, int64(f.Token))
			if err != nil {
				return tx.s.internal("fence check", err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return tx.s.internal("fence check", err)
			} else if n == 0 {
				return zhudun.Errorf(zhudun.ECONFLICT, "engine %s is fenced off: another worker took it over (this one's token %d)", f.Name, f.Token)
			}
		}
		depts := map[string]*zhudun.Finding{}
		for _, f := range ch.Upsert {
			if f.Status == "" {
				f.Status = zhudun.FindingLive
			}
			f.UpdatedAt = tx.now
			typ := "finding.updated"
			if f.ID == 0 {
				created, err := tx.insertFinding(ctx, f, depts)
				if err != nil {
					return err
				}
				if created {
					typ = "finding.created"
					if f.Kind == zhudun.KindFinding {
						if err := tx.findingTouchesCases(ctx, f); err != nil {
							return err
						}
					}
				}
			}
			if typ == "finding.updated" {
				if err := tx.updateFinding(ctx, f); err != nil {
					return err
				}
			}
			if err := tx.emitFinding(ctx, typ, f); err != nil {
				return err
			}
		}
		ids := slices.Clone(ch.Withdraw)
		slices.Sort(ids)
		for _, id := range ids {
			f, err := scanFinding(tx.queryRowFixed(ctx, findingSelect+` WHERE f.id = ?`, id))
			if errors.Is(err, sql.ErrNoRows) {
				return zhudun.Errorf(zhudun.ENOTFOUND, "finding %d not found", id)
			}
			if err != nil {
				return tx.s.internal("finding load", err)
			}
			if f.Status == zhudun.FindingWithdrawn {
				continue
			}
			if _, err := tx.execFixed(ctx, `UPDATE findings SET status = ?, updated_at = ? WHERE id = ?`, zhudun.FindingWithdrawn, tx.now, id); err != nil {
				return tx.s.internal("finding withdraw", err)
			}
			f.Status, f.UpdatedAt = zhudun.FindingWithdrawn, tx.now
			f.Unsupported = f.Confirmed
			if err := tx.emitFinding(ctx, "finding.withdrawn", f); err != nil {
				return err
			}
		}
		if cp := ch.Checkpoint; cp != nil {
			_, err := tx.exec(ctx, `INSERT INTO engine_checkpoints (name, seq, state, at) VALUES (?, ?, ?, ?)
				ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, state = excluded.state, at = excluded.at`,
				cp.Name, int64(cp.Seq), cp.State, tx.now)
			if err != nil {
				return tx.s.internal("checkpoint save", err)
			}
		}
		return nil
	})
}

// emitFinding publishes a finding's change to those who may read it
// (finding:read over its department); leads travel as lead.*.
func (tx *Tx) emitFinding(ctx context.Context, typ string, f *zhudun.Finding) error {
	if f.Kind == zhudun.KindLead {
		typ = "lead." + typ[len("finding."):]
	}
	return tx.emit(ctx, zhudun.Event{Type: typ, Perm: zhudun.PermFindingRead, DeptPath: f.DeptPath, DeptID: f.DeptID, Data: Detail(f)})
}

// joinNetworks stores a list of networks as ",a,b," so that one is found
// with LIKE '%,a,%' (a binding has no comma).
func joinNetworks(n []string) string {
	if len(n) == 0 {
		return ""
	}
	return "," + strings.Join(n, ",") + ","
}

func splitNetworks(s string) []string {
	s = strings.Trim(s, ",")
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// joinLinks stores a finding's links as a JSON array ("" for none).
func joinLinks(l []string) string {
	if len(l) == 0 {
		return ""
	}
	b, _ := json.Marshal(l) // a []string always encodes
	return string(b)
}

func splitLinks(s string) []string {
	var l []string
	if s == "" || json.Unmarshal([]byte(s), &l) != nil {
		return nil
	}
	return l
}

// insertFinding inserts a new finding with the department of its source.
// When the row exists already — the engine's view of the stored findings
// is older than a row someone else wrote, as a lead an analyst promoted
// since the engine started — it is not an error: f takes the row's id and
// reports false, and the caller updates the row instead.
func (tx *Tx) insertFinding(ctx context.Context, f *zhudun.Finding, depts map[string]*zhudun.Finding) (bool, error) {
	f.CreatedAt = tx.now
	d, ok := depts[f.Source]
	if !ok {
		d = &zhudun.Finding{}
		err := tx.queryRow(ctx, `SELECT d.id, d.code, d.path FROM depts d WHERE d.id = COALESCE((SELECT dept_id FROM sources WHERE name = ?), 1)`, f.Source).
			Scan(&d.DeptID, &d.DeptCode, &d.DeptPath)
		if err != nil {
			return false, tx.s.internal("finding dept", err)
		}
		depts[f.Source] = d
	}
	f.DeptID, f.DeptCode, f.DeptPath = d.DeptID, d.DeptCode, d.DeptPath
	f.Review = zhudun.ReviewNew
	err := tx.queryRowFixed(ctx, `INSERT INTO findings (kind, category, entity_type, entity, entity_key, score, gang, first_seen, last_seen,
		evidence, status, dept_id, source, created_at, updated_at, networks, links) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (kind, category, entity_key) DO NOTHING RETURNING id`,
		f.Kind, f.Category, f.EntityType, f.Entity, entityKey(f.EntityType, f.Entity), f.Score, f.Gang, f.FirstSeen.UTC(), f.LastSeen.UTC(),
		string(f.Evidence), f.Status, d.DeptID, f.Source, tx.now, tx.now, joinNetworks(f.Networks), joinLinks(f.Links)).Scan(&f.ID)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.queryRowFixed(ctx, `SELECT id FROM findings WHERE kind = ? AND category = ? AND entity_key = ?`,
			f.Kind, f.Category, entityKey(f.EntityType, f.Entity)).Scan(&f.ID)
		if err != nil {
			return false, tx.s.internal("finding existing", err)
		}
		return false, nil
	}
	if err != nil {
		return false, tx.s.internal("finding insert", err)
	}
	return true, nil
}

// updateFinding writes the engine's columns only: the analyst's review and
// the cut (review, confirmed_at, cut_at, …) are never touched here. The
// review columns come back so that the event tells the analyst's status as
// it is, not the engine's copy of it.
func (tx *Tx) updateFinding(ctx context.Context, f *zhudun.Finding) error {
	var reviewedAt, confirmedAt, cutAt, restoredAt, promotedAt sql.NullTime
	err := tx.queryRowFixed(ctx, `UPDATE findings SET entity = ?, score = ?, gang = ?, first_seen = ?, last_seen = ?, evidence = ?, status = ?,
		networks = ?, links = ?, updated_at = ? WHERE id = ? RETURNING dept_id, (SELECT code FROM depts WHERE id = findings.dept_id), (SELECT path FROM depts WHERE id = findings.dept_id),
		review, review_reason, reviewed_by, reviewed_at, confirmed_at, cut_at, cut_source, not_cut_reason, restored_at, confirmed,
		created_at, promoted_by, promote_reason, promoted_at`,
		f.Entity, f.Score, f.Gang, f.FirstSeen.UTC(), f.LastSeen.UTC(), string(f.Evidence), f.Status, joinNetworks(f.Networks), joinLinks(f.Links), tx.now, f.ID).Scan(&f.DeptID, &f.DeptCode, &f.DeptPath,
		&f.Review, &f.ReviewReason, &f.ReviewedBy, &reviewedAt, &confirmedAt, &cutAt, &f.CutSource, &f.NotCutReason, &restoredAt, &f.Confirmed,
		&f.CreatedAt, &f.PromotedBy, &f.PromoteReason, &promotedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return zhudun.Errorf(zhudun.ENOTFOUND, "finding %d not found", f.ID)
	}
	if err != nil {
		return tx.s.internal("finding update", err)
	}
	f.ReviewedAt, f.ConfirmedAt, f.CutAt, f.RestoredAt, f.PromotedAt = nullTime(reviewedAt), nullTime(confirmedAt), nullTime(cutAt), nullTime(restoredAt), nullTime(promotedAt)
	f.CreatedAt = f.CreatedAt.UTC()
	f.Unsupported = f.Confirmed && f.Status == zhudun.FindingWithdrawn
	// (the cyber rollup keeps its rows: an account's entity is its key,
	// which an update never changes, and the review is not the engine's)
	return nil
}
