package fourcuts

import (
	"strings"
)

// prefixOf is the /24 (IPv4) or /48 (IPv6) an address sits in.
func prefixOf(ip string) string {
	if strings.Contains(ip, ":") {
		parts := strings.SplitN(ip, ":", 4)
		if len(parts) >= 3 {
			return strings.Join(parts[:3], ":")
		}
		return ip
	}
	if k := strings.LastIndexByte(ip, '.'); k > 0 {
		return ip[:k]
	}
	return ip
}

// ipEvidence: an address is black when most of its accounts are, or when
// it is a rotating dial-up address an operation registered through. A
// shared exit — a commercial VPN or proxy exit (proxy or IDC by
// intelligence) or any address the ip event says SharedUsers or more use
// (carrier NAT) — has many users one never sees: it is black only when
// at least RentedLineBlack of its accounts are and they are at least
// RentedExitShare of them (the operation's rented proxy), not when an
// operation's accounts are a small minority among its users.
func (d *det) ipEvidence(x int, out []Evidence) []Evidence {
	out = append(out, d.ownIP[x]...)
	n, s := d.shareBlack(d.ipAccts[x])
	if n == 0 {
		return out
	}
	st := &d.e.ipSt[x]
	natShared := st.shared >= d.cfg.SharedUsers
	exit := natShared || st.kind == IPProxy || st.kind == IPIDC
	if exit && n < d.cfg.RentedLineBlack {
		return out
	}
	switch {
	case s >= d.cfg.BlackShare:
		out = d.emit(out, "black_accounts_share", s, d.cfg.BlackShare, d.win, 0.9,
			"RentedLineBlack", d.cfg.RentedLineBlack, "SharedUsers", d.cfg.SharedUsers, "MaxRounds", d.cfg.MaxRounds)
	case !natShared && (st.kind == IPDialup || s >= d.cfg.RentedExitShare && (st.kind == IPProxy || st.kind == IPIDC)):
		// a rented line an operation registered through, shared with a
		// few others (the next customers of a dial-up pool, a few VPN
		// users). A commercial proxy or VPN exit or a cloud egress serves
		// thousands the feed samples a few of: an operation whose accounts
		// are a small minority there shared it, it did not rent it, so on
		// such an exit they must be RentedExitShare of its accounts.
		out = d.emit(out, "black_accounts_on_rented_line", float64(n), 1, d.win, 0.7,
			"RentedLineBlack", d.cfg.RentedLineBlack, "RentedExitShare", d.cfg.RentedExitShare, "SharedUsers", d.cfg.SharedUsers, "MaxRounds", d.cfg.MaxRounds)
	}
	return out
}

// lineSignals computes each address's own evidence and reports which
// addresses have lifeless numbers behind them.
func (d *det) lineSignals() []bool {
	e, cfg := d.e, d.cfg
	lifelessIP := make([]bool, len(d.ipAccts))
	for ip := range d.ipAccts {
		var ev []Evidence
		k := e.ipSt[ip].kind
		if k == IPDialup || k == IPProxy || k == IPIDC {
			ev = d.emit(ev, "line_intel_"+IPKindNames[k], 1, 1, "", 0.3)
		}
		if n, ok := d.lifelessBehind(d.ipAccts[ip]); ok && !d.off["lifeless_numbers"] {
			ev = d.emit(ev, "lifeless_numbers", float64(n), float64(cfg.LifelessNumbers), d.win, 0.8, "LifelessShare", cfg.LifelessShare)
			lifelessIP[ip] = true
		}
		d.ownIP[ip] = ev
	}
	return lifelessIP
}
