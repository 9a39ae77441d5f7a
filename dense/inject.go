package dense

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Camouflage is how an injected block hides, after Fraudar's evaluation
// (§5.2 of the paper).
type Camouflage int

const (
	// NoCamouflage: the block's sources are fresh accounts with no other
	// edges.
	NoCamouflage Camouflage = iota
	// RandomCamouflage: each block source also links to every destination
	// outside the block with probability p·n0/(n−n0): as many uniformly
	// random camouflage edges as block edges, on average.
	RandomCamouflage
	// DoubleRandomCamouflage: like RandomCamouflage with twice the
	// probability.
	DoubleRandomCamouflage
	// BiasedCamouflage: each block source links to ⌊n0·p⌋ destinations
	// outside the block drawn with probability proportional to their
	// degree — the popular ones.
	BiasedCamouflage
	// HijackedAccounts: the block's sources are existing accounts that keep
	// their ordinary edges.
	HijackedAccounts
)

var camouflageNames = []string{"none", "random", "2x-random", "biased", "hijacked"}

// String returns the name accepted by ParseCamouflage.
func (c Camouflage) String() string {
	if c >= 0 && int(c) < len(camouflageNames) {
		return camouflageNames[c]
	}
	return fmt.Sprintf("Camouflage(%d)", int(c))
}

// ParseCamouflage parses none, random, 2x-random, biased or hijacked.
func ParseCamouflage(s string) (Camouflage, error) {
	if i := slices.Index(camouflageNames, s); i >= 0 {
		return Camouflage(i), nil
	}
	return 0, fmt.Errorf("dense: unknown camouflage %q (want one of %v)", s, camouflageNames)
}

// InjectConfig describes an evaluation graph: a uniform random background of
// Rows×Cols with BackgroundEdges edges (or, if that is 0, density
// BackgroundDensity), into which a BlockRows×BlockCols block of density
// BlockDensity is injected. A zero-sized block gives a graph with no block.
type InjectConfig struct {
	Rows, Cols           int
	BackgroundDensity    float64
	BackgroundEdges      int
	BlockRows, BlockCols int
	BlockDensity         float64
	Camouflage           Camouflage
	Seed                 uint64
}

// Injected is a generated graph and its truth.
type Injected struct {
	Edges []Edge
	// BlockRows and BlockCols are the injected block's members, ascending.
	BlockRows, BlockCols []int32
}

// Inject generates the graph described by cfg. Block members are random
// rows and columns, so their ids carry no hint.
func Inject(cfg InjectConfig) (Injected, error) {
	if cfg.Rows <= 0 || cfg.Cols <= 0 || cfg.Rows > 1<<30 || cfg.Cols > 1<<30 {
		return Injected{}, fmt.Errorf("dense: inject: background %d×%d must be positive", cfg.Rows, cfg.Cols)
	}
	if cfg.BlockRows < 0 || cfg.BlockRows > cfg.Rows || cfg.BlockCols < 0 || cfg.BlockCols > cfg.Cols {
		return Injected{}, fmt.Errorf("dense: inject: block %d×%d does not fit in %d×%d", cfg.BlockRows, cfg.BlockCols, cfg.Rows, cfg.Cols)
	}
	if (cfg.BlockRows == 0) != (cfg.BlockCols == 0) {
		return Injected{}, fmt.Errorf("dense: inject: block %d×%d: both sides or neither must be empty", cfg.BlockRows, cfg.BlockCols)
	}
	if !(cfg.BlockDensity >= 0 && cfg.BlockDensity <= 1) || !(cfg.BackgroundDensity >= 0 && cfg.BackgroundDensity <= 1) {
		return Injected{}, fmt.Errorf("dense: inject: densities must lie in [0, 1]")
	}
	if cfg.Camouflage < NoCamouflage || cfg.Camouflage > HijackedAccounts {
		return Injected{}, fmt.Errorf("dense: inject: unknown camouflage %d", int(cfg.Camouflage))
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x1a7ec7))
	nbg := cfg.BackgroundEdges
	if nbg == 0 {
		nbg = int(math.Round(cfg.BackgroundDensity * float64(cfg.Rows) * float64(cfg.Cols)))
	}
	var out Injected
	out.BlockRows = sample(rng, cfg.Rows, cfg.BlockRows)
	out.BlockCols = sample(rng, cfg.Cols, cfg.BlockCols)
	fraudRow := make(map[int32]bool, len(out.BlockRows))
	for _, r := range out.BlockRows {
		fraudRow[r] = true
	}
	fraudCol := make(map[int32]bool, len(out.BlockCols))
	for _, c := range out.BlockCols {
		fraudCol[c] = true
	}
	// Background: uniform edges. Fresh fake accounts have none of their own,
	// hijacked ones keep theirs.
	keepFraudRows := cfg.Camouflage == HijackedAccounts
	bg := make([]Edge, 0, nbg)
	for range nbg {
		e := Edge{int32(rng.IntN(cfg.Rows)), int32(rng.IntN(cfg.Cols))}
		if !keepFraudRows && fraudRow[e.Src] {
			continue
		}
		bg = append(bg, e)
	}
	out.Edges = append(out.Edges, bg...)
	// Camouflage per fraud row, as in the authors' injectCliqueCamo
	// (github.com/bhooi/fraudar, greedy.py): random camouflage links the row
	// to every destination outside the block independently with probability
	// p·n0/(n−n0), so that it makes as many camouflage edges as block edges
	// on average (twice that for 2× random); biased camouflage draws
	// ⌊n0·p⌋ distinct endpoints from the multiset of outside destinations
	// repeated by their degree. Either way a row's camouflage does not
	// depend on how many block edges that row happened to draw.
	outside := make([]int32, 0, cfg.Cols-len(out.BlockCols))
	for c := range int32(cfg.Cols) {
		if !fraudCol[c] {
			outside = append(outside, c)
		}
	}
	var rate float64
	switch cfg.Camouflage {
	case RandomCamouflage, DoubleRandomCamouflage:
		if len(outside) > 0 {
			rate = cfg.BlockDensity * float64(len(out.BlockCols)) / float64(len(outside))
			if cfg.Camouflage == DoubleRandomCamouflage {
				rate *= 2
			}
			rate = min(rate, 1)
		}
	}
	var population []int32 // outside destinations, once per background edge
	perRow := 0
	if cfg.Camouflage == BiasedCamouflage {
		for _, e := range bg {
			if !fraudCol[e.Dst] {
				population = append(population, e.Dst)
			}
		}
		// 1e-9 absorbs representation error (200·0.05 is 10, not 9.99…).
		perRow = min(int(math.Floor(float64(len(out.BlockCols))*cfg.BlockDensity+1e-9)), len(population))
	}
	picked := map[int]bool{}   // positions drawn from population
	linked := map[int32]bool{} // columns already linked: one edge each
	for _, r := range out.BlockRows {
		for _, c := range out.BlockCols {
			if rng.Float64() < cfg.BlockDensity {
				out.Edges = append(out.Edges, Edge{r, c})
			}
		}
		if rate > 0 {
			// Bernoulli(rate) over the outside destinations, by geometric
			// skips: the same process, in time proportional to the edges made.
			for k := skip(rng, rate); k < len(outside); k += 1 + skip(rng, rate) {
				out.Edges = append(out.Edges, Edge{r, outside[k]})
			}
		}
		if perRow > 0 {
			clear(picked)
			clear(linked)
			for len(picked) < perRow {
				k := rng.IntN(len(population))
				if picked[k] {
					continue
				}
				picked[k] = true
				if c := population[k]; !linked[c] {
					linked[c] = true
					out.Edges = append(out.Edges, Edge{r, c})
				}
			}
		}
	}
	return out, nil
}

// skip returns the number of failures before the next success of
// Bernoulli(p) trials, p in (0, 1].
func skip(rng *rand.Rand, p float64) int {
	if p >= 1 {
		return 0
	}
	u := 1 - rng.Float64() // in (0, 1]
	return int(min(math.Floor(math.Log(u)/math.Log1p(-p)), 1<<40))
}

// sample returns k distinct values from [0, n), ascending.
func sample(rng *rand.Rand, n, k int) []int32 {
	if k == 0 {
		return nil
	}
	perm := rng.Perm(n)[:k]
	out := make([]int32, k)
	for i, v := range perm {
		out[i] = int32(v)
	}
	slices.Sort(out)
	return out
}
