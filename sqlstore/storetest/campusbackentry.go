package storetest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// Back-entry (补录) of last year's paper notices and re-inspections
// (docs/campus.md). The clock stands at 2026-03-01 16:00 China time:
//
//	2025-06-10 09:00  A visited: t04, x03 and p01 open.
//	2026-02-20 09:00  A visited: f02 open.
//	now               N0 for f02, deadline 2026-03-10: 〔2026〕0001.
//	2025-06-12 10:00  N1 for t04 back-entered, deadline 2025-06-30: 〔2025〕0001.
//	2025-06-13 10:00  N2 for x03 back-entered, deadline 2025-07-10: 〔2025〕0002.
//	2025-07-01 15:00  N1 closed on re-inspection.
//	2025-07-15 10:00  N2 re-issued as N3, deadline 2025-07-31: 〔2025〕0003,
//	                  still open: overdue.
//	now               N4 for p01: 〔2026〕0002 (the 2026 series goes on).
func testCampusBackEntry(t *testing.T, b Backend) {
	e := newCampusEnv(t, b)
	a := e.school("S001", "历下实验小学", zhudun.SchoolPrimary, "ST1", "370102")
	g := e.group("第一督导组", zhudun.GroupMember{Name: "孙老师", Agency: zhudun.AgencyEducation})
	r := e.round("第一轮", g.ID, a.ID)
	cst := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, zhudun.CST()) }
	v25 := e.visit(e.off1, r, a, cst(2025, 6, 10, 9), map[string]*zhudun.NewHazard{
		"t04": hz("一键报警测试未接通110", false), "x03": hz("楼道电动车充电", false), "p01": hz("保安员脱岗", false)})
	v26 := e.visit(e.off1, r, a, cst(2026, 2, 20, 9), map[string]*zhudun.NewHazard{"f02": hz("无防冲撞设施", false)})
	hid := map[string]int64{"f02": v26.Hazards[0].ID}
	for _, h := range v25.Hazards {
		hid[h.Item] = h.ID
	}
	issue := func(item, deadline string, at *time.Time) (*zhudun.Notice, error) {
		return e.s.IssueNotice(e.off1, zhudun.NewNotice{Hazards: []int64{hid[item]}, LegalBasis: "internal_security_19", Deadline: deadline,
			SchoolRep: "王建国", Officers: []string{"张警官", "李警官"}, IssuedAt: at})
	}
	field := func(err error) string {
		var ze *zhudun.Error
		if errors.As(err, &ze) && ze.Code == zhudun.EINVALID {
			return ze.Field
		}
		return "not EINVALID: " + code(err)
	}
	ptr := func(t time.Time) *time.Time { return &t }

	n0, err := issue("f02", "2026-03-10", nil)
	e.must(err)
	if n0.Number != "一所责改字〔2026〕0001号" || !n0.IssuedAt.Equal(e.clock.Now()) {
		t.Errorf("this year's notice %s issued %v", n0.Number, n0.IssuedAt)
	}
	// Refused: before the visit that found the hazard, in the future, a
	// deadline not after the issue day.
	for _, c := range []struct {
		what, deadline, field string
		at                    time.Time
	}{
		{"issued the day before the visit", "2025-06-30", "issued_at", cst(2025, 6, 9, 10)},
		{"issued an hour before the visit", "2025-06-30", "issued_at", cst(2025, 6, 10, 8)},
		{"issued tomorrow", "2026-03-20", "issued_at", cst(2026, 3, 2, 10)},
		{"a deadline on the issue day", "2025-06-12", "deadline", cst(2025, 6, 12, 10)},
	} {
		if _, err := issue("t04", c.deadline, &c.at); field(err) != c.field {
			t.Errorf("%s: %v, want EINVALID on %s", c.what, err, c.field)
		}
	}
	n1, err := issue("t04", "2025-06-30", ptr(cst(2025, 6, 12, 10)))
	e.must(err)
	n2, err := issue("x03", "2025-07-10", ptr(cst(2025, 6, 13, 10)))
	e.must(err)
	if n1.Number != "一所责改字〔2025〕0001号" || n1.Year != 2025 || n1.Serial != 1 || n2.Number != "一所责改字〔2025〕0002号" {
		t.Errorf("back-entered numbers %s (%d/%d), %s; want 〔2025〕0001 and 0002", n1.Number, n1.Year, n1.Serial, n2.Number)
	}
	if !n1.IssuedAt.Equal(cst(2025, 6, 12, 10)) || !n1.Overdue {
		t.Errorf("N1 issued %v overdue %v, want 2025-06-12 10:00 and overdue (open past 2025-06-30)", n1.IssuedAt, n1.Overdue)
	}
	// The audit row gives the issue instant and says it was back-entered.
	rows, _, err := e.s.FindAudit(e.sys, zhudun.AuditFilter{Action: "campus.notice.issue", Limit: 10})
	e.must(err)
	var details []string
	for _, x := range rows {
		details = append(details, string(x.Detail))
	}
	if all := strings.Join(details, "\n"); !strings.Contains(all, `"issued_at":"2025-06-12T02:00:00Z"`) || strings.Count(all, `"back_entered":true`) != 2 {
		t.Errorf("issue audit rows:\n%s\nwant N1's issued_at 2025-06-12T02:00:00Z and two back-entered", all)
	}

	// Re-inspections: not before the issue, not in the future, a new
	// deadline after the re-inspection's day.
	for _, c := range []struct {
		what  string
		r     zhudun.Reinspection
		field string
	}{
		{"before the issue", zhudun.Reinspection{Outcome: zhudun.ReinspectClose, At: ptr(cst(2025, 6, 11, 10))}, "at"},
		{"in the future", zhudun.Reinspection{Outcome: zhudun.ReinspectClose, At: ptr(cst(2026, 3, 2, 10))}, "at"},
		{"an extension to the re-inspection day", zhudun.Reinspection{Outcome: zhudun.ReinspectExtend, Deadline: "2025-07-05",
			Reason: "设备待采购", At: ptr(cst(2025, 7, 5, 10))}, "deadline"},
	} {
		if _, err := e.s.Reinspect(e.off1, n1.ID, c.r); field(err) != c.field {
			t.Errorf("re-inspection %s: %v, want EINVALID on %s", c.what, err, c.field)
		}
	}
	closed, err := e.s.Reinspect(e.off1, n1.ID, zhudun.Reinspection{Outcome: zhudun.ReinspectClose, Reason: "复查合格", At: ptr(cst(2025, 7, 1, 15))})
	e.must(err)
	if closed.ClosedAt == nil || !closed.ClosedAt.Equal(cst(2025, 7, 1, 15)) || closed.Hazards[0].ClosedAt == nil ||
		!closed.Hazards[0].ClosedAt.Equal(cst(2025, 7, 1, 15)) || !closed.Steps[0].At.Equal(cst(2025, 7, 1, 15)) || closed.Overdue {
		t.Errorf("N1 closed at %v, its hazard %v, step %+v", closed.ClosedAt, closed.Hazards[0].ClosedAt, closed.Steps)
	}
	n3, err := e.s.Reinspect(e.off1, n2.ID, zhudun.Reinspection{Outcome: zhudun.ReinspectReissue, Deadline: "2025-07-31",
		Reason: "复查仍未整改", At: ptr(cst(2025, 7, 15, 10))})
	e.must(err)
	if n3.Number != "一所责改字〔2025〕0003号" || !n3.IssuedAt.Equal(cst(2025, 7, 15, 10)) || !n3.Overdue {
		t.Errorf("re-issued %s at %v overdue %v, want 〔2025〕0003 at 2025-07-15 10:00, overdue", n3.Number, n3.IssuedAt, n3.Overdue)
	}
	old, err := e.s.FindNoticeByID(e.off1, n2.ID)
	e.must(err)
	if old.ClosedAt == nil || !old.ClosedAt.Equal(cst(2025, 7, 15, 10)) {
		t.Errorf("N2 superseded at %v, want 2025-07-15 10:00", old.ClosedAt)
	}
	// A re-inspection of N3 is not before its own issue.
	if _, err := e.s.Reinspect(e.off1, n3.ID, zhudun.Reinspection{Outcome: zhudun.ReinspectClose, At: ptr(cst(2025, 7, 14, 10))}); field(err) != "at" {
		t.Errorf("re-inspecting N3 before its issue: %v, want EINVALID on at", err)
	}
	n4, err := issue("p01", "2026-03-20", nil)
	e.must(err)
	if n4.Number != "一所责改字〔2026〕0002号" {
		t.Errorf("this year's second notice %s, want 〔2026〕0002", n4.Number)
	}

	// Overdue and escalation: N3 (open, deadline 2025-07-31) is overdue now.
	od, total, err := e.s.FindNotices(e.off1, zhudun.HazardFilter{Status: "overdue"})
	e.must(err)
	if total != 1 || od[0].ID != n3.ID {
		t.Errorf("overdue notices %d, want N3 only", total)
	}
	alerts, err := e.s.EscalateOverdueNotices(e.sys)
	e.must(err)
	if len(alerts) != 2 || alerts[0].NoticeID != n3.ID {
		t.Errorf("escalations %+v, want N3 to ST1 and 孙老师", alerts)
	}

	// The report counts the notices in the year of their issue: 2025 has
	// N1, N2 and N3 (N1 closed, N3 overdue) and the hazards found in June;
	// 2026 to date has N0 and N4, with 2025's January–March empty.
	show := func(q zhudun.CampusReportQuery) string {
		rep, err := e.s.CampusReport(e.sup, q)
		e.must(err)
		var out []string
		for _, x := range []zhudun.Figure{rep.Hazards, rep.Notices, rep.Closed, rep.Overdue} {
			out = append(out, fmtFloat(x.Value)+"/"+fmtFloat(x.LastYear))
		}
		return strings.Join(out, " ")
	}
	if got, want := show(zhudun.CampusReportQuery{From: cst(2025, 1, 1, 0), To: cst(2025, 12, 31, 0)}), "3/0 3/0 1/0 1/0"; got != want {
		t.Errorf("2025: hazards, notices, closed, overdue %s, want %s", got, want)
	}
	if got, want := show(zhudun.CampusReportQuery{From: cst(2026, 1, 1, 0), To: cst(2026, 3, 1, 0)}), "1/0 2/0 0/0 0/0"; got != want {
		t.Errorf("2026 to date: hazards, notices, closed, overdue %s, want %s", got, want)
	}
}
