package cli

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/zhudun/zhudun/internal/cputime"
)

func graph(ctx context.Context, a []string, o, e *bytes.Buffer) error {
	return Graph(ctx, a, nil, o, e)
}

func TestGraphInjectDenseFMeasure(t *testing.T) {
	dir := t.TempDir()
	edges, truth := filepath.Join(dir, "e.tsv"), filepath.Join(dir, "truth.tsv")
	blocks, summary := filepath.Join(dir, "b.tsv"), filepath.Join(dir, "sum.txt")
	if _, _, err := run(t, graph, "inject", "--rows", "1500", "--cols", "1200", "--block-rows", "60", "--block-cols", "90",
		"--block-density", "0.2", "--camouflage", "random", "--seed", "3", "--out", edges, "--truth", truth); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, graph, "dense", "--in", edges, "--out", blocks, "--blocks", "2", "--summary", summary); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(blocks)
	first := strings.SplitN(string(b), "\n", 2)[0]
	if f := strings.Split(first, "\t"); len(f) != 3 || f[0] != "1" || f[1] != "src" || !strings.HasPrefix(f[2], "u") {
		t.Errorf("first output line %q, want 1<TAB>src<TAB>u…", first)
	}
	out, _, err := run(t, graph, "fmeasure", "--blocks", blocks, "--truth", truth)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := strconv.ParseFloat(strings.Split(out, "\t")[1], 64)
	if f < 0.95 {
		t.Errorf("F = %v, want ≥ 0.95 (%s)", f, out)
	}
	sum, _ := os.ReadFile(summary)
	lines := strings.Split(strings.TrimSpace(string(sum)), "\n")
	if len(lines) != 4 || !strings.HasSuffix(lines[2], "\tblock") {
		t.Errorf("summary %q: want header lines and block 1 marked as a block", sum)
	}
}

func TestGraphDenseNoBlockSaysNoise(t *testing.T) {
	dir := t.TempDir()
	edges, truth := filepath.Join(dir, "e.tsv"), filepath.Join(dir, "t.tsv")
	if _, _, err := run(t, graph, "inject", "--rows", "3000", "--cols", "3000", "--density", "0.001",
		"--block-rows", "0", "--block-cols", "0", "--out", edges, "--truth", truth); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := run(t, graph, "dense", "--in", edges, "--out", filepath.Join(dir, "b"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "\tnoise\n") || strings.Contains(stderr, "\tblock\n") {
		t.Errorf("summary on a graph with no block:\n%s", stderr)
	}
}

// The result must not depend on the order of the lines.
func TestGraphDenseIgnoresLineOrder(t *testing.T) {
	dir := t.TempDir()
	edges, truth := filepath.Join(dir, "e.tsv"), filepath.Join(dir, "t.tsv")
	if _, _, err := run(t, graph, "inject", "--rows", "800", "--cols", "800", "--density", "0.002",
		"--block-rows", "40", "--block-cols", "40", "--block-density", "0.3", "--out", edges, "--truth", truth); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(edges)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for i, j := 0, len(lines)-1; i < j; i, j = i+1, j-1 {
		lines[i], lines[j] = lines[j], lines[i]
	}
	rev := write(t, "rev.tsv", "# reversed\n"+strings.Join(lines, "\r\n")+"\n")
	o1, o2 := filepath.Join(dir, "o1"), filepath.Join(dir, "o2")
	run(t, graph, "dense", "--in", edges, "--out", o1, "--blocks", "2")
	run(t, graph, "dense", "--in", rev, "--out", o2, "--blocks", "2")
	x, _ := os.ReadFile(o1)
	y, _ := os.ReadFile(o2)
	if len(x) == 0 || !bytes.Equal(x, y) {
		t.Errorf("blocks differ with the line order reversed")
	}
}

func TestGraphDenseErrorsNameFileAndLine(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{"a\tb\nc d\n", "bad.tsv:2: want src<TAB>dst"},
		{"a\tb\n\tb\n", "bad.tsv:2: empty id"},
		{"a\tb\na\tb\tc\n", "bad.tsv:2: more than two fields"},
	} {
		in := write(t, "bad.tsv", c.body)
		_, _, err := run(t, graph, "dense", "--in", in, "--out", filepath.Join(t.TempDir(), "o"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %s", c.body, err, c.want)
		}
	}
	if _, _, err := run(t, graph, "dense", "--in", "x", "--out", "y", "--blocks", "0"); err == nil {
		t.Error("--blocks 0 accepted")
	}
	if _, _, err := run(t, graph, "inject", "--out", "x", "--truth", "y", "--camouflage", "sneaky"); err == nil {
		t.Error("unknown camouflage accepted")
	}
}

// Parsing and numbering an edge file of the 2 M-edge benchmark's size
// (400,000 ids a side, random lines): with ids a prefix and a number as
// `graph inject` writes them, and with ids that are not numbers.
func BenchmarkReadEdges2M(b *testing.B) {
	for _, kind := range []struct{ name, src, dst string }{
		{"numbered", "u%d", "p%d"},
		{"named", "acct-%x-z", "dev-%x-q"},
	} {
		rng := rand.New(rand.NewPCG(1, 2))
		var sb strings.Builder
		for range 2000000 {
			fmt.Fprintf(&sb, kind.src+"\t"+kind.dst+"\n", rng.IntN(400000), rng.IntN(400000))
		}
		data := sb.String()
		b.Run(kind.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			cpu0 := cputime.Now()
			for b.Loop() {
				if _, err := readEdges(context.Background(), strings.NewReader(data), "b"); err != nil {
					b.Fatal(err)
				}
			}
			cputime.Report(b, cpu0)
		})
	}
}
