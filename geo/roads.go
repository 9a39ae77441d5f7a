package geo

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/zhudun/zhudun"
)

// ParseRoads reads a road layer: a GeoJSON FeatureCollection of LineString
// and MultiLineString features, as an OpenStreetMap export (overpass
// turbo, ogr2ogr) or a bureau's GIS writes it. Of the properties, name and
// highway (OSM's road class; class when there is no highway) are kept,
// both optional strings. gcj says the file is GCJ-02 and is converted to
// WGS-84 (GCJ02ToWGS84, as for districts and device lists).
//
// A file whose envelope cannot be read, or past the bounds
// (zhudun.MaxRoads features, zhudun.MaxRoadsPositions positions, bytes
// are the caller's), is an EINVALID error. Otherwise every feature is
// checked and each bad one is listed by its index (from 0) and field —
// up to zhudun.MaxRoadImportError of them, the rest counted — so that one
// run shows everything to fix; the store keeps nothing of a file with
// errors. A line needs at least two positions, each a finite longitude in
// [-180, 180] and latitude in [-90, 90] (an altitude is dropped); a
// feature at most zhudun.MaxRoadPositions of them.
func ParseRoads(data []byte, gcj bool) (zhudun.RoadImport, error) {
	var imp zhudun.RoadImport
	raws, err := readCollection(data)
	if err != nil {
		return imp, err
	}
	if len(raws) == 0 {
		return imp, zhudun.FieldError("features", "geojson: no features")
	}
	if len(raws) > zhudun.MaxRoads {
		return imp, zhudun.FieldError("features", "%d features, at most %d", len(raws), zhudun.MaxRoads)
	}
	more := 0
	bad := func(i int, field, format string, args ...any) {
		if len(imp.Errors) < zhudun.MaxRoadImportError {
			imp.Errors = append(imp.Errors, zhudun.ImportRowError{Row: i, Field: field, Message: fmt.Sprintf("feature %d: ", i) + fmt.Sprintf(format, args...)})
		} else {
			more++
		}
	}
	total := 0
	for i, raw := range raws {
		props, geometry, err := readFeature(i, raw)
		if err != nil {
			bad(i, "type", "%s", strings.TrimPrefix(zhudun.ErrorMessage(err), fmt.Sprintf("geojson: feature %d: ", i)))
			continue
		}
		r, field, err := readRoad(props, geometry)
		if err != nil {
			bad(i, field, "%s", err)
			continue
		}
		n := 0
		for _, l := range r.Lines {
			n += len(l)
		}
		if n > zhudun.MaxRoadPositions {
			bad(i, "geometry", "%d positions, at most %d a feature", n, zhudun.MaxRoadPositions)
			continue
		}
		if total += n; total > zhudun.MaxRoadsPositions {
			return zhudun.RoadImport{}, zhudun.FieldError("features", "more than %d positions in the file", zhudun.MaxRoadsPositions)
		}
		for _, l := range r.Lines {
			for k := range l {
				if gcj {
					l[k][0], l[k][1] = GCJ02ToWGS84(l[k][0], l[k][1])
				}
				if k > 0 {
					r.LengthM += Haversine(l[k-1][0], l[k-1][1], l[k][0], l[k][1])
				}
			}
		}
		imp.Roads = append(imp.Roads, r)
	}
	if more > 0 {
		imp.Errors = append(imp.Errors, zhudun.ImportRowError{Row: -1, Field: "features", Message: fmt.Sprintf("and %d more features with errors", more)})
	}
	return imp, nil
}

// readRoad reads one feature's properties and geometry; the error names
// the field it is about.
func readRoad(props, geometry json.RawMessage) (zhudun.Road, string, error) {
	var r zhudun.Road
	if len(props) > 0 {
		var p map[string]json.RawMessage
		if err := json.Unmarshal(props, &p); err != nil {
			return r, "properties", errText("properties must be an object")
		}
		for _, k := range []string{"name", "highway", "class"} {
			raw, ok := p[k]
			if !ok || string(raw) == "null" {
				continue
			}
			var v string
			if err := json.Unmarshal(raw, &v); err != nil {
				return r, k, errText(k + " must be a string")
			}
			v = strings.TrimSpace(v)
			limit := 100
			if k != "name" {
				limit = 32
			}
			if utf8.RuneCountInString(v) > limit {
				return r, k, fmt.Errorf("%s: at most %d characters", k, limit)
			}
			switch {
			case k == "name":
				r.Name = v
			case r.Class == "":
				r.Class = v
			}
		}
	}
	lines, err := ParseLineGeometry(geometry)
	if err != nil {
		return r, "geometry", errText(strings.TrimPrefix(zhudun.ErrorMessage(err), "geojson: "))
	}
	r.Lines = lines
	return r, "", nil
}

// ParseLineGeometry reads a GeoJSON LineString or MultiLineString geometry
// object (a LineString is returned as lines of one) with the rules of
// ParseRoads. Errors are EINVALID.
func ParseLineGeometry(data []byte) ([][][2]float64, error) {
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if len(data) == 0 || string(data) == "null" {
		return nil, zhudun.Errorf(zhudun.EINVALID, "geojson: no geometry")
	}
	if err := json.Unmarshal(data, &g); err != nil {
		return nil, zhudun.Errorf(zhudun.EINVALID, "geojson: geometry: %v", err)
	}
	var lines [][][]float64
	switch g.Type {
	case "MultiLineString":
		if err := json.Unmarshal(g.Coordinates, &lines); err != nil {
			return nil, zhudun.Errorf(zhudun.EINVALID, "geojson: MultiLineString coordinates: %v", err)
		}
	case "LineString":
		var line [][]float64
		if err := json.Unmarshal(g.Coordinates, &line); err != nil {
			return nil, zhudun.Errorf(zhudun.EINVALID, "geojson: LineString coordinates: %v", err)
		}
		lines = [][][]float64{line}
	default:
		return nil, zhudun.Errorf(zhudun.EINVALID, "geojson: geometry type %q, want LineString or MultiLineString", g.Type)
	}
	if len(lines) == 0 {
		return nil, zhudun.Errorf(zhudun.EINVALID, "geojson: geometry has no lines")
	}
	out := make([][][2]float64, len(lines))
	for i, l := range lines {
		if len(l) < 2 {
			return nil, zhudun.Errorf(zhudun.EINVALID, "geojson: line %d has fewer than 2 positions", i)
		}
		r, err := readPositions(l)
		if err != nil {
			return nil, zhudun.Errorf(zhudun.EINVALID, "geojson: line %d: %s", i, err)
		}
		out[i] = r
	}
	return out, nil
}
