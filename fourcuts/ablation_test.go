package fourcuts_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/zhudun/zhudun/fourcuts"
)

// Hand-built events for the ablation table. Every helper writes one line
// of the contract (docs/spec/events.md), so the cases go through the same
// decoder as a real feed.

func (s *scene) event(m map[string]any) {
	s.t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		s.t.Fatal(err)
	}
	s.add("%s", b)
}

// voice adds one voice record; an empty imei or cell is left out.
func (s *scene) voice(msisdn, peer, dir string, dur int, imsi, imei, cell, when string) {
	m := map[string]any{"type": "cdr", "ts": when, "msisdn": msisdn, "peer": peer, "dir": dir, "dur": dur, "imsi": imsi}
	if imei != "" {
		m["imei"] = imei
	}
	if cell != "" {
		m["cell"] = cell
	}
	s.event(m)
}

func (s *scene) code(msisdn, platform, when string) {
	s.event(map[string]any{"type": "sms", "ts": when, "msisdn": msisdn, "sender": "1069" + fmt.Sprint(len(platform)*7919%100000), "platform": platform})
}

func (s *scene) notice(msisdn, when string) {
	s.event(map[string]any{"type": "sms", "ts": when, "msisdn": msisdn, "sender": "95588", "kind": "notice"})
}

// codesCard makes m a code-receiving number: codes from n platforms, no
// life (black on its own at n ≥ OTPPlatformsStrong).
func (s *scene) codesCard(m string, n int) {
	for k := 0; k < n; k++ {
		s.code(m, fmt.Sprintf("app%02d", k), ts(2, 1+k%20, k))
	}
}

type regArgs struct {
	device, imei, ip, model, os string
	flags                       []string
}

func (s *scene) register(platform, account, msisdn, when string, a regArgs) {
	m := map[string]any{"type": "reg", "ts": when, "platform": platform, "account": account, "msisdn": msisdn}
	for k, v := range map[string]string{"device": a.device, "imei": a.imei, "ip": a.ip, "model": a.model, "os": a.os} {
		if v != "" {
			m[k] = v
		}
	}
	if len(a.flags) > 0 {
		m["flags"] = a.flags
	}
	s.event(m)
}

func (s *scene) activate(msisdn, holder, outlet, carrier, region, when string) {
	s.event(map[string]any{"type": "sim", "ts": when, "msisdn": msisdn, "imsi": "46000" + msisdn[1:], "holder": holder,
		"outlet": outlet, "carrier": carrier, "region": region, "action": "activate"})
}

func (s *scene) intel(ip, kind string) {
	s.event(map[string]any{"type": "ip", "ts": ts(1, 0, 0), "ip": ip, "kind": kind})
}

// legalHolder opens six cards of one carrier for one holder, years apart:
// more than PerCarrierLegal, so each card carries holder_over_legal (0.7,
// not black alone) — the second kind of evidence many cases pair with.
func (s *scene) legalHolder(prefix string, seq int) []string {
	var ms []string
	for k := 0; k < 6; k++ {
		m := fmt.Sprintf("%s%04d", prefix, k)
		ms = append(ms, m)
		s.activate(m, rid("370102", seq), "OUT-LEGAL", "cmcc", "370102", fmt.Sprintf("20%02d-03-01T10:00:00+08:00", 14+k))
	}
	return ms
}

// invalidIMEI is a 15-digit IMEI with a wrong check digit.
func invalidIMEI(body string) string {
	good := fourcuts.LuhnDigit(body)
	return body + string('0'+(good-'0'+1)%10)
}

// calls makes m call n distinct peers (short or long) from imei at cell on
// day 2, and be rung by in strangers it never called.
func (s *scene) calls(m, imei, cell string, n int, short bool, in int) {
	dur := 120
	if short {
		dur = 10
	}
	imsi := "46001" + m[1:]
	for k := 0; k < n; k++ {
		s.voice(m, fmt.Sprintf("135%s%02d", m[5:], k), "mo", dur, imsi, imei, cell, ts(2, 8+k/6, k%6*10))
	}
	for k := 0; k < in; k++ {
		s.voice(m, fmt.Sprintf("0531%s%02d", m[5:], k), "mt", 90, imsi, imei, cell, ts(2, 20, k))
	}
}

// ablation is one row: a hand-built case whose target is found (as a
// finding, or as a lead for signals that only corroborate) with the signal
// and is not without it.
type ablation struct {
	signal string
	cat    string
	entity string
	lead   bool // the target is a lead, not a finding
	cfg    func(*fourcuts.Config)
	build  func(s *scene)
}

// quietCase: an ordinary-looking operation renting residents 3, 9, 15, 21
// and 27 of the population (who do not call one another).
func quietCase(s *scene) {
	s.quietOp(1, []int{3, 9, 15, 21, 27})
	s.lookalikes()
}

// chainCase: an iPhone operation renting residents 2, 6, 10, 14, 18 and
// 22 whose fingerprints reset after two numbers (a path, no web), with the
// look-alikes as background.
func chainCase(s *scene) {
	s.chainOp(1, []int{2, 6, 10, 14, 18, 22})
	s.lookalikes()
}

func ablations() []ablation {
	slotCard := func(s *scene, m string) { // m in three phones
		for k := 0; k < 3; k++ {
			s.voice(m, fmt.Sprintf("0531777%05d", k), "mo", 120, "46001"+m[1:], luhn(fmt.Sprintf("8610000%07d", k+100*len(m)+int(m[10]-'0'))), "", ts(2, 9+k, 0))
		}
	}
	poolModem := func(s *scene, prefix, imei, cell string, cards int) []string {
		var ms []string
		for k := 0; k < cards; k++ {
			m := fmt.Sprintf("%s%04d", prefix, k)
			ms = append(ms, m)
			for c := 0; c < 3; c++ {
				s.voice(m, fmt.Sprintf("0531%s%d", m[4:], c), "mo", 10, "46001"+m[1:], imei, cell, ts(2, 3+c, k))
			}
		}
		return ms
	}
	holderCase := func(s *scene, seq int, prefix string, carriers []string) {
		for k, c := range carriers {
			s.activate(fmt.Sprintf("%s%04d", prefix, k), rid("370102", seq), "OUT-B", c, "370102", ts(1+k%2, 10, k))
		}
	}
	churn := func(s *scene) { // three fingerprints behind one phone, numbers without life
		for k := 1; k <= 3; k++ {
			s.register("app", fmt.Sprintf("v%d", k), fmt.Sprintf("1820000000%d", k), ts(2, 10, k), regArgs{device: fmt.Sprintf("fp-v%d", k), imei: "865000000000017"})
		}
	}
	lifelessLine := func(s *scene) {
		for k := 0; k < 5; k++ {
			s.register("app", fmt.Sprintf("q%d", k), fmt.Sprintf("194000000%02d", k), ts(2, 10, k), regArgs{device: fmt.Sprintf("fp-q%d", k), ip: "63.1.1.1"})
		}
	}
	rented := func(s *scene, ip, kind string, black, people int) {
		s.intel(ip, kind)
		for k := 0; k < black; k++ {
			m := fmt.Sprintf("196000%05d", k)
			s.codesCard(m, 10)
			s.register("app", fmt.Sprintf("rb%d", k), m, ts(2, 12, k), regArgs{device: fmt.Sprintf("fp-rb%d", k), ip: ip})
		}
		for k := 0; k < people; k++ {
			s.register("app", fmt.Sprintf("rp%d", k), fmt.Sprintf("1390000%04d", k), ts(2, 13, k), regArgs{device: fmt.Sprintf("fp-rp%d", k), ip: ip})
		}
	}
	gatewayCell := func(s *scene) {
		tacs := []string{"35425100", "86222203", "86799901", "35332211"}
		var chans []string
		for k, tac := range tacs {
			chans = append(chans, luhn(fmt.Sprintf("%s%06d", tac, 1000+k)))
		}
		for k, imei := range chans {
			m := fmt.Sprintf("1710000%04d", k)
			for c := 0; c < 25; c++ {
				in := imei
				if c == 24 {
					in = chans[(k+1)%len(chans)]
				}
				s.voice(m, fmt.Sprintf("13%09d", k*1000+c), "mo", 10, "46005"+m[1:], in, "460-00-5-5", ts(2, 9+c/5, c%5*10))
			}
		}
	}
	impossibleFP := func(s *scene, fp string, numbers int, platform func(k int) string, life bool) {
		imp := life // lifeless numbers need no second signal
		for k := 0; k < numbers; k++ {
			m := fmt.Sprintf("190%d%07d", fp[len(fp)-1]%10, k)
			if life {
				s.notice(m, ts(1, 9, k))
			}
			a := regArgs{device: fp, model: "Xiaomi 11", os: "Android 11"}
			if k == 0 && imp {
				a.model, a.os = "iPhone 13", "Android 11"
			}
			s.register(platform(k), fmt.Sprintf("%s-%d", fp, k), m, ts(2, 10, k), a)
		}
	}
	distinct := func(k int) string { return fmt.Sprintf("app%d", k) }
	one := func(int) string { return "wechat" }

	return []ablation{
		// black cards
		{signal: "otp_platforms", cat: fourcuts.BlackCard, entity: "17100000001",
			build: func(s *scene) { s.codesCard("17100000001", 10) }},
		{signal: "sms_only", cat: fourcuts.BlackCard, entity: "17200000001",
			build: func(s *scene) {
				s.legalHolder("1720000", 1)
				s.code("17200000001", "app1", ts(2, 1, 0))
				s.code("17200000001", "app2", ts(2, 2, 0))
			}},
		{signal: "slot_moves", cat: fourcuts.BlackCard, entity: "17300000001",
			build: func(s *scene) { s.legalHolder("1730000", 2); slotCard(s, "17300000001") }},
		{signal: "holder_over_legal", cat: fourcuts.BlackCard, entity: "17300000001",
			build: func(s *scene) { s.legalHolder("1730000", 2); slotCard(s, "17300000001") }},
		{signal: "devices_per_card", cat: fourcuts.BlackCard, entity: "17400000001",
			build: func(s *scene) {
				s.legalHolder("1740000", 3)
				for k := 0; k < 3; k++ {
					s.register(fmt.Sprintf("app%d", k), fmt.Sprintf("d%d", k), "17400000001", ts(2, 10, k), regArgs{device: fmt.Sprintf("fp-d%d", k)})
				}
			}},
		{signal: "same_platform_accounts", cat: fourcuts.BlackCard, entity: "17500000001",
			build: func(s *scene) {
				s.legalHolder("1750000", 4)
				s.register("wechat", "p1", "17500000001", ts(2, 10, 0), regArgs{device: "fp-p"})
				s.register("wechat", "p2", "17500000001", ts(2, 11, 0), regArgs{device: "fp-p"})
			}},
		{signal: "one_way_fanout", cat: fourcuts.BlackCard, entity: "17600000001",
			build: func(s *scene) { s.legalHolder("1760000", 5); s.calls("17600000001", "", "", 25, true, 2) }},
		{signal: "no_incoming_life", cat: fourcuts.BlackCard, entity: "17700000001",
			build: func(s *scene) { s.legalHolder("1770000", 6); s.calls("17700000001", "", "", 20, false, 0) }},
		{signal: "outlet_burst", cat: fourcuts.BlackCard, entity: "17800000000",
			build: func(s *scene) {
				for k := 0; k < 10; k++ { // at night, for holders from Guangxi, at a Jinan outlet
					s.activate(fmt.Sprintf("1780000%04d", k), rid("450102", k), "OUT-N", "cmcc", "370102", ts(2, 23, k*5))
				}
			}},
		{signal: "odd_far_outlet", cat: fourcuts.BlackCard, entity: "17900000000",
			build: func(s *scene) {
				for k := 0; k < 5; k++ { // night after night, never a burst
					s.activate(fmt.Sprintf("1790000%04d", k), rid("450102", 20+k), "OUT-S", "cmcc", "370102", fmt.Sprintf("2021-05-%02dT23:30:00+08:00", 1+k))
				}
				slotCard(s, "17900000000")
			}},
		{signal: "holder_cards", cat: fourcuts.BlackCard, entity: "18000000000",
			build: func(s *scene) { holderCase(s, 50, "1800000", []string{"cmcc", "cucc", "cmcc", "cucc", "cmcc", "cucc"}) }},
		{signal: "holder_carriers", cat: fourcuts.BlackCard, entity: "18010000000",
			build: func(s *scene) { holderCase(s, 51, "1801000", []string{"cmcc", "cucc", "ctcc", "cmcc"}) }},
		{signal: "holder_stock_black_use", cat: fourcuts.BlackCard, entity: "18100000001",
			build: func(s *scene) {
				for k := 0; k < 6; k++ { // one carrier, business hours, local holder: plain stock
					s.activate(fmt.Sprintf("1810000%04d", k), rid("370102", 52), "OUT-C", "cmcc", "370102", ts(1, 10, k*5))
				}
				s.codesCard("18100000000", 10)
			}},
		{signal: "in_black_device", cat: fourcuts.BlackCard, entity: "18400000003",
			build: func(s *scene) { poolModem(s, "1840000", luhn("86740000000001"), "460-00-7-7", 8) }},
		{signal: "verified_black_accounts", cat: fourcuts.BlackCard, entity: "18200000001", build: churn},

		// black devices
		{signal: "imsi_per_imei", cat: fourcuts.BlackDevice, entity: luhn("86740000000002"),
			build: func(s *scene) { poolModem(s, "1841000", luhn("86740000000002"), "460-00-7-8", 6) }},
		{signal: "imsi_per_imei_personal", cat: fourcuts.BlackDevice, entity: invalidIMEI("86111111111111"),
			build: func(s *scene) {
				for k := 0; k < 4; k++ {
					s.calls(fmt.Sprintf("1850000%04d", k), invalidIMEI("86111111111111"), "460-00-9-1", 1, false, 2)
				}
			}},
		{signal: "invalid_imei", cat: fourcuts.BlackDevice, entity: invalidIMEI("86111111111111"),
			build: func(s *scene) {
				for k := 0; k < 4; k++ {
					s.calls(fmt.Sprintf("1850000%04d", k), invalidIMEI("86111111111111"), "460-00-9-1", 1, false, 2)
				}
			}},
		{signal: "short_calls", cat: fourcuts.BlackDevice, entity: invalidIMEI("86222222222222"),
			build: func(s *scene) { s.calls("18600000001", invalidIMEI("86222222222222"), "460-00-9-2", 10, true, 2) }},
		{signal: "static_cell", cat: fourcuts.BlackDevice, entity: invalidIMEI("86222222222222"),
			build: func(s *scene) { s.calls("18600000001", invalidIMEI("86222222222222"), "460-00-9-2", 10, true, 2) }},
		{signal: "static_tac_cluster", cat: fourcuts.BlackDevice, entity: invalidIMEI("86555500000001"),
			build: func(s *scene) {
				for k := 1; k <= 4; k++ {
					imei := luhn(fmt.Sprintf("865555000000%02d", k))
					if k == 1 {
						imei = invalidIMEI("86555500000001")
					}
					s.calls(fmt.Sprintf("1860100%04d", k), imei, "460-00-9-3", 10, false, 2)
				}
			}},
		{signal: "cards_without_life", cat: fourcuts.BlackDevice, entity: invalidIMEI("86333333333333"),
			cfg: func(c *fourcuts.Config) { c.ShortCallsPeers = 20 },
			build: func(s *scene) {
				s.calls("18700000001", invalidIMEI("86333333333333"), "460-00-9-4", 9, true, 0)
				s.voice("18700000001", "13599999999", "mo", 120, "460011870000000", invalidIMEI("86333333333333"), "460-00-9-4", ts(2, 18, 0))
			}},
		{signal: "one_way_fanout", cat: fourcuts.BlackDevice, entity: invalidIMEI("86444444444444"),
			build: func(s *scene) { // 20 peers, 11 of them briefly: a fan-out, not short_calls
				s.calls("18800000001", invalidIMEI("86444444444444"), "460-00-9-6", 11, true, 0)
				for k := 0; k < 9; k++ {
					s.voice("18800000001", fmt.Sprintf("1368800%04d", k), "mo", 120, "460011880000000", invalidIMEI("86444444444444"), "460-00-9-6", ts(2, 19, k))
				}
			}},
		{signal: "gateway_cluster", cat: fourcuts.BlackDevice, entity: luhn("86444400000001"),
			build: func(s *scene) {
				for k := 1; k <= 4; k++ { // one model at one cell; two are rung by strangers
					in := 0
					if k > 2 {
						in = 2
					}
					s.calls(fmt.Sprintf("1890000%04d", k), luhn(fmt.Sprintf("864444000000%02d", k)), "460-00-9-5", 25, true, in)
				}
				// the first channel's card also rings once from the second
				s.voice("18900000001", "13611112222", "mo", 10, "460011890000000", luhn("86444400000002"), "460-00-9-5", ts(2, 21, 0))
			}},
		{signal: "gateway_cell", cat: fourcuts.BlackDevice, entity: luhn("35425100001000"), build: gatewayCell},
		{signal: "cards_swapped_at_cell", cat: fourcuts.BlackDevice, entity: luhn("35425100001000"), build: gatewayCell},
		{signal: "black_cards_inside", cat: fourcuts.BlackDevice, entity: luhn("86123412341234"),
			build: func(s *scene) {
				for _, m := range []string{"18300000011", "18300000012"} {
					s.codesCard(m, 10)
					s.voice(m, "13512345678", "mo", 120, "46001"+m[1:], luhn("86123412341234"), "460-00-8-1", ts(2, 9, 0))
				}
			}},
		{signal: "black_gateway_siblings", cat: fourcuts.BlackDevice, entity: invalidIMEI("86333300000001"),
			build: func(s *scene) {
				for k := 1; k <= 4; k++ {
					imei := luhn(fmt.Sprintf("863333000000%02d", k))
					if k == 1 {
						imei = invalidIMEI("86333300000001")
						s.calls("18310000001", imei, "460-00-8-2", 5, false, 2)
						continue
					}
					s.calls(fmt.Sprintf("1831000%04d", k), imei, "460-00-8-2", 10, false, 2)
					for j := 0; j < 2; j++ { // two code-receiving cards in each sibling
						m := fmt.Sprintf("183200%03d%02d", k, j)
						s.codesCard(m, 10)
						s.voice(m, "13512345678", "mo", 120, "46001"+m[1:], imei, "460-00-8-2", ts(2, 9, j))
					}
				}
			}},
		{signal: "pool_cell_modem", cat: fourcuts.BlackDevice, entity: luhn("86740000000099"),
			build: func(s *scene) {
				a := poolModem(s, "1842000", luhn("86740000000010"), "460-00-7-9", 6)
				poolModem(s, "1843000", luhn("86740000000011"), "460-00-7-9", 6)
				// a slot seen once: one short call, with one of the pool's cards
				s.voice(a[0], "053199999999", "mo", 8, "46001"+a[0][1:], luhn("86740000000099"), "460-00-7-9", ts(3, 4, 0))
			}},

		// black accounts
		{signal: "verified_by_black_card", cat: fourcuts.BlackAccount, entity: "app:w1",
			build: func(s *scene) {
				s.codesCard("18300000001", 10)
				s.register("app", "w1", "18300000001", ts(2, 10, 0), regArgs{device: "fp-w1"})
			}},
		{signal: "fingerprint_churn", cat: fourcuts.BlackAccount, entity: "app:v1", build: churn},
		{signal: "black_software_fingerprint", cat: fourcuts.BlackAccount, entity: "app1:fp-b-1",
			build: func(s *scene) { impossibleFP(s, "fp-b", 5, distinct, true) }},
		{signal: "impossible_model_os", cat: fourcuts.BlackAccount, entity: "app:t",
			build: func(s *scene) {
				for k := 0; k < 3; k++ {
					m := fmt.Sprintf("1910000%04d", k)
					s.codesCard(m, 10)
					s.register("app", fmt.Sprintf("tb%d", k), m, ts(2, 12, k), regArgs{device: fmt.Sprintf("fp-tb%d", k), ip: "58.1.1.1"})
				}
				s.register("app", "t", "19200000001", ts(2, 13, 0), regArgs{device: "fp-t", ip: "58.1.1.1", model: "iPhone 12", os: "Android 10"})
			}},
		{signal: "black_line_used", cat: fourcuts.BlackAccount, entity: "app:t",
			build: func(s *scene) {
				for k := 0; k < 3; k++ {
					m := fmt.Sprintf("1910000%04d", k)
					s.codesCard(m, 10)
					s.register("app", fmt.Sprintf("tb%d", k), m, ts(2, 12, k), regArgs{device: fmt.Sprintf("fp-tb%d", k), ip: "58.1.1.1"})
				}
				s.register("app", "t", "19200000001", ts(2, 13, 0), regArgs{device: "fp-t", ip: "58.1.1.1", model: "iPhone 12", os: "Android 10"})
			}},
		{signal: "single_use_cluster", cat: fourcuts.BlackAccount, entity: "app:x0",
			build: func(s *scene) {
				for k := 0; k < 5; k++ {
					a := regArgs{device: fmt.Sprintf("fp-x%d", k), ip: fmt.Sprintf("61.2.3.%d", k+1), flags: []string{"emulator"}}
					if k == 0 {
						a.model, a.os = "iPhone 12", "Android 10"
					}
					s.register("app", fmt.Sprintf("x%d", k), fmt.Sprintf("1390000%04d", k), ts(2, 10+k, 0), a)
				}
			}},
		{signal: "risk_flags", cat: fourcuts.BlackAccount, entity: "app:r", lead: true,
			build: func(s *scene) {
				s.register("app", "r", "13900000001", ts(2, 10, 0), regArgs{device: "fp-r", flags: []string{"root"}})
			}},
		{signal: "single_use_fingerprint", cat: fourcuts.BlackAccount, entity: "app:r", lead: true,
			build: func(s *scene) {
				s.register("app", "r", "13900000001", ts(2, 10, 0), regArgs{device: "fp-r", flags: []string{"root"}})
			}},
		{signal: "line_intel", cat: fourcuts.BlackAccount, entity: "app:l", lead: true,
			build: func(s *scene) {
				s.intel("45.1.1.1", "idc")
				s.register("app", "l", "13900000001", ts(2, 10, 0), regArgs{device: "fp-l", ip: "45.1.1.1"})
			}},
		{signal: "lockstep_burst", cat: fourcuts.BlackAccount, entity: "app:k0", lead: true,
			build: func(s *scene) {
				// ten in ten minutes, 10:05–10:14: epoch-aligned 10-minute
				// buckets would see five and five
				for k := 0; k < 10; k++ {
					s.register("app", fmt.Sprintf("k%d", k), fmt.Sprintf("1390000%04d", k), ts(2, 10, 5+k), regArgs{device: fmt.Sprintf("fp-k%d", k), ip: fmt.Sprintf("62.1.1.%d", k+1)})
				}
			}},
		{signal: "verified_by_suspect_card", cat: fourcuts.BlackAccount, entity: "app:s", lead: true,
			build: func(s *scene) {
				slotCard(s, "19300000001")
				s.register("app", "s", "19300000001", ts(2, 10, 0), regArgs{device: "fp-s"})
			}},
		{signal: "lifeless_number_on_lifeless_line", cat: fourcuts.BlackAccount, entity: "app:q0", build: lifelessLine},

		// black software
		{signal: "numbers_per_device", cat: fourcuts.BlackSoftware, entity: "fp-n",
			build: func(s *scene) { impossibleFP(s, "fp-n", 5, distinct, true) }},
		{signal: "lifeless_numbers", cat: fourcuts.BlackSoftware, entity: "fp-L",
			build: func(s *scene) { impossibleFP(s, "fp-L", 5, distinct, false) }},
		{signal: "same_platform_accounts", cat: fourcuts.BlackSoftware, entity: "fp-p",
			build: func(s *scene) { impossibleFP(s, "fp-p", 4, one, true) }},
		{signal: "impossible_model_os", cat: fourcuts.BlackSoftware, entity: "fp-n",
			build: func(s *scene) { impossibleFP(s, "fp-n", 5, distinct, true) }},

		// black lines
		{signal: "lifeless_numbers", cat: fourcuts.BlackLine, entity: "63.1.1.1", build: lifelessLine},
		{signal: "black_accounts_share", cat: fourcuts.BlackLine, entity: "64.1.1.1",
			build: func(s *scene) { rented(s, "64.1.1.1", "broadband", 2, 0) }},
		{signal: "black_accounts_on_rented_line", cat: fourcuts.BlackLine, entity: "65.1.1.1",
			build: func(s *scene) { rented(s, "65.1.1.1", "dialup", 1, 2) }},
		{signal: "line_intel_dialup", cat: fourcuts.BlackLine, entity: "65.1.1.1",
			build: func(s *scene) { rented(s, "65.1.1.1", "dialup", 1, 2) }},
		{signal: "line_intel_proxy", cat: fourcuts.BlackLine, entity: "66.1.1.1",
			build: func(s *scene) { rented(s, "66.1.1.1", "proxy", 2, 3) }},
		// joint structure (structure_test.go): five rented numbers of the
		// population on four phones, with the look-alikes as background
		{signal: "dense_structure", cat: fourcuts.BlackCard, entity: "13900000003", build: quietCase},
		{signal: "dense_structure", cat: fourcuts.BlackAccount, entity: "momo:op1-1-1", build: quietCase},
		{signal: "dense_structure", cat: fourcuts.BlackSoftware, entity: "fp-op1-i1", build: quietCase},
		{signal: "stranger_phone_chain", cat: fourcuts.BlackCard, entity: "13900000014", build: chainCase},
		{signal: "stranger_phone_chain", cat: fourcuts.BlackAccount, entity: "zhihu:ch1-0-1", build: chainCase},
		{signal: "stranger_phone_chain", cat: fourcuts.BlackSoftware, entity: "fp-ch1-1", build: chainCase},
		{signal: "line_intel_idc", cat: fourcuts.BlackLine, entity: "67.1.1.1",
			build: func(s *scene) { rented(s, "67.1.1.1", "idc", 2, 3) }},
	}
}

// status says how the target came out: "finding", "lead" or "".
func status(res *fourcuts.Result, cat, entity string) (string, fourcuts.Finding) {
	for _, f := range res.Findings {
		if f.Category == cat && f.Entity == entity {
			return "finding", f
		}
	}
	for _, f := range res.Leads {
		if f.Category == cat && f.Entity == entity {
			return "lead", f
		}
	}
	return "", fourcuts.Finding{}
}

// TestAblation switches each documented signal off through Config and
// watches its hand-built case go unfound: every signal is real only if a
// test fails without it.
func TestAblation(t *testing.T) {
	covered := map[string]bool{}
	for _, a := range ablations() {
		covered[a.signal] = true
		t.Run(a.signal+"/"+a.cat, func(t *testing.T) {
			s := &scene{t: t}
			s.population(30)
			a.build(s)
			cfg := fourcuts.DefaultConfig()
			cfg.Leads = true
			if a.cfg != nil {
				a.cfg(&cfg)
			}
			want := "finding"
			if a.lead {
				want = "lead"
			}
			got, f := status(s.detect(cfg), a.cat, a.entity)
			if got != want || !hasEvidence(f, a.signal) {
				t.Fatalf("with %s: %s %s is %q (want %q with the signal): %.3f %+v", a.signal, a.cat, a.entity, got, want, f.Score, f.Evidence)
			}
			cfg.Off = []string{a.signal}
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
			got, f = status(s.detect(cfg), a.cat, a.entity)
			if got == "finding" || (a.lead && got == "lead") {
				t.Errorf("without %s: %s %s is still a %s: %.3f %+v", a.signal, a.cat, a.entity, got, f.Score, f.Evidence)
			}
		})
	}
	for _, sig := range fourcuts.Signals() {
		if !covered[sig] {
			t.Errorf("documented signal %s has no ablation case", sig)
		}
	}
	if err := (fourcuts.Config{Off: []string{"no_such_signal"}}).Validate(); err == nil {
		t.Error("an unknown signal switched off is accepted")
	}
}
