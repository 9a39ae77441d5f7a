package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// sq is the square grid [lon, lon+d] × [lat, lat+d] as a GeoJSON MultiPolygon.
func sq(lon, lat, d float64) [][][][2]float64 {
	return [][][][2]float64{{{{lon, lat}, {lon + d, lat}, {lon + d, lat + d}, {lon, lat + d}, {lon, lat}}}}
}

func grid(code, station string, lon, lat float64) *zhudun.Grid {
	return &zhudun.Grid{Code: code, StationCode: station, PatrolPoint: [2]float64{lon + 0.005, lat + 0.005}, Boundary: sq(lon, lat, 0.01)}
}

func cst(s string) *time.Time {
	t, err := time.Parse("2006-01-02 15:04:05 -0700", s+" +0800")
	if err != nil {
		panic(err)
	}
	return &t
}

func plus(t *time.Time, d time.Duration) *time.Time { u := t.Add(d); return &u }

// patrolEnv: the fixture tree plus ST3 under SB1, and
//
//	cmd1 (commander, SB1)  disp1 (dispatcher, SB1)  disp2 (dispatcher, SB2)
//	off1 (officer, ST1)    off3 (officer, ST3)      ana1 (analyst, SB1)
//
// Grids (0.01° squares at 36.60°N): A1 [117.00, 117.01] and A2 [117.01,
// 117.02] of ST1; C1 [117.02, 117.03] of ST3; B1 [117.00, 117.01] × [36.62,
// 36.63] of ST2.
func patrolEnv(t testing.TB, b Backend) (*env, map[string]*zhudun.User) {
	e := newEnv(t, b)
	e.fixture()
	st3 := zhudun.Dept{Code: "ST3", Name: "三所", Kind: zhudun.DeptStation, ParentCode: "SB1"}
	e.must(e.s.CreateDept(e.sys, &st3))
	u := map[string]*zhudun.User{}
	for _, x := range []struct{ name, dept, role string }{
		{"cmd1", "SB1", zhudun.RoleCommander}, {"disp1", "SB1", zhudun.RoleDispatcher}, {"disp2", "SB2", zhudun.RoleDispatcher},
		{"off1", "ST1", zhudun.RoleOfficer}, {"off3", "ST3", zhudun.RoleOfficer}, {"ana1", "SB1", zhudun.RoleAnalyst},
		{"cmd2", "SB2", zhudun.RoleCommander},
	} {
		u[x.name] = e.user(x.name, x.dept, x.role)
	}
	rep, err := e.s.ImportGrids(e.as(u["cmd1"]), []*zhudun.Grid{grid("A1", "ST1", 117.00, 36.60), grid("A2", "ST1", 117.01, 36.60), grid("C1", "ST3", 117.02, 36.60)}, nil)
	if err != nil || !rep.Accepted || rep.Created != 3 || len(rep.Problems) != 0 {
		t.Fatalf("import A1 A2 C1: %+v %v", rep, err)
	}
	rep, err = e.s.ImportGrids(e.as(u["cmd2"]), []*zhudun.Grid{grid("B1", "ST2", 117.00, 36.62)}, nil)
	if err != nil || !rep.Accepted || rep.Created != 1 {
		t.Fatalf("import B1: %+v %v", rep, err)
	}
	return e, u
}

func testPatrolGrids(t *testing.T, b Backend) {
	e, u := patrolEnv(t, b)
	cmd1 := e.as(u["cmd1"])
	// An overlap with a stored grid, an overlap inside the upload, a bow-tie
	// ring, and a station out of reach: nothing is stored, each is named.
	bow := &zhudun.Grid{Code: "BOW", StationCode: "ST1", PatrolPoint: [2]float64{117.105, 36.605},
		Boundary: [][][][2]float64{{{{117.10, 36.60}, {117.11, 36.61}, {117.11, 36.60}, {117.10, 36.61}, {117.10, 36.60}}}}}
	rep, err := e.s.ImportGrids(cmd1, []*zhudun.Grid{
		grid("X1", "ST1", 117.005, 36.605), // overlaps A1 and A2
		grid("Y1", "ST1", 117.20, 36.60), grid("Y2", "ST1", 117.205, 36.60),
		bow,
		grid("Z1", "ST2", 117.30, 36.60),
	}, nil)
	if err != nil || rep.Accepted || rep.Created != 0 {
		t.Fatalf("bad upload: %+v %v", rep, err)
	}
	got := map[string]bool{}
	for _, p := range rep.Problems {
		got[p.Kind+":"+p.Feature+":"+p.Other] = true
	}
	for _, want := range []string{"overlap:X1:A1", "overlap:X1:A2", "overlap:Y1:Y2", "invalid_ring:BOW:", "station:Z1:"} {
		if !got[want] {
			t.Errorf("problem %s missing from %v", want, rep.Problems)
		}
	}
	if len(rep.Problems) != 5 {
		t.Errorf("%d problems, want 5: %+v", len(rep.Problems), rep.Problems)
	}
	if _, n, _ := e.s.FindGrids(cmd1, zhudun.GridFilter{}); n != 3 {
		t.Errorf("after a rejected upload cmd1 sees %d grids, want 3", n)
	}
	// Eight squares around an empty one: stored, with one gap warning of
	// about 0.01° × 0.01° ≈ 1,113 m × 893 m ≈ 993,000 m².
	var ring []*zhudun.Grid
	for c := 0; c < 3; c++ {
		for r := 0; r < 3; r++ {
			if c == 1 && r == 1 {
				continue
			}
			ring = append(ring, grid(fmt.Sprintf("R%d%d", c, r), "ST1", 117.5+float64(c)*0.01, 36.6+float64(r)*0.01))
		}
	}
	rep, err = e.s.ImportGrids(cmd1, ring, nil)
	if err != nil || !rep.Accepted || rep.Created != 8 || len(rep.Problems) != 1 || rep.Problems[0].Kind != zhudun.GridProblemGap {
		t.Fatalf("ring upload: %+v %v", rep, err)
	}
	if a := rep.Problems[0].AreaM2; math.Abs(a-993000)/993000 > 0.05 || *rep.Problems[0].Lon < 117.51 || *rep.Problems[0].Lon > 117.52 {
		t.Errorf("gap %+v; want about 993,000 m² around 117.515", rep.Problems[0])
	}
	// Scope: each commander sees its own grids; replacing by code works.
	if _, n, _ := e.s.FindGrids(e.as(u["cmd2"]), zhudun.GridFilter{}); n != 1 {
		t.Errorf("cmd2 sees %d grids, want 1", n)
	}
	a1 := grid("A1", "ST1", 117.00, 36.60)
	a1.Name = "甲一"
	if rep, err := e.s.ImportGrids(cmd1, []*zhudun.Grid{a1}, nil); err != nil || rep.Updated != 1 {
		t.Errorf("replace A1: %+v %v", rep, err)
	}
	if rep, _ := e.s.ImportGrids(e.as(u["cmd2"]), []*zhudun.Grid{grid("A1", "ST2", 117.00, 36.60)}, nil); rep == nil || rep.Accepted {
		t.Errorf("cmd2 takes over A1: %+v", rep)
	}
	if _, err := e.s.ImportGrids(e.as(u["disp1"]), []*zhudun.Grid{grid("Q1", "ST1", 118, 36)}, nil); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("dispatcher imports grids: %v", err)
	}
}

func testPatrolDispatch(t *testing.T, b Backend) {
	e, u := patrolEnv(t, b)
	cmd1, disp1, disp2 := e.as(u["cmd1"]), e.as(u["disp1"]), e.as(u["disp2"])
	u1, err := e.s.CreateUnit(cmd1, zhudun.NewUnit{Callsign: "一所01", Kind: "car", StationCode: "ST1"})
	e.must(err)
	u3, err := e.s.CreateUnit(cmd1, zhudun.NewUnit{Callsign: "三所01", Kind: "ebike", StationCode: "ST3"})
	e.must(err)
	if u1.Status != zhudun.UnitOffDuty || u1.Version != 1 {
		t.Fatalf("new unit %+v", u1)
	}
	if _, err := e.s.CreateUnit(cmd1, zhudun.NewUnit{Callsign: "一所01", Kind: "car", StationCode: "ST1"}); code(err) != zhudun.ECONFLICT {
		t.Errorf("duplicate callsign: %v", err)
	}
	if _, err := e.s.CreateUnit(cmd1, zhudun.NewUnit{Callsign: "二所01", Kind: "car", StationCode: "ST2"}); code(err) != zhudun.EINVALID {
		t.Errorf("unit in another sub-bureau: %v", err)
	}
	if _, err := e.s.FindUnitByID(disp2, u1.ID); code(err) != zhudun.ENOTFOUND {
		t.Errorf("disp2 reads ST1's unit: %v", err)
	}
	// States: the custom label maps to its base; dispatched cannot be reported.
	if x, err := e.s.SetUnitStatus(disp1, u3.ID, "standby"); err != nil || x.Status != zhudun.UnitPatrolling || x.StatusLabel != "standby" || x.Version != 2 {
		t.Fatalf("standby: %+v %v", x, err)
	}
	if _, err := e.s.SetUnitStatus(disp1, u1.ID, "dispatched"); code(err) != zhudun.ECONFLICT {
		t.Errorf("report dispatched: %v", err)
	}
	if _, err := e.s.SetUnitStatus(disp1, u1.ID, "flying"); code(err) != zhudun.EINVALID {
		t.Errorf("unknown label: %v", err)
	}
	// Positions: stored, the newest kept, streamed, not audited.
	auditBefore := e.auditCount("")
	now := e.clock.Now()
	x, err := e.s.AddPositions(disp1, u1.ID, []zhudun.Position{{Lon: 117.004, Lat: 36.604, TS: now.Add(-20 * time.Second)}, {Lon: 117.005, Lat: 36.605, TS: now.Add(-10 * time.Second)}})
	if err != nil || *x.Lon != 117.005 || !x.PositionAt.Equal(now.Add(-10*time.Second)) {
		t.Fatalf("positions: %+v %v", x, err)
	}
	if x, _ := e.s.AddPositions(disp1, u1.ID, []zhudun.Position{{Lon: 117.0, Lat: 36.0, TS: now.Add(-time.Minute)}}); *x.Lon != 117.005 {
		t.Errorf("an older fix replaced the latest: %v", *x.Lon)
	}
	if _, err := e.s.AddPositions(disp1, u1.ID, []zhudun.Position{{Lon: 117, Lat: 36.6, TS: now.Add(time.Hour)}}); code(err) != zhudun.EINVALID {
		t.Errorf("future fix: %v", err)
	}
	if n := e.auditCount(""); n != auditBefore {
		t.Errorf("positions wrote %d audit rows", n-auditBefore)
	}
	// The track: every stored fix of the window, oldest first (the older
	// fix that did not move the unit included); none outside the scope.
	tr, err := e.s.UnitTrack(disp1, u1.ID, now.Add(-30*time.Minute))
	if err != nil || len(tr) != 3 || tr[0].Lon != 117.0 || tr[1].Lon != 117.004 || tr[2].Lon != 117.005 || !tr[2].TS.Equal(now.Add(-10*time.Second)) {
		t.Errorf("track: %+v %v", tr, err)
	}
	if tr, err := e.s.UnitTrack(disp1, u1.ID, now.Add(-30*time.Second)); err != nil || len(tr) != 2 {
		t.Errorf("track of 30 s: %+v %v", tr, err)
	}
	if tr, err := e.s.UnitTrack(disp1, u3.ID, now.Add(-30*time.Minute)); err != nil || tr == nil || len(tr) != 0 {
		t.Errorf("track of a unit without fixes: %#v %v", tr, err)
	}
	if _, err := e.s.UnitTrack(disp2, u1.ID, now.Add(-30*time.Minute)); code(err) != zhudun.ENOTFOUND {
		t.Errorf("disp2 reads ST1's track: %v", err)
	}
	if _, err := e.s.UnitTrack(disp1, u1.ID, now.Add(-25*time.Hour)); code(err) != zhudun.EINVALID {
		t.Errorf("a track of 25 hours: %v", err)
	}
	// An incident at a point of A1, with the caller's phone.
	inc, err := e.s.CreateIncident(disp1, zhudun.NewIncident{Category: "dispute", Lon: 117.006, Lat: 36.606, CallerPhone: "139 1234 5678", Address: "经十路1号"})
	if err != nil || inc.GridCode != "A1" || inc.StationCode != "ST1" || inc.CallerPhone != "139****5678" || inc.CategoryVersion != 1 ||
		inc.CategoryName != "纠纷" || inc.Status != zhudun.IncidentReceived || inc.Priority != 2 || inc.Source != "110" {
		t.Fatalf("create: %+v %v", inc, err)
	}
	if _, err := e.s.CreateIncident(disp1, zhudun.NewIncident{Category: "dispute", Lon: 117.5, Lat: 30}); code(err) != zhudun.EINVALID || field(err) != "lon" {
		t.Errorf("outside every grid: %v", err)
	}
	if _, err := e.s.CreateIncident(disp1, zhudun.NewIncident{Category: "dispute", Lon: 117.005, Lat: 36.625}); code(err) != zhudun.EINVALID {
		t.Errorf("disp1 creates in ST2's grid: %v", err)
	}
	if _, err := e.s.CreateIncident(disp1, zhudun.NewIncident{Category: "theft", Lon: 117.006, Lat: 36.606}); field(err) != "category" {
		t.Errorf("unknown category: %v", err)
	}
	// Another sub-bureau's dispatcher: nothing by id, list or count.
	if _, err := e.s.FindIncidentByID(disp2, inc.ID); code(err) != zhudun.ENOTFOUND {
		t.Errorf("disp2 by id: %v", err)
	}
	if xs, n, err := e.s.FindIncidents(disp2, zhudun.IncidentFilter{}); err != nil || n != 0 || len(xs) != 0 {
		t.Errorf("disp2 list: %d %v", n, err)
	}
	if _, n, _ := e.s.FindIncidents(e.as(u["off3"]), zhudun.IncidentFilter{}); n != 0 {
		t.Errorf("off3 sees %d before the loan", n)
	}
	if _, n, _ := e.s.FindIncidents(disp1, zhudun.IncidentFilter{Phone: "13912345678", Reason: "来电核查：是否重复报警"}); n != 1 {
		t.Errorf("search by phone: %d", n)
	}
	// Dispatching another unit than the recommended one needs a reason.
	rec := u1.ID
	if _, err := e.s.DispatchIncident(disp1, inc.ID, zhudun.Dispatch{UnitID: u3.ID, Recommended: &rec}); field(err) != "reason" {
		t.Errorf("override without reason: %v", err)
	}
	if _, err := e.s.DispatchIncident(disp1, inc.ID, zhudun.Dispatch{UnitID: u1.ID, Recommended: &rec}); code(err) != zhudun.ECONFLICT {
		t.Errorf("dispatch an off-duty unit: %v", err)
	}
	// ST3's unit is lent: ST3's officer sees the incident while it is assigned.
	d, err := e.s.DispatchIncident(disp1, inc.ID, zhudun.Dispatch{UnitID: u3.ID, Recommended: &rec, Reason: "一所01未上线"})
	if err != nil || d.Status != zhudun.IncidentDispatched || d.LentTo != "ST3" || d.UnitCallsign != "三所01" || d.DispatchedAt == nil || d.OverrideReason != "一所01未上线" {
		t.Fatalf("dispatch: %+v %v", d, err)
	}
	off3 := e.as(u["off3"])
	if x, err := e.s.FindIncidentByID(off3, inc.ID); err != nil || x.ID != inc.ID {
		t.Errorf("off3 during the loan: %v", err)
	}
	// And lists it, counted once: the total counts the lent station's part
	// of the scope on its own.
	if list, total, err := e.s.FindIncidents(off3, zhudun.IncidentFilter{}); err != nil || total != 1 || len(list) != 1 || list[0].ID != inc.ID {
		t.Errorf("off3's list during the loan: %d of %d, %v; want the one lent incident", len(list), total, err)
	}
	if n := e.auditCount("incident.lend"); n != 1 {
		t.Errorf("%d incident.lend rows, want 1", n)
	}
	if x, _ := e.s.FindUnitByID(disp1, u3.ID); x.Status != zhudun.UnitDispatched || x.IncidentID == nil || *x.IncidentID != inc.ID {
		t.Errorf("unit after dispatch: %+v", x)
	}
	if _, err := e.s.SetUnitStatus(disp1, u3.ID, "off_duty"); code(err) != zhudun.ECONFLICT {
		t.Errorf("off duty while assigned: %v", err)
	}
	e.clock.Advance(4*time.Minute + 30*time.Second)
	if a, err := e.s.SetUnitStatus(disp1, u3.ID, "on_scene"); err != nil || a.Status != zhudun.UnitOnScene {
		t.Fatalf("on scene by status: %+v %v", a, err)
	}
	if x, _ := e.s.FindIncidentByID(disp1, inc.ID); x.Status != zhudun.IncidentOnScene || x.ArrivedAt == nil {
		t.Errorf("arrival recorded by status: %+v", x)
	}
	if _, err := e.s.ArriveIncident(disp1, inc.ID); code(err) != zhudun.ECONFLICT {
		t.Errorf("arrive twice: %v", err)
	}
	if _, err := e.s.CloseIncident(disp1, inc.ID, zhudun.IncidentClose{Outcome: "solved"}); field(err) != "outcome" {
		t.Errorf("bad outcome: %v", err)
	}
	c, err := e.s.CloseIncident(disp1, inc.ID, zhudun.IncidentClose{Outcome: "mediated", Note: "双方和解", CaseRef: "JN2026-0001"})
	if err != nil || c.Status != zhudun.IncidentClosed || c.Outcome != "mediated" || c.LentTo != "" || c.ClosedAt == nil || c.CaseRef != "JN2026-0001" {
		t.Fatalf("close: %+v %v", c, err)
	}
	if x, _ := e.s.FindUnitByID(disp1, u3.ID); x.Status != zhudun.UnitPatrolling || x.IncidentID != nil {
		t.Errorf("unit after close: %+v", x)
	}
	if _, err := e.s.FindIncidentByID(off3, inc.ID); code(err) != zhudun.ENOTFOUND {
		t.Errorf("off3 after the loan ended: %v", err)
	}
	if _, err := e.s.FindIncidentByID(e.as(u["off1"]), inc.ID); err != nil {
		t.Errorf("off1 (owning station): %v", err)
	}
	// The phone: masked everywhere, clear only with pii:view and a reason.
	if _, err := e.s.RevealIncidentPII(disp1, inc.ID, "回访报警人"); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("dispatcher reveals: %v", err)
	}
	if p, err := e.s.RevealIncidentPII(e.as(u["ana1"]), inc.ID, "回访报警人"); err != nil || p != "13912345678" {
		t.Errorf("analyst reveals: %q %v", p, err)
	}
	evs, err := e.s.PendingEvents(context.Background(), 1000)
	e.must(err)
	types := map[string]int{}
	for _, ev := range evs {
		types[ev.Type]++
		if strings.Contains(string(ev.Data), "5678") {
			t.Errorf("event %s carries the phone: %s", ev.Type, ev.Data)
		}
	}
	// Lent: dispatched, arrived and closed each went to both stations.
	for typ, want := range map[string]int{"incident.created": 1, "incident.dispatched": 2, "incident.arrived": 2, "incident.closed": 2, "unit.position": 1} {
		if types[typ] != want {
			t.Errorf("%d %s events, want %d", types[typ], typ, want)
		}
	}
}

func (e *env) auditCount(action string) int {
	_, n, err := e.s.FindAudit(e.sys, zhudun.AuditFilter{Action: action, Limit: 1})
	e.must(err)
	return n
}

func testPatrolReport(t *testing.T, b Backend) {
	e, u := patrolEnv(t, b)
	A1, A2 := [2]float64{117.005, 36.605}, [2]float64{117.015, 36.605}
	row := func(cat string, p [2]float64, recv string, arrive time.Duration, outcome string) zhudun.NewIncident {
		r := cst(recv)
		n := zhudun.NewIncident{Category: cat, Lon: p[0], Lat: p[1], ReceivedAt: r, Source: "110", ClosedAt: plus(r, time.Hour), Outcome: outcome}
		if arrive > 0 {
			n.DispatchedAt, n.ArrivedAt = plus(r, time.Minute), plus(r, arrive)
		}
		return n
	}
	rows := []zhudun.NewIncident{
		// This year, 2026-01-01 … 2026-02-28 (Shanghai). Response minutes 4, 6, 5, 11.
		row("criminal", A1, "2026-01-05 10:00:00", 4*time.Minute, "criminal_case"),
		row("dispute", A2, "2026-01-31 23:30:00", 5*time.Minute+30*time.Second, "mediated"),
		row("rescue", A1, "2026-02-10 08:00:00", 5*time.Minute, "rescued"),
		row("public_order", A2, "2026-02-28 23:59:59", 10*time.Minute+30*time.Second, "public_order_case"),
		// Outside both periods.
		row("criminal", A1, "2026-03-01 00:00:10", 0, "handled"),
		row("other", A1, "2025-12-31 23:59:00", 0, "handled"),
		// Last year, 2025-01-01 … 2025-02-28. Response minutes 3, 7.
		row("criminal", A1, "2025-01-10 09:00:00", 3*time.Minute, "criminal_case"),
		row("criminal", A1, "2025-02-01 09:00:00", 7*time.Minute, "criminal_case"),
		row("dispute", A2, "2025-02-15 09:00:00", 0, "mediated"),
		row("dispute", A2, "2025-02-20 09:00:00", 0, "mediated"),
		row("traffic", A2, "2025-02-28 12:00:00", 0, "handled"),
		// Rejected: outside every grid, unknown category, arrival before receipt.
		row("criminal", [2]float64{118, 30}, "2026-01-05 10:00:00", 0, "handled"),
		row("theft", A1, "2026-01-05 10:00:00", 0, "handled"),
		{Category: "criminal", Lon: A1[0], Lat: A1[1], ReceivedAt: cst("2026-01-05 10:00:00"), DispatchedAt: cst("2026-01-05 09:00:00")},
	}
	n, bad, err := e.s.ImportIncidents(e.sys, zhudun.IncidentImport{Rows: rows})
	if err != nil || n != 11 || len(bad) != 3 || bad[0].Row != 11 || bad[0].Field != "lon" || bad[1].Field != "category" || bad[2].Field != "dispatched_at" {
		t.Fatalf("import: %d %+v %v", n, bad, err)
	}
	if _, _, err := e.s.ImportIncidents(e.as(u["disp1"]), zhudun.IncidentImport{Rows: rows[:1]}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("a dispatcher (no incident:import) imports: %v", err)
	}
	q := zhudun.PatrolReportQuery{From: *cst("2026-01-01 00:00:00"), To: *cst("2026-02-28 00:00:00")}
	rep, err := e.s.PatrolReport(e.as(u["cmd1"]), q)
	if err != nil {
		t.Fatal(err)
	}
	f := func(v *float64) string {
		if v == nil {
			return "nil"
		}
		return fmt.Sprintf("%.1f", *v)
	}
	i := func(v *int) string {
		if v == nil {
			return "nil"
		}
		return fmt.Sprint(*v)
	}
	cmp := func(c zhudun.Compare) string { return fmt.Sprintf("%d/%d/%s", c.Count, c.LastYear, f(c.ChangePct)) }
	tot := rep.Total
	got := fmt.Sprintf("incidents %s criminal %s public_order %s mediated %s rescued %s",
		cmp(tot.Incidents), cmp(tot.CriminalCases), cmp(tot.PublicOrderCases), cmp(tot.DisputesMediated), cmp(tot.RescuesServices))
	if want := "incidents 4/5/-20.0 criminal 1/2/-50.0 public_order 1/0/nil mediated 1/2/-50.0 rescued 1/0/nil"; got != want {
		t.Errorf("totals:\n got %s\nwant %s", got, want)
	}
	r := tot.Response
	got = fmt.Sprintf("arrived %d median %s p90 %s within %d %s; last year median %s p90 %s within %s",
		r.Arrived, i(r.MedianMinutes), i(r.P90Minutes), r.WithinTarget, f(r.WithinTargetPct), i(r.LastYearMedian), i(r.LastYearP90), f(r.LastYearWithin))
	if want := "arrived 4 median 5 p90 11 within 2 50.0; last year median 3 p90 7 within 50.0"; got != want {
		t.Errorf("response:\n got %s\nwant %s", got, want)
	}
	var cats []string
	for _, c := range rep.ByCategory {
		cats = append(cats, c.Code+"="+cmp(c.Compare))
	}
	if got, want := strings.Join(cats, " "), "criminal=1/2/-50.0 public_order=1/0/nil traffic=0/1/-100.0 fire=0/0/nil rescue=1/0/nil dispute=1/2/-50.0 other=0/0/nil"; got != want {
		t.Errorf("by category:\n got %s\nwant %s", got, want)
	}
	if len(rep.BySource) != 4 || rep.BySource[0].Code != "110" || cmp(rep.BySource[0].Compare) != "4/5/-20.0" {
		t.Errorf("by source: %+v", rep.BySource)
	}
	var grids []string
	for _, g := range rep.Grids {
		grids = append(grids, g.Code+"("+g.Parent+")="+cmp(g.Incidents))
	}
	if got, want := strings.Join(grids, " "), "A1(ST1)=2/2/0.0 A2(ST1)=2/3/-33.3"; got != want {
		t.Errorf("grids:\n got %s\nwant %s", got, want)
	}
	if len(rep.Stations) != 1 || rep.Stations[0].Code != "ST1" || rep.Stations[0].Parent != "SB1" || len(rep.Districts) != 1 || rep.Districts[0].Code != "SB1" {
		t.Errorf("stations %+v districts %+v", rep.Stations, rep.Districts)
	}
	// A 10-minute target takes in the 4-, 5- and 6-minute responses.
	q10 := q
	q10.TargetMinutes = 10
	if r10, _ := e.s.PatrolReport(e.as(u["cmd1"]), q10); r10.Total.Response.WithinTarget != 3 || f(r10.Total.Response.WithinTargetPct) != "75.0" {
		t.Errorf("target 10: %+v", r10.Total.Response)
	}
	// Another sub-bureau's commander sees none of it; ST2 is not its to ask about… ST1 neither.
	if r2, err := e.s.PatrolReport(e.as(u["cmd2"]), q); err != nil || r2.Total.Incidents.Count != 0 || len(r2.Grids) != 0 {
		t.Errorf("cmd2 report: %+v %v", r2, err)
	}
	q1 := q
	q1.Dept = "ST1"
	if _, err := e.s.PatrolReport(e.as(u["cmd2"]), q1); code(err) != zhudun.ENOTFOUND {
		t.Errorf("cmd2 asks for ST1: %v", err)
	}
	if _, err := e.s.PatrolReport(e.as(u["disp1"]), q); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("dispatcher reads the report: %v", err)
	}
	// A mid-month range uses day rows: 2026-01-31 … 2026-02-10 holds the
	// dispute (Jan 31, Shanghai) and the rescue (Feb 10).
	qd := zhudun.PatrolReportQuery{From: *cst("2026-01-31 00:00:00"), To: *cst("2026-02-10 00:00:00")}
	if rd, _ := e.s.PatrolReport(e.as(u["cmd1"]), qd); rd.Total.Incidents.Count != 2 {
		t.Errorf("mid-month: %+v", rd.Total.Incidents)
	}
	// Live changes keep the rollup current: a rebuild from the incidents
	// table gives the same report.
	inc, err := e.s.CreateIncident(e.as(u["disp1"]), zhudun.NewIncident{Category: "fire", Lon: A1[0], Lat: A1[1]})
	e.must(err)
	_, err = e.s.CloseIncident(e.as(u["disp1"]), inc.ID, zhudun.IncidentClose{Outcome: "rescued"})
	e.must(err)
	qy := zhudun.PatrolReportQuery{From: *cst("2026-01-01 00:00:00"), To: *cst("2026-12-31 00:00:00")}
	before, err := e.s.PatrolReport(e.as(u["cmd1"]), qy)
	e.must(err)
	if before.Total.Incidents.Count != 6 || before.Total.RescuesServices.Count != 2 {
		t.Errorf("year with live incident: %+v %+v", before.Total.Incidents, before.Total.RescuesServices)
	}
	if _, err := e.s.RebuildPatrolRollup(e.sys); err != nil {
		t.Fatal(err)
	}
	after, err := e.s.PatrolReport(e.as(u["cmd1"]), qy)
	e.must(err)
	bj, _ := json.Marshal(before)
	aj, _ := json.Marshal(after)
	if string(bj) != string(aj) {
		t.Errorf("rebuilt rollup differs:\n%s\n%s", bj, aj)
	}
}

// testPatrolRekey: key rotation re-seals incidents' caller phones too.
func testPatrolRekey(t *testing.T, b Backend) {
	e, u := patrolEnv(t, b)
	inc, err := e.s.CreateIncident(e.as(u["disp1"]), zhudun.NewIncident{Category: "dispute", Lon: 117.006, Lat: 36.606, CallerPhone: "13912345678"})
	e.must(err)
	if _, err := e.keys.Rotate("pii"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.keys.Rotate("index"); err != nil {
		t.Fatal(err)
	}
	n, err := e.s.RekeyPII(e.sys)
	if err != nil || n != 1 { // the incident; these users have no personal fields
		t.Fatalf("rekey: %d %v", n, err)
	}
	var enc string
	e.must(e.s.DB().QueryRow(`SELECT phone_enc FROM incidents`).Scan(&enc))
	if e.keys.NeedsRotation(enc) {
		t.Fatal("caller phone still under the old key")
	}
	phone, err := e.s.RevealIncidentPII(e.as(u["ana1"]), inc.ID, "涉诈线索核查")
	if err != nil || phone != "13912345678" {
		t.Fatalf("reveal after rotation: %q %v", phone, err)
	}
}

// circle is a grid whose boundary is a circle of n positions, r degrees
// across, around (lon, lat).
func circle(code, station string, lon, lat, r float64, n int) *zhudun.Grid {
	ring := make([][2]float64, n+1)
	for i := 0; i < n; i++ {
		a := 2 * math.Pi * float64(i) / float64(n)
		ring[i] = [2]float64{lon + r*math.Cos(a), lat + r*math.Sin(a)}
	}
	ring[n] = ring[0]
	return &zhudun.Grid{Code: code, StationCode: station, PatrolPoint: [2]float64{lon, lat}, Boundary: [][][][2]float64{{ring}}}
}

// testPatrolGridLimits is issue 19.7: vertices are capped per grid and per
// upload, big boundaries are checked in O(n log n), and the work stops when
// the request's context ends.
func testPatrolGridLimits(t *testing.T, b Backend) {
	e, u := patrolEnv(t, b)
	cmd1 := e.as(u["cmd1"])
	// 50,001 positions in one grid: refused by name, nothing stored.
	rep, err := e.s.ImportGrids(cmd1, []*zhudun.Grid{circle("BIG", "ST1", 117.6, 36.6, 0.004, 50000)}, nil)
	if err != nil || rep.Accepted || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].Message, "50001 positions; a grid may have at most 50000") {
		t.Fatalf("a grid over the cap: %+v %v", rep, err)
	}
	// An upload of more than 500,000 positions is refused whole.
	var many []*zhudun.Grid
	for i := 0; i < 11; i++ {
		many = append(many, circle(fmt.Sprintf("M%d", i), "ST1", 117.6+float64(i)*0.01, 36.7, 0.004, 46000))
	}
	if _, err := e.s.ImportGrids(cmd1, many, nil); code(err) != zhudun.EINVALID || !strings.Contains(zhudun.ErrorMessage(err), "at most 500000") {
		t.Fatalf("an upload over the cap: %v", err)
	}
	// Two grids of 40,000 positions each, side by side: accepted.
	rep, err = e.s.ImportGrids(cmd1, []*zhudun.Grid{circle("G1", "ST1", 117.6, 36.6, 0.004, 40000), circle("G2", "ST1", 117.61, 36.6, 0.004, 40000)}, nil)
	if err != nil || !rep.Accepted || rep.Created != 2 {
		t.Fatalf("two big grids: %+v %v", rep, err)
	}
	// A client that has gone: the check stops, nothing is stored.
	ctx, cancel := context.WithCancel(cmd1)
	cancel()
	if _, err := e.s.ImportGrids(ctx, []*zhudun.Grid{circle("G3", "ST1", 117.62, 36.6, 0.004, 40000)}, nil); code(err) != zhudun.EUNAVAILABLE {
		t.Fatalf("cancelled upload: %v", err)
	}
	if _, n, _ := e.s.FindGrids(cmd1, zhudun.GridFilter{Code: "G3"}); n != 0 {
		t.Fatalf("a cancelled upload stored %d grids", n)
	}
}

// testImportKeys is issue 19.10 in the store: a row whose import key was
// stored before is skipped, in the same batch and in a later one.
func testImportKeys(t *testing.T, b Backend) {
	e, _ := patrolEnv(t, b)
	at := cst("2025-05-01 10:00:00")
	row := func(key string) zhudun.NewIncident {
		return zhudun.NewIncident{Category: "dispute", Lon: 117.005, Lat: 36.605, ReceivedAt: at, ClosedAt: plus(at, time.Hour), Outcome: "mediated", ImportKey: key}
	}
	n, bad, err := e.s.ImportIncidents(e.sys, zhudun.IncidentImport{Rows: []zhudun.NewIncident{row("line:f.csv:2"), row("line:f.csv:3"), row("id:JQ1"), row("id:JQ1")}})
	if err != nil || n != 3 || len(bad) != 0 {
		t.Fatalf("first import: %d %v %v; want 3 stored (the repeated id once)", n, bad, err)
	}
	n, bad, err = e.s.ImportIncidents(e.sys, zhudun.IncidentImport{Rows: []zhudun.NewIncident{row("line:f.csv:3"), row("id:JQ1"), row("line:f.csv:4"), row("")}})
	if err != nil || n != 2 || len(bad) != 0 {
		t.Fatalf("second import: %d %v %v; want 2 stored (line 4 and the keyless row)", n, bad, err)
	}
	if _, total, err := e.s.FindIncidents(e.sys, zhudun.IncidentFilter{}); err != nil || total != 5 {
		t.Fatalf("incidents: %d %v, want 5", total, err)
	}
}

// testScopedImport: a commander (incident:import) loads history into the
// stations of its own scope only, all or nothing when asked, audited as
// itself, with the installer's idempotency; a key another department
// imported is refused, not silently skipped.
func testScopedImport(t *testing.T, b Backend) {
	e, u := patrolEnv(t, b)
	at := cst("2025-05-01 10:00:00")
	row := func(lon, lat float64, key string) zhudun.NewIncident {
		return zhudun.NewIncident{Category: "dispute", Lon: lon, Lat: lat, ReceivedAt: at, ClosedAt: plus(at, time.Hour), Outcome: "mediated", ImportKey: key}
	}
	a1 := func(key string) zhudun.NewIncident { return row(117.005, 36.605, key) } // ST1, under SB1
	b1 := func(key string) zhudun.NewIncident { return row(117.005, 36.625, key) } // ST2, under SB2
	cmd1, cmd2 := e.as(u["cmd1"]), e.as(u["cmd2"])

	// One row outside cmd1's area, one bad category: nothing is stored.
	bad := a1("line:h.csv:3")
	bad.Category = "theft"
	n, rej, err := e.s.ImportIncidents(cmd1, zhudun.IncidentImport{Source: "h.csv", AllOrNothing: true,
		Rows: []zhudun.NewIncident{a1("line:h.csv:2"), bad, b1("line:h.csv:4"), a1("line:h.csv:5")}})
	if err != nil || n != 0 || len(rej) != 2 || rej[0].Row != 1 || rej[0].Field != "category" || rej[1].Row != 2 || rej[1].Field != "lon" ||
		!strings.Contains(rej[1].Message, "B1") || !strings.Contains(rej[1].Message, "outside your area") {
		t.Fatalf("all-or-nothing with two bad rows: %d %+v %v", n, rej, err)
	}
	if _, total, _ := e.s.FindIncidents(e.sys, zhudun.IncidentFilter{}); total != 0 {
		t.Fatalf("a rejected all-or-nothing import stored %d incidents", total)
	}
	if n := e.auditCount("incident.import"); n != 0 {
		t.Fatalf("a rejected import wrote %d audit rows", n)
	}
	// Corrected, it goes in whole, audited as the commander.
	n, rej, err = e.s.ImportIncidents(cmd1, zhudun.IncidentImport{Source: "h.csv", AllOrNothing: true,
		Rows: []zhudun.NewIncident{a1("line:h.csv:2"), a1("line:h.csv:3"), a1("line:h.csv:5")}})
	if err != nil || n != 3 || len(rej) != 0 {
		t.Fatalf("corrected import: %d %+v %v", n, rej, err)
	}
	rows, _, err := e.s.FindAudit(e.sys, zhudun.AuditFilter{Action: "incident.import"})
	e.must(err)
	if len(rows) != 1 || rows[0].Username != "cmd1" || rows[0].DeptCode != "SB1" || rows[0].DeptName != "一分局" || !strings.Contains(string(rows[0].Detail), `"source":"h.csv"`) || !strings.Contains(string(rows[0].Detail), `"rows":3`) {
		t.Fatalf("audit of the import: %+v", rows)
	}
	// Again with one line more: the three before are skipped.
	n, rej, err = e.s.ImportIncidents(cmd1, zhudun.IncidentImport{Source: "h.csv", AllOrNothing: true,
		Rows: []zhudun.NewIncident{a1("line:h.csv:2"), a1("line:h.csv:3"), a1("line:h.csv:5"), a1("line:h.csv:6")}})
	if err != nil || n != 1 || len(rej) != 0 {
		t.Fatalf("second run: %d %+v %v; want line 6 only", n, rej, err)
	}
	// Another sub-bureau's commander with the same file name: its own rows
	// are not taken for cmd1's.
	n, rej, err = e.s.ImportIncidents(cmd2, zhudun.IncidentImport{Source: "h.csv", AllOrNothing: true, Rows: []zhudun.NewIncident{b1("line:h.csv:2")}})
	if err != nil || n != 0 || len(rej) != 1 || rej[0].Field != "source" {
		t.Fatalf("a key of another department: %d %+v %v", n, rej, err)
	}
	if _, total, _ := e.s.FindIncidents(cmd2, zhudun.IncidentFilter{}); total != 0 {
		t.Fatalf("cmd2 sees %d incidents", total)
	}
	if _, total, _ := e.s.FindIncidents(cmd1, zhudun.IncidentFilter{}); total != 4 {
		t.Fatalf("cmd1 sees %d incidents, want 4", total)
	}
}

// testIncidentPaging is issue 19.13: keyset pages (After) give the same
// rows as offset pages, ties in received_at included; the open filter and
// the capped total.
func testIncidentPaging(t *testing.T, b Backend) {
	e, u := patrolEnv(t, b)
	at := cst("2025-05-01 10:00:00")
	var rows []zhudun.NewIncident
	for i := 0; i < 10005; i++ {
		recv := plus(at, time.Duration(i/3)*time.Minute) // three incidents per minute: ties
		rows = append(rows, zhudun.NewIncident{Category: "dispute", Lon: 117.005, Lat: 36.605, ReceivedAt: recv, ClosedAt: plus(recv, time.Hour), Outcome: "mediated"})
	}
	for i := 0; i < len(rows); i += 2500 {
		if n, bad, err := e.s.ImportIncidents(e.sys, zhudun.IncidentImport{Rows: rows[i:min(i+2500, len(rows))]}); err != nil || len(bad) != 0 || n != min(2500, len(rows)-i) {
			t.Fatalf("import: %d %v %v", n, bad, err)
		}
	}
	disp := e.as(u["disp1"])
	open, err := e.s.CreateIncident(disp, zhudun.NewIncident{Category: "dispute", Lon: 117.005, Lat: 36.605})
	e.must(err)
	yes := true
	xs, n, err := e.s.FindIncidents(disp, zhudun.IncidentFilter{Open: &yes})
	if err != nil || n != 1 || len(xs) != 1 || xs[0].ID != open.ID {
		t.Fatalf("open incidents: %d %v", n, err)
	}
	// 10,006 incidents: the total says "more than 10,000".
	_, n, err = e.s.FindIncidents(disp, zhudun.IncidentFilter{Limit: 1})
	if err != nil || n != zhudun.ListCountCap+1 {
		t.Fatalf("total = %d %v, want %d", n, err, zhudun.ListCountCap+1)
	}
	// Asked again (the store remembers a count past its cap): the same;
	// another scope's count is its own, not the remembered one.
	if _, n, err = e.s.FindIncidents(disp, zhudun.IncidentFilter{Limit: 1}); err != nil || n != zhudun.ListCountCap+1 {
		t.Fatalf("total again = %d %v", n, err)
	}
	if _, n, err = e.s.FindIncidents(e.as(u["disp2"]), zhudun.IncidentFilter{Limit: 1}); err != nil || n != 0 {
		t.Fatalf("another station's total = %d %v, want 0", n, err)
	}
	if _, n, err = e.s.FindIncidents(disp, zhudun.IncidentFilter{Limit: 1, Category: "theft"}); err != nil || n != 0 {
		t.Fatalf("another filter's total = %d %v, want 0", n, err)
	}
	// Four pages of 7 by offset and by cursor: the same 28 ids in order.
	var byOffset, byCursor []int64
	for p := 0; p < 4; p++ {
		xs, _, err := e.s.FindIncidents(disp, zhudun.IncidentFilter{Offset: 100 + 7*p, Limit: 7})
		e.must(err)
		for _, x := range xs {
			byOffset = append(byOffset, x.ID)
		}
	}
	first, _, err := e.s.FindIncidents(disp, zhudun.IncidentFilter{Offset: 99, Limit: 1})
	e.must(err)
	after := &zhudun.IncidentCursor{ReceivedAt: first[0].ReceivedAt, ID: first[0].ID}
	for p := 0; p < 4; p++ {
		xs, _, err := e.s.FindIncidents(disp, zhudun.IncidentFilter{After: after, Limit: 7})
		e.must(err)
		for _, x := range xs {
			byCursor = append(byCursor, x.ID)
		}
		last := xs[len(xs)-1]
		after = &zhudun.IncidentCursor{ReceivedAt: last.ReceivedAt, ID: last.ID}
	}
	if fmt.Sprint(byOffset) != fmt.Sprint(byCursor) || len(byCursor) != 28 {
		t.Fatalf("pages by offset %v\nby cursor %v", byOffset, byCursor)
	}
	for i := 1; i < len(byCursor); i++ {
		if byCursor[i] >= byCursor[i-1] { // same or later minute, imported in order: ids fall
			t.Fatalf("not newest first: %v", byCursor)
		}
	}
	// Another sub-bureau's dispatcher sees none of them, by either way.
	if xs, n, err := e.s.FindIncidents(e.as(u["disp2"]), zhudun.IncidentFilter{After: after}); err != nil || n != 0 || len(xs) != 0 {
		t.Fatalf("disp2: %d %d %v", n, len(xs), err)
	}
}

// testGridLookupFollowsWrites: a new incident's grid is looked up in
// memory (sqlstore/gridcache.go); a grid re-imported or a station renamed
// by another process is seen by the next creation, and a change rolled
// back is not.
func testGridLookupFollowsWrites(t *testing.T, b Backend) {
	e, u := patrolEnv(t, b)
	disp1, cmd1 := e.as(u["disp1"]), e.as(u["cmd1"])
	at := zhudun.NewIncident{Category: "dispute", Lon: 117.015, Lat: 36.605}
	x, err := e.s.CreateIncident(disp1, at)
	if err != nil || x.GridCode != "A2" || x.StationCode != "ST1" {
		t.Fatalf("before: %+v %v", x, err)
	}
	s2 := b.Open(t, "main", optionsLike(e)) // the CLI beside the server
	if rep, err := s2.ImportGrids(cmd1, []*zhudun.Grid{grid("A2", "ST3", 117.01, 36.60)}, nil); err != nil || !rep.Accepted {
		t.Fatalf("re-import A2 into ST3: %+v %v", rep, err)
	}
	if x, err = e.s.CreateIncident(disp1, at); err != nil || x.GridCode != "A2" || x.StationCode != "ST3" {
		t.Fatalf("after A2 moved to ST3: grid %s station %s %v", x.GridCode, x.StationCode, err)
	}
	name := "三所（新址）"
	if _, err := s2.UpdateDept(e.sys, "ST3", zhudun.DeptUpdate{Name: &name}); err != nil {
		t.Fatal(err)
	}
	if x, err = e.s.CreateIncident(disp1, at); err != nil || x.StationName != name {
		t.Fatalf("after ST3 renamed: station name %q %v", x.StationName, err)
	}
	// A grid added where there was none, in a transaction that fails: the
	// point stays outside every grid.
	out := zhudun.NewIncident{Category: "dispute", Lon: 117.035, Lat: 36.605}
	if _, err := e.s.CreateIncident(disp1, out); field(err) != "lon" {
		t.Fatalf("outside every grid: %v", err)
	}
	bad := grid("D1", "ST3", 117.03, 36.60)
	dup := grid("D1", "ST3", 117.03, 36.60) // the same code twice: the upload is refused
	if rep, err := s2.ImportGrids(cmd1, []*zhudun.Grid{bad, dup}, nil); err == nil && rep.Accepted {
		t.Fatalf("a duplicated code was accepted: %+v", rep)
	}
	if _, err := e.s.CreateIncident(disp1, out); field(err) != "lon" {
		t.Fatalf("after a refused upload: %v", err)
	}
	if rep, err := s2.ImportGrids(cmd1, []*zhudun.Grid{bad}, nil); err != nil || !rep.Accepted {
		t.Fatalf("import D1: %+v %v", rep, err)
	}
	if x, err = e.s.CreateIncident(disp1, out); err != nil || x.GridCode != "D1" {
		t.Fatalf("after D1 was added: %+v %v", x, err)
	}
}
