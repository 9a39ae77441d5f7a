package fourcuts

const none = ^uint32(0)

// cardAgg aggregates everything seen about one telephone number. Every
// field is a count of distinct things or a sum, so its value does not depend
// on the order of events.
type cardAgg struct {
	notice            int32 // only ever compared with 0 or 1: duplicates do not matter
	otpPlat           int32 // distinct platforms (or senders) sending codes
	moPeers, mtPeers  int32 // distinct peers called, and calling
	moShortPeers      int32 // distinct peers called at least once briefly
	callback          int32 // peers both called and calling back
	imeis             int32
	lastIMEI          uint32 // cache: the IMEI of the previous record, whose pair is known
	lastHomeCell      uint64 // cache: the cell of the previous home-hours record, whose pair is known
	cdrFirst, cdrLast int64
	smsFirst, smsLast int64
}

// imeiAgg aggregates one IMEI's voice records.
type imeiAgg struct {
	imsis, cards, cells int32
	lastIMSI, lastCell  uint64 // caches of pairs already counted
	cell                uint64 // hash of the cell, when cells == 1
	cdrFirst, cdrLast   int64
}

// cardCell is a cell (hashed) one number's calls at home hours were made
// or received in.
type cardCell struct {
	card uint32
	cell uint64
}

// ipAgg is the intelligence known about an address.
type ipAgg struct {
	kind   IPKind
	shared int64
}

// actRec is one sim event.
type actRec struct {
	ts                            int64
	card, holder, outlet, carrier uint32
	region                        uint32
	action                        Action
}

// regRec is one reg event; absent identifiers are none.
type regRec struct {
	ts                                         int64
	acct, plat, card, dev, imei, ip, model, os uint32
	flags                                      Flags
}

// Engine accumulates events and derives findings. It is not safe for
// concurrent use: feed readers hand it batches from one goroutine. Memory
// grows with the number of distinct entities and pairs of entities, not
// with the number of events.
type Engine struct {
	cfg Config

	nums      table // msisdn and peer numbers share one namespace
	imeis     table
	devices   table
	ips       table
	holders   table
	platforms table
	accounts  table // "platform:account"
	outlets   table
	carriers  table
	regions   table
	models    table
	oses      table

	cards  []cardAgg
	imeiSt []imeiAgg
	ipSt   []ipAgg

	pairs    pairSet
	cardIMEI [][2]uint32 // distinct (card, imei) links from voice records
	cardCell []cardCell  // distinct (card, cell) of voice records at home hours
	acts     []actRec
	regs     []regRec

	periodFirst, periodLast int64
	events                  int64
	keybuf                  []byte
}

// NewEngine returns an engine with cfg (use DefaultConfig for defaults).
func NewEngine(cfg Config) *Engine {
	e := &Engine{cfg: cfg.withDefaults()}
	e.nums = newTable(1 << 14)
	e.imeis = newTable(1 << 12)
	e.devices = newTable(1 << 12)
	e.ips = newTable(1 << 12)
	e.holders = newTable(1 << 12)
	e.platforms = newTable(64)
	e.accounts = newTable(1 << 12)
	e.outlets = newTable(256)
	e.carriers = newTable(16)
	e.regions = newTable(256)
	e.models = newTable(256)
	e.oses = newTable(64)
	e.pairs = newPairSet(1 << 16)
	e.periodFirst = 1<<63 - 1
	e.periodLast = -1 << 63
	return e
}

// cardSpan is when number c was first and last seen, in any event.
func (e *Engine) cardSpan(c uint32) (first, last int64) {
	sp, ca := e.nums.span[c], &e.cards[c]
	return min(sp.first, ca.cdrFirst, ca.smsFirst), max(sp.last, ca.cdrLast, ca.smsLast)
}

// imeiSpan is when IMEI i was first and last seen, in any event.
func (e *Engine) imeiSpan(i uint32) (first, last int64) {
	sp, ia := e.imeis.span[i], &e.imeiSt[i]
	return min(sp.first, ia.cdrFirst), max(sp.last, ia.cdrLast)
}

// Events is the number of events added.
func (e *Engine) Events() int64 { return e.events }

// card interns a number. widen is false for voice and SMS records, whose
// times cardAgg keeps (cdrFirst…smsLast); cardSpan combines them.
func (e *Engine) card(key []byte, ts int64, widen bool) uint32 {
	id := e.nums.find(key, ts, widen)
	for int(id) >= len(e.cards) {
		e.cards = append(e.cards, cardAgg{lastIMEI: none, cdrFirst: 1<<63 - 1, cdrLast: -1 << 63, smsFirst: 1<<63 - 1, smsLast: -1 << 63})
	}
	return id
}

// imei interns an IMEI; widen as for card (imeiAgg keeps the voice times).
func (e *Engine) imei(key []byte, ts int64, widen bool) uint32 {
	id := e.imeis.idIMEI(key, ts, widen)
	for int(id) >= len(e.imeiSt) {
		e.imeiSt = append(e.imeiSt, imeiAgg{cdrFirst: 1<<63 - 1, cdrLast: -1 << 63})
	}
	return id
}

func (e *Engine) ip(key []byte, ts int64) uint32 {
	id := e.ips.id(key, ts)
	for int(id) >= len(e.ipSt) {
		e.ipSt = append(e.ipSt, ipAgg{})
	}
	return id
}

func opt(t *table, key []byte, ts int64) uint32 {
	if len(key) == 0 {
		return none
	}
	return t.id(key, ts)
}

// Add folds one event into the aggregates. It copies what it keeps, so ev
// may be reused after it returns.
func (e *Engine) Add(ev *Event) {
	e.events++
	ts := ev.TS
	if ev.Type != TypeSim && ev.Type != TypeIP {
		if ts < e.periodFirst {
			e.periodFirst = ts
		}
		if ts > e.periodLast {
			e.periodLast = ts
		}
	}
	switch ev.Type {
	case TypeCDR:
		e.addCDR(ev)
	case TypeSMS:
		e.addSMS(ev)
	case TypeReg:
		e.addReg(ev)
	case TypeSim:
		e.addSim(ev)
	case TypeIP:
		e.addIP(ev)
	}
}

func (e *Engine) addCDR(ev *Event) {
	ts := ev.TS
	c := e.card(ev.Msisdn, ts, false)
	// Peers are not interned: most are never subscribers of the feed, and
	// a hash keys the pairs just as well. A peer that is a subscriber has
	// the same canonical form, hence the same hash, as its msisdn.
	p := hashBytes(ev.Peer)
	ca := &e.cards[c]
	if ts < ca.cdrFirst {
		ca.cdrFirst = ts
	}
	if ts > ca.cdrLast {
		ca.cdrLast = ts
	}
	// Only distinct things are counted, so a duplicated delivery counts once
	// and memory grows with pairs, not calls.
	if ev.Dir == DirMO {
		if e.pairs.add(pairKey(pkMOPeer, c, p)) {
			ca.moPeers++
			if e.pairs.has(pairKey(pkMTPeer, c, p)) {
				ca.callback++
			}
		}
		if ev.Dur <= e.cfg.ShortCallSec && e.pairs.add(pairKey(pkMOShort, c, p)) {
			ca.moShortPeers++
		}
	} else {
		if e.pairs.add(pairKey(pkMTPeer, c, p)) {
			ca.mtPeers++
			if e.pairs.has(pairKey(pkMOPeer, c, p)) {
				ca.callback++
			}
		}
	}
	// Where a number is at night is where its resident lives: a household's
	// numbers share a cell at home hours, the residents an operation rents
	// numbers from live apart (strangers, structure.go).
	if len(ev.Cell) > 0 && e.homeHour(ts) {
		// A number at home calls from the same cell night after night: the
		// cache skips the lookup of a pair already known.
		if cl := hashBytes(ev.Cell) | 1; cl != ca.lastHomeCell {
			ca.lastHomeCell = cl
			if e.pairs.add(pairKey(pkCardHomeCell, c, cl)) {
				e.cardCell = append(e.cardCell, cardCell{c, cl})
			}
		}
	}
	if len(ev.IMEI) == 0 {
		return
	}
	i := e.imei(ev.IMEI, ts, false)
	ia := &e.imeiSt[i]
	if ts < ia.cdrFirst {
		ia.cdrFirst = ts
	}
	if ts > ia.cdrLast {
		ia.cdrLast = ts
	}
	// The caches only skip lookups whose answer is known ("not new"), so
	// they change nothing but speed: a phone's next call is mostly from the
	// same card, IMSI and cell.
	if ca.lastIMEI != i {
		if e.pairs.add(pairKey(pkCardIMEI, i, uint64(c))) {
			ca.imeis++
			ia.cards++
			e.cardIMEI = append(e.cardIMEI, [2]uint32{c, i})
		}
		ca.lastIMEI = i
	}
	if len(ev.IMSI) > 0 {
		if s := hashBytes(ev.IMSI) | 1; s != ia.lastIMSI {
			if e.pairs.add(pairKey(pkIMEIIMSI, i, s)) {
				ia.imsis++
			}
			ia.lastIMSI = s
		}
	}
	if len(ev.Cell) > 0 {
		if cl := hashBytes(ev.Cell) | 1; cl != ia.lastCell {
			if e.pairs.add(pairKey(pkIMEICell, i, cl)) {
				ia.cells++
				if ia.cells == 1 {
					ia.cell = cl
				}
			}
			ia.lastCell = cl
		}
	}
}

// homeHour reports a time within HomeHourFrom–HomeHourTo (CST), when
// people are at home.
func (e *Engine) homeHour(ts int64) bool {
	h := HourCST(ts)
	if e.cfg.HomeHourFrom <= e.cfg.HomeHourTo {
		return h >= e.cfg.HomeHourFrom && h < e.cfg.HomeHourTo
	}
	return h >= e.cfg.HomeHourFrom || h < e.cfg.HomeHourTo
}

func (e *Engine) addSMS(ev *Event) {
	ts := ev.TS
	c := e.card(ev.Msisdn, ts, false)
	ca := &e.cards[c]
	if ts < ca.smsFirst {
		ca.smsFirst = ts
	}
	if ts > ca.smsLast {
		ca.smsLast = ts
	}
	switch ev.SMS {
	case SMSOTP:
		var pl uint32
		if len(ev.Platform) > 0 {
			pl = e.platforms.id(ev.Platform, ts)
		} else {
			// Unknown platform: the SMS port stands for it.
			e.keybuf = append(append(e.keybuf[:0], "port:"...), ev.Sender...)
			pl = e.platforms.id(e.keybuf, ts)
		}
		if e.pairs.add(pairKey(pkOTPPlatform, c, uint64(pl))) {
			ca.otpPlat++
		}
	case SMSNotice:
		if ca.notice < 1<<30 {
			ca.notice++
		}
	}
}

func (e *Engine) addReg(ev *Event) {
	ts := ev.TS
	e.keybuf = append(append(append(e.keybuf[:0], ev.Platform...), ':'), ev.Account...)
	r := regRec{
		ts:    ts,
		acct:  e.accounts.id(e.keybuf, ts),
		plat:  e.platforms.id(ev.Platform, ts),
		card:  e.card(ev.Msisdn, ts, true),
		dev:   opt(&e.devices, ev.Device, ts),
		imei:  none,
		ip:    none,
		model: opt(&e.models, ev.Model, ts),
		os:    opt(&e.oses, ev.OS, ts),
		flags: ev.Flags,
	}
	if len(ev.IMEI) > 0 {
		r.imei = e.imei(ev.IMEI, ts, true)
	}
	if len(ev.IP) > 0 {
		r.ip = e.ip(ev.IP, ts)
	}
	// A re-delivered registration is kept once, so that memory does not
	// grow with repeated deliveries.
	h := mix64(uint64(r.ts)) ^ mix64(uint64(r.acct)<<32|uint64(r.card)) ^ mix64(uint64(r.dev)<<32|uint64(r.ip)) ^
		mix64(uint64(r.imei)<<32|uint64(r.flags)) ^ mix64(uint64(r.model)<<32|uint64(r.os)+7)
	if !e.pairs.add(pairKey(pkRegSeen, 0, h)) {
		return
	}
	e.regs = append(e.regs, r)
}

func (e *Engine) addSim(ev *Event) {
	ts := ev.TS
	a := actRec{
		ts:      ts,
		card:    e.card(ev.Msisdn, ts, true),
		holder:  e.holders.id(ev.Holder, ts),
		outlet:  e.outlets.id(ev.Outlet, ts),
		carrier: opt(&e.carriers, ev.Carrier, ts),
		region:  opt(&e.regions, ev.Region, ts),
		action:  ev.Action,
	}
	h := mix64(uint64(a.ts)) ^ mix64(uint64(a.card)<<32|uint64(a.holder)) ^ mix64(uint64(a.outlet)<<32|uint64(a.carrier)) ^
		mix64(uint64(a.region)<<8|uint64(a.action)+3)
	if !e.pairs.add(pairKey(pkActSeen, 0, h)) {
		return
	}
	e.acts = append(e.acts, a)
}

// ipKindRank orders kinds when intelligence disagrees, so that the result
// does not depend on which report came last.
var ipKindRank = [...]int{IPUnknown: 0, IPBroadband: 1, IPMobile: 2, IPIDC: 3, IPProxy: 4, IPDialup: 5}

func (e *Engine) addIP(ev *Event) {
	id := e.ip(ev.IP, ev.TS)
	a := &e.ipSt[id]
	if ipKindRank[ev.IPKind] > ipKindRank[a.kind] {
		a.kind = ev.IPKind
	}
	if ev.Shared > a.shared {
		a.shared = ev.Shared
	}
}

// Entities is the number of distinct entities the engine holds: numbers,
// IMEIs, fingerprints, addresses, accounts, holders, outlets, platforms.
func (e *Engine) Entities() int {
	return e.nums.len() + e.imeis.len() + e.devices.len() + e.ips.len() + e.accounts.len() +
		e.holders.len() + e.outlets.len() + e.platforms.len()
}

// Pairs is the number of distinct entity pairs counted (calling pairs,
// card–IMEI, IMEI–IMSI, …).
func (e *Engine) Pairs() int { return e.pairs.n }
