package geo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
)

func TestParseDistricts(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "districts-two.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	ds, err := ParseDistricts(data, false)
	if err != nil {
		t.Fatal(err)
	}
	// Sorted by code; adcode as a number and as a string both read.
	if len(ds) != 2 || ds[0].Code != "370102" || ds[0].Name != "历下区" || ds[1].Code != "370103" || ds[1].Name != "市中区" {
		t.Fatalf("districts %+v", ds)
	}
	if got := ds[1].Boundary[0][0][1]; got != [2]float64{117.02, 36.6} {
		t.Errorf("WGS-84 kept as is: %v", got)
	}
	// GCJ-02 is shifted back by a few hundred metres in Jinan.
	g, err := ParseDistricts(data, true)
	if err != nil {
		t.Fatal(err)
	}
	p := g[1].Boundary[0][0][0]
	if d := Haversine(p[0], p[1], 117.0, 36.6); d < 300 || d > 800 {
		t.Errorf("GCJ-02 conversion moved the corner %.0f m, want 300–800 m", d)
	}
	bad := []struct{ name, body, field, says string }{
		{"no adcode", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`, "adcode", "feature 0"},
		{"short adcode", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"adcode":3701,"name":"x"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`, "adcode", "six digits"},
		{"no name", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"adcode":370102},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`, "name", "370102"},
		{"twice", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"adcode":370102,"name":"a"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},{"type":"Feature","properties":{"adcode":"370102","name":"b"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`, "adcode", "twice"},
		{"no properties", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`, "properties", "feature 0"},
		{"empty", `{"type":"FeatureCollection","features":[]}`, "", "no features"},
	}
	for _, c := range bad {
		_, err := ParseDistricts([]byte(c.body), false)
		e, ok := err.(*zhudun.Error)
		if !ok || e.Code != zhudun.EINVALID || e.Field != c.field || !strings.Contains(e.Message, c.says) {
			t.Errorf("%s: %v; want EINVALID on %q saying %q", c.name, err, c.field, c.says)
		}
	}
}

// FuzzParseDistricts: refused with EINVALID, or districts with six-digit
// unique codes, names and geometry.
func FuzzParseDistricts(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("testdata", "districts-two.geojson")); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"adcode":"37010x","name":"a"},"geometry":null}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ds, err := ParseDistricts(data, true)
		if err != nil {
			if zhudun.ErrorCode(err) != zhudun.EINVALID {
				t.Fatalf("error %v, want EINVALID", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, d := range ds {
			if len(d.Code) != 6 || seen[d.Code] || d.Name == "" || len(d.Boundary) == 0 {
				t.Fatalf("bad district %+v", d)
			}
			seen[d.Code] = true
		}
	})
}
