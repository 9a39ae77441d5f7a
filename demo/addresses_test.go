package demo

import (
	"strings"
	"testing"

	"github.com/zhudun/zhudun/geo"
)

// TestAddresses: the demo's standard addresses are generated, deterministic,
// inside their own district and inside a grid; 泉城路188号 is one of them.
func TestAddresses(t *testing.T) {
	p := mustCity(t, 1)
	grids, _, err := Grids(p)
	if err != nil {
		t.Fatal(err)
	}
	as, err := Addresses(1, grids)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Addresses(1, grids)
	if len(as) < 1000 || len(again) != len(as) || again[17] != as[17] {
		t.Fatalf("%d addresses, %d on the second call", len(as), len(again))
	}
	ds, _ := Districts()
	byCode := map[string]District{}
	for _, d := range ds {
		byCode[d.Code] = d
	}
	found := false
	for _, a := range as {
		if !a.Generated {
			t.Fatalf("%s not marked generated", a.Address)
		}
		d := byCode[a.District]
		if !strings.HasPrefix(a.Address, d.Name) || !d.Boundary.Contains(a.Lon, a.Lat) {
			t.Fatalf("%s at %v,%v is not inside %s", a.Address, a.Lon, a.Lat, d.Name)
		}
		in := false
		for _, g := range grids {
			if geo.MultiPolygon(g.Boundary).Contains(a.Lon, a.Lat) {
				in = true
				break
			}
		}
		if !in {
			t.Fatalf("%s is in no grid", a.Address)
		}
		found = found || a.Address == "历下区泉城路188号"
	}
	if !found {
		t.Error("历下区泉城路188号 is not in the table")
	}
}

// TestUnitsStartInTheirGrids: every demo unit starts inside one of its own
// station's grids (none is drawn outside the city).
func TestUnitsStartInTheirGrids(t *testing.T) {
	for _, seed := range seeds {
		p := mustCity(t, seed)
		grids, units, err := Grids(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range units {
			in := false
			for _, g := range grids {
				if g.StationCode == u.StationCode && geo.MultiPolygon(g.Boundary).Contains(u.Lon, u.Lat) {
					in = true
					break
				}
			}
			if !in {
				t.Errorf("seed %d: %s at %v,%v is outside its station's grids", seed, u.Callsign, u.Lon, u.Lat)
			}
		}
	}
}
