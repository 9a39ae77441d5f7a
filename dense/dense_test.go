package dense

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/zhudun/zhudun/internal/cputime"
	"pgregory.net/rapid"
)

func TestNewGraphMergesDuplicates(t *testing.T) {
	g, err := NewGraph(3, 2, []Edge{{0, 1}, {0, 1}, {2, 0}, {0, 0}, {2, 0}})
	if err != nil {
		t.Fatal(err)
	}
	if g.Edges() != 3 {
		t.Errorf("edges = %d, want 3", g.Edges())
	}
	for i, want := range []int{2, 0, 1} {
		if d := g.RowDegree(i); d != want {
			t.Errorf("row %d degree %d, want %d", i, d, want)
		}
	}
	for j, want := range []int{2, 1} {
		if d := g.ColDegree(j); d != want {
			t.Errorf("col %d degree %d, want %d", j, d, want)
		}
	}
	if _, err := NewGraph(2, 2, []Edge{{0, 2}}); err == nil {
		t.Error("edge outside the graph accepted")
	}
	if _, err := NewGraph(2, 2, []Edge{{-1, 0}}); err == nil {
		t.Error("negative id accepted")
	}
}

// A 4×4 biclique among pendant edges: hand-checkable densest block.
func TestDetectBiclique(t *testing.T) {
	var edges []Edge
	for r := range 4 {
		for c := range 4 {
			edges = append(edges, Edge{int32(r), int32(c)})
		}
	}
	// Each of rows 4…13 links to one column of its own, 4…13; row 4 also
	// touches the block's column 0.
	for i := 4; i < 14; i++ {
		edges = append(edges, Edge{int32(i), int32(i)})
	}
	edges = append(edges, Edge{4, 0})
	g, err := NewGraph(14, 14, edges)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Detect(context.Background(), g, Options{NullTrials: -1})
	if err != nil {
		t.Fatal(err)
	}
	b := res.Blocks[0]
	if !slices.Equal(b.Rows, []int32{0, 1, 2, 3}) || !slices.Equal(b.Cols, []int32{0, 1, 2, 3}) {
		t.Fatalf("block rows %v cols %v, want 0…3 × 0…3", b.Rows, b.Cols)
	}
	if b.Edges != 16 || b.Density != 1 {
		t.Errorf("edges %d density %v, want 16 and 1", b.Edges, b.Density)
	}
	// g = (12 edges into columns 1…3 of degree 4 + 4 into column 0 of
	// degree 5) / 8 nodes.
	want := (12/math.Log(9) + 4/math.Log(10)) / 8
	if math.Abs(b.Score-want) > 1e-6 {
		t.Errorf("score %v, want %v", b.Score, want)
	}
	if b.Relative != 0 {
		t.Errorf("relative %v without null trials, want 0", b.Relative)
	}
}

func TestLog10Chance(t *testing.T) {
	// 2×2 full block in a 10×10 graph of density 0.1: C(10,2)² · 0.1⁴.
	got := log10Chance(10, 10, 2, 2, 4, 0.1)
	want := math.Log10(45*45) - 4
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("log10Chance = %v, want %v", got, want)
	}
	if got := log10Chance(10, 10, 2, 2, 0, 0.1); got != 0 {
		t.Errorf("empty block: %v, want 0", got)
	}
	if got := log10Chance(100, 100, 50, 50, 300, 0.1); got != 0 {
		t.Errorf("block sparser than background: %v, want 0", got)
	}
}

// fmeasure is the F1 score of got against want.
func fmeasure(got, want []int32) float64 {
	w := map[int32]bool{}
	for _, x := range want {
		w[x] = true
	}
	tp := 0
	for _, x := range got {
		if w[x] {
			tp++
		}
	}
	if len(got)+len(want) == 0 {
		return 1
	}
	return 2 * float64(tp) / float64(len(got)+len(want))
}

func memberF(b Block, in Injected, rows int) float64 {
	var got, want []int32
	got = append(got, b.Rows...)
	for _, c := range b.Cols {
		got = append(got, c+int32(rows))
	}
	want = append(want, in.BlockRows...)
	for _, c := range in.BlockCols {
		want = append(want, c+int32(rows))
	}
	return fmeasure(got, want)
}

// Fraudar's protocol on the small background, one trial per camouflage:
// the block must come out nearly exact and far from noise.
func TestPlantedBlockFound(t *testing.T) {
	for _, cam := range []Camouflage{NoCamouflage, RandomCamouflage, BiasedCamouflage, HijackedAccounts} {
		t.Run(cam.String(), func(t *testing.T) {
			in, err := Inject(InjectConfig{Rows: 2000, Cols: 2000, BackgroundDensity: 0.0006,
				BlockRows: 200, BlockCols: 200, BlockDensity: 0.05, Camouflage: cam, Seed: 11})
			if err != nil {
				t.Fatal(err)
			}
			g, _ := NewGraph(2000, 2000, in.Edges)
			res, err := Detect(context.Background(), g, Options{})
			if err != nil {
				t.Fatal(err)
			}
			b := res.Blocks[0]
			if f := memberF(b, in, 2000); f < 0.95 {
				t.Errorf("F = %.3f (%d×%d found), want ≥ 0.95", f, len(b.Rows), len(b.Cols))
			}
			if b.Relative < 1.5 || b.Log10P > -100 {
				t.Errorf("relative %.2f log10p %.0f: a real block must stand out", b.Relative, b.Log10P)
			}
		})
	}
}

// Graphs with no block: the best block must read as noise.
func TestNoBlockIsNoise(t *testing.T) {
	for _, n := range []int{500, 3000} {
		for _, d := range []float64{0.001, 0.004} {
			in, _ := Inject(InjectConfig{Rows: n, Cols: n * 2, BackgroundDensity: d, Seed: uint64(n)})
			g, _ := NewGraph(n, 2*n, in.Edges)
			res, err := Detect(context.Background(), g, Options{Blocks: 2})
			if err != nil {
				t.Fatal(err)
			}
			for i, b := range res.Blocks {
				if b.Log10P < -2 {
					t.Errorf("n=%d d=%v block %d: log10p %.1f on pure noise", n, d, i+1, b.Log10P)
				}
				if i == 0 && math.Abs(b.Relative-1) > 0.12 {
					t.Errorf("n=%d d=%v: relative %.3f on pure noise, want ≈ 1", n, d, b.Relative)
				}
			}
		}
	}
}

func TestTwoBlocksDensestFirst(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var edges []Edge
	for range 6000 {
		edges = append(edges, Edge{int32(rng.IntN(3000)), int32(rng.IntN(3000))})
	}
	plant := func(r0, c0, m, n int, p float64) {
		for r := r0; r < r0+m; r++ {
			for c := c0; c < c0+n; c++ {
				if rng.Float64() < p {
					edges = append(edges, Edge{int32(r), int32(c)})
				}
			}
		}
	}
	plant(0, 0, 60, 60, 0.5)       // denser
	plant(1000, 1000, 80, 40, 0.3) // sparser, another shape
	g, _ := NewGraph(3000, 3000, edges)
	res, err := Detect(context.Background(), g, Options{Blocks: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Blocks) != 3 {
		t.Fatalf("%d blocks, want 3", len(res.Blocks))
	}
	b1, b2 := res.Blocks[0], res.Blocks[1]
	if b1.Rows[0] != 0 || len(b1.Rows) < 57 || len(b1.Rows) > 63 || len(b1.Cols) < 57 || len(b1.Cols) > 63 {
		t.Errorf("block 1 %d×%d starting at row %d, want ≈60×60 at 0", len(b1.Rows), len(b1.Cols), b1.Rows[0])
	}
	if b2.Rows[0] < 1000 || len(b2.Rows) < 75 || len(b2.Rows) > 85 || len(b2.Cols) < 36 || len(b2.Cols) > 44 {
		t.Errorf("block 2 %d×%d starting at row %d, want ≈80×40 at 1000", len(b2.Rows), len(b2.Cols), b2.Rows[0])
	}
	if res.Blocks[2].Log10P < -2 {
		t.Errorf("block 3 log10p %.1f: only two blocks were planted", res.Blocks[2].Log10P)
	}
}

// Property: a block of random size, shape and density planted in noise is
// found, whatever the camouflage. The graph has at least ten times the
// block's columns, so that camouflage spread over the rest stays clearly
// sparser than the block (otherwise no method can tell them apart).
func TestPropertyPlantedBlock(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rows := rapid.IntRange(500, 3000).Draw(t, "rows")
		cols := rapid.IntRange(1500, 3000).Draw(t, "cols")
		br := rapid.IntRange(30, 150).Draw(t, "blockRows")
		bc := rapid.IntRange(30, 150).Draw(t, "blockCols")
		p := rapid.Float64Range(0.3, 0.6).Draw(t, "blockDensity")
		cam := Camouflage(rapid.IntRange(0, 4).Draw(t, "camouflage"))
		in, err := Inject(InjectConfig{Rows: rows, Cols: cols, BackgroundDensity: 0.001,
			BlockRows: br, BlockCols: bc, BlockDensity: p, Camouflage: cam,
			Seed: rapid.Uint64().Draw(t, "seed")})
		if err != nil {
			t.Fatal(err)
		}
		g, _ := NewGraph(rows, cols, in.Edges)
		res, err := Detect(context.Background(), g, Options{NullTrials: -1})
		if err != nil {
			t.Fatal(err)
		}
		if f := memberF(res.Blocks[0], in, rows); f < 0.9 {
			t.Fatalf("F = %.3f for a %d×%d block of density %.2f (%s)", f, br, bc, p, cam)
		}
	})
}

// Property: renaming the nodes and reordering the edges does not change
// the planted block. (Later blocks, such as the diffuse leftover of the
// camouflage, can contain nodes that tie on every structural key; those are
// ordered by number, so such a block may come out slightly different.)
func TestPropertyRelabelInvariant(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		seed := rapid.Uint64().Draw(t, "seed")
		in, _ := Inject(InjectConfig{Rows: 800, Cols: 600, BackgroundDensity: 0.003,
			BlockRows: 40, BlockCols: 30, BlockDensity: 0.3,
			Camouflage: Camouflage(rapid.IntRange(0, 4).Draw(t, "camouflage")), Seed: seed})
		rng := rand.New(rand.NewPCG(seed, 99))
		pr, pc := rng.Perm(800), rng.Perm(600)
		moved := make([]Edge, len(in.Edges))
		for i, e := range in.Edges {
			moved[i] = Edge{int32(pr[e.Src]), int32(pc[e.Dst])}
		}
		rng.Shuffle(len(moved), func(i, j int) { moved[i], moved[j] = moved[j], moved[i] })
		g1, _ := NewGraph(800, 600, in.Edges)
		g2, _ := NewGraph(800, 600, moved)
		r1, _ := Detect(context.Background(), g1, Options{Blocks: 2, NullTrials: -1})
		r2, _ := Detect(context.Background(), g2, Options{Blocks: 2, NullTrials: -1})
		for k := range r1.Blocks[:1] {
			var rows, cols []int32
			for _, r := range r1.Blocks[k].Rows {
				rows = append(rows, int32(pr[r]))
			}
			for _, c := range r1.Blocks[k].Cols {
				cols = append(cols, int32(pc[c]))
			}
			slices.Sort(rows)
			slices.Sort(cols)
			if !slices.Equal(rows, r2.Blocks[k].Rows) || !slices.Equal(cols, r2.Blocks[k].Cols) {
				t.Fatalf("block %d differs after relabelling: %d×%d vs %d×%d", k+1,
					len(rows), len(cols), len(r2.Blocks[k].Rows), len(r2.Blocks[k].Cols))
			}
		}
	})
}

func TestInjectShapes(t *testing.T) {
	base := InjectConfig{Rows: 1000, Cols: 1000, BackgroundEdges: 5000, BlockRows: 100, BlockCols: 100, BlockDensity: 0.1, Seed: 5}
	count := func(c InjectConfig) (block, camo, other int, in Injected) {
		in, err := Inject(c)
		if err != nil {
			t.Fatal(err)
		}
		fr, fc := map[int32]bool{}, map[int32]bool{}
		for _, r := range in.BlockRows {
			fr[r] = true
		}
		for _, c := range in.BlockCols {
			fc[c] = true
		}
		for _, e := range in.Edges {
			switch {
			case fr[e.Src] && fc[e.Dst]:
				block++
			case fr[e.Src]:
				camo++
			default:
				other++
			}
		}
		return
	}
	base.Camouflage = NoCamouflage
	b0, c0, _, in := count(base)
	if len(in.BlockRows) != 100 || len(in.BlockCols) != 100 {
		t.Fatalf("block %d×%d, want 100×100", len(in.BlockRows), len(in.BlockCols))
	}
	if b0 < 850 || b0 > 1150 || c0 != 0 {
		t.Errorf("no camouflage: %d block edges (want ≈1000), %d fraud edges outside (want 0)", b0, c0)
	}
	// Random camouflage: each fraud row links to each of the 900 outside
	// columns with probability p·n0/(n−n0) = 1/90, 100·10 edges expected
	// (sd ≈ 31); twice that for 2×. Biased: exactly ⌊n0·p⌋ = 10 draws per
	// row, fewer distinct edges only where a row drew a column twice.
	base.Camouflage = RandomCamouflage
	if b, c, _, _ := count(base); c < 880 || c > 1120 {
		t.Errorf("random camouflage: %d camouflage edges for %d block edges, want ≈1000", c, b)
	}
	base.Camouflage = DoubleRandomCamouflage
	if b, c, _, _ := count(base); c < 1800 || c > 2200 {
		t.Errorf("2x camouflage: %d camouflage edges for %d block edges, want ≈2000", c, b)
	}
	base.Camouflage = BiasedCamouflage
	if _, c, _, _ := count(base); c < 950 || c > 1000 {
		t.Errorf("biased camouflage: %d camouflage edges, want ≈1000 (10 per row)", c)
	}
	base.Camouflage = HijackedAccounts
	if _, c, _, _ := count(base); c < 350 || c > 650 { // 100 rows × 5 ordinary edges each
		t.Errorf("hijacked: %d ordinary edges on fraud rows, want ≈500", c)
	}
	if _, err := Inject(InjectConfig{Rows: 10, Cols: 10, BlockRows: 20, BlockCols: 2}); err == nil {
		t.Error("block larger than the graph accepted")
	}
	if _, err := ParseCamouflage("sneaky"); err == nil {
		t.Error("unknown camouflage accepted")
	}
}

func TestDetectCancelled(t *testing.T) {
	in, _ := Inject(InjectConfig{Rows: 100, Cols: 100, BackgroundDensity: 0.05, Seed: 1})
	g, _ := NewGraph(100, 100, in.Edges)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Detect(ctx, g, Options{}); err == nil {
		t.Error("cancelled context: no error")
	}
}

// benchGraph is a graph of bench/algo/dense.sh: n×n with background density
// 0.0006, or with the given number of background edges if not 0, and the
// 200×200 block with random camouflage.
func benchGraph(b *testing.B, n, edges int) *Graph {
	in, err := Inject(InjectConfig{Rows: n, Cols: n, BackgroundDensity: 0.0006, BackgroundEdges: edges,
		BlockRows: 200, BlockCols: 200, BlockDensity: 0.05, Camouflage: RandomCamouflage, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	g, err := NewGraph(n, n, in.Edges)
	if err != nil {
		b.Fatal(err)
	}
	return g
}

func BenchmarkDetect10k(b *testing.B) {
	g := benchGraph(b, 10000, 0)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Now()
	for b.Loop() {
		if _, err := Detect(context.Background(), g, Options{NullTrials: -1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(g.Edges())*float64(b.N)/b.Elapsed().Seconds(), "edges/s")
	cputime.Report(b, cpu0)
}

// The 0.5 M-edge graph of bench/algo/dense.sh (100,000², mean degree 5,
// random camouflage), detected as the command does: one block with the noise
// estimate.
func BenchmarkDetect500k(b *testing.B) {
	g := benchGraph(b, 100000, 500000)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Now()
	for b.Loop() {
		if _, err := Detect(context.Background(), g, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(g.Edges())*float64(b.N)/b.Elapsed().Seconds(), "edges/s")
	cputime.Report(b, cpu0)
}

// The noise estimate alone on the same shape: one random copy scaled to
// nullEdges, built and peeled.
func BenchmarkNullScore500k(b *testing.B) {
	g := &Graph{nr: 100000, nc: 100000, rowAdj: make([]int32, 500000)} // only the shape is read
	b.ReportAllocs()
	for b.Loop() {
		if s := nullScore(context.Background(), g, 1, DefaultSeed); s <= 0 {
			b.Fatalf("null score %v", s)
		}
	}
}

func BenchmarkNewGraph10k(b *testing.B) {
	in, _ := Inject(InjectConfig{Rows: 10000, Cols: 10000, BackgroundDensity: 0.0006, Seed: 1})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewGraph(10000, 10000, in.Edges); err != nil {
			b.Fatal(err)
		}
	}
}

// Biased camouflage aims at popular columns: a column that draws five edges
// from the block's rows is expected to if it is popular, and suspicious if
// it is quiet. The outside line μ(y) = 0.5·y is fitted from the columns.
func TestDecideColsByPopularity(t *testing.T) {
	var x, deg []int32
	add := func(cx, y int32) int {
		x = append(x, cx)
		deg = append(deg, cx+y)
		return len(x) - 1
	}
	in := []bool{}
	for range 20 { // the block: 5 edges from each of 100 rows
		add(5, 1)
		in = append(in, true)
	}
	for i := range 100 { // quiet columns, 0.5 camouflage edges each
		add(int32(i%2), 1)
	}
	for range 100 { // popular columns, 5 each
		add(5, 10)
	}
	quiet, popular := add(5, 1), add(5, 10)
	in = append(in, make([]bool, len(x)-len(in))...)
	out, _, ok := decideCols(x, deg, in, 20, 100, len(x))
	if !ok {
		t.Fatal("test did not apply")
	}
	if !out[quiet] || out[popular] {
		t.Errorf("quiet column joined %v (want true), popular column joined %v (want false)", out[quiet], out[popular])
	}
	if !out[0] {
		t.Error("a block column left the block")
	}
}

// On a sparse background every outside column is hit once from outside the
// block (y = 1), so the fit sees no spread in y and cannot tell a flat
// camouflage line from a proportional one. Each column must then be judged
// against the reading that expects more of it. Hand-computed, with
// p_in = 8790/(102·150) ≈ 0.575 and the outside line's height 24 at y = 1:
// a popular column (y = 3, 60 edges) expects 72 under the proportional
// reading (q = 0.48; z ≈ −8.4, out; flat would let it in at z ≈ +14);
// a quiet one (y = 0, 30 edges) expects 24 under the flat one (q = 0.16;
// z ≈ −44, out; proportional would let it in). The block's columns (87
// edges, y = 0) stay, the camouflage (24 edges, y = 1) stays out.
//
// Found by TestPropertyPlantedBlock: 500×1500 at density 0.001, a 150×135
// block of density 0.578 with biased camouflage came out with all 399
// camouflage columns (F 0.588), because the degenerate fit left the line at 0.
func TestDecideColsNoSpread(t *testing.T) {
	var x, deg []int32
	var in []bool
	add := func(cx, y int32, member bool) int {
		x = append(x, cx)
		deg = append(deg, cx+y)
		in = append(in, member)
		return len(x) - 1
	}
	for range 100 {
		add(87, 0, true)
	}
	popular, quiet := add(60, 3, true), add(30, 0, true)
	for range 300 {
		add(24, 1, false)
	}
	out, n, ok := decideCols(x, deg, in, 102, 150, len(x))
	if !ok {
		t.Fatal("test did not apply")
	}
	if out[popular] || out[quiet] {
		t.Errorf("popular column joined %v, quiet column joined %v (want false, false)", out[popular], out[quiet])
	}
	if n != 100 || !out[0] || !out[99] {
		t.Errorf("%d columns joined, first block column %v, last %v (want 100, true, true)", n, out[0], out[99])
	}
}

// The draw TestPropertyPlantedBlock found (see TestDecideColsNoSpread),
// kept as a fixed case so that it is tried on every run.
func TestPlantedBlockSparseBiased(t *testing.T) {
	in, err := Inject(InjectConfig{Rows: 500, Cols: 1500, BackgroundDensity: 0.001,
		BlockRows: 150, BlockCols: 135, BlockDensity: 0.578125, Camouflage: BiasedCamouflage})
	if err != nil {
		t.Fatal(err)
	}
	g, _ := NewGraph(500, 1500, in.Edges)
	res, err := Detect(context.Background(), g, Options{NullTrials: -1})
	if err != nil {
		t.Fatal(err)
	}
	if b := res.Blocks[0]; len(b.Rows) != 150 || len(b.Cols) != 135 || memberF(b, in, 500) < 0.99 {
		t.Fatalf("block %d×%d, F %.3f; want the planted 150×135", len(b.Rows), len(b.Cols), memberF(b, in, 500))
	}
}

// A row with two block edges is a fraud row when the block's rows carry
// camouflage and it does too, and an ordinary row otherwise.
func TestDecideRowsCamouflageEvidence(t *testing.T) {
	for _, camo := range []bool{true, false} {
		var x, deg []int32
		var in []bool
		add := func(cx, o int32, member bool) int {
			x, deg, in = append(x, cx), append(deg, cx+o), append(in, member)
			return len(x) - 1
		}
		blockOut := int32(2)
		if camo {
			blockOut = 20
		}
		for range 50 {
			add(10, blockOut, true) // 10 of the block's 100 columns
		}
		for i := range 500 {
			add(int32(min(i%10, 1)^1), 2, false) // one row in ten hits the block once
		}
		r := add(2, 20, false)
		plain := add(2, 2, false)
		out, _, ok := decideRows(x, deg, in, 50, 100, len(x), 1000)
		if !ok {
			t.Fatal("test did not apply")
		}
		if out[r] != camo || out[plain] {
			t.Errorf("camouflage %v: busy row joined %v (want %v), plain row joined %v (want false)", camo, out[r], camo, out[plain])
		}
	}
}

// A block whose average degree is below the background's densest core
// (50×50 of density 0.1 in 10,000² of 0.0006) is never the peel's answer;
// the spectral candidates must find it, and it must read as a block.
func TestSparseSmallBlockFound(t *testing.T) {
	for _, cam := range []Camouflage{NoCamouflage, DoubleRandomCamouflage} {
		in, err := Inject(InjectConfig{Rows: 10000, Cols: 10000, BackgroundDensity: 0.0006,
			BlockRows: 50, BlockCols: 50, BlockDensity: 0.1, Camouflage: cam, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		g, _ := NewGraph(10000, 10000, in.Edges)
		res, err := Detect(context.Background(), g, Options{})
		if err != nil {
			t.Fatal(err)
		}
		b := res.Blocks[0]
		if f := memberF(b, in, 10000); f < 0.85 {
			t.Errorf("%v: F = %.3f (%d×%d found), want ≥ 0.85", cam, f, len(b.Rows), len(b.Cols))
		}
		if b.Log10P > -50 {
			t.Errorf("%v: log10p %.0f, want a block", cam, b.Log10P)
		}
	}
}

// sparse2M is the 2 M-edge graph of bench/algo/dense.sh.
func sparse2M(b *testing.B) *Graph { return benchGraph(b, 400000, 2000000) }

// One greedy peeling of the 2 M-edge graph: the min-tree's decreases and
// extractions, nothing else.
func BenchmarkPeel2M(b *testing.B) {
	g := sparse2M(b)
	p := newPeeler(g, colWeights(g), true)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Now()
	for b.Loop() {
		if len(p.peel()) == 0 {
			b.Fatal("empty set")
		}
	}
	b.ReportMetric(float64(g.Edges())*float64(b.N)/b.Elapsed().Seconds(), "edges/s")
	cputime.Report(b, cpu0)
}

// Preparing peeling of the 2 M-edge graph: canonical order and the
// leaf-numbered adjacency.
func BenchmarkNewPeeler2M(b *testing.B) {
	g := sparse2M(b)
	w := colWeights(g)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Now()
	for b.Loop() {
		newPeeler(g, w, true)
	}
	cputime.Report(b, cpu0)
}

// The whole detection on the 2 M-edge graph, as the command runs it.
func BenchmarkDetect2M(b *testing.B) {
	g := sparse2M(b)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Now()
	for b.Loop() {
		if _, err := Detect(context.Background(), g, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	cputime.Report(b, cpu0)
}
