package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/xuri/excelize/v2"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/docx"
	"github.com/zhudun/zhudun/internal/fonts"
)

// The period report (issue 17; docs/summary.md): GET
// /api/v1/reports/summary?from=&to=&dept= as JSON, and the briefing as
// summary.docx, summary.pdf and summary.xlsx with the same query. The
// figures are zhudun.SummaryModules'; the words zhudun.Summary.Briefing's;
// here they are only laid out. Each document is audited
// summary_report.export.

func (s *Server) registerSummary() {
	s.handle("GET", "/api/v1/reports/summary", false, s.summaryJSON)
	s.handle("GET", "/api/v1/reports/summary.docx", false, s.summaryDoc("docx"))
	s.handle("GET", "/api/v1/reports/summary.pdf", false, s.summaryDoc("pdf"))
	s.handle("GET", "/api/v1/reports/summary.xlsx", false, s.summaryDoc("xlsx"))
}

func (s *Server) summary(r *http.Request) (*zhudun.Summary, error) {
	q := r.URL.Query()
	from, to, err := reportPeriod(q)
	if err != nil {
		return nil, err
	}
	if to.Before(from) {
		return nil, zhudun.FieldError("to", "to is before from")
	}
	m := zhudun.SummaryModules{Cyber: s.store, Campaigns: s.store, Campus: s.store, Patrol: s.store, Fire: s.store, Zhudun: s.store, Depts: s.store}
	return m.Summary(r.Context(), zhudun.SummaryQuery{From: from, To: to, Dept: q.Get("dept")})
}

func (s *Server) summaryJSON(w http.ResponseWriter, r *http.Request) error {
	sum, err := s.summary(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sum)
	return nil
}

// summaryDoc writes the briefing in one format.
func (s *Server) summaryDoc(format string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		sum, err := s.summary(r)
		if err != nil {
			return err
		}
		now := time.Now().In(zhudun.CST())
		issuer := sum.DeptName
		if issuer == "" {
			issuer = "公安机关"
		}
		blocks := sum.Briefing(issuer, now)
		var buf bytes.Buffer
		var ctype string
		switch format {
		case "docx":
			ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
			err = briefingDocx(&buf, blocks)
		case "pdf":
			ctype = "application/pdf"
			err = briefingPDF(&buf, blocks, now)
		default:
			ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
			err = summaryXLSX(&buf, sum)
		}
		if err != nil {
			return zhudun.Errorf(zhudun.EINTERNAL, "summary %s: %v", format, err)
		}
		q := r.URL.Query()
		if err := s.audit.Record(r.Context(), &zhudun.AuditEntry{Action: "summary_report.export", ObjectType: "summary_report",
			Detail: mustJSON(map[string]any{"format": format, "filter": map[string]string{"from": q.Get("from"), "to": q.Get("to"), "dept": q.Get("dept")}})}); err != nil {
			return err
		}
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="zhudun-summary-%s.%s"`, now.Format("20060102-150405"), format))
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", ctype)
		_, err = w.Write(buf.Bytes())
		return err
	}
}

func briefingDocx(buf *bytes.Buffer, blocks []zhudun.BriefingBlock) error {
	var title string
	for _, b := range blocks {
		if b.Kind == "title" {
			title = b.Text
		}
	}
	d := docx.New("AR PL SungtiL GB", fonts.SongTi, title)
	for _, b := range blocks {
		switch b.Kind {
		case "masthead":
			d.Masthead(b.Text)
		case "title":
			d.Title(b.Text)
		case "plain":
			d.Plain(b.Text)
		case "heading":
			d.Heading(b.Text)
		case "para":
			d.Para(b.Text)
		case "table":
			d.Table(b.Header, b.Rows)
		case "right":
			d.Right(b.Text)
		}
	}
	_, err := d.WriteTo(buf)
	return err
}

// briefingPDF lays the briefing out on A4 with GB/T 9704's margins
// (top 37, bottom 35, left 28, right 26 mm), the body at 16 pt on a
// 28 pt (≈ 9.9 mm) line, page numbers at the foot. Keep-with-next: a
// heading starts a new page unless its paragraph's first two lines fit
// below it; a section's table (up to 10 rows) starts one unless it fits
// whole, a longer table unless its header and first two rows do, and a
// table that runs over a page repeats its header there. So no page ends
// with a heading or a table header, no row of a short table stands alone
// on the next page, and the signature keeps the closing paragraph with it.
func briefingPDF(buf *bytes.Buffer, blocks []zhudun.BriefingBlock, now time.Time) error {
	const font = fonts.SongTiName
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(font, "", fonts.SongTi)
	pdf.SetMargins(28, 37, 26)
	pdf.SetAutoPageBreak(true, 35)
	pdf.SetCreationDate(now)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-25)
		pdf.SetFont(font, "", 14)
		pdf.CellFormat(0, 8, fmt.Sprintf("— %d —", pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	const line, row = 9.9, 8.0
	width, height := pdf.GetPageSize()
	text := width - 28 - 26
	bottom := height - 35 // fpdf breaks a page where a cell would pass it
	// keep starts a new page unless h more millimetres fit on this one.
	keep := func(h float64) {
		if pdf.GetY()+h > bottom {
			pdf.AddPage()
		}
	}
	// bodyLines is a heading's or a paragraph's lines at the body size.
	bodyLines := func(b zhudun.BriefingBlock) []string {
		pdf.SetFont(font, "", 16)
		return wrapCJK(pdf.GetStringWidth, "\u3000\u3000"+b.Text, text)
	}
	// firstOf is the height of the first lines of block b that must go
	// with what comes before it on the page.
	firstOf := func(b zhudun.BriefingBlock) float64 {
		switch b.Kind {
		case "para":
			return float64(min(2, len(bodyLines(b)))) * line
		case "table":
			if len(b.Rows) <= 10 {
				return row + float64(len(b.Rows))*row
			}
			return row + 2*row
		}
		return 0
	}
	for i, b := range blocks {
		switch b.Kind {
		case "masthead":
			pdf.SetFont(font, "", 26)
			pdf.SetTextColor(230, 0, 18)
			pdf.CellFormat(0, 16, b.Text, "", 1, "C", false, 0, "")
			pdf.SetDrawColor(230, 0, 18)
			pdf.SetLineWidth(0.6)
			y := pdf.GetY() + 2
			pdf.Line(28, y, 28+text, y)
			pdf.SetTextColor(0, 0, 0)
			pdf.SetDrawColor(0, 0, 0)
			pdf.SetLineWidth(0.2)
			pdf.Ln(10)
		case "title":
			pdf.SetFont(font, "", 22)
			for _, l := range wrapCJK(pdf.GetStringWidth, b.Text, text) {
				pdf.CellFormat(0, 12, l, "", 1, "C", false, 0, "")
			}
			pdf.Ln(line)
		case "plain":
			pdf.SetFont(font, "", 16)
			for _, l := range wrapCJK(pdf.GetStringWidth, b.Text, text) {
				pdf.CellFormat(0, line, l, "", 1, "L", false, 0, "")
			}
		case "heading", "para":
			lines := bodyLines(b)
			if b.Kind == "heading" && i+1 < len(blocks) {
				keep(float64(len(lines))*line + firstOf(blocks[i+1]))
			}
			// The closing paragraph goes with the signature and date that
			// follow it: they never stand on a page of their own.
			if b.Kind == "para" {
				rights := 0
				for _, x := range blocks[i+1:] {
					if x.Kind != "right" {
						break
					}
					rights++
				}
				if rights > 0 {
					keep(float64(len(lines)+rights) * line)
				}
			}
			// The first line indented two characters.
			for _, l := range lines {
				pdf.CellFormat(0, line, l, "", 1, "L", false, 0, "")
			}
		case "table":
			pdf.SetFont(font, "", 12)
			widths := make([]float64, len(b.Header))
			for i := range widths {
				widths[i] = text / float64(len(b.Header)+1)
			}
			widths[0] *= 2
			header := func() {
				pdf.SetFillColor(235, 235, 235)
				for i, h := range b.Header {
					pdf.CellFormat(widths[i], row, h, "1", 0, "C", true, 0, "")
				}
				pdf.Ln(-1)
			}
			keep(firstOf(b))
			header()
			for _, r := range b.Rows {
				if pdf.GetY()+row > bottom {
					pdf.AddPage()
					header()
				}
				for i := range b.Header {
					cell, align := "", "C"
					if i < len(r) {
						cell = r[i]
					}
					if i == 0 {
						align = "L"
					}
					pdf.CellFormat(widths[i], row, cell, "1", 0, align, false, 0, "")
				}
				pdf.Ln(-1)
			}
			pdf.Ln(4)
		case "right":
			pdf.SetFont(font, "", 16)
			pdf.CellFormat(text-11, line, b.Text, "", 1, "R", false, 0, "")
		}
	}
	if err := pdf.Error(); err != nil {
		return err
	}
	return pdf.Output(buf)
}

// noLineStart are the characters a Chinese line must not begin with (the
// closing punctuation of GB/T 15834's 标点符号用法); a line that would is
// broken one character earlier.
const noLineStart = "，。、；：？！）】》”’…—%"

// wrapCJK breaks text into lines no wider than width, between any two
// characters (Chinese has no spaces), keeping a closing punctuation mark
// with the character before it and a run of digits or Latin letters
// whole, and at the "\n"s it holds.
func wrapCJK(measure func(string) float64, text string, width float64) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		rs := []rune(para)
		for len(rs) > 0 {
			n := 0
			for n < len(rs) && measure(string(rs[:n+1])) <= width {
				n++
			}
			if n == len(rs) {
				out = append(out, string(rs))
				break
			}
			n = max(n, 1)
			cut := n
			// Move back over a mark that may not start a line, and over a
			// number or word the break would split.
			for cut > 1 && (strings.ContainsRune(noLineStart, rs[cut]) || (isWordRune(rs[cut]) && isWordRune(rs[cut-1]))) {
				cut--
			}
			if cut <= 1 {
				cut = n
			}
			out = append(out, string(rs[:cut]))
			rs = rs[cut:]
		}
	}
	return out
}

func isWordRune(r rune) bool {
	return r < 0x80 && (r == '.' || r == ',' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'))
}

// summaryXLSX writes one sheet per section: each figure with its unit,
// last year's, the change and its definition.
func summaryXLSX(buf *bytes.Buffer, sum *zhudun.Summary) error {
	x := excelize.NewFile()
	defer x.Close()
	first := true
	for _, sec := range zhudun.SummarySections {
		figs := sum.Sections[sec.Name]
		if len(figs) == 0 {
			continue
		}
		if first {
			x.SetSheetName("Sheet1", sec.Label)
			first = false
		} else if _, err := x.NewSheet(sec.Label); err != nil {
			return err
		}
		rows := [][]any{{"指标", "key", "本期", "去年同期", "同比（%）", "单位", "口径", "字典"}}
		for _, def := range zhudun.FigureDefs() {
			f := figs[def.Name]
			if def.Section != sec.Name || f == nil {
				continue
			}
			var pct any = ""
			if f.ChangePct != nil {
				pct = *f.ChangePct
			}
			rows = append(rows, []any{def.Label, def.Name, f.Value, f.LastYear, pct, def.Unit, formulaSafe(def.Definition), def.Dictionary})
			// A breakdown's every part, zero or not, below its figure,
			// keyed figure:part as the JSON's breakdown.
			for _, p := range def.Parts() {
				b := f.Breakdown[p.Key]
				var pct any = ""
				if b.ChangePct != nil {
					pct = *b.ChangePct
				}
				rows = append(rows, []any{"其中：" + p.Label, def.Name + ":" + p.Key, b.Value, b.LastYear, pct, def.Unit, "", ""})
			}
		}
		for i, row := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := x.SetSheetRow(sec.Label, cell, &row); err != nil {
				return err
			}
		}
	}
	return x.Write(buf)
}
