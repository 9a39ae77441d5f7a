package sim

import (
	"cmp"
	"math"
)

// quietOps runs the ordinary-looking registration operations
// (Params.QuietOps). Each keeps every entity within what the city's
// ordinary people (stressors included) show:
//   - cards: rented from residents (卡农) who go on calling and texting as
//     before; each verifies one to four accounts, as a person setting up
//     apps does;
//   - phones: real handsets of popular models with valid IMEIs, mostly
//     iPhones (which give apps no IMEI), no risk flags;
//   - fingerprints: a fingerprint serves two to four numbers (a family
//     phone does as much) and a platform at most twice; then the app data
//     is reset and the phone shows a new one — at most twice on a phone
//     that reports its IMEI, as an app reinstalled once would;
//   - addresses: broadband lines of its own, each carrying a handful of
//     registrations as a household's does; residential addresses that
//     rotate; carrier NAT; none named by intelligence;
//   - times: single registrations at ordinary hours spread over the
//     period, never a burst.
//
// What it cannot hide is its joint structure: the same few phones, lines
// and platforms × many cards, far denser than chance. Truth: its cards,
// accounts, fingerprints and own and rotating lines (its NAT registrations
// are not labelled); it has no modem, so no black device. Sizes come from
// long-tailed draws, so that no detector can sit just under a minimum of
// the simulator's.
func (w *world) quietOps() {
	g, p := w.g, w.p
	used := map[*card]bool{} // a resident rents a card to one operation
	for k := 0; k < p.ops(p.QuietOps); k++ {
		gang := w.newGang("quiet_op")
		nPh := min(24, 2+int(g.r.ExpFloat64()*5))
		type qphone struct {
			ph       *phone
			fp       string
			numbers  map[string]bool
			plats    map[string]int
			cap, fps int
		}
		var phones []*qphone
		for i := 0; i < nPh; i++ {
			ph := w.newPhone()
			if g.chance(cmp.Or(p.QuietIPhones, 0.6)) {
				for !ph.m.apple {
					ph = w.newPhone()
				}
			}
			phones = append(phones, &qphone{ph: ph})
		}
		// reset gives a phone a fresh fingerprint, or reports false when an
		// IMEI-reporting phone has shown all it plausibly can
		reset := func(q *qphone) bool {
			if !q.ph.m.apple && q.fps >= 2 {
				return false
			}
			q.fp, q.fps = g.fp(), q.fps+1
			q.numbers, q.plats = map[string]bool{}, map[string]int{}
			q.cap = 2 + g.r.IntN(3)
			return true
		}
		for _, q := range phones {
			reset(q)
		}
		nCards := max(4, int(float64(nPh)*(1.5+g.r.ExpFloat64()*4)))
		var cards []*card
		for tries := 0; len(cards) < nCards && tries < 50*nCards; tries++ {
			pe := w.persons[g.r.IntN(len(w.persons))]
			c := pe.cards[0]
			if pe.kind != kindNormal || used[c] || pe.homeCard != nil {
				continue
			}
			used[c] = true
			cards = append(cards, c)
		}
		var plats []string
		for _, i := range g.r.Perm(len(platforms))[:min(len(platforms), 4+int(g.r.ExpFloat64()*6))] {
			plats = append(plats, platforms[i])
		}
		var own []string
		for i := 0; i < max(2, int(math.Ceil(float64(nCards)*1.8*0.4/6))); i++ {
			own = append(own, g.ipv4(60, 208+g.r.IntN(4)))
		}
		for _, c := range cards {
			n := min(4, 2+int(g.r.ExpFloat64()*0.9))
			for _, i := range g.r.Perm(len(plats))[:min(n, len(plats))] {
				pl := plats[i]
				// a phone whose fingerprint can take this number and platform
				var q *qphone
				for _, j := range g.r.Perm(len(phones)) {
					c2 := phones[j]
					if (len(c2.numbers) < c2.cap || c2.numbers[c.msisdn]) && c2.plats[pl] < 2 {
						q = c2
						break
					}
					if reset(c2) {
						q = c2
						break
					}
				}
				if q == nil {
					break // every phone has shown all it plausibly can
				}
				q.numbers[c.msisdn] = true
				q.plats[pl]++
				d := g.r.IntN(p.Days)
				ts := w.at(d, 8+g.r.Float64()*15)
				o := regOpt{model: q.ph.m.name, os: q.ph.m.os}
				if !q.ph.m.apple {
					o.imei = q.ph.imei
				}
				lined := true
				switch r := g.r.Float64(); {
				case r < 0.4:
					o.ip = own[g.r.IntN(len(own))]
				case r < 0.7:
					o.ip = g.pick(w.natIPs)
					lined = false
				default:
					o.ip = g.ipv4(60, 212+g.r.IntN(4)) // a residential address of the rotation
				}
				acct := g.account(pl)
				w.reg(ts, pl, acct, c, q.fp, o)
				w.label("black_card", "msisdn", c.msisdn, gang)
				w.label("black_account", "account", pl+":"+acct, gang)
				w.label("black_software", "device", q.fp, gang)
				if lined {
					w.label("black_line", "ip", o.ip, gang)
				}
			}
		}
	}
}
