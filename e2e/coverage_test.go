package e2e

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/zhudun/zhudun/jt808"
	"github.com/zhudun/zhudun/jt808/jt808sim"
)

// freeAddr is a TCP address nobody listens on (for --jt808-addr).
func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestPatrolCoverage: a commander's grid gets a patrol plan with one
// checkpoint; a simulated JT/T 808 terminal in a car of that station reports
// a fix 500 m west of it and one 500 m east — neither within the 40 m
// radius, only the line between them — and the map's coverage layer turns
// the checkpoint visited, the grid's coverage 100 %, and the patrol
// statistics count the visit, each within the few seconds a user waits.
func TestPatrolCoverage(t *testing.T) {
	jt := freeAddr(t)
	e := start(t, "--jt808-addr", jt)
	cmd := e.apiLogin(t, "lixia.commander")
	g := cmd.quietGrid()
	cx, cy := g.Properties.PatrolPoint[0], g.Properties.PatrolPoint[1]
	t.Logf("grid %s (%s), checkpoint at %.6f,%.6f", g.Properties.Code, g.Properties.Station, cx, cy)
	plan := map[string]any{"grid": g.Properties.Code, "name": "全天巡逻", "checkpoints": []map[string]any{{"code": "K1", "name": "岗亭", "lon": cx, "lat": cy, "radius_m": 40}},
		"shifts": []map[string]any{{"name": "all", "start": "00:00", "end": "00:00"}}, "windows": []map[string]any{{"shift": "all", "start": "00:00", "end": "00:00", "checkpoints": []string{"K1"}}}}
	if code := cmd.call("POST", "/patrol/plans", plan, nil); code != 201 {
		t.Fatalf("plan: %d %s", code, cmd.last)
	}
	var u struct{ ID int64 }
	if code := cmd.call("POST", "/units", map[string]any{"callsign": "鲁A-巡808", "kind": "car", "station": g.Properties.Station, "terminal": "13912345678"}, &u); code != 201 {
		t.Fatalf("unit: %d %s", code, cmd.last)
	}

	p := e.newPage(t, "lixia.commander", 1600, 900)
	p.login("lixia.commander", e.password("lixia.commander"))
	p.nav("grid", "/patrol/map")
	cp := fmt.Sprintf(`[data-testid="coverage-cp-%s-K1"]`, g.Properties.Code)
	p.waitVisible(cp)
	if v := eval[string](p, `document.querySelector('`+cp+`').dataset.visited`); v != "false" {
		p.fatalf("before the drive the checkpoint is visited=%s", v)
	}
	p.waitFor("the checkpoint's circle, red", `document.querySelectorAll('[data-testid="grid-map"] path.zd-cp-no').length === 1`)
	p.shot("coverage-before")

	tm, err := jt808sim.Dial(jt, "13912345678", false)
	if err != nil {
		t.Fatal(err)
	}
	defer tm.Close()
	res, code, err := tm.Register()
	if err != nil || res != 0 {
		t.Fatalf("register: %d %v", res, err)
	}
	if r, err := tm.Authenticate(code); err != nil || r != 0 {
		t.Fatalf("authenticate: %d %v", r, err)
	}
	// 500 m at 36.6°N is 0.00559° of longitude; 1 km in 40 s is 90 km/h.
	now := time.Now().Truncate(time.Second)
	for _, f := range []struct {
		dlon float64
		at   time.Time
	}{{-0.00559, now.Add(-45 * time.Second)}, {0.00559, now.Add(-5 * time.Second)}} {
		if r, err := tm.Report(jt808.Location{Status: jt808.StatusFixed, Lon: cx + f.dlon, Lat: cy, Speed: 90, Time: f.at}); err != nil || r != 0 {
			t.Fatalf("report: %d %v", r, err)
		}
	}
	drove := time.Now()
	p.within(6*time.Second, "the checkpoint visited on the map", `document.querySelector('`+cp+`').dataset.visited === 'true'`)
	t.Logf("visited on the map %.1f s after the last report", time.Since(drove).Seconds())
	p.waitFor("the circle green", `document.querySelectorAll('[data-testid="grid-map"] path.zd-cp-ok').length === 1`)
	if pct := eval[string](p, fmt.Sprintf(`document.querySelector('[data-testid="coverage-grid-%s"]').dataset.percent`, g.Properties.Code)); pct != "100" {
		p.fatalf("grid coverage %q, want 100", pct)
	}
	p.shot("coverage-visited")

	p.nav("patrolStats", "/patrol/stats")
	p.within(6*time.Second, "the report's coverage", `(() => { const el = document.querySelector('[data-testid="coverage-total-visited"]'); return !!el && el.textContent.trim() === '1' })()`)
	if pl := p.textOf(`[data-testid="coverage-total-planned"]`); pl != "1" {
		p.fatalf("planned %q, want 1", pl)
	}
	p.waitTextIn(`[data-testid="coverage-total-pct"]`, "100.0%")
	p.waitTextIn(`[data-testid="coverage-table-grids"]`, g.Properties.Code)
	p.shot("coverage-report")
	if !strings.Contains(p.textOf(`[data-testid="coverage-report"]`), "无警巡逻") {
		p.fatalf("the coverage section's title is missing")
	}

	// The plan editor: the grid's plan with its checkpoint drawn; a click on
	// the map beside it adds a second, saved as version 2.
	p.nav("patrolPlans", "/patrol/plans")
	p.click(`[data-testid="plan-grid"]`)
	p.clickText(".el-select-dropdown__item", g.Properties.Code)
	p.waitFor("the plan's checkpoint in the table", `document.querySelectorAll('[data-testid="plan-checkpoints"] .el-table__body tr').length === 1`)
	p.waitFor("the checkpoint's circle on the map", `document.querySelectorAll('[data-testid="plan-map"] path.zd-plan-cp').length === 1`)
	xy := eval[[]float64](p, `(() => { const r = document.querySelector('[data-testid="plan-map"] path.zd-plan-cp').getBoundingClientRect(); return [r.left + r.width / 2 + 12, r.top + r.height / 2] })()`)
	p.do(chromedp.MouseClickXY(xy[0], xy[1]))
	p.waitFor("a second checkpoint", `document.querySelectorAll('[data-testid="plan-checkpoints"] .el-table__body tr').length === 2 && document.querySelectorAll('[data-testid="plan-map"] path.zd-plan-cp').length === 2`)
	p.click(`[data-testid="plan-save"]`)
	p.waitText("方案已保存")
	p.shot("plan-editor")
	var plans struct {
		Items []struct {
			Version     int64
			Checkpoints []struct{ Code string }
		}
	}
	if code := cmd.call("GET", "/patrol/plans?grid="+g.Properties.Code, nil, &plans); code != 200 || len(plans.Items) != 1 || plans.Items[0].Version != 2 ||
		len(plans.Items[0].Checkpoints) != 2 || plans.Items[0].Checkpoints[1].Code != "K2" {
		t.Fatalf("the saved plan: %d %s", code, cmd.last)
	}
}
