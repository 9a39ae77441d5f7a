package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// The administration story across the three administrators (三员分立):
// a sub-bureau's system admin creates a station officer and cannot see or
// edit another sub-bureau's users; the security admin grants the officer a
// role; the audit admin finds all of it in the audit log; the officer signs in.
func TestAdministrationStory(t *testing.T) {
	e := start(t)
	const newUser = "lixia.zhaoxin"
	const newName = "赵新"
	station := "ST370102-01"
	var initialPassword string

	// The id of another sub-bureau's officer, for the deep-link attempt; the
	// city-level system admin can see everyone.
	root := e.apiLogin(t, "sysadmin")
	foreignID := root.userID("shizhong.officer01")

	t.Run("sub-bureau sysadmin creates a station officer", func(t *testing.T) {
		p := e.newPage(t, "lixia.sysadmin", 1366, 768)
		p.firstLogin("lixia.sysadmin")
		nav := p.textOf(`[data-testid="side-nav"]`)
		for _, want := range []string{"系统管理", "部门管理", "用户管理", "角色权限"} {
			if !strings.Contains(nav, want) {
				p.fatalf("navigation lacks %q: %q", want, nav)
			}
		}
		if strings.Contains(nav, "审计日志") {
			p.fatalf("a system admin sees the audit log in the navigation: %q", nav)
		}
		p.nav("users", "/system/users")
		p.waitTextIn(`[data-testid="breadcrumb"]`, "用户管理")
		p.waitTextIn(`[data-testid="user-dept-tree"]`, "历下分局")
		p.waitTextIn(`[data-testid="user-table"]`, "lixia.officer01")

		// Nothing of 市中分局 is visible: not in the tree, not in the list, not by search.
		if tree := p.textOf(`[data-testid="user-dept-tree"]`); strings.Contains(tree, "市中分局") {
			p.fatalf("the department tree shows another sub-bureau: %q", tree)
		}
		if tbl := p.textOf(`[data-testid="user-table"]`); strings.Contains(tbl, "shizhong.") {
			p.fatalf("the user list shows another sub-bureau's users: %q", tbl)
		}
		p.typeInto("#uq", "shizhong")
		p.click(`[data-testid="user-search"]`)
		p.waitTextIn(`[data-testid="user-table"]`, "暂无数据")
		p.shot("search-other-subbureau")

		// A deep link to another sub-bureau's officer shows nothing of them …
		p.open(fmt.Sprintf("/system/users/%d", foreignID))
		p.waitTextIn(`[data-testid="user-not-found"]`, "不在您的管理范围内")
		if s := p.text(); strings.Contains(s, "shizhong.officer01") {
			p.fatalf("the page shows the foreign user: %q", s)
		}
		// … and an edit sent from this session is refused the same way.
		status := eval[string](p, fmt.Sprintf(`fetch('/api/v1/users/%d', {method: 'PATCH', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({name: 'x'})}).then(r => r.json().then(b => r.status + ' ' + (b.error && b.error.code)))`, foreignID))
		if !strings.HasPrefix(status, "404 ENOTFOUND") {
			p.fatalf("editing another sub-bureau's user answered %q, want 404 ENOTFOUND", status)
		}

		// Create the officer in the first station.
		p.nav("users", "/system/users")
		p.click(fmt.Sprintf(`[data-testid="user-dept-tree"] [data-code=%q]`, station))
		p.click(`[data-testid="user-add"]`)
		p.waitVisible("#uf-username")
		p.typeInto("#uf-username", newUser)
		p.typeInto("#uf-name", newName)
		p.typeInto("#uf-phone", "13912345678")
		p.typeInto("#uf-idnum", idNumber("37010219900101123"))
		if v := eval[string](p, `document.querySelector('#uf-password').value`); len(v) < 12 {
			p.fatalf("no generated initial password: %q", v)
		}
		p.shot("create-user-dialog")
		p.click(`[data-testid="uf-save"]`)
		p.waitTextIn(`[data-testid="user-created"]`, newUser)
		initialPassword = eval[string](p, `document.querySelector('[data-testid="user-created"] tr:nth-child(2) td:last-child, [data-testid="user-created"] .el-descriptions__body tr:nth-child(2) .el-descriptions__content').innerText.trim()`)
		p.shot("user-created")
		p.press("\x1b") // Escape closes the dialog
		p.noDialog()

		// The list shows the officer with masked personal data and no role yet;
		// a system admin has no pii:view, so there is no "show" action.
		p.typeInto("#uq", newUser)
		p.click(`[data-testid="user-search"]`)
		p.waitTextIn(`[data-testid="user-table"]`, newName)
		row := p.textOf(`[data-testid="user-table"] .el-table__body`)
		if !strings.Contains(row, "139****5678") {
			p.fatalf("the phone is not shown masked: %q", row)
		}
		if strings.Contains(row, "13912345678") {
			p.fatalf("the phone is shown in clear: %q", row)
		}
		if eval[bool](p, `!!document.querySelector('[data-testid="user-table"] [data-testid="pii-show"]')`) {
			p.fatalf("a system admin is offered to show personal data")
		}
		if eval[bool](p, `!!document.querySelector('[data-testid="user-grant-`+newUser+`"]')`) {
			p.fatalf("a system admin is offered to grant roles")
		}
		p.shot("user-list")
	})
	if initialPassword == "" {
		t.Fatal("no initial password from the creation dialog")
	}

	t.Run("security admin grants the officer a role", func(t *testing.T) {
		p := e.newPage(t, "secadmin", 1366, 768)
		p.firstLogin("secadmin")
		p.nav("users", "/system/users")
		p.typeInto("#uq", newUser)
		p.click(`[data-testid="user-search"]`)
		p.waitTextIn(`[data-testid="user-table"]`, newName)
		if eval[bool](p, `!!document.querySelector('[data-testid="user-add"]')`) {
			p.fatalf("the security admin is offered to create users")
		}
		p.click(fmt.Sprintf(`[data-testid="user-grant-%s"]`, newUser))
		p.waitVisible(`[data-testid="grant-role-officer"]`)
		p.waitText("三员分立")
		p.click(`[data-testid="grant-role-officer"]`)
		p.shot("grant-dialog")
		p.click(`[data-testid="grant-save"]`)
		p.waitFor("the officer role in the list", `(() => { const b = document.querySelector('[data-testid="user-table"] .el-table__body'); return !!b && b.innerText.includes('民警') })()`)
		p.shot("granted")

		// A business role that may read users and their personal data, for
		// the sub-bureau's commander: admin-only permissions are not offered.
		p.nav("roles", "/system/roles")
		p.waitTextIn(`[data-testid="role-table"]`, "安全审计员")
		p.waitTextIn(`[data-testid="role-table"]`, "本部门及下级")
		p.click(`[data-testid="role-add"]`)
		p.typeInto("#role-id", "pii_checker")
		p.typeInto("#role-name", "信息核查员")
		p.click(`[data-testid="scope-subtree"]`)
		p.click(`[data-testid="perm-user-read"]`)
		p.click(`[data-testid="perm-pii-view"]`)
		if !eval[bool](p, `document.querySelector('[data-testid="perm-user-write"]').classList.contains('is-disabled')`) {
			p.fatalf("an administrator-only permission is offered to a business role")
		}
		p.shot("new-role")
		p.click(`[data-testid="role-form-save"]`)
		p.noDialog()
		p.waitTextIn(`[data-testid="role-table"]`, "pii_checker")
		p.shot("roles")

		p.nav("users", "/system/users")
		p.typeInto("#uq", "lixia.commander")
		p.click(`[data-testid="user-search"]`)
		p.waitTextIn(`[data-testid="user-table"]`, "lixia.commander")
		p.click(`[data-testid="user-grant-lixia.commander"]`)
		p.waitVisible(`[data-testid="grant-role-pii_checker"]`)
		p.click(`[data-testid="grant-role-pii_checker"]`)
		p.click(`[data-testid="grant-save"]`)
		p.waitFor("the new role in the list", `(() => { const b = document.querySelector('[data-testid="user-table"] .el-table__body'); return !!b && b.innerText.includes('信息核查员') })()`)
	})

	t.Run("personal data is shown only with a reason", func(t *testing.T) {
		p := e.newPage(t, "lixia.commander", 1366, 768)
		p.firstLogin("lixia.commander")
		p.nav("users", "/system/users")
		p.typeInto("#uq", newUser)
		p.click(`[data-testid="user-search"]`)
		p.waitTextIn(`[data-testid="user-table"]`, "139****5678")
		if eval[bool](p, `!!document.querySelector('[data-testid="user-add"]')`) {
			p.fatalf("a commander is offered to create users")
		}
		p.click(`[data-testid="user-table"] [data-testid="pii-show"]`)
		p.waitVisible("#pii-reason")
		p.waitText("查询事由")
		p.typeInto("#pii-reason", "看")
		p.click(`[data-testid="pii-submit"]`)
		p.waitText("查询事由须为 4–200 个字")
		if eval[bool](p, `!!document.querySelector('[data-testid="pii-result"]')`) {
			p.fatalf("personal data shown without a proper reason")
		}
		p.typeInto("#pii-reason", "核实身份，办理账号开通业务")
		p.click(`[data-testid="pii-submit"]`)
		p.waitTextIn(`[data-testid="pii-result"]`, "13912345678")
		p.waitTextIn(`[data-testid="pii-result"]`, idNumber("37010219900101123"))
		p.waitText("已记入审计日志")
		p.shot("pii-revealed")
		p.press("\x1b")
		p.noDialog()
		if s := p.text(); strings.Contains(s, "13912345678") {
			p.fatalf("the clear phone number stays on the page after closing: %q", s)
		}
	})

	t.Run("audit admin sees these actions", func(t *testing.T) {
		p := e.newPage(t, "auditadmin", 1920, 1080)
		p.firstLogin("auditadmin")
		nav := p.textOf(`[data-testid="side-nav"]`)
		if !strings.Contains(nav, "审计日志") || strings.Contains(nav, "用户管理") {
			p.fatalf("the audit admin's navigation: %q", nav)
		}
		p.nav("audit", "/security/audit")
		p.waitTextIn(`[data-testid="audit-table"]`, "auditadmin")

		// Everything that happened to the new officer.
		p.typeInto("#af-oid", newUser)
		p.click(`[data-testid="audit-search"]`)
		p.waitTextIn(`[data-testid="audit-table"]`, "创建用户")
		p.waitTextIn(`[data-testid="audit-table"]`, "分配角色")
		body := p.textOf(`[data-testid="audit-table"] .el-table__body`)
		p.waitTextIn(`[data-testid="audit-table"]`, "查看个人信息")
		for _, want := range []string{"lixia.sysadmin", "secadmin", "lixia.commander", "user.create", "user.roles", "pii.view", "SB370102", "成功"} {
			if !strings.Contains(body, want) {
				p.fatalf("the audit rows for %s lack %q:\n%s", newUser, want, body)
			}
		}
		p.shot("audit-new-officer")

		// The sub-bureau admin's own sign-in and password change are there too.
		p.typeInto("#af-oid", "lixia.sysadmin")
		p.click(`[data-testid="audit-search"]`)
		p.waitTextIn(`[data-testid="audit-table"]`, "修改密码")
		p.waitTextIn(`[data-testid="audit-table"]`, "登录")

		// The chain verifies, as `zhudun audit verify` would.
		p.click(`[data-testid="audit-verify"]`)
		p.waitTextIn(`[data-testid="audit-verify-result"]`, "审计链完整")
		p.shot("audit-verify")
		p.press("\x1b")

		// Live: a failed sign-in elsewhere appears without reloading.
		p.noDialog()
		p.click(`[data-testid="audit-reset"]`)
		p.waitFor("the filters to clear", `document.querySelector('#af-oid').value === ''`)
		p.waitFor("the live stream", `!!document.querySelector('.live-state.open')`)
		before := eval[int](p, `document.querySelectorAll('[data-testid="audit-table"] .el-table__body tr.el-table__row').length`)
		_ = before
		bad := e.apiClient(t)
		bad.call("POST", "/auth/login", map[string]string{"username": "tianqiao.officer01", "password": "Wrong-password-1"}, nil)
		p.waitTextIn(`[data-testid="audit-table"] .el-table__body`, "tianqiao.officer01")
		p.waitTextIn(`[data-testid="audit-table"] .el-table__body`, "失败")
		p.shot("audit-live")
	})

	t.Run("the officer signs in with the initial password", func(t *testing.T) {
		e.setPassword(newUser, initialPassword)
		p := e.newPage(t, newUser, 1366, 768)
		p.firstLogin(newUser)
		p.waitTextIn(`[data-testid="top-dept"]`, "")
		p.waitText("民警", newName)
		nav := p.textOf(`[data-testid="side-nav"]`)
		if !strings.Contains(nav, "警情调度") || strings.Contains(nav, "用户管理") {
			p.fatalf("the officer's navigation: %q", nav)
		}
	})
}
