package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// Benchmarks of the cases' hot paths on a small city (the scale figures,
// 200,000 cases on PostgreSQL, are bench/cases'): a case page's read, the
// engine's cross-reference of a new finding, and the year's cyber report.

// caseBenchEnv opens cases of SB1 (an analyst's) each with five suspects
// (detained, caught), three victims, and SIM-card, account and funds
// seizures of 25 items, received in 2025.
func caseBenchEnv(b *testing.B, be Backend, cases int) (*env, context.Context, context.Context, []int64) {
	e := newEnv(b, be)
	e.fixture()
	ana := e.as(e.user("ana1", "SB1", zhudun.RoleAnalyst))
	cmd := e.as(e.user("cmd1", "SB1", zhudun.RoleCommander))
	var ids []int64
	item := 0
	for i := range cases {
		recv := time.Date(2025, time.Month(1+i%12), 1+i%28, 10, 0, 0, 0, zhudun.CST())
		c, err := e.s.CreateCase(ana, zhudun.NewCase{Title: fmt.Sprintf("案件%d", i), Type: "telecom_fraud", ReceivedAt: &recv})
		e.must(err)
		day := recv.AddDate(0, 0, 3).Format("2006-01-02")
		for p := range 8 {
			role, caught := zhudun.RoleSuspect, day
			if p >= 5 {
				role, caught = zhudun.RoleVictim, ""
			}
			cp, err := e.s.AddCasePerson(ana, c.ID, zhudun.NewCasePerson{Name: "张三", IDNumber: benchIDNumber(i*8 + p),
				Phone: fmt.Sprintf("139%08d", i*8+p), Role: role, ApprehendedOn: caught})
			e.must(err)
			if role == zhudun.RoleSuspect {
				_, err := e.s.AddMeasure(ana, c.ID, zhudun.NewMeasure{Person: cp.PersonID, Kind: zhudun.MeasureDetention, From: day,
					Authority: "济南市公安局", DocumentNo: fmt.Sprintf("济公网拘字〔2025〕%05d号", i*8+p)})
				e.must(err)
			}
		}
		for _, k := range []string{zhudun.SeizureSIMCards, zhudun.SeizureAccounts} {
			var items []string
			for range 25 {
				item++
				if k == zhudun.SeizureSIMCards {
					items = append(items, fmt.Sprintf("170%08d", item))
				} else {
					items = append(items, fmt.Sprintf("wechat:w%d", item))
				}
			}
			_, err := e.s.AddSeizure(ana, c.ID, zhudun.NewSeizure{Kind: k, Count: 25, Items: items, SeizedOn: day})
			e.must(err)
		}
		_, err = e.s.AddSeizure(ana, c.ID, zhudun.NewSeizure{Kind: zhudun.SeizureFunds, Amount: "1000.00", State: zhudun.FundsFrozen, FrozenOn: day,
			Account: fmt.Sprintf("62220212%08d", i), Bank: "工商银行"})
		e.must(err)
		ids = append(ids, c.ID)
	}
	return e, ana, cmd, ids
}

// benchIDNumber is a valid resident ID for n (GB 11643 check character).
func benchIDNumber(n int) string {
	s := fmt.Sprintf("370102%s%03d", time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/1000).Format("20060102"), n%1000)
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		sum += int(s[i]-'0') * w[i]
	}
	return s + string("10X98765432"[sum%11])
}

// BenchCaseDetail reads a case with its people, measures, seizures and
// events (GET /cases/{id}).
func BenchCaseDetail(b *testing.B, be Backend) {
	e, ana, _, ids := caseBenchEnv(b, be, 4)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := e.s.FindCaseByID(ana, ids[i%len(ids)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchCaseXref raises, through the engine's write, a new finding on a
// number an open case holds: the finding's insert, the lookup of the
// number's mark among the open cases and the alert on the case.
func BenchCaseXref(b *testing.B, be Backend) {
	e, ana, _, ids := caseBenchEnv(b, be, 1)
	for from := 0; from < b.N; from += zhudun.MaxSeizureItems {
		var items []string
		for i := from; i < min(b.N, from+zhudun.MaxSeizureItems); i++ {
			items = append(items, fmt.Sprintf("171%08d", i))
		}
		_, err := e.s.AddSeizure(ana, ids[0], zhudun.NewSeizure{Kind: zhudun.SeizureSIMCards, Count: len(items), Items: items, SeizedOn: "2026-02-20"})
		e.must(err)
	}
	at := time.Date(2026, 2, 28, 10, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		f := &zhudun.Finding{Kind: zhudun.KindFinding, Category: "black_card", EntityType: "msisdn", Entity: fmt.Sprintf("171%08d", i), Score: 0.8,
			Gang: "G-000001", FirstSeen: at, LastSeen: at, Evidence: json.RawMessage(`[{"signal":"callees_per_day","value":120,"threshold":50}]`), Source: "feed"}
		if err := e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Upsert: []*zhudun.Finding{f}}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if al, err := e.s.CaseAlerts(ana, ids[0]); err != nil || len(al) != min(b.N, 500) {
		b.Fatalf("alerts on the case holding the numbers: %d %v", len(al), err)
	}
}

// BenchCyberReport computes the 2025 cyber figures of a commander's
// division over 20 cases.
func BenchCyberReport(b *testing.B, be Backend) {
	e, _, cmd, _ := caseBenchEnv(b, be, 20)
	q := zhudun.CyberReportQuery{From: *cday(2025, 1, 1), To: *cday(2025, 12, 31)}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		rep, err := e.s.CyberReport(cmd, q)
		if err != nil {
			b.Fatal(err)
		}
		if rep.CasesHandled.Value != 20 || rep.SIMCardsSeized.Value != 500 || rep.PeopleCoercive.Value != 100 {
			b.Fatalf("figures %+v %+v %+v", rep.CasesHandled, rep.SIMCardsSeized, rep.PeopleCoercive)
		}
	}
}

// BenchCaseAlertsPage reads the first page (50) of a division's open
// alerts with its count (GET /case-alerts), over 2,000 alerts on two
// stations' cases: as the first station's analyst (half of them in
// scope) and as the city's (all).
func BenchCaseAlertsPage(b *testing.B, be Backend) {
	e := newEnv(b, be)
	e.fixture()
	st1 := e.as(e.user("ana_st1", "ST1", zhudun.RoleAnalyst))
	st2 := e.as(e.user("ana_st2", "ST2", zhudun.RoleAnalyst))
	root := e.as(e.user("ana_root", "ROOT", zhudun.RoleAnalyst))
	at := time.Date(2026, 2, 28, 10, 0, 0, 0, time.UTC)
	for k, ctx := range []context.Context{st1, st2} {
		c := e.newCase(ctx, fmt.Sprintf("案件%d", k), "")
		for from := 0; from < 1000; from += zhudun.MaxSeizureItems {
			var items []string
			var fs []*zhudun.Finding
			for i := from; i < min(1000, from+zhudun.MaxSeizureItems); i++ {
				n := fmt.Sprintf("17%d%08d", k, i)
				items = append(items, n)
				fs = append(fs, &zhudun.Finding{Kind: zhudun.KindFinding, Category: "black_card", EntityType: "msisdn", Entity: n, Score: 0.8,
					Gang: "G-000001", FirstSeen: at, LastSeen: at, Evidence: json.RawMessage(`[{"signal":"callees_per_day","value":120,"threshold":50}]`), Source: "feed"})
			}
			_, err := e.s.AddSeizure(ctx, c.ID, zhudun.NewSeizure{Kind: zhudun.SeizureSIMCards, Count: len(items), Items: items, SeizedOn: "2026-02-20"})
			e.must(err)
			e.must(e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Upsert: fs}))
		}
	}
	for _, c := range []struct {
		name  string
		ctx   context.Context
		total int
	}{{"station", st1, 1000}, {"city", root, 2000}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				xs, n, err := e.s.FindCaseAlerts(c.ctx, zhudun.CaseAlertFilter{State: zhudun.AlertOpen})
				if err != nil || n != c.total || len(xs) != 50 {
					b.Fatalf("%d alerts of %d: %v", len(xs), n, err)
				}
			}
		})
	}
}
