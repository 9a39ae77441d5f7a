package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
)

// testCaseAlertsPage: a division's page of cross-reference alerts
// (FindCaseAlerts) lists the alerts of the cases in the caller's scope,
// each with its own case and the other side as far as the caller may see
// it; a station sees none of another station's; alerts close with a note,
// once, by a writer of their case only; the state filter and paging.
func testCaseAlertsPage(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	st1 := e.as(e.user("ana_st1", "ST1", "analyst"))
	st2 := e.as(e.user("ana_st2", "ST2", "analyst"))
	sb1 := e.as(e.user("ana_sb1", "SB1", "analyst"))
	root := e.as(e.user("ana_root", "ROOT", "analyst"))
	a := e.newCase(st1, "一所诈骗案", "")
	bc := e.newCase(st2, "二所帮信案", "")
	c := e.newCase(sb1, "一分局赌博案", "")
	_, err := e.s.AddCasePerson(st1, a.ID, zhudun.NewCasePerson{Name: "张三", IDNumber: "11010519491231002X", Role: "suspect"})
	e.must(err)
	// 1: on b (other a), 2: on a (other b)
	_, err = e.s.AddCasePerson(st2, bc.ID, zhudun.NewCasePerson{Name: "张三", IDNumber: "11010519491231002X", Role: "suspect"})
	e.must(err)
	_, err = e.s.AddSeizure(sb1, c.ID, zhudun.NewSeizure{Kind: zhudun.SeizureSIMCards, Count: 1, Items: []string{"13900001111"}, SeizedOn: "2026-02-27"})
	e.must(err)
	// 3: on a (other c), 4: on c (other a)
	_, err = e.s.AddCasePerson(st1, a.ID, zhudun.NewCasePerson{Name: "李四", Phone: "13900001111", Role: "victim"})
	e.must(err)

	// line renders an alert as the page shows it: its case, kind, shown
	// identifier, and the other side — its title when visible, else the
	// department and whom to contact.
	line := func(x *zhudun.CaseAlert) string {
		o := "-"
		if x.Other != nil {
			if x.Other.Visible {
				o = fmt.Sprintf("%s(%s)", x.Other.Title, x.Other.Dept)
			} else {
				if x.Other.Title != "" || x.Other.Number != "" || x.Other.CaseID != 0 {
					t.Fatalf("an invisible side shows %+v", x.Other)
				}
				o = fmt.Sprintf("[%s %s, %s]", x.Other.Dept, x.Other.DeptName, x.Other.Lead)
			}
		}
		return fmt.Sprintf("%s %s %s → %s %s", x.Case.Title, x.Kind, x.Shown, o, x.State)
	}
	list := func(ctx context.Context, f zhudun.CaseAlertFilter) ([]string, int) {
		t.Helper()
		xs, n, err := e.s.FindCaseAlerts(ctx, f)
		e.must(err)
		var out []string
		for _, x := range xs {
			out = append(out, line(x))
		}
		return out, n
	}
	for _, c := range []struct {
		who  string
		ctx  context.Context
		want []string
	}{
		{"ST1", st1, []string{
			"一所诈骗案 phone 139****1111 → [SB1 一分局, ana_sb1] open",
			"一所诈骗案 idno 110105********002X → [ST2 二所, ana_st2] open",
		}},
		{"ST2", st2, []string{
			"二所帮信案 idno 110105********002X → [ST1 一所, ana_st1] open",
		}},
		{"SB1", sb1, []string{
			"一分局赌博案 phone 139****1111 → 一所诈骗案(ST1) open",
			"一所诈骗案 phone 139****1111 → 一分局赌博案(SB1) open",
			"一所诈骗案 idno 110105********002X → [ST2 二所, ana_st2] open",
		}},
		{"ROOT", root, []string{
			"一分局赌博案 phone 139****1111 → 一所诈骗案(ST1) open",
			"一所诈骗案 phone 139****1111 → 一分局赌博案(SB1) open",
			"一所诈骗案 idno 110105********002X → 二所帮信案(ST2) open",
			"二所帮信案 idno 110105********002X → 一所诈骗案(ST1) open",
		}},
	} {
		got, n := list(c.ctx, zhudun.CaseAlertFilter{})
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") || n != len(c.want) {
			t.Errorf("%s's alerts (%d):\n%s\nwant:\n%s", c.who, n, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
		}
	}
	// The city's, department filter and paging.
	if got, n := list(root, zhudun.CaseAlertFilter{Dept: "ST2"}); n != 1 || got[0] != "二所帮信案 idno 110105********002X → 一所诈骗案(ST1) open" {
		t.Fatalf("root, dept ST2: %d %v", n, got)
	}
	if got, _ := list(st2, zhudun.CaseAlertFilter{Dept: "ST1"}); len(got) != 0 {
		t.Fatalf("ST2 filtering by ST1 sees %v", got)
	}
	p1, n1 := list(root, zhudun.CaseAlertFilter{Limit: 3})
	p2, n2 := list(root, zhudun.CaseAlertFilter{Limit: 3, Offset: 3})
	if len(p1) != 3 || len(p2) != 1 || n1 != 4 || n2 != 4 || !strings.HasPrefix(p2[0], "二所帮信案") {
		t.Fatalf("pages: %v (%d) / %v (%d)", p1, n1, p2, n2)
	}
	if _, _, err := e.s.FindCaseAlerts(st1, zhudun.CaseAlertFilter{State: "done"}); code(err) != zhudun.EINVALID {
		t.Fatalf("state done: %v", err)
	}

	// Closing: ST1 closes its idno alert (the second of its list).
	xs, _, err := e.s.FindCaseAlerts(st1, zhudun.CaseAlertFilter{})
	e.must(err)
	idnoA := xs[1].ID
	xs, _, err = e.s.FindCaseAlerts(st2, zhudun.CaseAlertFilter{})
	e.must(err)
	idnoB := xs[0].ID
	if _, err := e.s.CloseCaseAlert(st2, idnoA, "已与一所联系"); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("ST2 closes ST1's alert: %v", err)
	}
	if _, err := e.s.CloseCaseAlert(st1, idnoB, "已与二所联系"); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("ST1 closes ST2's alert: %v", err)
	}
	if _, err := e.s.CloseCaseAlert(st1, idnoA, "好"); code(err) != zhudun.EINVALID {
		t.Fatalf("a note too short: %v", err)
	}
	if _, err := e.s.CloseCaseAlert(st1, 999999, "已与二所联系"); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("no such alert: %v", err)
	}
	before := e.auditCount("case.alert.close")
	got, err := e.s.CloseCaseAlert(st1, idnoA, "已与二所联系，确认同一嫌疑人，并案侦查")
	e.must(err)
	if got.State != zhudun.AlertClosed || got.ClosedBy != "ana_st1" || got.ClosedAt == nil || got.CloseNote != "已与二所联系，确认同一嫌疑人，并案侦查" {
		t.Fatalf("closed alert: %+v", got)
	}
	if _, err := e.s.CloseCaseAlert(st1, idnoA, "再关一次试试"); code(err) != zhudun.ECONFLICT {
		t.Fatalf("closed twice: %v", err)
	}
	if n := e.auditCount("case.alert.close"); n != before+1 {
		t.Fatalf("case.alert.close audited %d times, want 1", n-before)
	}
	if open, _ := list(st1, zhudun.CaseAlertFilter{State: zhudun.AlertOpen}); len(open) != 1 || open[0] != "一所诈骗案 phone 139****1111 → [SB1 一分局, ana_sb1] open" {
		t.Fatalf("ST1's open alerts: %v", open)
	}
	if closed, _ := list(st1, zhudun.CaseAlertFilter{State: zhudun.AlertClosed}); len(closed) != 1 || closed[0] != "一所诈骗案 idno 110105********002X → [ST2 二所, ana_st2] closed" {
		t.Fatalf("ST1's closed alerts: %v", closed)
	}
	// ST2's twin alert stays open: each side closes its own.
	if open, _ := list(st2, zhudun.CaseAlertFilter{State: zhudun.AlertOpen}); len(open) != 1 {
		t.Fatalf("ST2's open alerts after ST1 closed its own: %v", open)
	}
	// Ten closes of ST2's alert at once: one closes it, nine are 409, one
	// audit row.
	before = e.auditCount("case.alert.close")
	if got := atOnce(10, func() error {
		_, err := e.s.CloseCaseAlert(st2, idnoB, "已与一所联系，确认同一嫌疑人")
		return err
	}); got[""] != 1 || got[zhudun.ECONFLICT] != 9 || e.auditCount("case.alert.close") != before+1 {
		t.Fatalf("parallel closes by error code: %v, %d audited", got, e.auditCount("case.alert.close")-before)
	}
	// The case page's list shows the state too.
	al, err := e.s.CaseAlerts(st1, a.ID)
	e.must(err)
	if al[1].ID != idnoA || al[1].State != zhudun.AlertClosed || al[0].State != zhudun.AlertOpen {
		t.Fatalf("the case's alerts: %+v %+v", al[0], al[1])
	}
}
