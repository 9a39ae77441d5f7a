package patrol

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// memStore keeps what the service writes, as the store would.
type memStore struct {
	mu       sync.Mutex
	plans    []*zhudun.PatrolPlan
	units    []*zhudun.Unit
	visits   map[zhudun.PatrolVisit]bool
	coverage map[[4]any]zhudun.PatrolCoverage
	final    map[[4]any]bool
	fixes    []struct {
		unit int64
		p    zhudun.Position
	}
}

func newMemStore(ps ...*zhudun.PatrolPlan) *memStore {
	return &memStore{plans: ps, visits: map[zhudun.PatrolVisit]bool{}, coverage: map[[4]any]zhudun.PatrolCoverage{}, final: map[[4]any]bool{}}
}

func (m *memStore) AllPatrolPlans(context.Context) ([]*zhudun.PatrolPlan, error) { return m.plans, nil }
func (m *memStore) AllUnits(context.Context) ([]*zhudun.Unit, error)             { return m.units, nil }
func (m *memStore) AddPatrolVisits(_ context.Context, vs []zhudun.PatrolVisit) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, v := range vs {
		m.visits[v] = true
	}
	return nil
}
func (m *memStore) PatrolVisitsSince(_ context.Context, d string) ([]zhudun.PatrolVisit, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []zhudun.PatrolVisit
	for v := range m.visits {
		if v.ShiftDate >= d {
			out = append(out, v)
		}
	}
	return out, nil
}
func (m *memStore) SavePatrolCoverage(_ context.Context, g, u []zhudun.PatrolCoverage, final bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, rs := range [][]zhudun.PatrolCoverage{g, u} {
		for _, c := range rs {
			k := [4]any{c.ShiftDate, c.Shift, c.GridID, c.UnitID}
			m.coverage[k], m.final[k] = c, final
		}
	}
	return nil
}
func (m *memStore) RecentPositions(_ context.Context, since time.Time, fn func(int64, zhudun.Position)) error {
	for _, f := range m.fixes {
		if f.p.TS.After(since) {
			fn(f.unit, f.p)
		}
	}
	return nil
}
func (m *memStore) FindPatrolVisits(context.Context, zhudun.PatrolVisitFilter) ([]zhudun.PatrolVisit, error) {
	return nil, nil
}

func (m *memStore) row(date, shift string, grid, unit int64) (zhudun.PatrolCoverage, bool, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := [4]any{date, shift, grid, unit}
	c, ok := m.coverage[k]
	return c, m.final[k], ok
}

func posEvent(t *testing.T, unit, station int64, fixes ...[3]float64) zhudun.Event {
	t.Helper()
	var ps []zhudun.Position
	for _, f := range fixes {
		lon, lat := pt(f[0], f[1])
		ps = append(ps, zhudun.Position{Lon: lon, Lat: lat, TS: at(9, 30, 0).Add(time.Duration(f[2]) * time.Second)})
	}
	last := ps[len(ps)-1]
	d := map[string]any{"id": unit, "station_id": station, "lon": last.Lon, "lat": last.Lat, "position_at": last.TS}
	if len(ps) > 1 {
		d["fixes"] = ps
	}
	b, _ := json.Marshal(d)
	return zhudun.Event{Type: "unit.position", Data: b}
}

// TestServiceFeedsPersistsAndRestores: a batch event's fixes all count (the
// line between two of them crosses the checkpoint); visits and the rows
// they change are written at a flush, the shift's rows at its end (final),
// and a new service over the same store counts the same after a restart.
func TestServiceFeedsPersistsAndRestores(t *testing.T) {
	st := newMemStore(dayPlan(1))
	st.plans[0].CreatedAt = at(8, 0, 0) // the plan is new today
	st.plans[0].Checkpoints = append(st.plans[0].Checkpoints, zhudun.PatrolCheckpoint{Code: "B", Lon: lon0 + 0.02, Lat: lat0, RadiusM: 30})
	st.plans[0].Windows[0].Checkpoints = []string{"A", "B"}
	s := NewService(st, nil)
	now := at(10, 0, 0)
	s.now = func() time.Time { return now }
	ctx := context.Background()
	if err := s.Load(ctx); err != nil {
		t.Fatal(err)
	}
	// Fixes 500 m west and east of A, 40 s apart, in one batch: only the line passes A.
	s.OnEvent(ctx, posEvent(t, 1, 2, [3]float64{-500, 0, 0}, [3]float64{500, 0, 40}))
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if len(st.visits) != 1 {
		t.Fatalf("visits stored %d, want 1", len(st.visits))
	}
	g, final, ok := st.row("2026-12-03", "day", 3, 0)
	if !ok || final || g.Planned != 2 || g.Visited != 1 {
		t.Fatalf("running grid row %+v final %v ok %v", g, final, ok)
	}
	if u, _, ok := st.row("2026-12-03", "day", 0, 1); !ok || u.Visited != 1 || u.Planned != 2 {
		t.Fatalf("running unit row %+v", u)
	}
	// The first tick after a start finalises the shifts that ended in the
	// last day (the process may have been down at their end): the day
	// shift of 2 December and the night that followed it — before the
	// plan existed, so they have no rows.
	if n, err := s.FinaliseEnded(ctx); err != nil || n != 2 {
		t.Fatalf("finalised at start %d %v, want 2 shifts", n, err)
	}
	if _, _, ok := st.row("2026-12-02", "day", 3, 0); ok {
		t.Error("a shift before the plan existed has a coverage row")
	}
	if _, final, _ := st.row("2026-12-03", "day", 3, 0); final {
		t.Fatal("the day shift under way is final")
	}
	// The day shift ends at 20:00: its rows are final.
	now = at(20, 0, 1)
	if n, err := s.FinaliseEnded(ctx); err != nil || n != 1 {
		t.Fatalf("finalised %d %v, want 1 shift", n, err)
	}
	if g, final, _ := st.row("2026-12-03", "day", 3, 0); !final || g.Visited != 1 || *g.Percent != 50 {
		t.Errorf("final grid row %+v final %v", g, final)
	}
	// Restart: the counts come back from the stored visits.
	s2 := NewService(st, nil)
	s2.now = func() time.Time { return at(21, 0, 0) }
	if err := s2.Load(ctx); err != nil {
		t.Fatal(err)
	}
	d, _ := ParseDay("2026-12-03")
	if g, _ := s2.Tracker().Coverage(d, "day"); g[0].Visited != 1 {
		t.Errorf("after restart visited %d, want 1", g[0].Visited)
	}

	// A crash before the flush: the stored fixes of the last 15 minutes are
	// replayed at start. Unit 3 passed B (visit lost with the process), and
	// unit 1's pass of A, stored already, comes again without counting twice.
	bLon, bLat := lon0+0.02, lat0
	for _, f := range [][3]float64{{-500, 0, 0}, {500, 0, 40}} {
		lon, lat := pt(f[0], f[1])
		st.fixes = append(st.fixes, struct {
			unit int64
			p    zhudun.Position
		}{1, zhudun.Position{Lon: lon, Lat: lat, TS: at(19, 50, 0).Add(time.Duration(f[2]) * time.Second)}})
	}
	st.plans[0].Windows[0].End = "20:00" // the window runs to the shift's end now
	st.plans[0].Windows[0].Times = 3
	// A server heard unit 1's pass of A and stored its visit, then crashed
	// before it heard unit 3's fix at B.
	s2b := NewService(st, nil)
	s2b.now = func() time.Time { return at(19, 51, 0) }
	if err := s2b.Load(ctx); err != nil {
		t.Fatal(err)
	}
	s2b.OnEvent(ctx, posEvent(t, 1, 2, [3]float64{-500, 0, 10*60*60 + 20*60}, [3]float64{500, 0, 10*60*60 + 20*60 + 40}))
	if err := s2b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	st.fixes = append(st.fixes, struct {
		unit int64
		p    zhudun.Position
	}{3, zhudun.Position{Lon: bLon, Lat: bLat, TS: at(19, 58, 0)}})
	s3 := NewService(st, nil)
	s3.now = func() time.Time { return at(19, 59, 0) }
	if err := s3.Load(ctx); err != nil {
		t.Fatal(err)
	}
	// Stored: 09:30 and 19:50 (A, unit 1); replayed: 19:50 again (not counted) and B by unit 3.
	g3, _ := s3.Tracker().Coverage(d, "day")
	if g3[0].Planned != 6 || g3[0].Visited != 3 {
		t.Errorf("after the replay %d of %d, want 3 of 6 (A twice, B once)", g3[0].Visited, g3[0].Planned)
	}
	if p := s3.Tracker().TakePending(); len(p) != 1 || p[0].UnitID != 3 || p[0].Checkpoint != "B" {
		t.Errorf("replay queued %+v, want only unit 3's visit of B", p)
	}
}

// TestServiceLiveScope: the live layer shows only plans in the caller's
// grid:read scope, and a checkpoint visited in the shift under way.
func TestServiceLiveScope(t *testing.T) {
	p := dayPlan(1)
	p.DeptPath = "/1/2/"
	st := newMemStore(p)
	s := NewService(st, nil)
	s.now = func() time.Time { return at(10, 0, 0) }
	ctx := context.Background()
	if err := s.Load(ctx); err != nil {
		t.Fatal(err)
	}
	s.OnEvent(ctx, posEvent(t, 1, 2, [3]float64{10, 0, 0}))
	caller := func(path string, id int64) context.Context {
		return zhudun.WithCaller(ctx, &zhudun.Caller{UserID: 9, DeptID: id, DeptPath: path,
			Perms: map[zhudun.Permission]zhudun.Scope{zhudun.PermGridRead: zhudun.ScopeSubtree}})
	}
	ls, err := s.Live(caller("/1/2/", 2))
	if err != nil || len(ls) != 1 || ls[0].Shift != "day" || !ls[0].Checkpoints[0].Visited || *ls[0].Percent != 100 {
		t.Fatalf("live for the station: %+v %v", ls, err)
	}
	if ls, err := s.Live(caller("/1/5/", 5)); err != nil || len(ls) != 0 {
		t.Errorf("live for another station: %+v %v", ls, err)
	}
	if _, err := s.Live(ctx); zhudun.ErrorCode(err) != zhudun.EUNAUTHORIZED {
		t.Errorf("no caller: %v", err)
	}
}
