package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

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
