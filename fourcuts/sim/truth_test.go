package sim

import "testing"

// TestTruthIsInTheFeed: every black card, account, line and fingerprint
// the truth names appears in an event of the feed (an account in a
// registration, a fingerprint and a line in a registration, a card in any
// event). A studio burst begun a few minutes before the period ended used
// to be labelled in full while its registrations past the end were
// dropped (family_phones, seed 4107 at 6,000 × 4: two cards, 13 accounts
// and 6 lines no event carried).
func TestTruthIsInTheFeed(t *testing.T) {
	for _, p := range []Params{
		{Users: 6000, Days: 4, Seed: 4107, FamilyPhones: 0.3},
		{Users: 3000, Days: 3, Seed: 112, QuietSales: 0.03, ProxyUsers: 0.05, KeyedHolders: true, IMEISV: 0.5, Fleets: 20,
			EveningMigrants: 0.03, FamilyPhones: 0.2, DualSIMPhones: 0.2, NewPhoneSetups: 0.03, FamilyVerifiers: 0.1, QuietOps: 7, BriefModems: 0.3},
		{Users: 3000, Days: 3, Seed: 114, QuietOps: 10, QuietIPhones: 1},
	} {
		w := build(p)
		seen := map[string]bool{}
		see := func(e *sev) {
			var pl, acct string
			for _, f := range e.fields {
				switch f.k {
				case "msisdn":
					seen["black_card|"+f.v] = true
				case "platform":
					pl = f.v
				case "account":
					acct = f.v
				case "device":
					if e.typ == "reg" {
						seen["black_software|"+f.v] = true
					}
				case "ip":
					if e.typ == "reg" {
						seen["black_line|"+f.v] = true
					}
				}
			}
			if e.typ == "reg" {
				seen["black_account|"+pl+":"+acct] = true
			}
		}
		for _, e := range w.stock {
			see(e)
		}
		for _, d := range w.events {
			for _, e := range d {
				see(e)
			}
		}
		missing := 0
		for _, x := range w.truth {
			if x.Category != "black_device" && !seen[x.Category+"|"+x.Entity] {
				if missing++; missing <= 5 {
					t.Errorf("seed %d: %s %s (gang %s) is in the truth and in no event", p.Seed, x.Category, x.Entity, x.Gang)
				}
			}
		}
	}
}
