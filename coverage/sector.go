// Package coverage measures video coverage (铸盾, issue 16, docs/zhudun.md):
// which share of each grid's area lies inside some online camera's view.
//
// A camera's view is a sector: its apex at the camera, opening FOV degrees
// around its direction (clockwise from north), reaching Range metres. Areas
// are measured in a local metric frame around each grid (an
// equirectangular projection centred on the grid, whose scale error across
// a few kilometres is under 1e-4), so a coverage share is a ratio of
// square metres, not of square degrees. The set operations (union,
// intersection) are peterstace/simplefeatures' DCEL overlay.
package coverage

import (
	"math"

	"github.com/peterstace/simplefeatures/geom"
)

// earthRadius is the mean Earth radius (IUGG), metres.
const earthRadius = 6371008.8

// metresPerDegree is the length of one degree of latitude on the sphere.
const metresPerDegree = math.Pi * earthRadius / 180

// arcStep is the largest angle one chord of a sector's arc spans. A chord
// polygon of step s under-measures the arc's area by about s²/6 (s in
// radians): 3° gives 0.05 %, inside the 0.1 % the figures promise.
const arcStep = 3.0

// Frame is a local metric frame: x east, y north, metres from Origin.
type Frame struct {
	Lon0, Lat0 float64
	kx, ky     float64
}

// NewFrame returns the frame centred on (lon0, lat0).
func NewFrame(lon0, lat0 float64) Frame {
	return Frame{Lon0: lon0, Lat0: lat0, kx: metresPerDegree * math.Cos(lat0*math.Pi/180), ky: metresPerDegree}
}

// Forward maps WGS-84 degrees to frame metres.
func (f Frame) Forward(lon, lat float64) (x, y float64) {
	return (lon - f.Lon0) * f.kx, (lat - f.Lat0) * f.ky
}

// Inverse maps frame metres to WGS-84 degrees.
func (f Frame) Inverse(x, y float64) (lon, lat float64) {
	return f.Lon0 + x/f.kx, f.Lat0 + y/f.ky
}

// Camera is what coverage needs of a camera: where it stands and what it
// sees. Direction is degrees clockwise from north; FOV ≥ 360 is a full
// circle (a dome seeing all round).
type Camera struct {
	ID        int64
	Lon, Lat  float64 // WGS-84
	Direction float64
	FOV       float64
	Range     float64 // metres
	Online    bool
}

// Valid reports whether the camera has a view at all.
func (c Camera) Valid() bool {
	return c.Range > 0 && c.FOV > 0 && !math.IsNaN(c.Lon+c.Lat+c.Direction+c.FOV+c.Range) &&
		c.Lon >= -180 && c.Lon <= 180 && c.Lat >= -85 && c.Lat <= 85
}

// SectorXY returns the camera's view as a ring of frame coordinates,
// closed, counter-clockwise.
func SectorXY(f Frame, c Camera) []float64 {
	cx, cy := f.Forward(c.Lon, c.Lat)
	fov := math.Min(c.FOV, 360)
	n := int(math.Ceil(fov / arcStep))
	if n < 1 {
		n = 1
	}
	step := fov / float64(n)
	full := fov >= 360
	// Walk the arc from the right edge to the left (decreasing bearing),
	// which is counter-clockwise in x-east/y-north.
	start := c.Direction + fov/2
	out := make([]float64, 0, 2*(n+3))
	if !full {
		out = append(out, cx, cy)
	}
	for i := 0; i <= n; i++ {
		if full && i == n {
			break
		}
		b := (start - float64(i)*step) * math.Pi / 180
		out = append(out, cx+c.Range*math.Sin(b), cy+c.Range*math.Cos(b))
	}
	return append(out, out[0], out[1])
}

// Sector returns the camera's view as a polygon in frame f.
func Sector(f Frame, c Camera) geom.Geometry {
	ring := geom.NewLineString(geom.NewSequence(SectorXY(f, c), geom.DimXY))
	return geom.NewPolygon([]geom.LineString{ring}).AsGeometry()
}

// SectorLonLat returns the view as a WGS-84 ring [lon, lat] for the map,
// drawn in the camera's own frame.
func SectorLonLat(c Camera) [][2]float64 {
	f := NewFrame(c.Lon, c.Lat)
	xy := SectorXY(f, c)
	out := make([][2]float64, 0, len(xy)/2)
	for i := 0; i+1 < len(xy); i += 2 {
		lon, lat := f.Inverse(xy[i], xy[i+1])
		out = append(out, [2]float64{lon, lat})
	}
	return out
}

// bbox returns the camera's reach as a lon/lat box (the circle of Range).
func (c Camera) bbox() (minLon, minLat, maxLon, maxLat float64) {
	dLat := c.Range / metresPerDegree
	dLon := c.Range / (metresPerDegree * math.Max(math.Cos(c.Lat*math.Pi/180), 1e-6))
	return c.Lon - dLon, c.Lat - dLat, c.Lon + dLon, c.Lat + dLat
}
