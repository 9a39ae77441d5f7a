package fourcuts

import (
	"cmp"
	"fmt"
	"slices"
)

// unionFind over dense node ids.
type unionFind []int32

func newUnionFind(n int) unionFind {
	u := make(unionFind, n)
	for i := range u {
		u[i] = int32(i)
	}
	return u
}

func (u unionFind) find(x int32) int32 {
	for u[x] != x {
		u[x] = u[u[x]]
		x = u[x]
	}
	return x
}

func (u unionFind) union(a, b int32) {
	ra, rb := u.find(a), u.find(b)
	if ra != rb {
		if ra < rb {
			u[rb] = ra
		} else {
			u[ra] = rb
		}
	}
}

// Gangs are operations: the entities that work together (the cards in one
// pool, the accounts they verified, the lines and devices used). Suppliers —
// an outlet that bulk-opens cards for several operations, a holder whose
// cards went to several, a dial-up pool or proxy provider that several
// studios rent — link operations without making them one, so the grouping
// weighs links by how specific they are, in three tiers:
//
//  1. Members. Union-find along the links that tie entities to one
//     operation: a card verified an account, a card sat in a black modem or
//     gateway channel, an account used a fingerprint, accounts registered
//     from one phone (IMEI), channels of one gateway (a static cell+TAC
//     cluster, or the gateway-like channels of one cell), the two lives of a
//     reissued number.
//  2. Lines. Tier 1 leaves some operations in fragments: an emulator farm
//     with a fresh fingerprint and IMEI per registration is one fragment per
//     card, tied together only by its IDC lines. A fragment (a group in
//     which tier 1 tied fewer than two black cards) joins the larger group
//     (by members, then by smallest key) sharing the most of its black
//     addresses, if that is at least GangLineShare of them; a group with two or
//     more cards is an operation already and is never joined to another by
//     lines, so a dial-up address or proxy two studios both rented does not
//     make them one. Each group adopts at most one parent, rounds repeat
//     synchronously until nothing joins, and each address then goes to the
//     group with most of its black accounts.
//  3. Suppliers. Black cards still alone (no operation used them in the
//     feed) are grouped by the holder who opened them and by the outlet
//     burst they came from: the supplier's stock is a gang of its own, and
//     a card an operation did use stays with that operation.
//
// Every choice compares content (sizes, canonical keys), never internal ids,
// and every tier is order-free, so the grouping depends on the feed only.
//
// The shares and sizes are Config fields (GangLineShare, GangAnchorCards).

type gangNodes struct {
	offI, offA, offD, offP, total int
}

func (d *det) gangLayout() gangNodes {
	e := d.e
	nc, ni, na, nd := d.nCards, e.imeis.len(), e.accounts.len(), e.devices.len()
	g := gangNodes{offI: nc, offA: nc + ni, offD: nc + ni + na, offP: nc + ni + na + nd}
	g.total = g.offP + e.ips.len()
	return g
}

// nodeKey is a black node's canonical key (category|entity); black nodes
// that are not reported on their own (a previous life) have their number's.
func (d *det) nodeKey(g gangNodes, n int) string {
	e := d.e
	switch {
	case n < g.offI:
		return BlackCard + "|" + e.nums.names[d.real(n)]
	case n < g.offA:
		return BlackDevice + "|" + e.imeis.names[n-g.offI]
	case n < g.offD:
		return BlackAccount + "|" + e.accounts.names[n-g.offA]
	case n < g.offP:
		return BlackSoftware + "|" + e.devices.names[n-g.offD]
	default:
		return BlackLine + "|" + e.ips.names[n-g.offP]
	}
}

func (d *det) isBlack(g gangNodes, n int) bool {
	switch {
	case n < g.offI:
		return d.bCard[n]
	case n < g.offA:
		return d.bIMEI[n-g.offI]
	case n < g.offD:
		return d.bAcct[n-g.offA]
	case n < g.offP:
		return d.bDev[n-g.offD]
	default:
		return d.bIP[n-g.offP]
	}
}

// groupGangs returns the union-find whose classes are the gangs.
func (d *det) groupGangs(g gangNodes) unionFind {
	e := d.e
	u := newUnionFind(g.total)
	nc := d.nCards

	// tier 1: members
	for c, accts := range d.cardAccts {
		if !d.bCard[c] {
			continue
		}
		for _, a := range accts {
			if d.bAcct[a] {
				u.union(int32(c), int32(g.offA+int(a)))
			}
		}
		for _, i := range d.cardIMEIs[c] {
			if d.bIMEI[i] {
				u.union(int32(c), int32(g.offI+int(i)))
			}
		}
	}
	for c := 0; c < nc; c++ {
		if rc := d.real(c); rc != c && d.bCard[c] && d.bCard[rc] {
			u.union(int32(c), int32(rc)) // both lives of the number are black: one finding, one gang
		}
	}
	for x, accts := range d.devAccts {
		if d.bDev[x] {
			for _, a := range accts {
				if d.bAcct[a] {
					u.union(int32(g.offD+x), int32(g.offA+int(a)))
				}
			}
		}
	}
	byIMEI := map[uint32]int32{}
	for a := range d.bAcct {
		if !d.bAcct[a] {
			continue
		}
		for _, ri := range d.acctRegs[a] {
			if im := e.regs[ri].imei; im != none {
				if first, ok := byIMEI[im]; ok {
					u.union(first, int32(g.offA+a))
				} else {
					byIMEI[im] = int32(g.offA + a)
				}
			}
		}
	}
	for _, cl := range append(d.clusters[:len(d.clusters):len(d.clusters)], d.gateways...) {
		first := int32(-1)
		for _, i := range cl {
			if !d.bIMEI[i] {
				continue
			}
			if first < 0 {
				first = int32(g.offI + int(i))
			} else {
				u.union(first, int32(g.offI+int(i)))
			}
		}
	}

	// black non-line nodes, and each group's size and smallest key. A group
	// is anchored when tier 1 already tied two or more black cards
	// together in it: it is an operation in its own right, and lines never
	// join it to a larger one.
	var black []int32
	cards1 := map[int32]int{}
	for n := 0; n < g.offP; n++ {
		if d.isBlack(g, n) {
			black = append(black, int32(n))
			if n < nc && d.real(n) == n {
				cards1[u.find(int32(n))]++
			}
		}
	}
	anchored := make([]bool, len(black))
	for i, n := range black {
		anchored[i] = cards1[u.find(n)] >= d.cfg.GangAnchorCards
	}
	type group struct {
		size     int
		key      string
		anchored bool
	}
	groups := func() map[int32]*group {
		m := map[int32]*group{}
		for i, n := range black {
			r := u.find(n)
			gr := m[r]
			k := d.nodeKey(g, int(n))
			if gr == nil {
				m[r] = &group{1, k, anchored[i]}
			} else {
				gr.size++
				gr.anchored = gr.anchored || anchored[i]
				if k < gr.key {
					gr.key = k
				}
			}
		}
		return m
	}
	larger := func(a, b *group) bool { // a ranks before b
		if a.size != b.size {
			return a.size > b.size
		}
		return a.key < b.key
	}

	// tier 2: lines
	var lines []int
	for x := range d.ipAccts {
		if d.bIP[x] {
			lines = append(lines, x)
		}
	}
	lineGroups := func(x int, buf []int32) []int32 {
		buf = buf[:0]
		for _, a := range d.ipAccts[x] {
			if d.bAcct[a] {
				buf = appendUniq32(buf, u.find(int32(g.offA+int(a))))
			}
		}
		return buf
	}
	var buf []int32
	for {
		gs := groups()
		nLines := map[int32]int{}
		shared := map[[2]int32]int{}
		for _, x := range lines {
			buf = lineGroups(x, buf)
			for _, a := range buf {
				nLines[a]++
				for _, b := range buf {
					if a != b {
						shared[[2]int32{a, b}]++
					}
				}
			}
		}
		parent := map[int32]int32{}
		for ab, n := range shared {
			a, b := ab[0], ab[1]
			if gs[a].anchored || !larger(gs[b], gs[a]) || float64(n) < d.cfg.GangLineShare*float64(nLines[a]) {
				continue
			}
			if p, ok := parent[a]; ok {
				pn := shared[[2]int32{a, p}]
				if n < pn || n == pn && larger(gs[p], gs[b]) {
					continue
				}
			}
			parent[a] = b
		}
		if len(parent) == 0 {
			break
		}
		for a, b := range parent {
			u.union(a, b)
		}
	}
	gs := groups()
	attach := make([]int32, len(lines))
	for i, x := range lines {
		cnt := map[int32]int{}
		for _, a := range d.ipAccts[x] {
			if d.bAcct[a] {
				cnt[u.find(int32(g.offA+int(a)))]++
			}
		}
		best, bn := int32(-1), 0
		for r, n := range cnt {
			if best < 0 || n > bn || n == bn && larger(gs[r], gs[best]) {
				best, bn = r, n
			}
		}
		attach[i] = best
	}
	for i, x := range lines {
		if attach[i] >= 0 {
			u.union(int32(g.offP+x), attach[i])
		}
	}

	// tier 3: suppliers' stock left unused
	alone := make([]bool, nc)
	for c := range alone {
		if gr := gs[u.find(int32(c))]; d.bCard[c] && gr != nil && gr.size == 1 {
			alone[c] = true
		}
	}
	byHolder := map[uint32]int32{}
	byOutlet := map[uint32]int32{}
	for _, a := range e.acts {
		node := d.actNode(a)
		if a.action != ActionActivate || !alone[node] {
			continue
		}
		if first, ok := byHolder[a.holder]; ok {
			u.union(first, int32(node))
		} else {
			byHolder[a.holder] = int32(node)
		}
		bulk := false
		for _, ev := range d.ownCard[node] {
			if ev.Signal == "outlet_burst" || ev.Signal == "odd_far_outlet" {
				bulk = true
			}
		}
		if bulk {
			if first, ok := byOutlet[a.outlet]; ok {
				u.union(first, int32(node))
			} else {
				byOutlet[a.outlet] = int32(node)
			}
		}
	}
	return u
}

func appendUniq32(s []int32, v int32) []int32 {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// findings groups black entities into gangs and writes the findings. A
// gang's id is the rank of its smallest member (category|entity) among all
// gangs, so it depends on the feed's content only.
func (d *det) findings() *Result {
	e := d.e
	nc, ni, na, nd := d.nCards, e.imeis.len(), e.accounts.len(), e.devices.len()
	gl := d.gangLayout()
	offI, offA, offD, offP := gl.offI, gl.offA, gl.offD, gl.offP
	u := d.groupGangs(gl)

	res := &Result{}
	type member struct {
		node int32
		f    Finding
	}
	var members []member
	emit := func(node int, black bool, cat, entity string, first, last int64, allow string, evidence func([]Evidence) []Evidence) {
		if !black && allow == "" && !d.cfg.Leads {
			return
		}
		evs := evidence(nil)
		sc := d.score(evs)
		if !black && sc < d.cfg.BlackScore {
			if sc >= d.cfg.LeadScore && allow == "" {
				res.Leads = append(res.Leads, Finding{Category: cat, EntityType: EntityTypeOf[cat], Entity: entity,
					Score: sc, FirstSeen: first, LastSeen: last, Evidence: evs})
			}
			return
		}
		slices.SortStableFunc(evs, func(a, b Evidence) int { return cmp.Compare(b.Weight, a.Weight) })
		f := Finding{Category: cat, EntityType: EntityTypeOf[cat], Entity: entity, Score: sc,
			FirstSeen: first, LastSeen: last, Evidence: evs}
		if !black {
			res.Suppressed = append(res.Suppressed, Suppressed{Finding: f, Reason: allow})
			return
		}
		members = append(members, member{int32(node), f})
	}
	for c := 0; c < nc; c++ {
		rc := d.real(c)
		if c != rc && d.bCard[rc] {
			continue // both lives black: one finding (grouped in groupGangs)
		}
		first, last := e.cardSpan(uint32(rc))
		emit(c, d.bCard[c], BlackCard, e.nums.names[rc], first, last, d.allowCard(c),
			func(b []Evidence) []Evidence { return d.cardEvidence(c, b) })
	}
	for i := 0; i < ni; i++ {
		if e.imeiSt[i].cards == 0 {
			continue
		}
		first, last := e.imeiSpan(uint32(i))
		emit(offI+i, d.bIMEI[i], BlackDevice, e.imeis.names[i], first, last,
			d.cfg.Allow.reason("imei", e.imeis.names[i]),
			func(b []Evidence) []Evidence { return d.imeiEvidence(i, b) })
	}
	for a := 0; a < na; a++ {
		emit(offA+a, d.bAcct[a], BlackAccount, e.accounts.names[a], e.accounts.span[a].first, e.accounts.span[a].last,
			d.cfg.Allow.reason("account", e.accounts.names[a]),
			func(b []Evidence) []Evidence { return d.acctEvidence(a, b) })
	}
	for x := 0; x < nd; x++ {
		emit(offD+x, d.bDev[x], BlackSoftware, e.devices.names[x], e.devices.span[x].first, e.devices.span[x].last,
			d.cfg.Allow.reason("device", e.devices.names[x]),
			func(b []Evidence) []Evidence { return d.devEvidence(x, b) })
	}
	for x := 0; x < e.ips.len(); x++ {
		if len(d.ipAccts[x]) == 0 {
			continue
		}
		emit(offP+x, d.bIP[x], BlackLine, e.ips.names[x], e.ips.span[x].first, e.ips.span[x].last,
			d.cfg.Allow.reason("ip", e.ips.names[x]),
			func(b []Evidence) []Evidence { return d.ipEvidence(x, b) })
	}

	// gang ids: rank of each component's smallest member key
	rootKey := map[int32]string{}
	for _, m := range members {
		r := u.find(m.node)
		k := m.f.Category + "|" + m.f.Entity
		if old, ok := rootKey[r]; !ok || k < old {
			rootKey[r] = k
		}
	}
	keys := make([]string, 0, len(rootKey))
	for _, k := range rootKey {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	rank := make(map[string]int, len(keys))
	for i, k := range keys {
		rank[k] = i + 1
	}
	res.Gangs = len(keys)
	res.Findings = make([]Finding, len(members))
	outlets, phones := d.cardOutlets(), d.sharedPhones()
	for i, m := range members {
		f := m.f
		f.Gang = fmt.Sprintf("G-%06d", rank[rootKey[u.find(m.node)]])
		f.Links = d.links(gl, int(m.node), outlets, phones)
		res.Findings[i] = f
	}
	order := map[string]int{}
	for i, c := range Categories {
		order[c] = i
	}
	sortF := func(a, b Finding) int {
		if c := cmp.Compare(order[a.Category], order[b.Category]); c != 0 {
			return c
		}
		return cmp.Compare(a.Entity, b.Entity)
	}
	slices.SortFunc(res.Findings, sortF)
	slices.SortFunc(res.Suppressed, func(a, b Suppressed) int { return sortF(a.Finding, b.Finding) })
	slices.SortFunc(res.Leads, sortF)
	return res
}
