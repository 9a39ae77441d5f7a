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

// E-bike fire safety (issue 15, docs/fire.md).

// fireEnv: the fixture tree, grids A1 [117.00, 117.01] × [36.60, 36.61] of
// ST1 and B1 [117.00, 117.01] × [36.62, 36.63] of ST2, an Open311 source,
// fire officers fo1 (ST1) and fo2 (ST2), a commander of SB1.
type fireEnv struct {
	*env
	src           *zhudun.Source
	fo1, fo2, cm1 context.Context
}

func newFireEnv(t testing.TB, b Backend) *fireEnv {
	e := newEnv(t, b)
	e.fixture()
	cmd := e.user("cmd0", "ROOT", zhudun.RoleCommander)
	rep, err := e.s.ImportGrids(e.as(cmd), []*zhudun.Grid{grid("A1", "ST1", 117.00, 36.60), grid("B1", "ST2", 117.00, 36.62)}, nil)
	e.must(err)
	if !rep.Accepted {
		t.Fatalf("grids %+v", rep)
	}
	src, _, err := e.s.CreateSource(e.sys, zhudun.NewSource{Name: "wuye-app", Kind: zhudun.SourceOpen311})
	e.must(err)
	return &fireEnv{env: e, src: src,
		fo1: e.as(e.user("fo1", "ST1", zhudun.RoleFireOfficer)),
		fo2: e.as(e.user("fo2", "ST2", zhudun.RoleFireOfficer)),
		cm1: e.as(e.user("cm1", "SB1", zhudun.RoleCommander))}
}

func fireAttrs() map[string][]string {
	return map[string][]string{"reporter_kind": {"property"}, "place_kind": {"residential"}, "blocking": {"exit", "stairs"}}
}

func (e *fireEnv) post(lat, long string) *zhudun.FireReport {
	e.t.Helper()
	x, err := e.s.CreateFireReportFromSource(context.Background(), e.src, zhudun.NewFireReport{ServiceCode: zhudun.FireCorridorParking,
		Lat: lat, Long: long, Description: "3号楼2单元楼道停放电动车5辆", Attributes: fireAttrs(),
		FirstName: "建国", LastName: "王", Phone: "13905310001", Email: "wang@example.com", AccountID: "acct-77", DeviceID: "dev-1"})
	if err != nil {
		e.t.Fatalf("post %s,%s: %v", lat, long, err)
	}
	return x
}

func testFireIntake(t *testing.T, b Backend) {
	e := newFireEnv(t, b)
	x := e.post("36.6050", "117.00500")
	if x.Lat != "36.6050" || x.Long != "117.00500" {
		t.Errorf("lat/long %q %q, want as sent", x.Lat, x.Long)
	}
	if x.GridCode != "A1" || x.Station != "ST1" || x.District != "SB1" || x.Status != zhudun.FireInvestigating || x.Source != "wuye-app" {
		t.Errorf("placed %+v", x)
	}
	if x.ReporterKind != "property" || x.PhoneMasked != "139****0001" || x.ReporterName != "王**" || x.EmailMasked != "w***@example.com" {
		t.Errorf("reporter %q %q %q %q", x.ReporterKind, x.PhoneMasked, x.ReporterName, x.EmailMasked)
	}
	if x.AccountID != "acct-77" || len(x.Token) != 32 || x.Repeat {
		t.Errorf("account %q token %q repeat %v", x.AccountID, x.Token, x.Repeat)
	}
	// Nothing personal in clear in the row or the audit log.
	for _, q := range []string{`SELECT COUNT(*) FROM fire_reports WHERE name_enc LIKE '%王%' OR phone_enc LIKE '%13905310001%'
		OR email_enc LIKE '%wang@%' OR account_enc LIKE '%acct-77%' OR device_enc LIKE '%dev-1%' OR phone_mask = '13905310001'`,
		`SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%13905310001%' OR detail LIKE '%wang@%' OR detail LIKE '%建国%' OR detail LIKE '%acct-77%'`} {
		var n int
		e.must(e.s.DB().QueryRow(q).Scan(&n))
		if n != 0 {
			t.Errorf("personal data in clear: %s", q)
		}
	}
	var actor string
	e.must(e.s.DB().QueryRow(`SELECT username FROM audit_log WHERE action = 'fire.report.create'`).Scan(&actor))
	if actor != "source:wuye-app" {
		t.Errorf("audit actor %q", actor)
	}

	// Scope: ST1's officer sees it, ST2's does not (404), SB1's commander does.
	if _, err := e.s.FindFireReportByID(e.fo1, x.ID); err != nil {
		t.Errorf("fo1: %v", err)
	}
	if _, err := e.s.FindFireReportByID(e.fo2, x.ID); code(err) != zhudun.ENOTFOUND {
		t.Errorf("fo2 reads another station's report: %v", err)
	}
	if xs, n, err := e.s.FindFireReports(e.fo2, zhudun.FireFilter{}); err != nil || n != 0 || len(xs) != 0 {
		t.Errorf("fo2 lists %d: %v", n, err)
	}
	if _, n, err := e.s.FindFireReports(e.cm1, zhudun.FireFilter{}); err != nil || n != 1 {
		t.Errorf("cm1 lists %d: %v", n, err)
	}

	bad := []struct {
		name  string
		n     zhudun.NewFireReport
		field string
	}{
		{"service", zhudun.NewFireReport{ServiceCode: "graffiti", Lat: "36.605", Long: "117.005", Attributes: fireAttrs()}, "service_code"},
		{"required attribute", zhudun.NewFireReport{ServiceCode: zhudun.FireFlyingLead, Lat: "36.605", Long: "117.005", Attributes: fireAttrs()}, "attribute[cable_from]"},
		{"list key", zhudun.NewFireReport{ServiceCode: zhudun.FireCorridorParking, Lat: "36.605", Long: "117.005",
			Attributes: map[string][]string{"reporter_kind": {"mayor"}, "place_kind": {"shop"}}}, "attribute[reporter_kind]"},
		{"number", zhudun.NewFireReport{ServiceCode: zhudun.FireCorridorParking, Lat: "36.605", Long: "117.005",
			Attributes: map[string][]string{"reporter_kind": {"resident"}, "place_kind": {"shop"}, "floor": {"3a"}}}, "attribute[floor]"},
		{"two values", zhudun.NewFireReport{ServiceCode: zhudun.FireCorridorParking, Lat: "36.605", Long: "117.005",
			Attributes: map[string][]string{"reporter_kind": {"resident", "property"}, "place_kind": {"shop"}}}, "attribute[reporter_kind]"},
		{"outside grids", zhudun.NewFireReport{ServiceCode: zhudun.FireCorridorParking, Lat: "36.70", Long: "117.005", Attributes: fireAttrs()}, "lat"},
		{"no location", zhudun.NewFireReport{ServiceCode: zhudun.FireCorridorParking, Attributes: fireAttrs()}, "lat"},
		{"lat text", zhudun.NewFireReport{ServiceCode: zhudun.FireCorridorParking, Lat: "north", Long: "117.005", Attributes: fireAttrs()}, "lat"},
		{"unknown address", zhudun.NewFireReport{ServiceCode: zhudun.FireCorridorParking, AddressText: "火星路1号", Attributes: fireAttrs()}, "address_string"},
		{"phone", zhudun.NewFireReport{ServiceCode: zhudun.FireCorridorParking, Lat: "36.605", Long: "117.005", Phone: "12", Attributes: fireAttrs()}, "phone"},
		{"media", zhudun.NewFireReport{ServiceCode: zhudun.FireCorridorParking, Lat: "36.605", Long: "117.005", Media: []byte("GIF89a"), Attributes: fireAttrs()}, "media"},
	}
	for _, c := range bad {
		_, err := e.s.CreateFireReportFromSource(context.Background(), e.src, c.n)
		if code(err) != zhudun.EINVALID || field(err) != c.field {
			t.Errorf("%s: %v (field %q), want EINVALID on %s", c.name, err, field(err), c.field)
		}
	}
	// A source of another kind may not post.
	carrier, _, err := e.s.CreateSource(e.sys, zhudun.NewSource{Name: "cmcc", Kind: zhudun.SourceCarrier})
	e.must(err)
	if _, err := e.s.CreateFireReportFromSource(context.Background(), carrier, zhudun.NewFireReport{ServiceCode: zhudun.FireCorridorParking,
		Lat: "36.605", Long: "117.005", Attributes: fireAttrs()}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("carrier posts: %v", err)
	}

	// address_id and address_string place the report at the standard address.
	e.must(e.s.ReplaceAddresses(e.sys, []zhudun.AddressMatch{{Address: "历下区文化东路5号", District: "370102", Lon: 117.003, Lat: 36.622}}))
	var aid string
	e.must(e.s.DB().QueryRow(`SELECT CAST(id AS TEXT) FROM std_addresses`).Scan(&aid))
	for _, n := range []zhudun.NewFireReport{{AddressID: aid}, {AddressText: "文化东路5号"}} {
		n.ServiceCode, n.Attributes = zhudun.FireIndoorCharging, fireAttrs()
		y, err := e.s.CreateFireReportFromSource(context.Background(), e.src, n)
		if err != nil {
			t.Fatal(err)
		}
		if y.AddressID != aid || y.Station != "ST2" || y.Lat != "36.622" || y.Long != "117.003" || y.Address == "" {
			t.Errorf("by address %+v: %s %s %s %s", n, y.AddressID, y.Station, y.Lat, y.Long)
		}
	}
	if _, err := e.s.CreateFireReportFromSource(context.Background(), e.src, zhudun.NewFireReport{ServiceCode: zhudun.FireIndoorCharging,
		AddressID: "999999", Attributes: fireAttrs()}); field(err) != "address_id" {
		t.Errorf("unknown address_id: %v", err)
	}

	// The patrol page: fire:write in scope, reporter kind patrol.
	p, err := e.s.CreateFireReport(e.fo1, zhudun.NewFireReport{ServiceCode: zhudun.FireFlyingLead, Lat: "36.6011", Long: "117.0022",
		Attributes: map[string][]string{"place_kind": {"residential"}, "cable_from": {"window"}}})
	if err != nil || p.ReporterKind != zhudun.ReporterPatrol || p.Source != "patrol" {
		t.Fatalf("patrol report %+v: %v", p, err)
	}
	if _, err := e.s.CreateFireReport(e.fo2, zhudun.NewFireReport{ServiceCode: zhudun.FireFlyingLead, Lat: "36.6011", Long: "117.0022",
		Attributes: map[string][]string{"place_kind": {"residential"}, "cable_from": {"window"}}}); field(err) != "lat" {
		t.Errorf("fo2 reports in ST1's grid: %v", err)
	}

	// The reporter in clear: pii:view within scope, a reason, audited.
	if _, err := e.s.RevealFireReporter(e.fo1, x.ID, "回访核实"); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("fire officer without pii:view reveals: %v", err)
	}
	sup := e.as(e.user("sup", "ROOT", zhudun.RoleCampusSupervisor)) // pii:view, no fire:read
	if _, err := e.s.RevealFireReporter(sup, x.ID, "回访核实"); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("pii:view without fire:read reveals: %v", err)
	}
	_, err = e.s.UpdateRole(e.sys, zhudun.RoleFireOfficer, zhudun.RoleUpdate{Perms: &[]zhudun.Permission{zhudun.PermFireRead, zhudun.PermFireWrite, zhudun.PermPIIView}})
	e.must(err)
	fo1v, fo2v := e.as(e.user("fo1v", "ST1", zhudun.RoleFireOfficer)), e.as(e.user("fo2v", "ST2", zhudun.RoleFireOfficer))
	if _, err := e.s.RevealFireReporter(fo2v, x.ID, "回访核实"); code(err) != zhudun.ENOTFOUND {
		t.Errorf("another station reveals: %v", err)
	}
	if _, err := e.s.RevealFireReporter(fo1v, x.ID, "看"); field(err) != "reason" {
		t.Errorf("no reason: %v", err)
	}
	who, err := e.s.RevealFireReporter(fo1v, x.ID, "回访核实整改情况")
	if err != nil || who.Name != "王建国" || who.Phone != "13905310001" || who.Email != "wang@example.com" {
		t.Errorf("revealed %+v: %v", who, err)
	}
	var views int
	e.must(e.s.DB().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'pii.view' AND object_type = 'fire_report'`).Scan(&views))
	if views != 1 {
		t.Errorf("%d pii.view rows", views)
	}

	// Tokens resolve publicly; a malformed one is not found.
	if y, err := e.s.FireReportByToken(context.Background(), x.Token); err != nil || y.ID != x.ID {
		t.Errorf("token: %v", err)
	}
	if _, err := e.s.FireReportByToken(context.Background(), "nope"); code(err) != zhudun.ENOTFOUND {
		t.Errorf("bad token: %v", err)
	}

	// A key rotation re-seals the reporter's fields and the photos; the
	// reporter still opens, found by the new index too.
	e.rotateAndRekey(t)
	for _, col := range []string{"name_enc", "phone_enc", "email_enc"} {
		e.noOldKey(t, "fire_reports", col)
	}
	if who, err := e.s.RevealFireReporter(fo1v, x.ID, "回访核实整改情况"); err != nil || who.Phone != "13905310001" || who.Name != "王建国" {
		t.Errorf("revealed after the rotation %+v: %v", who, err)
	}
}

func testFireRepeat(t *testing.T, b Backend) {
	e := newFireEnv(t, b)
	first := e.post("36.605000", "117.005000")
	e.clock.Advance(10 * 24 * time.Hour)
	// 0.00018° of latitude ≈ 20 m: the same place.
	second := e.post("36.605180", "117.005000")
	if !second.Repeat || second.PlaceID != first.PlaceID || len(second.RepeatOf) != 1 || second.RepeatOf[0] != first.ID {
		t.Errorf("20 m later: repeat %v place %d/%d of %v", second.Repeat, second.PlaceID, first.PlaceID, second.RepeatOf)
	}
	// ≈ 40 m away: another place.
	other := e.post("36.605000", "117.005450")
	if other.Repeat || other.PlaceID == first.PlaceID {
		t.Errorf("40 m away joined the place: %+v", other)
	}
	// 31 days after the last report of the place: a new place.
	e.clock.Advance(31 * 24 * time.Hour)
	late := e.post("36.605000", "117.005000")
	if late.Repeat || late.PlaceID == first.PlaceID {
		t.Errorf("31 days later joined the place: place %d repeat %v", late.PlaceID, late.Repeat)
	}
	places, err := e.s.FirePlaces(e.fo1)
	e.must(err)
	if len(places) != 1 || places[0].ID != first.PlaceID || places[0].Reports != 2 {
		t.Errorf("repeat places %+v", places)
	}
	if ps, err := e.s.FirePlaces(e.fo2); err != nil || len(ps) != 0 {
		t.Errorf("fo2 sees ST1's repeat places: %d %v", len(ps), err)
	}
	xs, n, err := e.s.FindFireReports(e.fo1, zhudun.FireFilter{Repeat: true})
	e.must(err)
	if n != 2 || len(xs) != 2 {
		t.Errorf("reports at repeat locations: %d", n)
	}
	// Ten first reports of one new place at once open one place, the
	// other nine its repeats.
	e.clock.Advance(40 * 24 * time.Hour)
	var wg sync.WaitGroup
	got := make([]*zhudun.FireReport, 10)
	for i := range got {
		wg.Go(func() {
			x, err := e.s.CreateFireReportFromSource(context.Background(), e.src, zhudun.NewFireReport{ServiceCode: zhudun.FireCorridorParking,
				Lat: "36.606000", Long: "117.006000", Description: "楼道停放电动车", Attributes: fireAttrs()})
			if err != nil {
				t.Errorf("concurrent post: %v", err)
				return
			}
			got[i] = x
		})
	}
	wg.Wait()
	placesSeen := map[int64]bool{}
	for _, x := range got {
		if x != nil {
			placesSeen[x.PlaceID] = true
		}
	}
	if len(placesSeen) != 1 {
		t.Errorf("ten simultaneous first reports opened %d places, want 1", len(placesSeen))
	}
}

func step(action string, mod func(*zhudun.FireStepInput)) zhudun.FireStepInput {
	in := zhudun.FireStepInput{Action: action, Note: "现场处理 " + action}
	if mod != nil {
		mod(&in)
	}
	return in
}

func testFireEscalation(t *testing.T, b Backend) {
	e := newFireEnv(t, b)
	x := e.post("36.6050", "117.0050")
	// Illegal transitions are refused and change nothing.
	for _, a := range []zhudun.FireStepInput{step(zhudun.FireActCorrect, nil), step(zhudun.FireActOrder, func(in *zhudun.FireStepInput) {
		in.Deadline, in.LegalBasis = "2026-03-10", "fire_law_28"
	}), step(zhudun.FireActPenalize, func(in *zhudun.FireStepInput) {
		in.Decision, in.AmountFen, in.LegalBasis = "济公消行罚决字〔2026〕1号", 50000, "fire_law_60"
	})} {
		if _, err := e.s.AddFireStep(e.fo1, x.ID, a); code(err) != zhudun.ECONFLICT {
			t.Errorf("%s from investigating: %v", a.Action, err)
		}
	}
	// Another station's officer: not found.
	if _, err := e.s.AddFireStep(e.fo2, x.ID, step(zhudun.FireActDissuade, nil)); code(err) != zhudun.ENOTFOUND {
		t.Errorf("fo2 steps on ST1's report: %v", err)
	}
	// A commander reads but may not write.
	if _, err := e.s.AddFireStep(e.cm1, x.ID, step(zhudun.FireActDissuade, nil)); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("commander steps: %v", err)
	}
	// A photo of the dissuasion, attached to the step.
	jpeg := []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xFF, 0xDA, 0, 2, 1, 2, 0xFF, 0xD9}
	pid, err := e.s.AddFirePhoto(e.fo1, x.ID, jpeg)
	e.must(err)
	if _, err := e.s.AddFirePhoto(e.fo2, x.ID, jpeg); code(err) != zhudun.ENOTFOUND {
		t.Errorf("fo2 adds a photo: %v", err)
	}
	// Ten officers' sessions dissuade at once: one step is recorded.
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.s.AddFireStep(e.fo1, x.ID, step(zhudun.FireActDissuade, nil)); err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			} else if code(err) != zhudun.ECONFLICT {
				t.Errorf("racing dissuade: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 {
		t.Fatalf("%d dissuasions recorded, want 1", ok)
	}
	if _, err := e.s.AddFireStep(e.fo1, x.ID, step(zhudun.FireActRefer, func(in *zhudun.FireStepInput) {
		in.Target, in.Photos = zhudun.ReferFireRescue, []int64{pid}
	})); err != nil {
		t.Fatal(err)
	}
	// An order's deadline in the past is refused.
	if _, err := e.s.AddFireStep(e.fo1, x.ID, step(zhudun.FireActOrder, func(in *zhudun.FireStepInput) {
		in.Deadline, in.LegalBasis = "2026-02-01", "fire_law_28"
	})); field(err) != "deadline" {
		t.Errorf("past deadline: %v", err)
	}
	y, err := e.s.AddFireStep(e.fo1, x.ID, step(zhudun.FireActOrder, func(in *zhudun.FireStepInput) {
		in.Deadline, in.LegalBasis = "2026-03-05", "fire_law_28"
	}))
	e.must(err)
	if y.Status != zhudun.FireOrdered || y.Deadline != "2026-03-05" || y.ReferredTo != zhudun.ReferFireRescue || y.Open311Status() != "open" {
		t.Errorf("ordered %+v", y)
	}
	// Overdue: 2026-03-05 is allowed whole; on the 6th (China time) it escalates once.
	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("escalate"))
	e.clock.Advance(4 * 24 * time.Hour) // 2026-03-05 16:00 CST
	if as, err := e.s.EscalateOverdueFireOrders(sys); err != nil || len(as) != 0 {
		t.Errorf("escalated on the deadline day: %v %v", as, err)
	}
	// The overdue filter (the dashboard's 逾期未改正) agrees with the
	// escalation: nothing on the deadline day, the order the day after,
	// and only for its station.
	overdue := func(ctx context.Context) []int64 {
		t.Helper()
		xs, n, err := e.s.FindFireReports(ctx, zhudun.FireFilter{Status: zhudun.FireOverdue})
		e.must(err)
		var ids []int64
		for _, x := range xs {
			if !x.Overdue {
				t.Errorf("listed as overdue but not marked: %+v", x)
			}
			ids = append(ids, x.ID)
		}
		if n != len(ids) {
			t.Errorf("overdue total %d, listed %d", n, len(ids))
		}
		return ids
	}
	if ids := overdue(e.fo1); len(ids) != 0 {
		t.Errorf("overdue on the deadline day: %v", ids)
	}
	e.clock.Advance(12 * time.Hour) // 2026-03-06 04:00 CST
	if ids := overdue(e.fo1); len(ids) != 1 || ids[0] != x.ID {
		t.Errorf("overdue the day after: %v, want [%d]", ids, x.ID)
	}
	if ids := overdue(e.fo2); len(ids) != 0 {
		t.Errorf("another station's overdue orders: %v", ids)
	}
	as, err := e.s.EscalateOverdueFireOrders(sys)
	e.must(err)
	if len(as) != 2 || as[0].Recipient != "station:ST1" || as[1].Recipient != "district:SB1" {
		t.Errorf("alerts %+v", as)
	}
	if again, _ := e.s.EscalateOverdueFireOrders(sys); len(again) != 0 {
		t.Errorf("escalated twice: %v", again)
	}
	if _, err := e.s.EscalateOverdueFireOrders(e.fo1); err == nil {
		t.Error("an officer ran the escalation")
	}
	if al, err := e.s.FindFireAlerts(e.fo2); err != nil || len(al) != 0 {
		t.Errorf("fo2 sees ST1's alerts: %v", al)
	}
	y, err = e.s.FindFireReportByID(e.fo1, x.ID)
	e.must(err)
	if !y.Overdue || y.EscalatedAt == nil {
		t.Errorf("overdue %v escalated %v", y.Overdue, y.EscalatedAt)
	}
	// The penalty closes it.
	y, err = e.s.AddFireStep(e.fo1, x.ID, step(zhudun.FireActPenalize, func(in *zhudun.FireStepInput) {
		in.Decision, in.AmountFen, in.LegalBasis = "济公消行罚决字〔2026〕1号", 50000, "fire_law_60"
	}))
	e.must(err)
	if y.Status != zhudun.FirePenalized || y.Open311Status() != "closed" || y.ClosedAt == nil || y.Overdue {
		t.Errorf("penalized %+v", y)
	}
	wantSteps := []string{"dissuade", "refer", "order", "overdue", "penalize"}
	var got []string
	for _, s := range y.Steps {
		got = append(got, s.Action)
		if s.Actor == "" || s.At.IsZero() {
			t.Errorf("step %+v unstamped", s)
		}
	}
	if strings.Join(got, ",") != strings.Join(wantSteps, ",") {
		t.Errorf("steps %v, want %v", got, wantSteps)
	}
	if len(y.Steps[1].Photos) != 1 || y.Steps[1].Photos[0] != pid || y.Steps[4].AmountFen != 50000 || y.Steps[0].Actor != "fo1" {
		t.Errorf("steps' photos/amount/actor %+v", y.Steps)
	}
	// Criminal referral needs a case the officer can read: fo1 has no case:read.
	if _, err := e.s.AddFireStep(e.fo1, x.ID, step(zhudun.FireActCriminal, func(in *zhudun.FireStepInput) {
		in.Consequence, in.CaseID = zhudun.FireCasualties, 1
	})); field(err) != "case_id" {
		t.Errorf("criminal without a readable case: %v", err)
	}
	var n int
	e.must(e.s.DB().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action LIKE 'fire.step.%' AND object_id = '` + strconv.FormatInt(x.ID, 10) + `'`).Scan(&n))
	if n != 4 {
		t.Errorf("%d step audit rows, want 4 (dissuade, refer, order, penalize)", n)
	}
	e.must(e.s.DB().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'fire.order.overdue'`).Scan(&n))
	if n != 1 {
		t.Errorf("%d overdue audit rows", n)
	}
}

func testFireStats(t *testing.T, b Backend) {
	e := newFireEnv(t, b)
	// Last year (2025-03-01): two reports at ST1, one dissuaded.
	e.clock.Advance(-365 * 24 * time.Hour)
	old := e.post("36.6050", "117.0050")
	e.post("36.6010", "117.0010")
	_, err := e.s.AddFireStep(e.fo1, old.ID, step(zhudun.FireActDissuade, nil))
	e.must(err)
	e.clock.Advance(365 * 24 * time.Hour) // 2026-03-01 16:00 CST
	// This year: three reports at ST1 (two at one place), one at ST2.
	a := e.post("36.6050", "117.0050")
	e.post("36.60501", "117.0050")
	e.post("36.6090", "117.0090")
	c := e.post("36.6250", "117.0050")
	_, err = e.s.AddFireStep(e.fo1, a.ID, step(zhudun.FireActDissuade, nil))
	e.must(err)
	_, err = e.s.AddFireStep(e.fo1, a.ID, step(zhudun.FireActOrder, func(in *zhudun.FireStepInput) { in.Deadline, in.LegalBasis = "2026-03-03", "fire_law_28" }))
	e.must(err)
	_, err = e.s.AddFireStep(e.fo2, c.ID, step(zhudun.FireActUnfounded, nil))
	e.must(err)
	e.clock.Advance(10 * time.Hour)
	_, err = e.s.AddFireStep(e.fo1, a.ID, step(zhudun.FireActPenalize, func(in *zhudun.FireStepInput) {
		in.Decision, in.AmountFen, in.LegalBasis = "济公消行罚决字〔2026〕7号", 20000, "fire_law_60"
	}))
	e.must(err)

	day := func(s string) time.Time { d, _ := time.ParseInLocation("2006-01-02", s, zhudun.CST()); return d }
	st, err := e.s.FireStats(e.cm1, zhudun.FireReportQuery{From: day("2026-03-01"), To: day("2026-03-31")})
	e.must(err)
	// cm1 is SB1: ST1 only.
	check := func(name string, f zhudun.Figure, v, last float64, pct *float64) {
		t.Helper()
		if f.Value != v || f.LastYear != last || (pct == nil) != (f.ChangePct == nil) || pct != nil && *pct != *f.ChangePct {
			t.Errorf("%s = %+v (pct %v), want %v / %v / %v", name, f, f.ChangePct, v, last, pct)
		}
	}
	p := func(v float64) *float64 { return &v }
	check("reports", st.Reports, 3, 2, p(50))
	check("dissuaded", st.Dissuaded, 1, 1, p(0))
	check("ordered", st.Ordered, 1, 0, nil)
	check("penalties", st.Penalties, 1, 0, nil)
	check("penalty_fen", st.PenaltyFen, 20000, 0, nil)
	check("repeat_locations", st.RepeatLocations, 1, 0, nil)
	check("median_close_hours", st.MedianCloseHours, 10, 0, nil)
	if _, ok := st.ByStation["ST2"]; ok || st.ByStation["ST1"].Reports.Value != 3 || st.ByDistrict["SB1"].Reports.Value != 3 ||
		st.ByService[zhudun.FireCorridorParking].Reports.Value != 3 {
		t.Errorf("breakdowns %+v", st.ByStation)
	}
	// The whole city for ROOT's commander: ST2's unfounded report closed at once.
	all, err := e.s.FireStats(e.as(e.user("cm0", "ROOT", zhudun.RoleCommander)), zhudun.FireReportQuery{From: day("2026-03-01"), To: day("2026-03-31")})
	e.must(err)
	check("city reports", all.Reports, 4, 2, p(100))
	check("city median", all.MedianCloseHours, 5, 0, nil) // 10 h and 0 h
	if _, err := e.s.FireStats(e.cm1, zhudun.FireReportQuery{From: day("2026-03-01"), To: day("2026-03-31"), Dept: "ST2"}); code(err) != zhudun.ENOTFOUND {
		t.Errorf("cm1 asks ST2's figures: %v", err)
	}
	if _, err := e.s.FireStats(e.fo1, zhudun.FireReportQuery{From: day("2026-03-01"), To: day("2026-03-31")}); err != nil {
		t.Errorf("fire officer's own figures: %v", err)
	}
}

// BenchFireIntake: an Open311 post (validation, placement, the repeat
// lookup among 2,000 places of the last 30 days, sealing, audit) on a
// store holding 2,000 reports in one grid.
func BenchFireIntake(b *testing.B, be Backend) {
	e := newFireEnv(b, be)
	post := func(i int) error {
		lat := 36.6001 + float64(i%90)*0.0001
		lon := 117.0001 + float64(i/90%90)*0.0001
		_, err := e.s.CreateFireReportFromSource(context.Background(), e.src, zhudun.NewFireReport{ServiceCode: zhudun.FireCorridorParking,
			Lat: strconv.FormatFloat(lat, 'f', 6, 64), Long: strconv.FormatFloat(lon, 'f', 6, 64), Attributes: fireAttrs(),
			Phone: "13905310001", FirstName: "建国", LastName: "王"})
		return err
	}
	for i := 0; i < 2000; i++ {
		e.must(post(i * 7))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := post(i * 13); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchFireStats: the statistics of a month over 5,000 reports with
// 10,000 steps, both periods.
func BenchFireStats(b *testing.B, be Backend) {
	e := newFireEnv(b, be)
	for i := 0; i < 5000; i++ {
		x, err := e.s.CreateFireReportFromSource(context.Background(), e.src, zhudun.NewFireReport{ServiceCode: zhudun.FireServices[i%5].Code,
			Lat: strconv.FormatFloat(36.6001+float64(i%90)*0.0001, 'f', 6, 64), Long: strconv.FormatFloat(117.0001+float64(i/90%90)*0.0001, 'f', 6, 64),
			Attributes: map[string][]string{"reporter_kind": {"resident"}, "place_kind": {"shop"}, "cable_from": {"window"}, "details": {"堆放杂物"}}})
		e.must(err)
		_, err = e.s.AddFireStep(e.fo1, x.ID, step(zhudun.FireActDissuade, nil))
		e.must(err)
		_, err = e.s.AddFireStep(e.fo1, x.ID, step(zhudun.FireActResolve, nil))
		e.must(err)
	}
	day := func(s string) time.Time { d, _ := time.ParseInLocation("2006-01-02", s, zhudun.CST()); return d }
	q := zhudun.FireReportQuery{From: day("2026-03-01"), To: day("2026-03-31")}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st, err := e.s.FireStats(e.cm1, q)
		if err != nil || st.Reports.Value != 5000 {
			b.Fatalf("%v %v", st, err)
		}
	}
}
