package demo

import (
	"fmt"
	"math"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/geo"
)

// Plan is the demo organisation: departments, parents before children, and
// users. It holds no passwords; whoever applies the plan makes them.
type Plan struct {
	Depts []PlanDept
	Users []PlanUser
}

// PlanDept is one department of the plan. Lon and Lat (WGS-84) are set for
// stations only. Generated marks a department invented for the demo (the
// stations); the bureau, divisions and sub-bureaus are the real ones.
type PlanDept struct {
	Code, Name, Kind, ParentCode, RegionCode string
	Lon, Lat                                 *float64
	Generated                                bool
}

// PlanUser is one account of the plan. Name is always a generated person's
// name (Generated is set to say so); Roles are built-in role ids.
type PlanUser struct {
	Username, Name, DeptCode string
	Roles                    []string
	Generated                bool
}

// Codes of the bureau-level divisions of the demo.
const (
	DivCyberSecurity = "WAZD"  // 网络安全保卫支队
	DivCommand       = "ZHZX"  // 指挥中心
	DivPublicOrder   = "ZAZD"  // 治安支队
	DivCampus        = "JWBZD" // 经济文化保卫支队 (经文保): campus safety
	// DeptAgencies holds the accounts of other agencies' members of the
	// campus joint groups (education, fire rescue, market regulation).
	DeptAgencies = "WBDW"
)

// Placement rules for generated stations: clear of every district boundary
// (so the GCJ-02 conversion, rounding or a neighbour's slightly overlapping
// polygon can never put one on the wrong side) and apart from each other.
const (
	stationBoundaryMargin = 300.0  // metres
	stationSpacing        = 1500.0 // metres between stations of one sub-bureau
	maxPlacementTries     = 200000
)

// City returns the demo plan for seed: the same seed always gives the same
// plan. Errors are EINTERNAL (the embedded data is broken).
func City(seed int64) (*Plan, error) {
	ds, err := Districts()
	if err != nil {
		return nil, err
	}
	p := &Plan{}
	p.Depts = append(p.Depts,
		PlanDept{Code: zhudun.RootDeptCode, Name: "济南市公安局", Kind: zhudun.DeptBureau, RegionCode: "370100"},
		PlanDept{Code: DivCyberSecurity, Name: "网络安全保卫支队", Kind: zhudun.DeptDivision, ParentCode: zhudun.RootDeptCode},
		PlanDept{Code: DivCommand, Name: "指挥中心", Kind: zhudun.DeptDivision, ParentCode: zhudun.RootDeptCode},
		PlanDept{Code: DivPublicOrder, Name: "治安支队", Kind: zhudun.DeptDivision, ParentCode: zhudun.RootDeptCode},
	)
	people := newPeople(seed)
	p.addUser(people, zhudun.RoleSysAdmin, zhudun.RootDeptCode, zhudun.RoleSysAdmin)
	p.addUser(people, zhudun.RoleSecAdmin, zhudun.RootDeptCode, zhudun.RoleSecAdmin)
	p.addUser(people, zhudun.RoleAuditAdmin, zhudun.RootDeptCode, zhudun.RoleAuditAdmin)
	p.addUser(people, "zhzx.commander", DivCommand, zhudun.RoleCommander)
	p.addUser(people, "zhzx.dispatcher", DivCommand, zhudun.RoleDispatcher)
	p.addUser(people, "wazd.analyst1", DivCyberSecurity, zhudun.RoleAnalyst)
	p.addUser(people, "wazd.analyst2", DivCyberSecurity, zhudun.RoleAnalyst)
	p.addUser(people, "wazd.analyst3", DivCyberSecurity, zhudun.RoleAnalyst)

	fireStation := "" // 历下's first station: the demo fire-safety officer's
	for _, d := range ds {
		info, _ := districtInfo(d.Code)
		sb := "SB" + d.Code
		p.Depts = append(p.Depts, PlanDept{
			Code: sb, Name: info.subBureau, Kind: zhudun.DeptSubBureau,
			ParentCode: zhudun.RootDeptCode, RegionCode: d.Code,
		})
		if d.Code == "370102" || d.Code == "370103" { // 历下, 市中
			p.addUser(people, info.slug+".sysadmin", sb, zhudun.RoleSysAdmin)
		}
		p.addUser(people, info.slug+".commander", sb, zhudun.RoleCommander)
		p.addUser(people, info.slug+".dispatcher", sb, zhudun.RoleDispatcher)

		stations, err := placeStations(seed, d, ds, info)
		if err != nil {
			return nil, err
		}
		officers := 0
		if d.Code == "370102" && len(stations) > 0 && fireStation == "" {
			fireStation = stations[0].Code
		}
		for _, st := range stations {
			p.Depts = append(p.Depts, st)
			// An officer at every station; the two central districts get two.
			per := 1
			if d.Code == "370102" || d.Code == "370103" {
				per = 2
			}
			for range per {
				officers++
				p.addUser(people, fmt.Sprintf("%s.officer%02d", info.slug, officers), st.Code, zhudun.RoleOfficer)
			}
		}
	}
	// Added after the districts so the generated names above stay as
	// they were for a seed.
	p.Depts = append(p.Depts,
		PlanDept{Code: DivCampus, Name: "经济文化保卫支队", Kind: zhudun.DeptDivision, ParentCode: zhudun.RootDeptCode},
		PlanDept{Code: DeptAgencies, Name: "联合督导外单位", Kind: zhudun.DeptDivision, ParentCode: zhudun.RootDeptCode},
	)
	p.addUser(people, "jwbzd.campus1", DivCampus, zhudun.RoleCampusSupervisor)
	p.addUser(people, "edu.inspector1", DeptAgencies, zhudun.RoleCampusAgency)
	// 历下's first station's fire-safety officer (docs/fire.md), last, so
	// that the names drawn before stay as they were for a seed.
	if fireStation != "" {
		p.addUser(people, "fire.officer1", fireStation, zhudun.RoleFireOfficer)
	}
	return p, nil
}

func (p *Plan) addUser(people *people, username, dept string, roles ...string) {
	p.Users = append(p.Users, PlanUser{
		Username: username, Name: people.next(), DeptCode: dept,
		Roles: roles, Generated: true,
	})
}

// placeStations makes 2–4 stations for district d, named after distinct
// real streets of it, each at a point by rejection sampling in d's bounding
// box: inside d, in no other district, stationBoundaryMargin from every
// boundary of d and stationSpacing from the district's other stations.
func placeStations(seed int64, d District, all []District, info districtTable) ([]PlanDept, error) {
	r := newRNG(seed, "stations/"+d.Code)
	n := 2 + r.intn(3)
	streets := append([]string(nil), info.streets...)
	for i := len(streets) - 1; i > 0; i-- { // Fisher–Yates
		j := r.intn(i + 1)
		streets[i], streets[j] = streets[j], streets[i]
	}
	if n > len(streets) {
		n = len(streets)
	}
	b := d.Boundary.Bounds()
	boxes := make([]geo.Box, len(all))
	for i, o := range all {
		boxes[i] = o.Boundary.Bounds()
	}
	var out []PlanDept
	for i := range n {
		lon, lat, ok := 0.0, 0.0, false
		for range maxPlacementTries {
			lon = round6(b.MinLon + r.float64()*(b.MaxLon-b.MinLon))
			lat = round6(b.MinLat + r.float64()*(b.MaxLat-b.MinLat))
			if goodStationPoint(lon, lat, d, all, boxes, out) {
				ok = true
				break
			}
		}
		if !ok {
			return nil, zhudun.Errorf(zhudun.EINTERNAL, "demo: no room for station %d in %s", i+1, d.Name)
		}
		out = append(out, PlanDept{
			Code:       fmt.Sprintf("ST%s-%02d", d.Code, i+1),
			Name:       stationName(streets[i]),
			Kind:       zhudun.DeptStation,
			ParentCode: "SB" + d.Code,
			RegionCode: d.Code,
			Lon:        &lon,
			Lat:        &lat,
			Generated:  true,
		})
	}
	return out, nil
}

func goodStationPoint(lon, lat float64, d District, all []District, boxes []geo.Box, placed []PlanDept) bool {
	if !d.Boundary.Contains(lon, lat) || d.Boundary.BoundaryDistance(lon, lat) < stationBoundaryMargin {
		return false
	}
	for i, o := range all {
		if o.Code != d.Code && boxes[i].Contains(lon, lat) && o.Boundary.Contains(lon, lat) {
			return false
		}
	}
	for _, s := range placed {
		if geo.Haversine(lon, lat, *s.Lon, *s.Lat) < stationSpacing {
			return false
		}
	}
	return true
}

// round6 rounds to 1e-6° (about 0.1 m), so plans print and compare cleanly.
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// people hands out distinct generated Chinese names.
type people struct {
	r    *rng
	used map[string]bool
}

func newPeople(seed int64) *people {
	return &people{r: newRNG(seed, "people"), used: map[string]bool{}}
}

func (p *people) next() string {
	for {
		name := []rune{surnames[p.r.intn(len(surnames))], given[p.r.intn(len(given))]}
		if p.r.intn(3) > 0 { // two thirds have a two-character given name
			c := given[p.r.intn(len(given))]
			if c == name[1] {
				continue // 华华-style doubles are real but read as a glitch here
			}
			name = append(name, c)
		}
		if s := string(name); !p.used[s] {
			p.used[s] = true
			return s
		}
	}
}
