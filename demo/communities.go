package demo

import (
	"fmt"
	"math"
	"strings"

	"github.com/zhudun/zhudun"
)

// communityNames are real residential communities of Jinan by district
// (GB/T 2260 code); a station's demo communities take these first, then
// the station's own street (a real street) with a common suffix.
var communityNames = map[string][]string{
	"370102": {"燕子山小区", "甸柳新村", "姚家小区", "文化东路小区", "山大路小区", "羊头峪小区"}, // 历下区
	"370103": {"舜玉小区", "七里山小区", "英雄山小区", "阳光舜城", "大观园小区", "六里山小区"},  // 市中区
	"370104": {"段店小区", "匡山小区", "西市场小区", "营市街小区", "道德街小区"},           // 槐荫区
	"370105": {"北园小区", "无影山小区", "堤口路小区", "官扎营小区", "泺口小区"},           // 天桥区
	"370112": {"洪家楼小区", "全福小区", "祝舜小区", "王舍人小区", "鲍山花园"},            // 历城区
	"370113": {"长清大学城小区", "文昌小区", "崮云湖小区"},                          // 长清区
}

var communitySuffixes = []string{"小区", "花园", "新村", "家园"}

// Communities returns the demo's communities for plan: four at each
// generated station, within 1.5 km of it and inside the station's real
// district (in no other), named from the district's real communities and
// the station's street, marked Generated. Households, facilities and the
// property contact are made up; the same seed gives the same communities.
func Communities(seed int64, p *Plan) ([]zhudun.NewCommunity, error) {
	ds, err := Districts()
	if err != nil {
		return nil, err
	}
	byCode := map[string]District{}
	for _, d := range ds {
		byCode[d.Code] = d
	}
	var out []zhudun.NewCommunity
	used := map[string]bool{}
	for _, st := range p.Depts {
		if st.Kind != zhudun.DeptStation || st.Lon == nil {
			continue
		}
		d, ok := byCode[st.RegionCode]
		if !ok {
			return nil, zhudun.Errorf(zhudun.EINTERNAL, "demo: station %s has no district", st.Code)
		}
		r := newRNG(seed, "communities/"+st.Code)
		street := strings.TrimSuffix(st.Name, "派出所")
		for i := range 4 {
			name := ""
			for _, n := range communityNames[d.Code] {
				if !used[n] {
					name = n
					break
				}
			}
			if name == "" {
				name = street + communitySuffixes[i%len(communitySuffixes)]
				if used[name] {
					name = fmt.Sprintf("%s%d区", street, i+1)
				}
			}
			used[name] = true
			lon, lat, placed := 0.0, 0.0, false
			for range 10000 {
				dlat := (r.float64()*2 - 1) * 0.0135
				dlon := (r.float64()*2 - 1) * 0.0135 / math.Cos(*st.Lat*math.Pi/180)
				lon, lat = round6(*st.Lon+dlon), round6(*st.Lat+dlat)
				if inOnly(lon, lat, d, ds) {
					placed = true
					break
				}
			}
			if !placed {
				return nil, zhudun.Errorf(zhudun.EINTERNAL, "demo: no room for a community near %s", st.Code)
			}
			hh := 200 + r.intn(1800)
			fac := map[string]int{}
			for _, c := range zhudun.DefaultLevelRule().Criteria {
				need := 1
				if c.Per > 0 {
					need = (hh + c.Per - 1) / c.Per
				}
				fac[c.Facility] = r.intn(need + 2) // from none to a little over the need
			}
			out = append(out, zhudun.NewCommunity{
				Code: fmt.Sprintf("DEMO-C-%s-%d", st.Code[2:], i+1), Name: name, District: d.Code, Station: st.Code,
				Address: d.Name + street + fmt.Sprintf("%d号", 1+r.intn(300)), Lon: &lon, Lat: &lat, Households: hh,
				PropertyCompany: "（演示）" + street + "物业服务有限公司", Facilities: fac,
				Contacts:  []zhudun.NewPropertyContact{{Name: "（演示）物业经理", Phone: fmt.Sprintf("1390531%04d", r.intn(10000))}},
				Generated: true,
			})
		}
	}
	return out, nil
}
