package geo

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
)

func TestParseRoads(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "roads-jinan.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	imp, err := ParseRoads(data, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(imp.Errors) != 0 || len(imp.Roads) != 4 {
		t.Fatalf("roads %d, errors %+v", len(imp.Roads), imp.Errors)
	}
	want := []struct {
		name, class string
		lines       int
	}{{"经十路", "primary", 1}, {"泉城路", "secondary", 1}, {"历山路", "secondary", 2}, {"", "", 1}}
	for i, w := range want {
		r := imp.Roads[i]
		if r.Name != w.name || r.Class != w.class || len(r.Lines) != w.lines {
			t.Errorf("road %d: %q %q %d lines, want %q %q %d", i, r.Name, r.Class, len(r.Lines), w.name, w.class, w.lines)
		}
	}
	// 泉城路: 0.015° of longitude and 0.0002° of latitude at 36.667°N, by
	// hand: 0.015·111195·cos(36.667°) = 1337.5 m east, 22.2 m south →
	// √(1337.5² + 22.2²) = 1337.7 m; the altitude is dropped.
	if got := imp.Roads[1].LengthM; math.Abs(got-1337.7) > 0.5 {
		t.Errorf("泉城路 length %.1f m, want 1337.7", got)
	}
	if imp.Roads[1].Lines[0][0] != [2]float64{117.015, 36.667} {
		t.Errorf("position %v", imp.Roads[1].Lines[0][0])
	}
}

// GCJ-02 input is converted: Tiananmen's published GCJ-02 position comes
// back within a metre of its WGS-84 one.
func TestParseRoadsGCJ02(t *testing.T) {
	data := []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"长安街"},
		"geometry":{"type":"LineString","coordinates":[[116.403372,39.917931],[116.42703,39.90245]]}}]}`)
	imp, err := ParseRoads(data, true)
	if err != nil || len(imp.Roads) != 1 {
		t.Fatal(err, imp)
	}
	p := imp.Roads[0].Lines[0][0]
	if d := Haversine(p[0], p[1], 116.397128, 39.916527); d > 1 {
		t.Errorf("converted %v is %.2f m from Tiananmen's WGS-84 position", p, d)
	}
	q := imp.Roads[0].Lines[0][1]
	if d := Haversine(q[0], q[1], 116.42079, 39.90105); d > 2 {
		t.Errorf("converted %v is %.2f m from Beijing station's WGS-84 position", q, d)
	}
	plain, _ := ParseRoads(data, false)
	if plain.Roads[0].Lines[0][0] != [2]float64{116.403372, 39.917931} {
		t.Errorf("WGS-84 input changed: %v", plain.Roads[0].Lines[0][0])
	}
}

// Every bad feature is listed by index and field; the good ones are read.
func TestParseRoadsErrors(t *testing.T) {
	line := `{"type":"LineString","coordinates":[[117.0,36.6],[117.1,36.6]]}`
	feats := []string{
		`{"type":"Feature","properties":{"name":"好路"},"geometry":` + line + `}`,
		`{"type":"Feature","properties":{"name":"点"},"geometry":{"type":"Point","coordinates":[117,36]}}`,
		`{"type":"Feature","properties":{"name":12},"geometry":` + line + `}`,
		`{"type":"Feature","properties":{"highway":["primary"]},"geometry":` + line + `}`,
		`{"type":"Feature","geometry":{"type":"LineString","coordinates":[[117.0,36.6]]}}`,
		`{"type":"Feature","geometry":{"type":"MultiLineString","coordinates":[[[117.0,36.6],[117.1,36.6]],[[117.0,36.6],[190,36.6]]]}}`,
		`{"type":"Feature","properties":[1],"geometry":` + line + `}`,
		`{"type":"Road","geometry":` + line + `}`,
		`{"type":"Feature","geometry":null}`,
		`{"type":"Feature","properties":{"name":"` + strings.Repeat("路", 101) + `"},"geometry":` + line + `}`,
		`{"type":"Feature","properties":{"name":"又一条好路","class":"residential"},"geometry":` + line + `}`,
	}
	data := []byte(`{"type":"FeatureCollection","features":[` + strings.Join(feats, ",") + `]}`)
	imp, err := ParseRoads(data, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		row          int
		field, words string
	}{
		{1, "geometry", `geometry type "Point", want LineString or MultiLineString`},
		{2, "name", "name must be a string"},
		{3, "highway", "highway must be a string"},
		{4, "geometry", "line 0 has fewer than 2 positions"},
		{5, "geometry", "line 1: position 1 out of range"},
		{6, "properties", "properties must be an object"},
		{7, "type", `type "Road", want Feature`},
		{8, "geometry", "no geometry"},
		{9, "name", "at most 100 characters"},
	}
	if len(imp.Errors) != len(want) {
		t.Fatalf("errors %+v", imp.Errors)
	}
	for i, w := range want {
		e := imp.Errors[i]
		if e.Row != w.row || e.Field != w.field || !strings.Contains(e.Message, w.words) || !strings.HasPrefix(e.Message, fmt.Sprintf("feature %d: ", w.row)) {
			t.Errorf("error %d = %+v, want feature %d field %s saying %q", i, e, w.row, w.field, w.words)
		}
	}
	if len(imp.Roads) != 2 || imp.Roads[0].Name != "好路" || imp.Roads[1].Class != "residential" {
		t.Errorf("good roads %+v", imp.Roads)
	}
}

func TestParseRoadsBounds(t *testing.T) {
	for name, data := range map[string]string{
		"not a collection": `{"type":"Feature"}`,
		"no features":      `{"type":"FeatureCollection","features":[]}`,
		"not JSON":         `{"type":`,
	} {
		if _, err := ParseRoads([]byte(data), false); zhudun.ErrorCode(err) != zhudun.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
	null := `{"type":"Feature","geometry":null}`
	many := `{"type":"FeatureCollection","features":[` + strings.Repeat(null+",", zhudun.MaxRoads) + null + `]}`
	if _, err := ParseRoads([]byte(many), false); zhudun.ErrorCode(err) != zhudun.EINVALID || !strings.Contains(zhudun.ErrorMessage(err), "at most 200000") {
		t.Errorf("%d features: %v", zhudun.MaxRoads+1, err)
	}
	// Errors past MaxRoadImportError are counted, not listed.
	bad := `{"type":"FeatureCollection","features":[` + strings.Repeat(null+",", zhudun.MaxRoadImportError+4) + null + `]}`
	imp, err := ParseRoads([]byte(bad), false)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(imp.Errors); n != zhudun.MaxRoadImportError+1 || imp.Errors[n-1].Message != "and 5 more features with errors" {
		t.Errorf("%d errors, last %+v", n, imp.Errors[n-1])
	}
	// One feature of MaxRoadPositions + 1 positions.
	pos := strings.Repeat("[117.0,36.6],", zhudun.MaxRoadPositions) + "[117.1,36.6]"
	long := `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[` + pos + `]}}]}`
	imp, err = ParseRoads([]byte(long), false)
	if err != nil || len(imp.Errors) != 1 || !strings.Contains(imp.Errors[0].Message, "10001 positions, at most 10000") {
		t.Errorf("long feature: %v %+v", err, imp.Errors)
	}
}

func FuzzParseRoads(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("testdata", "roads-jinan.geojson")); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":1},"geometry":{"type":"MultiLineString","coordinates":[[[1,2]]]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, gcj := range []bool{false, true} {
			imp, err := ParseRoads(data, gcj)
			if err != nil {
				if zhudun.ErrorCode(err) != zhudun.EINVALID {
					t.Fatalf("error %v, want EINVALID", err)
				}
				return
			}
			for i, r := range imp.Roads {
				if len(r.Lines) == 0 || math.IsNaN(r.LengthM) || r.LengthM < 0 {
					t.Fatalf("road %d: %+v", i, r)
				}
				for _, l := range r.Lines {
					if len(l) < 2 {
						t.Fatalf("road %d: line of %d positions", i, len(l))
					}
					for _, p := range l {
						if !finite(p[0]) || !finite(p[1]) || math.Abs(p[0]) > 180 || math.Abs(p[1]) > 90 {
							t.Fatalf("road %d: position %v", i, p)
						}
					}
				}
			}
			for _, e := range imp.Errors {
				if e.Message == "" || e.Field == "" {
					t.Fatalf("error without words or field: %+v", e)
				}
			}
		}
	})
}
