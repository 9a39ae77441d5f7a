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

// findings groups black entities into gangs and writes the findings.
//
// Gangs are the connected components of the black entities under the links
// the feeds show (a card verified an account, an account used a fingerprint
// or an address, a card sat in a modem), plus cards opened by one holder or
// in one outlet burst. Only black entities link, so a carrier NAT shared by
// two gangs and by thousands of residents does not merge anything. A gang's
// id is the rank of its smallest member (category|entity) among all gangs,
// so it depends on the feed's content only.
func (d *det) findings() *Result {
	e := d.e
	nc, ni, na, nd := d.nCards, e.imeis.len(), e.accounts.len(), e.devices.len()
	offI, offA, offD, offP := nc, nc+ni, nc+ni+na, nc+ni+na+nd
	total := offP + e.ips.len()
	u := newUnionFind(total)
	for c, accts := range d.cardAccts {
		if !d.bCard[c] {
			continue
		}
		for _, a := range accts {
			if d.bAcct[a] {
				u.union(int32(c), int32(offA+int(a)))
			}
		}
		for _, i := range d.cardIMEIs[c] {
			if d.bIMEI[i] {
				u.union(int32(c), int32(offI+int(i)))
			}
		}
	}
	for x, accts := range d.devAccts {
		if d.bDev[x] {
			for _, a := range accts {
				if d.bAcct[a] {
					u.union(int32(offD+x), int32(offA+int(a)))
				}
			}
		}
	}
	for x, accts := range d.ipAccts {
		if d.bIP[x] {
			for _, a := range accts {
				if d.bAcct[a] {
					u.union(int32(offP+x), int32(offA+int(a)))
				}
			}
		}
	}
	// black accounts registered from one phone (IMEI) belong together
	byIMEI := map[uint32]int32{}
	for a := range d.bAcct {
		if !d.bAcct[a] {
			continue
		}
		for _, ri := range d.acctRegs[a] {
			if im := e.regs[ri].imei; im != none {
				if first, ok := byIMEI[im]; ok {
					u.union(first, int32(offA+a))
				} else {
					byIMEI[im] = int32(offA + a)
				}
			}
		}
	}
	// black cards opened by one holder, or at one outlet, belong together
	byHolder := map[uint32]int32{}
	byOutlet := map[uint32]int32{}
	for _, a := range e.acts {
		node := d.actNode(a)
		if a.action != ActionActivate || !d.bCard[node] {
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
		sc := scoreOf(evs)
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
			// both lives of the number are black: one finding, one gang
			if d.bCard[c] {
				u.union(int32(c), int32(rc))
			}
			continue
		}
		emit(c, d.bCard[c], BlackCard, e.nums.names[rc], e.nums.first[rc], e.nums.last[rc], d.allowCard(c),
			func(b []Evidence) []Evidence { return d.cardEvidence(c, b) })
	}
	for i := 0; i < ni; i++ {
		if e.imeiSt[i].cards == 0 {
			continue
		}
		emit(offI+i, d.bIMEI[i], BlackDevice, e.imeis.names[i], e.imeis.first[i], e.imeis.last[i],
			d.cfg.Allow.reason("imei", e.imeis.names[i]),
			func(b []Evidence) []Evidence { return d.imeiEvidence(i, b) })
	}
	for a := 0; a < na; a++ {
		emit(offA+a, d.bAcct[a], BlackAccount, e.accounts.names[a], e.accounts.first[a], e.accounts.last[a],
			d.cfg.Allow.reason("account", e.accounts.names[a]),
			func(b []Evidence) []Evidence { return d.acctEvidence(a, b) })
	}
	for x := 0; x < nd; x++ {
		emit(offD+x, d.bDev[x], BlackSoftware, e.devices.names[x], e.devices.first[x], e.devices.last[x],
			d.cfg.Allow.reason("device", e.devices.names[x]),
			func(b []Evidence) []Evidence { return d.devEvidence(x, b) })
	}
	for x := 0; x < e.ips.len(); x++ {
		if len(d.ipAccts[x]) == 0 {
			continue
		}
		emit(offP+x, d.bIP[x], BlackLine, e.ips.names[x], e.ips.first[x], e.ips.last[x],
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
	for i, m := range members {
		f := m.f
		f.Gang = fmt.Sprintf("G-%06d", rank[rootKey[u.find(m.node)]])
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
