package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// TestGangAndPromoteAPI: the gang page's read and a lead promoted through
// the API, with hand-written expectations: the graph's nodes and edges,
// another division's analyst 404 on both, a commander reads but may not
// promote, the answer is the new finding, a second promotion 409.
func TestGangAndPromoteAPI(t *testing.T) {
	h := newHarness(t)
	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
	if _, _, err := h.store.CreateSource(sys, zhudun.NewSource{Name: "cmcc-sd", Kind: zhudun.SourceCarrier, Binding: "cmcc", DeptCode: "SB1"}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ name, dept, role string }{{"ana2", "SB2", "analyst"}, {"cmd1", "SB1", "commander"}} {
		nu, err := h.store.CreateUser(sys, zhudun.NewUser{Username: u.name, DeptCode: u.dept, Password: pw, Own: true, Roles: []string{u.role}})
		if err != nil {
			t.Fatal(err)
		}
		h.users[u.name] = nu
		h.tokens[u.name] = h.login(u.name, pw)
	}
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	ev := json.RawMessage(`[{"signal":"imsi_per_imei","value":37,"threshold":4,"window":"7d"}]`)
	mk := func(kind, cat, typ, ent, gang string, links ...string) *zhudun.Finding {
		return &zhudun.Finding{Kind: kind, Category: cat, EntityType: typ, Entity: ent, Score: 0.9, Gang: gang,
			FirstSeen: at, LastSeen: at, Evidence: ev, Source: "cmcc-sd", Links: links}
	}
	fs := []*zhudun.Finding{
		mk(zhudun.KindFinding, "black_card", "msisdn", "13800000001", "G-000007", "black_device|86123456789012", "outlet|营业厅A"),
		mk(zhudun.KindFinding, "black_device", "imei", "86123456789012", "G-000007"),
		mk(zhudun.KindFinding, "black_account", "account", "wechat:w1", "G-000007", "black_card|13800000001", "black_line|1.2.3.4"),
		mk(zhudun.KindLead, "black_card", "msisdn", "13800000077", ""),
	}
	if err := h.store.ApplyFindingChange(sys, &zhudun.FindingChange{Upsert: fs}); err != nil {
		t.Fatal(err)
	}
	res := h.do("cmd1", "GET", "/api/v1/gangs/G-000007", nil)
	var g struct {
		Gang    string
		Total   int
		Nodes   []struct{ ID, Category string }
		Edges   []struct{ Source, Target string }
		Figures struct {
			Members    int
			ByCategory map[string]int `json:"by_category"`
			Outlets    int
		}
		Members []struct{ ID int64 }
	}
	if err := json.Unmarshal(res.body, &g); err != nil || res.status != 200 {
		t.Fatalf("gang: %d %s", res.status, res.body)
	}
	var nodes, edges []string
	for _, n := range g.Nodes {
		nodes = append(nodes, n.ID)
	}
	for _, e := range g.Edges {
		edges = append(edges, e.Source+">"+e.Target)
	}
	if got := strings.Join(nodes, " "); got != "black_card|13800000001 black_device|86123456789012 black_account|wechat:w1 outlet|营业厅A" {
		t.Errorf("nodes %s", got)
	}
	// the line is no member: its edge is not drawn
	if got := strings.Join(edges, " "); got != "black_card|13800000001>black_device|86123456789012 black_card|13800000001>outlet|营业厅A black_account|wechat:w1>black_card|13800000001" {
		t.Errorf("edges %s", got)
	}
	if g.Gang != "G-000007" || g.Total != 3 || len(g.Members) != 3 || g.Figures.Members != 3 || g.Figures.ByCategory["black_card"] != 1 || g.Figures.Outlets != 1 {
		t.Errorf("gang %s", res.body)
	}
	lead := fmt.Sprint(fs[3].ID)
	why := map[string]any{"reason": "外省人员夜间开卡，提升研判"}
	for _, c := range []struct {
		who, method, path string
		body              any
		status            int
	}{
		{"ana2", "GET", "/api/v1/gangs/G-000007", nil, 404},
		{"ana1", "GET", "/api/v1/gangs/G-999999", nil, 404},
		{"off1", "GET", "/api/v1/gangs/G-000007", nil, 403},
		{"ana2", "POST", "/api/v1/leads/" + lead + "/promote", why, 404},
		{"cmd1", "POST", "/api/v1/leads/" + lead + "/promote", why, 403},
		{"ana1", "POST", "/api/v1/leads/" + lead + "/promote", map[string]any{"reason": "是"}, 400},
		{"ana1", "POST", "/api/v1/leads/" + fmt.Sprint(fs[0].ID) + "/promote", why, 404}, // a finding is no lead
	} {
		if res := h.do(c.who, c.method, c.path, c.body); res.status != c.status {
			t.Errorf("%s %s %s: %d %s; want %d", c.who, c.method, c.path, res.status, res.body, c.status)
		}
	}
	// Selected findings reviewed at once: another division's analyst 404, all or none.
	sel := map[string]any{"ids": []int64{fs[0].ID, fs[1].ID}, "decision": "confirm", "reason": "批量确认：猫池及其卡"}
	if res := h.do("ana2", "POST", "/api/v1/findings/review", sel); res.status != 404 {
		t.Errorf("another division reviews a selection: %d %s", res.status, res.body)
	}
	if res := h.do("ana1", "POST", "/api/v1/findings/review", map[string]any{"ids": []int64{}, "decision": "confirm", "reason": "批量确认"}); res.status != 400 {
		t.Errorf("an empty selection: %d %s", res.status, res.body)
	}
	if res := h.do("ana1", "POST", "/api/v1/findings/review", sel); res.status != 200 || strings.Count(string(res.body), `"status":"confirmed"`) != 2 {
		t.Errorf("a selection: %d %s", res.status, res.body)
	}
	res = h.do("ana1", "POST", "/api/v1/leads/"+lead+"/promote", why)
	var p struct {
		ID         int64
		Entity     string
		Status     string
		PromotedBy string `json:"promoted_by"`
	}
	if err := json.Unmarshal(res.body, &p); err != nil || res.status != 201 || p.Entity != "13800000077" || p.Status != "new" || p.PromotedBy != "ana1" || p.ID == fs[3].ID {
		t.Fatalf("promote: %d %s", res.status, res.body)
	}
	if res := h.do("ana1", "POST", "/api/v1/leads/"+lead+"/promote", why); res.status != 409 {
		t.Errorf("promoted twice: %d %s", res.status, res.body)
	}
	if res := h.do("ana1", "GET", "/api/v1/leads?status=promoted", nil); res.total() != 1 {
		t.Errorf("promoted leads: %s", res.body)
	}
	if res := h.do("ana1", "GET", "/api/v1/findings?category=black_card", nil); res.total() != 2 {
		t.Errorf("findings after the promotion: %s", res.body)
	}
}
