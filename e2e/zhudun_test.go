package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestZhudunCoverage (issue 16): 历下's commander sets a grid's coverage
// target, imports a GB/T 28181 device list on the coverage page with a
// dome camera ON at the grid's patrol post — its view appears on the map
// and the grid leaves the under-target list — then the platform's next
// list with the camera OFF: the view goes, and the grid falls under its
// target and is listed again.
func TestZhudunCoverage(t *testing.T) {
	e := start(t)
	user := "lixia.commander"
	cmd := e.apiLogin(t, user)
	g := cmd.quietGrid()
	code := g.Properties.Code
	if c := cmd.call("PUT", "/zhudun/grids/"+code+"/target", map[string]any{"target_pct": 1}, nil); c != 200 {
		t.Fatalf("target: %d %s", c, cmd.last)
	}
	pp := g.Properties.PatrolPoint
	list := func(status string) string {
		path := filepath.Join(t.TempDir(), "devices-"+status+".csv")
		body := "device_id,name,longitude,latitude,status,fov,range,manufacturer\n" +
			fmt.Sprintf("37010200001320000901,%s 治安卡口,%.6f,%.6f,%s,360,150,Hikvision\n", code, pp[0], pp[1], status)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	underHas := fmt.Sprintf(`(() => { const el = document.querySelector('[data-testid="zd-under"]'); return !!el && el.innerText.includes(%q) })()`, code)
	sectors := `document.querySelectorAll('[data-testid="zd-coverage-map"] path.zd-sector').length`

	p := e.newPage(t, "commander", 1366, 900)
	p.login(user, e.password(user))
	p.open("/zhudun/coverage")
	p.waitFor("the grid listed under its 1 % target (no camera yet)", underHas)
	vertices := `Number(document.querySelector('[data-testid="zd-coverage-map"]').dataset.gapVertices || -1)`
	p.waitFor("the uncovered layer drawn", vertices+` > 0`)
	v0 := eval[float64](p, vertices)

	p.do(chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="zd-cam-file"]`), []string{list("ON")}))
	p.waitTextIn(`[data-testid="zd-cam-summary"]`, "1")
	p.waitFor("the camera's view on the map", sectors+` === 1`)
	p.waitFor("the grid to leave the under-target list", `!(`+underHas+`)`)
	p.waitFor("the uncovered layer cut by the view", fmt.Sprintf(`%s !== %v`, vertices, v0))
	p.shot("coverage-on")

	p.do(chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="zd-cam-file"]`), []string{list("OFF")}))
	p.waitFor("the camera's view gone from the map", sectors+` === 0`)
	p.waitFor("the grid listed under its target again", underHas)
	p.waitFor("the uncovered layer whole again", fmt.Sprintf(`%s === %v`, vertices, v0))
	p.shot("coverage-off")

	var cams struct {
		Items []struct {
			DeviceID string `json:"device_id"`
			Online   bool
			Extra    map[string]string
		}
	}
	cmd.call("GET", "/zhudun/cameras", nil, &cams)
	if len(cams.Items) != 1 || cams.Items[0].Online || cams.Items[0].Extra["manufacturer"] != "Hikvision" {
		t.Fatalf("cameras after OFF: %+v", cams.Items)
	}
}

// TestZhudunCoverageCity (issue 16): a city-wide commander opens the
// coverage page over the demo's 2,500-odd grids. The layer comes in one
// request, each grid coloured by its share with a hint to zoom in (more
// grids than the server computes gaps for in one view); locating a grid
// from the table zooms to it and its neighbourhood's gaps appear.
func TestZhudunCoverageCity(t *testing.T) {
	e := start(t)
	user := "city.commander"
	e.addUser(t, user, "commander", "ROOT")
	cmd := e.apiLogin(t, user)
	var cov struct {
		Grids []struct{ Code string } `json:"grids"`
	}
	if c := cmd.call("GET", "/zhudun/coverage", nil, &cov); c != 200 {
		t.Fatalf("coverage: %d %s", c, cmd.last)
	}
	n := len(cov.Grids)
	if n <= 400 {
		t.Fatalf("the demo city has %d grids; this test wants more than the 400 of one view's gaps", n)
	}
	// The map's element, or an empty dataset while the page is loading.
	const mapSel = `(document.querySelector('[data-testid="zd-coverage-map"]') || { dataset: {} })`
	count := func(cls string) string {
		return fmt.Sprintf(`document.querySelectorAll('[data-testid="zd-coverage-map"] path.%s').length`, cls)
	}

	p := e.newPage(t, "city", 1366, 900)
	p.login(user, e.password(user))
	t0 := time.Now()
	p.open("/zhudun/coverage")
	// The page was one request per grid and took 10–25 s for 300 of them;
	// a map of the city is worth a few seconds' wait on a loaded machine.
	p.within(5*time.Second, "every grid coloured by its share", fmt.Sprintf(`%s.dataset.mode === 'grids' && %s === %d`, mapSel, count("zd-grid-share"), n))
	t.Logf("%d grids' shares drawn %d ms after the page was asked for", n, time.Since(t0).Milliseconds())
	p.waitTextIn(`[data-testid="zd-zoom-hint"]`, fmt.Sprintf("此范围内共 %d 个网格", n))
	// The grid table: a page of 50 of them, the rest behind the pager.
	p.waitTextIn(`[data-testid="zd-grid-pages"]`, fmt.Sprintf("共 %d 条", n))
	if rows := eval[int](p, `document.querySelectorAll('[data-testid="zd-grids"] .el-table__body tr').length`); rows != 50 {
		t.Errorf("the grid table shows %d rows, want a page of 50", rows)
	}
	p.waitTextIn(`[data-testid="zd-legend"]`, "网格覆盖率")
	p.shot("city-shares")

	// Locating the first grid of the table: the map zooms to it, the view
	// holds it and some neighbours, and their gaps (whole grids: no
	// camera) come within a few seconds.
	first := cov.Grids[0].Code
	for _, g := range cov.Grids {
		first = min(first, g.Code)
	}
	p.click(fmt.Sprintf(`[data-testid="zd-locate-%s"]`, first))
	p.within(3*time.Second, "the gaps around the located grid", fmt.Sprintf(`%s.dataset.mode === 'gaps' && %s > 0 && %s <= 400 && !document.querySelector('[data-testid="zd-zoom-hint"]')`,
		mapSel, count("zd-gap"), count("zd-gap")))
	p.waitTextIn(`[data-testid="zd-legend"]`, "未覆盖")
	if c := eval[int](p, `document.querySelectorAll('[data-testid="zd-coverage-map"] path.zd-focus').length`); c != 1 {
		t.Errorf("%d outlines of the located grid, want 1", c)
	}
	// The locate button is in the table below the map: the map is scrolled
	// into sight, whole.
	if !eval[bool](p, `(() => { const r = document.querySelector('[data-testid="zd-coverage-map"]').getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight })()`) {
		p.fatalf("the located grid's map is not in sight")
	}
	p.shot("city-located")
}
