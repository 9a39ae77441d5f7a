package casesheet

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
)

func TestYuan(t *testing.T) {
	for in, want := range map[string]string{
		"1,234.56": "1234.56", "¥1,234.56": "1234.56", "1234.56元": "1234.56", "1，234，567.8": "1234567.8",
		"12,34.5": "12,34.5", "1.005": "1.005", " 80 ": "80", "1,234,567": "1234567", "-1": "-1",
	} {
		if got := Yuan(in); got != want {
			t.Errorf("Yuan(%q) = %q; want %q", in, got, want)
		}
	}
	// What the domain makes of them: fen exactly, three decimals refused.
	if fen, err := zhudun.ParseFen(Yuan("1,234.56")); err != nil || fen != 123456 {
		t.Errorf("1,234.56 → %d %v; want 123456", fen, err)
	}
	if _, err := zhudun.ParseFen(Yuan("1,234.567")); err == nil {
		t.Error("three decimals accepted")
	}
}

func TestParseDay(t *testing.T) {
	for in, want := range map[string]string{"2025-12-02": "2025-12-02", "2025/12/2": "2025-12-02", "2025.1.9": "2025-01-09",
		"2025年12月2日": "2025-12-02", "45993": "2025-12-02"} {
		if got, err := parseDay(in, true); err != nil || got != want {
			t.Errorf("parseDay(%q) = %q %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"2025-02-30", "12/02/2025", "昨天", ""} {
		if got, err := parseDay(in, true); err == nil {
			t.Errorf("parseDay(%q) = %q; want an error", in, got)
		}
	}
	if _, err := parseDay("45993", false); err == nil {
		t.Error("a CSV's number read as a day")
	}
	m, err := parseMoment("2025-11-03 09:30", false)
	if err != nil || m.UTC().Format("2006-01-02 15:04") != "2025-11-03 01:30" {
		t.Errorf("moment %v %v; want 01:30 UTC", m, err)
	}
}

// workbook is the template filled with rows.
func workbook(t *testing.T, rows map[string][][]any) []byte {
	t.Helper()
	b, err := FilledTemplate(rows)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseWorkbook(t *testing.T) {
	data := workbook(t, map[string][][]any{
		"案件":   {{"TZ-1", "冒充客服诈骗案", "电信网络诈骗", "SB1", "2025-11-03 09:30", "2025/11/5", "", "", "净网2025；四断"}},
		"人员":   {{"R1", "TZ-1", "嫌疑人", "张三", "370102198503121233", "13855556666", "2025-12-02"}},
		"强制措施": {{"", "TZ-1", "R1", "刑事拘留", "2025-12-02", "", "济南市公安局", "济公拘字1号"}},
		"涉案财物": {
			{"", "TZ-1", "资金", "1,234.56", "6222020200001234567", "工商银行", "冻结", "2025-12-03"},
			{"", "TZ-1", "设备", "", "", "", "", "", "2025-12-03", "", 2, "861234567890123；861234567890124", "猫池", 32},
			{"Z3", "TZ-1", "银行卡", "", "", "", "", "", "2025年12月3日"},
		},
	})
	p, probs := Parse("台账.xlsx", data, "")
	if len(probs) != 0 {
		t.Fatalf("problems %+v", probs)
	}
	c := p.Import.Cases[0]
	if c.Key != "TZ-1" || c.Type != "telecom_fraud" || c.Dept != "SB1" || c.ReceivedAt.UTC().Format("2006-01-02 15:04") != "2025-11-03 01:30" ||
		c.FiledAt == nil || c.SolvedAt != nil || fmt.Sprint(c.CampaignNames) != "[净网2025 四断]" {
		t.Fatalf("case %+v", c)
	}
	if pp := p.Import.People[0]; pp.Role != zhudun.RoleSuspect || pp.IDNumber != "370102198503121233" || pp.ApprehendedOn != "2025-12-02" || pp.Case != "TZ-1" {
		t.Fatalf("person %+v", pp)
	}
	if m := p.Import.Measures[0]; m.Kind != zhudun.MeasureDetention || m.PersonRef != "R1" || !strings.HasPrefix(m.Key, "auto:") {
		t.Fatalf("measure %+v", m)
	}
	zs := p.Import.Seizures
	if len(zs) != 3 || zs[0].Amount != "1234.56" || zs[0].State != zhudun.FundsFrozen || zs[1].DeviceType != "cat_pool" || zs[1].Slots != 32 ||
		zs[1].Count != 2 || len(zs[1].Items) != 2 || zs[2].Key != "Z3" || zs[2].SeizedOn != "2025-12-03" {
		t.Fatalf("seizures %+v", zs)
	}
	// The store's problem of the first seizure's amount is located back.
	loc := p.Locate(zhudun.CaseImportProblem{Kind: zhudun.ImportSeizures, Row: 0, Field: "amount", Message: "bad"})
	if loc.File != "台账.xlsx" || loc.Sheet != "涉案财物" || loc.Row != 2 || loc.Column != "金额（元）" || loc.Cell != "D2" {
		t.Fatalf("located %+v", loc)
	}
}

func TestParseProblems(t *testing.T) {
	data := workbook(t, map[string][][]any{
		"案件": {{"", "无编号案", "other", "", "2025-11-03"}, {"TZ-2", "坏日期", "other", "", "2025-13-03"}},
		"人员": {{"", "TZ-2", "嫌疑人", "张三", "3.70102198503121E+17"}},
	})
	_, probs := Parse("f.xlsx", data, "")
	var got []string
	for _, p := range probs {
		got = append(got, fmt.Sprintf("%s %d %s %s", p.Sheet, p.Row, p.Column, p.Cell))
	}
	want := []string{"案件 2 导入编号 A2", "案件 3 受案时间 E3", "人员 2 身份证号 E2"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("problems %v; want %v (%+v)", got, want, probs)
	}
	// A CSV: the kind told by the header, English keys, an unknown column.
	_, probs = Parse("p.csv", []byte("case,role,name,shoe_size\nTZ-1,suspect,张三,42\n"), "")
	if len(probs) != 1 || probs[0].Column != "shoe_size" || probs[0].Row != 1 {
		t.Fatalf("unknown column: %+v", probs)
	}
	if _, probs = Parse("x.xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), ""); len(probs) != 1 || !strings.Contains(probs[0].Message, ".xls") {
		t.Fatalf("xls: %+v", probs)
	}
}

func TestParseCSV(t *testing.T) {
	tpl, err := TemplateCSV(zhudun.ImportSeizures)
	if err != nil || !bytes.HasPrefix(tpl, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("template %q %v", tpl, err)
	}
	data := append(tpl, []byte("Z1,TZ-1,资金,\"1,234.56\",6222020200001234567,工商银行,冻结,2025-12-03,,,,,,,\r\n")...)
	p, probs := Parse("z.csv", data, "")
	if len(probs) != 0 || len(p.Import.Seizures) != 1 || p.Import.Seizures[0].Amount != "1234.56" {
		t.Fatalf("%+v %+v", p.Import, probs)
	}
	loc := p.Locate(zhudun.CaseImportProblem{Kind: zhudun.ImportSeizures, Row: 0, Field: "amount", Message: "x"})
	if loc.Sheet != "" || loc.Row != 2 || loc.Column != "金额（元）" || loc.Cell != "" {
		t.Fatalf("located %+v", loc)
	}
	// GB18030, as Excel's plain "CSV" writes it on a Chinese Windows.
	gbk := []byte("\xb0\xb8\xbc\xfe,\xc8\xcb\xd4\xb1\xc0\xe0\xb1\xf0,\xd0\xd5\xc3\xfb\r\nTZ-1,\xcf\xd3\xd2\xc9\xc8\xcb,\xd5\xc5\xc8\xfd\r\n") // 案件,人员类别,姓名 / TZ-1,嫌疑人,张三
	p, probs = Parse("gbk.csv", gbk, "")
	if len(probs) != 0 || len(p.Import.People) != 1 || p.Import.People[0].Name != "张三" || p.Import.People[0].Role != zhudun.RoleSuspect {
		t.Fatalf("GB18030: %+v %+v", p.Import.People, probs)
	}
}

// FuzzParse: any bytes give an import and problems, never a panic; every
// row kept is located in the file.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, _ := Parse("f", data, "")
		for _, k := range zhudun.ImportKinds {
			if len(p.where[k]) != map[string]int{zhudun.ImportCases: len(p.Import.Cases), zhudun.ImportPeople: len(p.Import.People),
				zhudun.ImportMeasures: len(p.Import.Measures), zhudun.ImportSeizures: len(p.Import.Seizures)}[k] {
				t.Fatalf("%s: %d rows located, %d read", k, len(p.where[k]), len(p.Import.Cases))
			}
		}
		for _, z := range p.Import.Seizures {
			if z.Amount != "" {
				_, _ = zhudun.ParseFen(z.Amount)
			}
		}
	})
}
