package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// The cyber report (issue 12 item 5, docs/cases.md "Campaign figures").
// Every expected figure below is counted by hand from this data set (days
// in China time; SB1's commander unless said):
//
//	Jan 2025  L1 (SB1) received 01-10, filed 01-12; P5 caught and detained
//	          01-15; funds frozen 1000.00 01-12. wechat:old confirmed 01-20.
//	Dec 2025  A (SB1, 四断, from finding wechat:a1) received 12-03, filed
//	          12-05, solved 2026-01-08, transferred 2026-01-20. P1 caught
//	          12-06, compelled appearance 12-05 and detention 12-06 (two
//	          measures, one person), arrest 2026-01-05. Funds frozen 1000.00
//	          12-07; 300.00 frozen 12-07 and returned 2026-01-10; 50 SIM
//	          cards, 2 cat pools 12-07; accounts 12-08: count 5, listed
//	          wechat:a1, wechat:s1, qq:s2 (two unlisted).
//	          D (SB1, 四断) received 12-04, filed 12-05, merged into A: P1
//	          caught 12-06 and detained 12-06, 1 GoIP 12-09 (moves to A).
//	          B (ST1, 四断) received 12-15: P2 summoned (not coercive) and
//	          caught 12-16.
//	          C (SB1) received 12-20, filed 12-21: 10 SIM cards 12-21, funds
//	          seized 500.00 12-22; 200.00 returned 2026-01-12 (a record of
//	          the return only: money taken before it was entered).
//	          X (SB2, 四断) received 12-10, filed 12-11, solved 12-12: P1
//	          detained 12-11, P4 caught and arrested 12-11, 1000 SIM cards,
//	          accounts qq:x1. qq:b2 confirmed by SB2 12-10.
//	          wechat:a1 confirmed by SB1 12-10.
//	Jan 2026  E (SB1) received 01-05, filed 01-06, solved 01-25: P3 caught
//	          and detained 01-06; funds seized 2000.00 01-07; 400.00 frozen
//	          01-09 and returned 01-20 (nothing held in January); 3 phones
//	          01-07; accounts 01-26: wechat:a2, wechat:s9. wechat:a2
//	          confirmed 01-15; wechat:d1 confirmed 01-15 and dismissed.
//	Dec 2024  nothing: every change_pct of December is null.

const (
	idC = "370102198808081236"
	idD = "370102199202022340"
	idE = "370102197505053452"
)

func cday(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 10, 0, 0, 0, zhudun.CST())
	return &t
}

func testCyberReport(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	for _, s := range []zhudun.NewSource{{Name: "cmcc-feed", Kind: zhudun.SourceCarrier, Binding: "cmcc", DeptCode: "SB1"},
		{Name: "sb2feed", Kind: zhudun.SourceCarrier, DeptCode: "SB2"}} {
		_, _, err := e.s.CreateSource(e.sys, s)
		e.must(err)
	}
	ana1 := e.as(e.user("ana1", "SB1", "analyst"))
	ana2 := e.as(e.user("ana2", "SB2", "analyst"))
	cmd1 := e.as(e.user("cmd1", "SB1", "commander"))
	cmd := e.as(e.user("cmd", "ROOT", "commander"))
	cmd2 := e.as(e.user("cmd2", "SB2", "commander"))
	ok := zhudun.Review{Decision: zhudun.DecisionConfirm, Reason: "批量注册，证据充分"}
	ev := json.RawMessage(`[{"signal":"same_device_accounts","value":6,"threshold":3,"window":"7d"}]`)
	// The workbench's confirmations, each at its time.
	confirm := func(ctx context.Context, at *time.Time, src, acct string) *zhudun.Finding {
		e.clock.mu.Lock()
		e.clock.t = at.UTC()
		e.clock.mu.Unlock()
		f := &zhudun.Finding{Kind: zhudun.KindFinding, Category: "black_account", EntityType: "account", Entity: acct, Score: 0.9,
			FirstSeen: *at, LastSeen: *at, Evidence: ev, Source: src}
		e.must(e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Upsert: []*zhudun.Finding{f}}))
		_, err := e.s.ReviewFinding(ctx, f.ID, ok)
		e.must(err)
		return f
	}
	confirm(ana1, cday(2025, 1, 20), "cmcc-feed", "wechat:old")
	a1 := confirm(ana1, cday(2025, 12, 10), "cmcc-feed", "wechat:a1")
	confirm(ana2, cday(2025, 12, 10), "sb2feed", "qq:b2")
	confirm(ana1, cday(2026, 1, 15), "cmcc-feed", "wechat:a2")
	d1 := confirm(ana1, cday(2026, 1, 15), "cmcc-feed", "wechat:d1")
	_, err := e.s.ReviewFinding(ana1, d1.ID, zhudun.Review{Decision: zhudun.DecisionDismiss, Reason: "复核为正常企业账号"})
	e.must(err)
	e.clock.mu.Lock()
	e.clock.t = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	e.clock.mu.Unlock()

	sd, err := e.s.CreateCampaign(e.sys, zhudun.NewCampaign{Name: "四断", From: "2025-12-01", To: "2026-06-30", Dept: "ROOT"})
	e.must(err)
	open := func(ctx context.Context, title, dept string, at *time.Time, tagged bool, findings ...int64) int64 {
		n := zhudun.NewCase{Title: title, Type: "telecom_fraud", Dept: dept, ReceivedAt: at, FromFindings: findings}
		if tagged {
			n.Campaigns = []int64{sd.ID}
		}
		c, err := e.s.CreateCase(ctx, n)
		if err != nil {
			t.Fatalf("case %s: %v", title, err)
		}
		return c.ID
	}
	step := func(ctx context.Context, id int64, to string, at *time.Time) {
		if _, err := e.s.TransitionCase(ctx, id, zhudun.CaseTransition{To: to, At: at}); err != nil {
			t.Fatalf("case %d to %s: %v", id, to, err)
		}
	}
	person := func(ctx context.Context, id int64, name, idno, caught string) int64 {
		p, err := e.s.AddCasePerson(ctx, id, zhudun.NewCasePerson{Name: name, IDNumber: idno, Role: zhudun.RoleSuspect, ApprehendedOn: caught})
		if err != nil {
			t.Fatalf("person %s on %d: %v", name, id, err)
		}
		return p.PersonID
	}
	measure := func(ctx context.Context, id, p int64, kind, from string) {
		_, err := e.s.AddMeasure(ctx, id, zhudun.NewMeasure{Person: p, Kind: kind, From: from, Authority: "济南市公安局", DocumentNo: "济公刑〔" + from + "〕号"})
		if err != nil {
			t.Fatalf("measure %s on %d: %v", kind, id, err)
		}
	}
	seize := func(ctx context.Context, id int64, n zhudun.NewSeizure) {
		if _, err := e.s.AddSeizure(ctx, id, n); err != nil {
			t.Fatalf("seizure %+v on %d: %v", n, id, err)
		}
	}
	// Last year.
	l1 := open(ana1, "去年一月案", "", cday(2025, 1, 10), false)
	step(ana1, l1, zhudun.CaseFiled, cday(2025, 1, 12))
	p5 := person(ana1, l1, "赵五", idE, "2025-01-15")
	measure(ana1, l1, p5, zhudun.MeasureDetention, "2025-01-15")
	seize(ana1, l1, zhudun.NewSeizure{Kind: zhudun.SeizureFunds, Amount: "1000.00", Account: "6222000000000001", Bank: "工商银行", State: zhudun.FundsFrozen, FrozenOn: "2025-01-12"})
	// December.
	a := open(ana1, "冒充客服诈骗案", "", cday(2025, 12, 3), true, a1.ID)
	step(ana1, a, zhudun.CaseFiled, cday(2025, 12, 5))
	p1 := person(ana1, a, "张三", idA, "2025-12-06")
	measure(ana1, a, p1, zhudun.MeasureCompelledAppearance, "2025-12-05")
	measure(ana1, a, p1, zhudun.MeasureDetention, "2025-12-06")
	seize(ana1, a, zhudun.NewSeizure{Kind: zhudun.SeizureFunds, Amount: "1000.00", Account: "6222000000000002", Bank: "建设银行", State: zhudun.FundsFrozen, FrozenOn: "2025-12-07"})
	seize(ana1, a, zhudun.NewSeizure{Kind: zhudun.SeizureFunds, Amount: "300.00", Account: "6222000000000003", Bank: "建设银行", State: zhudun.FundsReturned, FrozenOn: "2025-12-07", ReturnedOn: "2026-01-10"})
	seize(ana1, a, zhudun.NewSeizure{Kind: zhudun.SeizureSIMCards, Count: 50, SeizedOn: "2025-12-07"})
	seize(ana1, a, zhudun.NewSeizure{Kind: zhudun.SeizureDevices, DeviceType: "cat_pool", Slots: 64, Count: 2, SeizedOn: "2025-12-07"})
	seize(ana1, a, zhudun.NewSeizure{Kind: zhudun.SeizureAccounts, Count: 5, Items: []string{"wechat:a1", "wechat:s1", "qq:s2"}, SeizedOn: "2025-12-08"})
	d := open(ana1, "冒充客服诈骗案（重复）", "", cday(2025, 12, 4), true)
	step(ana1, d, zhudun.CaseFiled, cday(2025, 12, 5))
	pd := person(ana1, d, "张三", idA, "2025-12-06")
	measure(ana1, d, pd, zhudun.MeasureDetention, "2025-12-06")
	seize(ana1, d, zhudun.NewSeizure{Kind: zhudun.SeizureDevices, DeviceType: "goip", Slots: 8, Count: 1, SeizedOn: "2025-12-09"})
	if _, err := e.s.MergeCase(ana1, d, a, "重复立案，并入主案"); err != nil {
		t.Fatal(err)
	}
	bc := open(ana1, "一所帮信案", "ST1", cday(2025, 12, 15), true)
	p2 := person(ana1, bc, "李四", idB, "2025-12-16")
	measure(ana1, bc, p2, zhudun.MeasureSummons, "2025-12-16")
	c := open(ana1, "未列入专项案", "", cday(2025, 12, 20), false)
	step(ana1, c, zhudun.CaseFiled, cday(2025, 12, 21))
	seize(ana1, c, zhudun.NewSeizure{Kind: zhudun.SeizureSIMCards, Count: 10, SeizedOn: "2025-12-21"})
	seize(ana1, c, zhudun.NewSeizure{Kind: zhudun.SeizureFunds, Amount: "500.00", Account: "6222000000000004", Bank: "农业银行", State: zhudun.FundsSeized, SeizedOn: "2025-12-22"})
	seize(ana1, c, zhudun.NewSeizure{Kind: zhudun.SeizureFunds, Amount: "200.00", Account: "6222000000000006", Bank: "农业银行", State: zhudun.FundsReturned, ReturnedOn: "2026-01-12"})
	x := open(ana2, "二分局猫池案", "", cday(2025, 12, 10), true)
	step(ana2, x, zhudun.CaseFiled, cday(2025, 12, 11))
	step(ana2, x, zhudun.CaseSolved, cday(2025, 12, 12))
	px1 := person(ana2, x, "张三", idA, "")
	if px1 != p1 {
		t.Fatal("one person, two records")
	}
	measure(ana2, x, px1, zhudun.MeasureDetention, "2025-12-11")
	p4 := person(ana2, x, "孙四", idD, "2025-12-11")
	measure(ana2, x, p4, zhudun.MeasureArrest, "2025-12-11")
	seize(ana2, x, zhudun.NewSeizure{Kind: zhudun.SeizureSIMCards, Count: 1000, SeizedOn: "2025-12-11"})
	seize(ana2, x, zhudun.NewSeizure{Kind: zhudun.SeizureAccounts, Count: 1, Items: []string{"qq:x1"}, SeizedOn: "2025-12-11"})
	// January.
	step(ana1, a, zhudun.CaseSolved, cday(2026, 1, 8))
	step(ana1, a, zhudun.CaseTransferred, cday(2026, 1, 20))
	measure(ana1, a, p1, zhudun.MeasureArrest, "2026-01-05")
	ec := open(ana1, "一月新案", "", cday(2026, 1, 5), false)
	step(ana1, ec, zhudun.CaseFiled, cday(2026, 1, 6))
	step(ana1, ec, zhudun.CaseSolved, cday(2026, 1, 25))
	p3 := person(ana1, ec, "王三", idC, "2026-01-06")
	measure(ana1, ec, p3, zhudun.MeasureDetention, "2026-01-06")
	seize(ana1, ec, zhudun.NewSeizure{Kind: zhudun.SeizureFunds, Amount: "2000.00", Account: "6222000000000005", Bank: "招商银行", State: zhudun.FundsSeized, SeizedOn: "2026-01-07"})
	seize(ana1, ec, zhudun.NewSeizure{Kind: zhudun.SeizureFunds, Amount: "400.00", Account: "6222000000000007", Bank: "招商银行", State: zhudun.FundsReturned, FrozenOn: "2026-01-09", ReturnedOn: "2026-01-20"})
	seize(ana1, ec, zhudun.NewSeizure{Kind: zhudun.SeizureDevices, DeviceType: "phone", Count: 3, SeizedOn: "2026-01-07"})
	seize(ana1, ec, zhudun.NewSeizure{Kind: zhudun.SeizureAccounts, Count: 2, Items: []string{"wechat:a2", "wechat:s9"}, SeizedOn: "2026-01-26"})

	fig := func(f zhudun.Figure) string {
		p := "null"
		if f.ChangePct != nil {
			p = fmt.Sprint(*f.ChangePct)
		}
		return fmt.Sprintf("%v %v %s", f.Value, f.LastYear, p)
	}
	check := func(name string, ctx context.Context, q zhudun.CyberReportQuery, want map[string]string) {
		t.Helper()
		rep, err := e.s.CyberReport(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := map[string]zhudun.Figure{
			"cases_handled": rep.CasesHandled, "cases_filed": rep.CasesFiled, "cases_solved": rep.CasesSolved, "cases_transferred": rep.CasesTransferred,
			"people_coercive": rep.PeopleCoercive, "suspects_caught": rep.SuspectsCaught, "funds_seized_fen": rep.FundsSeizedFen,
			"sim_cards_seized": rep.SIMCardsSeized, "devices_seized": rep.DevicesSeized, "malicious_accounts": rep.MaliciousAccounts,
		}
		for k, v := range rep.PeopleByMeasure {
			got["measure:"+k] = v
		}
		for k, v := range rep.DevicesByType {
			got["device:"+k] = v
		}
		for k, v := range rep.Funds {
			got["funds:"+k] = v
		}
		for k, v := range rep.MaliciousParts {
			got["accounts:"+k] = v
		}
		for k, w := range want {
			f, ok := got[k]
			if !ok {
				t.Errorf("%s: no figure %s", name, k)
				continue
			}
			if g := fig(f); g != w {
				t.Errorf("%s: %s = %s; want %s", name, k, g, w)
			}
		}
	}
	dec := zhudun.CyberReportQuery{From: *cday(2025, 12, 1), To: *cday(2025, 12, 31)}
	jan := zhudun.CyberReportQuery{From: *cday(2026, 1, 1), To: *cday(2026, 1, 31)}
	check("SB1 December", cmd1, dec, map[string]string{
		"cases_handled":                "3 0 null", // A, B, C: the merged D not
		"cases_filed":                  "2 0 null", // A, C
		"cases_solved":                 "0 0 null", // A is solved in January
		"cases_transferred":            "0 0 null",
		"people_coercive":              "1 0 null", // P1 once for three measures; P2's summons not
		"measure:compelled_appearance": "1 0 null", "measure:detention": "1 0 null", "measure:arrest": "0 0 null", "measure:bail": "0 0 null",
		"suspects_caught":            "2 0 null",      // P1 (in A and, merged, D), P2
		"funds_seized_fen":           "180000 0 null", // 1000 + 300 + 500 yuan taken, none returned in December
		"funds:frozen_or_seized_fen": "180000 0 null", "funds:returned_fen": "0 0 null",
		"sim_cards_seized": "60 0 null", // 50 + 10; SB2's 1000 not
		"devices_seized":   "3 0 null", "device:cat_pool": "2 0 null", "device:goip": "1 0 null", "device:phone": "0 0 null",
		"malicious_accounts":              "5 0 null", // a1 (confirmed and seized: once), s1, s2, two unlisted
		"accounts:confirmed_in_workbench": "1 0 null", "accounts:seized": "5 0 null",
	})
	check("SB1 January", cmd1, jan, map[string]string{
		"cases_handled":     "1 1 0",    // E; L1 last year
		"cases_filed":       "1 1 0",    // E; L1
		"cases_solved":      "2 0 null", // A (filed in December), E
		"cases_transferred": "1 0 null", // A
		"people_coercive":   "2 1 100",  // P1's arrest, P3; P5 last year
		"measure:arrest":    "1 0 null", "measure:detention": "1 1 0",
		"suspects_caught":            "1 1 0",            // P3; P5
		"funds_seized_fen":           "150000 100000 50", // 2000 + 400 taken less 300 + 200 + 400 returned; 1000 last year
		"funds:frozen_or_seized_fen": "240000 100000 140", "funds:returned_fen": "90000 0 null",
		"sim_cards_seized": "0 0 null",
		"devices_seized":   "3 0 null", "device:phone": "3 0 null",
		"malicious_accounts":              "2 1 100", // a2 (confirmed and seized), s9; d1 dismissed; wechat:old last year
		"accounts:confirmed_in_workbench": "1 1 0", "accounts:seized": "2 0 null",
	})
	// December and January at once (last year: 2024-12-01 to 2025-01-31,
	// L1 only): A is filed and solved in this one period, counted once in
	// each; P1's four measures (two of them D's) are one person; the 300.00
	// frozen in December and returned in January hold nothing.
	check("SB1 December and January", cmd1, zhudun.CyberReportQuery{From: dec.From, To: jan.To}, map[string]string{
		"cases_handled":                "4 1 300",  // A, B, C, E; L1
		"cases_filed":                  "3 1 200",  // A, C, E; L1
		"cases_solved":                 "2 0 null", // A, E
		"cases_transferred":            "1 0 null", // A
		"people_coercive":              "2 1 100",  // P1, P3; P5
		"measure:compelled_appearance": "1 0 null", "measure:detention": "2 1 100", "measure:arrest": "1 0 null",
		"suspects_caught":            "3 1 200",           // P1, P2, P3; P5
		"funds_seized_fen":           "330000 100000 230", // 1000 + 300 + 500 + 2000 + 400 taken less 300 + 200 + 400 returned
		"funds:frozen_or_seized_fen": "420000 100000 320", "funds:returned_fen": "90000 0 null",
		"sim_cards_seized": "60 0 null",
		"devices_seized":   "6 0 null", "device:cat_pool": "2 0 null", "device:goip": "1 0 null", "device:phone": "3 0 null",
		"malicious_accounts":              "7 1 600", // a1, s1, s2, a2, s9, two unlisted; wechat:old
		"accounts:confirmed_in_workbench": "2 1 100", "accounts:seized": "7 0 null",
	})
	// The whole city: SB2's case X and account joins; P1 still once.
	check("city December", cmd, dec, map[string]string{
		"cases_handled": "4 0 null", "cases_filed": "3 0 null", "cases_solved": "1 0 null",
		"people_coercive": "2 0 null", "measure:detention": "1 0 null", "measure:arrest": "1 0 null",
		"suspects_caught": "3 0 null", "sim_cards_seized": "1060 0 null",
		"malicious_accounts": "7 0 null", // a1, s1, s2, +2, qq:b2, qq:x1
	})
	// dept narrows the city's commander to SB1: the same as SB1's own.
	check("city narrowed to SB1", cmd, zhudun.CyberReportQuery{From: dec.From, To: dec.To, Dept: "SB1"}, map[string]string{
		"cases_handled": "3 0 null", "sim_cards_seized": "60 0 null", "malicious_accounts": "5 0 null",
	})
	check("ST1", cmd1, zhudun.CyberReportQuery{From: dec.From, To: dec.To, Dept: "ST1"}, map[string]string{
		"cases_handled": "1 0 null", "suspects_caught": "1 0 null", "people_coercive": "0 0 null", "malicious_accounts": "0 0 null",
	})
	// The campaign: A, B (and X for the city); C and E not.
	camp := func(q zhudun.CyberReportQuery) zhudun.CyberReportQuery { q.Campaign = sd.ID; return q }
	check("SB1 四断 December", cmd1, camp(dec), map[string]string{
		"cases_handled": "2 0 null", "cases_filed": "1 0 null", "suspects_caught": "2 0 null", "people_coercive": "1 0 null",
		"funds_seized_fen": "130000 0 null", "sim_cards_seized": "50 0 null", "devices_seized": "3 0 null",
		"malicious_accounts": "5 0 null", "accounts:confirmed_in_workbench": "1 0 null", // a1 is an entity of A
	})
	check("SB1 四断 January", cmd1, camp(jan), map[string]string{
		"cases_handled": "0 0 null", "cases_solved": "1 0 null", "cases_transferred": "1 0 null", "people_coercive": "1 0 null",
		"funds_seized_fen":   "-30000 0 null", // the return only: a period may be negative
		"malicious_accounts": "0 0 null",      // a2 is no campaign case's; wechat:old neither
	})
	check("city 四断 December", cmd, camp(dec), map[string]string{
		"cases_handled": "3 0 null", "cases_solved": "1 0 null", "sim_cards_seized": "1050 0 null", "malicious_accounts": "6 0 null",
	})
	// What the figures cover, named for print.
	for _, x := range []struct {
		ctx  context.Context
		dept string
		want string
	}{{cmd1, "", "一分局及下属单位"}, {cmd1, "ST1", "一所及下属单位"}} {
		rep, err := e.s.CyberReport(x.ctx, zhudun.CyberReportQuery{From: dec.From, To: dec.To, Dept: x.dept})
		if err != nil || rep.Scope != x.want {
			t.Errorf("scope of %q: %+v %v; want %s", x.dept, rep, err, x.want)
		}
	}
	// Refusals.
	if _, err := e.s.CyberReport(ana1, dec); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("analyst without report:read: %v", err)
	}
	if _, err := e.s.CyberReport(cmd2, zhudun.CyberReportQuery{From: dec.From, To: dec.To, Dept: "SB1"}); code(err) != zhudun.ENOTFOUND {
		t.Errorf("SB2's commander asks for SB1: %v", err)
	}
	if _, err := e.s.CyberReport(cmd1, zhudun.CyberReportQuery{From: dec.From, To: dec.To, Campaign: 9999}); code(err) != zhudun.ENOTFOUND {
		t.Errorf("unknown campaign: %v", err)
	}
	if _, err := e.s.CyberReport(cmd1, zhudun.CyberReportQuery{From: jan.To, To: jan.From}); code(err) != zhudun.EINVALID {
		t.Errorf("to before from: %v", err)
	}
	// SB2's commander sees X only.
	check("SB2 December", cmd2, dec, map[string]string{"cases_handled": "1 0 null", "people_coercive": "2 0 null", "malicious_accounts": "2 0 null"})
}
