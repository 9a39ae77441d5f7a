// Package e2e drives the real UI in headless Chromium against the real
// server, booted in-process through cli.Main on 127.0.0.1:0 with the demo
// city. Tests assert on what the pages show. Each test saves a screenshot
// when it fails, and a few on success, into $ZHUDUN_E2E_ARTIFACTS (default:
// a zhudun-e2e folder in the system temp directory).
package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun/internal/syncbuf"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/zhudun/zhudun/cli"
	"github.com/zhudun/zhudun/totp"
)

// chromiumPath finds Debian's Chromium; tests skip without it unless CI asks
// for it (ZHUDUN_E2E_REQUIRE=1), where a missing browser is a failure.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("ZHUDUN_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("ZHUDUN_E2E_REQUIRE") != "" {
		t.Fatal("chromium not found: apt-get install -y chromium fonts-noto-cjk")
	}
	t.Skip("chromium not found; install Debian's chromium to run the browser tests")
	return ""
}

func artifactsDir(t *testing.T) string {
	dir := os.Getenv("ZHUDUN_E2E_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "zhudun-e2e")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// env is one server with the demo city and one Chromium.
type env struct {
	t       *testing.T
	url     string
	data    string          // the server's data directory (installer commands run on it)
	db      string          // the server's --db (PostgreSQL), "" for SQLite in data
	browser context.Context // first tab: owns the browser process

	active *page // the tab in front: only it gets animation frames

	mu        sync.Mutex
	passwords map[string]string // current password of each demo account
	roles     map[string]string // demo account → roles, as printed
	authn     map[string]*authenticator
}

// authenticator is the authenticator app of one demo account: the default
// policy asks the three administrators for a second factor, enrolled at
// their first sign-in.
type authenticator struct {
	secret string
	last   int64 // the last step used: each code is good once
}

// enrolled records an account's authenticator.
func (e *env) enrolled(user, secret string, step int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.authn[user] = &authenticator{secret: secret, last: step}
}

// nextCode is the code a person would type: the app's current one, or the
// next if the current was used already (waiting for it, as a person would).
func (e *env) nextCode(user string) (string, bool) {
	e.mu.Lock()
	a, ok := e.authn[user]
	e.mu.Unlock()
	if !ok {
		return "", false
	}
	step := max(a.last+1, totp.Counter(time.Now()))
	for step > totp.Counter(time.Now())+1 {
		time.Sleep(500 * time.Millisecond)
	}
	code, err := totp.Code(a.secret, step)
	if err != nil {
		e.t.Fatalf("code for %s: %v", user, err)
	}
	e.mu.Lock()
	a.last = step
	e.mu.Unlock()
	return code, true
}

// checkFor polls cond until it is true or the deadline passes.
func checkFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// start boots `zhudun serve --demo` in-process and a headless Chromium.
func start(t *testing.T, extra ...string) *env {
	t.Helper()
	chromium := chromiumPath(t)
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &syncbuf.Buffer{}, &syncbuf.Buffer{}
	done := make(chan int, 1)
	data := t.TempDir()
	go func() {
		// The patrol simulator is off unless a test asks for it: tests place
		// units where their expectations need them.
		args := append([]string{"serve", "--demo", "--demo-patrol=false", "--addr", "127.0.0.1:0", "--data", data, "--log-level", "warn"}, extra...)
		done <- cli.Main(ctx, args, strings.NewReader(""), out, errOut)
	}()
	// The server's warnings and errors, shown when the test fails: a
	// stalled engine or a refused write says so there.
	t.Cleanup(func() {
		if t.Failed() {
			lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
			t.Logf("the server's last log lines:\n%s", strings.Join(lines[max(0, len(lines)-40):], "\n"))
		}
	})
	e := &env{t: t, data: data, passwords: map[string]string{}, roles: map[string]string{}, authn: map[string]*authenticator{}}
	for i, x := range extra {
		if x == "--db" && i+1 < len(extra) {
			e.db = extra[i+1]
		}
	}
	checkFor(t, 60*time.Second, "the server to listen", func() bool {
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, out.String())
		default:
		}
		return strings.Contains(out.String(), "listening on ")
	})
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
			e.url = strings.TrimSpace(u)
		}
	}
	// The demo's initial passwords are in a 0600 file in the data
	// directory, one "username password roles dept" per line.
	pw, err := os.ReadFile(filepath.Join(data, cli.DemoPasswordsFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(pw), "\n") {
		if f := strings.Fields(l); len(f) >= 4 && !strings.HasPrefix(l, "#") {
			e.passwords[f[0]], e.roles[f[0]] = f[1], f[2]
		}
	}
	if e.url == "" || len(e.passwords) == 0 {
		t.Fatalf("no address or demo accounts in the server's output:\n%s", out.String())
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("server did not stop")
		}
	})

	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root in CI
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// Several people's tabs are open at once; none may be throttled as a
		// background tab (Vue transitions wait for animation frames).
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.WindowSize(1366, 768),
	)
	browser, browserCancel := chromedp.NewContext(allocCtx)
	if err := chromedp.Do(browser, chromedp.Navigate("about:blank")); err != nil {
		allocCancel()
		t.Fatalf("starting chromium: %v", err)
	}
	e.browser = browser
	t.Cleanup(func() { browserCancel(); allocCancel() })
	return e
}

func (e *env) password(user string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.passwords[user]
	if !ok {
		e.t.Fatalf("no demo account %q", user)
	}
	return p
}

func (e *env) setPassword(user, pw string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.passwords[user] = pw
}

// newPassword makes a policy-conforming password that differs per user and
// does not contain the username (the server refuses that).
func newPassword(user string) string {
	return fmt.Sprintf("Zd!%08x-Pw", crc32.ChecksumIEEE([]byte(user)))
}

// page is one signed-in person: an isolated browser context (own cookies and
// storage) with one tab.
type page struct {
	t    *testing.T
	e    *env
	ctx  context.Context
	name string

	logMu sync.Mutex
	logs  []string // console errors and warnings, uncaught exceptions
}

// newPage opens an isolated tab with the given viewport.
func (e *env) newPage(t *testing.T, name string, w, h int64) *page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(e.browser, chromedp.WithNewBrowserContext())
	p := &page{t: t, e: e, ctx: ctx, name: name}
	// The browser runs in another zone than the bureau's: the pages must
	// still show Beijing time.
	tz := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Europe/London"})
		return err
	})
	focus := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, h), tz, focus); err != nil {
		t.Fatalf("new tab: %v", err)
	}
	if err := chromedp.Listen(ctx, p.record); err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			p.shot("FAILED")
		}
		p.dumpLogs() // shown with -v or on failure
		p.logMu.Lock()
		for _, l := range p.logs {
			if strings.HasPrefix(l, "exception:") {
				t.Errorf("%s: uncaught exception in the page: %s", p.name, l)
			}
		}
		p.logMu.Unlock()
		cancel()
	})
	return p
}

// record keeps what the page's console complained about (runs in the
// browser's read loop: no commands, return fast).
func (p *page) record(ev any) {
	var line string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeWarning {
			return
		}
		parts := []string{"console." + string(ev.Type) + ":"}
		for _, a := range ev.Args {
			if a.Description != "" {
				parts = append(parts, a.Description)
			} else {
				parts = append(parts, string(a.Value))
			}
		}
		line = strings.Join(parts, " ")
	case *runtime.EventExceptionThrown:
		line = "exception: " + (&chromedp.ExceptionError{ExceptionDetails: ev.ExceptionDetails}).Error()
	default:
		return
	}
	p.logMu.Lock()
	p.logs = append(p.logs, line)
	p.logMu.Unlock()
}

func (p *page) dumpLogs() {
	p.logMu.Lock()
	defer p.logMu.Unlock()
	for _, l := range p.logs {
		p.t.Logf("%s browser: %s", p.name, l)
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// shot saves a PNG of the viewport and logs where.
func (p *page) shot(label string) string {
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	// Let opening dialogs and messages finish their animation (at most 1.5 s).
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[bool](`new Promise(res => {
		const end = Date.now() + 1500
		const tick = () => {
			const busy = document.getAnimations().some(a => a.playState === 'running' && a.effect && a.effect.getComputedTiming().iterations !== Infinity)
			if (!busy || Date.now() > end) return res(true)
			setTimeout(tick, 50)
		}
		tick()
	})`, chromedp.EvalAwaitPromise))
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Logf("screenshot %s: %v", label, err)
		return ""
	}
	name := unsafeName.ReplaceAllString(p.t.Name()+"-"+p.name+"-"+label, "_") + ".png"
	path := filepath.Join(artifactsDir(p.t), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Logf("screenshot %s: %v", label, err)
		return ""
	}
	p.t.Logf("screenshot: %s", path)
	return path
}

// fatalf saves a screenshot and stops the test.
func (p *page) fatalf(format string, args ...any) {
	p.t.Helper()
	msg := fmt.Sprintf(format, args...)
	p.shot("FAILED")
	p.dumpLogs()
	p.t.Fatalf("%s: %s\n--- page text ---\n%s", p.name, msg, p.text())
}

// front brings this person's tab to the front when another one was: a
// background tab gets no animation frames, so its transitions never end.
func (p *page) front() {
	if p.e.active == p {
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdppage.BringToFront, cdp.Empty{})
		return err
	}))
	if err != nil {
		p.t.Fatalf("%s: bring to front: %v", p.name, err)
	}
	p.e.active = p
}

// do runs actions with a deadline.
func (p *page) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	p.front()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.fatalf("browser action: %v", err)
	}
}

// eval runs JavaScript in the page and decodes its (JSON) result.
func eval[T any](p *page, js string) T {
	p.t.Helper()
	p.front()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		p.fatalf("evaluate %q: %v", js, err)
	}
	return v
}

// text is what the page shows (document.body.innerText).
func (p *page) text() string {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`))
	return s
}

// textOf is the innerText of the first element matching a CSS selector, or "".
func (p *page) textOf(sel string) string {
	return eval[string](p, fmt.Sprintf(`(() => { const el = document.querySelector(%q); return el ? el.innerText : '' })()`, sel))
}

// waitFor polls a JavaScript condition for as long as a slow page load may
// take. What follows a click the user made on a loaded page must use within.
func (p *page) waitFor(what, js string) {
	p.t.Helper()
	p.within(15*time.Second, what, js)
}

// within polls a JavaScript condition until d has passed: d is what a user
// tolerates (a dialog opens within 300 ms of its button's click).
func (p *page) within(d time.Duration, what, js string) {
	p.t.Helper()
	deadline := time.Now().Add(d)
	for {
		if eval[bool](p, js) {
			return
		}
		if time.Now().After(deadline) {
			p.fatalf("timed out waiting for %s", what)
		}
		time.Sleep(min(100*time.Millisecond, d/10))
	}
}

// visibleJS is true when an element matching sel is displayed.
func visibleJS(sel string) string {
	return fmt.Sprintf(`(() => { const el = document.querySelector(%q); if (!el) return false; const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden' })()`, sel)
}

// waitText waits until the page shows each of the strings.
func (p *page) waitText(want ...string) {
	p.t.Helper()
	for _, w := range want {
		p.waitFor(fmt.Sprintf("the page to show %q", w), fmt.Sprintf(`document.body.innerText.includes(%q)`, w))
	}
}

// waitTextIn waits until the element matching sel shows want.
func (p *page) waitTextIn(sel, want string) {
	p.t.Helper()
	p.waitFor(fmt.Sprintf("%s to show %q", sel, want),
		fmt.Sprintf(`(() => { const el = document.querySelector(%q); return !!el && el.innerText.includes(%q) })()`, sel, want))
}

// waitVisible waits until an element matching sel is displayed.
func (p *page) waitVisible(sel string) {
	p.t.Helper()
	p.waitFor(sel+" to be visible", visibleJS(sel))
}

// settle waits until no loading mask covers the page and no closing dialog's
// overlay lingers (either would take the click).
func (p *page) settle() {
	p.t.Helper()
	p.waitFor("loading to finish", `!document.querySelector('.el-loading-mask')`)
}

// noDialog waits until every dialog overlay is gone.
func (p *page) noDialog() {
	p.t.Helper()
	p.waitFor("dialogs to close", `Array.from(document.querySelectorAll('.el-overlay')).every(o => getComputedStyle(o).display === 'none')`)
}

// waitStill waits until the element stops moving (popups open with an animation).
func (p *page) waitStill(sel string) {
	p.t.Helper()
	p.waitFor(sel+" to stand still", fmt.Sprintf(`new Promise(res => {
		const el = document.querySelector(%q)
		if (!el) return res(false)
		const a = JSON.stringify(el.getBoundingClientRect())
		setTimeout(() => res(JSON.stringify(el.getBoundingClientRect()) === a), 150)
	})`, sel))
}

func (p *page) click(sel string) {
	p.t.Helper()
	p.waitVisible(sel)
	p.settle()
	p.waitStill(sel)
	p.do(chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// typeInto clears an input and types text into it key by key, as a person would.
func (p *page) typeInto(sel, text string) {
	p.t.Helper()
	p.waitVisible(sel)
	p.do(chromedp.Focus(chromedp.CSS(sel)))
	eval[bool](p, fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.select && el.select(); return true })()`, sel))
	p.do(chromedp.SendKeys(chromedp.CSS(sel), "\b"))
	p.do(chromedp.SendKeys(chromedp.CSS(sel), text))
	got := eval[string](p, fmt.Sprintf(`document.querySelector(%q).value`, sel))
	if got != text {
		p.fatalf("typed %q into %s, field holds %q", text, sel, got)
	}
}

// press sends a key (kb constants or text) to the focused element.
func (p *page) press(keys string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.KeyEvent(keys)); err != nil {
		p.fatalf("key %q: %v", keys, err)
	}
}

func (p *page) open(path string) {
	p.t.Helper()
	p.do(chromedp.Navigate(p.e.url + path))
}

// path is the current location's path.
func (p *page) path() string { return eval[string](p, `location.pathname`) }

// login signs in on the login page and waits to leave it; an account
// with an authenticator types the code when the page asks for it.
func (p *page) login(user, password string) {
	p.t.Helper()
	p.open("/login")
	p.waitVisible("#login-username")
	p.typeInto("#login-username", user)
	p.typeInto("#login-password", password)
	p.click(`[data-testid="login-submit"]`)
	p.waitFor("leaving the login page or a code asked for", `location.pathname !== '/login' || !!document.querySelector('#login-otp')`)
	if p.path() == "/login" {
		code, ok := p.e.nextCode(user)
		if !ok {
			p.fatalf("the login page asks %s for a code but no authenticator is enrolled", user)
		}
		p.typeInto("#login-otp", code)
		p.click(`[data-testid="login-submit"]`)
		p.waitFor("leaving the login page", `location.pathname !== '/login'`)
	}
}

// enrolTOTP sets up an authenticator on the enrolment page, as the user
// would with an app, and ends where the app sends the user next.
func (p *page) enrolTOTP(user string) {
	p.t.Helper()
	p.waitFor("the enrolment page", `location.pathname === '/enroll-totp'`)
	p.click(`[data-testid="totp-begin"]`)
	p.waitVisible(`[data-testid="totp-secret"]`)
	secret := strings.ReplaceAll(p.textOf(`[data-testid="totp-secret"]`), " ", "")
	step := totp.Counter(time.Now())
	code, err := totp.Code(secret, step)
	if err != nil {
		p.fatalf("secret %q: %v", secret, err)
	}
	p.typeInto("#totp-code", code)
	p.click(`[data-testid="totp-confirm"]`)
	p.waitFor("leaving the enrolment page", `location.pathname !== '/enroll-totp'`)
	p.e.enrolled(user, secret, step)
}

// afterPasswordChange waits for the dashboard, enrolling an authenticator
// first where the policy asks the account for one.
func (p *page) afterPasswordChange(user string) {
	p.t.Helper()
	p.waitFor("the dashboard or the enrolment page", `location.pathname === '/enroll-totp' || (location.pathname === '/' && !!document.querySelector('[data-testid="dash-welcome"]'))`)
	if p.path() == "/enroll-totp" {
		p.enrolTOTP(user)
	}
	p.waitFor("the dashboard", `location.pathname === '/' && !!document.querySelector('[data-testid="dash-welcome"]')`)
}

// firstLogin signs in with the initial password and sets a new one on the
// forced password change page; it ends on the dashboard.
func (p *page) firstLogin(user string) {
	p.t.Helper()
	p.login(user, p.e.password(user))
	p.waitFor("the password change page", `location.pathname === '/change-password'`)
	pw := newPassword(user)
	p.typeInto("#pwd-old", p.e.password(user))
	p.typeInto("#pwd-new", pw)
	p.typeInto("#pwd-confirm", pw)
	p.click(`[data-testid="pwd-submit"]`)
	p.e.setPassword(user, pw)
	p.afterPasswordChange(user)
}

// nav clicks a side navigation item and waits for its page.
func (p *page) nav(key, path string) {
	p.t.Helper()
	p.noDialog()
	// On a phone the menu is a drawer behind the header's button.
	drawer := eval[bool](p, visibleJS(`[data-testid="nav-menu"]`))
	if drawer {
		p.click(`[data-testid="nav-menu"]`)
	}
	p.click(fmt.Sprintf(`[data-testid="nav-%s"]`, key))
	p.waitFor("the page "+path, fmt.Sprintf(`location.pathname === %q`, path))
	if drawer {
		p.noDialog() // the drawer closes as the page opens
	}
}

// visibleLabels lists the visible text nodes of the page that are labels,
// not data: table bodies, trees and elements marked data-data hold what
// users typed (names of people and departments), which no language switch
// translates.
func (p *page) visibleLabels() []string {
	return eval[[]string](p, `(() => {
		const out = []
		const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
		for (let n = walker.nextNode(); n; n = walker.nextNode()) {
			const s = n.nodeValue.trim()
			if (!s) continue
			const el = n.parentElement
			if (!el || el.closest('script,style,noscript,.el-table__body-wrapper,.el-tree,[data-data]')) continue
			const r = el.getBoundingClientRect()
			const cs = getComputedStyle(el)
			if (r.width === 0 || r.height === 0 || cs.visibility === 'hidden' || el.closest('[aria-hidden="true"]')) continue
			let hidden = false
			for (let a = el; a; a = a.parentElement) { if (getComputedStyle(a).display === 'none') { hidden = true; break } }
			if (!hidden) out.push(s)
		}
		return out
	})()`)
}

var cjk = regexp.MustCompile(`[\p{Han}\x{3000}-\x{303f}\x{ff00}-\x{ffef}]`)

// api is a plain HTTP client with its own session, for test setup that the
// UI does not offer (finding the id of a user outside a scope).
type api struct {
	t    *testing.T
	e    *env
	c    *http.Client
	url  string
	last string // body of the last answer
}

func (e *env) apiLogin(t *testing.T, user string) *api {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	a := &api{t: t, e: e, c: &http.Client{Jar: jar, Timeout: 20 * time.Second}, url: e.url}
	var res struct {
		MustChangePassword bool `json:"must_change_password"`
		MustEnrollTOTP     bool `json:"must_enroll_totp"`
	}
	code := a.call("POST", "/auth/login", map[string]string{"username": user, "password": e.password(user)}, &res)
	if code == 401 && strings.Contains(a.last, "EOTPREQUIRED") {
		otp, ok := e.nextCode(user)
		if !ok {
			t.Fatalf("API login %s: a code is asked for but no authenticator is enrolled", user)
		}
		code = a.call("POST", "/auth/login", map[string]string{"username": user, "password": e.password(user), "otp": otp}, &res)
	}
	if code != 200 {
		t.Fatalf("API login %s: status %d: %s", user, code, a.last)
	}
	if res.MustChangePassword {
		pw := newPassword(user)
		if code := a.call("POST", "/auth/password", map[string]string{"old": e.password(user), "new": pw}, nil); code != 204 {
			t.Fatalf("API password change %s: status %d: %s", user, code, a.last)
		}
		e.setPassword(user, pw)
	}
	if res.MustEnrollTOTP {
		var en struct{ Secret string }
		if code := a.call("POST", "/me/totp", map[string]string{}, &en); code != 200 || en.Secret == "" {
			t.Fatalf("API TOTP enrolment %s: status %d: %s", user, code, a.last)
		}
		step := totp.Counter(time.Now())
		otp, _ := totp.Code(en.Secret, step)
		if code := a.call("POST", "/me/totp/confirm", map[string]string{"code": otp}, nil); code != 204 {
			t.Fatalf("API TOTP confirmation %s: status %d: %s", user, code, a.last)
		}
		e.enrolled(user, en.Secret, step)
	}
	return a
}

// call sends one request and decodes the JSON answer into out; it returns the status.
func (a *api) call(method, path string, body any, out any) int {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, a.url+"/api/v1"+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.c.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a.last = string(b)
	if out != nil && len(b) > 0 && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			a.t.Fatalf("%s %s: decoding %s: %v", method, path, b, err)
		}
	}
	return resp.StatusCode
}

// userID looks a user up by username.
func (a *api) userID(username string) int64 {
	a.t.Helper()
	var res struct {
		Items []struct {
			ID       int64  `json:"id"`
			Username string `json:"username"`
		} `json:"items"`
	}
	if code := a.call("GET", "/users?q="+username, nil, &res); code != 200 {
		a.t.Fatalf("GET /users?q=%s: status %d", username, code)
	}
	for _, u := range res.Items {
		if u.Username == username {
			return u.ID
		}
	}
	a.t.Fatalf("user %s not found", username)
	return 0
}

// idNumber returns a valid 18-digit resident ID number (GB 11643 check digit).
func idNumber(first17 string) string {
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, c := range first17 {
		sum += int(c-'0') * w[i]
	}
	return first17 + string("10X98765432"[sum%11])
}

// apiClient is an HTTP client with no session.
func (e *env) apiClient(t *testing.T) *api {
	jar, _ := cookiejar.New(nil)
	return &api{t: t, e: e, c: &http.Client{Jar: jar, Timeout: 20 * time.Second}, url: e.url}
}

// clickText clicks the first element matching sel whose text contains text.
func (p *page) clickText(sel, text string) {
	p.t.Helper()
	p.waitFor(fmt.Sprintf("%s with %q", sel, text), fmt.Sprintf(`(() => {
		document.querySelectorAll('[data-e2e-target]').forEach(el => el.removeAttribute('data-e2e-target'))
		const el = Array.from(document.querySelectorAll(%q)).find(el => el.innerText.includes(%q) && el.getBoundingClientRect().width > 0)
		if (!el) return false
		el.setAttribute('data-e2e-target', '1')
		return true
	})()`, sel, text))
	p.waitStill(`[data-e2e-target="1"]`)
	p.do(chromedp.Click(chromedp.CSS(`[data-e2e-target="1"]`), chromedp.NodeVisible))
}
