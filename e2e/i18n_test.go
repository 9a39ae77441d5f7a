package e2e

import (
	"strings"
	"testing"
)

// switchLanguage picks a language in the top bar's (or login page's) switch.
func (p *page) switchLanguage(id string) {
	p.t.Helper()
	p.noDialog()
	p.click(`[data-testid="lang-switch"]`)
	p.click(`[data-testid="lang-` + id + `"]`)
	p.waitFor("the document language "+id, `document.documentElement.lang === '`+id+`'`)
	p.waitFor("the language menu to close", `Array.from(document.querySelectorAll('[data-testid^="lang-"]')).filter(el => el.tagName === 'LI').every(el => { const r = el.getBoundingClientRect(); return r.width === 0 || getComputedStyle(el.closest('.el-popper')).display === 'none' })`)
}

// assertNoChinese fails when a visible label still shows Chinese: every label
// must follow the language switch. Data (names of people and departments in
// tables, trees and fields marked as data) is left as it is.
func (p *page) assertNoChinese(where string) {
	p.t.Helper()
	var bad []string
	for _, s := range p.visibleLabels() {
		if cjk.MatchString(s) {
			bad = append(bad, s)
		}
	}
	if len(bad) > 0 {
		p.fatalf("%s: labels left in Chinese after switching to English: %q", where, bad)
	}
}

// The language switch changes every visible label, on every page, and stays
// chosen; switching back restores Chinese.
func TestLanguageSwitch(t *testing.T) {
	e := start(t)
	p := e.newPage(t, "sysadmin", 1366, 768)
	p.open("/login")
	p.waitText("用户登录")
	p.switchLanguage("en")
	p.waitText("Sign in", "Username", "Password")
	p.assertNoChinese("login page")
	p.shot("login-en")

	// The forced password change and every page the city's system admin has.
	p.login("sysadmin", e.password("sysadmin"))
	p.waitFor("the password change page", `location.pathname === '/change-password'`)
	p.waitText("Change password", "Current password")
	p.assertNoChinese("password change page")
	pw := newPassword("sysadmin")
	p.typeInto("#pwd-old", e.password("sysadmin"))
	p.typeInto("#pwd-new", pw)
	p.typeInto("#pwd-confirm", pw)
	p.click(`[data-testid="pwd-submit"]`)
	e.setPassword("sysadmin", pw)
	// Administrators set up one-time codes next (the default policy).
	p.waitFor("the enrolment page", `location.pathname === '/enroll-totp'`)
	p.waitText("One-time codes")
	p.assertNoChinese("enrolment page")
	p.afterPasswordChange("sysadmin")
	p.waitText("Welcome, ", "My permissions and data scope", "Sign out")
	p.waitFor("the chart", `!!document.querySelector('.chart svg text')`)
	p.assertNoChinese("dashboard")
	p.shot("dashboard-en")

	pages := []struct{ key, path, want string }{
		{"depts", "/system/depts", "New department"},
		{"users", "/system/users", "New user"},
		{"roles", "/system/roles", "Data scope"},
	}
	for _, pg := range pages {
		p.nav(pg.key, pg.path)
		p.waitText(pg.want)
		p.settle()
		p.assertNoChinese(pg.path)
	}
	p.shot("users-en")
	// Dialogs too.
	p.nav("users", "/system/users")
	p.click(`[data-testid="user-add"]`)
	p.waitVisible("#uf-username")
	p.waitText("Initial password", "Generate")
	p.assertNoChinese("new user dialog")
	p.press("\x1b")

	// The choice survives a reload.
	p.open("/system/depts")
	p.waitText("New department")
	p.assertNoChinese("departments after reload")

	// And back: Chinese labels return.
	p.switchLanguage("zh-CN")
	p.waitText("新增部门", "部门管理", "退出登录")
	if s := p.text(); strings.Contains(s, "New department") || strings.Contains(s, "Sign out") {
		p.fatalf("English left after switching back: %q", s)
	}

	// The audit log, as its administrator sees it, in English.
	a := e.newPage(t, "auditadmin", 1920, 1080)
	a.open("/login")
	a.switchLanguage("en")
	a.firstLogin("auditadmin")
	a.nav("audit", "/security/audit")
	a.waitText("Verify chain", "Live updates", "Export Excel")
	a.settle()
	a.assertNoChinese("audit log")
	a.waitTextIn(`[data-testid="audit-table"] .el-table__body`, "Sign in")
	a.waitTextIn(`[data-testid="audit-table"] .el-table__body`, "Success")
	if body := a.textOf(`[data-testid="audit-table"] .el-table__body`); strings.Contains(body, "登录") || strings.Contains(body, "成功") {
		a.fatalf("audit actions or results left in Chinese: %q", body)
	}
	a.click(`[data-testid="audit-verify"]`)
	a.waitTextIn(`[data-testid="audit-verify-result"]`, "The audit chain is intact")
	a.assertNoChinese("audit verification")
	a.shot("audit-verify-en")
}
