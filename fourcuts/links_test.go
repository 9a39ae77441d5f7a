package fourcuts_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/zhudun/zhudun/fourcuts"
)

// TestFindingLinks: the ties the gang graph draws, on a studio whose ten
// numbers were opened at one outlet and verified ten accounts from one
// phone with a hook framework, four of them through a rented proxy. Each
// account names the number that verified it and the fingerprint it was
// registered from and the phone they share; a number names its outlet;
// fingerprints and addresses name nothing (the accounts carry those ties),
// a device only another channel of its gateway.
func TestFindingLinks(t *testing.T) {
	s := &scene{t: t}
	s.population(40)
	card := func(k int) string { return fmt.Sprintf("1730000%04d", k) }
	for k := 0; k < 10; k++ {
		s.add(`{"type":"sim","ts":%q,"msisdn":%q,"imsi":"4600500000%05d","holder":%q,"outlet":"OUT-BAD","carrier":"cmcc","region":"370102","action":"activate"}`,
			ts(1, 2, k), card(k), k, rid("450102", k))
	}
	s.add(`{"type":"ip","ts":%q,"ip":"103.40.0.1","kind":"proxy"}`, ts(1, 0, 0))
	for k := 0; k < 10; k++ {
		ip := fmt.Sprintf("27.191.0.%d", k+1)
		if k < 4 {
			ip = "103.40.0.1"
		}
		s.add(`{"type":"reg","ts":%q,"platform":"app%d","account":"s1%d","msisdn":%q,"device":"fp-s1%d","imei":"865000000000017","ip":%q,"model":"Xiaomi 11","os":"Android 11","flags":["hook"]}`,
			ts(3, 2, k*5), k%4, k, card(k), k, ip)
	}
	res := s.detect(fourcuts.DefaultConfig())
	by := map[string]fourcuts.Finding{}
	for _, f := range res.Findings {
		by[f.Entity] = f
	}
	acct, ok := by["app0:s10"]
	if !ok {
		t.Fatalf("account app0:s10 not found; findings %d", len(res.Findings))
	}
	// the studio's phone is no finding (it never carried a card) but its
	// ten accounts make the gang: it is named
	for _, want := range []string{"black_card|17300000000", "black_software|fp-s10", "phone|865000000000017"} {
		if !slices.Contains(acct.Links, want) {
			t.Errorf("app0:s10 links %v, want %s", acct.Links, want)
		}
	}
	if slices.Contains(acct.Links, "black_card|17300000001") {
		t.Errorf("app0:s10 links %v name a number that did not verify it", acct.Links)
	}
	c0, ok := by[card(0)]
	if !ok {
		t.Fatalf("card %s not found", card(0))
	}
	if !slices.Contains(c0.Links, "outlet|OUT-BAD") {
		t.Errorf("%s links %v, want its outlet", card(0), c0.Links)
	}
	for _, f := range res.Findings {
		switch f.Category {
		case fourcuts.BlackSoftware, fourcuts.BlackLine:
			if len(f.Links) != 0 {
				t.Errorf("%s %s links %v: the accounts and cards carry these ties", f.Category, f.Entity, f.Links)
			}
		}
		if !slices.IsSorted(f.Links) || len(f.Links) > fourcuts.MaxLinks {
			t.Errorf("%s links %v: not sorted or more than %d", f.Entity, f.Links, fourcuts.MaxLinks)
		}
		for _, l := range f.Links {
			cat, ent, _ := strings.Cut(l, "|")
			if cat == fourcuts.OutletLink || cat == fourcuts.PhoneLink {
				continue
			}
			if o, ok := by[ent]; !ok || o.Category != cat {
				t.Errorf("%s links %s, which is no finding", f.Entity, l)
			}
		}
	}
	// The contract's finding does not carry them.
	if b := string(acct.AppendJSON(nil)); strings.Contains(b, "links") || strings.Contains(b, "OUT-BAD") {
		t.Errorf("the contract's JSON carries the links: %s", b)
	}
}
