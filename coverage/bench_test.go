package coverage

import (
	"math/rand/v2"
	"testing"
)

// benchCity is 10,000 grids of 300 m × 300 m (a 30 km square, about the
// size of Jinan's built-up area) and 50,000 cameras at random places, of
// random direction, 60°–120° wide (one in ten a 360° dome), 30–80 m deep,
// nine in ten online.
func benchCity() ([]Grid, []Camera) {
	const side, n = 300.0, 100
	grids := make([]Grid, 0, n*n)
	for i := range n * n {
		x0, y0 := float64(i%n)*side-side*n/2, float64(i/n)*side-side*n/2
		grids = append(grids, Grid{ID: int64(i + 1), Code: "G", Boundary: rect(x0, y0, x0+side, y0+side), Target: 30})
	}
	r := rand.New(rand.NewPCG(16, 28181))
	cams := make([]Camera, 0, 50000)
	for i := range 50000 {
		fov := 60 + r.Float64()*60
		if i%10 == 0 {
			fov = 360
		}
		cams = append(cams, cam(int64(i+1), (r.Float64()-0.5)*side*n, (r.Float64()-0.5)*side*n,
			r.Float64()*360, fov, 30+r.Float64()*50, i%10 != 3))
	}
	return grids, cams
}

// BenchmarkCoverageFull computes every grid's coverage from scratch.
func BenchmarkCoverageFull(b *testing.B) {
	grids, cams := benchCity()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(grids, cams); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCoverageCameraChange turns one camera off and on again, in
// turn across the city: each op is one camera change and the grids its
// reach touches recomputed.
func BenchmarkCoverageCameraChange(b *testing.B) {
	grids, cams := benchCity()
	e, err := New(grids, cams)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c := cams[i%len(cams)]
		c.Online = !c.Online
		if _, err := e.Upsert(c); err != nil {
			b.Fatal(err)
		}
		i += 7919
	}
}

// benchRoads is a street net over benchCity: a road every 100 m east–west
// and north–south across the 30 km, each a polyline with a vertex every
// 100 m jittered by up to ±10 m — about 20 segments in each 300 m grid
// (180,000 segments, 18,000 km in all).
func benchRoads() []Road {
	const side, n, step = 300.0, 100, 100.0
	half := side * n / 2
	r := rand.New(rand.NewPCG(43, 28181))
	var roads []Road
	id := int64(0)
	for k := 0; k < int(side*n/step); k++ {
		at := -half + step/2 + float64(k)*step
		for _, ew := range []bool{true, false} {
			var l [][2]float64
			for v := 0; v <= int(side*n/step); v++ {
				along, across := -half+float64(v)*step, at+(r.Float64()-0.5)*20
				x, y := along, across
				if !ew {
					x, y = across, along
				}
				lon, lat := jinan.Inverse(x, y)
				l = append(l, [2]float64{lon, lat})
			}
			id++
			roads = append(roads, Road{ID: id, Lines: [][][2]float64{l}})
		}
	}
	return roads
}

// BenchmarkRoadCoverageFull computes every grid's coverage of area and of
// road length from scratch, the roads cut into the grids included.
func BenchmarkRoadCoverageFull(b *testing.B) {
	grids, cams := benchCity()
	roads := benchRoads()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewWithRoads(grids, cams, roads); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRoadCoverageCameraChange is BenchmarkCoverageCameraChange with
// the roads: one camera change, its grids' area and road length
// recomputed.
func BenchmarkRoadCoverageCameraChange(b *testing.B) {
	grids, cams := benchCity()
	e, err := NewWithRoads(grids, cams, benchRoads())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c := cams[i%len(cams)]
		c.Online = !c.Online
		if _, err := e.Upsert(c); err != nil {
			b.Fatal(err)
		}
		i += 7919
	}
}

// BenchmarkUncovered computes one grid's uncovered part, in turn across the
// city (each op one grid, nothing cached).
func BenchmarkUncovered(b *testing.B) {
	grids, cams := benchCity()
	e, err := New(grids, cams)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := e.Uncovered(grids[i%len(grids)].ID); err != nil {
			b.Fatal(err)
		}
		i += 7919
	}
}
