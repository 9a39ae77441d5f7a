// Package casesheet reads and writes the bulk-entry templates of cases
// (docs/cases.md, "Bulk import"): one .xlsx workbook with a sheet per
// kind — 案件, 人员, 强制措施, 涉案财物 — and a notes sheet 说明, or one
// CSV file per kind. It checks form (dates, counts, the amount's text,
// known columns) and turns the rows into a zhudun.CaseImport; the domain
// and the store check meaning, and their problems are located back to the
// file, sheet, row and column by Locate.
package casesheet

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/internal/csvtext"
	"github.com/zhudun/zhudun/internal/xlsxread"
)

// Column is one column of a sheet: Key is the API's field name (accepted
// as a header too), Header the Chinese header of the templates.
type Column struct {
	Key      string
	Header   string
	Required bool
	Note     string
}

// Sheet is the layout of one kind's rows.
type Sheet struct {
	Kind    string
	Name    string // the sheet's Chinese name (the workbook's tab)
	Columns []Column
}

// Sheets are the kinds in the order they are stored: a later kind's rows
// name cases of an earlier one (案件 by 导入编号, number or receipt).
var Sheets = []Sheet{
	{zhudun.ImportCases, "案件", []Column{
		{"key", "导入编号", true, "本单位台账中该案的编号，单位内唯一；再次导入同一编号不会重复建案"},
		{"title", "案件名称", true, "2–200 字"},
		{"type", "案件类别", true, "类别代码或名称，见下表"},
		{"dept", "主办单位代码", false, "空则为导入人所在单位；须在导入人的数据范围内"},
		{"received_at", "受案时间", true, "2025-11-03 或 2025-11-03 09:30（北京时间）"},
		{"filed_at", "立案时间", false, "填写则立案并按立案年度编号（与系统内立案相同）"},
		{"solved_at", "破案时间", false, "须先有立案时间"},
		{"transferred_at", "移送起诉时间", false, "须先有破案时间"},
		{"campaigns", "专项行动", false, "专项行动名称，多个用“；”分隔"},
	}},
	{zhudun.ImportPeople, "人员", []Column{
		{"key", "人员编号", false, "强制措施表可用它指明人员；空则按行内容生成"},
		{"case", "案件", true, "案件表的导入编号，或已有案件的案件编号/受案编号"},
		{"role", "人员类别", true, "嫌疑人、受害人、证人（suspect, victim, witness）"},
		{"name", "姓名", true, ""},
		{"id_number", "身份证号", false, "18 位，校验码按 GB 11643 检查；同一身份证号跨案为同一人"},
		{"phone", "手机号", false, ""},
		{"apprehended_on", "抓获日期", false, "仅嫌疑人"},
		{"note", "备注", false, ""},
	}},
	{zhudun.ImportMeasures, "强制措施", []Column{
		{"key", "导入编号", false, "空则按行内容生成"},
		{"case", "案件", true, "同人员表"},
		{"person", "人员", true, "该案嫌疑人的身份证号，或人员表的人员编号"},
		{"kind", "措施", true, "措施代码或名称，见下表"},
		{"from", "起始日期", true, ""},
		{"to", "截止日期", false, ""},
		{"authority", "决定机关", true, ""},
		{"document_no", "文书编号", true, ""},
	}},
	{zhudun.ImportSeizures, "涉案财物", []Column{
		{"key", "导入编号", false, "空则按行内容生成"},
		{"case", "案件", true, "同人员表"},
		{"kind", "财物类别", true, "资金、手机卡、银行卡、设备、账号，见下表"},
		{"amount", "金额（元）", false, "资金：如 1,234.56，最多两位小数"},
		{"account", "账户", false, "资金"},
		{"bank", "开户行", false, "资金"},
		{"state", "资金状态", false, "冻结、扣押、返还"},
		{"frozen_on", "冻结日期", false, "资金"},
		{"seized_on", "扣押日期", false, "资金（扣押时）及其他各类"},
		{"returned_on", "返还日期", false, "资金"},
		{"count", "数量", false, "手机卡、银行卡、设备、账号"},
		{"items", "号码清单", false, "卡号、IMEI 或账号（平台:账号），多个用“；”或换行分隔"},
		{"device_type", "设备类型", false, "猫池、GoIP、手机、电脑、服务器"},
		{"slots", "卡槽/通道数", false, "猫池、GoIP 必填"},
		{"note", "备注", false, ""},
	}},
}

// NotesSheet is the workbook's sheet of explanations, ignored on import.
const NotesSheet = "说明"

// SheetFor returns the layout of a kind.
func SheetFor(kind string) (*Sheet, bool) {
	for i := range Sheets {
		if Sheets[i].Kind == kind {
			return &Sheets[i], true
		}
	}
	return nil, false
}

// Problem is one problem of a file, named by file, sheet (empty for a
// CSV), row (1 is the header), column (the file's header) and cell.
type Problem struct {
	File    string `json:"file"`
	Sheet   string `json:"sheet,omitempty"`
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Cell    string `json:"cell,omitempty"` // "C5" in a workbook
	Message string `json:"message"`
}

// Parsed is a file read: the import and where each row came from, to
// locate the store's problems.
type Parsed struct {
	File   string
	Import zhudun.CaseImport
	where  map[string][]rowAt // by kind, one per row of the import
}

type rowAt struct {
	sheet string
	row   int
	cols  map[string]int // key → column index (0-based), as in the file
	heads []string
	xlsx  bool
}

// MaxRows bounds the rows of one file, all sheets together.
const MaxRows = 5000

// Format of a file, told by its first bytes.
const (
	FormatXLSX = "xlsx"
	FormatCSV  = "csv"
)

// ErrXLS is the legacy binary workbook (.xls), which is not read.
var ErrXLS = errors.New("this is an old .xls workbook: save it as .xlsx (Excel 工作簿) or CSV UTF-8")

// Detect tells a workbook (a zip) from CSV text by the content, not the
// name.
func Detect(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return FormatXLSX, nil
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return "", ErrXLS
	case bytes.IndexByte(data[:min(len(data), 8192)], 0) >= 0:
		return "", errors.New("this is neither an .xlsx workbook nor CSV text")
	}
	return FormatCSV, nil
}

// Parse reads a file: a workbook with any of the kinds' sheets, or a CSV
// of one kind (csvKind; "" tells it by the header). Every problem of form
// is returned at once; rows with problems are left out of the import.
func Parse(file string, data []byte, csvKind string) (*Parsed, []Problem) {
	p := &Parsed{File: file, Import: zhudun.CaseImport{Source: file}, where: map[string][]rowAt{}}
	format, err := Detect(data)
	if err != nil {
		return p, []Problem{{File: file, Message: err.Error()}}
	}
	var probs []Problem
	if format == FormatXLSX {
		probs = p.readXLSX(data)
	} else {
		probs = p.readCSV(data, csvKind)
	}
	return p, probs
}

func (p *Parsed) readXLSX(data []byte) []Problem {
	if msg := xlsxread.FarCells(data); msg != "" {
		return []Problem{{File: p.File, Message: msg}}
	}
	x, err := excelize.OpenReader(bytes.NewReader(data), xlsxread.Options)
	if err != nil {
		return []Problem{{File: p.File, Message: "not a readable .xlsx workbook: " + err.Error()}}
	}
	defer x.Close()
	var probs []Problem
	found := 0
	for _, name := range x.GetSheetList() {
		if strings.TrimSpace(name) == NotesSheet || strings.EqualFold(strings.TrimSpace(name), "notes") {
			continue
		}
		sh := sheetNamed(name)
		if sh == nil {
			probs = append(probs, Problem{File: p.File, Sheet: name, Message: "unknown sheet: the sheets are 案件, 人员, 强制措施 and 涉案财物 (and 说明)"})
			continue
		}
		rows, lines, err := xlsxread.Rows(x, name, MaxRows+1)
		if err != nil {
			probs = append(probs, Problem{File: p.File, Sheet: name, Message: "the sheet cannot be read: " + err.Error()})
			continue
		}
		found++
		probs = append(probs, p.readRows(sh, name, rows, lines, true)...)
	}
	if found == 0 && len(probs) == 0 {
		probs = append(probs, Problem{File: p.File, Message: "the workbook has none of the sheets 案件, 人员, 强制措施, 涉案财物"})
	}
	return probs
}

func sheetNamed(name string) *Sheet {
	name = strings.TrimSpace(name)
	for i := range Sheets {
		if Sheets[i].Name == name || strings.EqualFold(Sheets[i].Kind, name) {
			return &Sheets[i]
		}
	}
	return nil
}

func (p *Parsed) readCSV(data []byte, kind string) []Problem {
	// Excel's "CSV (逗号分隔)" on a Chinese Windows writes GB18030.
	data, err := csvtext.UTF8(data)
	if err != nil {
		return []Problem{{File: p.File, Message: err.Error()}}
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	var rows [][]string
	var lines []int
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := len(lines) + 1
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return []Problem{{File: p.File, Row: line, Message: "not valid CSV: " + err.Error()}}
		}
		l, _ := cr.FieldPos(0)
		rows, lines = append(rows, rec), append(lines, l)
		if len(rows) > MaxRows+1 {
			return []Problem{{File: p.File, Message: fmt.Sprintf("more than %d rows: split the file", MaxRows)}}
		}
	}
	if len(rows) == 0 {
		return []Problem{{File: p.File, Row: 1, Message: "the file is empty: the first row names the columns"}}
	}
	var sh *Sheet
	if kind != "" {
		s, ok := SheetFor(kind)
		if !ok {
			return []Problem{{File: p.File, Message: fmt.Sprintf("unknown kind %q: cases, people, measures or seizures", kind)}}
		}
		sh = s
	} else if sh = kindByHeader(rows[0]); sh == nil {
		return []Problem{{File: p.File, Row: 1, Message: "the header matches none of the templates: use the CSV template of the kind"}}
	}
	return p.readRows(sh, "", rows, lines, false)
}

// kindByHeader tells a CSV's kind by the columns only it has: 案件名称
// (cases), 姓名 (people), 决定机关 (measures), 财物类别 (seizures).
func kindByHeader(head []string) *Sheet {
	marks := map[string]string{"title": zhudun.ImportCases, "name": zhudun.ImportPeople, "authority": zhudun.ImportMeasures, "amount": zhudun.ImportSeizures, "count": zhudun.ImportSeizures}
	for _, h := range head {
		for i := range Sheets {
			if c := columnNamed(&Sheets[i], h); c != nil && marks[c.Key] == Sheets[i].Kind {
				return &Sheets[i]
			}
		}
	}
	return nil
}

var parens = regexp.MustCompile(`[（(][^）)]*[）)]`)

// columnNamed matches a header to a column: its Chinese header or its key,
// with spaces, a required mark "*" and a parenthesised note ignored.
func columnNamed(sh *Sheet, h string) *Column {
	h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
	bare := strings.ToLower(strings.Trim(strings.ReplaceAll(parens.ReplaceAllString(h, ""), " ", ""), "*＊"))
	for i := range sh.Columns {
		c := &sh.Columns[i]
		if bare == c.Key || strings.EqualFold(h, c.Header) || bare == strings.Trim(parens.ReplaceAllString(c.Header, ""), " ") {
			return c
		}
	}
	return nil
}

// readRows reads one sheet's (or CSV's) rows; lines gives each row's
// number in the file.
func (p *Parsed) readRows(sh *Sheet, sheet string, rows [][]string, lines []int, xlsx bool) []Problem {
	var probs []Problem
	if len(rows) == 0 {
		return nil // an empty sheet: nothing of that kind
	}
	at := rowAt{sheet: sheet, cols: map[string]int{}, heads: rows[0], xlsx: xlsx}
	headProblem := func(col int, msg string) {
		pr := Problem{File: p.File, Sheet: sheet, Row: lines[0], Message: msg}
		if col >= 0 {
			pr.Column = strings.TrimSpace(rows[0][col])
			if xlsx {
				pr.Cell, _ = excelize.CoordinatesToCellName(col+1, lines[0])
			}
		}
		probs = append(probs, pr)
	}
	for i, h := range rows[0] {
		if strings.TrimSpace(h) == "" {
			continue
		}
		c := columnNamed(sh, h)
		if c == nil {
			headProblem(i, "unknown column: the columns are the template's")
			continue
		}
		if _, dup := at.cols[c.Key]; dup {
			headProblem(i, "the column appears twice")
			continue
		}
		at.cols[c.Key] = i
	}
	for _, c := range sh.Columns {
		if _, ok := at.cols[c.Key]; c.Required && !ok {
			headProblem(-1, fmt.Sprintf("required column %s (%s) missing", c.Header, c.Key))
		}
	}
	if len(probs) > 0 {
		return probs
	}
	for r := 1; r < len(rows); r++ {
		rec := rows[r]
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue
		}
		if p.Rows()+len(probs) > MaxRows {
			return append(probs, Problem{File: p.File, Sheet: sheet, Row: lines[r], Message: fmt.Sprintf("more than %d rows: split the file", MaxRows)})
		}
		a := at
		a.row = lines[r]
		get := func(key string) string {
			if i, ok := at.cols[key]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		var rp []Problem
		bad := func(key, msg string) { rp = append(rp, a.problem(p.File, key, msg)) }
		for _, c := range sh.Columns {
			if c.Required && get(c.Key) == "" && c.Key != "key" {
				bad(c.Key, "required")
			}
		}
		if len(rp) == 0 {
			p.readRow(sh.Kind, get, bad, rec, at)
			if len(rp) > 0 {
				p.dropLast(sh.Kind)
			}
		}
		if len(rp) > 0 {
			if k := get("key"); sh.Kind == zhudun.ImportCases && k != "" {
				p.Import.RefusedCaseKeys = append(p.Import.RefusedCaseKeys, k)
			}
			probs = append(probs, rp...)
			continue
		}
		p.where[sh.Kind] = append(p.where[sh.Kind], a)
	}
	return probs
}

// problem locates a problem of column key in this row.
func (a rowAt) problem(file, key, msg string) Problem {
	pr := Problem{File: file, Sheet: a.sheet, Row: a.row, Message: msg}
	if i, ok := a.cols[key]; ok {
		pr.Column = strings.TrimSpace(a.heads[i])
		if a.xlsx {
			pr.Cell, _ = excelize.CoordinatesToCellName(i+1, a.row)
		}
	} else if key != "" {
		pr.Column = key
	}
	return pr
}

// readRow turns one row into its kind's import row, noting problems of
// form with bad; the row is kept only when bad was not called.
func (p *Parsed) readRow(kind string, get func(string) string, bad func(key, msg string), rec []string, at rowAt) {
	day := func(key string) string {
		v := get(key)
		if v == "" {
			return ""
		}
		d, err := parseDay(v, at.xlsx)
		if err != nil {
			bad(key, err.Error())
		}
		return d
	}
	moment := func(key string) *time.Time {
		v := get(key)
		if v == "" {
			return nil
		}
		t, err := parseMoment(v, at.xlsx)
		if err != nil {
			bad(key, err.Error())
			return nil
		}
		return &t
	}
	count := func(key string) int {
		v := get(key)
		if v == "" {
			return 0
		}
		n, err := parseCount(v)
		if err != nil {
			bad(key, err.Error())
		}
		return n
	}
	text := func(key string) string {
		v := get(key)
		if sciRE.MatchString(v) {
			bad(key, "Excel stored this as a number and lost digits: format the column as text (the template does) and type it again")
		}
		return v
	}
	key := get("key")
	switch kind {
	case zhudun.ImportCases:
		if key == "" {
			bad("key", "required: the case's number in your ledger, so that importing the file again creates nothing twice")
		}
		c := zhudun.ImportCase{Key: key, NewCase: zhudun.NewCase{Title: get("title"), Type: code(caseTypeNames, get("type")), Dept: get("dept"),
			ReceivedAt: moment("received_at")}, FiledAt: moment("filed_at"), SolvedAt: moment("solved_at"), TransferredAt: moment("transferred_at"),
			CampaignNames: splitList(get("campaigns"))}
		p.Import.Cases = append(p.Import.Cases, c)
	case zhudun.ImportPeople:
		n := zhudun.ImportPerson{Key: key, Case: get("case"), NewCasePerson: zhudun.NewCasePerson{Role: code(roleNames, get("role")), Name: get("name"),
			IDNumber: text("id_number"), Phone: text("phone"), ApprehendedOn: day("apprehended_on"), Note: get("note")}}
		p.Import.People = append(p.Import.People, n)
	case zhudun.ImportMeasures:
		m := zhudun.ImportMeasure{Key: key, Case: get("case"), PersonRef: text("person"), NewMeasure: zhudun.NewMeasure{Kind: code(measureNames, get("kind")),
			From: day("from"), To: day("to"), Authority: get("authority"), DocumentNo: get("document_no")}}
		p.Import.Measures = append(p.Import.Measures, m)
	case zhudun.ImportSeizures:
		z := zhudun.ImportSeizure{Key: key, Case: get("case"), NewSeizure: zhudun.NewSeizure{Kind: code(seizureNames, get("kind")), Amount: Yuan(get("amount")),
			Account: text("account"), Bank: get("bank"), State: code(stateNames, get("state")), FrozenOn: day("frozen_on"), SeizedOn: day("seized_on"),
			ReturnedOn: day("returned_on"), Count: count("count"), Items: splitItems(text("items")), DeviceType: code(deviceNames, get("device_type")),
			Slots: count("slots"), Note: get("note")}}
		p.Import.Seizures = append(p.Import.Seizures, z)
	}
	if key == "" && kind != zhudun.ImportCases {
		p.setKey(kind, "auto:"+rowDigest(rec))
	}
}

// setKey sets the key of the kind's last row.
func (p *Parsed) setKey(kind, key string) {
	switch kind {
	case zhudun.ImportPeople:
		p.Import.People[len(p.Import.People)-1].Key = key
	case zhudun.ImportMeasures:
		p.Import.Measures[len(p.Import.Measures)-1].Key = key
	case zhudun.ImportSeizures:
		p.Import.Seizures[len(p.Import.Seizures)-1].Key = key
	}
}

// dropLast removes the kind's last row: it had problems of form.
func (p *Parsed) dropLast(kind string) {
	switch kind {
	case zhudun.ImportCases:
		p.Import.Cases = p.Import.Cases[:len(p.Import.Cases)-1]
	case zhudun.ImportPeople:
		p.Import.People = p.Import.People[:len(p.Import.People)-1]
	case zhudun.ImportMeasures:
		p.Import.Measures = p.Import.Measures[:len(p.Import.Measures)-1]
	case zhudun.ImportSeizures:
		p.Import.Seizures = p.Import.Seizures[:len(p.Import.Seizures)-1]
	}
}

// rowDigest is the key of a row without one: its cells' digest, so that
// the same row imported again is found again (a row changed since is a new
// row: give rows keys to correct them in place).
func rowDigest(rec []string) string {
	h := sha256.New()
	for _, c := range rec {
		h.Write([]byte(strings.TrimSpace(c)))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:24]
}

// Locate names the file, sheet, row and column of a problem the store
// found in the import p was read into.
func (p *Parsed) Locate(pr zhudun.CaseImportProblem) Problem {
	rows := p.where[pr.Kind]
	if pr.Row < 0 || pr.Row >= len(rows) {
		return Problem{File: p.File, Message: pr.Message}
	}
	return rows[pr.Row].problem(p.File, pr.Field, pr.Message)
}

// Rows is the number of rows read.
func (p *Parsed) Rows() int {
	i := p.Import
	return len(i.Cases) + len(i.People) + len(i.Measures) + len(i.Seizures)
}

var sciRE = regexp.MustCompile(`^[0-9.]+[eE][+-]?[0-9]+$`)

var groupedRE = regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$`)

// Yuan normalises an amount as clerks write it — "¥1,234.56", "1234.56元",
// "1，234.56" — to the domain's plain yuan text ("1234.56"), by text only:
// thousands separators are dropped only where they group by three, so
// "12,34" stays and is refused by zhudun.ParseFen, as are three decimals.
func Yuan(v string) string {
	v = strings.TrimSpace(v)
	for _, cut := range []string{"¥", "￥", "元", "RMB", "CNY", " "} {
		v = strings.ReplaceAll(v, cut, "")
	}
	v = strings.ReplaceAll(v, "，", ",")
	if groupedRE.MatchString(v) {
		v = strings.ReplaceAll(v, ",", "")
	}
	return v
}

var countRE = regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})*$|^[0-9]+$`)

func parseCount(v string) (int, error) {
	v = strings.ReplaceAll(v, "，", ",")
	if !countRE.MatchString(v) || len(v) > 12 {
		return 0, errors.New("a whole number is required, like 1200 or 1,200,000")
	}
	n, err := strconv.Atoi(strings.ReplaceAll(v, ",", ""))
	if err != nil {
		return 0, errors.New("a whole number is required")
	}
	return n, nil
}

var dayRE = regexp.MustCompile(`^([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?$`)

// parseDay reads a calendar day: 2025-12-02, 2025/12/2, 2025.12.2,
// 2025年12月2日, or in a workbook Excel's day number.
func parseDay(v string, xlsx bool) (string, error) {
	if m := dayRE.FindStringSubmatch(v); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
		if t.Year() != y || int(t.Month()) != mo || t.Day() != d {
			return "", errors.New("no such day")
		}
		return t.Format(time.DateOnly), nil
	}
	if xlsx {
		if t, ok := excelDay(v); ok {
			return t.Format(time.DateOnly), nil
		}
	}
	return "", errors.New("a day like 2025-12-02 is required")
}

// excelDay reads Excel's day number (days since 1899-12-30, the fraction
// the time of day) of a date cell.
func excelDay(v string) (time.Time, bool) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 1 || f > 2958465 {
		return time.Time{}, false
	}
	t, err := excelize.ExcelDateToTime(f, false)
	if err != nil {
		return time.Time{}, false
	}
	return t.Round(time.Second), true
}

// parseMoment reads a lifecycle moment in China time: a day (its
// midnight) or a day with the time, or Excel's date and time.
func parseMoment(v string, xlsx bool) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006/1/2 15:04:05", "2006/1/2 15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, v, zhudun.CST()); err == nil {
			return t, nil
		}
	}
	if m := dayRE.FindStringSubmatch(v); m != nil {
		d, err := parseDay(v, false)
		if err != nil {
			return time.Time{}, err
		}
		return time.ParseInLocation(time.DateOnly, d, zhudun.CST())
	}
	if xlsx {
		if t, ok := excelDay(v); ok {
			// Excel's moment has no zone: it is the clock on the wall in China
			return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, zhudun.CST()), nil
		}
	}
	return time.Time{}, errors.New("a day like 2025-11-03 or a moment like 2025-11-03 09:30 (China time) is required")
}

var listSep = regexp.MustCompile(`[;；、,，\r\n]+`)

func splitList(v string) []string {
	var out []string
	for _, s := range listSep.Split(v, -1) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// splitItems splits a list of numbers, IMEIs or accounts; white space
// separates too (an account is one word: platform:account).
func splitItems(v string) []string {
	var out []string
	for _, s := range splitList(v) {
		out = append(out, strings.Fields(s)...)
	}
	return out
}

// code maps a Chinese name of a dictionary entry to its code; anything
// else is given as written, for the domain to accept or refuse.
func code(names map[string]string, v string) string {
	if c, ok := names[v]; ok {
		return c
	}
	if c, ok := names[strings.ToLower(v)]; ok {
		return c
	}
	return v
}

var (
	roleNames = map[string]string{"嫌疑人": zhudun.RoleSuspect, "犯罪嫌疑人": zhudun.RoleSuspect, "受害人": zhudun.RoleVictim,
		"被害人": zhudun.RoleVictim, "证人": zhudun.RoleWitness}
	measureNames = map[string]string{"拘传": zhudun.MeasureCompelledAppearance, "取保候审": zhudun.MeasureBail,
		"监视居住": zhudun.MeasureResidentialSurveillance, "刑事拘留": zhudun.MeasureDetention, "刑拘": zhudun.MeasureDetention,
		"逮捕": zhudun.MeasureArrest, "传唤": zhudun.MeasureSummons}
	seizureNames = map[string]string{"资金": zhudun.SeizureFunds, "手机卡": zhudun.SeizureSIMCards, "sim卡": zhudun.SeizureSIMCards,
		"电话卡": zhudun.SeizureSIMCards, "银行卡": zhudun.SeizureBankCards, "设备": zhudun.SeizureDevices, "账号": zhudun.SeizureAccounts,
		"恶意账号": zhudun.SeizureAccounts}
	stateNames  = map[string]string{"冻结": zhudun.FundsFrozen, "扣押": zhudun.FundsSeized, "扣划": zhudun.FundsSeized, "返还": zhudun.FundsReturned}
	deviceNames = map[string]string{"猫池": "cat_pool", "goip": "goip", "手机": "phone", "电脑": "computer", "计算机": "computer", "服务器": "server"}
	// caseTypeNames maps the dictionary's names to its codes (built from
	// zhudun.CaseTypes, so a new edition needs no change here).
	caseTypeNames = func() map[string]string {
		m := map[string]string{}
		for _, t := range zhudun.CaseTypes {
			m[t.Name] = t.ID
		}
		return m
	}()
)

// Names of the dictionaries' entries as the notes sheet lists them.
var (
	roleList    = [][2]string{{zhudun.RoleSuspect, "嫌疑人"}, {zhudun.RoleVictim, "受害人"}, {zhudun.RoleWitness, "证人"}}
	measureList = [][2]string{{zhudun.MeasureCompelledAppearance, "拘传"}, {zhudun.MeasureBail, "取保候审"}, {zhudun.MeasureResidentialSurveillance, "监视居住"},
		{zhudun.MeasureDetention, "刑事拘留"}, {zhudun.MeasureArrest, "逮捕"}, {zhudun.MeasureSummons, "传唤（不计入强制措施）"}}
	seizureList = [][2]string{{zhudun.SeizureFunds, "资金"}, {zhudun.SeizureSIMCards, "手机卡"}, {zhudun.SeizureBankCards, "银行卡"},
		{zhudun.SeizureDevices, "设备"}, {zhudun.SeizureAccounts, "账号"}}
	stateList  = [][2]string{{zhudun.FundsFrozen, "冻结"}, {zhudun.FundsSeized, "扣押"}, {zhudun.FundsReturned, "返还"}}
	deviceList = [][2]string{{"cat_pool", "猫池"}, {"goip", "GoIP"}, {"phone", "手机"}, {"computer", "电脑"}, {"server", "服务器"}}
)

// SortProblems orders problems by sheet (in the kinds' order; a CSV has
// one) and row, keeping the order within a row.
func SortProblems(ps []Problem) {
	rank := func(p Problem) int {
		if sh := sheetNamed(p.Sheet); sh != nil {
			return slices.IndexFunc(Sheets, func(s Sheet) bool { return s.Kind == sh.Kind })
		}
		return -1
	}
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if d := rank(a) - rank(b); d != 0 {
			return d
		}
		return a.Row - b.Row
	})
}
