package coverage

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/peterstace/simplefeatures/geom"
)

// line returns a road through the points (metres in jinan), WGS-84.
func line(id int64, xy ...float64) Road {
	var l [][2]float64
	for k := 0; k+1 < len(xy); k += 2 {
		lon, lat := jinan.Inverse(xy[k], xy[k+1])
		l = append(l, [2]float64{lon, lat})
	}
	return Road{ID: id, Lines: [][][2]float64{l}}
}

// fov40 is the opening of a camera at (0, −50) looking north whose edge
// rays cross y = 0 at x = ±40: 2·atan(40/50) = 77.3196°. The rays are
// straight, so the 80 m it sees of a road along y = 0 is exact.
var fov40 = 2 * math.Atan(40.0/50) * 180 / math.Pi

func TestRoadCoverageSquareGrid(t *testing.T) {
	square := Grid{ID: 1, Code: "G1", Boundary: rect(-100, -100, 100, 100)}
	// A straight road along y = 0 from x = −150 to 150: 200 m inside the grid.
	road := line(1, -150, 0, 150, 0)
	cases := []struct {
		name string
		cams []Camera
		want float64 // covered metres, by hand
	}{
		// x ∈ [−40, 40]: 80 of 200 m → 40 %.
		{"a sector sees 40 %", []Camera{cam(1, 0, -50, 0, fov40, 100, true)}, 80},
		{"offline drops it", []Camera{cam(1, 0, -50, 0, fov40, 100, false)}, 0},
		{"the same view twice counts once", []Camera{cam(1, 0, -50, 0, fov40, 100, true), cam(2, 0, -50, 0, fov40, 100, true)}, 80},
		// The second, 20 m east, sees [−20, 60]: the union [−40, 60] is 100 m → 50 %.
		{"overlapping cameras count once", []Camera{cam(1, 0, -50, 0, fov40, 100, true), cam(2, 20, -50, 0, fov40, 100, true)}, 100},
		// Looking south, away from the road.
		{"looking away", []Camera{cam(1, 0, -50, 180, fov40, 100, true)}, 0},
		// A dome of 50 m on the road sees x ∈ [−50, 50] (the chord polygon's
		// vertices at bearings 90° and 270° lie on the road): 100 m.
		{"dome on the road", []Camera{cam(1, 0, 0, 0, 360, 50, true)}, 100},
		// 270° facing south from (0, 0), 50 m: all of y = 0 within 50 m is in
		// view (bearings 90° and 270° are inside 45°..315°) → 100 m; the view
		// is not convex and is split into halves.
		{"non-convex view", []Camera{cam(1, 0, 0, 180, 270, 50, true)}, 100},
		// The dome 200 m beyond the grid's east edge reaches x ∈ [250, 350]:
		// none of the 200 m inside.
		{"outside the grid", []Camera{cam(1, 300, 0, 0, 360, 50, true)}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := NewWithRoads([]Grid{square}, tc.cams, []Road{road})
			if err != nil {
				t.Fatal(err)
			}
			r, _ := e.Grid(1)
			within(t, "road length", r.RoadM, 200)
			within(t, "covered road", r.RoadCovM, tc.want)
			if r.RoadPct == nil || math.Abs(*r.RoadPct-tc.want/2) > 0.1 {
				t.Errorf("road_coverage_pct %v, want %.1f", r.RoadPct, tc.want/2)
			}
		})
	}
}

// The 270° view's gap on a road off its apex: along y = 20 the view (facing
// south, 50 m) misses |x| < 20 (bearings within 45° of north) and reaches
// |x| ≤ √(50² − 20²) = 45.826: 2·(45.826 − 20) = 51.652 m.
func TestRoadCoverageNonConvexView(t *testing.T) {
	square := Grid{ID: 1, Code: "G1", Boundary: rect(-100, -100, 100, 100)}
	e, err := NewWithRoads([]Grid{square}, []Camera{cam(1, 0, 0, 180, 270, 50, true)}, []Road{line(1, -100, 20, 100, 20)})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := e.Grid(1)
	within(t, "covered road", r.RoadCovM, 2*(math.Sqrt(50*50-20*20)-20))
}

func TestRoadCoverageNoRoads(t *testing.T) {
	e, err := NewWithRoads([]Grid{{ID: 1, Code: "G1", Boundary: rect(-100, -100, 100, 100)}, {ID: 2, Code: "G2", Boundary: rect(100, -100, 300, 100)}},
		[]Camera{cam(1, 0, 0, 0, 360, 50, true)}, []Road{line(1, -50, 0, 50, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := e.Grid(2); r.RoadPct != nil || r.RoadM != 0 {
		t.Errorf("grid without roads: road_m %.1f, pct %v; want 0 and null", r.RoadM, r.RoadPct)
	}
	if r, _ := e.Grid(1); r.RoadPct == nil || *r.RoadPct != 100 {
		t.Errorf("grid with roads: pct %v, want 100", r.RoadPct)
	}
}

// A road across the boundary of two grids is split between them, and a
// district cutting a grid counts the part of the road inside it.
func TestRoadAcrossGridBoundary(t *testing.T) {
	grids := []Grid{{ID: 1, Code: "W", Boundary: rect(-100, -100, 0, 100)}, {ID: 2, Code: "E", Boundary: rect(0, -100, 100, 100)}}
	// From x = −50 to 100 (and on beyond the grids to 180): 50 m in W, 100 in E.
	road := line(1, -50, 0, 30, 0, 180, 0)
	e, err := NewWithRoads(grids, []Camera{cam(1, 0, -50, 0, fov40, 100, true)}, []Road{road})
	if err != nil {
		t.Fatal(err)
	}
	w, _ := e.Grid(1)
	east, _ := e.Grid(2)
	within(t, "W road", w.RoadM, 50)
	within(t, "E road", east.RoadM, 100)
	// The camera sees [−40, 40]: 40 m on each side.
	within(t, "W covered", w.RoadCovM, 40)
	within(t, "E covered", east.RoadCovM, 40)
	// A district over x ≥ 20 cuts grid E: road [20, 100] (80 m), covered [20, 40] (20 m);
	// one over everything counts both grids whole.
	m, err := e.In(rect(20, -300, 300, 300), nil)
	if err != nil {
		t.Fatal(err)
	}
	within(t, "district road", m.RoadM, 80)
	within(t, "district covered", m.RoadCovM, 20)
	m, err = e.In(rect(-300, -300, 300, 300), nil)
	if err != nil {
		t.Fatal(err)
	}
	within(t, "city road", m.RoadM, 150)
	within(t, "city covered", m.RoadCovM, 80)
	// A scope keeping only W.
	m, err = e.In(rect(-300, -300, 300, 300), func(id int64) bool { return id == 1 })
	if err != nil {
		t.Fatal(err)
	}
	within(t, "W only road", m.RoadM, 50)
}

// A non-convex (L-shaped) grid cuts its roads by simplefeatures'
// line/polygon intersection.
func TestRoadNonConvexGrid(t *testing.T) {
	pt := func(x, y float64) [2]float64 {
		lon, lat := jinan.Inverse(x, y)
		return [2]float64{lon, lat}
	}
	// The L: [0,200]×[0,100] ∪ [0,100]×[100,200].
	l := [][][][2]float64{{{pt(0, 0), pt(200, 0), pt(200, 100), pt(100, 100), pt(100, 200), pt(0, 200), pt(0, 0)}}}
	// y = 150 from x = −50 to 250: inside for x ∈ [0, 100] → 100 m; y = 50: 200 m.
	e, err := NewWithRoads([]Grid{{ID: 1, Code: "L", Boundary: l}}, []Camera{cam(1, 50, 150, 0, 360, 30, true)},
		[]Road{line(1, -50, 150, 250, 150), line(2, -50, 50, 250, 50)})
	if err != nil {
		t.Fatal(err)
	}
	if e.grids[0].convex != nil {
		t.Fatal("the L grid should not be convex")
	}
	r, _ := e.Grid(1)
	within(t, "road", r.RoadM, 300)
	within(t, "covered", r.RoadCovM, 60) // the dome of 30 m sees x ∈ [20, 80] on y = 150
}

// A camera change recomputes the road coverage of the grids it reaches
// only, and ends where a full computation does.
func TestRoadCoverageIncremental(t *testing.T) {
	grids := []Grid{{ID: 1, Code: "W", Boundary: rect(-100, -100, 0, 100)}, {ID: 2, Code: "E", Boundary: rect(0, -100, 100, 100)}}
	roads := []Road{line(1, -100, 0, 100, 0)}
	// A 40 m dome on the road at x = 50 sees [10, 90] (its chord polygon
	// has vertices at bearings 90° and 270°) and reaches grid E only.
	e, err := NewWithRoads(grids, []Camera{cam(1, 50, 0, 0, 360, 40, true)}, roads)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := e.Grid(2); math.Abs(r.RoadCovM-80) > 0.08 {
		t.Fatalf("E covered %.2f, want 80", r.RoadCovM)
	}
	ids, err := e.Upsert(cam(1, 50, 0, 0, 360, 40, false))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, []int64{2}) {
		t.Errorf("recomputed %v, want [2]", ids)
	}
	if r, _ := e.Grid(2); r.RoadCovM != 0 || r.RoadPct == nil || *r.RoadPct != 0 {
		t.Errorf("offline: covered %.2f, pct %v; want 0 and 0", r.RoadCovM, r.RoadPct)
	}
	if _, err := e.Upsert(cam(2, -50, 0, 0, 360, 40, true)); err != nil {
		t.Fatal(err)
	}
	full, err := NewWithRoads(grids, []Camera{cam(1, 50, 0, 0, 360, 40, false), cam(2, -50, 0, 0, 360, 40, true)}, roads)
	if err != nil {
		t.Fatal(err)
	}
	inc := e.Results()
	for i, r := range full.Results() {
		if math.Abs(r.RoadCovM-inc[i].RoadCovM) > 1e-9 || math.Abs(r.RoadM-inc[i].RoadM) > 1e-9 {
			t.Errorf("grid %s: incremental %.3f of %.3f, full %.3f of %.3f", r.Code, inc[i].RoadCovM, inc[i].RoadM, r.RoadCovM, r.RoadM)
		}
	}
	within(t, "W covered", inc[0].RoadCovM, 80)
}

// The intervals agree with simplefeatures' overlay: length(lines ∩ ⋃views)
// for random roads and views over a grid.
func TestRoadIntervalsAgreeWithOverlay(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 43))
	grid := Grid{ID: 1, Code: "G", Boundary: rect(-150, -150, 150, 150)}
	for trial := range 20 {
		var cams []Camera
		for k := range 6 {
			fov := 30 + r.Float64()*300
			if k == 0 {
				fov = 360
			}
			cams = append(cams, cam(int64(k+1), (r.Float64()-0.5)*300, (r.Float64()-0.5)*300, r.Float64()*360, fov, 30+r.Float64()*80, true))
		}
		var roads []Road
		for k := range 5 {
			roads = append(roads, line(int64(k+1), (r.Float64()-0.5)*400, (r.Float64()-0.5)*400, (r.Float64()-0.5)*400,
				(r.Float64()-0.5)*400, (r.Float64()-0.5)*400, (r.Float64()-0.5)*400))
		}
		e, err := NewWithRoads([]Grid{grid}, cams, roads)
		if err != nil {
			t.Fatal(err)
		}
		st := e.grids[0]
		views := make([]geom.Geometry, len(cams))
		for k, c := range cams {
			views[k] = Sector(st.frame, c)
		}
		u, err := geom.UnionMany(views)
		if err != nil {
			t.Fatal(err)
		}
		var ls []geom.LineString
		for _, rd := range roads {
			var xy []float64
			for _, p := range rd.Lines[0] {
				x, y := st.frame.Forward(p[0], p[1])
				xy = append(xy, x, y)
			}
			ls = append(ls, geom.NewLineString(geom.NewSequence(xy, geom.DimXY)))
		}
		lines := geom.NewMultiLineString(ls).AsGeometry()
		in, err := geom.Intersection(lines, st.poly)
		if err != nil {
			t.Fatal(err)
		}
		cov, err := geom.Intersection(in, u)
		if err != nil {
			t.Fatal(err)
		}
		res, _ := e.Grid(1)
		if math.Abs(res.RoadM-in.Length()) > 1e-6*in.Length()+1e-9 {
			t.Errorf("trial %d: road %.4f, overlay %.4f", trial, res.RoadM, in.Length())
		}
		if math.Abs(res.RoadCovM-cov.Length()) > 1e-6*in.Length()+1e-6 {
			t.Errorf("trial %d: covered %.4f, overlay %.4f", trial, res.RoadCovM, cov.Length())
		}
	}
}

// A new road layer is measured without recomputing the areas: the
// figures equal a full computation's, the covered geometry built before
// is kept, and the grids that had or have roads are named.
func TestSetRoads(t *testing.T) {
	grids := []Grid{{ID: 1, Code: "W", Boundary: rect(-100, -100, 0, 100)}, {ID: 2, Code: "E", Boundary: rect(0, -100, 100, 100)},
		{ID: 3, Code: "N", Boundary: rect(-100, 100, 100, 300)}}
	// Two overlapping views in W make a lazy cluster; a dome on the road in E.
	cams := []Camera{cam(1, -50, -50, 0, 90, 40, true), cam(2, -50, -50, 45, 90, 40, true), cam(3, 50, 0, 0, 360, 40, true)}
	e, err := NewWithRoads(grids, cams, []Road{line(1, -100, 0, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Uncovered(1); err != nil { // builds W's covered geometry
		t.Fatal(err)
	}
	parts := len(e.grids[0].parts)
	ids, err := e.SetRoads([]Road{line(2, 0, 0, 100, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, []int64{1, 2}) {
		t.Errorf("grids measured %v, want [1 2]", ids)
	}
	if len(e.grids[0].parts) != parts || parts == 0 {
		t.Errorf("W's covered geometry rebuilt: %d parts, had %d", len(e.grids[0].parts), parts)
	}
	full, err := NewWithRoads(grids, cams, []Road{line(2, 0, 0, 100, 0)})
	if err != nil {
		t.Fatal(err)
	}
	got := e.Results()
	for i, r := range full.Results() {
		if math.Abs(r.RoadM-got[i].RoadM) > 1e-9 || math.Abs(r.RoadCovM-got[i].RoadCovM) > 1e-9 || math.Abs(r.CovM2-got[i].CovM2) > 1e-9 {
			t.Errorf("grid %s: after SetRoads %+v, full %+v", r.Code, got[i], r)
		}
	}
	if got[0].RoadPct != nil {
		t.Errorf("W kept its old road: %v", *got[0].RoadPct)
	}
	within(t, "E covered", got[1].RoadCovM, 80)
}
