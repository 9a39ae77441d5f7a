package geo

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/zhudun/zhudun"
)

// ParseDistricts reads a district FeatureCollection as DataV.GeoAtlas
// exports it: each feature's properties carry adcode (a number or a string
// of six digits, GB/T 2260) and name. gcj says the file is GCJ-02 (DataV's,
// AMap's) and is converted to WGS-84. Errors are EINVALID and name the
// feature and field.
func ParseDistricts(data []byte, gcj bool) ([]zhudun.District, error) {
	fs, err := ParseFeatureCollection(data)
	if err != nil {
		return nil, err
	}
	if len(fs) == 0 {
		return nil, zhudun.Errorf(zhudun.EINVALID, "geojson: no features")
	}
	out := make([]zhudun.District, 0, len(fs))
	for i, f := range fs {
		var p struct {
			Adcode json.RawMessage `json:"adcode"`
			Name   string          `json:"name"`
		}
		if len(f.Properties) == 0 || json.Unmarshal(f.Properties, &p) != nil {
			return nil, zhudun.FieldError("properties", "feature %d: properties must be an object with adcode and name", i)
		}
		code := strings.Trim(strings.TrimSpace(string(p.Adcode)), `"`)
		if _, err := strconv.ParseUint(code, 10, 32); err != nil || len(code) != 6 {
			return nil, zhudun.FieldError("adcode", "feature %d: adcode must be six digits (GB/T 2260), got %s", i, string(p.Adcode))
		}
		name := strings.TrimSpace(p.Name)
		if name == "" || len([]rune(name)) > 64 {
			return nil, zhudun.FieldError("name", "feature %d (%s): name is required, at most 64 characters", i, code)
		}
		if slices.ContainsFunc(out, func(d zhudun.District) bool { return d.Code == code }) {
			return nil, zhudun.FieldError("adcode", "feature %d: adcode %s appears twice", i, code)
		}
		m := f.Geometry
		if gcj {
			m = m.Transform(GCJ02ToWGS84)
		}
		out = append(out, zhudun.District{Code: code, Name: name, Boundary: m})
	}
	slices.SortFunc(out, func(a, b zhudun.District) int { return strings.Compare(a.Code, b.Code) })
	return out, nil
}
