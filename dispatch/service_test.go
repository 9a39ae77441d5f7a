package dispatch

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

type memSource struct {
	mu    sync.Mutex
	grids []*zhudun.Grid
	units []*zhudun.Unit
}

func (m *memSource) AllGrids(context.Context) ([]*zhudun.Grid, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.grids, nil
}
func (m *memSource) AllUnits(context.Context) ([]*zhudun.Unit, error) { return m.units, nil }
func (m *memSource) FindUnitByID(_ context.Context, id int64) (*zhudun.Unit, error) {
	for _, u := range m.units {
		if u.ID == id {
			return u, nil
		}
	}
	return nil, zhudun.Errorf(zhudun.ENOTFOUND, "unit not found")
}

// TestServiceFollowsEvents: the service builds its index from the store and
// follows bus events from other processes; it answers only a caller with
// unit:read, within its scope.
func TestServiceFollowsEvents(t *testing.T) {
	lon, lat := 117.005, 36.605
	src := &memSource{grids: []*zhudun.Grid{{ID: 1, Code: "A", StationID: 100, Boundary: square(117, 36.6, 0.01)}},
		units: []*zhudun.Unit{{ID: 7, Callsign: "C7", StationID: 100, DeptPath: "/1/100/", Status: "patrolling", Version: 1}}}
	s := NewService(src, 3*time.Minute, nil)
	s.now = func() time.Time { return now }
	ctx := context.Background()
	if err := s.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Recommend(ctx, lon, lat); zhudun.ErrorCode(err) != zhudun.EUNAUTHORIZED {
		t.Fatalf("no caller: %v", err)
	}
	nobody := zhudun.WithCaller(ctx, &zhudun.Caller{UserID: 5, DeptPath: "/1/100/", Perms: map[zhudun.Permission]zhudun.Scope{}})
	if _, err := s.Recommend(nobody, lon, lat); zhudun.ErrorCode(err) != zhudun.EFORBIDDEN {
		t.Fatalf("without unit:read: %v", err)
	}
	disp := zhudun.WithCaller(ctx, zhudun.SystemCaller("t"))
	if r, _ := s.Recommend(disp, lon, lat); r.Unit != nil || len(r.StationUnits) != 1 || r.StationUnits[0].HasPosition {
		t.Fatalf("before a fix: %+v", r)
	}
	// Another process reports a fix: the event moves the unit into A.
	at := now.Add(-time.Minute)
	b, _ := json.Marshal(zhudun.Unit{ID: 7, Callsign: "C7", StationID: 100, Status: "patrolling", Version: 1, Lon: &lon, Lat: &lat, PositionAt: &at})
	s.OnEvent(ctx, zhudun.Event{ID: 1, Type: "unit.position", DeptPath: "/1/100/", Data: b})
	r, _ := s.Recommend(disp, lon, lat)
	if r.Unit == nil || r.Unit.UnitID != 7 {
		t.Fatalf("after the event: %+v", r)
	}
	u := s.Decorate(&zhudun.Unit{ID: 7, PositionAt: &at})
	if u.Stale || u.GridCode != "A" || u.PositionAge == nil || *u.PositionAge != 60 {
		t.Errorf("decorate: %+v", u)
	}
	// Another process imports grids: the reload follows the event.
	src.mu.Lock()
	src.grids = []*zhudun.Grid{{ID: 2, Code: "B", StationID: 100, Boundary: square(117, 36.6, 0.02)}}
	src.mu.Unlock()
	s.OnEvent(ctx, zhudun.Event{ID: 2, Type: "grid.imported"})
	deadline := time.Now().Add(5 * time.Second)
	for g, _ := s.idx.UnitGrid(7); g != "B"; g, _ = s.idx.UnitGrid(7) {
		if time.Now().After(deadline) {
			t.Fatalf("grid reload not applied: unit in %q", g)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
