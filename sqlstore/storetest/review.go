package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/sqlstore"
)

// cutWorld stores, as the live engine would, a gang G-000001 of SB1 (two
// cards on cmcc, one on cucc, a device on both, an account on wechat) and
// a card of SB2 on cmcc, and returns them by entity.
func cutWorld(e *env) map[string]*zhudun.Finding {
	e.fixture()
	for _, s := range []zhudun.NewSource{
		{Name: "cmcc-feed", Kind: zhudun.SourceCarrier, Binding: "cmcc", DeptCode: "SB1"},
		{Name: "cucc", Kind: zhudun.SourceCarrier},
		{Name: "wechat", Kind: zhudun.SourcePlatform},
		{Name: "sb2feed", Kind: zhudun.SourceCarrier, DeptCode: "SB2"},
	} {
		_, _, err := e.s.CreateSource(e.sys, s)
		e.must(err)
	}
	at := time.Date(2026, 2, 27, 2, 0, 0, 0, time.UTC)
	ev := json.RawMessage(`[{"signal":"imsi_per_imei","value":37,"threshold":4,"window":"7d"}]`)
	evAcct := json.RawMessage(`[{"signal":"same_device_accounts","value":6,"threshold":3,"window":"7d"},{"signal":"imsi_per_imei","value":9,"threshold":4,"window":"7d"}]`)
	mk := func(cat, typ, ent, gang, src string, score float64, ev json.RawMessage, nets ...string) *zhudun.Finding {
		return &zhudun.Finding{Kind: zhudun.KindFinding, Category: cat, EntityType: typ, Entity: ent, Score: score, Gang: gang,
			FirstSeen: at, LastSeen: at.Add(time.Hour), Evidence: ev, Source: src, Networks: nets}
	}
	fs := []*zhudun.Finding{
		mk("black_card", "msisdn", "13800000001", "G-000001", "cmcc-feed", 0.9, ev, "cmcc"),
		mk("black_card", "msisdn", "13800000002", "G-000001", "cmcc-feed", 0.8, ev, "cmcc"),
		// sent by cmcc's feed, but its sim event says cucc
		mk("black_card", "msisdn", "13800000003", "G-000001", "cmcc-feed", 0.7, ev, "cucc"),
		mk("black_device", "imei", "86123456789012", "G-000001", "cmcc-feed", 0.95, ev, "cmcc", "cucc"),
		mk("black_account", "account", "wechat:w1", "G-000001", "cmcc-feed", 0.85, evAcct, "wechat"),
		mk("black_card", "msisdn", "13900000009", "G-000002", "sb2feed", 0.6, ev, "cmcc"),
	}
	e.must(e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Upsert: fs}))
	out := map[string]*zhudun.Finding{}
	for _, f := range fs {
		out[f.Entity] = f
	}
	return out
}

func (e *env) source(name string) *zhudun.Source {
	e.t.Helper()
	list, err := e.s.FindSources(e.sys)
	e.must(err)
	for _, s := range list {
		if s.Name == name {
			return s
		}
	}
	e.t.Fatalf("no source %s", name)
	return nil
}

func cutEntities(items []*zhudun.CutItem) string {
	var out []string
	for _, it := range items {
		out = append(out, it.Entity+":"+it.Status)
	}
	return strings.Join(out, ",")
}

// testReview: confirm and dismiss within the analyst's scope, by finding
// and by gang, with a reason; the engine's updates keep the decision; a
// "legitimate" dismissal adds to the allowlist, which expires.
func testReview(t *testing.T, b Backend) {
	e := newEnv(t, b)
	w := cutWorld(e)
	sb1 := e.as(e.user("ana1", "SB1", "analyst"))
	sb2 := e.as(e.user("ana2", "SB2", "analyst"))
	cmd := e.as(e.user("cmd1", "SB1", "commander"))
	card := w["13800000001"]
	ok := zhudun.Review{Decision: zhudun.DecisionConfirm, Reason: "猫池卡，证据充分"}

	for _, c := range []struct {
		ctx  context.Context
		id   int64
		r    zhudun.Review
		want string
	}{
		{sb2, card.ID, ok, zhudun.ENOTFOUND},  // another division's
		{cmd, card.ID, ok, zhudun.EFORBIDDEN}, // finding:read only
		{sb1, card.ID, zhudun.Review{Decision: zhudun.DecisionConfirm, Reason: "ok"}, zhudun.EINVALID},
		{sb1, card.ID, zhudun.Review{Decision: "cut", Reason: "猫池卡，证据充分"}, zhudun.EINVALID},
		{sb1, card.ID, zhudun.Review{Decision: zhudun.DecisionConfirm, Reason: "legitimate", Allow: true}, zhudun.EINVALID},
		{sb1, 999999, ok, zhudun.ENOTFOUND},
	} {
		if _, err := e.s.ReviewFinding(c.ctx, c.id, c.r); code(err) != c.want {
			t.Errorf("review %d %+v: %v; want %s", c.id, c.r, err, c.want)
		}
	}
	res, err := e.s.ReviewFinding(sb1, card.ID, ok)
	e.must(err)
	if f := res.Findings[0]; f.Review != zhudun.ReviewConfirmed || !f.Confirmed || f.ConfirmedAt == nil || f.ReviewedBy != "ana1" || f.ReviewReason != ok.Reason {
		t.Fatalf("confirmed: %+v", f)
	}
	// The engine updates the finding (a higher score) and withdraws it:
	// the confirmation stands.
	up := *card // the engine's copy, from before the review
	up.Score = 0.99
	e.must(e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Upsert: []*zhudun.Finding{&up}}))
	e.must(e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Withdraw: []int64{card.ID}}))
	// The engine's event tells the analyst's status as it is.
	evs, err := e.s.PendingEvents(e.sys, 1000)
	e.must(err)
	var last zhudun.Finding
	for _, x := range evs {
		if x.Type == "finding.updated" {
			e.must(json.Unmarshal(x.Data, &last))
		}
	}
	if last.ID != card.ID || last.Review != zhudun.ReviewConfirmed || last.Score != 0.99 {
		t.Fatalf("the engine's update event: %+v", last)
	}
	items, _, err := e.s.FindFindings(sb1, zhudun.FindingFilter{Status: zhudun.ReviewConfirmed, Engine: "any"})
	e.must(err)
	if len(items) != 1 || items[0].Review != zhudun.ReviewConfirmed || items[0].Score != 0.99 || !items[0].Unsupported {
		t.Fatalf("after the engine's update: %+v", items)
	}

	// The gang: SB2's analyst reaches none of it; SB1's confirms the rest.
	if _, err := e.s.ReviewGang(sb2, "G-000001", ok); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("gang from SB2: %v", err)
	}
	res, err = e.s.ReviewGang(sb1, "G-000001", ok)
	e.must(err)
	if len(res.Findings) != 5 {
		t.Fatalf("gang review: %d findings; want 5", len(res.Findings))
	}
	if n := e.auditCount("finding.confirm"); n != 5 { // the card once, the four others once: re-confirming writes nothing
		t.Fatalf("%d finding.confirm audit rows; want 5", n)
	}
	// SB2's card is still new.
	other, _, err := e.s.FindFindings(sb2, zhudun.FindingFilter{Status: zhudun.ReviewNew})
	e.must(err)
	if len(other) != 1 || other[0].Entity != "13900000009" {
		t.Fatalf("SB2's new findings: %+v", other)
	}

	// Dismissed as legitimate, onto the allowlist for a week.
	week := e.clock.Now().Add(7 * 24 * time.Hour)
	res, err = e.s.ReviewFinding(sb2, other[0].ID, zhudun.Review{Decision: zhudun.DecisionDismiss, Reason: "legitimate: 快递公司号码", Allow: true, AllowExpires: &week})
	e.must(err)
	if res.Findings[0].Review != zhudun.ReviewDismissed || len(res.Allowed) != 1 || res.Allowed[0].Owner != "ana2" || res.Allowed[0].DeptCode != "SB2" {
		t.Fatalf("dismissed: %+v %+v", res.Findings[0], res.Allowed)
	}
	active, err := e.s.ActiveAllowlist(e.sys, e.clock.Now())
	e.must(err)
	if len(active) != 1 || active[0].EntityType != "msisdn" || active[0].Entity != "13900000009" {
		t.Fatalf("active allowlist %+v", active)
	}
	if active, _ = e.s.ActiveAllowlist(e.sys, week.Add(time.Second)); len(active) != 0 {
		t.Fatalf("expired entry still active: %+v", active)
	}
	// Listed within scope; removed only by whoever's scope covers it.
	if l, _ := e.s.FindAllowlist(sb1); len(l) != 0 {
		t.Fatalf("SB1 sees SB2's entry: %+v", l)
	}
	if err := e.s.RemoveAllow(sb1, active0(e).ID); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("SB1 removes SB2's entry: %v", err)
	}
	// An entry holds city-wide: a range only from a city-wide analyst, at
	// most a /16; a division's analyst lists only what its own findings
	// name; a holder (a resident ID) is never listed.
	root := e.as(e.user("anaroot", "ROOT", "analyst"))
	if err := e.s.AddAllow(sb1, &zhudun.AllowItem{EntityType: "ip", Entity: "10.1.0.0/16", Reason: "企业出口 NAT"}); code(err) != zhudun.EINVALID {
		t.Fatalf("a division's analyst lists a range: %v", err)
	}
	if err := e.s.AddAllow(root, &zhudun.AllowItem{EntityType: "ip", Entity: "10.1.0.0/16", Reason: "企业出口 NAT"}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []*zhudun.AllowItem{
		{EntityType: "ip", Entity: "10.1.0.0/16", Reason: "企业出口 NAT"}, // again
		{EntityType: "ip", Entity: "0.0.0.0/0", Reason: "企业出口 NAT"},   // the whole internet
		{EntityType: "msisdn", Entity: "not-a-number", Reason: "快递公司号码"},
		{EntityType: "planet", Entity: "x", Reason: "快递公司号码"},
		{EntityType: "holder", Entity: "11010519491231002X", Reason: "快递公司号码"},
		{EntityType: "msisdn", Entity: "13900000001", Reason: "no"},
	} {
		if err := e.s.AddAllow(root, bad); err == nil {
			t.Errorf("added %+v", bad)
		}
	}
	if err := e.s.AddAllow(sb1, &zhudun.AllowItem{EntityType: "msisdn", Entity: "13900000009", Reason: "SB2 的号码"}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("SB1 lists an entity only SB2's findings name: %v", err)
	}
	if err := e.s.AddAllow(cmd, &zhudun.AllowItem{EntityType: "msisdn", Entity: "13900000001", Reason: "快递公司号码"}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("commander adds to the allowlist: %v", err)
	}
	e.must(e.s.RemoveAllow(sb2, active0(e).ID))
	for action, want := range map[string]int{"allowlist.add": 2, "allowlist.remove": 1, "finding.dismiss": 1} {
		if n := e.auditCount(action); n != want {
			t.Errorf("%d %s audit rows; want %d", n, action, want)
		}
	}
	// One spelling per entity: +86 and the bare number are one entry.
	if err := e.s.AddAllow(sb1, &zhudun.AllowItem{EntityType: "msisdn", Entity: "+86 138-0000-0003", Reason: "快递公司号码"}); err != nil {
		t.Fatal(err)
	}
	if err := e.s.AddAllow(sb1, &zhudun.AllowItem{EntityType: "msisdn", Entity: "13800000003", Reason: "快递公司号码"}); code(err) != zhudun.ECONFLICT {
		t.Errorf("the same number in another spelling: %v", err)
	}
	// A cut finding is not reviewed again: it goes through an appeal.
	_, err = e.s.AckCuts(e.sys, e.source("cmcc-feed"), "black_card", []zhudun.CutAck{{Entity: "13800000002", Status: "cut"}})
	e.must(err)
	if _, err := e.s.ReviewFinding(sb1, w["13800000002"].ID, zhudun.Review{Decision: zhudun.DecisionDismiss, Reason: "误判，实为正常用户"}); code(err) != zhudun.ECONFLICT {
		t.Fatalf("review of a cut finding: %v", err)
	}
}

// active0 is the first entry of the active allowlist whose entity is a card.
func active0(e *env) *zhudun.AllowItem {
	e.t.Helper()
	l, err := e.s.ActiveAllowlist(e.sys, e.clock.Now())
	e.must(err)
	for _, a := range l {
		if a.EntityType == "msisdn" {
			return a
		}
	}
	e.t.Fatal("no card on the allowlist")
	return nil
}

// testCutLists: a source's list holds the confirmed entities the events
// put on its network or platform — not those its feed sent — changes come
// with ?since=, acks cut or keep with a reason, overdue ones are raised
// once, an appeal restores and the next fetch says so.
func testCutLists(t *testing.T, b Backend) {
	e := newEnv(t, b)
	w := cutWorld(e)
	sb1 := e.as(e.user("ana1", "SB1", "analyst"))
	root := e.as(e.user("ana", "ROOT", "analyst"))
	off := e.as(e.user("off2", "ST2", "officer"))
	ok := zhudun.Review{Decision: zhudun.DecisionConfirm, Reason: "猫池卡，证据充分"}
	_, err := e.s.ReviewGang(sb1, "G-000001", ok)
	e.must(err)
	_, err = e.s.ReviewGang(root, "G-000002", ok)
	e.must(err)
	cmcc, cucc, wechat := e.source("cmcc-feed"), e.source("cucc"), e.source("wechat")
	if cmcc.Binding != "cmcc" || cucc.Binding != "cucc" {
		t.Fatalf("bindings %q %q", cmcc.Binding, cucc.Binding)
	}
	list := func(src *zhudun.Source, cat string, since time.Time) string {
		t.Helper()
		items, err := e.s.CutList(e.sys, src, cat, since, 0)
		e.must(err)
		return cutEntities(items)
	}
	for _, c := range []struct {
		src  *zhudun.Source
		cat  string
		want string
	}{
		{cmcc, "black_card", "13800000001:confirmed,13800000002:confirmed,13900000009:confirmed"},
		{cucc, "black_card", "13800000003:confirmed"},
		{cmcc, "black_device", "86123456789012:confirmed"},
		{cucc, "black_device", "86123456789012:confirmed"},
		{wechat, "black_account", "wechat:w1:confirmed"},
		{wechat, "black_line", ""},
	} {
		if got := list(c.src, c.cat, time.Time{}); got != c.want {
			t.Errorf("%s %s: %s; want %s", c.src.Name, c.cat, got, c.want)
		}
	}
	// A binding's "_" is a character: cm_c is not cmcc.
	_, _, err = e.s.CreateSource(e.sys, zhudun.NewSource{Name: "cm_c", Kind: zhudun.SourceCarrier})
	e.must(err)
	if got := list(e.source("cm_c"), "black_card", time.Time{}); got != "" {
		t.Errorf("cm_c's list: %s; want none", got)
	}
	if _, err := e.s.CutList(e.sys, wechat, "black_card", time.Time{}, 0); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("a platform fetches cards: %v", err)
	}
	if _, err := e.s.CutList(e.sys, cmcc, "black_account", time.Time{}, 0); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("a carrier fetches accounts: %v", err)
	}

	// Acks: cut, not cut with its reason, someone else's entity.
	e.clock.Advance(time.Hour)
	mark := e.clock.Now()
	e.clock.Advance(time.Minute)
	res, err := e.s.AckCuts(e.sys, cmcc, "black_card", []zhudun.CutAck{
		{Entity: "13800000001", Status: "cut"}, {Entity: "13800000002", Status: "not_cut", Reason: "已销户"}, {Entity: "13800000003", Status: "cut"},
	})
	e.must(err)
	if res[0].Status != "cut" || res[1].Status != "confirmed" || res[1].Error != "" || res[2].Error != "not on this list" {
		t.Fatalf("acks %+v %+v %+v", res[0], res[1], res[2])
	}
	if _, err := e.s.AckCuts(e.sys, cmcc, "black_card", []zhudun.CutAck{{Entity: "13800000002", Status: "not_cut"}}); code(err) != zhudun.EINVALID {
		t.Fatalf("not_cut without a reason: %v", err)
	}
	if got := list(cmcc, "black_card", mark); got != "13800000001:cut" {
		t.Fatalf("since the acks: %s", got)
	}
	items, _, err := e.s.FindFindings(sb1, zhudun.FindingFilter{Status: zhudun.ReviewConfirmed, Category: "black_card"})
	e.must(err)
	// 13800000003 (cucc's, not reported) and 13800000002, kept with its reason
	if len(items) != 2 || items[1].Entity != "13800000002" || items[1].NotCutReason != "已销户" || items[0].NotCutReason != "" {
		t.Fatalf("confirmed cards: %+v %+v", items[0], items[1])
	}

	// Overdue: 48 h after confirmation, those not reported are raised once
	// per network. cmcc cuts the device in time; cucc stays silent on it.
	e.clock.Advance(46 * time.Hour) // 47 h 1 min after the confirmations
	if res, err := e.s.AckCuts(e.sys, cmcc, "black_device", []zhudun.CutAck{{Entity: "86123456789012", Status: "cut"}}); err != nil || res[0].Error != "" {
		t.Fatalf("device cut by cmcc: %+v %v", res, err)
	}
	if n, err := e.s.EscalateOverdue(e.sys, 48*time.Hour); err != nil || n != 0 {
		t.Fatalf("overdue at 47 h: %d %v", n, err)
	}
	e.clock.Advance(2 * time.Hour)
	n, err := e.s.EscalateOverdue(e.sys, 48*time.Hour)
	e.must(err)
	// 13900000009 (cmcc), 13800000003 (cucc), the device on cucc only, the
	// account; not the cut card, not the one reported not cut
	if n != 4 {
		t.Fatalf("overdue: %d; want 4", n)
	}
	if n, _ := e.s.EscalateOverdue(e.sys, 48*time.Hour); n != 0 {
		t.Fatalf("overdue raised twice: %d", n)
	}
	marks, _, err := e.s.FindAudit(e.sys, zhudun.AuditFilter{Action: "cutlist.overdue", Limit: 10})
	e.must(err)
	var raised []string
	for _, m := range marks {
		var d struct{ Entity, Network string }
		e.must(json.Unmarshal(m.Detail, &d))
		raised = append(raised, d.Entity+"@"+d.Network)
	}
	slices.Sort(raised)
	if got := strings.Join(raised, " "); got != "13800000003@cucc 13900000009@cmcc 86123456789012@cucc wechat:w1@wechat" {
		t.Errorf("overdue raised for %s", got)
	}
	stats, err := e.s.CutListStats(sb1, 48*time.Hour)
	e.must(err)
	got := map[string]string{}
	for _, s := range stats {
		got[s.Source+"/"+s.Category] = fmt.Sprintf("%d %d %d %d", s.Confirmed, s.Cut, s.NotCut, s.Overdue)
	}
	// SB1's analyst counts SB1's findings only (not SB2's card on cmcc)
	for k, want := range map[string]string{"cmcc-feed/black_card": "0 1 1 0", "cucc/black_card": "1 0 0 1", "cmcc-feed/black_device": "0 1 0 0", "cucc/black_device": "1 0 0 1", "wechat/black_account": "1 0 0 1"} {
		if got[k] != want {
			t.Errorf("stats %s: %q; want %q (confirmed cut not_cut overdue)", k, got[k], want)
		}
	}

	// Appeals: an officer of another division enters one for the cut card;
	// the resident ID is kept masked. One for a card not cut is taken the
	// same way (the form must not tell what is cut), unmatched.
	appeal := zhudun.NewAppeal{Category: "black_card", Entity: "13800000001", IDNumber: "11010519491231002X", Reason: "本人正常使用，申请恢复"}
	um, err := e.s.CreateAppeal(sb1, zhudun.NewAppeal{Category: "black_card", Entity: "+86 13800000002", IDNumber: "11010519491231002X", Reason: "本人正常使用"})
	e.must(err)
	if um.Status != zhudun.AppealOpen || !um.Unmatched || um.Entity != "13800000002" || um.DeptCode != "SB1" || um.IDNumberMasked == "" {
		t.Fatalf("unmatched appeal %+v", um)
	}
	if _, err := e.s.CreateAppeal(sb1, zhudun.NewAppeal{Category: "black_card", Entity: "13800000002", IDNumber: "11010519491231002X", Reason: "本人正常使用"}); code(err) != zhudun.ECONFLICT {
		t.Fatalf("second open unmatched appeal: %v", err)
	}
	if _, err := e.s.CreateAppeal(off, zhudun.NewAppeal{Category: "black_card", Entity: "not-a-number", IDNumber: "11010519491231002X", Reason: "本人正常使用"}); code(err) != zhudun.EINVALID {
		t.Fatalf("appeal of no card: %v", err)
	}
	if _, err := e.s.CreateAppeal(off, zhudun.NewAppeal{Category: "black_card", Entity: "13800000001", IDNumber: "123", Reason: "本人正常使用"}); code(err) != zhudun.EINVALID {
		t.Fatalf("appeal with a bad ID: %v", err)
	}
	ap, err := e.s.CreateAppeal(off, appeal)
	e.must(err)
	if ap.Status != zhudun.AppealOpen || ap.IDNumberMasked == "" || strings.Contains(ap.IDNumberMasked, "19491231") || ap.EnteredBy != "off2" {
		t.Fatalf("appeal %+v", ap)
	}
	if _, err := e.s.CreateAppeal(off, appeal); code(err) != zhudun.ECONFLICT {
		t.Fatalf("second open appeal: %v", err)
	}
	// another resident's appeal against the same card: its own record
	other := appeal
	other.IDNumber, other.Reason = "110105194912310038", "家属使用，申请恢复"
	ap3, err := e.s.CreateAppeal(off, other)
	e.must(err)
	if ap3.Unmatched || ap3.FindingID != ap.FindingID {
		t.Fatalf("second resident's appeal %+v", ap3)
	}
	var stored string
	e.must(e.s.DB().QueryRow(`SELECT idno_enc || idno_idx || idno_mask || reason FROM appeals WHERE id = ` + fmt.Sprint(ap.ID)).Scan(&stored))
	if strings.Contains(stored, "11010519491231002X") {
		t.Fatal("the resident ID is stored in clear")
	}
	// The officer lists no appeals (no finding:read); SB2's analyst none of SB1's.
	if _, err := e.s.FindAppeals(off, ""); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("officer lists appeals: %v", err)
	}
	if l, _ := e.s.FindAppeals(e.as(e.user("ana2", "SB2", "analyst")), ""); len(l) != 0 {
		t.Fatalf("SB2 sees SB1's appeal: %+v", l)
	}
	if _, err := e.s.DecideAppeal(off, ap.ID, true, "核实为正常用户"); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("officer decides: %v", err)
	}
	// SB1's analysts answer the unmatched one: nothing to restore.
	l, err := e.s.FindAppeals(sb1, zhudun.AppealOpen)
	e.must(err)
	if len(l) != 3 || !l[2].Unmatched || l[2].ID != um.ID {
		t.Fatalf("SB1's open appeals: %+v", l)
	}
	if _, err := e.s.DecideAppeal(sb1, um.ID, true, "核实为正常用户"); code(err) != zhudun.EINVALID {
		t.Fatalf("restore of an unmatched appeal: %v", err)
	}
	if um, err = e.s.DecideAppeal(sb1, um.ID, false, "该号码未被本局列入断卡清单，请咨询运营商"); err != nil || um.Status != zhudun.AppealRejected {
		t.Fatalf("unmatched appeal answered: %+v %v", um, err)
	}
	e.clock.Advance(time.Minute)
	mark = e.clock.Now()
	e.clock.Advance(time.Minute)
	ap, err = e.s.DecideAppeal(sb1, ap.ID, true, "核实为正常用户，恢复")
	e.must(err)
	if ap.Status != zhudun.AppealRestored || ap.DecidedBy != "ana1" {
		t.Fatalf("decided %+v", ap)
	}
	if _, err := e.s.DecideAppeal(sb1, ap.ID, false, "核实为正常用户"); code(err) != zhudun.ECONFLICT {
		t.Fatalf("decided twice: %v", err)
	}
	if got := list(cmcc, "black_card", mark); got != "13800000001:restored" {
		t.Fatalf("next fetch: %s", got)
	}
	// the other resident's appeal is answered by the restoration
	if l, _ := e.s.FindAppeals(sb1, zhudun.AppealOpen); len(l) != 0 {
		t.Fatalf("open after the restoration: %+v", l)
	}
	// The source enters one for its own list's device: cut it first.
	_, err = e.s.AckCuts(e.sys, cucc, "black_device", []zhudun.CutAck{{Entity: "86123456789012", Status: "cut"}})
	e.must(err)
	if _, err := e.s.CreateSourceAppeal(e.sys, wechat, zhudun.NewAppeal{Category: "black_device", Entity: "86123456789012", IDNumber: "11010519491231002X", Reason: "本人正常使用"}); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("a platform appeals a device: %v", err)
	}
	ap2, err := e.s.CreateSourceAppeal(e.sys, cucc, zhudun.NewAppeal{Category: "black_device", Entity: "86123456789012", IDNumber: "11010519491231002X", Reason: "用户来电申诉"})
	e.must(err)
	if ap2.EnteredBy != "source:cucc" {
		t.Fatalf("source appeal %+v", ap2)
	}
	_, err = e.s.DecideAppeal(sb1, ap2.ID, false, "证据充分，维持")
	e.must(err)
	// The engine's later runs rewrite the evidence; the statistics count
	// what the confirmations rested on.
	for _, ent := range []string{"13800000001", "86123456789012"} {
		f := *w[ent]
		f.Evidence = json.RawMessage(`[{"signal":"slot_moves","value":3,"threshold":3}]`)
		e.must(e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Upsert: []*zhudun.Finding{&f}}))
	}
	st, err := e.s.AppealStats(sb1)
	e.must(err)
	// the card's evidence when confirmed: imsi_per_imei; the device's: imsi_per_imei
	// (two residents' appeals against the card, one against the device;
	// the unmatched appeal rests on no evidence)
	if len(st) != 1 || st[0].Signal != "imsi_per_imei" || st[0].Appeals != 3 || st[0].Restored != 2 || st[0].Rejected != 1 {
		t.Fatalf("appeal stats %+v", st)
	}
	// A key rotation re-seals the appeals' resident IDs: the old key then
	// seals nothing and may be retired.
	active, err := e.keys.Rotate("pii")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.RekeyPII(e.sys); err != nil {
		t.Fatal(err)
	}
	usage, err := e.s.KeyUsage(e.sys)
	e.must(err)
	for id, n := range usage {
		if id != active && n != 0 {
			t.Errorf("pii key %d still seals %d values after the rekey", id, n)
		}
	}
	var enc string
	e.must(e.s.DB().QueryRow(`SELECT idno_enc FROM appeals WHERE id = ` + fmt.Sprint(ap.ID)).Scan(&enc))
	if b, err := e.keys.Open(enc, []byte(fmt.Sprintf("appeals/%d/idno", ap.ID))); err != nil || string(b) != "11010519491231002X" {
		t.Errorf("the appeal's resident ID after the rekey: %q %v", b, err)
	}
	for action, want := range map[string]int{"cutlist.fetch": 9, "cutlist.ack": 4, "cutlist.overdue": 4, "appeal.create": 4, "appeal.restore": 2, "appeal.reject": 2} {
		if n := e.auditCount(action); n != want {
			t.Errorf("%d %s audit rows; want %d", n, action, want)
		}
	}
	// A rejected appeal leaves the cut; a restored entity is not acked cut
	// again; a confirmation dismissed before the cut leaves the list as
	// "dismissed", so that the source that fetched it knows.
	items, _, err = e.s.FindFindings(sb1, zhudun.FindingFilter{Category: "black_device"})
	e.must(err)
	if len(items) != 1 || items[0].Review != zhudun.ReviewCut {
		t.Fatalf("device after the rejected appeal: %+v", items)
	}
	res, err = e.s.AckCuts(e.sys, cmcc, "black_card", []zhudun.CutAck{{Entity: "13800000001", Status: "cut"}})
	e.must(err)
	if res[0].Error != "not to be cut: its status is restored" {
		t.Fatalf("ack of a restored card: %+v", res[0])
	}
	e.clock.Advance(time.Minute)
	mark = e.clock.Now()
	e.clock.Advance(time.Minute)
	_, err = e.s.ReviewFinding(root, w["13900000009"].ID, zhudun.Review{Decision: zhudun.DecisionDismiss, Reason: "复核为正常用户"})
	e.must(err)
	if got := list(cmcc, "black_card", mark); got != "13900000009:dismissed" {
		t.Fatalf("after the dismissal: %s", got)
	}
}

// testFourCutsReport: the figures of a period beside last year's.
func testFourCutsReport(t *testing.T, b Backend) {
	e := newEnv(t, b)
	// last year: one account confirmed
	e.clock.Advance(-365 * 24 * time.Hour)
	e.fixture()
	ana := e.as(e.user("ana", "ROOT", "analyst"))
	cmd := e.as(e.user("cmd", "ROOT", "commander"))
	ev := json.RawMessage(`[{"signal":"same_device_accounts","value":6,"threshold":3,"window":"7d"}]`)
	add := func(cat, typ, ent string) *zhudun.Finding {
		f := &zhudun.Finding{Kind: zhudun.KindFinding, Category: cat, EntityType: typ, Entity: ent, Score: 0.9, Gang: "G-000001",
			FirstSeen: e.clock.Now(), LastSeen: e.clock.Now(), Evidence: ev, Source: "x"}
		e.must(e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Upsert: []*zhudun.Finding{f}}))
		return f
	}
	ok := zhudun.Review{Decision: zhudun.DecisionConfirm, Reason: "批量注册，证据充分"}
	a0 := add("black_account", "account", "wechat:old")
	_, err := e.s.ReviewFinding(ana, a0.ID, ok)
	e.must(err)
	e.clock.Advance(365 * 24 * time.Hour)
	// this year: three accounts, two confirmed two hours later, one of
	// them dismissed afterwards; a card found, not reviewed
	a1, a2, a3 := add("black_account", "account", "wechat:a1"), add("black_account", "account", "wechat:a2"), add("black_account", "account", "qq:a3")
	add("black_card", "msisdn", "13800000001")
	e.clock.Advance(2 * time.Hour)
	for _, f := range []*zhudun.Finding{a1, a2} {
		_, err := e.s.ReviewFinding(ana, f.ID, ok)
		e.must(err)
	}
	_, err = e.s.ReviewFinding(ana, a2.ID, zhudun.Review{Decision: zhudun.DecisionDismiss, Reason: "复核为正常企业账号"})
	e.must(err)
	_ = a3
	day := e.clock.Now()
	rep, err := e.s.FourCutsReport(cmd, day, day, "")
	e.must(err)
	pct := func(f zhudun.Figure) string {
		if f.ChangePct == nil {
			return "null"
		}
		return fmt.Sprint(*f.ChangePct)
	}
	for name, c := range map[string]struct {
		f    zhudun.Figure
		want string
	}{
		"findings":           {rep.Findings, "4 1 300"},
		"accounts found":     {rep.FindingsByCategory["black_account"], "3 1 200"},
		"cards found":        {rep.FindingsByCategory["black_card"], "1 0 null"},
		"confirmed":          {rep.Confirmed, "2 1 100"},
		"dismissed":          {rep.Dismissed, "1 0 null"},
		"malicious accounts": {rep.MaliciousAccounts, "1 1 0"},
		"hours to confirm":   {rep.HoursToConfirm, "2 0 null"},
	} {
		if got := fmt.Sprintf("%v %v %s", c.f.Value, c.f.LastYear, pct(c.f)); got != c.want {
			t.Errorf("%s: %s; want %s", name, got, c.want)
		}
	}
	if _, err := e.s.FourCutsReport(ana, day, day, ""); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("analyst without report:read: %v", err)
	}
	if _, err := e.s.FourCutsReport(e.as(e.user("cmd2", "SB2", "commander")), day, day, "SB1"); code(err) != zhudun.ENOTFOUND {
		t.Errorf("SB2's commander asks for SB1: %v", err)
	}
}

// testFindingFilters: the list's filters and sorts.
func testFindingFilters(t *testing.T, b Backend) {
	e := newEnv(t, b)
	cutWorld(e)
	root := e.as(e.user("ana", "ROOT", "analyst"))
	ents := func(f zhudun.FindingFilter) string {
		t.Helper()
		items, _, err := e.s.FindFindings(root, f)
		e.must(err)
		var out []string
		for _, x := range items {
			out = append(out, x.Entity)
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		f    zhudun.FindingFilter
		want string
	}{
		{zhudun.FindingFilter{MinScore: 0.85, Sort: "score"}, "86123456789012,13800000001,wechat:w1"},
		{zhudun.FindingFilter{MinScore: 0.7, MaxScore: 0.8, Sort: "+score"}, "13800000003,13800000002"},
		{zhudun.FindingFilter{Signal: "same_device_accounts"}, "wechat:w1"},
		{zhudun.FindingFilter{Signal: "same_device"}, ""}, // a whole signal name, not a prefix
		{zhudun.FindingFilter{Source: "sb2feed"}, "13900000009"},
		{zhudun.FindingFilter{Region: "SB2"}, "13900000009"},
		{zhudun.FindingFilter{Category: "black_card", Status: zhudun.ReviewNew, Sort: "+id"}, "13800000001,13800000002,13800000003,13900000009"},
		{zhudun.FindingFilter{FirstFrom: time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)}, ""},
		{zhudun.FindingFilter{LastTo: time.Date(2026, 2, 27, 3, 1, 0, 0, time.UTC), Category: "black_account"}, "wechat:w1"},
	} {
		if got := ents(c.f); got != c.want {
			t.Errorf("%+v: %s; want %s", c.f, got, c.want)
		}
	}
	for _, f := range []zhudun.FindingFilter{{Sort: "entity"}, {Signal: "a'b"}, {Region: "NOPE"}, {Engine: "dead"}} {
		if _, _, err := e.s.FindFindings(root, f); code(err) != zhudun.EINVALID {
			t.Errorf("%+v: %v; want EINVALID", f, err)
		}
	}
}

// testTwoPerson: with the two-person rule at 2, confirming a gang of five
// waits for a second analyst; the one who asked cannot approve it, an
// analyst who cannot reach its findings neither; a confirmation of two
// goes ahead; dismissals are never held.
func testTwoPerson(t *testing.T, b Backend) {
	e := newEnv(t, b)
	w, err := sqlstore.OpenFileWitness(filepath.Join(t.TempDir(), "two-witness.log"))
	e.must(err)
	t.Cleanup(func() { w.Close() })
	e.witness = w
	e.s = b.Open(t, "twoperson", sqlstore.Options{Keys: e.keys, Now: e.clock.Now, Witness: w, TwoPersonAbove: 2})
	world := cutWorld(e)
	a1 := e.as(e.user("ana1", "SB1", "analyst"))
	a3 := e.as(e.user("ana3", "SB1", "analyst"))
	a2 := e.as(e.user("ana2", "SB2", "analyst"))
	ok := zhudun.Review{Decision: zhudun.DecisionConfirm, Reason: "猫池卡，证据充分"}
	res, err := e.s.ReviewGang(a1, "G-000001", ok)
	e.must(err)
	if res.Pending == nil || len(res.Findings) != 0 || len(res.Pending.FindingIDs) != 5 || res.Pending.Status != zhudun.RequestPending {
		t.Fatalf("gang of five: %+v %+v", res.Findings, res.Pending)
	}
	if items, _, _ := e.s.FindFindings(a1, zhudun.FindingFilter{Status: zhudun.ReviewConfirmed}); len(items) != 0 {
		t.Fatalf("confirmed before the second analyst: %d", len(items))
	}
	id := res.Pending.ID
	if _, _, err := e.s.DecideReviewRequest(a1, id, true); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("the requester approves: %v", err)
	}
	if _, _, err := e.s.DecideReviewRequest(a2, id, true); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("another division approves: %v", err)
	}
	if l, _ := e.s.FindReviewRequests(a2, ""); len(l) != 0 {
		t.Fatalf("another division lists SB1's request: %+v", l)
	}
	if l, _ := e.s.FindReviewRequests(a3, zhudun.RequestPending); len(l) != 1 || l[0].RequestedBy != "ana1" {
		t.Fatalf("pending for ana3: %+v", l)
	}
	req, res, err := e.s.DecideReviewRequest(a3, id, true)
	e.must(err)
	if req.Status != zhudun.RequestApproved || req.DecidedBy != "ana3" || len(res.Findings) != 5 || res.Findings[0].ReviewedBy != "ana1" {
		t.Fatalf("approved: %+v %+v", req, res)
	}
	if _, _, err := e.s.DecideReviewRequest(a3, id, false); code(err) != zhudun.ECONFLICT {
		t.Fatalf("decided twice: %v", err)
	}
	// Two at once (the rule says more than two): applied at once.
	var five []int64
	for _, f := range res.Findings {
		five = append(five, f.ID)
	}
	for _, id := range five[:2] {
		_, err := e.s.ReviewFinding(a1, id, zhudun.Review{Decision: zhudun.DecisionDismiss, Reason: "复核为正常用户"})
		e.must(err)
	}
	res, err = e.s.ReviewFindings(a1, five[:2], ok)
	e.must(err)
	if res.Pending != nil || len(res.Findings) != 2 || res.Findings[0].Review != zhudun.ReviewConfirmed {
		t.Fatalf("two to confirm: %+v", res.Pending)
	}
	// Rejected: nothing changes. (Dismiss all five; a gang review does not
	// confirm dismissed members again — naming the five does; reject it.)
	_, err = e.s.ReviewGang(a1, "G-000001", zhudun.Review{Decision: zhudun.DecisionDismiss, Reason: "复核为正常用户"})
	e.must(err)
	if _, err := e.s.ReviewGang(a1, "G-000001", ok); code(err) != zhudun.ECONFLICT {
		t.Fatalf("a gang of dismissed members confirmed: %v", err)
	}
	res, err = e.s.ReviewFindings(a1, five, ok)
	e.must(err)
	if res.Pending == nil {
		t.Fatal("five to confirm again: not held")
	}
	if req, _, err = e.s.DecideReviewRequest(a3, res.Pending.ID, false); err != nil || req.Status != zhudun.RequestRejected {
		t.Fatalf("reject: %+v %v", req, err)
	}
	if items, _, _ := e.s.FindFindings(a1, zhudun.FindingFilter{Status: zhudun.ReviewConfirmed}); len(items) != 0 {
		t.Fatalf("confirmed after a rejection: %d", len(items))
	}
	// Selected findings count as one review: three at once are held, as a
	// gang of three would be; one by one they would not be.
	var sel []int64
	for _, ent := range []string{"13800000001", "13800000002", "13800000003"} {
		sel = append(sel, world[ent].ID)
	}
	res, err = e.s.ReviewFindings(a1, sel, ok)
	e.must(err)
	if res.Pending == nil || len(res.Pending.FindingIDs) != 3 || res.Pending.Target != fmt.Sprintf("findings %d,%d,%d", sel[0], sel[1], sel[2]) {
		t.Fatalf("three selected: %+v", res.Pending)
	}
	// One finding at a time is no way round: the third of a gang an
	// analyst confirms alone is held (two confirmed by ana1 before).
	for i, id := range sel {
		res, err := e.s.ReviewFinding(a3, id, ok)
		e.must(err)
		if (res.Pending != nil) != (i == 2) {
			t.Fatalf("ana3's confirmation %d of the gang, one at a time: pending %v", i+1, res.Pending)
		}
	}
	for action, want := range map[string]int{"review.request": 4, "review.approve": 1, "review.reject": 1, "finding.confirm": 9} {
		if n := e.auditCount(action); n != want {
			t.Errorf("%d %s audit rows; want %d", n, action, want)
		}
	}
}
