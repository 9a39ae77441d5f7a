package httpapi

import (
	"net/http"
	"time"

	"github.com/zhudun/zhudun"
)

// Patrol plans (grid:read to read, grid:write to change; docs/patrol.md),
// their visits and the live coverage layer. State lives in the store and in
// the patrol service; these handlers only translate.

// planInput is a plan as the API takes it.
type planInput struct {
	Grid        string                    `json:"grid"`
	Version     int64                     `json:"version"`
	Name        string                    `json:"name"`
	Checkpoints []zhudun.PatrolCheckpoint `json:"checkpoints"`
	Shifts      []zhudun.PatrolShift      `json:"shifts"`
	Windows     []zhudun.PatrolWindow     `json:"windows"`
}

func (in planInput) plan() *zhudun.PatrolPlan {
	return &zhudun.PatrolPlan{Name: in.Name, Checkpoints: in.Checkpoints, Shifts: in.Shifts, Windows: in.Windows}
}

// plansChanged makes this process's coverage follow its own edit at once
// (the bus event brings it to the others).
func (s *Server) plansChanged(r *http.Request) {
	if err := s.patrol.ReloadPlans(r.Context()); err != nil {
		s.log.Warn("patrol coverage: plan reload", "err", err)
	}
}

func (s *Server) listPatrolPlans(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ps, err := s.store.FindPatrolPlans(r.Context(), q.Get("grid"), q.Get("under"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ps, "total": len(ps)})
	return nil
}

func (s *Server) getPatrolPlan(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.store.FindPatrolPlanByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) createPatrolPlan(w http.ResponseWriter, r *http.Request) error {
	var in planInput
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := s.store.CreatePatrolPlan(r.Context(), in.Grid, in.plan())
	if err != nil {
		return err
	}
	s.plansChanged(r)
	writeJSON(w, http.StatusCreated, p)
	return nil
}

func (s *Server) updatePatrolPlan(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in planInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version <= 0 {
		return zhudun.FieldError("version", "the version read is required (it guards against overwriting another edit)")
	}
	p, err := s.store.UpdatePatrolPlan(r.Context(), id, in.Version, in.plan())
	if err != nil {
		return err
	}
	s.plansChanged(r)
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) deletePatrolPlan(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.store.DeletePatrolPlan(r.Context(), id); err != nil {
		return err
	}
	s.plansChanged(r)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listPatrolVisits: ?grid&from&to (shift dates) [&format=csv|xlsx].
func (s *Server) listPatrolVisits(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	for _, k := range []string{"from", "to"} {
		if v := q.Get(k); v != "" {
			if _, err := time.Parse(time.DateOnly, v); err != nil {
				return zhudun.FieldError(k, "%s must be YYYY-MM-DD", k)
			}
		}
	}
	vs, err := s.store.FindPatrolVisits(r.Context(), zhudun.PatrolVisitFilter{Grid: q.Get("grid"), From: q.Get("from"), To: q.Get("to")})
	if err != nil {
		return err
	}
	if q.Get("format") == "" || q.Get("format") == "json" {
		writeJSON(w, http.StatusOK, map[string]any{"items": vs, "total": len(vs)})
		return nil
	}
	sh := sheet{name: "patrol_visits", header: []string{"shift date", "shift", "plan", "checkpoint", "window", "unit", "time (Asia/Shanghai)"}}
	for _, v := range vs {
		sh.rows = append(sh.rows, []any{v.ShiftDate, v.Shift, v.PlanID, v.Checkpoint, v.Window, v.Callsign, v.At.In(zhudun.CST()).Format(time.DateTime)})
	}
	return s.export(w, r, "patrol_visits", sh, map[string]any{"grid": q.Get("grid"), "from": q.Get("from"), "to": q.Get("to")})
}

// liveCoverage is the map layer: every plan in scope with the shift under
// way, its checkpoints visited or not and the grid's coverage.
func (s *Server) liveCoverage(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.patrol.Live(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ps})
	return nil
}
