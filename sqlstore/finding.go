package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/zhudun/zhudun"
)

var _ zhudun.FindingService = (*Store)(nil)

const findingSelect = `SELECT f.id, f.kind, f.category, f.entity_type, f.entity, f.score, f.gang, f.first_seen, f.last_seen,
	f.evidence, f.status, f.confirmed, f.dept_id, d.code, d.path, f.source, f.created_at, f.updated_at
	FROM findings f JOIN depts d ON d.id = f.dept_id`

func scanFinding(r scanner) (*zhudun.Finding, error) {
	var f zhudun.Finding
	var ev string
	if err := r.Scan(&f.ID, &f.Kind, &f.Category, &f.EntityType, &f.Entity, &f.Score, &f.Gang, &f.FirstSeen, &f.LastSeen,
		&ev, &f.Status, &f.Confirmed, &f.DeptID, &f.DeptCode, &f.DeptPath, &f.Source, &f.CreatedAt, &f.UpdatedAt); err != nil {
		return nil, err
	}
	f.Evidence = []byte(ev)
	f.FirstSeen, f.LastSeen = f.FirstSeen.UTC(), f.LastSeen.UTC()
	f.CreatedAt, f.UpdatedAt = f.CreatedAt.UTC(), f.UpdatedAt.UTC()
	f.Unsupported = f.Confirmed && f.Status == zhudun.FindingWithdrawn
	return &f, nil
}

// FindFindings lists findings (or leads, by f.Kind) within the caller's
// finding:read scope, newest first; live ones unless f.Status says
// withdrawn.
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
	switch f.Status {
	case "", zhudun.FindingLive:
		w.add("f.status = ?", zhudun.FindingLive)
	case zhudun.FindingWithdrawn:
		w.add("f.status = ?", zhudun.FindingWithdrawn)
	default:
		return nil, 0, zhudun.FieldError("status", "status must be live or withdrawn")
	}
	if f.Category != "" {
		w.add("f.category = ?", f.Category)
	}
	if f.Gang != "" {
		w.add("f.gang = ?", f.Gang)
	}
	if _, err := scoped(ctx, &w, zhudun.PermFindingRead, scopeCols{Path: "d.path", DeptID: "f.dept_id"}); err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM findings f JOIN depts d ON d.id = f.dept_id`+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, s.internal("finding count", err)
	}
	offset, limit := page(f.Offset, f.Limit)
	rows, err := s.query(ctx, findingSelect+w.sql()+` ORDER BY f.id DESC LIMIT ? OFFSET ?`, append(w.args, limit, offset)...)
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
		depts := map[string]*zhudun.Finding{}
		for _, f := range ch.Upsert {
			if f.Status == "" {
				f.Status = zhudun.FindingLive
			}
			f.UpdatedAt = tx.now
			typ := "finding.updated"
			if f.ID == 0 {
				typ = "finding.created"
				f.CreatedAt = tx.now
				d, ok := depts[f.Source]
				if !ok {
					d = &zhudun.Finding{}
					err := tx.queryRow(ctx, `SELECT d.id, d.code, d.path FROM depts d WHERE d.id = COALESCE((SELECT dept_id FROM sources WHERE name = ?), 1)`, f.Source).
						Scan(&d.DeptID, &d.DeptCode, &d.DeptPath)
					if err != nil {
						return tx.s.internal("finding dept", err)
					}
					depts[f.Source] = d
				}
				f.DeptID, f.DeptCode, f.DeptPath = d.DeptID, d.DeptCode, d.DeptPath
				err := tx.queryRow(ctx, `INSERT INTO findings (kind, category, entity_type, entity, entity_key, score, gang, first_seen, last_seen,
					evidence, status, dept_id, source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
					f.Kind, f.Category, f.EntityType, f.Entity, entityKey(f.EntityType, f.Entity), f.Score, f.Gang, f.FirstSeen.UTC(), f.LastSeen.UTC(),
					string(f.Evidence), f.Status, d.DeptID, f.Source, tx.now, tx.now).Scan(&f.ID)
				if err != nil {
					if tx.s.dialect.IsUniqueViolation(err) {
						return zhudun.Errorf(zhudun.ECONFLICT, "finding %s %s exists", f.Category, f.Entity)
					}
					return tx.s.internal("finding insert", err)
				}
			} else {
				err := tx.queryRow(ctx, `UPDATE findings SET entity = ?, score = ?, gang = ?, first_seen = ?, last_seen = ?, evidence = ?, status = ?,
					updated_at = ? WHERE id = ? RETURNING dept_id, (SELECT code FROM depts WHERE id = findings.dept_id), (SELECT path FROM depts WHERE id = findings.dept_id)`,
					f.Entity, f.Score, f.Gang, f.FirstSeen.UTC(), f.LastSeen.UTC(), string(f.Evidence), f.Status, tx.now, f.ID).Scan(&f.DeptID, &f.DeptCode, &f.DeptPath)
				if errors.Is(err, sql.ErrNoRows) {
					return zhudun.Errorf(zhudun.ENOTFOUND, "finding %d not found", f.ID)
				}
				if err != nil {
					return tx.s.internal("finding update", err)
				}
			}
			if err := tx.emitFinding(ctx, typ, f); err != nil {
				return err
			}
		}
		ids := slices.Clone(ch.Withdraw)
		slices.Sort(ids)
		for _, id := range ids {
			f, err := scanFinding(tx.queryRow(ctx, findingSelect+` WHERE f.id = ?`, id))
			if errors.Is(err, sql.ErrNoRows) {
				return zhudun.Errorf(zhudun.ENOTFOUND, "finding %d not found", id)
			}
			if err != nil {
				return tx.s.internal("finding load", err)
			}
			if f.Status == zhudun.FindingWithdrawn {
				continue
			}
			if _, err := tx.exec(ctx, `UPDATE findings SET status = ?, updated_at = ? WHERE id = ?`, zhudun.FindingWithdrawn, tx.now, id); err != nil {
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
