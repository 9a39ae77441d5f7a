package fourcuts

import "slices"

// MaxLinks bounds a finding's links: the gang graph needs the ties that
// make a gang, not every call of a code-receiving number.
const MaxLinks = 64

// OutletLink prefixes an outlet's key among a finding's links: outlets are
// not findings (they are not cut) but the analyst sees where a gang's
// cards were opened.
const OutletLink = "outlet"

// PhoneLink prefixes a phone (an IMEI) that is no finding but from which
// two or more of a gang's accounts were registered: the tie that made
// them one gang (a studio's phone), drawn so that the graph shows it.
const PhoneLink = "phone"

// links are the ties of one black entity to other black entities, as the
// keys (category|entity) the gang grouping uses, and to the outlet that
// opened a card ("outlet|name"). Each tie is kept on the side with few of
// them, so a modem's hundreds of cards or a code number's hundreds of
// accounts never bound what is drawn: a card names the black devices it
// sat in and its outlet; an account names the black card that verified
// it, the black fingerprint and device it was registered from and the
// black address it came through. Devices, fingerprints and addresses name
// none. Sorted, at most MaxLinks. They are for the gang graph only and
// are not part of the contract's finding.
func (d *det) links(g gangNodes, node int, outlet []uint32, phones []bool) []string {
	e := d.e
	var out []string
	add := func(k string) {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	switch {
	case node < g.offI:
		for _, i := range d.cardIMEIs[node] {
			if d.bIMEI[i] {
				add(BlackDevice + "|" + e.imeis.names[i])
			}
		}
		if o := outlet[node]; o != none {
			add(OutletLink + "|" + e.outlets.names[o])
		}
	case node < g.offA:
		// a channel of a gateway (a static cell+TAC cluster, or the
		// gateway-like channels of one cell) names the cluster's first
		// other black channel: the tie that made them one gang
		i := node - g.offI
		for _, c := range []struct {
			index   []int32
			members [][]uint32
		}{{d.imeiCluster, d.clusters}, {d.imeiGateway, d.gateways}} {
			if i >= len(c.index) || c.index[i] < 0 {
				continue
			}
			for _, j := range c.members[c.index[i]] {
				if int(j) != i && d.bIMEI[j] {
					add(BlackDevice + "|" + e.imeis.names[j])
					break
				}
			}
		}
	case node >= g.offA && node < g.offD:
		for _, ri := range d.acctRegs[node-g.offA] {
			r := e.regs[ri]
			if c := d.regCard(r); c != none && int(c) < d.nCards && d.bCard[c] {
				add(BlackCard + "|" + e.nums.names[d.real(int(c))])
			}
			if r.dev != none && d.bDev[r.dev] {
				add(BlackSoftware + "|" + e.devices.names[r.dev])
			}
			if r.imei != none && d.bIMEI[r.imei] {
				add(BlackDevice + "|" + e.imeis.names[r.imei])
			} else if r.imei != none && phones[r.imei] {
				add(PhoneLink + "|" + e.imeis.names[r.imei])
			}
			if r.ip != none && d.bIP[r.ip] {
				add(BlackLine + "|" + e.ips.names[r.ip])
			}
		}
	}
	slices.Sort(out)
	if len(out) > MaxLinks {
		out = out[:MaxLinks]
	}
	return out
}

// cardOutlets maps each card node to the outlet of its first activation
// (none when the feed has no activation of it).
func (d *det) cardOutlets() []uint32 {
	out := make([]uint32, d.nCards)
	first := make([]int64, d.nCards)
	for i := range out {
		out[i] = none
	}
	for _, a := range d.e.acts {
		if a.action != ActionActivate {
			continue
		}
		n := d.actNode(a)
		if out[n] == none || a.ts < first[n] {
			out[n], first[n] = a.outlet, a.ts
		}
	}
	return out
}

// sharedPhones marks the IMEIs that are no finding but from which two or
// more black accounts were registered.
func (d *det) sharedPhones() []bool {
	e := d.e
	n := make([]uint8, e.imeis.len())
	for a, black := range d.bAcct {
		if !black {
			continue
		}
		seen := none
		for _, ri := range d.acctRegs[a] {
			if im := e.regs[ri].imei; im != none && im != seen && !d.bIMEI[im] && n[im] < 2 {
				n[im]++
				seen = im
			}
		}
	}
	out := make([]bool, len(n))
	for i, k := range n {
		out[i] = k >= 2
	}
	return out
}
