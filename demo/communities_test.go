package demo

import (
	"testing"

	"github.com/zhudun/zhudun"
)

// TestCommunities: four generated communities a station, each inside its
// station's real district and no other, valid, named once.
func TestCommunities(t *testing.T) {
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
	cs, err := Communities(1, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 4*stations {
		t.Fatalf("%d communities for %d stations", len(cs), stations)
	}
	names := map[string]bool{}
	for _, c := range cs {
		n := c
		if err := n.Validate(); err != nil {
			t.Errorf("%s: %v", c.Code, err)
		}
		if !c.Generated || names[c.Name] {
			t.Errorf("%s %s: generated %v, name repeated %v", c.Code, c.Name, c.Generated, names[c.Name])
		}
		names[c.Name] = true
		if !inOnly(*c.Lon, *c.Lat, byCode[c.District], ds) {
			t.Errorf("%s is not inside %s alone", c.Code, c.District)
		}
	}
	if !names["燕子山小区"] || !names["舜玉小区"] {
		t.Errorf("the real community names are not used first")
	}
}
