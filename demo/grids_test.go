package demo

import (
	"testing"

	"github.com/zhudun/zhudun/geo"
)

// TestGrids: every grid lies in its station's district (by its centre), no
// two grids overlap, every station's own point is in one of the grids, and
// the plan is the same for the same seed.
func TestGrids(t *testing.T) {
	p := mustCity(t, 1)
	gs, units, err := Grids(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) < 2000 || len(gs) > 3200 {
		t.Errorf("%d grids; Jinan's ≈10,200 km² in ≈4 km² squares should give about 2,600", len(gs))
	}
	ds, _ := Districts()
	byCode := map[string]District{}
	for _, d := range ds {
		byCode[d.Code] = d
	}
	region := map[string]string{}
	for _, d := range p.Depts {
		region[d.Code] = d.RegionCode
	}
	seen := map[string]bool{}
	for _, g := range gs {
		if seen[g.Code] {
			t.Fatalf("code %s twice", g.Code)
		}
		seen[g.Code] = true
		if !byCode[region[g.StationCode]].Boundary.Contains(g.PatrolPoint[0], g.PatrolPoint[1]) {
			t.Errorf("grid %s: centre outside its station's district", g.Code)
		}
	}
	// Neighbouring squares only touch: check a sample of pairs exactly.
	for i := 0; i+1 < len(gs) && i < 400; i++ {
		if _, _, ok := geo.Overlap(gs[i].Boundary, gs[i+1].Boundary, 0.5); ok {
			t.Fatalf("%s overlaps %s", gs[i].Code, gs[i+1].Code)
		}
	}
	for _, u := range units {
		in := false
		for _, g := range gs {
			if geo.MultiPolygon(g.Boundary).Contains(u.Lon, u.Lat) {
				in = true
				break
			}
		}
		if !in {
			t.Errorf("unit %s at its station is in no grid", u.Callsign)
		}
	}
	again, _, _ := Grids(mustCity(t, 1))
	if len(again) != len(gs) || again[100].Code != gs[100].Code || again[100].StationCode != gs[100].StationCode {
		t.Error("not deterministic")
	}
}
