package demo

import (
	"fmt"
	"math"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/geo"
)

// GridSize is the side of a demo grid in degrees (about 1.8 km × 2.2 km in
// Jinan).
const GridSize = 0.02

// PlanUnit is a demo patrol unit placed at its station.
type PlanUnit struct {
	Callsign, Kind, StationCode string
	Lon, Lat                    float64
}

// Grids returns generated patrol grids and units for the plan's stations:
// one square tessellation over the city (so no two grids overlap and
// neighbours share edges exactly), each square given to the district its
// centre lies in and, within it, to the nearest of that district's
// stations; its patrol point is its centre. Every station gets a car and an
// e-bike at the station. Squares whose centre lies in no district are left
// out. Errors are EINTERNAL (the embedded data is broken).
func Grids(p *Plan) ([]*zhudun.Grid, []PlanUnit, error) {
	ds, err := Districts()
	if err != nil {
		return nil, nil, err
	}
	stations := map[string][]PlanDept{}
	names := map[string]string{}
	for _, d := range p.Depts {
		if d.Kind == zhudun.DeptStation && d.Lon != nil {
			stations[d.RegionCode] = append(stations[d.RegionCode], d)
			names[d.Code] = d.Name
		}
	}
	city := geo.Box{MinLon: math.Inf(1), MinLat: math.Inf(1), MaxLon: math.Inf(-1), MaxLat: math.Inf(-1)}
	boxes := make([]geo.Box, len(ds))
	for i, d := range ds {
		b := d.Boundary.Bounds()
		boxes[i] = b
		city.MinLon, city.MinLat = math.Min(city.MinLon, b.MinLon), math.Min(city.MinLat, b.MinLat)
		city.MaxLon, city.MaxLat = math.Max(city.MaxLon, b.MaxLon), math.Max(city.MaxLat, b.MaxLat)
	}
	// Snap the origin to the grid size so that coordinates print cleanly.
	x0 := math.Floor(city.MinLon/GridSize) * GridSize
	y0 := math.Floor(city.MinLat/GridSize) * GridSize
	cols := int(math.Ceil((city.MaxLon - x0) / GridSize))
	rows := int(math.Ceil((city.MaxLat - y0) / GridSize))
	count := map[string]int{}
	var out []*zhudun.Grid
	for c := 0; c < cols; c++ {
		for r := 0; r < rows; r++ {
			// Edges computed from integers only: neighbours share them exactly.
			w, e := round6(x0+float64(c)*GridSize), round6(x0+float64(c+1)*GridSize)
			s, n := round6(y0+float64(r)*GridSize), round6(y0+float64(r+1)*GridSize)
			cx, cy := round6((w+e)/2), round6((s+n)/2)
			di := -1
			for i, d := range ds {
				if boxes[i].Contains(cx, cy) && d.Boundary.Contains(cx, cy) {
					di = i
					break
				}
			}
			if di < 0 || len(stations[ds[di].Code]) == 0 {
				continue
			}
			best, bestD := PlanDept{}, math.Inf(1)
			for _, st := range stations[ds[di].Code] {
				if dd := geo.Haversine(cx, cy, *st.Lon, *st.Lat); dd < bestD {
					best, bestD = st, dd
				}
			}
			count[best.Code]++
			out = append(out, &zhudun.Grid{
				Code:        fmt.Sprintf("WG%s-%03d%03d", ds[di].Code, c, r),
				Name:        fmt.Sprintf("%s第%d网格", names[best.Code], count[best.Code]),
				StationCode: best.Code,
				PatrolPoint: [2]float64{cx, cy},
				Boundary:    [][][][2]float64{{{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}}},
			})
		}
	}
	// Units start at their station, or — when the square the station stands
	// in went to a neighbouring district — at the patrol point of the
	// station's nearest grid, so that every unit starts inside a grid.
	own := map[string][]*zhudun.Grid{}
	for _, g := range out {
		own[g.StationCode] = append(own[g.StationCode], g)
	}
	var units []PlanUnit
	for _, d := range p.Depts {
		if d.Kind != zhudun.DeptStation || d.Lon == nil {
			continue
		}
		lon, lat := *d.Lon, *d.Lat
		inside, bestD := false, math.Inf(1)
		var near *zhudun.Grid
		for _, g := range own[d.Code] {
			if geo.MultiPolygon(g.Boundary).Contains(lon, lat) {
				inside = true
				break
			}
			if dd := geo.Haversine(lon, lat, g.PatrolPoint[0], g.PatrolPoint[1]); dd < bestD {
				near, bestD = g, dd
			}
		}
		if !inside && near != nil {
			lon, lat = near.PatrolPoint[0], near.PatrolPoint[1]
		}
		// The e-bike a little east (or west) of the car, inside the
		// station's grids; where neither is, beside the car.
		elon := lon
		for _, dx := range []float64{GridSize / 8, -GridSize / 8} {
			if x := round6(lon + dx); inOwn(own[d.Code], x, lat) {
				elon = x
				break
			}
		}
		units = append(units,
			PlanUnit{Callsign: d.Code + "-C1", Kind: zhudun.UnitCar, StationCode: d.Code, Lon: lon, Lat: lat},
			PlanUnit{Callsign: d.Code + "-E1", Kind: zhudun.UnitEbike, StationCode: d.Code, Lon: elon, Lat: lat})
	}
	return out, units, nil
}

func inOwn(gs []*zhudun.Grid, lon, lat float64) bool {
	for _, g := range gs {
		if geo.MultiPolygon(g.Boundary).Contains(lon, lat) {
			return true
		}
	}
	return false
}
