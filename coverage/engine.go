package coverage

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/peterstace/simplefeatures/geom"
	"github.com/peterstace/simplefeatures/rtree"
)

// Grid is what coverage needs of a grid: its WGS-84 boundary (polygons →
// rings, outer first → [lon, lat]) and its target share in percent.
type Grid struct {
	ID       int64
	Code     string
	Boundary [][][][2]float64
	Target   float64 // percent; 0 means no target
}

// Result is one grid's coverage.
type Result struct {
	GridID  int64   `json:"grid_id"`
	Code    string  `json:"code"`
	AreaM2  float64 `json:"area_m2"`
	CovM2   float64 `json:"covered_m2"`
	Pct     float64 `json:"coverage_pct"` // to 0.01
	Target  float64 `json:"target_pct"`
	Under   bool    `json:"under_target"`
	Cameras int     `json:"cameras"` // online cameras whose view reaches the grid
	// Road length inside the grid and inside some online view (metres);
	// RoadPct is null for a grid without roads.
	RoadM    float64  `json:"road_m"`
	RoadCovM float64  `json:"road_covered_m"`
	RoadPct  *float64 `json:"road_coverage_pct"`
	// BBox is the grid's lon/lat box [west, south, east, north]: the map
	// zooms to it.
	BBox [4]float64 `json:"bbox"`
}

type gridState struct {
	g      Grid
	box    rtree.Box // lon/lat
	frame  Frame
	poly   geom.Geometry // in frame
	area   float64
	convex []float64       // the outer ring when the grid is convex, else nil
	parts  []geom.Geometry // the covered part of the grid, disjoint pieces, in frame
	// lazy are clusters measured by inclusion–exclusion whose geometry
	// (their union, cut to the grid) is built on first need (gaps, regions):
	// a full computation only needs the areas. partsMu guards building them
	// under the engine's read lock.
	lazy    []lazyCluster
	partsMu sync.Mutex
	covered float64
	cams    map[int64]struct{} // cameras (any state) whose reach touches the grid
	// The roads inside the grid (roads.go): segments, their length, the
	// covered length and each segment's covered intervals.
	segs    []roadSeg
	roadLen float64
	roadCov float64
	covIv   [][2]float64
	covOff  []int
	// gaps caches the uncovered part (WGS-84) once asked for: a map layer
	// asks for hundreds of grids at a time and the difference costs a few
	// milliseconds each. compute clears it (under the write lock).
	gaps atomic.Pointer[[][][][2]float64]
}

// Engine keeps every grid's covered part and recomputes, when a camera
// changes, only the grids its reach touches: the grids sit in an R-tree
// on their lon/lat boxes, and each grid remembers the cameras near it.
// It is safe for concurrent use.
type Engine struct {
	mu       sync.RWMutex
	grids    []*gridState
	byID     map[int64]int
	tree     *rtree.RTree
	cams     map[int64]Camera
	camGrids map[int64][]int
}

// New builds the engine without roads (NewWithRoads).
func New(grids []Grid, cams []Camera) (*Engine, error) { return NewWithRoads(grids, cams, nil) }

// NewWithRoads builds the engine and computes every grid's coverage of
// area and of road length, on all CPUs. A grid whose boundary cannot be
// read is an error naming its code.
func NewWithRoads(grids []Grid, cams []Camera, roads []Road) (*Engine, error) {
	e := &Engine{byID: map[int64]int{}, cams: map[int64]Camera{}, camGrids: map[int64][]int{}}
	items := make([]rtree.BulkItem, 0, len(grids))
	for _, g := range grids {
		st, box, err := newGridState(g)
		if err != nil {
			return nil, fmt.Errorf("grid %s: %w", g.Code, err)
		}
		e.byID[g.ID] = len(e.grids)
		items = append(items, rtree.BulkItem{Box: box, RecordID: len(e.grids)})
		e.grids = append(e.grids, st)
	}
	e.tree = rtree.BulkLoad(items)
	if err := e.addRoads(roads); err != nil {
		return nil, err
	}
	for _, c := range cams {
		e.cams[c.ID] = c
		gs := e.reach(c)
		e.camGrids[c.ID] = gs
		for _, i := range gs {
			e.grids[i].cams[c.ID] = struct{}{}
		}
	}
	// Every grid once, spread over the CPUs; grids share nothing but the
	// read-only camera map.
	var wg sync.WaitGroup
	work := make(chan int, 256)
	errs := make([]error, len(e.grids))
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				errs[i] = e.compute(i)
			}
		}()
	}
	for i := range e.grids {
		work <- i
	}
	close(work)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return e, nil
}

func newGridState(g Grid) (*gridState, rtree.Box, error) {
	if len(g.Boundary) == 0 || len(g.Boundary[0]) == 0 || len(g.Boundary[0][0]) < 3 {
		return nil, rtree.Box{}, errors.New("empty boundary")
	}
	box := rtree.Box{MinX: math.Inf(1), MinY: math.Inf(1), MaxX: math.Inf(-1), MaxY: math.Inf(-1)}
	for _, p := range g.Boundary {
		for _, pt := range p[0] {
			box.MinX, box.MaxX = math.Min(box.MinX, pt[0]), math.Max(box.MaxX, pt[0])
			box.MinY, box.MaxY = math.Min(box.MinY, pt[1]), math.Max(box.MaxY, pt[1])
		}
	}
	f := NewFrame((box.MinX+box.MaxX)/2, (box.MinY+box.MaxY)/2)
	poly, err := ToFrame(f, g.Boundary)
	if err != nil {
		return nil, box, err
	}
	st := &gridState{g: g, box: box, frame: f, poly: poly, area: poly.Area(), convex: convexRing(poly), cams: map[int64]struct{}{}}
	if st.area <= 0 {
		return nil, box, errors.New("boundary has no area")
	}
	return st, box, nil
}

// ToFrame converts a WGS-84 multipolygon to a polygon geometry in frame f,
// closing open rings.
func ToFrame(f Frame, mp [][][][2]float64) (geom.Geometry, error) {
	polys := make([]geom.Polygon, 0, len(mp))
	for _, p := range mp {
		rings := make([]geom.LineString, 0, len(p))
		for _, r := range p {
			if len(r) < 3 {
				return geom.Geometry{}, errors.New("ring with fewer than 3 points")
			}
			xy := make([]float64, 0, 2*len(r)+2)
			for _, pt := range r {
				x, y := f.Forward(pt[0], pt[1])
				xy = append(xy, x, y)
			}
			if r[0] != r[len(r)-1] {
				xy = append(xy, xy[0], xy[1])
			}
			rings = append(rings, geom.NewLineString(geom.NewSequence(xy, geom.DimXY)))
		}
		polys = append(polys, geom.NewPolygon(rings))
	}
	g := geom.NewMultiPolygon(polys).AsGeometry()
	if err := g.Validate(); err != nil {
		return geom.Geometry{}, err
	}
	return g, nil
}

// FromFrame converts a polygonal geometry in frame f back to WGS-84.
func FromFrame(f Frame, g geom.Geometry) [][][][2]float64 {
	var polys []geom.Polygon
	switch g.Type() {
	case geom.TypePolygon:
		p, _ := g.AsPolygon()
		polys = []geom.Polygon{p}
	case geom.TypeMultiPolygon:
		m, _ := g.AsMultiPolygon()
		for i := range m.NumPolygons() {
			polys = append(polys, m.PolygonN(i))
		}
	case geom.TypeGeometryCollection:
		gc, _ := g.AsGeometryCollection()
		var out [][][][2]float64
		for i := range gc.NumGeometries() {
			out = append(out, FromFrame(f, gc.GeometryN(i))...)
		}
		return out
	}
	out := make([][][][2]float64, 0, len(polys))
	for _, p := range polys {
		var rings [][][2]float64
		for _, r := range append([]geom.LineString{p.ExteriorRing()}, interiors(p)...) {
			seq := r.Coordinates()
			ring := make([][2]float64, seq.Length())
			for i := range seq.Length() {
				xy := seq.GetXY(i)
				lon, lat := f.Inverse(xy.X, xy.Y)
				ring[i] = [2]float64{lon, lat}
			}
			rings = append(rings, ring)
		}
		out = append(out, rings)
	}
	return out
}

func interiors(p geom.Polygon) []geom.LineString {
	out := make([]geom.LineString, p.NumInteriorRings())
	for i := range out {
		out[i] = p.InteriorRingN(i)
	}
	return out
}

// reach returns the grids (positions) whose boxes the camera's reach
// touches.
func (e *Engine) reach(c Camera) []int {
	if !c.Valid() {
		return nil
	}
	minLon, minLat, maxLon, maxLat := c.bbox()
	var out []int
	_ = e.tree.RangeSearch(rtree.Box{MinX: minLon, MinY: minLat, MaxX: maxLon, MaxY: maxLat}, func(i int) error {
		out = append(out, i)
		return nil
	})
	sort.Ints(out)
	return out
}

// compute recomputes grid i from its cameras. Callers hold the write lock
// or own the grid alone (New's workers).
//
// The overlay is the expensive part, so it is asked only where needed: the
// views are split into clusters whose boxes overlap (views of different
// clusters cannot share area); a lone view wholly inside a convex grid is
// measured by the shoelace formula, a cluster wholly inside is unioned but
// not clipped, and only clusters crossing the boundary are intersected
// with the grid. The pieces kept are disjoint, so their areas add up.
func (e *Engine) compute(i int) error {
	st := e.grids[i]
	views := e.views(st)
	st.computeRoads(views)
	st.parts, st.lazy, st.covered = st.parts[:0], st.lazy[:0], 0
	st.gaps.Store(nil)
	for _, cl := range clusters(views) {
		inside := true
		for _, k := range cl {
			inside = inside && views[k].inside
		}
		if len(cl) == 1 && inside {
			st.parts = append(st.parts, views[cl[0]].polygon())
			st.covered += shoelace(views[cl[0]].xy)
			continue
		}
		if v := views[cl[0]]; len(cl) == 1 && st.convex != nil && v.convex {
			// A lone convex view across a convex grid's edge: clipping one
			// convex polygon by another is exact by Sutherland–Hodgman.
			if xy := clipConvex(v.xy, st.convex); len(xy) >= 8 {
				if a := shoelace(xy); a > 0 {
					st.parts = append(st.parts, view{xy: xy}.polygon())
					st.covered += a
				}
			}
			continue
		}
		if st.convex != nil && allConvex(views, cl) {
			// Convex views over a convex grid: the area of their union inside
			// it by inclusion–exclusion over convex clips (exact), the
			// geometry left for when it is asked for.
			rings := make([][]float64, len(cl))
			for j, k := range cl {
				rings[j] = views[k].xy
			}
			budget := ieBudget
			if a := ieArea(st.convex, rings, 0, 1, &budget); budget >= 0 {
				st.lazy = append(st.lazy, lazyCluster{rings: rings, inside: inside})
				st.covered += a
				continue
			}
		}
		rings := make([][]float64, len(cl))
		for j, k := range cl {
			rings[j] = views[k].xy
		}
		u, err := st.overlay(rings, inside)
		if err != nil {
			return err
		}
		if !u.IsEmpty() {
			st.parts = append(st.parts, u)
			st.covered += u.Area()
		}
	}
	return nil
}

// views are the online cameras' views over grid st, in its frame.
func (e *Engine) views(st *gridState) []view {
	var views []view
	for id := range st.cams {
		c := e.cams[id]
		if c.Online && c.Valid() {
			v := newView(st, SectorXY(st.frame, c))
			v.convex = c.FOV <= 180 || c.FOV >= 360
			views = append(views, v)
		}
	}
	return views
}

// lazyCluster is a cluster of views whose covered area is known and whose
// geometry is not built yet.
type lazyCluster struct {
	rings  [][]float64
	inside bool
}

// ieBudget bounds the convex clips one cluster's inclusion–exclusion may
// take (it is exponential in the views that all overlap one another);
// past it the cluster goes through the overlay.
const ieBudget = 4096

// ieArea is area(p ∩ ⋃ rings[from:]) for a convex counter-clockwise p and
// convex counter-clockwise rings, by inclusion–exclusion: Σ over the
// non-empty subsets S of (−1)^(|S|+1)·area(p ∩ ⋂S). A subset whose
// intersection is empty prunes every superset. sign is the sign of the
// terms at this depth; budget counts clips down (negative: gave up).
func ieArea(p []float64, rings [][]float64, from int, sign float64, budget *int) float64 {
	var total float64
	for i := from; i < len(rings) && *budget >= 0; i++ {
		*budget--
		q := clipConvex(p, rings[i])
		if q == nil {
			continue
		}
		a := shoelace(q)
		if a <= 1e-9 {
			continue
		}
		total += sign*a + ieArea(q, rings, i+1, -sign, budget)
	}
	return total
}

func allConvex(vs []view, cl []int) bool {
	for _, k := range cl {
		if !vs[k].convex {
			return false
		}
	}
	return true
}

// overlay is the union of the rings, cut to the grid unless they are all
// inside it, by simplefeatures' overlay.
func (st *gridState) overlay(rings [][]float64, inside bool) (geom.Geometry, error) {
	gs := make([]geom.Geometry, len(rings))
	for j, r := range rings {
		gs[j] = view{xy: r}.polygon()
	}
	u := gs[0]
	if len(gs) > 1 {
		var err error
		if u, err = geom.UnionMany(gs); err != nil {
			return u, fmt.Errorf("grid %s: union: %w", st.g.Code, err)
		}
	}
	if !inside {
		var err error
		if u, err = geom.Intersection(u, st.poly); err != nil {
			return u, fmt.Errorf("grid %s: intersection: %w", st.g.Code, err)
		}
	}
	return u, nil
}

// coveredParts returns the covered part of the grid as disjoint pieces,
// building the lazy clusters' geometry first.
func (st *gridState) coveredParts() ([]geom.Geometry, error) {
	st.partsMu.Lock()
	defer st.partsMu.Unlock()
	for len(st.lazy) > 0 {
		l := st.lazy[len(st.lazy)-1]
		u, err := st.overlay(l.rings, l.inside)
		if err != nil {
			return nil, err
		}
		if !u.IsEmpty() {
			st.parts = append(st.parts, u)
		}
		st.lazy = st.lazy[:len(st.lazy)-1]
	}
	return st.parts, nil
}

// view is one camera's sector in a grid's frame.
type view struct {
	xy     []float64 // closed ring
	box    rtree.Box
	inside bool // wholly inside the (convex) grid
	convex bool // the sector is convex (fov ≤ 180° or a full circle)
}

func newView(st *gridState, xy []float64) view {
	v := view{xy: xy, box: rtree.Box{MinX: math.Inf(1), MinY: math.Inf(1), MaxX: math.Inf(-1), MaxY: math.Inf(-1)}}
	v.inside = st.convex != nil
	for k := 0; k+1 < len(xy); k += 2 {
		x, y := xy[k], xy[k+1]
		v.box.MinX, v.box.MaxX = math.Min(v.box.MinX, x), math.Max(v.box.MaxX, x)
		v.box.MinY, v.box.MaxY = math.Min(v.box.MinY, y), math.Max(v.box.MaxY, y)
		if v.inside && !insideConvex(st.convex, x, y) {
			v.inside = false
		}
	}
	return v
}

func (v view) polygon() geom.Geometry {
	ring := geom.NewLineString(geom.NewSequence(v.xy, geom.DimXY))
	return geom.NewPolygon([]geom.LineString{ring}).AsGeometry()
}

// clusters groups views whose boxes overlap, transitively (union-find).
func clusters(vs []view) [][]int {
	parent := make([]int, len(vs))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i := range vs {
		for j := i + 1; j < len(vs); j++ {
			a, b := vs[i].box, vs[j].box
			if a.MinX <= b.MaxX && b.MinX <= a.MaxX && a.MinY <= b.MaxY && b.MinY <= a.MaxY {
				parent[find(i)] = find(j)
			}
		}
	}
	by := map[int][]int{}
	var order []int
	for i := range vs {
		r := find(i)
		if _, ok := by[r]; !ok {
			order = append(order, r)
		}
		by[r] = append(by[r], i)
	}
	out := make([][]int, 0, len(order))
	for _, r := range order {
		out = append(out, by[r])
	}
	return out
}

// shoelace is the area of a simple closed ring (x, y pairs).
func shoelace(xy []float64) float64 {
	var a float64
	for k := 0; k+3 < len(xy); k += 2 {
		a += xy[k]*xy[k+3] - xy[k+2]*xy[k+1]
	}
	return math.Abs(a) / 2
}

// convexRing returns a grid's outer ring as counter-clockwise x, y pairs
// (closed) when the grid is one polygon without holes whose ring is
// convex, else nil.
func convexRing(g geom.Geometry) []float64 {
	m, ok := g.AsMultiPolygon()
	if !ok || m.NumPolygons() != 1 || m.PolygonN(0).NumInteriorRings() != 0 {
		return nil
	}
	seq := m.PolygonN(0).ExteriorRing().Coordinates()
	xy := make([]float64, 0, 2*seq.Length())
	for i := range seq.Length() {
		p := seq.GetXY(i)
		xy = append(xy, p.X, p.Y)
	}
	// Orient counter-clockwise (signed area > 0).
	var a float64
	for k := 0; k+3 < len(xy); k += 2 {
		a += xy[k]*xy[k+3] - xy[k+2]*xy[k+1]
	}
	if a < 0 {
		for l, r := 0, len(xy)-2; l < r; l, r = l+2, r-2 {
			xy[l], xy[r] = xy[r], xy[l]
			xy[l+1], xy[r+1] = xy[r+1], xy[l+1]
		}
	}
	n := len(xy)/2 - 1
	for k := range n {
		ax, ay := xy[2*k], xy[2*k+1]
		bx, by := xy[2*((k+1)%n)], xy[2*((k+1)%n)+1]
		cx, cy := xy[2*((k+2)%n)], xy[2*((k+2)%n)+1]
		if (bx-ax)*(cy-by)-(by-ay)*(cx-bx) < 0 {
			return nil
		}
	}
	return xy
}

// clipConvex clips a closed ring by a closed counter-clockwise convex ring
// (Sutherland–Hodgman) and returns the closed result, or nil.
func clipConvex(subject, clip []float64) []float64 {
	out := subject[:len(subject)-2] // open
	for k := 0; k+3 < len(clip) && len(out) >= 6; k += 2 {
		ax, ay, bx, by := clip[k], clip[k+1], clip[k+2], clip[k+3]
		side := func(x, y float64) float64 { return (bx-ax)*(y-ay) - (by-ay)*(x-ax) }
		in := out
		out = make([]float64, 0, len(in)+4)
		n := len(in) / 2
		for i := range n {
			px, py := in[2*i], in[2*i+1]
			qx, qy := in[2*((i+1)%n)], in[2*((i+1)%n)+1]
			sp, sq := side(px, py), side(qx, qy)
			if sp >= 0 {
				out = append(out, px, py)
			}
			if (sp >= 0) != (sq >= 0) {
				t := sp / (sp - sq)
				out = append(out, px+t*(qx-px), py+t*(qy-py))
			}
		}
	}
	if len(out) < 6 {
		return nil
	}
	return append(out, out[0], out[1])
}

// insideConvex reports whether (x, y) is inside or on a counter-clockwise
// convex ring.
func insideConvex(ring []float64, x, y float64) bool {
	for k := 0; k+3 < len(ring); k += 2 {
		ax, ay, bx, by := ring[k], ring[k+1], ring[k+2], ring[k+3]
		if (bx-ax)*(y-ay)-(by-ay)*(x-ax) < 0 {
			return false
		}
	}
	return true
}

// Upsert adds or changes a camera (a state change, a move, a new view)
// and recomputes the grids its old or new reach touches. It returns the
// ids of the grids recomputed.
func (e *Engine) Upsert(c Camera) ([]int64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	old := e.camGrids[c.ID]
	for _, i := range old {
		delete(e.grids[i].cams, c.ID)
	}
	e.cams[c.ID] = c
	now := e.reach(c)
	e.camGrids[c.ID] = now
	for _, i := range now {
		e.grids[i].cams[c.ID] = struct{}{}
	}
	return e.recompute(union(old, now))
}

// Remove drops a camera (gone from the platform).
func (e *Engine) Remove(id int64) ([]int64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	old := e.camGrids[id]
	for _, i := range old {
		delete(e.grids[i].cams, id)
	}
	delete(e.cams, id)
	delete(e.camGrids, id)
	return e.recompute(old)
}

func (e *Engine) recompute(idx []int) ([]int64, error) {
	ids := make([]int64, 0, len(idx))
	var errs []error
	for _, i := range idx {
		errs = append(errs, e.compute(i))
		ids = append(ids, e.grids[i].g.ID)
	}
	return ids, errors.Join(errs...)
}

func union(a, b []int) []int {
	m := map[int]bool{}
	out := make([]int, 0, len(a)+len(b))
	for _, s := range [][]int{a, b} {
		for _, i := range s {
			if !m[i] {
				m[i] = true
				out = append(out, i)
			}
		}
	}
	sort.Ints(out)
	return out
}

func (e *Engine) result(st *gridState) Result {
	r := Result{GridID: st.g.ID, Code: st.g.Code, AreaM2: st.area, CovM2: st.covered, Target: st.g.Target,
		BBox: [4]float64{st.box.MinX, st.box.MinY, st.box.MaxX, st.box.MaxY}}
	r.Pct = math.Round(st.covered/st.area*10000) / 100
	r.Under = st.g.Target > 0 && r.Pct < st.g.Target
	r.RoadM, r.RoadCovM, r.RoadPct = st.roadLen, st.roadCov, roadPct(st.roadLen, st.roadCov)
	for id := range st.cams {
		if c := e.cams[id]; c.Online {
			r.Cameras++
		}
	}
	return r
}

// Grid returns one grid's coverage, false when the engine does not know it.
func (e *Engine) Grid(id int64) (Result, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	i, ok := e.byID[id]
	if !ok {
		return Result{}, false
	}
	return e.result(e.grids[i]), true
}

// Results returns every grid's coverage in grid id order.
func (e *Engine) Results() []Result {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]Result, 0, len(e.grids))
	for _, st := range e.grids {
		out = append(out, e.result(st))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].GridID < out[j].GridID })
	return out
}

// SetTarget changes a grid's target share (percent).
func (e *Engine) SetTarget(id int64, pct float64) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	i, ok := e.byID[id]
	if ok {
		e.grids[i].g.Target = pct
	}
	return ok
}

// Uncovered returns the part of a grid no online camera sees, WGS-84.
func (e *Engine) Uncovered(id int64) ([][][][2]float64, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	i, ok := e.byID[id]
	if !ok {
		return nil, nil
	}
	return e.grids[i].uncovered()
}

// uncovered is the grid's uncovered part, from the cache or computed (and
// kept) under the engine's read lock. Two readers may both compute it; they
// store the same thing.
func (st *gridState) uncovered() ([][][][2]float64, error) {
	if g := st.gaps.Load(); g != nil {
		return *g, nil
	}
	parts, err := st.coveredParts()
	if err != nil {
		return nil, err
	}
	out := st.g.Boundary
	if len(parts) > 0 {
		d, err := geom.Difference(st.poly, geom.NewGeometryCollection(parts).AsGeometry())
		if err != nil {
			return nil, fmt.Errorf("grid %s: difference: %w", st.g.Code, err)
		}
		out = roundLonLat(FromFrame(st.frame, d))
		if out == nil {
			out = [][][][2]float64{} // wholly covered: an empty MultiPolygon, not null
		}
	}
	st.gaps.Store(&out)
	return out, nil
}

// roundLonLat rounds coordinates to 1e-7° (about 1 cm): the layer goes to
// browsers by the hundred grids, and seventeen digits of a float carry
// nothing a map can show.
func roundLonLat(mp [][][][2]float64) [][][][2]float64 {
	for _, p := range mp {
		for _, r := range p {
			for k := range r {
				r[k] = [2]float64{math.Round(r[k][0]*1e7) / 1e7, math.Round(r[k][1]*1e7) / 1e7}
			}
		}
	}
	return mp
}

// GridGaps is one grid of a map view: its coverage and, when the view asked
// for gaps, its uncovered part; otherwise its boundary.
type GridGaps struct {
	Result
	Geometry [][][][2]float64
}

// View is what a map shows over a lon/lat box: the grids kept (a caller's
// scope) whose boxes meet it, with their uncovered parts when there are at
// most limit of them (Gaps true), else with their boundaries — a city-wide
// view colours grids by their share and the gaps appear as one zooms in.
// Extent is the box of all the grids kept, inside the box or not, so that
// a first view can fit them.
type View struct {
	Gaps   bool
	Grids  []GridGaps
	Extent *rtree.Box
}

// viewChunk is how many grids' gaps ViewOf computes under one read lock.
const viewChunk = 16

// ViewOf answers a map view; box nil means everywhere. The gaps are
// computed on all CPUs the first time and cached per grid.
func (e *Engine) ViewOf(box *rtree.Box, keep func(gridID int64) bool, limit int) (View, error) {
	e.mu.RLock()
	var v View
	var idx []int
	for i, st := range e.grids {
		if keep != nil && !keep(st.g.ID) {
			continue
		}
		if v.Extent == nil {
			b := st.box
			v.Extent = &b
		} else {
			b := rtree.Box{MinX: math.Min(v.Extent.MinX, st.box.MinX), MinY: math.Min(v.Extent.MinY, st.box.MinY),
				MaxX: math.Max(v.Extent.MaxX, st.box.MaxX), MaxY: math.Max(v.Extent.MaxY, st.box.MaxY)}
			v.Extent = &b
		}
		if box == nil || (st.box.MinX <= box.MaxX && st.box.MaxX >= box.MinX && st.box.MinY <= box.MaxY && st.box.MaxY >= box.MinY) {
			idx = append(idx, i)
		}
	}
	sort.Slice(idx, func(a, b int) bool { return e.grids[idx[a]].g.Code < e.grids[idx[b]].g.Code })
	v.Grids = make([]GridGaps, len(idx))
	for j, i := range idx {
		v.Grids[j] = GridGaps{Result: e.result(e.grids[i]), Geometry: e.grids[i].g.Boundary}
	}
	e.mu.RUnlock()
	if len(idx) > limit {
		return v, nil
	}
	v.Gaps = true
	// The gaps are computed a chunk of grids at a time, each chunk under
	// the read lock of its own: a cold view of 2,000 grids takes seconds,
	// and a camera change waiting for the write lock would otherwise hold
	// up every reader behind it for that long. The grids themselves never
	// change in an engine (a grid import builds a new one), so the indexes
	// stay valid; a grid recomputed between chunks gives its new gaps.
	errs := make([]error, len(idx))
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range min(runtime.GOMAXPROCS(0), max(len(idx), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				from := int(next.Add(viewChunk)) - viewChunk
				if from >= len(idx) {
					return
				}
				e.mu.RLock()
				for j := from; j < min(from+viewChunk, len(idx)); j++ {
					v.Grids[j].Geometry, errs[j] = e.grids[idx[j]].uncovered()
				}
				e.mu.RUnlock()
			}
		}()
	}
	wg.Wait()
	return v, errors.Join(errs...)
}

// In measures a region (a district's or a community's WGS-84 boundary):
// the covered area inside it and the gridded area inside it, summed over
// the grids it overlaps, each in its own frame. Grids do not overlap
// (the grid import refuses it), so the sums count no area twice; a camera
// whose view crosses the region's edge counts only for its part inside.
// keep, when not nil, picks the grids counted (a caller's scope). Roads
// are measured the same way: the grid's road length inside the region and
// the covered part of it.
func (e *Engine) In(region [][][][2]float64, keep func(gridID int64) bool) (Measure, error) {
	var m Measure
	box := rtree.Box{MinX: math.Inf(1), MinY: math.Inf(1), MaxX: math.Inf(-1), MaxY: math.Inf(-1)}
	for _, p := range region {
		if len(p) == 0 {
			continue
		}
		for _, pt := range p[0] {
			box.MinX, box.MaxX = math.Min(box.MinX, pt[0]), math.Max(box.MaxX, pt[0])
			box.MinY, box.MaxY = math.Min(box.MinY, pt[1]), math.Max(box.MaxY, pt[1])
		}
	}
	if math.IsInf(box.MinX, 0) {
		return m, errors.New("empty region")
	}
	// The region is checked once here (rings closed, at least three
	// points, a valid polygon): the grids far from its edges never convert
	// it, and an invalid boundary must be refused, not measured.
	if _, err := ToFrame(NewFrame((box.MinX+box.MaxX)/2, (box.MinY+box.MaxY)/2), region); err != nil {
		return m, err
	}
	ri := newRegionIndex(region)
	e.mu.RLock()
	defer e.mu.RUnlock()
	var idx []int
	_ = e.tree.RangeSearch(box, func(i int) error { idx = append(idx, i); return nil })
	for _, i := range idx {
		st := e.grids[i]
		if keep != nil && !keep(st.g.ID) {
			continue
		}
		if !ri.near(st.box) {
			// No boundary edge near the grid's box: the whole box, so the
			// whole grid, is inside the region or outside it.
			if ri.contains((st.box.MinX+st.box.MaxX)/2, (st.box.MinY+st.box.MaxY)/2) {
				m.AreaM2 += st.area
				m.CovM2 += st.covered
				m.RoadM += st.roadLen
				m.RoadCovM += st.roadCov
			}
			continue
		}
		r, err := ToFrame(st.frame, region)
		if err != nil {
			return m, err
		}
		part, err := geom.Intersection(st.poly, r)
		if err != nil {
			return m, fmt.Errorf("grid %s: %w", st.g.Code, err)
		}
		m.AreaM2 += part.Area()
		if part.IsEmpty() {
			continue
		}
		if pa := part.Area(); math.Abs(pa-st.area) <= 1e-7*st.area {
			// The grid is wholly inside the region: all its covered area
			// and road length count, and its covered geometry need not be
			// built.
			m.CovM2 += st.covered
			m.RoadM += st.roadLen
			m.RoadCovM += st.roadCov
			continue
		}
		rm, rc, err := st.roadsIn(part)
		if err != nil {
			return m, err
		}
		m.RoadM += rm
		m.RoadCovM += rc
		parts, err := st.coveredParts()
		if err != nil {
			return m, err
		}
		for _, p := range parts {
			cov, err := geom.Intersection(p, part)
			if err != nil {
				return m, fmt.Errorf("grid %s: %w", st.g.Code, err)
			}
			m.CovM2 += cov.Area()
		}
	}
	return m, nil
}

// Measure is what Engine.In finds in a region: the gridded area and the
// covered part of it (m²), the road length and the covered part of it (m).
type Measure struct {
	AreaM2, CovM2   float64
	RoadM, RoadCovM float64
}

// Camera returns the engine's copy of a camera.
func (e *Engine) Camera(id int64) (Camera, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	c, ok := e.cams[id]
	return c, ok
}

// CameraIDs returns the ids of the cameras the engine holds.
func (e *Engine) CameraIDs() []int64 {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]int64, 0, len(e.cams))
	for id := range e.cams {
		out = append(out, id)
	}
	return out
}
