package zhudun

import (
	"context"
	"time"
)

// District is a district or county of the city (区县): the map's base layer
// under the grids. The bureau imports them (zhudun import districts) from a
// GeoJSON export such as DataV's; they are public geography, the same for
// every user.
type District struct {
	Code      string           `json:"code"` // GB/T 2260, "370102"
	Name      string           `json:"name"`
	Boundary  [][][][2]float64 `json:"boundary"` // MultiPolygon, WGS-84
	UpdatedAt time.Time        `json:"updated_at"`
}

// DistrictService keeps the districts. ReplaceDistricts replaces them all in
// one transaction, audited (system caller: the importer; errors EINVALID,
// EFORBIDDEN). FindDistricts returns them in code order to any signed-in
// caller (EUNAUTHORIZED otherwise).
type DistrictService interface {
	ReplaceDistricts(ctx context.Context, ds []District) error
	FindDistricts(ctx context.Context) ([]District, error)
}

// AddressMatch is a standard address (标准地址) found for a query: what the
// call-taker's address box offers. Generated marks the demo's made-up rows.
type AddressMatch struct {
	Address   string  `json:"address"`
	District  string  `json:"district,omitempty"` // GB/T 2260 code, when known
	Lon       float64 `json:"lon"`                // WGS-84
	Lat       float64 `json:"lat"`
	Generated bool    `json:"generated,omitempty"`
}

// Geocoder finds standard addresses containing a query, best first, at most
// limit. The bureau's standard address service is one (package geocode);
// the local table the store keeps is the other. Errors: EINVALID (query),
// EUNAVAILABLE (the service did not answer), EUNAUTHORIZED.
type Geocoder interface {
	Geocode(ctx context.Context, q string, limit int) ([]AddressMatch, error)
}
