package fourcuts

import (
	"cmp"
	"fmt"
	"math"
	"slices"
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
	// Rounds is how many rounds the graph stage ran; Converged is false
	// when it stopped at Config.MaxRounds with statuses still changing (the
	// findings are then a lower bound: raise MaxRounds).
	Rounds    int
	Converged bool
}

// Counts returns the number of findings per category.
func (r *Result) Counts() map[string]int {
	m := map[string]int{}
	for _, f := range r.Findings {
		m[f.Category]++
	}
	return m
}

// det holds the derived view used by the detectors and the graph stage.
type det struct {
	e   *Engine
	cfg *Config
	win string          // the feed's window, e.g. "7d"
	off map[string]bool // signals switched off

	rounds    int
	converged bool

	// adjacency
	cardAccts [][]uint32
	acctRegs  [][]int32
	devAccts  [][]uint32
	ipAccts   [][]uint32
	cardIMEIs [][]uint32
	homeCells [][]uint64 // per card node: the cells (hashed) of its calls at home hours
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

	st *structure // the joint-structure stage (structure.go); nil when off

	selfBuf   []Evidence     // scratch for cardSelfBlack
	openBuf   []Evidence     // scratch for openedOnly
	cellBlack map[uint64]int // black single-cell modems per cell (current round)
}

// Detect runs the detectors, the graph stage and the gang grouping over
// everything added, and returns the findings sorted by category and entity.
// It does not change the engine: more events may be added and Detect run
// again.
func (e *Engine) Detect() *Result {
	d := &det{e: e, cfg: &e.cfg, off: map[string]bool{}}
	for _, s := range e.cfg.Off {
		d.off[s] = true
	}
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
	d.structureSignals()
	d.propagate()
	res := d.findings()
	res.Rounds, res.Converged = d.rounds, d.converged
	return res
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
	d.homeCells = make([][]uint64, d.nCards)
	for _, p := range e.cardCell {
		cur, old := d.aggTargets(int(p.card))
		if cur {
			d.homeCells[p.card] = append(d.homeCells[p.card], p.cell)
		}
		if old {
			pv := d.prev[p.card]
			d.homeCells[pv] = append(d.homeCells[pv], p.cell)
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
		a.notice, a.otpPlat = src.notice, src.otpPlat
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

func spanDays(first, last int64) float64 {
	if last < first {
		return 1
	}
	return math.Max(1, math.Ceil(float64(last-first+1)/86400e3))
}

func (d *det) name(t *table, id uint32) string {
	if id == none {
		return ""
	}
	return t.names[id]
}
