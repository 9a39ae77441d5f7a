package httpapi_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/httpapi"
	"github.com/zhudun/zhudun/sqlstore"
)

// keyDo sends a request as a source, by its API key.
func (h *harness) keyDo(key, method, path string, body any, accept string) response {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, h.srv.URL+path, rd)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

type cutList struct {
	Items []struct {
		Entity, Status, Gang string
		Score                float64
		ConfirmedAt          time.Time `json:"confirmed_at"`
	}
	NextSince string `json:"next_since"`
}

func (r response) cutList(t *testing.T) (string, string) {
	t.Helper()
	var l cutList
	if err := json.Unmarshal(r.body, &l); err != nil {
		t.Fatalf("cut list %d %s: %v", r.status, r.body, err)
	}
	var out []string
	for _, it := range l.Items {
		out = append(out, it.Entity+":"+it.Status)
	}
	return strings.Join(out, ","), l.NextSince
}

// TestCutListScenario: the loop through the API with hand-written
// expectations — an analyst confirms a gang; a carrier's key gets only its
// network's cards (by the sim events' carrier, not by who sent them), a
// platform's only its accounts; the carrier acks one cut; an officer
// enters an appeal, the analyst restores, the next fetch says so; an
// analyst of another division sees and reaches none of it; the wrong
// permission is 403; every step is in the audit log.
func TestCutListScenario(t *testing.T) {
	h := newHarness(t)
	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
	keys := map[string]string{}
	for _, n := range []zhudun.NewSource{
		{Name: "cmcc-sd", Kind: zhudun.SourceCarrier, Binding: "cmcc", DeptCode: "SB1"},
		{Name: "cucc", Kind: zhudun.SourceCarrier},
		{Name: "wechat", Kind: zhudun.SourcePlatform},
	} {
		_, key, err := h.store.CreateSource(sys, n)
		if err != nil {
			t.Fatal(err)
		}
		keys[n.Name] = key
	}
	for _, u := range []struct{ name, dept, role string }{{"ana2", "SB2", "analyst"}, {"cmd1", "SB1", "commander"}} {
		nu, err := h.store.CreateUser(sys, zhudun.NewUser{Username: u.name, DeptCode: u.dept, Password: pw, Own: true, Roles: []string{u.role}})
		if err != nil {
			t.Fatal(err)
		}
		h.users[u.name] = nu
		h.tokens[u.name] = h.login(u.name, pw)
	}
	// What the live engine stored: every event came from cmcc-sd's feed
	// (SB1), but 13800000002's sim event says cucc.
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	ev := json.RawMessage(`[{"signal":"imsi_per_imei","value":37,"threshold":4,"window":"7d"}]`)
	var fs []*zhudun.Finding
	for _, x := range []struct {
		cat, typ, ent string
		nets          []string
	}{
		{"black_card", "msisdn", "13800000001", []string{"cmcc"}},
		{"black_card", "msisdn", "13800000002", []string{"cucc"}},
		{"black_device", "imei", "86123456789012", []string{"cmcc", "cucc"}},
		{"black_account", "account", "wechat:w1", []string{"wechat"}},
	} {
		fs = append(fs, &zhudun.Finding{Kind: zhudun.KindFinding, Category: x.cat, EntityType: x.typ, Entity: x.ent, Score: 0.9, Gang: "G-000001",
			FirstSeen: at, LastSeen: at, Evidence: ev, Source: "cmcc-sd", Networks: x.nets})
	}
	if err := h.store.ApplyFindingChange(sys, &zhudun.FindingChange{Upsert: fs}); err != nil {
		t.Fatal(err)
	}
	card := fmt.Sprint(fs[0].ID)
	confirm := map[string]any{"decision": "confirm", "reason": "猫池卡，证据充分"}

	// Another division sees and reaches none of it; an officer may not review.
	for _, c := range []struct {
		who, method, path string
		body              any
		status            int
	}{
		{"ana2", "GET", "/api/v1/findings", nil, 200},
		{"ana2", "POST", "/api/v1/findings/" + card + "/review", confirm, 404},
		{"ana2", "POST", "/api/v1/gangs/G-000001/review", confirm, 404},
		{"off1", "POST", "/api/v1/findings/" + card + "/review", confirm, 403},
		{"cmd1", "POST", "/api/v1/gangs/G-000001/review", confirm, 403},
		{"ana1", "POST", "/api/v1/findings/" + card + "/review", map[string]any{"decision": "confirm", "reason": "是"}, 400},
		{"ana1", "POST", "/api/v1/findings/" + card + "/review", map[string]any{"decision": "confirm"}, 400},
	} {
		res := h.do(c.who, c.method, c.path, c.body)
		if res.status != c.status || (c.method == "GET" && res.total() != 0) {
			t.Errorf("%s %s %s: %d %s; want %d", c.who, c.method, c.path, res.status, res.body, c.status)
		}
	}
	res := h.do("ana1", "GET", "/api/v1/findings?sort=%2Bid", nil)
	var list struct {
		Items []struct {
			ID     int64
			Status string
			Engine string
		}
	}
	json.Unmarshal(res.body, &list)
	if len(list.Items) != 4 || list.Items[0].ID != fs[0].ID || list.Items[0].Status != "new" || list.Items[0].Engine != "live" {
		t.Fatalf("ana1's findings: %s", res.body)
	}
	if res := h.do("ana1", "POST", "/api/v1/gangs/G-000001/review", confirm); res.status != 200 || strings.Count(string(res.body), `"status":"confirmed"`) != 4 {
		t.Fatalf("gang review: %d %s", res.status, res.body)
	}

	// Each source its share.
	for _, c := range []struct {
		src, cat string
		status   int
		want     string
	}{
		{"cmcc-sd", "black_card", 200, "13800000001:confirmed"},
		{"cucc", "black_card", 200, "13800000002:confirmed"},
		{"cmcc-sd", "black_device", 200, "86123456789012:confirmed"},
		{"wechat", "black_account", 200, "wechat:w1:confirmed"},
		{"wechat", "black_card", 403, ""},
		{"cmcc-sd", "black_account", 403, ""},
	} {
		res := h.keyDo(keys[c.src], "GET", "/api/v1/cutlists/"+c.cat, nil, "")
		if res.status != c.status {
			t.Errorf("%s %s: %d %s; want %d", c.src, c.cat, res.status, res.body, c.status)
			continue
		}
		if c.status == 200 {
			if got, _ := res.cutList(t); got != c.want {
				t.Errorf("%s %s: %s; want %s", c.src, c.cat, got, c.want)
			}
		}
	}
	if res := h.keyDo("zs_wrong", "GET", "/api/v1/cutlists/black_card", nil, ""); res.status != 401 {
		t.Errorf("a wrong key: %d", res.status)
	}
	if res := h.do("ana1", "GET", "/api/v1/cutlists/black_card", nil); res.status != 401 {
		t.Errorf("a session instead of a key: %d", res.status)
	}
	// CSV, by Accept and by ?format=; a cell a spreadsheet would run is defused.
	for _, c := range []struct{ path, accept string }{{"/api/v1/cutlists/black_card", "text/csv"}, {"/api/v1/cutlists/black_card?format=csv", ""}} {
		res := h.keyDo(keys["cmcc-sd"], "GET", c.path, nil, c.accept)
		recs, err := csv.NewReader(bytes.NewReader(res.body)).ReadAll()
		if res.status != 200 || err != nil || len(recs) != 2 || recs[0][0] != "entity" || recs[1][0] != "13800000001" || recs[1][5] != "confirmed" ||
			!strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
			t.Errorf("csv %s: %d %v %q", c.path, res.status, err, res.body)
		}
	}

	// The carrier reports the card cut; the analyst sees it cut.
	_, since := h.keyDo(keys["cmcc-sd"], "GET", "/api/v1/cutlists/black_card", nil, "").cutList(t)
	time.Sleep(10 * time.Millisecond)
	res = h.keyDo(keys["cmcc-sd"], "POST", "/api/v1/cutlists/black_card/ack", map[string]any{"items": []map[string]string{
		{"entity": "13800000001", "status": "cut"}, {"entity": "13800000002", "status": "cut"}}}, "")
	if res.status != 200 || !strings.Contains(string(res.body), `{"entity":"13800000001","status":"cut"}`) || !strings.Contains(string(res.body), `"error":"not on this list"`) {
		t.Fatalf("ack: %d %s", res.status, res.body)
	}
	if res := h.do("ana1", "GET", "/api/v1/findings?status=cut", nil); res.total() != 1 {
		t.Fatalf("cut findings: %s", res.body)
	}
	got, since2 := h.keyDo(keys["cmcc-sd"], "GET", "/api/v1/cutlists/black_card?since="+url.QueryEscape(since), nil, "").cutList(t)
	if got != "13800000001:cut" {
		t.Fatalf("since %s: %s", since, got)
	}

	// An officer of another division enters the resident's appeal; SB2's
	// analyst cannot see or decide it; SB1's restores it.
	res = h.do("off2", "POST", "/api/v1/appeals", map[string]any{"category": "black_card", "entity": "13800000001", "id_number": "11010519491231002X", "reason": "本人正常使用，申请恢复"})
	// the officer's receipt: masked ID, nothing of the finding behind it
	if res.status != 201 || strings.Contains(string(res.body), "11010519491231002X") || strings.Contains(string(res.body), "finding_id") ||
		strings.Contains(string(res.body), `"dept"`) {
		t.Fatalf("appeal: %d %s", res.status, res.body)
	}
	if res := h.do("ana1", "GET", "/api/v1/findings?min_score=NaN", nil); res.status != 400 {
		t.Errorf("min_score=NaN: %d", res.status)
	}
	var ap struct{ ID int64 }
	json.Unmarshal(res.body, &ap)
	decide := fmt.Sprintf("/api/v1/appeals/%d/decide", ap.ID)
	if res := h.do("ana2", "GET", "/api/v1/appeals", nil); res.status != 200 || res.total() != 0 {
		t.Errorf("ana2's appeals: %d %s", res.status, res.body)
	}
	if res := h.do("ana2", "POST", decide, map[string]any{"decision": "restore", "reason": "核实为正常用户"}); res.status != 404 {
		t.Errorf("ana2 decides: %d", res.status)
	}
	if res := h.do("off2", "POST", decide, map[string]any{"decision": "restore", "reason": "核实为正常用户"}); res.status != 403 {
		t.Errorf("officer decides: %d", res.status)
	}
	if res := h.do("ana1", "GET", "/api/v1/appeals?status=open", nil); res.total() != 1 {
		t.Errorf("ana1's open appeals: %s", res.body)
	}
	time.Sleep(10 * time.Millisecond)
	if res := h.do("ana1", "POST", decide, map[string]any{"decision": "restore", "reason": "核实为正常用户，恢复"}); res.status != 200 {
		t.Fatalf("restore: %d %s", res.status, res.body)
	}
	if got, _ := h.keyDo(keys["cmcc-sd"], "GET", "/api/v1/cutlists/black_card?since="+url.QueryEscape(since2), nil, "").cutList(t); got != "13800000001:restored" {
		t.Fatalf("the next fetch: %s", got)
	}
	if res := h.do("ana1", "GET", "/api/v1/appeals/stats", nil); !strings.Contains(string(res.body), `{"signal":"imsi_per_imei","appeals":1,"open":0,"restored":1,"rejected":0}`) {
		t.Errorf("appeal stats: %s", res.body)
	}

	// The figures: the commander's, not the analyst's (report:read).
	today := time.Now().In(zhudun.CST()).Format("2006-01-02")
	res = h.do("cmd1", "GET", "/api/v1/reports/fourcuts?from="+today+"&to="+today, nil)
	if res.status != 200 || !strings.Contains(string(res.body), `"confirmed":{"value":4,"last_year":0,"change_pct":null}`) ||
		!strings.Contains(string(res.body), `"malicious_accounts":{"value":1,`) || !strings.Contains(string(res.body), `"restored_on_appeal":{"value":1,`) {
		t.Errorf("report: %d %s", res.status, res.body)
	}
	if res := h.do("ana1", "GET", "/api/v1/reports/fourcuts?from="+today+"&to="+today, nil); res.status != 403 {
		t.Errorf("analyst's report: %d", res.status)
	}
	if res := h.do("cmd1", "GET", "/api/v1/cutlists", nil); res.status != 200 || !strings.Contains(string(res.body), `"source":"cucc","binding":"cucc","category":"black_card","confirmed":1`) {
		t.Errorf("cut list figures: %d %s", res.status, res.body)
	}

	// The allowlist through the API.
	if res := h.do("ana1", "POST", "/api/v1/allowlist", map[string]any{"entity_type": "ip", "entity": "10.1.0.0/16", "reason": "企业出口 NAT"}); res.status != 400 {
		t.Errorf("a division's analyst lists a range: %d %s", res.status, res.body)
	}
	res = h.do("ana1", "POST", "/api/v1/allowlist", map[string]any{"entity_type": "msisdn", "entity": "+86 138 0000 0002", "reason": "快递公司号码"})
	if res.status != 201 || !strings.Contains(string(res.body), `"entity":"13800000002"`) {
		t.Fatalf("allow: %d %s", res.status, res.body)
	}
	var al struct{ ID int64 }
	json.Unmarshal(res.body, &al)
	if res := h.do("off1", "GET", "/api/v1/allowlist", nil); res.status != 403 {
		t.Errorf("officer lists the allowlist: %d", res.status)
	}
	if res := h.do("ana1", "GET", "/api/v1/allowlist", nil); res.total() != 1 {
		t.Errorf("allowlist: %s", res.body)
	}
	if res := h.do("ana2", "DELETE", fmt.Sprintf("/api/v1/allowlist/%d", al.ID), nil); res.status != 404 {
		t.Errorf("ana2 removes SB1's entry: %d", res.status)
	}
	if res := h.do("ana1", "DELETE", fmt.Sprintf("/api/v1/allowlist/%d", al.ID), nil); res.status != 204 {
		t.Errorf("remove: %d %s", res.status, res.body)
	}

	// Export: formula-safe CSV of the filtered list, audited.
	res = h.do("ana1", "GET", "/api/v1/findings/export?format=csv&category=black_card&engine=any", nil)
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.body, []byte("\xEF\xBB\xBF")))).ReadAll()
	if res.status != 200 || err != nil || len(recs) != 3 {
		t.Errorf("export: %d %v %d rows", res.status, err, len(recs))
	}
	if res := h.do("ana1", "GET", "/api/v1/findings/export?format=xlsx", nil); res.status != 200 || !bytes.HasPrefix(res.body, []byte("PK")) {
		t.Errorf("xlsx export: %d", res.status)
	}

	for q, want := range map[string]int{
		"action=finding.confirm": 4, "action=cutlist.fetch": 9, // four lists, two CSVs, three incremental "action=cutlist.ack": 1, "action=appeal.create": 1,
		"action=appeal.restore": 1, "action=allowlist.add": 1, "action=allowlist.remove": 1, "action=findings.export": 2,
		"action=cutlist.fetch&user=source:wechat": 1,
	} {
		if n := h.do("aud", "GET", "/api/v1/audit?"+q, nil).total(); n != want {
			t.Errorf("audit %s: %d rows; want %d", q, n, want)
		}
	}
}

// TestTwoPersonAPI: with the rule at 1, a gang of two is 202 and pending
// until another analyst approves it; the one who asked gets 403.
func TestTwoPersonAPI(t *testing.T) {
	h := newHarness(t, func(o *sqlstore.Options) { o.TwoPersonAbove = 1 })
	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
	nu, err := h.store.CreateUser(sys, zhudun.NewUser{Username: "ana3", DeptCode: "SB1", Password: pw, Own: true, Roles: []string{"analyst"}})
	if err != nil {
		t.Fatal(err)
	}
	h.users["ana3"], h.tokens["ana3"] = nu, h.login("ana3", pw)
	if _, _, err := h.store.CreateSource(sys, zhudun.NewSource{Name: "cmcc", Kind: zhudun.SourceCarrier, DeptCode: "SB1"}); err != nil {
		t.Fatal(err)
	}
	ev := json.RawMessage(`[{"signal":"imsi_per_imei","value":37,"threshold":4,"window":"7d"}]`)
	at := time.Now().UTC().Truncate(time.Second)
	var fs []*zhudun.Finding
	for _, m := range []string{"13800000001", "13800000002"} {
		fs = append(fs, &zhudun.Finding{Kind: zhudun.KindFinding, Category: "black_card", EntityType: "msisdn", Entity: m, Score: 0.9, Gang: "G-000001",
			FirstSeen: at, LastSeen: at, Evidence: ev, Source: "cmcc", Networks: []string{"cmcc"}})
	}
	if err := h.store.ApplyFindingChange(sys, &zhudun.FindingChange{Upsert: fs}); err != nil {
		t.Fatal(err)
	}
	confirm := map[string]any{"decision": "confirm", "reason": "猫池卡，证据充分"}
	if res := h.do("ana1", "POST", fmt.Sprintf("/api/v1/findings/%d/review", fs[0].ID), confirm); res.status != 200 {
		t.Fatalf("one finding: %d %s", res.status, res.body)
	}
	if res := h.do("ana1", "POST", fmt.Sprintf("/api/v1/findings/%d/review", fs[0].ID), map[string]any{"decision": "dismiss", "reason": "复核为正常用户"}); res.status != 200 {
		t.Fatalf("dismiss: %d %s", res.status, res.body)
	}
	// The gang's review leaves the dismissed one alone (one to confirm:
	// applied); naming both asks for a second analyst.
	if res := h.do("ana1", "POST", "/api/v1/gangs/G-000001/review", confirm); res.status != 200 || strings.Count(string(res.body), `"status":"confirmed"`) != 1 {
		t.Fatalf("gang of two, one dismissed: %d %s", res.status, res.body)
	}
	if res := h.do("ana1", "POST", fmt.Sprintf("/api/v1/findings/%d/review", fs[1].ID), map[string]any{"decision": "dismiss", "reason": "复核为正常用户"}); res.status != 200 {
		t.Fatalf("dismiss: %d %s", res.status, res.body)
	}
	res := h.do("ana1", "POST", "/api/v1/findings/review", map[string]any{"ids": []int64{fs[0].ID, fs[1].ID}, "decision": "confirm", "reason": "猫池卡，证据充分"})
	var p struct{ Pending struct{ ID int64 } }
	json.Unmarshal(res.body, &p)
	if res.status != 202 || p.Pending.ID == 0 {
		t.Fatalf("two named: %d %s", res.status, res.body)
	}
	path := fmt.Sprintf("/api/v1/reviews/%d/approve", p.Pending.ID)
	if res := h.do("ana1", "POST", path, nil); res.status != 403 {
		t.Errorf("the requester approves: %d", res.status)
	}
	if res := h.do("ana3", "GET", "/api/v1/reviews?status=pending", nil); res.total() != 1 {
		t.Errorf("pending: %s", res.body)
	}
	if res := h.do("ana3", "POST", path, nil); res.status != 200 || strings.Count(string(res.body), `"status":"confirmed"`) != 2 {
		t.Errorf("approve: %d %s", res.status, res.body)
	}
}

// TestSourceRateLimit: a source's key in a loop is held to its allowance
// on the cut-list routes (each fetch is an audit row): of 20 parallel
// fetches with a burst of 5, exactly 5 are served and the rest get 429
// with Retry-After; another source's allowance is its own.
func TestSourceRateLimit(t *testing.T) {
	h := newHarnessWith(t, func(c *httpapi.Config) { c.SourceRate, c.SourceBurst = 0.001, 5 })
	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
	keys := map[string]string{}
	for _, n := range []string{"cmcc", "cucc"} {
		_, key, err := h.store.CreateSource(sys, zhudun.NewSource{Name: n, Kind: zhudun.SourceCarrier})
		if err != nil {
			t.Fatal(err)
		}
		keys[n] = key
	}
	statuses := make([]int, 20)
	retry := make([]string, 20)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("GET", h.srv.URL+"/api/v1/cutlists/black_card", nil)
			req.Header.Set("Authorization", "Bearer "+keys["cmcc"])
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			statuses[i], retry[i] = res.StatusCode, res.Header.Get("Retry-After")
		}()
	}
	wg.Wait()
	ok, limited := 0, 0
	for i, st := range statuses {
		switch st {
		case 200:
			ok++
		case 429:
			limited++
			if retry[i] == "" {
				t.Errorf("429 without Retry-After")
			}
		default:
			t.Errorf("fetch %d: status %d", i, st)
		}
	}
	if ok != 5 || limited != 15 {
		t.Fatalf("20 parallel fetches: %d served, %d limited; want 5 and 15", ok, limited)
	}
	if res := h.keyDo(keys["cmcc"], "POST", "/api/v1/cutlists/black_card/ack", map[string]any{"items": []any{}}, ""); res.status != 429 {
		t.Errorf("ack past the allowance: %d", res.status)
	}
	if res := h.keyDo(keys["cucc"], "GET", "/api/v1/cutlists/black_card", nil, ""); res.status != 200 {
		t.Errorf("another source: %d %s", res.status, res.body)
	}
	// the limited fetches are not audited fetches
	rows, n, err := h.store.FindAudit(sys, zhudun.AuditFilter{Action: "cutlist.fetch", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if n != 6 {
		t.Errorf("%d cutlist.fetch audit rows; want 6 (5 of cmcc, 1 of cucc): %v", n, len(rows))
	}
}
