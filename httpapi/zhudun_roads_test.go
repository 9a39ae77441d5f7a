package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strconv"
	"testing"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/geo"
)

// The road layer over the API: only a city-wide writer imports it; a bad
// feature is refused by index and field and the layer stays; coverage of
// road length appears per grid, community and in the statistics.
func TestZhudunRoads(t *testing.T) {
	h := newHarness(t)
	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
	for _, u := range []struct{ name, dept string }{{"cmd1", "SB1"}, {"city", zhudun.RootDeptCode}} {
		nu, err := h.store.CreateUser(sys, zhudun.NewUser{Username: u.name, DeptCode: u.dept, Password: pw, Own: true, Roles: []string{zhudun.RoleCommander}})
		if err != nil {
			t.Fatal(err)
		}
		h.users[u.name] = nu
		h.tokens[u.name] = h.login(u.name, pw)
	}
	if r := h.do("cmd1", "POST", "/api/v1/grids", fc(squareFeature("A1", "ST1", 117.00, 36.60, 0.01, nil))); r.status != 200 {
		t.Fatalf("grid: %d %s", r.status, r.body)
	}
	// A dome of 100 m at the grid's centre.
	list := "device_id,name,longitude,latitude,status,fov,range\n37010200001320000001,泉城路口,117.005,36.605,ON,360,100\n"
	if r := h.do("cmd1", "POST", "/api/v1/zhudun/cameras/import", csvBody(list)); r.status != 200 {
		t.Fatalf("cameras: %d %s", r.status, r.body)
	}
	// Before any road: the grid's road share is null.
	cov := roadCoverageOf(t, h, "cmd1")
	if len(cov.Grids) != 1 || cov.Grids[0].RoadPct != nil {
		t.Fatalf("before roads: %+v", cov.Grids)
	}
	// An east–west road through the dome along 36.605°N, beyond the grid
	// both ways: inside it 0.01° · 111195.08 m · cos 36.605° = 892.64 m,
	// of which the dome sees 200 m → 22.41 %.
	road := func(name string, lon0, lon1 float64) map[string]any {
		return map[string]any{"type": "Feature", "properties": map[string]any{"name": name, "highway": "primary"},
			"geometry": map[string]any{"type": "LineString", "coordinates": [][2]float64{{lon0, 36.605}, {lon1, 36.605}}}}
	}
	layer := fc(road("泉城路", 116.995, 117.015))
	if r := h.do("cmd1", "POST", "/api/v1/zhudun/roads/import", layer); r.status != 403 {
		t.Errorf("a sub-bureau's commander imports the city's roads: %d %s", r.status, r.body)
	}
	if r := h.do("off1", "POST", "/api/v1/zhudun/roads/import", layer); r.status != 403 {
		t.Errorf("an officer imports roads: %d", r.status)
	}
	r := h.do("city", "POST", "/api/v1/zhudun/roads/import", layer)
	if r.status != 200 || !bytes.Contains(r.body, []byte(`"roads":1`)) || !bytes.Contains(r.body, []byte(`"grids_recomputed":1`)) {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	cov = roadCoverageOf(t, h, "off1")
	g := cov.Grids[0]
	if math.Abs(g.RoadM-892.64) > 0.9 || math.Abs(g.RoadCovM-200) > 0.2 || g.RoadPct == nil || math.Abs(*g.RoadPct-22.41) > 0.02 {
		t.Errorf("grid roads %.2f m, covered %.2f, pct %v; want 892.64, 200, 22.41", g.RoadM, g.RoadCovM, g.RoadPct)
	}
	// A community over the grid's west half: 446.32 m of road, 100 seen.
	r = h.do("cmd1", "POST", "/api/v1/zhudun/communities", map[string]any{"code": "C1", "name": "泉城花园", "district": "370102", "station": "ST1",
		"households": 100, "boundary": [][][][2]float64{{{{117.0, 36.6}, {117.005, 36.6}, {117.005, 36.61}, {117.0, 36.61}, {117.0, 36.6}}}}})
	if r.status != 201 {
		t.Fatalf("community: %d %s", r.status, r.body)
	}
	var comm zhudun.Community
	decodeInto(t, r, &comm)
	var cc struct {
		RoadM    float64  `json:"road_m"`
		RoadCovM float64  `json:"road_covered_m"`
		RoadPct  *float64 `json:"road_coverage_pct"`
	}
	decodeInto(t, h.do("cmd1", "GET", "/api/v1/zhudun/communities/"+strconv.FormatInt(comm.ID, 10)+"/coverage", nil), &cc)
	if math.Abs(cc.RoadM-446.32) > 0.45 || math.Abs(cc.RoadCovM-100) > 0.1 || cc.RoadPct == nil {
		t.Errorf("community roads %.2f m, covered %.2f; want 446.32, 100", cc.RoadM, cc.RoadCovM)
	}
	// The statistics carry road_coverage_pct in the figures' shape.
	r = h.do("cmd1", "GET", "/api/v1/reports/zhudun", nil)
	if !bytes.Contains(r.body, []byte(`"road_coverage_pct":{"value":22.4,"last_year":0,"change_pct":null}`)) {
		t.Errorf("report: %s", r.body)
	}
	// A bad feature (index 1, a Point): 422, nothing replaced.
	r = h.do("city", "POST", "/api/v1/zhudun/roads/import", fc(road("新路", 117.0, 117.001),
		map[string]any{"type": "Feature", "properties": map[string]any{"name": "点"}, "geometry": map[string]any{"type": "Point", "coordinates": []float64{117, 36.6}}}))
	if r.status != 422 || !bytes.Contains(r.body, []byte(`"row":1,"field":"geometry"`)) {
		t.Errorf("bad feature: %d %s", r.status, r.body)
	}
	var got struct {
		Features []struct {
			Properties zhudun.Road `json:"properties"`
			Geometry   struct {
				Type        string         `json:"type"`
				Coordinates [][][2]float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
		Layer *zhudun.RoadLayer `json:"layer"`
	}
	decodeInto(t, h.do("off1", "GET", "/api/v1/zhudun/roads", nil), &got)
	if len(got.Features) != 1 || got.Features[0].Properties.Name != "泉城路" || got.Features[0].Geometry.Type != "MultiLineString" || got.Layer == nil || got.Layer.ImportedBy != "city" {
		t.Errorf("layer after a refused import: %+v", got)
	}
	// A GCJ-02 file is converted on the way in.
	r = h.do("city", "POST", "/api/v1/zhudun/roads/import?coords=gcj02", fc(road("经十路", 117.0, 117.01)))
	if r.status != 200 {
		t.Fatalf("gcj02 import: %d %s", r.status, r.body)
	}
	decodeInto(t, h.do("off1", "GET", "/api/v1/zhudun/roads", nil), &got)
	wlon, wlat := geo.GCJ02ToWGS84(117.0, 36.605)
	if p := got.Features[0].Geometry.Coordinates[0][0]; len(got.Features) != 1 || math.Abs(p[0]-wlon) > 1e-9 || math.Abs(p[1]-wlat) > 1e-9 {
		t.Errorf("gcj02 position %v, want %v %v", got.Features[0].Geometry.Coordinates, wlon, wlat)
	}
	// The command line replaces the layer behind the server's back (a
	// system caller, straight into the store): the next coverage answer
	// measures it. Half the road, x from the grid's west edge to the dome:
	// 446.32 m, the dome sees 100.
	imp, err := geo.ParseRoads([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[116.99,36.605],[117.005,36.605]]}}]}`), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.ReplaceRoads(sys, imp); err != nil {
		t.Fatal(err)
	}
	if g := roadCoverageOf(t, h, "off1").Grids[0]; math.Abs(g.RoadM-446.32) > 0.45 || math.Abs(g.RoadCovM-100) > 0.1 {
		t.Errorf("after the command line's import: %.2f m, covered %.2f; want 446.32, 100", g.RoadM, g.RoadCovM)
	}
	if r := h.do("city", "POST", "/api/v1/zhudun/roads/import?coords=bd09", layer); r.status == 200 {
		t.Errorf("coords=bd09 accepted")
	}
}

type roadCoverage struct {
	Grids []struct {
		Code     string   `json:"code"`
		RoadM    float64  `json:"road_m"`
		RoadCovM float64  `json:"road_covered_m"`
		RoadPct  *float64 `json:"road_coverage_pct"`
	} `json:"grids"`
}

func roadCoverageOf(t *testing.T, h *harness, user string) roadCoverage {
	t.Helper()
	r := h.do(user, "GET", "/api/v1/zhudun/coverage", nil)
	if r.status != 200 {
		t.Fatalf("coverage: %d %s", r.status, r.body)
	}
	var c roadCoverage
	if err := json.Unmarshal(r.body, &c); err != nil {
		t.Fatal(err)
	}
	return c
}
