package docx_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/zhudun/zhudun/docx"
)

// fakeFont stands for a TrueType file: its first 32 bytes are what the
// obfuscation changes.
var fakeFont = append([]byte("\x00\x01\x00\x00TRUETYPE-HEADER-BYTES-0123456789"), bytes.Repeat([]byte{7}, 100)...)

func sample() *docx.Document {
	d := docx.New("AR PL SungtiL GB", fakeFont, "关于2021年“铸盾”行动情况的通报")
	d.Masthead("济南市公安局")
	d.Title("关于2021年“铸盾”行动情况的通报")
	d.Plain("各分局、各部门：")
	d.Heading("一、网络犯罪打击")
	d.Para("全年共办理网络犯罪案件598起，<同比> & \"上升\"。\x01")
	d.Table([]string{"指标", "本期", "去年同期", "同比"}, [][]string{{"办理案件", "598", "500", "+19.6%"}, {"短行"}})
	d.Right("济南市公安局\n2022年1月10日")
	return d
}

func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], err = io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// wellFormed decodes an XML part to its end.
func wellFormed(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// texts is every w:t of a part, in order.
func texts(t *testing.T, b []byte) []string {
	t.Helper()
	var out []string
	d := xml.NewDecoder(bytes.NewReader(b))
	in := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			in = x.Name.Local == "t"
			if in {
				out = append(out, "")
			}
		case xml.CharData:
			if in {
				out[len(out)-1] += string(x)
			}
		case xml.EndElement:
			in = false
		}
	}
}

// TestDocument: the package's parts are all there, each well-formed; the
// content types and relationships name parts that exist; the text comes
// in the order written, escaped, without the control character; the font
// is embedded and comes back when de-obfuscated; the page is A4 with
// GB/T 9704's margins.
func TestDocument(t *testing.T) {
	var b bytes.Buffer
	n, err := sample().WriteTo(&b)
	if err != nil || n != int64(b.Len()) {
		t.Fatalf("WriteTo: %d of %d, %v", n, b.Len(), err)
	}
	parts := unzip(t, b.Bytes())
	want := []string{"[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "docProps/core.xml", "word/_rels/document.xml.rels",
		"word/_rels/fontTable.xml.rels", "word/document.xml", "word/fontTable.xml", "word/fonts/font1.odttf", "word/footer1.xml",
		"word/settings.xml", "word/styles.xml"}
	var got []string
	for name, content := range parts {
		got = append(got, name)
		if strings.HasSuffix(name, ".xml") || strings.HasSuffix(name, ".rels") {
			if err := wellFormed(content); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("parts %v\nwant %v", got, want)
	}
	ct := string(parts["[Content_Types].xml"])
	for _, name := range want {
		if strings.HasSuffix(name, ".xml") && !strings.HasPrefix(name, "[") && !strings.Contains(ct, `PartName="/`+name+`"`) {
			t.Errorf("content types do not name /%s", name)
		}
	}
	for _, rel := range []struct{ part, dir string }{{"_rels/.rels", ""}, {"word/_rels/document.xml.rels", "word/"}, {"word/_rels/fontTable.xml.rels", "word/"}} {
		for _, m := range strings.Split(string(parts[rel.part]), `Target="`)[1:] {
			target := rel.dir + m[:strings.IndexByte(m, '"')]
			if _, ok := parts[target]; !ok {
				t.Errorf("%s points at %s, which is not in the file", rel.part, target)
			}
		}
	}
	doc := parts["word/document.xml"]
	wantText := []string{"济南市公安局", "关于2021年“铸盾”行动情况的通报", "各分局、各部门：", "一、网络犯罪打击",
		`全年共办理网络犯罪案件598起，<同比> & "上升"。`, "指标", "本期", "去年同期", "同比", "办理案件", "598", "500", "+19.6%",
		"短行", "", "", "", "济南市公安局", "2022年1月10日"}
	if got := texts(t, doc); !slices.Equal(got, wantText) {
		t.Errorf("text %q\nwant %q", got, wantText)
	}
	for _, s := range []string{`<w:pgSz w:w="11906" w:h="16838"/>`, `w:top="2098" w:right="1474" w:bottom="1984" w:left="1587"`, `w:color="E60012"`, `<w:tblHeader/>`} {
		if !bytes.Contains(doc, []byte(s)) {
			t.Errorf("document.xml lacks %s", s)
		}
	}
	if !bytes.Contains(parts["word/settings.xml"], []byte("<w:embedTrueTypeFonts/>")) || !bytes.Contains(parts["word/fontTable.xml"], []byte(`w:name="AR PL SungtiL GB"`)) {
		t.Error("the font is not declared embedded")
	}
	key := strings.Split(strings.Split(string(parts["word/fontTable.xml"]), `w:fontKey="`)[1], `"`)[0]
	font, err := docx.Obfuscate(parts["word/fonts/font1.odttf"], key)
	if err != nil || !bytes.Equal(font, fakeFont) {
		t.Errorf("the embedded font does not come back: %v", err)
	}
	if bytes.Equal(parts["word/fonts/font1.odttf"][:32], fakeFont[:32]) {
		t.Error("the embedded font is not obfuscated")
	}
	if !bytes.Contains(parts["docProps/core.xml"], []byte("<dc:title>关于2021年“铸盾”行动情况的通报</dc:title>")) {
		t.Errorf("core properties: %s", parts["docProps/core.xml"])
	}
	// The same document, the same bytes.
	var again bytes.Buffer
	if _, err := sample().WriteTo(&again); err != nil || !bytes.Equal(again.Bytes(), b.Bytes()) {
		t.Error("two writes of one document differ")
	}
}

// TestObfuscate: ECMA-376 §17.8.1 — the key is the GUID's 16 bytes read
// from the last; the first 32 bytes are XORed with it, twice over.
// Worked by hand for {00112233-4455-6677-8899-AABBCCDDEEFF} over zeros.
func TestObfuscate(t *testing.T) {
	out, err := docx.Obfuscate(make([]byte, 40), "{00112233-4455-6677-8899-AABBCCDDEEFF}")
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0xFF, 0xEE, 0xDD, 0xCC, 0xBB, 0xAA, 0x99, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x00}
	want = append(append(append([]byte{}, want...), want...), 0, 0, 0, 0, 0, 0, 0, 0)
	if !bytes.Equal(out, want) {
		t.Fatalf("% x\nwant % x", out, want)
	}
	if _, err := docx.Obfuscate(nil, "not-a-guid"); err == nil {
		t.Error("a bad key is accepted")
	}
}

// FuzzText: whatever text goes in, every part stays well-formed and the
// text that XML can hold comes back.
func FuzzText(f *testing.F) {
	for _, s := range []string{"", "<>&\"'", "\x00\x1f\ufffe", "第一行\n第二行", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := docx.New("F", fakeFont, s)
		d.Title(s)
		d.Para(s)
		d.Table([]string{s}, [][]string{{s}})
		var b bytes.Buffer
		if _, err := d.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		for name, content := range unzip(t, b.Bytes()) {
			if strings.HasSuffix(name, ".xml") {
				if err := wellFormed(content); err != nil {
					t.Fatalf("%s: %v for %q", name, err, s)
				}
			}
		}
	})
}
