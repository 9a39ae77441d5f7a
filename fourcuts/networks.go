package fourcuts

import (
	"slices"
	"strings"
)

// Networks returns, for the findings fs, where the events put each entity
// — the carrier or platform whose cut list it belongs on — keyed by
// category and entity ("black_card\x00138…"):
//
//   - a card (msisdn): the carriers its sim events state;
//   - a device (imei): the carriers of the cards seen with it, in calls or
//     registrations;
//   - an account: the platform of its registrations;
//   - a fingerprint (device) or an address (ip): the platforms of the
//     registrations made from it.
//
// Each list is sorted; an entity the events place nowhere is absent. The
// source that sent an event plays no part (docs/cutlists.md).
func (e *Engine) Networks(fs []Finding) map[string][]string {
	cards := map[string]bool{}  // cards wanted: found ones and the found devices' cards
	imeis := map[string]bool{}  // by IMEIBody
	others := map[string]bool{} // "type\x00name" of accounts, fingerprints, addresses
	for i := range fs {
		f := &fs[i]
		switch f.EntityType {
		case "msisdn":
			cards[f.Entity] = true
		case "imei":
			imeis[imeiBody(f.Entity)] = true
		case "account", "device", "ip":
			others[f.EntityType+"\x00"+f.Entity] = true
		}
	}
	sets := map[string]map[string]bool{}
	put := func(key, net string) {
		if net == "" {
			return
		}
		s := sets[key]
		if s == nil {
			s = map[string]bool{}
			sets[key] = s
		}
		s[net] = true
	}
	// The cards of the wanted devices, from calls and registrations.
	devCards := map[string][]uint32{}
	if len(imeis) > 0 {
		for _, p := range e.cardIMEI {
			if b := imeiBody(e.imeis.names[p[1]]); imeis[b] {
				devCards[b] = append(devCards[b], p[0])
			}
		}
		for _, r := range e.regs {
			if r.imei != none && r.card != none {
				if b := imeiBody(e.imeis.names[r.imei]); imeis[b] {
					devCards[b] = append(devCards[b], r.card)
				}
			}
		}
	}
	cardNets := map[uint32][]string{}
	needCard := map[uint32]bool{}
	for _, cs := range devCards {
		for _, c := range cs {
			needCard[c] = true
		}
	}
	for _, a := range e.acts {
		if a.carrier == none {
			continue
		}
		name := e.nums.names[a.card]
		if cards[name] {
			put("msisdn\x00"+name, e.carriers.names[a.carrier])
		}
		if needCard[a.card] {
			cardNets[a.card] = append(cardNets[a.card], e.carriers.names[a.carrier])
		}
	}
	for b, cs := range devCards {
		for _, c := range cs {
			for _, n := range cardNets[c] {
				put("imei\x00"+b, n)
			}
		}
	}
	if len(others) > 0 {
		for _, r := range e.regs {
			plat := e.platforms.names[r.plat]
			if k := "account\x00" + e.accounts.names[r.acct]; others[k] {
				put(k, plat)
			}
			if r.dev != none {
				if k := "device\x00" + e.devices.names[r.dev]; others[k] {
					put(k, plat)
				}
			}
			if r.ip != none {
				if k := "ip\x00" + e.ips.names[r.ip]; others[k] {
					put(k, plat)
				}
			}
		}
	}
	out := make(map[string][]string, len(fs))
	for i := range fs {
		f := &fs[i]
		key := f.EntityType + "\x00" + f.Entity
		if f.EntityType == "imei" {
			key = "imei\x00" + imeiBody(f.Entity)
		}
		s := sets[key]
		if len(s) == 0 {
			continue
		}
		list := make([]string, 0, len(s))
		for n := range s {
			list = append(list, n)
		}
		slices.Sort(list)
		out[f.Category+"\x00"+f.Entity] = list
	}
	return out
}

func imeiBody(s string) string { return s[:min(len(s), IMEIBody)] }

// SetAllow replaces the engine's allowlist (compiled): the next Detect
// leaves its entities out. The allowlist is configuration, not state: it
// is not in the snapshot.
func (e *Engine) SetAllow(a Allowlist) error {
	if err := a.Compile(); err != nil {
		return err
	}
	e.cfg.Allow = a
	return nil
}

// AllowKey is a stable rendering of an allowlist's entries, to tell
// whether it changed.
func AllowKey(a []AllowEntry) string {
	var b strings.Builder
	for _, en := range a {
		b.WriteString(en.Type + "\x00" + en.Value + "\x00" + en.Reason + "\x01")
	}
	return b.String()
}
