package fourcuts

import "testing"

// TestEntityID: an entity is found as findings name it — an IMEI by any
// form sharing its 14-digit body, the others exactly — without being
// added; Sizes counts what was added.
func TestEntityID(t *testing.T) {
	e := NewEngine(Config{})
	ts := int64(1622505600000)
	e.Add(&Event{Type: TypeCDR, TS: ts, Dir: DirMO, Msisdn: []byte("13800000001"), Peer: []byte("13800000002"), IMEI: []byte("86123456789012")})
	e.Add(&Event{Type: TypeReg, TS: ts, Msisdn: []byte("13800000001"), Platform: []byte("weibo"), Account: []byte("u1"),
		Device: []byte("fp-1"), IP: []byte("10.0.0.1"), IMEI: []byte("861234567890123")})
	if got, want := e.Sizes(), (Sizes{Nums: 1, IMEIs: 1, IPs: 1, Devices: 1, Accounts: 1}); got != want {
		t.Fatalf("sizes %+v, want %+v", got, want)
	}
	for _, c := range []struct {
		typ, name string
		ok        bool
	}{
		{"msisdn", "13800000001", true}, {"msisdn", "13800000002", false}, // a peer is no entity
		{"imei", "861234567890123", true}, {"imei", "86123456789012", true}, {"imei", "8612345678901234", true},
		{"imei", "86123456789013", false}, {"imei", "8612345678901", false},
		{"ip", "10.0.0.1", true}, {"ip", "10.0.0.10", false}, {"device", "fp-1", true}, {"account", "weibo:u1", true},
		{"account", "u1", false}, {"gang", "g1", false},
	} {
		if id, ok := e.EntityID(c.typ, c.name); ok != c.ok || ok && id != 0 {
			t.Errorf("%s %s: %d %v, want %v", c.typ, c.name, id, ok, c.ok)
		}
	}
	if got := e.Sizes(); got.Nums != 1 || got.IMEIs != 1 {
		t.Fatalf("a lookup added: %+v", got)
	}
}
