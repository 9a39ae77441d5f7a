package sim

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/zhudun/zhudun/fourcuts"
)

// supplied is a black card with the gang that owns it.
type supplied struct {
	c    *card
	gang string
}

// blackOps runs the black-industry operations: card suppliers (bulk-opening
// outlets, holder rings, cards bought one by one), cat pools serving codes,
// registration studios, an emulator farm, and GoIP gateways.
func (w *world) blackOps() {
	p, g := w.p, w.g
	var supply []supplied
	// bulk-opening outlets: night bursts for holders from far away
	for k := 0; k < p.ops(p.BulkOutlets); k++ {
		gang := w.newGang("bulk_outlet")
		outlet := fmt.Sprintf("OUT-9%03d", k)
		region := g.pick(homeRegions)
		bursts := 2 + g.r.IntN(3)
		for b := 0; b < bursts; b++ {
			dayBack := -5 + g.r.IntN(200) // some within the period
			t0 := w.start - int64(dayBack)*86400e3 + int64((22+g.r.Float64()*6)*3600e3)
			n := 15 + g.r.IntN(40)
			var holder string
			for i := 0; i < n; i++ {
				if i%2 == 0 || g.chance(0.5) {
					holder = g.holder(g.pick(farRegions), p.HolderPseudonyms)
				}
				c := w.newCard(g.pick(carriers), holder)
				ts := t0 + int64(g.r.IntN(50*60e3))
				e := w.activation(c, ts, outlet, region)
				if d := w.dayOf(ts); ts >= w.start && d < p.Days {
					w.emit(d, e)
				} else {
					w.stock = append(w.stock, e)
				}
				supply = append(supply, supplied{c, gang})
			}
		}
	}
	// holder rings: a few people each opening many cards across carriers
	for k := 0; k < p.ops(p.HolderRings); k++ {
		gang := w.newGang("holder_ring")
		for h := 0; h < 5+g.r.IntN(4); h++ {
			holder := g.holder(g.pick(farRegions), p.HolderPseudonyms)
			day0 := w.start - int64(10+g.r.IntN(150))*86400e3
			for i := 0; i < 6+g.r.IntN(7); i++ {
				c := w.newCard(carriers[i%3], holder)
				ts := day0 + int64(g.r.IntN(3))*86400e3 + int64((10+g.r.Float64()*8)*3600e3)
				w.stock = append(w.stock, w.activation(c, ts, g.pick(w.outlets), g.pick(homeRegions)))
				supply = append(supply, supplied{c, gang})
			}
		}
	}
	// A supplied card belongs to the operation that uses it (the cards in
	// one pool are the pool's); the cards no operation used in the period
	// stay with the supplier that opened them (labelled at the end).
	allSupply := slices.Clone(supply)
	defer func() {
		for _, s := range allSupply {
			w.label("black_card", "msisdn", s.c.msisdn, s.gang)
		}
	}()
	g.r.Shuffle(len(supply), func(i, j int) { supply[i], supply[j] = supply[j], supply[i] })
	take := func(n int) []*card {
		var out []*card
		for i := 0; i < n; i++ {
			if len(supply) > 0 && g.chance(0.7) {
				out = append(out, supply[0].c)
				supply = supply[1:]
				continue
			}
			// bought one by one from people who opened them normally
			c := w.newCard(g.pick(carriers), g.holder(g.pick(append(farRegions, homeRegions...)), p.HolderPseudonyms))
			w.stockActivation(c)
			out = append(out, c)
		}
		return out
	}

	// cat pools: modems whose slots cards rotate through, serving codes
	type pool struct {
		cards []*card
		gang  string
	}
	var pools []pool
	for k := 0; k < p.ops(p.CatPools); k++ {
		gang := w.newGang("cat_pool")
		modems := 2 + g.r.IntN(5)
		slots := g.between(p.SlotsMin, p.SlotsMax)
		stock := take(modems * slots * (3 + g.r.IntN(3)) / 2)
		tac := "8674" + g.digits(4)
		cell := g.cell()
		var imeis []string
		for m := 0; m < modems; m++ {
			imeis = append(imeis, g.imei(tac, !g.chance(p.InvalidIMEIShare)))
		}
		for d := 0; d < p.Days; d++ {
			g.r.Shuffle(len(stock), func(i, j int) { stock[i], stock[j] = stock[j], stock[i] })
			for m, imei := range imeis {
				for s := 0; s < slots && m*slots+s < len(stock); s++ {
					c := stock[m*slots+s]
					ph := &phone{imei: imei}
					w.label("black_device", "imei", imei, gang)
					w.label("black_card", "msisdn", c.msisdn, gang)
					for k := 0; k < 1+g.r.IntN(2); k++ {
						ts := w.at(d, g.r.Float64()*24)
						if g.chance(0.3) {
							o := stock[g.r.IntN(len(stock))]
							if o != c {
								w.call(d, ts, c, ph, cell, o.msisdn, nil, nil, "", 5+g.r.IntN(15))
								continue
							}
						}
						w.call(d, ts, c, ph, cell, g.pick(w.extern), nil, nil, "", 5+g.r.IntN(15))
					}
				}
			}
		}
		if p.BriefModems > 0 {
			w.briefModems(gang, tac, cell, stock, modems)
		}
		pools = append(pools, pool{stock, gang})
	}

	// The city's rotating dial-up (秒拨) pool and one proxy provider, both
	// rented by every studio. They draw on their own generator (and address
	// ranges), so a world differs from one without them only in the
	// addresses that they replace.
	side := &gen{r: rand.New(rand.NewPCG(p.Seed^0xd1a1, p.Seed+0x9e37)), seen: map[string]bool{}}
	var dialPool, sharedProxies []string
	if p.DialupPool > 0 {
		for i := 0; i < p.DialupPool*max(1, p.ops(p.Studios)); i++ {
			dialPool = append(dialPool, side.ipv4(27, 200+side.r.IntN(10)))
		}
	}
	for i := 0; i < 4; i++ {
		sharedProxies = append(sharedProxies, side.ipv4(103, 60+side.r.IntN(4)))
	}
	dialup := func() string {
		ip := g.ipv4(27, 190+g.r.IntN(10))
		if len(dialPool) > 0 {
			return side.pick(dialPool)
		}
		return ip
	}
	intel := func(ip, kind string) {
		e := &sev{ts: w.start, typ: "ip"}
		e.set("ip", ip)
		e.set("kind", kind)
		w.intel = append(w.intel, e)
	}
	studioPlats := func() []string {
		var ps []string
		for _, i := range g.r.Perm(len(platforms))[:8+g.r.IntN(8)] {
			ps = append(ps, platforms[i])
		}
		return ps
	}
	// registration studios: phone farms with device-spoofing software
	for k := 0; k < p.ops(p.Studios); k++ {
		gang := w.newGang("studio")
		var cards []*card
		if len(pools) > 0 && g.chance(0.7) {
			pl := pools[g.r.IntN(len(pools))]
			cards = pl.cards
			gang = pl.gang
		} else {
			cards = take(30 + g.r.IntN(60)) // labelled when used
		}
		var phones []*phone
		for i := 0; i < 5+g.r.IntN(15); i++ {
			m := models[g.r.IntN(len(models))]
			for m.apple {
				m = models[g.r.IntN(len(models))]
			}
			phones = append(phones, &phone{imei: g.imei(m.tac, true), m: m})
		}
		var proxies []string
		for i := 0; i < 3+g.r.IntN(5); i++ {
			ip := g.ipv4(103, 40+g.r.IntN(20))
			if side.chance(p.SharedProxies) {
				ip = side.pick(sharedProxies)
			}
			proxies = append(proxies, ip)
			if g.chance(0.6) {
				intel(ip, "proxy")
			}
		}
		plats := studioPlats()
		// How the studio hides: fresh fingerprints on real IMEIs (churn),
		// one fingerprint per phone reused across many accounts
		// (multi-open), or phones that report no IMEI at all.
		mode := g.r.IntN(3)
		fps := make([]string, len(phones))
		for i := range fps {
			fps[i] = g.fp()
		}
		flagP := g.r.Float64() * 0.8
		natP := g.r.Float64() * 0.3 // some registrations through carrier NAT
		total := int(float64(len(cards)) * p.RegsPerCard * (0.3 + g.r.Float64()*0.5))
		for done := 0; done < total; {
			d := g.r.IntN(p.Days)
			t0 := w.at(d, g.r.Float64()*24)
			n := 8 + g.r.IntN(25)
			for i := 0; i < n && done < total; i++ {
				done++
				pi := g.r.IntN(len(phones))
				ph := phones[pi]
				c := cards[g.r.IntN(len(cards))]
				pl := plats[g.r.IntN(len(plats))]
				var fp string
				o := regOpt{imei: ph.imei, model: ph.m.name, os: ph.m.os}
				switch mode {
				case 0:
					fp = g.fp() // a fresh fingerprint per registration
					if g.chance(0.5) {
						m := models[g.r.IntN(len(models))] // spoofed model
						o.model, o.os = m.name, m.os
						if m.apple && g.chance(0.5) {
							o.os = "Android 11" // impossible combination
						}
					}
				case 1:
					fp = fps[pi]
				default:
					fp = fps[pi]
					o.imei = ""
				}
				switch {
				case len(w.exitSeq) > 0 && g.chance(cmp.Or(p.ExitShare, 0.04)):
					o.ip = g.pick(w.exitSeq) // a commercial exit shared with ordinary users: not labelled
				case g.chance(natP):
					o.ip = g.pick(w.natIPs) // shared with thousands: not labelled
				case g.chance(0.7):
					o.ip = dialup()
					if g.chance(p.DialupIntelShare) {
						intel(o.ip, "dialup")
					}
				default:
					o.ip = proxies[g.r.IntN(len(proxies))]
				}
				if g.chance(flagP) {
					o.flags = []string{g.pick([]string{"hook", "multi_open", "root"})}
				}
				acct := g.account(pl)
				// a burst begun just before the period ends runs past it:
				// what the feed never shows is nobody's finding (family_phones,
				// seed 4107 at 6,000 × 4: two cards and 13 accounts of a
				// burst at 23:55 on the last day were labelled without an event)
				if !w.reg(t0+int64(g.r.IntN(10*60e3)), pl, acct, c, fp, o) {
					continue
				}
				w.label("black_account", "account", pl+":"+acct, gang)
				w.label("black_software", "device", fp, gang)
				if !slices.Contains(w.natIPs, o.ip) && !w.exits[o.ip] {
					w.useLine(o.ip, gang)
				}
				w.label("black_card", "msisdn", c.msisdn, gang)
			}
		}
	}
	// emulator farm in a data centre, on cards from the rings
	var emuCards []*card
	for k := 0; k < p.ops(p.EmuFarms); k++ {
		gang := w.newGang("emu_farm")
		cards := take(40 + g.r.IntN(60))
		emuCards = append(emuCards, cards...)
		var idc []string
		for i := 0; i < 6+g.r.IntN(10); i++ {
			ip := g.ipv4(47, 92+g.r.IntN(10))
			idc = append(idc, ip)
			if g.chance(0.7) {
				intel(ip, "idc")
			}
		}
		plats := studioPlats()
		for _, c := range cards {
			w.label("black_card", "msisdn", c.msisdn, gang)
			for r := 0; r < 1+g.r.IntN(int(p.RegsPerCard)); r++ {
				d := g.r.IntN(p.Days)
				pl := plats[g.r.IntN(len(plats))]
				m := emuModels[g.r.IntN(len(emuModels))]
				o := regOpt{model: m.name, os: m.os, ip: idc[g.r.IntN(len(idc))], flags: []string{"emulator"}}
				switch {
				case g.chance(0.2):
					o.model, o.os, o.imei = "iPhone 12", "iOS 14.6", g.imei("35328711", true)
				case g.chance(0.5):
					o.imei = g.imei(m.tac, true)
				}
				if g.chance(0.5) {
					o.flags = append(o.flags, "hook")
				}
				fp := g.fp()
				acct := g.account(pl)
				w.reg(w.at(d, g.r.Float64()*24), pl, acct, c, fp, o)
				w.label("black_account", "account", pl+":"+acct, gang)
				w.label("black_software", "device", fp, gang)
				w.useLine(o.ip, gang)
			}
		}
	}
	w.labelLines()
	// Police cut a few of the studios' numbers; the carrier reissues them
	// to residents, whose new accounts are not black.
	if p.Days >= 3 {
		var used []*card
		for _, pe := range pools {
			used = append(used, pe.cards...)
		}
		used = append(used, emuCards...)
		for k := 0; k < min(5, len(used)); k++ {
			c := used[g.r.IntN(len(used))]
			if !w.truthed["black_card|"+c.msisdn] || w.reissued[c.msisdn] {
				continue
			}
			// cut after the card's last use
			var last int64
			for _, day := range w.events {
				for _, e := range day {
					for _, f := range e.fields {
						if (f.k == "msisdn" || f.k == "peer") && f.v == c.msisdn && e.ts > last {
							last = e.ts
						}
					}
				}
			}
			d := w.dayOf(last) + 1
			if d+1 >= p.Days {
				continue
			}
			w.reissued[c.msisdn] = true
			cancel := w.activation(c, w.at(d, 11), g.pick(w.outlets), g.pick(homeRegions))
			for i := range cancel.fields {
				if cancel.fields[i].k == "action" {
					cancel.fields[i].v = "cancel"
				}
			}
			w.emit(d, cancel)
			pe := w.persons[g.r.IntN(len(w.persons))]
			nc := &card{msisdn: c.msisdn, imsi: g.imsi(c.carrier), iccid: g.iccid(), carrier: c.carrier, holder: pe.holder}
			w.emit(d+1, w.activation(nc, w.at(d+1, 10), g.pick(w.outlets), g.pick(homeRegions)))
			pl := g.pick(platforms)
			w.reg(w.at(d+1, 15), pl, g.account(pl), nc, pe.fp, pe.regOpt(g, pe.homeIP))
		}
	}
	// GoIP gateways: channels at one site calling victims one-way
	for k := 0; k < p.ops(p.GoIPs); k++ {
		gang := w.newGang("goip")
		channels := 4 + g.r.IntN(13)
		cards := take(channels * (2 + g.r.IntN(3)))
		tac := "8699" + g.digits(4)
		cell := g.cell()
		base := g.digits(5)
		var imeis []string
		for ch := 0; ch < channels; ch++ {
			body := tac + base + fmt.Sprint(ch%10)
			c := fourcuts.LuhnDigit(body)
			if g.chance(p.InvalidIMEIShare) {
				c = byte('0' + (int(c-'0')+3)%10)
			}
			imei := body + string(c)
			if g.seen[body] { // a channel number past 9: a fresh body
				imei = g.imei(tac, !g.chance(p.InvalidIMEIShare))
			}
			g.seen[body] = true
			imeis = append(imeis, imei)
		}
		for d := 0; d < p.Days; d++ {
			for ch, imei := range imeis {
				c := cards[(ch+d*channels/2)%len(cards)]
				ph := &phone{imei: imei}
				w.label("black_device", "imei", imei, gang)
				w.label("black_card", "msisdn", c.msisdn, gang)
				for i := 0; i < 25+g.r.IntN(50); i++ {
					ts := w.at(d, 8+g.r.Float64()*14)
					if g.chance(0.3) {
						q := w.persons[g.r.IntN(len(w.persons))]
						qc := q.cardOn(d)
						w.call(d, ts, c, ph, cell, qc.msisdn, qc, q.handset(g, qc, d), q.where(g, 12), w.dur(true))
						if g.chance(0.02) {
							w.call(d, ts+600e3, qc, q.handset(g, qc, d), q.where(g, 12), c.msisdn, c, ph, cell, w.dur(true))
						}
						continue
					}
					victim := g.msisdn(g.pick(carriers))
					w.call(d, ts, c, ph, cell, victim, nil, nil, "", w.dur(true))
				}
			}
		}
	}
}
