package storetest

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// testGangAndLeads: the gang page's read (members within scope, the graph
// of their links, figures, timeline) and a lead promoted to a finding.
func testGangAndLeads(t *testing.T, b Backend) {
	e := newEnv(t, b)
	w := cutWorld(e)
	sb1 := e.as(e.user("ana1", "SB1", "analyst"))
	sb2 := e.as(e.user("ana2", "SB2", "analyst"))
	cmd := e.as(e.user("cmd1", "SB1", "commander"))

	// The engine writes the links: the card sat in the device and was
	// opened at OUT-1; the account was verified by the card and by
	// another gang's card (not drawn: not a member).
	card, acct := *w["13800000001"], *w["wechat:w1"]
	card.Links = []string{"black_device|86123456789012", "outlet|OUT-1"}
	acct.Links = []string{"black_card|13800000001", "black_card|13900000009"}
	e.must(e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Upsert: []*zhudun.Finding{&card, &acct}}))

	g, err := e.s.Gang(cmd, "G-000001") // a commander reads (finding:read)
	e.must(err)
	if g.Total != 5 || len(g.Members) != 5 {
		t.Fatalf("members %d of %d; want 5", len(g.Members), g.Total)
	}
	var nodes []string
	for _, n := range g.Nodes {
		nodes = append(nodes, n.ID)
	}
	slices.Sort(nodes)
	if got := strings.Join(nodes, " "); got != "black_account|wechat:w1 black_card|13800000001 black_card|13800000002 black_card|13800000003 black_device|86123456789012 outlet|OUT-1" {
		t.Fatalf("nodes %s", got)
	}
	var edges []string
	for _, x := range g.Edges {
		edges = append(edges, x.Source+">"+x.Target)
	}
	slices.Sort(edges)
	if got := strings.Join(edges, " "); got != "black_account|wechat:w1>black_card|13800000001 black_card|13800000001>black_device|86123456789012 black_card|13800000001>outlet|OUT-1" {
		t.Fatalf("edges %s", got)
	}
	f := g.Figures
	if f.Members != 5 || f.ByCategory["black_card"] != 3 || f.ByCategory["black_device"] != 1 || f.ByCategory["black_account"] != 1 || f.Outlets != 1 ||
		f.Confirmed != 0 || !f.FirstSeen.Equal(time.Date(2026, 2, 27, 2, 0, 0, 0, time.UTC)) || !f.LastSeen.Equal(time.Date(2026, 2, 27, 3, 0, 0, 0, time.UTC)) {
		t.Fatalf("figures %+v", f)
	}
	// 02:00–03:00 UTC is 10:00–11:00 in China: one day, every member new
	// and active on it.
	if len(g.Timeline) != 1 || g.Timeline[0].Day != "2026-02-27" || g.Timeline[0].Active != 5 || g.Timeline[0].New["black_card"] != 3 {
		t.Fatalf("timeline %+v", g.Timeline)
	}
	if _, err := e.s.Gang(sb2, "G-000001"); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("another division's gang: %v", err)
	}
	if _, err := e.s.Gang(sb1, "G-000002"); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("SB2's gang read by SB1: %v", err)
	}

	// Selected findings reviewed at once: all or none.
	sel := []int64{w["13800000002"].ID, w["13800000003"].ID}
	if _, err := e.s.ReviewFindings(sb1, append(sel, w["13900000009"].ID), zhudun.Review{Decision: zhudun.DecisionConfirm, Reason: "批量确认黑卡"}); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("a selection with another division's finding: %v", err)
	}
	if _, err := e.s.ReviewFindings(sb1, nil, zhudun.Review{Decision: zhudun.DecisionConfirm, Reason: "批量确认黑卡"}); code(err) != zhudun.EINVALID {
		t.Fatalf("an empty selection: %v", err)
	}
	if _, err := e.s.ReviewFindings(cmd, sel, zhudun.Review{Decision: zhudun.DecisionConfirm, Reason: "批量确认黑卡"}); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("a commander reviews: %v", err)
	}
	if n := e.auditCount("finding.confirm"); n != 0 {
		t.Fatalf("%d confirmations after refused selections", n)
	}
	res, err := e.s.ReviewFindings(sb1, append(sel, sel[0]), zhudun.Review{Decision: zhudun.DecisionConfirm, Reason: "批量确认黑卡"})
	e.must(err)
	if len(res.Findings) != 2 || res.Findings[0].Review != zhudun.ReviewConfirmed || res.Findings[1].Review != zhudun.ReviewConfirmed || e.auditCount("finding.confirm") != 2 {
		t.Fatalf("selection confirmed: %+v", res.Findings)
	}

	// A member dismissed as legitimate is not confirmed again by a review
	// of its whole gang; the others are.
	if _, err := e.s.ReviewFinding(sb1, sel[1], zhudun.Review{Decision: zhudun.DecisionDismiss, Reason: "legitimate: 快递公司号码", Allow: true}); err != nil {
		t.Fatal(err)
	}
	res, err = e.s.ReviewGang(sb1, "G-000001", zhudun.Review{Decision: zhudun.DecisionConfirm, Reason: "整个团伙确认"})
	e.must(err)
	for _, f := range res.Findings {
		if f.ID == sel[1] {
			t.Fatalf("the dismissed member was reviewed with its gang: %+v", f)
		}
	}
	if len(res.Findings) != 4 {
		t.Fatalf("gang confirmation changed %d members; want the 4 not dismissed", len(res.Findings))
	}

	// Phone and ID numbers typed into a reason are kept masked.
	res, err = e.s.ReviewFinding(sb1, w["13800000001"].ID, zhudun.Review{Decision: zhudun.DecisionConfirm, Reason: "机主370102199001011231 回拨13912345678 确认"})
	e.must(err)
	if r := res.Findings[0].ReviewReason; strings.Contains(r, "370102199001011231") || strings.Contains(r, "13912345678") || !strings.Contains(r, "确认") {
		t.Fatalf("reason kept as %q", r)
	}

	// A lead promoted to a finding.
	at := time.Date(2026, 2, 27, 2, 0, 0, 0, time.UTC)
	lead := &zhudun.Finding{Kind: zhudun.KindLead, Category: "black_card", EntityType: "msisdn", Entity: "13800000077", Score: 0.55,
		FirstSeen: at, LastSeen: at, Evidence: json.RawMessage(`[{"signal":"odd_far_outlet","value":6,"threshold":5}]`), Source: "cmcc-feed"}
	e.must(e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Upsert: []*zhudun.Finding{lead}}))
	if _, err := e.s.PromoteLead(sb2, lead.ID, "外省人员夜间开卡，提升研判"); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("another division promotes: %v", err)
	}
	if _, err := e.s.PromoteLead(cmd, lead.ID, "外省人员夜间开卡，提升研判"); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("a commander promotes: %v", err)
	}
	if _, err := e.s.PromoteLead(sb1, lead.ID, "短"); code(err) != zhudun.EINVALID {
		t.Fatalf("a short reason: %v", err)
	}
	if _, err := e.s.PromoteLead(sb1, w["13800000001"].ID, "不是线索而是发现"); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("a finding promoted as a lead: %v", err)
	}
	p, err := e.s.PromoteLead(sb1, lead.ID, "外省人员夜间开卡，提升研判")
	e.must(err)
	if p.Kind != zhudun.KindFinding || p.ID == lead.ID || p.Entity != "13800000077" || p.Review != zhudun.ReviewNew || p.PromotedBy != "ana1" ||
		p.PromoteReason != "外省人员夜间开卡，提升研判" || p.PromotedAt == nil || p.DeptCode != "SB1" || string(p.Evidence) != string(lead.Evidence) {
		t.Fatalf("promoted %+v", p)
	}
	if _, err := e.s.PromoteLead(sb1, lead.ID, "外省人员夜间开卡，提升研判"); code(err) != zhudun.ECONFLICT {
		t.Fatalf("promoted twice: %v", err)
	}
	leads, _, err := e.s.FindFindings(sb1, zhudun.FindingFilter{Kind: zhudun.KindLead, Status: zhudun.ReviewPromoted})
	e.must(err)
	if len(leads) != 1 || leads[0].ID != lead.ID || leads[0].ReviewedBy != "ana1" {
		t.Fatalf("promoted leads %+v", leads)
	}
	fs, _, err := e.s.FindFindings(sb1, zhudun.FindingFilter{Category: "black_card", Status: zhudun.ReviewNew, Sort: "+id"})
	e.must(err)
	if n := len(fs); n == 0 || fs[n-1].ID != p.ID {
		t.Fatalf("the promoted finding is not listed among the new findings")
	}
	if _, _, err := e.s.FindFindings(sb1, zhudun.FindingFilter{Status: zhudun.ReviewPromoted}); code(err) != zhudun.EINVALID {
		t.Fatalf("a finding status promoted: %v", err)
	}
	if n := e.auditCount("lead.promote"); n != 1 {
		t.Fatalf("%d lead.promote audit rows; want 1", n)
	}
	// The promoted finding is reviewed like any other.
	if _, err := e.s.ReviewFinding(sb1, p.ID, zhudun.Review{Decision: zhudun.DecisionConfirm, Reason: "核实为黑卡"}); err != nil {
		t.Fatalf("confirm the promoted finding: %v", err)
	}
}
