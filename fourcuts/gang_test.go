package fourcuts_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/zhudun/zhudun/fourcuts"
	"github.com/zhudun/zhudun/fourcuts/eval"
	"github.com/zhudun/zhudun/fourcuts/sim"
)

// TestGangsSplitAtSuppliers: one outlet bulk-opens cards for two studios
// that also rent one proxy; a third operation (an emulator farm) is tied
// together by nothing but its data-centre lines. The outlet and the proxy
// are suppliers: four gangs — each studio, the farm, and the outlet's unused
// stock — not one.
func TestGangsSplitAtSuppliers(t *testing.T) {
	s := &scene{t: t}
	s.population(40)
	card := func(k int) string { return fmt.Sprintf("1730000%04d", k) }
	for k := 0; k < 30; k++ {
		s.add(`{"type":"sim","ts":%q,"msisdn":%q,"imsi":"4600500000%05d","holder":%q,"outlet":"OUT-BAD","carrier":"cmcc","region":"370102","action":"activate"}`,
			ts(1, 2, k), card(k), k, rid("450102", k))
	}
	s.add(`{"type":"ip","ts":%q,"ip":"103.40.0.1","kind":"proxy"}`, ts(1, 0, 0))
	studio := func(name, imei string, first, proxied int) {
		for k := 0; k < 10; k++ {
			ip := fmt.Sprintf("27.19%s.0.%d", name[1:], k+1)
			if k < proxied {
				ip = "103.40.0.1" // the proxy both studios rent
			}
			s.add(`{"type":"reg","ts":%q,"platform":"app%d","account":"%s%d","msisdn":%q,"device":"fp-%s%d","imei":%q,"ip":%q,"model":"Xiaomi 11","os":"Android 11","flags":["hook"]}`,
				ts(3, 2, k*5), k%4, name, k, card(first+k), name, k, imei, ip)
		}
	}
	studio("s1", "865000000000017", 0, 4) // studio A: cards 0–9, four registrations by the proxy
	studio("s2", "865000000000025", 10, 2)
	// the farm: twelve numbers, two accounts each, a fresh fingerprint per
	// account, no IMEI, two data-centre addresses
	for k := 0; k < 12; k++ {
		for r := 0; r < 2; r++ {
			s.add(`{"type":"reg","ts":%q,"platform":"app%d","account":"e%d_%d","msisdn":"1760000%04d","device":"fp-e%d_%d","ip":"47.92.0.%d","model":"LDPlayer","os":"Android 7.1.2","flags":["emulator","hook"]}`,
				ts(2, 1+r, k), r, k, r, k, k, r, 1+(k+r)%2)
		}
	}
	res := s.detect(fourcuts.DefaultConfig())
	gang := map[string]string{}
	for _, f := range res.Findings {
		gang[f.Entity] = f.Gang
	}
	same := func(want string, ents ...string) {
		t.Helper()
		g := gang[ents[0]]
		for _, e := range ents {
			if gang[e] == "" {
				t.Errorf("%s: %s not found", want, e)
			} else if gang[e] != g {
				t.Errorf("%s: %s in %s, %s in %s", want, ents[0], g, e, gang[e])
			}
		}
	}
	same("studio A", card(0), card(9), "app0:s10", "app1:s19", "fp-s10", "27.191.0.5", "103.40.0.1")
	same("studio B", card(10), card(19), "app0:s20", "fp-s29", "27.192.0.10")
	same("the farm", "17600000000", "17600000011", "app0:e0_0", "app1:e11_1", "fp-e5_0", "47.92.0.1", "47.92.0.2")
	same("the outlet's unused stock", card(20), card(29))
	gs := map[string]bool{}
	for _, e := range []string{card(0), card(10), "17600000000", card(20)} {
		gs[gang[e]] = true
	}
	if len(gs) != 4 || res.Gangs != 4 {
		t.Errorf("gangs %v (%d in all), want four", gs, res.Gangs)
	}
}

// TestGangsAcrossWorlds runs worlds of different sizes, mixes of operations
// and degrees of sharing (dial-up pools, proxy providers, outlets and
// holders supplying several operations) and requires the gangs' pairwise F1
// to be at least 0.9 against the simulator's operations.
func TestGangsAcrossWorlds(t *testing.T) {
	worlds := []sim.Params{
		{Users: 4000, Days: 3, Seed: 41},
		{Users: 4000, Days: 2, Seed: 42, CatPools: 10, Studios: 15, EmuFarms: 5, GoIPs: 5, BulkOutlets: 10, HolderRings: 5},
		// harsh sharing: a small dial-up pool and one proxy provider for all
		{Users: 6000, Days: 3, Seed: 43, Studios: 12, CatPools: 3, EmuFarms: 3, DialupPool: 60, SharedProxies: 0.8, BulkOutlets: 6},
		{Users: 3000, Days: 5, Seed: 44, Studios: 10, CatPools: 1, EmuFarms: 6, RegsPerCard: 2, HolderRings: 8, SlotsMin: 4, SlotsMax: 8},
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
		tg, fg := map[string]string{}, map[string]string{}
		for _, x := range truth {
			tg[x.Category+"|"+x.Entity] = x.Gang
		}
		for _, f := range res.Findings {
			fg[f.Category+"|"+f.Entity] = f.Gang
		}
		g, ok := eval.CompareGangs(tg, fg)
		if !ok || g.F1 < 0.9 {
			t.Errorf("world %+v: gangs P=%.3f R=%.3f F1=%.3f purity %.3f (found %d, true %d)", p, g.Precision, g.Recall, g.F1, g.Purity, g.FoundGangs, g.TrueGangs)
		} else {
			t.Logf("seed %d: gangs F1 %.4f (P %.4f R %.4f), %d found, %d true", p.Seed, g.F1, g.Precision, g.Recall, g.FoundGangs, g.TrueGangs)
		}
		for _, s := range scores(t, truth, res) {
			if s.F1 < 0.95 {
				t.Errorf("world %+v: %s F1=%.3f", p, s.Category, s.F1)
			}
		}
	}
}
