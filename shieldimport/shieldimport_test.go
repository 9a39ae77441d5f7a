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
	f.Add([]byte(gbDeviceList), true)
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
	f.Add([]byte(gbCommunities))
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

// GB 18030 (GBK) bytes as Excel's "CSV (逗号分隔)" writes them on a
// Chinese Windows, spelled out by hand: 国标编号 b9fa b1ea b1e0 bac5,
// 通道名称 cda8 b5c0 c3fb b3c6, 经度 bead b6c8, 纬度 ceb3 b6c8, 在线状态
// d4da cfdf d7b4 ccac; 泉城路东口 c8aa b3c7 c2b7 b6ab bfda; 在线 d4da cfdf,
// 离线 c0eb cfdf.
const gbDeviceList = "\xb9\xfa\xb1\xea\xb1\xe0\xba\xc5,\xcd\xa8\xb5\xc0\xc3\xfb\xb3\xc6,\xbe\xad\xb6\xc8,\xce\xb3\xb6\xc8,\xd4\xda\xcf\xdf\xd7\xb4\xcc\xac\r\n" +
	"37010200001320000001,\xc8\xaa\xb3\xc7\xc2\xb7\xb6\xab\xbf\xda,117.0241,36.6663,\xd4\xda\xcf\xdf\r\n" +
	"37010200001320000002,\xc8\xaa\xb3\xc7,117.0250,36.6670,\xc0\xeb\xcf\xdf\r\n"

// 小区编码 d0a1 c7f8 b1e0 c2eb, 小区名称 d0a1 c7f8 c3fb b3c6, 区县代码 c7f8
// cfd8 b4fa c2eb, 派出所 c5c9 b3f6 cbf9, 户数 bba7 cafd, 摄像机 c9e3 cff1
// bbfa; 泉城花园 c8aa b3c7 bba8 d4b0.
const gbCommunities = "\xd0\xa1\xc7\xf8\xb1\xe0\xc2\xeb,\xd0\xa1\xc7\xf8\xc3\xfb\xb3\xc6,\xc7\xf8\xcf\xd8\xb4\xfa\xc2\xeb,\xc5\xc9\xb3\xf6\xcb\xf9,\xbb\xa7\xca\xfd,\xc9\xe3\xcf\xf1\xbb\xfa\r\n" +
	"C1,\xc8\xaa\xb3\xc7\xbb\xa8\xd4\xb0,370102,ST1,400,8\r\n"

func TestParseDeviceListGB18030(t *testing.T) {
	cams, bad, err := ParseDeviceList([]byte(gbDeviceList), false)
	if err != nil || len(bad) != 0 || len(cams) != 2 {
		t.Fatalf("%d cameras, errors %v, %v", len(cams), bad, err)
	}
	if c := cams[0]; c.DeviceID != "37010200001320000001" || c.Name != "泉城路东口" || !c.Online || c.Lon != 117.0241 || c.Line != 2 {
		t.Errorf("row 2: %+v", c)
	}
	if c := cams[1]; c.Name != "泉城" || c.Online {
		t.Errorf("row 3 (离线): %+v", c)
	}
	// The same list in UTF-8 with a BOM reads the same.
	u, _, err := ParseDeviceList([]byte("\xEF\xBB\xBF国标编号,通道名称,经度,纬度,在线状态\n37010200001320000001,泉城路东口,117.0241,36.6663,在线\n"), false)
	if err != nil || len(u) != 1 || u[0].Name != "泉城路东口" || !u[0].Online {
		t.Errorf("UTF-8 with BOM: %+v %v", u, err)
	}
	// Bytes that are neither: the file is refused, not read as U+FFFD.
	_, _, err = ParseDeviceList([]byte("device_id,name,longitude,latitude,status\n37010200001320000001,\xc8\xff,117,36,ON\n"), false)
	if zhudun.ErrorCode(err) != zhudun.EINVALID || !strings.Contains(zhudun.ErrorMessage(err), "GB 18030") {
		t.Errorf("neither UTF-8 nor GB 18030: %v", err)
	}
}

func TestParseCommunitiesGB18030(t *testing.T) {
	rows, lines, bad, err := ParseCommunities([]byte(gbCommunities))
	if err != nil || len(bad) != 0 || len(rows) != 1 {
		t.Fatalf("%d rows, errors %v, %v", len(rows), bad, err)
	}
	if r := rows[0]; r.Code != "C1" || r.Name != "泉城花园" || r.Station != "ST1" || r.Households != 400 || r.Facilities[zhudun.FacilityCamera] != 8 || lines[0] != 2 {
		t.Errorf("row 2: %+v line %d", r, lines[0])
	}
	if _, _, _, err := ParseCommunities([]byte("code,name,district,station\nC1,\xff\xfe,370102,ST1\n")); zhudun.ErrorCode(err) != zhudun.EINVALID {
		t.Errorf("neither UTF-8 nor GB 18030: %v", err)
	}
}
