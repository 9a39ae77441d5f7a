package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/zhudun/zhudun"
)

var _ zhudun.PatrolPlanService = (*Store)(nil)

// Plans are scoped by their grid's station, as grids are.
var planCols = scopeCols{Path: "d.path", DeptID: "g.station_id"}

const planSelect = `SELECT p.id, p.grid_id, g.code, g.station_id, d.code, d.path, p.name, p.body, p.version, p.created_at, p.updated_at
	FROM patrol_plans p JOIN grids g ON g.id = p.grid_id JOIN depts d ON d.id = g.station_id`

// planBody is what patrol_plans.body holds.
type planBody struct {
	Checkpoints []zhudun.PatrolCheckpoint `json:"checkpoints"`
	Shifts      []zhudun.PatrolShift      `json:"shifts"`
	Windows     []zhudun.PatrolWindow     `json:"windows"`
}

func scanPlan(r scanner) (*zhudun.PatrolPlan, error) {
	var p zhudun.PatrolPlan
	var body string
	if err := r.Scan(&p.ID, &p.GridID, &p.GridCode, &p.StationID, &p.StationCode, &p.DeptPath, &p.Name, &body, &p.Version, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, err
	}
	var b planBody
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		return nil, err
	}
	p.Checkpoints, p.Shifts, p.Windows = b.Checkpoints, b.Shifts, b.Windows
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return &p, nil
}

func planJSON(p *zhudun.PatrolPlan) string {
	b, _ := json.Marshal(planBody{p.Checkpoints, p.Shifts, p.Windows})
	return string(b)
}

// planAudit is the audit detail of a plan change: the grid and the whole
// plan as it now reads (checkpoint places are no personal data).
func planAudit(p *zhudun.PatrolPlan) json.RawMessage {
	return Detail(map[string]any{"grid": p.GridCode, "name": p.Name, "version": p.Version,
		"checkpoints": p.Checkpoints, "shifts": p.Shifts, "windows": p.Windows})
}

func (tx *Tx) planEvent(ctx context.Context, typ string, p *zhudun.PatrolPlan) error {
	return tx.emit(ctx, zhudun.Event{Type: typ, Perm: zhudun.PermGridRead, DeptPath: p.DeptPath, DeptID: p.StationID,
		Data: Detail(map[string]any{"id": p.ID, "grid": p.GridCode, "version": p.Version})})
}

// planInScope loads a plan visible under perm, or ENOTFOUND; qr is the
// transaction's or the store's queryRow.
func planInScope(ctx context.Context, s *Store, qr func(context.Context, string, ...any) *sql.Row, id int64, perm zhudun.Permission) (*zhudun.PatrolPlan, error) {
	var w where
	if _, err := scoped(ctx, &w, perm, planCols); err != nil {
		return nil, err
	}
	w.add("p.id = ?", id)
	p, err := scanPlan(qr(ctx, planSelect+w.sql(), w.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "patrol plan not found")
	}
	if err != nil {
		return nil, s.internal("plan load", err)
	}
	return p, nil
}

// CreatePatrolPlan stores the plan of a grid in the caller's grid:write
// scope (ENOTFOUND outside it; ECONFLICT when the grid has one).
func (s *Store) CreatePatrolPlan(ctx context.Context, gridCode string, p *zhudun.PatrolPlan) (*zhudun.PatrolPlan, error) {
	if _, err := zhudun.ScopeFor(ctx, zhudun.PermGridWrite); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	var out *zhudun.PatrolPlan
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		var w where
		if _, err := scoped(ctx, &w, zhudun.PermGridWrite, gridCols); err != nil {
			return err
		}
		w.add("g.code = ?", strings.TrimSpace(gridCode))
		var gid, station int64
		var path, stationCode string
		err := tx.queryRow(ctx, `SELECT g.id, g.station_id, d.path, d.code FROM grids g JOIN depts d ON d.id = g.station_id`+w.sql(), w.args...).Scan(&gid, &station, &path, &stationCode)
		if errors.Is(err, sql.ErrNoRows) {
			return zhudun.Errorf(zhudun.ENOTFOUND, "grid %s not found", gridCode)
		}
		if err != nil {
			return tx.s.internal("plan grid", err)
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM patrol_plans WHERE grid_id = ?`, gid).Scan(&n); err != nil {
			return tx.s.internal("plan exists", err)
		}
		if n > 0 {
			return zhudun.Errorf(zhudun.ECONFLICT, "grid %s has a patrol plan already; edit it", gridCode)
		}
		var id int64
		if err := tx.queryRow(ctx, `INSERT INTO patrol_plans (grid_id, name, body, version, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?) RETURNING id`,
			gid, p.Name, planJSON(p), tx.now, tx.now).Scan(&id); err != nil {
			if tx.s.dialect.IsUniqueViolation(err) { // another commander's create won the race
				return zhudun.Errorf(zhudun.ECONFLICT, "grid %s has a patrol plan already; edit it", gridCode)
			}
			return tx.s.internal("plan insert", err)
		}
		np := *p
		np.ID, np.GridID, np.GridCode, np.StationID, np.StationCode, np.DeptPath, np.Version = id, gid, strings.TrimSpace(gridCode), station, stationCode, path, 1
		np.CreatedAt, np.UpdatedAt = tx.now.UTC(), tx.now.UTC()
		if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "patrol_plan.create", ObjectType: "patrol_plan", ObjectID: np.GridCode, Detail: planAudit(&np)}); err != nil {
			return err
		}
		out = &np
		return tx.planEvent(ctx, "patrol_plan.changed", &np)
	})
	return out, err
}

// UpdatePatrolPlan replaces a plan's content when version is the stored one
// (ECONFLICT otherwise: someone else edited it meanwhile).
func (s *Store) UpdatePatrolPlan(ctx context.Context, id, version int64, p *zhudun.PatrolPlan) (*zhudun.PatrolPlan, error) {
	if _, err := zhudun.ScopeFor(ctx, zhudun.PermGridWrite); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	var out *zhudun.PatrolPlan
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		old, err := planInScope(ctx, tx.s, tx.queryRow, id, zhudun.PermGridWrite)
		if err != nil {
			return err
		}
		if old.Version != version {
			return zhudun.Errorf(zhudun.ECONFLICT, "the plan was changed meanwhile (version %d, not %d); reload it", old.Version, version)
		}
		res, err := tx.exec(ctx, `UPDATE patrol_plans SET name = ?, body = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			p.Name, planJSON(p), tx.now, id, version)
		if err != nil {
			return tx.s.internal("plan update", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return zhudun.Errorf(zhudun.ECONFLICT, "the plan was changed meanwhile; reload it")
		}
		np := *old
		np.Name, np.Checkpoints, np.Shifts, np.Windows, np.Version, np.UpdatedAt = p.Name, p.Checkpoints, p.Shifts, p.Windows, old.Version+1, tx.now.UTC()
		if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "patrol_plan.update", ObjectType: "patrol_plan", ObjectID: np.GridCode, Detail: planAudit(&np)}); err != nil {
			return err
		}
		out = &np
		return tx.planEvent(ctx, "patrol_plan.changed", &np)
	})
	return out, err
}

// DeletePatrolPlan removes a plan; its visits and coverage stay (history).
func (s *Store) DeletePatrolPlan(ctx context.Context, id int64) error {
	return s.write(ctx, func(ctx context.Context, tx *Tx) error {
		old, err := planInScope(ctx, tx.s, tx.queryRow, id, zhudun.PermGridWrite)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM patrol_plans WHERE id = ?`, id); err != nil {
			return tx.s.internal("plan delete", err)
		}
		if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "patrol_plan.delete", ObjectType: "patrol_plan", ObjectID: old.GridCode, Detail: planAudit(old)}); err != nil {
			return err
		}
		return tx.planEvent(ctx, "patrol_plan.changed", old)
	})
}

// FindPatrolPlanByID reads a plan in the caller's grid:read scope.
func (s *Store) FindPatrolPlanByID(ctx context.Context, id int64) (*zhudun.PatrolPlan, error) {
	return planInScope(ctx, s, s.queryRow, id, zhudun.PermGridRead)
}

// FindPatrolPlans lists the plans in the caller's grid:read scope, by grid
// code; grid and under (a department's subtree) filter when set.
func (s *Store) FindPatrolPlans(ctx context.Context, grid, under string) ([]*zhudun.PatrolPlan, error) {
	var w where
	if _, err := scoped(ctx, &w, zhudun.PermGridRead, planCols); err != nil {
		return nil, err
	}
	if grid != "" {
		w.add("g.code = ?", grid)
	}
	if under != "" {
		w.add("d.path LIKE (SELECT x.path FROM depts x WHERE x.code = ?) || '%'", under)
	}
	rows, err := s.query(ctx, planSelect+w.sql()+` ORDER BY g.code`, w.args...)
	if err != nil {
		return nil, s.internal("plan list", err)
	}
	defer rows.Close()
	out := []*zhudun.PatrolPlan{}
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			return nil, s.internal("plan scan", err)
		}
		out = append(out, p)
	}
	return out, s.internalIf("plan rows", rows.Err())
}

// AllPatrolPlans returns every plan, unscoped, for the in-process coverage
// tracker (system caller only).
func (s *Store) AllPatrolPlans(ctx context.Context) ([]*zhudun.PatrolPlan, error) {
	if err := systemOnly(ctx); err != nil {
		return nil, err
	}
	return s.FindPatrolPlans(ctx, "", "")
}
