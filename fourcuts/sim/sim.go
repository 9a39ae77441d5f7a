package sim

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// sev is one simulated event before encoding.
type sev struct {
	ts     int64 // Unix ms
	typ    string
	fields []kv
}

type kv struct{ k, v string }

func (e *sev) set(k, v string) {
	if v != "" {
		e.fields = append(e.fields, kv{k, v})
	}
}

type card struct {
	msisdn, imsi, iccid, carrier, holder string
	stock                                int // index of its activation in world.stock, or -1
}

type phone struct {
	imei string
	m    model
}

type person struct {
	holder, region     string
	cards              []*card
	ph                 *phone
	fp                 string
	homeCell, workCell string
	homeIP             string
	contacts           []int
	kind               int
	workPh             *phone
	workCard           *card
	officeCell         string
	courierCells       []string
	extraPh            *phone // a second, shared family phone

	// stressors (stress.go); zero values leave a person as before
	house    []int   // the household's persons, self included
	shareP   float64 // chance a call of cards[0] goes through extraPh (0: 0.15)
	extraFP  string  // the shared family phone's fingerprint
	since    int     // day cards[0] was opened (evening migrants: homeCard before)
	homeCard *card   // an evening migrant's card from home
	dualEven bool    // two cards used about equally
	oldPh    *phone  // an old phone cards[1] visits on days [oldFrom, oldTo)
	oldFrom  int
	oldTo    int
	newPh    *phone // the phone used from day newFrom on
	newFP    string
	newFrom  int
	exit     string // the VPN, proxy or data-centre address the person registers through
}

const (
	kindNormal = iota
	kindCourier
	kindSales
	kindStudent
	kindGamer
	kindCallCentre
)

// world holds the generated population and what the operations own.
type world struct {
	p        Params
	g        *gen
	start    int64
	persons  []*person
	outlets  []string
	natIPs   []string
	campus   []string
	extern   []string // external numbers: other cities, landlines, services
	events   [][]*sev // per day
	stock    []*sev   // activations before the period
	intel    []*sev
	truth    []Truth
	truthed  map[string]bool
	reissued map[string]bool
	senders  map[string]string
	gangN    int
	kinds    []string // kind of each gang, T-001 first
	// lines used by several operations are labelled at the end with the
	// gang that registered most accounts through them
	lineUse map[string]map[string]int
	lineSeq []string
	exits   map[string]bool // shared commercial exits (Params.ProxyUsers)
	exitSeq []string
}

func (w *world) day(d int) int64 { return w.start + int64(d)*86400e3 }

// at returns a time on day d at hour h (fractional hours allowed).
func (w *world) at(d int, h float64) int64 { return w.day(d) + int64(h*3600e3) }

// emit puts e on day d, and reports false (dropping it) when d is outside
// the period.
func (w *world) emit(d int, e *sev) bool {
	if d < 0 || d >= len(w.events) {
		return false
	}
	w.events[d] = append(w.events[d], e)
	return true
}

func (w *world) dayOf(ts int64) int { return int((ts - w.start) / 86400e3) }

func (w *world) label(cat, etype, entity, gang string) {
	k := cat + "|" + entity
	if entity == "" || w.truthed[k] {
		return
	}
	w.truthed[k] = true
	w.truth = append(w.truth, Truth{cat, etype, entity, gang})
}

// useLine records that gang registered an account through ip.
func (w *world) useLine(ip, gang string) {
	m := w.lineUse[ip]
	if m == nil {
		m = map[string]int{}
		w.lineUse[ip] = m
		w.lineSeq = append(w.lineSeq, ip)
	}
	m[gang]++
}

// labelLines labels every black line with its main user (ties: the older gang).
func (w *world) labelLines() {
	for _, ip := range w.lineSeq {
		best, bn := "", 0
		for g, n := range w.lineUse[ip] {
			if n > bn || n == bn && g < best {
				best, bn = g, n
			}
		}
		w.label("black_line", "ip", ip, best)
	}
}

// newGang names a new operation of the kind given (Operations reports it).
func (w *world) newGang(kind string) string {
	w.gangN++
	g := fmt.Sprintf("T-%03d", w.gangN)
	w.kinds = append(w.kinds, kind)
	return g
}

func newWorld(p Params) *world {
	p = p.Defaults()
	w := &world{p: p, g: &gen{r: rand.New(rand.NewPCG(p.Seed, p.Seed^0x5eed)), seen: map[string]bool{}},
		start: p.Start.UnixMilli(), truthed: map[string]bool{}, reissued: map[string]bool{}, senders: map[string]string{},
		lineUse: map[string]map[string]int{}}
	if p.KeyedHolders {
		w.g.key = []byte(fmt.Sprintf("provider-key-%d", p.Seed))
	}
	w.events = make([][]*sev, p.Days)
	for _, pl := range platforms {
		w.senders[pl] = w.g.unique(func() string { return "10690" + w.g.digits(6) })
	}
	return w
}

func (w *world) newCard(carrier, holder string) *card {
	g := w.g
	return &card{msisdn: g.msisdn(carrier), imsi: g.imsi(carrier), iccid: g.iccid(), carrier: carrier, holder: holder, stock: -1}
}

func (w *world) activation(c *card, ts int64, outlet, region string) *sev {
	e := &sev{ts: ts, typ: "sim"}
	e.set("msisdn", c.msisdn)
	e.set("imsi", c.imsi)
	e.set("iccid", c.iccid)
	e.set("holder", c.holder)
	e.set("outlet", outlet)
	e.set("carrier", c.carrier)
	e.set("region", region)
	e.set("action", "activate")
	return e
}

// stockActivation opens a card years before the period at a legitimate
// outlet during opening hours.
func (w *world) stockActivation(c *card) {
	g := w.g
	daysBack := 30 + g.r.IntN(3000)
	ts := w.start - int64(daysBack)*86400e3 + int64((9+g.r.Float64()*11)*3600e3)
	c.stock = len(w.stock)
	w.stock = append(w.stock, w.activation(c, ts, g.pick(w.outlets), g.pick(homeRegions)))
}

func (w *world) population() {
	p, g := w.p, w.g
	for i := 0; i < 60; i++ {
		w.outlets = append(w.outlets, fmt.Sprintf("OUT-%04d", 1000+i))
	}
	for i := 0; i < 40; i++ {
		ip := g.ipv4(112, 224+g.r.IntN(8))
		w.natIPs = append(w.natIPs, ip)
		if g.chance(0.6) {
			e := &sev{ts: w.start, typ: "ip"}
			e.set("ip", ip)
			e.set("kind", "mobile")
			e.set("isp", "China Mobile")
			e.set("asn", "AS24444")
			e.set("shared", fmt.Sprint(2000+g.r.IntN(8000)))
			w.intel = append(w.intel, e)
		}
	}
	for i := 0; i < 4; i++ {
		w.campus = append(w.campus, g.ipv4(202, 194))
	}
	for i := 0; i < 3000; i++ {
		var n string
		switch g.r.IntN(4) {
		case 0:
			n = "0531" + g.digits(8)
		case 1:
			n = "95" + g.digits(3)
		default:
			n = g.msisdn(g.pick(carriers)) // other cities' mobiles
		}
		w.extern = append(w.extern, n)
	}
	w.persons = make([]*person, p.Users)
	var hh []int
	for i := 0; i < p.Users; {
		size := 1 + g.r.IntN(4)
		homeCell := g.cell()
		homeIP := g.ipv4(60, 208+g.r.IntN(4))
		hh = hh[:0]
		for k := 0; k < size && i < p.Users; k++ {
			region := homeRegions[g.r.IntN(len(homeRegions))]
			if g.chance(0.08) {
				region = g.pick(farRegions) // migrants live here legally
			}
			pe := &person{region: region, homeCell: homeCell, workCell: g.cell(), homeIP: homeIP}
			pe.holder = g.holder(region, p.HolderPseudonyms)
			m := models[g.r.IntN(len(models))]
			pe.ph = &phone{imei: g.imei(m.tac, true), m: m}
			pe.fp = g.fp()
			nc := 1
			if g.chance(p.DualSIM) {
				nc = 2
			}
			if g.chance(p.MultiCard) {
				nc = 3 + g.r.IntN(5) // legal: several, spread over carriers
			}
			for c := 0; c < nc; c++ {
				cr := carriers[c%3]
				if c == 0 {
					cr = g.pick(carriers)
				}
				cd := w.newCard(cr, pe.holder)
				pe.cards = append(pe.cards, cd)
				w.stockActivation(cd)
			}
			switch r := g.r.Float64(); {
			case r < p.Couriers:
				pe.kind = kindCourier
				for c := 0; c < 12; c++ {
					pe.courierCells = append(pe.courierCells, g.cell())
				}
			case r < p.Couriers+p.Sales:
				pe.kind = kindSales
			case r < p.Couriers+p.Sales+p.Students:
				pe.kind = kindStudent
			case r < p.Couriers+p.Sales+p.Students+p.Gamers:
				pe.kind = kindGamer
			}
			w.persons[i] = pe
			hh = append(hh, i)
			i++
		}
		// shared family phone: an old handset the household's cards pass through
		if len(hh) >= 3 && g.chance(0.15) {
			m := models[g.r.IntN(len(models))]
			shared := &phone{imei: g.imei(m.tac, true), m: m}
			for _, k := range hh {
				w.persons[k].extraPh = shared
			}
		}
		house := slices.Clone(hh)
		for _, k := range hh {
			w.persons[k].house = house
		}
		for _, a := range hh {
			for _, b := range hh {
				if a != b {
					w.persons[a].contacts = append(w.persons[a].contacts, b)
				}
			}
		}
	}
	for i, pe := range w.persons {
		n := 6 + g.r.IntN(15)
		for k := 0; k < n; k++ {
			j := g.r.IntN(len(w.persons))
			if j != i {
				pe.contacts = append(pe.contacts, j)
				w.persons[j].contacts = append(w.persons[j].contacts, i)
			}
		}
	}
	// sales offices: groups sharing a cell and company handsets of one model
	var sales []*person
	for _, pe := range w.persons {
		if pe.kind == kindSales {
			sales = append(sales, pe)
		}
	}
	for k := 0; k < len(sales); k += 10 {
		cell := g.cell()
		for _, pe := range sales[k:min(k+10, len(sales))] {
			// a work phone of the staff member's choosing
			m := models[g.r.IntN(len(models))]
			pe.officeCell = cell
			pe.workPh = &phone{imei: g.imei(m.tac, true), m: m}
			pe.workCard = w.newCard(g.pick(carriers), pe.holder)
			pe.cards = append(pe.cards, pe.workCard)
			w.stockActivation(pe.workCard)
		}
	}
}

// cdr emits the records of one call: the caller's MO record and, when the
// callee is a subscriber, the callee's MT record.
func (w *world) call(d int, ts int64, from *card, fromPh *phone, fromCell string, to string, toCard *card, toPh *phone, toCell string, dur int) {
	if from != nil {
		e := &sev{ts: ts, typ: "cdr"}
		e.set("msisdn", from.msisdn)
		e.set("peer", to)
		e.set("dir", "mo")
		e.set("dur", fmt.Sprint(dur))
		e.set("imsi", from.imsi)
		if fromPh != nil {
			e.set("imei", w.cdrIMEI(fromPh, from, d))
		}
		e.set("cell", fromCell)
		w.emit(d, e)
	}
	if toCard != nil {
		peer := "05310000000"
		if from != nil {
			peer = from.msisdn
		}
		e := &sev{ts: ts, typ: "cdr"}
		e.set("msisdn", toCard.msisdn)
		e.set("peer", peer)
		e.set("dir", "mt")
		e.set("dur", fmt.Sprint(dur))
		e.set("imsi", toCard.imsi)
		if toPh != nil {
			e.set("imei", w.cdrIMEI(toPh, toCard, d))
		}
		e.set("cell", toCell)
		w.emit(d, e)
	}
}

// incoming emits an MT record from an external number.
func (w *world) incoming(d int, ts int64, to *card, ph *phone, cell, from string, dur int) {
	e := &sev{ts: ts, typ: "cdr"}
	e.set("msisdn", to.msisdn)
	e.set("peer", from)
	e.set("dir", "mt")
	e.set("dur", fmt.Sprint(dur))
	e.set("imsi", to.imsi)
	if ph != nil {
		e.set("imei", w.cdrIMEI(ph, to, d))
	}
	e.set("cell", cell)
	w.emit(d, e)
}

func (pe *person) where(g *gen, h float64) string {
	if pe.kind == kindCourier && h >= 8 && h < 20 {
		return pe.courierCells[g.r.IntN(len(pe.courierCells))]
	}
	if g.chance(0.1) {
		return g.cell()
	}
	if h >= 9 && h < 18 {
		return pe.workCell
	}
	return pe.homeCell
}

// whereWith is where, for a call made with phone ph: a shared family phone
// (Params.FamilyPhones) stays at home.
func (pe *person) whereWith(g *gen, h float64, ph *phone) string {
	cell := pe.where(g, h)
	if pe.shareP > 0 && ph == pe.extraPh {
		return pe.homeCell
	}
	return cell
}

// handset returns the phone a person's card is in on day d (dual-SIM: the
// same phone; a household's shared phone now and then; an old phone the
// second card visits; a new phone from the day it was set up).
func (pe *person) handset(g *gen, c *card, d int) *phone {
	if c == pe.workCard {
		return pe.workPh
	}
	if pe.oldPh != nil && c == pe.cards[1] && d >= pe.oldFrom && d < pe.oldTo {
		return pe.oldPh
	}
	if pe.extraPh != nil && c == pe.cards[0] && g.chance(cmp.Or(pe.shareP, 0.15)) {
		return pe.extraPh
	}
	if pe.newPh != nil && d >= pe.newFrom {
		return pe.newPh
	}
	return pe.ph
}

// cardOn returns the person's main card on day d: an evening migrant
// uses the card from home until the local one is opened.
func (pe *person) cardOn(d int) *card {
	if d < pe.since && pe.homeCard != nil {
		return pe.homeCard
	}
	return pe.cards[0]
}

func (w *world) dur(short bool) int {
	g := w.g
	if g.chance(0.12) {
		return 0
	}
	if short {
		return 5 + g.r.IntN(35)
	}
	v := int(30 * (1 + g.r.ExpFloat64()*3))
	return v
}

func (w *world) hour() float64 {
	// people call mostly between 7:00 and 23:00
	g := w.g
	if g.chance(0.03) {
		return g.r.Float64() * 24
	}
	return 7 + g.r.Float64()*16
}

func (w *world) legitCalls() {
	g := w.g
	for d := 0; d < w.p.Days; d++ {
		for i, pe := range w.persons {
			n := g.r.IntN(5)
			for k := 0; k < n; k++ {
				h := w.hour()
				ts := w.at(d, h)
				c := pe.cardOn(d)
				share := 0.25
				if pe.dualEven {
					share = 0.5
				}
				if len(pe.cards) > 1 && g.chance(share) {
					c = pe.cards[1+g.r.IntN(len(pe.cards)-1)]
					if c == pe.workCard {
						c = pe.cardOn(d)
					}
				}
				ph := pe.handset(g, c, d)
				if g.chance(0.35) || len(pe.contacts) == 0 {
					ext := g.pick(w.extern)
					if g.chance(0.5) {
						w.call(d, ts, c, ph, pe.whereWith(g, h, ph), ext, nil, nil, "", w.dur(false))
					} else {
						w.incoming(d, ts, c, ph, pe.whereWith(g, h, ph), ext, w.dur(false))
					}
					continue
				}
				j := pe.contacts[g.r.IntN(len(pe.contacts))]
				q := w.persons[j]
				qc := q.cardOn(d)
				w.call(d, ts, c, ph, pe.whereWith(g, h, ph), qc.msisdn, qc, q.handset(g, qc, d), q.where(g, h), w.dur(false))
				_ = i
			}
			switch pe.kind {
			case kindCourier:
				w.courierDay(d, pe)
			case kindSales:
				w.salesDay(d, pe)
			case kindCallCentre:
				w.callCentreDay(d, pe)
			}
		}
	}
}

// courierDay: 60–100 short calls to customers, many of whom call back.
func (w *world) courierDay(d int, pe *person) {
	g := w.g
	n := 60 + g.r.IntN(41)
	c := pe.cards[0]
	for k := 0; k < n; k++ {
		h := 8 + g.r.Float64()*11
		ts := w.at(d, h)
		if g.chance(0.5) {
			j := g.r.IntN(len(w.persons))
			q := w.persons[j]
			qc := q.cardOn(d)
			w.call(d, ts, c, pe.ph, pe.where(g, h), qc.msisdn, qc, q.handset(g, qc, d), q.where(g, h), w.dur(true))
			if g.chance(0.35) {
				ts2 := ts + int64(g.r.IntN(3600e3))
				w.call(d, ts2, qc, q.handset(g, qc, d), q.where(g, h), c.msisdn, c, pe.ph, pe.where(g, h), w.dur(true))
			}
		} else {
			ext := g.msisdn(g.pick(carriers))
			w.call(d, ts, c, pe.ph, pe.where(g, h), ext, nil, nil, "", w.dur(true))
			if g.chance(0.35) {
				w.incoming(d, ts+int64(g.r.IntN(3600e3)), c, pe.ph, pe.where(g, h), ext, w.dur(true))
			}
		}
	}
}

// salesDay: 60–100 short cold calls from a company handset at the office,
// few call back, some customers ring in.
func (w *world) salesDay(d int, pe *person) {
	g := w.g
	if (w.dayOf(w.at(d, 12))+4)%7 >= 5 { // weekends off
		return
	}
	n := 60 + g.r.IntN(41)
	c := pe.workCard
	for k := 0; k < n; k++ {
		ts := w.at(d, 9+g.r.Float64()*9)
		ext := g.msisdn(g.pick(carriers))
		w.call(d, ts, c, pe.workPh, pe.officeCell, ext, nil, nil, "", w.dur(true))
		if g.chance(0.04) {
			w.incoming(d, ts+int64(g.r.IntN(7200e3)), c, pe.workPh, pe.officeCell, ext, w.dur(false))
		}
	}
	for k := 0; k < 3+g.r.IntN(6); k++ {
		w.incoming(d, w.at(d, 9+g.r.Float64()*9), c, pe.workPh, pe.officeCell, g.pick(w.extern), w.dur(false))
	}
}

func (w *world) otp(ts int64, c *card, platform string) {
	e := &sev{ts: ts, typ: "sms"}
	e.set("msisdn", c.msisdn)
	e.set("sender", w.senders[platform])
	if w.g.chance(0.8) {
		e.set("platform", platform)
	}
	w.emit(w.dayOf(ts), e)
}

type regOpt struct {
	imei, model, os, ip string
	flags               []string
}

// reg emits a registration (and its code before it) and reports whether it
// fell inside the period: an operation labels only what the feed shows.
func (w *world) reg(ts int64, platform, account string, c *card, fp string, o regOpt) bool {
	w.otp(ts-int64(20e3+w.g.r.IntN(60e3)), c, platform)
	e := &sev{ts: ts, typ: "reg"}
	e.set("platform", platform)
	e.set("account", account)
	e.set("msisdn", c.msisdn)
	e.set("device", fp)
	e.set("imei", o.imei)
	e.set("ip", o.ip)
	e.set("model", o.model)
	e.set("os", o.os)
	if len(o.flags) > 0 {
		e.set("flags", joinFlags(o.flags))
	}
	return w.emit(w.dayOf(ts), e)
}

func joinFlags(f []string) string {
	s := ""
	for i, x := range f {
		if i > 0 {
			s += "|"
		}
		s += x
	}
	return s
}

func (pe *person) regOpt(g *gen, ip string) regOpt {
	o := regOpt{model: pe.ph.m.name, os: pe.ph.m.os, ip: ip}
	if !pe.ph.m.apple {
		o.imei = pe.ph.imei
	}
	if g.chance(0.02) {
		o.flags = []string{"vpn"}
	}
	return o
}

func (w *world) legitRegs() {
	g, p := w.g, w.p
	for _, pe := range w.persons {
		n := 0
		for g.chance(0.3) && n < 4 {
			n++
		}
		for k := 0; k < n; k++ {
			d := g.r.IntN(p.Days)
			ts := w.at(d, w.hour())
			ip := g.pick(w.natIPs)
			var exitFlag []string
			switch {
			case pe.exit != "" && g.chance(0.7):
				ip = pe.exit
				if g.chance(0.5) {
					exitFlag = []string{g.pick([]string{"vpn", "proxy"})}
				}
			case pe.kind == kindStudent:
				ip = g.pick(w.campus)
			case g.chance(0.4):
				ip = pe.homeIP
			}
			pl := g.pick(platforms)
			o := pe.regOptOn(g, ip, d)
			if exitFlag != nil {
				o.flags = exitFlag
			}
			w.reg(ts, pl, g.account(pl), pe.cardOn(d), pe.fpOn(d), o)
		}
		// login codes from the apps people already use
		for k := 0; k < g.r.IntN(3); k++ {
			d := g.r.IntN(p.Days)
			w.otp(w.at(d, w.hour()), pe.cardOn(d), g.pick(platforms))
		}
		for d := 0; d < p.Days; d++ {
			if g.chance(0.5) {
				e := &sev{ts: w.at(d, w.hour()), typ: "sms"}
				e.set("msisdn", pe.cardOn(d).msisdn)
				e.set("sender", "95588")
				e.set("kind", "notice")
				w.emit(d, e)
			}
			if g.chance(0.3) {
				e := &sev{ts: w.at(d, w.hour()), typ: "sms"}
				e.set("msisdn", pe.cardOn(d).msisdn)
				e.set("sender", "106"+g.digits(8))
				e.set("kind", "marketing")
				w.emit(d, e)
			}
		}
		if pe.kind == kindGamer {
			// an emulator on the home PC: its own fingerprint, flags, one or
			// two game accounts on the player's own number
			m := emuModels[g.r.IntN(len(emuModels))]
			fp := g.fp()
			emuIMEI := g.imei(m.tac, true)
			if g.chance(0.5) {
				emuIMEI = m.tac + "0123452" // the emulator's factory default, shared by its users
			}
			for k := 0; k < 1+g.r.IntN(2); k++ {
				pl := g.pick(gamePlatforms)
				o := regOpt{model: m.name, os: m.os, ip: pe.homeIP, imei: emuIMEI, flags: []string{"emulator"}}
				if g.chance(0.3) {
					o.flags = append(o.flags, "root")
				}
				w.reg(w.at(g.r.IntN(p.Days), 18+g.r.Float64()*5), pl, g.account(pl), pe.cards[0], fp, o)
			}
		}
	}
	// companies onboard their staff from one address within an hour
	for k := 0; k < p.Companies; k++ {
		ip := g.ipv4(221, 0+g.r.IntN(4))
		d := g.r.IntN(p.Days)
		t0 := w.at(d, 9.5)
		pl := g.pick([]string{"dingtalk", "wework"})
		staff := 40 + g.r.IntN(31)
		for s := 0; s < staff; s++ {
			pe := w.persons[g.r.IntN(len(w.persons))]
			w.reg(t0+int64(g.r.IntN(3600e3)), pl, g.account(pl), pe.cardOn(d), pe.fp, pe.regOpt(g, ip))
		}
	}
}

// Operations builds the world of p and returns the kind of each of its
// operations by gang (bulk_outlet, holder_ring, cat_pool, studio,
// emu_farm, goip, quiet_op): what a test names when it says which
// operations' entities it missed.
func Operations(p Params) map[string]string {
	w := build(p)
	m := make(map[string]string, len(w.kinds))
	for i, k := range w.kinds {
		m[fmt.Sprintf("T-%03d", i+1)] = k
	}
	return m
}

// Generate builds the world and returns its events per day (plus the stock
// and intelligence) and the truth. It does no I/O.
func Generate(p Params) (days [][]*sev, stock, intel []*sev, truth []Truth, params Params) {
	w := build(p)
	return w.events, w.stock, w.intel, w.truth, w.p
}

// build generates the world of p.
func build(p Params) *world {
	w := newWorld(p)
	w.population()
	w.stressPopulation()
	w.legitCalls()
	w.legitRegs()
	w.stressRegs()
	w.blackOps()
	w.quietOps()
	w.nameDevices()
	for d := range w.events {
		slices.SortStableFunc(w.events[d], func(a, b *sev) int {
			if a.ts < b.ts {
				return -1
			}
			if a.ts > b.ts {
				return 1
			}
			return 0
		})
	}
	slices.SortFunc(w.truth, func(a, b Truth) int {
		if a.Category != b.Category {
			if a.Category < b.Category {
				return -1
			}
			return 1
		}
		if a.Entity < b.Entity {
			return -1
		}
		if a.Entity > b.Entity {
			return 1
		}
		return 0
	})
	return w
}

var _ = time.Second
