package storetest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// testCaseXref: two divisions' open cases come to hold one resident, one
// number and one bank account — each case's owners are alerted, seeing the
// other side only as far as their scope lets them (another division's
// case by its department and lead, whom to contact); the engine's new
// finding on a number both hold alerts both; a closed case alerts nobody;
// the marks never hold a resident ID or number in clear; solving a case
// confirms its undecided entities through the review.
func testCaseXref(t *testing.T, b Backend) {
	e := newEnv(t, b)
	w := cutWorld(e)
	sb1 := e.as(e.user("ana1", "SB1", "analyst"))
	sb2 := e.as(e.user("ana2", "SB2", "analyst"))
	root := e.as(e.user("anaroot", "ROOT", "analyst"))
	a := e.newCase(sb1, "一分局诈骗案", "")
	bc := e.newCase(sb2, "二分局帮信案", "")
	id, phone := "11010519491231002X", "13912345678"
	if _, err := e.s.AddCasePerson(sb1, a.ID, zhudun.NewCasePerson{Name: "张三", IDNumber: id, Phone: phone, Role: "suspect"}); err != nil {
		t.Fatal(err)
	}
	if al, err := e.s.CaseAlerts(sb1, a.ID); err != nil || len(al) != 0 {
		t.Fatalf("alerts before any other case holds it: %v %v", al, err)
	}
	if _, err := e.s.AddCasePerson(sb2, bc.ID, zhudun.NewCasePerson{Name: "张三", IDNumber: id, Role: "suspect"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.AddSeizure(sb2, bc.ID, zhudun.NewSeizure{Kind: zhudun.SeizureSIMCards, Count: 1, Items: []string{"13912345678"}, SeizedOn: "2026-02-27"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.AddSeizure(sb1, a.ID, zhudun.NewSeizure{Kind: zhudun.SeizureFunds, Amount: "5000.00", State: "frozen", FrozenOn: "2026-02-27", Account: "6222 0212 3456 7890", Bank: "工商银行"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.AddSeizure(sb2, bc.ID, zhudun.NewSeizure{Kind: zhudun.SeizureFunds, Amount: "100.00", State: "seized", SeizedOn: "2026-02-27", Account: "6222021234567890", Bank: "工商银行"}); err != nil {
		t.Fatal(err)
	}
	kinds := func(ctx context.Context, caseID int64) string {
		t.Helper()
		al, err := e.s.CaseAlerts(ctx, caseID)
		e.must(err)
		var out []string
		for _, x := range al {
			out = append(out, x.Kind)
		}
		return strings.Join(out, ",")
	}
	// newest first: the bank account, the number, the resident
	if got := kinds(sb1, a.ID); got != "bank_account,phone,idno" {
		t.Fatalf("SB1's case alerts: %s", got)
	}
	if got := kinds(sb2, bc.ID); got != "bank_account,phone,idno" {
		t.Fatalf("SB2's case alerts: %s", got)
	}
	al, err := e.s.CaseAlerts(sb1, a.ID)
	e.must(err)
	for _, x := range al {
		if x.Other == nil || x.Other.Visible || x.Other.Number != "" || x.Other.Title != "" || x.Other.Dept != "SB2" || x.Other.Lead == "" {
			t.Fatalf("SB1 sees SB2's side as %+v", x.Other)
		}
		if strings.Contains(x.Shown, "19491231") || strings.Contains(x.Shown, "12345678") || strings.Contains(x.Shown, "21234567") {
			t.Fatalf("alert shows %q", x.Shown)
		}
	}
	al, err = e.s.CaseAlerts(root, a.ID)
	e.must(err)
	if o := al[0].Other; !o.Visible || o.CaseID != bc.ID || o.Title != "二分局帮信案" {
		t.Fatalf("the city's analyst sees the other side as %+v", o)
	}
	if _, err := e.s.CaseAlerts(sb2, a.ID); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("SB2 reads SB1's case alerts: %v", err)
	}
	for _, table := range []string{"case_marks", "case_alerts", "outbox"} {
		if got := e.rawContains(table, id, phone, "6222021234567890"); len(got) != 0 {
			t.Fatalf("in clear: %v", got)
		}
	}

	// The engine raises a finding on the number: both cases hear of it.
	at := time.Date(2026, 2, 27, 2, 0, 0, 0, time.UTC)
	f := &zhudun.Finding{Kind: zhudun.KindFinding, Category: "black_card", EntityType: "msisdn", Entity: phone, Score: 0.9, Gang: "G-000009",
		FirstSeen: at, LastSeen: at, Evidence: json.RawMessage(`[{"signal":"in_black_device","value":1,"threshold":1}]`), Source: "cmcc-feed"}
	e.must(e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Upsert: []*zhudun.Finding{f}}))
	al, err = e.s.CaseAlerts(sb1, a.ID)
	e.must(err)
	if al[0].Source != "finding" || al[0].FindingID == nil || *al[0].FindingID != f.ID || al[0].Other != nil {
		t.Fatalf("the finding's alert: %+v", al[0])
	}
	if got := kinds(sb2, bc.ID); !strings.HasPrefix(got, "phone,") {
		t.Fatalf("SB2's case after the finding: %s", got)
	}

	// A closed case alerts nobody: SB2's case revoked, SB1's gains an IMEI
	// both held — no new alert.
	if _, err := e.s.AddSeizure(sb2, bc.ID, zhudun.NewSeizure{Kind: zhudun.SeizureDevices, Count: 1, DeviceType: "cat_pool", Slots: 32, Items: []string{"861234567890123"}, SeizedOn: "2026-02-27"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.TransitionCase(sb2, bc.ID, zhudun.CaseTransition{To: zhudun.CaseRevoked, Reason: "证据不足撤案"}); code(err) != zhudun.ECONFLICT && err != nil {
		t.Fatal(err)
	}
	e.fileCase(sb2, bc.ID)
	if _, err := e.s.TransitionCase(sb2, bc.ID, zhudun.CaseTransition{To: zhudun.CaseRevoked, Reason: "证据不足撤案"}); err != nil {
		t.Fatal(err)
	}
	before := kinds(sb1, a.ID)
	if _, err := e.s.AddSeizure(sb1, a.ID, zhudun.NewSeizure{Kind: zhudun.SeizureDevices, Count: 1, DeviceType: "cat_pool", Slots: 32, Items: []string{"86123456789012"}, SeizedOn: "2026-02-27"}); err != nil {
		t.Fatal(err)
	}
	if got := kinds(sb1, a.ID); got != before {
		t.Fatalf("a revoked case's IMEI alerted: %s (was %s)", got, before)
	}

	// The index key rotates: the marks follow (RekeyPII), so the same
	// resident in a new case still meets SB1's.
	if _, err := e.keys.Rotate("index"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.RekeyPII(e.sys); err != nil {
		t.Fatal(err)
	}
	c3 := e.newCase(sb2, "二分局新案", "")
	if _, err := e.s.AddCasePerson(sb2, c3.ID, zhudun.NewCasePerson{Name: "张三", IDNumber: id, Role: "suspect"}); err != nil {
		t.Fatal(err)
	}
	if got := kinds(sb2, c3.ID); got != "idno" {
		t.Fatalf("after the index key rotated: %q; want the resident met", got)
	}

	// Solving: the case's undecided entities are confirmed with the case
	// as the reason.
	card := w["13800000001"]
	if _, err := e.s.AddCaseEntities(sb1, a.ID, []int64{card.ID}); err != nil {
		t.Fatal(err)
	}
	e.fileCase(sb1, a.ID)
	if _, err := e.s.TransitionCase(sb1, a.ID, zhudun.CaseTransition{To: zhudun.CaseSolved}); err != nil {
		t.Fatal(err)
	}
	fs, _, err := e.s.FindFindings(sb1, zhudun.FindingFilter{Category: "black_card", Status: zhudun.ReviewConfirmed})
	e.must(err)
	if len(fs) != 1 || fs[0].ID != card.ID || !strings.Contains(fs[0].ReviewReason, "已破案") {
		t.Fatalf("confirmed on solving: %+v", fs)
	}
}
