package fourcuts

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Result is what Detect derives from the events added so far.
type Result struct {
	Findings   []Finding
	Suppressed []Suppressed
	// Leads are weaker suspicions (LeadScore ≤ score < BlackScore), kept
	// only when Config.Leads is set; they are not findings.
	Leads []Finding
	// Gangs is the number of distinct gangs among the findings.
	Gangs int
}

// Counts returns the number of findings per category.
func (r *Result) Counts() map[string]int {
	m := map[string]int{}
	for _, f := range r.Findings {
		m[f.Category]++
	}
	return m
}

// sig builds a piece of evidence.
func sig(name string, value, threshold float64, window string, w float64) Evidence {
	return Evidence{Signal: name, Value: value, Threshold: threshold, Window: window, Detector: Version, Weight: w}
}

// det holds the derived view used by the detectors and the graph stage.
type det struct {
	e   *Engine
	cfg *Config
	win string // the feed's window, e.g. "7d"

	// adjacency
	cardAccts [][]uint32
	acctRegs  [][]int32
	devAccts  [][]uint32
	ipAccts   [][]uint32
	cardIMEIs [][]uint32
	imeiCards [][]uint32

	cardAllow []string
	otpThr    int // the code-platform threshold in force
	// static cell+TAC clusters of voice IMEIs (gateway channels look so)
	imeiCluster []int32
	clusters    [][]uint32
	// gateway cells: the single-cell IMEIs at one cell that each fan out
	// one-way with nobody of their own calling in, when there are enough
	// of them (a GoIP whose channels carry different TACs)
	imeiGateway []int32
	gateways    [][]uint32
	epoch       []int64  // per card: regs before it belong to a previous holder
	nc          int      // real cards (numbers); ids nc… are previous incarnations
	nCards      int      // real cards and previous incarnations
	prev        []uint32 // per real card: its previous incarnation, or none
	realOf      []uint32 // per previous incarnation (id − nc): its number
	synth       map[int]*cardAgg

	// static (own) evidence
	ownCard, ownIMEI, ownAcct, ownDev, ownIP [][]Evidence
	ownCardScore                             []float64
	// plain bulk stock: many cards of one holder on one carrier, opened in
	// business hours for a local holder (an enterprise's way of buying
	// cards). Evidence only once one of them is black (holderStockBlack).
	holderStockOf    []int32 // per card node: its group, or -1
	holderStock      [][]uint32
	holderStockBlack []int // per group: black members (current round)

	// current black status
	bCard, bIMEI, bAcct, bDev, bIP []bool
}

// Detect runs the detectors, the graph stage and the gang grouping over
// everything added, and returns the findings sorted by category and entity.
// It does not change the engine: more events may be added and Detect run
// again.
func (e *Engine) Detect() *Result {
	d := &det{e: e, cfg: &e.cfg}
	days := 7
	if e.periodLast > e.periodFirst {
		days = int(math.Ceil(float64(e.periodLast-e.periodFirst) / 86400e3))
		if days < 1 {
			days = 1
		}
	}
	d.win = fmt.Sprintf("%dd", days)
	d.prepare()
	d.cardSignals()
	d.imeiSignals()
	d.regSignals()
	d.propagate()
	return d.findings()
}

func (d *det) prepare() {
	e := d.e
	// Duplicated deliveries count once.
	regs := slices.Clone(e.regs)
	slices.SortFunc(regs, func(a, b regRec) int {
		if c := cmp.Compare(a.acct, b.acct); c != 0 {
			return c
		}
		if c := cmp.Compare(a.ts, b.ts); c != 0 {
			return c
		}
		return cmp.Compare(a.card, b.card)
	})
	regs = slices.Compact(regs)
	e.regs = regs
	acts := slices.Clone(e.acts)
	slices.SortFunc(acts, func(a, b actRec) int {
		if c := cmp.Compare(a.ts, b.ts); c != 0 {
			return c
		}
		if c := cmp.Compare(a.card, b.card); c != 0 {
			return c
		}
		return cmp.Compare(a.action, b.action)
	})
	acts = slices.Compact(acts)
	e.acts = acts

	nc := len(e.cards)
	d.epoch = make([]int64, nc)
	for i := range d.epoch {
		d.epoch[i] = math.MinInt64
	}
	// A number reissued to another holder (a cancellation, or an activation
	// for a different holder, before its latest activation) starts a new
	// life: what came before belongs to a previous incarnation, a separate
	// node of the graph that is reported under the same number only if the
	// current one is not black.
	{
		var lastHolder []uint32 = make([]uint32, nc)
		var lastKind []Action = make([]Action, nc)
		for i := range lastHolder {
			lastHolder[i] = none
		}
		for _, a := range acts { // in time order
			c := a.card
			if a.action == ActionActivate {
				if lastKind[c] == ActionCancel || (lastKind[c] == ActionActivate && lastHolder[c] != a.holder) {
					d.epoch[c] = a.ts
				}
				lastHolder[c] = a.holder
			}
			lastKind[c] = a.action
		}
	}
	d.nc = nc
	d.prev = make([]uint32, nc)
	for c := range d.prev {
		d.prev[c] = none
		if d.epoch[c] != math.MinInt64 {
			d.prev[c] = uint32(nc + len(d.realOf))
			d.realOf = append(d.realOf, uint32(c))
		}
	}
	d.nCards = nc + len(d.realOf)

	d.cardAccts = make([][]uint32, d.nCards)
	d.acctRegs = make([][]int32, e.accounts.len())
	d.devAccts = make([][]uint32, e.devices.len())
	d.ipAccts = make([][]uint32, e.ips.len())
	for i, r := range regs {
		d.acctRegs[r.acct] = append(d.acctRegs[r.acct], int32(i))
	}
	for a, rs := range d.acctRegs {
		var cs, ds, is []uint32
		for _, ri := range rs {
			r := regs[ri]
			cs = appendUniq(cs, d.regCard(r))
			if r.dev != none {
				ds = appendUniq(ds, r.dev)
			}
			if r.ip != none {
				is = appendUniq(is, r.ip)
			}
		}
		for _, c := range cs {
			d.cardAccts[c] = append(d.cardAccts[c], uint32(a))
		}
		for _, x := range ds {
			d.devAccts[x] = append(d.devAccts[x], uint32(a))
		}
		for _, x := range is {
			d.ipAccts[x] = append(d.ipAccts[x], uint32(a))
		}
	}
	d.cardIMEIs = make([][]uint32, d.nCards)
	d.imeiCards = make([][]uint32, e.imeis.len())
	for _, p := range e.cardIMEI {
		cur, old := d.aggTargets(int(p[0]))
		if cur {
			d.cardIMEIs[p[0]] = append(d.cardIMEIs[p[0]], p[1])
			d.imeiCards[p[1]] = append(d.imeiCards[p[1]], p[0])
		}
		if old {
			pv := d.prev[p[0]]
			d.cardIMEIs[pv] = append(d.cardIMEIs[pv], p[1])
			d.imeiCards[p[1]] = append(d.imeiCards[p[1]], pv)
		}
	}
	d.ownCard = make([][]Evidence, d.nCards)
	d.ownIMEI = make([][]Evidence, e.imeis.len())
	d.ownAcct = make([][]Evidence, e.accounts.len())
	d.ownDev = make([][]Evidence, e.devices.len())
	d.ownIP = make([][]Evidence, e.ips.len())
}

// regCard is the card node a registration links to: the number's previous
// incarnation when it predates the number's reissue.
func (d *det) regCard(r regRec) uint32 {
	if r.ts < d.epoch[r.card] && d.prev[r.card] != none {
		return d.prev[r.card]
	}
	return r.card
}

// real maps a card node to its number's id.
func (d *det) real(c int) int {
	if c >= d.nc {
		return int(d.realOf[c-d.nc])
	}
	return c
}

var zeroCard = cardAgg{cdrFirst: math.MaxInt64, cdrLast: math.MinInt64}

// aggTargets says which lives of a number its voice aggregates (which carry
// no per-event times) are credited to: the previous life when all calls
// ended before the reissue, the current one when they all began after, both
// when they straddle it.
func (d *det) aggTargets(c int) (cur, old bool) {
	if d.prev[c] == none {
		return true, false
	}
	ca := &d.e.cards[c]
	return ca.cdrLast >= d.epoch[c], ca.cdrFirst < d.epoch[c]
}

// agg is the aggregates credited to a card node. For a reissued number the
// voice aggregates follow aggTargets; the code aggregates go to the current
// life only if every code came after the reissue (a new holder's first code
// must not inherit a code-receiving past), else to the previous life.
func (d *det) agg(c int) *cardAgg {
	r := d.real(c)
	if d.prev[r] == none {
		return &d.e.cards[r]
	}
	if a, ok := d.synth[c]; ok {
		return a
	}
	src := &d.e.cards[r]
	a := zeroCard
	a.smsFirst, a.smsLast = math.MaxInt64, math.MinInt64
	cur, old := d.aggTargets(r)
	if (c == r && cur) || (c != r && old) {
		a.moShortPeers = src.moShortPeers
		a.moPeers, a.mtPeers, a.callback, a.imeis = src.moPeers, src.mtPeers, src.callback, src.imeis
		a.cdrFirst, a.cdrLast = src.cdrFirst, src.cdrLast
	}
	smsCur := src.smsFirst >= d.epoch[r]
	if (c == r) == smsCur {
		a.notice, a.otherSMS, a.otpPlat = src.notice, src.otherSMS, src.otpPlat
		a.smsFirst, a.smsLast = src.smsFirst, src.smsLast
	}
	if d.synth == nil {
		d.synth = map[int]*cardAgg{}
	}
	d.synth[c] = &a
	return &a
}

// aggOf is the number's own aggregates, whichever life c is.
func (d *det) aggOf(c uint32) *cardAgg { return &d.e.cards[d.real(int(c))] }

// actNode is the card node an activation belongs to.
func (d *det) actNode(a actRec) uint32 {
	if a.ts < d.epoch[a.card] && d.prev[a.card] != none {
		return d.prev[a.card]
	}
	return a.card
}

func appendUniq(s []uint32, v uint32) []uint32 {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

func (d *det) oddHour(ts int64) bool {
	h := HourCST(ts)
	if d.cfg.OddHourFrom > d.cfg.OddHourTo {
		return h >= d.cfg.OddHourFrom || h < d.cfg.OddHourTo
	}
	return h >= d.cfg.OddHourFrom && h < d.cfg.OddHourTo
}

// cardSignals computes each number's own evidence: code reception, voice
// behaviour, slots, and how it was opened.
func (d *det) cardSignals() {
	e, cfg := d.e, d.cfg
	// How many apps send codes to a person's number depends on the city
	// (logins send codes too). The threshold adapts: above the 99.5th
	// percentile of numbers that show a human life, and never below the
	// configured floor.
	otpThr, otpStrong := cfg.OTPPlatforms, cfg.OTPPlatformsStrong
	{
		var hist []int32
		for c := range e.cards {
			if e.cards[c].otpPlat > 0 && d.human(uint32(c)) {
				hist = append(hist, e.cards[c].otpPlat)
			}
		}
		if len(hist) >= 200 {
			slices.Sort(hist)
			q := int(hist[len(hist)*995/1000])
			otpThr = max(otpThr, q+1)
			otpStrong = max(otpStrong, 2*otpThr)
		}
	}
	d.otpThr = otpThr
	// Likewise, if this city's people register from several devices each
	// (a phone, a tablet, a browser), the devices-per-number threshold rises
	// above them.
	devThr, devStrong := cfg.AccountsPerCard, cfg.AccountsStrong
	{
		var hist []int
		for c := 0; c < d.nc; c++ {
			if len(d.cardAccts[c]) > 0 && d.human(uint32(c)) {
				hist = append(hist, d.devicesBehind(d.cardAccts[c]))
			}
		}
		if len(hist) >= 200 {
			slices.Sort(hist)
			q := hist[len(hist)*995/1000]
			devThr = max(devThr, q+1)
			devStrong = max(devStrong, 2*devThr)
		}
	}
	for c := 0; c < d.nCards; c++ {
		ca := d.agg(c)
		var ev []Evidence
		if n := int(ca.otpPlat); n >= otpThr {
			// A number with a social life (people it calls who call back)
			// belongs to a person: codes from many apps are then only a
			// hint, unless they are very many.
			social := ca.callback >= 2
			w := 0.6
			if social {
				w = 0.3
			}
			if n >= otpStrong {
				w = 0.9
				if social {
					w = 0.6
				}
			}
			ev = append(ev, sig("otp_platforms", float64(n), float64(otpThr), d.win, w))
		}
		if ca.otpPlat >= 2 && ca.moPeers+ca.mtPeers == 0 {
			ev = append(ev, sig("sms_only", float64(ca.otpPlat), 2, d.win, 0.4))
		}
		if n := int(ca.imeis); n >= cfg.SlotMoves {
			ev = append(ev, sig("slot_moves", float64(n), float64(cfg.SlotMoves), d.win, 0.6))
		}
		// accounts verified with this number since its current holder got it
		// Accounts verified with this number from distinct devices: a person
		// registers every app from the one phone they own.
		if n := d.devicesBehind(d.cardAccts[c]); n >= devThr {
			w := 0.6
			if n >= devStrong {
				w = 0.9
			}
			ev = append(ev, sig("devices_per_card", float64(n), float64(devThr), d.win, w))
		}
		if maxSame := d.maxSamePlatform(d.cardAccts[c]); maxSame >= 2 {
			ev = append(ev, sig("same_platform_accounts", float64(maxSame), 2, d.win, 0.3))
		}
		if ca.moPeers >= 20 {
			days := spanDays(ca.cdrFirst, ca.cdrLast)
			perDay := float64(ca.moPeers) / days
			cb := float64(ca.callback) / float64(max(ca.moPeers, 1))
			if perDay >= cfg.FanoutPerDay && cb < cfg.CallbackMax && 2*ca.moShortPeers >= ca.moPeers {
				ev = append(ev, sig("one_way_fanout", perDay, cfg.FanoutPerDay, "24h", 0.4))
			}
			if ca.mtPeers-ca.callback <= 1 {
				ev = append(ev, sig("no_incoming_life", float64(ca.mtPeers-ca.callback), 1, d.win, 0.3))
			}
		}
		d.ownCard[c] = ev
	}
	d.activationSignals()
	d.ownCardScore = make([]float64, d.nCards)
	for c := range d.ownCard {
		d.ownCardScore[c] = scoreOf(d.ownCard[c])
	}
}

// human reports signs that a number belongs to a person: someone it called
// called back, it gets service notices (a bank's, not marketing, which goes
// to every number), or several people it never called ring it.
func (d *det) human(c uint32) bool {
	ca := &d.e.cards[c]
	return ca.callback >= 1 || ca.notice >= 1 || ca.mtPeers-ca.callback >= 3
}

// numbersBehind counts the distinct numbers that verified accts; with
// samePlatform, the most on any one platform.
func (d *det) numbersBehind(accts []uint32, samePlatform bool) int {
	if len(accts) < 2 {
		return len(accts)
	}
	keys := make([]uint64, 0, len(accts))
	for _, a := range accts {
		r := d.e.regs[d.acctRegs[a][0]]
		k := uint64(r.card)
		if samePlatform {
			k |= uint64(r.plat) << 32
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	if !samePlatform {
		return len(keys)
	}
	best, run := 1, 1
	for i := 1; i < len(keys); i++ {
		if keys[i]>>32 == keys[i-1]>>32 {
			run++
			best = max(best, run)
		} else {
			run = 1
		}
	}
	return best
}

// devicesBehind counts the distinct devices (fingerprint, else IMEI, else
// the account itself) that registered accts.
func (d *det) devicesBehind(accts []uint32) int {
	if len(accts) < 2 {
		return len(accts)
	}
	keys := make([]uint64, 0, len(accts))
	for _, a := range accts {
		r := d.e.regs[d.acctRegs[a][0]]
		switch {
		case r.dev != none:
			keys = append(keys, 1<<32|uint64(r.dev))
		case r.imei != none:
			keys = append(keys, 2<<32|uint64(r.imei))
		default:
			keys = append(keys, 3<<32|uint64(a))
		}
	}
	slices.Sort(keys)
	return len(slices.Compact(keys))
}

func spanDays(first, last int64) float64 {
	if last < first {
		return 1
	}
	return math.Max(1, math.Ceil(float64(last-first+1)/86400e3))
}

func (d *det) maxSamePlatform(accts []uint32) int {
	if len(accts) < 2 {
		return len(accts)
	}
	var plats []uint32
	for _, a := range accts {
		plats = append(plats, d.e.regs[d.acctRegs[a][0]].plat)
	}
	slices.Sort(plats)
	best, run := 1, 1
	for i := 1; i < len(plats); i++ {
		if plats[i] == plats[i-1] {
			run++
			best = max(best, run)
		} else {
			run = 1
		}
	}
	return best
}

// province returns the first two digits of a resident ID's or region's code.
func province(s string) string {
	if len(s) >= 2 && isDigit(s[0]) && isDigit(s[1]) {
		return s[:2]
	}
	return ""
}

// activationSignals looks at how cards were opened: outlet bursts at odd
// hours for far-away holders, outlets that keep doing it, and holders who
// open many cards across carriers within days.
func (d *det) activationSignals() {
	e, cfg := d.e, d.cfg
	var acts []actRec
	for _, a := range e.acts {
		if a.action == ActionActivate {
			acts = append(acts, a)
		}
	}
	// The home province is the commonest among holders with resident IDs:
	// the fallback when an activation does not say where it happened.
	provCount := map[string]int{}
	for _, a := range acts {
		h := e.holders.names[a.holder]
		if IsResidentID(h) {
			provCount[province(h)]++
		}
	}
	home, best := "", 0
	for p, n := range provCount {
		if n > best || (n == best && p < home) {
			home, best = p, n
		}
	}
	far := func(a actRec) bool {
		h := e.holders.names[a.holder]
		if !IsResidentID(h) {
			return false
		}
		where := home
		if a.region != none {
			where = province(e.regions.names[a.region])
		}
		return where != "" && province(h) != where
	}
	// per outlet, in time order
	byOutlet := map[uint32][]actRec{}
	for _, a := range acts {
		byOutlet[a.outlet] = append(byOutlet[a.outlet], a)
	}
	window := int64(cfg.BurstMinutes) * 60e3
	for _, list := range byOutlet {
		slices.SortFunc(list, func(a, b actRec) int { return cmp.Compare(a.ts, b.ts) })
		oddFar := 0
		for _, a := range list {
			if d.oddHour(a.ts) && far(a) {
				oddFar++
			}
		}
		// best burst containing each activation
		burstOf := make([]int, len(list))
		oddOf := make([]float64, len(list))
		farOf := make([]float64, len(list))
		j := 0
		for i := range list {
			for j < len(list) && list[j].ts < list[i].ts+window {
				j++
			}
			n := j - i
			if n < cfg.BurstSize {
				continue
			}
			odd, fr := 0, 0
			for k := i; k < j; k++ {
				if d.oddHour(list[k].ts) {
					odd++
				}
				if far(list[k]) {
					fr++
				}
			}
			for k := i; k < j; k++ {
				if n > burstOf[k] {
					burstOf[k] = n
					oddOf[k] = float64(odd) / float64(n)
					farOf[k] = float64(fr) / float64(n)
				}
			}
		}
		for k, a := range list {
			ev := d.ownCard[d.actNode(a)]
			if burstOf[k] >= cfg.BurstSize && (oddOf[k] >= 0.5 || farOf[k] >= 0.5) {
				ev = append(ev, sig("outlet_burst", float64(burstOf[k]), float64(cfg.BurstSize), fmt.Sprintf("%dm", cfg.BurstMinutes), 0.9))
			} else if oddFar >= cfg.OddFarOutlet && (d.oddHour(a.ts) || far(a)) {
				ev = append(ev, sig("odd_far_outlet", float64(oddFar), float64(cfg.OddFarOutlet), "", 0.8))
			}
			d.ownCard[d.actNode(a)] = ev
		}
	}
	// per holder
	byHolder := map[uint32][]actRec{}
	for _, a := range acts {
		byHolder[a.holder] = append(byHolder[a.holder], a)
	}
	hwin := int64(cfg.HolderDays) * 86400e3
	d.holderStockOf = make([]int32, d.nCards)
	for i := range d.holderStockOf {
		d.holderStockOf[i] = -1
	}
	holders := make([]uint32, 0, len(byHolder))
	for h := range byHolder {
		holders = append(holders, h)
	}
	slices.Sort(holders) // deterministic group ids
	for _, h := range holders {
		list := byHolder[h]
		if len(list) < min(cfg.HolderCards, cfg.HolderCarrierCards) && len(list) <= cfg.PerCarrierLegal {
			continue
		}
		slices.SortFunc(list, func(a, b actRec) int { return cmp.Compare(a.ts, b.ts) })
		mark := make([]float64, len(list))
		val := make([]float64, len(list))
		name := make([]string, len(list))
		plain := make([]bool, len(list))
		j := 0
		for i := range list {
			for j < len(list) && list[j].ts < list[i].ts+hwin {
				j++
			}
			n := j - i
			carriers := map[uint32]bool{}
			known, odd, fr := 0, 0, 0
			for k := i; k < j; k++ {
				if c := list[k].carrier; c != none && !carriers[c] {
					known++
				}
				carriers[list[k].carrier] = true
				if d.oddHour(list[k].ts) {
					odd++
				}
				if far(list[k]) {
					fr++
				}
			}
			w, s := 0.0, ""
			if n >= cfg.HolderCards {
				// Many cards on one carrier, opened in business hours
				// for a local holder, is how an enterprise (IoT trackers,
				// staff phones) buys cards: not evidence on its own. It
				// becomes evidence with a second carrier, odd hours, a
				// far-away holder — or once any of those cards is put to
				// black use (holder_stock_black_use, in cardEvidence).
				if known >= 2 || 2*odd >= n || 2*fr >= n {
					w, s = 0.9, "holder_cards"
				} else {
					for k := i; k < j; k++ {
						plain[k] = true
					}
				}
			}
			if w == 0 && n >= cfg.HolderCarrierCards && known >= cfg.HolderCarriers {
				w, s = 0.85, "holder_carriers"
			}
			if w > 0 {
				for k := i; k < j; k++ {
					if w > mark[k] {
						mark[k], val[k], name[k] = w, float64(n), s
					}
				}
			}
		}
		perCarrier := map[uint32]int{}
		g := int32(-1) // this holder's plain bulk stock, if any
		for _, a := range list {
			perCarrier[a.carrier]++
		}
		for k, a := range list {
			if mark[k] > 0 {
				th := float64(cfg.HolderCards)
				if name[k] == "holder_carriers" {
					th = float64(cfg.HolderCarrierCards)
				}
				d.ownCard[d.actNode(a)] = append(d.ownCard[d.actNode(a)], sig(name[k], val[k], th, fmt.Sprintf("%dd", cfg.HolderDays), mark[k]))
			} else if plain[k] {
				if g < 0 {
					g = int32(len(d.holderStock))
					d.holderStock = append(d.holderStock, nil)
				}
				c := d.actNode(a)
				if d.holderStockOf[c] < 0 {
					d.holderStockOf[c] = g
					d.holderStock[g] = append(d.holderStock[g], c)
				}
			} else if n := perCarrier[a.carrier]; n > cfg.PerCarrierLegal && a.carrier != none {
				d.ownCard[d.actNode(a)] = append(d.ownCard[d.actNode(a)], sig("holder_over_legal", float64(n), float64(cfg.PerCarrierLegal), "", 0.7))
			}
		}
	}
}

// imeiSignals computes each voice IMEI's own evidence.
func (d *det) imeiSignals() {
	e, cfg := d.e, d.cfg
	type ck struct {
		cell uint64
		tac  string
	}
	cluster := map[ck]int{}
	for i := range e.imeiSt {
		ia := &e.imeiSt[i]
		if ia.cells == 1 && d.imeiPartners(i) >= 5 {
			name := e.imeis.names[i]
			cluster[ck{ia.cell, name[:min(8, len(name))]}]++
		}
	}
	// members of each static cell+TAC cluster, for the graph stage
	clusterID := map[ck]int32{}
	d.imeiCluster = make([]int32, len(e.imeiSt))
	for i := range e.imeiSt {
		d.imeiCluster[i] = -1
		ia := &e.imeiSt[i]
		if ia.cells == 1 && d.imeiPartners(i) >= 5 {
			name := e.imeis.names[i]
			k := ck{ia.cell, name[:min(8, len(name))]}
			if cluster[k] < cfg.TACCluster {
				continue
			}
			id, ok := clusterID[k]
			if !ok {
				id = int32(len(d.clusters))
				clusterID[k] = id
				d.clusters = append(d.clusters, nil)
			}
			d.imeiCluster[i] = id
			d.clusters[id] = append(d.clusters[id], uint32(i))
		}
	}
	// gateway cells: channels of one gateway share a cell even when their
	// IMEIs (random, valid, of several TACs) share nothing else
	type cellGW struct{ fan, gw int }
	cells := map[uint64]*cellGW{}
	gwLike := make([]bool, len(e.imeiSt))
	for i := range e.imeiSt {
		ia := &e.imeiSt[i]
		if ia.cards == 0 || ia.cells != 1 || !d.imeiFanout(i) {
			continue
		}
		c := cells[ia.cell]
		if c == nil {
			c = &cellGW{}
			cells[ia.cell] = c
		}
		c.fan++
		if d.noIndependentInbound(i) {
			gwLike[i] = true
			c.gw++
		}
	}
	gwID := map[uint64]int32{}
	d.imeiGateway = make([]int32, len(e.imeiSt))
	for i := range e.imeiSt {
		d.imeiGateway[i] = -1
		if !gwLike[i] {
			continue
		}
		cell := e.imeiSt[i].cell
		if c := cells[cell]; c.gw < cfg.TACCluster || 4*c.gw < 3*c.fan {
			continue
		}
		id, ok := gwID[cell]
		if !ok {
			id = int32(len(d.gateways))
			gwID[cell] = id
			d.gateways = append(d.gateways, nil)
		}
		d.imeiGateway[i] = id
		d.gateways[id] = append(d.gateways[id], uint32(i))
	}
	// Invalid check digits are evidence only where valid ones are the rule:
	// a feed whose IMEIs are mostly invalid says nothing by them.
	voice, invalid := 0, 0
	for i := range e.imeiSt {
		if e.imeiSt[i].cards > 0 {
			voice++
			if !LuhnValid(e.imeis.names[i]) {
				invalid++
			}
		}
	}
	luhnMeaningful := invalid*5 <= voice
	for i := range e.imeiSt {
		ia := &e.imeiSt[i]
		if ia.cards == 0 {
			continue
		}
		var ev []Evidence
		name := e.imeis.names[i]
		n := int(max(ia.imsis, ia.cards))
		// A phone some of whose numbers are rung by people they never
		// called belongs to a person (dual SIM, family, several legal
		// cards): many IMSIs there only corroborate.
		inbound := 0
		for _, c := range d.imeiCards[i] {
			if ca := d.aggOf(c); ca.mtPeers-ca.callback >= 2 {
				inbound++
			}
		}
		imsiSig := "imsi_per_imei"
		if inbound > 0 && 5*inbound >= len(d.imeiCards[i]) {
			imsiSig = "imsi_per_imei_personal"
		}
		switch {
		case n >= cfg.IMSIPerIMEIStrong:
			ev = append(ev, sig(imsiSig, float64(n), float64(cfg.IMSIPerIMEIStrong), d.win, 0.65))
		case n >= cfg.IMSIPerIMEI:
			ev = append(ev, sig(imsiSig, float64(n), float64(cfg.IMSIPerIMEI), d.win, 0.5))
		case n == cfg.IMSIPerIMEI-1:
			ev = append(ev, sig(imsiSig, float64(n), float64(cfg.IMSIPerIMEI-1), d.win, 0.25))
		}
		if luhnMeaningful && !LuhnValid(name) {
			ev = append(ev, sig("invalid_imei", 1, 1, "", 0.6))
		}
		if ia.cells == 1 && d.imeiPartners(i) >= 5 {
			if k := cluster[ck{ia.cell, name[:min(8, len(name))]}]; k >= cfg.TACCluster {
				ev = append(ev, sig("static_tac_cluster", float64(k), float64(cfg.TACCluster), d.win, 0.35))
			}
		}
		calls := d.imeiPartners(i)
		if out, short := d.imeiPeers(i), d.imeiShortPeers(i); out >= 10 && float64(short) >= 0.6*float64(out) {
			ev = append(ev, sig("short_calls", float64(short)/float64(out), 0.6, d.win, 0.35))
		}
		if calls >= 10 && ia.cells == 1 {
			ev = append(ev, sig("static_cell", float64(calls), 10, d.win, 0.2))
		}
		if calls >= 5 {
			// cards that call out but have nobody of their own calling in
			lifeless := 0
			for _, c := range d.imeiCards[i] {
				ca := d.aggOf(c)
				if ca.moPeers >= 2 && 5*ca.moShortPeers >= 3*ca.moPeers && ca.callback == 0 && ca.mtPeers <= 1 {
					lifeless++
				}
			}
			if k := len(d.imeiCards[i]); lifeless*5 >= k*4 {
				ev = append(ev, sig("cards_without_life", float64(lifeless)/float64(k), 0.8, d.win, 0.35))
			}
		}
		if d.imeiFanout(i) {
			perDay := float64(d.imeiPeers(i)) / spanDays(ia.cdrFirst, ia.cdrLast)
			ev = append(ev, sig("one_way_fanout", perDay, cfg.FanoutPerDay, "24h", 0.35))
		}
		// a fleet at one place, every member calling strangers one-way:
		// the channels of a gateway
		if cl := d.imeiCluster[i]; cl >= 0 && d.imeiFanout(i) && d.noIndependentInbound(i) {
			fan := 0
			for _, j := range d.clusters[cl] {
				if d.imeiFanout(int(j)) {
					fan++
				}
			}
			if k := len(d.clusters[cl]); fan >= cfg.TACCluster && 4*fan >= 3*k {
				ev = append(ev, sig("gateway_cluster", float64(fan), float64(cfg.TACCluster), d.win, 0.6))
			}
		}
		// the same at cell level, for channels whose IMEIs share no TAC:
		// every channel at the cell (≥ 4, ≥ 75 % of the one-way fan-out
		// IMEIs there) is a static, one-way fan-out with no inbound life
		if g := d.imeiGateway[i]; g >= 0 && !hasSignal(ev, "gateway_cluster") {
			ev = append(ev, sig("gateway_cell", float64(len(d.gateways[g])), float64(cfg.TACCluster), d.win, 0.6))
		}
		d.ownIMEI[i] = ev
	}
}

func hasSignal(ev []Evidence, name string) bool {
	for _, x := range ev {
		if x.Signal == name {
			return true
		}
	}
	return false
}

// impossible reports a model–OS combination no real device has, or an IMEI
// reported from iOS (which gives apps none).
func impossible(model, os string, hasIMEI bool) bool {
	m, o := strings.ToLower(model), strings.ToLower(os)
	ios := strings.Contains(o, "ios") || strings.Contains(o, "iphone")
	android := strings.Contains(o, "android") || strings.Contains(o, "harmony")
	apple := strings.Contains(m, "iphone") || strings.Contains(m, "ipad")
	if ios && hasIMEI {
		return true
	}
	if apple && android {
		return true
	}
	if ios && m != "" && !apple {
		return true
	}
	return false
}

func (d *det) name(t *table, id uint32) string {
	if id == none {
		return ""
	}
	return t.names[id]
}

// prefixOf is the /24 (IPv4) or /48 (IPv6) an address sits in.
func prefixOf(ip string) string {
	if strings.Contains(ip, ":") {
		parts := strings.SplitN(ip, ":", 4)
		if len(parts) >= 3 {
			return strings.Join(parts[:3], ":")
		}
		return ip
	}
	if k := strings.LastIndexByte(ip, '.'); k > 0 {
		return ip[:k]
	}
	return ip
}

// regSignals computes the own evidence of accounts, fingerprints and
// addresses from the registrations.
func (d *det) regSignals() {
	e, cfg := d.e, d.cfg
	regs := e.regs
	// fingerprints behind each reg IMEI
	imeiFPs := map[uint32][]uint32{}
	for _, r := range regs {
		if r.imei != none && r.dev != none {
			imeiFPs[r.imei] = appendUniq(imeiFPs[r.imei], r.dev)
		}
	}
	// An IMEI whose registrations come from numbers with a human life is
	// not a studio phone but a default IMEI many people's emulators share:
	// its fingerprint churn is no proof.
	imeiSocial := map[uint32]bool{}
	{
		type ic struct{ imei, card uint32 }
		seen := map[ic]bool{}
		social, total := map[uint32]int{}, map[uint32]int{}
		for _, r := range regs {
			if r.imei == none || len(imeiFPs[r.imei]) < cfg.FingerprintsPerIMEI || seen[ic{r.imei, r.card}] {
				continue
			}
			seen[ic{r.imei, r.card}] = true
			total[r.imei]++
			if d.human(r.card) {
				social[r.imei]++
			}
		}
		for im, n := range total {
			imeiSocial[im] = 2*social[im] >= n
		}
	}
	devRegs := make([]int32, e.devices.len())
	for _, r := range regs {
		if r.dev != none {
			devRegs[r.dev]++
		}
	}
	const risky = FlagEmulator | FlagRoot | FlagHook | FlagMultiOpen
	// single-use risky fingerprints per prefix, and lockstep buckets
	prefix := make([]string, e.ips.len())
	for i := range prefix {
		prefix[i] = prefixOf(e.ips.names[i])
	}
	pfxSingle := map[string]int{}
	pfxRegs := map[string]int{}
	type lk struct {
		pfx  string
		plat uint32
		slot int64
	}
	lock := map[lk]int{}
	for _, r := range regs {
		if r.ip == none {
			continue
		}
		p := prefix[r.ip]
		pfxRegs[p]++
		if r.dev != none && devRegs[r.dev] == 1 && r.flags&risky != 0 {
			pfxSingle[p]++
		}
		lock[lk{p, r.plat, r.ts / 600e3}]++
	}
	for a, rs := range d.acctRegs {
		var ev []Evidence
		var imp, churn, rf, intel, single, lockstep, cluster bool
		var churnN, clusterN, lockN int
		for _, ri := range rs {
			r := regs[ri]
			if impossible(d.name(&e.models, r.model), d.name(&e.oses, r.os), r.imei != none) {
				imp = true
			}
			if r.imei != none && !imeiSocial[r.imei] {
				if n := len(imeiFPs[r.imei]); n >= cfg.FingerprintsPerIMEI {
					churn, churnN = true, max(churnN, n)
				}
			}
			if r.flags&risky != 0 {
				rf = true
			}
			if r.ip != none {
				k := e.ipSt[r.ip].kind
				if k == IPDialup || k == IPProxy || k == IPIDC {
					intel = true
				}
				p := prefix[r.ip]
				if n := pfxSingle[p]; n >= cfg.SingleUseCluster && 2*n >= pfxRegs[p] {
					cluster, clusterN = true, max(clusterN, n)
				}
				if n := lock[lk{p, r.plat, r.ts / 600e3}]; n >= cfg.LockstepSize {
					lockstep, lockN = true, max(lockN, n)
				}
			}
			if r.dev != none && devRegs[r.dev] == 1 {
				single = true
			}
		}
		if imp {
			ev = append(ev, sig("impossible_model_os", 1, 1, "", 0.6))
		}
		if churn {
			ev = append(ev, sig("fingerprint_churn", float64(churnN), float64(cfg.FingerprintsPerIMEI), d.win, 0.9))
		}
		if rf {
			ev = append(ev, sig("risk_flags", 1, 1, "", 0.25))
		}
		if intel {
			ev = append(ev, sig("line_intel", 1, 1, "", 0.3))
		}
		if single && rf {
			ev = append(ev, sig("single_use_fingerprint", 1, 1, d.win, 0.15))
		}
		if cluster {
			ev = append(ev, sig("single_use_cluster", float64(clusterN), float64(cfg.SingleUseCluster), d.win, 0.5))
		}
		if lockstep {
			ev = append(ev, sig("lockstep_burst", float64(lockN), float64(cfg.LockstepSize), "10m", 0.3))
		}
		d.ownAcct[a] = ev
	}
	// fingerprints
	for dv, accts := range d.devAccts {
		var ev []Evidence
		var imp, churn, rf bool
		var churnN int
		for _, a := range accts {
			for _, ri := range d.acctRegs[a] {
				r := regs[ri]
				if r.dev != uint32(dv) {
					continue
				}
				if impossible(d.name(&e.models, r.model), d.name(&e.oses, r.os), r.imei != none) {
					imp = true
				}
				if r.imei != none && !imeiSocial[r.imei] {
					if n := len(imeiFPs[r.imei]); n >= cfg.FingerprintsPerIMEI {
						churn, churnN = true, max(churnN, n)
					}
				}
				if r.flags&risky != 0 {
					rf = true
				}
			}
		}
		if imp {
			ev = append(ev, sig("impossible_model_os", 1, 1, "", 0.8))
		}
		if churn {
			ev = append(ev, sig("fingerprint_churn", float64(churnN), float64(cfg.FingerprintsPerIMEI), d.win, 0.9))
		}
		// One person's alt accounts share their own number; a multi-open
		// studio puts many numbers behind one fingerprint.
		if n := d.numbersBehind(accts, false); n >= cfg.AccountsPerDevice {
			ev = append(ev, sig("numbers_per_device", float64(n), float64(cfg.AccountsPerDevice), d.win, 0.6))
		}
		if n := d.numbersBehind(accts, true); n >= cfg.SameAppAccounts {
			w := 0.3
			if n >= 2*cfg.SameAppAccounts {
				w = 0.7
			}
			ev = append(ev, sig("same_platform_accounts", float64(n), float64(cfg.SameAppAccounts), d.win, w))
		}
		if rf {
			ev = append(ev, sig("risk_flags", 1, 1, "", 0.2))
		}
		if n, ok := d.lifelessBehind(accts); ok {
			ev = append(ev, sig("lifeless_numbers", float64(n), float64(cfg.LifelessNumbers), d.win, 0.8))
		}
		d.ownDev[dv] = ev
	}
	// addresses
	lifelessIP := make([]bool, len(d.ipAccts))
	for ip := range d.ipAccts {
		var ev []Evidence
		k := e.ipSt[ip].kind
		if k == IPDialup || k == IPProxy || k == IPIDC {
			ev = append(ev, sig("line_intel_"+IPKindNames[k], 1, 1, "", 0.3))
		}
		if n, ok := d.lifelessBehind(d.ipAccts[ip]); ok {
			ev = append(ev, sig("lifeless_numbers", float64(n), float64(cfg.LifelessNumbers), d.win, 0.8))
			lifelessIP[ip] = true
		}
		d.ownIP[ip] = ev
	}
	// An account verified by a lifeless number through an address whose
	// numbers are nearly all lifeless is one of that operation's.
	for a, rs := range d.acctRegs {
		for _, ri := range rs {
			r := regs[ri]
			if r.ip != none && lifelessIP[r.ip] && d.lifeless(d.regCard(r)) {
				d.ownAcct[a] = append(d.ownAcct[a], sig("lifeless_number_on_lifeless_line", 1, 1, d.win, 0.8))
				break
			}
		}
	}
}

// lifeless reports a number with no life at all in the feed: no voice
// call either way and no service notice — a card that only ever receives
// verification codes. People's numbers call and are called; even a
// data-only or new card is one among many at a carrier NAT, a campus or a
// company address.
func (d *det) lifeless(c uint32) bool {
	ca := d.aggOf(c)
	return ca.moPeers+ca.mtPeers == 0 && ca.notice == 0 && ca.callback == 0
}

// lifelessBehind counts the distinct lifeless numbers that verified accts,
// and whether they are at least LifelessNumbers and LifelessShare of all
// the numbers behind them: the signature of an operation's card stock
// behind one address or one fingerprint, which a shared NAT (thousands of
// people), a family tablet or a gamer's alts (people's own numbers) do not
// show.
func (d *det) lifelessBehind(accts []uint32) (int, bool) {
	if len(accts) < d.cfg.LifelessNumbers {
		return 0, false
	}
	cards := make([]uint32, 0, len(accts))
	for _, a := range accts {
		cards = append(cards, uint32(d.real(int(d.regCard(d.e.regs[d.acctRegs[a][0]])))))
	}
	slices.Sort(cards)
	cards = slices.Compact(cards)
	n := 0
	for _, c := range cards {
		if d.lifeless(c) {
			n++
		}
	}
	return n, n >= d.cfg.LifelessNumbers && float64(n) >= d.cfg.LifelessShare*float64(len(cards))
}

// propagate spreads suspicion along the links until nothing changes. Each
// round reads the previous round's statuses, so the outcome does not depend
// on the order entities are visited in; statuses only ever turn black, so it
// ends.
func (d *det) propagate() {
	e := d.e
	d.bCard = make([]bool, d.nCards)
	d.bIMEI = make([]bool, e.imeis.len())
	d.bAcct = make([]bool, e.accounts.len())
	d.bDev = make([]bool, e.devices.len())
	d.bIP = make([]bool, e.ips.len())
	for round := 0; round < 50; round++ {
		nCard := make([]bool, len(d.bCard))
		nIMEI := make([]bool, len(d.bIMEI))
		nAcct := make([]bool, len(d.bAcct))
		nDev := make([]bool, len(d.bDev))
		nIP := make([]bool, len(d.bIP))
		changed := false
		upd := func(old, nw []bool, i int, score float64, allowed bool) {
			nw[i] = old[i] || (score >= d.cfg.BlackScore && allowed)
			if nw[i] != old[i] {
				changed = true
			}
		}
		var buf []Evidence
		d.holderStockBlack = d.holderStockBlack[:0]
		for _, g := range d.holderStock {
			n := 0
			for _, c := range g {
				if d.bCard[c] && d.blackUse(int(c), &buf) {
					n++
				}
			}
			d.holderStockBlack = append(d.holderStockBlack, n)
		}
		for c := range d.bCard {
			buf = d.cardEvidence(c, buf[:0])
			upd(d.bCard, nCard, c, scoreOf(buf), d.allowCard(c) == "")
		}
		for i := range d.bIMEI {
			buf = d.imeiEvidence(i, buf[:0])
			upd(d.bIMEI, nIMEI, i, scoreOf(buf), e.imeiSt[i].cards > 0 && d.cfg.Allow.reason("imei", e.imeis.names[i]) == "")
		}
		for a := range d.bAcct {
			buf = d.acctEvidence(a, buf[:0])
			upd(d.bAcct, nAcct, a, scoreOf(buf), d.cfg.Allow.reason("account", e.accounts.names[a]) == "")
		}
		for x := range d.bDev {
			buf = d.devEvidence(x, buf[:0])
			upd(d.bDev, nDev, x, scoreOf(buf), d.cfg.Allow.reason("device", e.devices.names[x]) == "")
		}
		for x := range d.bIP {
			buf = d.ipEvidence(x, buf[:0])
			upd(d.bIP, nIP, x, scoreOf(buf), d.cfg.Allow.reason("ip", e.ips.names[x]) == "")
		}
		d.bCard, d.bIMEI, d.bAcct, d.bDev, d.bIP = nCard, nIMEI, nAcct, nDev, nIP
		if !changed {
			break
		}
	}
}

func (d *det) allowCard(c int) string {
	if d.cardAllow == nil {
		d.cardAllow = make([]string, d.nCards)
		for i := 0; i < d.nc; i++ {
			d.cardAllow[i] = d.cfg.Allow.reason("msisdn", d.e.nums.names[i])
		}
		for _, a := range d.e.acts {
			if a.action == ActionActivate && d.cardAllow[a.card] == "" {
				d.cardAllow[a.card] = d.cfg.Allow.reason("holder", d.e.holders.names[a.holder])
			}
		}
		for i := d.nc; i < d.nCards; i++ {
			d.cardAllow[i] = d.cardAllow[d.real(i)]
		}
	}
	return d.cardAllow[c]
}

// imeiPeers sums the distinct peers the IMEI's cards called.
func (d *det) imeiPeers(i int) int32 {
	var peers int32
	for _, c := range d.imeiCards[i] {
		peers += d.aggOf(c).moPeers
	}
	return peers
}

// imeiShortPeers sums the distinct peers the IMEI's cards called briefly.
func (d *det) imeiShortPeers(i int) int32 {
	var n int32
	for _, c := range d.imeiCards[i] {
		n += d.aggOf(c).moShortPeers
	}
	return n
}

// imeiPartners sums the distinct peers the IMEI's cards called or were
// called by. Cards count in full for every IMEI they sat in.
func (d *det) imeiPartners(i int) int32 {
	var n int32
	for _, c := range d.imeiCards[i] {
		ca := d.aggOf(c)
		n += ca.moPeers + ca.mtPeers - ca.callback
	}
	return n
}

// imeiFanout: the IMEI's cards call many distinct peers a day, mostly
// briefly, and almost none call back.
func (d *det) imeiFanout(i int) bool {
	ia := &d.e.imeiSt[i]
	peers := d.imeiPeers(i)
	if peers < 20 {
		return false
	}
	var cb int32
	for _, c := range d.imeiCards[i] {
		cb += d.aggOf(c).callback
	}
	perDay := float64(peers) / spanDays(ia.cdrFirst, ia.cdrLast)
	return perDay >= d.cfg.FanoutPerDay && float64(cb) < d.cfg.CallbackMax*float64(peers) &&
		2*d.imeiShortPeers(i) >= peers
}

// noIndependentInbound: nobody calls the IMEI's cards except people they
// called first — no customers, colleagues or family ringing in, which sales
// staff and couriers have.
func (d *det) noIndependentInbound(i int) bool {
	for _, c := range d.imeiCards[i] {
		ca := d.aggOf(c)
		if ca.mtPeers-ca.callback > 1 {
			return false
		}
	}
	return true
}

// corroborating signals describe behaviour that legitimate look-alikes
// share (sales offices, couriers, gamers, company onboarding). On their own
// they never make an entity black: without at least one primary signal an
// entity's score is capped below the black threshold.
var corroborating = map[string]bool{
	"sms_only": true, "one_way_fanout": true, "no_incoming_life": true,
	"static_tac_cluster": true, "cards_without_life": true, "short_calls": true, "static_cell": true,
	"risk_flags": true, "line_intel": true, "line_intel_dialup": true, "line_intel_proxy": true,
	"line_intel_idc": true, "single_use_fingerprint": true, "lockstep_burst": true,
	"verified_by_suspect_card": true, "same_platform_accounts": true, "imsi_per_imei_personal": true,
}

// corroboratedCap is the highest score corroborating signals alone reach.
const corroboratedCap = 0.6

// scoreOf combines evidence: 1−Π(1−w), capped when nothing primary fired.
func scoreOf(evs []Evidence) float64 {
	p := 1.0
	primary := false
	for _, e := range evs {
		p *= 1 - e.Weight
		if !corroborating[e.Signal] {
			primary = true
		}
	}
	s := 1 - p
	if !primary && s > corroboratedCap {
		s = corroboratedCap
	}
	return s
}

// Scores: own evidence plus evidence from black neighbours, appended to
// out (which is returned).

func (d *det) cardEvidence(c int, out []Evidence) []Evidence {
	out = append(out, d.ownCard[c]...)
	var pool, accts int
	for _, i := range d.cardIMEIs[c] {
		if d.bIMEI[i] {
			pool++
		}
	}
	for _, a := range d.cardAccts[c] {
		if d.bAcct[a] {
			accts++
		}
	}
	if pool > 0 {
		out = append(out, sig("in_black_device", float64(pool), 1, d.win, 0.9))
	}
	if accts > 0 {
		// whoever registered a black account held this number then
		w := 0.8
		if accts >= 2 {
			w = 0.9
		}
		out = append(out, sig("verified_black_accounts", float64(accts), 1, d.win, w))
	}
	if g := d.holderStockOf[c]; g >= 0 && g < int32(len(d.holderStockBlack)) && d.holderStockBlack[g] > 0 {
		// the holder's one-carrier bulk stock is in black use
		out = append(out, sig("holder_stock_black_use", float64(d.holderStockBlack[g]), 1, fmt.Sprintf("%dd", d.cfg.HolderDays), 0.9))
	}
	return out
}

// activationSignal: evidence about how a card was opened, not how it is used.
var activationSignal = map[string]bool{
	"outlet_burst": true, "odd_far_outlet": true, "holder_cards": true,
	"holder_carriers": true, "holder_over_legal": true, "holder_stock_black_use": true,
}

// blackUse: is the card black by how it is used (a pool or gateway slot,
// code reception, verifying black accounts) rather than by how it was
// opened? Only black use turns a holder's plain bulk stock into evidence.
func (d *det) blackUse(c int, buf *[]Evidence) bool {
	evs := d.cardEvidence(c, (*buf)[:0])
	k := 0
	for _, e := range evs {
		if !activationSignal[e.Signal] {
			evs[k] = e
			k++
		}
	}
	*buf = evs
	return scoreOf(evs[:k]) >= d.cfg.BlackScore
}

// cardSelfBlack: is the card black without counting the devices it sat in?
// Devices count only such cards, so a device and its cards cannot prove
// each other.
func (d *det) cardSelfBlack(c int) bool {
	if !d.bCard[c] {
		return false
	}
	p := 1.0
	primary := false
	for _, e := range d.ownCard[c] {
		p *= 1 - e.Weight
		primary = primary || !corroborating[e.Signal]
	}
	accts := 0
	for _, a := range d.cardAccts[c] {
		if d.bAcct[a] {
			accts++
		}
	}
	if accts > 0 {
		primary = true
		if accts >= 2 {
			p *= 0.1
		} else {
			p *= 0.2
		}
	}
	s := 1 - p
	if !primary {
		s = min(s, corroboratedCap)
	}
	return s >= d.cfg.BlackScore
}

func (d *det) imeiEvidence(i int, out []Evidence) []Evidence {
	out = append(out, d.ownIMEI[i]...)
	if d.e.imeiSt[i].cards == 0 {
		return out
	}
	n := 0
	for _, c := range d.imeiCards[i] {
		if d.cardSelfBlack(int(c)) {
			n++
		}
	}
	if n > 0 {
		w := 0.5
		if n >= 2 {
			w = 0.9
		}
		out = append(out, sig("black_cards_inside", float64(n), 1, d.win, w))
	}
	// channels of one gateway share a cell and a TAC: siblings of black
	// channels are channels too
	if cl := d.imeiCluster[i]; cl >= 0 {
		sib := 0
		for _, j := range d.clusters[cl] {
			if int(j) != i && d.bIMEI[j] {
				sib++
			}
		}
		if sib >= 2 {
			out = append(out, sig("black_gateway_siblings", float64(sib), 2, d.win, 0.6))
		}
	}
	return out
}

func (d *det) acctEvidence(a int, out []Evidence) []Evidence {
	out = append(out, d.ownAcct[a]...)
	var card, dev, ip, suspect bool
	for _, ri := range d.acctRegs[a] {
		r := d.e.regs[ri]
		if c := d.regCard(r); d.bCard[c] {
			card = true
		} else if d.ownCardScore[c] >= 0.5 {
			suspect = true
		}
		if r.dev != none && d.bDev[r.dev] {
			dev = true
		}
		if r.ip != none && d.bIP[r.ip] {
			ip = true
		}
	}
	if card {
		out = append(out, sig("verified_by_black_card", 1, 1, "", 0.9))
	} else if suspect {
		out = append(out, sig("verified_by_suspect_card", 1, 0.5, "", 0.4))
	}
	if dev {
		out = append(out, sig("black_software_fingerprint", 1, 1, "", 0.9))
	}
	if ip {
		out = append(out, sig("black_line_used", 1, 1, "", 0.5))
	}
	return out
}

func (d *det) shareBlack(accts []uint32) (int, float64) {
	n := 0
	for _, a := range accts {
		if d.bAcct[a] {
			n++
		}
	}
	if len(accts) == 0 {
		return 0, 0
	}
	return n, float64(n) / float64(len(accts))
}

func (d *det) devEvidence(x int, out []Evidence) []Evidence {
	out = append(out, d.ownDev[x]...)
	if n, s := d.shareBlack(d.devAccts[x]); n > 0 && s >= d.cfg.BlackShare {
		out = append(out, sig("black_accounts_share", s, d.cfg.BlackShare, d.win, 0.9))
	}
	return out
}

func (d *det) ipEvidence(x int, out []Evidence) []Evidence {
	out = append(out, d.ownIP[x]...)
	n, s := d.shareBlack(d.ipAccts[x])
	switch k := d.e.ipSt[x].kind; {
	case n > 0 && s >= d.cfg.BlackShare:
		out = append(out, sig("black_accounts_share", s, d.cfg.BlackShare, d.win, 0.9))
	case n > 0 && (k == IPDialup || k == IPProxy || k == IPIDC):
		// a rented line an operation registered through, shared with a
		// few others (VPN users, the next dial-up customer)
		out = append(out, sig("black_accounts_on_rented_line", float64(n), 1, d.win, 0.7))
	}
	return out
}
