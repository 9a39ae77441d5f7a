package eval

import (
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	truth, err := ReadSet(strings.NewReader(`{"category":"black_card","entity":"a"}
{"category":"black_card","entity":"b"}
{"category":"black_line","entity":"1.2.3.4"}
`), "truth")
	if err != nil {
		t.Fatal(err)
	}
	found, err := ReadSet(strings.NewReader(`{"category":"black_card","entity":"a","score":1}
{"category":"black_card","entity":"c"}
{"category":"black_card","entity":"c"}
`), "found")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Score{}
	for _, s := range Compare(truth, found) {
		got[s.Category] = s
	}
	if s := got["black_card"]; s.Hits != 1 || s.Precision != 0.5 || s.Recall != 0.5 || s.F1 != 0.5 {
		t.Errorf("black_card %+v", s)
	}
	if s := got["black_line"]; s.Precision != 0 || s.Recall != 0 || s.F1 != 0 {
		t.Errorf("black_line %+v", s)
	}
	if s := got["black_device"]; s.F1 != 1 {
		t.Errorf("empty in both must score 1: %+v", s)
	}
	if _, err := ReadSet(strings.NewReader("{bad"), "x"); err == nil {
		t.Error("bad JSON accepted")
	}
}

func readGangs(t *testing.T, s string) map[string]string {
	t.Helper()
	_, g, err := Read(strings.NewReader(s), "x")
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

// TestCompareGangs checks the gang figures on small cases worked out by hand.
func TestCompareGangs(t *testing.T) {
	// truth: T1 = {a,b,c}, T2 = {d,e}, T3 = {f} (never found)
	truth := readGangs(t, `{"category":"black_card","entity":"a","gang":"T1"}
{"category":"black_card","entity":"b","gang":"T1"}
{"category":"black_account","entity":"c","gang":"T1"}
{"category":"black_card","entity":"d","gang":"T2"}
{"category":"black_line","entity":"e","gang":"T2"}
{"category":"black_line","entity":"f","gang":"T3"}
`)
	// found: G1 = {a,b} plus a false positive (c as a line is not c as an
	// account), G2 = {c,d}, G3 = {e}
	found := readGangs(t, `{"category":"black_card","entity":"a","gang":"G1"}
{"category":"black_card","entity":"b","gang":"G1"}
{"category":"black_line","entity":"c","gang":"G1"}
{"category":"black_account","entity":"c","gang":"G2"}
{"category":"black_card","entity":"d","gang":"G2"}
{"category":"black_line","entity":"e","gang":"G3"}
`)
	g, ok := CompareGangs(truth, found)
	if !ok {
		t.Fatal("not scored")
	}
	// 5 true positives a b c d e: 10 pairs. Same true gang: ab ac bc de = 4.
	// Same found gang: ab (G1), cd (G2) = 2. Both: ab = 1.
	// P = 1/2, R = 1/4, F1 = 2·(1/8)/(3/4) = 1/3.
	// Purity: G1 {a,b}→2, G2 {c,d}→1, G3 {e}→1: 4/5.
	// Completeness: T1 {a,b | c}→2, T2 {d | e}→1: 3/5. G2 mixes T1 and T2.
	want := GangScore{Entities: 5, TrueGangs: 3, FoundGangs: 3, TrueGangsTP: 2, FoundGangsTP: 3,
		Pairs: 10, TruePairs: 4, FoundPairs: 2, HitPairs: 1, Precision: 0.5, Recall: 0.25, Mixed: 1}
	got := g
	got.F1, got.Purity, got.Completeness = 0, 0, 0
	if got != want {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if !near(g.F1, 1.0/3) || !near(g.Purity, 0.8) || !near(g.Completeness, 0.6) {
		t.Errorf("F1 %v purity %v completeness %v", g.F1, g.Purity, g.Completeness)
	}

	// everything in one found gang: T1 = {a,b}, T2 = {c,d}
	truth = readGangs(t, `{"category":"k","entity":"a","gang":"T1"}
{"category":"k","entity":"b","gang":"T1"}
{"category":"k","entity":"c","gang":"T2"}
{"category":"k","entity":"d","gang":"T2"}
`)
	one := map[string]string{"k|a": "G", "k|b": "G", "k|c": "G", "k|d": "G"}
	g, _ = CompareGangs(truth, one)
	// true pairs 2, found pairs 6, hits 2: P = 1/3, R = 1, F1 = 1/2; purity 2/4
	if g.TruePairs != 2 || g.FoundPairs != 6 || g.HitPairs != 2 || !near(g.Precision, 1.0/3) || g.Recall != 1 ||
		!near(g.F1, 0.5) || g.Purity != 0.5 || g.Completeness != 1 || g.Mixed != 1 || g.FoundGangs != 1 {
		t.Errorf("one gang: %+v", g)
	}
	// every entity its own gang: nothing claimed (P = 1), nothing found (R = 0)
	alone := map[string]string{"k|a": "1", "k|b": "2", "k|c": "3", "k|d": "4"}
	g, _ = CompareGangs(truth, alone)
	if g.Precision != 1 || g.Recall != 0 || g.F1 != 0 || g.Purity != 1 || g.Completeness != 0.5 || g.Mixed != 0 {
		t.Errorf("singletons: %+v", g)
	}
	// exactly right, whatever the names
	right := map[string]string{"k|a": "x", "k|b": "x", "k|c": "y", "k|d": "y"}
	if g, _ = CompareGangs(truth, right); g.F1 != 1 || g.Purity != 1 || g.Completeness != 1 {
		t.Errorf("right: %+v", g)
	}
	if _, ok := CompareGangs(map[string]string{}, right); ok {
		t.Error("a truth without gangs was scored")
	}
}
