package demo

import (
	"testing"

	"github.com/zhudun/zhudun"
)

// TestSchools: three generated schools a station, each inside its
// station's real district and no other, the same for a seed.
func TestSchools(t *testing.T) {
	ds, err := Districts()
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]District{}
	for _, d := range ds {
		byCode[d.Code] = d
	}
	p := mustCity(t, 1)
	stations := len(byCodeOfKind(p, zhudun.DeptStation))
	ss, err := Schools(1, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 3*stations {
		t.Fatalf("%d schools for %d stations, want %d", len(ss), stations, 3*stations)
	}
	codes := map[string]bool{}
	for _, s := range ss {
		n := s
		if err := n.Validate(); err != nil {
			t.Errorf("%s: %v", s.Code, err)
		}
		if !s.Generated || codes[s.Code] {
			t.Errorf("%s: generated %v, repeated %v", s.Code, s.Generated, codes[s.Code])
		}
		codes[s.Code] = true
		if !inOnly(*s.Lon, *s.Lat, byCode[s.District], ds) {
			t.Errorf("%s (%v, %v) is not inside %s alone", s.Code, *s.Lon, *s.Lat, s.District)
		}
	}
	again, _ := Schools(1, p)
	if *again[5].Lon != *ss[5].Lon || again[5].Name != ss[5].Name {
		t.Error("the same seed gave other schools")
	}
}
