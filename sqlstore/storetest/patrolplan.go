package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// samplePlan: two checkpoints inside grid A1 ([117.00, 117.01] × [36.60,
// 36.61]), a day and a night shift, one window each.
func samplePlan() *zhudun.PatrolPlan {
	return &zhudun.PatrolPlan{Name: "A1 日常巡逻",
		Checkpoints: []zhudun.PatrolCheckpoint{{Code: "K1", Name: "学校门口", Lon: 117.003, Lat: 36.603, RadiusM: 50},
			{Code: "K2", Name: "夜市", Lon: 117.007, Lat: 36.607, RadiusM: 80}},
		Shifts: []zhudun.PatrolShift{{Name: "day", Start: "08:00", End: "20:00"}, {Name: "night", Start: "20:00", End: "08:00"}},
		Windows: []zhudun.PatrolWindow{{Shift: "day", Start: "07:30", End: "08:30", Checkpoints: []string{"K1"}},
			{Shift: "night", Start: "22:00", End: "02:00", Checkpoints: []string{"K1", "K2"}, Times: 2}}}
}

func testPatrolPlans(t *testing.T, b Backend) {
	e, u := patrolEnv(t, b)
	cmd1, cmd2, off1, off3, disp2 := e.as(u["cmd1"]), e.as(u["cmd2"]), e.as(u["off1"]), e.as(u["off3"]), e.as(u["disp2"])

	// A window outside its shift (07:30 is before the day shift's 08:00) names the field.
	if _, err := e.s.CreatePatrolPlan(cmd1, "A1", samplePlan()); code(err) != zhudun.EINVALID || field(err) != "windows[0]" {
		t.Fatalf("window outside its shift: %v (field %q)", err, field(err))
	}
	bad := samplePlan()
	bad.Windows[0].Start = "08:30"
	bad.Windows[0].End = "09:30"
	bad.Windows[1].Checkpoints = []string{"K1", "K9"}
	if _, err := e.s.CreatePatrolPlan(cmd1, "A1", bad); code(err) != zhudun.EINVALID || field(err) != "windows[1].checkpoints" {
		t.Fatalf("unknown checkpoint: %v (field %q)", err, field(err))
	}
	bad.Windows[1].Checkpoints = []string{"K1", "K2"}
	bad.Checkpoints[1].RadiusM = 1
	if _, err := e.s.CreatePatrolPlan(cmd1, "A1", bad); code(err) != zhudun.EINVALID || field(err) != "checkpoints[1].radius_m" {
		t.Fatalf("radius 1 m: %v (field %q)", err, field(err))
	}
	good := samplePlan()
	good.Windows[0].Start, good.Windows[0].End = "08:30", "09:30"

	// Write needs grid:write on the grid's station: the officer has grid:read
	// only; another sub-bureau's commander does not see the grid at all.
	if _, err := e.s.CreatePatrolPlan(off1, "A1", good); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("officer creates: %v, want EFORBIDDEN", err)
	}
	if _, err := e.s.CreatePatrolPlan(cmd2, "A1", good); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("SB2 commander creates for A1: %v, want ENOTFOUND", err)
	}
	p, err := e.s.CreatePatrolPlan(cmd1, "A1", good)
	if err != nil || p.Version != 1 || p.GridCode != "A1" || p.StationCode != "ST1" || len(p.Checkpoints) != 2 || p.Windows[0].Times != 1 {
		t.Fatalf("create: %+v %v", p, err)
	}
	if _, err := e.s.CreatePatrolPlan(cmd1, "A1", good); code(err) != zhudun.ECONFLICT {
		t.Fatalf("second plan for A1: %v, want ECONFLICT", err)
	}
	if n := e.auditCount("patrol_plan.create"); n != 1 {
		t.Errorf("patrol_plan.create audited %d times, want 1", n)
	}
	// Read: the station's officer sees it; another station's officer and another sub-bureau's dispatcher do not, by list or id.
	got, err := e.s.FindPatrolPlanByID(off1, p.ID)
	if err != nil || got.Name != "A1 日常巡逻" || got.Checkpoints[1].RadiusM != 80 || got.Windows[1].Times != 2 || got.Shifts[1].End != "08:00" {
		t.Fatalf("read back: %+v %v", got, err)
	}
	for _, x := range []struct {
		name string
		ps   func() ([]*zhudun.PatrolPlan, error)
		one  func() error
	}{
		{"off3", func() ([]*zhudun.PatrolPlan, error) { return e.s.FindPatrolPlans(off3, "", "") }, func() error { _, err := e.s.FindPatrolPlanByID(off3, p.ID); return err }},
		{"disp2", func() ([]*zhudun.PatrolPlan, error) { return e.s.FindPatrolPlans(disp2, "", "") }, func() error { _, err := e.s.FindPatrolPlanByID(disp2, p.ID); return err }},
	} {
		if ps, err := x.ps(); err != nil || len(ps) != 0 {
			t.Errorf("%s lists %d plans (%v), want none", x.name, len(ps), err)
		}
		if err := x.one(); code(err) != zhudun.ENOTFOUND {
			t.Errorf("%s reads the plan: %v, want ENOTFOUND", x.name, err)
		}
	}
	if ps, err := e.s.FindPatrolPlans(off1, "A1", ""); err != nil || len(ps) != 1 || ps[0].ID != p.ID {
		t.Errorf("off1 lists A1: %v %v", ps, err)
	}

	// Update: the version read guards against a lost edit.
	good.Checkpoints[0].RadiusM = 60
	if _, err := e.s.UpdatePatrolPlan(cmd1, p.ID, 7, good); code(err) != zhudun.ECONFLICT {
		t.Fatalf("stale version: %v, want ECONFLICT", err)
	}
	if _, err := e.s.UpdatePatrolPlan(cmd2, p.ID, 1, good); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("SB2 updates: %v, want ENOTFOUND", err)
	}
	p2, err := e.s.UpdatePatrolPlan(cmd1, p.ID, 1, good)
	if err != nil || p2.Version != 2 || p2.Checkpoints[0].RadiusM != 60 {
		t.Fatalf("update: %+v %v", p2, err)
	}
	if got, _ := e.s.FindPatrolPlanByID(off1, p.ID); got.Version != 2 || got.Checkpoints[0].RadiusM != 60 {
		t.Errorf("after update read %+v", got)
	}
	if n := e.auditCount("patrol_plan.update"); n != 1 {
		t.Errorf("patrol_plan.update audited %d times, want 1", n)
	}
	// The tracker reads every plan as the system caller only.
	if _, err := e.s.AllPatrolPlans(cmd1); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("AllPatrolPlans as a user: %v, want EFORBIDDEN", err)
	}
	if all, err := e.s.AllPatrolPlans(e.sys); err != nil || len(all) != 1 {
		t.Errorf("AllPatrolPlans: %v %v", all, err)
	}

	// Delete.
	if err := e.s.DeletePatrolPlan(cmd2, p.ID); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("SB2 deletes: %v, want ENOTFOUND", err)
	}
	if err := e.s.DeletePatrolPlan(cmd1, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.FindPatrolPlanByID(cmd1, p.ID); code(err) != zhudun.ENOTFOUND {
		t.Errorf("deleted plan read: %v", err)
	}
	if n := e.auditCount("patrol_plan.delete"); n != 1 {
		t.Errorf("patrol_plan.delete audited %d times, want 1", n)
	}
	// Twenty creations at once for one grid: one plan, nineteen conflicts, no internal error.
	var wg sync.WaitGroup
	codes := make([]string, 20)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.s.CreatePatrolPlan(cmd1, "A2", good)
			codes[i] = code(err)
		}()
	}
	wg.Wait()
	won := 0
	for _, c := range codes {
		switch c {
		case "":
			won++
		case zhudun.ECONFLICT:
		default:
			t.Errorf("parallel create: %s", c)
		}
	}
	if ps, _ := e.s.FindPatrolPlans(cmd1, "A2", ""); won != 1 || len(ps) != 1 {
		t.Errorf("parallel creates: %d succeeded, %d plans stored; want 1 and 1", won, len(ps))
	}
	// Ten updates at once from the same version: one wins, the rest conflict.
	pa2, _ := e.s.FindPatrolPlans(cmd1, "A2", "")
	codes = codes[:10]
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.s.UpdatePatrolPlan(cmd1, pa2[0].ID, 1, good)
			codes[i] = code(err)
		}()
	}
	wg.Wait()
	won = 0
	for _, c := range codes {
		if c == "" {
			won++
		} else if c != zhudun.ECONFLICT {
			t.Errorf("parallel update: %s", c)
		}
	}
	if got, _ := e.s.FindPatrolPlanByID(cmd1, pa2[0].ID); won != 1 || got.Version != 2 {
		t.Errorf("parallel updates: %d won, version %d; want 1 and 2", won, got.Version)
	}
	if r := e.verify(); !r.OK {
		t.Errorf("audit chain: %+v", r)
	}
}

func testPatrolCoverage(t *testing.T, b Backend) {
	e, u := patrolEnv(t, b)
	cmd1, cmd2, off1, off3 := e.as(u["cmd1"]), e.as(u["cmd2"]), e.as(u["off1"]), e.as(u["off3"])
	good := samplePlan()
	good.Windows[0].Start, good.Windows[0].End = "08:30", "09:30"
	p, err := e.s.CreatePatrolPlan(cmd1, "A1", good)
	if err != nil {
		t.Fatal(err)
	}
	unit, err := e.s.CreateUnit(cmd1, zhudun.NewUnit{Callsign: "鲁A-1", Kind: zhudun.UnitCar, StationCode: "ST1"})
	if err != nil {
		t.Fatal(err)
	}
	// The replay after a restart reads the recent fixes, system caller only.
	now := e.clock.Now().UTC().Truncate(time.Second)
	if _, err := e.s.AddPositions(cmd1, unit.ID, []zhudun.Position{{Lon: 117.003, Lat: 36.603, TS: now.Add(-2 * time.Hour)},
		{Lon: 117.004, Lat: 36.604, TS: now.Add(-30 * time.Second)}, {Lon: 117.005, Lat: 36.605, TS: now.Add(-20 * time.Second)}}); err != nil {
		t.Fatal(err)
	}
	var replayed []zhudun.Position
	e.must(e.s.RecentPositions(e.sys, now.Add(-time.Hour), func(id int64, p zhudun.Position) {
		if id == unit.ID {
			replayed = append(replayed, p)
		}
	}))
	if len(replayed) != 2 || replayed[0].Lon != 117.004 || !replayed[1].TS.Equal(now.Add(-20*time.Second)) {
		t.Errorf("recent positions %+v", replayed)
	}
	if err := e.s.RecentPositions(cmd1, now.Add(-time.Hour), func(int64, zhudun.Position) {}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("recent positions as a user: %v", err)
	}
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, zhudun.CST())
	v := zhudun.PatrolVisit{PlanID: p.ID, GridID: p.GridID, StationID: p.StationID, Checkpoint: "K1", Window: 0, ShiftDate: "2026-12-03", Shift: "day", UnitID: unit.ID, At: at}
	if err := e.s.AddPatrolVisits(cmd1, []zhudun.PatrolVisit{v}); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("visits written by a user: %v, want EFORBIDDEN", err)
	}
	// The same visit from two servers is one row.
	e.must(e.s.AddPatrolVisits(e.sys, []zhudun.PatrolVisit{v}))
	e.must(e.s.AddPatrolVisits(e.sys, []zhudun.PatrolVisit{v, {PlanID: p.ID, GridID: p.GridID, StationID: p.StationID, Checkpoint: "K2", Window: 1,
		ShiftDate: "2026-12-02", Shift: "night", UnitID: unit.ID, At: at.Add(-10 * time.Hour)}}))
	vs, err := e.s.PatrolVisitsSince(e.sys, "2026-12-03")
	if err != nil || len(vs) != 1 || vs[0].Checkpoint != "K1" || !vs[0].At.Equal(at) || vs[0].Callsign != "鲁A-1" {
		t.Fatalf("visits since 3 Dec: %+v %v", vs, err)
	}
	if vs, err := e.s.FindPatrolVisits(off1, zhudun.PatrolVisitFilter{Grid: "A1"}); err != nil || len(vs) != 2 {
		t.Errorf("off1 visits: %d %v, want 2", len(vs), err)
	}
	if vs, err := e.s.FindPatrolVisits(off1, zhudun.PatrolVisitFilter{From: "2026-12-03", To: "2026-12-03"}); err != nil || len(vs) != 1 {
		t.Errorf("off1 visits of 3 Dec: %d %v, want 1", len(vs), err)
	}
	for name, ctx := range map[string]func() ([]zhudun.PatrolVisit, error){
		"off3": func() ([]zhudun.PatrolVisit, error) { return e.s.FindPatrolVisits(off3, zhudun.PatrolVisitFilter{}) },
		"cmd2": func() ([]zhudun.PatrolVisit, error) {
			return e.s.FindPatrolVisits(cmd2, zhudun.PatrolVisitFilter{Grid: "A1"})
		},
	} {
		if vs, err := ctx(); err != nil || len(vs) != 0 {
			t.Errorf("%s sees %d visits (%v), want none", name, len(vs), err)
		}
	}

	// Coverage rows: saved while the shift runs, then final (replacing).
	row := func(date string, planned, visited int) zhudun.PatrolCoverage {
		return zhudun.PatrolCoverage{PlanID: p.ID, GridID: p.GridID, StationID: p.StationID, ShiftDate: date, Shift: "day", Planned: planned, Visited: visited}
	}
	unitRow := zhudun.PatrolCoverage{ShiftDate: "2026-12-03", Shift: "day", UnitID: unit.ID, StationID: unit.StationID, Planned: 4, Visited: 1}
	if err := e.s.SavePatrolCoverage(cmd1, []zhudun.PatrolCoverage{row("2026-12-03", 4, 1)}, nil, false); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("coverage written by a user: %v", err)
	}
	e.must(e.s.SavePatrolCoverage(e.sys, []zhudun.PatrolCoverage{row("2026-12-03", 4, 1)}, []zhudun.PatrolCoverage{unitRow}, false))
	unitRow.Visited = 2
	e.must(e.s.SavePatrolCoverage(e.sys, []zhudun.PatrolCoverage{row("2026-12-03", 4, 3), row("2026-12-04", 4, 2), row("2025-12-03", 4, 1)}, []zhudun.PatrolCoverage{unitRow}, true))
	day := func(s string) time.Time { t, _ := time.ParseInLocation(time.DateOnly, s, zhudun.CST()); return t }
	rep, err := e.s.PatrolReport(cmd1, zhudun.PatrolReportQuery{From: day("2026-12-03"), To: day("2026-12-04")})
	if err != nil {
		t.Fatal(err)
	}
	// 2026-12-03 … 04: (3 + 2) of (4 + 4) = 62.5 %; last year 2025-12-03 … 04: 1 of 4 = 25 %: +37.5 points.
	c := rep.Coverage
	if c.Total.Planned.Count != 8 || c.Total.Visited.Count != 5 || c.Total.Planned.LastYear != 4 || c.Total.Visited.LastYear != 1 ||
		c.Total.Percent == nil || *c.Total.Percent != 62.5 || *c.Total.LastYearPercent != 25 || *c.Total.ChangePoints != 37.5 ||
		c.Total.Visited.ChangePct == nil || *c.Total.Visited.ChangePct != 400 {
		t.Errorf("coverage total %+v", c.Total)
	}
	if len(c.Grids) != 1 || c.Grids[0].Code != "A1" || c.Grids[0].Parent != "ST1" || c.Grids[0].Visited.Count != 5 {
		t.Errorf("coverage grids %+v", c.Grids)
	}
	if len(c.Units) != 1 || c.Units[0].Code != "鲁A-1" || c.Units[0].Visited.Count != 2 || *c.Units[0].Percent != 50 {
		t.Errorf("coverage units %+v", c.Units)
	}
	if len(c.Shifts) != 1 || c.Shifts[0].Code != "day" || len(c.Stations) != 1 || c.Stations[0].Code != "ST1" {
		t.Errorf("coverage shifts %+v stations %+v", c.Shifts, c.Stations)
	}
	// Another sub-bureau's commander: no coverage of ST1 in the report.
	rep2, err := e.s.PatrolReport(cmd2, zhudun.PatrolReportQuery{From: day("2026-12-03"), To: day("2026-12-04")})
	if err != nil || rep2.Coverage.Total.Planned.Count != 0 || len(rep2.Coverage.Grids) != 0 || len(rep2.Coverage.Units) != 0 {
		t.Errorf("SB2's report shows coverage: %+v %v", rep2.Coverage, err)
	}
}

// BenchSaveShiftCoverage writes a city's shift coverage at the shift's end:
// 500 grid rows and 5,000 unit rows (the store's part of finalisation; the
// tracker's is patrol.BenchmarkShiftEnd).
func BenchSaveShiftCoverage(b *testing.B, be Backend) {
	e := newEnv(b, be)
	var grids, units []zhudun.PatrolCoverage
	for i := range 500 {
		grids = append(grids, zhudun.PatrolCoverage{PlanID: int64(i + 1), GridID: int64(i + 1), StationID: int64(i%96 + 1), ShiftDate: "2026-12-03", Shift: "day", Planned: 16, Visited: i % 17})
	}
	for i := range 5000 {
		units = append(units, zhudun.PatrolCoverage{UnitID: int64(i + 1), StationID: int64(i%96 + 1), ShiftDate: "2026-12-03", Shift: "day", Planned: 80, Visited: i % 81})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := e.s.SavePatrolCoverage(e.sys, grids, units, true); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(grids)+len(units))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
