package casesheet

import (
	"bytes"
	"encoding/csv"
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/zhudun/zhudun"
)

// examples are one filled-in row per kind, shown on the notes sheet (not
// on the data sheets, where a forgotten example would be imported).
var examples = map[string][]string{
	zhudun.ImportCases:    {"TZ2025-017", "冒充客服退款诈骗案", "电信网络诈骗", "", "2025-11-03 09:30", "2025-11-05", "2026-01-10", "", "净网2025"},
	zhudun.ImportPeople:   {"R1", "TZ2025-017", "嫌疑人", "张三", "370102198503121233", "13855556666", "2025-12-02", ""},
	zhudun.ImportMeasures: {"", "TZ2025-017", "R1", "刑事拘留", "2025-12-02", "2025-12-30", "济南市公安局", "济公（刑）拘字〔2025〕101号"},
	zhudun.ImportSeizures: {"", "TZ2025-017", "资金", "1,234.56", "6222020200001234567", "中国工商银行", "冻结", "2025-12-03", "", "", "", "", "", "", ""},
}

// TemplateXLSX is the workbook template: a sheet per kind with the
// Chinese headers over columns formatted as text (so that Excel keeps a
// resident ID's 18 digits), and the notes sheet 说明 with every column,
// an example row per kind and the dictionaries' codes.
func TemplateXLSX() ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 49})
	if err != nil {
		return nil, err
	}
	textStyle, err := x.NewStyle(&excelize.Style{NumFmt: 49}) // 49: "@", text
	if err != nil {
		return nil, err
	}
	for i, sh := range Sheets {
		if i == 0 {
			if err := x.SetSheetName("Sheet1", sh.Name); err != nil {
				return nil, err
			}
		} else if _, err := x.NewSheet(sh.Name); err != nil {
			return nil, err
		}
		last, _ := excelize.ColumnNumberToName(len(sh.Columns))
		if err := x.SetColStyle(sh.Name, "A:"+last, textStyle); err != nil {
			return nil, err
		}
		if err := x.SetColWidth(sh.Name, "A", last, 18); err != nil {
			return nil, err
		}
		for j, c := range sh.Columns {
			cell, _ := excelize.CoordinatesToCellName(j+1, 1)
			if err := x.SetCellStr(sh.Name, cell, c.Header); err != nil {
				return nil, err
			}
			if err := x.SetCellStyle(sh.Name, cell, cell, bold); err != nil {
				return nil, err
			}
		}
	}
	if _, err := x.NewSheet(NotesSheet); err != nil {
		return nil, err
	}
	row := 1
	put := func(style int, cells ...string) error {
		for j, v := range cells {
			cell, _ := excelize.CoordinatesToCellName(j+1, row)
			if err := x.SetCellStr(NotesSheet, cell, v); err != nil {
				return err
			}
			if style != 0 {
				if err := x.SetCellStyle(NotesSheet, cell, cell, style); err != nil {
					return err
				}
			}
		}
		row++
		return nil
	}
	lines := [][]string{
		{"填写说明：每张表第一行为列名（中文或英文键名均可），自第二行起每行一条。日期写作 2025-12-02，时间为北京时间。"},
		{"整个文件一次导入：任何一行有问题则全部不导入，并列出每个问题所在的表、行和列；改正后重新导入整个文件即可。"},
		{"再次导入同一文件不会重复：案件按“导入编号”（单位内唯一）识别，其他各行按其导入编号（空则按整行内容）在所属案件内识别。"},
		{"后面的表用“案件”列指明案件：案件表的导入编号，或系统中已有案件的案件编号、受案编号（须在您的数据范围内）。"},
		{"金额以元为单位，最多两位小数（如 1,234.56），系统按“分”精确保存；身份证号、手机号请保持文本格式，勿让 Excel 转为数字。"},
	}
	for _, l := range lines {
		if err := put(0, l...); err != nil {
			return nil, err
		}
	}
	for _, sh := range Sheets {
		row++
		if err := put(bold, "表："+sh.Name+"（"+sh.Kind+"）"); err != nil {
			return nil, err
		}
		if err := put(bold, "列名", "键名", "必填", "说明", "示例"); err != nil {
			return nil, err
		}
		for j, c := range sh.Columns {
			req := ""
			if c.Required {
				req = "是"
			}
			if err := put(0, c.Header, c.Key, req, c.Note, examples[sh.Kind][j]); err != nil {
				return nil, err
			}
		}
	}
	dicts := []struct {
		title string
		items [][2]string
	}{
		{fmt.Sprintf("案件类别（字典第 %d 版）", zhudun.CaseTypesVersion), caseTypeList()},
		{"人员类别", roleList}, {"措施", measureList}, {"财物类别", seizureList}, {"资金状态", stateList}, {"设备类型", deviceList},
	}
	for _, d := range dicts {
		row++
		if err := put(bold, d.title, "代码"); err != nil {
			return nil, err
		}
		for _, it := range d.items {
			if err := put(0, it[1], it[0]); err != nil {
				return nil, err
			}
		}
	}
	if err := x.SetColWidth(NotesSheet, "A", "A", 24); err != nil {
		return nil, err
	}
	if err := x.SetColWidth(NotesSheet, "D", "E", 40); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func caseTypeList() [][2]string {
	out := make([][2]string, len(zhudun.CaseTypes))
	for i, t := range zhudun.CaseTypes {
		out[i] = [2]string{t.ID, t.Name}
	}
	return out
}

// TemplateCSV is one kind's CSV template: the header row, UTF-8 with a
// byte order mark so that Excel opens the Chinese headers as they are.
func TemplateCSV(kind string) ([]byte, error) {
	sh, ok := SheetFor(kind)
	if !ok {
		return nil, zhudun.FieldError("kind", "kind must be cases, people, measures or seizures")
	}
	var b bytes.Buffer
	b.WriteString("\xEF\xBB\xBF")
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	head := make([]string, len(sh.Columns))
	for i, c := range sh.Columns {
		head[i] = c.Header
	}
	if err := w.Write(head); err != nil {
		return nil, err
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// FilledTemplate is the workbook template with rows put in from the
// second row of each sheet named: a ledger as a clerk fills it, for tests
// and sample files.
func FilledTemplate(rows map[string][][]any) ([]byte, error) {
	tpl, err := TemplateXLSX()
	if err != nil {
		return nil, err
	}
	x, err := excelize.OpenReader(bytes.NewReader(tpl))
	if err != nil {
		return nil, err
	}
	defer x.Close()
	for sheet, rs := range rows {
		for i, r := range rs {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := x.SetSheetRow(sheet, cell, &r); err != nil {
				return nil, err
			}
		}
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
