// Package docx writes Word documents (.docx, ECMA-376 WordprocessingML) in
// the layout of a Chinese official document (GB/T 9704-2012 党政机关公文格式):
// A4, the standard margins, a red masthead over a red rule, a centred
// title, body text at 三号 (16 pt) on a fixed 28 pt line, headings, tables,
// a right-aligned signature and date, page numbers "— 1 —" at the foot.
//
// No .docx library is served here (docs: ../shared/DEPS.md); a .docx is a
// zip of XML parts, written with archive/zip and encoding/xml's escaping.
// The CJK font is embedded (obfuscated as ECMA-376 §17.8.1 requires), so
// that the briefing renders the same on a machine without it, as the PDF
// does: the bureau's usual faces (仿宋_GB2312, 方正小标宋) are not free to
// redistribute.
package docx

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// Document is a document being written. Its zero value is not usable:
// New gives one.
type Document struct {
	fontName string
	font     []byte
	title    string
	body     bytes.Buffer
}

// New starts a document drawn in the TrueType font given (its family name
// and its bytes), titled title in the document's properties.
func New(fontName string, font []byte, title string) *Document {
	return &Document{fontName: fontName, font: font, title: title}
}

// Sizes in half-points (w:sz), as GB/T 9704 names them.
const (
	sizeMasthead = 52 // 发文机关标志: larger than the title
	sizeTitle    = 44 // 二号
	sizeBody     = 32 // 三号
	sizeTable    = 28 // 四号
)

// red is the masthead's and rule's colour.
const red = "E60012"

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// run is one run of text with its properties.
func run(text string, size int, bold bool, color string) string {
	var p strings.Builder
	if bold {
		p.WriteString("<w:b/><w:bCs/>")
	}
	if color != "" {
		p.WriteString(`<w:color w:val="` + color + `"/>`)
	}
	fmt.Fprintf(&p, `<w:sz w:val="%d"/><w:szCs w:val="%d"/>`, size, size)
	// Line breaks inside a run are w:br; tabs and other controls are
	// dropped (they are not valid in XML 1.0 text either).
	var t strings.Builder
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			t.WriteString("<w:br/>")
		}
		t.WriteString(`<w:t xml:space="preserve">` + esc(clean(line)) + `</w:t>`)
	}
	return "<w:r><w:rPr>" + p.String() + "</w:rPr>" + t.String() + "</w:r>"
}

// clean drops the characters XML 1.0 cannot hold.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' {
			return ' '
		}
		if r < 0x20 || r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF) {
			return -1
		}
		return r
	}, s)
}

func (d *Document) para(props, runs string) {
	d.body.WriteString("<w:p><w:pPr>" + props + "</w:pPr>" + runs + "</w:p>")
}

// Masthead writes the issuing department's mark (发文机关标志), red and
// centred, over a red rule.
func (d *Document) Masthead(text string) {
	d.para(`<w:pBdr><w:bottom w:val="single" w:sz="18" w:space="8" w:color="`+red+`"/></w:pBdr>`+
		`<w:spacing w:before="0" w:after="480" w:line="800" w:lineRule="exact"/><w:jc w:val="center"/>`,
		run(text, sizeMasthead, true, red))
}

// Title writes the document's title (标题), centred, with a blank line
// after it.
func (d *Document) Title(text string) {
	d.para(`<w:spacing w:before="240" w:after="560" w:line="700" w:lineRule="exact"/><w:jc w:val="center"/>`, run(text, sizeTitle, true, ""))
}

// Heading writes a first-level heading (一、…), bold, on the body's line.
func (d *Document) Heading(text string) {
	d.para(`<w:keepNext/><w:ind w:firstLineChars="200" w:firstLine="640"/>`, run(text, sizeBody, true, ""))
}

// Para writes a body paragraph, its first line indented two characters.
func (d *Document) Para(text string) {
	d.para(`<w:ind w:firstLineChars="200" w:firstLine="640"/><w:jc w:val="both"/>`, run(text, sizeBody, false, ""))
}

// Plain writes a paragraph without indent (the main recipient, 主送机关).
func (d *Document) Plain(text string) {
	d.para(``, run(text, sizeBody, false, ""))
}

// Right writes a right-aligned paragraph (the signature, the date),
// four characters in from the margin.
func (d *Document) Right(text string) {
	d.para(`<w:ind w:right="1280"/><w:jc w:val="right"/>`, run(text, sizeBody, false, ""))
}

// Table writes a table: a bold header row, then the rows, every cell
// bordered, the header repeated on each page. Rows shorter than the
// header are padded.
func (d *Document) Table(header []string, rows [][]string) {
	if len(header) == 0 {
		return
	}
	// 8,843 twips is the text width between the standard margins; the
	// first column (the figure's name) is twice as wide as the others.
	width := func(i int) int {
		if i == 0 && len(header) > 1 {
			return 2 * 8843 / (len(header) + 1)
		}
		return 8843 / (len(header) + 1)
	}
	if len(header) == 1 {
		width = func(int) int { return 8843 }
	}
	b := &d.body
	b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:jc w:val="center"/><w:tblBorders>`)
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		b.WriteString(`<w:` + side + ` w:val="single" w:sz="4" w:space="0" w:color="000000"/>`)
	}
	b.WriteString(`</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>`)
	for i := range header {
		fmt.Fprintf(b, `<w:gridCol w:w="%d"/>`, width(i))
	}
	b.WriteString(`</w:tblGrid>`)
	row := func(cells []string, head bool) {
		b.WriteString("<w:tr>")
		if head {
			b.WriteString(`<w:trPr><w:tblHeader/></w:trPr>`)
		}
		for i := range header {
			text := ""
			if i < len(cells) {
				text = cells[i]
			}
			jc := "center"
			if i == 0 && !head {
				jc = "left"
			}
			fmt.Fprintf(b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr><w:p><w:pPr><w:spacing w:before="40" w:after="40" w:line="360" w:lineRule="auto"/><w:jc w:val="%s"/></w:pPr>%s</w:p></w:tc>`,
				width(i), jc, run(text, sizeTable, head, ""))
		}
		b.WriteString("</w:tr>")
	}
	row(header, true)
	for _, r := range rows {
		row(r, false)
	}
	b.WriteString(`</w:tbl>`)
	// A table must be followed by a paragraph before the section ends;
	// a short one also spaces it from the text after it.
	d.para(`<w:spacing w:before="0" w:after="0" w:line="280" w:lineRule="exact"/>`, "")
}

// fontKey is the GUID the embedded font is obfuscated with. Fixed, so that
// the same document gives the same bytes: the obfuscation keeps nothing
// secret (the key is in the file), it only marks the font as embedded.
const fontKey = "{6A3F2C1E-8B4D-4E7A-9C2B-5D1E0F3A7B64}"

// Obfuscate XORs the first 32 bytes of a font with the key made of the
// GUID's bytes in reverse order (ECMA-376 Part 1, §17.8.1); applied twice
// it gives the font back.
func Obfuscate(font []byte, guid string) ([]byte, error) {
	raw, err := hex.DecodeString(strings.NewReplacer("{", "", "}", "", "-", "").Replace(guid))
	if err != nil || len(raw) != 16 {
		return nil, fmt.Errorf("docx: font key %q is not a GUID", guid)
	}
	out := bytes.Clone(font)
	for i := 0; i < 32 && i < len(out); i++ {
		out[i] ^= raw[15-i%16]
	}
	return out, nil
}

// WriteTo writes the .docx.
func (d *Document) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	z := zip.NewWriter(cw)
	// Fast deflate: the font is most of the file, and the time of the
	// best compression goes into every export for a tenth of its size.
	z.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	// A fixed time: the same document, the same bytes.
	when := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	put := func(name, content string) error {
		f, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: when})
		if err != nil {
			return err
		}
		_, err = io.WriteString(f, content)
		return err
	}
	odttf, err := Obfuscate(d.font, fontKey)
	if err != nil {
		return cw.n, err
	}
	font := esc(d.fontName)
	parts := []struct{ name, content string }{
		{"[Content_Types].xml", contentTypes},
		{"_rels/.rels", rootRels},
		{"docProps/core.xml", fmt.Sprintf(coreXML, esc(d.title))},
		{"docProps/app.xml", appXML},
		{"word/_rels/document.xml.rels", documentRels},
		{"word/_rels/fontTable.xml.rels", fontTableRels},
		{"word/fontTable.xml", fmt.Sprintf(fontTableXML, font, fontKey)},
		{"word/settings.xml", settingsXML},
		{"word/styles.xml", fmt.Sprintf(stylesXML, font, font, font, font, sizeBody, sizeBody)},
		{"word/footer1.xml", footerXML},
		{"word/document.xml", docHead + d.body.String() + sectPr + docTail},
	}
	for _, p := range parts {
		if err := put(p.name, p.content); err != nil {
			return cw.n, err
		}
	}
	f, err := z.CreateHeader(&zip.FileHeader{Name: "word/fonts/font1.odttf", Method: zip.Deflate, Modified: when})
	if err != nil {
		return cw.n, err
	}
	if _, err := f.Write(odttf); err != nil {
		return cw.n, err
	}
	if err := z.Close(); err != nil {
		return cw.n, err
	}
	return cw.n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
