package fourcuts_test

import (
	"slices"
	"testing"

	"github.com/zhudun/zhudun/fourcuts"
)

// TestNetworks: a card is on the carrier its sim events state (whoever
// sent them), a modem on its cards' carriers; an account, a fingerprint
// and an address on the platforms of the registrations made with them.
func TestNetworks(t *testing.T) {
	s := &scene{t: t}
	s.population(30)
	cards := s.catPool(pool, 8, "460-00-7-7")
	for k, m := range cards {
		carrier := "cmcc"
		if k >= 4 {
			carrier = "cucc"
		}
		// every sim event sent by one source: the network is the event's
		s.add(`{"type":"sim","ts":%q,"msisdn":%q,"imsi":"4600100000%05d","holder":"h:%d","outlet":"O1","carrier":%q,"action":"activate","src":"cucc"}`, ts(1, 10, k), m, k, k, carrier)
	}
	// the studio of TestStudioAndCompany: accounts on app0..app2
	for k := 0; k < 6; k++ {
		s.add(`{"type":"reg","ts":%q,"platform":"app%d","account":"s%d","msisdn":"1720000%04d","device":"fp-s%d","imei":"865000000000017","ip":"27.190.0.%d","model":"Xiaomi 11","os":"Android 11","flags":["hook"]}`,
			ts(3, 2, k*5), k%3, k, k, k, k+1)
	}
	s.add(`{"type":"ip","ts":%q,"ip":"27.190.0.1","kind":"dialup"}`, ts(1, 0, 0))
	e := fourcuts.NewEngine(fourcuts.DefaultConfig())
	for i := range s.evs {
		e.Add(&s.evs[i])
	}
	res := e.Detect()
	nets := e.Networks(res.Findings)
	want := map[string][]string{
		"black_card\x00" + cards[0]: {"cmcc"},
		"black_card\x00" + cards[5]: {"cucc"},
		"black_device\x00" + pool:   {"cmcc", "cucc"},
		"black_account\x00app1:s1":  {"app1"},
		"black_software\x00fp-s2":   {"app2"},
		"black_line\x0027.190.0.4":  {"app0"},
	}
	for k, w := range want {
		if !slices.Equal(nets[k], w) {
			t.Errorf("%q on %v; want %v", k, nets[k], w)
		}
	}
	// the studio's numbers have no sim events: on no network
	for _, f := range res.Findings {
		if f.EntityType == "msisdn" && f.Entity[:3] == "172" && nets[f.Category+"\x00"+f.Entity] != nil {
			t.Errorf("%s placed on %v without a sim event", f.Entity, nets[f.Category+"\x00"+f.Entity])
		}
	}

	// SetAllow: the modem allowlisted is no longer found, nor its cards
	// through it alone.
	if err := e.SetAllow(fourcuts.Allowlist{Entries: []fourcuts.AllowEntry{{Type: "imei", Value: pool, Reason: "test bench"}}}); err != nil {
		t.Fatal(err)
	}
	if _, ok := byCat(e.Detect(), fourcuts.BlackDevice)[pool]; ok {
		t.Errorf("allowlisted modem %s still found", pool)
	}
	if err := e.SetAllow(fourcuts.Allowlist{}); err != nil {
		t.Fatal(err)
	}
	if _, ok := byCat(e.Detect(), fourcuts.BlackDevice)[pool]; !ok {
		t.Errorf("modem %s not found again once off the allowlist", pool)
	}
}
