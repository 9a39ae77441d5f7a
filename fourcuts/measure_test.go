//go:build measure

package fourcuts_test

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/zhudun/zhudun/fourcuts"
	"github.com/zhudun/zhudun/fourcuts/sim"
)

// TestMeasure (go test -tags measure -run TestMeasure ./fourcuts/ -v) scores
// the stressor worlds named in MEASURE_WORLDS (comma list; empty: all) at
// MEASURE_USERS × MEASURE_DAYS, seeds world seed + each of MEASURE_SEEDS,
// and prints per category P/R, worst F1, and (MEASURE_WHY=1) each miss and
// false positive with its operation kind and lead evidence.
// MEASURE_CONFIG is a JSON fourcuts.Config over the defaults, to measure
// with a rule switched off (e.g. {"NoCellTies":true,"StructureChainHub":5}).
func TestMeasure(t *testing.T) {
	env := func(k, d string) string {
		if v := os.Getenv(k); v != "" {
			return v
		}
		return d
	}
	users, _ := strconv.Atoi(env("MEASURE_USERS", "6000"))
	days, _ := strconv.Atoi(env("MEASURE_DAYS", "4"))
	want := map[string]bool{}
	for _, n := range strings.Split(os.Getenv("MEASURE_WORLDS"), ",") {
		if n != "" {
			want[n] = true
		}
	}
	why := os.Getenv("MEASURE_WHY") != ""
	var offs []uint64
	for _, s := range strings.Split(env("MEASURE_SEEDS", "0"), ",") {
		v, _ := strconv.ParseUint(s, 10, 64)
		offs = append(offs, v)
	}
	for _, w := range stressWorlds() {
		if len(want) > 0 && !want[w.name] {
			continue
		}
		for _, off := range offs {
			p := w.p
			p.Seed += off
			p.Users, p.Days = users, days
			_, _, _, truth, _ := sim.Generate(p)
			var cfg fourcuts.Config
			if c := os.Getenv("MEASURE_CONFIG"); c != "" {
				if err := json.Unmarshal([]byte(c), &cfg); err != nil {
					t.Fatalf("MEASURE_CONFIG: %v", err)
				}
			}
			cfg.Leads = why
			e := fourcuts.NewEngine(cfg)
			evs := sim.Events(p)
			for i := range evs {
				e.Add(&evs[i])
			}
			res := e.Detect()
			var b strings.Builder
			worst := 1.0
			for _, s := range scores(t, truth, res) {
				fmt.Fprintf(&b, " %s %.3f/%.3f", strings.TrimPrefix(s.Category, "black_"), s.Precision, s.Recall)
				worst = min(worst, s.F1)
			}
			flag := ""
			if worst < 0.95 {
				flag = " <<<"
			}
			fmt.Printf("MEASURE %-16s seed=%-5d %dx%d worstF1=%.3f%s%s\n", w.name, p.Seed, users, days, worst, b.String(), flag)
			if !why {
				continue
			}
			kinds := sim.Operations(p)
			found := map[string]fourcuts.Finding{}
			for _, f := range res.Findings {
				found[f.Category+"|"+f.Entity] = f
			}
			leads := map[string]fourcuts.Finding{}
			for _, f := range res.Leads {
				leads[f.Category+"|"+f.Entity] = f
			}
			inTruth := map[string]bool{}
			miss := map[string]int{}
			for _, x := range truth {
				k := x.Category + "|" + x.Entity
				inTruth[k] = true
				if _, ok := found[k]; !ok {
					kind := kinds[x.Gang]
					miss[x.Category+" "+kind]++
					fmt.Printf("  MISS %s %s gang=%s kind=%s lead=%s\n", x.Category, x.Entity, x.Gang, kind, evs2(leads[k]))
				}
			}
			for _, f := range res.Findings {
				if !inTruth[f.Category+"|"+f.Entity] {
					fmt.Printf("  FP   %s %s score=%.2f ev=%s\n", f.Category, f.Entity, f.Score, evs2(f))
				}
			}
			// per operation with misses: found / truth per category
			type gc struct{ found, all int }
			per := map[string]map[string]*gc{}
			for _, x := range truth {
				if per[x.Gang] == nil {
					per[x.Gang] = map[string]*gc{}
				}
				c := per[x.Gang][x.Category]
				if c == nil {
					c = &gc{}
					per[x.Gang][x.Category] = c
				}
				c.all++
				if _, ok := found[x.Category+"|"+x.Entity]; ok {
					c.found++
				}
			}
			var gs []string
			for g := range per {
				gs = append(gs, g)
			}
			sort.Strings(gs)
			for _, g := range gs {
				var b strings.Builder
				short := false
				for _, cat := range []string{fourcuts.BlackCard, fourcuts.BlackAccount, fourcuts.BlackLine, fourcuts.BlackDevice, fourcuts.BlackSoftware} {
					if c := per[g][cat]; c != nil {
						fmt.Fprintf(&b, " %s %d/%d", strings.TrimPrefix(cat, "black_"), c.found, c.all)
						short = short || c.found < c.all
					}
				}
				if short {
					fmt.Printf("  GANG %s kind=%s%s\n", g, kinds[g], b.String())
				}
			}
			var ks []string
			for k := range miss {
				ks = append(ks, k)
			}
			sort.Strings(ks)
			for _, k := range ks {
				fmt.Printf("  MISSES %s: %d\n", k, miss[k])
			}
		}
	}
}

func evs2(f fourcuts.Finding) string {
	var s []string
	for _, e := range f.Evidence {
		s = append(s, fmt.Sprintf("%s(%.2f v=%g)", e.Signal, e.Weight, e.Value))
	}
	if len(s) == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f:", f.Score) + strings.Join(s, ",")
}
