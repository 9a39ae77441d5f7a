package httpapi

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/internal/pdftext"
)

// TestBriefingPDFKeepWithNext: whatever comes before a section, no page
// of the briefing ends with a heading or a table's header. The briefing
// of a summary with every section is laid out after 0 to 24 one-line
// paragraphs (each pushes the sections 9.9 mm down, so over the 24 runs
// every heading and every table lands on every part of a page foot), and
// each page's text is read back from the PDF: the last string before the
// page number must be neither a heading's line nor a header cell, and a
// table that runs over a page starts the next one with its header and a
// row; the signature's page holds the closing paragraph too.
func TestBriefingPDFKeepWithNext(t *testing.T) {
	sum := &zhudun.Summary{Sections: map[string]map[string]*zhudun.SummaryFigure{}, DeptName: "济南市公安局",
		From: time.Date(2021, 1, 1, 0, 0, 0, 0, zhudun.CST()), To: time.Date(2021, 12, 31, 0, 0, 0, 0, zhudun.CST())}
	for _, d := range zhudun.FigureDefs() {
		if sum.Sections[d.Section] == nil {
			sum.Sections[d.Section] = map[string]*zhudun.SummaryFigure{}
		}
		f := &zhudun.SummaryFigure{Value: 120, LastYear: 100, Unit: d.Unit}
		if len(d.Parts()) > 0 {
			f.Breakdown = map[string]zhudun.Figure{}
			for _, p := range d.Parts() {
				f.Breakdown[p.Key] = zhudun.Figure{Value: 24, LastYear: 20}
			}
		}
		sum.Sections[d.Section][d.Name] = f
	}
	blocks := sum.Briefing("济南市公安局", time.Date(2022, 1, 5, 0, 0, 0, 0, zhudun.CST()))
	var headings []string
	header, rowStart := map[string]bool{}, map[string]bool{}
	for _, b := range blocks {
		switch b.Kind {
		case "heading":
			headings = append(headings, b.Text)
		case "table":
			for _, h := range b.Header {
				header[h] = true
			}
			for _, r := range b.Rows {
				rowStart[r[0]] = true
			}
		}
	}
	orphans := 0
	for k := range 25 {
		bs := slices.Clone(blocks[:3])
		for i := range k {
			bs = append(bs, zhudun.BriefingBlock{Kind: "para", Text: fmt.Sprintf("第%d段。", i+1)})
		}
		bs = append(bs, blocks[3:]...)
		var buf bytes.Buffer
		if err := briefingPDF(&buf, bs, time.Date(2022, 1, 5, 9, 0, 0, 0, zhudun.CST())); err != nil {
			t.Fatal(err)
		}
		pages, err := pdftext.Pages(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		for n, p := range pages {
			if len(p) < 2 || p[len(p)-1] != fmt.Sprintf("— %d —", n+1) {
				t.Fatalf("%d paragraphs before: page %d does not end with its number: %q", k, n+1, p)
			}
			last := strings.TrimLeft(p[len(p)-2], "\u3000")
			for _, h := range headings {
				if strings.HasPrefix(h, last) {
					t.Errorf("%d paragraphs before: page %d ends with the heading %q", k, n+1, last)
					orphans++
				}
			}
			if header[last] {
				t.Errorf("%d paragraphs before: page %d ends with a table header (%q)", k, n+1, last)
				orphans++
			}
			// A page that starts inside a table starts with its header.
			if n > 0 && rowStart[p[0]] {
				t.Errorf("%d paragraphs before: page %d starts with a table row %q, not its header", k, n+1, p[0])
			}
		}
		// The signature's page has the closing paragraph on it too.
		if lastPage := strings.Join(pages[len(pages)-1], ""); !strings.Contains(lastPage, "以上数据由") {
			t.Errorf("%d paragraphs before: the signature stands on page %d without the closing paragraph: %q", k, len(pages), lastPage)
			orphans++
		}
		if k == 0 && len(pages) < 2 {
			t.Fatalf("the briefing is %d page: it tests nothing", len(pages))
		}
	}
	if orphans > 0 {
		t.Logf("%d orphans in 25 layouts", orphans)
	}
}
