package dense

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Options tunes Detect. The zero value asks for one block with the default
// background estimate.
type Options struct {
	// Blocks is how many blocks to find (K); 0 means 1. Fewer come back if
	// the graph runs out of edges.
	Blocks int
	// NullTrials is how many randomised copies of the graph are peeled to
	// estimate the density that noise alone reaches (see Block.Relative);
	// 0 means DefaultNullTrials, negative means none (Relative is then 0).
	NullTrials int
	// Seed seeds the randomised copies; 0 means DefaultSeed.
	Seed uint64
}

// DefaultNullTrials is the number of randomised copies peeled by default.
// One suffices: the densest-subgraph value of a random graph concentrates
// tightly around its mean.
const DefaultNullTrials = 1

// DefaultSeed seeds the randomised copies when Options.Seed is 0.
const DefaultSeed = 1

// Block is one dense block, densest first.
type Block struct {
	// Rows and Cols are the block's sources and destinations, ascending.
	Rows, Cols []int32
	// Edges is the number of edges between Rows and Cols (in this block's
	// round: edges claimed by earlier blocks are not counted again).
	Edges int
	// Density is Edges / (len(Rows)·len(Cols)).
	Density float64
	// Score is Fraudar's density g: the weighted edges inside the block,
	// each edge into column j weighing 1/ln(deg j + 5), divided by the number
	// of nodes.
	Score float64
	// Lift is Density over the density of the whole graph (edges over
	// rows×columns).
	Lift float64
	// Log10P bounds, in log10, the chance that a graph of uniform density
	// (the whole graph's) holds any block of this shape with this many
	// edges: the Chernoff bound on the block's edge count, times the number
	// of ways to choose its rows and columns. It is at most 0; near 0 the
	// block is what noise produces, while a real block reaches hundreds or
	// thousands below 0.
	Log10P float64
	// Relative is Score over NullScore: how much denser the block is than
	// the densest block that the same peeling finds when the same number of
	// edges is spread uniformly at random over the same rows and columns.
	// It is ≈1 (noise) on a graph with no real block and well above 1 for a
	// planted or real one.
	Relative float64
}

// Result is the outcome of Detect.
type Result struct {
	Blocks []Block
	// NullScore is the mean Score of the first block found on the
	// randomised copies; 0 if none were peeled.
	NullScore float64
}

// Detect finds up to opt.Blocks dense blocks in g, densest first. It returns
// ctx.Err() if ctx is done between peeling rounds.
func Detect(ctx context.Context, g *Graph, opt Options) (Result, error) {
	if g == nil {
		return Result{}, errors.New("dense: nil graph")
	}
	k := opt.Blocks
	if k == 0 {
		k = 1
	}
	if k < 0 {
		return Result{}, fmt.Errorf("dense: blocks %d must be positive", k)
	}
	trials := opt.NullTrials
	if trials == 0 {
		trials = DefaultNullTrials
	}
	seed := opt.Seed
	if seed == 0 {
		seed = DefaultSeed
	}
	// The null copies are independent of the real graph's rounds, so they
	// are peeled on another goroutine while the blocks are found.
	nullc := make(chan float64, 1)
	if trials > 0 && g.Edges() > 0 {
		go func() { nullc <- nullScore(ctx, g, trials, seed) }()
	} else {
		nullc <- 0
	}
	w := colWeights(g)
	p := newPeeler(g, w, true)
	var res Result
	remaining := g.Edges()
	for range k {
		if err := ctx.Err(); err != nil {
			<-nullc
			return Result{}, err
		}
		if remaining == 0 {
			break
		}
		set := p.peel()
		if len(set) == 0 {
			break
		}
		bg := float64(g.Edges()) / (float64(g.nr) * float64(g.nc))
		set = p.refine(set)
		if alt := p.altBlock(set, bg); alt != nil {
			set = alt
		}
		b := p.block(set)
		remaining -= b.Edges
		b.Lift = b.Density / bg
		b.Log10P = log10Chance(g.nr, g.nc, len(b.Rows), len(b.Cols), b.Edges, bg)
		res.Blocks = append(res.Blocks, b)
	}
	res.NullScore = <-nullc
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	if res.NullScore > 0 {
		for i := range res.Blocks {
			res.Blocks[i].Relative = res.Blocks[i].Score / res.NullScore
		}
	}
	return res, nil
}

// block turns a peeled node set into a Block and deletes its edges so that
// the next round finds the next block.
func (p *peeler) block(set []int32) Block {
	g := p.g
	var b Block
	in := make([]bool, g.nc)
	for _, v := range set {
		if int(v) < g.nr {
			b.Rows = append(b.Rows, v)
		} else {
			b.Cols = append(b.Cols, v-int32(g.nr))
			in[v-int32(g.nr)] = true
		}
	}
	slices.Sort(b.Rows)
	slices.Sort(b.Cols)
	var f int64
	for _, r := range b.Rows {
		for k := g.rowPtr[r]; k < g.rowPtr[r+1]; k++ {
			if c := g.rowAdj[k]; !p.dead[k] && in[c] {
				p.dead[k] = true
				p.stale = true
				b.Edges++
				f += p.w[c]
			}
		}
	}
	if cells := len(b.Rows) * len(b.Cols); cells > 0 {
		b.Density = float64(b.Edges) / float64(cells)
	}
	b.Score = float64(f) / fixed / float64(len(set))
	return b
}

// nullEdges caps the size of a random copy. The densest-block value of a
// uniform random graph depends on its mean degrees, not on its size, once it
// has this many edges; a larger graph's copy is scaled down with the same
// mean degrees so that the estimate costs a bounded time. Measured on copies
// of the 0.5 M- and 2 M-edge benchmark shapes (mean degree 5) and of a
// 10,000² · 0.0006 graph, three seeds each: the null score at 2¹⁶ edges is
// within 0.2 % of that at 2¹⁹ (1.069 vs 1.070; 1.231 vs 1.231), no more than
// the seeds differ among themselves, at a twentieth of the time (a copy of
// 2¹⁹ edges no longer fits the cache: 0.23–0.67 s against 15 ms).
const nullEdges = 1 << 16

// nullScore peels trials copies of g whose edges are re-drawn uniformly at
// random over the same rows and columns, and returns the mean density Score
// of the first block. A uniform background is the model behind "noise": a
// graph with no block of its own lands at Relative ≈ 1.
func nullScore(ctx context.Context, g *Graph, trials int, seed uint64) float64 {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	nr, nc, ne := g.nr, g.nc, g.Edges()
	if ne > nullEdges {
		s := float64(ne) / nullEdges
		nr = max(1, int(float64(nr)/s+0.5))
		nc = max(1, int(float64(nc)/s+0.5))
		ne = nullEdges
	}
	edges := make([]Edge, ne)
	var sum float64
	done := 0
	for range trials {
		if ctx.Err() != nil {
			break
		}
		for i := range edges {
			edges[i] = Edge{int32(rng.IntN(nr)), int32(rng.IntN(nc))}
		}
		ng, err := NewGraph(nr, nc, edges)
		if err != nil {
			break
		}
		p := newPeeler(ng, colWeights(ng), false)
		set := p.peel()
		if len(set) > 0 {
			sum += p.block(p.refine(set)).Score
			done++
		}
	}
	if done == 0 {
		return 0
	}
	return sum / float64(done)
}

// log10Chance bounds the log10 probability that an m×n graph of uniform
// density p contains some a×b block with at least e edges: by the Chernoff
// bound one given block does with probability at most exp(−N·KL(e/N ‖ p)),
// N = a·b, and there are C(m,a)·C(n,b) blocks of that shape.
func log10Chance(m, n, a, b, e int, p float64) float64 {
	N := float64(a) * float64(b)
	if N == 0 || p <= 0 || p >= 1 {
		return 0
	}
	q := float64(e) / N
	if q <= p {
		return 0
	}
	kl := q * math.Log(q/p)
	if q < 1 {
		kl += (1 - q) * math.Log((1-q)/(1-p))
	}
	lnP := lnChoose(m, a) + lnChoose(n, b) - N*kl
	return min(lnP/math.Ln10, 0)
}

func lnChoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n) + 1)
	b, _ := math.Lgamma(float64(k) + 1)
	c, _ := math.Lgamma(float64(n-k) + 1)
	return a - b - c
}

// shape counts the rows, columns and live edges of a node set without
// deleting anything.
func (p *peeler) shape(set []int32) (a, b, e int) {
	g := p.g
	in := make([]bool, g.nc)
	for _, v := range set {
		if int(v) >= g.nr {
			in[int(v)-g.nr] = true
			b++
		}
	}
	for _, v := range set {
		if int(v) < g.nr {
			a++
			for k := g.rowPtr[v]; k < g.rowPtr[v+1]; k++ {
				if !p.dead[k] && in[g.rowAdj[k]] {
					e++
				}
			}
		}
	}
	return a, b, e
}

// altBlock is tried when the peeled and refined set reads as noise (log10p
// ≥ noiseLog10P): peeling maximises average degree, and a small or sparse
// block whose average degree is below that of the background's densest core
// is never its answer. It returns the refined spectral candidate (see
// spectralSeeds) with the lowest log10p if that is below noiseLog10P and the
// candidate is not essentially the peeled set, else nil. log10p is the judge,
// as it is what tells a block from noise, so a graph without a block keeps
// its peeled answer and reads as noise.
func (p *peeler) altBlock(set []int32, bg float64) []int32 {
	g := p.g
	if g.Edges() > altMaxEdges {
		return nil
	}
	a, b, e := p.shape(set)
	best := log10Chance(g.nr, g.nc, a, b, e, bg)
	if best < noiseLog10P {
		return nil // peeling found a block; keep it
	}
	best = noiseLog10P
	var out []int32
	for _, seed := range p.spectralSeeds() {
		r := p.refine(seed)
		a, b, e := p.shape(r)
		if l := log10Chance(g.nr, g.nc, a, b, e, bg); l < best-1e-9 && jaccard(r, set, g.nr+g.nc) < 0.5 {
			best, out = l, r
		}
	}
	return out
}

// jaccard is |a∩b|/|a∪b| of two node sets (nodes below n, no repeats).
func jaccard(a, b []int32, n int) float64 {
	in := make([]bool, n)
	for _, v := range a {
		in[v] = true
	}
	both := 0
	for _, v := range b {
		if in[v] {
			both++
		}
	}
	if u := len(a) + len(b) - both; u > 0 {
		return float64(both) / float64(u)
	}
	return 1
}

// altMaxEdges bounds the graphs on which spectral candidates are tried: the
// power iterations and refinements cost ≈ 0.6 s per million edges.
const altMaxEdges = 1 << 20

// noiseLog10P is the log10p below which a block reads as a block rather than
// noise (the command's verdict uses the same threshold).
const noiseLog10P = -2
