package storetest

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// testUnitAlarmAck: the announced alarms nobody acknowledged are listed to
// their receivers only (a station its own units'); one acknowledgement
// records who, when and the note, is audited and streamed, and takes the
// alarm off the list; of 10 at once exactly one succeeds.
func testUnitAlarmAck(t *testing.T, b Backend) {
	e, u := patrolEnv(t, b)
	disp1 := e.as(u["disp1"])
	car1, err := e.s.CreateUnit(disp1, zhudun.NewUnit{Callsign: "ST1-C1", Kind: "car", StationCode: "ST1", Terminal: "13800138001"})
	e.must(err)
	car3, err := e.s.CreateUnit(disp1, zhudun.NewUnit{Callsign: "ST3-C1", Kind: "car", StationCode: "ST3", Terminal: "13800138003"})
	e.must(err)
	gw := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("jt808"))
	lon, lat := 117.005, 36.605
	report := func(id int64, kinds ...string) {
		t.Helper()
		_, err := e.s.ReportUnitAlarm(gw, zhudun.UnitAlarm{UnitID: id, Kinds: kinds, Lon: &lon, Lat: &lat, At: e.clock.Now()})
		e.must(err)
	}
	report(car1.ID, "emergency") // announced: open
	e.clock.Advance(time.Second)
	report(car1.ID) // the terminal clears it: still open until acknowledged
	e.clock.Advance(time.Second)
	report(car1.ID, "emergency") // within AlarmRepeatInterval: stored, not announced, not listed
	e.clock.Advance(time.Minute)
	report(car3.ID, "overspeed")

	open := func(who string) []string {
		t.Helper()
		as, err := e.s.OpenUnitAlarms(e.as(u[who]), 0)
		e.must(err)
		var out []string
		for _, a := range as {
			out = append(out, a.Callsign+":"+strings.Join(a.Raised, ","))
		}
		return out
	}
	for who, want := range map[string]string{
		"disp1": "ST3-C1:overspeed ST1-C1:emergency", // SB1 holds both stations, newest first
		"cmd1":  "ST3-C1:overspeed ST1-C1:emergency",
		"off1":  "ST1-C1:emergency", // ST1's officer: ST1's units only
		"off3":  "ST3-C1:overspeed",
		"disp2": "", // SB2: neither
	} {
		if got := strings.Join(open(who), " "); got != want {
			t.Errorf("%s lists %q, want %q", who, got, want)
		}
	}
	if _, err := e.s.OpenUnitAlarms(e.as(u["ana1"]), 0); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("analyst lists alarms: %v", err)
	}
	as, err := e.s.OpenUnitAlarms(e.as(u["off1"]), 0)
	e.must(err)
	first := as[0]
	if !first.Emergency || !first.Cleared || first.Lon == nil || *first.Lon != 117.005 || first.Station != "ST1" || first.AckedAt != nil {
		t.Errorf("ST1-C1's alarm as listed: %+v", first)
	}
	// Out of scope: another station's officer, another sub-bureau's
	// dispatcher; an unknown id; the de-bounced row (not announced).
	for _, who := range []string{"off3", "disp2"} {
		if _, err := e.s.AckUnitAlarm(e.as(u[who]), first.ID, ""); code(err) != zhudun.ENOTFOUND {
			t.Errorf("%s acknowledges ST1-C1's alarm: %v, want ENOTFOUND", who, err)
		}
	}
	if _, err := e.s.AckUnitAlarm(e.as(u["off1"]), 999999, ""); code(err) != zhudun.ENOTFOUND {
		t.Errorf("unknown alarm: %v", err)
	}
	var quiet int64
	e.must(e.s.DB().QueryRow(rebind(e.s, `SELECT id FROM unit_alarms WHERE unit_id = ? AND raised = ''`), car1.ID).Scan(&quiet))
	if _, err := e.s.AckUnitAlarm(e.as(u["off1"]), quiet, ""); code(err) != zhudun.ENOTFOUND {
		t.Errorf("a row that announced nothing: %v, want ENOTFOUND", err)
	}
	if _, err := e.s.AckUnitAlarm(e.as(u["off1"]), first.ID, strings.Repeat("字", zhudun.MaxAlarmAckNote+1)); code(err) != zhudun.EINVALID {
		t.Errorf("a note too long: %v", err)
	}
	if _, err := e.s.AckUnitAlarm(gw, first.ID, ""); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("the system acknowledges: %v", err)
	}

	before, err := e.s.PendingEvents(e.sys, 10000)
	e.must(err)
	audits := e.auditCount("unit.alarm_ack")
	// Ten screens at once: one wins, nine are told it is taken.
	var wg sync.WaitGroup
	errs := make([]error, 10)
	users := []string{"off1", "disp1", "cmd1", "off1", "disp1", "cmd1", "off1", "disp1", "cmd1", "off1"}
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.s.AckUnitAlarm(e.as(u[users[i]]), first.ID, "已联系车组，误触")
		}()
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch code(err) {
		case "":
			if won >= 0 {
				t.Errorf("acks %d and %d both succeeded", won, i)
			}
			won = i
		case zhudun.ECONFLICT:
		default:
			t.Errorf("ack %d: %v, want ECONFLICT", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no acknowledgement succeeded")
	}
	if n := e.auditCount("unit.alarm_ack"); n != audits+1 {
		t.Errorf("%d unit.alarm_ack audit rows, want %d", n, audits+1)
	}
	var by, note string
	var at time.Time
	e.must(e.s.DB().QueryRow(rebind(e.s, `SELECT acked_by, ack_note, acked_at FROM unit_alarms WHERE id = ?`), first.ID).Scan(&by, &note, &at))
	if by != users[won] || note != "已联系车组，误触" || !at.Equal(e.clock.Now().UTC().Truncate(time.Microsecond)) {
		t.Errorf("recorded ack by %q note %q at %v (winner %s)", by, note, at, users[won])
	}
	if _, err := e.s.AckUnitAlarm(e.as(u["off1"]), first.ID, ""); code(err) != zhudun.ECONFLICT || !strings.Contains(err.Error(), users[won]) {
		t.Errorf("a later ack: %v, want ECONFLICT naming %s", err, users[won])
	}
	after, err := e.s.PendingEvents(e.sys, 10000)
	e.must(err)
	var acked []zhudun.Event
	for _, ev := range after[len(before):] {
		if ev.Type == "unit.alarm.acked" {
			acked = append(acked, ev)
		}
	}
	if len(acked) != 1 {
		t.Fatalf("%d unit.alarm.acked events, want 1", len(acked))
	}
	if d := string(acked[0].Data); !strings.Contains(d, `"callsign":"ST1-C1"`) || !strings.Contains(d, `"acked_by":"`+users[won]+`"`) {
		t.Errorf("acked event: %s", d)
	}
	for name, want := range map[string]bool{"off1": true, "disp1": true, "cmd1": true, "off3": false, "disp2": false, "ana1": false} {
		if got := acked[0].Visible(zhudun.CallerFrom(e.as(u[name]))); got != want {
			t.Errorf("acked event visible to %s: %v, want %v", name, got, want)
		}
	}
	// Off every list; the other station's alarm stays.
	if got := strings.Join(open("disp1"), " "); got != "ST3-C1:overspeed" {
		t.Errorf("after the ack disp1 lists %q", got)
	}
	if got := open("off1"); len(got) != 0 {
		t.Errorf("after the ack off1 lists %v", got)
	}
	// The unit.alarm event names the row the ack route takes.
	var raisedEv string
	for _, ev := range before {
		if ev.Type == "unit.alarm" && strings.Contains(string(ev.Data), `"callsign":"ST1-C1"`) {
			raisedEv = string(ev.Data)
		}
	}
	if !strings.Contains(raisedEv, `"id":`+strconv.FormatInt(first.ID, 10)+`,`) {
		t.Errorf("unit.alarm event lacks the alarm id %d: %s", first.ID, raisedEv)
	}
}
