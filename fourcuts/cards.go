package fourcuts

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// cardSignals computes each number's own evidence: code reception, voice
// behaviour, slots, and how it was opened.
func (d *det) cardSignals() {
	e, cfg := d.e, d.cfg
	// How many apps send codes to a person's number depends on the city
	// (logins send codes too). The threshold adapts: above the
	// AdaptQuantile of numbers that show a human life, and never below the
	// configured floor.
	otpThr, otpStrong := cfg.OTPPlatforms, cfg.OTPPlatformsStrong
	{
		var hist []int32
		for c := range e.cards {
			if e.cards[c].otpPlat > 0 && d.human(uint32(c)) {
				hist = append(hist, e.cards[c].otpPlat)
			}
		}
		if len(hist) >= cfg.AdaptSample {
			slices.Sort(hist)
			q := int(hist[d.quantile(len(hist))])
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
		if len(hist) >= cfg.AdaptSample {
			slices.Sort(hist)
			q := hist[d.quantile(len(hist))]
			devThr = max(devThr, q+1)
			devStrong = max(devStrong, 2*devThr)
		}
	}
	for c := 0; c < d.nCards; c++ {
		ca := d.agg(c)
		var ev []Evidence
		if n := int(ca.otpPlat); n >= otpThr {
			// A number with a human life (people it calls who call back, a
			// bank's notices, people ringing it) belongs to a person: codes
			// from many apps are then only a hint, unless they are very many.
			social := d.humanNode(c)
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
			ev = d.emit(ev, "otp_platforms", float64(n), float64(otpThr), d.win, w,
				"OTPPlatformsStrong", otpStrong, "HumanCallbacks", cfg.HumanCallbacks, "HumanCallers", cfg.HumanCallers)
		}
		if int(ca.otpPlat) >= cfg.SMSOnlyPlatforms && ca.moPeers+ca.mtPeers == 0 {
			ev = d.emit(ev, "sms_only", float64(ca.otpPlat), float64(cfg.SMSOnlyPlatforms), d.win, 0.4)
		}
		if n := int(ca.imeis); n >= cfg.SlotMoves {
			// A person's number moves through the household's phones (a
			// new phone, the old one, a family phone): on a number that
			// lives a person's life it weighs LivedOpening as much.
			w := 0.6
			if d.humanNode(c) {
				w *= cfg.LivedOpening
			}
			ev = d.emit(ev, "slot_moves", float64(n), float64(cfg.SlotMoves), d.win, w, "LivedOpening", cfg.LivedOpening)
		}
		// Accounts verified with this number from distinct devices: a person
		// registers every app from the one phone they own.
		if n := d.devicesBehind(d.cardAccts[c]); n >= devThr {
			w := 0.6
			if n >= devStrong {
				w = 0.9
			}
			ev = d.emit(ev, "devices_per_card", float64(n), float64(devThr), d.win, w, "AccountsStrong", devStrong)
		}
		if maxSame := d.maxSamePlatform(d.cardAccts[c]); maxSame >= cfg.CardSamePlatform {
			ev = d.emit(ev, "same_platform_accounts", float64(maxSame), float64(cfg.CardSamePlatform), d.win, 0.3)
			if len(ev) > 0 && ev[len(ev)-1].Signal == "same_platform_accounts" {
				// On a number it is one more fact about what the number
				// verified, like devices_per_card: the same kind.
				ev[len(ev)-1].kind = kindCodes
			}
		}
		if int(ca.moPeers) >= cfg.FanoutPeers {
			days := spanDays(ca.cdrFirst, ca.cdrLast)
			perDay := float64(ca.moPeers) / days
			cb := float64(ca.callback) / float64(max(ca.moPeers, 1))
			if perDay >= cfg.FanoutPerDay && cb < cfg.CallbackMax && float64(ca.moShortPeers) >= cfg.FanoutShortShare*float64(ca.moPeers) {
				ev = d.emit(ev, "one_way_fanout", perDay, cfg.FanoutPerDay, "24h", 0.4,
					"FanoutPeers", cfg.FanoutPeers, "CallbackMax", cfg.CallbackMax, "FanoutShortShare", cfg.FanoutShortShare)
			}
			if int(ca.mtPeers-ca.callback) <= cfg.QuietCallers {
				ev = d.emit(ev, "no_incoming_life", float64(ca.mtPeers-ca.callback), float64(cfg.QuietCallers), d.win, 0.3,
					"FanoutPeers", cfg.FanoutPeers)
			}
		}
		d.ownCard[c] = ev
	}
	d.activationSignals()
	d.ownCardScore = make([]float64, d.nCards)
	for c := range d.ownCard {
		d.ownCardScore[c] = d.score(d.ownCard[c])
	}
}

// quantile is the index of the AdaptQuantile in a sorted sample of n.
func (d *det) quantile(n int) int {
	return min(n-1, int(float64(n)*d.cfg.AdaptQuantile))
}

// openingWeight is the weight of evidence about how card c was opened. A
// card that now lives a person's life (humanNode) was opened for a person,
// however it was opened — a factory's migrants at an evening outlet, a
// family's cards opened together — so its opening counts LivedOpening as
// much: alone a lead, black only with evidence of its use.
func (d *det) openingWeight(c uint32, w float64) float64 {
	if d.humanNode(int(c)) {
		return w * d.cfg.LivedOpening
	}
	return w
}

// humanNode is human for one life of a number.
func (d *det) humanNode(c int) bool {
	ca := d.agg(c)
	return int(ca.callback) >= d.cfg.HumanCallbacks || ca.notice >= 1 || int(ca.mtPeers-ca.callback) >= d.cfg.HumanCallers
}

// human reports signs that a number belongs to a person: someone it called
// called back, it gets service notices (a bank's, not marketing, which goes
// to every number), or several people it never called ring it.
func (d *det) human(c uint32) bool {
	ca := &d.e.cards[c]
	return int(ca.callback) >= d.cfg.HumanCallbacks || ca.notice >= 1 || int(ca.mtPeers-ca.callback) >= d.cfg.HumanCallers
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
	bwin := fmt.Sprintf("%dm", cfg.BurstMinutes)
	for _, list := range byOutlet {
		slices.SortFunc(list, func(a, b actRec) int { return cmp.Compare(a.ts, b.ts) })
		// odd-hour activations for far-away holders, out of those whose
		// holder has a province at all (a pseudonym has none)
		oddFar, withProvince := 0, 0
		for _, a := range list {
			if IsResidentID(e.holders.names[a.holder]) {
				withProvince++
			}
			if d.oddHour(a.ts) && far(a) {
				oddFar++
			}
		}
		// The best burst containing each activation, and whether it is a
		// bulk opening: at odd hours *and* for strangers — holders from
		// another province, or, where holders are pseudonyms and have no
		// province, many distinct holders. A company opening its fleet at
		// night (one local holder) or migrants opening cards in the evening
		// (far, not odd) is one of the two, not both.
		burstOf := make([]int, len(list))
		bulkOf := make([]bool, len(list))
		j := 0
		for i := range list {
			for j < len(list) && list[j].ts < list[i].ts+window {
				j++
			}
			n := j - i
			if n < cfg.BurstSize {
				continue
			}
			odd, fr, known := 0, 0, 0
			var hs []uint32
			for k := i; k < j; k++ {
				if d.oddHour(list[k].ts) {
					odd++
				}
				if IsResidentID(e.holders.names[list[k].holder]) {
					known++
				}
				if far(list[k]) {
					fr++
				}
				hs = appendUniq(hs, list[k].holder)
			}
			strangers := float64(fr) >= cfg.BurstShare*float64(known)
			if float64(known) < cfg.BurstShare*float64(n) {
				strangers = float64(len(hs)) >= cfg.BurstShare*float64(n)
			}
			bulk := float64(odd) >= cfg.BurstShare*float64(n) && strangers
			for k := i; k < j; k++ {
				if n > burstOf[k] || n == burstOf[k] && bulk {
					burstOf[k], bulkOf[k] = n, bulk
				}
			}
		}
		outletOdd := oddFar >= cfg.OddFarOutlet && float64(oddFar) >= cfg.OddFarShare*float64(withProvince)
		// An outlet that does almost nothing else (OddFarStrongShare of its
		// activations at night for strangers) is a bulk opener spreading
		// its batch over nights; no shop that serves its neighbourhood by
		// day looks so.
		oddW := 0.6
		if float64(oddFar) >= cfg.OddFarStrongShare*float64(withProvince) {
			oddW = 0.8
		}
		for k, a := range list {
			ev := d.ownCard[d.actNode(a)]
			switch {
			case bulkOf[k]:
				ev = d.emit(ev, "outlet_burst", float64(burstOf[k]), float64(cfg.BurstSize), bwin, d.openingWeight(d.actNode(a), 0.9),
					"BurstShare", cfg.BurstShare, "LivedOpening", cfg.LivedOpening)
			case outletOdd && d.oddHour(a.ts) && far(a):
				// An outlet that keeps opening cards at night for strangers,
				// and this card is one of them: alone a lead (a 24-hour shop
				// at a station serves migrants at night too) unless the
				// outlet does little else.
				ev = d.emit(ev, "odd_far_outlet", float64(oddFar), float64(cfg.OddFarOutlet), d.win, d.openingWeight(d.actNode(a), oddW),
					"OddFarShare", cfg.OddFarShare, "OddFarStrongShare", cfg.OddFarStrongShare, "LivedOpening", cfg.LivedOpening)
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
			// Carriers count when they hold HolderCarrierShare of the
			// window's cards: a ring spreads its cards over carriers to stay
			// under each one's limit, while an enterprise batch on one
			// carrier with a few strays on others does not spread.
			carriers := map[uint32]int{}
			known, fr := 0, 0
			for k := i; k < j; k++ {
				if c := list[k].carrier; c != none {
					carriers[c]++
					if carriers[c] == max(1, int(math.Ceil(cfg.HolderCarrierShare*float64(n)))) {
						known++
					}
				}
				if far(list[k]) {
					fr++
				}
			}
			w, s := 0.0, ""
			// Odd hours alone do not mark a holder's cards: a company
			// opens its fleet or IoT batch in one night at one outlet.
			marked := known >= cfg.HolderCardsCarriers || float64(fr) >= cfg.BurstShare*float64(n)
			if n >= cfg.HolderCards {
				// Many cards on one carrier, opened in business hours
				// for a local holder, is how an enterprise (IoT trackers,
				// staff phones) buys cards: not evidence on its own. It
				// becomes evidence with a second carrier, odd hours, a
				// far-away holder — or once any of those cards is put to
				// black use (holder_stock_black_use, in cardEvidence).
				if marked {
					w, s = 0.9, "holder_cards"
				} else {
					for k := i; k < j; k++ {
						plain[k] = true
					}
				}
			} else if n >= cfg.HolderCards-2 && marked {
				// No cliff at HolderCards: a ring one or two cards short
				// is a lead, black with evidence of another kind.
				w, s = 0.5, "holder_cards"
			}
			if w < 0.85 && n >= cfg.HolderCarrierCards && known >= cfg.HolderCarriers {
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
				d.ownCard[d.actNode(a)] = d.emit(d.ownCard[d.actNode(a)], name[k], val[k], th, fmt.Sprintf("%dd", cfg.HolderDays), d.openingWeight(d.actNode(a), mark[k]),
					"LivedOpening", cfg.LivedOpening, "HolderCarriers", cfg.HolderCarriers, "HolderCardsCarriers", cfg.HolderCardsCarriers, "HolderCarrierShare", cfg.HolderCarrierShare, "BurstShare", cfg.BurstShare)
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
				d.ownCard[d.actNode(a)] = d.emit(d.ownCard[d.actNode(a)], "holder_over_legal", float64(n), float64(cfg.PerCarrierLegal), "", d.openingWeight(d.actNode(a), 0.7),
					"LivedOpening", cfg.LivedOpening)
			}
		}
	}
}

// Scores: own evidence plus evidence from black neighbours, appended to
// out (which is returned).

func (d *det) cardEvidence(c int, out []Evidence) []Evidence {
	out = append(out, d.ownCard[c]...)
	pool := 0
	for _, i := range d.cardIMEIs[c] {
		if d.bIMEI[i] {
			pool++
		}
	}
	if pool > 0 {
		out = d.emit(out, "in_black_device", float64(pool), 1, d.win, 0.9, "MaxRounds", d.cfg.MaxRounds)
	}
	out = d.cardAcctEvidence(c, out)
	if g := d.holderStockOf[c]; g >= 0 && g < int32(len(d.holderStockBlack)) && d.holderStockBlack[g] > 0 {
		// the holder's one-carrier bulk stock is in black use
		out = d.emit(out, "holder_stock_black_use", float64(d.holderStockBlack[g]), 1, fmt.Sprintf("%dd", d.cfg.HolderDays), 0.9,
			"HolderCards", d.cfg.HolderCards, "MaxRounds", d.cfg.MaxRounds)
	}
	return out
}

// cardAcctEvidence: whoever registered a black account held this number
// then.
func (d *det) cardAcctEvidence(c int, out []Evidence) []Evidence {
	accts := 0
	for _, a := range d.cardAccts[c] {
		if d.bAcct[a] {
			accts++
		}
	}
	if accts > 0 {
		w := 0.8
		if accts >= d.cfg.BlackNeighbours {
			w = 0.9
		}
		out = d.emit(out, "verified_black_accounts", float64(accts), 1, d.win, w, "MaxRounds", d.cfg.MaxRounds)
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
	return d.score(evs[:k]) >= d.cfg.BlackScore
}

// openedOnly: is the card black only by how it was opened, while it has a
// life of its own (a call either way or a service notice)? How a card was
// opened says who supplied it, not what it is used for: a factory's
// migrants opening cards together late in the evening at one outlet look
// like a bulk opening, and their cards then verify their own accounts and
// sit in their own phones. Such a card is still reported, but it does not
// make the accounts it verified or the phones it sits in black
// (Config.OpeningSpreads restores that). A card with no life at all — one
// that only ever receives codes — is bought stock and still spreads.
func (d *det) openedOnly(c uint32) bool {
	if d.cfg.OpeningSpreads || !d.bCard[c] || d.lifeless(uint32(d.real(int(c)))) {
		return false
	}
	evs := d.cardEvidence(int(c), d.openBuf[:0])
	k := 0
	for _, e := range evs {
		if !activationSignal[e.Signal] && e.Signal != "verified_black_accounts" {
			evs[k] = e
			k++
		}
	}
	d.openBuf = evs
	return d.score(evs[:k]) < d.cfg.BlackScore
}

// cardSelfBlack: is the card black without counting the devices it sat in?
// Devices count only such cards, so a device and its cards cannot prove
// each other.
func (d *det) cardSelfBlack(c int) bool {
	if !d.bCard[c] || d.rentedOnly(uint32(c)) || d.openedOnly(uint32(c)) { // a rented number's handset is its resident's
		return false
	}
	d.selfBuf = d.cardAcctEvidence(c, append(d.selfBuf[:0], d.ownCard[c]...))
	return d.score(d.selfBuf) >= d.cfg.BlackScore
}
