package zhudun

import (
	"bytes"
	"compress/zlib"
	"encoding/ascii85"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strconv"
)

// A PDF 1.5 file may keep its dictionaries — the catalog's /OpenAction, a
// /JavaScript name tree, a /Launch action — inside compressed object
// streams (/Type /ObjStm), where a search of the raw bytes sees nothing
// (review 2026-12-03, finding 5; `qpdf --object-streams=generate` makes
// one from any PDF). pdfRefusal decodes every object stream, bounded, and
// looks for the refused names in the raw bytes and in each decoded stream.
// What it cannot decode it refuses: a reader would decode it and run what
// it holds.

// pdfRefused are the names of scripts and launch actions, the type of an
// embedded file's stream and a file specification's /EF (the embedded
// file itself: its stream need not be typed), each as a whole name — an
// empty /EmbeddedFiles name tree, which fpdf writes into every PDF
// (ours among them), embeds nothing. "/JS" alone is too short not to occur
// in binary data; a script action names /S /JavaScript besides.
var pdfRefused = []struct {
	name string
	re   *regexp.Regexp
}{
	{"/JavaScript", regexp.MustCompile(`/JavaScript([\s()<>\[\]{}/%]|$)`)},
	{"/Launch", regexp.MustCompile(`/Launch([\s()<>\[\]{}/%]|$)`)},
	{"/EmbeddedFile", regexp.MustCompile(`/EmbeddedFile([\s()<>\[\]{}/%]|$)`)},
	{"/EF", regexp.MustCompile(`/EF\s*(<<|\d+\s+\d+\s+R)`)},
}

// maxPDFDecoded bounds what the object streams of one file decode to, all
// together: a 20 MiB file's object streams are a few MiB at most, and a
// zlib bomb must not take the server's memory.
const maxPDFDecoded = 32 << 20

var (
	pdfStreamKW = regexp.MustCompile(`>>\s*stream(\r\n|\n|\r)`)
	pdfObjKW    = regexp.MustCompile(`\d+\s+\d+\s+obj\b`)
	pdfLength   = regexp.MustCompile(`/Length\s+(\d+)(\s+\d+\s+R)?`)
	pdfFilter   = regexp.MustCompile(`/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+)`)
	pdfName     = regexp.MustCompile(`/[A-Za-z0-9]+`)
	pdfNKey     = regexp.MustCompile(`/N\s*\d`)
)

// pdfRefusal is "" for a PDF with none of the refused names in clear or in
// its object streams, else what is refused.
func pdfRefusal(data []byte) string {
	if bad := refusedName(pdfNames(data)); bad != "" {
		return bad
	}
	budget := maxPDFDecoded
	for _, m := range pdfStreamKW.FindAllSubmatchIndex(data, -1) {
		dict := pdfNames(pdfStreamDict(data, m[0]))
		if !isObjStm(dict) {
			continue
		}
		body := pdfStreamBody(data, dict, m[1])
		decoded, err := pdfDecode(dict, body, budget)
		if err != nil {
			return "an object stream that cannot be checked: " + err.Error()
		}
		budget -= len(decoded)
		if bad := refusedName(pdfNames(decoded)); bad != "" {
			return bad + " in an object stream"
		}
	}
	return ""
}

func refusedName(b []byte) string {
	for _, r := range pdfRefused {
		if r.re.Match(b) {
			return r.name
		}
	}
	return ""
}

// pdfStreamDict is the text of the object holding the stream whose ">>"
// starts at end: from the nearest "N G obj" before it (at most 64 KiB back,
// a dictionary is never that long) to end.
func pdfStreamDict(data []byte, end int) []byte {
	from := max(0, end-64<<10)
	objs := pdfObjKW.FindAllIndex(data[from:end], -1)
	if len(objs) == 0 {
		return data[from : end+2]
	}
	return data[from+objs[len(objs)-1][1] : end+2]
}

// isObjStm: the type says so, or the dictionary has the two keys a reader
// needs to read an object stream (a reader finds object streams through
// the cross-reference stream and need not check /Type).
func isObjStm(dict []byte) bool {
	return bytes.Contains(dict, []byte("/ObjStm")) ||
		(bytes.Contains(dict, []byte("/First")) && pdfNKey.Match(dict))
}

// pdfStreamBody is the stream's data: /Length bytes when the length is
// written in the dictionary and "endstream" follows them, else up to the
// next "endstream".
func pdfStreamBody(data, dict []byte, start int) []byte {
	rest := data[start:]
	if m := pdfLength.FindSubmatch(dict); m != nil && m[2] == nil {
		if n, err := strconv.Atoi(string(m[1])); err == nil && n <= len(rest) {
			if bytes.HasPrefix(bytes.TrimLeft(rest[n:], "\r\n \t"), []byte("endstream")) {
				return rest[:n]
			}
		}
	}
	if i := bytes.Index(rest, []byte("endstream")); i >= 0 {
		return rest[:i]
	}
	return rest
}

// pdfDecode applies the stream's filters in order. Only the filters object
// streams are written with are known; predictors (/DecodeParms) are not,
// and refused: they would scramble the names this looks for.
func pdfDecode(dict, body []byte, budget int) ([]byte, error) {
	if bytes.Contains(dict, []byte("/Predictor")) {
		return nil, fmt.Errorf("a predictor")
	}
	var filters [][]byte
	if m := pdfFilter.FindSubmatch(dict); m != nil {
		filters = pdfName.FindAll(m[1], -1)
	}
	out := body
	for _, f := range filters {
		var err error
		switch string(f) {
		case "/FlateDecode", "/Fl":
			out, err = inflateBounded(out, budget)
		case "/ASCIIHexDecode", "/AHx":
			out, err = asciiHex(out)
		case "/ASCII85Decode", "/A85":
			out, err = ascii85Decode(out)
		default:
			return nil, fmt.Errorf("filter %s", f)
		}
		if err != nil {
			return nil, err
		}
		if len(out) > budget {
			return nil, fmt.Errorf("more than %d MiB decoded", maxPDFDecoded>>20)
		}
	}
	return out, nil
}

func inflateBounded(b []byte, budget int) ([]byte, error) {
	r, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("not zlib")
	}
	out, err := io.ReadAll(io.LimitReader(r, int64(budget)+1))
	if len(out) > budget {
		return nil, fmt.Errorf("more than %d MiB decoded", maxPDFDecoded>>20)
	}
	// A stream cut short or with a bad checksum is still read by some
	// readers as far as it goes: what inflated is checked, the rest is not
	// there to run.
	if err != nil && len(out) == 0 {
		return nil, fmt.Errorf("a broken zlib stream")
	}
	return out, nil
}

func asciiHex(b []byte) ([]byte, error) {
	clean := make([]byte, 0, len(b))
	for _, c := range b {
		if c == '>' {
			break
		}
		if c > ' ' {
			clean = append(clean, c)
		}
	}
	if len(clean)%2 == 1 {
		clean = append(clean, '0')
	}
	out := make([]byte, len(clean)/2)
	if _, err := hex.Decode(out, clean); err != nil {
		return nil, fmt.Errorf("bad hexadecimal")
	}
	return out, nil
}

func ascii85Decode(b []byte) ([]byte, error) {
	b = bytes.TrimPrefix(bytes.TrimSpace(b), []byte("<~"))
	if i := bytes.Index(b, []byte("~>")); i >= 0 {
		b = b[:i]
	}
	out := make([]byte, 4*len(b)/5+4)
	n, _, err := ascii85.Decode(out, b, true)
	if err != nil {
		return nil, fmt.Errorf("bad ASCII85")
	}
	return out[:n], nil
}
