package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// testTerminals: a JT/T 808 terminal registers as the unit naming its
// phone (leading zeros aside), gets a code kept only hashed, authenticates
// with it until it registers again; only the system caller may do either.
func testTerminals(t *testing.T, b Backend) {
	e, u := patrolEnv(t, b)
	disp1 := e.as(u["disp1"])
	car, err := e.s.CreateUnit(disp1, zhudun.NewUnit{Callsign: "ST1-C1", Kind: "car", StationCode: "ST1", Terminal: "013800138000"})
	e.must(err)
	other, err := e.s.CreateUnit(disp1, zhudun.NewUnit{Callsign: "ST1-C2", Kind: "car", StationCode: "ST1"})
	e.must(err)
	if _, err := e.s.UpdateUnit(disp1, other.ID, zhudun.UnitUpdate{Terminal: ptr("13800138000")}); code(err) != zhudun.ECONFLICT {
		t.Fatalf("the same terminal without its leading zero on a second unit: %v", err)
	}
	gw := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("jt808"))
	dev := zhudun.TerminalDevice{Maker: "ZHDUN", Model: "SIM-1", ID: "T1"}
	if _, err := e.s.RegisterTerminal(disp1, "13800138000", dev); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("a dispatcher registers a terminal: %v", err)
	}
	if _, err := e.s.AuthenticateTerminal(disp1, "13800138000", "x"); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("a dispatcher authenticates a terminal: %v", err)
	}
	for _, phone := range []string{"13900000000", "000000000000", ""} {
		if _, err := e.s.RegisterTerminal(gw, phone, dev); code(err) != zhudun.ENOTFOUND {
			t.Fatalf("unknown terminal %q: %v", phone, err)
		}
	}
	// The 2019 header pads the phone to 20 digits.
	reg, err := e.s.RegisterTerminal(gw, "00000000013800138000", dev)
	if err != nil || reg.UnitID != car.ID || reg.Callsign != "ST1-C1" || len(reg.Code) < 16 {
		t.Fatalf("register: %+v %v", reg, err)
	}
	for _, phone := range []string{"013800138000", "13800138000", "00000000013800138000"} {
		if id, err := e.s.AuthenticateTerminal(gw, phone, reg.Code); err != nil || id != car.ID {
			t.Fatalf("authenticate as %s: %d %v", phone, id, err)
		}
	}
	for _, c := range []struct{ phone, code string }{{"13800138000", reg.Code + "x"}, {"13800138000", ""}, {"13900000000", reg.Code}, {"", reg.Code}} {
		if _, err := e.s.AuthenticateTerminal(gw, c.phone, c.code); code(err) != zhudun.EUNAUTHORIZED {
			t.Fatalf("authenticate %q with %q: %v", c.phone, c.code, err)
		}
	}
	// Registering again gives a new code and retires the old one.
	again, err := e.s.RegisterTerminal(gw, "13800138000", dev)
	e.must(err)
	if again.Code == reg.Code {
		t.Fatal("re-registration kept the code")
	}
	if _, err := e.s.AuthenticateTerminal(gw, "13800138000", reg.Code); code(err) != zhudun.EUNAUTHORIZED {
		t.Fatalf("the old code after re-registration: %v", err)
	}
	if _, err := e.s.AuthenticateTerminal(gw, "13800138000", again.Code); err != nil {
		t.Fatalf("the new code: %v", err)
	}
	// Audited, without the code; the code is in no table in clear.
	rows, n, err := e.s.FindAudit(e.sys, zhudun.AuditFilter{Action: "unit.terminal_register"})
	e.must(err)
	if n != 2 || rows[0].ObjectID != "ST1-C1" {
		t.Fatalf("audit: %d rows %+v", n, rows)
	}
	for _, r := range rows {
		if strings.Contains(string(r.Detail), again.Code) || strings.Contains(string(r.Detail), reg.Code) {
			t.Fatalf("the code in the audit row: %s", r.Detail)
		}
	}
	var stored string
	e.must(e.s.DB().QueryRowContext(context.Background(), `SELECT code_hash FROM terminal_auth`).Scan(&stored))
	if stored == again.Code || len(stored) != 64 {
		t.Fatalf("stored code %q: want an SM3 hash", stored)
	}
	// The terminal moved to another unit: its code no longer opens the first.
	_, err = e.s.UpdateUnit(disp1, car.ID, zhudun.UnitUpdate{Terminal: ptr("")})
	e.must(err)
	if _, err := e.s.AuthenticateTerminal(gw, "13800138000", again.Code); code(err) != zhudun.EUNAUTHORIZED {
		t.Fatalf("a code after the unit dropped the terminal: %v", err)
	}
}

// testTerminalBinding: the first registration binds the phone to its
// device identity; the same device registers again (a new code), another
// one is refused with ECONFLICT on "device" — the bound code still works,
// a security.terminal_takeover alert names the unit, never the phone, and
// repeats fold into it — until the unit's terminal is changed (re-armed).
func testTerminalBinding(t *testing.T, b Backend) {
	e, u := patrolEnv(t, b)
	disp1 := e.as(u["disp1"])
	car, err := e.s.CreateUnit(disp1, zhudun.NewUnit{Callsign: "ST1-C1", Kind: "car", StationCode: "ST1", Terminal: "013800138000"})
	e.must(err)
	gwc := zhudun.SystemCaller("jt808")
	gwc.ClientAddr = "10.9.0.7"
	gw := zhudun.WithCaller(context.Background(), gwc)
	real := zhudun.TerminalDevice{Maker: "70111", Model: "JT-G7", ID: "A12B34C"}
	evil := zhudun.TerminalDevice{Maker: "70111", Model: "JT-G7", ID: "A12B34D"}
	first, err := e.s.RegisterTerminal(gw, "13800138000", real)
	e.must(err)
	for i := range 2 {
		_, err := e.s.RegisterTerminal(gw, "13800138000", evil)
		var ze *zhudun.Error
		if !errors.As(err, &ze) || ze.Code != zhudun.ECONFLICT || ze.Field != "device" {
			t.Fatalf("attempt %d from another device: %v", i, err)
		}
	}
	for _, d := range []zhudun.TerminalDevice{{Maker: "70111", Model: "JT-G8", ID: "A12B34C"}, {Maker: "70112", Model: "JT-G7", ID: "A12B34C"}, {}} {
		if _, err := e.s.RegisterTerminal(gw, "13800138000", d); code(err) != zhudun.ECONFLICT {
			t.Fatalf("another maker or model %+v: %v", d, err)
		}
	}
	if id, err := e.s.AuthenticateTerminal(gw, "13800138000", first.Code); err != nil || id != car.ID {
		t.Fatalf("the bound terminal's code after the attempts: %d %v", id, err)
	}
	as, _, err := e.s.FindAlerts(e.sys, zhudun.AlertFilter{Event: zhudun.SecTerminalTakeover})
	e.must(err)
	if len(as) != 1 || as[0].Subject != "ST1-C1" || as[0].ClientAddr != "10.9.0.7" || as[0].Count != 5 {
		t.Fatalf("takeover alerts: %+v", as)
	}
	if d := string(as[0].Detail); strings.Contains(d, "13800138000") || !strings.Contains(d, "A12B34D") || !strings.Contains(d, "A12B34C") {
		t.Fatalf("alert detail: %s", d)
	}
	rows, n, err := e.s.FindAudit(e.sys, zhudun.AuditFilter{Action: zhudun.SecTerminalTakeover})
	e.must(err)
	if n != 1 || rows[0].Result != zhudun.ResultDenied {
		t.Fatalf("takeover audit: %d %+v", n, rows)
	}
	// The same device again: a new code, the old one retired.
	again, err := e.s.RegisterTerminal(gw, "13800138000", real)
	e.must(err)
	if _, err := e.s.AuthenticateTerminal(gw, "13800138000", first.Code); code(err) != zhudun.EUNAUTHORIZED {
		t.Fatalf("the old code after the device re-registered: %v", err)
	}
	// Re-arming: the terminal cleared and set again (the device was
	// replaced, the SIM kept): the code goes, a new device binds.
	for _, term := range []string{"", "013800138000"} {
		_, err = e.s.UpdateUnit(disp1, car.ID, zhudun.UnitUpdate{Terminal: ptr(term)})
		e.must(err)
	}
	if _, err := e.s.AuthenticateTerminal(gw, "13800138000", again.Code); code(err) != zhudun.EUNAUTHORIZED {
		t.Fatalf("a code after re-arming: %v", err)
	}
	rows, _, err = e.s.FindAudit(e.sys, zhudun.AuditFilter{Action: "unit.update"})
	e.must(err)
	if len(rows) != 2 || !strings.Contains(string(rows[1].Detail), `"terminal_binding_cleared":true`) || strings.Contains(string(rows[0].Detail), "binding") {
		t.Fatalf("re-arming audit: %+v", rows)
	}
	next, err := e.s.RegisterTerminal(gw, "13800138000", evil)
	if err != nil || next.UnitID != car.ID {
		t.Fatalf("a new device after re-arming: %+v %v", next, err)
	}
	if _, err := e.s.RegisterTerminal(gw, "13800138000", real); code(err) != zhudun.ECONFLICT {
		t.Fatalf("the old device after re-arming: %v", err)
	}
	// Moving the phone to another unit leaves the first unbound too.
	other, err := e.s.CreateUnit(disp1, zhudun.NewUnit{Callsign: "ST1-C2", Kind: "car", StationCode: "ST1"})
	e.must(err)
	_, err = e.s.UpdateUnit(disp1, car.ID, zhudun.UnitUpdate{Terminal: ptr("")})
	e.must(err)
	_, err = e.s.UpdateUnit(disp1, other.ID, zhudun.UnitUpdate{Terminal: ptr("13800138000")})
	e.must(err)
	if reg, err := e.s.RegisterTerminal(gw, "13800138000", real); err != nil || reg.UnitID != other.ID {
		t.Fatalf("the phone on another unit: %+v %v", reg, err)
	}
}

// testUnitAlarms: a kind is raised once while it stays up, again after it
// cleared if it was not announced within zhudun.AlarmRepeatInterval; each raise is a unit.alarm event for the unit's station and the
// dispatchers above it, nobody else.
func testUnitAlarms(t *testing.T, b Backend) {
	e, u := patrolEnv(t, b)
	disp1 := e.as(u["disp1"])
	car, err := e.s.CreateUnit(disp1, zhudun.NewUnit{Callsign: "ST1-C1", Kind: "car", StationCode: "ST1", Terminal: "13800138000"})
	e.must(err)
	gw := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("jt808"))
	lon, lat := 117.005, 36.605
	at := time.Date(2026, 12, 3, 6, 0, 0, 0, time.UTC)
	report := func(kinds ...string) []string {
		t.Helper()
		r, err := e.s.ReportUnitAlarm(gw, zhudun.UnitAlarm{UnitID: car.ID, Kinds: kinds, Lon: &lon, Lat: &lat, At: at})
		e.must(err)
		return r
	}
	if _, err := e.s.ReportUnitAlarm(disp1, zhudun.UnitAlarm{UnitID: car.ID, Kinds: []string{"emergency"}}); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("a dispatcher reports an alarm: %v", err)
	}
	if _, err := e.s.ReportUnitAlarm(gw, zhudun.UnitAlarm{UnitID: 999999, Kinds: []string{"emergency"}}); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("no such unit: %v", err)
	}
	for i, c := range []struct {
		kinds   []string
		want    string
		advance time.Duration // before the report
	}{
		{nil, "", 0},
		{[]string{"emergency"}, "emergency", 0},
		{[]string{"emergency", "emergency"}, "", 0}, // held: no new alarm
		{[]string{"emergency", "overspeed"}, "overspeed", time.Second},
		{[]string{"overspeed"}, "", 0},
		{[]string{"overspeed", "emergency"}, "", 0}, // pressed again within AlarmRepeatInterval: up, not announced
		{[]string{"overspeed"}, "", 0},
		{[]string{"overspeed", "emergency"}, "", zhudun.AlarmRepeatInterval - 2*time.Second}, // still within
		{nil, "", 0},
		{[]string{"emergency"}, "emergency", 2 * time.Second}, // the interval over: announced again
		{[]string{"power_low"}, "power_low", 0},
	} {
		e.clock.Advance(c.advance)
		if got := strings.Join(report(c.kinds...), ","); got != c.want {
			t.Errorf("report %d %v: raised %q, want %q", i, c.kinds, got, c.want)
		}
	}
	evs, err := e.s.PendingEvents(e.sys, 1000)
	e.must(err)
	var alarms []zhudun.Event
	for _, ev := range evs {
		if ev.Type == "unit.alarm" {
			alarms = append(alarms, ev)
		}
	}
	if len(alarms) != 4 {
		t.Fatalf("%d unit.alarm events, want 4", len(alarms))
	}
	first := string(alarms[0].Data)
	for _, s := range []string{`"emergency":true`, `"callsign":"ST1-C1"`, `"station":"ST1"`, `"raised":["emergency"]`, `"lon":117.005`} {
		if !strings.Contains(first, s) {
			t.Errorf("first alarm event lacks %s: %s", s, first)
		}
	}
	if strings.Contains(first, "13800138000") || !strings.Contains(string(alarms[1].Data), `"emergency":false`) {
		t.Errorf("alarm events: %s / %s", first, alarms[1].Data)
	}
	for name, want := range map[string]bool{"off1": true, "disp1": true, "cmd1": true, "off3": false, "disp2": false, "ana1": false} {
		if got := alarms[0].Visible(zhudun.CallerFrom(e.as(u[name]))); got != want {
			t.Errorf("%s sees the emergency: %v, want %v", name, got, want)
		}
	}
}
