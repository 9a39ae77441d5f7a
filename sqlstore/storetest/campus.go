package storetest

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// Campus safety inspections (issue 14, docs/campus.md).

// campusEnv is the fixture's tree plus the bureau's 经文保 division (JWB,
// a division under ROOT) and an education bureau account's department
// (EDU); sup is JWB's supervisor (scope all), off1/off2 officers of ST1
// and ST2, agency an education account in group G1 only.
type campusEnv struct {
	*env
	sup, off1, off2, agency, cmd1 context.Context
	agencyUser                    *zhudun.User
}

func newCampusEnv(t testing.TB, b Backend) *campusEnv {
	e := newEnv(t, b)
	e.fixture()
	for _, d := range []zhudun.Dept{
		{Code: "JWB", Name: "经文保支队", Kind: zhudun.DeptDivision},
		{Code: "EDU", Name: "市教育局（外单位）", Kind: zhudun.DeptDivision},
	} {
		d := d
		e.must(e.s.CreateDept(e.sys, &d))
	}
	ce := &campusEnv{env: e}
	ce.sup = e.as(e.user("sup", "JWB", zhudun.RoleCampusSupervisor))
	ce.off1 = e.as(e.user("off1", "ST1", zhudun.RoleOfficer))
	ce.off2 = e.as(e.user("off2", "ST2", zhudun.RoleOfficer))
	ce.cmd1 = e.as(e.user("cmd1", "SB1", zhudun.RoleCommander))
	ce.agencyUser = e.user("edu1", "EDU", zhudun.RoleCampusAgency)
	ce.agency = e.as(ce.agencyUser)
	return ce
}

func (e *campusEnv) school(code, name, typ, station, district string) *zhudun.School {
	e.t.Helper()
	lon, lat := 117.0, 36.65
	sc, err := e.s.CreateSchool(e.sup, zhudun.NewSchool{Code: code, Name: name, Type: typ, District: district, Station: station,
		Address: "济南市" + name + "路1号", Lon: &lon, Lat: &lat, Students: 800, Staff: 60, SecurityStaff: 2,
		Contacts: []zhudun.NewSchoolContact{{Role: "安保负责人", Name: "王建国", Phone: "13905310001"}}})
	if err != nil {
		e.t.Fatalf("school %s: %v", code, err)
	}
	return sc
}

// results is a whole checklist of school type typ, every item passed but
// those in fail (with their hazard, nil for a failure without one).
func results(typ string, fail map[string]*zhudun.NewHazard) []zhudun.ItemResult {
	cl, _ := zhudun.ChecklistFor(zhudun.ChecklistVersion, typ)
	var out []zhudun.ItemResult
	for _, it := range cl.Items {
		r := zhudun.ItemResult{Item: it.ID, Result: zhudun.ItemPass}
		if h, ok := fail[it.ID]; ok {
			r.Result, r.Hazard = zhudun.ItemFail, h
		}
		out = append(out, r)
	}
	return out
}

func hz(desc string, onSpot bool) *zhudun.NewHazard {
	return &zhudun.NewHazard{Severity: zhudun.SeverityGeneral, Description: desc, RectifiedOnSpot: onSpot}
}

func (e *campusEnv) group(name string, members ...zhudun.GroupMember) *zhudun.Group {
	e.t.Helper()
	g, err := e.s.CreateGroup(e.sup, zhudun.NewGroup{Name: name, Members: members})
	e.must(err)
	return g
}

func (e *campusEnv) round(name string, g int64, schools ...int64) *zhudun.Round {
	e.t.Helper()
	r, err := e.s.CreateRound(e.sup, zhudun.NewRound{Name: name, GroupID: g, StartDay: "2026-02-01", EndDay: "2026-04-30", Schools: schools})
	e.must(err)
	return r
}

func (e *campusEnv) visit(ctx context.Context, r *zhudun.Round, sc *zhudun.School, at time.Time, fail map[string]*zhudun.NewHazard) *zhudun.Visit {
	e.t.Helper()
	v, err := e.s.RecordVisit(ctx, zhudun.NewVisit{RoundID: r.ID, SchoolID: sc.ID, Mode: zhudun.VisitOvert, At: &at,
		Officers: []string{"张警官", "李警官"}, Results: results(sc.Type, fail)})
	if err != nil {
		e.t.Fatalf("visit %s: %v", sc.Code, err)
	}
	return v
}

func (e *campusEnv) notice(ctx context.Context, deadline string, hs ...int64) *zhudun.Notice {
	e.t.Helper()
	n, err := e.s.IssueNotice(ctx, zhudun.NewNotice{Hazards: hs, LegalBasis: "internal_security_19", Deadline: deadline,
		SchoolRep: "王建国", Officers: []string{"张警官", "李警官"}})
	if err != nil {
		e.t.Fatalf("notice %v: %v", hs, err)
	}
	return n
}

func (e *campusEnv) setClock(t time.Time) {
	e.clock.mu.Lock()
	e.clock.t = t.UTC()
	e.clock.mu.Unlock()
}

func testCampusScope(t *testing.T, b Backend) {
	e := newCampusEnv(t, b)
	a := e.school("S001", "历下实验小学", zhudun.SchoolPrimary, "ST1", "370102")
	bb := e.school("S002", "市中幼儿园", zhudun.SchoolKindergarten, "ST2", "370103")
	c := e.school("S003", "历下第二中学", zhudun.SchoolMiddle, "ST1", "370102")
	// Contacts are sealed: the list shows the mask, the table holds no clear phone.
	if got := a.Contacts[0].PhoneMasked; got != "139****0001" {
		t.Errorf("contact mask %q, want 139****0001", got)
	}
	if rows := e.rawContains("campus_contacts", "13905310001"); len(rows) > 0 {
		t.Errorf("clear phone stored in %v", rows)
	}
	g1 := e.group("第一督导组", zhudun.GroupMember{Name: "刘科长", Agency: zhudun.AgencyPolice},
		zhudun.GroupMember{UserID: e.agencyUser.ID, Agency: zhudun.AgencyEducation, Title: "安全科"})
	g2 := e.group("第二督导组", zhudun.GroupMember{Name: "赵队长", Agency: zhudun.AgencyFire})
	r1 := e.round("第一轮明查", g1.ID, a.ID, c.ID)
	r2 := e.round("第一轮暗访", g2.ID, bb.ID)
	if r1.Schools != 2 || r1.Reached != 0 {
		t.Errorf("round 1 planned %d reached %d, want 2 and 0", r1.Schools, r1.Reached)
	}

	names := func(ctx context.Context) string {
		list, n, err := e.s.FindSchools(ctx, zhudun.SchoolFilter{})
		if err != nil {
			return code(err)
		}
		var out []string
		for _, s := range list {
			out = append(out, s.Code)
		}
		return strings.Join(out, ",") + "/" + string(rune('0'+n))
	}
	// Sorted by name: 历下实验小学, 历下第二中学, 市中幼儿园.
	for _, x := range []struct {
		who  string
		ctx  context.Context
		want string
	}{
		{"supervisor (JWB, all)", e.sup, "S001,S003,S002/3"},
		{"ST1 officer", e.off1, "S001,S003/2"},
		{"ST2 officer", e.off2, "S002/1"},
		{"SB1 commander", e.cmd1, "S001,S003/2"},
		{"agency member of G1", e.agency, "S001,S003/2"},
	} {
		if got := names(x.ctx); got != x.want {
			t.Errorf("%s sees schools %s, want %s", x.who, got, x.want)
		}
	}
	if _, err := e.s.FindSchoolByID(e.off1, bb.ID); code(err) != zhudun.ENOTFOUND {
		t.Errorf("ST1 officer reads ST2's school: %v, want ENOTFOUND", err)
	}
	if _, err := e.s.FindSchoolByID(e.agency, bb.ID); code(err) != zhudun.ENOTFOUND {
		t.Errorf("agency reads a school of another group's round: %v, want ENOTFOUND", err)
	}
	// Rounds: the agency member sees its group's only; ST2 the round planning its school.
	for _, x := range []struct {
		who  string
		ctx  context.Context
		want []int64
	}{{"agency", e.agency, []int64{r1.ID}}, {"ST2 officer", e.off2, []int64{r2.ID}}, {"supervisor", e.sup, []int64{r2.ID, r1.ID}}} {
		rs, err := e.s.FindRounds(x.ctx)
		e.must(err)
		var got []int64
		for _, r := range rs {
			got = append(got, r.ID)
		}
		if len(got) != len(x.want) || (len(got) > 0 && got[0] != x.want[0]) || (len(got) > 1 && got[1] != x.want[1]) {
			t.Errorf("%s sees rounds %v, want %v", x.who, got, x.want)
		}
	}
	if _, err := e.s.FindRoundByID(e.agency, r2.ID); code(err) != zhudun.ENOTFOUND {
		t.Errorf("agency reads another group's round: %v, want ENOTFOUND", err)
	}
	gs, err := e.s.FindGroups(e.agency)
	e.must(err)
	if len(gs) != 1 || gs[0].ID != g1.ID || len(gs[0].Members) != 2 || gs[0].Members[1].Username != "edu1" {
		t.Errorf("agency's groups %+v, want G1 with 2 members, the second edu1", gs)
	}
	// Writes: an officer has no campus:write; an ST1 officer cannot
	// inspect ST2's school, nor a school outside the round's plan.
	if _, err := e.s.CreateSchool(e.off1, zhudun.NewSchool{Code: "S009", Name: "某校", Type: zhudun.SchoolPrimary, District: "370102", Station: "ST1"}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("officer registers a school: %v, want EFORBIDDEN", err)
	}
	at := time.Date(2026, 2, 20, 9, 0, 0, 0, zhudun.CST())
	if _, err := e.s.RecordVisit(e.off1, zhudun.NewVisit{RoundID: r2.ID, SchoolID: bb.ID, Mode: zhudun.VisitOvert, At: &at,
		Officers: []string{"张"}, Results: results(bb.Type, nil)}); code(err) != zhudun.ENOTFOUND {
		t.Errorf("ST1 officer inspects ST2's school: %v, want ENOTFOUND", err)
	}
	if _, err := e.s.RecordVisit(e.agency, zhudun.NewVisit{RoundID: r1.ID, SchoolID: bb.ID, Mode: zhudun.VisitCovert, At: &at,
		Officers: []string{"张"}, Results: results(bb.Type, nil)}); code(err) != zhudun.EINVALID {
		t.Errorf("agency inspects a school outside its round's plan: %v, want EINVALID", err)
	}
	// A partial checklist is refused; the agency member inspects its round's school.
	part := results(a.Type, nil)[1:]
	if _, err := e.s.RecordVisit(e.agency, zhudun.NewVisit{RoundID: r1.ID, SchoolID: a.ID, Mode: zhudun.VisitCovert, At: &at,
		Officers: []string{"张"}, Results: part}); code(err) != zhudun.EINVALID {
		t.Errorf("a visit missing an item: %v, want EINVALID", err)
	}
	v := e.visit(e.agency, r1, a, at, map[string]*zhudun.NewHazard{"f02": hz("校门口未设置防冲撞隔离桩", false)})
	if len(v.Hazards) != 1 || v.Hazards[0].Category != "physical" || v.Hazards[0].Status != zhudun.HazardOpen || v.ChecklistVersion != 1 {
		t.Errorf("visit hazards %+v (v%d), want one open physical hazard under v1", v.Hazards, v.ChecklistVersion)
	}
	if _, err := e.s.FindVisitByID(e.off2, v.ID); code(err) != zhudun.ENOTFOUND {
		t.Errorf("ST2 reads ST1's visit: %v, want ENOTFOUND", err)
	}
	hs, n, err := e.s.FindHazards(e.off2, zhudun.HazardFilter{})
	e.must(err)
	if n != 0 || len(hs) != 0 {
		t.Errorf("ST2 lists %d hazards, want 0", n)
	}
	cov, err := e.s.RoundCoverage(e.sup, r1.ID)
	e.must(err)
	if cov.Planned != 2 || cov.Reached != 1 || len(cov.Unreached) != 1 || cov.Unreached[0].Code != "S003" ||
		cov.ByDistrict["370102"] != 1 || cov.ByType[zhudun.SchoolMiddle] != 1 {
		t.Errorf("coverage %d/%d unreached %v by district %v by type %v, want 1/2, S003 (370102, middle)", cov.Reached, cov.Planned, cov.Unreached, cov.ByDistrict, cov.ByType)
	}
	// Revealing a contact is pii:view, audited with its reason.
	if _, err := e.s.RevealSchoolContact(e.off1, a.Contacts[0].ID, "核实联系方式"); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("officer reveals a contact: %v, want EFORBIDDEN", err)
	}
	before := e.auditCount("pii.view")
	if p, err := e.s.RevealSchoolContact(e.sup, a.Contacts[0].ID, "督导联系安保负责人"); err != nil || p != "13905310001" {
		t.Errorf("reveal = %q, %v", p, err)
	}
	if e.auditCount("pii.view") != before+1 {
		t.Error("reveal not audited")
	}
}

func testCampusNotices(t *testing.T, b Backend) {
	e := newCampusEnv(t, b)
	a := e.school("S001", "历下实验小学", zhudun.SchoolPrimary, "ST1", "370102")
	g := e.group("第一督导组", zhudun.GroupMember{Name: "刘科长", Agency: zhudun.AgencyPolice},
		zhudun.GroupMember{Name: "孙老师", Agency: zhudun.AgencyEducation})
	r := e.round("第一轮", g.ID, a.ID)
	at := time.Date(2026, 2, 20, 9, 0, 0, 0, zhudun.CST())
	v := e.visit(e.off1, r, a, at, map[string]*zhudun.NewHazard{
		"t04": hz("一键报警测试未接通110", false), "x01": hz("灭火器过期", true), "x03": hz("楼道电动车充电", false)})
	var onSpot, alarm, ebike int64
	for _, h := range v.Hazards {
		switch h.Item {
		case "x01":
			onSpot = h.ID
		case "t04":
			alarm = h.ID
		case "x03":
			ebike = h.ID
		}
	}
	if _, err := e.s.IssueNotice(e.off1, zhudun.NewNotice{Hazards: []int64{onSpot}, LegalBasis: "fire_law_53", Deadline: "2026-03-10",
		SchoolRep: "王建国", Officers: []string{"张警官", "李警官"}}); code(err) != zhudun.ECONFLICT {
		t.Errorf("a notice for a hazard rectified on the spot: %v, want ECONFLICT", err)
	}
	if _, err := e.s.IssueNotice(e.off1, zhudun.NewNotice{Hazards: []int64{alarm}, LegalBasis: "no_such_law", Deadline: "2026-03-10",
		SchoolRep: "王建国", Officers: []string{"张警官", "李警官"}}); code(err) != zhudun.EINVALID {
		t.Errorf("unknown legal basis: %v, want EINVALID", err)
	}
	if _, err := e.s.IssueNotice(e.off2, zhudun.NewNotice{Hazards: []int64{alarm}, LegalBasis: "fire_law_53", Deadline: "2026-03-10",
		SchoolRep: "王建国", Officers: []string{"张警官", "李警官"}}); code(err) != zhudun.EINVALID {
		t.Errorf("ST2 issues for ST1's hazard: %v, want EINVALID (not found)", err)
	}
	n1 := e.notice(e.off1, "2026-03-10", alarm)
	n2 := e.notice(e.off1, "2026-03-05", ebike)
	if n1.Number != "一所责改字〔2026〕0001号" || n2.Number != "一所责改字〔2026〕0002号" || n1.Status != zhudun.NoticeOpen || n1.Overdue {
		t.Errorf("numbers %s, %s (status %s overdue %v), want 一所责改字〔2026〕0001号 and 0002号, open", n1.Number, n2.Number, n1.Status, n1.Overdue)
	}
	if _, err := e.s.IssueNotice(e.off1, zhudun.NewNotice{Hazards: []int64{alarm}, LegalBasis: "fire_law_53", Deadline: "2026-03-10",
		SchoolRep: "王建国", Officers: []string{"张警官", "李警官"}}); code(err) != zhudun.ECONFLICT {
		t.Errorf("a second notice for a noticed hazard: %v, want ECONFLICT", err)
	}
	// Extend n1 with a reason; an extension not later is refused.
	if _, err := e.s.Reinspect(e.off1, n1.ID, zhudun.Reinspection{Outcome: zhudun.ReinspectExtend, Deadline: "2026-03-08", Reason: "设备待采购"}); code(err) != zhudun.EINVALID {
		t.Errorf("an extension to an earlier day: %v, want EINVALID", err)
	}
	x, err := e.s.Reinspect(e.off1, n1.ID, zhudun.Reinspection{Outcome: zhudun.ReinspectExtend, Deadline: "2026-03-20", Reason: "设备待采购"})
	e.must(err)
	if x.Deadline != "2026-03-20" || len(x.Steps) != 1 || x.Steps[0].Reason != "设备待采购" {
		t.Errorf("extended notice %+v", x)
	}
	// 2026-03-06 (China): n2 (deadline 03-05) is overdue, n1 not.
	e.setClock(time.Date(2026, 3, 6, 9, 0, 0, 0, zhudun.CST()))
	if _, err := e.s.EscalateOverdueNotices(e.off1); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("an officer runs the escalation: %v, want EFORBIDDEN", err)
	}
	alerts, err := e.s.EscalateOverdueNotices(e.sys)
	e.must(err)
	var rc []string
	for _, a := range alerts {
		rc = append(rc, a.Recipient)
	}
	if strings.Join(rc, ",") != "station:ST1,education:孙老师" || alerts[0].NoticeID != n2.ID {
		t.Errorf("alerts %v, want station:ST1 and education:孙老师 for notice %d", rc, n2.ID)
	}
	if again, err := e.s.EscalateOverdueNotices(e.sys); err != nil || len(again) != 0 {
		t.Errorf("a second run alerts %d (%v), want none", len(again), err)
	}
	if e.auditCount("campus.notice.overdue") != 1 {
		t.Errorf("overdue audit rows %d, want 1", e.auditCount("campus.notice.overdue"))
	}
	od, n, err := e.s.FindNotices(e.off1, zhudun.HazardFilter{Status: "overdue"})
	e.must(err)
	if n != 1 || od[0].ID != n2.ID || !od[0].Overdue || od[0].EscalatedAt == nil {
		t.Errorf("overdue notices %d %+v, want n2 overdue and escalated", n, od)
	}
	if al, err := e.s.FindCampusAlerts(e.off2); err != nil || len(al) != 0 {
		t.Errorf("ST2 sees %d alerts (%v), want 0", len(al), err)
	}
	// Re-issue n2 (not rectified): superseded, a new number for the same hazard.
	y, err := e.s.Reinspect(e.off1, n2.ID, zhudun.Reinspection{Outcome: zhudun.ReinspectReissue, Deadline: "2026-03-15", Reason: "复查仍未整改"})
	e.must(err)
	if y.Number != "一所责改字〔2026〕0003号" || len(y.Hazards) != 1 || y.Hazards[0].ID != ebike {
		t.Errorf("re-issued %s with %d hazards, want 0003号 with the e-bike hazard", y.Number, len(y.Hazards))
	}
	old, err := e.s.FindNoticeByID(e.off1, n2.ID)
	e.must(err)
	if old.Status != zhudun.NoticeSuperseded || old.Overdue || old.ReplacedBy == nil || *old.ReplacedBy != y.ID {
		t.Errorf("old notice %s overdue %v replaced by %v, want superseded by %d", old.Status, old.Overdue, old.ReplacedBy, y.ID)
	}
	// Close n1: it and its hazard close; a closed notice is not re-inspected again.
	z, err := e.s.Reinspect(e.off1, n1.ID, zhudun.Reinspection{Outcome: zhudun.ReinspectClose, Reason: "复查合格"})
	e.must(err)
	if z.Status != zhudun.NoticeClosed || z.Hazards[0].Status != zhudun.HazardClosed || z.ClosedAt == nil {
		t.Errorf("closed notice %s, hazard %s", z.Status, z.Hazards[0].Status)
	}
	if _, err := e.s.Reinspect(e.off1, n1.ID, zhudun.Reinspection{Outcome: zhudun.ReinspectClose}); code(err) != zhudun.ECONFLICT {
		t.Errorf("closing twice: %v, want ECONFLICT", err)
	}
	for _, a := range []string{"campus.school.create", "campus.group.create", "campus.round.create", "campus.visit.create", "campus.notice.issue", "campus.notice.reinspect"} {
		if e.auditCount(a) == 0 {
			t.Errorf("no %s audit row", a)
		}
	}
	// The numbers are per department and year: JWB's first is its own 0001.
	e.setClock(time.Date(2027, 1, 2, 9, 0, 0, 0, zhudun.CST()))
	v2 := e.visit(e.sup, r, a, time.Date(2027, 1, 2, 8, 0, 0, 0, zhudun.CST()), map[string]*zhudun.NewHazard{"p01": hz("保安员脱岗", false)})
	n3, err := e.s.IssueNotice(e.sup, zhudun.NewNotice{Hazards: []int64{v2.Hazards[0].ID}, LegalBasis: "internal_security_19", Deadline: "2027-01-20",
		SchoolRep: "王建国", Officers: []string{"张警官", "李警官"}})
	e.must(err)
	if n3.Number != "经文保支队责改字〔2027〕0001号" {
		t.Errorf("JWB's first notice of 2027 is %s", n3.Number)
	}
}

// The import stores every row or none, with every bad row reported.
func testCampusImport(t *testing.T, b Backend) {
	e := newCampusEnv(t, b)
	ok := zhudun.NewSchool{Code: "I001", Name: "甲小学", Type: zhudun.SchoolPrimary, District: "370102", Station: "ST1"}
	rows := []zhudun.NewSchool{ok,
		{Code: "I002", Name: "乙小学", Type: "college", District: "370102", Station: "ST1"},
		{Code: "I001", Name: "丙小学", Type: zhudun.SchoolPrimary, District: "370102", Station: "ST1"},
	}
	n, bad, err := e.s.ImportSchools(e.sup, rows)
	e.must(err)
	if n != 0 || len(bad) != 2 || bad[0].Row != 3 || bad[0].Field != "type" || bad[1].Row != 4 || bad[1].Field != "code" {
		t.Errorf("import = %d, %+v; want 0 stored, rows 3 (type) and 4 (code)", n, bad)
	}
	// A station that does not exist is found inside the transaction: nothing stays.
	rows = []zhudun.NewSchool{ok, {Code: "I003", Name: "丁小学", Type: zhudun.SchoolMiddle, District: "370103", Station: "NOPE"}}
	n, bad, err = e.s.ImportSchools(e.sup, rows)
	e.must(err)
	if n != 0 || len(bad) != 1 || bad[0].Row != 3 || bad[0].Field != "station" {
		t.Errorf("import = %d, %+v; want 0 stored, row 3 (station)", n, bad)
	}
	if _, total, _ := e.s.FindSchools(e.sup, zhudun.SchoolFilter{}); total != 0 {
		t.Errorf("%d schools after refused imports, want 0", total)
	}
	n, bad, err = e.s.ImportSchools(e.sup, rows[:1])
	if err != nil || n != 1 || len(bad) != 0 {
		t.Errorf("good import = %d, %v, %v", n, bad, err)
	}
}

// The campus statistics against a hand-written data set (ST1: A primary,
// B kindergarten; ST2: C middle; one round planning all three):
//
//	2025-02-20  A visited: one hazard, rectified on the spot.
//	2026-02-10  A visited: two hazards (p01 on the spot, f02 open) — A
//	            counts once among the schools involved.
//	2026-02-12  B visited: no hazard.
//	2026-02-15  C visited: one hazard, open.
//	2026-03-01  notices N1 (A's f02, deadline 03-20) and N2 (C, 03-05);
//	            N1 closed on re-inspection 03-02 (closed, not overdue).
//	2026-03-10  the report: N2 is overdue.
//
// Period 2026-02-01..03-31 beside 2025-02-01..03-31.
func testCampusReport(t *testing.T, b Backend) {
	e := newCampusEnv(t, b)
	a := e.school("A01", "甲小学", zhudun.SchoolPrimary, "ST1", "370102")
	bb := e.school("B01", "乙幼儿园", zhudun.SchoolKindergarten, "ST1", "370102")
	c := e.school("C01", "丙中学", zhudun.SchoolMiddle, "ST2", "370103")
	g := e.group("督导组", zhudun.GroupMember{Name: "刘科长", Agency: zhudun.AgencyPolice})
	r := e.round("第一轮", g.ID, a.ID, bb.ID, c.ID)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 0, 0, 0, zhudun.CST()) }
	e.visit(e.sup, r, a, day(2025, 2, 20), map[string]*zhudun.NewHazard{"x01": hz("灭火器过期", true)})
	va := e.visit(e.sup, r, a, day(2026, 2, 10), map[string]*zhudun.NewHazard{"p01": hz("保安脱岗", true), "f02": hz("无防冲撞设施", false)})
	e.visit(e.sup, r, bb, day(2026, 2, 12), nil)
	vc := e.visit(e.sup, r, c, day(2026, 2, 15), map[string]*zhudun.NewHazard{"t03": hz("一键报警未联网", false)})
	var af02 int64
	for _, h := range va.Hazards {
		if h.Item == "f02" {
			af02 = h.ID
		}
	}
	n1 := e.notice(e.sup, "2026-03-20", af02)
	e.notice(e.sup, "2026-03-05", vc.Hazards[0].ID)
	e.setClock(day(2026, 3, 2))
	_, err := e.s.Reinspect(e.sup, n1.ID, zhudun.Reinspection{Outcome: zhudun.ReinspectClose, Reason: "复查合格"})
	e.must(err)
	e.setClock(day(2026, 3, 10))
	q := zhudun.CampusReportQuery{From: day(2026, 2, 1), To: day(2026, 3, 31)}
	pct := func(p *float64) string {
		if p == nil {
			return "null"
		}
		return fmtFloat(*p)
	}
	show := func(f zhudun.CampusFigures) string {
		var out []string
		for _, x := range []zhudun.Figure{f.SchoolsInspected, f.Hazards, f.SchoolsInvolved, f.RectifiedOnSpot, f.Notices, f.Closed, f.Overdue} {
			out = append(out, fmtFloat(x.Value)+"/"+fmtFloat(x.LastYear)+"/"+pct(x.ChangePct))
		}
		return strings.Join(out, " ")
	}
	rep, err := e.s.CampusReport(e.sup, q)
	e.must(err)
	// inspected, hazards, involved, on the spot, notices, closed, overdue: value/last year/change %
	if got, want := show(rep.CampusFigures), "3/1/200 3/1/200 2/1/100 1/1/0 2/0/null 1/0/null 1/0/null"; got != want {
		t.Errorf("JWB's figures %s, want %s", got, want)
	}
	if rep.Schools != 3 || rep.Coverage != 100 {
		t.Errorf("coverage %d schools %v%%, want 3, 100", rep.Schools, rep.Coverage)
	}
	if got, want := show(rep.ByStation["ST2"]), "1/0/null 1/0/null 1/0/null 0/0/null 1/0/null 0/0/null 1/0/null"; got != want {
		t.Errorf("ST2's slice %s, want %s", got, want)
	}
	if got := rep.ByType[zhudun.SchoolKindergarten].SchoolsInspected.Value; got != 1 {
		t.Errorf("kindergartens inspected %v, want 1", got)
	}
	sb1, err := e.s.CampusReport(e.cmd1, q)
	e.must(err)
	if got, want := show(sb1.CampusFigures), "2/1/100 2/1/100 1/1/0 1/1/0 1/0/null 1/0/null 0/0/null"; got != want {
		t.Errorf("SB1's figures %s, want %s", got, want)
	}
	if _, err := e.s.CampusReport(e.cmd1, zhudun.CampusReportQuery{From: q.From, To: q.To, Dept: "SB2"}); code(err) != zhudun.ENOTFOUND {
		t.Errorf("SB1 asks for SB2: %v, want ENOTFOUND", err)
	}
	if _, err := e.s.CampusReport(e.off1, q); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("an officer without report:read: %v, want EFORBIDDEN", err)
	}
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// Photos: type-checked by content and size, stored as taken, read within
// the scope only.
func testCampusPhotos(t *testing.T, b Backend) {
	e := newCampusEnv(t, b)
	a := e.school("A01", "甲小学", zhudun.SchoolPrimary, "ST1", "370102")
	g := e.group("督导组", zhudun.GroupMember{Name: "刘科长", Agency: zhudun.AgencyPolice})
	r := e.round("第一轮", g.ID, a.ID)
	v := e.visit(e.off1, r, a, time.Date(2026, 2, 20, 9, 0, 0, 0, zhudun.CST()), map[string]*zhudun.NewHazard{"x03": hz("楼道电动车充电", true)})
	h := v.Hazards[0].ID
	photo := append([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10}, []byte("Exif\x00\x00GPS 36.6\x00\x00")...)
	if _, err := e.s.AddHazardPhoto(e.off1, h, zhudun.PhotoRectified, []byte("GIF89a-not-a-photo")); code(err) != zhudun.EINVALID {
		t.Errorf("a GIF: %v, want EINVALID", err)
	}
	if _, err := e.s.AddHazardPhoto(e.off1, h, zhudun.PhotoRectified, append([]byte{0xFF, 0xD8, 0xFF}, make([]byte, zhudun.MaxPhotoBytes)...)); code(err) != zhudun.EINVALID {
		t.Errorf("a photo over the limit: %v, want EINVALID", err)
	}
	if _, err := e.s.AddHazardPhoto(e.off2, h, zhudun.PhotoFound, photo); code(err) != zhudun.ENOTFOUND {
		t.Errorf("ST2 adds to ST1's hazard: %v, want ENOTFOUND", err)
	}
	p, err := e.s.AddHazardPhoto(e.off1, h, zhudun.PhotoRectified, photo)
	e.must(err)
	if p.ContentType != "image/jpeg" || p.Size != len(photo) {
		t.Errorf("photo %+v", p)
	}
	data, typ, err := e.s.PhotoData(e.sup, p.ID)
	if err != nil || typ != "image/jpeg" || string(data) != string(photo) {
		t.Errorf("stored photo %q %s %v, want as taken", data, typ, err)
	}
	if _, _, err := e.s.PhotoData(e.off2, p.ID); code(err) != zhudun.ENOTFOUND {
		t.Errorf("ST2 reads ST1's photo: %v, want ENOTFOUND", err)
	}
	if ps, err := e.s.HazardPhotos(e.off2, h); err != nil || len(ps) != 0 {
		t.Errorf("ST2 lists %d photos (%v)", len(ps), err)
	}
	if e.auditCount("campus.photo.add") != 1 {
		t.Error("photo not audited once")
	}
}
