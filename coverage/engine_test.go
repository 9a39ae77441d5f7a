package coverage

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/peterstace/simplefeatures/geom"
	"github.com/peterstace/simplefeatures/rtree"
)

// All geometry here is laid out in metres around (117.0, 36.65), in
// Jinan, and converted to WGS-84 with the same frame the engine uses for
// a grid centred there, so the hand-computed areas below are exact up to
// the sector's chord approximation (3° chords: −0.05 %).
var jinan = NewFrame(117.0, 36.65)

// rect returns the WGS-84 rectangle [x0,x1]×[y0,y1] (metres in jinan).
func rect(x0, y0, x1, y1 float64) [][][][2]float64 {
	pt := func(x, y float64) [2]float64 {
		lon, lat := jinan.Inverse(x, y)
		return [2]float64{lon, lat}
	}
	return [][][][2]float64{{{pt(x0, y0), pt(x1, y0), pt(x1, y1), pt(x0, y1), pt(x0, y0)}}}
}

// cam places a camera at (x, y) metres in jinan.
func cam(id int64, x, y, dir, fov, rng float64, online bool) Camera {
	lon, lat := jinan.Inverse(x, y)
	return Camera{ID: id, Lon: lon, Lat: lat, Direction: dir, FOV: fov, Range: rng, Online: online}
}

// within asserts got is within 0.1 % (relative) of want.
func within(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > want*0.001+1e-9 {
		t.Errorf("%s = %.3f, want %.3f (±0.1 %%)", what, got, want)
	}
}

func TestCoverageSquareGrid(t *testing.T) {
	square := Grid{ID: 1, Code: "G1", Boundary: rect(-100, -100, 100, 100), Target: 50}
	const gridArea = 40000.0
	cases := []struct {
		name string
		cams []Camera
		// covered m², computed by hand
		want float64
	}{
		// Quarter disc of radius 100 wholly inside: π·100²/4 = 7853.98 m² → 19.635 %.
		{"quarter disc inside", []Camera{cam(1, 0, 0, 0, 90, 100, true)}, 7853.98},
		// The same camera offline sees nothing.
		{"offline drops it", []Camera{cam(1, 0, 0, 0, 90, 100, false)}, 0},
		// Two cameras with the same view count once.
		{"same view twice", []Camera{cam(1, 0, 0, 0, 90, 100, true), cam(2, 0, 0, 0, 90, 100, true)}, 7853.98},
		// North (−45°..45°) and north-east (0°..90°) overlap on 0°..45°: the
		// union opens 135°: 3/8·π·100² = 11780.97 m² → 29.452 %.
		{"overlap once", []Camera{cam(1, 0, 0, 0, 90, 100, true), cam(2, 0, 0, 45, 90, 100, true)}, 11780.97},
		// From the west edge's midpoint looking east, 180°: a half disc
		// inside: π·100²/2 = 15707.96 m² → 39.270 %.
		{"half disc from the edge", []Camera{cam(1, -100, 0, 90, 180, 100, true)}, 15707.96},
		// Looking west from the same place: nothing of it is inside.
		{"looking away", []Camera{cam(1, -100, 0, 270, 170, 100, true)}, 0},
		// A dome of radius 120 at the centre, clipped by the four sides:
		// each cap beyond a side at d = 100 is r²·acos(d/r) − d·√(r²−d²)
		// = 14400·0.5856855 − 100·66.33250 = 1800.62 m²; the corners are at
		// 141.4 m > 120, so the caps are disjoint: π·14400 − 4·1800.62 =
		// 45238.93 − 7202.49 = 38036.44 m² → 95.091 %.
		{"dome clipped by the sides", []Camera{cam(1, 0, 0, 0, 360, 120, true)}, 38036.44},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := New([]Grid{square}, tc.cams)
			if err != nil {
				t.Fatal(err)
			}
			r, _ := e.Grid(1)
			within(t, "grid area", r.AreaM2, gridArea)
			within(t, "covered", r.CovM2, tc.want)
			if wantPct := tc.want / gridArea * 100; math.Abs(r.Pct-wantPct) > wantPct*0.001+0.005 {
				t.Errorf("pct %.3f, want %.3f", r.Pct, wantPct)
			}
			if wantUnder := tc.want/gridArea < 0.5; r.Under != wantUnder {
				t.Errorf("under the 50 %% target = %v at %.2f %%", r.Under, r.Pct)
			}
		})
	}
}

func TestCoverageTargetMet(t *testing.T) {
	e, err := New([]Grid{{ID: 1, Code: "G1", Boundary: rect(-100, -100, 100, 100), Target: 90}},
		[]Camera{cam(1, 0, 0, 0, 360, 120, true)}) // 95.09 %
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := e.Grid(1); r.Under {
		t.Errorf("%.2f %% flagged under a 90 %% target", r.Pct)
	}
	// Taken offline, the grid falls under.
	if _, err := e.Upsert(cam(1, 0, 0, 0, 360, 120, false)); err != nil {
		t.Fatal(err)
	}
	if r, _ := e.Grid(1); !r.Under || r.CovM2 != 0 {
		t.Errorf("offline dome: %+v", r)
	}
}

// A camera on the boundary between two districts: its view counts in each
// for the part inside it.
func TestCoverageAcrossDistrictBoundary(t *testing.T) {
	west, east := rect(-100, -100, 0, 100), rect(0, -100, 100, 100)
	// North-looking quarter disc at the boundary: half of 7853.98 on each
	// side (3926.99 m²). A second camera at (0, −50) looking east, 90°,
	// radius 50, lies wholly in the east: π·50²/4 = 1963.50 m².
	cams := []Camera{cam(1, 0, 0, 0, 90, 100, true), cam(2, 0, -50, 90, 90, 50, true)}
	layouts := map[string][]Grid{
		"one grid over both":  {{ID: 1, Code: "G", Boundary: rect(-100, -100, 100, 100)}},
		"a grid per district": {{ID: 1, Code: "W", Boundary: west}, {ID: 2, Code: "E", Boundary: east}},
	}
	for name, grids := range layouts {
		t.Run(name, func(t *testing.T) {
			e, err := New(grids, cams)
			if err != nil {
				t.Fatal(err)
			}
			w, err := e.In(west, nil)
			if err != nil {
				t.Fatal(err)
			}
			ea, err := e.In(east, nil)
			if err != nil {
				t.Fatal(err)
			}
			cw, aw, ce, ae := w.CovM2, w.AreaM2, ea.CovM2, ea.AreaM2
			within(t, "west area", aw, 20000)
			within(t, "east area", ae, 20000)
			within(t, "west covered", cw, 3926.99)
			within(t, "east covered", ce, 3926.99+1963.50)
		})
	}
}

// A camera change recomputes only the grids its reach touches, and ends
// where a full computation from scratch does.
func TestCoverageIncremental(t *testing.T) {
	var grids []Grid
	id := int64(0)
	for gy := -1; gy <= 1; gy++ {
		for gx := -1; gx <= 1; gx++ {
			id++
			x0, y0 := float64(gx)*200-100, float64(gy)*200-100
			grids = append(grids, Grid{ID: id, Code: string(rune('A' + id - 1)), Boundary: rect(x0, y0, x0+200, y0+200)})
		}
	}
	e, err := New(grids, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Range 90 from the centre stays inside the centre grid (5, "E").
	ids, err := e.Upsert(cam(1, 0, 0, 0, 360, 90, true))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, []int64{5}) {
		t.Errorf("recomputed %v, want [5]", ids)
	}
	// At the corner shared by grids 5, 6, 8, 9 (x=100, y=100).
	ids, err = e.Upsert(cam(2, 100, 100, 45, 360, 50, true))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, []int64{5, 6, 8, 9}) {
		t.Errorf("recomputed %v, want [5 6 8 9]", ids)
	}
	// Moving camera 2 away recomputes where it was and where it is.
	ids, err = e.Upsert(cam(2, -200, -200, 0, 90, 50, true))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, []int64{1, 5, 6, 8, 9}) {
		t.Errorf("recomputed %v, want [1 5 6 8 9]", ids)
	}
	full, err := New(grids, []Camera{cam(1, 0, 0, 0, 360, 90, true), cam(2, -200, -200, 0, 90, 50, true)})
	if err != nil {
		t.Fatal(err)
	}
	inc := e.Results()
	for i, r := range full.Results() {
		if math.Abs(r.CovM2-inc[i].CovM2) > 1e-6 {
			t.Errorf("grid %s: incremental %.3f, full %.3f", r.Code, inc[i].CovM2, r.CovM2)
		}
	}
	// Grid 1 holds a quarter disc of 50 m: π·2500/4 = 1963.50 m².
	within(t, "grid A", inc[0].CovM2, 1963.50)
	if _, err := e.Remove(2); err != nil {
		t.Fatal(err)
	}
	if r, _ := e.Grid(1); r.CovM2 != 0 {
		t.Errorf("removed camera still covers %.1f m²", r.CovM2)
	}
}

func TestUncoveredLayer(t *testing.T) {
	e, err := New([]Grid{{ID: 1, Code: "G1", Boundary: rect(-100, -100, 100, 100)}},
		[]Camera{cam(1, -100, 0, 90, 180, 100, true)})
	if err != nil {
		t.Fatal(err)
	}
	gaps, err := e.Uncovered(1)
	if err != nil {
		t.Fatal(err)
	}
	// The rest of the square: 40000 − 15707.96 = 24292.04 m².
	g, err := ToFrame(jinan, gaps)
	if err != nil {
		t.Fatal(err)
	}
	within(t, "uncovered", g.Area(), 24292.04)
}

func TestSectorLonLat(t *testing.T) {
	c := cam(1, 0, 0, 90, 60, 100, true)
	ring := SectorLonLat(c)
	if ring[0] != ring[len(ring)-1] || ring[0] != [2]float64{c.Lon, c.Lat} {
		t.Fatalf("ring not closed at the apex: %v … %v", ring[0], ring[len(ring)-1])
	}
	// Every arc point 100 m from the camera, east of it.
	for _, p := range ring[1 : len(ring)-1] {
		x, y := NewFrame(c.Lon, c.Lat).Forward(p[0], p[1])
		if math.Abs(math.Hypot(x, y)-100) > 1e-6 || x < 86 {
			t.Errorf("arc point at (%.2f, %.2f)", x, y)
		}
	}
}

// The shortcut for a lone convex view across a convex grid's edge agrees
// with the library's intersection.
func TestClipConvexAgreesWithOverlay(t *testing.T) {
	g := Grid{ID: 1, Code: "G", Boundary: rect(-100, -100, 100, 100)}
	st, _, err := newGridState(g)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		x, y := float64(i%20)*15-150, float64(i/20)*25-120
		fov := []float64{30, 90, 180, 360}[i%4]
		c := cam(1, x, y, float64(i*37%360), fov, 40+float64(i%7)*10, true)
		xy := SectorXY(st.frame, c)
		want, err := geom.Intersection(view{xy: xy}.polygon(), st.poly)
		if err != nil {
			t.Fatal(err)
		}
		got := 0.0
		if out := clipConvex(xy, st.convex); len(out) >= 8 {
			got = shoelace(out)
		}
		if math.Abs(got-want.Area()) > 1e-6*math.Max(1, want.Area()) {
			t.Errorf("camera at (%v, %v) fov %v: clip %.4f, overlay %.4f", x, y, fov, got, want.Area())
		}
	}
}

// Inclusion–exclusion over convex clips measures a cluster's union inside
// a convex grid as the overlay does (union, then intersection) for
// clusters of 2 and 3 views across and inside the grid's edge. For six
// views (cluster 14 below) simplefeatures' UnionMany loses area — its
// union of views 0, 3, 4, 5 is 64 m² smaller than its union of 0 and 5
// alone, which cannot be — so the six are checked against the grid
// sampled every 0.5 m instead. The lazily built geometry (the gaps) is the
// rest of the grid.
func TestInclusionExclusionAgreesWithOverlay(t *testing.T) {
	g := Grid{ID: 1, Code: "G", Boundary: rect(-100, -100, 100, 100)}
	st, _, err := newGridState(g)
	if err != nil {
		t.Fatal(err)
	}
	cluster := func(i, n int) [][]float64 {
		rings := make([][]float64, n)
		for k := range n {
			x, y := float64((i*7+k*13)%9)*12-60, float64((i*5+k*11)%9)*12-40+float64(i%3)*30
			fov := []float64{45, 90, 180, 360}[(i+k)%4]
			rings[k] = SectorXY(st.frame, cam(int64(k+1), x, y, float64((i*37+k*71)%360), fov, 30+float64((i+k)%5)*15, true))
		}
		return rings
	}
	for i := range 60 {
		rings := cluster(i, 2+i%2)
		want, err := st.overlay(rings, false)
		if err != nil {
			t.Fatal(err)
		}
		budget := ieBudget
		got := ieArea(st.convex, rings, 0, 1, &budget)
		if budget < 0 || math.Abs(got-want.Area()) > 1e-6*math.Max(1, want.Area()) {
			t.Errorf("cluster %d of %d views: inclusion–exclusion %.4f (budget %d), overlay %.4f", i, len(rings), got, budget, want.Area())
		}
	}
	rings := cluster(14, 6)
	var sampled float64
	for x := -99.75; x < 100; x += 0.5 {
		for y := -99.75; y < 100; y += 0.5 {
			for _, r := range rings {
				if insideConvex(r, x, y) {
					sampled += 0.25
					break
				}
			}
		}
	}
	budget := ieBudget
	if got := ieArea(st.convex, rings, 0, 1, &budget); math.Abs(got-sampled) > sampled*5e-4 {
		t.Errorf("six views: inclusion–exclusion %.2f, sampled %.2f", got, sampled)
	}
	// Two overlapping 90° views at the centre (north, north-east): 3/8·π·100²
	// inside the 200 m square grid; the gaps are the remainder.
	e, err := New([]Grid{g}, []Camera{cam(1, 0, 0, 0, 90, 100, true), cam(2, 0, 0, 45, 90, 100, true)})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := e.Grid(1)
	if want := 3.0 / 8 * math.Pi * 1e4; math.Abs(r.CovM2-want) > want*1e-3 {
		t.Errorf("covered %.2f, want %.2f", r.CovM2, want)
	}
	if len(e.grids[0].lazy) != 1 || len(e.grids[0].parts) != 0 {
		t.Fatalf("the cluster should wait for its geometry: lazy %d, parts %d", len(e.grids[0].lazy), len(e.grids[0].parts))
	}
	// A region holding the whole grid counts its covered area without
	// building the geometry; one cutting it (the west half) builds it.
	if m, err := e.In(rect(-300, -300, 300, 300), nil); err != nil {
		t.Fatal(err)
	} else if cov, area := m.CovM2, m.AreaM2; math.Abs(cov-r.CovM2) > 1e-6*r.CovM2 || math.Abs(area-40000) > 0.04 {
		t.Errorf("region around the grid: %.2f of %.2f m², %v; want %.2f of 40000", cov, area, err, r.CovM2)
	}
	if len(e.grids[0].lazy) != 1 {
		t.Errorf("a region holding the grid built its geometry")
	}
	// West of x = 0: the north-west half of the north view, π·100²/8.
	if m, err := e.In(rect(-300, -300, 0, 300), nil); err != nil {
		t.Fatal(err)
	} else if cov := m.CovM2; math.Abs(cov-math.Pi*1e4/8) > math.Pi*1e4/8*1e-3 {
		t.Errorf("west half: %.2f m², %v; want %.2f", cov, err, math.Pi*1e4/8)
	}
	if _, err := e.Uncovered(1); err != nil {
		t.Fatal(err)
	}
	var built float64
	for _, p := range e.grids[0].parts {
		built += p.Area()
	}
	if len(e.grids[0].lazy) != 0 || math.Abs(built-r.CovM2) > 1e-6*r.CovM2 {
		t.Errorf("built geometry %.2f m² (lazy left %d), want %.2f", built, len(e.grids[0].lazy), r.CovM2)
	}
}

// A map view: the grids kept whose boxes meet the view, their uncovered
// parts up to the limit and their boundaries beyond it, the extent of all
// the grids kept; the cached gaps follow a camera change.
func TestViewOf(t *testing.T) {
	// Three 200 m squares side by side (A, B, C from west to east); a
	// half-disc of radius 100 m from A's west edge covers 15,707.96 m² of A.
	grids := []Grid{
		{ID: 1, Code: "A", Boundary: rect(-300, -100, -100, 100)},
		{ID: 2, Code: "B", Boundary: rect(-100, -100, 100, 100)},
		{ID: 3, Code: "C", Boundary: rect(100, -100, 300, 100)},
	}
	e, err := New(grids, []Camera{cam(1, -300, 0, 90, 180, 100, true)})
	if err != nil {
		t.Fatal(err)
	}
	notC := func(id int64) bool { return id != 3 }
	area := func(mp [][][][2]float64) float64 {
		g, err := ToFrame(jinan, mp)
		if err != nil {
			t.Fatal(err)
		}
		return g.Area()
	}

	// Everywhere, C not kept: A and B with their gaps, by code.
	v, err := e.ViewOf(nil, notC, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Gaps || len(v.Grids) != 2 || v.Grids[0].Code != "A" || v.Grids[1].Code != "B" {
		t.Fatalf("view: gaps %v, %d grids %+v", v.Gaps, len(v.Grids), v.Grids)
	}
	within(t, "A uncovered", area(v.Grids[0].Geometry), 40000-15707.96)
	within(t, "B uncovered", area(v.Grids[1].Geometry), 40000)
	within(t, "A coverage %", v.Grids[0].Pct, 39.27)
	// The extent is A's west edge to B's east edge: C is not kept.
	wlon, slat := jinan.Inverse(-300, -100)
	elon, nlat := jinan.Inverse(100, 100)
	if x := v.Extent; x == nil || math.Abs(x.MinX-wlon) > 1e-9 || math.Abs(x.MaxX-elon) > 1e-9 || math.Abs(x.MinY-slat) > 1e-6 || math.Abs(x.MaxY-nlat) > 1e-6 {
		t.Errorf("extent %+v, want lon %.6f–%.6f lat %.6f–%.6f", v.Extent, wlon, elon, slat, nlat)
	}

	// A's own box: west edge −300 m, east edge −100 m.
	if alon, _ := jinan.Inverse(-100, 0); math.Abs(v.Grids[0].BBox[0]-wlon) > 1e-9 || math.Abs(v.Grids[0].BBox[2]-alon) > 1e-9 {
		t.Errorf("A's box %v, want lon %.6f–%.6f", v.Grids[0].BBox, wlon, alon)
	}
	// A box over B only (its middle): B alone.
	b0, b1 := jinan.Inverse(-50, -50)
	b2, b3 := jinan.Inverse(50, 50)
	v, err = e.ViewOf(&rtree.Box{MinX: b0, MinY: b1, MaxX: b2, MaxY: b3}, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Grids) != 1 || v.Grids[0].Code != "B" {
		t.Fatalf("box over B: %+v", v.Grids)
	}

	// Over the limit: boundaries, not gaps (A's whole 40,000 m²).
	v, err = e.ViewOf(nil, nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	if v.Gaps || len(v.Grids) != 3 {
		t.Fatalf("over the limit: gaps %v, %d grids", v.Gaps, len(v.Grids))
	}
	within(t, "A boundary", area(v.Grids[0].Geometry), 40000)

	// The camera goes offline: A's cached gaps are the whole square again.
	c := cam(1, -300, 0, 90, 180, 100, false)
	if _, err := e.Upsert(c); err != nil {
		t.Fatal(err)
	}
	v, err = e.ViewOf(nil, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	within(t, "A uncovered after the camera went offline", area(v.Grids[0].Geometry), 40000)
	if v.Grids[0].Pct != 0 {
		t.Errorf("A coverage after the camera went offline: %v %%", v.Grids[0].Pct)
	}
}

// Views read while cameras change (run with -race): every answer is a
// state the engine was in — A either covered by the half-disc or not.
func TestViewOfConcurrent(t *testing.T) {
	e, err := New([]Grid{{ID: 1, Code: "A", Boundary: rect(-100, -100, 100, 100)}},
		[]Camera{cam(1, -100, 0, 90, 180, 100, true)})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for k := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				if k == 0 {
					if _, err := e.Upsert(cam(1, -100, 0, 90, 180, 100, i%2 == 0)); err != nil {
						t.Error(err)
					}
					continue
				}
				v, err := e.ViewOf(nil, nil, 10)
				if err != nil {
					t.Error(err)
					return
				}
				g, err := ToFrame(jinan, v.Grids[0].Geometry)
				if err != nil {
					t.Error(err)
					return
				}
				if a := g.Area(); math.Abs(a-40000) > 40 && math.Abs(a-24292.04) > 24 {
					t.Errorf("uncovered %.1f m², neither 40,000 nor 24,292.04", a)
				}
			}
		}()
	}
	wg.Wait()
}

// A region measured over grids mostly far from its boundary (counted whole
// or not at all without an overlay) and some along it (intersected): the
// sums are the hand-computed ones. 81 grids of 100 m (−450 … 450 m); the
// region is a 2 km square with a 300 m hole (−150 … 150 m), whose edges
// run along grid edges.
func TestRegionFarAndNearGrids(t *testing.T) {
	var grids []Grid
	id := int64(0)
	for gy := range 9 {
		for gx := range 9 {
			id++
			x0, y0 := float64(gx)*100-450, float64(gy)*100-450
			grids = append(grids, Grid{ID: id, Code: fmt.Sprintf("G%02d", id), Boundary: rect(x0, y0, x0+100, y0+100)})
		}
	}
	cams := []Camera{
		cam(1, -400, -400, 0, 360, 40, true), // a grid's centre, far from the hole: π·40² = 5026.55
		cam(2, -150, 300, 0, 360, 30, true),  // a grid corner north of the hole, four grids: π·30² = 2827.43
		cam(3, 150, 0, 0, 360, 50, true),     // on the hole's east edge: half in, half out, 3926.99 each
		cam(4, 0, 0, 0, 360, 40, true),       // the hole's centre: 5026.55 in the hole
	}
	e, err := New(grids, cams)
	if err != nil {
		t.Fatal(err)
	}
	sq := func(x0, y0, x1, y1 float64) [][][2]float64 { return rect(x0, y0, x1, y1)[0] }
	ring := append(sq(-1000, -1000, 1000, 1000), sq(-150, -150, 150, 150)[0])
	// The hole is wound the other way round, as GeoJSON has it; the even–odd
	// rule does not care.
	slices.Reverse(ring[1])
	withHole := [][][][2]float64{ring}
	m, err := e.In(withHole, nil)
	if err != nil {
		t.Fatal(err)
	}
	within(t, "area outside the hole", m.AreaM2, 810000-90000)
	within(t, "covered outside the hole", m.CovM2, 5026.55+2827.43+3926.99)

	m, err = e.In(rect(-150, -150, 150, 150), nil)
	if err != nil {
		t.Fatal(err)
	}
	within(t, "area of the hole", m.AreaM2, 90000)
	within(t, "covered in the hole", m.CovM2, 5026.55+3926.99)

	// Two squares as one region: −460 … −240 m, whose edges pass 10 m
	// from the 2×2 grids of −450 … −250 (counted whole, no overlay) and
	// cross the grids east and north of them (intersected); and one off the
	// grids altogether. Gridded inside: 210 m × 210 m = 44,100 m², with
	// camera 1's dome.
	two := [][][][2]float64{sq(-460, -460, -240, -240), sq(5000, 5000, 5100, 5100)}
	m, err = e.In(two, nil)
	if err != nil {
		t.Fatal(err)
	}
	within(t, "area of the two squares", m.AreaM2, 44100)
	within(t, "covered in the two squares", m.CovM2, 5026.55)

	// A grid kept out (the caller's scope) counts for nothing.
	m, err = e.In(withHole, func(id int64) bool { return id != 1 })
	if err != nil {
		t.Fatal(err)
	}
	within(t, "area without grid G01", m.AreaM2, 810000-90000-10000)
	within(t, "covered without grid G01", m.CovM2, 2827.43+3926.99)
}

// The boundary index itself: near and contains on a hand-drawn region.
func TestRegionIndex(t *testing.T) {
	// A 10 × 10 square with a 2 × 2 hole at (4…6, 4…6), in plain degrees.
	ri := newRegionIndex([][][][2]float64{{
		{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}},
		{{4, 4}, {4, 6}, {6, 6}, {6, 4}}, // open: closes on its first point
	}})
	for _, c := range []struct {
		x, y float64
		in   bool
	}{{1, 1, true}, {5, 5, false}, {3, 5, true}, {11, 5, false}, {-1, 5, false}, {5, 4.5, false}, {5, 7, true}, {4, 8, true}} {
		if got := ri.contains(c.x, c.y); got != c.in {
			t.Errorf("contains(%v, %v) = %v, want %v", c.x, c.y, got, c.in)
		}
	}
	for _, c := range []struct {
		box  rtree.Box
		near bool
	}{
		{rtree.Box{MinX: 1, MinY: 1, MaxX: 2, MaxY: 2}, false},
		{rtree.Box{MinX: 3, MinY: 3, MaxX: 4, MaxY: 4}, true},      // touches the hole's corner
		{rtree.Box{MinX: 6.5, MinY: 4.5, MaxX: 7, MaxY: 5}, false}, // east of the hole, clear of it
		{rtree.Box{MinX: 9, MinY: 9, MaxX: 11, MaxY: 11}, true},    // across the outer corner
		{rtree.Box{MinX: 4.5, MinY: 4.5, MaxX: 5.5, MaxY: 5.5}, false},
		// the closing edge (6,4)→(4,4) of the open ring
		{rtree.Box{MinX: 4.5, MinY: 3.9, MaxX: 5.5, MaxY: 4.1}, true},
	} {
		if got := ri.near(c.box); got != c.near {
			t.Errorf("near(%+v) = %v, want %v", c.box, got, c.near)
		}
	}
}

// A grid wholly inside a camera's view has no uncovered part: an empty
// MultiPolygon (JSON []), never null, which is not GeoJSON.
func TestViewOfFullyCovered(t *testing.T) {
	e, err := New([]Grid{{ID: 1, Code: "A", Boundary: rect(-100, -100, 100, 100)}},
		[]Camera{cam(1, 0, 0, 0, 360, 1000, true)})
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.ViewOf(nil, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	if g := v.Grids[0].Geometry; g == nil || len(g) != 0 || v.Grids[0].Pct != 100 {
		t.Errorf("fully covered grid: %v at %v %%, want [] at 100 %%", g, v.Grids[0].Pct)
	}
}

// An invalid region (a ring of two points beside a 2 km square) is refused
// even when no grid lies near its edges — the grids far from them are never
// intersected, so the region is checked once first (found by review: the
// two-point ring's edge flipped the inside test and the district measured
// 0).
func TestRegionInvalidRefused(t *testing.T) {
	e, err := New([]Grid{{ID: 1, Code: "A", Boundary: rect(-100, -100, 100, 100)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, b := rect(500, -500, 600, 500)[0][0][0], rect(500, -500, 600, 500)[0][0][3] // (500, −500) and (500, 500)
	if m, err := e.In([][][][2]float64{rect(-1000, -1000, 1000, 1000)[0], {{a, b}}}, nil); err == nil {
		t.Errorf("a region with a two-point ring measured: %.0f m²", m.AreaM2)
	}
}
