package dispatch

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/zhudun/zhudun/geo"
)

// square is the grid [lon, lon+d] × [lat, lat+d].
func square(lon, lat, d float64) geo.MultiPolygon {
	return geo.MultiPolygon{{{{lon, lat}, {lon + d, lat}, {lon + d, lat + d}, {lon, lat + d}, {lon, lat}}}}
}

var now = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// threeByThree: grids G00…G22 of 0.01° (about 890 m × 1110 m at 36.6°N),
// G{col}{row}, the south-west corner at (117.00, 36.60).
func threeByThree() *Index {
	x := New(3 * time.Minute)
	var gs []Grid
	id := int64(1)
	for c := 0; c < 3; c++ {
		for r := 0; r < 3; r++ {
			gs = append(gs, Grid{ID: id, Code: fmt.Sprintf("G%d%d", c, r), StationID: 100 + int64(c), Boundary: square(117+float64(c)*0.01, 36.6+float64(r)*0.01, 0.01)})
			id++
		}
	}
	x.SetGrids(gs)
	return x
}

func unit(id int64, status string, lon, lat float64, age time.Duration) Unit {
	return Unit{ID: id, Callsign: fmt.Sprintf("U%d", id), StationID: 100, DeptPath: "/1/100/", Status: status,
		HasPos: true, Lon: lon, Lat: lat, PositionAt: now.Add(-age), Version: 1}
}

func TestAdjacency(t *testing.T) {
	x := threeByThree()
	// The centre touches all eight (edges and corners); a corner grid three.
	want := map[int64][]string{
		5: {"G00", "G01", "G02", "G10", "G12", "G20", "G21", "G22"},
		1: {"G01", "G10", "G11"},
		8: {"G10", "G11", "G12", "G20", "G22"}, // G21 (column 2, row 1) is id 8
	}
	for id, w := range want {
		got := x.Neighbours(id)
		if fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("neighbours of %d = %v, want %v", id, got, w)
		}
	}
}

func TestRecommend(t *testing.T) {
	x := threeByThree()
	inc := [2]float64{117.015, 36.615} // centre of G11
	// U1 in G11 800 m away-ish; U2 in G11 closer; U3 in G11 closest but busy;
	// U4 in G11 closest of all but stale; U5 in G12 (neighbour), very close.
	x.UpsertUnit(unit(1, "patrolling", 117.011, 36.611, time.Minute))
	x.UpsertUnit(unit(2, "returning", 117.017, 36.617, time.Minute))
	x.UpsertUnit(unit(3, "dispatched", 117.0151, 36.6151, time.Minute))
	x.UpsertUnit(unit(4, "patrolling", 117.0150, 36.6152, 10*time.Minute))
	x.UpsertUnit(unit(5, "patrolling", 117.015, 36.6201, time.Minute))
	r := x.Recommend(inc[0], inc[1], now, nil)
	if r.GridCode != "G11" || r.Unit == nil || r.Unit.UnitID != 2 || r.Unit.Tier != TierGrid {
		t.Fatalf("recommendation %+v; want U2 in G11", r)
	}
	if d := geo.Haversine(inc[0], inc[1], 117.017, 36.617); r.Unit.DistanceM != d {
		t.Errorf("distance %v, want %v", r.Unit.DistanceM, d)
	}
	// Alternatives: the grid's first (U2, U1), then the neighbour's (U5).
	var ids []int64
	for _, a := range r.Alternatives {
		ids = append(ids, a.UnitID)
	}
	if fmt.Sprint(ids) != "[2 1 5]" || r.Busy != 1 || r.Stale != 1 {
		t.Errorf("alternatives %v busy %d stale %d; want [2 1 5], 1, 1", ids, r.Busy, r.Stale)
	}
	// Both grid units go busy: the neighbour's U5 is recommended.
	x.UpsertUnit(Unit{ID: 1, Callsign: "U1", Status: "dispatched", Version: 2})
	x.UpsertUnit(Unit{ID: 2, Callsign: "U2", Status: "off_duty", Version: 2})
	r = x.Recommend(inc[0], inc[1], now, nil)
	if r.Unit == nil || r.Unit.UnitID != 5 || r.Unit.Tier != TierNeighbour || r.Unit.GridCode != "G12" {
		t.Fatalf("fallback %+v; want U5 in G12", r.Unit)
	}
	// An older state never overwrites a newer one.
	x.UpsertUnit(Unit{ID: 2, Callsign: "U2", Status: "patrolling", Version: 1})
	if r2 := x.Recommend(inc[0], inc[1], now, nil); r2.Unit.UnitID != 5 {
		t.Errorf("stale version applied: %+v", r2.Unit)
	}
	// The scope filter hides U5: nobody is left, and the reason says why.
	r = x.Recommend(inc[0], inc[1], now, func(u *Unit) bool { return u.ID != 5 })
	if r.Unit != nil || r.Reason == "" || len(r.Alternatives) != 0 {
		t.Errorf("filtered %+v; want none with a reason", r)
	}
	// U5 moves two grids away (G13 does not exist: outside): no longer a neighbour's.
	x.UpsertUnit(Unit{ID: 5, Callsign: "U5", Status: "patrolling", Version: 1, HasPos: true, Lon: 117.035, Lat: 36.615, PositionAt: now})
	if g, _ := x.UnitGrid(5); g != "" {
		t.Errorf("U5 outside every grid is in %q", g)
	}
	r = x.Recommend(117.001, 36.601, now, nil) // G00: neighbours G01 G10 G11, all empty of available units
	if r.Unit != nil || r.GridCode != "G00" {
		t.Errorf("G00: %+v", r)
	}
	if r := x.Recommend(118, 36, now, nil); r.Unit != nil || r.Reason != "the incident is outside every grid" {
		t.Errorf("outside: %+v", r)
	}
	// An older position never overwrites a newer one.
	x.UpsertUnit(Unit{ID: 5, Callsign: "U5", Status: "patrolling", Version: 1, HasPos: true, Lon: 117.015, Lat: 36.615, PositionAt: now.Add(-time.Second)})
	if g, _ := x.UnitGrid(5); g != "" {
		t.Errorf("older fix moved U5 to %q", g)
	}
}

// TestGridsReplaced: units are placed again when the grids change.
func TestGridsReplaced(t *testing.T) {
	x := threeByThree()
	x.UpsertUnit(unit(1, "patrolling", 117.015, 36.615, 0))
	if g, _ := x.UnitGrid(1); g != "G11" {
		t.Fatalf("U1 in %q", g)
	}
	x.SetGrids([]Grid{{ID: 50, Code: "BIG", Boundary: square(117, 36.6, 0.03)}})
	if g, _ := x.UnitGrid(1); g != "BIG" {
		t.Fatalf("after replace U1 in %q", g)
	}
}

// benchWorld: 10,000 grids (a 100 × 100 tessellation of 0.005° squares,
// about 55 km × 45 km) and 5,000 units scattered over it, 70 % patrolling,
// one in ten with a stale position.
func benchWorld(b *testing.B) *Index {
	x := New(3 * time.Minute)
	gs := make([]Grid, 0, 10000)
	for c := 0; c < 100; c++ {
		for r := 0; r < 100; r++ {
			gs = append(gs, Grid{ID: int64(c*100 + r + 1), Code: fmt.Sprintf("G%03d-%03d", c, r), StationID: int64(c / 10),
				Boundary: square(116.8+float64(c)*0.005, 36.4+float64(r)*0.005, 0.005)})
		}
	}
	x.SetGrids(gs)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 1; i <= 5000; i++ {
		st := "patrolling"
		if rng.IntN(10) < 3 {
			st = "dispatched"
		}
		age := time.Duration(rng.IntN(120)) * time.Second
		if rng.IntN(10) == 0 {
			age = 10 * time.Minute
		}
		x.UpsertUnit(Unit{ID: int64(i), Callsign: fmt.Sprint("U", i), Status: st, HasPos: true, Version: 1,
			Lon: 116.8 + rng.Float64()*0.5, Lat: 36.4 + rng.Float64()*0.5, PositionAt: now.Add(-age)})
	}
	if g, u := x.Len(); g != 10000 || u != 5000 {
		b.Fatalf("index holds %d grids, %d units", g, u)
	}
	return x
}

// BenchmarkRecommend measures one recommendation — point-in-grid lookup,
// availability and staleness filter, neighbour search, sort — and reports
// the 50th and 99th percentile of the per-call durations.
func BenchmarkRecommend(b *testing.B) {
	x := benchWorld(b)
	rng := rand.New(rand.NewPCG(3, 4))
	pts := make([][2]float64, 4096)
	for i := range pts {
		pts[i] = [2]float64{116.8 + rng.Float64()*0.5, 36.4 + rng.Float64()*0.5}
	}
	allow := func(u *Unit) bool { return true }
	durs := make([]time.Duration, 0, b.N)
	found := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := pts[i%len(pts)]
		t0 := time.Now()
		r := x.Recommend(p[0], p[1], now, allow)
		durs = append(durs, time.Since(t0))
		if r.Unit != nil {
			found++
		}
	}
	b.StopTimer()
	sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
	b.ReportMetric(float64(durs[len(durs)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(durs[len(durs)*99/100].Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(found)/float64(b.N), "found-ratio")
}

// BenchmarkUpsertPosition is the cost of one position update (relocating
// the unit's grid).
func BenchmarkUpsertPosition(b *testing.B) {
	x := benchWorld(b)
	rng := rand.New(rand.NewPCG(5, 6))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		x.UpsertUnit(Unit{ID: int64(i%5000 + 1), HasPos: true, Lon: 116.8 + rng.Float64()*0.5, Lat: 36.4 + rng.Float64()*0.5,
			PositionAt: now.Add(time.Duration(i) * time.Millisecond)})
	}
}

// TestStationUnits: with no fresh position anywhere dispatch is still
// possible by hand — the grid's station's units are listed, available
// before busy, positioned before unpositioned; other stations' units and
// units the caller may not see are not.
func TestStationUnits(t *testing.T) {
	x := threeByThree() // G1x belong to station 101
	inc := [2]float64{117.015, 36.615}
	st := func(u Unit, station int64) Unit { u.StationID = station; return u }
	x.UpsertUnit(st(unit(1, "patrolling", 117.011, 36.611, 10*time.Minute), 101))               // stale, near
	x.UpsertUnit(st(unit(2, "dispatched", 117.012, 36.612, time.Minute), 101))                  // busy
	x.UpsertUnit(Unit{ID: 3, Callsign: "U3", StationID: 101, Status: "patrolling", Version: 1}) // never positioned
	x.UpsertUnit(st(unit(4, "patrolling", 117.05, 36.7, 20*time.Minute), 101))                  // stale, far, outside the grids
	x.UpsertUnit(st(unit(5, "patrolling", 117.013, 36.613, 10*time.Minute), 100))               // another station
	x.UpsertUnit(st(unit(6, "patrolling", 117.014, 36.614, 10*time.Minute), 101))               // hidden by scope
	r := x.Recommend(inc[0], inc[1], now, func(u *Unit) bool { return u.ID != 6 })
	if r.Unit != nil || r.ReasonCode != "busy_or_stale" {
		t.Fatalf("recommendation %+v; want none, busy_or_stale", r)
	}
	var got []string
	for _, c := range r.StationUnits {
		got = append(got, fmt.Sprintf("%s:%v:%v:%v", c.Callsign, c.Available, c.HasPosition, c.Stale))
		if c.Tier != TierStation {
			t.Errorf("%s tier %q", c.Callsign, c.Tier)
		}
	}
	if want := "[U1:true:true:true U4:true:true:true U3:true:false:true U2:false:true:false]"; fmt.Sprint(got) != want {
		t.Errorf("station units %v, want %s", got, want)
	}
	if c := r.StationUnits[0]; c.PositionAge == nil || *c.PositionAge != 600 || c.GridCode != "G11" {
		t.Errorf("U1: age %v grid %q; want 600 s in G11", c.PositionAge, c.GridCode)
	}
	// A unit moved to another station leaves this station's list.
	x.UpsertUnit(Unit{ID: 4, Callsign: "U4", StationID: 100, Status: "patrolling", Version: 2})
	r = x.Recommend(inc[0], inc[1], now, nil)
	for _, c := range r.StationUnits {
		if c.UnitID == 4 || c.UnitID == 5 {
			t.Errorf("unit of station 100 listed: %+v", c)
		}
	}
	// A fresh candidate is not listed twice.
	x.UpsertUnit(st(unit(1, "patrolling", 117.011, 36.611, 0), 101))
	r = x.Recommend(inc[0], inc[1], now, nil)
	if r.Unit == nil || r.Unit.UnitID != 1 {
		t.Fatalf("want U1 recommended: %+v", r.Unit)
	}
	for _, c := range r.StationUnits {
		if c.UnitID == 1 {
			t.Errorf("U1 both recommended and in the station list")
		}
	}
	// Outside every grid: every visible unit is offered.
	r = x.Recommend(118, 36, now, nil)
	if len(r.StationUnits) != 6 {
		t.Errorf("outside the grids: %d units offered, want 6", len(r.StationUnits))
	}
}
