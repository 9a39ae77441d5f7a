package e2e

import (
	"strings"
	"testing"
)

// A wrong password says so and what happens after five; the right one gets in.
func TestLoginWrongPasswordThenRight(t *testing.T) {
	e := start(t)
	p := e.newPage(t, "dispatcher", 1366, 768)
	p.open("/")
	p.waitFor("the redirect to the login page", `location.pathname === '/login'`)
	p.waitText("用户登录", "用户名", "密码", "登 录")
	p.shot("login-page")

	// Keyboard only: the username field has focus, Tab moves on, Enter submits.
	p.waitFor("focus in the username field", `document.activeElement && document.activeElement.id === 'login-username'`)
	p.press("lixia.dispatcher")
	p.press("\t")
	p.waitFor("focus in the password field", `document.activeElement && document.activeElement.id === 'login-password'`)
	p.press("not-the-password")
	p.press("\r")
	p.waitTextIn(`[data-testid="login-error"]`, "用户名或密码错误")
	p.waitTextIn(`[data-testid="login-error"]`, "锁定 15 分钟")
	if p.path() != "/login" {
		p.fatalf("a wrong password left the login page for %s", p.path())
	}
	if v := eval[string](p, `document.querySelector('#login-password').value`); v != "" {
		p.fatalf("the wrong password stays in the field: %q", v)
	}
	p.shot("wrong-password")

	// An empty form is refused by the page itself, with labels that say why.
	p.typeInto("#login-password", e.password("lixia.dispatcher"))
	p.click(`[data-testid="login-submit"]`)
	p.waitFor("the forced password change", `location.pathname === '/change-password'`)
	p.waitText("修改密码", "首次登录")
}

// Five wrong passwords lock the account; the page says it is locked, for how
// long, and who can unlock it — also when the right password comes next.
func TestLockoutMessage(t *testing.T) {
	e := start(t)
	p := e.newPage(t, "officer08", 1366, 768)
	p.open("/login")
	p.typeInto("#login-username", "lixia.officer08")
	locked := false
	for i := 0; i < 8 && !locked; i++ {
		p.typeInto("#login-password", "Wrong-password-1")
		p.click(`[data-testid="login-submit"]`)
		p.waitVisible(`[data-testid="login-error"]`)
		p.waitFor("the submit button to settle", `!document.querySelector('[data-testid="login-submit"]').classList.contains('is-loading')`)
		msg := p.textOf(`[data-testid="login-error"]`)
		switch {
		case strings.Contains(msg, "账号已锁定"):
			locked = true
			if i < 4 {
				p.fatalf("locked after %d wrong passwords; the policy says 5", i+1)
			}
		case strings.Contains(msg, "用户名或密码错误"):
		default:
			p.fatalf("attempt %d: unexpected message %q", i+1, msg)
		}
	}
	if !locked {
		p.fatalf("no lockout message after 8 wrong passwords")
	}
	p.waitTextIn(`[data-testid="login-error"]`, "分钟后再试")
	p.waitTextIn(`[data-testid="login-error"]`, "系统管理员解锁")
	p.shot("locked")

	// The right password does not get past the lock.
	p.typeInto("#login-password", e.password("lixia.officer08"))
	p.click(`[data-testid="login-submit"]`)
	p.waitFor("the submit button to settle", `!document.querySelector('[data-testid="login-submit"]').classList.contains('is-loading')`)
	p.waitTextIn(`[data-testid="login-error"]`, "账号已锁定")
	if p.path() != "/login" {
		p.fatalf("a locked account got in: %s", p.path())
	}
}

// First login: the password must be changed before anything else; the page
// checks the new password, then the dashboard shows who and where the user is,
// the navigation offers only what the roles allow, and sign-out works.
func TestFirstLoginPasswordChange(t *testing.T) {
	e := start(t)
	p := e.newPage(t, "dispatcher", 1366, 768)
	user := "lixia.dispatcher"
	initial := e.password(user)
	p.login(user, initial)
	p.waitFor("the password change page", `location.pathname === '/change-password'`)
	p.waitText("修改密码", "首次登录、密码已被管理员重置或密码已超过最长使用期")

	// Other pages are not reachable yet.
	p.open("/system/users")
	p.waitFor("being sent back to the password change", `location.pathname === '/change-password'`)

	// Mismatched confirmation and a weak password are refused on the page.
	p.typeInto("#pwd-old", initial)
	p.typeInto("#pwd-new", "short")
	p.typeInto("#pwd-confirm", "other")
	p.click(`[data-testid="pwd-submit"]`)
	p.waitText("密码至少 8 位", "两次输入的新密码不一致")
	// A wrong current password is reported beside the field.
	pw := newPassword(user)
	p.typeInto("#pwd-old", "Not-my-password-9")
	p.typeInto("#pwd-new", pw)
	p.typeInto("#pwd-confirm", pw)
	p.click(`[data-testid="pwd-submit"]`)
	p.waitText("当前密码不正确")
	p.shot("password-change")

	p.typeInto("#pwd-old", initial)
	p.click(`[data-testid="pwd-submit"]`)
	p.waitFor("the dashboard", `location.pathname === '/' && !!document.querySelector('[data-testid="dash-welcome"]')`)
	e.setPassword(user, pw)
	p.waitTextIn(`[data-testid="dash-welcome"]`, "您好")
	p.waitTextIn(`[data-testid="top-dept"]`, "历下分局")
	p.waitTextIn(`[data-testid="dash-scope"]`, "本部门及下级")
	nav := p.textOf(`[data-testid="side-nav"]`)
	// dept:read shows the department tree (read-only); nothing else of the administration.
	for _, want := range []string{"工作台", "警情调度", "网格", "部门管理"} {
		if !strings.Contains(nav, want) {
			p.fatalf("navigation lacks %q: %q", want, nav)
		}
	}
	for _, not := range []string{"用户管理", "角色权限", "审计日志", "案件", "四断研判"} {
		if strings.Contains(nav, not) {
			p.fatalf("a dispatcher's navigation shows %q: %q", not, nav)
		}
	}
	p.shot("dashboard")

	// The keyboard gets to the incident board: Tab reaches the navigation,
	// Enter opens the page.
	tabs := 0
	for ; tabs < 25 && !eval[bool](p, `document.activeElement && document.activeElement.getAttribute('data-testid') === 'nav-incident'`); tabs++ {
		p.press("\t")
	}
	if tabs == 25 {
		p.fatalf("Tab never reached the navigation's incident link")
	}
	p.press("\r")
	p.waitFor("the incident page", `location.pathname === '/patrol/incidents'`)
	p.waitTextIn(`[data-testid="incident-board"]`, "接报警情")
	p.waitTextIn(`[data-testid="breadcrumb"]`, "警情调度")

	// A page the roles do not allow is refused by the page, not just hidden.
	p.open("/security/audit")
	p.waitTextIn(`[data-testid="forbidden"]`, "无权访问")

	p.click(`[data-testid="logout"]`)
	p.waitFor("the login page", `location.pathname === '/login'`)
	p.waitTextIn(`[data-testid="login-notice"]`, "您已安全退出")
	p.open("/")
	p.waitFor("the login page after sign-out", `location.pathname === '/login'`)

	// The new password works and goes straight to the dashboard.
	p.login(user, pw)
	p.waitFor("the dashboard", `location.pathname === '/'`)
	p.waitTextIn(`[data-testid="dash-welcome"]`, "您好")
}
