package geo

import (
	"context"
	"math"
)

// Vertex caps: a grid boundary is drawn by hand or exported from a map; tens
// of thousands of positions are already more than any city grid needs, and
// every check below grows with them.
const (
	MaxFeatureVertices = 50000
	MaxUploadVertices  = 500000
)

// Vertices counts m's positions.
func (m MultiPolygon) Vertices() int {
	n := 0
	for _, poly := range m {
		for _, ring := range poly {
			n += len(ring)
		}
	}
	return n
}

// Index answers point questions about one MultiPolygon (inside? near the
// boundary?) by looking only at the edges in the point's horizontal band,
// instead of at every edge: the overlap and gap checks ask about thousands
// of points.
type Index struct {
	m        MultiPolygon
	box      Box
	y0, step float64
	bands    [][]edgeRef
}

type edgeRef struct {
	poly, ring int32
	a, b       [2]float64
}

// NewIndex builds the index: about √n bands of equal height, each listing
// the edges whose latitude range meets it.
func NewIndex(m MultiPolygon) *Index {
	ix := &Index{m: m, box: m.Bounds()}
	n := m.Vertices()
	if n == 0 || ix.box.Empty() {
		return ix
	}
	nb := max(1, int(math.Sqrt(float64(n))))
	h := ix.box.MaxLat - ix.box.MinLat
	if h <= 0 {
		nb = 1
	}
	ix.y0, ix.step = ix.box.MinLat, h/float64(nb)
	ix.bands = make([][]edgeRef, nb)
	for pi, poly := range m {
		for ri, ring := range poly {
			k := len(ring)
			for i := 0; i < k; i++ {
				a, b := ring[i], ring[(i+1)%k]
				lo, hi := ix.band(math.Min(a[1], b[1])), ix.band(math.Max(a[1], b[1]))
				for j := lo; j <= hi; j++ {
					ix.bands[j] = append(ix.bands[j], edgeRef{int32(pi), int32(ri), a, b})
				}
			}
		}
	}
	return ix
}

func (ix *Index) band(lat float64) int {
	if ix.step <= 0 {
		return 0
	}
	return min(max(int((lat-ix.y0)/ix.step), 0), len(ix.bands)-1)
}

// Contains is MultiPolygon.Contains, looking at one band's edges.
func (ix *Index) Contains(lon, lat float64) bool {
	if len(ix.bands) == 0 || !ix.box.Contains(lon, lat) {
		return false
	}
	// Parity per ring, as ringContains counts it.
	var in map[[2]int32]bool
	var small [8]struct {
		k  [2]int32
		in bool
	}
	ns := 0
	flip := func(k [2]int32) {
		for i := 0; i < ns; i++ {
			if small[i].k == k {
				small[i].in = !small[i].in
				return
			}
		}
		if ns < len(small) {
			small[ns].k, small[ns].in = k, true
			ns++
			return
		}
		if in == nil {
			in = map[[2]int32]bool{}
		}
		in[k] = !in[k]
	}
	for _, e := range ix.bands[ix.band(lat)] {
		a, b := e.a, e.b
		if (a[1] > lat) != (b[1] > lat) {
			if x := a[0] + (lat-a[1])*(b[0]-a[0])/(b[1]-a[1]); lon < x {
				flip([2]int32{e.poly, e.ring})
			}
		}
	}
	inside := func(p, r int32) bool {
		for i := 0; i < ns; i++ {
			if small[i].k == [2]int32{p, r} {
				return small[i].in
			}
		}
		return in[[2]int32{p, r}]
	}
	for pi, poly := range ix.m {
		if len(poly) == 0 || !inside(int32(pi), 0) {
			continue
		}
		hole := false
		for ri := 1; ri < len(poly) && !hole; ri++ {
			hole = inside(int32(pi), int32(ri))
		}
		if !hole {
			return true
		}
	}
	return false
}

// NearBoundary reports whether (lon, lat) lies within tol metres of an edge.
func (ix *Index) NearBoundary(lon, lat, tol float64) bool {
	if len(ix.bands) == 0 {
		return false
	}
	const degToRad = math.Pi / 180
	kx := EarthRadius * degToRad * math.Cos(lat*degToRad)
	ky := EarthRadius * degToRad
	dLat := tol / ky
	for j := ix.band(lat - dLat); j <= ix.band(lat+dLat); j++ {
		for _, e := range ix.bands[j] {
			ax, ay := (e.a[0]-lon)*kx, (e.a[1]-lat)*ky
			bx, by := (e.b[0]-lon)*kx, (e.b[1]-lat)*ky
			if segmentOriginDistance(ax, ay, bx, by) <= tol {
				return true
			}
		}
	}
	return false
}

// FeatureProblem checks a whole boundary: every ring (RingProblem), and that
// no two rings of it cross each other (a hole across its outer ring, two
// polygons of one MultiPolygon through each other), in O(n log n) for all
// its edges together. It stops with ctx's error when ctx ends.
func FeatureProblem(ctx context.Context, m MultiPolygon) (poly, ring int, msg string, err error) {
	var segs []segment
	type at struct{ poly, ring, i, n int }
	var where []at
	for pi, p := range m {
		for ri, r := range p {
			if msg, err := RingProblemContext(ctx, r); err != nil || msg != "" {
				return pi, ri, msg, err
			}
			n := len(r)
			if r[0] == r[n-1] {
				n--
			}
			for i := 0; i < n; i++ {
				segs = append(segs, segment{a: r[i], b: r[(i+1)%n], id: len(where)})
				where = append(where, at{pi, ri, i, n})
			}
		}
	}
	if len(m) == 1 && len(m[0]) == 1 {
		return 0, 0, "", nil // one ring: checked above
	}
	a, b, crossed, err := firstCrossing(ctx, segs, func(x, y int) bool {
		p, q := where[segs[x].id], where[segs[y].id]
		if p.poly != q.poly || p.ring != q.ring {
			return false
		}
		d := p.i - q.i
		return d == 1 || d == -1 || d == p.n-1 || d == 1-p.n
	})
	if err != nil || !crossed {
		return 0, 0, "", err
	}
	p, q := where[segs[a].id], where[segs[b].id]
	return p.poly, p.ring, "crosses ring " + itoa(q.ring) + " of polygon " + itoa(q.poly), nil
}

// EdgesCross reports whether an edge of a properly crosses an edge of b, with
// the crossing point, in O(n log n) for both together; a and b must each be
// free of crossings (FeatureProblem). It stops when ctx ends.
func EdgesCross(ctx context.Context, a, b MultiPolygon) (lon, lat float64, ok bool, err error) {
	var segs []segment
	add := func(m MultiPolygon, side int) {
		for _, p := range m {
			for _, r := range p {
				n := len(r)
				if n > 0 && r[0] == r[n-1] {
					n--
				}
				for i := 0; i < n; i++ {
					segs = append(segs, segment{a: r[i], b: r[(i+1)%n], id: side})
				}
			}
		}
	}
	add(a, 0)
	add(b, 1)
	i, j, crossed, err := firstCrossing(ctx, segs, func(x, y int) bool { return segs[x].id == segs[y].id })
	if err != nil || !crossed {
		return 0, 0, false, err
	}
	p := crossPoint(segs[i].a, segs[i].b, segs[j].a, segs[j].b)
	return p[0], p[1], true, nil
}

func itoa(v int) string {
	if v == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for ; v > 0; v /= 10 {
		i--
		b[i] = byte('0' + v%10)
	}
	return string(b[i:])
}
