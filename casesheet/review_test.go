package casesheet

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestParseSparseWorkbookBounded: a small workbook whose rows each hold
// one cell in the last column (XFD) must not make the reader allocate
// a full 16,384-column row per line (any signed-in user can post it: the
// file is parsed before the store checks the import permission).
func TestParseSparseWorkbookBounded(t *testing.T) {
	x := excelize.NewFile()
	x.SetSheetName("Sheet1", "案件")
	x.SetSheetRow("案件", "A1", &[]any{"导入编号", "案件名称", "案件类别", "受案时间"})
	for r := 2; r <= 400; r++ {
		x.SetCellValue("案件", fmt.Sprintf("XFD%d", r), "x")
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, probs := Parse("bomb.xlsx", buf.Bytes(), "")
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("file %d bytes, parse allocated %d MiB", buf.Len(), alloc>>20)
	if alloc > 32<<20 {
		t.Fatalf("a %d-byte workbook made the reader allocate %d MiB", buf.Len(), alloc>>20)
	}
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "XFD2") {
		t.Fatalf("problems %+v, want the one naming cell XFD2", probs)
	}
}

// TestParseSheetElsewhereBounded: a sheet the workbook's relationships
// place outside xl/worksheets/ is checked as well.
func TestParseSheetElsewhereBounded(t *testing.T) {
	x := excelize.NewFile()
	x.SetSheetName("Sheet1", "案件")
	x.SetSheetRow("案件", "A1", &[]any{"导入编号", "案件名称", "案件类别", "受案时间"})
	for r := 2; r <= 50; r++ {
		x.SetCellValue("案件", fmt.Sprintf("XFD%d", r), "x")
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		name := f.Name
		switch name {
		case "xl/worksheets/sheet1.xml":
			name = "xl/hidden.xml"
		case "xl/_rels/workbook.xml.rels":
			b = bytes.ReplaceAll(b, []byte("worksheets/sheet1.xml"), []byte("hidden.xml"))
		case "[Content_Types].xml":
			b = bytes.ReplaceAll(b, []byte("/xl/worksheets/sheet1.xml"), []byte("/xl/hidden.xml"))
		}
		w, _ := zw.Create(name)
		w.Write(b)
	}
	zw.Close()
	p, probs := Parse("moved.xlsx", out.Bytes(), "")
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "XFD2") {
		t.Fatalf("rows %d, problems %+v; want the one naming cell XFD2", p.Rows(), probs)
	}
}
