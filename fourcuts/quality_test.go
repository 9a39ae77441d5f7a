package fourcuts_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/zhudun/zhudun/fourcuts"
	"github.com/zhudun/zhudun/fourcuts/eval"
	"github.com/zhudun/zhudun/fourcuts/feed"
	"github.com/zhudun/zhudun/fourcuts/sim"
)

// detectDir reads a feed directory (files in the given order) and detects.
func detectDir(t *testing.T, files []string, workers int) *fourcuts.Result {
	t.Helper()
	e := fourcuts.NewEngine(fourcuts.DefaultConfig())
	_, err := feed.Read(context.Background(), files, feed.Options{Workers: workers}, func(b *feed.Batch) {
		for i := range b.Events {
			e.Add(&b.Events[i])
		}
	}, func(r feed.Reject) { t.Errorf("unexpected reject %+v", r) })
	if err != nil {
		t.Fatal(err)
	}
	return e.Detect()
}

func scores(t *testing.T, truth []sim.Truth, res *fourcuts.Result) []eval.Score {
	tr := map[string]map[string]bool{}
	for _, x := range truth {
		if tr[x.Category] == nil {
			tr[x.Category] = map[string]bool{}
		}
		tr[x.Category][x.Entity] = true
	}
	fd := map[string]map[string]bool{}
	for _, f := range res.Findings {
		if fd[f.Category] == nil {
			fd[f.Category] = map[string]bool{}
		}
		fd[f.Category][f.Entity] = true
	}
	return eval.Compare(tr, fd)
}

// TestQualityAcrossWorlds runs the whole path — simulate to files, read,
// detect, score — over worlds whose sizes, rates and proportions differ,
// and requires F1 ≥ 0.95 in every category of every world.
func TestQualityAcrossWorlds(t *testing.T) {
	worlds := []sim.Params{
		{Users: 4000, Days: 3, Seed: 11},
		{Users: 3000, Days: 5, Seed: 12, CatPools: 6, Studios: 2, GoIPs: 0.1, EmuFarms: 4, SlotsMin: 4, SlotsMax: 8},
		{Users: 5000, Days: 2, Seed: 13, Couriers: 0.05, Sales: 0.05, Gamers: 0.08, MultiCard: 0.1, Companies: 5,
			InvalidIMEIShare: 0.01, RegsPerCard: 2, DialupIntelShare: 0.01, HolderPseudonyms: 0.5},
		{Users: 3000, Days: 7, Seed: 14, Studios: 8, CatPools: 1, BulkOutlets: 5, HolderRings: 3, Jitter: 10 * time.Minute, Duplicates: 0.05},
	}
	if testing.Short() {
		worlds = worlds[:2]
	}
	for _, p := range worlds {
		dir := t.TempDir()
		sum, err := sim.Write(p, filepath.Join(dir, "feed"), filepath.Join(dir, "truth.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		_, _, _, truth, _ := sim.Generate(p)
		res := detectDir(t, sum.Files, 2)
		for _, s := range scores(t, truth, res) {
			if s.F1 < 0.95 {
				t.Errorf("world %+v: %s P=%.3f R=%.3f F1=%.3f (truth %d, found %d)", p, s.Category, s.Precision, s.Recall, s.F1, s.Truth, s.Found)
			}
		}
	}
}

// TestDeterminism: file order and the number of readers change nothing,
// gang ids included.
func TestDeterminism(t *testing.T) {
	dir := t.TempDir()
	sum, err := sim.Write(sim.Params{Users: 2000, Days: 2, Seed: 5}, filepath.Join(dir, "feed"), filepath.Join(dir, "t.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	want := render(detectDir(t, sum.Files, 1))
	if len(want) == 0 {
		t.Fatal("no findings")
	}
	rev := slices.Clone(sum.Files)
	slices.Reverse(rev)
	for _, w := range []int{2, 4} {
		if got := render(detectDir(t, rev, w)); got != want {
			t.Fatalf("reversed files, %d workers: findings differ", w)
		}
	}
}

// TestRejectsExactlyOnce: each malformed line the simulator injects is
// reported once, with its file and line, and nothing else is rejected.
func TestRejectsExactlyOnce(t *testing.T) {
	dir := t.TempDir()
	sum, err := sim.Write(sim.Params{Users: 1000, Days: 2, Seed: 9, Malformed: 25}, filepath.Join(dir, "feed"), filepath.Join(dir, "t.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var got []feed.Reject
	_, err = feed.Read(context.Background(), sum.Files, feed.Options{}, func(*feed.Batch) {}, func(r feed.Reject) { got = append(got, r) })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(sum.Malformed) {
		t.Fatalf("%d rejects, %d injected: %+v", len(got), len(sum.Malformed), got)
	}
	want := map[sim.Malformed]int{}
	for _, m := range sum.Malformed {
		want[m]++
	}
	for _, r := range got {
		k := sim.Malformed{File: r.File, Line: r.Line}
		if want[k] == 0 {
			t.Errorf("unexpected reject %+v", r)
		}
		want[k]--
	}
}
