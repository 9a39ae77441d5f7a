package e2e

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// patrolUnit is what the tests read of GET /units.
type patrolUnit struct {
	ID       int64    `json:"id"`
	Callsign string   `json:"callsign"`
	Station  string   `json:"station"`
	Status   string   `json:"status"`
	Grid     string   `json:"grid"`
	Lon      *float64 `json:"lon"`
	Lat      *float64 `json:"lat"`
	Stale    bool     `json:"stale"`
}

type patrolGrid struct {
	Properties struct {
		Code        string     `json:"code"`
		Station     string     `json:"station"`
		PatrolPoint [2]float64 `json:"patrol_point"`
	} `json:"properties"`
}

func (a *api) units() []patrolUnit {
	a.t.Helper()
	var res struct {
		Items []patrolUnit `json:"items"`
	}
	if code := a.call("GET", "/units?limit=500", nil, &res); code != 200 {
		a.t.Fatalf("GET /units: %d %s", code, a.last)
	}
	return res.Items
}

func (a *api) unit(callsign string) patrolUnit {
	a.t.Helper()
	for _, u := range a.units() {
		if u.Callsign == callsign {
			return u
		}
	}
	a.t.Fatalf("unit %s not found", callsign)
	return patrolUnit{}
}

// place gives a unit a fresh position and makes it patrol, as a terminal
// and its crew would.
func (a *api) place(id int64, lon, lat float64) {
	a.t.Helper()
	ts := time.Now().UTC().Format(time.RFC3339Nano)
	if code := a.call("POST", fmt.Sprintf("/units/%d/positions", id), []map[string]any{{"lon": lon, "lat": lat, "ts": ts}}, nil); code != 200 {
		a.t.Fatalf("positions of unit %d: %d %s", id, code, a.last)
	}
	var u patrolUnit
	a.call("GET", fmt.Sprintf("/units/%d", id), nil, &u)
	if u.Status != "patrolling" {
		if code := a.call("POST", fmt.Sprintf("/units/%d/status", id), map[string]string{"status": "patrolling"}, nil); code != 200 {
			a.t.Fatalf("status of unit %d: %d %s", id, code, a.last)
		}
	}
}

// quietGrid picks a grid of the caller's that no unit stands in, so that
// the units the test places there are the only candidates of the grid tier.
func (a *api) quietGrid() patrolGrid {
	a.t.Helper()
	var fc struct {
		Features []patrolGrid `json:"features"`
	}
	if code := a.call("GET", "/grids", nil, &fc); code != 200 || len(fc.Features) == 0 {
		a.t.Fatalf("GET /grids: %d %s", code, a.last)
	}
	busy := map[string]bool{}
	for _, u := range a.units() {
		busy[u.Grid] = true
	}
	sort.Slice(fc.Features, func(i, j int) bool { return fc.Features[i].Properties.Code < fc.Features[j].Properties.Code })
	for _, g := range fc.Features {
		if !busy[g.Properties.Code] {
			return g
		}
	}
	a.t.Fatal("every grid has a unit")
	return patrolGrid{}
}

// metres between two points (haversine), for the expected distance.
func metres(lon1, lat1, lon2, lat2 float64) float64 {
	const r = 6371008.8
	rad := math.Pi / 180
	dlat, dlon := (lat2-lat1)*rad, (lon2-lon1)*rad
	h := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

// pick chooses an option of an Element Plus select.
func (p *page) pick(selectSel, optionSel string) {
	p.t.Helper()
	p.click(selectSel)
	p.click(optionSel)
	p.waitFor("the options to close", fmt.Sprintf(`(() => { const o = document.querySelector(%q); return !o || o.getBoundingClientRect().width === 0 || getComputedStyle(o.closest('.el-popper')).display === 'none' })()`, optionSel))
}

// rowText is the text of the incident table's row for incident id, or "".
func (p *page) rowText(table string, id int64) string {
	return eval[string](p, fmt.Sprintf(`(() => {
		const el = document.querySelector('[data-testid=%q] .el-table__body [data-incident="%d"]')
		const tr = el && el.closest('tr')
		if (!tr) return ''
		// Fixed columns are drawn in a second table: join the row's cells by index.
		return tr.innerText
	})()`, table, id))
}

// The grid patrol story: a sub-bureau's dispatcher takes an incident next to
// a patrolling unit; the board recommends that unit, with its distance, and
// dispatches it; arriving and closing return it to patrol. Another
// sub-bureau's dispatcher sees none of it. The map draws Jinan's districts
// and the grids with the units; the statistics page shows the figures.
func TestPatrolDispatch(t *testing.T) {
	e := start(t)
	disp := e.apiLogin(t, "lixia.dispatcher")

	// The scene: a grid with no unit in it; the station's car stands 60-odd
	// metres from where the incident will be, its e-bike half a kilometre off.
	g := disp.quietGrid()
	cx, cy := g.Properties.PatrolPoint[0], g.Properties.PatrolPoint[1]
	car := disp.unit("ST370102-01-C1")
	bike := disp.unit("ST370102-01-E1")
	disp.place(car.ID, cx, cy)
	disp.place(bike.ID, cx-0.004, cy-0.003)
	ix, iy := cx+0.0006, cy+0.0004
	wantCar := metres(cx, cy, ix, iy)
	t.Logf("grid %s; incident at %.6f,%.6f; car %.0f m away", g.Properties.Code, ix, iy, wantCar)

	// Another sub-bureau's dispatcher watches their own board throughout.
	other := e.newPage(t, "shizhong.dispatcher", 1366, 768)
	otherAPI := e.apiLogin(t, "shizhong.dispatcher")
	other.login("shizhong.dispatcher", e.password("shizhong.dispatcher"))
	other.nav("incident", "/patrol/incidents")
	other.waitVisible(`[data-testid="incident-table"]`)
	other.waitFor("the live stream", `!!document.querySelector('.live-state.open')`)

	p := e.newPage(t, "lixia.dispatcher", 1366, 768)
	p.login("lixia.dispatcher", e.password("lixia.dispatcher"))
	var id int64
	var receivedAt time.Time
	// use lends a page created by the test to a subtest, and gives it back.
	use := func(pg *page, t *testing.T) func() {
		old := pg.t
		pg.t = t
		return func() { pg.t = old }
	}

	t.Run("a new incident near a unit: that unit is recommended and dispatched", func(t *testing.T) {
		defer use(p, t)()
		p.nav("incident", "/patrol/incidents")
		p.waitTextIn(`[data-testid="breadcrumb"]`, "警情调度")
		p.waitTextIn(`[data-testid="unit-table"]`, "ST370102-01-C1")
		p.waitFor("the live stream", `!!document.querySelector('.live-state.open')`)
		// The form opens at once, and cancelling closes it at once, whatever
		// the board's periodic refresh is doing (it once waited for it).
		p.click(`[data-testid="incident-new"]`)
		p.within(300*time.Millisecond, "the incident form after the click", visibleJS(`[data-testid="inf-category"]`))
		p.click(`[data-testid="inf-cancel"]`)
		// Closing starts at once (the fade-out that follows is the dialog's own).
		p.within(300*time.Millisecond, "the incident form to close after cancel", `(() => { const el = document.querySelector('[data-testid="inf-category"]'); const o = el && el.closest('.el-overlay'); return !o || o.classList.contains('dialog-fade-leave-active') || getComputedStyle(o).display === 'none' })()`)
		p.noDialog()
		p.click(`[data-testid="incident-new"]`)
		p.within(300*time.Millisecond, "the incident form after the click", visibleJS(`[data-testid="inf-category"]`))
		// The form's map draws the grids; a click on it sets the point.
		p.waitFor("the form's map", `(() => { const m = document.querySelector('[data-testid="incident-map"]'); return !!m && m.dataset.districts === '12' && Number(m.dataset.grids) > 0 })()`)
		p.waitStill(`[data-testid="incident-map"]`)
		box := eval[[]float64](p, `(() => { const r = document.querySelector('[data-testid="incident-map"]').getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2] })()`)
		p.do(chromedp.MouseClickXY(box[0], box[1]))
		p.waitFor("the map click to set the point", `document.querySelector('#inf-lon').value !== '' && document.querySelector('#inf-lat').value !== ''`)
		p.waitFor("the pick marker", `!!document.querySelector('[data-testid="incident-map"] .zd-pick')`)
		// The exact point by keyboard.
		p.typeInto("#inf-lon", fmt.Sprintf("%.6f", ix))
		p.typeInto("#inf-lat", fmt.Sprintf("%.6f", iy))
		p.waitTextIn(`[data-testid="inf-where"]`, g.Properties.Code)
		p.pick(`[data-testid="inf-category"]`, `[data-testid="cat-dispute"]`)
		p.typeInto("#inf-address", "历下区测试路 1 号")
		p.typeInto("#inf-phone", "13912345678")
		p.shot("incident-form")
		p.click(`[data-testid="inf-submit"]`)

		// The dispatch dialog opens with the recommendation.
		p.waitVisible(`[data-testid="dispatch-recommended-unit"]`)
		p.waitTextIn(`[data-testid="dispatch-recommended-unit"]`, "ST370102-01-C1")
		dist := p.textOf(`[data-testid="dispatch-recommended-distance"]`)
		if want := fmt.Sprintf("%d 米", int(math.Round(wantCar))); dist != want {
			p.fatalf("recommended distance %q, want %q", dist, want)
		}
		p.waitTextIn(`[data-testid="dispatch-recommendation"]`, "本网格")
		p.waitVisible(`[data-testid="cand-ST370102-01-E1"]`)
		if s := p.textOf(`[data-testid="cand-distance-ST370102-01-E1"]`); !strings.HasSuffix(s, " 米") {
			p.fatalf("the e-bike's distance: %q", s)
		}
		p.waitFor("the dialog's map", `(() => { const m = document.querySelector('[data-testid="dispatch-map"]'); return !!m && Number(m.dataset.units) >= 2 && !!m.querySelector('.zd-incident') })()`)
		// Overriding the recommendation needs a reason.
		p.click(`[data-testid="cand-ST370102-01-E1"]`)
		p.waitVisible("#dispatch-reason")
		p.click(`[data-testid="dispatch-submit"]`)
		p.waitText("未选择推荐警力，请填写理由")
		p.shot("dispatch-dialog-override")
		p.click(`[data-testid="cand-ST370102-01-C1"]`)
		p.waitFor("the reason to go", `!document.querySelector('#dispatch-reason')`)
		p.shot("dispatch-dialog")
		p.click(`[data-testid="dispatch-submit"]`)
		p.noDialog()

		// The board shows it dispatched to the car, and the car as dispatched.
		p.waitFor("an incident row", `!!document.querySelector('[data-testid="incident-table"] .el-table__body [data-incident]')`)
		id = eval[int64](p, `Math.max(...Array.from(document.querySelectorAll('[data-testid="incident-table"] .el-table__body [data-incident]')).map(el => Number(el.dataset.incident)))`)
		p.waitFor("the incident dispatched", fmt.Sprintf(`(() => { const el = document.querySelector('[data-testid="incident-table"] .el-table__body [data-incident="%d"]'); const tr = el && el.closest('tr'); return !!tr && tr.innerText.includes('已派警') && tr.innerText.includes('ST370102-01-C1') })()`, id))
		row := p.rowText("incident-table", id)
		if !strings.Contains(row, "139****5678") || strings.Contains(row, "13912345678") {
			p.fatalf("the caller's phone is not masked in the row: %q", row)
		}
		// Received time in Beijing time, although the browser is in London.
		var x struct {
			ReceivedAt time.Time `json:"received_at"`
			UnitID     *int64    `json:"unit_id"`
			Status     string    `json:"status"`
		}
		if code := disp.call("GET", fmt.Sprintf("/incidents/%d", id), nil, &x); code != 200 || x.UnitID == nil || *x.UnitID != car.ID || x.Status != "dispatched" {
			p.fatalf("GET /incidents/%d: %d %s", id, code, disp.last)
		}
		receivedAt = x.ReceivedAt
		sh := time.FixedZone("CST", 8*3600)
		if want := x.ReceivedAt.In(sh).Format("2006-01-02 15:04:05"); !strings.Contains(row, want) {
			p.fatalf("the row does not show the Beijing time %s: %q", want, row)
		}
		p.waitFor("the car dispatched in the unit list", `(() => { const el = document.querySelector('[data-testid="unit-table"] [data-unit-status="ST370102-01-C1"]'); return !!el && el.innerText.includes('已派警') })()`)
		p.shot("board-dispatched")
	})
	if id == 0 {
		t.Fatal("no incident")
	}

	t.Run("arriving and closing return the unit to patrol", func(t *testing.T) {
		defer use(p, t)()
		p.click(fmt.Sprintf(`[data-testid="arrive-%d"]`, id))
		p.waitVisible(`.el-message-box__btns .el-button--primary`)
		p.click(`.el-message-box__btns .el-button--primary`)
		p.waitFor("the incident on scene", fmt.Sprintf(`(() => { const el = document.querySelector('[data-testid="incident-table"] .el-table__body [data-incident="%d"]'); const tr = el && el.closest('tr'); const tag = tr && tr.querySelector('[data-status]'); return !!tag && tag.dataset.status === 'on_scene' })()`, id))
		p.waitFor("the car on scene", `(() => { const el = document.querySelector('[data-testid="unit-table"] [data-unit-status="ST370102-01-C1"]'); return !!el && el.innerText.includes('到场处置') })()`)
		// Closed incidents leave the "not closed" list: show all first.
		p.pick(`[data-testid="if-status"]`, `[data-testid="if-status-all"]`)
		p.click(`[data-testid="incident-search"]`)
		p.settle()
		p.click(fmt.Sprintf(`[data-testid="close-%d"]`, id))
		p.waitVisible(`[data-testid="close-outcome"]`)
		p.click(`[data-testid="close-submit"]`)
		p.waitText("请选择处置结果")
		p.pick(`[data-testid="close-outcome"]`, `[data-testid="outcome-mediated"]`)
		p.typeInto("#close-note", "双方达成和解")
		p.shot("close-dialog")
		p.click(`[data-testid="close-submit"]`)
		p.noDialog()
		p.waitFor("the incident closed", fmt.Sprintf(`(() => { const el = document.querySelector('[data-testid="incident-table"] .el-table__body [data-incident="%d"]'); const tr = el && el.closest('tr'); const tag = tr && tr.querySelector('[data-status]'); return !!tag && tag.dataset.status === 'closed' && tr.innerText.includes('已处结') })()`, id))
		p.waitFor("the car patrolling again", `(() => { const el = document.querySelector('[data-testid="unit-table"] [data-unit-status="ST370102-01-C1"]'); return !!el && el.innerText.includes('巡逻') && !el.innerText.includes('已派警') })()`)
		p.waitFor("the car free of the incident", `document.querySelector('[data-testid="unit-table"] [data-unit-incident="ST370102-01-C1"]').innerText.trim() === '—'`)
		var u patrolUnit
		if code := disp.call("GET", fmt.Sprintf("/units/%d", car.ID), nil, &u); code != 200 || u.Status != "patrolling" {
			p.fatalf("the car after closing: %d %s", code, disp.last)
		}
		// The details keep the times and the outcome.
		p.click(fmt.Sprintf(`[data-testid="detail-%d"]`, id))
		p.waitTextIn(`[data-testid="incident-detail"]`, "调解纠纷")
		p.waitTextIn(`[data-testid="incident-detail"]`, "双方达成和解")
		p.waitTextIn(`[data-testid="incident-detail"]`, receivedAt.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05"))
		p.shot("incident-detail")
		p.press("\x1b")
		p.noDialog()
		p.shot("board-closed")
	})

	t.Run("a dispatcher of another sub-bureau sees none of it", func(t *testing.T) {
		defer use(other, t)()
		other.front()
		other.open("/patrol/incidents")
		other.waitVisible(`[data-testid="incident-table"]`)
		other.pick(`[data-testid="if-status"]`, `[data-testid="if-status-all"]`)
		other.click(`[data-testid="incident-search"]`)
		other.settle()
		other.waitTextIn(`[data-testid="incident-table"]`, "暂无数据")
		if s := other.text(); strings.Contains(s, "历下区测试路") || strings.Contains(s, fmt.Sprintf("#%d", id)) || strings.Contains(s, "ST370102-01-C1") {
			other.fatalf("the other sub-bureau's board shows the incident or the unit: %q", s)
		}
		other.click(`[data-testid="notif-bell"]`)
		other.waitVisible(`[data-testid="notif-panel"]`)
		notes := other.textOf(`[data-testid="notif-panel"]`)
		other.press("\x1b")
		if strings.Contains(notes, "历下区测试路") || strings.Contains(notes, "ST370102-01") {
			other.fatalf("the other sub-bureau was notified: %s", notes)
		}
		status := eval[string](other, fmt.Sprintf(`fetch('/api/v1/incidents/%d').then(r => r.json().then(b => r.status + ' ' + (b.error && b.error.code)))`, id))
		if !strings.HasPrefix(status, "404 ENOTFOUND") {
			other.fatalf("GET /incidents/%d from another sub-bureau: %q", id, status)
		}
		var list struct {
			Total int `json:"total"`
		}
		if code := otherAPI.call("GET", "/incidents?limit=500", nil, &list); code != 200 || list.Total != 0 {
			other.fatalf("another sub-bureau lists %d incidents: %s", list.Total, otherAPI.last)
		}
		if code := otherAPI.call("GET", fmt.Sprintf("/incidents/%d/recommendation", id), nil, nil); code != 404 {
			other.fatalf("another sub-bureau gets the recommendation: %d", code)
		}
		// Nor does its map show the other sub-bureau's grids or units.
		other.nav("grid", "/patrol/map")
		other.waitFor("the map", `(() => { const m = document.querySelector('[data-testid="grid-map"]'); return !!m && m.dataset.districts === '12' && Number(m.dataset.grids) > 0 })()`)
		other.waitFor("the units' canvas", `!!window.__zdUnitMap && !!document.querySelector('[data-testid="grid-map"] [data-testid="unit-canvas"]')`)
		if n := eval[int](other, `window.__zdUnitMap.units().filter((c) => c.startsWith('ST370102')).length`); n != 0 {
			other.fatalf("the other sub-bureau's map shows %d units of 历下", n)
		}
		other.shot("other-subbureau-map")
	})

	t.Run("the map draws the districts, the grids and the units", func(t *testing.T) {
		// A unit whose only fix is ten minutes old: stale, drawn hollow.
		var u patrolUnit
		if code := disp.call("POST", "/units", map[string]string{"callsign": "ST370102-01-F9", "kind": "foot", "station": "ST370102-01"}, &u); code != 201 {
			t.Fatalf("create unit: %d %s", code, disp.last)
		}
		disp.call("POST", fmt.Sprintf("/units/%d/status", u.ID), map[string]string{"status": "patrolling"}, nil)
		old := time.Now().Add(-10 * time.Minute).UTC().Format(time.RFC3339)
		if code := disp.call("POST", fmt.Sprintf("/units/%d/positions", u.ID), []map[string]any{{"lon": cx + 0.003, "lat": cy + 0.004, "ts": old}}, nil); code != 200 {
			t.Fatalf("old position: %d %s", code, disp.last)
		}
		for _, size := range [][2]int64{{1366, 768}, {1920, 1080}} {
			m := e.newPage(t, fmt.Sprintf("lixia.dispatcher-%dx%d", size[0], size[1]), size[0], size[1])
			m.login("lixia.dispatcher", e.password("lixia.dispatcher"))
			m.nav("grid", "/patrol/map")
			m.waitFor("the districts and grids", `(() => { const m = document.querySelector('[data-testid="grid-map"]'); return !!m && m.dataset.districts === '12' && Number(m.dataset.grids) > 0 })()`)
			districts := eval[int](m, `document.querySelectorAll('[data-testid="grid-map"] path.zd-district').length`)
			grids := eval[int](m, `document.querySelectorAll('[data-testid="grid-map"] path.zd-grid').length`)
			wantGrids := eval[int](m, `Number(document.querySelector('[data-testid="grid-map"]').dataset.grids)`)
			if districts != 12 || grids != wantGrids || grids == 0 {
				m.fatalf("the map draws %d district and %d grid paths, want 12 and %d", districts, grids, wantGrids)
			}
			// The paths really cover the map: a district path has a sizeable box.
			// The map fits the user's grids: a grid is a sizeable square on screen.
			m.waitFor("the map to fit the grids", `Math.max(...Array.from(document.querySelectorAll('[data-testid="grid-map"] path.zd-grid')).map(p => { const r = p.getBoundingClientRect(); return r.width * r.height })) > 400`)
			// The units are dots on one canvas (unitCanvas.js), no DOM marker each.
			m.waitFor("the car drawn", `!!window.__zdUnitMap && window.__zdUnitMap.drawnAs('ST370102-01-C1') !== null`)
			if s := eval[string](m, `window.__zdUnitMap.drawnAs('ST370102-01-C1')`); s == "stale" {
				m.fatalf("the car is drawn stale: %q", s)
			}
			m.waitFor("the stale unit drawn stale", `window.__zdUnitMap.drawnAs('ST370102-01-F9') === 'stale'`)
			if n := eval[int](m, `document.querySelectorAll('[data-testid="grid-map"] [data-unit]').length`); n != 0 {
				m.fatalf("%d units drawn as DOM markers besides the canvas", n)
			}
			if n := eval[int](m, `document.querySelectorAll('[data-testid="grid-map"] .zd-station').length`); n == 0 {
				m.fatalf("no station drawn")
			}
			m.waitTextIn(`[data-testid="map-unit-counts"]`, "位置过期")
			m.shot("map-fit")
			// The unit list centres the map on a unit, by keyboard too.
			m.do(chromedp.Focus(chromedp.CSS(`[data-testid="map-unit-ST370102-01-C1"]`)))
			m.press("\r")
			m.waitFor("the unit's tooltip", `!!document.querySelector('.leaflet-tooltip') && document.querySelector('.leaflet-tooltip').innerText.includes('ST370102-01-C1')`)
			m.shot("map")
			if size[0] == 1366 {
				// A click on the e-bike's dot shows it (the list is the keyboard's way, above).
				m.waitFor("the e-bike drawn", `!!window.__zdUnitMap.pointOf('ST370102-01-E1')`)
				pt := eval[[]float64](m, `(() => { const p = window.__zdUnitMap.pointOf('ST370102-01-E1'); const r = document.querySelector('[data-testid="grid-map"]').getBoundingClientRect(); return [r.left + p.x, r.top + p.y] })()`)
				m.do(chromedp.MouseClickXY(pt[0], pt[1]))
				m.waitFor("the e-bike's tooltip", `Array.from(document.querySelectorAll('.leaflet-tooltip')).some(el => el.innerText.includes('ST370102-01-E1') && el.innerText.includes('电动车'))`)
				m.click(`[data-testid="map-layers"] .el-checkbox:nth-child(1)`) // grids off
				m.waitFor("the grids gone", `document.querySelectorAll('[data-testid="grid-map"] path.zd-grid').length === 0`)
				m.click(`[data-testid="map-layers"] .el-checkbox:nth-child(1)`)
				m.waitFor("the grids back", `document.querySelectorAll('[data-testid="grid-map"] path.zd-grid').length > 0`)
			}
		}
	})

	t.Run("the statistics page shows the figures", func(t *testing.T) {
		// Two disputes on the same day last year, for the year-on-year change.
		ly := time.Now().AddDate(-1, 0, 0).Add(-time.Hour).UTC().Format(time.RFC3339)
		for range 2 {
			if code := disp.call("POST", "/incidents", map[string]any{"category": "dispute", "lon": ix, "lat": iy, "source": "110", "received_at": ly}, nil); code != 201 {
				t.Fatalf("last year's incident: %d %s", code, disp.last)
			}
		}
		s := e.newPage(t, "lixia.commander", 1920, 1080)
		e.apiLogin(t, "lixia.commander") // sets the password
		s.login("lixia.commander", e.password("lixia.commander"))
		s.nav("patrolStats", "/patrol/stats")
		s.waitVisible(`[data-testid="card-incidents"]`)
		s.waitTextIn(`[data-testid="card-incidents"]`, "-50.0%")
		if n := s.textOf(`[data-testid="card-incidents"] .card-n`); n != "1" {
			s.fatalf("the incidents card shows %q, want 1", n)
		}
		s.waitTextIn(`[data-testid="card-incidents"]`, "上年同期 2")
		if n := s.textOf(`[data-testid="card-mediated"] .card-n`); n != "1" {
			s.fatalf("the mediated card shows %q, want 1", n)
		}
		s.waitTextIn(`[data-testid="resp-median"]`, "1 分钟")
		s.waitTextIn(`[data-testid="resp-within"]`, "100.0%")
		s.waitTextIn(`[data-testid="table-category"]`, "纠纷")
		cat := s.textOf(`[data-testid="table-category"] .el-table__body`)
		if !strings.Contains(cat, "-50.0%") {
			s.fatalf("the category table lacks the change: %q", cat)
		}
		s.waitFor("the charts", `document.querySelectorAll('[data-testid="chart-category"] svg path, [data-testid="chart-category"] svg rect').length > 0`)
		s.waitTextIn(`[data-testid="table-districts"]`, "历下分局")
		if href := eval[string](s, `document.querySelector('[data-testid="stats-export-xlsx"]').getAttribute('href')`); !strings.Contains(href, "format=xlsx") || !strings.Contains(href, "from=") {
			s.fatalf("export link %q", href)
		}
		status := eval[string](s, `fetch(document.querySelector('[data-testid="stats-export-xlsx"]').getAttribute('href')).then(r => r.status + ' ' + r.headers.get('content-type'))`)
		if !strings.HasPrefix(status, "200 ") || !strings.Contains(status, "spreadsheet") {
			s.fatalf("the xlsx export answered %q", status)
		}
		s.shot("stats")
	})

	t.Run("the board follows incidents and units live", func(t *testing.T) {
		defer use(p, t)()
		p.open("/patrol/incidents")
		p.waitVisible(`[data-testid="incident-table"]`)
		p.waitFor("the live stream", `!!document.querySelector('.live-state.open')`)
		p.settle()
		// Another dispatcher's console (here: the API) takes an incident next to the e-bike …
		var ans struct {
			Incident struct {
				ID int64 `json:"id"`
			} `json:"incident"`
		}
		if code := disp.call("POST", "/incidents", map[string]any{"category": "rescue", "lon": cx - 0.0039, "lat": cy - 0.0031, "source": "walk_in", "address": "实时测试路 9 号"}, &ans); code != 201 {
			t.Fatalf("create: %d %s", code, disp.last)
		}
		live := ans.Incident.ID
		p.waitFor("the new incident's row", fmt.Sprintf(`!!document.querySelector('[data-testid="incident-table"] .el-table__body [data-incident="%d"]')`, live))
		if row := p.rowText("incident-table", live); !strings.Contains(row, "实时测试路 9 号") || !strings.Contains(row, "求助救助") || !strings.Contains(row, "群众来所") {
			p.fatalf("the live row: %q", row)
		}
		// … and dispatches the recommended e-bike: the row and the unit list follow.
		if code := disp.call("POST", fmt.Sprintf("/incidents/%d/dispatch", live), map[string]any{"unit": bike.ID}, nil); code != 200 {
			t.Fatalf("dispatch: %d %s", code, disp.last)
		}
		p.waitFor("the row dispatched", fmt.Sprintf(`(() => { const el = document.querySelector('[data-testid="incident-table"] .el-table__body [data-incident="%d"]'); const tr = el && el.closest('tr'); return !!tr && tr.querySelector('[data-status]').dataset.status === 'dispatched' && tr.innerText.includes('ST370102-01-E1') })()`, live))
		p.waitFor("the e-bike dispatched", `document.querySelector('[data-testid="unit-table"] [data-unit-status="ST370102-01-E1"]').innerText.includes('已派警')`)
		p.waitTextIn(`[data-testid="sum-dispatched"]`, "1")
		p.shot("board-live")
		// The other sub-bureau's board stays empty.
		other.front()
		if s := other.text(); strings.Contains(s, "实时测试路") {
			other.fatalf("the other sub-bureau sees the live incident: %q", s)
		}
	})

	t.Run("units get a crew, the officer reports from a phone, addresses are found, new incidents alert", func(t *testing.T) {
		defer use(p, t)()
		p.nav("units", "/patrol/units")
		p.waitTextIn(`[data-testid="units-table"]`, "ST370102-01-C1")
		p.click(`[data-testid="unit-edit-ST370102-01-C1"]`)
		p.within(300*time.Millisecond, "the bind dialog after the click", visibleJS("#ue-terminal"))
		p.typeInto("#ue-terminal", "T-0102")
		// A multiple select stays open after a pick: a click elsewhere closes it.
		p.click(`[data-testid="ue-crew"]`)
		p.click(`[data-testid="crew-lixia.officer01"]`)
		p.click("#ue-terminal")
		p.click(`[data-testid="ue-submit"]`)
		p.noDialog()
		p.waitFor("the crew in the list", `Array.from(document.querySelectorAll('[data-crew="ST370102-01-C1"]')).length === 1`)
		p.shot("units-page")

		// The officer, on a phone, sees the unit and reports 就餐.
		off := e.newPage(t, "lixia.officer01", 390, 844)
		off.firstLogin("lixia.officer01")
		off.open("/patrol/my-unit")
		off.waitTextIn(`[data-testid="my-callsign"]`, "ST370102-01-C1")
		off.click(`[data-testid="my-set-meal"]`)
		off.waitTextIn(`[data-testid="my-status"]`, "就餐")
		off.shot("my-unit-phone")
		// … and the dispatcher's list follows.
		p.front()
		p.waitFor("the status on the units page", `(() => { const el = document.querySelector('[data-testid="unit-status-ST370102-01-C1"]'); return !!el && el.innerText.includes('就餐') })()`)

		// The address box finds the demo's standard address and sets the point.
		p.nav("incident", "/patrol/incidents")
		p.waitFor("the live stream", `!!document.querySelector('.live-state.open')`)
		p.click(`[data-testid="incident-new"]`)
		p.within(300*time.Millisecond, "the incident form after the click", visibleJS(`[data-testid="inf-category"]`))
		p.typeInto("#inf-address", "泉城路188")
		p.click(`[data-testid="addr-历下区泉城路188号"]`)
		p.waitFor("the address to set the point", `document.querySelector('#inf-lon').value !== '' && document.querySelector('#inf-lat').value !== ''`)
		p.waitTextIn(`[data-testid="inf-where"]`, "WG370102-")
		p.shot("incident-address")
		p.click(`[data-testid="inf-cancel"]`)
		p.noDialog()

		// A new incident raises a pop-up and a sound for the dispatcher.
		var ans struct{ Incident struct{ ID int64 } }
		if code := disp.call("POST", "/incidents", map[string]any{"category": "dispute", "lon": cx, "lat": cy, "address": "弹窗测试路 1 号"}, &ans); code != 201 {
			t.Fatalf("create: %d %s", code, disp.last)
		}
		p.waitVisible(fmt.Sprintf(`[data-testid="alert-incident"][data-incident="%d"]`, ans.Incident.ID))
		if n := eval[int](p, `window.__zdChimes || 0`); n < 1 {
			p.fatalf("no sound for the new incident")
		}
		p.shot("incident-alert")
	})

	t.Run("the pages switch to English", func(t *testing.T) {
		p := e.newPage(t, "lixia.commander-en", 1366, 768)
		p.login("lixia.commander", e.password("lixia.commander"))
		p.switchLanguage("en")
		for _, pg := range []struct{ key, path, want string }{
			{"incident", "/patrol/incidents", "Patrol units"},
			{"grid", "/patrol/map", "Whole city"},
			{"patrolStats", "/patrol/stats", "By category"},
		} {
			p.nav(pg.key, pg.path)
			p.waitText(pg.want)
			p.settle()
			p.assertNoChinese(pg.path)
			p.shot("en-" + pg.key)
		}
	})
}
