package geo

import "math"

// MultiPolygon is a GeoJSON MultiPolygon: polygons, each a list of rings
// (the first the outer boundary, the rest holes), each a list of
// [longitude, latitude] positions. Rings may or may not repeat their first
// position at the end; both are read the same way.
type MultiPolygon [][][][2]float64

// Box is an axis-aligned bounding box in degrees. The empty box has
// MinLon > MaxLon and contains nothing.
type Box struct {
	MinLon, MinLat, MaxLon, MaxLat float64
}

// Empty reports whether b contains no point.
func (b Box) Empty() bool { return !(b.MinLon <= b.MaxLon && b.MinLat <= b.MaxLat) }

// Contains reports whether (lon, lat) is inside b or on its edge.
func (b Box) Contains(lon, lat float64) bool {
	return lon >= b.MinLon && lon <= b.MaxLon && lat >= b.MinLat && lat <= b.MaxLat
}

func emptyBox() Box {
	return Box{MinLon: math.Inf(1), MinLat: math.Inf(1), MaxLon: math.Inf(-1), MaxLat: math.Inf(-1)}
}

// Bounds returns the bounding box of every position of m; for an empty m
// it returns an empty Box.
func (m MultiPolygon) Bounds() Box {
	b := emptyBox()
	for _, poly := range m {
		for _, ring := range poly {
			for _, p := range ring {
				b.MinLon = math.Min(b.MinLon, p[0])
				b.MinLat = math.Min(b.MinLat, p[1])
				b.MaxLon = math.Max(b.MaxLon, p[0])
				b.MaxLat = math.Max(b.MaxLat, p[1])
			}
		}
	}
	return b
}

// Contains reports whether (lon, lat) is inside m: inside the outer ring of
// some polygon and inside none of that polygon's holes. It works in the
// plane of (lon, lat), which is exact enough for city-sized polygons whose
// vertices are metres apart. Points exactly on an edge may go either way;
// callers that need a firm answer keep a margin (see BoundaryDistance).
func (m MultiPolygon) Contains(lon, lat float64) bool {
	for _, poly := range m {
		if len(poly) == 0 || !ringContains(poly[0], lon, lat) {
			continue
		}
		inHole := false
		for _, hole := range poly[1:] {
			if ringContains(hole, lon, lat) {
				inHole = true
				break
			}
		}
		if !inHole {
			return true
		}
	}
	return false
}

// ringContains is the even-odd crossing test: count the edges that a ray
// from the point towards +lon crosses. The half-open comparison on latitude
// counts a vertex on the ray exactly once.
func ringContains(ring [][2]float64, lon, lat float64) bool {
	n := len(ring)
	if n < 3 {
		return false
	}
	in := false
	for i, j := 0, n-1; i < n; j, i = i, i+1 {
		a, b := ring[i], ring[j]
		if (a[1] > lat) != (b[1] > lat) {
			x := a[0] + (lat-a[1])*(b[0]-a[0])/(b[1]-a[1])
			if lon < x {
				in = !in
			}
		}
	}
	return in
}

// BoundaryDistance returns the distance in metres from (lon, lat) to the
// nearest edge of any ring of m, whether the point is inside or not, and
// +Inf for an empty m. It projects onto the local tangent plane at the point,
// which is accurate to well under a percent for distances of tens of
// kilometres — enough to keep generated points clear of a boundary.
func (m MultiPolygon) BoundaryDistance(lon, lat float64) float64 {
	const degToRad = math.Pi / 180
	kx := EarthRadius * degToRad * math.Cos(lat*degToRad)
	ky := EarthRadius * degToRad
	best := math.Inf(1)
	for _, poly := range m {
		for _, ring := range poly {
			n := len(ring)
			for i := 0; i < n; i++ {
				a, b := ring[i], ring[(i+1)%n]
				ax, ay := (a[0]-lon)*kx, (a[1]-lat)*ky
				bx, by := (b[0]-lon)*kx, (b[1]-lat)*ky
				best = math.Min(best, segmentOriginDistance(ax, ay, bx, by))
			}
		}
	}
	return best
}

// segmentOriginDistance is the distance from (0, 0) to the segment a–b.
func segmentOriginDistance(ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
	}
	return math.Hypot(ax+t*dx, ay+t*dy)
}

// Transform returns a copy of m with every position mapped through f, for
// example GCJ02ToWGS84. m is left unchanged.
func (m MultiPolygon) Transform(f func(lon, lat float64) (float64, float64)) MultiPolygon {
	out := make(MultiPolygon, len(m))
	for i, poly := range m {
		out[i] = make([][][2]float64, len(poly))
		for j, ring := range poly {
			r := make([][2]float64, len(ring))
			for k, p := range ring {
				r[k][0], r[k][1] = f(p[0], p[1])
			}
			out[i][j] = r
		}
	}
	return out
}
