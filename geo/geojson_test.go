package geo

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
)

func TestParseFeatureCollection(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "square-with-hole.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := ParseFeatureCollection(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 {
		t.Fatalf("got %d features, want 2", len(fs))
	}
	var props struct {
		Adcode int    `json:"adcode"`
		Name   string `json:"name"`
	}
	if err := json.Unmarshal(fs[0].Properties, &props); err != nil || props.Adcode != 1 || props.Name != "方" {
		t.Errorf("properties = %s (%v), want adcode 1 name 方", fs[0].Properties, err)
	}
	if fs[1].Properties != nil {
		t.Errorf("null properties = %q, want nil", fs[1].Properties)
	}
	want0 := MultiPolygon{{
		{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}},
		{{4, 4}, {6, 4}, {6, 6}, {4, 6}, {4, 4}},
	}}
	if !equalMP(fs[0].Geometry, want0) {
		t.Errorf("Polygon read as %v, want %v", fs[0].Geometry, want0)
	}
	want1 := MultiPolygon{
		{{{20, 20}, {30, 20}, {30, 30}, {20, 30}, {20, 20}}}, // altitude dropped
		{{{40, 40}, {41, 40}, {41, 41}, {40, 40}}},
	}
	if !equalMP(fs[1].Geometry, want1) {
		t.Errorf("MultiPolygon read as %v, want %v", fs[1].Geometry, want1)
	}
	if fs[0].Geometry.Contains(5, 5) || !fs[0].Geometry.Contains(2, 2) {
		t.Error("hole not honoured after parsing")
	}
}

func TestParseFeatureCollectionRejects(t *testing.T) {
	const ring = `[[0,0],[1,0],[1,1],[0,0]]`
	feature := func(geom string) string {
		return `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":` + geom + `}]}`
	}
	tests := []struct{ name, doc string }{
		{"empty", ``},
		{"not json", `{"type":`},
		{"array", `[]`},
		{"wrong type", `{"type":"Feature","features":[]}`},
		{"feature type", `{"type":"FeatureCollection","features":[{"type":"Point","geometry":{"type":"Polygon","coordinates":[` + ring + `]}}]}`},
		{"null geometry", feature(`null`)},
		{"point", feature(`{"type":"Point","coordinates":[0,0]}`)},
		{"no polygons", feature(`{"type":"MultiPolygon","coordinates":[]}`)},
		{"no rings", feature(`{"type":"Polygon","coordinates":[]}`)},
		{"short ring", feature(`{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`)},
		{"open ring", feature(`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}`)},
		{"short position", feature(`{"type":"Polygon","coordinates":[[[0,0],[1],[1,1],[0,0]]]}`)},
		{"longitude range", feature(`{"type":"Polygon","coordinates":[[[0,0],[181,0],[1,1],[0,0]]]}`)},
		{"latitude range", feature(`{"type":"Polygon","coordinates":[[[0,0],[1,-91],[1,1],[0,0]]]}`)},
		{"string number", feature(`{"type":"Polygon","coordinates":[[[0,0],["1",0],[1,1],[0,0]]]}`)},
		{"overflow", feature(`{"type":"Polygon","coordinates":[[[0,0],[1e400,0],[1,1],[0,0]]]}`)},
		{"polygon nesting as multi", feature(`{"type":"MultiPolygon","coordinates":[` + ring + `]}`)},
	}
	for _, tt := range tests {
		fs, err := ParseFeatureCollection([]byte(tt.doc))
		if err == nil {
			t.Errorf("%s: accepted, got %v", tt.name, fs)
			continue
		}
		if zhudun.ErrorCode(err) != zhudun.EINVALID {
			t.Errorf("%s: error %v, want EINVALID", tt.name, err)
		}
	}
}

func TestMultiPolygonJSON(t *testing.T) {
	b, err := json.Marshal(squareWithHole[:1])
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"type":"MultiPolygon","coordinates":[[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]]]}`
	if string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
	var back MultiPolygon
	if err := json.Unmarshal(b, &back); err != nil || !equalMP(back, squareWithHole[:1]) {
		t.Errorf("Unmarshal = %v, %v; want the original", back, err)
	}
	if _, err := json.Marshal(MultiPolygon{{{{math.NaN(), 0}}}}); err == nil {
		t.Error("Marshal of NaN succeeded")
	}
}

// FuzzParseFeatureCollection: whatever comes in, the parser either refuses
// it with EINVALID or returns geometry that keeps every promise of the doc
// comment, survives an encode/parse round trip unchanged, and contains no
// point outside its bounds.
func FuzzParseFeatureCollection(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("testdata", "square-with-hole.geojson")); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"type":"FeatureCollection","features":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fs, err := ParseFeatureCollection(data)
		if err != nil {
			if zhudun.ErrorCode(err) != zhudun.EINVALID {
				t.Fatalf("error %v, want EINVALID", err)
			}
			return
		}
		for i, feat := range fs {
			m := feat.Geometry
			if len(m) == 0 {
				t.Fatalf("feature %d: no polygons", i)
			}
			b := m.Bounds()
			for _, poly := range m {
				if len(poly) == 0 {
					t.Fatalf("feature %d: polygon without rings", i)
				}
				for _, ring := range poly {
					if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
						t.Fatalf("feature %d: bad ring %v", i, ring)
					}
					for _, p := range ring {
						if !finite(p[0]) || !finite(p[1]) || math.Abs(p[0]) > 180 || math.Abs(p[1]) > 90 {
							t.Fatalf("feature %d: position %v out of range", i, p)
						}
						if !b.Contains(p[0], p[1]) {
							t.Fatalf("feature %d: bounds %+v miss %v", i, b, p)
						}
						m.Contains(p[0], p[1]) // must not panic; either answer is fine on an edge
					}
				}
			}
			for _, q := range [][2]float64{{b.MinLon - 1, b.MinLat}, {b.MaxLon + 1, b.MaxLat}, {b.MinLon, b.MaxLat + 1}} {
				if m.Contains(q[0], q[1]) {
					t.Fatalf("feature %d: contains %v outside its bounds %+v", i, q, b)
				}
			}
			enc, err := json.Marshal(m)
			if err != nil {
				t.Fatalf("feature %d: Marshal: %v", i, err)
			}
			back, err := ParseGeometry(enc)
			if err != nil {
				t.Fatalf("feature %d: re-parse of %s: %v", i, enc, err)
			}
			if !equalMP(back, m) {
				t.Fatalf("feature %d: round trip changed %v into %v", i, m, back)
			}
			if len(feat.Properties) > 0 && !json.Valid(feat.Properties) {
				t.Fatalf("feature %d: properties %q are not JSON", i, feat.Properties)
			}
		}
		if strings.TrimSpace(string(data)) == "" {
			t.Fatal("empty input accepted")
		}
	})
}
