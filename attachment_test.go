package zhudun_test

import (
	"archive/zip"
	"bytes"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/zhudun/zhudun"
)

// zipOf builds a zip holding the named (empty) parts.
func zipOf(t testing.TB, names ...string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("<x/>"))
	}
	zw.Close()
	return b.Bytes()
}

// TestSniffAttachment: each file, written by hand, is taken as its type
// or refused, whatever its name would say.
func TestSniffAttachment(t *testing.T) {
	png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
	tar := make([]byte, 600)
	copy(tar, "evidence.txt")
	copy(tar[257:], "ustar\x0000")
	for _, c := range []struct {
		name string
		data []byte
		want string // a type id, or "" for refused
	}{
		{"pdf", []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF"), "pdf"},
		{"pdf with javascript", []byte("%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj"), ""},
		{"pdf with launch", []byte("%PDF-1.4\n<< /S /Launch /F (cmd.exe) >>"), ""},
		{"pdf not at the start", []byte("junk%PDF-1.4"), "text"},
		{"jpeg", []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"), "jpeg"},
		{"png", []byte(png), "png"},
		{"docx", zipOf(t, "[Content_Types].xml", "_rels/.rels", "word/document.xml"), "docx"},
		{"xlsx", zipOf(t, "[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"), "xlsx"},
		{"ofd", zipOf(t, "OFD.xml", "Doc_0/Document.xml"), "ofd"},
		{"docm (macros)", zipOf(t, "[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"), ""},
		{"plain zip", zipOf(t, "a.exe"), ""},
		{"docx without its main part", zipOf(t, "[Content_Types].xml"), ""},
		{"damaged zip", []byte("PK\x03\x04garbage"), ""},
		{"text", []byte("询问笔录\r\n时间：2026年3月1日\n\t问：你叫什么名字？"), "text"},
		{"text with bom", []byte("\xEF\xBB\xBF调证回执"), "text"},
		{"html", []byte("<!DOCTYPE html><html></html>"), ""},
		{"html after spaces", []byte("  \n<html><body>x</body></html>"), ""},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), ""},
		{"xml", []byte(`<?xml version="1.0"?><a/>`), ""},
		{"script inside text", []byte("笔录 <SCRIPT>alert(1)</SCRIPT>"), ""},
		{"latin-1", []byte("caf\xe9"), ""},
		{"nul", []byte("a\x00b"), ""},
		{"windows exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04"), ""},
		{"elf", []byte("\x7fELF\x02\x01\x01"), ""},
		{"mach-o", []byte("\xCF\xFA\xED\xFE\x07\x00\x00\x01"), ""},
		{"shell script", []byte("#!/bin/sh\nrm -rf /\n"), ""},
		{"gzip", []byte("\x1F\x8B\x08\x00"), ""},
		{"rar", []byte("Rar!\x1A\x07\x00"), ""},
		{"7z", []byte("7z\xBC\xAF\x27\x1C\x00\x04"), ""},
		{"tar", tar, ""},
		{"old word", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00"), ""},
		{"empty", nil, ""},
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

// TestCleanAttachmentName: a name is for display and never a path.
func TestCleanAttachmentName(t *testing.T) {
	for in, want := range map[string]string{
		"笔录.pdf":                          "笔录.pdf",
		"../../etc/passwd":                "passwd",
		`C:\Users\张三\Desktop\回执.jpg`:      "回执.jpg",
		"invoice\u202Efdp.exe":            "invoicefdp.exe",
		"a\x00b\nc.txt":                   "abc.txt",
		"  ..  ":                          "附件",
		"":                                "附件",
		`say "hi".txt`:                    "say hi.txt",
		strings.Repeat("长", 130) + ".pdf": strings.Repeat("长", 120),
	} {
		if got := zhudun.CleanAttachmentName(in); got != want {
			t.Errorf("%q: %q; want %q", in, got, want)
		}
	}
	pdf, _ := zhudun.AttachmentTypeByID("pdf")
	jpeg, _ := zhudun.AttachmentTypeByID("jpeg")
	for _, c := range []struct {
		name string
		t    zhudun.AttachmentType
		want string
	}{{"回执.PDF", pdf, "回执.PDF"}, {"x.exe", pdf, "x.exe.pdf"}, {"照片.jpeg", jpeg, "照片.jpeg"}, {"照片", jpeg, "照片.jpg"}} {
		if got := zhudun.DownloadName(c.name, c.t); got != c.want {
			t.Errorf("DownloadName(%q): %q; want %q", c.name, got, c.want)
		}
	}
}

// FuzzSniffAttachment: never panics, and what it accepts is what it says:
// an accepted type's file starts as that type does; accepted text is
// UTF-8 that does not open as markup.
func FuzzSniffAttachment(f *testing.F) {
	for _, s := range []string{"%PDF-1.4 x", "\xFF\xD8\xFF\xE0", "\x89PNG\r\n\x1a\n", "笔录", "<html>", "MZ", "#!/bin/sh", "\x1F\x8B", "PK\x03\x04"} {
		f.Add([]byte(s))
	}
	f.Add(zipOf(f, "[Content_Types].xml", "word/document.xml"))
	f.Add(zipOf(f, "OFD.xml"))
	for _, name := range []string{"os-clean.pdf", "os-js.pdf", "os-launch.pdf"} {
		if b, err := os.ReadFile("testdata/pdf/" + name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := zhudun.SniffAttachment(data)
		if err != nil {
			if got.ID != "" {
				t.Fatalf("refused but typed %q", got.ID)
			}
			return
		}
		prefix := map[string]string{"pdf": "%PDF-", "jpeg": "\xFF\xD8\xFF", "png": "\x89PNG", "docx": "PK\x03\x04", "xlsx": "PK\x03\x04", "ofd": "PK\x03\x04"}
		if p, ok := prefix[got.ID]; ok && !bytes.HasPrefix(data, []byte(p)) {
			t.Fatalf("%s without its signature: %q", got.ID, data[:min(len(data), 16)])
		}
		if got.ID == "text" {
			trim := strings.TrimLeft(strings.TrimPrefix(string(data), "\xEF\xBB\xBF"), " \t\r\n\f\v\u0085\u00a0")
			if !utf8.Valid(data) || strings.HasPrefix(trim, "<") || strings.ContainsRune(string(data), 0) {
				t.Fatalf("accepted as text: %q", data)
			}
		}
		if got.MIME == "" || got.Ext == "" {
			t.Fatalf("type %+v incomplete", got)
		}
	})
}
