package e2e

import (
	"testing"
	"time"
)

// TestSecurityPolicyAndAlerts: the security administrator sets the lockout
// threshold on the policy page; a lockout under the new threshold reaches
// the audit administrator's alerts page live, without a reload, and is
// acknowledged there. Both administrators enrol a second factor at their
// first sign-in, as the default policy asks.
func TestSecurityPolicyAndAlerts(t *testing.T) {
	e := start(t)
	sec := e.newPage(t, "secadmin", 1366, 768)
	sec.firstLogin("secadmin")
	sec.nav("policy", "/security/policy")
	opened := time.Now()
	sec.waitVisible(`[data-testid="policy-lockout_threshold"] input`)
	if d := time.Since(opened); d > 2*time.Second {
		sec.fatalf("the policy form took %v to open", d)
	}
	sec.waitTextIn(`[data-testid="policy-form"]`, "连续失败锁定次数")
	sec.waitTextIn(`[data-testid="dormant-table"]`, "没有长期未用的账户")
	// Today's defaults are shown.
	if v := eval[string](sec, `document.querySelector('[data-testid="policy-password_max_age_days"] input').value`); v != "90" {
		sec.fatalf("password maximum age shows %q", v)
	}
	sec.typeInto(`#pol-lockout_threshold`, "3")
	sec.click(`.page-title`) // leave the field: the number is taken on change
	sec.click(`[data-testid="policy-save"]`)
	sec.waitTextIn(`[data-testid="policy-updated"]`, "最近由 secadmin")
	sec.shot("policy-saved")

	aud := e.newPage(t, "auditadmin", 1366, 768)
	aud.firstLogin("auditadmin")
	aud.nav("alerts", "/security/alerts")
	aud.waitTextIn(`[data-testid="alerts-table"]`, "暂无告警")
	aud.waitFor("the live stream", `!!document.querySelector('.el-table')`)

	// Three wrong passwords now lock an officer's account.
	c := e.apiClient(t)
	for i := 0; i < 3; i++ {
		c.call("POST", "/auth/login", map[string]string{"username": "lixia.officer01", "password": "Wrong!pass1"}, nil)
	}
	if code := c.call("POST", "/auth/login", map[string]string{"username": "lixia.officer01", "password": "Wrong!pass1"}, nil); code != 423 {
		t.Fatalf("after three failures under threshold 3: %d %s", code, c.last)
	}
	aud.front()
	aud.waitTextIn(`[data-testid="alerts-table"]`, "账户锁定")
	aud.waitTextIn(`[data-testid="alerts-table"]`, "lixia.officer01")
	aud.shot("alert-live")
	aud.clickText(`[data-testid="alerts-table"] button`, "确认")
	aud.waitTextIn(`[data-testid="alerts-table"]`, "暂无告警") // the unacknowledged view empties
	aud.click(`[data-testid="alerts-unacked"]`)
	aud.waitTextIn(`[data-testid="alerts-table"]`, "auditadmin 于")

	// The security administrator sees no alerts page; the audit
	// administrator no policy page.
	sec.front()
	sec.open("/security/alerts")
	sec.waitTextIn(`[data-testid="forbidden"]`, "无权访问")
	aud.front()
	aud.open("/security/policy")
	aud.waitTextIn(`[data-testid="forbidden"]`, "无权访问")
}
