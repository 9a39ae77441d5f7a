package shieldimport

import (
	"io"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/geo"
	"github.com/zhudun/zhudun/internal/xlsxread/xlsxtest"
)

func TestParseDeviceList(t *testing.T) {
	data, err := os.ReadFile("testdata/wvp-channels.csv")
	if err != nil {
		t.Fatal(err)
	}
	cams, bad, err := ParseDeviceList(data, false)
	if err != nil || len(bad) != 0 || len(cams) != 3 {
		t.Fatalf("%d cameras, errors %v, %v", len(cams), bad, err)
	}
	c := cams[0]
	if c.DeviceID != "37010200001320000001" || c.Name != "泉城路东口" || !c.Online || c.Lon != 117.0241 || c.Lat != 36.6663 || c.Line != 2 {
		t.Errorf("row 2: %+v", c)
	}
	if c.Type != zhudun.CameraFixed || c.Extra["manufacturer"] != "Hikvision" || c.Extra["parent_id"] != "37010200002000000001" {
		t.Errorf("kept columns / PTZType 3: %+v", c)
	}
	if cams[1].Online || cams[1].Type != zhudun.CameraDome {
		t.Errorf("row 3 OFF, PTZType 1 (dome): %+v", cams[1])
	}
	if cams[2].FOV != DefaultFOV || cams[2].Range != DefaultRange || cams[2].ViewGiven {
		t.Errorf("row 4 without a view: %+v", cams[2])
	}
}

func TestParseDeviceListGCJ(t *testing.T) {
	data := []byte("device_id,name,longitude,latitude,status\n37010200001320000001,a,117.0241,36.6663,ON\n")
	cams, _, err := ParseDeviceList(data, true)
	if err != nil {
		t.Fatal(err)
	}
	wlon, wlat := geo.GCJ02ToWGS84(117.0241, 36.6663)
	// The GCJ-02 offset near Jinan is some hundreds of metres.
	if cams[0].Lon != wlon || cams[0].Lat != wlat || math.Abs(cams[0].Lon-117.0241) < 0.001 {
		t.Errorf("converted to %.6f,%.6f, want %.6f,%.6f", cams[0].Lon, cams[0].Lat, wlon, wlat)
	}
	// And back: within a centimetre or so.
	glon, glat := geo.WGS84ToGCJ02(cams[0].Lon, cams[0].Lat)
	if math.Abs(glon-117.0241) > 1e-7 || math.Abs(glat-36.6663) > 1e-7 {
		t.Errorf("round trip %.8f,%.8f", glon, glat)
	}
}

func TestParseDeviceListRowErrors(t *testing.T) {
	data := "device_id,name,longitude,latitude,status,direction\n" +
		"37010200001320000001,ok,117.02,36.66,ON,90\n" + // line 2 good
		"3701020000132000000,short,117.02,36.66,ON,\n" + // line 3: 19 digits
		"37010200001110000001,dvr,117.02,36.66,ON,\n" + // line 4: type 111 is no camera
		"37010200001320000004,x,117.02,36.66,MAYBE,\n" + // line 5: status
		"37010200001320000005,x,abc,36.66,ON,\n" + // line 6: longitude
		"37010200001320000006,x,117.02,96.66,ON,\n" + // line 7: latitude
		"37010200001320000007,x,117.02,36.66,ON,north\n" + // line 8: direction
		"99010200001320000008,x,117.02,36.66,ON,\n" // line 9: no province 99
	cams, bad, err := ParseDeviceList([]byte(data), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(cams) != 1 || cams[0].Direction != 90 || !cams[0].ViewGiven {
		t.Errorf("good rows %+v", cams)
	}
	want := []struct {
		row   int
		field string
		in    string
	}{{3, "device_id", "20 digits"}, {4, "device_id", "111"}, {5, "status", "MAYBE"}, {6, "longitude", "abc"},
		{7, "latitude", "96.66"}, {8, "direction", "north"}, {9, "device_id", "99"}}
	if len(bad) != len(want) {
		t.Fatalf("errors %+v", bad)
	}
	for i, w := range want {
		if bad[i].Row != w.row || bad[i].Field != w.field || !strings.Contains(bad[i].Message, w.in) {
			t.Errorf("error %d = %+v, want line %d column %s mentioning %q", i, bad[i], w.row, w.field, w.in)
		}
	}
	for _, head := range []string{"name,longitude,latitude,status\n", "", "device_id,device_id,name,longitude,latitude,status\n"} {
		if _, _, err := ParseDeviceList([]byte(head+"x\n"), false); zhudun.ErrorCode(err) != zhudun.EINVALID {
			t.Errorf("header %q: %v", head, err)
		}
	}
}

func TestParseCommunities(t *testing.T) {
	data := "小区编码,小区名称,区县代码,派出所,户数,摄像机,门禁,物业联系人,物业电话\n" +
		"C1,泉城花园,370102,ST1,400,8,2,赵经理,13905310001\n" +
		"C2,X,370102,ST1,100,,,,\n" +
		"C3,燕山小区,370102,ST1,many,,,,\n"
	rows, lines, bad, err := ParseCommunities([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || lines[0] != 2 || rows[0].Facilities["camera"] != 8 || rows[0].Contacts[0].Phone != "13905310001" {
		t.Errorf("rows %+v", rows)
	}
	if len(bad) != 2 || bad[0].Row != 3 || bad[0].Field != "name" || bad[1].Row != 4 || bad[1].Field != "households" {
		t.Errorf("errors %+v", bad)
	}
}

func FuzzParseDeviceList(f *testing.F) {
	seed, _ := os.ReadFile("testdata/wvp-channels.csv")
	f.Add(seed, false)
	f.Add([]byte("device_id,name,longitude,latitude,status\n\"37010200001320000001,a,1,2,ON\n"), true)
	f.Add([]byte("\xEF\xBB\xBFdevice_id,name,longitude,latitude,status,x\n37010200001320000001,a,NaN,Inf,ON,1,2,3\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, gcj bool) {
		cams, bad, err := ParseDeviceList(data, gcj)
		if err != nil {
			if zhudun.ErrorCode(err) != zhudun.EINVALID {
				t.Fatalf("error code %s: %v", zhudun.ErrorCode(err), err)
			}
			return
		}
		for _, c := range cams {
			if err := c.Validate(); err != nil || c.Line < 2 {
				t.Fatalf("returned an invalid camera %+v: %v", c, err)
			}
		}
		for _, b := range bad {
			if b.Row < 2 || b.Field == "" {
				t.Fatalf("row error without line or column: %+v", b)
			}
		}
	})
}

func FuzzParseCommunities(f *testing.F) {
	f.Add([]byte("code,name,district,station,households,camera\nC1,泉城花园,370102,ST1,400,8\n"))
	f.Add([]byte("code,name,district,station,boundary\nC1,泉城花园,370102,ST1,\"[[[[117,36],[117.1,36],[117,36.1]]]]\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, lines, bad, err := ParseCommunities(data)
		if err != nil {
			if zhudun.ErrorCode(err) != zhudun.EINVALID {
				t.Fatalf("error code %s: %v", zhudun.ErrorCode(err), err)
			}
			return
		}
		if len(rows) != len(lines) {
			t.Fatalf("%d rows, %d lines", len(rows), len(lines))
		}
		for i := range rows {
			if err := rows[i].Validate(); err != nil {
				t.Fatalf("returned an invalid row: %v", err)
			}
		}
		for _, b := range bad {
			if b.Row < 2 {
				t.Fatalf("row error without a line: %+v", b)
			}
		}
	})
}

// A community workbook is read within bounds (review 2026-12-03b,
// finding 1): before, excelize's defaults let a 1.7 MB upload unpack to
// 500 MB and GetRows hold 1.4 GB for 80 s.
func TestParseCommunitiesHostileWorkbook(t *testing.T) {
	header := xlsxtest.Row("小区编码", "小区名称", "区县代码", "派出所")
	cases := []struct {
		name, want string
		data       []byte
	}{
		{"unpacks to more than 128 MiB", "larger than 128 MiB unpacked",
			xlsxtest.Bomb(header, xlsxtest.Row("C1", "x", "370102", "ST1"), 1_000_000)},
		{"a cell in column XFD", "cell XFD2 is beyond",
			xlsxtest.Workbook(func(w io.Writer) {
				io.WriteString(w, header+`<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>`)
			})},
		{"more than 64 cells in a row", "more than 64 cells",
			xlsxtest.Workbook(func(w io.Writer) {
				io.WriteString(w, header+xlsxtest.Row(strings.Split(strings.Repeat("x,", 65), ",")...))
			})},
		{"more than 20000 rows", "at most 20000 communities",
			xlsxtest.Bomb(header, xlsxtest.Row("C1", "x", "370102", "ST1"), 21_000)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, _, err := ParseCommunities(c.data)
			if zhudun.ErrorCode(err) != zhudun.EINVALID || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want EINVALID %q, got %v", c.want, err)
			}
		})
	}
}

// A workbook's rows keep their sheet line numbers past blank rows.
func TestParseCommunitiesWorkbookLines(t *testing.T) {
	data := xlsxtest.Workbook(func(w io.Writer) {
		io.WriteString(w, xlsxtest.Row("小区编码", "小区名称", "区县代码", "派出所", "户数")+
			`<row r="2"><c r="A2" t="inlineStr"><is><t>C1</t></is></c><c r="B2" t="inlineStr"><is><t>泉城花园</t></is></c><c r="C2" t="inlineStr"><is><t>370102</t></is></c><c r="D2" t="inlineStr"><is><t>ST1</t></is></c></row>`+
			`<row r="5"><c r="A5" t="inlineStr"><is><t>C2</t></is></c><c r="B5" t="inlineStr"><is><t>燕山小区</t></is></c><c r="C5" t="inlineStr"><is><t>370102</t></is></c><c r="D5" t="inlineStr"><is><t>ST1</t></is></c><c r="E5" t="inlineStr"><is><t>many</t></is></c></row>`)
	})
	rows, lines, bad, err := ParseCommunities(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || lines[0] != 2 || rows[0].Code != "C1" {
		t.Errorf("rows %+v lines %v", rows, lines)
	}
	if len(bad) != 1 || bad[0].Row != 5 || bad[0].Field != "households" {
		t.Errorf("errors %+v", bad)
	}
}
