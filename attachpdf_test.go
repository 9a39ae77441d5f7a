package zhudun_test

import (
	"bytes"
	"compress/zlib"
	"encoding/ascii85"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"

	"codeberg.org/go-pdf/fpdf"

	"github.com/zhudun/zhudun"
)

// objStmPDF is a PDF whose catalog (object 1) lives in an object stream
// written with the given /Filter value and encoded body.
func objStmPDF(dictExtra, filter string, body []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%%PDF-1.7\n5 0 obj << /Type /ObjStm /N 1 /First 4 /Length %d %s %s >>\nstream\n", len(body), filter, dictExtra)
	b.Write(body)
	b.WriteString("\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	return b.Bytes()
}

func deflate(s string) []byte {
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

const jsCatalog = "1 0 << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> >>"
const cleanCatalog = "1 0 << /Type /Catalog /Pages 2 0 R >>"

// TestSniffPDFObjectStreams: review 2026-12-03 finding 5. Names hidden in
// compressed object streams are found; what cannot be decoded is refused;
// a PDF with clean object streams is still a PDF. The qpdf files in
// testdata/pdf are `qpdf --object-streams=generate` of a hand-written PDF
// with an /OpenAction JavaScript, a /Launch, and neither: none of their
// names is in clear.
func TestSniffPDFObjectStreams(t *testing.T) {
	a85 := func(b []byte) []byte {
		out := make([]byte, ascii85.MaxEncodedLen(len(b)))
		n := ascii85.Encode(out, b)
		return append(append([]byte("<~"), out[:n]...), "~>"...)
	}
	file := func(name string) []byte {
		b, err := os.ReadFile("testdata/pdf/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name string
		data []byte
		ok   bool
		why  string // in the refusal
	}{
		{"qpdf clean", file("os-clean.pdf"), true, ""},
		{"qpdf javascript", file("os-js.pdf"), false, "/JavaScript in an object stream"},
		{"qpdf launch", file("os-launch.pdf"), false, "/Launch in an object stream"},
		{"flate javascript", objStmPDF("", "/Filter /FlateDecode", deflate(jsCatalog)), false, "/JavaScript"},
		{"flate clean", objStmPDF("", "/Filter /FlateDecode", deflate(cleanCatalog)), true, ""},
		{"filter array", objStmPDF("", "/Filter [/FlateDecode]", deflate(jsCatalog)), false, "/JavaScript"},
		{"escaped name inside", objStmPDF("", "/Filter /FlateDecode", deflate(strings.Replace(jsCatalog, "JavaScript", "J#61vaScript", 1))), false, "/JavaScript"},
		{"no filter", objStmPDF("", "", []byte(strings.Replace(jsCatalog, "/JavaScript", "/Launch", 1))), false, "/Launch"},
		{"hex then flate", objStmPDF("", "/Filter [/ASCIIHexDecode /FlateDecode]", []byte(hex.EncodeToString(deflate(jsCatalog))+">")), false, "/JavaScript"},
		{"ascii85 then flate", objStmPDF("", "/Filter [/A85 /Fl]", a85(deflate(jsCatalog))), false, "/JavaScript"},
		{"hex clean", objStmPDF("", "/Filter /AHx", []byte(hex.EncodeToString([]byte(cleanCatalog))+">")), true, ""},
		// The type left out: a reader finds the stream through the
		// cross-reference stream and reads it by /N and /First.
		{"untyped object stream", bytes.Replace(objStmPDF("", "/Filter /FlateDecode", deflate(jsCatalog)), []byte("/Type /ObjStm "), nil, 1), false, "/JavaScript"},
		{"escaped type", bytes.Replace(objStmPDF("", "/Filter /FlateDecode", deflate(jsCatalog)), []byte("/ObjStm"), []byte("/Obj#53tm"), 1), false, "/JavaScript"},
		// The length written wrong: the body runs to endstream.
		{"wrong length", bytes.Replace(objStmPDF("", "/Filter /FlateDecode", deflate(jsCatalog)), []byte("/Length "), []byte("/Length 9"), 1), false, "/JavaScript"},
		{"unknown filter", objStmPDF("", "/Filter /LZWDecode", []byte("\x80\x0b\x60\x50")), false, "filter /LZWDecode"},
		{"predictor", objStmPDF("/DecodeParms << /Predictor 12 /Columns 4 >>", "/Filter /FlateDecode", deflate(cleanCatalog)), false, "predictor"},
		{"not zlib (encrypted)", objStmPDF("", "/Filter /FlateDecode", []byte("\x13\x37garbage that an RC4 key made")), false, "cannot be checked"},
		{"zlib header, then garbage", objStmPDF("", "/Filter /FlateDecode", []byte("\x78\x9c\xff\xff\xff\xff garbage")), false, "broken zlib"},
		{"bad hex", objStmPDF("", "/Filter /AHx", []byte("zz>")), false, "hexadecimal"},
		// 64 MiB of zeros in 64 KiB: refused without inflating it all.
		{"zlib bomb", objStmPDF("", "/Filter /FlateDecode", deflate(strings.Repeat("\x00", 64<<20))), false, "MiB decoded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := zhudun.SniffAttachment(tc.data)
			if tc.ok {
				if err != nil || got.ID != "pdf" {
					t.Fatalf("= %q, %v; want a pdf", got.ID, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted as %q", got.ID)
			}
			if !strings.Contains(err.Error(), tc.why) {
				t.Fatalf("refused with %q, want it to name %q", err, tc.why)
			}
		})
	}
}

// TestSniffPDFEmbeddedFiles: an embedded file is refused by its stream's
// type or by its file specification's /EF, direct or indirect; the empty
// /EmbeddedFiles name tree fpdf writes into every PDF — zhudun's own
// report and notice PDFs — is not an embedded file, and such a PDF, saved
// from the report page and attached to a case, is accepted.
func TestSniffPDFEmbeddedFiles(t *testing.T) {
	doc := fpdf.New("P", "mm", "A4", "")
	doc.AddPage()
	doc.SetFont("Helvetica", "", 12)
	doc.Cell(40, 10, "report")
	var ours bytes.Buffer
	if err := doc.Output(&ours); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(ours.Bytes(), []byte("/EmbeddedFiles")) {
		t.Fatal("fpdf no longer writes an /EmbeddedFiles tree: this test no longer tests it")
	}
	spec := func(ef string) []byte {
		return []byte("%PDF-1.7\n1 0 obj << /Type /Catalog /Names << /EmbeddedFiles << /Names [(a.exe) 2 0 R] >> >> >> endobj\n" +
			"2 0 obj << /Type /Filespec /F (a.exe) " + ef + " >> endobj\n3 0 obj << /Length 2 >>\nstream\nMZ\nendstream\nendobj\n%%EOF")
	}
	for _, tc := range []struct {
		name string
		data []byte
		ok   bool
	}{
		{"fpdf, empty name tree", ours.Bytes(), true},
		{"/EF direct", spec("/EF << /F 3 0 R >>"), false},
		{"/EF indirect", spec("/EF 4 0 R"), false},
		{"typed stream", []byte("%PDF-1.7\n3 0 obj << /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream\nendobj"), false},
		{"/EF in an object stream", objStmPDF("", "/Filter /FlateDecode", deflate("2 0 << /Type /Filespec /F (a.exe) /EF<</F 3 0 R>> >>")), false},
		{"a longer name is another name", []byte("%PDF-1.7\n1 0 obj << /JavaScriptless true /Launcher 1 /EFX << >> >> endobj"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := zhudun.SniffAttachment(tc.data)
			if tc.ok != (err == nil) {
				t.Fatalf("= %q, %v; want accepted %v", got.ID, err, tc.ok)
			}
		})
	}
}
