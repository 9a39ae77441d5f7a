// Package eval scores findings against a ground truth: precision, recall and
// F1 per category over entity sets, as docs/spec/events.md defines them (a
// category empty in both scores F1 = 1).
package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/fourcuts"
)

// Score is the outcome for one category.
type Score struct {
	Category           string
	Truth, Found, Hits int
	Precision, Recall  float64
	F1                 float64
}

type entry struct {
	Category string `json:"category"`
	Entity   string `json:"entity"`
	Gang     string `json:"gang"`
}

// ReadSet reads JSON Lines of {category, entity, …} into per-category sets.
// name is used in error messages.
func ReadSet(r io.Reader, name string) (map[string]map[string]bool, error) {
	sets, _, err := Read(r, name)
	return sets, err
}

// Read reads JSON Lines of {category, entity, gang, …} into per-category
// sets and the gang of each labelled entity, keyed "category|entity"
// (entities without a gang are left out of the map). When an entity is
// listed twice with different gangs, the last line wins.
func Read(r io.Reader, name string) (sets map[string]map[string]bool, gangs map[string]string, err error) {
	sets = map[string]map[string]bool{}
	gangs = map[string]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		var e entry
		if err := json.Unmarshal(line, &e); err != nil {
			return nil, nil, zhudun.Errorf(zhudun.EINVALID, "%s line %d: %v", name, n, err)
		}
		if e.Category == "" {
			return nil, nil, zhudun.Errorf(zhudun.EINVALID, "%s line %d: no category", name, n)
		}
		if sets[e.Category] == nil {
			sets[e.Category] = map[string]bool{}
		}
		sets[e.Category][e.Entity] = true
		if e.Gang != "" {
			gangs[e.Category+"|"+e.Entity] = e.Gang
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, zhudun.Errorf(zhudun.EINVALID, "%s: %v", name, err)
	}
	return sets, gangs, nil
}

// Compare scores found against truth for the contract's categories (and
// any other category either mentions), sorted in the contract's order.
func Compare(truth, found map[string]map[string]bool) []Score {
	cats := append([]string(nil), fourcuts.Categories...)
	known := map[string]bool{}
	for _, c := range cats {
		known[c] = true
	}
	var extra []string
	for _, m := range []map[string]map[string]bool{truth, found} {
		for c := range m {
			if !known[c] {
				known[c] = true
				extra = append(extra, c)
			}
		}
	}
	sort.Strings(extra)
	cats = append(cats, extra...)
	var out []Score
	for _, c := range cats {
		t, f := truth[c], found[c]
		s := Score{Category: c, Truth: len(t), Found: len(f)}
		for e := range f {
			if t[e] {
				s.Hits++
			}
		}
		switch {
		case s.Truth == 0 && s.Found == 0:
			s.Precision, s.Recall, s.F1 = 1, 1, 1
		default:
			if s.Found > 0 {
				s.Precision = float64(s.Hits) / float64(s.Found)
			}
			if s.Truth > 0 {
				s.Recall = float64(s.Hits) / float64(s.Truth)
			}
			if s.Precision+s.Recall > 0 {
				s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
			}
		}
		out = append(out, s)
	}
	return out
}

// Print writes a table of scores.
func Print(w io.Writer, scores []Score) {
	fmt.Fprintf(w, "%-16s %7s %7s %7s %9s %7s %7s\n", "category", "truth", "found", "hits", "precision", "recall", "F1")
	for _, s := range scores {
		fmt.Fprintf(w, "%-16s %7d %7d %7d %9.4f %7.4f %7.4f\n", s.Category, s.Truth, s.Found, s.Hits, s.Precision, s.Recall, s.F1)
	}
}

// GangScore is the quality of the gang grouping, measured over the true
// positives that carry a gang on both sides (an entity found and in the
// truth, in the same category).
//
// Pairwise: every pair of such entities is a positive when the truth puts
// both in one gang, and predicted positive when the findings do; precision
// is the share of found same-gang pairs that are truly same-gang, recall the
// share of true same-gang pairs that were found so. A side with no pairs
// scores 1 (nothing claimed, or nothing to find). Purity is the share of
// entities that belong to the true gang most common in their found gang
// (1 when no found gang mixes operations); Completeness the same with the
// roles swapped (1 when no operation is split over found gangs).
type GangScore struct {
	Entities   int // true positives with a gang in both files
	TrueGangs  int // distinct gangs in the truth (all labelled entities)
	FoundGangs int // distinct gangs in the findings (all findings)
	// the same, counted over the true positives only
	TrueGangsTP, FoundGangsTP       int
	Pairs                           int64 // pairs of true positives
	TruePairs, FoundPairs, HitPairs int64
	Precision, Recall, F1           float64
	Purity, Completeness            float64
	Mixed                           int // found gangs holding entities of more than one true gang
}

// CompareGangs scores the found gangs against the true gangs; both maps are
// keyed "category|entity" as Read returns them. ok is false when either side
// has no gang labels at all.
func CompareGangs(truth, found map[string]string) (g GangScore, ok bool) {
	if len(truth) == 0 || len(found) == 0 {
		return g, false
	}
	distinct := func(m map[string]string) int {
		s := map[string]bool{}
		for _, v := range m {
			s[v] = true
		}
		return len(s)
	}
	g.TrueGangs, g.FoundGangs = distinct(truth), distinct(found)
	type cell struct{ t, f string }
	cells := map[cell]int64{}
	tSize, fSize := map[string]int64{}, map[string]int64{}
	for k, fg := range found {
		tg, in := truth[k]
		if !in {
			continue
		}
		g.Entities++
		cells[cell{tg, fg}]++
		tSize[tg]++
		fSize[fg]++
	}
	g.TrueGangsTP, g.FoundGangsTP = len(tSize), len(fSize)
	pairs := func(n int64) int64 { return n * (n - 1) / 2 }
	n := int64(g.Entities)
	g.Pairs = pairs(n)
	for _, c := range tSize {
		g.TruePairs += pairs(c)
	}
	for _, c := range fSize {
		g.FoundPairs += pairs(c)
	}
	bestT, bestF := map[string]int64{}, map[string]int64{}
	kinds := map[string]int{}
	for c, m := range cells {
		g.HitPairs += pairs(m)
		bestF[c.f] = max(bestF[c.f], m)
		bestT[c.t] = max(bestT[c.t], m)
		kinds[c.f]++
	}
	for _, k := range kinds {
		if k > 1 {
			g.Mixed++
		}
	}
	ratio := func(a, b int64) float64 {
		if b == 0 {
			return 1
		}
		return float64(a) / float64(b)
	}
	g.Precision, g.Recall = ratio(g.HitPairs, g.FoundPairs), ratio(g.HitPairs, g.TruePairs)
	if g.Precision+g.Recall > 0 {
		g.F1 = 2 * g.Precision * g.Recall / (g.Precision + g.Recall)
	}
	var sf, st int64
	for _, v := range bestF {
		sf += v
	}
	for _, v := range bestT {
		st += v
	}
	g.Purity, g.Completeness = ratio(sf, n), ratio(st, n)
	return g, true
}

// PrintGangs writes the gang quality below the per-category table.
func PrintGangs(w io.Writer, g GangScore, ok bool) {
	if !ok {
		fmt.Fprintln(w, "gangs: not scored (no gang labels in the truth or the findings)")
		return
	}
	fmt.Fprintf(w, "gangs: %d found (%d over true positives), %d true (%d over true positives); %d found gangs mix operations\n",
		g.FoundGangs, g.FoundGangsTP, g.TrueGangs, g.TrueGangsTP, g.Mixed)
	fmt.Fprintf(w, "%-16s %7s %7s %7s %9s %7s %7s\n", "gang pairs", "true", "found", "hits", "precision", "recall", "F1")
	fmt.Fprintf(w, "%-16s %7d %7d %7d %9.4f %7.4f %7.4f\n", "same gang", g.TruePairs, g.FoundPairs, g.HitPairs, g.Precision, g.Recall, g.F1)
	fmt.Fprintf(w, "purity %.4f, completeness %.4f over %d true positives\n", g.Purity, g.Completeness, g.Entities)
}
