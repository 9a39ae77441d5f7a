package httpapi

import (
	"io"
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/internal/xlsxread/xlsxtest"
)

// A school workbook is read within bounds, as every import (review
// 2026-12-03b, finding 1): before, excelize's defaults and GetRows took
// whatever the zip unpacked to, and the sheet had no row limit.
func TestParseSchoolFileHostile(t *testing.T) {
	header := xlsxtest.Row("学校代码", "学校名称", "类型", "区县代码", "派出所")
	row := xlsxtest.Row("S1", "甲小学", "小学", "370102", "ST1")
	cases := []struct {
		name, want string
		data       []byte
	}{
		{"unpacks to more than 128 MiB", "larger than 128 MiB unpacked", xlsxtest.Bomb(header, row, 1_000_000)},
		{"a cell in column XFD", "cell XFD2 is beyond", xlsxtest.Workbook(func(w io.Writer) {
			io.WriteString(w, header+`<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>`)
		})},
		{"more than 20000 rows", "at most 20000 schools", xlsxtest.Bomb(header, row, 21_000)},
		{"more than 20000 CSV rows", "at most 20000 schools",
			[]byte("学校代码,学校名称,类型,区县代码,派出所\n" + strings.Repeat("S1,甲小学,小学,370102,ST1\n", 20001))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseSchoolFile(c.data)
			if zhudun.ErrorCode(err) != zhudun.EINVALID || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want EINVALID %q, got %v", c.want, err)
			}
		})
	}
}

// FuzzParseSchoolFile: any bytes give rows or an EINVALID, never a panic,
// and every row either has a school or an error naming a row past the
// header.
func FuzzParseSchoolFile(f *testing.F) {
	f.Add([]byte("学校代码,学校名称,类型,区县代码,派出所\nS1,甲小学,小学,370102,ST1\n"))
	f.Add([]byte("code,name,type,district,station,lon,lat,students\nS1,甲,primary,370102,ST1,117.0,36.6,abc\n"))
	f.Add([]byte("\xEF\xBB\xBFcode,name\n\"unterminated"))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := parseSchoolFile(b)
		if err != nil {
			return
		}
		for _, r := range rows {
			if r.err != nil && r.err.Row < 2 {
				t.Fatalf("row error at row %d", r.err.Row)
			}
		}
	})
}

func TestParseSchoolRows(t *testing.T) {
	rows, err := parseSchoolFile([]byte("学校代码,学校名称,类型,办学性质,区县代码,派出所,学生数,联系人,联系电话\n" +
		"S1,甲小学,小学,民办,370102,ST1,800,王老师,13905310001\nS2,乙中学,初中,公办,370103,ST2,many,,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].err != nil || rows[0].school.Type != "primary" || !rows[0].school.Private || rows[0].school.Students != 800 ||
		len(rows[0].school.Contacts) != 1 || rows[0].school.Contacts[0].Phone != "13905310001" {
		t.Errorf("row 2 = %+v", rows[0])
	}
	if rows[1].err == nil || rows[1].err.Row != 3 || rows[1].err.Field != "students" {
		t.Errorf("row 3 = %+v, want an error on students", rows[1].err)
	}
	if _, err := parseSchoolFile([]byte("name,type\nx,y\n")); err == nil {
		t.Error("a header without code, district and station parsed")
	}
}
