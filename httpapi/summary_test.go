package httpapi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/internal/pdftext"
)

// TestSummaryAPI: the period report gives each figure as its module's own
// report gives it — the cyber section as /reports/cyber, the Four Cuts
// section as /reports/cyber for the 四断 campaign, campus and patrol as
// theirs — with the values written here by hand; the briefing's .docx,
// PDF and .xlsx carry them; ZAZD's commander sees none of WAZD's and is
// 404 asking for it; an analyst without report:read is 403. Set
// ZHUDUN_SUMMARY_DIR to a directory to keep the .docx and the PDF.
func TestSummaryAPI(t *testing.T) {
	h := caseWorld(t)
	addCommanders(t, h)
	today := time.Now().In(zhudun.CST()).Format("2006-01-02")
	year := today[:4]
	var four zhudun.Campaign
	decodeInto(t, h.do("wa1", "POST", "/api/v1/campaigns", map[string]any{"name": "四断" + year, "from": year + "-01-01", "to": year + "-12-31"}), &four)
	// Two cases: one of the campaign, solved, with a suspect caught under
	// two measures and its seizures; one outside it with a detention.
	newCase := func(title string, campaigns []int64) string {
		var c zhudun.CaseDetail
		decodeInto(t, h.do("wa1", "POST", "/api/v1/cases", map[string]any{"title": title, "type": "telecom_fraud", "campaigns": campaigns}), &c)
		return fmt.Sprintf("/api/v1/cases/%d", c.ID)
	}
	must := func(res response, want int) {
		t.Helper()
		if res.status != want {
			t.Fatalf("%d %s, want %d", res.status, res.body, want)
		}
	}
	a := newCase("“四断”专案", []int64{four.ID})
	var p zhudun.CasePerson
	decodeInto(t, h.do("wa1", "POST", a+"/people", map[string]any{"name": "张三", "id_number": "370102198503121233", "role": "suspect", "apprehended_on": today}), &p)
	for _, kind := range []string{"detention", "arrest"} {
		must(h.do("wa1", "POST", a+"/measures", map[string]any{"person": p.PersonID, "kind": kind, "from": today, "authority": "济南市公安局", "document_no": "济公刑〔2026〕1号"}), 201)
	}
	must(h.do("wa1", "POST", a+"/seizures", map[string]any{"kind": "funds", "amount": "1980000.00", "account": "6222000000000001", "bank": "工商银行", "state": "frozen", "frozen_on": today}), 201)
	must(h.do("wa1", "POST", a+"/seizures", map[string]any{"kind": "sim_cards", "count": 1210, "seized_on": today}), 201)
	must(h.do("wa1", "POST", a+"/seizures", map[string]any{"kind": "devices", "device_type": "cat_pool", "count": 50, "slots": 32, "seized_on": today}), 201)
	must(h.do("wa1", "POST", a+"/seizures", map[string]any{"kind": "devices", "device_type": "goip", "count": 29, "slots": 16, "seized_on": today}), 201)
	must(h.do("wa1", "POST", a+"/transition", map[string]any{"to": "filed"}), 200)
	must(h.do("wa1", "POST", a+"/transition", map[string]any{"to": "solved"}), 200)
	b := newCase("帮信案", nil)
	var q zhudun.CasePerson
	decodeInto(t, h.do("wa1", "POST", b+"/people", map[string]any{"name": "李四", "id_number": "370102199001011231", "role": "suspect"}), &q)
	must(h.do("wa1", "POST", b+"/measures", map[string]any{"person": q.PersonID, "kind": "detention", "from": today, "authority": "济南市公安局", "document_no": "济公刑〔2026〕2号"}), 201)

	period := "from=" + today + "&to=" + today
	obj := func(b []byte) map[string]json.RawMessage {
		t.Helper()
		var out map[string]json.RawMessage
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%v: %s", err, b)
		}
		return out
	}
	get := func(user, path string) map[string]map[string]json.RawMessage {
		t.Helper()
		res := h.do(user, "GET", path, nil)
		if res.status != 200 {
			t.Fatalf("%s %s: %d %s", user, path, res.status, res.body)
		}
		out := map[string]map[string]json.RawMessage{}
		for k, v := range obj(res.body) {
			if bytes.HasPrefix(v, []byte("{")) {
				out[k] = obj(v)
			}
		}
		return out
	}
	sum := get("cmdwa", "/api/v1/reports/summary?"+period)
	value := func(raw json.RawMessage) (v zhudun.Figure) {
		t.Helper()
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	// By hand: two cases received, two people under measures (张三 once
	// for two); of the campaign one solved, one caught, 198万元 as fen,
	// 1,210 cards, 79 devices (50 cat pools, 29 GoIPs); nothing for campus
	// and patrol.
	want := map[string]map[string]float64{
		"cyber":    {"cases_handled": 2, "people_coercive": 2},
		"fourcuts": {"cases_solved": 1, "suspects_caught": 1, "funds_seized_fen": 198000000, "sim_cards_seized": 1210, "devices_seized": 79, "malicious_accounts": 0},
		"campus":   {"hazards": 0, "schools_involved": 0, "rectified_on_spot": 0, "notices": 0},
		"patrol":   {"incidents": 0, "rescues_services": 0, "disputes_mediated": 0, "criminal_cases": 0, "public_order_cases": 0},
		"fire":     {"reports": 0, "corrected": 0, "penalties": 0},
		"zhudun":   {"smart_communities": 0, "video_coverage_pct": 0},
	}
	if len(sum) != len(want) {
		t.Errorf("sections %d, want %d: %v", len(sum), len(want), sum)
	}
	for sec, figs := range want {
		for name, v := range figs {
			raw, ok := sum[sec][name]
			if !ok {
				t.Errorf("%s.%s missing", sec, name)
				continue
			}
			var f struct {
				Value      float64  `json:"value"`
				LastYear   *float64 `json:"last_year"`
				ChangePct  *float64 `json:"change_pct"`
				Unit       string   `json:"unit"`
				Definition string   `json:"definition"`
			}
			if err := json.Unmarshal(raw, &f); err != nil {
				t.Fatal(err)
			}
			if f.Value != v || f.LastYear == nil || *f.LastYear != 0 || f.ChangePct != nil || f.Unit == "" || f.Definition == "" {
				t.Errorf("%s.%s = %s, want value %v, last year 0, change null, a unit and a definition", sec, name, raw, v)
			}
		}
	}
	if d := sum["fourcuts"]["devices_seized"]; !bytes.Contains(d, []byte(`"cat_pool":{"value":50,`)) || !bytes.Contains(d, []byte(`"goip":{"value":29,`)) {
		t.Errorf("devices by type: %s", sum["fourcuts"]["devices_seized"])
	}
	// The same figures as the modules' own reports.
	cy := get("cmdwa", "/api/v1/reports/cyber?"+period)["figures"]
	fc := get("cmdwa", fmt.Sprintf("/api/v1/reports/cyber?%s&campaign=%d", period, four.ID))["figures"]
	same := func(sec, name string, theirs json.RawMessage) {
		t.Helper()
		if a, b := value(sum[sec][name]), value(theirs); a.Value != b.Value || a.LastYear != b.LastYear || (a.ChangePct == nil) != (b.ChangePct == nil) {
			t.Errorf("%s.%s: summary %+v, its module's report %+v", sec, name, a, b)
		}
	}
	same("cyber", "cases_handled", cy["cases_handled"])
	same("cyber", "people_coercive", cy["people_coercive"])
	for _, name := range []string{"cases_solved", "suspects_caught", "funds_seized_fen", "sim_cards_seized", "devices_seized", "malicious_accounts"} {
		same("fourcuts", name, fc[name])
	}
	campus := get("cmdwa", "/api/v1/reports/campus?"+period)["figures"]
	for _, name := range []string{"hazards", "schools_involved", "rectified_on_spot", "notices"} {
		same("campus", name, campus[name])
	}

	fire := get("cmdwa", "/api/v1/reports/fire?"+period)["figures"]
	for _, name := range []string{"reports", "corrected", "penalties"} {
		same("fire", name, fire[name])
	}
	zres := h.do("cmdwa", "GET", "/api/v1/reports/zhudun?at="+today, nil)
	if zres.status != 200 {
		t.Fatalf("zhudun report: %d %s", zres.status, zres.body)
	}
	zd := obj(zres.body)
	for _, name := range []string{"smart_communities", "video_coverage_pct"} {
		same("zhudun", name, zd[name])
	}

	// The documents.
	doc := h.do("cmdwa", "GET", "/api/v1/reports/summary.docx?"+period, nil)
	if doc.status != 200 {
		t.Fatalf("docx: %d %s", doc.status, doc.body)
	}
	z, err := zip.NewReader(bytes.NewReader(doc.body), int64(len(doc.body)))
	if err != nil {
		t.Fatal(err)
	}
	var body string
	for _, f := range z.File {
		if f.Name == "word/document.xml" {
			r, _ := f.Open()
			b, _ := io.ReadAll(r)
			body = string(b)
		}
	}
	for _, s := range []string{"网络安全保卫支队", "办理网络犯罪案件2起", "采取刑事强制措施2人", "破获“四断”案件1起", "扣押冻结涉案资金198万元", "收缴电话卡1210张",
		"收缴猫池、GoIP等设备79台，其中猫池50台、GoIP29台，去年同期为零"} {
		if !strings.Contains(body, s) {
			t.Errorf("the .docx lacks %q", s)
		}
	}
	// The devices' table: the figure, then a sub-row for each type seized
	// (none for the phones, computers and servers: none either year).
	deviceRows := []string{"收缴猫池、GoIP等设备", "79台", "0台", "—", "其中：猫池", "50台", "0台", "—", "其中：GoIP", "29台", "0台", "—", "发现恶意账号"}
	if cells := docxCells(body); !strings.Contains(strings.Join(cells, "|"), strings.Join(deviceRows, "|")) {
		t.Errorf("the .docx's Four Cuts table has not the rows %q: %q", deviceRows, cells)
	}
	pdf := h.do("cmdwa", "GET", "/api/v1/reports/summary.pdf?"+period, nil)
	if pdf.status != 200 || !bytes.HasPrefix(pdf.body, []byte("%PDF-")) || !bytes.Contains(pdf.body, []byte("FontFile2")) {
		t.Errorf("pdf: %d, %d bytes, embedded font %v", pdf.status, len(pdf.body), bytes.Contains(pdf.body, []byte("FontFile2")))
	}
	pages, err := pdftext.Pages(pdf.body)
	if err != nil {
		t.Fatal(err)
	}
	var cells []string
	for _, p := range pages {
		cells = append(cells, p...)
	}
	if !strings.Contains(strings.Join(cells, "|"), strings.Join(deviceRows, "|")) {
		t.Errorf("the PDF's Four Cuts table has not the rows %q: %q", deviceRows, cells)
	}
	if all := strings.Join(cells, ""); !strings.Contains(all, "收缴猫池、GoIP等设备79台，其中猫池50台、GoIP29台，去年同期为零") {
		t.Errorf("the PDF does not give the devices by type: %s", all)
	}
	if dir := os.Getenv("ZHUDUN_SUMMARY_DIR"); dir != "" { // to look at them
		os.WriteFile(filepath.Join(dir, "summary.docx"), doc.body, 0o600)
		os.WriteFile(filepath.Join(dir, "summary.pdf"), pdf.body, 0o600)
	}
	xl := h.do("cmdwa", "GET", "/api/v1/reports/summary.xlsx?"+period, nil)
	if xl.status != 200 {
		t.Fatalf("xlsx: %d %s", xl.status, xl.body)
	}
	x, err := excelize.OpenReader(bytes.NewReader(xl.body))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(x.GetSheetList(), ","); got != "打击网络违法犯罪,“四断”专项行动,电动自行车消防安全治理,平安校园建设,网格驻巡与接处警,“铸盾”工程" {
		t.Errorf("sheets %s", got)
	}
	if v, _ := x.GetCellValue("“四断”专项行动", "C4"); v != "198000000" {
		t.Errorf("funds cell %q, want 198000000", v)
	}
	// Below the devices (row 6), every type, keyed as the JSON's breakdown.
	xrows, err := x.GetRows("“四断”专项行动")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range xrows[5:11] {
		got = append(got, strings.Join(r[:4], " "))
	}
	if want := []string{"收缴猫池、GoIP等设备 devices_seized 79 0", "其中：猫池 devices_seized:cat_pool 50 0", "其中：GoIP devices_seized:goip 29 0",
		"其中：手机 devices_seized:phone 0 0", "其中：电脑 devices_seized:computer 0 0", "其中：服务器 devices_seized:server 0 0"}; strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the workbook's devices:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := auditCountAPI(t, h, "summary_report.export"); n != 3 {
		t.Errorf("%d exports audited, want 3", n)
	}

	// Scope: ZAZD's commander sees none of WAZD's, and asking for WAZD is 404.
	za := get("cmdza", "/api/v1/reports/summary?"+period)
	if v := value(za["cyber"]["cases_handled"]); v.Value != 0 {
		t.Errorf("ZAZD's summary counts WAZD's cases: %+v", v)
	}
	if v := value(za["fourcuts"]["cases_solved"]); v.Value != 0 {
		t.Errorf("ZAZD's summary counts WAZD's campaign: %+v", v)
	}
	for _, path := range []string{"/api/v1/reports/summary?", "/api/v1/reports/summary.docx?", "/api/v1/reports/summary.xlsx?"} {
		if res := h.do("cmdza", "GET", path+period+"&dept=WAZD", nil); res.status != 404 {
			t.Errorf("ZAZD asking %sdept=WAZD: %d", path, res.status)
		}
		if res := h.do("wa1", "GET", path+period, nil); res.status != 403 {
			t.Errorf("an analyst reads %s: %d", path, res.status)
		}
	}
	if res := h.do("cmdwa", "GET", "/api/v1/reports/summary?from="+today, nil); res.status != 400 {
		t.Errorf("no to: %d", res.status)
	}
}

// addCommanders adds a commander (report:read) to each division of
// caseWorld: cmdwa of WAZD, cmdza of ZAZD, signed in.
func addCommanders(t *testing.T, h *harness) {
	t.Helper()
	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
	for _, u := range []struct{ name, dept string }{{"cmdwa", "WAZD"}, {"cmdza", "ZAZD"}} {
		nu, err := h.store.CreateUser(sys, zhudun.NewUser{Username: u.name, DeptCode: u.dept, Password: pw, Own: true, Roles: []string{"commander"}})
		if err != nil {
			t.Fatal(err)
		}
		h.users[u.name] = nu
		h.tokens[u.name] = h.login(u.name, pw)
	}
}

// docxCells is the text of each paragraph of a .docx's document.xml (a
// table cell is a paragraph), in order.
func docxCells(doc string) []string {
	var out []string
	for _, p := range regexp.MustCompile(`(?s)<w:p[ >].*?</w:p>`).FindAllString(doc, -1) {
		var b strings.Builder
		for _, m := range regexp.MustCompile(`(?s)<w:t(?: [^>]*)?>(.*?)</w:t>`).FindAllStringSubmatch(p, -1) {
			b.WriteString(html.UnescapeString(m[1]))
		}
		out = append(out, b.String())
	}
	return out
}
