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
}

// ReadSet reads JSON Lines of {category, entity, …} into per-category sets.
// name is used in error messages.
func ReadSet(r io.Reader, name string) (map[string]map[string]bool, error) {
	sets := map[string]map[string]bool{}
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
			return nil, zhudun.Errorf(zhudun.EINVALID, "%s line %d: %v", name, n, err)
		}
		if e.Category == "" {
			return nil, zhudun.Errorf(zhudun.EINVALID, "%s line %d: no category", name, n)
		}
		if sets[e.Category] == nil {
			sets[e.Category] = map[string]bool{}
		}
		sets[e.Category][e.Entity] = true
	}
	if err := sc.Err(); err != nil {
		return nil, zhudun.Errorf(zhudun.EINVALID, "%s: %v", name, err)
	}
	return sets, nil
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
