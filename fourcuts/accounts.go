package fourcuts

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// impossible reports a model–OS combination no real device has: an Apple
// model on Android or HarmonyOS, another maker's model on iOS, or an IMEI
// reported from iOS (which gives apps none). A model string the engine
// does not know (an Apple model number such as "A2890", an iPod, a
// marketing name) is not impossible.
func impossible(model, os string, hasIMEI bool) bool {
	m, o := strings.ToLower(model), strings.ToLower(os)
	ios := strings.HasPrefix(o, "ios") || strings.HasPrefix(o, "ipados") || strings.Contains(o, "iphone os")
	android := strings.Contains(o, "android") || strings.Contains(o, "harmony")
	apple := strings.Contains(m, "iphone") || strings.Contains(m, "ipad") || strings.Contains(m, "ipod") || strings.HasPrefix(m, "apple")
	if ios && hasIMEI {
		return true
	}
	if apple && android {
		return true
	}
	if ios && !apple {
		for _, b := range otherMakers {
			if strings.Contains(m, b) {
				return true
			}
		}
	}
	return false
}

// otherMakers are model-string marks of makers whose phones never run iOS.
var otherMakers = []string{"samsung", "sm-", "galaxy", "huawei", "honor", "xiaomi", "redmi", "oppo", "vivo",
	"oneplus", "realme", "meizu", "pixel", "nokia", "motorola", "lenovo", "zte", "nubia", "sony", "xperia"}

// risky are the client's own risk flags.
const risky = FlagEmulator | FlagRoot | FlagHook | FlagMultiOpen

// regView is what the account, fingerprint and line signals share, derived
// once from the registrations.
type regView struct {
	imeiFPs    map[uint32][]uint32 // fingerprints behind each registration IMEI
	imeiSocial map[uint32]bool     // IMEIs whose numbers mostly have a human life
	devRegs    []int32             // registrations per fingerprint
	prefix     []string            // per address: its /24 or /48
	pfxSingle  map[string]int      // single-use risky fingerprints per prefix
	pfxRegs    map[string]int      // registrations per prefix
	lockOf     []int32             // per registration: the most on its prefix and platform in one sliding window containing it
}

type lockKey struct {
	pfx  string
	plat uint32
}

// regSignals computes the own evidence of accounts, fingerprints and
// addresses from the registrations.
func (d *det) regSignals() {
	v := d.newRegView()
	d.acctSignals(v)
	d.devSignals(v)
	lifelessIP := d.lineSignals()
	d.lifelessLineAccounts(lifelessIP)
}

func (d *det) newRegView() *regView {
	e, cfg := d.e, d.cfg
	regs := e.regs
	v := &regView{imeiFPs: map[uint32][]uint32{}, imeiSocial: map[uint32]bool{}}
	for _, r := range regs {
		if r.imei != none && r.dev != none {
			v.imeiFPs[r.imei] = appendUniq(v.imeiFPs[r.imei], r.dev)
		}
	}
	// An IMEI whose registrations come from numbers with a human life is
	// not a studio phone but a default IMEI many people's emulators share:
	// its fingerprint churn is no proof.
	{
		type ic struct{ imei, card uint32 }
		seen := map[ic]bool{}
		social, total := map[uint32]int{}, map[uint32]int{}
		for _, r := range regs {
			if r.imei == none || len(v.imeiFPs[r.imei]) < cfg.FingerprintsPerIMEI || seen[ic{r.imei, r.card}] {
				continue
			}
			seen[ic{r.imei, r.card}] = true
			total[r.imei]++
			if d.human(r.card) {
				social[r.imei]++
			}
		}
		for im, n := range total {
			v.imeiSocial[im] = float64(social[im]) >= cfg.SocialIMEIShare*float64(n)
		}
	}
	v.devRegs = make([]int32, e.devices.len())
	for _, r := range regs {
		if r.dev != none {
			v.devRegs[r.dev]++
		}
	}
	v.prefix = make([]string, e.ips.len())
	for i := range v.prefix {
		v.prefix[i] = prefixOf(e.ips.names[i])
	}
	v.pfxSingle = map[string]int{}
	v.pfxRegs = map[string]int{}
	groups := map[lockKey][]int32{}
	for i, r := range regs {
		if r.ip == none {
			continue
		}
		p := v.prefix[r.ip]
		v.pfxRegs[p]++
		if r.dev != none && v.devRegs[r.dev] == 1 && r.flags&risky != 0 {
			v.pfxSingle[p]++
		}
		k := lockKey{p, r.plat}
		groups[k] = append(groups[k], int32(i))
	}
	v.lockOf = make([]int32, len(regs))
	window := int64(cfg.LockstepMinutes) * 60e3
	for _, g := range groups {
		slidingMax(g, regs, window, v.lockOf)
	}
	return v
}

// slidingMax sets best[r], for each registration r of group, to the
// largest number of the group's registrations in any window of the given
// length that contains r: a true sliding window, so a batch is counted
// whole wherever it falls on the clock.
func slidingMax(group []int32, regs []regRec, window int64, best []int32) {
	slices.SortFunc(group, func(a, b int32) int { return cmp.Compare(regs[a].ts, regs[b].ts) })
	n := len(group)
	cnt := make([]int32, n)
	end := make([]int, n)
	j := 0
	for i := range group {
		for j < n && regs[group[j]].ts < regs[group[i]].ts+window {
			j++
		}
		cnt[i], end[i] = int32(j-i), j
	}
	// The windows starting at i ≤ k that still reach k: their ends grow
	// with i, so they leave in order; a deque keeps their counts' maximum.
	dq := make([]int, 0, n)
	head := 0
	for k := range group {
		for len(dq) > head && cnt[dq[len(dq)-1]] <= cnt[k] {
			dq = dq[:len(dq)-1]
		}
		dq = append(dq, k)
		for end[dq[head]] <= k {
			head++
		}
		best[group[k]] = cnt[dq[head]]
	}
}

// churnOf is the fingerprint count behind the registration's IMEI when it
// shows fingerprint churn, else 0.
func (d *det) churnOf(v *regView, r regRec) int {
	if r.imei == none || v.imeiSocial[r.imei] {
		return 0
	}
	if n := len(v.imeiFPs[r.imei]); n >= d.cfg.FingerprintsPerIMEI {
		return n
	}
	return 0
}

// acctSignals computes each account's own evidence.
func (d *det) acctSignals(v *regView) {
	e, cfg := d.e, d.cfg
	regs := e.regs
	for a, rs := range d.acctRegs {
		var ev []Evidence
		var imp, rf, intel, single, lockstep, cluster bool
		var churnN, clusterN, lockN int
		for _, ri := range rs {
			r := regs[ri]
			if impossible(d.name(&e.models, r.model), d.name(&e.oses, r.os), r.imei != none) {
				imp = true
			}
			churnN = max(churnN, d.churnOf(v, r))
			if r.flags&risky != 0 {
				rf = true
			}
			if r.ip != none {
				k := e.ipSt[r.ip].kind
				if k == IPDialup || k == IPProxy || k == IPIDC {
					intel = true
				}
				p := v.prefix[r.ip]
				if n := v.pfxSingle[p]; n >= cfg.SingleUseCluster && float64(n) >= cfg.SingleUseShare*float64(v.pfxRegs[p]) {
					cluster, clusterN = true, max(clusterN, n)
				}
				if n := int(v.lockOf[ri]); n >= cfg.LockstepSize {
					lockstep, lockN = true, max(lockN, n)
				}
			}
			if r.dev != none && v.devRegs[r.dev] == 1 {
				single = true
			}
		}
		if imp {
			ev = d.emit(ev, "impossible_model_os", 1, 1, "", 0.6)
		}
		if churnN > 0 {
			ev = d.emit(ev, "fingerprint_churn", float64(churnN), float64(cfg.FingerprintsPerIMEI), d.win, 0.9)
		}
		if rf {
			ev = d.emit(ev, "risk_flags", 1, 1, "", 0.25)
		}
		if intel {
			ev = d.emit(ev, "line_intel", 1, 1, "", 0.3)
		}
		if single && rf {
			ev = d.emit(ev, "single_use_fingerprint", 1, 1, d.win, 0.15)
		}
		if cluster {
			ev = d.emit(ev, "single_use_cluster", float64(clusterN), float64(cfg.SingleUseCluster), d.win, 0.5, "SingleUseShare", cfg.SingleUseShare)
		}
		if lockstep {
			ev = d.emit(ev, "lockstep_burst", float64(lockN), float64(cfg.LockstepSize), fmt.Sprintf("%dm", cfg.LockstepMinutes), 0.3)
		}
		d.ownAcct[a] = ev
	}
}

// devSignals computes each fingerprint's own evidence (black software).
func (d *det) devSignals(v *regView) {
	e, cfg := d.e, d.cfg
	regs := e.regs
	for dv, accts := range d.devAccts {
		var ev []Evidence
		var imp, rf bool
		var churnN int
		for _, a := range accts {
			for _, ri := range d.acctRegs[a] {
				r := regs[ri]
				if r.dev != uint32(dv) {
					continue
				}
				if impossible(d.name(&e.models, r.model), d.name(&e.oses, r.os), r.imei != none) {
					imp = true
				}
				churnN = max(churnN, d.churnOf(v, r))
				if r.flags&risky != 0 {
					rf = true
				}
			}
		}
		if imp {
			ev = d.emit(ev, "impossible_model_os", 1, 1, "", 0.6)
		}
		if churnN > 0 {
			ev = d.emit(ev, "fingerprint_churn", float64(churnN), float64(cfg.FingerprintsPerIMEI), d.win, 0.9)
		}
		// One person's alt accounts share their own number; a multi-open
		// studio puts many numbers behind one fingerprint.
		if n := d.numbersBehind(accts, false); n >= cfg.AccountsPerDevice {
			ev = d.emit(ev, "numbers_per_device", float64(n), float64(cfg.AccountsPerDevice), d.win, 0.6)
		}
		if n := d.numbersBehind(accts, true); n >= cfg.SameAppAccounts {
			w := 0.3
			if n >= 2*cfg.SameAppAccounts {
				w = 0.7
			}
			ev = d.emit(ev, "same_platform_accounts", float64(n), float64(cfg.SameAppAccounts), d.win, w)
		}
		if rf {
			ev = d.emit(ev, "risk_flags", 1, 1, "", 0.2)
		}
		if n, ok := d.lifelessBehind(accts); ok {
			ev = d.emit(ev, "lifeless_numbers", float64(n), float64(cfg.LifelessNumbers), d.win, 0.8, "LifelessShare", cfg.LifelessShare)
		}
		d.ownDev[dv] = ev
	}
}

// lifelessLineAccounts: an account verified by a lifeless number through
// an address whose numbers are nearly all lifeless is one of that
// operation's.
func (d *det) lifelessLineAccounts(lifelessIP []bool) {
	regs := d.e.regs
	for a, rs := range d.acctRegs {
		for _, ri := range rs {
			r := regs[ri]
			if r.ip != none && lifelessIP[r.ip] && d.lifeless(d.regCard(r)) {
				d.ownAcct[a] = d.emit(d.ownAcct[a], "lifeless_number_on_lifeless_line", 1, 1, d.win, 0.8,
					"LifelessNumbers", d.cfg.LifelessNumbers, "LifelessShare", d.cfg.LifelessShare)
				break
			}
		}
	}
}

// lifeless reports a number with no life at all in the feed: no voice
// call either way and no service notice — a card that only ever receives
// verification codes. People's numbers call and are called; even a
// data-only or new card is one among many at a carrier NAT, a campus or a
// company address.
func (d *det) lifeless(c uint32) bool {
	ca := d.aggOf(c)
	return ca.moPeers+ca.mtPeers == 0 && ca.notice == 0 && ca.callback == 0
}

// lifelessBehind counts the distinct lifeless numbers that verified accts,
// and whether they are at least LifelessNumbers and LifelessShare of all
// the numbers behind them: the signature of an operation's card stock
// behind one address or one fingerprint, which a shared NAT (thousands of
// people), a family tablet or a gamer's alts (people's own numbers) do not
// show.
func (d *det) lifelessBehind(accts []uint32) (int, bool) {
	if len(accts) < d.cfg.LifelessNumbers {
		return 0, false
	}
	cards := make([]uint32, 0, len(accts))
	for _, a := range accts {
		cards = append(cards, uint32(d.real(int(d.regCard(d.e.regs[d.acctRegs[a][0]])))))
	}
	slices.Sort(cards)
	cards = slices.Compact(cards)
	n := 0
	for _, c := range cards {
		if d.lifeless(c) {
			n++
		}
	}
	return n, n >= d.cfg.LifelessNumbers && float64(n) >= d.cfg.LifelessShare*float64(len(cards))
}

// numbersBehind counts the distinct numbers that verified accts; with
// samePlatform, the most on any one platform.
func (d *det) numbersBehind(accts []uint32, samePlatform bool) int {
	if len(accts) < 2 {
		return len(accts)
	}
	keys := make([]uint64, 0, len(accts))
	for _, a := range accts {
		r := d.e.regs[d.acctRegs[a][0]]
		k := uint64(r.card)
		if samePlatform {
			k |= uint64(r.plat) << 32
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	if !samePlatform {
		return len(keys)
	}
	best, run := 1, 1
	for i := 1; i < len(keys); i++ {
		if keys[i]>>32 == keys[i-1]>>32 {
			run++
			best = max(best, run)
		} else {
			run = 1
		}
	}
	return best
}

func (d *det) acctEvidence(a int, out []Evidence) []Evidence {
	out = append(out, d.ownAcct[a]...)
	var card, dev, ip, suspect bool
	for _, ri := range d.acctRegs[a] {
		r := d.e.regs[ri]
		if c := d.regCard(r); d.bCard[c] && !d.rentedOnly(c) && !d.openedOnly(c) {
			card = true
		} else if d.ownCardScore[c] >= d.cfg.SuspectScore {
			suspect = true
		}
		if r.dev != none && d.bDev[r.dev] {
			dev = true
		}
		if r.ip != none && d.bIP[r.ip] {
			ip = true
		}
	}
	if card {
		out = d.emit(out, "verified_by_black_card", 1, 1, "", 0.9, "MaxRounds", d.cfg.MaxRounds)
	} else if suspect {
		out = d.emit(out, "verified_by_suspect_card", 1, d.cfg.SuspectScore, "", 0.4)
	}
	if dev {
		out = d.emit(out, "black_software_fingerprint", 1, 1, "", 0.9, "MaxRounds", d.cfg.MaxRounds)
	}
	if ip {
		out = d.emit(out, "black_line_used", 1, 1, "", 0.5, "MaxRounds", d.cfg.MaxRounds)
	}
	return out
}

func (d *det) shareBlack(accts []uint32) (int, float64) {
	n := 0
	for _, a := range accts {
		if d.bAcct[a] {
			n++
		}
	}
	if len(accts) == 0 {
		return 0, 0
	}
	return n, float64(n) / float64(len(accts))
}

func (d *det) devEvidence(x int, out []Evidence) []Evidence {
	out = append(out, d.ownDev[x]...)
	if n, s := d.shareBlack(d.devAccts[x]); n > 0 && s >= d.cfg.BlackShare {
		out = d.emit(out, "black_accounts_share", s, d.cfg.BlackShare, d.win, 0.9, "MaxRounds", d.cfg.MaxRounds)
	}
	return out
}
