package httpapi_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/zhudun/zhudun"
)

// TestCyberReportAPI: WAZD's analyst enters a case with a suspect under two
// measures and a seizure; WAZD's commander (report:read) reads the figures
// as JSON, .xlsx and PDF (each export audited); the analyst and an officer
// are 403, ZAZD's commander asking for WAZD 404. The figures themselves
// are storetest's CyberReport. Set ZHUDUN_CYBER_PDF to a path to keep the
// PDF (to look at it).
func TestCyberReportAPI(t *testing.T) {
	h := caseWorld(t)
	addCommanders(t, h)
	today := time.Now().In(zhudun.CST()).Format("2006-01-02")
	var c zhudun.CaseDetail
	res := h.do("wa1", "POST", "/api/v1/cases", map[string]any{"title": "冒充客服诈骗案", "type": "telecom_fraud"})
	decodeInto(t, res, &c)
	path := fmt.Sprintf("/api/v1/cases/%d", c.ID)
	var p zhudun.CasePerson
	res = h.do("wa1", "POST", path+"/people", map[string]any{"name": "张三", "id_number": "370102198503121233", "role": "suspect", "apprehended_on": today})
	decodeInto(t, res, &p)
	for _, kind := range []string{"detention", "arrest"} {
		if res := h.do("wa1", "POST", path+"/measures", map[string]any{"person": p.PersonID, "kind": kind, "from": today,
			"authority": "济南市公安局", "document_no": "济公刑〔2026〕1号"}); res.status != 201 {
			t.Fatalf("measure %s: %d %s", kind, res.status, res.body)
		}
	}
	if res := h.do("wa1", "POST", path+"/seizures", map[string]any{"kind": "funds", "amount": "1980000.00", "account": "6222000000000001",
		"bank": "工商银行", "state": "frozen", "frozen_on": today}); res.status != 201 {
		t.Fatalf("seizure: %d %s", res.status, res.body)
	}
	period := "from=" + today + "&to=" + today
	res = h.do("cmdwa", "GET", "/api/v1/reports/cyber?"+period, nil)
	if res.status != 200 {
		t.Fatalf("report: %d %s", res.status, res.body)
	}
	for _, want := range []string{`"cases_handled":{"value":1,"last_year":0,"change_pct":null}`, `"people_coercive":{"value":1,`,
		`"suspects_caught":{"value":1,`, `"funds_seized_fen":{"value":198000000,`, `"malicious_accounts":{"value":0,`, `"people_by_measure":{`} {
		if !bytes.Contains(res.body, []byte(want)) {
			t.Errorf("report lacks %s: %s", want, res.body)
		}
	}
	// Another division's commander sees none of it, and not WAZD by name.
	if res := h.do("cmdza", "GET", "/api/v1/reports/cyber?"+period, nil); res.status != 200 || !bytes.Contains(res.body, []byte(`"cases_handled":{"value":0,`)) {
		t.Errorf("ZAZD's report: %d %s", res.status, res.body)
	}
	for _, x := range []struct {
		who, q string
		status int
	}{
		{"cmdza", "&dept=WAZD", 404}, {"wa1", "", 403}, {"off1", "", 403}, {"off1", "&format=pdf", 403},
		{"cmdwa", "&format=docx", 400}, {"cmdwa", "&campaign=x", 400}, {"cmdwa", "&campaign=999", 404},
	} {
		if res := h.do(x.who, "GET", "/api/v1/reports/cyber?"+period+x.q, nil); res.status != x.status {
			t.Errorf("%s %s: %d; want %d", x.who, x.q, res.status, x.status)
		}
	}
	if res := h.do("cmdwa", "GET", "/api/v1/reports/cyber?from=2026-13-01&to="+today, nil); res.status != 400 {
		t.Errorf("bad from: %d", res.status)
	}
	// .xlsx: the figures' table.
	res = h.do("cmdwa", "GET", "/api/v1/reports/cyber?"+period+"&format=xlsx", nil)
	if res.status != 200 || res.header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("xlsx: %d %s", res.status, res.header.Get("Content-Type"))
	}
	x, err := excelize.OpenReader(bytes.NewReader(res.body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows("cyber")
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, r := range rows {
		if len(r) > 4 && r[1] == "funds_seized_fen" {
			found = r[4] == "198000000" && r[2] == "查扣冻结涉案资金（扣除返还）"
		}
	}
	if !found || len(rows) < 20 {
		t.Errorf("xlsx rows: %v", rows)
	}
	// PDF.
	res = h.do("cmdwa", "GET", "/api/v1/reports/cyber?"+period+"&format=pdf", nil)
	if res.status != 200 || res.header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(res.body, []byte("%PDF-")) ||
		!bytes.Contains(res.body, []byte("%%EOF")) || len(res.body) < 10000 {
		t.Fatalf("pdf: %d %s %d bytes", res.status, res.header.Get("Content-Type"), len(res.body))
	}
	if !strings.Contains(res.header.Get("Content-Disposition"), ".pdf") {
		t.Errorf("pdf disposition %q", res.header.Get("Content-Disposition"))
	}
	if f := os.Getenv("ZHUDUN_CYBER_PDF"); f != "" {
		if err := os.WriteFile(f, res.body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if r := h.do("aud", "GET", "/api/v1/audit?action=cyber_report.export", nil); r.total() != 2 {
		t.Errorf("exports audited: %d, want 2 (xlsx, pdf)", r.total())
	}
}
