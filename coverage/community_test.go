package coverage

import (
	"testing"

	"github.com/zhudun/zhudun"
)

func TestCommunityCameras(t *testing.T) {
	cams := []*zhudun.Camera{
		{DeviceID: "in", Lon: 117.0005, Lat: 36.6005},
		{DeviceID: "out", Lon: 117.0015, Lat: 36.6005},
		{DeviceID: "gone-in", Lon: 117.0004, Lat: 36.6004, Gone: true},
		// 0.0015° of latitude ≈ 166.8 m north of the point; 0.002° ≈ 222.4 m.
		{DeviceID: "north-167m", Lon: 117.0, Lat: 36.6015},
		{DeviceID: "north-222m", Lon: 117.0, Lat: 36.602},
	}
	ids := func(xs []*zhudun.Camera) (s []string) {
		for _, x := range xs {
			s = append(s, x.DeviceID)
		}
		return s
	}
	// A 0.001° square from 117.000,36.600.
	sq := &zhudun.Community{Boundary: [][][][2]float64{{{{117.0, 36.6}, {117.001, 36.6}, {117.001, 36.601}, {117.0, 36.601}, {117.0, 36.6}}}}}
	if got := ids(CommunityCameras(sq, cams)); len(got) != 1 || got[0] != "in" {
		t.Errorf("inside the boundary: %v, want [in]", got)
	}
	lon, lat := 117.0, 36.6
	pt := &zhudun.Community{Lon: &lon, Lat: &lat}
	if got := ids(CommunityCameras(pt, cams)); len(got) != 3 || got[0] != "in" || got[1] != "out" || got[2] != "north-167m" {
		t.Errorf("within 200 m of the point: %v, want [in out north-167m]", got)
	}
	if got := CommunityCameras(&zhudun.Community{}, cams); len(got) != 0 {
		t.Errorf("no place: %v", ids(got))
	}
}
