package cli

import (
	"bytes"
	"context"
	"math"
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
