package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/casesheet"
)

// caseLedger is the template filled with rows.
func caseLedger(t *testing.T, rows map[string][][]any) csvBody {
	t.Helper()
	b, err := casesheet.FilledTemplate(rows)
	if err != nil {
		t.Fatal(err)
	}
	return csvBody(b)
}

type importAnswer struct {
	Total    int
	Counts   map[string]zhudun.ImportCount
	Problems []struct {
		File, Sheet, Column, Cell, Message string
		Row                                int
	}
}

func (h *harness) importFile(user, name string, body csvBody) (response, importAnswer) {
	h.t.Helper()
	res := h.do(user, "POST", "/api/v1/cases/import?name="+url.QueryEscape(name), body)
	var a importAnswer
	json.Unmarshal(res.body, &a)
	return res, a
}

// TestCaseImportAPI: the clerk downloads the templates, fills last year's
// ledger in, and uploads it: first with a bad resident ID, a three-decimal
// amount and a department outside the scope — every problem named by
// file, sheet, row, column and cell, nothing stored — then corrected: the
// case, its suspect, the measure naming the suspect's row and the funds in
// fen; again: nothing twice; then a CSV of people for the case by its key;
// another division may not name it; a file too large is refused.
func TestCaseImportAPI(t *testing.T) {
	h := caseWorld(t)
	res := h.do("wa1", "GET", "/api/v1/cases/import/template", nil)
	if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), "application/vnd.openxmlformats") {
		t.Fatalf("template: %d %s", res.status, res.header)
	}
	x, err := excelize.OpenReader(bytes.NewReader(res.body))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(x.GetSheetList(), ","); got != "案件,人员,强制措施,涉案财物,说明" {
		t.Fatalf("template sheets %s", got)
	}
	if v, _ := x.GetCellValue("人员", "E1"); v != "身份证号" {
		t.Fatalf("人员!E1 = %q", v)
	}
	res = h.do("wa1", "GET", "/api/v1/cases/import/template?format=csv&kind=people", nil)
	if res.status != 200 || !bytes.HasPrefix(res.body, []byte("\xEF\xBB\xBF人员编号,案件,人员类别,姓名,身份证号")) {
		t.Fatalf("CSV template: %d %q", res.status, res.body)
	}
	if res := h.do("wa1", "GET", "/api/v1/cases/import/template?format=csv&kind=shoes", nil); res.status != 400 {
		t.Fatalf("CSV template of no kind: %d", res.status)
	}

	good := map[string][][]any{
		"案件":   {{"TZ2025-017", "冒充客服退款诈骗案", "电信网络诈骗", "WAZD", "2025-11-03 09:30", "2025-11-05"}},
		"人员":   {{"R1", "TZ2025-017", "嫌疑人", "张三", "370102198503121233", "13855556666", "2025-12-02"}},
		"强制措施": {{"", "TZ2025-017", "R1", "刑事拘留", "2025-12-02", "2025-12-30", "济南市公安局", "济公拘字〔2025〕101号"}},
		"涉案财物": {{"", "TZ2025-017", "资金", "1,234.56", "6222020200001234567", "中国工商银行", "冻结", "2025-12-03"}},
	}
	bad := map[string][][]any{
		"案件":   append(good["案件"], []any{"TZ2025-018", "治安支队的案", "其他", "ZAZD", "2025-11-04"}),
		"人员":   append(good["人员"], []any{"R2", "TZ2025-017", "受害人", "李四", "370102198503121234"}),
		"强制措施": good["强制措施"],
		"涉案财物": append(good["涉案财物"], []any{"", "TZ2025-017", "资金", "1.005", "6222020200001234568", "中国银行", "扣押", "", "2025-12-04"}),
	}
	res, a := h.importFile("wa1", "台账2025.xlsx", caseLedger(t, bad))
	if res.status != 400 || res.code() != zhudun.EINVALID || a.Total != 3 {
		t.Fatalf("bad ledger: %d %s", res.status, res.body)
	}
	var got []string
	for _, p := range a.Problems {
		got = append(got, fmt.Sprintf("%s!%s %d %s", p.Sheet, p.Cell, p.Row, p.Column))
		if p.File != "台账2025.xlsx" || p.Message == "" {
			t.Errorf("problem %+v", p)
		}
	}
	if want := "案件!D3 3 主办单位代码,人员!E3 3 身份证号,涉案财物!D3 3 金额（元）"; strings.Join(got, ",") != want {
		t.Fatalf("problems %v; want %s\n%s", got, want, res.body)
	}
	if res := h.do("wa1", "GET", "/api/v1/cases", nil); res.total() != 0 {
		t.Fatalf("%d cases after a rejected file; want none", res.total())
	}

	ledger := caseLedger(t, good)
	res, a = h.importFile("wa1", "台账2025.xlsx", ledger)
	want := map[string]zhudun.ImportCount{"cases": {Stored: 1}, "people": {Stored: 1}, "measures": {Stored: 1}, "seizures": {Stored: 1}}
	if res.status != 200 || fmt.Sprint(a.Counts) != fmt.Sprint(want) {
		t.Fatalf("good ledger: %d %s", res.status, res.body)
	}
	res = h.do("wa1", "GET", "/api/v1/cases?q=冒充客服", nil)
	var list struct{ Items []zhudun.Case }
	decodeInto(t, res, &list)
	if len(list.Items) != 1 || list.Items[0].Number != "济公网立WAZD〔2025〕0001号" || list.Items[0].Status != zhudun.CaseFiled {
		t.Fatalf("imported case: %s", res.body)
	}
	var c zhudun.CaseDetail
	decodeInto(t, h.do("wa1", "GET", fmt.Sprintf("/api/v1/cases/%d", list.Items[0].ID), nil), &c)
	if len(c.People) != 1 || c.People[0].IDNumberMasked == "370102198503121233" || len(c.Measures) != 1 || c.Measures[0].PersonID != c.People[0].PersonID ||
		len(c.Seizures) != 1 || c.Seizures[0].AmountFen != 123456 || c.Seizures[0].Amount != "1234.56" {
		t.Fatalf("the case's parts: %+v %+v %+v", c.People, c.Measures, c.Seizures)
	}

	// The same file again: nothing twice.
	res, a = h.importFile("wa1", "台账2025.xlsx", ledger)
	want = map[string]zhudun.ImportCount{"cases": {Skipped: 1}, "people": {Skipped: 1}, "measures": {Skipped: 1}, "seizures": {Skipped: 1}}
	if res.status != 200 || fmt.Sprint(a.Counts) != fmt.Sprint(want) {
		t.Fatalf("re-import: %d %s", res.status, res.body)
	}
	if res := h.do("wa1", "GET", "/api/v1/cases", nil); res.total() != 1 {
		t.Fatalf("%d cases after the re-import; want 1", res.total())
	}
	decodeInto(t, h.do("wa1", "GET", fmt.Sprintf("/api/v1/cases/%d", c.ID), nil), &c)
	if len(c.People) != 1 || len(c.Measures) != 1 || len(c.Seizures) != 1 {
		t.Fatalf("after the re-import: %d people, %d measures, %d seizures", len(c.People), len(c.Measures), len(c.Seizures))
	}

	// A CSV of people, English keys, naming the case by its import key.
	people := csvBody("\xEF\xBB\xBFcase,role,name,phone\r\nTZ2025-017,victim,李四,139 0000 1111\r\n")
	if res, a := h.importFile("wa1", "victims.csv", people); res.status != 200 || a.Counts["people"].Stored != 1 {
		t.Fatalf("people CSV: %d %s", res.status, res.body)
	}
	// ZAZD's analyst may not name WAZD's case, by key or by number.
	res, a = h.importFile("za1", "z.csv", csvBody("case,role,name\r\nTZ2025-017,witness,王五\r\n"+list.Items[0].Number+",witness,王五\r\n"))
	if res.status != 400 || len(a.Problems) != 2 || a.Problems[0].Column != "case" || a.Problems[0].Row != 2 || a.Problems[1].Row != 3 ||
		!strings.Contains(a.Problems[1].Message, "not found") {
		t.Fatalf("ZAZD names WAZD's case: %d %s", res.status, res.body)
	}
	// An officer holds no case:write.
	if res, _ := h.importFile("off1", "p.csv", people); res.status != 403 {
		t.Fatalf("officer imports: %d %s", res.status, res.body)
	}
	// Too large, and not a spreadsheet.
	if res, _ := h.importFile("wa1", "big.csv", csvBody(strings.Repeat("x", 11<<20))); res.status != 413 {
		t.Fatalf("11 MiB: %d %s", res.status, res.body)
	}
	if res, a := h.importFile("wa1", "old.xls", csvBody("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")); res.status != 400 || len(a.Problems) != 1 || !strings.Contains(a.Problems[0].Message, ".xlsx") {
		t.Fatalf(".xls: %d %s", res.status, res.body)
	}
	// Audited once per stored import, with counts and no personal data.
	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
	rows, n, err := h.store.FindAudit(sys, zhudun.AuditFilter{Action: "case.import", Limit: 10})
	if err != nil || n != 3 {
		t.Fatalf("%d case.import rows (%v); want 3 (two ledgers, one CSV)", n, err)
	}
	for _, r := range rows {
		// no personal data, and the file by its digest, not its name
		if d := string(r.Detail); strings.Contains(d, "370102198503121233") || strings.Contains(d, "13855556666") || !strings.Contains(d, `"counts"`) ||
			!strings.Contains(d, `"source":"sm3:`) || strings.Contains(d, ".xlsx") || strings.Contains(d, ".csv") {
			t.Errorf("audit detail %s", d)
		}
	}
}
