package shieldimport

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/internal/csvtext"
	"github.com/zhudun/zhudun/internal/xlsxread"
)

// communityColumns maps the header names accepted (the bureau's Chinese
// headings or the API's field names) to fields; facility counts are
// columns named by the facility kind.
var communityColumns = map[string]string{
	"小区编码": "code", "code": "code", "小区名称": "name", "name": "name", "地址": "address", "address": "address",
	"区县代码": "district", "district": "district", "派出所": "station", "所属派出所": "station", "station": "station",
	"网格": "grid", "网格编码": "grid", "grid": "grid", "经度": "lon", "lon": "lon", "纬度": "lat", "lat": "lat",
	"户数": "households", "households": "households", "物业公司": "property_company", "property_company": "property_company",
	"物业联系人": "contact_name", "contact_name": "contact_name", "物业电话": "contact_phone", "contact_phone": "contact_phone",
	"边界": "boundary", "boundary": "boundary",
	"门禁": zhudun.FacilityAccessControl, "人脸门禁": zhudun.FacilityFaceGate, "摄像机": zhudun.FacilityCamera, "道闸": zhudun.FacilityVehicleBarrier,
	"周界报警": zhudun.FacilityPerimeterAlarm, "烟感": zhudun.FacilitySmokeDetector, "充电棚": zhudun.FacilityEbikeShed,
}

func init() {
	for _, k := range zhudun.FacilityKinds {
		communityColumns[k] = k
	}
}

// ParseCommunities reads a community sheet: the first sheet of an .xlsx
// (by its content), else CSV in UTF-8 (a BOM allowed) or GB 18030/GBK. It returns the rows that read and, for the
// others, an error naming line and column; the file not reading at all
// is EINVALID.
func ParseCommunities(data []byte) ([]zhudun.NewCommunity, []int, []zhudun.ImportRowError, error) {
	var table [][]string
	var at []int // each row's line; nil: the line is the row's index + 1
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		var err error
		if table, at, err = xlsxread.FirstSheet(data, 20000); err != nil {
			return nil, nil, nil, err
		}
	} else {
		text, err := csvtext.UTF8(data)
		if err != nil {
			return nil, nil, nil, zhudun.FieldError("file", "%v", err)
		}
		cr := csv.NewReader(bytes.NewReader(text))
		cr.FieldsPerRecord = -1
		if table, err = cr.ReadAll(); err != nil {
			return nil, nil, nil, zhudun.FieldError("file", "not a readable CSV: %v", err)
		}
	}
	if len(table) < 2 {
		return nil, nil, nil, zhudun.FieldError("file", "a header row and at least one community are required")
	}
	if len(table) > 20001 {
		return nil, nil, nil, zhudun.FieldError("file", "at most 20000 communities")
	}
	cols := map[int]string{}
	have := map[string]bool{}
	for i, h := range table[0] {
		if f, ok := communityColumns[strings.TrimSpace(h)]; ok {
			cols[i], have[f] = f, true
		}
	}
	for _, need := range []string{"code", "name", "district", "station"} {
		if !have[need] {
			return nil, nil, nil, zhudun.FieldError("file", "the header has no %s column", need)
		}
	}
	var out []zhudun.NewCommunity
	var lines []int
	var bad []zhudun.ImportRowError
	for i, rec := range table[1:] {
		if blank(rec) {
			continue
		}
		line := i + 2
		if at != nil {
			line = at[i+1]
		}
		n, err := communityRow(rec, cols)
		if err != nil {
			bad = append(bad, zhudun.ImportRowError{Row: line, Field: err.Field, Message: err.Message})
			continue
		}
		out = append(out, n)
		lines = append(lines, line)
	}
	return out, lines, bad, nil
}

func communityRow(rec []string, cols map[int]string) (zhudun.NewCommunity, *zhudun.Error) {
	n := zhudun.NewCommunity{Facilities: map[string]int{}}
	var contact zhudun.NewPropertyContact
	var lon, lat *float64
	for i, v := range rec {
		f, ok := cols[i]
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch f {
		case "code":
			n.Code = v
		case "name":
			n.Name = v
		case "address":
			n.Address = v
		case "district":
			n.District = v
		case "station":
			n.Station = v
		case "grid":
			n.Grid = v
		case "property_company":
			n.PropertyCompany = v
		case "contact_name":
			contact.Name = v
		case "contact_phone":
			contact.Phone = v
		case "lon", "lat":
			if v == "" {
				continue
			}
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return n, zhudun.FieldError(f, "%q is not a number", clip(v))
			}
			if f == "lon" {
				lon = &x
			} else {
				lat = &x
			}
		case "households":
			if v == "" {
				continue
			}
			x, err := strconv.Atoi(v)
			if err != nil {
				return n, zhudun.FieldError(f, "%q is not a whole number", clip(v))
			}
			n.Households = x
		case "boundary":
			if v == "" {
				continue
			}
			var b [][][][2]float64
			if err := json.Unmarshal([]byte(v), &b); err != nil || len(b) == 0 {
				return n, zhudun.FieldError(f, "not a MultiPolygon's coordinates ([[[[lon, lat], …]]])")
			}
			n.Boundary = b
		default: // a facility count
			if v == "" {
				continue
			}
			x, err := strconv.Atoi(v)
			if err != nil {
				return n, zhudun.FieldError(f, "%q is not a whole number", clip(v))
			}
			n.Facilities[f] = x
		}
	}
	n.Lon, n.Lat = lon, lat
	if contact.Name != "" || contact.Phone != "" {
		if contact.Name == "" {
			return n, zhudun.FieldError("contact_name", "a phone without the contact's name")
		}
		n.Contacts = []zhudun.NewPropertyContact{contact}
	}
	if err := n.Validate(); err != nil {
		ze, _ := err.(*zhudun.Error)
		return n, ze
	}
	return n, nil
}
