package storetest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// testDashboardToday: the command dashboard's today over hand-written
// records, for three viewers. The clock stands at 2026-03-01 16:00 China
// time. Every figure is checked against a number worked out by hand, and
// against the total of the list it drills down to.
//
//	incidents (grid → station)            received (China)    state
//	 i1 criminal A1 → ST1                 03-01 00:00:00      open    today, hour 0
//	 i2 criminal A2 → ST1                 03-01 09:59:59      open    today, hour 9
//	 i3 dispute  A1 → ST1                 03-01 09:00:00      open    today, hour 9
//	 i4 dispute  C1 → ST3                 03-01 15:30:00      open    today, hour 15
//	 i5 traffic  B1 → ST2                 03-01 12:00:00      open    today, hour 12
//	 i6 rescue   A1 → ST1                 02-28 23:59:59      open    yesterday
//
// cmd1 (commander, SB1 subtree) sees i1–i4 today and i1–i4, i6 open;
// off1 (officer, ST1) i1–i3 today and i1–i3, i6 open; disp2 (dispatcher,
// SB2) i5 only, and no Four Cuts, cases or overdue blocks (no permission).
func testDashboardToday(t *testing.T, b Backend) {
	e, u := patrolEnv(t, b)
	for _, s := range []zhudun.NewSource{
		{Name: "sb1feed", Kind: zhudun.SourceCarrier, DeptCode: "SB1"},
		{Name: "sb2feed", Kind: zhudun.SourceCarrier, DeptCode: "SB2"},
	} {
		_, _, err := e.s.CreateSource(e.sys, s)
		e.must(err)
	}
	A1, A2, C1, B1 := [2]float64{117.005, 36.605}, [2]float64{117.015, 36.605}, [2]float64{117.025, 36.605}, [2]float64{117.005, 36.625}
	disp1, disp2 := e.as(u["disp1"]), e.as(u["disp2"])
	inc := func(ctx any, cat string, p [2]float64, recv string) {
		t.Helper()
		c := disp1
		if ctx == "disp2" {
			c = disp2
		}
		_, err := e.s.CreateIncident(c, zhudun.NewIncident{Category: cat, Lon: p[0], Lat: p[1], ReceivedAt: cst(recv)})
		e.must(err)
	}
	inc("disp1", "criminal", A1, "2026-03-01 00:00:00")
	inc("disp1", "criminal", A2, "2026-03-01 09:59:59")
	inc("disp1", "dispute", A1, "2026-03-01 09:00:00")
	inc("disp1", "dispute", C1, "2026-03-01 15:30:00")
	inc("disp2", "traffic", B1, "2026-03-01 12:00:00")
	inc("disp1", "rescue", A1, "2026-02-28 23:59:59")

	// Findings: two recorded today from SB1's feed and one from SB2's; of
	// SB1's, one confirmed today; one of SB1's cut today (set in the
	// table: the carriers' acknowledgement path is tested by CutLists);
	// one recorded yesterday and confirmed yesterday.
	ev := json.RawMessage(`[{"signal":"imsi_per_imei","value":37,"threshold":4,"window":"7d"}]`)
	mk := func(ent, src string) *zhudun.Finding {
		at := e.clock.Now().Add(-2 * time.Hour)
		return &zhudun.Finding{Kind: zhudun.KindFinding, Category: "black_card", EntityType: "msisdn", Entity: ent, Score: 0.9, Gang: "G-000001",
			FirstSeen: at, LastSeen: at, Evidence: ev, Source: src, Networks: []string{"cmcc"}}
	}
	ana1 := e.as(u["ana1"])
	e.clock.Advance(-24 * time.Hour)
	old := mk("13800000009", "sb1feed")
	e.must(e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Upsert: []*zhudun.Finding{old}}))
	_, err := e.s.ReviewFinding(ana1, findingID(t, e, "13800000009"), zhudun.Review{Decision: "confirm", Reason: "昨日研判确认"})
	e.must(err)
	e.clock.Advance(24 * time.Hour)
	e.must(e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Upsert: []*zhudun.Finding{mk("13800000001", "sb1feed"), mk("13800000002", "sb1feed"), mk("13900000001", "sb2feed")}}))
	_, err = e.s.ReviewFinding(ana1, findingID(t, e, "13800000001"), zhudun.Review{Decision: "confirm", Reason: "今日研判确认"})
	e.must(err)
	_, err = e.s.DB().Exec(rebind(e.s, `UPDATE findings SET cut_at = ? WHERE entity = ?`), e.clock.Now().Add(-time.Hour).UTC(), "13800000002")
	e.must(err)

	// Cases of SB1: received, filed, solved; of SB2: received.
	for _, c := range []struct {
		who  string
		dept string
		to   []string
	}{{"ana1", "SB1", nil}, {"ana1", "SB1", []string{zhudun.CaseFiled}}, {"ana1", "SB1", []string{zhudun.CaseFiled, zhudun.CaseSolved}}, {"ana2", "SB2", nil}} {
		if c.who == "ana2" && u["ana2"] == nil {
			u["ana2"] = e.user("ana2", "SB2", zhudun.RoleAnalyst)
		}
		ctx := e.as(u[c.who])
		d, err := e.s.CreateCase(ctx, zhudun.NewCase{Title: "电诈案 " + c.dept, Type: "telecom_fraud"})
		e.must(err)
		for _, to := range c.to {
			_, err := e.s.TransitionCase(ctx, d.ID, zhudun.CaseTransition{To: to})
			e.must(err)
		}
	}

	now := e.clock.Now()
	today := func(user string) *zhudun.Dashboard {
		t.Helper()
		d, err := zhudun.DashboardModules{Incidents: e.s, Findings: e.s, Cases: e.s, Campus: e.s, Fire: e.s}.Today(e.as(u[user]), now)
		e.must(err)
		return d
	}
	hours := func(d *zhudun.Dashboard) string {
		var out []string
		for _, h := range d.Incidents.ByHour {
			if h.Value > 0 {
				out = append(out, fmt.Sprintf("%d:%d", *h.Hour, h.Value))
			}
		}
		return strings.Join(out, " ")
	}
	cats := func(d *zhudun.Dashboard) string {
		var out []string
		for _, c := range d.Incidents.ByCategory {
			out = append(out, fmt.Sprintf("%s:%d", c.Code, c.Value))
		}
		return strings.Join(out, " ")
	}
	allCats := func(crim, pub, traf, fire, resc, disp, other int) string {
		return fmt.Sprintf("criminal:%d public_order:%d traffic:%d fire:%d rescue:%d dispute:%d other:%d", crim, pub, traf, fire, resc, disp, other)
	}

	c := today("cmd1")
	if c.Day != "2026-03-01" || c.Incidents == nil || c.FourCuts == nil || c.Cases == nil || c.Overdue == nil {
		t.Fatalf("cmd1's dashboard: %+v", c)
	}
	if c.Incidents.Today.Value != 4 || c.Incidents.Open.Value != 5 {
		t.Errorf("cmd1 incidents today %d open %d, want 4 and 5", c.Incidents.Today.Value, c.Incidents.Open.Value)
	}
	if got := hours(c); got != "0:1 9:2 15:1" {
		t.Errorf("cmd1 by hour %s, want 0:1 9:2 15:1", got)
	}
	if got, want := cats(c), allCats(2, 0, 0, 0, 0, 2, 0); got != want {
		t.Errorf("cmd1 by category %s, want %s", got, want)
	}
	if f := c.FourCuts; f.Found.Value != 2 || f.Confirmed.Value != 1 || f.Cut.Value != 1 {
		t.Errorf("cmd1 Four Cuts found %d confirmed %d cut %d, want 2 1 1", f.Found.Value, f.Confirmed.Value, f.Cut.Value)
	}
	if c.Cases.Open.Value != 2 {
		t.Errorf("cmd1 open cases %d, want 2 (received and filed, not solved, not SB2's)", c.Cases.Open.Value)
	}
	if c.Overdue.CampusNotices == nil || c.Overdue.CampusNotices.Value != 0 || c.Overdue.FireOrders == nil || c.Overdue.FireOrders.Value != 0 {
		t.Errorf("cmd1 overdue %+v", c.Overdue)
	}
	e.sameAsList(u["cmd1"], c)

	o := today("off1")
	if o.Incidents.Today.Value != 3 || o.Incidents.Open.Value != 4 || hours(o) != "0:1 9:2" {
		t.Errorf("off1 today %d open %d hours %s, want 3, 4, 0:1 9:2", o.Incidents.Today.Value, o.Incidents.Open.Value, hours(o))
	}
	if o.FourCuts != nil || o.Cases != nil {
		t.Errorf("an officer (no finding:read, case:read) gets Four Cuts %+v, cases %+v", o.FourCuts, o.Cases)
	}
	if o.Overdue == nil || o.Overdue.CampusNotices == nil || o.Overdue.FireOrders == nil {
		t.Errorf("off1 overdue (campus:read, fire:read) %+v", o.Overdue)
	}
	e.sameAsList(u["off1"], o)

	d := today("disp2")
	if d.Incidents.Today.Value != 1 || d.Incidents.Open.Value != 1 || hours(d) != "12:1" || cats(d) != allCats(0, 0, 1, 0, 0, 0, 0) {
		t.Errorf("disp2 today %d open %d hours %s cats %s", d.Incidents.Today.Value, d.Incidents.Open.Value, hours(d), cats(d))
	}
	if d.FourCuts != nil || d.Cases != nil || d.Overdue != nil {
		t.Errorf("a dispatcher gets blocks beyond incidents: %+v %+v %+v", d.FourCuts, d.Cases, d.Overdue)
	}
	e.sameAsList(u["disp2"], d)

	// Tomorrow at 00:00 China: today is empty, the open ones are still open.
	e.clock.Advance(8 * time.Hour)
	n, err := zhudun.DashboardModules{Incidents: e.s, Findings: e.s, Cases: e.s, Campus: e.s, Fire: e.s}.Today(e.as(u["cmd1"]), e.clock.Now())
	e.must(err)
	if n.Day != "2026-03-02" || n.Incidents.Today.Value != 0 || n.Incidents.Open.Value != 5 || n.FourCuts.Found.Value != 0 {
		t.Errorf("the next day: %s today %d open %d found %d", n.Day, n.Incidents.Today.Value, n.Incidents.Open.Value, n.FourCuts.Found.Value)
	}
	if _, err := e.s.IncidentTally(e.as(u["cmd1"]), zhudun.IncidentFilter{From: now, To: now.AddDate(0, 2, 0)}); code(err) != zhudun.EINVALID {
		t.Errorf("a two-month tally: %v", err)
	}
}

func findingID(t *testing.T, e *env, entity string) int64 {
	t.Helper()
	xs, _, err := e.s.FindFindings(e.sys, zhudun.FindingFilter{Engine: "any", Limit: 500})
	e.must(err)
	for _, x := range xs {
		if x.Entity == entity {
			return x.ID
		}
	}
	t.Fatalf("no finding %s", entity)
	return 0
}

// sameAsList checks every figure of d against the total of the list it
// names, read as user through the list's own service: the drill-down
// shows exactly the records the figure counts.
func (e *env) sameAsList(u *zhudun.User, d *zhudun.Dashboard) {
	t := e.t
	t.Helper()
	ctx := e.as(u)
	check := func(name string, c zhudun.DashCount) {
		t.Helper()
		path, raw, _ := strings.Cut(c.List, "?")
		q, err := url.ParseQuery(raw)
		e.must(err)
		tm := func(k string) time.Time {
			if q.Get(k) == "" {
				return time.Time{}
			}
			v, err := time.Parse(time.RFC3339, q.Get(k))
			e.must(err)
			return v
		}
		var total int
		switch path {
		case "/incidents":
			f := zhudun.IncidentFilter{Category: q.Get("category"), From: tm("from"), To: tm("to"), Limit: 1}
			if q.Get("open") == "true" {
				yes := true
				f.Open = &yes
			}
			_, total, err = e.s.FindIncidents(ctx, f)
		case "/findings":
			_, total, err = e.s.FindFindings(ctx, zhudun.FindingFilter{Engine: q.Get("engine"), CreatedFrom: tm("created_from"), CreatedTo: tm("created_to"),
				ConfirmedFrom: tm("confirmed_from"), ConfirmedTo: tm("confirmed_to"), CutFrom: tm("cut_from"), CutTo: tm("cut_to"), Limit: 1})
		case "/cases":
			_, total, err = e.s.FindCases(ctx, zhudun.CaseFilter{Status: q.Get("status"), Limit: 1})
		case "/campus/notices":
			_, total, err = e.s.FindNotices(ctx, zhudun.HazardFilter{Status: q.Get("status"), Limit: 1})
		case "/fire/reports":
			_, total, err = e.s.FindFireReports(ctx, zhudun.FireFilter{Status: q.Get("status"), Limit: 1})
		default:
			t.Errorf("%s: unknown list %s", name, c.List)
			return
		}
		e.must(err)
		if total != c.Value {
			t.Errorf("%s of %s: %d, its list %s has %d", name, u.Username, c.Value, c.List, total)
		}
	}
	if x := d.Incidents; x != nil {
		check("incidents today", x.Today)
		check("incidents open", x.Open)
		sum := 0
		for _, c := range x.ByCategory {
			check("category "+c.Code, c.DashCount)
			sum += c.Value
		}
		for _, h := range x.ByHour {
			check(fmt.Sprintf("hour %d", *h.Hour), h.DashCount)
		}
		if sum != x.Today.Value {
			t.Errorf("categories add up to %d, today is %d", sum, x.Today.Value)
		}
	}
	if x := d.FourCuts; x != nil {
		check("found", x.Found)
		check("confirmed", x.Confirmed)
		check("cut", x.Cut)
	}
	if d.Cases != nil {
		check("open cases", d.Cases.Open)
	}
	if x := d.Overdue; x != nil {
		if x.CampusNotices != nil {
			check("overdue notices", *x.CampusNotices)
		}
		if x.FireOrders != nil {
			check("overdue orders", *x.FireOrders)
		}
	}
}

// BenchDashboardToday: a city commander's dashboard over a busy day —
// 3,000 incidents received today (a city's busiest: Jinan averages 440)
// and 1,000 still open from before, among 50,000 closed ones of the last
// two months, and 5,000 findings recorded today — as the command screen
// reads it after each event.
func BenchDashboardToday(b *testing.B, be Backend) {
	e, u := patrolEnv(b, be)
	_, _, err := e.s.CreateSource(e.sys, zhudun.NewSource{Name: "sb1feed", Kind: zhudun.SourceCarrier, DeptCode: "SB1"})
	e.must(err)
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, zhudun.CST())
	cats := []string{"criminal", "public_order", "traffic", "fire", "rescue", "dispute", "other"}
	var hist []zhudun.NewIncident
	for i := range 50000 {
		at := day.Add(-time.Duration(i+1) * 100 * time.Second)
		hist = append(hist, zhudun.NewIncident{Category: cats[i%len(cats)], Lon: 117.001 + float64(i%9)*0.001, Lat: 36.605, ReceivedAt: &at,
			ClosedAt: plus(&at, time.Hour), Outcome: "handled"})
	}
	if n, bad, err := e.s.ImportIncidents(e.sys, zhudun.IncidentImport{Rows: hist}); err != nil || n != len(hist) {
		b.Fatalf("import: %d %v %v", n, bad, err)
	}
	for i := range 4000 {
		at := day.Add(time.Duration(i%(16*3600)) * time.Second) // today, 00:00–16:00
		if i >= 3000 {
			at = day.Add(-time.Duration(i) * time.Minute) // open from before
		}
		n := zhudun.NewIncident{Category: cats[i%len(cats)], Lon: 117.001 + float64(i%9)*0.001, Lat: 36.605, ReceivedAt: &at}
		if _, err := e.s.CreateIncident(e.as(u["disp1"]), n); err != nil {
			b.Fatal(err)
		}
	}
	ev := json.RawMessage(`[{"signal":"imsi_per_imei","value":37,"threshold":4,"window":"7d"}]`)
	var fs []*zhudun.Finding
	for i := range 5000 {
		at := e.clock.Now().Add(-time.Hour)
		fs = append(fs, &zhudun.Finding{Kind: zhudun.KindFinding, Category: "black_card", EntityType: "msisdn", Entity: fmt.Sprintf("138%08d", i), Score: 0.9,
			Gang: "G-000001", FirstSeen: at, LastSeen: at, Evidence: ev, Source: "sb1feed", Networks: []string{"cmcc"}})
	}
	e.must(e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Upsert: fs}))
	m := zhudun.DashboardModules{Incidents: e.s, Findings: e.s, Cases: e.s, Campus: e.s, Fire: e.s}
	ctx := e.as(u["cmd1"])
	now := e.clock.Now()
	d, err := m.Today(ctx, now)
	e.must(err)
	if d.Incidents.Today.Value != 3000 || d.Incidents.Open.Value != 4000 || d.FourCuts.Found.Value != 5000 {
		b.Fatalf("seeded %d today, open %+v, found %d", d.Incidents.Today.Value, d.Incidents.Open, d.FourCuts.Found.Value)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := m.Today(ctx, now); err != nil {
			b.Fatal(err)
		}
	}
}
