package fourcuts_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/zhudun/zhudun/fourcuts"
)

// nightCalls gives resident r calls to a landline at 22:00 on three days
// from cell, on their own handset: where they live.
func (s *scene) nightCalls(r int, cell string) {
	m, imei := resident(r)
	for d := 1; d <= 3; d++ {
		s.cdr(m, "053188880000", "mo", 60, fmt.Sprintf("4600000000%05d", r), imei, cell, ts(d, 22, 0))
	}
}

// resetOp adds an iPhone operation on the given five residents that
// resets its app data so often that its fingerprints form two short
// chains: fp-ro-a and fp-ro-b both carry the first two numbers and fp-ro-a
// the third too; fp-ro-c carries the last two. Every registration of the
// operation goes through its broadband line 61.9.0.1 (quiet_iphones, seed
// 114 at 6,000 × 4). The residents keep their own accounts on their own
// phones, through their own lines. It returns the operation's accounts.
func (s *scene) resetOp(residents []int) []string {
	var accts []string
	for k, r := range residents {
		m, imei := resident(r)
		s.reg(ts(1, 20, k), "wechat", fmt.Sprintf("own-ro-%d", k), m, fmt.Sprintf("fp-home-%d", r), imei, fmt.Sprintf("60.1.%d.1", r), "OPPO Reno8", "Android 13")
	}
	on := [][2]int{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {2, 3}, {2, 4}}
	for i, x := range on {
		m, _ := resident(residents[x[1]])
		fp := fmt.Sprintf("fp-ro-%c", 'a'+x[0])
		pl := []string{"weibo", "zhihu", "momo", "taobao"}[i%4]
		acct := fmt.Sprintf("ro-%d", i)
		s.reg(ts(2+i%2, 9+i, 0), pl, acct, m, fp, "", "61.9.0.1", "iPhone 12", "iOS 15.7")
		accts = append(accts, pl+":"+acct)
	}
	return accts
}

// TestStructureChainApart: a chain of reset iPhones carrying five rented
// numbers — under StructureChainStrangers (6) — is an operation when each
// of the five calls at home hours from a cell none of the others does
// (they live apart), and not with NoChainApart or NoCellTies. A household
// of five in the same shape who live under one roof (one home cell) is
// one group, as is a household of six, which without the cell ties is six
// strangers and convicted. Five numbers of which only four call at home
// hours are four groups shown apart: spared.
func TestStructureChainApart(t *testing.T) {
	five := []int{5, 15, 25, 35, 45}
	build := func(cells func(k int) string, residents []int) *scene {
		s := &scene{t: t}
		s.population(100)
		s.chainOp(1, residents)
		for k, r := range residents {
			if c := cells(k); c != "" {
				s.nightCalls(r, c)
			}
		}
		s.lookalikes()
		return s
	}
	apart := func(k int) string { return fmt.Sprintf("460-00-9-%d", 100+k) }
	home := func(int) string { return "460-00-9-1" }
	cards := func(s *scene, cfg fourcuts.Config) map[string]fourcuts.Finding {
		return byCat(s.detect(cfg), fourcuts.BlackCard)
	}
	off := func(f func(*fourcuts.Config)) fourcuts.Config {
		cfg := fourcuts.DefaultConfig()
		f(&cfg)
		return cfg
	}

	s := build(apart, five)
	got := cards(s, fourcuts.DefaultConfig())
	for _, r := range five {
		m, _ := resident(r)
		f, ok := got[m]
		if !ok {
			t.Errorf("five rented numbers living apart: %s not found", m)
			continue
		}
		ev := evidenceOf(f, "stranger_phone_chain")
		if ev == nil || ev.Value != 5 || ev.Threshold != 5 || limit(ev, "StructureChainStrangers") != 6 || limit(ev, "HomeHourFrom") != 20 || limit(ev, "HomeHourTo") != 8 {
			t.Errorf("%s: %+v", m, f.Evidence)
		}
	}
	if len(got) != 5 {
		t.Errorf("five rented numbers living apart: %d cards, want 5", len(got))
	}
	if n := len(cards(s, off(func(c *fourcuts.Config) { c.NoChainApart = true }))); n != 0 {
		t.Errorf("NoChainApart: %d cards, want 0", n)
	}
	if n := len(cards(s, off(func(c *fourcuts.Config) { c.NoCellTies = true }))); n != 0 {
		t.Errorf("NoCellTies: %d cards, want 0", n)
	}
	if n := len(cards(s, off(func(c *fourcuts.Config) { c.StructureChainApart = 6 }))); n != 0 {
		t.Errorf("StructureChainApart 6: %d cards, want 0", n)
	}
	if n := len(cards(s, off(func(c *fourcuts.Config) { c.HomeHourFrom, c.HomeHourTo = 23, 6 }))); n != 0 {
		t.Errorf("home hours 23–6 (the calls at 22:00 outside them): %d cards, want 0", n)
	}

	// a household of five sharing iPhones, never calling each other in
	// the feed, living under one roof
	if n := len(cards(build(home, five), fourcuts.DefaultConfig())); n != 0 {
		t.Errorf("a household of five at one home cell: %d cards, want 0", n)
	}
	// … of six: one group with the cell ties, six strangers without
	six := []int{5, 15, 25, 35, 45, 55}
	s6 := build(home, six)
	if n := len(cards(s6, fourcuts.DefaultConfig())); n != 0 {
		t.Errorf("a household of six at one home cell: %d cards, want 0", n)
	}
	if n := len(cards(s6, off(func(c *fourcuts.Config) { c.NoCellTies = true }))); n != 6 {
		t.Errorf("a household of six, NoCellTies: %d cards, want 6", n)
	}
	// five numbers, one of which never calls at home hours: four groups
	// shown apart
	if n := len(cards(build(func(k int) string {
		if k == 4 {
			return ""
		}
		return apart(k)
	}, five), fourcuts.DefaultConfig())); n != 0 {
		t.Errorf("four of five located: %d cards, want 0", n)
	}
}

// TestStructureChainLines: an operation whose reset fingerprints form two
// chains too short to judge (three numbers on two phones, two on one),
// met only on the broadband line every one of its registrations went
// through, is found when its five numbers live apart, and not with
// NoChainLines. The same phones on a line that the residents' own phones
// also registered through (a household's, at most half the line's
// registrations from the chains) join nothing; nor does the line join
// numbers that do not live apart (one home cell).
func TestStructureChainLines(t *testing.T) {
	five := []int{5, 15, 25, 35, 45}
	build := func(cell func(k int) string, homeLine bool) (*scene, []string) {
		s := &scene{t: t}
		s.population(100)
		accts := s.resetOp(five)
		for k, r := range five {
			s.nightCalls(r, cell(k))
			if homeLine {
				m, imei := resident(r)
				for j := range 2 {
					s.reg(ts(3, 20, 10*j+k), "qq", fmt.Sprintf("home-%d-%d", k, j), m, fmt.Sprintf("fp-home-%d", r), imei, "61.9.0.1", "OPPO Reno8", "Android 13")
				}
			}
		}
		s.lookalikes()
		return s, accts
	}
	apart := func(k int) string { return fmt.Sprintf("460-00-9-%d", 100+k) }
	s, accts := build(apart, false)
	res := s.detect(fourcuts.DefaultConfig())
	cards, acc := byCat(res, fourcuts.BlackCard), byCat(res, fourcuts.BlackAccount)
	if len(cards) != 5 {
		t.Errorf("an operation met on its line: %d cards, want 5", len(cards))
	}
	for _, a := range accts {
		f, ok := acc[a]
		if !ok {
			t.Errorf("account %s not found", a)
			continue
		}
		if ev := evidenceOf(f, "stranger_phone_chain"); ev == nil || measure(ev, "joined_by_line") != 1 {
			t.Errorf("%s: %+v", a, f.Evidence)
		}
	}
	for k := range five {
		if a := fmt.Sprintf("wechat:own-ro-%d", k); acc[a].Entity != "" {
			t.Errorf("the resident's own account %s convicted", a)
		}
	}
	if f := byCat(res, fourcuts.BlackSoftware); len(f) != 3 {
		t.Errorf("fingerprints: %d, want 3", len(f))
	}
	cfg := fourcuts.DefaultConfig()
	cfg.NoChainLines = true
	if n := len(byCat(s.detect(cfg), fourcuts.BlackCard)); n != 0 {
		t.Errorf("NoChainLines: %d cards, want 0", n)
	}
	hs, _ := build(apart, true)
	if n := len(byCat(hs.detect(fourcuts.DefaultConfig()), fourcuts.BlackCard)); n != 0 {
		t.Errorf("a line the residents' own phones also use: %d cards, want 0", n)
	}
	us, _ := build(func(int) string { return "460-00-9-1" }, false)
	if n := len(byCat(us.detect(fourcuts.DefaultConfig()), fourcuts.BlackCard)); n != 0 {
		t.Errorf("a household at one home cell on its line: %d cards, want 0", n)
	}
}

func evidenceOf(f fourcuts.Finding, signal string) *fourcuts.Evidence {
	for i := range f.Evidence {
		if f.Evidence[i].Signal == signal {
			return &f.Evidence[i]
		}
	}
	return nil
}

func limit(ev *fourcuts.Evidence, name string) float64 {
	for _, l := range ev.Limits {
		if l.Name == name {
			return l.Value
		}
	}
	return -1
}

func measure(ev *fourcuts.Evidence, name string) float64 {
	for _, l := range ev.Measures {
		if l.Name == name {
			return l.Value
		}
	}
	return -1
}

// hubChain adds n numbers (residents 3, 20, 37, …: none calls another)
// registered on one Android
// handset that reports IMEI imei and carries none of their calls, and
// two iPhone fingerprints each carrying one of them and one more
// resident's number: a chain of three stranger-shared phones with n+2
// numbers.
func (s *scene) hubChain(tag string, imei string, n int) {
	for k := range n {
		m, _ := resident(3 + 17*k)
		s.reg(ts(2, 9, k), "weibo", fmt.Sprintf("%s-h-%d", tag, k), m, fmt.Sprintf("fp-%s-h-%d", tag, k), imei, "61.8.0.1", "Redmi K40", "Android 11")
	}
	for j := range 2 {
		a, _ := resident(3 + 17*j)
		b, _ := resident(170 + 11*j)
		for i, m := range []string{a, b} {
			s.reg(ts(3, 10+j, i), "zhihu", fmt.Sprintf("%s-i-%d-%d", tag, j, i), m, fmt.Sprintf("fp-%s-i-%d", tag, j), "", fmt.Sprintf("61.8.1.%d", i+1), "iPhone 12", "iOS 15.7")
		}
	}
}

// TestStructureChainHub: an Android handset of an operation that reset
// its app data once carries up to twice a fingerprint's numbers; with
// five of them (numbers_per_device, AccountsPerDevice) it still chains
// the operation's iPhones (the all world, seed 1112 at 20,000 × 7: a
// seven-number operation missed whole), and not with StructureChainHub
// at AccountsPerDevice (5), the cut before. An identifier of ten or more
// numbers is a hub — an emulator's default IMEI many gamers share — and
// chains nothing: spared at the default, convicted at StructureChainHub
// 11.
func TestStructureChainHub(t *testing.T) {
	build := func(n int) *scene {
		s := &scene{t: t}
		s.population(200)
		s.hubChain("hc", luhn("86777700000001"), n)
		s.lookalikes()
		return s
	}
	cfg := func(hub int) fourcuts.Config {
		c := fourcuts.DefaultConfig()
		c.StructureChainHub = hub
		return c
	}
	s := build(5)
	if n := len(byCat(s.detect(fourcuts.DefaultConfig()), fourcuts.BlackCard)); n != 7 {
		t.Errorf("a chain through a handset of five numbers: %d cards, want 7", n)
	}
	if n := len(byCat(s.detect(cfg(5)), fourcuts.BlackCard)); n != 0 {
		t.Errorf("StructureChainHub 5: %d cards, want 0", n)
	}
	h := build(10)
	if n := len(byCat(h.detect(fourcuts.DefaultConfig()), fourcuts.BlackCard)); n != 0 {
		t.Errorf("a default IMEI of ten numbers: %d cards, want 0", n)
	}
	if n := len(byCat(h.detect(cfg(11)), fourcuts.BlackCard)); n != 12 {
		t.Errorf("a default IMEI of ten numbers, StructureChainHub 11: %d cards, want 12", n)
	}
}

// TestStructureReachOneGroup: two residents who live together (one home
// cell) both rented their numbers to the operation of structureScene and
// share a family iPhone at home, registering through carrier NAT (no
// household line to tell): the fingerprint carries only operation numbers
// and closes a cycle of the web through them, but they live together, so
// it is the family's, not the operation's (the all world, seed
// 112 at 20,000 × 7, where such a phone joined a web by reach). Both
// numbers stay found; the family iPhone and its accounts are convicted
// only with Config.ReachOneGroup.
func TestStructureReachOneGroup(t *testing.T) {
	s, _, _, _ := structureScene(t)
	s.add(`{"type":"ip","ts":%q,"ip":"112.9.9.9","kind":"mobile","shared":5000}`, ts(1, 0, 0))
	var family []string
	for k, r := range rented[:2] {
		m, _ := resident(r)
		s.nightCalls(r, "460-00-9-77")
		acct := fmt.Sprintf("famphone-%d", k)
		s.reg(ts(3, 21, k), "douyin", acct, m, "fp-famphone", "", "112.9.9.9", "iPhone 12", "iOS 16.1")
		family = append(family, "douyin:"+acct)
	}
	family = append(family, "fp-famphone")
	convicted := func(cfg fourcuts.Config) (n int, op bool) {
		res := s.detect(cfg)
		for _, f := range res.Findings {
			if slices.Contains(family, f.Entity) {
				n++
			}
		}
		m0, _ := resident(rented[0])
		m1, _ := resident(rented[1])
		cards := byCat(res, fourcuts.BlackCard)
		_, a := cards[m0]
		_, b := cards[m1]
		return n, a && b
	}
	if n, op := convicted(fourcuts.DefaultConfig()); n != 0 || !op {
		t.Errorf("default: %d of the family phone's entities convicted (want 0), rented numbers found %v (want true)", n, op)
	}
	cfg := fourcuts.DefaultConfig()
	cfg.ReachOneGroup = true
	if n, _ := convicted(cfg); n != len(family) {
		t.Errorf("ReachOneGroup: %d of the family phone's %d entities convicted, want all", n, len(family))
	}
}
