package geo

import (
	"math"
	"testing"
)

// squareWithHole is the square 0..10 with the hole 4..6 (closed rings), plus
// a separate square 20..30 written without its closing position.
var squareWithHole = MultiPolygon{
	{
		{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}},
		{{4, 4}, {6, 4}, {6, 6}, {4, 6}, {4, 4}},
	},
	{
		{{20, 20}, {30, 20}, {30, 30}, {20, 30}},
	},
}

func TestContains(t *testing.T) {
	tests := []struct {
		lon, lat float64
		want     bool
	}{
		{2, 2, true},      // in the square
		{9.9, 0.1, true},  // near a corner
		{3, 5, true},      // level with the hole, left of it
		{7, 5, true},      // level with the hole, right of it
		{5, 5, false},     // in the hole
		{4.5, 5.5, false}, // in the hole
		{11, 5, false},    // right of the square
		{-1, -1, false},   // below left
		{15, 15, false},   // between the squares
		{25, 25, true},    // in the unclosed square
		{31, 25, false},
	}
	for _, tt := range tests {
		if got := squareWithHole.Contains(tt.lon, tt.lat); got != tt.want {
			t.Errorf("Contains(%v, %v) = %v, want %v", tt.lon, tt.lat, got, tt.want)
		}
	}
}

// TestContainsVertexOnRay puts the test ray through vertices and along a
// concave notch, where a naive crossing count goes wrong.
func TestContainsVertexOnRay(t *testing.T) {
	diamond := MultiPolygon{{{{0, -1}, {1, 0}, {0, 1}, {-1, 0}, {0, -1}}}}
	// A "U": the notch x 2..4, y 2..6 is outside.
	u := MultiPolygon{{{{0, 0}, {6, 0}, {6, 6}, {4, 6}, {4, 2}, {2, 2}, {2, 6}, {0, 6}, {0, 0}}}}
	tests := []struct {
		name     string
		m        MultiPolygon
		lon, lat float64
		want     bool
	}{
		{"diamond left of", diamond, -2, 0, false},
		{"diamond centre", diamond, 0, 0, true},
		{"diamond right half", diamond, 0.5, 0, true},
		{"diamond right of", diamond, 2, 0, false},
		{"diamond above", diamond, 0, 2, false},
		{"u left arm", u, 1, 4, true},
		{"u notch", u, 3, 4, false},
		{"u right arm", u, 5, 4, true},
		{"u base level with notch floor", u, 1, 2, true},
		{"u notch level with arm tops", u, 3, 6, false},
		{"u base", u, 3, 1, true},
	}
	for _, tt := range tests {
		if got := tt.m.Contains(tt.lon, tt.lat); got != tt.want {
			t.Errorf("%s: Contains(%v, %v) = %v, want %v", tt.name, tt.lon, tt.lat, got, tt.want)
		}
	}
}

func TestContainsDegenerate(t *testing.T) {
	for _, m := range []MultiPolygon{nil, {}, {{}}, {{{{0, 0}, {1, 1}}}}} {
		if m.Contains(0.5, 0.5) {
			t.Errorf("%v contains (0.5, 0.5)", m)
		}
	}
}

func TestBounds(t *testing.T) {
	got := squareWithHole.Bounds()
	if want := (Box{MinLon: 0, MinLat: 0, MaxLon: 30, MaxLat: 30}); got != want {
		t.Errorf("Bounds() = %+v, want %+v", got, want)
	}
	if got.Empty() || !got.Contains(15, 15) || got.Contains(31, 0) {
		t.Errorf("box %+v: Empty/Contains wrong", got)
	}
	empty := MultiPolygon(nil).Bounds()
	if !empty.Empty() || empty.Contains(0, 0) {
		t.Errorf("empty Bounds() = %+v, want an empty box", empty)
	}
}

func TestBoundaryDistance(t *testing.T) {
	// A square of 0.01° at the equator: from its centre each edge is 0.005°
	// away, 0.005 · R·π/180 = 555.975 m.
	sq := MultiPolygon{{{{0, 0}, {0.01, 0}, {0.01, 0.01}, {0, 0.01}, {0, 0}}}}
	if got := sq.BoundaryDistance(0.005, 0.005); math.Abs(got-555.975) > 0.01 {
		t.Errorf("centre: BoundaryDistance = %.3f, want 555.975", got)
	}
	// Outside, level with the bottom edge and 0.005° to its right: distance
	// to the corner (0.01, 0) is again 555.975 m.
	if got := sq.BoundaryDistance(0.015, 0); math.Abs(got-555.975) > 0.01 {
		t.Errorf("outside: BoundaryDistance = %.3f, want 555.975", got)
	}
	// Holes count: the centre of squareWithHole's hole is 1° from each of its
	// edges; the nearer are the vertical ones, 1° of longitude at 5°N:
	// 111 195.08 · cos 5° = 110 771.95 m (the outer square is 5° away).
	if got := squareWithHole.BoundaryDistance(5, 5); math.Abs(got-110771.95) > 0.1 {
		t.Errorf("hole centre: BoundaryDistance = %.2f, want 110771.95", got)
	}
	if got := MultiPolygon(nil).BoundaryDistance(0, 0); !math.IsInf(got, 1) {
		t.Errorf("empty: BoundaryDistance = %v, want +Inf", got)
	}
}

func TestTransform(t *testing.T) {
	orig := MultiPolygon{{{{1, 2}, {3, 4}, {5, 6}, {1, 2}}}}
	got := orig.Transform(func(lon, lat float64) (float64, float64) { return lon + 10, lat * 2 })
	want := MultiPolygon{{{{11, 4}, {13, 8}, {15, 12}, {11, 4}}}}
	if !equalMP(got, want) {
		t.Errorf("Transform = %v, want %v", got, want)
	}
	if orig[0][0][0] != [2]float64{1, 2} {
		t.Errorf("Transform changed its receiver: %v", orig)
	}
}

func equalMP(a, b MultiPolygon) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if len(a[i][j]) != len(b[i][j]) {
				return false
			}
			for k := range a[i][j] {
				if a[i][j][k] != b[i][j][k] {
					return false
				}
			}
		}
	}
	return true
}

// FuzzContainsSquareWithHole checks Contains against the analytic answer for
// an arbitrary square with a centred hole of half its size, away from the
// edges where either answer is allowed.
func FuzzContainsSquareWithHole(f *testing.F) {
	f.Add(117.0, 36.6, 0.1, 117.05, 36.65)
	f.Add(0.0, 0.0, 10.0, 2.0, 2.0)
	f.Add(-50.0, 10.0, 1.0, -49.5, 10.5)
	f.Fuzz(func(t *testing.T, x0, y0, size, px, py float64) {
		if !finite(x0) || !finite(y0) || !finite(size) || !finite(px) || !finite(py) ||
			math.Abs(x0) > 170 || math.Abs(y0) > 80 || size < 1e-6 || size > 10 {
			t.Skip()
		}
		x1, y1 := x0+size, y0+size
		h0, h1 := size/4, size*3/4
		m := MultiPolygon{{
			{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}},
			{{x0 + h0, y0 + h0}, {x0 + h1, y0 + h0}, {x0 + h1, y0 + h1}, {x0 + h0, y0 + h1}, {x0 + h0, y0 + h0}},
		}}
		u, v := (px-x0)/size, (py-y0)/size // position in square units
		const eps = 1e-6
		near := func(a, e float64) bool { return math.Abs(a-e) < eps }
		if near(u, 0) || near(u, 1) || near(v, 0) || near(v, 1) ||
			near(u, 0.25) || near(u, 0.75) || near(v, 0.25) || near(v, 0.75) {
			t.Skip()
		}
		inOuter := u > 0 && u < 1 && v > 0 && v < 1
		inHole := u > 0.25 && u < 0.75 && v > 0.25 && v < 0.75
		if got, want := m.Contains(px, py), inOuter && !inHole; got != want {
			t.Fatalf("Contains(%v, %v) = %v, want %v (u=%v v=%v)", px, py, got, want, u, v)
		}
	})
}

func BenchmarkContains(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		squareWithHole.Contains(3, 5)
	}
}
