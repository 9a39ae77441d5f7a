// Package demo is the demo city: Jinan's twelve real districts and counties,
// and a deterministic plan of a police organisation on them — the bureau,
// its divisions, one sub-bureau per district, generated police stations
// placed inside their districts, and users of every role. It reads only its
// embedded data and writes nothing; the caller (zhudun demo, end-to-end
// tests) turns the plan into departments and accounts.
package demo

import (
	"cmp"
	_ "embed"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/geo"
)

// districtsGeoJSON is DataV's GCJ-02 export of Jinan; see data/SOURCE.md.
//
//go:embed data/jinan-370100-districts.gcj02.geojson
var districtsGeoJSON []byte

// District is one of Jinan's districts or counties.
type District struct {
	Code     string           // GB/T 2260 code, "370102"
	Name     string           // 历下区
	Boundary geo.MultiPolygon // WGS-84
}

// Districts returns Jinan's 12 districts and counties in code order, their
// boundaries converted from the file's GCJ-02 to WGS-84. Each call parses
// afresh, so callers own what they get.
func Districts() ([]District, error) {
	fs, err := geo.ParseFeatureCollection(districtsGeoJSON)
	if err != nil {
		return nil, zhudun.Errorf(zhudun.EINTERNAL, "demo: embedded districts: %s", zhudun.ErrorMessage(err))
	}
	out := make([]District, 0, len(fs))
	for i, f := range fs {
		var p struct {
			Adcode int    `json:"adcode"`
			Name   string `json:"name"`
		}
		if err := json.Unmarshal(f.Properties, &p); err != nil {
			return nil, zhudun.Errorf(zhudun.EINTERNAL, "demo: district %d properties: %v", i, err)
		}
		code := strconv.Itoa(p.Adcode)
		if _, ok := districtInfo(code); !ok {
			return nil, zhudun.Errorf(zhudun.EINTERNAL, "demo: unknown district %s %s", code, p.Name)
		}
		if slices.ContainsFunc(out, func(d District) bool { return d.Code == code }) {
			return nil, zhudun.Errorf(zhudun.EINTERNAL, "demo: district %s twice", code)
		}
		out = append(out, District{
			Code:     code,
			Name:     p.Name,
			Boundary: f.Geometry.Transform(geo.GCJ02ToWGS84),
		})
	}
	if len(out) != len(jinan) {
		return nil, zhudun.Errorf(zhudun.EINTERNAL, "demo: %d districts, want %d", len(out), len(jinan))
	}
	slices.SortFunc(out, func(a, b District) int { return cmp.Compare(a.Code, b.Code) })
	return out, nil
}
