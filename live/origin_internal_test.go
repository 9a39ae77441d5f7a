package live

import (
	"testing"
	"time"

	"github.com/zhudun/zhudun/fourcuts"
)

// TestOrigins: the first event naming an entity decides its source, in
// each of its fields (an IMEI by its first 14 digits, an account as
// platform:account); later events of other sources do not change it; the
// encoding round-trips, and a state written before origins ("LV1") is
// read with none.
func TestOrigins(t *testing.T) {
	o := newOrigins()
	o.note("a", &fourcuts.Event{Type: fourcuts.TypeCDR, Msisdn: []byte("13800000001"), Peer: []byte("13800000002"), IMEI: []byte("861234567890123")})
	o.note("b", &fourcuts.Event{Type: fourcuts.TypeReg, Msisdn: []byte("13800000001"), Platform: []byte("weibo"), Account: []byte("u1"),
		Device: []byte("fp-1"), IP: []byte("10.0.0.1"), IMEI: []byte("8612345678901234")})
	o.note("a", &fourcuts.Event{Type: fourcuts.TypeIP, IP: []byte("10.0.0.1")})
	o.note("b", &fourcuts.Event{Type: fourcuts.TypeSim, Msisdn: []byte("13800000003"), IMEI: []byte("86999999999999")})
	want := []struct{ typ, entity, src string }{
		{"msisdn", "13800000001", "a"},
		{"msisdn", "13800000002", "a"}, // as the peer
		{"msisdn", "13800000003", "b"},
		{"imei", "861234567890123", "a"},
		{"imei", "86123456789012", "a"}, // the same device, written as 14 digits
		{"imei", "86999999999999", "b"},
		{"account", "weibo:u1", "b"},
		{"device", "fp-1", "b"},
		{"ip", "10.0.0.1", "b"},
		{"msisdn", "13900000000", ""},
		{"account", "u1", ""},
		{"gang", "x", ""},
	}
	check := func(o *origins) {
		t.Helper()
		for _, w := range want {
			got, ok := o.of(w.typ, w.entity)
			if got != w.src || ok != (w.src != "") {
				t.Errorf("%s %s: %q %v, want %q", w.typ, w.entity, got, ok, w.src)
			}
		}
	}
	check(o)
	b := o.appendTo([]byte("x"))
	back, rest, ok := decodeOrigins(append(b[1:], "tail"...))
	if !ok || string(rest) != "tail" {
		t.Fatalf("decode: %v %q", ok, rest)
	}
	check(back)
	if _, _, ok := decodeOrigins(b[1 : len(b)-2]); ok {
		t.Error("a cut encoding decoded")
	}

	eng := fourcuts.NewEngine(fourcuts.Config{})
	st := encodeState(map[string]int64{"m1": 1700000000}, o, eng)
	seen, o2, snap, ok := decodeState(st, time.Unix(1800000000, 0))
	if !ok || len(seen) != 1 || seen["m1"] != 1700000000 || len(snap) == 0 {
		t.Fatalf("state: %v %v %d", ok, seen, len(snap))
	}
	check(o2)
	v1 := append([]byte("LV1"), 1, 2, 'm', '1')
	v1 = eng.AppendSnapshot(v1)
	seen, o1, _, ok := decodeState(v1, time.Unix(1800000000, 0))
	if at, has := seen["m1"]; !ok || !has || at != 1800000000 || len(o1.first) != 0 {
		t.Fatalf("LV1 state: %v %v %d origins", ok, seen, len(o1.first))
	}
}

// TestSeenPruned: the ids of messages fed longer ago than SeenFor are
// forgotten at the next checkpoint, so the set is bounded by the messages
// the stream still holds; an LV2 state (ids without times) reads as fed
// now, and a state cut inside an id's time is refused.
func TestSeenPruned(t *testing.T) {
	now := time.Unix(1800000000, 0)
	seen := map[string]int64{"old": now.Add(-31 * 24 * time.Hour).Unix(), "edge": now.Add(-30 * 24 * time.Hour).Unix(), "new": now.Unix()}
	pruneSeen(seen, now.Add(-DefaultSeenFor))
	if _, ok := seen["old"]; ok || len(seen) != 2 {
		t.Fatalf("after pruning: %v", seen)
	}
	eng := fourcuts.NewEngine(fourcuts.Config{})
	v2 := append([]byte("LV2"), 1, 3, 'n', 'e', 'w')
	v2 = eng.AppendSnapshot(newOrigins().appendTo(v2))
	got, _, _, ok := decodeState(v2, now)
	if !ok || got["new"] != now.Unix() {
		t.Fatalf("LV2: %v %v", ok, got)
	}
	st := encodeState(map[string]int64{"m1": 5}, newOrigins(), eng)
	if _, _, _, ok := decodeState(st[:3+1+1+2], now); ok {
		t.Fatal("a state cut before an id's time decoded")
	}
}
