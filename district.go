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
