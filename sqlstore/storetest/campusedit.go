package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// Campus edits and the map's points (issue 14 follow-up, docs/campus.md).

// campusWriter is a sub-bureau's campus officer: campus:read and
// campus:write over the subtree of dept.
func (e *campusEnv) campusWriter(name, dept string) context.Context {
	e.t.Helper()
	err := e.s.CreateRole(e.sys, &zhudun.Role{ID: "campus_sb", Name: "分局校园安全", Scope: zhudun.ScopeSubtree,
		Perms: []zhudun.Permission{zhudun.PermCampusRead, zhudun.PermCampusWrite}})
	if err != nil && code(err) != zhudun.ECONFLICT {
		e.t.Fatal(err)
	}
	return e.as(e.user(name, dept, "campus_sb"))
}

// lastAudit returns the detail of the newest audit row of action.
func (e *campusEnv) lastAudit(action string) map[string]any {
	e.t.Helper()
	rows, _, err := e.s.FindAudit(e.sys, zhudun.AuditFilter{Action: action, Limit: 1})
	e.must(err)
	if len(rows) == 0 {
		e.t.Fatalf("no %s audit row", action)
	}
	var d map[string]any
	e.must(json.Unmarshal(rows[0].Detail, &d))
	return d
}

func editOf(s *zhudun.School) zhudun.NewSchool {
	n := zhudun.NewSchool{Code: s.Code, Name: s.Name, Type: s.Type, Private: s.Private, District: s.District, Station: s.Station,
		Address: s.Address, Lon: s.Lon, Lat: s.Lat, Students: s.Students, Staff: s.Staff, SecurityStaff: s.SecurityStaff}
	for _, c := range s.Contacts {
		n.Contacts = append(n.Contacts, zhudun.NewSchoolContact{ID: c.ID, Role: c.Role, Name: c.Name})
	}
	return n
}

func testCampusSchoolEdit(t *testing.T, b Backend) {
	e := newCampusEnv(t, b)
	a := e.school("S001", "历下实验小学", zhudun.SchoolPrimary, "ST1", "370102")
	bb := e.school("S002", "市中幼儿园", zhudun.SchoolKindergarten, "ST2", "370103")
	w1 := e.campusWriter("w1", "SB1")

	// Scope: SB1's writer cannot reach ST2's school (as if absent), nor
	// move its own school to ST2; an officer has no campus:write.
	if _, err := e.s.UpdateSchool(w1, bb.ID, editOf(bb)); code(err) != zhudun.ENOTFOUND {
		t.Errorf("SB1 writer edits ST2's school: %v, want ENOTFOUND", err)
	}
	move := editOf(a)
	move.Station = "ST2"
	if _, err := e.s.UpdateSchool(w1, a.ID, move); code(err) != zhudun.EINVALID {
		t.Errorf("SB1 writer moves a school to ST2: %v, want EINVALID", err)
	}
	if _, err := e.s.UpdateSchool(e.off1, a.ID, editOf(a)); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("officer edits a school: %v, want EFORBIDDEN", err)
	}
	if _, err := e.s.UpdateSchool(w1, 999999, editOf(a)); code(err) != zhudun.ENOTFOUND {
		t.Errorf("edit of a missing school: %v, want ENOTFOUND", err)
	}

	// The edit: a new name and count, the contact kept (its phone sealed as
	// it was, the editor never saw it), a second contact added.
	n := editOf(a)
	n.Name, n.Students = "历下实验小学（东校区）", 912
	n.Contacts = append(n.Contacts, zhudun.NewSchoolContact{Role: "校长", Name: "李明", Phone: "13905310002"})
	got, err := e.s.UpdateSchool(w1, a.ID, n)
	e.must(err)
	if got.Name != "历下实验小学（东校区）" || got.Students != 912 || len(got.Contacts) != 2 {
		t.Fatalf("edited school %+v, want the new name, 912 students and 2 contacts", got)
	}
	if got.Contacts[0].ID != a.Contacts[0].ID || got.Contacts[0].PhoneMasked != "139****0001" || got.Contacts[1].PhoneMasked != "139****0002" {
		t.Errorf("contacts %+v, want the first kept (139****0001) and 139****0002 added", got.Contacts)
	}
	if p, err := e.s.RevealSchoolContact(e.sup, a.Contacts[0].ID, "核对联系人电话"); err != nil || p != "13905310001" {
		t.Errorf("kept contact reveals %q, %v, want 13905310001", p, err)
	}
	if rows := e.rawContains("campus_contacts", "13905310002"); len(rows) > 0 {
		t.Errorf("clear phone stored in %v", rows)
	}
	d := e.lastAudit("campus.school.update")
	if fmt.Sprint(d["changed"]) != "[name students contacts]" || d["code"] != "S001" {
		t.Errorf("audit detail %v, want changed [name students contacts] of S001", d)
	}
	if strings.Contains(fmt.Sprint(d), "13905310002") {
		t.Errorf("audit detail holds the phone: %v", d)
	}
	// Saving unchanged writes no audit row.
	before := e.auditCount("campus.school.update")
	_, err = e.s.UpdateSchool(w1, a.ID, editOf(got))
	e.must(err)
	if after := e.auditCount("campus.school.update"); after != before {
		t.Errorf("an unchanged save added %d audit rows", after-before)
	}
	// Removing a contact deletes its row.
	n = editOf(got)
	n.Contacts = n.Contacts[1:]
	got, err = e.s.UpdateSchool(w1, a.ID, n)
	e.must(err)
	if len(got.Contacts) != 1 || got.Contacts[0].Name != "李明" {
		t.Errorf("contacts after removal %+v, want 李明 only", got.Contacts)
	}
	// Another school's contact, a taken code, a bad phone: refused, nothing changed.
	for _, x := range []struct {
		why string
		mod func(*zhudun.NewSchool)
	}{
		{"another school's contact", func(n *zhudun.NewSchool) {
			n.Contacts = []zhudun.NewSchoolContact{{ID: bb.Contacts[0].ID, Role: "校长", Name: "某人"}}
		}},
		{"a taken code", func(n *zhudun.NewSchool) { n.Code = "S002" }},
		{"a bad phone", func(n *zhudun.NewSchool) {
			n.Name = "改不了"
			n.Contacts[0].Phone = "12345"
		}},
	} {
		n := editOf(got)
		x.mod(&n)
		if _, err := e.s.UpdateSchool(e.sup, a.ID, n); code(err) != zhudun.EINVALID {
			t.Errorf("%s: %v, want EINVALID", x.why, err)
		}
	}
	now, err := e.s.FindSchoolByID(e.sup, a.ID)
	e.must(err)
	if now.Code != "S001" || now.Name != "历下实验小学（东校区）" || len(now.Contacts) != 1 {
		t.Errorf("after refused edits %+v, want as before", now)
	}
	// The supervisor moves it to ST2: ST1's officer loses it, ST2's gains it.
	move = editOf(now)
	move.Station = "ST2"
	_, err = e.s.UpdateSchool(e.sup, a.ID, move)
	e.must(err)
	if _, err := e.s.FindSchoolByID(e.off1, a.ID); code(err) != zhudun.ENOTFOUND {
		t.Errorf("ST1 officer reads the moved school: %v, want ENOTFOUND", err)
	}
	if _, err := e.s.FindSchoolByID(e.off2, a.ID); err != nil {
		t.Errorf("ST2 officer reads the moved school: %v", err)
	}
	if d := e.lastAudit("campus.school.update"); d["station"] != "ST2" || d["from_station"] != "ST1" {
		t.Errorf("move audit %v, want ST1 → ST2", d)
	}
	// A key rotation re-seals the contacts' phones; they still open.
	e.rotateAndRekey(t)
	e.noOldKey(t, "campus_contacts", "phone_enc")
	var cid int64
	e.must(e.s.DB().QueryRow(`SELECT MIN(id) FROM campus_contacts WHERE phone_enc <> ''`).Scan(&cid))
	if p, err := e.s.RevealSchoolContact(e.sup, cid, "核对联系人电话"); err != nil || len(p) != 11 {
		t.Errorf("reveal after the rotation = %q, %v", p, err)
	}
}

func testCampusPoints(t *testing.T, b Backend) {
	e := newCampusEnv(t, b)
	e.setClock(time.Date(2026, 3, 2, 12, 0, 0, 0, zhudun.CST()))
	// 53 located schools at ST1, 2 without a location, 1 at ST2: more
	// than the list's page of 50.
	var rows []zhudun.NewSchool
	lon, lat := 117.02, 36.66
	for i := 1; i <= 55; i++ {
		n := zhudun.NewSchool{Code: fmt.Sprintf("P%03d", i), Name: fmt.Sprintf("历下第%d小学", i), Type: zhudun.SchoolPrimary, District: "370102", Station: "ST1"}
		if i <= 53 {
			n.Lon, n.Lat = &lon, &lat
		}
		rows = append(rows, n)
	}
	rows = append(rows, zhudun.NewSchool{Code: "Q001", Name: "市中幼儿园", Type: zhudun.SchoolKindergarten, District: "370103", Station: "ST2", Lon: &lon, Lat: &lat})
	n, bad, err := e.s.ImportSchools(e.sup, rows)
	if err != nil || len(bad) > 0 || n != 56 {
		t.Fatalf("import: %d %v %v", n, bad, err)
	}
	list, _, err := e.s.FindSchools(e.sup, zhudun.SchoolFilter{Station: "ST1", Limit: 100})
	e.must(err)
	byCode := map[string]*zhudun.School{}
	for _, s := range list {
		byCode[s.Code] = s
	}
	g := e.group("第一督导组", zhudun.GroupMember{UserID: e.agencyUser.ID, Agency: zhudun.AgencyEducation})
	g2 := e.group("第二督导组", zhudun.GroupMember{Name: "赵队长", Agency: zhudun.AgencyFire})
	r1 := e.round("第一轮", g.ID, byCode["P001"].ID, byCode["P002"].ID)
	r2 := e.round("第二轮", g2.ID, byCode["P003"].ID, byCode["P002"].ID)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, zhudun.CST())
	// P001: an open hazard (awaiting a notice). P002: a notice whose
	// deadline (3 March) has passed, in r1. P003: a hazard rectified on the
	// spot (no status). P002 also has an open hazard in r2, which the
	// agency member (G1 only) must not see.
	e.visit(e.sup, r1, byCode["P001"], at, map[string]*zhudun.NewHazard{"f02": hz("校门口无隔离桩", false)})
	v := e.visit(e.sup, r1, byCode["P002"], at, map[string]*zhudun.NewHazard{"t03": hz("一键报警未联网", false)})
	e.notice(e.sup, "2026-03-03", v.Hazards[0].ID)
	e.visit(e.sup, r2, byCode["P003"], at, map[string]*zhudun.NewHazard{"x01": hz("灭火器过期", true)})
	e.visit(e.sup, r2, byCode["P002"], at, map[string]*zhudun.NewHazard{"x02": hz("疏散通道堵塞", false)})
	e.setClock(time.Date(2026, 3, 10, 9, 0, 0, 0, zhudun.CST()))

	status := func(ctx context.Context) (int, map[string]int, map[string]string) {
		ps, err := e.s.SchoolPoints(ctx)
		e.must(err)
		count, st := map[string]int{}, map[string]string{}
		for _, p := range ps {
			count[p.Status]++
			st[p.Name] = p.Status
		}
		return len(ps), count, st
	}
	// By hand: the supervisor sees 53 + 1 located schools; P001 open,
	// P002 overdue, the other 52 ok.
	nAll, cAll, sAll := status(e.sup)
	if nAll != 54 || cAll["open"] != 1 || cAll["overdue"] != 1 || cAll["ok"] != 52 {
		t.Errorf("supervisor: %d points %v, want 54 (1 open, 1 overdue, 52 ok)", nAll, cAll)
	}
	if sAll["历下第1小学"] != "open" || sAll["历下第2小学"] != "overdue" || sAll["历下第3小学"] != "ok" {
		t.Errorf("statuses %v %v %v, want open overdue ok", sAll["历下第1小学"], sAll["历下第2小学"], sAll["历下第3小学"])
	}
	if n1, _, s1 := status(e.off1); n1 != 53 || s1["市中幼儿园"] != "" {
		t.Errorf("ST1 officer: %d points, want ST1's 53 and not ST2's school", n1)
	}
	if n2, _, s2 := status(e.off2); n2 != 1 || s2["市中幼儿园"] != "ok" {
		t.Errorf("ST2 officer: %d points %v, want 市中幼儿园 only", n2, s2)
	}
	// The agency member: r1's two schools; P002's r2 hazard unseen, its r1
	// notice overdue.
	na, _, sa := status(e.agency)
	if na != 2 || sa["历下第1小学"] != "open" || sa["历下第2小学"] != "overdue" {
		t.Errorf("agency: %d points %v, want P001 open and P002 overdue", na, sa)
	}
	// Closing the notice leaves P002 "open" for those who see r2's hazard
	// and "ok" for the agency member.
	_, err = e.s.Reinspect(e.sup, e.noticeOf(v.Hazards[0].ID), zhudun.Reinspection{Outcome: zhudun.ReinspectClose})
	e.must(err)
	if _, _, s := status(e.sup); s["历下第2小学"] != "open" {
		t.Errorf("supervisor after closing: P002 %s, want open (r2's hazard)", s["历下第2小学"])
	}
	if _, _, s := status(e.agency); s["历下第2小学"] != "ok" {
		t.Errorf("agency after closing: P002 %s, want ok", s["历下第2小学"])
	}
}

// noticeOf is the id of the notice a hazard is under.
func (e *campusEnv) noticeOf(hazard int64) int64 {
	e.t.Helper()
	hs, _, err := e.s.FindHazards(e.sup, zhudun.HazardFilter{Limit: 500})
	e.must(err)
	for _, h := range hs {
		if h.ID == hazard && h.NoticeID != nil {
			return *h.NoticeID
		}
	}
	e.t.Fatalf("hazard %d has no notice", hazard)
	return 0
}

func testCampusGroupRoundEdit(t *testing.T, b Backend) {
	e := newCampusEnv(t, b)
	a := e.school("S001", "历下实验小学", zhudun.SchoolPrimary, "ST1", "370102")
	c := e.school("S003", "历下第二中学", zhudun.SchoolMiddle, "ST1", "370102")
	bb := e.school("S002", "市中幼儿园", zhudun.SchoolKindergarten, "ST2", "370103")
	g := e.group("第一督导组", zhudun.GroupMember{Name: "刘科长", Agency: zhudun.AgencyPolice},
		zhudun.GroupMember{UserID: e.agencyUser.ID, Agency: zhudun.AgencyEducation})
	r := e.round("第一轮", g.ID, a.ID, c.ID)
	if r.Mode != zhudun.RoundMixed {
		t.Errorf("a round planned without a mode reads %q, want mixed", r.Mode)
	}
	w1 := e.campusWriter("w1", "SB1")
	// The accounts a group may take: campus_agency holders only.
	e.user("edu2", "EDU", zhudun.RoleCampusAgency)
	if accs, err := e.s.CampusAccounts(w1); err != nil || len(accs) != 2 || accs[0].Username != "edu1" || accs[1].Username != "edu2" || accs[0].Dept != "市教育局（外单位）" {
		t.Errorf("campus accounts %+v, %v, want edu1 and edu2 of 市教育局（外单位）", accs, err)
	}
	if _, err := e.s.CampusAccounts(e.off1); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("officer lists campus accounts: %v, want EFORBIDDEN", err)
	}
	mine, err := e.s.CreateGroup(w1, zhudun.NewGroup{Name: "一分局督导组", Members: []zhudun.GroupMember{{Name: "钱所长", Agency: zhudun.AgencyPolice}}})
	e.must(err)

	// Scope: SB1's writer sees the supervisor's round (it plans SB1's
	// schools) but cannot change it nor the supervisor's group.
	if _, err := e.s.UpdateGroup(w1, g.ID, zhudun.NewGroup{Name: "改名", Members: []zhudun.GroupMember{{Name: "某人", Agency: zhudun.AgencyPolice}}}); code(err) != zhudun.ENOTFOUND {
		t.Errorf("SB1 writer edits the division's group: %v, want ENOTFOUND", err)
	}
	if _, err := e.s.FindRoundByID(w1, r.ID); err != nil {
		t.Fatalf("SB1 writer reads the round planning its schools: %v", err)
	}
	plan := zhudun.NewRound{Name: "第一轮", GroupID: g.ID, Mode: zhudun.VisitCovert, StartDay: "2026-02-01", EndDay: "2026-04-30", Schools: []int64{a.ID}}
	if _, err := e.s.UpdateRound(w1, r.ID, plan); code(err) != zhudun.ENOTFOUND {
		t.Errorf("SB1 writer re-plans the division's round: %v, want ENOTFOUND", err)
	}
	if _, err := e.s.UpdateRound(e.sup, r.ID, zhudun.NewRound{Name: "第一轮", GroupID: g.ID, Mode: "secret", StartDay: "2026-02-01", EndDay: "2026-04-30"}); code(err) != zhudun.EINVALID {
		t.Errorf("mode secret: %v, want EINVALID", err)
	}
	// A group of SB1's own: the writer edits it; a round of its own cannot
	// take ST2's school nor the division's group.
	if _, err := e.s.UpdateGroup(w1, mine.ID, zhudun.NewGroup{Name: "一分局联合督导组", Members: []zhudun.GroupMember{{Name: "钱所长", Agency: zhudun.AgencyPolice}, {Name: "孙科员", Agency: zhudun.AgencyMarket}}}); err != nil {
		t.Errorf("SB1 writer edits its group: %v", err)
	}
	own, err := e.s.CreateRound(w1, zhudun.NewRound{Name: "分局暗访", GroupID: mine.ID, StartDay: "2026-03-01", EndDay: "2026-03-31", Schools: []int64{a.ID}})
	e.must(err)
	for _, x := range []zhudun.NewRound{
		{Name: "分局暗访", GroupID: mine.ID, StartDay: "2026-03-01", EndDay: "2026-03-31", Schools: []int64{a.ID, bb.ID}},
		{Name: "分局暗访", GroupID: g.ID, StartDay: "2026-03-01", EndDay: "2026-03-31", Schools: []int64{a.ID}},
	} {
		if _, err := e.s.UpdateRound(w1, own.ID, x); code(err) != zhudun.EINVALID {
			t.Errorf("SB1 writer plans %v with group %d: %v, want EINVALID", x.Schools, x.GroupID, err)
		}
	}

	// The supervisor re-plans: covert, S003 out, S002 in.
	at := time.Date(2026, 2, 20, 9, 0, 0, 0, zhudun.CST())
	e.visit(e.sup, r, a, at, nil)
	plan = zhudun.NewRound{Name: "第一轮暗访", GroupID: g.ID, Mode: zhudun.VisitCovert, StartDay: "2026-02-01", EndDay: "2026-05-31", Schools: []int64{a.ID, bb.ID}}
	got, err := e.s.UpdateRound(e.sup, r.ID, plan)
	e.must(err)
	if got.Name != "第一轮暗访" || got.Mode != zhudun.VisitCovert || got.EndDay != "2026-05-31" || got.Schools != 2 || got.Reached != 1 {
		t.Errorf("re-planned round %+v, want 第一轮暗访, covert, to 05-31, 2 planned 1 reached", got)
	}
	cov, err := e.s.RoundCoverage(e.sup, r.ID)
	e.must(err)
	if len(cov.Unreached) != 1 || cov.Unreached[0].Code != "S002" {
		t.Errorf("unreached after re-plan %+v, want S002", cov.Unreached)
	}
	if d := e.lastAudit("campus.round.update"); fmt.Sprint(d["added"]) != fmt.Sprint([]any{float64(bb.ID)}) || fmt.Sprint(d["removed"]) != fmt.Sprint([]any{float64(c.ID)}) {
		t.Errorf("round audit %v, want added [%d] removed [%d]", d, bb.ID, c.ID)
	}
	// A visited school stays in the plan.
	plan.Schools = []int64{bb.ID}
	if _, err := e.s.UpdateRound(e.sup, r.ID, plan); code(err) != zhudun.EINVALID {
		t.Errorf("removing a visited school: %v, want EINVALID", err)
	}

	// Membership: dropping the agency account from the group takes the
	// round away from it at once.
	if rs, _ := e.s.FindRounds(e.agency); len(rs) != 1 {
		t.Fatalf("agency sees %d rounds before, want 1", len(rs))
	}
	ng, err := e.s.UpdateGroup(e.sup, g.ID, zhudun.NewGroup{Name: "第一联合督导组", Members: []zhudun.GroupMember{
		{Name: "刘科长", Agency: zhudun.AgencyPolice}, {Name: "周队长", Agency: zhudun.AgencyFire, Title: "防火监督"}}})
	e.must(err)
	var agencies []string
	for _, m := range ng.Members {
		agencies = append(agencies, m.Agency)
	}
	if ng.Name != "第一联合督导组" || !slices.Equal(agencies, []string{"police", "fire"}) {
		t.Errorf("edited group %+v, want 第一联合督导组 with police and fire", ng)
	}
	if rs, err := e.s.FindRounds(e.agency); err != nil || len(rs) != 0 {
		t.Errorf("agency removed from the group sees %d rounds (%v), want none", len(rs), err)
	}
	if d := e.lastAudit("campus.group.update"); d["old_name"] != "第一督导组" || d["members"] != float64(2) {
		t.Errorf("group audit %v, want old_name 第一督导组, 2 members", d)
	}
	// A disabled or missing account cannot be a member; nothing changes.
	if _, err := e.s.UpdateGroup(e.sup, g.ID, zhudun.NewGroup{Name: "又改", Members: []zhudun.GroupMember{{UserID: 999999, Agency: zhudun.AgencyEducation}}}); code(err) != zhudun.EINVALID {
		t.Errorf("missing account: %v, want EINVALID", err)
	}
	gs, err := e.s.FindGroups(e.sup)
	e.must(err)
	if gs[0].Name != "第一联合督导组" || len(gs[0].Members) != 2 {
		t.Errorf("after a refused edit %+v, want as before", gs[0])
	}
}

// BenchSchoolPoints reads the map's points of a city-sized registry:
// 3,000 located schools (Jinan has about 3,000), 100 of them with an open
// hazard and 20 of those under a notice, as the 经文保 supervisor (scope
// all) sees them.
func BenchSchoolPoints(b *testing.B, be Backend) {
	e := newCampusEnv(b, be)
	e.setClock(time.Date(2026, 3, 2, 12, 0, 0, 0, zhudun.CST()))
	rows := make([]zhudun.NewSchool, 3000)
	for i := range rows {
		lon, lat := 116.8+float64(i%60)*0.01, 36.5+float64(i/60)*0.005
		st := "ST1"
		if i%2 == 1 {
			st = "ST2"
		}
		rows[i] = zhudun.NewSchool{Code: fmt.Sprintf("B%04d", i), Name: fmt.Sprintf("第%d学校", i), Type: zhudun.SchoolTypes[i%len(zhudun.SchoolTypes)],
			District: "370102", Station: st, Lon: &lon, Lat: &lat}
	}
	if _, bad, err := e.s.ImportSchools(e.sup, rows); err != nil || len(bad) > 0 {
		b.Fatalf("import: %v %v", bad, err)
	}
	list, _, err := e.s.FindSchools(e.sup, zhudun.SchoolFilter{Limit: 100})
	e.must(err)
	ids := make([]int64, len(list))
	for i, s := range list {
		ids[i] = s.ID
	}
	g := e.group("督导组", zhudun.GroupMember{Name: "刘科长", Agency: zhudun.AgencyPolice})
	r := e.round("第一轮", g.ID, ids...)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, zhudun.CST())
	for i, s := range list {
		v := e.visit(e.sup, r, s, at, map[string]*zhudun.NewHazard{"p01": hz("保安员不在岗", false)})
		if i < 20 {
			e.notice(e.sup, "2026-03-20", v.Hazards[0].ID)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ps, err := e.s.SchoolPoints(e.sup)
		if err != nil || len(ps) != 3000 {
			b.Fatalf("%d points, %v", len(ps), err)
		}
	}
}
