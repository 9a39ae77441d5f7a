package demo

import (
	"fmt"
	"strings"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/geo"
)

// addressNumbers are the house numbers generated on every road.
var addressNumbers = []int{1, 8, 18, 36, 66, 88, 100, 128, 166, 188, 200, 256}

// Addresses returns the demo's standard-address table (issue 18): for each
// district, every street and town of it (their real names) becomes a road
// "泉城路" with the house numbers above, each at a random point inside one
// of that district's generated grids — so an address typed in the demo city
// is found, and lands where a unit can be sent. The points and numbers are
// made up: every row is marked Generated. Deterministic for a seed.
func Addresses(seed int64, grids []*zhudun.Grid) ([]zhudun.AddressMatch, error) {
	ds, err := Districts()
	if err != nil {
		return nil, err
	}
	byDistrict := map[string][]*zhudun.Grid{}
	for _, g := range grids {
		// Demo grid codes carry their district: WG370102-045035.
		if code, _, ok := strings.Cut(strings.TrimPrefix(g.Code, "WG"), "-"); ok {
			byDistrict[code] = append(byDistrict[code], g)
		}
	}
	var out []zhudun.AddressMatch
	for _, d := range ds {
		info, _ := districtInfo(d.Code)
		gs := byDistrict[d.Code]
		if len(gs) == 0 {
			continue
		}
		r := newRNG(seed, "addresses/"+d.Code)
		for _, street := range info.streets {
			road := strings.TrimSuffix(strings.TrimSuffix(street, "街道"), "镇")
			if !strings.HasSuffix(road, "路") && !strings.HasSuffix(road, "街") {
				road += "路"
			}
			for _, n := range addressNumbers {
				g := gs[r.intn(len(gs))]
				m := geo.MultiPolygon(g.Boundary)
				b := m.Bounds()
				lon, lat := g.PatrolPoint[0], g.PatrolPoint[1]
				for range 16 {
					x, y := round6(b.MinLon+r.float64()*(b.MaxLon-b.MinLon)), round6(b.MinLat+r.float64()*(b.MaxLat-b.MinLat))
					if m.Contains(x, y) && d.Boundary.Contains(x, y) {
						lon, lat = x, y
						break
					}
				}
				out = append(out, zhudun.AddressMatch{Address: fmt.Sprintf("%s%s%d号", d.Name, road, n), District: d.Code, Lon: lon, Lat: lat, Generated: true})
			}
		}
	}
	return out, nil
}
