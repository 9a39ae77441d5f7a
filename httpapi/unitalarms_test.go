package httpapi_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// TestUnitAlarmAck: the open alarms a command screen loads when it opens
// are its scope's only; an acknowledgement (with or without a note) takes
// an alarm off every list, reaches the receivers' streams as
// unit.alarm.acked, and a second one is refused 409.
func TestUnitAlarmAck(t *testing.T) {
	h := newHarness(t)
	sys := zhudun.WithCaller(t.Context(), zhudun.SystemCaller("test"))
	for _, u := range []struct{ name, dept, role string }{{"disp1", "SB1", "dispatcher"}, {"cmd2", "SB2", "commander"}} {
		nu, err := h.store.CreateUser(sys, zhudun.NewUser{Username: u.name, DeptCode: u.dept, Password: pw, Own: true, Roles: []string{u.role}})
		if err != nil {
			t.Fatal(err)
		}
		h.users[u.name] = nu
		h.tokens[u.name] = h.login(u.name, pw)
	}
	ids := map[string]int64{}
	for _, u := range []struct{ callsign, station, by string }{{"P1", "ST1", "disp1"}, {"P2", "ST1", "disp1"}, {"Q1", "ST2", "cmd2"}} {
		var out struct{ ID int64 }
		r := h.do(u.by, "POST", "/api/v1/units", map[string]any{"callsign": u.callsign, "kind": "car", "station": u.station})
		if r.status != 201 {
			t.Fatalf("unit %s: %d %s", u.callsign, r.status, r.body)
		}
		decodeInto(t, r, &out)
		ids[u.callsign] = out.ID
	}
	gw := zhudun.WithCaller(t.Context(), zhudun.SystemCaller("jt808"))
	for _, a := range []struct{ cs, kind string }{{"P1", "emergency"}, {"P2", "overspeed"}, {"Q1", "emergency"}} {
		if _, err := h.store.ReportUnitAlarm(gw, zhudun.UnitAlarm{UnitID: ids[a.cs], Kinds: []string{a.kind}, At: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	type entry struct {
		ID        int64
		Callsign  string
		Emergency bool
		AckedBy   string `json:"acked_by"`
		AckNote   string `json:"ack_note"`
	}
	list := func(who string) map[string]entry {
		t.Helper()
		var out struct{ Items []entry }
		r := h.do(who, "GET", "/api/v1/unit-alarms?state=open", nil)
		if r.status != 200 {
			t.Fatalf("%s lists alarms: %d %s", who, r.status, r.body)
		}
		decodeInto(t, r, &out)
		m := map[string]entry{}
		for _, e := range out.Items {
			m[e.Callsign] = e
		}
		return m
	}
	for who, want := range map[string]string{"disp1": "P1 P2", "off1": "P1 P2", "off2": "Q1", "cmd2": "Q1"} {
		got := list(who)
		s := ""
		for _, cs := range []string{"P1", "P2", "Q1"} {
			if _, ok := got[cs]; ok {
				s += " " + cs
			}
		}
		if s != " "+want {
			t.Errorf("%s's open alarms:%s, want %s", who, s, want)
		}
	}
	if r := h.do("off1", "GET", "/api/v1/unit-alarms?state=closed", nil); r.status != 400 {
		t.Errorf("state=closed: %d", r.status)
	}
	p1, p2, q1 := list("off1")["P1"], list("off1")["P2"], list("off2")["Q1"]
	if !p1.Emergency || p2.Emergency {
		t.Errorf("emergency flags: P1 %v P2 %v", p1.Emergency, p2.Emergency)
	}

	s1, s2 := h.stream("disp1"), h.stream("off2")
	// ST2's officer cannot acknowledge ST1's alarm; ST1's can, with a note.
	if r := h.do("off2", "POST", fmt.Sprintf("/api/v1/unit-alarms/%d/ack", p1.ID), map[string]any{}); r.status != 404 {
		t.Errorf("off2 acks P1's alarm: %d %s", r.status, r.body)
	}
	var got entry
	r := h.do("off1", "POST", fmt.Sprintf("/api/v1/unit-alarms/%d/ack", p1.ID), map[string]any{"note": "车组回电，误触"})
	decodeInto(t, r, &got)
	if r.status != 200 || got.AckedBy != "off1" || got.AckNote != "车组回电，误触" {
		t.Fatalf("off1 acks P1's alarm: %d %s", r.status, r.body)
	}
	if r := h.do("disp1", "POST", fmt.Sprintf("/api/v1/unit-alarms/%d/ack", p1.ID), nil); r.status != 409 {
		t.Errorf("a second ack: %d %s", r.status, r.body)
	}
	if r := h.do("disp1", "POST", fmt.Sprintf("/api/v1/unit-alarms/%d/ack", p2.ID), nil); r.status != 200 { // no body: no note
		t.Errorf("ack without a body: %d %s", r.status, r.body)
	}
	if r := h.do("off2", "POST", fmt.Sprintf("/api/v1/unit-alarms/%d/ack", q1.ID), map[string]any{"note": 3}); r.status != 400 {
		t.Errorf("a note that is a number: %d", r.status)
	}
	if n := len(list("disp1")); n != 0 {
		t.Errorf("disp1 still lists %d alarms", n)
	}
	if _, ok := list("off2")["Q1"]; !ok {
		t.Error("Q1's alarm left ST2's list")
	}
	acked := func(ch <-chan map[string]any) (ids []int64) {
		deadline := time.After(1500 * time.Millisecond)
		for {
			select {
			case ev, ok := <-ch:
				if !ok {
					return
				}
				if ev["type"] == "unit.alarm.acked" {
					ids = append(ids, int64(ev["data"].(map[string]any)["id"].(float64)))
				}
			case <-deadline:
				return
			}
		}
	}
	if got := acked(s1); len(got) != 2 || got[0] != p1.ID || got[1] != p2.ID {
		t.Errorf("disp1's stream: acked %v, want [%d %d]", got, p1.ID, p2.ID)
	}
	if got := acked(s2); len(got) != 0 {
		t.Errorf("off2 (ST2) received ST1's acknowledgements %v", got)
	}
}
