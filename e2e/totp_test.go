package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun/totp"
)

// TestMandatoryTOTP: with a second factor required of auditors, the audit
// admin changes the initial password, must then enrol an authenticator app
// before anything else, and afterwards signs in with a code.
func TestMandatoryTOTP(t *testing.T) {
	e := start(t, "--totp-roles", "auditadmin")
	p := e.newPage(t, "auditadmin", 1366, 768)
	user := "auditadmin"
	p.login(user, e.password(user))
	p.waitFor("the password change page", `location.pathname === '/change-password'`)
	pw := newPassword(user)
	p.typeInto("#pwd-old", e.password(user))
	p.typeInto("#pwd-new", pw)
	p.typeInto("#pwd-confirm", pw)
	p.click(`[data-testid="pwd-submit"]`)
	e.setPassword(user, pw)

	// Enrolment comes first; other pages send the user back to it.
	p.waitFor("the enrolment page", `location.pathname === '/enroll-totp'`)
	p.open("/security/audit")
	p.waitFor("being sent back to enrolment", `location.pathname === '/enroll-totp'`)
	p.click(`[data-testid="totp-begin"]`)
	p.waitVisible(`[data-testid="totp-secret"]`)
	secret := strings.ReplaceAll(p.textOf(`[data-testid="totp-secret"]`), " ", "")
	if len(secret) < 16 {
		p.fatalf("secret shown: %q", secret)
	}
	p.shot("enrol")
	now := time.Now()
	code, err := totp.Code(secret, totp.Counter(now))
	if err != nil {
		p.fatalf("secret %q: %v", secret, err)
	}
	p.typeInto("#totp-code", code)
	p.click(`[data-testid="totp-confirm"]`)
	p.waitFor("the dashboard", `location.pathname === '/' && !!document.querySelector('[data-testid="dash-welcome"]')`)

	// Signing in again asks for a code after the password; a code already
	// used is refused, the next one lets the user in.
	p.click(`[data-testid="logout"]`)
	p.waitFor("the login page", `location.pathname === '/login'`)
	p.typeInto("#login-username", user)
	p.typeInto("#login-password", pw)
	p.click(`[data-testid="login-submit"]`)
	p.waitVisible("#login-otp")
	p.typeInto("#login-otp", code)
	p.click(`[data-testid="login-submit"]`)
	p.waitVisible(`[data-testid="login-error"]`)
	next, _ := totp.Code(secret, totp.Counter(now)+1)
	p.typeInto("#login-otp", next)
	p.click(`[data-testid="login-submit"]`)
	p.waitFor("the dashboard after the code", `location.pathname === '/' && !!document.querySelector('[data-testid="dash-welcome"]')`)
	p.shot("signed-in-with-code")
}
