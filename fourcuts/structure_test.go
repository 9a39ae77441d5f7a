package fourcuts_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/zhudun/zhudun/fourcuts"
	"github.com/zhudun/zhudun/fourcuts/sim"
)

// resident is population member i of scene.population: its number and the
// handset it calls from.
func resident(i int) (msisdn, imei string) {
	return fmt.Sprintf("1390000%04d", i), luhn(fmt.Sprintf("861234000%05d", i))
}

func (s *scene) reg(when, plat, acct, msisdn, fp, imei, ip, model, os string) {
	s.t.Helper()
	imeiField := ""
	if imei != "" {
		imeiField = fmt.Sprintf(`"imei":%q,`, imei)
	}
	s.add(`{"type":"reg","ts":%q,"platform":%q,"account":%q,"msisdn":%q,"device":%q,%s"ip":%q,"model":%q,"os":%q}`,
		when, plat, acct, msisdn, fp, imeiField, ip, model, os)
}

// quietOp adds an operation whose every entity looks ordinary: it rents
// the numbers of the given residents (who go on using them: each has an
// account of their own on their own phone at home), and registers two
// accounts per number on four phones of its own — two Android handsets
// that report their IMEI, two iPhones that do not — at most four numbers
// per phone, at ordinary hours, through two broadband lines of its own.
// Each number passes through two neighbouring phones of a ring (of as many
// phones as numbers, at most four), so the numbers × phones web is one
// cycle. It returns the accounts the operation
// registered and the residents' own.
func (s *scene) quietOp(tag int, residents []int) (opAccts, ownAccts []string) {
	type ph struct{ fp, imei, model, os string }
	phones := []ph{
		{fmt.Sprintf("fp-op%d-a1", tag), luhn(fmt.Sprintf("358%03d%08d", tag, 1)), "HUAWEI P40", "HarmonyOS 2.0"},
		{fmt.Sprintf("fp-op%d-i1", tag), "", "iPhone 13", "iOS 16.1"},
		{fmt.Sprintf("fp-op%d-a2", tag), luhn(fmt.Sprintf("358%03d%08d", tag, 2)), "Xiaomi 12", "Android 12"},
		{fmt.Sprintf("fp-op%d-i2", tag), "", "iPhone 12", "iOS 15.7"},
	}
	plats := []string{"weibo", "zhihu", "bilibili", "momo"}
	for k, r := range residents {
		m, imei := resident(r)
		own := fmt.Sprintf("own-%d-%d", tag, k)
		s.reg(ts(1, 20, k), "wechat", own, m, fmt.Sprintf("fp-home-%d", r), imei, fmt.Sprintf("60.1.%d.1", r), "OPPO Reno8", "Android 13")
		ownAccts = append(ownAccts, "wechat:"+own)
		for j := range 2 {
			p := phones[(k+j)%min(len(phones), len(residents))]
			acct := fmt.Sprintf("op%d-%d-%d", tag, k, j)
			pl := plats[(k+2*j)%len(plats)]
			s.reg(ts(2+j, 9+k, 10*j), pl, acct, m, p.fp, p.imei, fmt.Sprintf("61.2.%d.%d", tag, 1+k%2), p.model, p.os)
			opAccts = append(opAccts, pl+":"+acct)
		}
	}
	return opAccts, ownAccts
}

// chainOp adds an operation on iPhones that resets its app data after
// every two numbers: each fingerprint carries two of the rented numbers,
// the next fingerprint the second of them and a new one — a path of
// len(residents)−1 fingerprints, with no cycle, so no biconnected web.
// The residents go on using their numbers (an account of their own on
// their own phone at home). It returns the operation's accounts and
// fingerprints.
func (s *scene) chainOp(tag int, residents []int) (opAccts, fps []string) {
	for k, r := range residents {
		m, imei := resident(r)
		s.reg(ts(1, 20, k), "wechat", fmt.Sprintf("own-ch%d-%d", tag, k), m, fmt.Sprintf("fp-home-%d", r), imei, fmt.Sprintf("60.1.%d.1", r), "OPPO Reno8", "Android 13")
	}
	for k := 0; k+1 < len(residents); k++ {
		fp := fmt.Sprintf("fp-ch%d-%d", tag, k)
		fps = append(fps, fp)
		for j, r := range residents[k : k+2] {
			m, _ := resident(r)
			acct := fmt.Sprintf("ch%d-%d-%d", tag, k, j)
			pl := []string{"weibo", "zhihu", "momo"}[(k+j)%3]
			s.reg(ts(2+j, 9+k, 10*j), pl, acct, m, fp, "", fmt.Sprintf("61.3.%d.%d", tag, 1+k%2), "iPhone 12", "iOS 15.7")
			opAccts = append(opAccts, pl+":"+acct)
		}
	}
	return opAccts, fps
}

// lookalikes adds the ordinary dense structures an operation must not be
// confused with, and returns every number, account, fingerprint and
// address they use.
func (s *scene) lookalikes() []string {
	var all []string
	// a family of four Android users who never called each other in the
	// feed (different holders, too) and set up accounts on each other's
	// phones: each phone carries its owner's calls
	for i := range 4 {
		m := fmt.Sprintf("1391000%04d", i)
		imei := luhn(fmt.Sprintf("86123500%06d", i))
		s.cdr(m, "05310000000", "mo", 60, fmt.Sprintf("4600200000%05d", i), imei, "460-00-2-1", ts(1, 10, i))
		for j := range 3 {
			owner := (i + j) % 4
			acct := fmt.Sprintf("fam-%d-%d", i, j)
			s.reg(ts(2, 12+j, i), "app"+fmt.Sprint(j), acct, m, fmt.Sprintf("fp-fam-%d", owner),
				luhn(fmt.Sprintf("86123500%06d", owner)), "60.3.0.1", "HUAWEI P40", "HarmonyOS 2.0")
			all = append(all, "app"+fmt.Sprint(j)+":"+acct, fmt.Sprintf("fp-fam-%d", owner))
		}
		all = append(all, m)
	}
	// an iPhone family of four who call each other and verify each other's
	// accounts on their phones
	for i := range 4 {
		m := fmt.Sprintf("1392000%04d", i)
		peer := fmt.Sprintf("1392000%04d", (i+1)%4)
		s.cdr(m, peer, "mo", 120, fmt.Sprintf("4600300000%05d", i), luhn(fmt.Sprintf("35300000%06d", i)), "460-00-3-1", ts(1, 18, i))
		for j := range 3 {
			acct := fmt.Sprintf("ifam-%d-%d", i, j)
			s.reg(ts(3, 12+j, i), "app"+fmt.Sprint(j), acct, m, fmt.Sprintf("fp-ifam-%d", (i+j)%4), "", "60.3.0.2", "iPhone 14", "iOS 17.0")
			all = append(all, "app"+fmt.Sprint(j)+":"+acct)
		}
		all = append(all, m)
	}
	// a person with four cards (one holder, opened over the years at
	// ordinary outlets, four carriers' worth) who sets each up on both
	// their iPhone and iPad: four numbers × two phones, no calls between
	// them, no IMEI
	for k := range 4 {
		m := fmt.Sprintf("1395000%04d", k)
		s.add(`{"type":"sim","ts":"20%02d-03-01T10:00:00+08:00","msisdn":%q,"imsi":"4600800000%05d","holder":%q,"outlet":"OUT-GOOD","carrier":%q,"region":"370102","action":"activate"}`,
			15+k, m, k, rid("370103", 7), []string{"cmcc", "cucc", "ctcc", "cbn"}[k])
		for j, fp := range []string{"fp-multi-phone", "fp-multi-pad"} {
			acct := fmt.Sprintf("multi-%d-%d", k, j)
			s.reg(ts(2, 10+k, j), "app"+fmt.Sprint(k), acct, m, fp, "", "60.5.0.1", []string{"iPhone 15", "iPad Air"}[j], "iOS 17.2")
			all = append(all, "app"+fmt.Sprint(k)+":"+acct)
		}
		all = append(all, m)
	}
	all = append(all, "fp-multi-phone", "fp-multi-pad", "60.5.0.1")
	// an iPhone household of four who never called each other in the feed
	// and set up accounts on each other's phones; each also registers from
	// a tablet of their own at home, on the household's line
	for i := range 4 {
		m := fmt.Sprintf("1396000%04d", i)
		for j := range 2 {
			acct := fmt.Sprintf("hh-%d-%d", i, j)
			s.reg(ts(2, 19+j, i), "app"+fmt.Sprint(j), acct, m, fmt.Sprintf("fp-hh-%d", (i+j)%4), "", "60.6.0.1", "iPhone 14", "iOS 17.0")
			all = append(all, "app"+fmt.Sprint(j)+":"+acct)
		}
		s.reg(ts(3, 21, i), "video", fmt.Sprintf("hh-tab-%d", i), m, fmt.Sprintf("fp-hh-tab-%d", i), "", "60.6.0.1", "iPad Air", "iOS 17.0")
		all = append(all, m, fmt.Sprintf("video:hh-tab-%d", i))
	}
	all = append(all, "60.6.0.1")
	// a resident setting up a new phone: a dozen apps in an afternoon
	m, _ := resident(58)
	for j := range 12 {
		s.reg(ts(2, 14, 5*j), fmt.Sprintf("app%d", j), fmt.Sprintf("new-%d", j), m, "fp-new", luhn("86123600000001"), "60.4.0.1", "vivo X90", "Android 13")
		all = append(all, fmt.Sprintf("app%d:new-%d", j, j))
	}
	all = append(all, m, "fp-new")
	// an office: forty staff (residents 60…99) on their own phones behind
	// one line
	for k := 60; k < 100; k++ {
		m, imei := resident(k)
		s.reg(ts(3, 9, k-60), "dingtalk", fmt.Sprintf("staff-%d", k), m, fmt.Sprintf("fp-staff-%d", k), imei, "221.0.0.9", "HUAWEI P40", "HarmonyOS 2.0")
		all = append(all, m, fmt.Sprintf("dingtalk:staff-%d", k))
	}
	return append(all, "60.3.0.1", "60.3.0.2", "60.4.0.1", "221.0.0.9")
}

// The residents the operation rents from: population members who do not
// call one another (the population calls i → i+1). Residents 58 and
// 60…99 are look-alikes.
var rented = []int{5, 15, 25, 35, 45, 55}

func structureScene(t *testing.T) (s *scene, opAccts, ownAccts, clean []string) {
	s = &scene{t: t}
	s.population(100)
	opAccts, ownAccts = s.quietOp(1, rented)
	clean = s.lookalikes()
	return s, opAccts, ownAccts, clean
}

func TestStructureOperation(t *testing.T) {
	s, opAccts, ownAccts, clean := structureScene(t)
	res := s.detect(fourcuts.DefaultConfig())
	cards, accts := byCat(res, fourcuts.BlackCard), byCat(res, fourcuts.BlackAccount)
	fps, lines, devices := byCat(res, fourcuts.BlackSoftware), byCat(res, fourcuts.BlackLine), byCat(res, fourcuts.BlackDevice)
	for _, r := range rented {
		m, imei := resident(r)
		f, ok := cards[m]
		if !ok {
			t.Errorf("rented number %s not found", m)
			continue
		}
		ev := f.Evidence[slices.IndexFunc(f.Evidence, func(e fourcuts.Evidence) bool { return e.Signal == "dense_structure" })]
		measure := map[string]float64{}
		for _, l := range ev.Measures {
			measure[l.Name] = l.Value
		}
		// six strangers, six numbers, four phones (two IMEIs, two iPhone
		// fingerprints), twelve pairs
		if ev.Value != 6 || ev.Threshold != 4 || measure["numbers"] != 6 || measure["phones"] != 4 || measure["edges"] != 12 ||
			measure["density"] != 0.5 || measure["lift"] < 3 || measure["log10p"] > 0 {
			t.Errorf("%s: dense_structure %+v", m, ev)
		}
		if _, ok := devices[imei]; ok {
			t.Errorf("the resident's own handset %s is a black device", imei)
		}
	}
	for _, a := range opAccts {
		if _, ok := accts[a]; !ok {
			t.Errorf("operation account %s not found", a)
		}
	}
	for _, a := range ownAccts {
		if f, ok := accts[a]; ok {
			t.Errorf("the resident's own account %s convicted: %+v", a, f.Evidence)
		}
	}
	for _, fp := range []string{"fp-op1-a1", "fp-op1-i1", "fp-op1-a2", "fp-op1-i2"} {
		if _, ok := fps[fp]; !ok {
			t.Errorf("operation fingerprint %s not found", fp)
		}
	}
	// its lines follow in the graph stage: every account on them is black
	for _, ip := range []string{"61.2.1.1", "61.2.1.2"} {
		if _, ok := lines[ip]; !ok {
			t.Errorf("operation line %s not found: %v", ip, keys(lines))
		}
	}
	for _, f := range res.Findings {
		if slices.Contains(clean, f.Entity) || strings.HasPrefix(f.Entity, "fp-home-") || strings.HasPrefix(f.Entity, "60.1.") {
			t.Errorf("look-alike convicted: %s %s %+v", f.Category, f.Entity, f.Evidence)
		}
	}
	if len(cards) != len(rented) || len(accts) != len(opAccts) || len(fps) != 4 || len(lines) != 2 || len(devices) != 0 {
		t.Errorf("cards %d accounts %d fingerprints %d lines %d devices %d, want %d, %d, 4, 2, 0",
			len(cards), len(accts), len(fps), len(lines), len(devices), len(rented), len(opAccts))
	}
}

// Ablation and thresholds: the operation is found through the stage alone
// (without it nothing convicts its numbers), and each threshold is in
// force.
func TestStructureConfig(t *testing.T) {
	s, _, _, _ := structureScene(t)
	m0, _ := resident(rented[0])
	for _, tc := range []struct {
		name  string
		cfg   func(*fourcuts.Config)
		found bool
	}{
		{"default", func(*fourcuts.Config) {}, true},
		{"stage off", func(c *fourcuts.Config) { c.Off = []string{"dense_structure"} }, false},
		{"six strangers suffice", func(c *fourcuts.Config) { c.StructureStrangers = 6 }, true},
		{"seven strangers needed", func(c *fourcuts.Config) { c.StructureStrangers, c.StructureChainStrangers = 7, 7 }, false},
		{"lift the web does not reach", func(c *fourcuts.Config) { c.StructureLift = 1e6 }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fourcuts.DefaultConfig()
			tc.cfg(&cfg)
			res := s.detect(cfg)
			if _, ok := byCat(res, fourcuts.BlackCard)[m0]; ok != tc.found {
				t.Errorf("rented number found %v, want %v", ok, tc.found)
			}
			if got := len(byCat(res, fourcuts.BlackAccount)); !tc.found && got != 0 {
				t.Errorf("%d accounts found without the stage", got)
			}
		})
	}
}

// Three strangers are below StructureStrangers (4): a household can look
// so. Two webs of three that share nothing stay two webs.
func TestStructureSmallWebs(t *testing.T) {
	s := &scene{t: t}
	s.population(100)
	s.quietOp(1, []int{5, 15, 25})
	s.quietOp(2, []int{35, 45, 55})
	s.lookalikes()
	res := s.detect(fourcuts.DefaultConfig())
	if n := len(byCat(res, fourcuts.BlackCard)); n != 0 {
		t.Errorf("%d cards from webs of three strangers, want 0", n)
	}
	cfg := fourcuts.DefaultConfig()
	cfg.StructureStrangers = 3
	if n := len(byCat(s.detect(cfg), fourcuts.BlackCard)); n != 6 {
		t.Errorf("StructureStrangers 3: %d cards, want 6", n)
	}
}

// The simulator's ordinary-looking operations (--quiet-ops): found with the
// stage in every category (TestStressWorlds gates the world at 0.95), and
// not without it.
func TestStructureQuietOpsAblation(t *testing.T) {
	p := sim.Params{Users: 3000, Days: 3, Seed: 111, QuietOps: 10}
	_, _, _, truth, _ := sim.Generate(p)
	evs := sim.Events(p)
	run := func(off []string) map[string]float64 {
		cfg := fourcuts.DefaultConfig()
		cfg.Off = off
		e := fourcuts.NewEngine(cfg)
		for i := range evs {
			e.Add(&evs[i])
		}
		rec := map[string]float64{}
		for _, sc := range scores(t, truth, e.Detect()) {
			rec[sc.Category] = sc.Recall
			if off == nil && (sc.Precision < 0.95 || sc.Recall < 0.95) {
				t.Errorf("with the stage: %s P=%.3f R=%.3f", sc.Category, sc.Precision, sc.Recall)
			}
		}
		return rec
	}
	run(nil)
	without := run([]string{"dense_structure", "stranger_phone_chain"})
	for _, c := range []string{fourcuts.BlackCard, fourcuts.BlackAccount, fourcuts.BlackLine, fourcuts.BlackSoftware} {
		if without[c] >= 0.95 {
			t.Errorf("without the stage %s recall %.3f: the world does not need it", c, without[c])
		}
	}
}

// BenchmarkDetectStructure: Detect over a 20,000-person, three-day city
// with ten ordinary-looking operations, with and without the stage (the
// difference is the stage's cost).
func BenchmarkDetectStructure(b *testing.B) {
	evs := sim.Events(sim.Params{Users: 20000, Days: 3, Seed: 7, QuietOps: 10})
	for _, bc := range []struct {
		name string
		off  []string
	}{{"on", nil}, {"off", []string{"dense_structure"}}} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := fourcuts.DefaultConfig()
			cfg.Off = bc.off
			e := fourcuts.NewEngine(cfg)
			for i := range evs {
				e.Add(&evs[i])
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				e.Detect()
			}
		})
	}
}

// TestStructureChain: an iPhone operation whose app data is reset after
// every two numbers leaves a path of fingerprints, no web; it is found as
// a chain of stranger-shared phones (stranger_phone_chain), each
// threshold in force, and the residents' own accounts are spared.
func TestStructureChain(t *testing.T) {
	build := func(bool) *scene {
		s := &scene{t: t}
		s.population(100)
		s.chainOp(1, []int{5, 15, 25, 35, 45, 55})
		s.lookalikes()
		return s
	}
	for _, split := range []bool{false} {
		s := build(split)
		res := s.detect(fourcuts.DefaultConfig())
		cards := byCat(res, fourcuts.BlackCard)
		for _, r := range rented {
			m, _ := resident(r)
			f, ok := cards[m]
			if !ok {
				t.Errorf("split %v: rented number %s not found", split, m)
				continue
			}
			i := slices.IndexFunc(f.Evidence, func(e fourcuts.Evidence) bool { return e.Signal == "stranger_phone_chain" })
			if i < 0 {
				t.Errorf("split %v: %s without stranger_phone_chain: %+v", split, m, f.Evidence)
				continue
			}
			if ev := f.Evidence[i]; ev.Value != 6 || ev.Threshold != 6 || len(ev.Limits) != 5 || ev.Limits[0].Value != 3 || ev.Limits[1].Value != 3 || ev.Limits[2] != (fourcuts.Limit{Name: "StructureChainHub", Value: 10}) ||
				ev.Limits[3] != (fourcuts.Limit{Name: "StructureGrowShare", Value: 0.2}) || ev.Limits[4] != (fourcuts.Limit{Name: "BlackShare", Value: 0.5}) {
				t.Errorf("split %v: %s: %+v", split, m, ev)
			}
		}
		accts := byCat(res, fourcuts.BlackAccount)
		for k := range rented {
			if a := fmt.Sprintf("wechat:own-ch1-%d", k); accts[a].Entity != "" {
				t.Errorf("split %v: the resident's own account %s convicted", split, a)
			}
		}
		cfg := fourcuts.DefaultConfig()
		cfg.StructureChainStrangers = 7
		if n := len(byCat(s.detect(cfg), fourcuts.BlackCard)); n != 0 {
			t.Errorf("split %v: StructureChainStrangers 7: %d cards, want 0", split, n)
		}
	}
	// a household of five on iPhones who never called each other in the
	// feed and set up accounts on each other's phones at home: a chain of
	// five strangers, under StructureChainStrangers
	s := &scene{t: t}
	s.population(100)
	s.chainOp(1, []int{5, 15, 25, 35, 45})
	s.lookalikes()
	if n := len(byCat(s.detect(fourcuts.DefaultConfig()), fourcuts.BlackCard)); n != 0 {
		t.Errorf("a chain of five strangers: %d cards, want 0", n)
	}
	cfg := fourcuts.DefaultConfig()
	cfg.StructureChainStrangers, cfg.StructureChainPhones = 5, 5
	if n := len(byCat(s.detect(cfg), fourcuts.BlackCard)); n != 0 {
		t.Errorf("StructureChainPhones 5 over a chain of four phones: %d cards, want 0", n)
	}
	cfg.StructureChainPhones = 4
	if n := len(byCat(s.detect(cfg), fourcuts.BlackCard)); n != 5 {
		t.Errorf("StructureChainStrangers 5: %d cards, want 5", n)
	}
}

// A phone outside the web that many strangers registered through — the
// default IMEI an Android emulator ships with, shared by every gamer who
// runs it — carries one of the operation's numbers among nine gamers'.
// It is not the operation's phone (one number in ten is the operation's,
// under StructureGrowShare 0.2): the gamers' numbers, accounts and
// fingerprints stay clean while the operation is found as before. At a
// share of 0.1, the one rented number pulls the hub into the web and
// convicts every gamer on it.
func TestStructureHubPhone(t *testing.T) {
	s, _, _, _ := structureScene(t)
	hub := luhn("86000000000000")
	m0, _ := resident(rented[0])
	s.reg(ts(3, 15, 0), "genshin", "emu-op", m0, "fp-emu-op", hub, "61.2.1.1", "SM-G9810", "Android 9")
	var gamers []string
	for k, r := range []int{10, 11, 12, 13, 14, 16, 17, 18, 19} {
		m, _ := resident(r)
		acct := fmt.Sprintf("emu-%d", k)
		s.reg(ts(2+k%2, 19+k%3, k), "genshin", acct, m, fmt.Sprintf("fp-emu-%d", k), hub, fmt.Sprintf("60.8.%d.1", k), "SM-G9810", "Android 9")
		gamers = append(gamers, m, "genshin:"+acct, fmt.Sprintf("fp-emu-%d", k))
	}
	convicted := func(cfg fourcuts.Config) (n int, op bool) {
		res := s.detect(cfg)
		for _, f := range res.Findings {
			if slices.Contains(gamers, f.Entity) {
				n++
			}
		}
		_, op = byCat(res, fourcuts.BlackCard)[m0]
		return n, op
	}
	if n, op := convicted(fourcuts.DefaultConfig()); n != 0 || !op {
		t.Errorf("default: %d gamers' entities convicted (want 0), rented number found %v (want true)", n, op)
	}
	cfg := fourcuts.DefaultConfig()
	cfg.StructureGrowShare = 0.1
	if n, _ := convicted(cfg); n != len(gamers) {
		t.Errorf("StructureGrowShare 0.1: %d of the gamers' %d entities convicted, want all", n, len(gamers))
	}
}

// TestStructureHomeLine: the resident of a rented number shares an iPhone
// with three relatives at home: a fingerprint outside the web carrying the
// rented number and theirs, every registration on it through the
// household's line, which no phone of the operation ever used. Nobody
// called anybody in the feed, so calls tie no one; the household line
// does: the phone is the household's, and the relatives' numbers,
// accounts and the phone stay clean. With Config.NoHomeLineTies the phone
// joins the operation (the rented number is a quarter of its numbers,
// over StructureGrowShare) and all seven of their entities are convicted.
func TestStructureHomeLine(t *testing.T) {
	s, _, _, _ := structureScene(t)
	m0, _ := resident(rented[0])
	home := fmt.Sprintf("60.1.%d.1", rented[0]) // the resident's line (quietOp)
	s.reg(ts(2, 21, 0), "taobao", "fam-0", m0, "fp-fam", "", home, "iPhone 12", "iOS 16.1")
	family := []string{"fp-fam"}
	for k := range 3 {
		m := fmt.Sprintf("1391111%04d", k)
		acct := fmt.Sprintf("fam-%d", k+1)
		s.reg(ts(2+k%2, 20, 5+k), "douyin", acct, m, "fp-fam", "", home, "iPhone 12", "iOS 16.1")
		family = append(family, m, "douyin:"+acct)
	}
	convicted := func(cfg fourcuts.Config) (n int, op bool) {
		res := s.detect(cfg)
		for _, f := range res.Findings {
			if slices.Contains(family, f.Entity) {
				n++
			}
		}
		_, op = byCat(res, fourcuts.BlackCard)[m0]
		return n, op
	}
	if n, op := convicted(fourcuts.DefaultConfig()); n != 0 || !op {
		t.Errorf("default: %d of the household's entities convicted (want 0), rented number found %v (want true)", n, op)
	}
	cfg := fourcuts.DefaultConfig()
	cfg.NoHomeLineTies = true
	if n, _ := convicted(cfg); n != len(family) {
		t.Errorf("NoHomeLineTies: %d of the household's %d entities convicted, want all", n, len(family))
	}
}

// TestStructureLineReach: beside the operation of structureScene, two
// reset iPhone fingerprints carry three more residents' numbers (41 and
// 43; 43 and 47: strangers, none of their calls) — a chain of two phones,
// under StructureChainPhones — registering through the operation's own
// line (61.2.1.1, most of whose registrations come from its phones). They
// are the operation's: found with the line reach, not with
// Config.NoLineReach, and not when the same two phones register through a
// line of their own instead (lines join no chain on their own).
func TestStructureLineReach(t *testing.T) {
	build := func(ip string) (*scene, []string) {
		s, _, _, _ := structureScene(t)
		var want []string
		for k, pair := range [][2]int{{41, 43}, {43, 47}} {
			fp := fmt.Sprintf("fp-x%d", k)
			want = append(want, fp)
			for j, r := range pair {
				m, _ := resident(r)
				acct := fmt.Sprintf("x%d-%d", k, j)
				s.reg(ts(2+j, 14+k, 5*j), "douyin", acct, m, fp, "", ip, "iPhone 13", "iOS 16.1")
				want = append(want, "douyin:"+acct)
			}
		}
		return s, want
	}
	found := func(s *scene, want []string, cfg fourcuts.Config) int {
		n := 0
		for _, f := range s.detect(cfg).Findings {
			if slices.Contains(want, f.Entity) {
				n++
			}
		}
		return n
	}
	s, want := build("61.2.1.1")
	if n := found(s, want, fourcuts.DefaultConfig()); n != len(want) {
		t.Errorf("through the operation's line: %d of %d entities found, want all", n, len(want))
	}
	cfg := fourcuts.DefaultConfig()
	cfg.NoLineReach = true
	if n := found(s, want, cfg); n != 0 {
		t.Errorf("NoLineReach: %d of %d entities found, want 0", n, len(want))
	}
	s, want = build("60.9.9.9")
	if n := found(s, want, fourcuts.DefaultConfig()); n != 0 {
		t.Errorf("through a line of their own: %d of %d entities found, want 0", n, len(want))
	}
}
