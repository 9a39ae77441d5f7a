package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// The cyber report's rollup (migration 0030, docs/cases.md "Scale"): kept
// with every change in the change's transaction, it must say what the base
// tables say. Three checks after every write below: the store's own check
// finds the stored rollup row for row equal to one derived again
// (CheckCyberRollup), the report from the rollup equals the report counted
// from the base tables (CyberReportDirect, the pre-rollup queries), and at
// the marked points the figures equal hand-counted ones. A write path that
// stops marking its case fails the first check at its step.

// rollupQueries are the reports compared with the direct ones: the city,
// each sub-bureau, a station, the campaign, over December, January, both,
// and a single day.
func rollupQueries(campaign int64) []zhudun.CyberReportQuery {
	var out []zhudun.CyberReportQuery
	for _, p := range [][2]*time.Time{{cday(2025, 12, 1), cday(2025, 12, 31)}, {cday(2026, 1, 1), cday(2026, 1, 31)},
		{cday(2025, 12, 1), cday(2026, 1, 31)}, {cday(2025, 12, 6), cday(2025, 12, 6)}} {
		for _, d := range []string{"", "SB1", "SB2", "ST1"} {
			for _, c := range []int64{0, campaign} {
				out = append(out, zhudun.CyberReportQuery{From: *p[0], To: *p[1], Dept: d, Campaign: c})
			}
		}
	}
	return out
}

// rollupAgrees fails t when the rollup differs from the base tables.
func rollupAgrees(t *testing.T, e *env, ctx context.Context, campaign int64, step string) {
	t.Helper()
	rc, err := e.s.CheckCyberRollup(e.sys, false)
	if err != nil {
		t.Fatalf("%s: check: %v", step, err)
	}
	if rc.Extra != 0 || rc.Missing != 0 || rc.Repaired {
		t.Fatalf("%s: the rollup is not the cases': %d rows only stored %v, %d only derived %v", step, rc.Extra, rc.ExtraRows, rc.Missing, rc.MissingRows)
	}
	for _, q := range rollupQueries(campaign) {
		a, err := e.s.CyberReport(ctx, q)
		if err != nil {
			t.Fatalf("%s: report %+v: %v", step, q, err)
		}
		d, err := e.s.CyberReportDirect(ctx, q)
		if err != nil {
			t.Fatalf("%s: direct report %+v: %v", step, q, err)
		}
		ja, _ := json.Marshal(a)
		jd, _ := json.Marshal(d)
		if string(ja) != string(jd) {
			t.Fatalf("%s: %s..%s dept %q campaign %d:\nrollup %s\ndirect %s", step, q.From.Format("01-02"), q.To.Format("01-02"), q.Dept, q.Campaign, ja, jd)
		}
	}
}

// figuresOf is a report's headline figures as "value last_year" by key.
func figuresOf(t *testing.T, e *env, ctx context.Context, q zhudun.CyberReportQuery) map[string]string {
	t.Helper()
	rep, err := e.s.CyberReport(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	put := func(k string, f zhudun.Figure) { out[k] = fmt.Sprintf("%v %v", f.Value, f.LastYear) }
	put("handled", rep.CasesHandled)
	put("filed", rep.CasesFiled)
	put("solved", rep.CasesSolved)
	put("transferred", rep.CasesTransferred)
	put("coercive", rep.PeopleCoercive)
	put("caught", rep.SuspectsCaught)
	put("funds", rep.FundsSeizedFen)
	put("sim", rep.SIMCardsSeized)
	put("devices", rep.DevicesSeized)
	put("accounts", rep.MaliciousAccounts)
	for k, v := range rep.PeopleByMeasure {
		put("measure:"+k, v)
	}
	for k, v := range rep.Funds {
		put("funds:"+k, v)
	}
	for k, v := range rep.MaliciousParts {
		put("accounts:"+k, v)
	}
	return out
}

func wantFigures(t *testing.T, step string, got, want map[string]string) {
	t.Helper()
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s = %q; want %q", step, k, got[k], w)
		}
	}
}

// rollupWorld is the fixture of the rollup's tests: SB1's source, the
// analysts, the city's commander, the campaign 四断.
type rollupWorld struct {
	e        *env
	anaR     context.Context // ROOT's analyst: writes every department
	ana1     context.Context
	cmd      context.Context
	campaign int64
}

func newRollupWorld(t *testing.T, b Backend) *rollupWorld {
	e := newEnv(t, b)
	e.fixture()
	_, _, err := e.s.CreateSource(e.sys, zhudun.NewSource{Name: "cmcc-feed", Kind: zhudun.SourceCarrier, Binding: "cmcc", DeptCode: "SB1"})
	e.must(err)
	w := &rollupWorld{e: e, anaR: e.as(e.user("ana_root", "ROOT", "analyst")), ana1: e.as(e.user("ana1", "SB1", "analyst")),
		cmd: e.as(e.user("cmd", "ROOT", "commander"))}
	sd, err := e.s.CreateCampaign(e.sys, zhudun.NewCampaign{Name: "四断", From: "2025-12-01", To: "2026-06-30", Dept: "ROOT"})
	e.must(err)
	w.campaign = sd.ID
	w.at(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	return w
}

func (w *rollupWorld) at(t time.Time) {
	w.e.clock.mu.Lock()
	w.e.clock.t = t.UTC()
	w.e.clock.mu.Unlock()
}

// finding raises a black-account finding of SB1 and, when confirm is set,
// confirms it at that time.
func (w *rollupWorld) finding(t *testing.T, acct string, confirm *time.Time) *zhudun.Finding {
	t.Helper()
	now := w.e.clock.Now()
	at := now
	if confirm != nil {
		at = *confirm
		w.at(at)
	}
	f := &zhudun.Finding{Kind: zhudun.KindFinding, Category: "black_account", EntityType: "account", Entity: acct, Score: 0.9,
		FirstSeen: at, LastSeen: at, Evidence: json.RawMessage(`[{"signal":"same_device_accounts","value":6,"threshold":3,"window":"7d"}]`), Source: "cmcc-feed"}
	w.e.must(w.e.s.ApplyFindingChange(w.e.sys, &zhudun.FindingChange{Upsert: []*zhudun.Finding{f}}))
	if confirm != nil {
		_, err := w.e.s.ReviewFinding(w.ana1, f.ID, zhudun.Review{Decision: zhudun.DecisionConfirm, Reason: "批量注册，证据充分"})
		w.e.must(err)
	}
	w.at(now)
	return f
}

// testCyberRollupSequence: a hand-written sequence of changes, every write
// path that moves a figure among them, each followed by the three checks.
func testCyberRollupSequence(t *testing.T, b Backend) {
	w := newRollupWorld(t, b)
	e, s := w.e, w.e.s
	ok := func(step string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		rollupAgrees(t, e, w.cmd, w.campaign, step)
	}
	dec := zhudun.CyberReportQuery{From: *cday(2025, 12, 1), To: *cday(2025, 12, 31)}
	jan := zhudun.CyberReportQuery{From: *cday(2026, 1, 1), To: *cday(2026, 1, 31)}
	in := func(q zhudun.CyberReportQuery, dept string, campaign int64) zhudun.CyberReportQuery {
		q.Dept, q.Campaign = dept, campaign
		return q
	}
	f1 := w.finding(t, "wechat:f1", cday(2025, 12, 10))
	f2 := w.finding(t, "wechat:f2", cday(2025, 12, 11))
	rollupAgrees(t, e, w.cmd, w.campaign, "two findings confirmed")
	wantFigures(t, "findings", figuresOf(t, e, w.cmd, dec), map[string]string{"accounts": "2 0", "accounts:confirmed_in_workbench": "2 0", "handled": "0 0"})

	// A: SB1, 四断, from f1; filed in December, solved in January; P1 under
	// two measures; funds frozen, and frozen then returned.
	ac, err := s.CreateCase(w.anaR, zhudun.NewCase{Title: "冒充客服诈骗案", Type: "telecom_fraud", Dept: "SB1", ReceivedAt: cday(2025, 12, 3),
		Campaigns: []int64{w.campaign}, FromFindings: []int64{f1.ID}})
	ok("create A", err)
	a := ac.ID
	_, err = s.TransitionCase(w.anaR, a, zhudun.CaseTransition{To: zhudun.CaseFiled, At: cday(2025, 12, 5)})
	ok("file A", err)
	p1, err := s.AddCasePerson(w.anaR, a, zhudun.NewCasePerson{Name: "张三", IDNumber: idA, Role: zhudun.RoleSuspect, ApprehendedOn: "2025-12-06"})
	ok("A's suspect", err)
	for _, m := range []struct{ kind, day string }{{zhudun.MeasureDetention, "2025-12-06"}, {zhudun.MeasureArrest, "2025-12-20"}} {
		_, err = s.AddMeasure(w.anaR, a, zhudun.NewMeasure{Person: p1.PersonID, Kind: m.kind, From: m.day, Authority: "济南市公安局", DocumentNo: "济公刑" + m.day})
		ok("A's "+m.kind, err)
	}
	for _, z := range []zhudun.NewSeizure{
		{Kind: zhudun.SeizureSIMCards, Count: 30, SeizedOn: "2025-12-07"},
		{Kind: zhudun.SeizureFunds, Amount: "1000.00", Account: "6222000000000002", Bank: "建设银行", State: zhudun.FundsFrozen, FrozenOn: "2025-12-07"},
		{Kind: zhudun.SeizureFunds, Amount: "300.00", Account: "6222000000000003", Bank: "建设银行", State: zhudun.FundsReturned, FrozenOn: "2025-12-07", ReturnedOn: "2025-12-15"},
		{Kind: zhudun.SeizureAccounts, Count: 3, Items: []string{"wechat:f1", "wechat:s1"}, SeizedOn: "2025-12-08"},
	} {
		_, err = s.AddSeizure(w.anaR, a, z)
		ok("A's "+z.Kind, err)
	}
	// D: A's duplicate, with P1 caught and detained and 5 SIM cards.
	dc, err := s.CreateCase(w.anaR, zhudun.NewCase{Title: "冒充客服诈骗案（重复）", Type: "telecom_fraud", Dept: "SB1", ReceivedAt: cday(2025, 12, 4), Campaigns: []int64{w.campaign}})
	ok("create D", err)
	pd, err := s.AddCasePerson(w.anaR, dc.ID, zhudun.NewCasePerson{Name: "张三", IDNumber: idA, Role: zhudun.RoleSuspect, ApprehendedOn: "2025-12-06"})
	ok("D's suspect", err)
	_, err = s.AddMeasure(w.anaR, dc.ID, zhudun.NewMeasure{Person: pd.PersonID, Kind: zhudun.MeasureDetention, From: "2025-12-06", Authority: "济南市公安局", DocumentNo: "济公刑D"})
	ok("D's detention", err)
	_, err = s.AddSeizure(w.anaR, dc.ID, zhudun.NewSeizure{Kind: zhudun.SeizureSIMCards, Count: 5, SeizedOn: "2025-12-09"})
	ok("D's SIM cards", err)
	wantFigures(t, "A and D", figuresOf(t, e, w.cmd, dec), map[string]string{
		"handled": "2 0", "filed": "1 0", "solved": "0 0",
		"coercive": "1 0", "measure:detention": "1 0", "measure:arrest": "1 0", // P1 once for three measures
		"caught": "1 0", "sim": "35 0",
		"funds": "100000 0", "funds:frozen_or_seized_fen": "130000 0", "funds:returned_fen": "30000 0",
		"accounts": "4 0", "accounts:confirmed_in_workbench": "2 0", "accounts:seized": "3 0", // f1 (both sides), f2, s1, one unlisted
	})
	_, err = s.MergeCase(w.anaR, dc.ID, a, "重复立案，并入主案")
	ok("merge D into A", err)
	wantFigures(t, "merged", figuresOf(t, e, w.cmd, dec), map[string]string{"handled": "1 0", "coercive": "1 0", "caught": "1 0", "sim": "35 0"})

	// M: received at ST1 (SB1's), then moved to SB2.
	mc, err := s.CreateCase(w.anaR, zhudun.NewCase{Title: "一所帮信案", Type: "telecom_fraud", Dept: "ST1", ReceivedAt: cday(2025, 12, 10)})
	ok("create M", err)
	p2, err := s.AddCasePerson(w.anaR, mc.ID, zhudun.NewCasePerson{Name: "李四", IDNumber: idB, Role: zhudun.RoleSuspect, ApprehendedOn: "2025-12-11"})
	ok("M's suspect", err)
	_, err = s.AddMeasure(w.anaR, mc.ID, zhudun.NewMeasure{Person: p2.PersonID, Kind: zhudun.MeasureBail, From: "2025-12-11", Authority: "济南市公安局", DocumentNo: "济公取M"})
	ok("M's bail", err)
	_, err = s.AddSeizure(w.anaR, mc.ID, zhudun.NewSeizure{Kind: zhudun.SeizureFunds, Amount: "200.00", Account: "6222000000000009", Bank: "农业银行", State: zhudun.FundsSeized, SeizedOn: "2025-12-12"})
	ok("M's funds", err)
	wantFigures(t, "M at ST1", figuresOf(t, e, w.cmd, in(dec, "SB1", 0)), map[string]string{"handled": "2 0", "coercive": "2 0", "funds": "120000 0"})
	sb2 := "SB2"
	_, err = s.UpdateCase(w.anaR, mc.ID, zhudun.CaseUpdate{Dept: &sb2})
	ok("move M to SB2", err)
	wantFigures(t, "M moved, SB1", figuresOf(t, e, w.cmd, in(dec, "SB1", 0)), map[string]string{"handled": "1 0", "coercive": "1 0", "caught": "1 0", "funds": "100000 0"})
	wantFigures(t, "M moved, SB2", figuresOf(t, e, w.cmd, in(dec, "SB2", 0)), map[string]string{"handled": "1 0", "coercive": "1 0",
		"measure:bail": "1 0", "caught": "1 0", "funds": "20000 0"})

	// T: SB1, holding f2, tagged after opening; P3 caught later.
	tc, err := s.CreateCase(w.anaR, zhudun.NewCase{Title: "后列入专项案", Type: "telecom_fraud", Dept: "SB1", ReceivedAt: cday(2025, 12, 15)})
	ok("create T", err)
	_, err = s.AddCaseEntities(w.anaR, tc.ID, []int64{f2.ID})
	ok("T holds f2", err)
	wantFigures(t, "T untagged", figuresOf(t, e, w.cmd, in(dec, "", w.campaign)), map[string]string{"handled": "1 0", "accounts": "3 0", "accounts:confirmed_in_workbench": "1 0"})
	_, err = s.TagCase(w.anaR, tc.ID, w.campaign)
	ok("tag T", err)
	wantFigures(t, "T tagged", figuresOf(t, e, w.cmd, in(dec, "", w.campaign)), map[string]string{"handled": "2 0", "accounts": "4 0", "accounts:confirmed_in_workbench": "2 0"})
	p3, err := s.AddCasePerson(w.anaR, tc.ID, zhudun.NewCasePerson{Name: "王三", IDNumber: idC, Role: zhudun.RoleSuspect})
	ok("T's suspect", err)
	_, err = s.SetApprehended(w.anaR, tc.ID, p3.PersonID, "2025-12-16")
	ok("T's suspect caught", err)
	// f2 revoked: dismissed after its confirmation
	_, err = s.ReviewFinding(w.ana1, f2.ID, zhudun.Review{Decision: zhudun.DecisionDismiss, Reason: "复核为正常企业账号"})
	ok("f2 dismissed", err)

	// I: imported into SB2, filed, 7 SIM cards.
	res, err := s.ImportCases(w.anaR, zhudun.CaseImport{Source: "rollup.csv",
		Cases:    []zhudun.ImportCase{{Key: "I1", NewCase: zhudun.NewCase{Title: "导入案件", Type: "telecom_fraud", Dept: "SB2", ReceivedAt: cday(2025, 12, 20)}, FiledAt: cday(2025, 12, 21)}},
		Seizures: []zhudun.ImportSeizure{{Key: "S1", Case: "I1", NewSeizure: zhudun.NewSeizure{Kind: zhudun.SeizureSIMCards, Count: 7, SeizedOn: "2025-12-21"}}}})
	if err == nil && len(res.Problems) > 0 {
		err = fmt.Errorf("import problems %+v", res.Problems)
	}
	ok("import I", err)

	// A solved in January.
	_, err = s.TransitionCase(w.anaR, a, zhudun.CaseTransition{To: zhudun.CaseSolved, At: cday(2026, 1, 8)})
	ok("solve A", err)

	// The figures, counted by hand from the steps above.
	wantFigures(t, "city December", figuresOf(t, e, w.cmd, dec), map[string]string{
		"handled": "4 0", "filed": "2 0", "solved": "0 0", "transferred": "0 0", // A, M, T, I; A and I filed; D merged
		"coercive": "2 0", "measure:detention": "1 0", "measure:arrest": "1 0", "measure:bail": "1 0", // P1, P2
		"caught": "3 0", // P1 (A and D), P2, P3
		"funds":  "120000 0", "funds:frozen_or_seized_fen": "150000 0", "funds:returned_fen": "30000 0",
		"sim": "42 0", "devices": "0 0",
		"accounts": "3 0", "accounts:confirmed_in_workbench": "1 0", "accounts:seized": "3 0", // f1, s1, one unlisted; f2 dismissed
	})
	wantFigures(t, "city January", figuresOf(t, e, w.cmd, jan), map[string]string{"handled": "0 0", "filed": "0 0", "solved": "1 0", "coercive": "0 0", "accounts": "0 0"})
	wantFigures(t, "SB1 December", figuresOf(t, e, w.cmd, in(dec, "SB1", 0)), map[string]string{
		"handled": "2 0", "filed": "1 0", "coercive": "1 0", "caught": "2 0", "funds": "100000 0", "sim": "35 0", "accounts": "3 0"})
	wantFigures(t, "SB2 December", figuresOf(t, e, w.cmd, in(dec, "SB2", 0)), map[string]string{
		"handled": "2 0", "filed": "1 0", "coercive": "1 0", "caught": "1 0", "funds": "20000 0", "sim": "7 0", "accounts": "0 0"})
	wantFigures(t, "四断 December", figuresOf(t, e, w.cmd, in(dec, "", w.campaign)), map[string]string{
		"handled": "2 0", "filed": "1 0", "coercive": "1 0", "caught": "2 0", "funds": "100000 0", "sim": "35 0",
		"accounts": "3 0", "accounts:confirmed_in_workbench": "1 0"})
}

// testCyberRollupTampered: a rollup changed behind the store's back is
// found by the check, row for row, and the repair makes it the cases'
// again.
func testCyberRollupTampered(t *testing.T, b Backend) {
	w := newRollupWorld(t, b)
	e, s := w.e, w.e.s
	c, err := s.CreateCase(w.anaR, zhudun.NewCase{Title: "篡改检测案", Type: "telecom_fraud", Dept: "SB1", ReceivedAt: cday(2025, 12, 3)})
	e.must(err)
	p, err := s.AddCasePerson(w.anaR, c.ID, zhudun.NewCasePerson{Name: "张三", IDNumber: idA, Role: zhudun.RoleSuspect, ApprehendedOn: "2025-12-06"})
	e.must(err)
	_, err = s.AddMeasure(w.anaR, c.ID, zhudun.NewMeasure{Person: p.PersonID, Kind: zhudun.MeasureDetention, From: "2025-12-06", Authority: "济南市公安局", DocumentNo: "济公刑1"})
	e.must(err)
	_, err = s.AddSeizure(w.anaR, c.ID, zhudun.NewSeizure{Kind: zhudun.SeizureSIMCards, Count: 30, SeizedOn: "2025-12-07"})
	e.must(err)
	rollupAgrees(t, e, w.cmd, w.campaign, "before")
	if _, err := s.CheckCyberRollup(w.cmd, false); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("a user runs the check: %v", err)
	}
	// one sum raised, one person's row gone
	for _, q := range []string{`UPDATE cyber_rollup SET n = n + 100 WHERE metric = 'sim'`, `DELETE FROM cyber_rollup WHERE metric = 'coercive'`} {
		if _, err := s.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	dec := zhudun.CyberReportQuery{From: *cday(2025, 12, 1), To: *cday(2025, 12, 31)}
	wantFigures(t, "tampered", figuresOf(t, e, w.cmd, dec), map[string]string{"sim": "130 0", "coercive": "0 0"})
	rc, err := s.CheckCyberRollup(e.sys, false)
	e.must(err)
	// the SIM row differs (one only stored, its original only derived);
	// the coercive row is only derived (two: campaign 0 and none else)
	if rc.Extra != 1 || rc.Missing != 2 || rc.Repaired || len(rc.MissingRows) != 2 {
		t.Fatalf("check of a tampered rollup: %+v", rc)
	}
	// the check alone repairs nothing
	wantFigures(t, "checked", figuresOf(t, e, w.cmd, dec), map[string]string{"sim": "130 0"})
	rc, err = s.CheckCyberRollup(e.sys, true)
	e.must(err)
	if !rc.Repaired || rc.Extra != 1 || rc.Missing != 2 {
		t.Fatalf("repair: %+v", rc)
	}
	wantFigures(t, "repaired", figuresOf(t, e, w.cmd, dec), map[string]string{"sim": "30 0", "coercive": "1 0", "caught": "1 0", "handled": "1 0"})
	rollupAgrees(t, e, w.cmd, w.campaign, "repaired")
}

// testCyberRollupRandom: random changes of every kind, by a seeded
// random source (the seed is in the failure), the rollup's report against
// the direct one after each batch.
func testCyberRollupRandom(t *testing.T, b Backend) {
	w := newRollupWorld(t, b)
	e, s := w.e, w.e.s
	seed := uint64(time.Now().UnixNano())
	r := rand.New(rand.NewPCG(seed, 12))
	t.Logf("seed %d", seed)
	ids := []string{idA, idB, idC, idD, idE}
	accts := []string{"wechat:r1", "wechat:r2", "qq:r3", "qq:r4", "alipay:r5"}
	var findings []int64
	for i, a := range accts[:3] {
		findings = append(findings, w.finding(t, a, cday(2025, 12, 5+i)).ID)
	}
	findings = append(findings, w.finding(t, "wechat:new", nil).ID)
	depts := []string{"SB1", "ST1", "SB2", "ST2"}
	day := func() string {
		if r.IntN(2) == 0 {
			return fmt.Sprintf("2025-12-%02d", 1+r.IntN(28))
		}
		return fmt.Sprintf("2026-01-%02d", 1+r.IntN(28))
	}
	type kase struct {
		id     int64
		status string
		people []int64
	}
	var cases []*kase
	pick := func() *kase {
		var live []*kase
		for _, c := range cases {
			if c.status != zhudun.CaseMerged {
				live = append(live, c)
			}
		}
		if len(live) == 0 {
			return nil
		}
		return live[r.IntN(len(live))]
	}
	stepped := time.Date(2025, 12, 21, 9, 0, 0, 0, zhudun.CST()) // after every case received
	for batch := 0; batch < 6; batch++ {
		for op := 0; op < 12; op++ {
			c := pick()
			var err error
			var what string
			switch k := r.IntN(11); {
			case k == 0 || c == nil:
				what = "create"
				n := zhudun.NewCase{Title: "随机案件", Type: "telecom_fraud", Dept: depts[r.IntN(len(depts))], ReceivedAt: cday(2025, 12, 1+r.IntN(20))}
				if r.IntN(2) == 0 {
					n.Campaigns = []int64{w.campaign}
				}
				if r.IntN(3) == 0 {
					n.FromFindings = []int64{findings[r.IntN(len(findings))]}
				}
				var cd *zhudun.CaseDetail
				if cd, err = s.CreateCase(w.anaR, n); err == nil {
					cases = append(cases, &kase{id: cd.ID, status: zhudun.CaseReceived})
				}
			case k == 1:
				what = "transition"
				next := map[string]string{zhudun.CaseReceived: zhudun.CaseFiled, zhudun.CaseFiled: zhudun.CaseSolved, zhudun.CaseSolved: zhudun.CaseTransferred}[c.status]
				if next == "" {
					continue
				}
				stepped = stepped.Add(time.Duration(1+r.IntN(72)) * time.Hour)
				at := stepped
				if _, err = s.TransitionCase(w.anaR, c.id, zhudun.CaseTransition{To: next, At: &at}); err == nil {
					c.status = next
				}
			case k == 2:
				what = "person"
				n := zhudun.NewCasePerson{Name: "某人", IDNumber: ids[r.IntN(len(ids))], Role: zhudun.RoleSuspect}
				if r.IntN(2) == 0 {
					n.ApprehendedOn = day()
				}
				var p *zhudun.CasePerson
				if p, err = s.AddCasePerson(w.anaR, c.id, n); err == nil {
					c.people = append(c.people, p.PersonID)
				} else if code(err) == zhudun.ECONFLICT {
					err = nil
				}
			case k == 3 && len(c.people) > 0:
				what = "measure"
				kinds := append(append([]string{}, zhudun.CoerciveMeasures...), zhudun.MeasureSummons)
				_, err = s.AddMeasure(w.anaR, c.id, zhudun.NewMeasure{Person: c.people[r.IntN(len(c.people))], Kind: kinds[r.IntN(len(kinds))], From: day(),
					Authority: "济南市公安局", DocumentNo: "随机"})
			case k == 4 && len(c.people) > 0:
				what = "apprehend"
				d := day()
				if r.IntN(4) == 0 {
					d = ""
				}
				_, err = s.SetApprehended(w.anaR, c.id, c.people[r.IntN(len(c.people))], d)
			case k == 5:
				what = "seizure"
				var z zhudun.NewSeizure
				switch r.IntN(4) {
				case 0:
					z = zhudun.NewSeizure{Kind: zhudun.SeizureSIMCards, Count: 1 + r.IntN(50), SeizedOn: day()}
				case 1:
					z = zhudun.NewSeizure{Kind: zhudun.SeizureDevices, DeviceType: zhudun.DeviceTypes[r.IntN(len(zhudun.DeviceTypes))], Count: 1 + r.IntN(3), SeizedOn: day()}
					if z.DeviceType == "cat_pool" || z.DeviceType == "goip" {
						z.Slots = 32
					}
				case 2:
					z = zhudun.NewSeizure{Kind: zhudun.SeizureFunds, Amount: fmt.Sprintf("%d.%02d", 1+r.IntN(5000), r.IntN(100)), Account: "6222000000001234", Bank: "工商银行"}
					switch r.IntN(3) {
					case 0:
						z.State, z.FrozenOn = zhudun.FundsFrozen, day()
					case 1:
						z.State, z.SeizedOn = zhudun.FundsSeized, day()
					default:
						z.State, z.FrozenOn, z.ReturnedOn = zhudun.FundsReturned, "2025-12-01", day()
					}
				default:
					items := []string{accts[r.IntN(len(accts))], accts[r.IntN(len(accts))]}
					if items[0] == items[1] {
						items = items[:1]
					}
					z = zhudun.NewSeizure{Kind: zhudun.SeizureAccounts, Count: len(items) + r.IntN(3), Items: items, SeizedOn: day()}
				}
				_, err = s.AddSeizure(w.anaR, c.id, z)
			case k == 6:
				what = "tag"
				_, err = s.TagCase(w.anaR, c.id, w.campaign)
			case k == 7:
				what = "entities"
				_, err = s.AddCaseEntities(w.anaR, c.id, []int64{findings[r.IntN(len(findings))]})
			case k == 8:
				what = "move"
				d := depts[r.IntN(len(depts))]
				_, err = s.UpdateCase(w.anaR, c.id, zhudun.CaseUpdate{Dept: &d})
				if code(err) == zhudun.EINVALID { // its own department already
					err = nil
				}
			case k == 9:
				what = "merge"
				into := pick()
				if into == nil || into == c {
					continue
				}
				if _, err = s.MergeCase(w.anaR, c.id, into.id, "随机合并"); err == nil {
					c.status = zhudun.CaseMerged
					into.people = append(into.people, c.people...)
				}
			default:
				what = "review"
				f := findings[r.IntN(len(findings))]
				d := zhudun.DecisionConfirm
				if r.IntN(2) == 0 {
					d = zhudun.DecisionDismiss
				}
				w.at(time.Date(2025, 12, 1+r.IntN(28), 9, 0, 0, 0, zhudun.CST()))
				_, err = s.ReviewFinding(w.ana1, f, zhudun.Review{Decision: d, Reason: "随机复核理由"})
				w.at(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
				if code(err) == zhudun.ECONFLICT || code(err) == zhudun.EINVALID {
					err = nil
				}
			}
			if err != nil && code(err) != zhudun.ECONFLICT {
				t.Fatalf("seed %d batch %d: %s on case %v: %v", seed, batch, what, c, err)
			}
		}
		rollupAgrees(t, e, w.cmd, w.campaign, fmt.Sprintf("seed %d batch %d", seed, batch))
	}
}

// testCyberRollupConcurrent: writes to one case and reviews of the
// findings it holds, all at once — on PostgreSQL each derivation must wait
// for the other's commit (the case's advisory lock, the workbench lock),
// or the rows of one would stay beside the other's.
func testCyberRollupConcurrent(t *testing.T, b Backend) {
	w := newRollupWorld(t, b)
	e, s := w.e, w.e.s
	var fs []int64
	for i := range 4 {
		fs = append(fs, w.finding(t, fmt.Sprintf("wechat:c%d", i), nil).ID)
	}
	c, err := s.CreateCase(w.anaR, zhudun.NewCase{Title: "并发写入案", Type: "telecom_fraud", Dept: "SB1", ReceivedAt: cday(2025, 12, 3), Campaigns: []int64{w.campaign}})
	e.must(err)
	p, err := s.AddCasePerson(w.anaR, c.ID, zhudun.NewCasePerson{Name: "张三", IDNumber: idA, Role: zhudun.RoleSuspect})
	e.must(err)
	errs := make(chan error, 40)
	for i := range 40 {
		go func() {
			var err error
			switch i % 4 {
			case 0:
				_, err = s.AddSeizure(w.anaR, c.ID, zhudun.NewSeizure{Kind: zhudun.SeizureAccounts, Count: 2, Items: []string{fmt.Sprintf("qq:p%d", i), "wechat:c1"}, SeizedOn: "2025-12-08"})
			case 1:
				_, err = s.AddMeasure(w.anaR, c.ID, zhudun.NewMeasure{Person: p.PersonID, Kind: zhudun.MeasureDetention, From: fmt.Sprintf("2025-12-%02d", 1+i%28), Authority: "济南市公安局", DocumentNo: "并发"})
			case 2:
				_, err = s.AddCaseEntities(w.anaR, c.ID, []int64{fs[i%len(fs)]})
			default:
				_, err = s.ReviewFinding(w.ana1, fs[i%len(fs)], zhudun.Review{Decision: zhudun.DecisionConfirm, Reason: "并发复核理由"})
				if code(err) == zhudun.ECONFLICT || code(err) == zhudun.EINVALID { // confirmed already
					err = nil
				}
			}
			errs <- err
		}()
	}
	for range 40 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	rollupAgrees(t, e, w.cmd, w.campaign, "after 40 concurrent writes")
	wantFigures(t, "concurrent", figuresOf(t, e, w.cmd, zhudun.CyberReportQuery{From: *cday(2025, 12, 1), To: *cday(2026, 1, 31), Campaign: w.campaign}),
		map[string]string{"coercive": "1 0", "sim": "0 0"})
}
