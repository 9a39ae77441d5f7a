package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
)

// People of cases and their personal data, measures, seizures (docs/cases.md).

// rawContains reports the table.column cells that hold any of vals.
func (e *env) rawContains(table string, vals ...string) []string {
	e.t.Helper()
	rows, err := e.s.DB().Query(`SELECT * FROM ` + table)
	e.must(err)
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		cells := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range cells {
			ptrs[i] = &cells[i]
		}
		e.must(rows.Scan(ptrs...))
		for i, c := range cells {
			for _, v := range vals {
				if strings.Contains(toString(c), v) {
					out = append(out, table+"."+cols[i])
				}
			}
		}
	}
	e.must(rows.Err())
	return out
}

// testCasePeople: one person across two cases is one record; the ID and
// phone are sealed (never in clear in any table), shown masked, revealed
// with pii:view and a reason, audited; a person's page lists the cases in
// scope; measures only on suspects, the summons not coercive.
func testCasePeople(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	sb1 := e.as(e.user("ana1", "SB1", "analyst"))
	sb2 := e.as(e.user("ana2", "SB2", "analyst"))
	cmd := e.as(e.user("cmd1", "SB1", "commander"))
	a := e.newCase(sb1, "一分局诈骗案", "")
	bc := e.newCase(sb2, "二分局帮信案", "")
	pa, err := e.s.AddCasePerson(sb1, a.ID, zhudun.NewCasePerson{Name: "张三", IDNumber: idA, Phone: phoneA, Role: zhudun.RoleSuspect, ApprehendedOn: "2026-02-20"})
	e.must(err)
	if pa.IDNumberMasked != "370102********1233" || pa.PhoneMasked != "138****6666" || pa.ApprehendedOn != "2026-02-20" {
		t.Fatalf("masked: %+v", pa)
	}
	// The same ID, written with spaces around it, in another
	// department's case: the same person.
	pb, err := e.s.AddCasePerson(sb2, bc.ID, zhudun.NewCasePerson{Name: "张叁", IDNumber: " " + idA + " ", Role: zhudun.RoleSuspect})
	e.must(err)
	if pb.PersonID != pa.PersonID || pb.Name != "张三" {
		t.Fatalf("one person across two cases: %d (%s) and %d", pa.PersonID, pb.Name, pb.PersonID)
	}
	if _, err := e.s.AddCasePerson(sb1, a.ID, zhudun.NewCasePerson{Name: "张三", IDNumber: idA, Role: zhudun.RoleSuspect}); code(err) != zhudun.ECONFLICT {
		t.Fatalf("the same person twice in one role: %v", err)
	}
	victim, err := e.s.AddCasePerson(sb1, a.ID, zhudun.NewCasePerson{Name: "李四", IDNumber: idB, Role: zhudun.RoleVictim})
	e.must(err)
	if victim.PersonID == pa.PersonID {
		t.Fatal("another ID, the same person")
	}
	for _, bad := range []struct {
		n     zhudun.NewCasePerson
		field string
	}{
		{zhudun.NewCasePerson{Name: "王五", IDNumber: "370102198503121234", Role: zhudun.RoleVictim}, "id_number"}, // check digit
		{zhudun.NewCasePerson{Name: "王五", Phone: "12345", Role: zhudun.RoleVictim}, "phone"},
		{zhudun.NewCasePerson{Name: "王五", Role: "accomplice"}, "role"},
		{zhudun.NewCasePerson{Name: "", Role: zhudun.RoleVictim}, "name"},
		{zhudun.NewCasePerson{Name: "王五", Role: zhudun.RoleVictim, ApprehendedOn: "2026-02-01"}, "apprehended_on"},
		{zhudun.NewCasePerson{Name: "王五", Role: zhudun.RoleSuspect, ApprehendedOn: "2026/02/01"}, "apprehended_on"},
	} {
		if _, err := e.s.AddCasePerson(sb1, a.ID, bad.n); code(err) != zhudun.EINVALID || field(err) != bad.field {
			t.Errorf("%+v: %v; want EINVALID on %s", bad.n, err, bad.field)
		}
	}
	var np int
	e.must(e.s.DB().QueryRow(`SELECT COUNT(*) FROM people`).Scan(&np))
	if np != 2 {
		t.Fatalf("%d people; want 2", np)
	}
	// Sealed everywhere: people, case_people, the audit log, the outbox.
	for _, table := range []string{"people", "case_people", "audit_log", "outbox"} {
		if cells := e.rawContains(table, idA, idB, phoneA, "198503121233"); len(cells) > 0 {
			t.Errorf("clear personal data in %v", cells)
		}
	}
	// The person's page: the cases the caller's scope allows.
	for _, x := range []struct {
		name string
		ctx  context.Context
		want []int64
	}{{"sb1", sb1, []int64{a.ID}}, {"sb2", sb2, []int64{bc.ID}}, {"sys", e.sys, []int64{bc.ID, a.ID}}} {
		p, err := e.s.FindPerson(x.ctx, pa.PersonID)
		e.must(err)
		var got []int64
		for _, c := range p.Cases {
			got = append(got, c.CaseID)
		}
		if !slices.Equal(got, x.want) || p.IDNumberMasked != "370102********1233" {
			t.Errorf("%s: person's cases %v; want %v", x.name, got, x.want)
		}
	}
	if _, err := e.s.FindPerson(sb2, victim.PersonID); code(err) != zhudun.ENOTFOUND {
		t.Errorf("SB2 reads a person of SB1's only: %v", err)
	}
	// The clear text: pii:view in scope, a reason, audited.
	const why = "核查嫌疑人身份信息"
	got, err := e.s.RevealPersonPII(sb1, pa.PersonID, why)
	e.must(err)
	if got.IDNumber != idA || got.Phone != phoneA {
		t.Fatalf("revealed %+v", got)
	}
	if _, err := e.s.RevealPersonPII(sb1, pa.PersonID, "查"); code(err) != zhudun.EINVALID {
		t.Errorf("no reason: %v", err)
	}
	if _, err := e.s.RevealPersonPII(cmd, pa.PersonID, why); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("commander reveals: %v", err)
	}
	if _, err := e.s.RevealPersonPII(sb2, victim.PersonID, why); code(err) != zhudun.ENOTFOUND {
		t.Errorf("SB2 reveals SB1's victim: %v", err)
	}
	if n := e.auditCount("pii.view"); n != 1 {
		t.Errorf("pii.view audited %d times; want 1", n)
	}
	// Measures: on a suspect of this case; the summons is recorded, not
	// coercive.
	det := zhudun.NewMeasure{Person: pa.PersonID, Kind: zhudun.MeasureDetention, From: "2026-02-20", To: "2026-03-20", Authority: "济南市公安局", DocumentNo: "济公（网）拘字〔2026〕12号"}
	m, err := e.s.AddMeasure(sb1, a.ID, det)
	e.must(err)
	if !m.Coercive || m.PersonName != "张三" || m.Kind != zhudun.MeasureDetention {
		t.Fatalf("measure %+v", m)
	}
	sum := det
	sum.Kind, sum.To = zhudun.MeasureSummons, ""
	if m, err := e.s.AddMeasure(sb1, a.ID, sum); err != nil || m.Coercive {
		t.Fatalf("summons %+v %v", m, err)
	}
	for _, bad := range []struct {
		mod   func(*zhudun.NewMeasure)
		field string
	}{
		{func(n *zhudun.NewMeasure) { n.Person = victim.PersonID }, "person"},
		{func(n *zhudun.NewMeasure) { n.Kind = "house_arrest" }, "kind"},
		{func(n *zhudun.NewMeasure) { n.To = "2026-01-01" }, "to"},
		{func(n *zhudun.NewMeasure) { n.From = "20260220" }, "from"},
		{func(n *zhudun.NewMeasure) { n.Authority = "" }, "authority"},
		{func(n *zhudun.NewMeasure) { n.DocumentNo = "" }, "document_no"},
	} {
		n := det
		bad.mod(&n)
		if _, err := e.s.AddMeasure(sb1, a.ID, n); code(err) != zhudun.EINVALID || field(err) != bad.field {
			t.Errorf("measure %+v: %v; want EINVALID on %s", n, err, bad.field)
		}
	}
	// The suspect of SB2's case is not one of this case's suspects there.
	if _, err := e.s.AddMeasure(sb2, bc.ID, zhudun.NewMeasure{Person: victim.PersonID, Kind: zhudun.MeasureBail, From: "2026-02-21",
		Authority: "二分局", DocumentNo: "取保〔2026〕1号"}); code(err) != zhudun.EINVALID {
		t.Errorf("a measure on a person not in the case: %v", err)
	}
	// Apprehension later: suspects only, in scope, a day.
	if _, err := e.s.SetApprehended(sb1, a.ID, victim.PersonID, "2026-02-22"); code(err) != zhudun.ENOTFOUND {
		t.Errorf("apprehend a victim: %v", err)
	}
	if _, err := e.s.SetApprehended(sb1, a.ID, pa.PersonID, "22/02/2026"); code(err) != zhudun.EINVALID {
		t.Errorf("apprehend on a bad day: %v", err)
	}
	if _, err := e.s.SetApprehended(sb2, a.ID, pa.PersonID, "2026-02-22"); code(err) != zhudun.ENOTFOUND {
		t.Errorf("SB2 apprehends in SB1's case: %v", err)
	}
	if p, err := e.s.SetApprehended(sb1, a.ID, pa.PersonID, "2026-02-22"); err != nil || p.ApprehendedOn != "2026-02-22" {
		t.Errorf("apprehend: %+v %v", p, err)
	}
	full, err := e.s.FindCaseByID(sb1, a.ID)
	e.must(err)
	if len(full.People) != 2 || len(full.Measures) != 2 {
		t.Fatalf("case a: %d people, %d measures", len(full.People), len(full.Measures))
	}
	// A key rotation re-seals and re-indexes people: the old keys then seal
	// nothing, the clear text opens, and the ID still finds the person.
	active, err := e.keys.Rotate("pii")
	e.must(err)
	_, err = e.keys.Rotate("index")
	e.must(err)
	_, err = e.s.RekeyPII(e.sys)
	e.must(err)
	usage, err := e.s.KeyUsage(e.sys)
	e.must(err)
	for id, n := range usage {
		if id != active && n != 0 {
			t.Errorf("pii key %d still seals %d values after the rekey", id, n)
		}
	}
	if got, err := e.s.RevealPersonPII(sb1, pa.PersonID, why); err != nil || got.IDNumber != idA || got.Phone != phoneA {
		t.Errorf("reveal after the rekey: %+v %v", got, err)
	}
	c3 := e.newCase(sb1, "轮换后案件", "")
	if p3, err := e.s.AddCasePerson(sb1, c3.ID, zhudun.NewCasePerson{Name: "张三", IDNumber: idA, Role: zhudun.RoleWitness}); err != nil || p3.PersonID != pa.PersonID {
		t.Errorf("found again after the index key rotated: %+v %v", p3, err)
	}
	for _, a := range []string{"case.person.add", "case.measure.add", "case.person.apprehend"} {
		if n := e.auditCount(a); n == 0 {
			t.Errorf("%s not audited", a)
		}
	}
}

// testCaseSeizures: each kind's fields checked; money in integer fen.
func testCaseSeizures(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	sb1 := e.as(e.user("ana1", "SB1", "analyst"))
	c := e.newCase(sb1, "四断专案", "")
	funds := zhudun.NewSeizure{Kind: zhudun.SeizureFunds, Amount: "1980000.00", Account: "6222020200112233445", Bank: "工商银行济南分行",
		State: zhudun.FundsFrozen, FrozenOn: "2026-02-10"}
	z, err := e.s.AddSeizure(sb1, c.ID, funds)
	e.must(err)
	if z.AmountFen != 198000000 || z.Amount != "1980000.00" {
		t.Fatalf("funds %+v", z)
	}
	var fen int64
	e.must(e.s.DB().QueryRow(e.s.Dialect().Rebind(`SELECT amount_fen FROM case_seizures WHERE id = ?`), z.ID).Scan(&fen))
	if fen != 198000000 {
		t.Fatalf("stored %d fen", fen)
	}
	ok := []zhudun.NewSeizure{
		{Kind: zhudun.SeizureSIMCards, Count: 1210, Items: []string{"13800000001", "13800000002"}, SeizedOn: "2026-02-10"},
		{Kind: zhudun.SeizureBankCards, Count: 2, Items: []string{"6222020200112233445"}, SeizedOn: "2026-02-10"},
		{Kind: zhudun.SeizureDevices, DeviceType: "cat_pool", Slots: 32, Count: 1, Items: []string{"861234567890123"}, SeizedOn: "2026-02-10"},
		{Kind: zhudun.SeizureDevices, DeviceType: "goip", Slots: 16, Count: 2, SeizedOn: "2026-02-10"},
		{Kind: zhudun.SeizureDevices, DeviceType: "phone", Count: 3, SeizedOn: "2026-02-10"},
		{Kind: zhudun.SeizureAccounts, Count: 1200000, Items: []string{"wechat:w1", "qq:12345"}, SeizedOn: "2026-02-10"},
		{Kind: zhudun.SeizureFunds, Amount: "0.1", Account: "6222", Bank: "建设银行", State: zhudun.FundsReturned, ReturnedOn: "2026-02-12"},
	}
	for _, n := range ok {
		if _, err := e.s.AddSeizure(sb1, c.ID, n); err != nil {
			t.Errorf("%+v: %v", n, err)
		}
	}
	mod := func(n zhudun.NewSeizure, f func(*zhudun.NewSeizure)) zhudun.NewSeizure { f(&n); return n }
	sim := ok[0]
	dev := ok[2]
	for _, bad := range []struct {
		n     zhudun.NewSeizure
		field string
	}{
		{mod(funds, func(n *zhudun.NewSeizure) { n.Amount = "1.005" }), "amount"},
		{mod(funds, func(n *zhudun.NewSeizure) { n.Amount = "-1" }), "amount"},
		{mod(funds, func(n *zhudun.NewSeizure) { n.Amount = "1e6" }), "amount"},
		{mod(funds, func(n *zhudun.NewSeizure) { n.Amount = "0.00" }), "amount"},
		{mod(funds, func(n *zhudun.NewSeizure) { n.State = "lost" }), "state"},
		{mod(funds, func(n *zhudun.NewSeizure) { n.FrozenOn = "" }), "frozen_on"},
		{mod(funds, func(n *zhudun.NewSeizure) { n.Bank = "" }), "bank"},
		{mod(funds, func(n *zhudun.NewSeizure) { n.Count = 3 }), "count"},
		{mod(sim, func(n *zhudun.NewSeizure) { n.Count = 1 }), "items"},
		{mod(sim, func(n *zhudun.NewSeizure) { n.Items = []string{"1380000000x"} }), "items"},
		{mod(sim, func(n *zhudun.NewSeizure) { n.Items = []string{"13800000001", "13800000001"} }), "items"},
		{mod(sim, func(n *zhudun.NewSeizure) { n.Count = 0 }), "count"},
		{mod(sim, func(n *zhudun.NewSeizure) { n.SeizedOn = "" }), "seized_on"},
		{mod(sim, func(n *zhudun.NewSeizure) { n.Amount = "1.00" }), "amount"},
		{mod(dev, func(n *zhudun.NewSeizure) { n.Slots = 0 }), "slots"},
		{mod(dev, func(n *zhudun.NewSeizure) { n.DeviceType = "router" }), "device_type"},
		{mod(dev, func(n *zhudun.NewSeizure) { n.Items = []string{"123"} }), "items"},
		{mod(ok[4], func(n *zhudun.NewSeizure) { n.Slots = 4 }), "slots"},
		{mod(sim, func(n *zhudun.NewSeizure) { n.Slots = 4 }), "slots"},
		{zhudun.NewSeizure{Kind: "drugs", Count: 1, SeizedOn: "2026-02-10"}, "kind"},
	} {
		if _, err := e.s.AddSeizure(sb1, c.ID, bad.n); code(err) != zhudun.EINVALID || field(err) != bad.field {
			t.Errorf("%+v: %v; want EINVALID on %s", bad.n, err, bad.field)
		}
	}
	full, err := e.s.FindCaseByID(sb1, c.ID)
	e.must(err)
	if len(full.Seizures) != 8 {
		t.Fatalf("%d seizures; want 8", len(full.Seizures))
	}
	if s := full.Seizures[3]; s.DeviceType != "cat_pool" || s.Slots != 32 || !slices.Equal(s.Items, []string{"861234567890123"}) {
		t.Fatalf("cat pool %+v", s)
	}
	if n := e.auditCount("case.seizure.add"); n != 8 {
		t.Errorf("case.seizure.add audited %d times; want 8", n)
	}
}
