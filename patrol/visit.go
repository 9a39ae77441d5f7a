// Package patrol measures patrol coverage (无警巡逻): which checkpoints of
// which grids' plans the units' tracks passed inside their time windows.
// It is pure (no database, no HTTP): fixes in, visits and coverage out. The
// visit rule is in this file; the incremental tracker in tracker.go; the
// service that feeds it from the bus and persists it in service.go.
package patrol

import (
	"math"
	"time"
)

// The visit rule's parameters (docs/patrol.md "Visits").
const (
	// MaxSpeedKmh: a fix that needs the unit to have moved faster than this
	// since the last good fix is a bad fix (multipath, a cold start's first
	// guess). A police car on an urban expressway rarely passes 160 km/h.
	MaxSpeedKmh = 200
	// MaxGap: consecutive fixes further apart in time are not joined by a
	// straight line (a unit out of coverage for ten minutes drove a road,
	// not a chord); each fix then counts on its own.
	MaxGap = 5 * time.Minute
	// EdgeTolerance (metres): a track exactly at the radius counts
	// (inclusive); the tolerance absorbs floating-point noise only.
	EdgeTolerance = 0.01
	// ResetAfter consecutive bad fixes that agree with each other (speed
	// between them plausible) make the newest the good position again: the
	// last good fix was the wrong one, or the unit was carried (a ferry, a
	// tow truck). No visit is drawn across the jump.
	ResetAfter = 3
)

const maxSpeed = MaxSpeedKmh / 3.6 // m/s

// WGS-84 ellipsoid.
const (
	wgsA  = 6378137.0
	wgsE2 = 6.69437999014e-3
)

// Frame is a local east/north plane in metres around a point, scaled by the
// WGS-84 radii of curvature at its latitude: within a few kilometres of the
// centre its distances are within millimetres of the ellipsoid's.
type Frame struct {
	Lon0, Lat0 float64
	KX, KY     float64 // metres per degree east, north
}

// NewFrame returns the frame centred on lon, lat (degrees).
func NewFrame(lon, lat float64) Frame {
	φ := lat * math.Pi / 180
	s := math.Sin(φ)
	w := 1 - wgsE2*s*s
	n := wgsA / math.Sqrt(w)                     // prime vertical radius
	m := wgsA * (1 - wgsE2) / (w * math.Sqrt(w)) // meridional radius
	return Frame{Lon0: lon, Lat0: lat, KX: n * math.Cos(φ) * math.Pi / 180, KY: m * math.Pi / 180}
}

// XY returns the point's east and north offsets from the centre in metres.
func (f Frame) XY(lon, lat float64) (float64, float64) {
	return (lon - f.Lon0) * f.KX, (lat - f.Lat0) * f.KY
}

// Distance returns the metres between two points (local plane at their
// middle: exact enough for the few kilometres between two fixes).
func Distance(lon1, lat1, lon2, lat2 float64) float64 {
	f := NewFrame(lon1, (lat1+lat2)/2)
	f.Lat0 = lat1
	x, y := f.XY(lon2, lat2)
	return math.Hypot(x, y)
}

// SegmentInside returns the part [u0, u1] of the segment from (ax, ay) to
// (bx, by) (fractions 0 … 1) that lies within r of the origin, inclusive;
// ok is false when no part does.
func SegmentInside(ax, ay, bx, by, r float64) (u0, u1 float64, ok bool) {
	r += EdgeTolerance
	dx, dy := bx-ax, by-ay
	a := dx*dx + dy*dy
	c := ax*ax + ay*ay - r*r
	if a == 0 {
		return 0, 1, c <= 0
	}
	b := 2 * (ax*dx + ay*dy)
	disc := b*b - 4*a*c
	if disc < 0 {
		return 0, 0, false
	}
	sq := math.Sqrt(disc)
	u0, u1 = (-b-sq)/(2*a), (-b+sq)/(2*a)
	if u0 > 1 || u1 < 0 {
		return 0, 0, false
	}
	return math.Max(0, u0), math.Min(1, u1), true
}

// Fix is one position of a unit: WGS-84 degrees and Unix nanoseconds.
type Fix struct {
	Lon, Lat float64
	T        int64
}

// Plausible reports whether moving from a to b is possible by car: at most
// MaxSpeedKmh (a jump in no time is plausible only within 1 m).
func Plausible(a, b Fix) bool {
	d := Distance(a.Lon, a.Lat, b.Lon, b.Lat)
	dt := float64(b.T-a.T) / 1e9
	if dt <= 0 {
		return d <= 1
	}
	return d <= maxSpeed*dt
}

// Track is one unit's filter of bad fixes: it remembers the last good fix
// and the run of bad ones since. Zero is a track with no fix yet.
type Track struct {
	last Fix
	has  bool
	bad  [ResetAfter]Fix
	nbad int
}

// Step is what Track.Add decided about a fix.
type Step int

const (
	// StepStale: not newer than the last good fix (a repeat, or late); ignored.
	StepStale Step = iota
	// StepFirst: the first good fix (or the first after a reset): a point, no segment.
	StepFirst
	// StepSegment: a good fix joined to the previous one (Prev is set).
	StepSegment
	// StepPoint: a good fix after a gap longer than MaxGap: a point alone.
	StepPoint
	// StepBad: a bad fix (too fast from the last good one): no visit.
	StepBad
)

// Add runs the filter on f and returns what it is and, for a segment, the
// fix it joins.
func (t *Track) Add(f Fix) (Step, Fix) {
	if !t.has {
		t.last, t.has = f, true
		return StepFirst, Fix{}
	}
	if f.T <= t.last.T {
		return StepStale, Fix{}
	}
	if !Plausible(t.last, f) {
		if t.nbad > 0 && !Plausible(t.bad[t.nbad-1], f) {
			t.nbad = 0 // the bad fixes do not agree either: start the run again
		}
		t.bad[t.nbad] = f
		t.nbad++
		if t.nbad == ResetAfter {
			t.last, t.nbad = f, 0
			return StepFirst, Fix{}
		}
		return StepBad, Fix{}
	}
	prev := t.last
	t.last, t.nbad = f, 0
	if f.T-prev.T > int64(MaxGap) {
		return StepPoint, Fix{}
	}
	return StepSegment, prev
}

// Last returns the last good fix.
func (t *Track) Last() (Fix, bool) { return t.last, t.has }
