package patrol

import (
	"context"
	"encoding/json"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/zhudun/zhudun"
)

// Store is what the service reads and writes (as the system caller).
type Store interface {
	zhudun.PatrolCoverageStore
	AllUnits(ctx context.Context) ([]*zhudun.Unit, error)
}

// Intervals of the service's background work (docs/patrol.md "Persisted").
const (
	// FlushEvery: visits and the coverage rows they change are written
	// this often; a crash loses at most this much.
	FlushEvery = time.Second
	// RunningEvery: every row of the shifts under way (unvisited grids too).
	RunningEvery = time.Minute
	// Replay: at start the fixes stored in this last stretch are fed again
	// (visits already stored are recognised, not counted twice), so a crash
	// or a restart shorter than this loses nothing — the gateway or another
	// server kept storing positions meanwhile.
	Replay = 15 * time.Minute
)

// Service is the live coverage of one server process: a Tracker fed by the
// bus's unit.position events (every front — HTTP, the JT/T 808 gateway in
// this process or another — stores positions through the store, which
// emits them), reloaded on patrol_plan.changed, restored from the store at
// Load, and written back in the background (Run). The HTTP layer only asks it.
type Service struct {
	st     Store
	tr     *Tracker
	log    *slog.Logger
	now    func() time.Time
	reload sync.Mutex
	mu     sync.Mutex
	last   time.Time // shift ends up to here are finalised
}

// NewService returns a service over st (a nil log discards).
func NewService(st Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{st: st, tr: NewTracker(), log: log, now: time.Now}
}

func systemCtx(ctx context.Context) context.Context {
	return zhudun.WithCaller(ctx, zhudun.SystemCaller("patrol-coverage"))
}

// Tracker returns the tracker (tests, benchmarks).
func (s *Service) Tracker() *Tracker { return s.tr }

// Load reads the plans, the visits of the last days (so a restart keeps
// the counts), replays the fixes of the last Replay and takes every other
// unit's stored position (so its first fix after a restart is checked
// against it).
func (s *Service) Load(ctx context.Context) error {
	sys := systemCtx(ctx)
	if err := s.ReloadPlans(ctx); err != nil {
		return err
	}
	since := DayString(localDay(s.now().UnixNano()) - 2)
	vs, err := s.st.PatrolVisitsSince(sys, since)
	if err != nil {
		return err
	}
	s.tr.Restore(vs)
	us, err := s.st.AllUnits(sys)
	if err != nil {
		return err
	}
	station := make(map[int64]int64, len(us))
	for _, u := range us {
		station[u.ID] = u.StationID
	}
	n := 0
	if err := s.st.RecentPositions(sys, s.now().Add(-Replay), func(id int64, p zhudun.Position) {
		s.tr.Feed(id, station[id], p.Lon, p.Lat, p.TS)
		n++
	}); err != nil {
		return err
	}
	s.log.Info("patrol coverage: loaded", "visits", len(vs), "replayed_fixes", n)
	for _, u := range us { // units with no recent fix: the stored position is the one to check against
		if u.Lon != nil && u.Lat != nil && u.PositionAt != nil {
			s.tr.SeedFix(u.ID, u.StationID, *u.Lon, *u.Lat, *u.PositionAt)
		}
	}
	s.mu.Lock()
	// Shift ends missed while the process was down are finalised from the
	// restored visits on the first tick (writes are upserts).
	s.last = s.now().Add(-24 * time.Hour)
	s.mu.Unlock()
	return nil
}

// ReloadPlans reads every plan again (after a change).
func (s *Service) ReloadPlans(ctx context.Context) error {
	s.reload.Lock()
	defer s.reload.Unlock()
	ps, err := s.st.AllPatrolPlans(systemCtx(ctx))
	if err != nil {
		return err
	}
	s.tr.SetPlans(ps)
	return nil
}

// positionEvent is what a unit.position event carries that coverage needs:
// the unit's newest position and, for a batch, every fix of it.
type positionEvent struct {
	ID         int64             `json:"id"`
	StationID  int64             `json:"station_id"`
	Lon        *float64          `json:"lon"`
	Lat        *float64          `json:"lat"`
	PositionAt *time.Time        `json:"position_at"`
	Fixes      []zhudun.Position `json:"fixes"`
}

// OnEvent applies a bus event.
func (s *Service) OnEvent(ctx context.Context, e zhudun.Event) {
	switch e.Type {
	case "unit.position":
		var p positionEvent
		if err := json.Unmarshal(e.Data, &p); err != nil {
			s.log.Warn("patrol coverage: bad unit event", "id", e.ID, "err", err)
			return
		}
		if len(p.Fixes) > 0 {
			sort.SliceStable(p.Fixes, func(i, j int) bool { return p.Fixes[i].TS.Before(p.Fixes[j].TS) })
			for _, f := range p.Fixes {
				s.tr.Feed(p.ID, p.StationID, f.Lon, f.Lat, f.TS)
			}
			return
		}
		if p.Lon != nil && p.Lat != nil && p.PositionAt != nil {
			s.tr.Feed(p.ID, p.StationID, *p.Lon, *p.Lat, *p.PositionAt)
		}
	case "patrol_plan.changed":
		go func() {
			if err := s.ReloadPlans(context.WithoutCancel(ctx)); err != nil {
				s.log.Error("patrol coverage: plan reload", "err", err)
			}
		}()
	}
}

// Flush writes the visits made since the last flush (requeued on failure)
// and the coverage rows of the grids and units they changed.
func (s *Service) Flush(ctx context.Context) error {
	vs := s.tr.TakePending()
	if len(vs) == 0 {
		return nil
	}
	if err := s.st.AddPatrolVisits(systemCtx(ctx), vs); err != nil {
		s.tr.Requeue(vs)
		return err
	}
	type touched struct{ grids, units map[int64]bool }
	by := map[ShiftInstance]touched{}
	for _, v := range vs {
		d, _ := ParseDay(v.ShiftDate)
		k := ShiftInstance{Day: d, Shift: v.Shift}
		t, ok := by[k]
		if !ok {
			t = touched{map[int64]bool{}, map[int64]bool{}}
			by[k] = t
		}
		t.grids[v.GridID], t.units[v.UnitID] = true, true
	}
	for k, t := range by {
		g, u := s.tr.Coverage(k.Day, k.Shift)
		var gs, us []zhudun.PatrolCoverage
		for _, c := range g {
			if t.grids[c.GridID] {
				gs = append(gs, c)
			}
		}
		for _, c := range u {
			if t.units[c.UnitID] {
				us = append(us, c)
			}
		}
		if err := s.st.SavePatrolCoverage(systemCtx(ctx), gs, us, false); err != nil {
			return err
		}
	}
	return nil
}

// FinaliseEnded writes the coverage of every shift that ended up to now
// (final rows) and returns how many shifts it wrote.
func (s *Service) FinaliseEnded(ctx context.Context) (int, error) {
	now := s.now()
	s.mu.Lock()
	after := s.last
	s.mu.Unlock()
	ended := s.tr.Ended(after, now)
	if err := s.Flush(ctx); err != nil {
		return 0, err
	}
	done := map[ShiftInstance]bool{}
	for _, si := range ended {
		k := ShiftInstance{Day: si.Day, Shift: si.Shift}
		if done[k] {
			continue
		}
		done[k] = true
		g, u := s.tr.Coverage(si.Day, si.Shift)
		if err := s.st.SavePatrolCoverage(systemCtx(ctx), g, u, true); err != nil {
			return len(done) - 1, err
		}
		s.log.Info("patrol coverage: shift finalised", "date", DayString(si.Day), "shift", si.Shift, "grids", len(g), "units", len(u))
	}
	s.mu.Lock()
	s.last = now
	s.mu.Unlock()
	return len(done), nil
}

// SaveRunning writes the coverage of the shifts under way (not final), so
// the report shows today's shift as it goes.
func (s *Service) SaveRunning(ctx context.Context) error {
	if err := s.Flush(ctx); err != nil {
		return err
	}
	done := map[ShiftInstance]bool{}
	for _, lp := range s.tr.Live(s.now()) {
		if lp.Shift == "" {
			continue
		}
		d, _ := ParseDay(lp.ShiftDate)
		k := ShiftInstance{Day: d, Shift: lp.Shift}
		if done[k] {
			continue
		}
		done[k] = true
		g, u := s.tr.Coverage(d, lp.Shift)
		if err := s.st.SavePatrolCoverage(systemCtx(ctx), g, u, false); err != nil {
			return err
		}
	}
	return nil
}

// Run does the background work until ctx ends: every FlushEvery the shift
// ends and the visits, every RunningEvery the whole running coverage; at
// the end it flushes and saves once more (on shutdown).
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(FlushEvery)
	defer t.Stop()
	lastRunning := s.now()
	for {
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			if _, err := s.FinaliseEnded(sctx); err != nil {
				s.log.Error("patrol coverage: finalise at shutdown", "err", err)
			}
			if err := s.SaveRunning(sctx); err != nil {
				s.log.Error("patrol coverage: save at shutdown", "err", err)
			}
			cancel()
			return
		case <-t.C:
		}
		now := s.now()
		if _, err := s.FinaliseEnded(ctx); err != nil { // flushes first
			s.log.Error("patrol coverage: finalise", "err", err)
		}
		if now.Sub(lastRunning) >= RunningEvery {
			lastRunning = now
			if err := s.SaveRunning(ctx); err != nil {
				s.log.Error("patrol coverage: running", "err", err)
			}
			s.tr.Forget(now)
		}
	}
}

// Live returns the plans in the caller's grid:read scope with the shift
// under way: checkpoints visited or not, the grid's coverage.
func (s *Service) Live(ctx context.Context) ([]LivePlan, error) {
	c := zhudun.CallerFrom(ctx)
	if c == nil {
		return nil, zhudun.Errorf(zhudun.EUNAUTHORIZED, "sign in first")
	}
	f, err := c.Filter(zhudun.PermGridRead)
	if err != nil {
		return nil, err
	}
	out := []LivePlan{}
	for _, lp := range s.tr.Live(s.now()) {
		if f.Covers(lp.DeptPath, lp.StationID, 0) {
			out = append(out, lp)
		}
	}
	return out, nil
}
