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

// Cases from the engine, links and merges, campaigns (docs/cases.md).

// gangWorld is cutWorld plus a member of G-000001 raised by SB2's feed:
// SB1's analyst sees five of the gang's six findings.
func gangWorld(e *env) map[string]*zhudun.Finding {
	w := cutWorld(e)
	at := time.Date(2026, 2, 27, 3, 0, 0, 0, time.UTC)
	f := &zhudun.Finding{Kind: zhudun.KindFinding, Category: "black_card", EntityType: "msisdn", Entity: "13900000010", Score: 0.7, Gang: "G-000001",
		FirstSeen: at, LastSeen: at, Evidence: json.RawMessage(`[{"signal":"imsi_per_imei","value":5,"threshold":4,"window":"7d"}]`), Source: "sb2feed", Networks: []string{"cmcc"}}
	e.must(e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Upsert: []*zhudun.Finding{f}}))
	w[f.Entity] = f
	return w
}

// testCaseFromEngine: a case opened from a gang takes exactly the gang's
// findings in the caller's finding:read scope, with their evidence; from
// chosen findings, only visible ones; more added later, each entity once.
func testCaseFromEngine(t *testing.T, b Backend) {
	e := newEnv(t, b)
	w := gangWorld(e)
	sb1 := e.as(e.user("ana1", "SB1", "analyst"))
	sb2 := e.as(e.user("ana2", "SB2", "analyst"))
	c, err := e.s.CreateCase(sb1, zhudun.NewCase{Title: "G-000001 猫池团伙", Type: "helping_crime", FromGang: "G-000001"})
	e.must(err)
	var got []string
	for _, x := range c.Entities {
		got = append(got, x.Category+"|"+x.Entity)
		f := w[x.Entity]
		if x.FindingID == nil || *x.FindingID != f.ID || x.Gang != "G-000001" || x.EntityType != f.EntityType {
			t.Errorf("entity %+v of finding %+v", x, f)
		}
		var a, b any
		e.must(json.Unmarshal(x.Evidence, &a))
		e.must(json.Unmarshal(f.Evidence, &b))
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%s evidence %s; want %s", x.Entity, x.Evidence, f.Evidence)
		}
	}
	slices.Sort(got)
	want := "black_account|wechat:w1,black_card|13800000001,black_card|13800000002,black_card|13800000003,black_device|86123456789012"
	if strings.Join(got, ",") != want {
		t.Fatalf("entities from the gang:\n%s\nwant\n%s", strings.Join(got, ","), want)
	}
	// SB2's analyst opens one from the same gang: its own member only.
	c2, err := e.s.CreateCase(sb2, zhudun.NewCase{Title: "二分局涉 G-000001", Type: "helping_crime", FromGang: "G-000001"})
	e.must(err)
	if len(c2.Entities) != 1 || c2.Entities[0].Entity != "13900000010" {
		t.Fatalf("SB2's case from the gang: %+v", c2.Entities)
	}
	if _, err := e.s.CreateCase(sb1, zhudun.NewCase{Title: "无此团伙", Type: "other", FromGang: "G-999999"}); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("an unknown gang: %v", err)
	}
	if _, err := e.s.CreateCase(sb1, zhudun.NewCase{Title: "越权线索", Type: "other", FromFindings: []int64{w["13800000001"].ID, w["13900000009"].ID}}); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("a case from another division's finding: %v", err)
	}
	if _, err := e.s.CreateCase(sb1, zhudun.NewCase{Title: "两者", Type: "other", FromGang: "G-000001", FromFindings: []int64{1}}); code(err) != zhudun.EINVALID {
		t.Fatalf("gang and findings: %v", err)
	}
	c3, err := e.s.CreateCase(sb1, zhudun.NewCase{Title: "两个号码", Type: "telecom_fraud", FromFindings: []int64{w["13800000001"].ID, w["13800000002"].ID, w["13800000001"].ID}})
	e.must(err)
	if len(c3.Entities) != 2 {
		t.Fatalf("from findings: %d entities; want 2", len(c3.Entities))
	}
	added, err := e.s.AddCaseEntities(sb1, c3.ID, []int64{w["13800000002"].ID, w["86123456789012"].ID})
	e.must(err)
	if len(added) != 1 || added[0].Entity != "86123456789012" {
		t.Fatalf("added %+v; want the device only", added)
	}
	if _, err := e.s.AddCaseEntities(sb1, c3.ID, []int64{w["13900000010"].ID}); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("adding SB2's finding: %v", err)
	}
	if _, err := e.s.AddCaseEntities(sb2, c3.ID, []int64{w["13900000010"].ID}); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("SB2 adds to SB1's case: %v", err)
	}
	full, err := e.s.FindCaseByID(sb1, c3.ID)
	e.must(err)
	if len(full.Entities) != 3 {
		t.Fatalf("case 3 holds %d entities; want 3", len(full.Entities))
	}
	if n := e.auditCount("case.entity.add"); n != 1 {
		t.Errorf("case.entity.add audited %d; want 1", n)
	}
}

// testCaseMerge: links listed from both sides; a duplicate merged moves
// its people, measures, seizures and entities to the survivor (what both
// hold, once), becomes merged, takes no more writes, and its number finds
// the survivor.
func testCaseMerge(t *testing.T, b Backend) {
	e := newEnv(t, b)
	w := gangWorld(e)
	sb1 := e.as(e.user("ana1", "SB1", "analyst"))
	sb2 := e.as(e.user("ana2", "SB2", "analyst"))
	surv, err := e.s.CreateCase(sb1, zhudun.NewCase{Title: "主案", Type: "telecom_fraud", FromFindings: []int64{w["13800000001"].ID}})
	e.must(err)
	dup, err := e.s.CreateCase(sb1, zhudun.NewCase{Title: "重复案", Type: "telecom_fraud", FromFindings: []int64{w["13800000001"].ID, w["13800000002"].ID}})
	e.must(err)
	surv, dup = e.fileCase(sb1, surv.ID), e.fileCase(sb1, dup.ID)
	sb2case := e.newCase(sb2, "二分局关联案", "")
	// Links.
	if _, err := e.s.LinkCases(sb1, surv.ID, surv.ID, "同一团伙作案"); code(err) != zhudun.EINVALID {
		t.Fatalf("self link: %v", err)
	}
	if _, err := e.s.LinkCases(sb1, surv.ID, sb2case.ID, "同一团伙作案"); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("link to a case out of scope: %v", err)
	}
	l, err := e.s.LinkCases(sb1, dup.ID, surv.ID, "同一团伙作案")
	e.must(err)
	if l.Case != surv.ID || l.Reason != "同一团伙作案" {
		t.Fatalf("link %+v", l)
	}
	if _, err := e.s.LinkCases(sb1, surv.ID, dup.ID, "再次关联"); code(err) != zhudun.ECONFLICT {
		t.Fatalf("a link twice: %v", err)
	}
	for _, x := range []struct{ id, other int64 }{{surv.ID, dup.ID}, {dup.ID, surv.ID}} {
		c, err := e.s.FindCaseByID(sb1, x.id)
		e.must(err)
		if len(c.Links) != 1 || c.Links[0].Case != x.other {
			t.Errorf("case %d links %+v; want %d", x.id, c.Links, x.other)
		}
	}
	// The parts: one person on both, one on the duplicate only.
	zs := zhudun.NewCasePerson{Name: "张三", IDNumber: idA, Role: zhudun.RoleSuspect}
	ps, err := e.s.AddCasePerson(sb1, surv.ID, zs)
	e.must(err)
	caught := zs
	caught.ApprehendedOn = "2026-02-24"
	pd, err := e.s.AddCasePerson(sb1, dup.ID, caught)
	e.must(err)
	_, err = e.s.AddCasePerson(sb1, dup.ID, zhudun.NewCasePerson{Name: "李四", IDNumber: idB, Role: zhudun.RoleVictim})
	e.must(err)
	if ps.PersonID != pd.PersonID {
		t.Fatal("one person, two records")
	}
	_, err = e.s.AddMeasure(sb1, dup.ID, zhudun.NewMeasure{Person: pd.PersonID, Kind: zhudun.MeasureArrest, From: "2026-02-25", Authority: "济南市人民检察院", DocumentNo: "济检捕〔2026〕3号"})
	e.must(err)
	_, err = e.s.AddSeizure(sb1, dup.ID, zhudun.NewSeizure{Kind: zhudun.SeizureSIMCards, Count: 10, SeizedOn: "2026-02-25"})
	e.must(err)
	// Out of scope, a closed duplicate, a survivor of its own: refused.
	if _, err := e.s.MergeCase(sb2, dup.ID, surv.ID, "重复立案"); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("SB2 merges: %v", err)
	}
	closed := e.newCase(sb1, "已不予立案", "")
	_, err = e.s.TransitionCase(sb1, closed.ID, zhudun.CaseTransition{To: zhudun.CaseClosedUnfiled, Reason: "没有犯罪事实"})
	e.must(err)
	if _, err := e.s.MergeCase(sb1, closed.ID, surv.ID, "重复立案"); code(err) != zhudun.ECONFLICT {
		t.Fatalf("merge a closed case: %v", err)
	}
	if _, err := e.s.MergeCase(sb1, dup.ID, dup.ID, "重复立案"); code(err) != zhudun.EINVALID {
		t.Fatalf("merge into itself: %v", err)
	}
	got, err := e.s.MergeCase(sb1, dup.ID, surv.ID, "重复立案，并入主案")
	e.must(err)
	var people, ents []string
	for _, p := range got.People {
		people = append(people, p.Name+":"+p.Role)
		if p.Role == zhudun.RoleSuspect && p.ApprehendedOn != "2026-02-24" {
			t.Errorf("the survivor's suspect lost the duplicate's apprehension day: %+v", p)
		}
	}
	for _, x := range got.Entities {
		ents = append(ents, x.Entity)
	}
	slices.Sort(people)
	slices.Sort(ents)
	if strings.Join(people, ",") != "张三:suspect,李四:victim" || strings.Join(ents, ",") != "13800000001,13800000002" ||
		len(got.Measures) != 1 || len(got.Seizures) != 1 {
		t.Fatalf("survivor: people %v, entities %v, %d measures, %d seizures", people, ents, len(got.Measures), len(got.Seizures))
	}
	d, err := e.s.FindCaseByID(sb1, dup.ID)
	e.must(err)
	if d.Status != zhudun.CaseMerged || d.MergedInto == nil || *d.MergedInto != surv.ID || len(d.People) != 0 || len(d.Seizures) != 0 || d.Number != dup.Number {
		t.Fatalf("the duplicate: %+v", d)
	}
	// Its number and receipt find the survivor, with a note.
	for _, q := range []string{dup.Number, dup.Receipt} {
		c, err := e.s.FindCaseByNumber(sb1, q)
		e.must(err)
		if c.ID != surv.ID || !strings.Contains(c.Note, q) || !strings.Contains(c.Note, surv.Number) {
			t.Errorf("by %s: case %d, note %q", q, c.ID, c.Note)
		}
	}
	if _, err := e.s.AddSeizure(sb1, dup.ID, zhudun.NewSeizure{Kind: zhudun.SeizureSIMCards, Count: 1, SeizedOn: "2026-02-25"}); code(err) != zhudun.ECONFLICT {
		t.Errorf("a seizure for the merged case: %v", err)
	}
	if _, err := e.s.TransitionCase(sb1, dup.ID, zhudun.CaseTransition{To: zhudun.CaseSolved}); code(err) != zhudun.ECONFLICT {
		t.Errorf("solving the merged case: %v", err)
	}
	if _, err := e.s.FindCaseByNumber(sb2, dup.Number); code(err) != zhudun.ENOTFOUND {
		t.Errorf("SB2 by the duplicate's number: %v", err)
	}
	if n := e.auditCount("case.merge"); n != 2 {
		t.Errorf("case.merge audited %d times; want 2 (both cases)", n)
	}
}

// testCampaigns: a campaign reaches its department's subtree; a city-wide
// one every analyst sees; cases tagged and listed by campaign.
func testCampaigns(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	sb1 := e.as(e.user("ana1", "SB1", "analyst"))
	sb2 := e.as(e.user("ana2", "SB2", "analyst"))
	cmd := e.as(e.user("cmd1", "SB1", "commander"))
	city, err := e.s.CreateCampaign(e.sys, zhudun.NewCampaign{Name: "净网2026", From: "2026-01-01", To: "2026-12-31", Dept: "ROOT"})
	e.must(err)
	four, err := e.s.CreateCampaign(sb1, zhudun.NewCampaign{Name: "四断", From: "2026-02-01", To: "2026-06-30"})
	e.must(err)
	if four.DeptCode != "SB1" {
		t.Fatalf("campaign dept %s", four.DeptCode)
	}
	for _, bad := range []struct {
		ctx  context.Context
		n    zhudun.NewCampaign
		want string
	}{
		{sb1, zhudun.NewCampaign{Name: "四断", From: "2026-02-01", To: "2026-06-30"}, zhudun.ECONFLICT},
		{sb1, zhudun.NewCampaign{Name: "城市", From: "2026-02-01", To: "2026-06-30", Dept: "ROOT"}, zhudun.EINVALID},
		{sb1, zhudun.NewCampaign{Name: "倒序", From: "2026-06-30", To: "2026-02-01"}, zhudun.EINVALID},
		{cmd, zhudun.NewCampaign{Name: "指挥", From: "2026-02-01", To: "2026-06-30"}, zhudun.EFORBIDDEN},
	} {
		if _, err := e.s.CreateCampaign(bad.ctx, bad.n); code(err) != bad.want {
			t.Errorf("campaign %+v: %v; want %s", bad.n, err, bad.want)
		}
	}
	names := func(ctx context.Context) string {
		ps, err := e.s.FindCampaigns(ctx)
		e.must(err)
		var out []string
		for _, p := range ps {
			out = append(out, p.Name)
		}
		slices.Sort(out)
		return strings.Join(out, ",")
	}
	for who, want := range map[string]string{"sb1": "净网2026,四断", "sb2": "净网2026", "cmd": "净网2026,四断"} {
		ctx := map[string]context.Context{"sb1": sb1, "sb2": sb2, "cmd": cmd}[who]
		if got := names(ctx); got != want {
			t.Errorf("%s sees campaigns %s; want %s", who, got, want)
		}
	}
	c, err := e.s.CreateCase(sb1, zhudun.NewCase{Title: "四断专案", Type: "helping_crime", Campaigns: []int64{city.ID, four.ID}})
	e.must(err)
	if len(c.Campaigns) != 2 {
		t.Fatalf("tags %+v", c.Campaigns)
	}
	if _, err := e.s.CreateCase(sb2, zhudun.NewCase{Title: "二分局四断", Type: "helping_crime", Campaigns: []int64{four.ID}}); code(err) != zhudun.EINVALID || field(err) != "campaigns" {
		t.Fatalf("SB2 tags SB1's campaign: %v", err)
	}
	c2 := e.newCase(sb2, "二分局净网", "")
	if _, err := e.s.TagCase(sb2, c2.ID, four.ID); code(err) != zhudun.EINVALID {
		t.Fatalf("SB2 tags with SB1's campaign: %v", err)
	}
	if got, err := e.s.TagCase(sb2, c2.ID, city.ID); err != nil || len(got.Campaigns) != 1 || got.Campaigns[0].Name != "净网2026" {
		t.Fatalf("tag: %+v %v", got, err)
	}
	e.newCase(sb1, "无专项", "")
	if _, n, err := e.s.FindCases(sb1, zhudun.CaseFilter{Campaign: four.ID}); err != nil || n != 1 {
		t.Errorf("SB1 by 四断: %d %v", n, err)
	}
	if _, n, err := e.s.FindCases(e.sys, zhudun.CaseFilter{Campaign: city.ID}); err != nil || n != 2 {
		t.Errorf("all by 净网: %d %v", n, err)
	}
	if n := e.auditCount("campaign.create"); n != 2 {
		t.Errorf("campaign.create audited %d; want 2", n)
	}
}
