package httpapi

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/internal/fonts"
)

// The cyber report (issue 12 item 5, docs/cases.md "Campaign figures"):
// JSON by default, ?format=xlsx (or csv) as the other reports, ?format=pdf
// a 通报-style table drawn with the embedded CJK font. Every permission and
// scope decision is the store's; each export is audited
// cyber_report.export.

func (s *Server) registerCyberReport() {
	s.handle("GET", "/api/v1/reports/cyber", false, s.cyberReport)
}

// cyberRow is one line of the report's table.
type cyberRow struct {
	section, key, name, unit string
	fig                      zhudun.Figure
	indent                   bool
}

// cyberRows lays the report out: each figure, its breakdown under it.
func cyberRows(rep *zhudun.CyberReport) []cyberRow {
	rows := []cyberRow{
		{"figure", "cases_handled", "受理网络犯罪案件", "起", rep.CasesHandled, false},
		{"figure", "cases_filed", "立案", "起", rep.CasesFiled, false},
		{"figure", "cases_solved", "破案", "起", rep.CasesSolved, false},
		{"figure", "cases_transferred", "移送起诉", "起", rep.CasesTransferred, false},
		{"figure", "people_coercive", "采取刑事强制措施", "人", rep.PeopleCoercive, false},
	}
	measures := map[string]string{zhudun.MeasureCompelledAppearance: "拘传", zhudun.MeasureBail: "取保候审",
		zhudun.MeasureResidentialSurveillance: "监视居住", zhudun.MeasureDetention: "刑事拘留", zhudun.MeasureArrest: "逮捕"}
	for _, k := range zhudun.CoerciveMeasures {
		rows = append(rows, cyberRow{"people_by_measure", k, measures[k], "人", rep.PeopleByMeasure[k], true})
	}
	rows = append(rows,
		cyberRow{"figure", "suspects_caught", "抓获犯罪嫌疑人", "人", rep.SuspectsCaught, false},
		cyberRow{"figure", "funds_seized_fen", "查扣冻结涉案资金（扣除返还）", "分", rep.FundsSeizedFen, false},
		cyberRow{"funds_breakdown", "frozen_or_seized_fen", "冻结、扣押", "分", rep.Funds["frozen_or_seized_fen"], true},
		cyberRow{"funds_breakdown", "returned_fen", "返还", "分", rep.Funds["returned_fen"], true},
		cyberRow{"figure", "sim_cards_seized", "缴获手机卡", "张", rep.SIMCardsSeized, false},
		cyberRow{"figure", "devices_seized", "缴获涉案设备", "台", rep.DevicesSeized, false},
	)
	for _, k := range zhudun.DeviceTypes {
		rows = append(rows, cyberRow{"devices_by_type", k, zhudun.DeviceTypeLabel(k), "台", rep.DevicesByType[k], true})
	}
	return append(rows,
		cyberRow{"figure", "malicious_accounts", "发现恶意账号", "个", rep.MaliciousAccounts, false},
		cyberRow{"malicious_accounts_breakdown", "confirmed_in_workbench", "研判确认", "个", rep.MaliciousParts["confirmed_in_workbench"], true},
		cyberRow{"malicious_accounts_breakdown", "seized", "扣押登记", "个", rep.MaliciousParts["seized"], true},
	)
}

func (s *Server) cyberReport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	from, to, err := reportPeriod(q)
	if err != nil {
		return err
	}
	cq := zhudun.CyberReportQuery{From: from, To: to, Dept: q.Get("dept")}
	if v := q.Get("campaign"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return zhudun.FieldError("campaign", "campaign must be a campaign's id")
		}
		cq.Campaign = id
	}
	format := q.Get("format")
	if format != "" && format != "json" && format != "xlsx" && format != "csv" && format != "pdf" {
		return zhudun.FieldError("format", "format must be json, xlsx, csv or pdf")
	}
	rep, err := s.store.CyberReport(r.Context(), cq)
	if err != nil {
		return err
	}
	if format == "" || format == "json" {
		writeJSON(w, http.StatusOK, map[string]any{"from": q.Get("from"), "to": q.Get("to"), "dept": rep.Dept, "campaign": rep.Campaign, "figures": rep})
		return nil
	}
	filter := map[string]any{"from": q.Get("from"), "to": q.Get("to"), "dept": rep.Dept, "campaign": cq.Campaign}
	rows := cyberRows(rep)
	if format != "pdf" {
		sh := sheet{name: "cyber", header: []string{"section", "key", "name", "unit", "value", "same period last year", "change %"}}
		for _, x := range rows {
			var pct any = ""
			if x.fig.ChangePct != nil {
				pct = *x.fig.ChangePct
			}
			sh.rows = append(sh.rows, []any{x.section, x.key, x.name, x.unit, int64(x.fig.Value), int64(x.fig.LastYear), pct})
		}
		return s.export(w, r, "cyber_report", sh, filter)
	}
	var buf bytes.Buffer
	if err := cyberPDF(&buf, rep, rows, q.Get("from"), q.Get("to"), time.Now()); err != nil {
		return err
	}
	if err := s.audit.Record(r.Context(), &zhudun.AuditEntry{Action: "cyber_report.export", ObjectType: "cyber_report",
		Detail: mustJSON(map[string]any{"format": "pdf", "rows": len(rows), "filter": filter})}); err != nil {
		return err
	}
	name := fmt.Sprintf("zhudun-cyber_report-%s.pdf", time.Now().In(zhudun.CST()).Format("20060102-150405"))
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/pdf")
	_, err = w.Write(buf.Bytes())
	return err
}

// cyberNumber writes a figure's value for print: fen as yuan with two
// decimals, counts as integers.
func cyberNumber(unit string, v float64) string {
	if unit == "分" {
		return zhudun.FormatFen(int64(v))
	}
	return strconv.FormatInt(int64(v), 10)
}

func cyberPct(p *float64) string {
	if p == nil {
		return "—"
	}
	if *p == 0 {
		return "0.0%"
	}
	return fmt.Sprintf("%+.1f%%", *p)
}

// cyberColumns are the table's columns in mm — 项目, 单位, 本期, 去年同期,
// 同比 — filling A4's 170 mm between the 20 mm margins: the figures get 30
// mm each, room for "+1199900.0%" or a hundred million yuan at 11 pt.
func cyberColumns() []float64 { return []float64{64, 16, 30, 30, 30} }

// cyberCell is one cell of the PDF's table as it is drawn.
type cyberCell struct {
	text, align   string
	width, height float64
	size          float64 // font size in points
	fill          bool
}

// cyberTable lays the table out, the head first: each cell's text at its
// font size, 11 pt (10 for a breakdown line), smaller when the text would
// not fit inside the cell's borders — fpdf's cells neither clip nor wrap,
// so a long figure (a change of millions of percent, a sum of trillions)
// would run over its neighbour's. The PDF must hold the font.
func cyberTable(pdf *fpdf.Fpdf, font string, rows []cyberRow) [][]cyberCell {
	widths := cyberColumns()
	fit := func(i int, text, align string, height, size float64, fill bool) cyberCell {
		pdf.SetFont(font, "", size)
		if w, room := pdf.GetStringWidth(text), widths[i]-2*pdf.GetCellMargin(); w > room {
			// Width is proportional to the size; 0.98 keeps rounding in the cell.
			size = math.Floor(size*room/w*0.98*10) / 10
		}
		return cyberCell{text: text, align: align, width: widths[i], height: height, size: size, fill: fill}
	}
	var head []cyberCell
	for i, h := range []string{"项目", "单位", "本期", "去年同期", "同比"} {
		head = append(head, fit(i, h, "C", 9, 11, true))
	}
	out := [][]cyberCell{head}
	for _, x := range rows {
		name, unit, size := x.name, x.unit, 11.0
		if x.indent {
			name, size = "    其中："+x.name, 10
		}
		if unit == "分" {
			unit = "元"
		}
		out = append(out, []cyberCell{
			fit(0, name, "L", 8, size, false),
			fit(1, unit, "C", 8, size, false),
			fit(2, cyberNumber(x.unit, x.fig.Value), "R", 8, size, false),
			fit(3, cyberNumber(x.unit, x.fig.LastYear), "R", 8, size, false),
			fit(4, cyberPct(x.fig.ChangePct), "R", 8, size, false),
		})
	}
	return out
}

// cyberDoc is an A4 page in mm with the CJK font (fonts.SongTiName) and
// 20 mm margins, as the report is laid out.
func cyberDoc() *fpdf.Fpdf {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(fonts.SongTiName, "", fonts.SongTi)
	pdf.SetMargins(20, 20, 20)
	return pdf
}

// cyberPDF draws the report as a one-page A4 通报 table: title, period and
// scope, then each figure with last year's and the change, breakdowns
// indented under their figure; money in yuan.
func cyberPDF(w *bytes.Buffer, rep *zhudun.CyberReport, rows []cyberRow, from, to string, now time.Time) error {
	const font = fonts.SongTiName
	pdf := cyberDoc()
	pdf.SetCreationDate(now)
	pdf.SetTitle("网络犯罪案件工作情况通报", true)
	pdf.SetAutoPageBreak(true, 18)
	pdf.AddPage()
	pdf.SetFont(font, "", 20)
	pdf.CellFormat(0, 12, "网络犯罪案件工作情况通报", "", 1, "C", false, 0, "")
	pdf.SetFont(font, "", 11)
	scope := rep.Scope
	if rep.Campaign != nil {
		scope += "；专项行动：" + rep.Campaign.Name
	}
	pdf.CellFormat(0, 7, "统计期间："+from+" 至 "+to+"（与去年同期比较）", "", 1, "C", false, 0, "")
	pdf.MultiCell(0, 7, "统计范围："+scope, "", "C", false)
	pdf.Ln(4)
	pdf.SetFillColor(230, 230, 230) // the head's
	for _, row := range cyberTable(pdf, font, rows) {
		for _, c := range row {
			pdf.SetFont(font, "", c.size)
			pdf.CellFormat(c.width, c.height, c.text, "1", 0, c.align, c.fill, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.Ln(4)
	pdf.SetFont(font, "", 9)
	pdf.MultiCell(0, 5, "说明：案件按受案、立案、破案、移送起诉各环节发生日期统计，被并案的重复案件不计；同一人员采取多种强制措施只计一人，传唤不计；"+
		"涉案资金为期间冻结、扣押金额减去期间返还金额；恶意账号为研判确认与扣押登记的账号合并去重。同比为空（—）表示去年同期为零。", "", "L", false)
	pdf.Ln(2)
	pdf.CellFormat(0, 5, "生成时间："+now.In(zhudun.CST()).Format("2006-01-02 15:04")+"（北京时间）  zhudun", "", 1, "R", false, 0, "")
	if err := pdf.Error(); err != nil {
		return zhudun.Errorf(zhudun.EINTERNAL, "cyber report pdf: %v", err)
	}
	return pdf.Output(w)
}
