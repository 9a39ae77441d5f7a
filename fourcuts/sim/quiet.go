package sim

// quietOps runs the ordinary-looking registration operations
// (Params.QuietOps). Each keeps every entity within what ordinary people
// show:
//   - cards: most rented from residents (卡农) who go on using them as
//     before, the rest bought one by one, opened years ago in business
//     hours at ordinary outlets; each verifies one to four accounts, as a
//     person setting up apps does;
//   - phones: a handful of real handsets of popular models with valid
//     IMEIs (iPhones among them, which give no IMEI), no risk flags;
//   - fingerprints: one per phone, or a fresh one per phone per day (the
//     phone reset between sessions);
//   - addresses: a few broadband lines of its own, residential addresses
//     that rotate, carrier NAT; none named by intelligence;
//   - times: single registrations at ordinary hours spread over the
//     period, never a burst.
//
// What it cannot hide is its joint structure: the same few phones × many
// cards × many platforms, each card on several of the phones, far denser
// than chance. Truth: its cards, accounts, fingerprints and the lines of
// its own (its NAT registrations are not labelled); it has no modem, so
// no black device.
func (w *world) quietOps() {
	g, p := w.g, w.p
	for k := 0; k < p.ops(p.QuietOps); k++ {
		gang := w.newGang()
		nPh := 3 + g.r.IntN(8)
		var phones []*phone
		for i := 0; i < nPh; i++ {
			phones = append(phones, w.newPhone())
		}
		resetFP := g.chance(0.5)
		fps := map[[2]int]string{}
		fpOf := func(pi, d int) string {
			key := [2]int{pi, 0}
			if resetFP {
				key[1] = d
			}
			if fps[key] == "" {
				fps[key] = g.fp()
			}
			return fps[key]
		}
		nCards := nPh * (3 + g.r.IntN(6))
		rented := 0.3 + g.r.Float64()*0.7
		var cards []*card
		used := map[*card]bool{}
		for len(cards) < nCards {
			if g.chance(rented) {
				pe := w.persons[g.r.IntN(len(w.persons))]
				c := pe.cards[0]
				if pe.kind != kindNormal || used[c] {
					continue
				}
				used[c] = true
				cards = append(cards, c)
				continue
			}
			region := g.pick(homeRegions)
			c := w.newCard(g.pick(carriers), g.holder(region, p.HolderPseudonyms))
			w.stockActivation(c)
			cards = append(cards, c)
		}
		var plats []string
		for _, i := range g.r.Perm(len(platforms))[:6+g.r.IntN(10)] {
			plats = append(plats, platforms[i])
		}
		var own []string
		for i := 0; i < 2+g.r.IntN(3); i++ {
			own = append(own, g.ipv4(60, 208+g.r.IntN(4)))
		}
		for _, c := range cards {
			w.label("black_card", "msisdn", c.msisdn, gang)
			n := 1 + g.r.IntN(4)
			for _, i := range g.r.Perm(len(plats))[:min(n, len(plats))] {
				pl := plats[i]
				pi := g.r.IntN(len(phones))
				ph := phones[pi]
				d := g.r.IntN(p.Days)
				ts := w.at(d, 8+g.r.Float64()*15)
				o := regOpt{model: ph.m.name, os: ph.m.os}
				if !ph.m.apple {
					o.imei = ph.imei
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
				fp := fpOf(pi, d)
				acct := g.account(pl)
				w.reg(ts, pl, acct, c, fp, o)
				w.label("black_account", "account", pl+":"+acct, gang)
				w.label("black_software", "device", fp, gang)
				if lined {
					w.label("black_line", "ip", o.ip, gang)
				}
			}
		}
	}
}
