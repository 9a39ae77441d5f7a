package algocli

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func write(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func run(t *testing.T, f func(context.Context, []string, *bytes.Buffer, *bytes.Buffer) error, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := f(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), err
}

func graph(ctx context.Context, a []string, o, e *bytes.Buffer) error {
	return Graph(ctx, a, nil, o, e)
}
func stream(ctx context.Context, a []string, o, e *bytes.Buffer) error {
	return Stream(ctx, a, nil, o, e)
}

func TestStreamScoreOneLinePerEdge(t *testing.T) {
	in := write(t, "e.csv", "1,2,1\n1,2,2\r\nalice,bob,2\n1,2,3\n1,2,3\n1,2,3\n1,2,3\n1,2,3")
	out := filepath.Join(t.TempDir(), "s.txt")
	if _, stderr, err := run(t, stream, "score", "--in", in, "--out", out, "--variant", "plain"); err != nil {
		t.Fatal(err, stderr)
	}
	b, _ := os.ReadFile(out)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 8 {
		t.Fatalf("%d scores for 8 edges: %q", len(lines), b)
	}
	// The fifth edge 1→2 of tick 3: a=5, s=7, t=3 → 64/14 (see burst tests).
	got, err := strconv.ParseFloat(lines[7], 64)
	if err != nil || math.Abs(got-64.0/14) > 1e-9 {
		t.Errorf("last score %q, want %v", lines[7], 64.0/14)
	}
}

func TestStreamScoreSameForIntegerSpellings(t *testing.T) {
	a := write(t, "a.csv", "7,8,1\n7,8,2\n7,9,2\n")
	b := write(t, "b.csv", "007,08,1\n7,0008,2\n07,9,2\n")
	dir := t.TempDir()
	for _, f := range []string{a, b} {
		if _, _, err := run(t, stream, "score", "--in", f, "--out", filepath.Join(dir, filepath.Base(f)+".out")); err != nil {
			t.Fatal(err)
		}
	}
	x, _ := os.ReadFile(filepath.Join(dir, "a.csv.out"))
	y, _ := os.ReadFile(filepath.Join(dir, "b.csv.out"))
	if !bytes.Equal(x, y) {
		t.Errorf("scores differ: %q vs %q", x, y)
	}
}

func TestStreamScoreErrorsNameFileAndLine(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{"1,2,3\n1,2\n", ":2: want src,dst,time"},
		{"1,2,3\n1,2,x\n", ":2: time \"x\" is not an integer"},
		{"1,2,5\n1,2,4\n", ":2: time 4 is earlier"},
		{"1,2,5\n,2,6\n", ":2: empty node id"},
	} {
		in := write(t, "bad.csv", c.body)
		_, _, err := run(t, stream, "score", "--in", in, "--out", filepath.Join(t.TempDir(), "o"))
		if err == nil || !strings.Contains(err.Error(), "bad.csv"+c.want) {
			t.Errorf("%q: error %v, want …bad.csv%s…", c.body, err, c.want)
		}
	}
	if _, _, err := run(t, stream, "score", "--in", "x"); err == nil {
		t.Error("missing --out accepted")
	}
	if _, _, err := run(t, stream, "frobnicate"); err == nil {
		t.Error("unknown subcommand accepted")
	}
}

func TestStreamAUC(t *testing.T) {
	s := write(t, "s", "0.1\n0.4\n0.35\n0.8\n")
	l := write(t, "l", "0\n0\n1\n1\n")
	out, _, err := run(t, stream, "auc", "--scores", s, "--labels", l)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(out) != "0.750000" {
		t.Errorf("auc %q, want 0.750000", out)
	}
	// Ties count one half.
	auc, _ := ROCAUC([]float64{1, 1, 0}, []bool{true, false, false})
	if auc != 0.75 {
		t.Errorf("auc with a tie = %v, want 0.75", auc)
	}
	bad := write(t, "bad", "0\nmaybe\n1\n1\n")
	if _, _, err := run(t, stream, "auc", "--scores", s, "--labels", bad); err == nil || !strings.Contains(err.Error(), "bad:2") {
		t.Errorf("error %v, want one naming bad:2", err)
	}
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

func BenchmarkStreamScore(b *testing.B) {
	var sb strings.Builder
	for i := range 100000 {
		sb.WriteString(strconv.Itoa(i%977) + "," + strconv.Itoa(i%1013) + "," + strconv.Itoa(i/50) + "\n")
	}
	data := sb.String()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var out bytes.Buffer
		if err := Stream(context.Background(), []string{"score", "--in", "-", "--out", "-"}, strings.NewReader(data), &out, &out); err != nil {
			b.Fatal(err)
		}
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
			cpu0 := cpuNanos()
			for b.Loop() {
				if _, err := readEdges(context.Background(), strings.NewReader(data), "b"); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu0)
		})
	}
}
