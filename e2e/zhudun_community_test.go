package e2e

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestZhudunCommunity (issue 16): 历下's commander has a community
// registered around a grid's patrol post, every facility present for its
// 100 households, and a 10 m dome there. From the communities list its
// name opens its page, which shows within a second: the level 智慧安防小区
// and score 100, the score by criterion (cameras 2 of 2 → 25), the dome
// among its cameras and the covered area π·10² ≈ 314 m². Edited in the
// form to no cameras, the page shows 基本达标 and 75 within a second of the
// save. A sub-bureau's commander is offered no editor for the city's rule.
func TestZhudunCommunity(t *testing.T) {
	e := start(t)
	user := "lixia.commander"
	cmd := e.apiLogin(t, user)
	g := cmd.quietGrid()
	pp := g.Properties.PatrolPoint
	const d = 0.0003 // ≈ 27 m east-west, 33 m north-south either side of the post
	ring := [][2]float64{{pp[0] - d, pp[1] - d}, {pp[0] + d, pp[1] - d}, {pp[0] + d, pp[1] + d}, {pp[0] - d, pp[1] + d}, {pp[0] - d, pp[1] - d}}
	var c struct {
		ID int64 `json:"id"`
	}
	full := map[string]int{"access_control": 1, "face_gate": 1, "camera": 2, "vehicle_barrier": 1, "perimeter_alarm": 1, "smoke_detector": 1, "ebike_shed": 1}
	if code := cmd.call("POST", "/zhudun/communities", map[string]any{"code": "E2E-C1", "name": "泉城测试花园", "district": "370102",
		"station": g.Properties.Station, "grid": g.Properties.Code, "households": 100, "facilities": full,
		"boundary": [][][][2]float64{{ring}}}, &c); code != 201 {
		t.Fatalf("community: %d %s", code, cmd.last)
	}
	list := "device_id,name,longitude,latitude,status,fov,range\n" +
		fmt.Sprintf("37010200001320000911,测试花园东门球机,%.6f,%.6f,ON,360,10\n", pp[0], pp[1])
	if code, body := cmd.postCSV("/zhudun/cameras/import", list); code != 200 {
		t.Fatalf("cameras: %d %s", code, body)
	}

	p := e.newPage(t, "commander", 1366, 900)
	p.login(user, e.password(user))
	p.open("/zhudun/communities")
	link := `[data-testid="zd-community-link-E2E-C1"]`
	p.waitVisible(link)
	if eval[bool](p, visibleJS(`[data-testid="zd-rule-edit"]`)) {
		p.fatalf("a sub-bureau's commander is offered the rule editor")
	}
	p.click(link)
	shows := func(sel, want string) string {
		return fmt.Sprintf(`(() => { const el = document.querySelector(%q); return !!el && el.innerText.includes(%q) })()`, sel, want)
	}
	p.within(time.Second, "the level", shows(`[data-testid="zd-c-level"]`, "智慧安防小区"))
	p.within(time.Second, "the score", shows(`[data-testid="zd-c-score"]`, "100"))
	p.within(time.Second, "the cameras' criterion: 2 of 2 → 25", fmt.Sprintf(`Array.from(document.querySelectorAll('[data-testid="zd-c-breakdown"] tbody tr')).some(r => %s)`,
		`r.innerText.includes("视频监控") && r.innerText.replace(/\s+/g, " ").includes("2 2 25 25")`))
	p.within(time.Second, "the dome among its cameras", shows(`[data-testid="zd-c-cameras"]`, "37010200001320000911"))
	p.within(time.Second, "the covered area", shows(`[data-testid="zd-c-coverage"]`, "314 m²"))
	p.shot("community")

	p.click(`[data-testid="zd-c-edit"]`)
	p.waitVisible(`[data-testid="zd-cf-fac-camera"] input`)
	p.typeInto(`[data-testid="zd-cf-fac-camera"] input`, "0")
	p.click(`[data-testid="zd-cf-save"]`)
	p.within(time.Second, "the level after the edit", shows(`[data-testid="zd-c-level"]`, "基本达标"))
	p.within(time.Second, "the score after the edit", shows(`[data-testid="zd-c-score"]`, "75"))
	p.shot("community-edited")
	if txt := p.textOf(`[data-testid="zd-c-breakdown"]`); !strings.Contains(txt, "视频监控") {
		t.Errorf("breakdown after the edit: %s", txt)
	}
}

// postCSV posts a CSV file's text as the body (an import) and returns the
// status and the answer.
func (a *api) postCSV(path, text string) (int, string) {
	a.t.Helper()
	req, _ := http.NewRequest("POST", a.url+"/api/v1"+path, strings.NewReader(text))
	req.Header.Set("Content-Type", "text/csv")
	resp, err := a.c.Do(req)
	if err != nil {
		a.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
