package fourcuts

import (
	"math/bits"
	"slices"
)

// Kinds of evidence. Signals of one kind read the same facts (a number's
// calls, how a card was opened, a device's identifiers), so several of
// them are one piece of evidence told several ways, not several pieces.
const (
	kindCodes     = iota // verification codes a number receives
	kindSlots            // cards and IMSIs moving through devices
	kindRegs             // accounts registered per number or device
	kindCalls            // a number's or IMEI's voice records: peers, durations, cells
	kindOutlet           // the outlet that opened a card
	kindHolder           // the holder who opened a card
	kindIdentity         // what a device says it is: IMEI, model, OS, fingerprints, flags
	kindPlace            // the address: intelligence, prefix
	kindTiming           // registrations in lockstep
	kindLife             // numbers with no life at all behind one address or device
	kindGraph            // links to entities already black (the labelling rule)
	kindStructure        // the joint structure of numbers × phones (structure.go)
)

// signal describes a documented signal.
type signal struct {
	kind int
	// corroborating: behaviour legitimate look-alikes share (sales
	// offices, couriers, gamers, company onboarding); never the primary
	// evidence of a finding.
	corroborating bool
}

// signals lists every documented signal (docs/fourcuts.md).
var signals = map[string]signal{
	// cards
	"otp_platforms": {kindCodes, false}, "sms_only": {kindLife, true},
	"slot_moves": {kindSlots, false}, "devices_per_card": {kindCodes, false},
	"same_platform_accounts": {kindRegs, true},
	"one_way_fanout":         {kindCalls, true}, "no_incoming_life": {kindCalls, true},
	"outlet_burst": {kindOutlet, false}, "odd_far_outlet": {kindOutlet, false},
	"holder_cards": {kindHolder, false}, "holder_carriers": {kindHolder, false},
	"holder_over_legal": {kindHolder, false}, "holder_stock_black_use": {kindGraph, false},
	"in_black_device": {kindGraph, false}, "verified_black_accounts": {kindGraph, false},
	// devices
	"imsi_per_imei": {kindSlots, false}, "imsi_per_imei_personal": {kindSlots, true},
	"invalid_imei": {kindIdentity, false}, "short_calls": {kindCalls, true},
	"static_cell": {kindCalls, true}, "static_tac_cluster": {kindCalls, true},
	"cards_without_life": {kindCalls, true}, "gateway_cluster": {kindCalls, false},
	"gateway_cell": {kindCalls, false}, "black_cards_inside": {kindGraph, false},
	"black_gateway_siblings": {kindGraph, false}, "pool_cell_modem": {kindGraph, false},
	"cards_swapped_at_cell": {kindSlots, true},
	// accounts and fingerprints
	"verified_by_black_card": {kindGraph, false}, "black_software_fingerprint": {kindGraph, false},
	"fingerprint_churn": {kindIdentity, false}, "impossible_model_os": {kindIdentity, false},
	"single_use_cluster": {kindPlace, false}, "black_line_used": {kindGraph, false},
	"risk_flags": {kindIdentity, true}, "line_intel": {kindPlace, true},
	"single_use_fingerprint": {kindIdentity, true}, "lockstep_burst": {kindTiming, true},
	"verified_by_suspect_card": {kindGraph, true}, "lifeless_number_on_lifeless_line": {kindLife, false},
	"numbers_per_device": {kindRegs, false}, "lifeless_numbers": {kindLife, false},
	// lines
	"black_accounts_share": {kindGraph, false}, "black_accounts_on_rented_line": {kindGraph, false},
	"line_intel_dialup": {kindPlace, true}, "line_intel_proxy": {kindPlace, true},
	"line_intel_idc": {kindPlace, true},
	// joint structure
	"dense_structure": {kindStructure, false}, "stranger_phone_chain": {kindStructure, false},
}

// Signals lists the documented signals, sorted.
func Signals() []string {
	out := make([]string, 0, len(signals))
	for s := range signals {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// emit appends a piece of evidence to out unless the signal is off. limits
// are alternating Config field names and values.
func (d *det) emit(out []Evidence, name string, value, threshold float64, window string, w float64, limits ...any) []Evidence {
	if d.off[name] {
		return out
	}
	ev := Evidence{Signal: name, Value: value, Threshold: threshold, Window: window, Detector: Version, Weight: w, kind: signals[name].kind}
	for i := 0; i+1 < len(limits); i += 2 {
		var v float64
		switch x := limits[i+1].(type) {
		case int:
			v = float64(x)
		case int32:
			v = float64(x)
		case int64:
			v = float64(x)
		case float64:
			v = x
		}
		ev.Limits = append(ev.Limits, Limit{limits[i].(string), v})
	}
	return append(out, ev)
}

func hasSignal(ev []Evidence, name string) bool {
	for _, x := range ev {
		if x.Signal == name {
			return true
		}
	}
	return false
}

// score combines evidence as 1−Π(1−w). No single field convicts: the score
// reaches the black threshold only with a signal whose weight does on its
// own (one that no legitimate look-alike shows, documented as such), or
// with a primary signal and evidence of at least two kinds. Otherwise it
// is capped at CorroboratedCap, which keeps it a lead.
func (d *det) score(evs []Evidence) float64 {
	p := 1.0
	primary, alone := false, false
	var kinds uint32
	for _, e := range evs {
		p *= 1 - e.Weight
		s := signals[e.Signal]
		if !s.corroborating {
			primary = true
			if e.Weight >= d.cfg.BlackScore {
				alone = true
			}
		}
		kinds |= 1 << e.kind
	}
	sc := 1 - p
	if !alone && (!primary || bits.OnesCount32(kinds) < 2) && sc > d.cfg.CorroboratedCap {
		sc = d.cfg.CorroboratedCap
	}
	return sc
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
	for round := 0; round < d.cfg.MaxRounds; round++ {
		d.rounds = round + 1
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
		d.countCellBlack()
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
			upd(d.bCard, nCard, c, d.score(buf), d.allowCard(c) == "")
		}
		for i := range d.bIMEI {
			buf = d.imeiEvidence(i, buf[:0])
			upd(d.bIMEI, nIMEI, i, d.score(buf), e.imeiSt[i].cards > 0 && d.cfg.Allow.reason("imei", e.imeis.names[i]) == "")
		}
		for a := range d.bAcct {
			buf = d.acctEvidence(a, buf[:0])
			upd(d.bAcct, nAcct, a, d.score(buf), d.cfg.Allow.reason("account", e.accounts.names[a]) == "")
		}
		for x := range d.bDev {
			buf = d.devEvidence(x, buf[:0])
			upd(d.bDev, nDev, x, d.score(buf), d.cfg.Allow.reason("device", e.devices.names[x]) == "")
		}
		for x := range d.bIP {
			buf = d.ipEvidence(x, buf[:0])
			upd(d.bIP, nIP, x, d.score(buf), d.cfg.Allow.reason("ip", e.ips.names[x]) == "")
		}
		d.bCard, d.bIMEI, d.bAcct, d.bDev, d.bIP = nCard, nIMEI, nAcct, nDev, nIP
		if !changed {
			d.converged = true
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
