package sim

import (
	"fmt"
	"hash/fnv"
	"math"
	"strings"

	"github.com/zhudun/zhudun/fourcuts"
)

// Stressors (Params.QuietSales … Params.FamilyVerifiers): the legitimate
// look-alikes that an outside evaluation found the engine over-flagging.
// Every one is drawn only when its parameter is set, so a world without
// stressors consumes the same random numbers as before and is unchanged.

// stressPopulation turns some of the population into look-alikes. It runs
// after population and before any call is made.
func (w *world) stressPopulation() {
	p := w.p
	if p.QuietSales > 0 {
		w.callCentres()
	}
	if p.ProxyUsers > 0 {
		w.proxyUsers()
	}
	if p.EveningMigrants > 0 {
		w.eveningMigrants()
	}
	if p.FamilyPhones > 0 {
		w.familyPhones()
	}
	if p.DualSIMPhones > 0 {
		w.dualSIMPhones()
	}
	if p.NewPhoneSetups > 0 {
		w.newPhones()
	}
	if p.Fleets > 0 {
		w.fleets()
	}
}

// stressRegs adds the registrations of the look-alikes; it runs after
// legitRegs.
func (w *world) stressRegs() {
	g, p := w.g, w.p
	if p.FamilyPhones > 0 {
		for _, pe := range w.persons {
			if pe.extraFP == "" {
				continue
			}
			// a few apps each member set up on the family phone
			for k := 0; k < g.r.IntN(3); k++ {
				d := g.r.IntN(p.Days)
				pl := g.pick(platforms)
				o := regOpt{model: pe.extraPh.m.name, os: pe.extraPh.m.os, ip: pe.homeIP}
				if !pe.extraPh.m.apple {
					o.imei = pe.extraPh.imei
				}
				w.reg(w.at(d, w.hour()), pl, g.account(pl), pe.cardOn(d), pe.extraFP, o)
			}
		}
	}
	if p.DualSIMPhones > 0 {
		for _, pe := range w.persons {
			if pe.dualEven && g.chance(0.5) {
				// an app (often a second WeChat) on the second number
				d := g.r.IntN(p.Days)
				pl := g.pick([]string{"wechat", "qq", "alipay", "douyin", g.pick(platforms)})
				w.reg(w.at(d, w.hour()), pl, g.account(pl), pe.cards[1], pe.fpOn(d), pe.regOptOn(g, pe.homeIP, d))
			}
		}
	}
	if p.NewPhoneSetups > 0 {
		for _, pe := range w.persons {
			if pe.newFP == "" || pe.newPh == nil || pe.newFrom >= p.Days {
				continue
			}
			// about a dozen apps, one account each, within a few hours
			n := clamp(int(math.Round(12+g.r.NormFloat64()*3.5)), 4, 22)
			t0 := w.at(pe.newFrom, 9+g.r.Float64()*12)
			span := int64((0.5 + g.r.Float64()*3.5) * 3600e3)
			ip := pe.homeIP
			if g.chance(0.3) {
				ip = g.pick(w.natIPs)
			}
			for _, i := range g.r.Perm(len(platforms))[:n] {
				pl := platforms[i]
				w.reg(t0+g.r.Int64N(span), pl, g.account(pl), pe.cardOn(pe.newFrom), pe.newFP, pe.regOptOn(g, ip, pe.newFrom))
			}
		}
	}
	if p.FamilyVerifiers > 0 {
		done := map[*person]bool{}
		for _, pe := range w.persons {
			if done[pe] || len(pe.house) < 2 {
				continue
			}
			for _, k := range pe.house {
				done[w.persons[k]] = true
			}
			if !g.chance(p.FamilyVerifiers) {
				continue
			}
			n := 2 + g.r.IntN(4)
			if g.chance(0.3) {
				n += g.r.IntN(6)
			}
			// a parent without a smartphone: every account of theirs is
			// set up on a child's phone with the parent's number
			var elder *person
			if g.chance(0.3) {
				elder = w.persons[pe.house[g.r.IntN(len(pe.house))]]
			}
			for r := 0; r < n; r++ {
				a := w.persons[pe.house[g.r.IntN(len(pe.house))]]
				b := w.persons[pe.house[g.r.IntN(len(pe.house))]]
				for b == a && len(pe.house) > 1 {
					b = w.persons[pe.house[g.r.IntN(len(pe.house))]]
				}
				if elder != nil && g.chance(0.5) {
					b = elder
					for a == elder {
						a = w.persons[pe.house[g.r.IntN(len(pe.house))]]
					}
				}
				d := g.r.IntN(p.Days)
				pl := g.pick(platforms)
				w.reg(w.at(d, w.hour()), pl, g.account(pl), b.cardOn(d), a.fpOn(d), a.regOptOn(g, a.homeIP, d))
			}
		}
	}
}

func clamp(v, lo, hi int) int { return max(lo, min(hi, v)) }

// fpOn is the fingerprint of the phone a person registers from on day d.
func (pe *person) fpOn(d int) string {
	if pe.newFP != "" && d >= pe.newFrom {
		return pe.newFP
	}
	return pe.fp
}

// regOptOn is regOpt for day d (after a new phone is set up, its model and
// IMEI). It draws what regOpt draws.
func (pe *person) regOptOn(g *gen, ip string, d int) regOpt {
	ph := pe.ph
	if pe.newPh != nil && pe.newFP != "" && d >= pe.newFrom {
		ph = pe.newPh
	}
	o := regOpt{model: ph.m.name, os: ph.m.os, ip: ip}
	if !ph.m.apple {
		o.imei = ph.imei
	}
	if g.chance(0.02) {
		o.flags = []string{"vpn"}
	}
	return o
}

func (w *world) newPhone() *phone {
	m := models[w.g.r.IntN(len(models))]
	return &phone{imei: w.g.imei(m.tac, true), m: m}
}

// callCentres makes sales offices and call centres of varied size whose
// staff make many short calls and are rung back 0–1 times a day.
func (w *world) callCentres() {
	g := w.g
	var staff []*person
	for _, pe := range w.persons {
		if pe.kind == kindNormal && g.chance(w.p.QuietSales) {
			pe.kind = kindCallCentre
			staff = append(staff, pe)
		}
	}
	for len(staff) > 0 {
		size := min(len(staff), 2+int(g.r.ExpFloat64()*10))
		cell := g.cell()
		carrier := g.pick(carriers)
		// most offices hand out one model of company phone (one TAC at one
		// cell, as a gateway's channels are)
		var issued *model
		if g.chance(0.7) {
			m := models[g.r.IntN(len(models))]
			issued = &m
		}
		for _, pe := range staff[:size] {
			ph := w.newPhone()
			if issued != nil {
				ph = &phone{imei: g.imei(issued.tac, true), m: *issued}
			}
			cr := carrier
			if g.chance(0.2) {
				cr = g.pick(carriers)
			}
			pe.officeCell = cell
			pe.workPh = ph
			pe.workCard = w.newCard(cr, pe.holder)
			pe.cards = append(pe.cards, pe.workCard)
			w.stockActivation(pe.workCard)
		}
		staff = staff[size:]
	}
}

// callCentreDay: a few to 220 short outbound calls from the office (a quarter to
// the city's own residents), about one in three unanswered; the callee
// rings back at most once a day.
func (w *world) callCentreDay(d int, pe *person) {
	g := w.g
	h := fnv64(pe.workCard.msisdn)
	shifts := h%5 < 2 // a centre that works weekends, 8:00–21:00
	if !shifts && (w.dayOf(w.at(d, 12))+4)%7 >= 5 {
		return
	}
	open, hours := 9.0, 9.0
	if shifts {
		open, hours = 8, 13
	}
	n := min(220, 3+int(g.r.ExpFloat64()*50)) // long-tailed: part-timers to the busiest
	c, ph := pe.workCard, pe.workPh
	var answered []string
	var residents []*person
	for k := 0; k < n; k++ {
		ts := w.at(d, open+g.r.Float64()*hours)
		dur := 0
		if !g.chance(0.35) {
			dur = 5 + int(g.r.ExpFloat64()*50)
		}
		if g.chance(0.25) {
			q := w.persons[g.r.IntN(len(w.persons))]
			qc := q.cardOn(d)
			w.call(d, ts, c, ph, pe.officeCell, qc.msisdn, qc, q.handset(g, qc, d), q.where(g, 12), dur)
			residents = append(residents, q)
			continue
		}
		ext := g.msisdn(g.pick(carriers))
		w.call(d, ts, c, ph, pe.officeCell, ext, nil, nil, "", dur)
		if dur > 0 {
			answered = append(answered, ext)
		}
	}
	// rung back 0–1 times: by a resident it called, or by an outside number
	if !g.chance(float64(h%1000) / 1000) {
		return
	}
	ts := w.at(d, open+g.r.Float64()*hours)
	if len(residents) > 0 && g.chance(0.4) {
		q := residents[g.r.IntN(len(residents))]
		qc := q.cardOn(d)
		w.call(d, ts, qc, q.handset(g, qc, d), q.where(g, 12), c.msisdn, c, ph, pe.officeCell, w.dur(false))
		return
	}
	from := g.pick(w.extern)
	if len(answered) > 0 {
		from = g.pick(answered)
	}
	w.incoming(d, ts, c, ph, pe.officeCell, from, w.dur(false))
}

// proxyUsers sends some users' registrations through shared commercial VPN
// and proxy exits and data-centre addresses; a few exits serve many.
func (w *world) proxyUsers() {
	g := w.g
	n := max(3, int(float64(w.p.Users)*w.p.ProxyUsers/25))
	w.exits = map[string]bool{}
	for i := 0; i < n; i++ {
		var ip string
		if g.chance(0.7) {
			ip = g.ipv4(104, 16+g.r.IntN(8)) // a commercial VPN provider's exits
			if g.chance(0.5) {
				w.intelKind(ip, g.pick([]string{"proxy", "proxy", "idc"}))
			}
		} else {
			ip = g.ipv4(47, 102+g.r.IntN(10)) // cloud desktops, company egress
			if g.chance(0.6) {
				w.intelKind(ip, "idc")
			}
		}
		w.exits[ip] = true
		w.exitSeq = append(w.exitSeq, ip)
	}
	for _, pe := range w.persons {
		if g.chance(w.p.ProxyUsers) {
			// popular exits are popular: a skewed choice
			pe.exit = w.exitSeq[int(float64(len(w.exitSeq))*math.Pow(g.r.Float64(), 2))]
		}
	}
}

func (w *world) intelKind(ip, kind string) {
	e := &sev{ts: w.start, typ: "ip"}
	e.set("ip", ip)
	e.set("kind", kind)
	w.intel = append(w.intel, e)
}

// eveningMigrants: people who arrive from a far province, alone or in a
// factory's group, and open a local card in the evening at one outlet.
func (w *world) eveningMigrants() {
	g, p := w.g, w.p
	var arrivals []*person
	for _, pe := range w.persons {
		if pe.kind == kindNormal && g.chance(p.EveningMigrants) {
			arrivals = append(arrivals, pe)
		}
	}
	for len(arrivals) > 0 {
		size := 1
		if g.chance(0.3) {
			size = min(len(arrivals), 2+int(g.r.ExpFloat64()*4))
		}
		region := g.pick(farRegions)
		outlet := g.pick(w.outlets)
		d := g.r.IntN(max(1, p.Days-1))
		t0 := w.at(d, 17.5+g.r.Float64()*5)
		for _, pe := range arrivals[:size] {
			// the person's cards are from home: their holder is from there
			pe.region = region
			pe.holder = g.holder(region, p.HolderPseudonyms)
			pe.homeCard = pe.cards[0]
			far := fmt.Sprintf("OUT-%s-%02d", region, g.r.IntN(40))
			for _, c := range pe.cards {
				c.holder = pe.holder
				if c.stock >= 0 {
					w.restock(c, region, far)
				}
			}
			n := 1
			if g.chance(0.15) {
				n = 2
			}
			for k := 0; k < n; k++ {
				c := w.newCard(g.pick(carriers), pe.holder)
				ts := t0 + g.r.Int64N(70*60e3)
				w.emit(w.dayOf(ts), w.activation(c, ts, outlet, g.pick(homeRegions)))
				pe.cards = append([]*card{c}, pe.cards...)
				pe.since = w.dayOf(ts) + 1
				// rebind the apps of daily life to the new number
				for _, i := range g.r.Perm(len(platforms))[:1+g.r.IntN(5)] {
					pl := platforms[i]
					rt := ts + int64((0.2+g.r.Float64()*20)*3600e3)
					if rd := w.dayOf(rt); rd < p.Days {
						w.reg(rt, pl, g.account(pl), c, pe.fp, pe.regOpt(g, g.pick(w.natIPs)))
					}
				}
			}
		}
		arrivals = arrivals[size:]
	}
}

// restock rewrites a stock card's activation as opened in the holder's
// home province.
func (w *world) restock(c *card, region, outlet string) {
	e := w.stock[c.stock]
	for i := range e.fields {
		switch e.fields[i].k {
		case "holder":
			e.fields[i].v = c.holder
		case "region":
			e.fields[i].v = region
		case "outlet":
			e.fields[i].v = outlet
		}
	}
}

// familyPhones gives some households one phone all their cards pass
// through; a child without a phone of their own lives in it.
func (w *world) familyPhones() {
	g := w.g
	for i := 0; i < len(w.persons); {
		pe := w.persons[i]
		house := pe.house
		i += max(1, len(house))
		if len(house) < 2 || !g.chance(w.p.FamilyPhones) {
			continue
		}
		shared := w.newPhone()
		fp := g.fp()
		share := 0.3 + g.r.Float64()*0.4
		for _, k := range house {
			q := w.persons[k]
			q.extraPh, q.shareP, q.extraFP = shared, share, fp
		}
		if g.chance(0.4) {
			w.persons[house[len(house)-1]].ph = shared
		}
	}
}

// dualSIMPhones: two cards of different carriers used about equally in
// one phone; some move the second card into an old phone for a few days.
func (w *world) dualSIMPhones() {
	g, p := w.g, w.p
	for _, pe := range w.persons {
		if pe.workCard != nil || !g.chance(p.DualSIMPhones) {
			continue
		}
		if len(pe.cards) < 2 {
			cr := carriers[(indexOf(carriers, pe.cards[0].carrier)+1+g.r.IntN(2))%3]
			c := w.newCard(cr, pe.holder)
			w.stockActivation(c)
			pe.cards = append(pe.cards, c)
		}
		pe.dualEven = true
		if g.chance(0.3) {
			pe.oldPh = w.newPhone()
			pe.oldFrom = g.r.IntN(p.Days)
			pe.oldTo = pe.oldFrom + 1 + g.r.IntN(3)
		}
	}
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return 0
}

// newPhones: some people set up a new phone in the period (and register
// their apps on it, stressRegs); the old one often passes to someone in
// the household.
func (w *world) newPhones() {
	g, p := w.g, w.p
	for _, pe := range w.persons {
		if pe.newPh != nil || !g.chance(p.NewPhoneSetups) {
			continue
		}
		pe.newPh = w.newPhone()
		pe.newFP = g.fp()
		pe.newFrom = g.r.IntN(p.Days)
		if len(pe.house) > 1 && g.chance(0.4) {
			q := w.persons[pe.house[g.r.IntN(len(pe.house))]]
			if q != pe && q.newPh == nil {
				q.newPh, q.newFrom = pe.ph, pe.newFrom+1 // a hand-me-down: same fingerprint as before
			}
		}
	}
}

// fleets: enterprise batches opened in one night at one outlet: IoT cards
// for trackers and meters (no calls, platform notices only) or drivers'
// phones of one company model.
func (w *world) fleets() {
	g, p := w.g, w.p
	for k := 0; k < p.ops(p.Fleets); k++ {
		holder := "91" + g.pick(homeRegions) + "MA" + strings.ToUpper(g.hex(7)) + string("0123456789ABCDEFGHJKLMNPQRTUWXY"[g.r.IntN(31)])
		if g.key != nil {
			holder = g.keyed(holder)
		}
		outlet := g.pick(w.outlets)
		if g.chance(0.5) {
			outlet = fmt.Sprintf("OUT-E%03d", k) // the carrier's enterprise channel
		}
		n := clamp(int(25*math.Exp(g.r.NormFloat64()*0.8)), 6, 300)
		carrier := g.pick(carriers)
		iot := g.chance(0.5)
		var t0 int64
		if g.chance(0.6) {
			t0 = w.at(g.r.IntN(max(1, p.Days-1)), 19.5+g.r.Float64()*7) // the night ends within the period
		} else {
			t0 = w.start - int64(10+g.r.IntN(400))*86400e3 + int64((19.5+g.r.Float64()*7)*3600e3)
		}
		spread := int64(min(150, 5+g.r.ExpFloat64()*60) * 60e3) // a batch job, or staff keying cards in
		region := g.pick(homeRegions)
		m := models[g.r.IntN(len(models))]
		for m.apple {
			m = models[g.r.IntN(len(models))]
		}
		dispatch := "0531" + g.digits(8)
		for i := 0; i < n; i++ {
			cr := carrier
			if g.chance(0.1) {
				cr = g.pick(carriers)
			}
			c := w.newCard(cr, holder)
			if iot {
				c.msisdn = g.unique(func() string {
					return map[string]string{"cmcc": "1440", "cucc": "1460", "ctcc": "1410"}[cr] + g.digits(9)
				})
			}
			ts := t0 + g.r.Int64N(spread)
			e := w.activation(c, ts, outlet, region)
			if ts >= w.start {
				w.emit(w.dayOf(ts), e)
			} else {
				w.stock = append(w.stock, e)
			}
			from := max(0, w.dayOf(ts)+1)
			if iot {
				sender := "1065" + g.digits(6)
				for d := from; d < p.Days; d++ {
					if g.chance(0.3) {
						e := &sev{ts: w.at(d, g.r.Float64()*24), typ: "sms"}
						e.set("msisdn", c.msisdn)
						e.set("sender", sender)
						e.set("kind", "notice")
						w.emit(d, e)
					}
				}
				continue
			}
			ph := &phone{imei: g.imei(m.tac, true), m: m}
			for d := from; d < p.Days; d++ {
				for j := 0; j < 3+g.r.IntN(25); j++ {
					hh := 7 + g.r.Float64()*13
					ts := w.at(d, hh)
					cell := g.cell()
					if g.chance(0.4) {
						q := w.persons[g.r.IntN(len(w.persons))]
						qc := q.cardOn(d)
						w.call(d, ts, c, ph, cell, qc.msisdn, qc, q.handset(g, qc, d), q.where(g, hh), w.dur(true))
						if g.chance(0.4) {
							w.call(d, ts+g.r.Int64N(3600e3), qc, q.handset(g, qc, d), q.where(g, hh), c.msisdn, c, ph, cell, w.dur(true))
						}
						continue
					}
					ext := g.msisdn(g.pick(carriers))
					w.call(d, ts, c, ph, cell, ext, nil, nil, "", w.dur(true))
				}
				for j := 0; j < 1+g.r.IntN(5); j++ {
					w.incoming(d, w.at(d, 7+g.r.Float64()*13), c, ph, g.cell(), dispatch, w.dur(true))
				}
			}
		}
	}
}

func fnv64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// cdrIMEI is the form in which a carrier's call records give a phone's
// IMEI (Params.IMEISV): per phone and carrier, the 15-digit IMEI, the
// 16-digit IMEISV (the first 14 digits and a software version, which a
// few phones update during the period) or the bare 14 digits.
func (w *world) cdrIMEI(ph *phone, c *card, d int) string {
	if w.p.IMEISV <= 0 || len(ph.imei) != 15 || c == nil {
		return ph.imei
	}
	h := fnv64(ph.imei + "|" + c.carrier)
	if float64(h%10000)/10000 >= w.p.IMEISV {
		return ph.imei
	}
	if (h>>20)%6 == 0 {
		return ph.imei[:14]
	}
	hp := fnv64(ph.imei)
	svn := int(hp%90) + 1
	if (hp>>16)%20 == 0 && d >= int((hp>>24)%uint64(w.p.Days)) {
		svn++ // an over-the-air update
	}
	return fmt.Sprintf("%s%02d", ph.imei[:14], svn)
}

// nameDevices renames each black device in the truth to the form the
// contract reports: the 15-digit IMEI seen in the feed when there is one
// (with a valid check digit first, else the smallest), else the smallest
// 16-digit IMEISV, else the 14 digits.
func (w *world) nameDevices() {
	if w.p.IMEISV <= 0 {
		return
	}
	best := map[string]string{}
	consider := func(v string) {
		if len(v) < 14 {
			return
		}
		k := v[:14]
		if b, ok := best[k]; !ok || imeiRank(v) < imeiRank(b) || imeiRank(v) == imeiRank(b) && v < b {
			best[k] = v
		}
	}
	for _, day := range w.events {
		for _, e := range day {
			for _, f := range e.fields {
				if f.k == "imei" {
					consider(f.v)
				}
			}
		}
	}
	for i, t := range w.truth {
		if t.EntityType == "imei" && len(t.Entity) >= 14 {
			if b, ok := best[t.Entity[:14]]; ok {
				w.truth[i].Entity = b
			}
		}
	}
}

func imeiRank(v string) int {
	switch {
	case len(v) == 15 && fourcuts.LuhnDigit(v[:14]) == v[14]:
		return 0
	case len(v) == 15:
		return 1
	case len(v) == 16:
		return 2
	}
	return 3
}

// briefModems adds the pool's modems seen only briefly (Params.BriefModems).
func (w *world) briefModems(gang, tac, cell string, stock []*card, modems int) {
	g, p := w.g, w.p
	x := p.BriefModems * float64(modems)
	n := int(x)
	if g.chance(x - float64(n)) {
		n++
	}
	for i := 0; i < n; i++ {
		t := tac
		if g.chance(0.2) {
			t = "86" + g.digits(6) // a spare of another make
		}
		ph := &phone{imei: g.imei(t, !g.chance(p.InvalidIMEIShare))}
		d := g.r.IntN(p.Days)
		c := stock[g.r.IntN(len(stock))]
		w.label("black_device", "imei", ph.imei, gang)
		for k := 0; k < 1+g.r.IntN(2); k++ {
			w.call(d, w.at(d, g.r.Float64()*24), c, ph, cell, g.pick(w.extern), nil, nil, "", 5+g.r.IntN(15))
		}
	}
}
