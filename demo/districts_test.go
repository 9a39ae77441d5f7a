package demo

import (
	"testing"

	"github.com/zhudun/zhudun/geo"
)

func TestDistricts(t *testing.T) {
	ds, err := Districts()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ code, name string }{
		{"370102", "历下区"}, {"370103", "市中区"}, {"370104", "槐荫区"}, {"370105", "天桥区"},
		{"370112", "历城区"}, {"370113", "长清区"}, {"370114", "章丘区"}, {"370115", "济阳区"},
		{"370116", "莱芜区"}, {"370117", "钢城区"}, {"370124", "平阴县"}, {"370126", "商河县"},
	}
	if len(ds) != len(want) {
		t.Fatalf("got %d districts, want %d", len(ds), len(want))
	}
	// Jinan lies within about 116.2–118.0 E, 35.9–37.6 N.
	jinanBox := geo.Box{MinLon: 116.2, MinLat: 35.9, MaxLon: 118.0, MaxLat: 37.6}
	for i, w := range want {
		d := ds[i]
		if d.Code != w.code || d.Name != w.name {
			t.Errorf("district %d = %s %s, want %s %s", i, d.Code, d.Name, w.code, w.name)
		}
		b := d.Boundary.Bounds()
		if b.Empty() || !jinanBox.Contains(b.MinLon, b.MinLat) || !jinanBox.Contains(b.MaxLon, b.MaxLat) {
			t.Errorf("%s: bounds %+v outside Jinan", d.Name, b)
		}
	}
}

// TestDistrictsAreWGS84 checks that the load converted the file's GCJ-02:
// the file's first position of 历下区 is (117.015971, 36.664073); in WGS-84
// it must be the inverse of that, a few hundred metres to the west.
func TestDistrictsAreWGS84(t *testing.T) {
	ds, err := Districts()
	if err != nil {
		t.Fatal(err)
	}
	got := ds[0].Boundary[0][0][0]
	const gcjLon, gcjLat = 117.015971, 36.664073
	if wLon, wLat := geo.GCJ02ToWGS84(gcjLon, gcjLat); got != [2]float64{wLon, wLat} {
		t.Errorf("first position of 历下区 = %v, want GCJ02ToWGS84 of the file's = (%v, %v)", got, wLon, wLat)
	}
	if d := geo.Haversine(got[0], got[1], gcjLon, gcjLat); d < 300 || d > 700 || got[0] >= gcjLon {
		t.Errorf("WGS position %v is %.0f m from the GCJ one, want 300–700 m to the west", got, d)
	}
}

// TestKnownPoints places landmarks, in WGS-84, in their districts and no
// other. The district seats are DataV's "center" of each district (in the
// file, GCJ-02) converted by hand with GCJ02ToWGS84 and rounded.
func TestKnownPoints(t *testing.T) {
	ds, err := Districts()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		lon, lat float64
		want     string // district code, "" for none
	}{
		{"泉城广场 (Quancheng Square, by Baotu Spring)", 117.0135, 36.6613, "370102"},
		{"历下区 seat", 117.0326, 36.6638, "370102"},
		{"市中区 seat", 116.9932, 36.6571, "370103"},
		{"莱芜区 seat", 117.6699, 36.2144, "370116"},
		{"商河县 seat", 117.1502, 37.3097, "370126"},
		{"平阴县 seat", 116.4493, 36.2867, "370124"},
		{"Tiananmen, Beijing", 116.3971, 39.9165, ""},
		{"Qingdao", 120.3826, 36.0671, ""},
	}
	for _, tt := range tests {
		var in []string
		for _, d := range ds {
			if d.Boundary.Contains(tt.lon, tt.lat) {
				in = append(in, d.Code)
			}
		}
		switch {
		case tt.want == "" && len(in) != 0:
			t.Errorf("%s (%v, %v) is in %v, want none", tt.name, tt.lon, tt.lat, in)
		case tt.want != "" && (len(in) != 1 || in[0] != tt.want):
			t.Errorf("%s (%v, %v) is in %v, want only %s", tt.name, tt.lon, tt.lat, in, tt.want)
		}
	}
	// The brief's two named cases, stated directly.
	lixia, shizhong := ds[0].Boundary, ds[1].Boundary
	if !lixia.Contains(117.0135, 36.6613) {
		t.Error("历下区 does not contain Quancheng Square")
	}
	if lixia.Contains(116.9932, 36.6571) || !shizhong.Contains(116.9932, 36.6571) {
		t.Error("市中区's seat is not in 市中区 alone")
	}
}

func TestStationName(t *testing.T) {
	for in, want := range map[string]string{
		"泉城路街道": "泉城路派出所",
		"振兴街街道": "振兴街派出所",
		"马山镇":   "马山派出所",
		"口镇街道":  "口镇派出所",
		"茶业口镇":  "茶业口派出所",
	} {
		if got := stationName(in); got != want {
			t.Errorf("stationName(%s) = %s, want %s", in, got, want)
		}
	}
}

// SplitMix64 from state 0 starts with these outputs (the reference
// implementation's published sequence): the demo city must not move when Go
// changes math/rand.
func TestRNGIsSplitMix64(t *testing.T) {
	r := &rng{}
	for i, want := range []uint64{0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f} {
		if got := r.next(); got != want {
			t.Errorf("output %d = %#x, want %#x", i, got, want)
		}
	}
}
