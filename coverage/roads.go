package coverage

import (
	"fmt"
	"math"
	"slices"

	"github.com/peterstace/simplefeatures/geom"
	"github.com/peterstace/simplefeatures/rtree"
)

// Road coverage (issue 16 item 3, "where roads are known, of road
// length"): each grid keeps the road centrelines inside it as straight
// segments in its frame (the frame is linear in lon/lat, so a straight
// WGS-84 segment stays straight), and a recomputation finds, per
// segment, the parameter intervals some online view covers. Every view is
// convex or is split into two convex halves, so each interval is exact by
// clipping the segment against the view's edges (Cyrus–Beck); the union
// of a segment's intervals counts overlapping cameras once. Measuring the
// lines against simplefeatures' union of the views gives the same
// figures (TestRoadIntervalsAgreeWithOverlay) at the overlay's cost, which
// a camera change would then pay for every grid it reaches.

// Road is what coverage needs of a road: its WGS-84 centreline as lines
// of [lon, lat] positions.
type Road struct {
	ID    int64
	Lines [][][2]float64
}

// roadSeg is a straight piece of road inside one grid, in the grid's
// frame.
type roadSeg struct {
	ax, ay, bx, by float64
	len            float64
	box            rtree.Box
}

func newSeg(ax, ay, bx, by float64) roadSeg {
	return roadSeg{ax: ax, ay: ay, bx: bx, by: by, len: math.Hypot(bx-ax, by-ay),
		box: rtree.Box{MinX: math.Min(ax, bx), MinY: math.Min(ay, by), MaxX: math.Max(ax, bx), MaxY: math.Max(ay, by)}}
}

func (s roadSeg) at(t float64) (float64, float64) {
	return s.ax + t*(s.bx-s.ax), s.ay + t*(s.by-s.ay)
}

// clipSegConvex returns the part [t0, t1] of segment s inside a closed
// counter-clockwise convex ring (Cyrus–Beck), ok false when none of it
// is (or only a point).
func clipSegConvex(s roadSeg, ring []float64) (t0, t1 float64, ok bool) {
	t0, t1 = 0, 1
	for k := 0; k+3 < len(ring); k += 2 {
		ax, ay, bx, by := ring[k], ring[k+1], ring[k+2], ring[k+3]
		s0 := (bx-ax)*(s.ay-ay) - (by-ay)*(s.ax-ax)
		s1 := (bx-ax)*(s.by-ay) - (by-ay)*(s.bx-ax)
		switch {
		case s0 < 0 && s1 < 0:
			return 0, 0, false
		case s0 >= 0 && s1 >= 0:
			continue
		}
		t := s0 / (s0 - s1)
		if s0 < 0 {
			t0 = math.Max(t0, t)
		} else {
			t1 = math.Min(t1, t)
		}
		if t1 <= t0 {
			return 0, 0, false
		}
	}
	return t0, t1, t1 > t0
}

// addRoads puts every road's segments into the grids they cross, cut to
// each grid: by Cyrus–Beck for a convex grid, by simplefeatures'
// line/polygon intersection otherwise. A segment running exactly along
// the edge two grids share counts in both (the clip keeps the boundary).
func (e *Engine) addRoads(roads []Road) error {
	pending := map[int][]float64{} // non-convex grids: their raw segments, x, y pairs
	for _, r := range roads {
		for _, line := range r.Lines {
			for k := 0; k+1 < len(line); k++ {
				a, b := line[k], line[k+1]
				if a == b {
					continue
				}
				box := rtree.Box{MinX: math.Min(a[0], b[0]), MinY: math.Min(a[1], b[1]), MaxX: math.Max(a[0], b[0]), MaxY: math.Max(a[1], b[1])}
				_ = e.tree.RangeSearch(box, func(i int) error {
					st := e.grids[i]
					ax, ay := st.frame.Forward(a[0], a[1])
					bx, by := st.frame.Forward(b[0], b[1])
					s := newSeg(ax, ay, bx, by)
					if st.convex == nil {
						pending[i] = append(pending[i], ax, ay, bx, by)
						return nil
					}
					if t0, t1, ok := clipSegConvex(s, st.convex); ok {
						x0, y0 := s.at(t0)
						x1, y1 := s.at(t1)
						st.addSeg(newSeg(x0, y0, x1, y1))
					}
					return nil
				})
			}
		}
	}
	for i, xy := range pending {
		st := e.grids[i]
		lines := make([]geom.LineString, 0, len(xy)/4)
		for k := 0; k+3 < len(xy); k += 4 {
			lines = append(lines, geom.NewLineString(geom.NewSequence(xy[k:k+4], geom.DimXY)))
		}
		cut, err := geom.Intersection(geom.NewMultiLineString(lines).AsGeometry(), st.poly)
		if err != nil {
			return fmt.Errorf("grid %s: roads: %w", st.g.Code, err)
		}
		eachSegment(cut, st.addSeg)
	}
	return nil
}

// SetRoads replaces the road layer and measures it anew, leaving the area
// coverage (and its geometry, built or not) as it is: a road import costs
// the roads, not the overlay. It returns the ids of the grids that had or
// now have roads.
func (e *Engine) SetRoads(roads []Road) ([]int64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	had := make([]bool, len(e.grids))
	for i, st := range e.grids {
		had[i] = len(st.segs) > 0
		st.segs, st.roadLen, st.roadCov = st.segs[:0], 0, 0
	}
	if err := e.addRoads(roads); err != nil {
		return nil, err
	}
	var ids []int64
	for i, st := range e.grids {
		if had[i] || len(st.segs) > 0 {
			st.computeRoads(e.views(st))
			ids = append(ids, st.g.ID)
		}
	}
	return ids, nil
}

func (st *gridState) addSeg(s roadSeg) {
	if s.len <= 1e-9 {
		return
	}
	st.segs = append(st.segs, s)
	st.roadLen += s.len
}

// eachSegment calls f with every straight segment of g's linear parts.
func eachSegment(g geom.Geometry, f func(roadSeg)) {
	switch g.Type() {
	case geom.TypeLineString:
		ls, _ := g.AsLineString()
		seq := ls.Coordinates()
		for k := 0; k+1 < seq.Length(); k++ {
			p, q := seq.GetXY(k), seq.GetXY(k+1)
			f(newSeg(p.X, p.Y, q.X, q.Y))
		}
	case geom.TypeMultiLineString:
		m, _ := g.AsMultiLineString()
		for i := range m.NumLineStrings() {
			eachSegment(m.LineStringN(i).AsGeometry(), f)
		}
	case geom.TypeGeometryCollection:
		gc, _ := g.AsGeometryCollection()
		for i := range gc.NumGeometries() {
			eachSegment(gc.GeometryN(i), f)
		}
	}
}

// convexPieces returns the views as convex closed counter-clockwise rings:
// a view wider than 180° (and not a full circle) is split at the middle
// of its arc into two sectors of under 180° each.
func convexPieces(views []view) []view {
	out := make([]view, 0, len(views))
	for _, v := range views {
		if v.convex {
			out = append(out, v)
			continue
		}
		// apex, P0..Pn, apex (closed): halves apex,P0..Pm,apex and apex,Pm..Pn,apex.
		n := len(v.xy)/2 - 3 // index of Pn among P0..Pn
		m := n / 2
		ax, ay := v.xy[0], v.xy[1]
		first := append(append([]float64{ax, ay}, v.xy[2:2+2*(m+1)]...), ax, ay)
		second := append(append([]float64{ax, ay}, v.xy[2+2*m:2+2*(n+1)]...), ax, ay)
		out = append(out, view{xy: first, box: v.box, convex: true}, view{xy: second, box: v.box, convex: true})
	}
	return out
}

// computeRoads measures the grid's road length inside the views: per
// segment, the union of the intervals the views cover. The intervals are
// kept (covIv, per segment from covOff) for measuring a region that cuts
// the grid.
func (st *gridState) computeRoads(views []view) {
	st.roadCov, st.covIv, st.covOff = 0, st.covIv[:0], st.covOff[:0]
	if len(st.segs) == 0 {
		return
	}
	pieces := convexPieces(views)
	var iv [][2]float64
	for _, s := range st.segs {
		st.covOff = append(st.covOff, len(st.covIv))
		iv = iv[:0]
		for _, p := range pieces {
			if p.box.MinX > s.box.MaxX || s.box.MinX > p.box.MaxX || p.box.MinY > s.box.MaxY || s.box.MinY > p.box.MaxY {
				continue
			}
			if t0, t1, ok := clipSegConvex(s, p.xy); ok {
				iv = append(iv, [2]float64{t0, t1})
			}
		}
		for _, m := range mergeIntervals(iv) {
			st.covIv = append(st.covIv, m)
			st.roadCov += (m[1] - m[0]) * s.len
		}
	}
	st.covOff = append(st.covOff, len(st.covIv))
}

// mergeIntervals sorts iv and merges the overlapping ones, in place.
func mergeIntervals(iv [][2]float64) [][2]float64 {
	if len(iv) < 2 {
		return iv
	}
	slices.SortFunc(iv, func(a, b [2]float64) int {
		switch {
		case a[0] < b[0]:
			return -1
		case a[0] > b[0]:
			return 1
		}
		return 0
	})
	out := iv[:1]
	for _, x := range iv[1:] {
		if last := &out[len(out)-1]; x[0] <= last[1] {
			last[1] = math.Max(last[1], x[1])
			continue
		}
		out = append(out, x)
	}
	return out
}

// roadsIn measures the grid's roads inside part (the grid cut by a
// region, in the grid's frame): their length and the covered length.
func (st *gridState) roadsIn(part geom.Geometry) (roadM, covM float64, err error) {
	env, ok := part.Envelope().AsBox()
	if !ok {
		return 0, 0, nil
	}
	for k, s := range st.segs {
		if s.box.MinX > env.MaxX || env.MinX > s.box.MaxX || s.box.MinY > env.MaxY || env.MinY > s.box.MaxY {
			continue
		}
		line := geom.NewLineString(geom.NewSequence([]float64{s.ax, s.ay, s.bx, s.by}, geom.DimXY)).AsGeometry()
		in, err := geom.Intersection(line, part)
		if err != nil {
			return 0, 0, fmt.Errorf("grid %s: roads: %w", st.g.Code, err)
		}
		var iv [][2]float64
		eachSegment(in, func(p roadSeg) {
			t0, t1 := s.param(p.ax, p.ay), s.param(p.bx, p.by)
			iv = append(iv, [2]float64{math.Min(t0, t1), math.Max(t0, t1)})
		})
		cov := st.covIv[st.covOff[k]:st.covOff[k+1]]
		for _, a := range mergeIntervals(iv) {
			roadM += (a[1] - a[0]) * s.len
			for _, c := range cov {
				if lo, hi := math.Max(a[0], c[0]), math.Min(a[1], c[1]); hi > lo {
					covM += (hi - lo) * s.len
				}
			}
		}
	}
	return roadM, covM, nil
}

// param is the parameter of the point (x, y) of the segment, by
// projection.
func (s roadSeg) param(x, y float64) float64 {
	dx, dy := s.bx-s.ax, s.by-s.ay
	return math.Max(0, math.Min(1, ((x-s.ax)*dx+(y-s.ay)*dy)/(dx*dx+dy*dy)))
}

// roadPct is the covered share of a road length to 0.01, nil without
// roads.
func roadPct(roadM, covM float64) *float64 {
	if roadM <= 0 {
		return nil
	}
	p := math.Round(covM/roadM*10000) / 100
	return &p
}
