package fourcuts

import (
	"slices"

	"github.com/zhudun/zhudun/dense"
)

// The joint-structure stage finds operations whose every per-entity signal
// looks ordinary. A studio can keep each number, phone, fingerprint,
// address and registration time within what a person shows: a fingerprint
// serving two to four numbers as a family phone does, a number registering
// a few apps, single registrations at ordinary hours. What it cannot hide is
// that the same few phones serve many numbers and each number passes
// through several of the phones: in the graph of numbers × phones
// (fingerprints and registration IMEIs, one edge per pair that registered
// together) the operation is one web in which every number and every phone
// lies on a cycle with the others — a biconnected component — with many
// numbers in it.
//
// Ordinary dense structures stay small or are not biconnected:
//   - a family whose phones verify each other's accounts, or whose cards
//     pass through one family phone, is a web of its members' numbers — a
//     household's, a handful;
//   - a person setting up a new phone with a dozen apps is one number and
//     one phone (the graph has one edge per pair, however many apps);
//   - an office or a carrier NAT is many numbers behind one address, and
//     addresses are not in this graph at all; a default IMEI that many
//     people's emulators share is a hub whose numbers reach each other only
//     through it (an articulation point, no cycle), and the lift below
//     discounts hubs.
//
// So a web is an operation when it holds StructureCards or more numbers
// (twice a large household), its edges are StructureLift times what the
// numbers' and phones' degrees predict (the Chung-Lu expectation
// Σd_i·Σd_j/E, so that popular phones count for little), and a graph of the
// same size with the same number of edges spread uniformly at random holds
// a block of that shape and edge count with probability at most
// 10^StructureLog10P (dense.Log10Chance). Its numbers, the fingerprints in
// it and the accounts registered on its phones carry `dense_structure`
// evidence; its lines follow by the graph stage (black_accounts_share).
//
// A rented number (卡农) stays its resident's daily number: the accounts it
// verified on the resident's own phone are not the operation's. So a number
// black only through this stage does not make every account it verified
// black (see acctEvidence); the operation's accounts are convicted here,
// by the phone they were registered on.

// structure is the stage's outcome, kept in det.
type structure struct {
	card []bool // card nodes in an operation's web, or registered on its phones
	dev  []bool // fingerprints that are phones of a web
	acct []bool // accounts registered on a web's phone with a number
	// evidence per web, shared by its members
	cardWeb, devWeb, acctWeb []int32 // web index or -1
	webs                     []web
}

// web is one operation found: its size and why it stands out.
type web struct {
	chain                           bool // a chain of stranger-shared phones (phoneChains), not a biconnected web
	lines                           bool // a chain joined also through the lines its phones registered through
	apart                           bool // a chain under StructureChainStrangers whose groups each call from home cells of their own
	cards, strangers, phones, edges int
	density, lift                   float64
	log10p                          float64
}

// structureSignals runs the stage and adds its evidence to the own
// evidence of cards, fingerprints and accounts.
func (d *det) structureSignals() {
	if d.off["dense_structure"] && d.off["stranger_phone_chain"] {
		return
	}
	st := d.findWebs()
	d.st = st
	for i, w := range st.cardWeb {
		if w >= 0 {
			// ownCardScore stays the score of the other signals (rentedOnly)
			d.ownCard[i] = d.webEvidence(d.ownCard[i], st.webs[w])
		}
	}
	for x, w := range st.devWeb {
		if w >= 0 {
			d.ownDev[x] = d.webEvidence(d.ownDev[x], st.webs[w])
		}
	}
	for a, w := range st.acctWeb {
		if w >= 0 {
			d.ownAcct[a] = d.webEvidence(d.ownAcct[a], st.webs[w])
		}
	}
}

func (d *det) webEvidence(out []Evidence, w web) []Evidence {
	cfg := d.cfg
	name, limit, lv := "dense_structure", "StructureStrangers", float64(cfg.StructureStrangers)
	if w.chain {
		name, limit, lv = "stranger_phone_chain", "StructureChainPhones", float64(cfg.StructureChainPhones)
	}
	if d.off[name] {
		return out
	}
	th := cfg.StructureStrangers
	if w.chain {
		th = cfg.StructureChainStrangers
	}
	switch {
	case w.apart:
		out = d.emit(out, name, float64(w.strangers), float64(cfg.StructureChainApart), d.win, 0.8, limit, lv, "StructureChainStrangers", cfg.StructureChainStrangers,
			"HomeHourFrom", cfg.HomeHourFrom, "HomeHourTo", cfg.HomeHourTo, "StructureLift", cfg.StructureLift,
			"StructureChainHub", cfg.StructureChainHub, "StructureGrowShare", cfg.StructureGrowShare, "BlackShare", cfg.BlackShare)
	case w.chain:
		out = d.emit(out, name, float64(w.strangers), float64(th), d.win, 0.8, limit, lv, "StructureLift", cfg.StructureLift,
			"StructureChainHub", cfg.StructureChainHub, "StructureGrowShare", cfg.StructureGrowShare, "BlackShare", cfg.BlackShare)
	default:
		out = d.emit(out, name, float64(w.strangers), float64(th), d.win, 0.8, limit, lv, "StructureLift", cfg.StructureLift,
			"StructureGrowShare", cfg.StructureGrowShare, "BlackShare", cfg.BlackShare)
	}
	ev := &out[len(out)-1]
	ev.Measures = []Limit{{"numbers", float64(w.cards)}, {"phones", float64(w.phones)}, {"edges", float64(w.edges)},
		{"density", w.density}, {"lift", w.lift}, {"log10p", w.log10p}}
	if w.lines {
		ev.Measures = append(ev.Measures, Limit{"joined_by_line", 1})
	}
	return out
}

// rentedOnly reports a card that is black through the structure stage but
// whose own evidence apart from it does not convict: its other accounts
// are its resident's.
func (d *det) rentedOnly(c uint32) bool {
	return d.st != nil && d.st.card[c] && d.ownCardScore[c] < d.cfg.BlackScore
}

// findWebs builds the numbers × phones graph and returns the webs that
// are operations.
func (d *det) findWebs() *structure {
	e, cfg := d.e, d.cfg
	nc, nd := d.nCards, e.devices.len()
	// node ids: cards 0…nc-1, then phones: fingerprints nc…nc+nd-1, IMEIs
	// after. A registration's phone is its IMEI when it gives one (the
	// handset, whatever fingerprints its app data showed), else its
	// fingerprint (iPhones give apps no IMEI).
	phoneOf := func(r regRec) int32 {
		switch {
		case r.imei != none:
			return int32(nc+nd) + int32(r.imei)
		case r.dev != none:
			return int32(nc) + int32(r.dev)
		}
		return -1
	}
	n := nc + nd + e.imeis.len()
	var pairs []uint64
	for _, r := range e.regs {
		if r.card == none {
			continue
		}
		if ph := phoneOf(r); ph >= 0 {
			pairs = append(pairs, uint64(d.regCard(r))<<32|uint64(ph))
		}
	}
	slices.Sort(pairs)
	pairs = slices.Compact(pairs)
	// CSR adjacency, both directions
	deg := make([]int32, n+1)
	for _, p := range pairs {
		deg[p>>32+1]++
		deg[uint32(p)+1]++
	}
	for i := 1; i <= n; i++ {
		deg[i] += deg[i-1]
	}
	off := slices.Clone(deg)
	adj := make([]int32, 2*len(pairs))
	pos := slices.Clone(off[:n])
	for _, p := range pairs {
		u, v := int32(p>>32), int32(uint32(p))
		adj[pos[u]] = v
		pos[u]++
		adj[pos[v]] = u
		pos[v]++
	}
	degree := func(v int32) int { return int(off[v+1] - off[v]) }
	rowsLive, colsLive := 0, 0
	for v := range n {
		if degree(int32(v)) > 0 {
			if v < nc {
				rowsLive++
			} else {
				colsLive++
			}
		}
	}
	E := float64(len(pairs))
	bg := 0.0
	if rowsLive > 0 && colsLive > 0 {
		bg = E / (float64(rowsLive) * float64(colsLive))
	}
	st := &structure{
		card: make([]bool, nc), dev: make([]bool, nd), acct: make([]bool, e.accounts.len()),
		cardWeb: fill(nc, -1), devWeb: fill(nd, -1), acctWeb: fill(e.accounts.len(), -1),
	}
	phoneWeb := fill(n, -1)  // by node id, for phones
	holderOf := fill(nc, -1) // the holder who opened each card node
	for _, a := range e.acts {
		if a.action == ActionActivate {
			holderOf[d.actNode(a)] = int32(a.holder)
		}
	}
	hashOf := func(c int32) uint64 { return hashBytes([]byte(e.nums.names[d.real(int(c))])) }
	var uf strangerSet
	cyclic := make([]bool, n) // phones on a cycle with StructureStrangers or more numbers: the webs'
	bicomponents(n, off, adj, func(nodes []int32, edges int) {
		var cards, phones int
		var sr, sc float64
		for _, v := range nodes {
			if int(v) < nc {
				cards++
				sr += float64(degree(v))
			} else {
				phones++
				sc += float64(degree(v))
			}
		}
		if cards < cfg.StructureStrangers {
			return
		}
		for _, v := range nodes {
			if int(v) >= nc {
				cyclic[v] = true
			}
		}
		if d.off["dense_structure"] {
			return
		}
		strangers := d.strangers(nodes, off, adj, holderOf, phoneOf, nil, &uf)
		if strangers < cfg.StructureStrangers {
			return
		}
		w := web{cards: cards, strangers: strangers, phones: phones, edges: edges}
		w.density = float64(edges) / (float64(cards) * float64(phones))
		if exp := sr * sc / E; exp > 0 {
			w.lift = float64(edges) / exp
		}
		w.log10p = dense.Log10Chance(rowsLive, colsLive, cards, phones, edges, bg)
		if w.lift < cfg.StructureLift {
			return
		}
		wi := int32(len(st.webs))
		st.webs = append(st.webs, w)
		for _, v := range nodes {
			// a phone of the web whose numbers all live together is
			// their household's (oneGroup): on a cycle only because two
			// of the family rented out their numbers
			if int(v) >= nc && phoneWeb[v] < 0 && (cfg.ReachOneGroup || !d.oneGroup(adj[off[v]:off[v+1]], holderOf)) {
				phoneWeb[v] = wi
			}
		}
	})
	var strangerShared []bool // phones carrying numbers of two or more social groups and none of their calls
	if !d.off["stranger_phone_chain"] {
		strangerShared = d.phoneChains(st, n, off, adj, holderOf, phoneOf, cyclic, phoneWeb, rowsLive, colsLive, E, bg, &uf)
	}
	if len(st.webs) == 0 {
		return st
	}
	// Cards registered on a web's phone are the operation's (even one that
	// passed through only one of its phones). A phone outside the web
	// whose numbers, two or more, are the operation's — at least
	// StructureGrowShare of them, none tied to one of the others — is its
	// phone too
	// (an iPhone's fingerprint on the web's edge, linked by one number
	// only); a resident's own phone also carries numbers of their own, or
	// only the one rented number.
	firstIMEI := int32(nc + nd)
	opNumbers := func(nbs []int32) int {
		k := 0
		for _, c := range nbs {
			if st.card[c] {
				k++
			}
		}
		return k
	}
	// homeLines: the addresses, not shared exits, through which a number
	// registered on phones outside the webs and that no web phone used —
	// a household's line, not one of the operation's
	homeLines := func(c int32, opLine map[uint32]bool) []uint32 {
		var out []uint32
		for _, a := range d.cardAccts[c] {
			for _, ri := range d.acctRegs[a] {
				r := e.regs[ri]
				if r.ip == none || d.regCard(r) != uint32(c) || opLine[r.ip] {
					continue
				}
				if ph := phoneOf(r); ph >= 0 && phoneWeb[ph] >= 0 {
					continue
				}
				if st := &e.ipSt[r.ip]; st.shared >= cfg.SharedUsers || st.kind == IPProxy || st.kind == IPIDC {
					continue
				}
				out = appendUniq(out, r.ip)
			}
		}
		return out
	}
	for {
		opLine := map[uint32]bool{}
		lineRegs, lineOp := map[uint32]int{}, map[uint32]int{}
		lineWeb := map[uint32]int32{}
		for _, r := range e.regs {
			ph := phoneOf(r)
			if r.ip != none && ph >= 0 {
				lineRegs[r.ip]++
			}
			if r.card != none && ph >= 0 && phoneWeb[ph] >= 0 {
				st.card[d.regCard(r)] = true
				if r.ip != none {
					opLine[r.ip] = true
					lineOp[r.ip]++
					if w, ok := lineWeb[r.ip]; !ok || phoneWeb[ph] < w {
						lineWeb[r.ip] = phoneWeb[ph]
					}
				}
			}
		}
		grown := false
		// A stranger-shared phone (numbers of two or more social groups,
		// none of their calls) registering through one of the operation's
		// own lines — not a shared exit, and at least BlackShare of its
		// registrations from the operation's phones — is the operation's:
		// an operation that resets its phones' app data leaves chains of
		// fingerprints that meet only on its lines (quiet_iphones, seed
		// 4114 at 6,000 × 4: four fingerprints of five rented numbers,
		// missed beside their operation). Lines join no chain on their own
		// (households' phones merged, family_verifiers 4110): the line
		// must already be the operation's.
		if strangerShared != nil && !cfg.NoLineReach {
			for _, r := range e.regs {
				ph := phoneOf(r)
				if r.ip == none || ph < 0 || !strangerShared[ph] || phoneWeb[ph] >= 0 || lineOp[r.ip] == 0 {
					continue
				}
				if st := &e.ipSt[r.ip]; st.shared >= cfg.SharedUsers || st.kind == IPProxy || st.kind == IPIDC {
					continue
				}
				if float64(lineOp[r.ip]) >= cfg.BlackShare*float64(lineRegs[r.ip]) {
					phoneWeb[ph], grown = lineWeb[r.ip], true
				}
			}
		}
		for ph := int32(nc); ph < int32(n); ph++ {
			if phoneWeb[ph] >= 0 || degree(ph) < 2 {
				continue
			}
			nbs := adj[off[ph]:off[ph+1]]
			// a handset one of its numbers calls from is somebody's own
			voice := false
			if ph >= firstIMEI {
				for _, c := range nbs {
					if e.pairs.has(pairKey(pkCardIMEI, uint32(ph-firstIMEI), uint64(d.real(int(c))))) {
						voice = true
						break
					}
				}
			}
			if voice {
				continue
			}
			wi := int32(-1)
			ok := true
			for _, c := range nbs {
				if !st.card[c] {
					continue
				}
				for _, q := range adj[off[c]:off[c+1]] {
					if phoneWeb[q] >= 0 {
						wi = phoneWeb[q]
						break
					}
				}
				var hc []uint32
				if !cfg.NoHomeLineTies {
					hc = homeLines(c, opLine)
				}
				for _, o := range nbs {
					if o != c && !st.card[o] && d.tied(c, o, uint32(d.real(int(c))), uint32(d.real(int(o))), hashOf(c), hashOf(o), holderOf) {
						ok = false
					}
					// a household's line both registered through (one the
					// operation's phones never used): the phone is the
					// household's, lent to or shared with the rented number's
					// resident (the all world, seed 3112: a family iPhone
					// carrying a rented number and three relatives' numbers
					// joined a web and made 24 of their accounts black)
					if ok && len(hc) > 0 && o != c && !st.card[o] {
						for _, ip := range homeLines(o, opLine) {
							if slices.Contains(hc, ip) {
								ok = false
								break
							}
						}
					}
				}
			}
			// a phone on which the operation's numbers are fewer than one
			// in five (an operation keeps a phone under numbers_per_device,
			// 5, so one of its numbers is at least that share) is a hub —
			// the default IMEI an emulator ships with, shared by dozens of
			// gamers; a shop's test handset: one operation number on it
			// says nothing of the others
			if k := opNumbers(nbs); float64(k) < cfg.StructureGrowShare*float64(len(nbs)) {
				ok = false
			}
			// a phone whose numbers all live together is their household's,
			// even when all of them are the operation's: a
			// household whose members both rented out their numbers still
			// shares the family iPhone at home (the all world, seed 112 at
			// 20,000 × 7: such a fingerprint joined a web of thirty and made
			// the family's three accounts and its home line black)
			if ok && wi >= 0 && !cfg.ReachOneGroup && d.oneGroup(nbs, holderOf) {
				ok = false
			}
			if wi >= 0 && ok {
				phoneWeb[ph], grown = wi, true
			}
		}
		if !grown {
			break
		}
	}
	// Everything registered on a web's phone is the operation's: the
	// number, the account, the fingerprint.
	for _, r := range e.regs {
		if r.card == none {
			continue
		}
		ph := phoneOf(r)
		if ph < 0 || phoneWeb[ph] < 0 {
			continue
		}
		wi := phoneWeb[ph]
		c := d.regCard(r)
		st.card[c], st.acct[r.acct] = true, true
		if st.cardWeb[c] < 0 {
			st.cardWeb[c] = wi
		}
		if st.acctWeb[r.acct] < 0 {
			st.acctWeb[r.acct] = wi
		}
		if x := r.dev; x != none {
			st.dev[x] = true
			if st.devWeb[x] < 0 {
				st.devWeb[x] = wi
			}
		}
	}
	return st
}

// strangerSet is the scratch of strangers: a union-find over one web's
// numbers.
type strangerSet struct {
	cards  []int32
	parent []int32
	hash   []uint64
}

func (u *strangerSet) find(i int32) int32 {
	for u.parent[i] != i {
		u.parent[i] = u.parent[u.parent[i]]
		i = u.parent[i]
	}
	return i
}

// strangers counts the social groups among a web's numbers: numbers are
// one group when one called the other (either way), one holder opened
// both, one registered on the handset the other makes calls from, or both
// registered accounts on phones outside the web through one address that
// is not a shared exit (a household's line). A household's numbers call
// each other, use each other's phones and share its line, and a person's
// several cards share a holder; the numbers an operation rented or bought
// do none of it: their residents live apart, and its phones carry nobody's
// calls.
func (d *det) strangers(nodes, off, adj, holderOf []int32, phoneOf func(regRec) int32, skip []bool, u *strangerSet) int {
	e := d.e
	u.cards, u.parent, u.hash = u.cards[:0], u.parent[:0], u.hash[:0]
	inWeb := map[int32]bool{}
	idx := map[int32]int32{} // card node → its index in u.cards
	for _, v := range nodes {
		if int(v) < d.nCards {
			idx[v] = int32(len(u.cards))
			u.cards = append(u.cards, v)
			u.parent = append(u.parent, int32(len(u.parent)))
			u.hash = append(u.hash, hashBytes([]byte(e.nums.names[d.real(int(v))])))
		} else {
			inWeb[v] = true
		}
	}
	groups := len(u.cards)
	union := func(i, j int32) {
		if ri, rj := u.find(i), u.find(j); ri != rj {
			u.parent[ri] = rj
			groups--
		}
	}
	// A handset one of them calls from is that person's own: whoever else
	// registered on it was lent it.
	firstIMEI := int32(d.nCards + e.devices.len())
	for ph := range inWeb {
		if ph < firstIMEI {
			continue
		}
		imei := uint32(ph - firstIMEI)
		owner := int32(-1)
		for _, c := range adj[off[ph]:off[ph+1]] {
			if i, ok := idx[c]; ok && e.pairs.has(pairKey(pkCardIMEI, imei, uint64(d.real(int(c))))) {
				owner = i
				break
			}
		}
		if owner < 0 {
			continue
		}
		for _, c := range adj[off[ph]:off[ph+1]] {
			if i, ok := idx[c]; ok {
				union(owner, i)
			}
		}
	}
	lineOf := map[uint32]int32{} // household line → the first web number on it
	for i, c := range u.cards {
		for _, a := range d.cardAccts[c] {
			for _, ri := range d.acctRegs[a] {
				r := e.regs[ri]
				if ph := phoneOf(r); r.ip == none || d.regCard(r) != uint32(c) || inWeb[ph] || skip != nil && ph >= 0 && skip[ph] {
					continue
				}
				if st := &e.ipSt[r.ip]; st.shared >= d.cfg.SharedUsers || st.kind == IPProxy || st.kind == IPIDC {
					continue
				}
				if j, ok := lineOf[r.ip]; ok {
					union(int32(i), j)
				} else {
					lineOf[r.ip] = int32(i)
				}
			}
		}
	}
	for i := range u.cards {
		a := uint32(d.real(int(u.cards[i])))
		for j := i + 1; j < len(u.cards); j++ {
			b := uint32(d.real(int(u.cards[j])))
			if d.tied(u.cards[i], u.cards[j], a, b, u.hash[i], u.hash[j], holderOf) {
				union(int32(i), int32(j))
			}
		}
	}
	return groups
}

// tied: two numbers (card nodes i and j; numbers a and b, whose spellings
// hash to ha and hb) called each other either way, one holder opened
// both, or both made or took calls at home hours in one cell (they live
// together, or next door: a tie can only spare, never convict).
func (d *det) tied(i, j int32, a, b uint32, ha, hb uint64, holderOf []int32) bool {
	p := &d.e.pairs
	return holderOf[i] >= 0 && holderOf[i] == holderOf[j] ||
		p.has(pairKey(pkMOPeer, a, hb)) || p.has(pairKey(pkMTPeer, a, hb)) ||
		p.has(pairKey(pkMOPeer, b, ha)) || p.has(pairKey(pkMTPeer, b, ha)) ||
		!d.cfg.NoCellTies && d.colocated(i, j)
}

// oneGroup reports whether the numbers (card nodes) all live together —
// calls at home hours from one cell, directly or through one another — or
// are one holder's: one household's or person's phone. Numbers that only
// call each other are friends, and an operation that rented both may put
// them on one of its phones (the all world, seed 3112 at 6,000 × 4).
func (d *det) oneGroup(nbs []int32, holderOf []int32) bool {
	if len(nbs) < 2 || len(nbs) > 2*d.cfg.AccountsPerDevice || d.cfg.NoCellTies {
		return false
	}
	in := make([]bool, len(nbs))
	in[0] = true
	stack := []int{0}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for j := range nbs {
			a, b := nbs[i], nbs[j]
			if !in[j] && (holderOf[a] >= 0 && holderOf[a] == holderOf[b] || d.colocated(a, b)) {
				in[j] = true
				stack = append(stack, j)
			}
		}
	}
	return !slices.Contains(in, false)
}

// colocated reports two card nodes with a home-hours cell in common.
func (d *det) colocated(i, j int32) bool {
	for _, x := range d.homeCells[i] {
		if slices.Contains(d.homeCells[j], x) {
			return true
		}
	}
	return false
}

// locatedGroups counts the groups of the last strangers count that have
// a number with calls at home hours: each such group is shown to live in
// cells no other group's numbers call from at those hours (those would
// have tied them).
func (d *det) locatedGroups(u *strangerSet) int {
	located := map[int32]bool{}
	for i, c := range u.cards {
		if len(d.homeCells[c]) > 0 {
			located[u.find(int32(i))] = true
		}
	}
	return len(located)
}

// chainApart reports whether a chain may be an operation with
// StructureChainApart groups that live apart (it needs the cell ties).
func (d *det) chainApart() bool {
	return !d.cfg.NoCellTies && !d.cfg.NoChainApart && d.cfg.StructureChainApart < d.cfg.StructureChainStrangers
}

func fill(n int, v int32) []int32 {
	s := make([]int32, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// bicomponents calls emit with the nodes and the number of edges of every
// biconnected component of the undirected graph with n nodes whose
// neighbours of v are adj[off[v]:off[v+1]] (no self-loops, no parallel
// edges). Hopcroft–Tarjan with an edge stack, iterative so that a long path
// cannot overflow the goroutine stack; components come in an order fixed by
// the node numbering, and each is emitted once.
func bicomponents(n int, off, adj []int32, emit func(nodes []int32, edges int)) {
	disc := make([]int32, n) // discovery time, 0 = unvisited
	low := make([]int32, n)
	parent := fill(n, -1)
	next := make([]int32, n) // next neighbour index to explore
	mark := make([]int32, n) // component stamp, to list each node once
	var stack []int32        // DFS path
	var es [][2]int32        // edge stack
	var nodes []int32
	t, stamp := int32(0), int32(0)
	for s := range n {
		if disc[s] != 0 || off[s+1] == off[s] {
			continue
		}
		t++
		disc[s], low[s], next[s] = t, t, off[s]
		stack = append(stack[:0], int32(s))
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			if next[v] < off[v+1] {
				w := adj[next[v]]
				next[v]++
				switch {
				case disc[w] == 0:
					parent[w] = v
					t++
					disc[w], low[w], next[w] = t, t, off[w]
					es = append(es, [2]int32{v, w})
					stack = append(stack, w)
				case w != parent[v] && disc[w] < disc[v]:
					low[v] = min(low[v], disc[w])
					es = append(es, [2]int32{v, w})
				}
				continue
			}
			stack = stack[:len(stack)-1]
			p := parent[v]
			if p < 0 {
				continue
			}
			low[p] = min(low[p], low[v])
			if low[v] < disc[p] {
				continue
			}
			// p separates v's subtree: its edges form one component
			stamp++
			nodes = nodes[:0]
			edges := 0
			for {
				ed := es[len(es)-1]
				es = es[:len(es)-1]
				edges++
				for _, x := range ed {
					if mark[x] != stamp {
						mark[x] = stamp
						nodes = append(nodes, x)
					}
				}
				if ed[0] == p && ed[1] == v {
					break
				}
			}
			emit(nodes, edges)
		}
	}
}

// phoneChains finds the operations the webs miss because their phones do
// not keep one identity: an iPhone gives apps no IMEI, so an operation
// that resets the app data after every few numbers shows a fresh
// fingerprint each time, and its numbers × phones graph is a sparse
// forest with few cycles, not a web. What it cannot hide is that each of
// those phones carries the accounts of unrelated people — numbers of at
// least two social groups (strangers), on a phone that carries none of
// their calls — and that such phones are chained by the numbers they
// share. A phone lent to a friend once, a second-hand phone or a family
// phone whose members never called in the feed is one such phone, or a
// household's few: a chain of StructureChainPhones or more stranger-shared
// phones whose numbers form StructureStrangers groups or more is an
// operation. Phones already in a web are left to it.
func (d *det) phoneChains(st *structure, n int, off, adj, holderOf []int32, phoneOf func(regRec) int32, cyclic []bool, phoneWeb []int32,
	rowsLive, colsLive int, E, bg float64, uf *strangerSet) []bool {
	e, cfg := d.e, d.cfg
	nc := d.nCards
	firstIMEI := int32(nc + e.devices.len())
	parent := make([]int32, n)
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(i int32) int32 {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	// candidates: phones that carry two or more numbers and none of
	// their calls, on no web's cycle; their own registrations tie no one
	// (the operation's own lines carry its phones' registrations). A
	// phone behind StructureChainHub numbers or more is not a reset
	// handset: it is an identifier many devices share by default (an
	// emulator's IMEI, dozens of gamers), a hub that says nothing about
	// who holds it. Under that, an Android handset of an operation that
	// reset its app data once carries up to twice a fingerprint's numbers
	// (the all world, seed 1112 at 20,000 × 7: one IMEI of five rented
	// numbers tied a whole seven-number operation together and was cut
	// out at AccountsPerDevice).
	cand := make([]bool, n)
	for ph := int32(nc); ph < int32(n); ph++ {
		nbs := adj[off[ph]:off[ph+1]]
		if len(nbs) < 2 || len(nbs) >= cfg.StructureChainHub || cyclic[ph] || phoneWeb[ph] >= 0 {
			continue
		}
		voice := false
		if ph >= firstIMEI {
			for _, c := range nbs {
				if e.pairs.has(pairKey(pkCardIMEI, uint32(ph-firstIMEI), uint64(d.real(int(c))))) {
					voice = true // somebody's own handset
					break
				}
			}
		}
		cand[ph] = !voice
	}
	shared := make([]bool, n)
	nodes := make([]int32, 0, 8)
	for ph := int32(nc); ph < int32(n); ph++ {
		if !cand[ph] {
			continue
		}
		nbs := adj[off[ph]:off[ph+1]]
		nodes = append(nodes[:0], ph)
		nodes = append(nodes, nbs...)
		if d.strangers(nodes, off, adj, holderOf, phoneOf, cand, uf) < 2 {
			continue
		}
		shared[ph] = true
		for _, c := range nbs {
			if a, b := find(ph), find(c); a != b {
				parent[a] = b
			}
		}
	}
	// judge makes the chain of phones an operation when it is one;
	// lineJoined chains (joined also through lines) must live apart.
	judge := func(phones []int32, lineJoined bool) {
		if len(phones) < cfg.StructureChainPhones {
			return
		}
		in := map[int32]bool{}
		nodes = nodes[:0]
		edges := 0
		var sr, sc float64
		for _, ph := range phones {
			nodes = append(nodes, ph)
			sc += float64(off[ph+1] - off[ph])
			for _, c := range adj[off[ph]:off[ph+1]] {
				edges++
				if !in[c] {
					in[c] = true
					nodes = append(nodes, c)
					sr += float64(off[c+1] - off[c])
				}
			}
		}
		cards := len(nodes) - len(phones)
		bar := cfg.StructureChainStrangers
		if d.chainApart() {
			bar = min(bar, cfg.StructureChainApart)
		}
		if cards < bar {
			return
		}
		strangers := d.strangers(nodes, off, adj, holderOf, phoneOf, cand, uf)
		// Under StructureChainStrangers a chain is an operation only when
		// StructureChainApart of its groups are shown to live apart: each
		// calls at home hours from cells no other group does. A household
		// lives under one roof; a feed without cells keeps the higher bar.
		apart := false
		if strangers < cfg.StructureChainStrangers || lineJoined {
			if !d.chainApart() || d.locatedGroups(uf) < cfg.StructureChainApart {
				return
			}
			apart = true
		}
		w := web{chain: true, apart: apart, lines: lineJoined, cards: cards, strangers: strangers, phones: len(phones), edges: edges}
		w.density = float64(edges) / (float64(cards) * float64(len(phones)))
		if exp := sr * sc / E; exp > 0 {
			w.lift = float64(edges) / exp
		}
		w.log10p = dense.Log10Chance(rowsLive, colsLive, cards, len(phones), edges, bg)
		if w.lift < cfg.StructureLift {
			return
		}
		wi := int32(len(st.webs))
		st.webs = append(st.webs, w)
		for _, ph := range phones {
			phoneWeb[ph] = wi
		}
	}
	components := func() [][]int32 {
		comp := map[int32][]int32{}
		var roots []int32
		for v := range n {
			if shared[v] && phoneWeb[v] < 0 {
				r := find(int32(v))
				if comp[r] == nil {
					roots = append(roots, r)
				}
				comp[r] = append(comp[r], int32(v))
			}
		}
		out := make([][]int32, len(roots))
		for i, r := range roots {
			out[i] = comp[r]
		}
		return out
	}
	for _, phones := range components() {
		judge(phones, false)
	}
	// Chains an operation's own line joins. An operation that resets its
	// phones after every few numbers leaves chains too short to judge
	// that meet only on the broadband line they registered through
	// (quiet_iphones, seed 114 at 6,000 × 4: five rented numbers on three
	// fingerprints in two chains, all five numbers through one line). A
	// line joins only where the chains' registrations are at least
	// BlackShare of all its registrations (a home line carries the
	// household's own phones too; a NAT, everybody's) and it is no shared
	// exit; the chains so joined must live apart (above), since two
	// households' lent phones on one line are not one group.
	if d.chainApart() && !cfg.NoChainLines {
		lineRegs, lineShared := map[uint32]int{}, map[uint32]int{}
		for _, r := range e.regs {
			if ph := phoneOf(r); r.ip != none && ph >= 0 {
				lineRegs[r.ip]++
				if shared[ph] && phoneWeb[ph] < 0 {
					lineShared[r.ip]++
				}
			}
		}
		first := map[uint32]int32{}
		joined := false
		for _, r := range e.regs {
			ph := phoneOf(r)
			if r.ip == none || ph < 0 || !shared[ph] || phoneWeb[ph] >= 0 || lineShared[r.ip] < 2 ||
				float64(lineShared[r.ip]) < cfg.BlackShare*float64(lineRegs[r.ip]) {
				continue
			}
			if st := &e.ipSt[r.ip]; st.shared >= cfg.SharedUsers || st.kind == IPProxy || st.kind == IPIDC {
				continue
			}
			if q, ok := first[r.ip]; !ok {
				first[r.ip] = ph
			} else if a, b := find(ph), find(q); a != b {
				parent[a], joined = b, true
			}
		}
		if joined {
			for _, phones := range components() {
				judge(phones, true)
			}
		}
	}
	return shared
}
