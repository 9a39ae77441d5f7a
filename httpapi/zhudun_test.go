package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
)

// 铸盾 over the API: a device list imports, the coverage follows it, a
// grid falls under its target and is listed, and the statistics keep the
// issue's keys; another station sees none of it.
func TestZhudunCoverageFlow(t *testing.T) {
	h := newHarness(t)
	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
	for _, u := range []struct{ name, dept string }{{"cmd1", "SB1"}, {"cmd2", "SB2"}} {
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
	if r := h.do("cmd1", "PUT", "/api/v1/zhudun/grids/A1/target", map[string]any{"target_pct": 2}); r.status != 200 {
		t.Fatalf("target: %d %s", r.status, r.body)
	}
	// A dome at the grid's centre seeing 100 m all round: π·100² =
	// 31415.9 m² covered, wholly inside the grid (≈ 893 m × 1112 m).
	list := "device_id,name,longitude,latitude,status,fov,range,vendor\n" +
		"37010200001320000001,泉城路口,117.005,36.605,ON,360,100,Hikvision\n"
	r := h.do("cmd1", "POST", "/api/v1/zhudun/cameras/import", csvBody(list))
	if r.status != 200 || !bytes.Contains(r.body, []byte(`"created":1`)) {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	// A community whose boundary is the grid's west half (x < 117.005):
	// the dome's half disc inside it, 15707.96 m².
	r = h.do("cmd1", "POST", "/api/v1/zhudun/communities", map[string]any{"code": "C1", "name": "泉城花园", "district": "370102", "station": "ST1",
		"households": 100, "boundary": [][][][2]float64{{{{117.0, 36.6}, {117.005, 36.6}, {117.005, 36.61}, {117.0, 36.61}, {117.0, 36.6}}}}})
	if r.status != 201 {
		t.Fatalf("community: %d %s", r.status, r.body)
	}
	var comm zhudun.Community
	decodeInto(t, r, &comm)
	var cc struct {
		Covered float64 `json:"covered_m2"`
	}
	decodeInto(t, h.do("cmd1", "GET", "/api/v1/zhudun/communities/"+strconv.FormatInt(comm.ID, 10)+"/coverage", nil), &cc)
	if math.Abs(cc.Covered-15707.96) > 15.7 {
		t.Errorf("community covered %.1f m², want 15707.96", cc.Covered)
	}
	if r := h.do("off2", "GET", "/api/v1/zhudun/communities/"+strconv.FormatInt(comm.ID, 10)+"/coverage", nil); r.status != 404 {
		t.Errorf("off2 reads ST1's community coverage: %d", r.status)
	}
	// The community's page: edited to the whole grid with two cameras and
	// an access control for its 100 households, it lists the dome (inside
	// the boundary now) and its score by criterion: cameras 2/2 → 25,
	// access control 1/1 → 20.
	cpath := "/api/v1/zhudun/communities/" + strconv.FormatInt(comm.ID, 10)
	r = h.do("cmd1", "PUT", cpath, map[string]any{"name": "泉城花园", "district": "370102", "households": 100,
		"facilities": map[string]int{"camera": 2, "access_control": 1},
		"boundary":   [][][][2]float64{{{{117.0, 36.6}, {117.01, 36.6}, {117.01, 36.61}, {117.0, 36.61}, {117.0, 36.6}}}}})
	if r.status != 200 || !bytes.Contains(r.body, []byte(`"score":45`)) {
		t.Fatalf("edit: %d %s", r.status, r.body)
	}
	if r := h.do("cmd2", "PUT", cpath, map[string]any{"name": "泉城花园", "district": "370102"}); r.status != 404 {
		t.Errorf("SB2 edits ST1's community: %d", r.status)
	}
	r = h.do("off1", "GET", cpath+"/cameras", nil)
	if r.status != 200 || !bytes.Contains(r.body, []byte(`"total":1`)) || !bytes.Contains(r.body, []byte(`"device_id":"37010200001320000001"`)) {
		t.Errorf("community cameras: %d %s", r.status, r.body)
	}
	r = h.do("off1", "GET", cpath, nil)
	if !bytes.Contains(r.body, []byte(`{"facility":"camera","have":2,"needed":2,"weight":25,"earned":25}`)) {
		t.Errorf("breakdown: %s", r.body)
	}
	cov := coverageOf(t, h, "cmd1")
	if len(cov.Grids) != 1 || math.Abs(cov.Grids[0].Covered-31415.9) > 31.4 || cov.Grids[0].Under || len(cov.Under) != 0 {
		t.Fatalf("coverage after ON: %+v", cov)
	}
	// The officer of ST2 sees no grid and gets 404 for A1's gaps.
	if c := coverageOf(t, h, "off2"); len(c.Grids) != 0 {
		t.Errorf("off2 sees %d grids", len(c.Grids))
	}
	if r := h.do("off2", "GET", "/api/v1/zhudun/coverage/A1/gaps", nil); r.status != 404 {
		t.Errorf("off2 gaps: %d", r.status)
	}
	// The map layer in one request: A1's uncovered part is the grid with
	// the dome's disc cut out — one polygon, an outer ring and a hole
	// whose points lie 100 m from the camera.
	lay := layerOf(t, h, "cmd1", "")
	if lay.Mode != "gaps" || lay.Grids != 1 || len(lay.Features) != 1 || lay.Features[0].Properties.Code != "A1" {
		t.Fatalf("layer: %+v", lay)
	}
	if p := lay.Features[0].Properties; math.Abs(p.Pct-3.16) > 0.01 || p.Target != 2 || p.Under {
		t.Errorf("layer A1 figures: %+v (want 3.16 %% of 993,146 m², target 2)", p)
	}
	if cs := lay.Features[0].Geometry.Coordinates; len(cs) != 1 || len(cs[0]) != 2 {
		t.Fatalf("A1 gaps: %d polygons, want 1 with a hole: %v", len(cs), cs)
	} else {
		for _, pt := range cs[0][1] {
			dx, dy := (pt[0]-117.005)*111320*math.Cos(36.605*math.Pi/180), (pt[1]-36.605)*110950
			if d := math.Hypot(dx, dy); math.Abs(d-100) > 1.5 {
				t.Errorf("hole point %v is %.1f m from the camera, want 100", pt, d)
			}
		}
	}
	if x := lay.Extent; len(x) != 4 || math.Abs(x[0]-117.0) > 1e-9 || math.Abs(x[1]-36.6) > 1e-9 || math.Abs(x[2]-117.01) > 1e-9 || math.Abs(x[3]-36.61) > 1e-9 {
		t.Errorf("extent %v, want [117 36.6 117.01 36.61]", lay.Extent)
	}
	// A view elsewhere: no grid, the extent still A1's.
	if far := layerOf(t, h, "cmd1", "?bbox=118,37,118.1,37.1"); far.Grids != 0 || len(far.Features) != 0 || len(far.Extent) != 4 {
		t.Errorf("layer elsewhere: %+v", far)
	}
	// ST2's officer: nothing, no extent.
	if o := layerOf(t, h, "off2", ""); o.Grids != 0 || len(o.Features) != 0 || o.Extent != nil {
		t.Errorf("off2 layer: %+v", o)
	}
	for _, q := range []string{"?bbox=117,36.6,117.01", "?bbox=117.01,36.6,117,36.61", "?bbox=117,x,117.01,36.61", "?bbox=200,36.6,201,36.61"} {
		if r := h.do("cmd1", "GET", "/api/v1/zhudun/coverage/layer"+q, nil); r.status != 400 || !bytes.Contains(r.body, []byte(`"field":"bbox"`)) {
			t.Errorf("layer %s: %d %s", q, r.status, r.body)
		}
	}
	for _, q := range []string{"?limit=0", "?limit=2001", "?limit=-1"} {
		if r := h.do("cmd1", "GET", "/api/v1/zhudun/coverage/layer"+q, nil); r.status != 400 || !bytes.Contains(r.body, []byte(`"field":"limit"`)) {
			t.Errorf("layer %s: %d %s", q, r.status, r.body)
		}
	}
	// A bad row: 422 naming line and column, nothing changed.
	r = h.do("cmd1", "POST", "/api/v1/zhudun/cameras/import", csvBody(list+"37010200001320000002,x,117.005,36.605,MAYBE,,,\n"))
	if r.status != 422 || !bytes.Contains(r.body, []byte(`"row":3,"field":"status"`)) {
		t.Fatalf("bad row: %d %s", r.status, r.body)
	}
	// The next list has it OFF: the grid falls under its 2 % and is listed.
	r = h.do("cmd1", "POST", "/api/v1/zhudun/cameras/import?mark_gone=true", csvBody(strings.Replace(list, ",ON,", ",OFF,", 1)))
	if r.status != 200 {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	cov = coverageOf(t, h, "cmd1")
	if cov.Grids[0].Covered != 0 || len(cov.Under) != 1 || cov.Under[0].Code != "A1" {
		t.Fatalf("coverage after OFF: %+v", cov)
	}
	// The statistics: the keys, each {"value","last_year","change_pct"}.
	r = h.do("cmd1", "GET", "/api/v1/reports/zhudun", nil)
	if r.status != 200 {
		t.Fatalf("report: %d %s", r.status, r.body)
	}
	for _, k := range []string{`"communities":{"value":1,"last_year":0,"change_pct":null}`, `"cameras_online":{"value":0,`,
		`"cameras_offline":{"value":1,"last_year":0,"change_pct":null}`, `"video_coverage_pct":{"value":0,`, `"smart_communities":{`, `"safe_units":{`} {
		if !bytes.Contains(r.body, []byte(k)) {
			t.Errorf("report lacks %s: %s", k, r.body)
		}
	}
	if r := h.do("cmd2", "GET", "/api/v1/reports/zhudun?dept=SB1", nil); r.status != 404 {
		t.Errorf("SB2 reads SB1's figures: %d", r.status)
	}
	if r := h.do("off1", "POST", "/api/v1/zhudun/cameras/import", csvBody(list)); r.status != 403 {
		t.Errorf("an officer imports cameras: %d", r.status)
	}
	// A second grid east of A1: over a limit of one grid the layer gives
	// both grids' boundaries (mode grids); at two, their gaps — A1 whole
	// again now that its camera is OFF.
	if r := h.do("cmd1", "POST", "/api/v1/grids", fc(squareFeature("A2", "ST1", 117.01, 36.60, 0.01, nil))); r.status != 200 {
		t.Fatalf("grid A2: %d %s", r.status, r.body)
	}
	lay = layerOf(t, h, "cmd1", "?limit=1")
	if lay.Mode != "grids" || lay.Grids != 2 || len(lay.Features) != 2 || lay.Features[1].Properties.Code != "A2" {
		t.Fatalf("layer over the limit: %+v", lay)
	}
	if cs := lay.Features[0].Geometry.Coordinates; len(cs) != 1 || len(cs[0]) != 1 || len(cs[0][0]) != 5 {
		t.Errorf("A1 boundary over the limit: %v", cs)
	}
	lay = layerOf(t, h, "cmd1", "?limit=2")
	if lay.Mode != "gaps" || len(lay.Features) != 2 || lay.Features[0].Properties.Pct != 0 {
		t.Fatalf("layer at the limit: %+v", lay)
	}
	if cs := lay.Features[0].Geometry.Coordinates; len(cs) != 1 || len(cs[0]) != 1 {
		t.Errorf("A1 gaps with its camera OFF: %v, want the whole grid", cs)
	}
	if x := lay.Extent; len(x) != 4 || math.Abs(x[2]-117.02) > 1e-9 {
		t.Errorf("extent over A1 and A2: %v", x)
	}
}

type layerAnswer struct {
	Mode     string    `json:"mode"`
	Grids    int       `json:"grids"`
	Extent   []float64 `json:"extent"`
	Features []struct {
		Geometry struct {
			Coordinates [][][][2]float64 `json:"coordinates"`
		} `json:"geometry"`
		Properties struct {
			Code   string  `json:"code"`
			Pct    float64 `json:"coverage_pct"`
			Target float64 `json:"target_pct"`
			Under  bool    `json:"under_target"`
		} `json:"properties"`
	} `json:"features"`
}

func layerOf(t *testing.T, h *harness, user, q string) layerAnswer {
	t.Helper()
	r := h.do(user, "GET", "/api/v1/zhudun/coverage/layer"+q, nil)
	if r.status != 200 {
		t.Fatalf("layer %s as %s: %d %s", q, user, r.status, r.body)
	}
	var a layerAnswer
	decodeInto(t, r, &a)
	return a
}

type coverageAnswer struct {
	Grids []struct {
		Code    string  `json:"code"`
		Covered float64 `json:"covered_m2"`
		Under   bool    `json:"under_target"`
	} `json:"grids"`
	Under []struct {
		Code string `json:"code"`
	} `json:"under_target"`
}

func coverageOf(t *testing.T, h *harness, user string) coverageAnswer {
	t.Helper()
	r := h.do(user, "GET", "/api/v1/zhudun/coverage", nil)
	if r.status != 200 {
		t.Fatalf("coverage as %s: %d %s", user, r.status, r.body)
	}
	var c coverageAnswer
	if err := json.Unmarshal(r.body, &c); err != nil {
		t.Fatal(err)
	}
	return c
}
