package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/zhudun/zhudun/casesheet"
)

// TestCaseImport (issue 12, item 6): the analyst opens 「批量导入」 on the
// case list, uploads last year's ledger with a wrong resident ID and sees
// the problem's sheet, row, column and cell (and the measure naming that
// person told so), nothing stored; uploads it
// corrected and sees the counts; the case is on the list, filed with its
// number.
func TestCaseImport(t *testing.T) {
	e := start(t)
	analyst := "wazd.analyst1"
	ana := e.apiLogin(t, analyst)
	idno := idNumber("37010219850312123")
	rows := func(id string) map[string][][]any {
		return map[string][][]any{
			"案件":   {{"TZ2025-017", "冒充客服退款诈骗案", "电信网络诈骗", "WAZD", "2025-11-03 09:30", "2025-11-05"}},
			"人员":   {{"R1", "TZ2025-017", "嫌疑人", "张三", id, "13855556666", "2025-12-02"}},
			"强制措施": {{"", "TZ2025-017", "R1", "刑事拘留", "2025-12-02", "2025-12-30", "济南市公安局", "济公拘字〔2025〕101号"}},
			"涉案财物": {{"", "TZ2025-017", "资金", "1,234.56", "6222020200001234567", "中国工商银行", "冻结", "2025-12-03"}},
		}
	}
	dir := t.TempDir()
	write := func(name string, r map[string][][]any) string {
		b, err := casesheet.FilledTemplate(r)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	badID := idno[:17] + map[bool]string{true: "0", false: "1"}[idno[17] != '0']
	badPath := write("bad-台账2025.xlsx", rows(badID))
	goodPath := write("台账2025.xlsx", rows(idno))

	p := e.newPage(t, "analyst", 1440, 900)
	p.login(analyst, e.password(analyst))
	p.open("/cases")
	p.click(`[data-testid="case-import"]`)
	p.waitVisible(`[data-testid="ci-template-xlsx"]`)
	p.do(chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="ci-file"]`), []string{badPath}))
	p.waitTextIn(`[data-testid="ci-file-name"]`, "bad-台账2025.xlsx")
	p.click(`[data-testid="ci-submit"]`)
	p.within(5*time.Second, "the problem table", visibleJS(`[data-testid="ci-problem-table"]`))
	probs := p.textOf(`[data-testid="ci-problems"]`)
	for _, want := range []string{"文件中有 2 处问题，未导入任何数据", "身份证号", "E2", "person R1 has problems of its own"} {
		if !strings.Contains(probs, want) {
			p.fatalf("the problems do not say %q: %q", want, probs)
		}
	}
	p.shot("case-import-problems")
	var list struct {
		Total int `json:"total"`
	}
	if ana.call("GET", "/cases", nil, &list); list.Total != 0 {
		p.fatalf("a refused file stored %d cases", list.Total)
	}

	p.do(chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="ci-file"]`), []string{goodPath}))
	p.click(`[data-testid="ci-submit"]`)
	p.within(5*time.Second, "the counts", visibleJS(`[data-testid="ci-counts"]`))
	for _, k := range []string{"cases", "people", "measures", "seizures"} {
		p.waitTextIn(`[data-testid="ci-stored-`+k+`"]`, "1")
	}
	p.shot("case-import-done")
	p.press("\x1b") // Escape closes the dialog
	p.waitTextIn(`[data-testid="cases-table"]`, "冒充客服退款诈骗案")
	p.waitTextIn(`[data-testid="cases-table"]`, "〔2025〕0001号")
}
