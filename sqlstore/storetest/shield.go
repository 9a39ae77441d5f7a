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

// 铸盾 (issue 16, docs/zhudun.md): communities and the level rule, the
// camera inventory, safe units and the statistics.

type shieldEnv struct {
	*env
	cmd1, cmd2, city, off1, off2 context.Context
}

// newShieldEnv: the fixture tree; cmd1 commands SB1 (ST1), cmd2 SB2
// (ST2), city is a commander at ROOT; off1, off2 officers of ST1, ST2.
// Grids A1 (ST1) at 117.00,36.60 and B1 (ST2) at 117.01,36.60, 0.01°
// squares.
func newShieldEnv(t *testing.T, b Backend) *shieldEnv {
	e := newEnv(t, b)
	e.fixture()
	se := &shieldEnv{env: e}
	se.cmd1 = e.as(e.user("cmd1", "SB1", zhudun.RoleCommander))
	se.cmd2 = e.as(e.user("cmd2", "SB2", zhudun.RoleCommander))
	se.city = e.as(e.user("city", zhudun.RootDeptCode, zhudun.RoleCommander))
	se.off1 = e.as(e.user("off1", "ST1", zhudun.RoleOfficer))
	se.off2 = e.as(e.user("off2", "ST2", zhudun.RoleOfficer))
	rep, err := e.s.ImportGrids(se.city, []*zhudun.Grid{grid("A1", "ST1", 117.00, 36.60), grid("B1", "ST2", 117.01, 36.60)}, nil)
	if err != nil || !rep.Accepted {
		t.Fatalf("grids: %v %+v", err, rep)
	}
	return se
}

// The level rule on hand-written communities (edition 1: access control
// 20 per 200 households, face gates 15 per 300, cameras 25 per 50,
// barriers 10 and perimeter alarm 10 if present, smoke detectors 10 per
// 100, e-bike sheds 10 per 300; smart ≥ 80, basic ≥ 50).
func testShieldCommunities(t *testing.T, b Backend) {
	e := newShieldEnv(t, b)
	// 400 households: access 2/2 → 20, face 1/2 → 7.5, cameras 8/8 → 25,
	// barrier → 10, no perimeter alarm → 0, smoke 4/4 → 10, sheds 2/2 →
	// 10: 82.5, floored 82 → smart.
	c1, err := e.s.CreateCommunity(e.cmd1, zhudun.NewCommunity{Code: "C1", Name: "泉城花园", District: "370102", Station: "ST1", Grid: "A1",
		Address: "历下区泉城路1号", Households: 400, PropertyCompany: "济南某物业公司",
		Contacts:   []zhudun.NewPropertyContact{{Name: "赵经理", Phone: "13905310001"}},
		Facilities: map[string]int{"access_control": 2, "face_gate": 1, "camera": 8, "vehicle_barrier": 1, "smoke_detector": 4, "ebike_shed": 2}})
	e.must(err)
	if c1.Score != 82 || c1.Level != zhudun.LevelSmart || c1.RuleVersion != 1 {
		t.Errorf("C1 score %d level %s v%d, want 82 smart v1", c1.Score, c1.Level, c1.RuleVersion)
	}
	if len(c1.Contacts) != 1 || c1.Contacts[0].PhoneMasked != "139****0001" {
		t.Errorf("contact %+v, want the phone masked", c1.Contacts)
	}
	// 100 households: cameras 1/2 → 12.5, access 1/1 → 20, smoke 1/1 →
	// 10, sheds 1/1 → 10: 52.5 → 52 → basic.
	c2, err := e.s.CreateCommunity(e.cmd2, zhudun.NewCommunity{Code: "C2", Name: "燕山小区", District: "370102", Station: "ST2", Households: 100,
		Facilities: map[string]int{"camera": 1, "access_control": 1, "smoke_detector": 1, "ebike_shed": 1}})
	e.must(err)
	if c2.Score != 52 || c2.Level != zhudun.LevelBasic {
		t.Errorf("C2 score %d level %s, want 52 basic", c2.Score, c2.Level)
	}
	// Scope: a station sees its own; the other's is absent.
	if _, err := e.s.FindCommunityByID(e.off2, c1.ID); code(err) != zhudun.ENOTFOUND {
		t.Errorf("off2 reads ST1's community: %v", err)
	}
	if l, err := e.s.FindCommunities(e.off1, ""); err != nil || len(l) != 1 || l[0].Code != "C1" {
		t.Errorf("off1 lists %v %v", l, err)
	}
	if _, err := e.s.CreateCommunity(e.cmd1, zhudun.NewCommunity{Code: "C3", Name: "外所小区", District: "370102", Station: "ST2"}); code(err) != zhudun.EINVALID {
		t.Errorf("cmd1 registers at ST2: %v", err)
	}
	if _, err := e.s.CreateCommunity(e.off1, zhudun.NewCommunity{Code: "C4", Name: "某小区", District: "370102", Station: "ST1"}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("an officer registers: %v", err)
	}
	// Import: one bad row stores none, every error named by line and field.
	n, bad, err := e.s.ImportCommunities(e.cmd1, []zhudun.NewCommunity{
		{Code: "I1", Name: "千佛山小区", District: "370102", Station: "ST1", Households: 10},
		{Code: "I2", Name: "X", District: "370102", Station: "ST1"},
		{Code: "I3", Name: "趵突泉小区", District: "370102", Station: "ST2"},
		{Code: "I1", Name: "大明湖小区", District: "370102", Station: "ST1"},
	})
	e.must(err)
	want := map[int]string{3: "name", 4: "station", 5: "code"}
	if n != 0 || len(bad) != 3 {
		t.Fatalf("import stored %d, errors %+v", n, bad)
	}
	for _, r := range bad {
		if want[r.Row] != r.Field {
			t.Errorf("row error %+v, want line→field %v", r, want)
		}
	}
	if l, _ := e.s.FindCommunities(e.cmd1, ""); len(l) != 1 {
		t.Errorf("a refused import left %d communities", len(l))
	}
	// A new edition: smart from 85. C1 (82) falls to basic; the rule is the
	// city's, not a sub-bureau's.
	r := zhudun.DefaultLevelRule()
	r.Smart = 85
	if _, err := e.s.SaveLevelRule(e.cmd1, r); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("a sub-bureau edits the rule: %v", err)
	}
	r.Criteria[0].Weight = 25
	if _, err := e.s.SaveLevelRule(e.city, r); code(err) != zhudun.EINVALID {
		t.Errorf("weights summing to 105 accepted: %v", err)
	}
	r.Criteria[0].Weight = 20
	saved, err := e.s.SaveLevelRule(e.city, r)
	e.must(err)
	if saved.Version != 2 {
		t.Errorf("edition %d, want 2", saved.Version)
	}
	c1, err = e.s.FindCommunityByID(e.off1, c1.ID)
	e.must(err)
	if c1.Level != zhudun.LevelBasic || c1.RuleVersion != 2 {
		t.Errorf("C1 under edition 2: %s v%d, want basic v2", c1.Level, c1.RuleVersion)
	}
	if rule, _ := e.s.LevelRule(e.off1); rule.Version != 2 || rule.Smart != 85 {
		t.Errorf("rule in force %+v", rule)
	}
	e.audited("zhudun.community.create", "zhudun.rule.save")
	// A key rotation re-seals the property contacts' phones.
	e.rotateAndRekey(t)
	e.noOldKey(t, "zd_community_contacts", "phone_enc")
}

func (e *shieldEnv) audited(actions ...string) {
	e.t.Helper()
	list, _, err := e.s.FindAudit(e.sys, zhudun.AuditFilter{Limit: 500})
	e.must(err)
	have := map[string]bool{}
	for _, a := range list {
		have[a.Action] = true
		if strings.Contains(string(a.Detail), "13905310001") {
			e.t.Errorf("audit %s carries a phone: %s", a.Action, a.Detail)
		}
	}
	for _, a := range actions {
		if !have[a] {
			e.t.Errorf("no audit %s", a)
		}
	}
}

// setClock sets the store's clock to a China time "2006-01-02 15:04".
func (e *shieldEnv) setClock(s string) {
	tm, _ := time.Parse("2006-01-02 15:04 -0700", s+" +0800")
	e.clock.mu.Lock()
	e.clock.t = tm.UTC()
	e.clock.mu.Unlock()
}

func camRow(line int, dev string, lon, lat float64, online bool) zhudun.Camera {
	return zhudun.Camera{DeviceID: dev, Name: "摄像机" + dev[16:], Lon: lon, Lat: lat, Direction: 0, FOV: 90, Range: 50,
		Type: zhudun.CameraFixed, Owner: zhudun.OwnerPolice, Online: online, Line: line}
}

func testShieldCameras(t *testing.T, b Backend) {
	e := newShieldEnv(t, b)
	const a, bb, c = "37010200001310000001", "37010200001310000002", "37010200001320000003"
	rep, err := e.s.ImportCameras(e.cmd1, zhudun.CameraImport{Rows: []zhudun.Camera{
		camRow(2, a, 117.005, 36.605, true), camRow(3, bb, 117.006, 36.605, false),
	}})
	e.must(err)
	if !rep.Accepted || rep.Created != 2 || rep.Offline != 1 {
		t.Fatalf("import %+v", rep)
	}
	cams, err := e.s.FindCameras(e.off1)
	e.must(err)
	if len(cams) != 2 || cams[0].Station != "ST1" || cams[0].Grid != "A1" {
		t.Fatalf("off1 cameras %+v", cams)
	}
	if l, _ := e.s.FindCameras(e.off2); len(l) != 0 {
		t.Errorf("off2 sees ST1's cameras: %d", len(l))
	}
	// Bad rows: a wrong id, a camera in ST2's grid B1: nothing stored.
	rep, err = e.s.ImportCameras(e.cmd1, zhudun.CameraImport{Rows: []zhudun.Camera{
		camRow(2, "3701020000131000000X", 117.005, 36.605, true), camRow(3, c, 117.015, 36.605, true),
	}})
	e.must(err)
	if rep.Accepted || len(rep.Errors) != 1 || rep.Errors[0].Row != 2 || rep.Errors[0].Field != "device_id" {
		t.Errorf("bad id: %+v", rep)
	}
	rep, err = e.s.ImportCameras(e.cmd1, zhudun.CameraImport{Rows: []zhudun.Camera{camRow(2, c, 117.015, 36.605, true)}})
	e.must(err)
	if rep.Accepted || len(rep.Errors) != 1 || rep.Errors[0].Field != "longitude" || !strings.Contains(rep.Errors[0].Message, "B1") {
		t.Errorf("camera in another station's grid: %+v", rep)
	}
	// The next list names a (now OFF) only: b is gone.
	rep, err = e.s.ImportCameras(e.cmd1, zhudun.CameraImport{Rows: []zhudun.Camera{camRow(2, a, 117.005, 36.605, false)}, MarkGone: true})
	e.must(err)
	if !rep.Accepted || rep.Updated != 1 || rep.Gone != 1 || rep.Offline != 1 {
		t.Errorf("update %+v", rep)
	}
	cams, _ = e.s.FindCameras(e.off1)
	if len(cams) != 2 || cams[0].Online || cams[0].Gone || !cams[1].Gone {
		t.Errorf("after update %+v %+v", cams[0], cams[1])
	}
	// ST2 cannot take over ST1's device id.
	rep, err = e.s.ImportCameras(e.cmd2, zhudun.CameraImport{Rows: []zhudun.Camera{camRow(2, a, 117.015, 36.605, true)}})
	e.must(err)
	if rep.Accepted || len(rep.Errors) != 1 || rep.Errors[0].Field != "device_id" {
		t.Errorf("another station's device id: %+v", rep)
	}
	e.audited("zhudun.camera.import")
}

func testShieldSafeUnits(t *testing.T, b Backend) {
	e := newShieldEnv(t, b)
	u, err := e.s.CreateSafeUnit(e.cmd1, zhudun.NewSafeUnit{Name: "济南市某医院", Kind: zhudun.UnitHospital, District: "370102", Station: "ST1", AppliedOn: "2026-02-01"})
	e.must(err)
	if _, err := e.s.ActOnSafeUnit(e.cmd1, u.ID, zhudun.SafeUnitAction{Action: "certify", On: "2026-02-02"}); code(err) != zhudun.EINVALID {
		t.Errorf("certified without an inspection: %v", err)
	}
	all := map[string]bool{}
	for _, k := range zhudun.SafeUnitCriteria {
		all[k] = true
	}
	if _, err := e.s.ActOnSafeUnit(e.cmd2, u.ID, zhudun.SafeUnitAction{Action: "inspect", On: "2026-02-03", Checklist: all}); code(err) != zhudun.ENOTFOUND {
		t.Errorf("SB2 inspects ST1's unit: %v", err)
	}
	_, err = e.s.ActOnSafeUnit(e.cmd1, u.ID, zhudun.SafeUnitAction{Action: "inspect", On: "2026-02-03", Checklist: all})
	e.must(err)
	// Ten certifications at once: one passes, the others find it changed.
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.s.ActOnSafeUnit(e.cmd1, u.ID, zhudun.SafeUnitAction{Action: "certify", On: "2026-02-05"}); err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ok != 1 {
		t.Errorf("%d certifications passed, want 1", ok)
	}
	if _, err := e.s.ActOnSafeUnit(e.cmd1, u.ID, zhudun.SafeUnitAction{Action: "revoke", On: "2026-06-01"}); code(err) != zhudun.EINVALID {
		t.Errorf("revoked without a reason: %v", err)
	}
	got, err := e.s.ActOnSafeUnit(e.cmd1, u.ID, zhudun.SafeUnitAction{Action: "revoke", On: "2026-06-01", Reason: "发生重大治安案件"})
	e.must(err)
	if got.Status != zhudun.CertRevoked || got.DecidedOn != "2026-06-01" || got.Reason != "发生重大治安案件" {
		t.Errorf("revoked %+v", got)
	}
	// A refused one: the failed criterion blocks certification.
	u2, err := e.s.CreateSafeUnit(e.cmd1, zhudun.NewSafeUnit{Name: "某农贸市场", Kind: zhudun.UnitMarket, District: "370102", Station: "ST1", AppliedOn: "2026-02-01"})
	e.must(err)
	part := map[string]bool{}
	for k := range all {
		part[k] = k != "video"
	}
	_, err = e.s.ActOnSafeUnit(e.cmd1, u2.ID, zhudun.SafeUnitAction{Action: "inspect", On: "2026-02-03", Checklist: part})
	e.must(err)
	if _, err := e.s.ActOnSafeUnit(e.cmd1, u2.ID, zhudun.SafeUnitAction{Action: "certify", On: "2026-02-04"}); code(err) != zhudun.EINVALID {
		t.Errorf("certified with video failed: %v", err)
	}
	got, err = e.s.ActOnSafeUnit(e.cmd1, u2.ID, zhudun.SafeUnitAction{Action: "refuse", On: "2026-02-04", Reason: "视频监控未覆盖出入口"})
	e.must(err)
	if got.Status != zhudun.CertRefused {
		t.Errorf("refused %+v", got)
	}
	e.audited("zhudun.safeunit.apply", "zhudun.safeunit.inspect", "zhudun.safeunit.certify", "zhudun.safeunit.revoke", "zhudun.safeunit.refuse")
}

// The statistics, entered by hand over two years.
func testShieldReport(t *testing.T, b Backend) {
	e := newShieldEnv(t, b)
	set := e.setClock
	// 2025-03: one community in ST1 (basic), cameras 1 online in ST1,
	// coverage A1 25 %.
	set("2025-03-10 09:00")
	_, err := e.s.CreateCommunity(e.cmd1, zhudun.NewCommunity{Code: "L1", Name: "旧小区", District: "370102", Station: "ST1", Households: 100,
		Facilities: map[string]int{"camera": 1, "access_control": 1, "smoke_detector": 1, "ebike_shed": 1}})
	e.must(err)
	_, err = e.s.ImportCameras(e.cmd1, zhudun.CameraImport{Rows: []zhudun.Camera{camRow(2, "37010200001310000001", 117.005, 36.605, true)}})
	e.must(err)
	e.must(e.s.SaveCoverageSnapshots(e.cmd1, "2025-03", []zhudun.CoverageSnapshot{{Grid: "A1", AreaM2: 1000, CovM2: 250}}))
	// 2026-03: two more in ST1 (one smart), one in ST2; cameras 2 on, 1
	// off in ST1, 1 on in ST2; coverage A1 40 %, B1 20 % → 30 %; a unit
	// certified in ST1.
	set("2026-03-05 09:00")
	smart := map[string]int{"access_control": 1, "face_gate": 1, "camera": 2, "vehicle_barrier": 1, "perimeter_alarm": 1, "smoke_detector": 1, "ebike_shed": 1}
	_, err = e.s.CreateCommunity(e.cmd1, zhudun.NewCommunity{Code: "N1", Name: "新小区", District: "370102", Station: "ST1", Households: 100, Facilities: smart})
	e.must(err)
	_, err = e.s.CreateCommunity(e.cmd1, zhudun.NewCommunity{Code: "N2", Name: "新二区", District: "370102", Station: "ST1", Households: 100})
	e.must(err)
	_, err = e.s.CreateCommunity(e.cmd2, zhudun.NewCommunity{Code: "N3", Name: "二所小区", District: "370103", Station: "ST2", Households: 100, Facilities: smart})
	e.must(err)
	_, err = e.s.ImportCameras(e.cmd1, zhudun.CameraImport{Rows: []zhudun.Camera{camRow(2, "37010200001310000001", 117.005, 36.605, true),
		camRow(3, "37010200001310000002", 117.006, 36.605, true), camRow(4, "37010200001310000003", 117.007, 36.605, false)}})
	e.must(err)
	_, err = e.s.ImportCameras(e.cmd2, zhudun.CameraImport{Rows: []zhudun.Camera{camRow(2, "37010200001310000004", 117.015, 36.605, true)}})
	e.must(err)
	// Roads: A1 80 of 200 m, B1 10 of 100 m → 90/300 = 30 %; none in 2025.
	e.must(e.s.SaveCoverageSnapshots(e.cmd1, "2026-03", []zhudun.CoverageSnapshot{{Grid: "A1", AreaM2: 1000, CovM2: 400, RoadM: 200, RoadCovM: 80},
		{Grid: "B1", AreaM2: 1000, CovM2: 200, RoadM: 100, RoadCovM: 10}}))
	u, err := e.s.CreateSafeUnit(e.cmd1, zhudun.NewSafeUnit{Name: "某中学", Kind: zhudun.UnitSchool, District: "370102", Station: "ST1", AppliedOn: "2026-03-01"})
	e.must(err)
	all := map[string]bool{}
	for _, k := range zhudun.SafeUnitCriteria {
		all[k] = true
	}
	_, err = e.s.ActOnSafeUnit(e.cmd1, u.ID, zhudun.SafeUnitAction{Action: "inspect", On: "2026-03-02", Checklist: all})
	e.must(err)
	_, err = e.s.ActOnSafeUnit(e.cmd1, u.ID, zhudun.SafeUnitAction{Action: "certify", On: "2026-03-03"})
	e.must(err)

	at := time.Date(2026, 3, 20, 12, 0, 0, 0, zhudun.CST())
	rep, err := e.s.ZhudunReport(e.city, at, "")
	e.must(err)
	check := func(name string, f zhudun.Figure, v, last float64, pct string) {
		t.Helper()
		got := "null"
		if f.ChangePct != nil {
			got = strconv.FormatFloat(*f.ChangePct, 'f', -1, 64)
		}
		if f.Value != v || f.LastYear != last || got != pct {
			t.Errorf("%s = %v/%v/%s, want %v/%v/%s", name, f.Value, f.LastYear, got, v, last, pct)
		}
	}
	check("communities", rep.Communities, 4, 1, "300")
	check("smart", rep.SmartCommunities, 2, 0, "null")
	check("online", rep.CamerasOnline, 3, 1, "200")
	check("offline", rep.CamerasOffline, 1, 0, "null")
	check("coverage", rep.VideoCoveragePct, 30, 25, "20")
	check("safe units", rep.SafeUnits, 1, 0, "null")
	check("road coverage", rep.RoadCoveragePct, 30, 0, "null")
	// SB2's view: ST2 only.
	rep, err = e.s.ZhudunReport(e.city, at, "SB2")
	e.must(err)
	check("SB2 communities", rep.Communities, 1, 0, "null")
	check("SB2 coverage", rep.VideoCoveragePct, 20, 0, "null")
	check("SB2 online", rep.CamerasOnline, 1, 0, "null")
	check("SB2 road coverage", rep.RoadCoveragePct, 10, 0, "null")
	if _, err := e.s.ZhudunReport(e.cmd1, at, "SB2"); code(err) != zhudun.ENOTFOUND {
		t.Errorf("SB1 reads SB2's figures: %v", err)
	}
}

// A community's level kept per day (migration 0040): the report at a day
// and its last_year count the communities at the level they had then.
// S1 and S2 are smart in 2025 and downgraded in February 2026, U1 is basic
// in 2025 and upgraded then, N1 is registered in March 2026; an edition of
// the rule on 2026-03-10 (smart from 75) makes S1 and S2 smart again.
func testShieldLevelHistory(t *testing.T, b Backend) {
	e := newShieldEnv(t, b)
	set := e.setClock
	// 100 households: everything present → 100 smart; without cameras
	// 100 − 25 = 75 basic (smart ≥ 80); the L1 set of testShieldReport → 52 basic.
	full := map[string]int{"access_control": 1, "face_gate": 1, "camera": 2, "vehicle_barrier": 1, "perimeter_alarm": 1, "smoke_detector": 1, "ebike_shed": 1}
	noCam := map[string]int{"access_control": 1, "face_gate": 1, "vehicle_barrier": 1, "perimeter_alarm": 1, "smoke_detector": 1, "ebike_shed": 1}
	basic := map[string]int{"camera": 1, "access_control": 1, "smoke_detector": 1, "ebike_shed": 1}
	reg := func(ctx context.Context, code, station string, fac map[string]int) *zhudun.Community {
		t.Helper()
		c, err := e.s.CreateCommunity(ctx, zhudun.NewCommunity{Code: code, Name: code + "小区", District: "370102", Station: station, Households: 100, Facilities: fac})
		e.must(err)
		return c
	}
	edit := func(c *zhudun.Community, fac map[string]int, score int, level string) {
		t.Helper()
		got, err := e.s.UpdateCommunity(e.cmd1, c.ID, zhudun.NewCommunity{Name: c.Name, Address: "历下区某路", District: "370102", Households: 100, Facilities: fac})
		e.must(err)
		if got.Score != score || got.Level != level || got.Code != c.Code || got.Station != "ST1" || got.Address != "历下区某路" {
			t.Errorf("%s edited: %s %s %d %s, want score %d %s", c.Code, got.Code, got.Station, got.Score, got.Level, score, level)
		}
	}
	set("2025-03-01 09:00")
	s1, s2, u1 := reg(e.cmd1, "S1", "ST1", full), reg(e.cmd1, "S2", "ST1", full), reg(e.cmd1, "U1", "ST1", basic)
	set("2026-02-01 10:00")
	edit(s1, noCam, 75, zhudun.LevelBasic)
	edit(s2, noCam, 75, zhudun.LevelBasic)
	edit(u1, full, 100, zhudun.LevelSmart)
	set("2026-03-05 09:00")
	reg(e.cmd2, "N1", "ST2", full)

	smart := func(at time.Time, dept string, v, last float64) {
		t.Helper()
		rep, err := e.s.ZhudunReport(e.city, at, dept)
		e.must(err)
		if f := rep.SmartCommunities; f.Value != v || f.LastYear != last {
			t.Errorf("smart at %s %s = %v, last year %v; want %v, %v", at.Format(time.DateOnly), dept, f.Value, f.LastYear, v, last)
		}
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, zhudun.CST()) }
	// Before the edits: S1, S2 smart, U1 basic; a year before, nothing.
	smart(day(2026, 1, 20), "", 2, 0)
	// Now: U1 and N1 smart; a year before S1 and S2 were (U1 was basic).
	smart(day(2026, 3, 9), "", 2, 2)
	smart(day(2026, 3, 9), "SB1", 1, 2)
	// The edition of 2026-03-10 re-levels S1 and S2 (75 ≥ 75): smart from
	// that day on, not before it.
	set("2026-03-10 09:00")
	r := zhudun.DefaultLevelRule()
	r.Smart = 75
	_, err := e.s.SaveLevelRule(e.city, r)
	e.must(err)
	smart(day(2026, 3, 9), "", 2, 2)
	smart(day(2026, 3, 20), "", 4, 2)
	// An edit is the writer's: an officer cannot, another sub-bureau finds nothing.
	if _, err := e.s.UpdateCommunity(e.off1, s1.ID, zhudun.NewCommunity{Name: "S1小区", District: "370102", Households: 100}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("an officer edits: %v", err)
	}
	if _, err := e.s.UpdateCommunity(e.cmd2, s1.ID, zhudun.NewCommunity{Name: "S1小区", District: "370102", Households: 100}); code(err) != zhudun.ENOTFOUND {
		t.Errorf("SB2 edits ST1's community: %v", err)
	}
	e.audited("zhudun.community.update")
}

// The road layer (migration 0043): replaced whole by a city-wide writer or
// the command line, read by every zhudun:read caller; a file with an error
// stores nothing and the layer before stays; the monthly rows carry the
// road figures.
func testShieldRoads(t *testing.T, b Backend) {
	e := newShieldEnv(t, b)
	road := func(name string, lon float64) zhudun.Road {
		return zhudun.Road{Name: name, Class: "primary", LengthM: 1000, Lines: [][][2]float64{{{lon, 36.60}, {lon, 36.61}}, {{lon, 36.62}, {lon + 0.001, 36.62}}}}
	}
	if stamp, err := e.s.RoadsStamp(e.sys); err != nil || stamp != "0" {
		t.Errorf("stamp before any import %q, %v; want 0", stamp, err)
	}
	if rs, l, err := e.s.FindRoads(e.off1); err != nil || len(rs) != 0 || l != nil {
		t.Errorf("before any import: %d roads, layer %+v, %v", len(rs), l, err)
	}
	for name, ctx := range map[string]context.Context{"a sub-bureau's commander": e.cmd1, "an officer": e.off1} {
		if _, err := e.s.ReplaceRoads(ctx, zhudun.RoadImport{Roads: []zhudun.Road{road("经十路", 117.005)}}); code(err) != zhudun.EFORBIDDEN {
			t.Errorf("%s replaced the city's roads: %v", name, err)
		}
	}
	rep, err := e.s.ReplaceRoads(e.city, zhudun.RoadImport{Roads: []zhudun.Road{road("经十路", 117.005), road("", 117.015)}})
	e.must(err)
	if !rep.Accepted || rep.Roads != 2 || rep.LengthM != 2000 {
		t.Fatalf("import %+v", rep)
	}
	stamp1, _ := e.s.RoadsStamp(e.sys)
	rs, l, err := e.s.FindRoads(e.off2)
	e.must(err)
	if len(rs) != 2 || rs[0].Name != "经十路" || rs[0].Class != "primary" || rs[1].Name != "" || l == nil || l.Roads != 2 || l.ImportedBy != "city" || l.LengthM != 2000 {
		t.Fatalf("roads %+v, layer %+v", rs, l)
	}
	if got := rs[0].Lines; len(got) != 2 || got[0][1] != [2]float64{117.005, 36.61} || got[1][1] != [2]float64{117.006, 36.62} {
		t.Errorf("lines back %v", got)
	}
	if _, _, err := e.s.FindRoads(e.as(e.user("nobody", "ST1"))); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("a user without zhudun:read read the roads: %v", err)
	}
	// A road with a position off the globe and a parser's error: nothing
	// stored, both listed, the two roads stay.
	bad := road("坏路", 117.005)
	bad.Lines[1][0][1] = 95
	rep, err = e.s.ReplaceRoads(e.city, zhudun.RoadImport{Roads: []zhudun.Road{road("新路", 117.0), bad},
		Errors: []zhudun.ImportRowError{{Row: 2, Field: "geometry", Message: "feature 2: geometry type \"Point\""}}})
	e.must(err)
	if rep.Accepted || len(rep.Errors) != 2 || rep.Errors[1].Row != 1 || rep.Errors[1].Field != "geometry" || !strings.Contains(rep.Errors[1].Message, "line 1 position 0") {
		t.Errorf("bad import %+v", rep)
	}
	if rs, _, _ := e.s.FindRoads(e.off1); len(rs) != 2 || rs[0].Name != "经十路" {
		t.Errorf("after a refused import: %+v", rs)
	}
	if stamp, _ := e.s.RoadsStamp(e.sys); stamp != stamp1 {
		t.Errorf("a refused import changed the stamp %s → %s", stamp1, stamp)
	}
	// The command line (system caller) replaces the layer with 1201 roads
	// (three INSERT batches).
	many := make([]zhudun.Road, 1201)
	for i := range many {
		many[i] = road("路"+strconv.Itoa(i), 117.0+float64(i)*1e-5)
	}
	rep, err = e.s.ReplaceRoads(e.sys, zhudun.RoadImport{Roads: many})
	e.must(err)
	if !rep.Accepted || rep.Roads != 1201 {
		t.Fatalf("system import %+v", rep)
	}
	rs, _, _ = e.s.FindRoads(e.off1)
	if len(rs) != 1201 || rs[0].Name != "路0" || rs[1200].Name != "路1200" {
		t.Errorf("replaced: %d roads", len(rs))
	}
	if stamp, _ := e.s.RoadsStamp(e.sys); stamp == stamp1 {
		t.Errorf("a new layer kept the stamp %s", stamp)
	}
	if cr, err := e.s.CoverageRoads(e.sys); err != nil || len(cr) != 1201 {
		t.Errorf("coverage roads %d, %v", len(cr), err)
	}
	e.audited("zhudun.road.import")
	// The monthly rows carry the road figures; a grid without roads has
	// no road share.
	e.must(e.s.SaveCoverageSnapshots(e.cmd1, "2026-03", []zhudun.CoverageSnapshot{{Grid: "A1", AreaM2: 1000, CovM2: 400, RoadM: 250, RoadCovM: 100},
		{Grid: "B1", AreaM2: 1000, CovM2: 200}}))
	snaps, err := e.s.CoverageSnapshots(e.city, "2026-03")
	e.must(err)
	if len(snaps) != 2 || snaps[0].RoadM != 250 || snaps[0].RoadCovM != 100 || snaps[0].RoadPct == nil || *snaps[0].RoadPct != 40 || snaps[1].RoadPct != nil {
		t.Errorf("snapshots %+v", snaps)
	}
}
