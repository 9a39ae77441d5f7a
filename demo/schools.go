package demo

import (
	"fmt"
	"math"
	"strings"

	"github.com/zhudun/zhudun"
)

// Schools returns the demo's schools for plan: three at each generated
// station (a kindergarten, a primary and a middle school, named after the
// station's street), each within 2 km of its station and inside the
// station's real district (in no other), marked Generated. Counts and
// contacts are made up; the same seed always gives the same schools.
func Schools(seed int64, p *Plan) ([]zhudun.NewSchool, error) {
	ds, err := Districts()
	if err != nil {
		return nil, err
	}
	byCode := map[string]District{}
	for _, d := range ds {
		byCode[d.Code] = d
	}
	kinds := []struct{ typ, suffix string }{
		{zhudun.SchoolKindergarten, "幼儿园"}, {zhudun.SchoolPrimary, "小学"}, {zhudun.SchoolMiddle, "中学"},
	}
	var out []zhudun.NewSchool
	for _, st := range p.Depts {
		if st.Kind != zhudun.DeptStation || st.Lon == nil {
			continue
		}
		d, ok := byCode[st.RegionCode]
		if !ok {
			return nil, zhudun.Errorf(zhudun.EINTERNAL, "demo: station %s has no district", st.Code)
		}
		r := newRNG(seed, "schools/"+st.Code)
		street := strings.TrimSuffix(st.Name, "派出所")
		for i, k := range kinds {
			lon, lat, placed := 0.0, 0.0, false
			for range 10000 {
				// a point within 2 km: 1° of latitude is 111 km
				dlat := (r.float64()*2 - 1) * 0.018
				dlon := (r.float64()*2 - 1) * 0.018 / math.Cos(*st.Lat*math.Pi/180)
				lon, lat = round6(*st.Lon+dlon), round6(*st.Lat+dlat)
				if inOnly(lon, lat, d, ds) {
					placed = true
					break
				}
			}
			if !placed {
				return nil, zhudun.Errorf(zhudun.EINTERNAL, "demo: no room for a school near %s", st.Code)
			}
			students := 200 + r.intn(1800)
			if k.typ == zhudun.SchoolKindergarten {
				students = 80 + r.intn(300)
			}
			out = append(out, zhudun.NewSchool{
				Code: fmt.Sprintf("DEMO-%s-%d", st.Code[2:], i+1), Name: street + k.suffix, Type: k.typ, Private: r.intn(5) == 0,
				District: d.Code, Station: st.Code, Address: d.Name + street + fmt.Sprintf("%d号", 1+r.intn(300)), Lon: &lon, Lat: &lat,
				Students: students, Staff: students/12 + 5, SecurityStaff: 1 + r.intn(3),
				Contacts:  []zhudun.NewSchoolContact{{Role: "安保负责人", Name: "（演示）联系人", Phone: fmt.Sprintf("1390531%04d", r.intn(10000))}},
				Generated: true,
			})
		}
	}
	return out, nil
}

// inOnly reports whether the point is inside d and in no other district.
func inOnly(lon, lat float64, d District, all []District) bool {
	if !d.Boundary.Contains(lon, lat) {
		return false
	}
	for _, o := range all {
		if o.Code != d.Code && o.Boundary.Contains(lon, lat) {
			return false
		}
	}
	return true
}
