package demo

import (
	"context"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/geo"
)

// memPatrol is an in-memory PatrolStore: the simulator's decisions are
// what is tested here; the store's own AddPositions has its suite.
type memPatrol struct {
	grids     []*zhudun.Grid
	units     map[int64]*zhudun.Unit
	incidents map[int64]*zhudun.Incident
	fixes     map[int64][]zhudun.Position
}

func (m *memPatrol) AllGrids(context.Context) ([]*zhudun.Grid, error) { return m.grids, nil }
func (m *memPatrol) AllUnits(context.Context) ([]*zhudun.Unit, error) {
	var out []*zhudun.Unit
	for id := int64(1); id <= int64(len(m.units)); id++ {
		u := *m.units[id]
		out = append(out, &u)
	}
	return out, nil
}
func (m *memPatrol) FindIncidentByID(_ context.Context, id int64) (*zhudun.Incident, error) {
	if x, ok := m.incidents[id]; ok {
		return x, nil
	}
	return nil, zhudun.Errorf(zhudun.ENOTFOUND, "incident not found")
}
func (m *memPatrol) AddPositions(_ context.Context, id int64, ps []zhudun.Position) (*zhudun.Unit, error) {
	u := m.units[id]
	p := ps[len(ps)-1]
	u.Lon, u.Lat, u.PositionAt = &p.Lon, &p.Lat, &p.TS
	m.fixes[id] = append(m.fixes[id], ps...)
	return u, nil
}

func sq(code string, station int64, lon, lat float64) *zhudun.Grid {
	d := 0.02
	return &zhudun.Grid{Code: code, StationID: station, PatrolPoint: [2]float64{lon + d/2, lat + d/2},
		Boundary: [][][][2]float64{{{{lon, lat}, {lon + d, lat}, {lon + d, lat + d}, {lon, lat + d}, {lon, lat}}}}}
}

func ptr[T any](v T) *T { return &v }

func TestPatrolKeepsUnitsMovingInTheirGrids(t *testing.T) {
	// Station 1 owns an L of three squares (concave); station 2 one square.
	grids := []*zhudun.Grid{sq("A", 1, 117.00, 36.60), sq("B", 1, 117.02, 36.60), sq("C", 1, 117.00, 36.62), sq("D", 2, 117.04, 36.60)}
	m := &memPatrol{grids: grids, incidents: map[int64]*zhudun.Incident{9: {ID: 9, Lon: 117.035, Lat: 36.61}}, fixes: map[int64][]zhudun.Position{},
		units: map[int64]*zhudun.Unit{
			1: {ID: 1, Kind: zhudun.UnitCar, StationID: 1, Status: zhudun.UnitPatrolling, Lon: ptr(117.01), Lat: ptr(36.61)},
			2: {ID: 2, Kind: zhudun.UnitEbike, StationID: 1, Status: zhudun.UnitPatrolling},                                 // no position yet
			3: {ID: 3, Kind: zhudun.UnitCar, StationID: 1, Status: zhudun.UnitOffDuty, Lon: ptr(117.005), Lat: ptr(36.605)}, // stays
			4: {ID: 4, Kind: zhudun.UnitCar, StationID: 2, Status: zhudun.UnitDispatched, IncidentID: ptr(int64(9)), Lon: ptr(117.05), Lat: ptr(36.61)},
			5: {ID: 5, Kind: zhudun.UnitCar, StationID: 1, Status: zhudun.UnitPatrolling, Lon: ptr(118.5), Lat: ptr(37.5)}, // outside the city: brought back
		}}
	clock := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	p := NewPatrol(m, PatrolConfig{Every: 15 * time.Second, Seed: 7, Now: func() time.Time { return clock }})
	ctx := context.Background()
	station1 := grids[:3]
	for i := 0; i < 240; i++ { // an hour of ticks
		if err := p.Step(ctx); err != nil {
			t.Fatal(err)
		}
		for id, u := range m.units {
			if u.PositionAt == nil || !u.PositionAt.Equal(clock) {
				t.Fatalf("tick %d: unit %d reported no fresh fix", i, id)
			}
			own := station1
			if u.StationID == 2 {
				own = grids[3:]
			}
			if u.Status != zhudun.UnitDispatched && !p.inside(own, *u.Lon, *u.Lat) {
				t.Fatalf("tick %d: unit %d at %v,%v, outside its station's grids", i, id, *u.Lon, *u.Lat)
			}
		}
		clock = clock.Add(15 * time.Second)
	}
	// Patrolling units covered ground: more than 5 km in an hour, at most
	// what their speed allows per tick.
	for _, id := range []int64{1, 2, 5} {
		var d float64
		fs := m.fixes[id]
		for i := 1; i < len(fs); i++ {
			s := geo.Haversine(fs[i-1].Lon, fs[i-1].Lat, fs[i].Lon, fs[i].Lat)
			if i > 1 && s > patrolSpeed[m.units[id].Kind]*15+1 {
				t.Errorf("unit %d jumped %.0f m in one tick", id, s)
			}
			d += s
		}
		if d < 5000 {
			t.Errorf("unit %d moved only %.0f m in an hour", id, d)
		}
	}
	if u := m.units[3]; *u.Lon != 117.005 || *u.Lat != 36.605 {
		t.Errorf("the off-duty unit moved to %v,%v", *u.Lon, *u.Lat)
	}
	if u := m.units[4]; *u.Lon != 117.035 || *u.Lat != 36.61 {
		t.Errorf("the dispatched unit is at %v,%v, not at its incident", *u.Lon, *u.Lat)
	}
}

// TestPatrolStops: Run returns within a second of its context ending.
func TestPatrolStops(t *testing.T) {
	m := &memPatrol{grids: []*zhudun.Grid{sq("A", 1, 117, 36.6)}, units: map[int64]*zhudun.Unit{}, fixes: map[int64][]zhudun.Position{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { NewPatrol(m, PatrolConfig{Every: time.Hour}).Run(ctx); close(done) }()
	cancel()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("Run did not stop within a second")
	}
}

// TestPatrolNeverCutsACorner: a straight line across a concave station
// area would leave it; the unit stays and picks another target.
func TestPatrolNeverCutsACorner(t *testing.T) {
	grids := []*zhudun.Grid{sq("A", 1, 117.00, 36.60), sq("B", 1, 117.02, 36.60), sq("C", 1, 117.00, 36.62)}
	m := &memPatrol{grids: grids, fixes: map[int64][]zhudun.Position{}, units: map[int64]*zhudun.Unit{
		1: {ID: 1, Kind: zhudun.UnitCar, StationID: 1, Status: zhudun.UnitPatrolling, Lon: ptr(117.0199), Lat: ptr(36.6399)}}}
	p := NewPatrol(m, PatrolConfig{Every: 15 * time.Second})
	p.targets[1] = [2]float64{117.039, 36.601} // in B: the line crosses the missing north-east square
	if err := p.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	if u := m.units[1]; *u.Lon != 117.0199 || *u.Lat != 36.6399 {
		t.Errorf("the unit moved to %v,%v across the missing square", *u.Lon, *u.Lat)
	}
	if _, ok := p.targets[1]; ok {
		t.Error("the unreachable target was kept")
	}
}
