// Package xlsxtest writes hostile .xlsx workbooks for the import tests:
// a minimal workbook whose one sheet's XML is written by the caller, so
// that a test can make it unpack to hundreds of megabytes from a few.
package xlsxtest

import (
	"archive/zip"
	"bytes"
	"io"
)

const (
	contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`
	rootRels     = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	workbook     = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`
	workbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`
	sheetHead    = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
	sheetTail    = `</sheetData></worksheet>`
)

// Workbook is a one-sheet workbook whose sheetData rows are what rows
// writes.
func Workbook(rows func(w io.Writer)) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, p := range [][2]string{{"[Content_Types].xml", contentTypes}, {"_rels/.rels", rootRels}, {"xl/workbook.xml", workbook}, {"xl/_rels/workbook.xml.rels", workbookRels}} {
		w, _ := z.Create(p[0])
		io.WriteString(w, p[1])
	}
	w, _ := z.Create("xl/worksheets/sheet1.xml")
	io.WriteString(w, sheetHead)
	rows(w)
	io.WriteString(w, sheetTail)
	z.Close()
	return b.Bytes()
}

// Row is one row of inline-string cells (no references: each takes the
// next column).
func Row(cells ...string) string {
	var b bytes.Buffer
	b.WriteString("<row>")
	for _, c := range cells {
		b.WriteString(`<c t="inlineStr"><is><t>` + c + `</t></is></c>`)
	}
	b.WriteString("</row>")
	return b.String()
}

// Bomb is a workbook of header plus n copies of row: a few megabytes that
// unpack to len(row)×n bytes.
func Bomb(header, row string, n int) []byte {
	return Workbook(func(w io.Writer) {
		io.WriteString(w, header)
		chunk := bytes.Repeat([]byte(row), 1000)
		for i := 0; i < n/1000; i++ {
			w.Write(chunk)
		}
	})
}
