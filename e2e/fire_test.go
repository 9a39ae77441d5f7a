package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFireOpen311 (issue 15): a property company's Open311 client posts a
// corridor-parking report inside a 历下 station's grid; it appears on that
// station officer's map; the officer dissuades, orders a correction and
// records a penalty on the report's page; Open311 then shows the request
// closed with a public note and nothing internal. Another district's
// officer sees none of it, by list, id or map.
func TestFireOpen311(t *testing.T) {
	e := start(t)
	sys := e.apiLogin(t, "sysadmin")
	var src struct{ Key string }
	if code := sys.call("POST", "/sources", map[string]any{"name": "wuye-app", "kind": "open311"}, &src); code != 201 || src.Key == "" {
		t.Fatalf("open311 source: %d %s", code, sys.last)
	}
	officer, other := "lixia.officer01", "shizhong.officer01"
	off := e.apiLogin(t, officer)
	oth := e.apiLogin(t, other)
	var grids struct {
		Features []struct {
			Properties struct {
				PatrolPoint [2]float64 `json:"patrol_point"`
			}
		}
	}
	if code := off.call("GET", "/grids?limit=5", nil, &grids); code != 200 || len(grids.Features) == 0 {
		t.Fatalf("officer's grids: %d %s", code, off.last)
	}
	pt := grids.Features[0].Properties.PatrolPoint
	lat, long := strconv.FormatFloat(pt[1], 'f', 6, 64), strconv.FormatFloat(pt[0], 'f', 6, 64)

	// The client posts as Open311 clients do: a form, attributes, its key.
	res, err := http.PostForm(e.url+"/open311/v2/requests.json", url.Values{"api_key": {src.Key}, "service_code": {"corridor_parking"},
		"lat": {lat}, "long": {long}, "description": {"5号楼2单元楼道停放电动车6辆，堵住安全出口"},
		"attribute[reporter_kind]": {"property"}, "attribute[place_kind]": {"residential"}, "attribute[blocking][]": {"exit", "stairs"},
		"first_name": {"建国"}, "last_name": {"王"}, "phone": {"13905310001"}, "email": {"wang@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var created []struct {
		ID string `json:"service_request_id"`
	}
	if res.StatusCode != 200 || json.Unmarshal(body, &created) != nil || len(created) != 1 {
		t.Fatalf("Open311 post: %d %s", res.StatusCode, body)
	}
	id := created[0].ID
	// A wrong key is refused with the spec's error list.
	res, _ = http.PostForm(e.url+"/open311/v2/requests.xml", url.Values{"api_key": {"zs_wrong"}, "service_code": {"corridor_parking"}, "lat": {lat}, "long": {long}})
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 403 || !strings.Contains(string(body), "<errors>") || !strings.Contains(string(body), "<code>403</code>") {
		t.Fatalf("wrong key: %d %s", res.StatusCode, body)
	}

	// The other district's officer sees none of it.
	var list struct{ Total int }
	if code := oth.call("GET", "/fire/reports", nil, &list); code != 200 || list.Total != 0 {
		t.Fatalf("%s lists %d reports (%d)", other, list.Total, code)
	}
	if code := oth.call("GET", "/fire/reports/"+id, nil, nil); code != 404 {
		t.Fatalf("%s reads report %s: %d", other, id, code)
	}

	p := e.newPage(t, "officer", 1366, 768)
	p.login(officer, e.password(officer))
	p.open("/fire/reports")
	p.waitVisible(fmt.Sprintf(`[data-testid="fire-open-%s"]`, id))
	p.clickText(".el-tabs__item", "地图")
	p.waitVisible(".zd-fire-report")
	p.shot("fire-map")
	// The report opens from the list (see docs/fire.md, "Not done": a
	// CDP mouse click on a map marker does not reach it in headless
	// Chromium, though a DOM click does).
	p.clickText(".el-tabs__item", "列表")
	p.click(fmt.Sprintf(`[data-testid="fire-open-%s"]`, id))
	p.waitFor("the report's page", fmt.Sprintf(`location.pathname === "/fire/reports/%s"`, id))
	p.waitTextIn(`[data-testid="fire-page-status"]`, "核查中")
	p.waitTextIn(`[data-testid="fire-page-phone"]`, "139****0001")

	step := func(action, note string, extra func()) {
		t.Helper()
		p.click(fmt.Sprintf(`[data-testid="fire-act-%s"]`, action))
		p.typeInto(`textarea[data-testid="fire-note"], [data-testid="fire-note"] textarea`, note)
		if extra != nil {
			extra()
		}
		p.click(`[data-testid="fire-submit"]`)
		p.waitVisible(fmt.Sprintf(`[data-testid="fire-step-%s"]`, action))
	}
	step("dissuade", "现场劝离，物业承诺当日清理", nil)
	p.waitTextIn(`[data-testid="fire-page-status"]`, "已劝离")
	step("order", "复查仍有停放，下达责令改正通知", nil)
	p.waitTextIn(`[data-testid="fire-page-status"]`, "责令改正中")
	step("penalize", "逾期拒不改正，依法处罚", func() {
		p.typeInto(field("fire-decision"), "济公消行罚决字〔2026〕0001号")
		p.typeInto(field("fire-amount"), "500")
	})
	p.waitTextIn(`[data-testid="fire-page-status"]`, "已处罚")
	p.waitTextIn(`[data-testid="fire-page-public"]`, "closed")
	p.waitTextIn(`[data-testid="fire-steps"]`, "500.00")
	p.shot("fire-report-penalized")

	// Open311 shows it closed, with the public note and nothing internal.
	checkFor(t, 10*time.Second, "Open311 to show the request closed", func() bool {
		res, err := http.Get(e.url + "/open311/v2/requests/" + id + ".json")
		if err != nil {
			return false
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		var got []map[string]any
		if json.Unmarshal(b, &got) != nil || len(got) != 1 {
			return false
		}
		for _, secret := range []string{"济公消", "amount", "fire_law", "13905310001", "wang@", "建国", "拒不改正，依法处罚"} {
			if strings.Contains(string(b), secret) {
				t.Fatalf("Open311 shows %q: %s", secret, b)
			}
		}
		note, _ := got[0]["status_notes"].(string)
		return got[0]["status"] == "closed" && strings.Contains(note, "依法") && got[0]["lat"] != nil
	})

	// Still nothing for the other district, in the browser either.
	q := e.newPage(t, "other", 1366, 768)
	q.login(other, e.password(other))
	q.open("/fire/reports")
	q.waitVisible(`[data-testid="fire-table"]`)
	q.settle()
	if q.visibleCount(fmt.Sprintf(`[data-testid="fire-open-%s"]`, id)) != 0 {
		q.fatalf("%s's list shows report %s", other, id)
	}
	q.clickText(".el-tabs__item", "地图")
	q.waitVisible(`[data-testid="fire-map"]`)
	q.settle()
	if n := q.visibleCount(".zd-fire-report"); n != 0 {
		q.fatalf("%s's map shows %d reports", other, n)
	}
	q.shot("fire-other-station")
	// The sub-bureau commander's statistics count the penalty, in yuan.
	cmd := "lixia.commander"
	e.apiLogin(t, cmd)
	c := e.newPage(t, "commander", 1366, 768)
	c.login(cmd, e.password(cmd))
	c.open("/fire/stats")
	c.waitTextIn(`[data-testid="fire-card-penalty_fen"]`, "500.00")
	c.waitTextIn(`[data-testid="fire-card-reports"]`, "1")
	c.shot("fire-stats")
}

func (p *page) visibleCount(sel string) int {
	return eval[int](p, fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).filter(el => el.getBoundingClientRect().width > 0).length`, sel))
}
