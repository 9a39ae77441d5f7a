package live

import (
	"testing"
	"time"

	"github.com/zhudun/zhudun/fourcuts"
)

// TestOrigins: the first event naming an entity decides its source, in
// each of its fields (an IMEI by its first 14 digits, an account as
// platform:account, a number as msisdn or as another card's peer); later
// events of other sources do not change it; an entity added without a
// note (the scale-out's times lines) has none and does not shift the
// others; the state round-trips through a checkpoint ("LV4"), an "LV3"
// state's names are taken over onto the engine's ids, and an "LV1" state
// has none.
func TestOrigins(t *testing.T) {
	eng := fourcuts.NewEngine(fourcuts.Config{})
	o := newOrigins()
	add := func(src string, ev fourcuts.Event) {
		ev.TS = 1622505600000
		before := eng.Sizes()
		eng.Add(&ev)
		o.note(src, &ev, before, eng)
	}
	add("a", fourcuts.Event{Type: fourcuts.TypeCDR, Dir: fourcuts.DirMO, Msisdn: []byte("13800000001"), Peer: []byte("13800000002"), IMEI: []byte("861234567890123")})
	add("b", fourcuts.Event{Type: fourcuts.TypeReg, Msisdn: []byte("13800000001"), Platform: []byte("weibo"), Account: []byte("u1"),
		Device: []byte("fp-1"), IP: []byte("10.0.0.1"), IMEI: []byte("8612345678901234")})
	add("a", fourcuts.Event{Type: fourcuts.TypeIP, IP: []byte("10.0.0.1")})
	add("b", fourcuts.Event{Type: fourcuts.TypeCDR, Dir: fourcuts.DirMT, Msisdn: []byte("13800000003"), Peer: []byte("13800000001"), IMEI: []byte("86999999999999")})
	add("b", fourcuts.Event{Type: fourcuts.TypeCDR, Dir: fourcuts.DirMO, Msisdn: []byte("13800000002"), Peer: []byte("13800000004")})
	// An address added with no note, as a times line's entities are, then
	// one noted: the first has no source, the second is c's.
	eng.Add(&fourcuts.Event{Type: fourcuts.TypeIP, TS: 1622505600000, IP: []byte("10.0.0.2")})
	o.pad(eng.Sizes())
	add("c", fourcuts.Event{Type: fourcuts.TypeIP, IP: []byte("10.0.0.3")})
	want := []struct{ typ, entity, src string }{
		{"msisdn", "13800000001", "a"},
		{"msisdn", "13800000002", "a"}, // as the peer, before its own record (b's)
		{"msisdn", "13800000003", "b"},
		{"msisdn", "13800000004", "b"}, // a peer only
		{"imei", "861234567890123", "a"},
		{"imei", "86123456789012", "a"}, // the same device, written as 14 digits
		{"imei", "8612345678901234", "a"},
		{"imei", "86999999999999", "b"},
		{"account", "weibo:u1", "b"},
		{"device", "fp-1", "b"},
		{"ip", "10.0.0.1", "b"},
		{"ip", "10.0.0.2", ""},
		{"ip", "10.0.0.3", "c"},
		{"msisdn", "13900000000", ""},
		{"account", "u1", ""},
		{"imei", "86000000000000", ""},
		{"gang", "x", ""},
	}
	check := func(o *origins, eng *fourcuts.Engine) {
		t.Helper()
		for _, w := range want {
			got, ok := o.of(eng, w.typ, w.entity)
			if got != w.src || ok != (w.src != "") {
				t.Errorf("%s %s: %q %v, want %q", w.typ, w.entity, got, ok, w.src)
			}
		}
	}
	check(o, eng)
	b := o.appendTo([]byte("x"))
	if _, _, ok := decodeOrigins(b[1 : len(b)-2]); ok {
		t.Error("a cut encoding decoded")
	}

	restored := func(st []byte) (map[string]int64, *origins, *fourcuts.Engine) {
		t.Helper()
		seen, saved, snap, ok := decodeState(st, time.Unix(1800000000, 0))
		if !ok {
			t.Fatal("state not decoded")
		}
		e := fourcuts.NewEngine(fourcuts.Config{})
		if err := e.LoadSnapshot(snap); err != nil {
			t.Fatal(err)
		}
		return seen, saved.attach(e), e
	}
	seen, o4, e4 := restored(encodeState(nil, map[string]int64{"m1": 1700000000}, o, eng))
	if len(seen) != 1 || seen["m1"] != 1700000000 {
		t.Fatalf("LV4 seen: %v", seen)
	}
	check(o4, e4)

	// An LV3 state: the same origins by name, as the build before wrote them.
	v3 := appendSeen([]byte("LV3"), map[string]int64{"m1": 1700000000})
	v3 = append(v3, 3, 1, 'a', 1, 'b', 1, 'c')
	keys := []struct {
		key string
		si  byte
	}{{"m13800000001", 0}, {"m13800000002", 0}, {"m13800000003", 1}, {"m13800000004", 1}, {"i86123456789012", 0}, {"i86999999999999", 1},
		{"aweibo:u1", 1}, {"dfp-1", 1}, {"p10.0.0.1", 1}, {"p10.0.0.3", 2}, {"p10.9.9.9", 2}}
	v3 = append(v3, byte(len(keys)))
	for _, k := range keys {
		v3 = append(append(append(v3, byte(len(k.key))), k.key...), k.si)
	}
	_, o3, e3 := restored(eng.AppendSnapshot(v3))
	check(o3, e3)

	v1 := append([]byte("LV1"), 1, 2, 'm', '1')
	_, o1, e1 := restored(eng.AppendSnapshot(v1))
	if len(o1.nums) != 0 || len(o1.srcs) != 0 {
		t.Fatalf("LV1 state: %d numbers, %d sources", len(o1.nums), len(o1.srcs))
	}
	if got, ok := o1.of(e1, "ip", "10.0.0.1"); ok {
		t.Fatalf("LV1 state: an origin %q", got)
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
	v2 = eng.AppendSnapshot(append(v2, 0, 0)) // no sources, no entities
	got, _, _, ok := decodeState(v2, now)
	if !ok || got["new"] != now.Unix() {
		t.Fatalf("LV2: %v %v", ok, got)
	}
	st := encodeState(nil, map[string]int64{"m1": 5}, newOrigins(), eng)
	if _, _, _, ok := decodeState(st[:3+1+1+2], now); ok {
		t.Fatal("a state cut before an id's time decoded")
	}
}
