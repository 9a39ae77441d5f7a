package burst

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

func TestChi2(t *testing.T) {
	for _, c := range []struct{ a, s, t, want float64 }{
		{5, 10, 5, 5.625}, // (5−2)²·25 / (10·4)
		{2, 10, 5, 0},     // exactly the mean rate
		{3, 3, 1, 0},      // first tick: no history
		{1, 0, 4, 0},      // nothing counted
	} {
		if got := chi2(c.a, c.s, c.t); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("chi2(%v, %v, %v) = %v, want %v", c.a, c.s, c.t, got, c.want)
		}
	}
}

// exact returns a configuration whose sketch is so wide that a handful of
// keys never collide in every row: counts are then exact.
func exact(v Variant) Config {
	c := DefaultConfig()
	c.Variant = v
	c.Buckets = 1 << 12
	c.Rows = 4
	return c
}

// fataler is what testing.TB and *rapid.T have in common here.
type fataler interface {
	Helper()
	Fatal(args ...any)
}

func mustScore(t fataler, s *Scorer, u, v uint64, tick int64) float64 {
	t.Helper()
	x, err := s.Score(u, v, tick)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// Hand-computed MIDAS scores on one edge: counts 1, 1, then 5 at tick 3.
func TestPlainScoresByHand(t *testing.T) {
	s, err := New(exact(Plain))
	if err != nil {
		t.Fatal(err)
	}
	if x := mustScore(t, s, 1, 2, 1); x != 0 {
		t.Errorf("tick 1: %v, want 0", x)
	}
	// Tick 2, a=1, s=2: (1−1)² … = 0.
	if x := mustScore(t, s, 1, 2, 2); x != 0 {
		t.Errorf("tick 2: %v, want 0", x)
	}
	var x float64
	for range 5 {
		x = mustScore(t, s, 1, 2, 3)
	}
	// a=5, s=7, t=3: (5 − 7/3)² · 9 / (7 · 2) = 64/14.
	if want := 64.0 / 14; math.Abs(x-want) > 1e-9 {
		t.Errorf("fifth edge at tick 3: %v, want %v", x, want)
	}
	// The reverse edge is another edge: first seen at tick 3, a=1, s=1.
	if x, want := mustScore(t, s, 2, 1, 3), (1-1.0/3)*(1-1.0/3)*9/2; math.Abs(x-want) > 1e-9 {
		t.Errorf("reverse edge: %v, want %v", x, want)
	}
}

// MIDAS-R: the recent count halves per elapsed tick.
func TestRelationalDecayByHand(t *testing.T) {
	c := exact(Relational)
	s, _ := New(c)
	mustScore(t, s, 1, 2, 1)
	mustScore(t, s, 1, 2, 1)
	// Tick 3: a = 2·0.5² + 1 = 1.5, s = 3, t = 3 → (1.5−1)²·9/(3·2) = 0.375.
	// The source node 1 and destination 2 have the same counts.
	if x := mustScore(t, s, 1, 2, 3); math.Abs(x-0.375) > 1e-9 {
		t.Errorf("score %v, want 0.375", x)
	}
}

// MIDAS-F: a burst that scored above the threshold does not enter the
// history, so a repeat of the burst scores as high again; without
// filtering, the history absorbs it and the repeat scores lower.
func TestFilteringKeepsAttackOutOfHistory(t *testing.T) {
	repeat := func(v Variant) (first, second float64) {
		c := exact(v)
		c.Threshold = 50
		s, _ := New(c)
		tick := int64(1)
		for ; tick <= 100; tick++ {
			mustScore(t, s, 1, 2, tick) // one edge per tick: the normal rate
		}
		for range 30 {
			first = mustScore(t, s, 1, 2, tick)
		}
		tick++
		for range 30 {
			second = mustScore(t, s, 1, 2, tick)
		}
		return first, second
	}
	f1, f2 := repeat(Filtered)
	r1, r2 := repeat(Relational)
	if f1 < 50 || r1 < 50 {
		t.Fatalf("first burst scores %v (F) and %v (R), want both above the threshold", f1, r1)
	}
	if !(f2 > r2) {
		t.Errorf("repeat burst: F %v, R %v; filtering should keep it higher", f2, r2)
	}
}

func TestBurstOutscoresBackground(t *testing.T) {
	s, _ := New(DefaultConfig())
	rng := rand.New(rand.NewPCG(1, 2))
	var bg []float64
	for tick := int64(1); tick <= 60; tick++ {
		for range 200 {
			x := mustScore(t, s, uint64(rng.IntN(500)), uint64(rng.IntN(500)), tick)
			if tick == 60 {
				bg = append(bg, x)
			}
		}
	}
	// Tick 61: node 7 suddenly sends 40 edges to node 9.
	var burst float64
	for range 40 {
		burst = mustScore(t, s, 7, 9, 61)
	}
	slices.Sort(bg)
	if top := bg[len(bg)-1]; burst < 10*top {
		t.Errorf("burst scores %v, background tops at %v", burst, top)
	}
}

func TestTimeBackwards(t *testing.T) {
	s, _ := New(DefaultConfig())
	mustScore(t, s, 1, 2, 10)
	if _, err := s.Score(1, 2, 9); !errors.Is(err, ErrTimeBackwards) {
		t.Errorf("err = %v, want ErrTimeBackwards", err)
	}
}

func TestHashID(t *testing.T) {
	if HashID([]byte("42")) != 42 || HashID([]byte("042")) != 42 {
		t.Error("decimal ids must map to their value")
	}
	if HashID([]byte("alice")) == HashID([]byte("bob")) {
		t.Error("distinct names collide")
	}
	if HashID([]byte("x1")) < 1<<63 {
		t.Error("textual ids must map above the integers")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, mut := range []func(*Config){
		func(c *Config) { c.Rows = 0 },
		func(c *Config) { c.Buckets = 0 },
		func(c *Config) { c.Decay = 1 },
		func(c *Config) { c.Threshold = 0 },
		func(c *Config) { c.Variant = 9 },
	} {
		c := DefaultConfig()
		mut(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	if _, err := ParseVariant("Q"); err == nil {
		t.Error("unknown variant accepted")
	}
}

type edge struct {
	u, v uint64
	t    int64
}

func genStream(t *rapid.T) []edge {
	n := rapid.IntRange(1, 400).Draw(t, "n")
	nodes := rapid.IntRange(1, 12).Draw(t, "nodes")
	var es []edge
	tick := rapid.Int64Range(0, 1e9).Draw(t, "start")
	for range n {
		tick += int64(rapid.IntRange(0, 3).Draw(t, "gap"))
		es = append(es, edge{uint64(rapid.IntRange(0, nodes).Draw(t, "u")), uint64(rapid.IntRange(0, nodes).Draw(t, "v")), tick})
	}
	return es
}

func scoreAll(t fataler, c Config, es []edge, name func(uint64) uint64, shift int64) []float64 {
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, len(es))
	for i, e := range es {
		out[i] = mustScore(t, s, name(e.u), name(e.v), e.t+shift)
	}
	return out
}

// Property: with exact counts, scores depend neither on how the ids are
// spelled, nor on the seed, nor on where the clock starts.
func TestPropertyScoresIndependentOfSpelling(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		es := genStream(t)
		v := Variant(rapid.IntRange(0, 2).Draw(t, "variant"))
		c := exact(v)
		want := scoreAll(t, c, es, func(x uint64) uint64 { return x }, 0)
		spelled := scoreAll(t, c, es, func(x uint64) uint64 { return HashID(fmt.Appendf(nil, "node-%d", x)) }, 0)
		c2 := c
		c2.Seed = rapid.Uint64().Draw(t, "seed")
		reseeded := scoreAll(t, c2, es, func(x uint64) uint64 { return x }, 0)
		shifted := scoreAll(t, c, es, func(x uint64) uint64 { return x }, 1_000_000)
		for i := range want {
			if want[i] != spelled[i] || want[i] != reseeded[i] || want[i] != shifted[i] {
				t.Fatalf("edge %d: %v, spelled %v, reseeded %v, shifted %v", i, want[i], spelled[i], reseeded[i], shifted[i])
			}
			if want[i] < 0 || math.IsNaN(want[i]) {
				t.Fatalf("edge %d: score %v", i, want[i])
			}
		}
	})
}

func TestScoreAllocatesNothing(t *testing.T) {
	s, _ := New(DefaultConfig())
	var i uint64
	allocs := testing.AllocsPerRun(10000, func() {
		i++
		s.Score(i%1000, i%777, int64(i/100))
	})
	if allocs != 0 {
		t.Errorf("%v allocations per edge, want 0", allocs)
	}
}

func BenchmarkScore(b *testing.B) {
	for _, v := range []Variant{Filtered, Relational, Plain} {
		b.Run(v.String(), func(b *testing.B) {
			s, _ := New(Config{Variant: v, Rows: 2, Buckets: 1024, Decay: 0.5, Threshold: 1e3, Seed: 1})
			rng := rand.New(rand.NewPCG(1, 1))
			es := make([]edge, 1<<16)
			for i := range es {
				es[i] = edge{uint64(rng.IntN(20000)), uint64(rng.IntN(20000)), int64(i / 100)}
			}
			b.ReportAllocs()
			i, base := 0, int64(0)
			for b.Loop() {
				e := es[i]
				s.Score(e.u, e.v, base+e.t)
				i++
				if i == len(es) {
					i, base = 0, base+es[len(es)-1].t+1
				}
			}
		})
	}
}
