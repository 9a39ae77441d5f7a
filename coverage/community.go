package coverage

import (
	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/geo"
)

// NearRadius is how far from a community entered as a point a camera may
// stand and still be listed as the community's (metres): about the
// half-width of a Jinan residential block. A community with a boundary
// lists the cameras inside it instead.
const NearRadius = 200

// CommunityCameras picks, from cams, the cameras of a community: those
// standing inside its boundary, or, for a community with only a point,
// within NearRadius of it (none for a community with neither). Gone
// cameras are left out. The order of cams is kept.
func CommunityCameras(c *zhudun.Community, cams []*zhudun.Camera) []*zhudun.Camera {
	out := []*zhudun.Camera{}
	var in func(lon, lat float64) bool
	switch {
	case len(c.Boundary) > 0:
		in = geo.NewIndex(geo.MultiPolygon(c.Boundary)).Contains
	case c.Lon != nil && c.Lat != nil:
		lon0, lat0 := *c.Lon, *c.Lat
		in = func(lon, lat float64) bool { return geo.Haversine(lon0, lat0, lon, lat) <= NearRadius }
	default:
		return out
	}
	for _, cam := range cams {
		if !cam.Gone && in(cam.Lon, cam.Lat) {
			out = append(out, cam)
		}
	}
	return out
}
