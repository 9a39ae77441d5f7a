package geo

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// ringProblemQuadratic compares every pair of edges: the reference the
// sweep is tested against.
func ringProblemQuadratic(ring [][2]float64) bool {
	n := len(ring)
	if ring[0] == ring[n-1] {
		n--
	}
	for i := 0; i < n; i++ {
		a, b := ring[i], ring[(i+1)%n]
		for j := i + 2; j < n; j++ {
			if i == 0 && j == n-1 {
				continue // adjacent through the closing edge
			}
			if properCross(a, b, ring[j], ring[(j+1)%n]) {
				return true
			}
		}
	}
	return false
}

// TestRingSweepMatchesPairs: the sweep finds a crossing exactly when
// comparing every pair of edges does, on random rings — on a coarse integer
// lattice, where shared vertices, collinear edges and touching are common,
// and on random floats.
func TestRingSweepMatchesPairs(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 19))
	crossed, simple := 0, 0
	for k := 0; k < 20000; k++ {
		n := 4 + rng.IntN(14)
		ring := make([][2]float64, n)
		lattice := k%2 == 0
		for i := range ring {
			if lattice {
				ring[i] = [2]float64{float64(rng.IntN(6)), float64(rng.IntN(6))}
			} else {
				ring[i] = [2]float64{rng.Float64(), rng.Float64()}
			}
		}
		segs := make([]segment, n)
		for i := 0; i < n; i++ {
			segs[i] = segment{a: ring[i], b: ring[(i+1)%n], id: i}
		}
		_, _, got, _ := firstCrossing(context.Background(), segs, func(a, b int) bool {
			d := segs[a].id - segs[b].id
			return d == 1 || d == -1 || d == n-1 || d == 1-n
		})
		want := ringProblemQuadratic(append(ring, ring[0]))
		if got != want {
			t.Fatalf("ring %v: sweep says crossing=%v, pairs say %v", ring, got, want)
		}
		if want {
			crossed++
		} else {
			simple++
		}
	}
	if crossed < 1000 || simple < 1000 {
		t.Fatalf("the random rings did not test both outcomes: %d crossing, %d simple", crossed, simple)
	}
}

// starRing is a simple ring of n vertices around (116.9, 36.6), about 1 km
// across, with a radius that wobbles so that edges are not all alike.
func starRing(n int) [][2]float64 {
	ring := make([][2]float64, n+1)
	for i := 0; i < n; i++ {
		a := 2 * math.Pi * float64(i) / float64(n)
		r := 0.005 * (1 + 0.3*math.Sin(7*a))
		ring[i] = [2]float64{116.9 + r*math.Cos(a), 36.6 + r*math.Sin(a)}
	}
	ring[n] = ring[0]
	return ring
}

// serpentine is a simple ring of about n vertices whose long horizontal
// edges all overlap in x — the case that makes an x-interval check
// quadratic. With swap set, two neighbouring teeth cross in the middle.
func serpentine(n int, swap bool) [][2]float64 {
	teeth := n / 2
	// Walk right along even rows and back along odd ones as a comb.
	ring := make([][2]float64, 0, 2*teeth+3)
	for i := 0; i < teeth; i++ {
		y := 36 + float64(i)*2e-5
		if i%2 == 0 {
			ring = append(ring, [2]float64{116, y}, [2]float64{116.01, y})
		} else {
			ring = append(ring, [2]float64{116.01, y}, [2]float64{116.0001, y})
		}
	}
	// Close along the left edge outside the comb.
	last := ring[len(ring)-1]
	ring = append(ring, [2]float64{115.9999, last[1]}, [2]float64{115.9999, 36})
	if swap {
		m := teeth / 2 * 2
		ring[m+1][1], ring[m+2][1] = ring[m+2][1], ring[m+1][1]
	}
	return append(ring, ring[0])
}

func TestRingProblemLarge(t *testing.T) {
	if msg := RingProblem(starRing(100000)); msg != "" {
		t.Errorf("star ring of 10^5 vertices: %q, want fine", msg)
	}
	if msg := RingProblem(serpentine(40000, true)); msg != "edges cross each other (self-intersection)" {
		t.Errorf("serpentine with two teeth crossed: %q", msg)
	}
	// A bow tie: the classic self-intersection.
	if msg := RingProblem([][2]float64{{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}); msg != "edges cross each other (self-intersection)" {
		t.Errorf("bow tie: %q", msg)
	}
	// Work stops when the request's context ends.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := RingProblemContext(ctx, starRing(1000000)); err != context.Canceled {
		t.Errorf("cancelled: %v", err)
	}
}

func BenchmarkRingProblem(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		ring := starRing(n)
		b.Run(fmtInt(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if RingProblem(ring) != "" {
					b.Fatal("not simple")
				}
			}
		})
	}
	ring := serpentine(100000, false)
	b.Run("serpentine100000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if msg := RingProblem(ring); msg != "" {
				b.Fatal(msg)
			}
		}
	})
}

func fmtInt(n int) string {
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

// TestIndexMatchesPolygon: the banded index answers Contains and "within
// tol of the boundary" as the plain scans over every edge do.
func TestIndexMatchesPolygon(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for _, m := range []MultiPolygon{squareWithHole, {{starRing(2000)}}} {
		ix := NewIndex(m)
		b := m.Bounds()
		for k := 0; k < 20000; k++ {
			x := b.MinLon + (rng.Float64()*1.2-0.1)*(b.MaxLon-b.MinLon)
			y := b.MinLat + (rng.Float64()*1.2-0.1)*(b.MaxLat-b.MinLat)
			if got, want := ix.Contains(x, y), m.Contains(x, y); got != want {
				t.Fatalf("Contains(%v, %v) = %v, want %v", x, y, got, want)
			}
			tol := 30.0
			if got, want := ix.NearBoundary(x, y, tol), m.BoundaryDistance(x, y) <= tol; got != want {
				t.Fatalf("NearBoundary(%v, %v) = %v, want %v", x, y, got, want)
			}
		}
	}
}

// TestFeatureProblemRings: two rings of one boundary that cross are refused;
// a hole inside its ring is fine.
func TestFeatureProblemRings(t *testing.T) {
	ctx := context.Background()
	if _, _, msg, err := FeatureProblem(ctx, squareWithHole); msg != "" || err != nil {
		t.Errorf("square with hole: %q %v", msg, err)
	}
	across := MultiPolygon{{{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}, {{8, 4}, {12, 4}, {12, 6}, {8, 6}, {8, 4}}}}
	if p, r, msg, _ := FeatureProblem(ctx, across); p != 0 || !(r == 0 && msg == "crosses ring 1 of polygon 0" || r == 1 && msg == "crosses ring 0 of polygon 0") {
		t.Errorf("hole across its ring: %d %d %q", p, r, msg)
	}
}
