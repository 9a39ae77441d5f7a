package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/zhudun/zhudun"
)

// Bulk entry of cases (docs/cases.md, "Bulk import"): all or nothing, a
// re-import stores nothing twice, numbers drawn as filing draws them, one
// person across cases, the cross-reference raised, scope fail closed.

func testCaseImport(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	sb1 := e.as(e.user("ana1", "SB1", "analyst"))
	sb2 := e.as(e.user("ana2", "SB2", "analyst"))
	cmd := e.as(e.user("cmd1", "SB1", "commander"))
	if _, err := e.s.CreateCampaign(e.sys, zhudun.NewCampaign{Name: "净网2025", From: "2025-01-01", To: "2025-12-31", Dept: "SB1"}); err != nil {
		t.Fatal(err)
	}
	// A case entered through the API, filed in 2026, holding phone A.
	x := e.newCase(sb1, "既有诈骗案", "SB1")
	x = e.fileCase(sb1, x.ID)
	if _, err := e.s.AddCasePerson(sb1, x.ID, zhudun.NewCasePerson{Name: "王五", Phone: phoneA, Role: zhudun.RoleVictim}); err != nil {
		t.Fatal(err)
	}
	ledger := zhudun.CaseImport{
		Source: "台账2025.xlsx",
		Cases: []zhudun.ImportCase{
			{Key: "TZ-001", NewCase: zhudun.NewCase{Title: "冒充客服诈骗案", Type: "telecom_fraud", Dept: "SB1", ReceivedAt: cst("2025-11-03 09:00:00")},
				CampaignNames: []string{"净网2025"}, FiledAt: cst("2025-12-01 00:00:00"), SolvedAt: cst("2026-01-10 00:00:00")},
			{Key: "TZ-002", NewCase: zhudun.NewCase{Title: "网络赌博案", Type: "gambling", Dept: "ST1", ReceivedAt: cst("2025-12-20 00:00:00")}},
		},
		People: []zhudun.ImportPerson{
			{Key: "R1", Case: "TZ-001", NewCasePerson: zhudun.NewCasePerson{Name: "张三", IDNumber: idA, Phone: phoneA, Role: zhudun.RoleSuspect, ApprehendedOn: "2025-12-02"}},
			{Key: "R2", Case: "TZ-002", NewCasePerson: zhudun.NewCasePerson{Name: "李四", IDNumber: idB, Role: zhudun.RoleVictim}},
			{Key: "R3", Case: x.Number, NewCasePerson: zhudun.NewCasePerson{Name: "张三（别名）", IDNumber: idA, Role: zhudun.RoleSuspect}},
		},
		Measures: []zhudun.ImportMeasure{
			{Key: "C1", Case: "TZ-001", PersonRef: "R1", NewMeasure: zhudun.NewMeasure{Kind: zhudun.MeasureDetention, From: "2025-12-02", To: "2025-12-30", Authority: "济南市公安局", DocumentNo: "济公刑拘字〔2025〕101号"}},
			{Key: "C2", Case: "TZ-001", PersonRef: idA, NewMeasure: zhudun.NewMeasure{Kind: zhudun.MeasureArrest, From: "2025-12-30", Authority: "历下区人民检察院", DocumentNo: "历检捕〔2025〕7号"}},
		},
		Seizures: []zhudun.ImportSeizure{
			{Key: "Z1", Case: "TZ-001", NewSeizure: zhudun.NewSeizure{Kind: zhudun.SeizureFunds, Amount: "1234.56", Account: "6222020200001234567", Bank: "工商银行", State: zhudun.FundsFrozen, FrozenOn: "2025-12-03"}},
			{Key: "Z2", Case: "TZ-002", NewSeizure: zhudun.NewSeizure{Kind: zhudun.SeizureDevices, DeviceType: "cat_pool", Slots: 32, Count: 1, Items: []string{"861234567890123"}, SeizedOn: "2025-12-21"}},
		},
	}
	if _, err := e.s.ImportCases(cmd, ledger); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("a commander imports: %v", err)
	}
	before := e.auditCount("case.import")
	res, err := e.s.ImportCases(sb1, ledger)
	if err != nil || len(res.Problems) != 0 {
		t.Fatalf("import: %+v %v", res, err)
	}
	want := map[string]zhudun.ImportCount{"cases": {Stored: 2}, "people": {Stored: 3}, "measures": {Stored: 2}, "seizures": {Stored: 2}}
	if fmt.Sprint(res.Counts) != fmt.Sprint(want) {
		t.Fatalf("counts %v; want %v", res.Counts, want)
	}
	cs, total, err := e.s.FindCases(sb1, zhudun.CaseFilter{})
	if err != nil || total != 3 {
		t.Fatalf("cases after import: %d %v", total, err)
	}
	var k1, k2 *zhudun.Case
	for _, c := range cs {
		switch c.Title {
		case "冒充客服诈骗案":
			k1 = c
		case "网络赌博案":
			k2 = c
		}
	}
	// Filed in December 2025: the first of 2025 for SB1 (x is 2026's first).
	if k1 == nil || k1.Number != "济公网立SB1〔2025〕0001号" || k1.Status != zhudun.CaseSolved || k1.Receipt != fmt.Sprintf("SA2025-%06d", k1.ID) ||
		len(k1.Campaigns) != 1 || k1.Campaigns[0].Name != "净网2025" || k1.FiledAt == nil || !k1.FiledAt.Equal(*cst("2025-12-01 00:00:00")) {
		t.Fatalf("case 1: %+v", k1)
	}
	if k2 == nil || k2.Status != zhudun.CaseReceived || k2.Number != "" || k2.DeptCode != "ST1" {
		t.Fatalf("case 2: %+v", k2)
	}
	d1, err := e.s.FindCaseByID(sb1, k1.ID)
	e.must(err)
	dx, err := e.s.FindCaseByID(sb1, x.ID)
	e.must(err)
	if len(d1.People) != 1 || d1.People[0].ApprehendedOn != "2025-12-02" || len(d1.Measures) != 2 || len(d1.Seizures) != 1 || d1.Seizures[0].AmountFen != 123456 {
		t.Fatalf("case 1 parts: %+v %+v %+v", d1.People, d1.Measures, d1.Seizures)
	}
	// One person across cases: x's suspect is case 1's, joined by the ID.
	if len(dx.People) != 2 || dx.People[1].PersonID != d1.People[0].PersonID || dx.People[1].Name != "张三" {
		t.Fatalf("x's people: %+v; want the person of case 1", dx.People)
	}
	if d1.Measures[0].PersonID != d1.People[0].PersonID || d1.Measures[1].Kind != zhudun.MeasureArrest {
		t.Fatalf("measures: %+v", d1.Measures)
	}
	// The cross-reference: case 1's suspect's phone is x's victim's.
	al, err := e.s.CaseAlerts(sb1, x.ID)
	e.must(err)
	if !slices.ContainsFunc(al, func(a *zhudun.CaseAlert) bool { return a.Kind == "phone" && a.Other != nil && a.Other.CaseID == k1.ID }) {
		t.Fatalf("x's alerts %+v; want phone with case 1", al)
	}
	if e.auditCount("case.import") != before+1 {
		t.Fatal("no case.import audit row")
	}
	if got := e.rawContains("audit_log", idA, idB, phoneA, "6222020200001234567"); len(got) != 0 {
		t.Fatalf("personal data in the audit log: %v", got)
	}

	// The same file again: everything skipped, nothing stored twice.
	res, err = e.s.ImportCases(sb1, ledger)
	if err != nil || len(res.Problems) != 0 {
		t.Fatalf("re-import: %+v %v", res, err)
	}
	want = map[string]zhudun.ImportCount{"cases": {Skipped: 2}, "people": {Skipped: 3}, "measures": {Skipped: 2}, "seizures": {Skipped: 2}}
	if fmt.Sprint(res.Counts) != fmt.Sprint(want) {
		t.Fatalf("re-import counts %v; want %v", res.Counts, want)
	}
	if _, total, _ := e.s.FindCases(sb1, zhudun.CaseFilter{}); total != 3 {
		t.Fatalf("%d cases after re-import; want 3", total)
	}
	if d, _ := e.s.FindCaseByID(sb1, k1.ID); len(d.People) != 1 || len(d.Measures) != 2 || len(d.Seizures) != 1 {
		t.Fatalf("case 1 after re-import: %d people %d measures %d seizures", len(d.People), len(d.Measures), len(d.Seizures))
	}

	// All or nothing: one good case (filed in 2025) beside six bad rows —
	// every problem at once, nothing stored, the serial not consumed.
	bad := zhudun.CaseImport{
		Cases: []zhudun.ImportCase{
			{Key: "TZ-003", NewCase: zhudun.NewCase{Title: "刷单诈骗案", Type: "telecom_fraud", Dept: "SB1", ReceivedAt: cst("2025-12-05 00:00:00")}, FiledAt: cst("2025-12-06 00:00:00")},
			{Key: "TZ-004", NewCase: zhudun.NewCase{Title: "外局案件", Type: "other", Dept: "SB2", ReceivedAt: cst("2025-12-05 00:00:00")}},
			{Key: "TZ-005", NewCase: zhudun.NewCase{Title: "先破后立", Type: "other", ReceivedAt: cst("2025-12-05 00:00:00")}, SolvedAt: cst("2025-12-06 00:00:00")},
		},
		People: []zhudun.ImportPerson{
			{Key: "R9", Case: "TZ-003", NewCasePerson: zhudun.NewCasePerson{Name: "赵六", IDNumber: "370102198503121234", Role: zhudun.RoleSuspect}},
		},
		Measures: []zhudun.ImportMeasure{
			{Key: "C9", Case: "TZ-004", PersonRef: idA, NewMeasure: zhudun.NewMeasure{Kind: zhudun.MeasureBail, From: "2025-12-07", Authority: "济南市公安局", DocumentNo: "济公取保字1号"}},
			{Key: "C10", Case: "TZ-003", PersonRef: "R9", NewMeasure: zhudun.NewMeasure{Kind: zhudun.MeasureBail, From: "2025-12-07", Authority: "济南市公安局", DocumentNo: "济公取保字2号"}},
		},
		Seizures: []zhudun.ImportSeizure{
			{Key: "Z9", Case: "TZ-003", NewSeizure: zhudun.NewSeizure{Kind: zhudun.SeizureFunds, Amount: "1.005", Account: "6222020200001234567", Bank: "工商银行", State: zhudun.FundsSeized, SeizedOn: "2025-12-06"}},
		},
	}
	res, err = e.s.ImportCases(sb1, bad)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range res.Problems {
		got = append(got, fmt.Sprintf("%s %d %s", p.Kind, p.Row, p.Field))
	}
	if w := []string{"cases 1 dept", "cases 2 solved_at", "people 0 id_number", "measures 0 case", "measures 1 person", "seizures 0 amount"}; !slices.Equal(got, w) {
		t.Fatalf("problems %v (%+v); want %v", got, res.Problems, w)
	}
	if m := res.Problems[4].Message; m != "person R9 has problems of its own in this file" {
		t.Errorf("the measure naming a refused person: %q", m)
	}
	if _, total, _ := e.s.FindCases(sb1, zhudun.CaseFilter{}); total != 3 {
		t.Fatalf("%d cases after a rejected import; want 3", total)
	}
	if e.auditCount("case.import") != before+2 {
		t.Fatal("a rejected import was audited as stored")
	}
	res, err = e.s.ImportCases(sb1, zhudun.CaseImport{Cases: bad.Cases[:1]})
	if err != nil || len(res.Problems) != 0 {
		t.Fatalf("good row alone: %+v %v", res, err)
	}
	cs, _, _ = e.s.FindCases(sb1, zhudun.CaseFilter{Q: "刷单"})
	if len(cs) != 1 || cs[0].Number != "济公网立SB1〔2025〕0002号" {
		t.Fatalf("after the rejected import: %+v; want serial 2 of 2025", cs)
	}

	// Another division names SB1's case by its key or number: not found.
	res, err = e.s.ImportCases(sb2, zhudun.CaseImport{People: []zhudun.ImportPerson{
		{Key: "Q1", Case: "TZ-001", NewCasePerson: zhudun.NewCasePerson{Name: "某人", Role: zhudun.RoleWitness}},
		{Key: "Q2", Case: k1.Number, NewCasePerson: zhudun.NewCasePerson{Name: "某人", Role: zhudun.RoleWitness}},
	}})
	if err != nil || len(res.Problems) != 2 || res.Problems[0].Field != "case" || res.Problems[1].Message != "case "+k1.Number+" not found" {
		t.Fatalf("SB2 names SB1's cases: %+v %v", res, err)
	}
	// Two rows of one file with the same key: a problem, not a skip.
	res, err = e.s.ImportCases(sb1, zhudun.CaseImport{Seizures: []zhudun.ImportSeizure{
		{Key: "Z7", Case: k1.Number, NewSeizure: zhudun.NewSeizure{Kind: zhudun.SeizureSIMCards, Count: 10, SeizedOn: "2025-12-06"}},
		{Key: "Z7", Case: k1.Number, NewSeizure: zhudun.NewSeizure{Kind: zhudun.SeizureSIMCards, Count: 10, SeizedOn: "2025-12-06"}},
	}})
	if err != nil || len(res.Problems) != 1 || res.Problems[0].Row != 1 || res.Problems[0].Field != "key" {
		t.Fatalf("duplicate keys: %+v %v", res, err)
	}
}
