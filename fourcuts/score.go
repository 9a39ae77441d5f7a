package fourcuts

// sig builds a piece of evidence.
func sig(name string, value, threshold float64, window string, w float64) Evidence {
	return Evidence{Signal: name, Value: value, Threshold: threshold, Window: window, Detector: Version, Weight: w}
}

func hasSignal(ev []Evidence, name string) bool {
	for _, x := range ev {
		if x.Signal == name {
			return true
		}
	}
	return false
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
