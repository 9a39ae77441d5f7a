package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/internal/fonts"
)

// The Rectification-within-deadline Notice as a PDF (issue 14 item 4):
// the official layout — issuing authority, title, number, the school as
// addressee, the hazards, the legal basis and deadline, the officers'
// and the school representative's signature lines and the seal area —
// drawn with the embedded CJK font. Audited campus_notice.export.

var categoryNames = map[string]string{"people": "人防", "physical": "物防", "technical": "技防", "fire": "消防", "traffic": "交通", "surroundings": "周边环境"}

func (s *Server) noticePDF(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	n, err := s.store.FindNoticeByID(r.Context(), id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := noticePDF(&buf, n, time.Now()); err != nil {
		return err
	}
	if err := s.audit.Record(r.Context(), &zhudun.AuditEntry{Action: "campus_notice.export", ObjectType: "campus_notice", ObjectID: fmt.Sprint(n.ID),
		Detail: mustJSON(map[string]any{"format": "pdf", "number": n.Number})}); err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="zhudun-notice-%d.pdf"`, n.ID))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/pdf")
	_, err = w.Write(buf.Bytes())
	return err
}

// noticePDF draws notice n on one A4 page.
func noticePDF(w *bytes.Buffer, n *zhudun.Notice, now time.Time) error {
	const font = fonts.SongTiName
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(now)
	pdf.SetTitle("责令限期整改通知书 "+n.Number, true)
	pdf.AddUTF8FontFromBytes(font, "", fonts.SongTi)
	pdf.SetMargins(25, 25, 25)
	pdf.SetAutoPageBreak(true, 20)
	pdf.AddPage()
	pdf.SetFont(font, "", 16)
	pdf.CellFormat(0, 10, n.DeptName, "", 1, "C", false, 0, "")
	pdf.SetFont(font, "", 24)
	pdf.CellFormat(0, 14, "责令限期整改通知书", "", 1, "C", false, 0, "")
	pdf.SetFont(font, "", 12)
	pdf.CellFormat(0, 8, n.Number, "", 1, "R", false, 0, "")
	pdf.SetDrawColor(200, 0, 0)
	pdf.SetLineWidth(0.6)
	y := pdf.GetY() + 1
	pdf.Line(25, y, 185, y)
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetLineWidth(0.2)
	pdf.Ln(6)
	pdf.SetFont(font, "", 13)
	pdf.CellFormat(0, 8, n.School+"：", "", 1, "L", false, 0, "")
	found := n.IssuedAt
	if len(n.Hazards) > 0 {
		found = n.Hazards[0].FoundAt
	}
	basis, _ := zhudun.LegalBasisText(n.LegalBasis)
	pdf.MultiCell(0, 8, "    "+noticeDate(found)+"，我单位会同联合督导组对你单位进行安全检查，发现存在下列安全隐患：", "", "L", false)
	for i, h := range n.Hazards {
		pdf.MultiCell(0, 8, fmt.Sprintf("    %d. 【%s】%s", i+1, categoryNames[h.Category], h.Description), "", "L", false)
	}
	dl, _ := time.ParseInLocation("2006-01-02", n.Deadline, zhudun.CST())
	pdf.MultiCell(0, 8, "    根据"+basis+"的规定，现责令你单位于"+noticeDate(dl)+"前整改完毕，并将整改情况书面报告我单位。"+
		"整改期间应当采取必要的防范措施，确保师生安全。逾期不整改或整改不合格的，我单位将依法处理，并通报教育行政部门。", "", "L", false)
	pdf.Ln(10)
	pdf.SetFont(font, "", 12)
	officers := ""
	for i, o := range n.Officers {
		if i > 0 {
			officers += "、"
		}
		officers += o
	}
	pdf.CellFormat(0, 9, "检查人员（签名）："+officers, "", 1, "L", false, 0, "")
	pdf.CellFormat(0, 9, "被检查单位负责人（签收）："+n.SchoolRep+"            年    月    日", "", 1, "L", false, 0, "")
	// The seal area: the authority and the date, a circle where the seal goes.
	pdf.Ln(12)
	sy := pdf.GetY()
	pdf.SetDrawColor(200, 0, 0)
	pdf.SetDashPattern([]float64{1.5, 1.5}, 0)
	pdf.Circle(145, sy+10, 20, "D")
	pdf.SetDashPattern([]float64{}, 0)
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetXY(105, sy+2)
	pdf.CellFormat(80, 8, n.DeptName+"（印章）", "", 2, "C", false, 0, "")
	pdf.SetX(105)
	pdf.CellFormat(80, 8, noticeDate(n.IssuedAt), "", 1, "C", false, 0, "")
	pdf.SetY(sy + 36)
	pdf.SetFont(font, "", 10)
	pdf.MultiCell(0, 6, "本通知书一式两份，一份交被检查单位，一份存档。", "", "L", false)
	if err := pdf.Error(); err != nil {
		return zhudun.Errorf(zhudun.EINTERNAL, "notice pdf: %v", err)
	}
	return pdf.Output(w)
}
