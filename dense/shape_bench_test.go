//go:build shapes

// The shapes report is a measurement, not a test: it is compiled only with
// -tags shapes (go test -tags shapes -run TestShapesReport -v ./dense), so
// that the ordinary suite neither runs nor skips it.

package dense

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
)

// TestShapesReport prints F per shape.
func TestShapesReport(t *testing.T) {
	seeds, _ := strconv.Atoi(os.Getenv("ZHUDUN_SEEDS"))
	if seeds == 0 {
		seeds = 10
	}
	type shape struct {
		n, a, b int
		p       float64
	}
	shapes := []shape{{10000, 50, 50, 0.1}, {10000, 200, 200, 0.02}, {10000, 400, 100, 0.05}, {10000, 100, 400, 0.05}, {2000, 200, 200, 0.02}, {2000, 50, 50, 0.1}}
	if s := os.Getenv("ZHUDUN_ONLY"); s != "" {
		i, _ := strconv.Atoi(s)
		shapes = shapes[i : i+1]
	}
	for _, sh := range shapes {
		line := fmt.Sprintf("%d² %dx%d·%g:", sh.n, sh.a, sh.b, sh.p)
		for cam := NoCamouflage; cam <= HijackedAccounts; cam++ {
			var sum float64
			mn := 1.0
			for s := 1; s <= seeds; s++ {
				in, _ := Inject(InjectConfig{Rows: sh.n, Cols: sh.n, BackgroundDensity: 0.0006, BlockRows: sh.a, BlockCols: sh.b, BlockDensity: sh.p, Camouflage: cam, Seed: uint64(s)})
				g, _ := NewGraph(sh.n, sh.n, in.Edges)
				res, _ := Detect(context.Background(), g, Options{})
				f := memberF(res.Blocks[0], in, sh.n)
				sum += f
				mn = min(mn, f)
			}
			line += fmt.Sprintf(" %s %.3f(%.3f)", cam, sum/float64(seeds), mn)
		}
		t.Log(line)
	}
}
