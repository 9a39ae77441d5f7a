package fourcuts_test

import (
	"fmt"
	"testing"

	"github.com/zhudun/zhudun/fourcuts"
)

// TestNoSingleFieldConvicts: a signal that legitimate look-alikes share is
// a lead on its own, never a finding (issue 9, item 2).
func TestNoSingleFieldConvicts(t *testing.T) {
	cfg := fourcuts.DefaultConfig()
	cfg.Leads = true
	cases := []struct {
		name, cat, entity string
		want              string // "finding", "lead" or ""
		build             func(s *scene)
	}{
		{"odd_far_outlet alone", fourcuts.BlackCard, "17900000000", "lead", func(s *scene) {
			for k := 0; k < 5; k++ { // a station shop serving migrants at night …
				s.activate(fmt.Sprintf("1790000%04d", k), rid("450102", 20+k), "OUT-S", "cmcc", "370102", fmt.Sprintf("2021-05-%02dT23:30:00+08:00", 1+k))
			}
			for k := 0; k < 10; k++ { // … and its neighbourhood by day
				s.activate(fmt.Sprintf("1791000%04d", k), rid("370102", 40+k), "OUT-S", "cmcc", "370102", fmt.Sprintf("2021-05-%02dT11:00:00+08:00", 1+k))
			}
		}},
		{"an outlet that opens cards only at night for strangers", fourcuts.BlackCard, "17900000000", "finding", func(s *scene) {
			for k := 0; k < 5; k++ {
				s.activate(fmt.Sprintf("1790000%04d", k), rid("450102", 20+k), "OUT-S", "cmcc", "370102", fmt.Sprintf("2021-05-%02dT23:30:00+08:00", 1+k))
			}
		}},
		{"impossible_model_os alone", fourcuts.BlackSoftware, "fp-i", "lead", func(s *scene) {
			s.register("app", "i", "13900000001", ts(2, 10, 0), regArgs{device: "fp-i", model: "iPhone 13", os: "Android 11"})
		}},
		{"an Apple model number on iOS", fourcuts.BlackSoftware, "fp-a", "", func(s *scene) {
			s.register("app", "a", "13900000001", ts(2, 10, 0), regArgs{device: "fp-a", model: "A2890", os: "iOS 16.1"})
		}},
		{"an iPod on iOS", fourcuts.BlackSoftware, "fp-o", "", func(s *scene) {
			s.register("app", "o", "13900000001", ts(2, 10, 0), regArgs{device: "fp-o", model: "iPod touch", os: "iOS 15"})
		}},
		{"a Samsung on iOS", fourcuts.BlackSoftware, "fp-g", "lead", func(s *scene) {
			s.register("app", "g", "13900000001", ts(2, 10, 0), regArgs{device: "fp-g", model: "SM-G9910", os: "iOS 16"})
		}},
		{"KaiOS is not iOS", fourcuts.BlackSoftware, "fp-k", "", func(s *scene) {
			s.register("app", "k", "13900000001", ts(2, 10, 0), regArgs{device: "fp-k", model: "Nokia 8110", os: "KaiOS 2.5"})
		}},
		{"one black account through a commercial proxy exit", fourcuts.BlackLine, "66.1.1.1", "lead", func(s *scene) {
			s.rentedLine("66.1.1.1", "proxy", 1, 5)
		}},
		{"two black accounts among five people's through it", fourcuts.BlackLine, "66.1.1.1", "lead", func(s *scene) {
			s.rentedLine("66.1.1.1", "proxy", 2, 5)
		}},
		{"three black accounts among four people's (RentedExitShare)", fourcuts.BlackLine, "66.1.1.1", "finding", func(s *scene) {
			s.rentedLine("66.1.1.1", "proxy", 3, 4)
		}},
		{"one black account on a dial-up address", fourcuts.BlackLine, "65.1.1.1", "finding", func(s *scene) {
			s.rentedLine("65.1.1.1", "dialup", 1, 2)
		}},
		{"one black account behind a carrier NAT (shared 5000)", fourcuts.BlackLine, "68.1.1.1", "", func(s *scene) {
			s.event(map[string]any{"type": "ip", "ts": ts(1, 0, 0), "ip": "68.1.1.1", "kind": "mobile", "shared": 5000})
			s.rentedLine("68.1.1.1", "", 1, 0)
		}},
	}
	for _, c := range cases {
		s := &scene{t: t}
		s.population(30)
		c.build(s)
		got, f := status(s.detect(cfg), c.cat, c.entity)
		if got != c.want {
			t.Errorf("%s: %s %s is %q, want %q (%.3f %+v)", c.name, c.cat, c.entity, got, c.want, f.Score, f.Evidence)
		}
	}
}

// rentedLine: black accounts (verified by code-receiving numbers) and
// people's accounts registered through ip; kind "" adds no intelligence.
func (s *scene) rentedLine(ip, kind string, black, people int) {
	if kind != "" {
		s.intel(ip, kind)
	}
	for k := 0; k < black; k++ {
		m := fmt.Sprintf("196000%05d", k)
		s.codesCard(m, 10)
		s.register("app", fmt.Sprintf("rb%d", k), m, ts(2, 12, k), regArgs{device: fmt.Sprintf("fp-rb%d", k), ip: ip})
	}
	for k := 0; k < people; k++ {
		s.register("app", fmt.Sprintf("rp%d", k), fmt.Sprintf("1390000%04d", k), ts(2, 13, k), regArgs{device: fmt.Sprintf("fp-rp%d", k), ip: ip})
	}
}

// TestNoCliffs: as a look-alike moves past a threshold its phones and
// cards become leads, not findings (issue 9, item 3). Sales agents at one
// cell rung back 0, 1, 2 or 3 times a day never become black devices or
// cards; a holder's cards across carriers grow from nothing through a lead
// to a finding as the ring grows, not from nothing to a finding.
func TestNoCliffs(t *testing.T) {
	cfg := fourcuts.DefaultConfig()
	cfg.Leads = true
	for in := 0; in <= 3; in++ {
		s := &scene{t: t}
		s.population(30)
		for k := 0; k < 12; k++ {
			m := fmt.Sprintf("1870000%04d", k)
			imei := luhn(fmt.Sprintf("86177700%06d", k)) // one company model
			for d := 2; d <= 4; d++ {
				for c := 0; c < 40; c++ {
					s.voice(m, fmt.Sprintf("15%09d", k*10000+d*100+c), "mo", 15, "46006"+m[1:], imei, "460-00-6-6", ts(d, 9+c/5, c%5*10))
				}
				for c := 0; c < in; c++ {
					s.voice(m, fmt.Sprintf("0531%08d", k*100+d*10+c), "mt", 60, "46006"+m[1:], imei, "460-00-6-6", ts(d, 16, c))
				}
			}
		}
		res := s.detect(cfg)
		if n := len(byCat(res, fourcuts.BlackDevice)) + len(byCat(res, fourcuts.BlackCard)); n != 0 {
			t.Errorf("agents rung %d times a day: %d black devices and cards", in, n)
		}
	}
	prev := 0.0
	for n := 2; n <= 8; n++ {
		s := &scene{t: t}
		s.population(30)
		carriers := []string{"cmcc", "cucc"}
		for k := 0; k < n; k++ {
			s.activate(fmt.Sprintf("1800000%04d", k), rid("370102", 60), "OUT-B", carriers[k%2], "370102", ts(1+k%2, 10, k))
		}
		got, f := status(s.detect(cfg), fourcuts.BlackCard, "18000000000")
		want := ""
		switch {
		case n >= 6:
			want = "finding"
		case n >= 4:
			want = "lead"
		}
		if got != want || f.Score < prev {
			t.Errorf("holder with %d cards on two carriers: %q %.3f (previous %.3f), want %q", n, got, f.Score, prev, want)
		}
		prev = f.Score
	}
}

// TestOpeningDoesNotSpread: a factory's twelve migrants from a far
// province open cards together at one outlet after 22:00 — an outlet
// burst, so the cards are reported — then call home and set up their
// own apps on their own phones. The accounts and phones are theirs: a
// card black only by how it was opened, with a life of its own, makes
// neither black (with Config.OpeningSpreads it did).
func TestOpeningDoesNotSpread(t *testing.T) {
	s := &scene{t: t}
	s.population(30)
	for k := 0; k < 12; k++ {
		m := fmt.Sprintf("1881000%04d", k)
		imei := luhn(fmt.Sprintf("86555500%06d", k))
		s.activate(m, rid("450102", 200+k), "OUT-FACTORY", "cmcc", "370102", ts(1, 22, 3*k))
		for c := 0; c < 3; c++ {
			s.voice(m, fmt.Sprintf("0771%07d", k*10+c), "mo", 180, "46000"+m[1:], imei, "460-00-9-9", ts(2+c, 20, k))
		}
		s.register("wechat", fmt.Sprintf("mig%d", k), m, ts(2, 21, k), regArgs{device: fmt.Sprintf("fp-mig%d", k), imei: imei, ip: "60.9.9.1"})
	}
	for _, spreads := range []bool{false, true} {
		cfg := fourcuts.DefaultConfig()
		cfg.OpeningSpreads = spreads
		res := s.detect(cfg)
		if n := len(byCat(res, fourcuts.BlackCard)); n != 12 {
			t.Errorf("OpeningSpreads %v: %d cards of the night burst reported, want 12", spreads, n)
		}
		accts, fps := len(byCat(res, fourcuts.BlackAccount)), len(byCat(res, fourcuts.BlackSoftware))
		if want := map[bool]int{false: 0, true: 12}[spreads]; accts != want || fps != want {
			t.Errorf("OpeningSpreads %v: %d accounts and %d fingerprints of the migrants black, want %d", spreads, accts, fps, want)
		}
	}
}

// TestOwnCardsNotAPool: a courier holds seven legal cards (one holder,
// two or three per carrier, opened years apart) and swaps them through
// one phone: the courier's own card makes its many short calls, each of
// the others one call. Seven cards through one IMEI read as a pool's slots
// (imsi_per_imei, primary) and the short calls add a second kind, so the
// phone was a black device and its cards black through it; one holder's
// own cards make the count personal (corroborating): no device, no card.
// With Config.OwnCardsPool (the old reading) both are black, and a second
// holder among the cards restores it too.
func TestOwnCardsNotAPool(t *testing.T) {
	build := func(secondHolder bool) *scene {
		s := &scene{t: t}
		s.population(30)
		imei := luhn("86777700000001")
		for k := 0; k < 7; k++ {
			m := fmt.Sprintf("1877000%04d", k)
			h := rid("370102", 300)
			if secondHolder && k == 6 {
				h = rid("370102", 301)
			}
			s.activate(m, h, "OUT-A", []string{"cmcc", "cucc", "ctcc"}[k%3], "370102", fmt.Sprintf("20%02d-05-01T10:00:00+08:00", 12+k))
			if k == 0 {
				s.calls(m, imei, "", 30, true, 0)
				continue
			}
			s.voice(m, fmt.Sprintf("0531770%04d", k), "mo", 60, "46001"+m[1:], imei, "460-00-7-1", ts(3, 10, k))
		}
		return s
	}
	imei := luhn("86777700000001")
	for _, c := range []struct {
		pool, second bool
		want         bool
	}{{false, false, false}, {true, false, true}, {false, true, true}} {
		cfg := fourcuts.DefaultConfig()
		cfg.OwnCardsPool = c.pool
		res := build(c.second).detect(cfg)
		_, dev := byCat(res, fourcuts.BlackDevice)[imei]
		if dev != c.want {
			t.Errorf("OwnCardsPool %v, second holder %v: phone black %v, want %v", c.pool, c.second, dev, c.want)
		}
		if n := len(byCat(res, fourcuts.BlackCard)); (n > 0) != c.want {
			t.Errorf("OwnCardsPool %v, second holder %v: %d cards black", c.pool, c.second, n)
		}
	}
}
