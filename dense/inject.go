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
	// RandomCamouflage: each block source also links to as many uniformly
	// random destinations outside the block as it has block edges.
	RandomCamouflage
	// DoubleRandomCamouflage: like RandomCamouflage with twice as many
	// camouflage edges.
	DoubleRandomCamouflage
	// BiasedCamouflage: camouflage edges go to destinations with probability
	// proportional to their degree — the popular ones.
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
	ratio := 0
	switch cfg.Camouflage {
	case RandomCamouflage, BiasedCamouflage:
		ratio = 1
	case DoubleRandomCamouflage:
		ratio = 2
	}
	for _, r := range out.BlockRows {
		n := 0
		for _, c := range out.BlockCols {
			if rng.Float64() < cfg.BlockDensity {
				out.Edges = append(out.Edges, Edge{r, c})
				n++
			}
		}
		if len(out.BlockCols) == cfg.Cols {
			continue // no destination outside the block to hide behind
		}
		for range n * ratio {
			var c int32
			for try := 0; ; try++ {
				if cfg.Camouflage == BiasedCamouflage && len(bg) > 0 && try < 64 {
					c = bg[rng.IntN(len(bg))].Dst // ∝ degree
				} else {
					c = int32(rng.IntN(cfg.Cols))
				}
				if !fraudCol[c] {
					break
				}
			}
			out.Edges = append(out.Edges, Edge{r, c})
		}
	}
	return out, nil
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
