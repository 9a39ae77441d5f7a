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

func (d *det) ipEvidence(x int, out []Evidence) []Evidence {
	out = append(out, d.ownIP[x]...)
	n, s := d.shareBlack(d.ipAccts[x])
	switch k := d.e.ipSt[x].kind; {
	case n > 0 && s >= d.cfg.BlackShare:
		out = append(out, sig("black_accounts_share", s, d.cfg.BlackShare, d.win, 0.9))
	case n > 0 && (k == IPDialup || k == IPProxy || k == IPIDC):
		// a rented line an operation registered through, shared with a
		// few others (VPN users, the next dial-up customer)
		out = append(out, sig("black_accounts_on_rented_line", float64(n), 1, d.win, 0.7))
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
			ev = append(ev, sig("line_intel_"+IPKindNames[k], 1, 1, "", 0.3))
		}
		if n, ok := d.lifelessBehind(d.ipAccts[ip]); ok {
			ev = append(ev, sig("lifeless_numbers", float64(n), float64(cfg.LifelessNumbers), d.win, 0.8))
			lifelessIP[ip] = true
		}
		d.ownIP[ip] = ev
	}
	return lifelessIP
}
