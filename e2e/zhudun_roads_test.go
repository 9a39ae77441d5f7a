package e2e

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestZhudunCoverageRoads (issue 16 item 3, road length): the city's
// commander imports a device list with a 150 m dome at a grid's patrol
// post, then a road layer on the coverage page — first a file with a
// Point among the roads, refused with the feature named and nothing
// imported, then an east–west road through the dome: the road is drawn on
// the map and the grid's 道路覆盖率 shows the share the server measured,
// 300 m of road in view (the dome's diameter) or less where the grid's
// edge cuts it.
func TestZhudunCoverageRoads(t *testing.T) {
	e := start(t)
	user := "city.commander"
	e.addUser(t, user, "commander", "ROOT") // the road layer is the city's: a city-wide zhudun:write
	cmd := e.apiLogin(t, user)
	g := cmd.quietGrid()
	code, pp := g.Properties.Code, g.Properties.PatrolPoint
	write := func(name, body string) string {
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	devices := write("devices.csv", "device_id,name,longitude,latitude,status,fov,range\n"+
		fmt.Sprintf("37010200001320000902,%s 路口,%.6f,%.6f,ON,360,150\n", code, pp[0], pp[1]))
	road := fmt.Sprintf(`{"type":"Feature","properties":{"name":"测试路","highway":"primary"},"geometry":{"type":"LineString","coordinates":[[%.6f,%.6f],[%.6f,%.6f]]}}`,
		pp[0]-0.03, pp[1], pp[0]+0.03, pp[1])
	bad := write("bad.geojson", `{"type":"FeatureCollection","features":[`+road+`,{"type":"Feature","geometry":{"type":"Point","coordinates":[117,36.6]}}]}`)
	good := write("roads.geojson", `{"type":"FeatureCollection","features":[`+road+`]}`)

	p := e.newPage(t, "commander", 1366, 900)
	p.login(user, e.password(user))
	p.open("/zhudun/coverage")
	rowHas := func(text string) string {
		return fmt.Sprintf(`Array.from(document.querySelectorAll('[data-testid="zd-grids"] tr')).some((tr) => { const c = tr.querySelector('td'); return !!c && c.innerText.trim() === %q && tr.innerText.includes(%q) })`, code, text)
	}
	// The city's thousands of grids come a page at a time: the filter
	// finds the grid.
	p.typeInto(`input[data-testid="zd-grid-filter"]`, code)
	p.waitFor("the grid without roads", rowHas("无道路"))
	p.do(chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="zd-cam-file"]`), []string{devices}))
	p.waitTextIn(`[data-testid="zd-cam-summary"]`, "1")
	// At city scale the map colours grids by their share; located, the
	// grid's neighbourhood shows its gaps and the dome's view.
	p.click(fmt.Sprintf(`[data-testid="zd-locate-%s"]`, code))
	p.waitFor("the dome's view on the map", `document.querySelectorAll('[data-testid="zd-coverage-map"] path.zd-sector').length === 1`)

	p.do(chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="zd-road-file"]`), []string{bad}))
	p.waitTextIn(`[data-testid="zd-road-errors"]`, "feature 1")
	p.waitTextIn(`[data-testid="zd-road-errors"]`, "geometry")
	if n := eval[string](p, `document.querySelector('[data-testid="zd-coverage-map"]').dataset.roads || '0'`); n != "0" {
		t.Fatalf("a refused file drew %s roads", n)
	}

	p.do(chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="zd-road-file"]`), []string{good}))
	p.waitFor("the road on the map", `document.querySelector('[data-testid="zd-coverage-map"]').dataset.roads === '1'`)
	p.waitTextIn(`[data-testid="zd-road-layer"]`, "1")
	var cov struct {
		Grids []struct {
			Code     string   `json:"code"`
			RoadM    float64  `json:"road_m"`
			RoadCovM float64  `json:"road_covered_m"`
			RoadPct  *float64 `json:"road_coverage_pct"`
		} `json:"grids"`
	}
	if c := cmd.call("GET", "/zhudun/coverage", nil, &cov); c != 200 {
		t.Fatalf("coverage: %d %s", c, cmd.last)
	}
	found := false
	for _, x := range cov.Grids {
		if x.Code != code {
			continue
		}
		found = true
		if x.RoadPct == nil || x.RoadM <= 0 || x.RoadCovM <= 0 || x.RoadCovM > 300.01 || math.Abs(*x.RoadPct-math.Round(x.RoadCovM/x.RoadM*10000)/100) > 0.005 {
			t.Fatalf("grid %s roads: %+v", code, x)
		}
		p.waitFor("the grid's road coverage on the page", rowHas(fmt.Sprintf("%v %%", *x.RoadPct)))
	}
	if !found {
		t.Fatalf("grid %s not in the coverage answer", code)
	}
	p.shot("coverage-roads")
}
