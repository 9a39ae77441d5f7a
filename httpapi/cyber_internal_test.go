package httpapi

import (
	"bytes"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
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
