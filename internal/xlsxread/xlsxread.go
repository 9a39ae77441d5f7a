// Package xlsxread reads uploaded .xlsx workbooks within bounds. An .xlsx
// is a zip: a 2 MB upload can unpack to gigabytes of sheet XML, and
// excelize's defaults (16 GiB unpacked, GetRows keeping every row whole
// and filling every gap) let one such file hold a server's memory and CPU
// for minutes (review 2026-12-03b, finding 1). Every import of a
// workbook opens it here.
package xlsxread

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/zhudun/zhudun"
)

// MaxColumns bounds the cells kept of a row: the import templates have at
// most a few dozen columns, and a cell far to the right (XFD) would
// otherwise make every row 16,384 strings — a few kilobytes of file,
// gigabytes of memory.
const MaxColumns = 64

// MaxUnpacked bounds the workbook's XML parts unpacked, all together.
const MaxUnpacked = 128 << 20

// Options are excelize's unzip limits for an uploaded workbook.
var Options = excelize.Options{UnzipSizeLimit: MaxUnpacked, UnzipXMLSizeLimit: 64 << 20}

// FarCells scans the workbook's XML parts (streamed, at most MaxUnpacked
// in all) for a row of more than MaxColumns cells or a cell beyond column
// MaxColumns, and for parts larger than MaxUnpacked. It says what is
// wrong, or "" (also when data is not a zip: excelize says what is wrong
// with it).
func FarCells(data []byte) string {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return ""
	}
	budget := int64(MaxUnpacked)
	for _, f := range zr.File {
		// every part, not xl/worksheets/ only: the workbook's relationships
		// may place a sheet anywhere
		if !strings.HasSuffix(strings.ToLower(f.Name), ".xml") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return ""
		}
		lr := &io.LimitedReader{R: rc, N: budget}
		msg := scanCells(xml.NewDecoder(lr))
		rc.Close()
		if msg != "" {
			return msg
		}
		if budget = lr.N; budget <= 0 {
			return fmt.Sprintf("the workbook's sheets are larger than %d MiB unpacked: split it", MaxUnpacked>>20)
		}
	}
	return ""
}

func scanCells(d *xml.Decoder) string {
	cells := 0
	for {
		tok, err := d.RawToken()
		if err != nil {
			return ""
		}
		el, ok := tok.(xml.StartElement)
		if ok && el.Name.Local == "row" {
			cells = 0
		}
		if !ok || el.Name.Local != "c" {
			continue
		}
		// cells without a reference take the next column
		if cells++; cells > MaxColumns {
			return fmt.Sprintf("a row holds more than %d cells: delete the columns to the right", MaxColumns)
		}
		for _, a := range el.Attr {
			if a.Name.Local != "r" {
				continue
			}
			if col, _, err := excelize.CellNameToCoordinates(a.Value); err == nil && col > MaxColumns {
				return fmt.Sprintf("cell %s is beyond the templates' columns (at most %d): delete the columns to the right", a.Value, MaxColumns)
			}
		}
	}
}

// Rows reads a sheet's non-empty rows and their numbers, at most
// maxRows+1 of them (the caller says "more than") and MaxColumns cells
// each, streaming rather than GetRows, which fills the gaps and keeps
// every row whole.
func Rows(x *excelize.File, name string, maxRows int) ([][]string, []int, error) {
	it, err := x.Rows(name)
	if err != nil {
		return nil, nil, err
	}
	defer it.Close()
	var rows [][]string
	var lines []int
	for n := 1; it.Next(); n++ {
		row, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, nil, err
		}
		row = row[:min(len(row), MaxColumns)]
		for len(row) > 0 && row[len(row)-1] == "" {
			row = row[:len(row)-1]
		}
		if len(row) == 0 {
			continue
		}
		rows, lines = append(rows, slices.Clip(row)), append(lines, n)
		if len(rows) > maxRows+1 {
			break
		}
	}
	return rows, lines, it.Error()
}

// FirstSheet reads the first sheet of an uploaded workbook: its non-empty
// rows (the header first, at most maxRows more and one over, so that the
// caller can say "at most") and each one's line. A workbook that does not
// read, or is too large unpacked, is EINVALID on the field "file".
func FirstSheet(data []byte, maxRows int) ([][]string, []int, error) {
	if msg := FarCells(data); msg != "" {
		return nil, nil, zhudun.FieldError("file", "%s", msg)
	}
	x, err := excelize.OpenReader(bytes.NewReader(data), Options)
	if err != nil {
		return nil, nil, zhudun.FieldError("file", "not a readable .xlsx")
	}
	defer x.Close()
	sheets := x.GetSheetList()
	if len(sheets) == 0 {
		return nil, nil, zhudun.FieldError("file", "the workbook has no sheet")
	}
	rows, lines, err := Rows(x, sheets[0], maxRows)
	if err != nil {
		return nil, nil, zhudun.FieldError("file", "the first sheet does not read")
	}
	return rows, lines, nil
}
