package httpapi

import (
	"bytes"
	"math"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/internal/fonts"
)

// TestCyberPDF draws the press report's year (598 cases handled, 836 people
// under coercive measures, 127 solved, 66 suspects caught, 1,980,000 yuan,
// 1,210 SIM cards, 79 devices, 1,200,000 accounts) beside a made-up last
// year: a PDF of one page whose font is embedded. Set ZHUDUN_CYBER_PDF to
// keep it (pdftoppm -png to look at it).
func TestCyberPDF(t *testing.T) {
	f := zhudun.NewFigure
	rep := &zhudun.CyberReport{Scope: "济南市公安局及下属单位", Campaign: &zhudun.Campaign{Name: "四断"},
		CasesHandled: f(598, 520), CasesFiled: f(410, 0), CasesSolved: f(127, 150), CasesTransferred: f(90, 90),
		PeopleCoercive: f(836, 700), PeopleByMeasure: map[string]zhudun.Figure{"detention": f(600, 500), "arrest": f(300, 0)},
		SuspectsCaught: f(66, 33), FundsSeizedFen: f(198000000, 150000000),
		Funds:          map[string]zhudun.Figure{"frozen_or_seized_fen": f(200000000, 150000000), "returned_fen": f(2000000, 0)},
		SIMCardsSeized: f(1210, 1000), DevicesSeized: f(79, 80), DevicesByType: map[string]zhudun.Figure{"cat_pool": f(50, 60), "goip": f(29, 20)},
		MaliciousAccounts: f(1200000, 1000000), MaliciousParts: map[string]zhudun.Figure{"confirmed_in_workbench": f(1000, 0), "seized": f(1199500, 1000000)}}
	var buf bytes.Buffer
	if err := cyberPDF(&buf, rep, cyberRows(rep), "2021-01-01", "2021-12-31", time.Date(2022, 1, 5, 2, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	out := buf.Bytes()
	if !bytes.HasPrefix(out, []byte("%PDF-1.")) || !bytes.HasSuffix(bytes.TrimSpace(out), []byte("%%EOF")) {
		t.Fatalf("not a PDF: %q…", out[:min(len(out), 16)])
	}
	if n := len(regexp.MustCompile(`/Type /Page\b[^s]`).FindAll(out, -1)); n != 1 {
		t.Errorf("%d pages; want 1", n)
	}
	if !bytes.Contains(out, []byte("/FontFile2")) {
		t.Error("the TrueType font is not embedded")
	}
	if p := os.Getenv("ZHUDUN_CYBER_PDF"); p != "" {
		if err := os.WriteFile(p, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCyberTableFits: every cell of the PDF's table holds its text inside
// its borders — the press report's "+1199900.0%" at the full 11 pt (it
// ran over the 22 mm 同比 column's left border before), and the longest
// values the report can produce (int64 sums of fen and counts, either
// sign, against a last year of ±1: a change of ±9.2e20 %) at a smaller
// size, still legible. Set ZHUDUN_CYBER_PDF_HUGE to keep that PDF.
func TestCyberTableFits(t *testing.T) {
	pdf := cyberDoc()
	if w, _ := pdf.GetPageSize(); math.Abs(sum(cyberColumns())-(w-40)) > 0.01 { // A4 is 595.28 pt, 210.0016 mm
		t.Fatalf("the columns are %v mm; want the text width, %.2f mm", cyberColumns(), w-40)
	}
	margin := pdf.GetCellMargin()
	f := zhudun.NewFigure
	press := &zhudun.CyberReport{Scope: "济南市公安局", CasesHandled: f(598, 2), PeopleCoercive: f(836, 1),
		FundsSeizedFen: f(198000000, 50000001), MaliciousAccounts: f(1200000, 100)}
	table := cyberTable(pdf, fonts.SongTiName, cyberRows(press))
	var pct cyberCell
	for _, row := range table {
		if row[0].text == "发现恶意账号" {
			pct = row[4]
		}
	}
	if pct.text != "+1199900.0%" || pct.size != 11 {
		t.Errorf("the press report's change is %q at %v pt; want +1199900.0%% at 11 pt", pct.text, pct.size)
	}
	pdf.SetFont(fonts.SongTiName, "", 11)
	if w := pdf.GetStringWidth("+1199900.0%"); w <= 22-2*margin {
		t.Fatalf("+1199900.0%% is %.1f mm at 11 pt: it fitted the old 22 mm column, the measure is wrong", w)
	}

	// The largest sums the store's BIGINT can hold, exactly a float64.
	const big = float64(1<<63 - 1024)
	huge := &zhudun.CyberReport{Scope: "济南市公安局"}
	figs := []*zhudun.Figure{&huge.CasesHandled, &huge.CasesFiled, &huge.CasesSolved, &huge.CasesTransferred, &huge.PeopleCoercive,
		&huge.SuspectsCaught, &huge.FundsSeizedFen, &huge.SIMCardsSeized, &huge.DevicesSeized, &huge.MaliciousAccounts}
	for i, fig := range figs {
		v, last := big, 1.0
		if i%2 == 1 {
			v, last = -big, -big // a negative sum (money held), and its like last year
		}
		if i == 6 {
			v, last = -big, 1 // the longest text: "-92233720368547748.00", "-922337203685477478400.0%"
		}
		*fig = f(v, last)
	}
	huge.Funds = map[string]zhudun.Figure{"frozen_or_seized_fen": f(big, 1), "returned_fen": f(big, -1)}
	var longest string
	cells := 0
	for _, row := range cyberTable(pdf, fonts.SongTiName, cyberRows(huge)) {
		for _, c := range row {
			cells++
			pdf.SetFont(fonts.SongTiName, "", c.size)
			if w := pdf.GetStringWidth(c.text); w > c.width-2*margin || c.size < 6 || c.size > 11 {
				t.Errorf("%q at %v pt is %.2f mm wide in a %v mm cell", c.text, c.size, w, c.width)
			}
			if c.align == "R" && len(c.text) > len(longest) { // the figures
				longest = c.text
			}
		}
	}
	if cells != 5*(len(cyberRows(huge))+1) || len(longest) != 25 { // as "-922337203685477478400.0%"
		t.Errorf("%d cells, the longest %q", cells, longest)
	}
	if p := os.Getenv("ZHUDUN_CYBER_PDF_HUGE"); p != "" {
		var buf bytes.Buffer
		if err := cyberPDF(&buf, huge, cyberRows(huge), "2021-01-01", "2021-12-31", time.Date(2022, 1, 5, 2, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func sum(xs []float64) (s float64) {
	for _, x := range xs {
		s += x
	}
	return s
}
