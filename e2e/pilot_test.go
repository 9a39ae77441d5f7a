package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// gridPoint is the patrol point of one of the caller's grids.
func (a *api) gridPoint() [2]float64 {
	a.t.Helper()
	var fc struct {
		Features []patrolGrid `json:"features"`
	}
	if code := a.call("GET", "/grids", nil, &fc); code != 200 || len(fc.Features) == 0 {
		a.t.Fatalf("GET /grids: %d %s", code, a.last)
	}
	return fc.Features[0].Properties.PatrolPoint
}

// A commander loads incident history from a page: a file with problems is
// refused whole with each named by line and field; the corrected file goes
// in and, sent again, is skipped; the auditor reads the upload with the
// department's name and labelled details; the commander's dashboard shows
// the sign-in before this one.
func TestIncidentHistoryUpload(t *testing.T) {
	e := start(t)
	cmd := e.apiLogin(t, "lixia.commander") // sets the password: this is the sign-in before the page's
	var me struct {
		Session struct {
			CreatedAt time.Time `json:"created_at"`
		} `json:"session"`
	}
	cmd.call("GET", "/me", nil, &me)
	mine := cmd.gridPoint()
	theirs := e.apiLogin(t, "shizhong.commander").gridPoint()

	dir := t.TempDir()
	const head = "category,lon,lat,received_at,dispatched_at,arrived_at,closed_at,outcome,address\n"
	good := fmt.Sprintf("dispute,%.6f,%.6f,2025-05-01 10:00,2025-05-01 10:01,2025-05-01 10:06,2025-05-01 11:00,mediated,历史路1号\n", mine[0], mine[1]) +
		fmt.Sprintf("criminal,%.6f,%.6f,2025-05-02 09:30,2025-05-02 09:31,2025-05-02 09:34,2025-05-02 12:00,criminal_case,历史路2号\n", mine[0]+0.0002, mine[1])
	bad := head + good +
		fmt.Sprintf("dispute,%.6f,%.6f,2025-05-03 10:00,,,,,\n", theirs[0], theirs[1]) + // line 4: another sub-bureau's grid
		fmt.Sprintf("dispute,%.6f,%.6f,yesterday,,,,,\n", mine[0], mine[1]) // line 5: received_at
	badPath, goodPath := filepath.Join(dir, "bad", "history-2025.csv"), filepath.Join(dir, "history-2025.csv")
	os.MkdirAll(filepath.Dir(badPath), 0o755)
	os.WriteFile(badPath, []byte(bad), 0o644)
	os.WriteFile(goodPath, []byte(head+good), 0o644)

	p := e.newPage(t, "lixia.commander", 1366, 768)
	p.login("lixia.commander", e.password("lixia.commander"))
	// 上次登录 is the API's sign-in above, not this one.
	sh := time.FixedZone("CST", 8*3600)
	p.waitTextIn(`[data-testid="dash-last-login"]`, me.Session.CreatedAt.In(sh).Format("2006-01-02 15:04:05"))
	p.waitTextIn(`[data-testid="dash-last-login"]`, "来自 127.0.0.1")
	p.shot("dashboard-last-login")

	p.nav("history", "/patrol/history")
	p.waitTextIn(`[data-testid="breadcrumb"]`, "历史警情导入")
	p.do(chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="history-file"]`), []string{badPath}))
	p.within(300*time.Millisecond, "the chosen file's name", `document.querySelector('#history-source').value === 'history-2025.csv'`)
	p.click(`[data-testid="history-submit"]`)
	p.within(3*time.Second, "the problems", visibleJS(`[data-testid="history-problems"]`))
	probs := p.textOf(`[data-testid="history-problems"]`)
	for _, want := range []string{"发现 2 处问题，未导入任何警情", "第 4 行：经度 (lon)", "outside your area", "第 5 行：接警时间 (received_at)"} {
		if !strings.Contains(probs, want) {
			p.fatalf("the problems do not say %q: %q", want, probs)
		}
	}
	p.shot("history-problems")
	var list struct {
		Total int `json:"total"`
	}
	if cmd.call("GET", "/incidents?status=closed", nil, &list); list.Total != 0 {
		p.fatalf("a refused file stored %d incidents", list.Total)
	}

	p.do(chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="history-file"]`), []string{goodPath}))
	p.click(`[data-testid="history-submit"]`)
	p.within(3*time.Second, "the import's result", visibleJS(`[data-testid="history-done"]`))
	p.waitTextIn(`[data-testid="history-done"]`, "已导入 2 条；此前已导入而跳过 0 条")
	p.shot("history-done")
	p.click(`[data-testid="history-submit"]`)
	p.waitTextIn(`[data-testid="history-done"]`, "已导入 0 条；此前已导入而跳过 2 条")
	if cmd.call("GET", "/incidents?status=closed", nil, &list); list.Total != 2 {
		p.fatalf("after the import and its repeat the commander has %d closed incidents, want 2", list.Total)
	}
	p.switchLanguage("en")
	p.waitText("Imported 0; 2 imported before and skipped")
	p.assertNoChinese("/patrol/history")
	p.shot("history-en")

	// The dispatcher has no incident:import: no menu item, no page.
	d := e.newPage(t, "lixia.dispatcher", 1366, 768)
	d.firstLogin("lixia.dispatcher")
	d.nav("incident", "/patrol/incidents")
	if n := eval[int](d, `document.querySelectorAll('[data-testid="nav-history"]').length`); n != 0 {
		d.fatalf("the dispatcher's menu offers the history import")
	}
	d.open("/patrol/history")
	d.waitFor("the page refused", `location.pathname === '/forbidden'`)

	// The auditor reads the upload: the department by name, the details as labelled fields.
	a := e.newPage(t, "auditadmin", 1366, 900)
	a.firstLogin("auditadmin")
	a.open("/security/audit")
	a.typeInto("#af-user", "lixia.commander")
	a.click(`[data-testid="audit-search"]`)
	a.settle()
	a.waitFor("the import row", `Array.from(document.querySelectorAll('[data-testid="audit-table"] .el-table__body tr')).some(tr => tr.innerText.includes('导入历史警情'))`)
	row := eval[string](a, `Array.from(document.querySelectorAll('[data-testid="audit-table"] .el-table__body tr')).find(tr => tr.innerText.includes('导入历史警情')).innerText`)
	if !strings.Contains(row, "历下") {
		a.fatalf("the audit row does not name the department: %q", row)
	}
	eval[bool](a, `(() => { const tr = Array.from(document.querySelectorAll('[data-testid="audit-table"] .el-table__body tr')).find(tr => tr.innerText.includes('导入历史警情')); tr.querySelector('.el-table__expand-icon').click(); return true })()`)
	a.waitVisible(`[data-testid="audit-detail-fields"]`)
	det := a.textOf(`[data-testid="audit-detail-fields"]`)
	for _, want := range []string{"来源", "history-2025.csv", "行数", "指定了接警时间", "是"} {
		if !strings.Contains(det, want) {
			a.fatalf("the detail does not show %q: %q", want, det)
		}
	}
	if strings.Contains(det, "received_at_set") || strings.Contains(det, "{") {
		a.fatalf("the detail shows raw keys or JSON: %q", det)
	}
	a.shot("audit-detail")
	a.switchLanguage("en")
	a.waitTextIn(`[data-testid="audit-detail-fields"]`, "Received time set")
	a.waitTextIn(`[data-testid="audit-table"]`, "Import past incidents")
	a.shot("audit-detail-en")
}

// The security administrator takes permissions from the commander role
// while a commander is signed in: the server's caller.changed makes the
// commander's menus follow at once, with no reload, and the page no longer
// allowed gives way; given back, the menu comes back.
func TestRightsChangeFollows(t *testing.T) {
	e := start(t)
	sec := e.apiLogin(t, "secadmin")
	e.apiLogin(t, "lixia.commander")
	full := []string{"dept:read", "incident:read", "incident:import", "unit:read", "unit:write", "grid:read", "grid:write", "finding:read", "case:read", "report:read"}
	less := []string{"dept:read", "incident:read", "unit:read", "unit:write", "grid:read", "grid:write", "finding:read", "case:read"}
	p := e.newPage(t, "lixia.commander", 1366, 768)
	p.login("lixia.commander", e.password("lixia.commander"))
	p.nav("patrolStats", "/patrol/stats")
	p.waitVisible(`[data-testid="nav-history"]`)
	eval[bool](p, `(window.__zdSamePage = true)`)
	time.Sleep(time.Second) // the page's event stream is open
	if code := sec.call("PATCH", "/roles/commander", map[string]any{"perms": less}, nil); code != 200 {
		t.Fatalf("edit commander: %d %s", code, sec.last)
	}
	p.within(3*time.Second, "the statistics and history menu items to go", `!document.querySelector('[data-testid="nav-patrolStats"]') && !document.querySelector('[data-testid="nav-history"]')`)
	p.within(time.Second, "the statistics page to give way", `location.pathname === '/forbidden'`)
	if !eval[bool](p, `window.__zdSamePage === true`) {
		p.fatalf("the page reloaded")
	}
	p.shot("rights-taken")
	if code := sec.call("PATCH", "/roles/commander", map[string]any{"perms": full}, nil); code != 200 {
		t.Fatalf("restore commander: %d %s", code, sec.last)
	}
	p.within(3*time.Second, "the menu items back", `!!document.querySelector('[data-testid="nav-patrolStats"]') && !!document.querySelector('[data-testid="nav-history"]')`)
	p.shot("rights-back")
}
