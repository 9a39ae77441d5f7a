package httpapi_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// positionsOf collects the unit ids and longitudes that unit.positions
// batches on ch carry within d.
func positionsOf(ch <-chan map[string]any, d time.Duration) (batches int, fixes map[int64][]float64, other []string) {
	fixes = map[int64][]float64{}
	deadline := time.After(d)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return
			}
			if ev["type"] == "unit.position" {
				other = append(other, "a unit.position event on its own")
			}
			if ev["type"] != "unit.positions" {
				continue
			}
			batches++
			items, _ := ev["data"].([]any)
			if n, _ := ev["n"].(float64); int(n) != len(items) {
				other = append(other, fmt.Sprintf("batch says n=%v, carries %d", ev["n"], len(items)))
			}
			for _, it := range items {
				m := it.(map[string]any)
				id := int64(m["id"].(float64))
				fixes[id] = append(fixes[id], m["lon"].(float64))
			}
		case <-deadline:
			return
		}
	}
}

// TestLivePositionsScopedAndBatched: positions reach the live map as
// unit.positions batches, the newest fix per unit, at most four a second;
// a dispatcher of another sub-bureau receives none of them, and the track
// route answers within the scope only.
func TestLivePositionsScopedAndBatched(t *testing.T) {
	h := newHarness(t)
	sys := zhudun.WithCaller(t.Context(), zhudun.SystemCaller("test"))
	for _, u := range []struct{ name, dept, role string }{{"disp1", "SB1", "dispatcher"}, {"disp2", "SB2", "dispatcher"}, {"cmd1", "SB1", "commander"}, {"cmd2", "SB2", "commander"}} {
		nu, err := h.store.CreateUser(sys, zhudun.NewUser{Username: u.name, DeptCode: u.dept, Password: pw, Own: true, Roles: []string{u.role}})
		if err != nil {
			t.Fatal(err)
		}
		h.users[u.name] = nu
		h.tokens[u.name] = h.login(u.name, pw)
	}
	ids := map[string]int64{}
	owner := map[string]string{"P1": "cmd1", "P2": "cmd1", "Q1": "cmd2"}
	for _, u := range []struct{ callsign, station string }{{"P1", "ST1"}, {"P2", "ST1"}, {"Q1", "ST2"}} {
		var out struct{ ID int64 }
		r := h.do(owner[u.callsign], "POST", "/api/v1/units", map[string]any{"callsign": u.callsign, "kind": "car", "station": u.station})
		if r.status != 201 {
			t.Fatalf("unit %s: %d %s", u.callsign, r.status, r.body)
		}
		decodeInto(t, r, &out)
		ids[u.callsign] = out.ID
	}
	s1, s2 := h.stream("disp1"), h.stream("disp2")
	// 40 fixes of P1, one of P2, 20 of Q1, posted as fast as the server takes them.
	base := time.Now().UTC().Add(-time.Minute)
	post := func(cs string, i int) {
		r := h.do(owner[cs], "POST", fmt.Sprintf("/api/v1/units/%d/positions", ids[cs]), []map[string]any{{"lon": 117.0 + float64(i)/1000, "lat": 36.6, "ts": base.Add(time.Duration(i) * time.Second)}})
		if r.status != 200 {
			t.Fatalf("position of %s: %d %s", cs, r.status, r.body)
		}
	}
	start := time.Now()
	for i := 1; i <= 40; i++ {
		post("P1", i)
		if i <= 20 {
			post("Q1", i)
		}
	}
	post("P2", 7)
	took := time.Since(start)
	batches, fixes, bad := positionsOf(s1, 1500*time.Millisecond)
	if len(bad) > 0 {
		t.Errorf("disp1's stream: %v", bad)
	}
	if len(fixes[ids["Q1"]]) != 0 {
		t.Errorf("disp1 (SB1) received %d positions of SB2's unit Q1", len(fixes[ids["Q1"]]))
	}
	p1 := fixes[ids["P1"]]
	if len(p1) == 0 || p1[len(p1)-1] != 117.040 {
		t.Errorf("disp1's last fix of P1: %v, want 117.04 last", p1)
	}
	if got := fixes[ids["P2"]]; len(got) != 1 || got[0] != 117.007 {
		t.Errorf("disp1's fixes of P2: %v, want [117.007]", got)
	}
	// Coalesced: at most one batch per 250 ms of posting (and the one after).
	if limit := int(took/(250*time.Millisecond)) + 2; batches > limit || len(p1) >= 40 {
		t.Errorf("%d batches with %d fixes of P1 in %v: not coalesced (limit %d batches)", batches, len(p1), took, limit)
	}
	_, fixes2, _ := positionsOf(s2, 300*time.Millisecond)
	if len(fixes2[ids["P1"]])+len(fixes2[ids["P2"]]) != 0 {
		t.Errorf("disp2 (SB2) received SB1's positions: %v", fixes2)
	}
	if q := fixes2[ids["Q1"]]; len(q) == 0 || q[len(q)-1] != 117.020 {
		t.Errorf("disp2's fixes of its own Q1: %v", q)
	}

	// The track of the last 30 minutes, oldest first; another sub-bureau gets 404.
	var tr struct {
		Items []zhudun.Position
	}
	r := h.do("disp1", "GET", fmt.Sprintf("/api/v1/units/%d/track", ids["P1"]), nil)
	decodeInto(t, r, &tr)
	if r.status != 200 || len(tr.Items) != 40 || tr.Items[0].Lon != 117.001 || tr.Items[39].Lon != 117.040 {
		t.Errorf("P1's track: %d %d items", r.status, len(tr.Items))
	}
	if r := h.do("disp2", "GET", fmt.Sprintf("/api/v1/units/%d/track", ids["P1"]), nil); r.status != 404 {
		t.Errorf("disp2 reads P1's track: %d", r.status)
	}
	if r := h.do("disp1", "GET", fmt.Sprintf("/api/v1/units/%d/track?minutes=5000", ids["P1"]), nil); r.status != 400 {
		t.Errorf("a track of 5000 minutes: %d", r.status)
	}
}
