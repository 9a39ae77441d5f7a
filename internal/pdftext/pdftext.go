// Package pdftext reads back the text strings of a PDF that zhudun's
// fpdf writes, page by page, for tests: what the page shows, not what the
// program meant. Stdlib only: no PDF library to trust.
package pdftext

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"regexp"
	"unicode/utf16"
)

var (
	// fpdf writes "stream\n", the data, "\nendstream": a data's last byte
	// may be '\r', so "\r\n" is not taken as the end.
	streamRE = regexp.MustCompile(`(?s)stream\n(.*?)\nendstream`)
	tjRE     = regexp.MustCompile(`\(((?:\\.|[^\\)])*)\)\s*Tj`)
)

// Pages returns the strings of each page's text-showing operators, in
// drawing order. Each stream is inflated (FlateDecode, the only filter
// fpdf writes); a stream that shows text ("BT ") is a page's content —
// fpdf writes one per page, in page order — and each "(…)Tj" string is
// unescaped and read as UTF-16BE: fpdf's UTF-8 fonts are Type0 fonts with
// Identity-H encoding whose character codes are the UTF-16 code units.
func Pages(pdf []byte) ([][]string, error) {
	var out [][]string
	for _, s := range streamRE.FindAllSubmatch(pdf, -1) {
		r, err := zlib.NewReader(bytes.NewReader(s[1]))
		if err != nil {
			continue // not compressed
		}
		content, err := io.ReadAll(r)
		if err != nil || !bytes.Contains(content, []byte("BT ")) {
			continue // a font or an image
		}
		var page []string
		for _, m := range tjRE.FindAllSubmatch(content, -1) {
			var raw []byte
			for i := 0; i < len(m[1]); i++ {
				c := m[1][i]
				if c == '\\' && i+1 < len(m[1]) {
					i++
					switch m[1][i] {
					case 'r':
						c = '\r'
					case 'n':
						c = '\n'
					default:
						c = m[1][i]
					}
				}
				raw = append(raw, c)
			}
			if len(raw)%2 != 0 {
				return nil, fmt.Errorf("PDF string of odd length: %q", raw)
			}
			u := make([]uint16, len(raw)/2)
			for i := range u {
				u[i] = uint16(raw[2*i])<<8 | uint16(raw[2*i+1])
			}
			page = append(page, string(utf16.Decode(u)))
		}
		out = append(out, page)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no text found in the PDF")
	}
	return out, nil
}
