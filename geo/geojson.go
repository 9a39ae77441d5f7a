package geo

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/zhudun/zhudun"
)

// Feature is one feature of a GeoJSON FeatureCollection whose geometry is
// polygonal. Properties is the feature's "properties" object as read, for
// the caller to decode into its own type (nil when absent or null).
type Feature struct {
	Properties json.RawMessage
	Geometry   MultiPolygon
}

// ParseFeatureCollection reads a GeoJSON FeatureCollection in which every
// feature has a Polygon or MultiPolygon geometry (a Polygon is returned as a
// MultiPolygon of one). It is strict, because what it reads becomes the area
// that decides which unit answers a call: every ring must have at least four
// positions and be closed, and every position must be a finite longitude in
// [-180, 180] and latitude in [-90, 90]. A position's altitude, if any, is
// dropped. It does not convert datums: DataV and AMap exports are GCJ-02 and
// need Transform(GCJ02ToWGS84). Errors are EINVALID.
func ParseFeatureCollection(data []byte) ([]Feature, error) {
	raws, err := readCollection(data)
	if err != nil {
		return nil, err
	}
	out := make([]Feature, 0, len(raws))
	for i, raw := range raws {
		props, geometry, err := readFeature(i, raw)
		if err != nil {
			return nil, err
		}
		g, err := ParseGeometry(geometry)
		if err != nil {
			return nil, zhudun.Errorf(zhudun.EINVALID, "feature %d: %s", i, zhudun.ErrorMessage(err))
		}
		out = append(out, Feature{Properties: props, Geometry: g})
	}
	return out, nil
}

// readCollection reads a FeatureCollection's envelope: its features, raw.
func readCollection(data []byte) ([]json.RawMessage, error) {
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		return nil, zhudun.Errorf(zhudun.EINVALID, "geojson: %v", err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, zhudun.Errorf(zhudun.EINVALID, "geojson: type %q, want FeatureCollection", fc.Type)
	}
	return fc.Features, nil
}

// readFeature reads feature i's envelope: its properties (nil when absent
// or null) and its geometry, raw.
func readFeature(i int, raw json.RawMessage) (props, geometry json.RawMessage, err error) {
	var f struct {
		Type       string          `json:"type"`
		Properties json.RawMessage `json:"properties"`
		Geometry   json.RawMessage `json:"geometry"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, nil, zhudun.Errorf(zhudun.EINVALID, "geojson: feature %d: %v", i, err)
	}
	if f.Type != "Feature" {
		return nil, nil, zhudun.Errorf(zhudun.EINVALID, "geojson: feature %d: type %q, want Feature", i, f.Type)
	}
	if string(f.Properties) == "null" {
		f.Properties = nil
	}
	return f.Properties, f.Geometry, nil
}

// ParseGeometry reads a GeoJSON Polygon or MultiPolygon geometry object with
// the rules of ParseFeatureCollection. Errors are EINVALID.
func ParseGeometry(data []byte) (MultiPolygon, error) {
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if len(data) == 0 {
		return nil, zhudun.Errorf(zhudun.EINVALID, "geojson: no geometry")
	}
	if err := json.Unmarshal(data, &g); err != nil {
		return nil, zhudun.Errorf(zhudun.EINVALID, "geojson: geometry: %v", err)
	}
	var polys [][][][]float64
	switch g.Type {
	case "MultiPolygon":
		if err := json.Unmarshal(g.Coordinates, &polys); err != nil {
			return nil, zhudun.Errorf(zhudun.EINVALID, "geojson: MultiPolygon coordinates: %v", err)
		}
	case "Polygon":
		var poly [][][]float64
		if err := json.Unmarshal(g.Coordinates, &poly); err != nil {
			return nil, zhudun.Errorf(zhudun.EINVALID, "geojson: Polygon coordinates: %v", err)
		}
		polys = [][][][]float64{poly}
	default:
		return nil, zhudun.Errorf(zhudun.EINVALID, "geojson: geometry type %q, want Polygon or MultiPolygon", g.Type)
	}
	if len(polys) == 0 {
		return nil, zhudun.Errorf(zhudun.EINVALID, "geojson: geometry has no polygons")
	}
	m := make(MultiPolygon, len(polys))
	for i, poly := range polys {
		if len(poly) == 0 {
			return nil, zhudun.Errorf(zhudun.EINVALID, "geojson: polygon %d has no rings", i)
		}
		m[i] = make([][][2]float64, len(poly))
		for j, ring := range poly {
			r, err := readRing(ring)
			if err != nil {
				return nil, zhudun.Errorf(zhudun.EINVALID, "geojson: polygon %d ring %d: %s", i, j, err)
			}
			m[i][j] = r
		}
	}
	return m, nil
}

func readRing(ring [][]float64) ([][2]float64, error) {
	if len(ring) < 4 {
		return nil, errText("fewer than 4 positions")
	}
	r, err := readPositions(ring)
	if err != nil {
		return nil, err
	}
	if r[0] != r[len(r)-1] {
		return nil, errText("not closed")
	}
	return r, nil
}

// readPositions reads GeoJSON positions: each at least [lon, lat], finite
// and in range; an altitude is dropped.
func readPositions(ps [][]float64) ([][2]float64, error) {
	r := make([][2]float64, len(ps))
	for k, p := range ps {
		if len(p) < 2 {
			return nil, errText("position " + strconv.Itoa(k) + " has fewer than 2 numbers")
		}
		lon, lat := p[0], p[1]
		if !finite(lon) || !finite(lat) || math.Abs(lon) > 180 || math.Abs(lat) > 90 {
			return nil, errText("position " + strconv.Itoa(k) + " out of range")
		}
		r[k] = [2]float64{lon, lat}
	}
	return r, nil
}

type errText string

func (e errText) Error() string { return string(e) }

// MarshalJSON encodes m as a GeoJSON MultiPolygon geometry object, so that
// a MultiPolygon inside an API response is valid GeoJSON.
func (m MultiPolygon) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 64)
	b = append(b, `{"type":"MultiPolygon","coordinates":[`...)
	for i, poly := range m {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for j, ring := range poly {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			for k, p := range ring {
				if k > 0 {
					b = append(b, ',')
				}
				if !finite(p[0]) || !finite(p[1]) {
					return nil, zhudun.Errorf(zhudun.EINVALID, "geojson: non-finite position")
				}
				b = append(b, '[')
				b = strconv.AppendFloat(b, p[0], 'g', -1, 64)
				b = append(b, ',')
				b = strconv.AppendFloat(b, p[1], 'g', -1, 64)
				b = append(b, ']')
			}
			b = append(b, ']')
		}
		b = append(b, ']')
	}
	return append(b, "]}"...), nil
}

// UnmarshalJSON decodes a GeoJSON Polygon or MultiPolygon geometry object
// with the rules of ParseGeometry.
func (m *MultiPolygon) UnmarshalJSON(data []byte) error {
	g, err := ParseGeometry(data)
	if err != nil {
		return err
	}
	*m = g
	return nil
}
