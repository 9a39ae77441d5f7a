// Package demo is the demo city: Jinan's twelve real districts and counties,
// and a deterministic plan of a police organisation on them — the bureau,
// its divisions, one sub-bureau per district, generated police stations
// placed inside their districts, and users of every role. It reads only its
// embedded data and writes nothing; the caller (zhudun demo, end-to-end
// tests) turns the plan into departments and accounts.
package demo

import (
	_ "embed"

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
// boundaries converted from the file's GCJ-02 to WGS-84 (geo.ParseDistricts,
// the reader zhudun import districts uses too). Each call parses afresh, so
// callers own what they get.
func Districts() ([]District, error) {
	ds, err := geo.ParseDistricts(districtsGeoJSON, true)
	if err != nil {
		return nil, zhudun.Errorf(zhudun.EINTERNAL, "demo: embedded districts: %s", zhudun.ErrorMessage(err))
	}
	out := make([]District, 0, len(ds))
	for _, d := range ds {
		if _, ok := districtInfo(d.Code); !ok {
			return nil, zhudun.Errorf(zhudun.EINTERNAL, "demo: unknown district %s %s", d.Code, d.Name)
		}
		out = append(out, District{Code: d.Code, Name: d.Name, Boundary: d.Boundary})
	}
	if len(out) != len(jinan) {
		return nil, zhudun.Errorf(zhudun.EINTERNAL, "demo: %d districts, want %d", len(out), len(jinan))
	}
	return out, nil
}

// StoreDistricts returns the districts as the store keeps them: what the
// demo imports at its first start, as a bureau would with its own file.
func StoreDistricts() ([]zhudun.District, error) {
	ds, err := Districts()
	if err != nil {
		return nil, err
	}
	out := make([]zhudun.District, len(ds))
	for i, d := range ds {
		out[i] = zhudun.District{Code: d.Code, Name: d.Name, Boundary: d.Boundary}
	}
	return out, nil
}
