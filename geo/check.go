package geo

import (
	"context"
	"math"
	"sort"
)

// Checks on polygon sets (patrol grids): ring validity, overlaps between
// polygons, and gaps enclosed by a set of polygons. They work in the
// (lon, lat) plane like Contains; distances and areas are in metres on the
// local tangent plane, which is accurate enough at city scale.

// orient is twice the signed area of (a, b, c): > 0 counter-clockwise.
func orient(a, b, c [2]float64) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// crossEps is the orientation below which three points count as collinear:
// shared edges of adjoining polygons differ only by rounding noise.
const crossEps = 1e-14

// properCross reports whether segments p–q and r–s cross at a point inside
// both (not merely touch or run along each other).
func properCross(p, q, r, s [2]float64) bool {
	if math.Max(p[0], q[0]) < math.Min(r[0], s[0]) || math.Max(r[0], s[0]) < math.Min(p[0], q[0]) ||
		math.Max(p[1], q[1]) < math.Min(r[1], s[1]) || math.Max(r[1], s[1]) < math.Min(p[1], q[1]) {
		return false
	}
	d1, d2 := orient(p, q, r), orient(p, q, s)
	d3, d4 := orient(r, s, p), orient(r, s, q)
	return ((d1 > crossEps && d2 < -crossEps) || (d1 < -crossEps && d2 > crossEps)) &&
		((d3 > crossEps && d4 < -crossEps) || (d3 < -crossEps && d4 > crossEps))
}

func crossPoint(p, q, r, s [2]float64) [2]float64 {
	d := (q[0]-p[0])*(s[1]-r[1]) - (q[1]-p[1])*(s[0]-r[0])
	if d == 0 {
		return p
	}
	t := ((r[0]-p[0])*(s[1]-r[1]) - (r[1]-p[1])*(s[0]-r[0])) / d
	return [2]float64{p[0] + t*(q[0]-p[0]), p[1] + t*(q[1]-p[1])}
}

// RingArea returns the area of a ring in square metres (unsigned).
func RingArea(ring [][2]float64) float64 {
	n := len(ring)
	if n < 3 {
		return 0
	}
	lat0 := ring[0][1] * math.Pi / 180
	kx := EarthRadius * math.Pi / 180 * math.Cos(lat0)
	ky := EarthRadius * math.Pi / 180
	s := 0.0
	for i := 0; i < n; i++ {
		a, b := ring[i], ring[(i+1)%n]
		s += (a[0]-ring[0][0])*kx*(b[1]-ring[0][1])*ky - (b[0]-ring[0][0])*kx*(a[1]-ring[0][1])*ky
	}
	return math.Abs(s) / 2
}

// Area returns the area of m in square metres: outer rings minus holes.
func (m MultiPolygon) Area() float64 {
	a := 0.0
	for _, poly := range m {
		for j, ring := range poly {
			if j == 0 {
				a += RingArea(ring)
			} else {
				a -= RingArea(ring)
			}
		}
	}
	return a
}

// RingProblem returns what makes a ring unusable, or "" when it is fine:
// fewer than three distinct positions, no area, or two edges that cross.
func RingProblem(ring [][2]float64) string {
	msg, _ := RingProblemContext(context.Background(), ring)
	return msg
}

// RingProblemContext is RingProblem in O(n log n) (a sweep line over the
// edges), stopping with ctx's error when ctx ends: a ring of a million
// vertices from a client that left must not hold a core.
func RingProblemContext(ctx context.Context, ring [][2]float64) (string, error) {
	n := len(ring)
	if n > 0 && ring[0] == ring[n-1] {
		n-- // closed: the last position repeats the first
	}
	pts := make([][2]float64, n)
	copy(pts, ring[:n])
	sort.Slice(pts, func(i, j int) bool { return pts[i][0] < pts[j][0] || (pts[i][0] == pts[j][0] && pts[i][1] < pts[j][1]) })
	distinct := 0
	for i := range pts {
		if i == 0 || pts[i] != pts[i-1] {
			distinct++
		}
	}
	if distinct < 3 {
		return "fewer than 3 distinct positions", nil
	}
	segs := make([]segment, n)
	for i := 0; i < n; i++ {
		segs[i] = segment{a: ring[i], b: ring[(i+1)%n], id: i}
	}
	adjacent := func(a, b int) bool {
		i, j := segs[a].id, segs[b].id
		d := i - j
		return d == 1 || d == -1 || d == n-1 || d == 1-n
	}
	_, _, crossed, err := firstCrossing(ctx, segs, adjacent)
	if err != nil {
		return "", err
	}
	if crossed {
		return "edges cross each other (self-intersection)", nil
	}
	if RingArea(ring) < 1 {
		return "encloses no area", nil
	}
	return "", nil
}

// InteriorPoint returns a point inside m (outside its holes), found on a
// horizontal line through the middle of its first polygon's extent.
func (m MultiPolygon) InteriorPoint() (lon, lat float64, ok bool) {
	ps := m.interiorPoints()
	if len(ps) == 0 {
		return 0, 0, false
	}
	return ps[0][0], ps[0][1], true
}

// interiorPoints returns up to 15 points inside m's first polygon: on five
// horizontal lines, at three places of the widest inside stretch of each.
// Several are needed: one may fall exactly on a neighbour's edge.
func (m MultiPolygon) interiorPoints() [][2]float64 {
	var out [][2]float64
	for _, poly := range m {
		if len(poly) == 0 {
			continue
		}
		b := (MultiPolygon{poly}).Bounds()
		// Irrational-ish fractions keep clear of vertices and of the edges of
		// neighbours laid out on round numbers.
		for _, f := range []float64{0.5123, 0.3141, 0.7071, 0.1618, 0.8862} {
			y := b.MinLat + f*(b.MaxLat-b.MinLat)
			var xs []float64
			for _, ring := range poly {
				n := len(ring)
				for i, j := 0, n-1; i < n; j, i = i, i+1 {
					p, q := ring[i], ring[j]
					if (p[1] > y) != (q[1] > y) {
						xs = append(xs, p[0]+(y-p[1])*(q[0]-p[0])/(q[1]-p[1]))
					}
				}
			}
			sort.Float64s(xs)
			best, x0, x1 := 0.0, 0.0, 0.0
			for k := 0; k+1 < len(xs); k += 2 {
				if w := xs[k+1] - xs[k]; w > best {
					best, x0, x1 = w, xs[k], xs[k+1]
				}
			}
			if best <= 0 {
				continue
			}
			for _, g := range []float64{0.5, 0.2718, 0.7389} {
				x := x0 + g*(x1-x0)
				if (MultiPolygon{poly}).Contains(x, y) {
					out = append(out, [2]float64{x, y})
				}
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return out
}

// Overlap reports whether a and b share area, with a point that shows it.
// Polygons that only touch — along shared edges, or at corners — do not
// overlap: points within tol metres of the other's boundary are ignored.
func Overlap(a, b MultiPolygon, tol float64) (lon, lat float64, ok bool) {
	lon, lat, ok, _ = OverlapContext(context.Background(), a, b, NewIndex(a), NewIndex(b), tol)
	return
}

// OverlapContext is Overlap with the polygons' indexes built once by the
// caller (a grid is compared with each neighbour), in O(n log n) for the
// edges and O(n √n) at worst for the points, stopping when ctx ends. a and b
// must each pass FeatureProblem.
func OverlapContext(ctx context.Context, a, b MultiPolygon, ia, ib *Index, tol float64) (lon, lat float64, ok bool, err error) {
	ba, bb := a.Bounds(), b.Bounds()
	if ba.MaxLon < bb.MinLon || bb.MaxLon < ba.MinLon || ba.MaxLat < bb.MinLat || bb.MaxLat < ba.MinLat {
		return 0, 0, false, nil
	}
	if lon, lat, ok, err := EdgesCross(ctx, a, b); err != nil || ok {
		return lon, lat, ok, err
	}
	inside := func(x MultiPolygon, iy *Index) (float64, float64, bool, error) {
		k := 0
		for _, poly := range x {
			for _, ring := range poly {
				for _, p := range ring {
					if k++; k&1023 == 0 && ctx.Err() != nil {
						return 0, 0, false, ctx.Err()
					}
					if iy.Contains(p[0], p[1]) && !iy.NearBoundary(p[0], p[1], tol) {
						return p[0], p[1], true, nil
					}
				}
			}
		}
		for _, p := range x.interiorPoints() {
			if iy.Contains(p[0], p[1]) && !iy.NearBoundary(p[0], p[1], tol) {
				return p[0], p[1], true, nil
			}
		}
		return 0, 0, false, nil
	}
	if lon, lat, ok, err := inside(a, ib); err != nil || ok {
		return lon, lat, ok, err
	}
	return inside(b, ia)
}

// Gap is an area enclosed by a set of polygons that none of them covers.
type Gap struct {
	Lon, Lat float64 // a point inside the gap
	AreaM2   float64 // approximate (raster) area
	Touching []int   // indexes of the polygons around it
}

// Gaps finds holes in the union of polys: areas no polygon covers that
// cannot be reached from outside the set's bounding box without crossing a
// polygon. It samples a raster of at most maxCells cells over the bounding
// box, so gaps narrower than a cell may be missed, and a point exactly on a
// shared edge is never sampled.
func Gaps(polys []MultiPolygon, maxCells int) []Gap {
	idx := make([]*Index, len(polys))
	for i, p := range polys {
		idx[i] = NewIndex(p)
	}
	g, _ := GapsContext(context.Background(), polys, idx, maxCells)
	return g
}

// GapsContext is Gaps with the polygons' indexes built by the caller,
// stopping with ctx's error when ctx ends.
func GapsContext(ctx context.Context, polys []MultiPolygon, idx []*Index, maxCells int) ([]Gap, error) {
	if len(polys) < 2 {
		return nil, nil
	}
	box := emptyBox()
	boxes := make([]Box, len(polys))
	for i, p := range polys {
		boxes[i] = p.Bounds()
		box.MinLon, box.MinLat = math.Min(box.MinLon, boxes[i].MinLon), math.Min(box.MinLat, boxes[i].MinLat)
		box.MaxLon, box.MaxLat = math.Max(box.MaxLon, boxes[i].MaxLon), math.Max(box.MaxLat, boxes[i].MaxLat)
	}
	if box.Empty() {
		return nil, nil
	}
	w, h := box.MaxLon-box.MinLon, box.MaxLat-box.MinLat
	cell := math.Sqrt(w * h / float64(maxCells))
	if cell <= 0 {
		return nil, nil
	}
	cols, rows := int(math.Ceil(w/cell))+2, int(math.Ceil(h/cell))+2 // one free cell all round
	x0, y0 := box.MinLon-cell, box.MinLat-cell
	owner := make([]int32, cols*rows) // polygon index + 1; 0 = uncovered
	for i := range polys {
		c0, c1 := int((boxes[i].MinLon-x0)/cell), int((boxes[i].MaxLon-x0)/cell)
		r0, r1 := int((boxes[i].MinLat-y0)/cell), int((boxes[i].MaxLat-y0)/cell)
		for r := max(r0, 0); r <= min(r1, rows-1); r++ {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			y := y0 + (float64(r)+0.5)*cell
			for c := max(c0, 0); c <= min(c1, cols-1); c++ {
				if owner[r*cols+c] == 0 && idx[i].Contains(x0+(float64(c)+0.5)*cell, y) {
					owner[r*cols+c] = int32(i + 1)
				}
			}
		}
	}
	// Flood the outside from the free border.
	seen := make([]bool, cols*rows)
	stack := []int{0}
	seen[0] = true
	step := func(k int, f func(int)) {
		r, c := k/cols, k%cols
		if r > 0 {
			f(k - cols)
		}
		if r < rows-1 {
			f(k + cols)
		}
		if c > 0 {
			f(k - 1)
		}
		if c < cols-1 {
			f(k + 1)
		}
	}
	for len(stack) > 0 {
		k := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		step(k, func(n int) {
			if !seen[n] && owner[n] == 0 {
				seen[n] = true
				stack = append(stack, n)
			}
		})
	}
	latMid := (box.MinLat + box.MaxLat) / 2 * math.Pi / 180
	cellArea := (cell * EarthRadius * math.Pi / 180) * (cell * EarthRadius * math.Pi / 180 * math.Cos(latMid))
	var out []Gap
	for k := range owner {
		if owner[k] != 0 || seen[k] {
			continue
		}
		// A new enclosed component.
		var sx, sy float64
		n := 0
		touch := map[int]bool{}
		seen[k] = true
		stack = append(stack[:0], k)
		first := k
		for len(stack) > 0 {
			j := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			n++
			sx += x0 + (float64(j%cols)+0.5)*cell
			sy += y0 + (float64(j/cols)+0.5)*cell
			step(j, func(m int) {
				if owner[m] != 0 {
					touch[int(owner[m]-1)] = true
				} else if !seen[m] {
					seen[m] = true
					stack = append(stack, m)
				}
			})
		}
		g := Gap{Lon: sx / float64(n), Lat: sy / float64(n), AreaM2: float64(n) * cellArea}
		// The centroid of an odd-shaped gap may fall outside it: show a cell of it instead.
		for _, ix := range idx {
			if ix.Contains(g.Lon, g.Lat) {
				g.Lon, g.Lat = x0+(float64(first%cols)+0.5)*cell, y0+(float64(first/cols)+0.5)*cell
				break
			}
		}
		for t := range touch {
			g.Touching = append(g.Touching, t)
		}
		sort.Ints(g.Touching)
		out = append(out, g)
	}
	return out, nil
}
