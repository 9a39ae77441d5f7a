package storetest

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun/internal/syncbuf"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/sqlstore"
)

// auditActions lists the actions of the audit rows after seq, oldest first.
func (e *env) auditActions(after int64) []string {
	e.t.Helper()
	rows, err := e.s.AuditRowsAfter(context.Background(), after, 1000)
	e.must(err)
	var out []string
	for _, r := range rows {
		out = append(out, r.Action)
	}
	return out
}

func (e *env) headSeq() int64 {
	e.t.Helper()
	rows, err := e.s.AuditRowsAfter(context.Background(), 0, 100000)
	e.must(err)
	if len(rows) == 0 {
		return 0
	}
	return rows[len(rows)-1].Seq
}

func testPolicy(t *testing.T, b Backend) {
	e := newEnv(t, b)
	u := e.matrixUsers()
	u["sb1sec"] = e.user("sb1sec", "SB1", zhudun.RoleSecAdmin)

	// A new database has today's values, periodic change, history and
	// dormancy, and a second factor for the three administrators.
	want := zhudun.Policy{LockoutThreshold: 5, LockoutMinutes: 15, IdleMinutes: 30, TOTPRoles: []string{"sysadmin", "secadmin", "auditadmin"},
		PasswordMaxAgeDays: 90, PasswordHistory: 5, DormantDays: 90}
	v, err := e.s.FindPolicy(e.as(u["sec"]))
	e.must(err)
	if !policyEqual(v.Effective, want) || !policyEqual(v.Stored, want) || len(v.Overridden) != 0 {
		t.Fatalf("default policy: %+v", v)
	}
	// Reading: role:read over the whole tree. Writing: role:write over it.
	for who, wantCode := range map[string]string{"rootadm": "", "sb1sec": zhudun.EFORBIDDEN, "off1": zhudun.EFORBIDDEN, "aud": zhudun.EFORBIDDEN} {
		if _, err := e.s.FindPolicy(e.as(u[who])); code(err) != wantCode {
			t.Errorf("FindPolicy as %s: %v, want %q", who, err, wantCode)
		}
	}
	next := zhudun.Policy{LockoutThreshold: 3, LockoutMinutes: 5, IdleMinutes: 10, TOTPRoles: []string{"officer"},
		PasswordMaxAgeDays: 30, PasswordHistory: 3, DormantDays: 30}
	for _, who := range []string{"rootadm", "sb1sec", "aud", "off1"} {
		if _, err := e.s.UpdatePolicy(e.as(u[who]), next); code(err) != zhudun.EFORBIDDEN {
			t.Errorf("UpdatePolicy as %s: %v", who, err)
		}
	}
	// Out-of-range values and unknown roles are refused, naming the field.
	for _, c := range []struct {
		field string
		edit  func(p *zhudun.Policy)
	}{
		{"lockout_threshold", func(p *zhudun.Policy) { p.LockoutThreshold = 0 }},
		{"lockout_threshold", func(p *zhudun.Policy) { p.LockoutThreshold = 11 }},
		{"lockout_minutes", func(p *zhudun.Policy) { p.LockoutMinutes = 0 }},
		{"idle_minutes", func(p *zhudun.Policy) { p.IdleMinutes = 121 }},
		{"password_max_age_days", func(p *zhudun.Policy) { p.PasswordMaxAgeDays = 0 }},
		{"password_history", func(p *zhudun.Policy) { p.PasswordHistory = 25 }},
		{"dormant_days", func(p *zhudun.Policy) { p.DormantDays = 3 }},
		{"totp_roles", func(p *zhudun.Policy) { p.TOTPRoles = []string{"nosuchrole"} }},
	} {
		p := next
		c.edit(&p)
		if _, err := e.s.UpdatePolicy(e.as(u["sec"]), p); code(err) != zhudun.EINVALID || field(err) != c.field {
			t.Errorf("invalid %s: %v (field %q)", c.field, err, field(err))
		}
	}
	head := e.headSeq()
	v, err = e.s.UpdatePolicy(e.as(u["sec"]), next)
	e.must(err)
	if !policyEqual(v.Effective, next) || v.UpdatedBy != "sec" {
		t.Fatalf("after update: %+v", v)
	}
	if got := e.auditActions(head); !slices.Equal(got, []string{"policy.update"}) {
		t.Fatalf("audit rows of the update: %v", got)
	}
	rows, _, err := e.s.FindAudit(e.as(u["aud"]), zhudun.AuditFilter{Action: "policy.update"})
	e.must(err)
	var detail map[string]map[string]any
	if len(rows) != 1 || json.Unmarshal(rows[0].Detail, &detail) != nil || detail["lockout_threshold"]["from"] != 5.0 || detail["lockout_threshold"]["to"] != 3.0 {
		t.Fatalf("policy.update row: %+v", rows)
	}
	// Saving the same values again changes nothing and writes no row.
	head = e.headSeq()
	_, err = e.s.UpdatePolicy(e.as(u["sec"]), next)
	e.must(err)
	if got := e.auditActions(head); len(got) != 0 {
		t.Fatalf("unchanged policy wrote %v", got)
	}

	// The new values govern sign-in at once: three wrong passwords lock
	// for five minutes...
	for i := 1; i <= 2; i++ {
		if _, err := login(e, "off2", "Wrong!pass1", "10.2.0.1"); code(err) != zhudun.EUNAUTHORIZED {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	_, err = login(e, "off2", "Wrong!pass1", "10.2.0.1")
	var ze *zhudun.Error
	if code(err) != zhudun.ELOCKED || !asErr(err, &ze) || ze.RetryAfter != 300 {
		t.Fatalf("third failure under threshold 3: %v", err)
	}
	// ...officers must enrol a second factor, administrators no longer...
	s1, err := login(e, "off1", pw, "10.2.0.2")
	e.must(err)
	s2, err := login(e, "rootadm", pw, "10.2.0.2")
	e.must(err)
	if !s1.MustEnrollTOTP || s2.MustEnrollTOTP {
		t.Fatalf("TOTP roles [officer]: officer %v, sysadmin %v", s1.MustEnrollTOTP, s2.MustEnrollTOTP)
	}
	// ...and a session ends after ten idle minutes.
	e.clock.Advance(9 * time.Minute)
	if _, _, err := e.s.Authenticate(context.Background(), s2.Token, ""); err != nil {
		t.Fatalf("after 9 idle minutes: %v", err)
	}
	e.clock.Advance(10*time.Minute + time.Second)
	if _, _, err := e.s.Authenticate(context.Background(), s2.Token, ""); code(err) != zhudun.EUNAUTHORIZED {
		t.Fatalf("after 10 idle minutes: %v", err)
	}

	// A start-up flag overrides the stored value; the setting cannot be
	// changed where it would not take effect.
	seven := 7
	s := b.Open(t, "main", sqlstore.Options{Keys: e.keys, Now: e.clock.Now, Policy: zhudun.PolicyOverrides{LockoutThreshold: &seven}})
	c, err := s.CallerFor(context.Background(), u["sec"].ID)
	e.must(err)
	ctx := zhudun.WithCaller(context.Background(), c)
	v, err = s.FindPolicy(ctx)
	e.must(err)
	if v.Effective.LockoutThreshold != 7 || v.Stored.LockoutThreshold != 3 || !slices.Equal(v.Overridden, []string{"lockout_threshold"}) {
		t.Fatalf("overridden view: %+v", v)
	}
	p := next
	p.LockoutThreshold = 4
	if _, err := s.UpdatePolicy(ctx, p); code(err) != zhudun.ECONFLICT || field(err) != "lockout_threshold" {
		t.Fatalf("changing an overridden field: %v", err)
	}
	p = next
	p.IdleMinutes = 20
	if v, err := s.UpdatePolicy(ctx, p); err != nil || v.Effective.IdleMinutes != 20 || v.Effective.LockoutThreshold != 7 {
		t.Fatalf("changing another field: %+v %v", v, err)
	}
	for i := 1; i <= 6; i++ {
		if _, err := s.Login(context.Background(), zhudun.LoginRequest{Username: "sq1", Password: "Wrong!pass1", ClientAddr: "10.2.0.3"}); code(err) != zhudun.EUNAUTHORIZED {
			t.Fatalf("failure %d under the overridden threshold 7: %v", i, err)
		}
	}
	if _, err := s.Login(context.Background(), zhudun.LoginRequest{Username: "sq1", Password: "Wrong!pass1", ClientAddr: "10.2.0.3"}); code(err) != zhudun.ELOCKED {
		t.Fatalf("seventh failure: %v", err)
	}
}

func policyEqual(a, b zhudun.Policy) bool {
	x, y := slices.Clone(a.TOTPRoles), slices.Clone(b.TOTPRoles)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y) && a.LockoutThreshold == b.LockoutThreshold && a.LockoutMinutes == b.LockoutMinutes &&
		a.IdleMinutes == b.IdleMinutes && a.PasswordMaxAgeDays == b.PasswordMaxAgeDays && a.PasswordHistory == b.PasswordHistory &&
		a.DormantDays == b.DormantDays
}

func testPasswordPolicy(t *testing.T, b Backend) {
	e := newEnv(t, b)
	u := e.matrixUsers()
	sb1 := e.as(u["sb1adm"])

	// The username never inside a password, on every path, in any case.
	if _, err := e.s.CreateUser(sb1, zhudun.NewUser{Username: "zhangwei", DeptCode: "ST1", Password: "ZhangWei!2026"}); code(err) != zhudun.EINVALID || field(err) != "password" {
		t.Fatalf("create with the username inside: %v", err)
	}
	if _, err := e.s.CreateUser(e.sys, zhudun.NewUser{Username: "zhangwei", DeptCode: "ST1", Password: "x1!ZHANGWEI", Own: true}); code(err) != zhudun.EINVALID {
		t.Fatalf("installer create with the username inside: %v", err)
	}
	zw, err := e.s.CreateUser(sb1, zhudun.NewUser{Username: "zhangwei", DeptCode: "ST1", Password: "P0!initial"})
	e.must(err)
	if err := e.s.ResetPassword(sb1, zw.ID, "Reset!zhangwei9"); code(err) != zhudun.EINVALID || field(err) != "password" {
		t.Fatalf("admin reset with the username inside: %v", err)
	}
	if err := e.s.ResetPassword(e.sys, zw.ID, "Reset!zhangwei9"); code(err) != zhudun.EINVALID {
		t.Fatalf("CLI reset with the username inside: %v", err)
	}
	sess, err := login(e, "zhangwei", "P0!initial", "10.3.0.1")
	e.must(err)
	if err := e.s.ChangePassword(context.Background(), sess.Token, "P0!initial", "New!ZhangWei1"); code(err) != zhudun.EINVALID || field(err) != "new" {
		t.Fatalf("own change with the username inside: %v", err)
	}

	// History: none of the last five passwords (the current one included).
	seq := []string{"P0!initial", "P1!second", "P2!third", "P3!fourth", "P4!fifth"}
	for i := 1; i < len(seq); i++ {
		e.must(e.s.ChangePassword(context.Background(), sess.Token, seq[i-1], seq[i]))
	}
	for _, old := range seq[:4] {
		if err := e.s.ChangePassword(context.Background(), sess.Token, "P4!fifth", old); code(err) != zhudun.EINVALID || field(err) != "new" ||
			!strings.Contains(zhudun.ErrorMessage(err), "last 5") {
			t.Fatalf("reusing %s: %v", old, err)
		}
	}
	if err := e.s.ResetPassword(sb1, zw.ID, "P2!third"); code(err) != zhudun.EINVALID {
		t.Fatalf("admin reset to a recent password: %v", err)
	}
	e.must(e.s.ChangePassword(context.Background(), sess.Token, "P4!fifth", "P5!sixth"))
	// P0 is now the sixth-newest: allowed again.
	e.must(e.s.ChangePassword(context.Background(), sess.Token, "P5!sixth", "P0!initial"))

	// Maximum age: 90 days by default. On day 89 sign-in is normal, after
	// day 90 it must change the password first.
	e.clock.Advance(89 * 24 * time.Hour)
	s89, err := login(e, "off1", pw, "10.3.0.2")
	e.must(err)
	if s89.MustChangePassword || s89.PasswordExpired {
		t.Fatalf("day 89: %+v", s89)
	}
	e.clock.Advance(24*time.Hour + time.Minute)
	s90, err := login(e, "off1", pw, "10.3.0.2")
	e.must(err)
	if !s90.MustChangePassword || !s90.PasswordExpired {
		t.Fatalf("day 90: %+v", s90)
	}
	restricted, _, err := e.s.Authenticate(context.Background(), s90.Token, "")
	if err != nil || !restricted.MustChangePassword {
		t.Fatalf("the expired session is restricted: %+v %v", restricted, err)
	}
	e.must(e.s.ChangePassword(context.Background(), s90.Token, pw, "Fresh!pass90"))
	s91, err := login(e, "off1", "Fresh!pass90", "10.3.0.2")
	e.must(err)
	if s91.MustChangePassword || s91.PasswordExpired {
		t.Fatalf("after the change: %+v", s91)
	}
}

func testDormant(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	adm := e.user("admin", "ROOT", zhudun.RoleSysAdmin)
	e.user("active", "ST1", zhudun.RoleOfficer)
	e.user("never", "ST1", zhudun.RoleOfficer)
	gone := e.user("gone", "ST2", zhudun.RoleOfficer)
	yes := true
	_, err := e.s.UpdateUser(e.as(adm), gone.ID, zhudun.UserUpdate{Disabled: &yes})
	e.must(err)
	_, err = login(e, "active", pw, "10.4.0.1")
	e.must(err)
	e.clock.Advance(50 * 24 * time.Hour)
	e.user("late", "ST2", zhudun.RoleOfficer) // created on day 50
	if _, err := login(e, "admin", pw, "10.4.0.9"); err != nil {
		t.Fatal(err)
	}
	// Day 50: nobody is dormant yet.
	ds, err := e.s.FindDormantUsers(e.as(adm))
	e.must(err)
	if len(ds) != 0 {
		t.Fatalf("day 50: %v", dormantNames(ds))
	}
	// Day 91: "active" (last sign-in day 0), "never" (created day 0) and
	// the already disabled "gone"; not "admin" (signed in day 50) nor
	// "late" (created day 50).
	e.clock.Advance(41 * 24 * time.Hour)
	ds, err = e.s.FindDormantUsers(e.as(adm))
	e.must(err)
	if got := dormantNames(ds); !slices.Equal(got, []string{"active", "gone(disabled)", "never"}) {
		t.Fatalf("day 91 dormant: %v", got)
	}
	if ds[0].Days != 91 || ds[0].LastLogin == nil {
		t.Fatalf("active: %+v", ds[0])
	}
	// An officer has no user:read: the list is refused.
	if _, err := e.s.FindDormantUsers(e.as(gone)); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("officer lists dormant accounts: %v", err)
	}
	// The sweep runs as the system only, disables each once with an audit
	// row, and ends their sessions.
	if _, err := e.s.DisableDormant(e.as(adm)); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("sweep as an administrator: %v", err)
	}
	head := e.headSeq()
	names, err := e.s.DisableDormant(e.sys)
	e.must(err)
	if !slices.Equal(names, []string{"active", "never"}) {
		t.Fatalf("disabled: %v", names)
	}
	if got := e.auditActions(head); !slices.Equal(got, []string{"user.disable_dormant", "user.disable_dormant"}) {
		t.Fatalf("audit rows of the sweep: %v", got)
	}
	if names, err := e.s.DisableDormant(e.sys); err != nil || len(names) != 0 {
		t.Fatalf("second sweep: %v %v", names, err)
	}
	if _, err := login(e, "active", pw, "10.4.0.1"); code(err) != zhudun.EUNAUTHORIZED {
		t.Fatalf("dormant account signs in: %v", err)
	}
	// Re-enabled, the account gets a full period again.
	us, _, err := e.s.FindUsers(e.as(adm), zhudun.UserFilter{Username: "active"})
	e.must(err)
	no := false
	_, err = e.s.UpdateUser(e.as(adm), us[0].ID, zhudun.UserUpdate{Disabled: &no})
	e.must(err)
	if names, err := e.s.DisableDormant(e.sys); err != nil || slices.Contains(names, "active") {
		t.Fatalf("sweep right after re-enabling: %v %v", names, err)
	}
	e.clock.Advance(91 * 24 * time.Hour)
	if names, err := e.s.DisableDormant(e.sys); err != nil || !slices.Contains(names, "active") {
		t.Fatalf("sweep a period after re-enabling: %v %v", names, err)
	}
}

func dormantNames(ds []*zhudun.DormantUser) []string {
	var out []string
	for _, d := range ds {
		n := d.Username
		if d.Disabled {
			n += "(disabled)"
		}
		out = append(out, n)
	}
	return out
}

// logBuffer collects a store's log records as JSON lines.
type logBuffer struct{ syncbuf.Buffer }

// events counts the records whose "event" attribute is name.
func (l *logBuffer) events(name string) int {
	n := 0
	for _, line := range strings.Split(l.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["event"] == name && rec["level"] == "WARN" {
			n++
		}
	}
	return n
}

func testAlerts(t *testing.T, b Backend) {
	e := newEnv(t, b)
	u := e.matrixUsers()
	logs := &logBuffer{}
	e.s = b.Open(t, "main", sqlstore.Options{Keys: e.keys, Now: e.clock.Now, Logger: slogJSON(logs)})
	aud := e.as(u["aud"])

	// A lockout: one log record naming the event, one alert, one audit
	// row, one event on the stream for the audit administrator.
	for i := 0; i < 5; i++ {
		login(e, "off1", "Wrong!pass1", "10.5.0.1")
	}
	if n := logs.events(zhudun.SecLockout); n != 1 {
		t.Fatalf("lockout log records: %d\n%s", n, logs.String())
	}
	as, n, err := e.s.FindAlerts(aud, zhudun.AlertFilter{})
	e.must(err)
	if n != 1 || as[0].Event != zhudun.SecLockout || as[0].Subject != "off1" || as[0].ClientAddr != "10.5.0.1" || as[0].Count != 1 {
		t.Fatalf("alerts after the lockout: %d %+v", n, as)
	}
	if rows, _, _ := e.s.FindAudit(aud, zhudun.AuditFilter{Action: zhudun.SecLockout}); len(rows) != 1 {
		t.Fatalf("lockout audit rows: %d", len(rows))
	}
	evs, err := e.s.PendingEvents(context.Background(), 10000)
	e.must(err)
	raised := 0
	for _, ev := range evs {
		if ev.Type == "alert.raised" {
			raised++
			if ev.Perm != zhudun.PermAuditRead || !ev.Visible(zhudun.CallerFrom(aud)) || ev.Visible(zhudun.CallerFrom(e.as(u["rootadm"]))) {
				t.Fatalf("alert event routing: %+v", ev)
			}
		}
	}
	if raised != 1 {
		t.Fatalf("alert.raised events: %d", raised)
	}
	// Only the audit administrator reads alerts.
	for _, who := range []string{"rootadm", "sec", "off1"} {
		if _, _, err := e.s.FindAlerts(e.as(u[who]), zhudun.AlertFilter{}); code(err) != zhudun.EFORBIDDEN {
			t.Errorf("FindAlerts as %s: %v", who, err)
		}
	}

	// Address throttling: the 21st attempt is refused and raises one
	// alert; five more refusals only count on it.
	for i := 0; i < 20; i++ {
		login(e, "nosuch", "Wrong!pass1", "10.5.0.2")
	}
	for i := 0; i < 6; i++ {
		if _, err := login(e, "nosuch", "Wrong!pass1", "10.5.0.2"); code(err) != zhudun.ETOOMANY {
			t.Fatalf("throttled attempt %d: %v", i, err)
		}
	}
	as, _, err = e.s.FindAlerts(aud, zhudun.AlertFilter{Event: zhudun.SecThrottle})
	e.must(err)
	if len(as) != 1 || as[0].Count != 6 || as[0].Subject != "10.5.0.2" || logs.events(zhudun.SecThrottle) != 1 {
		t.Fatalf("throttle alerts: %+v, log records %d", as, logs.events(zhudun.SecThrottle))
	}

	// The unknown name locked too (a 423 must not tell whether an account
	// exists): its alert names only a fingerprint, never what was typed.
	as, _, err = e.s.FindAlerts(aud, zhudun.AlertFilter{Event: zhudun.SecLockout})
	e.must(err)
	if len(as) != 2 || !strings.HasPrefix(as[0].Subject, "sm3:") || as[0].Username != "" || strings.Contains(string(as[0].Detail), "nosuch") {
		t.Fatalf("lockout alerts after the unknown name: %+v", as)
	}
	// An administrator from an address none of its sessions came from.
	for _, addr := range []string{"10.6.0.1", "10.6.0.1"} {
		_, err := login(e, "rootadm", pw, addr)
		e.must(err)
	}
	_, err = login(e, "off2", pw, "10.6.0.1")
	e.must(err)
	_, err = login(e, "off2", pw, "10.6.0.7") // not an administrator
	e.must(err)
	if as, _, _ := e.s.FindAlerts(aud, zhudun.AlertFilter{Event: zhudun.SecAdminNewAddress}); len(as) != 0 {
		t.Fatalf("admin alerts before a new address: %+v", as)
	}
	_, err = login(e, "rootadm", pw, "10.6.0.2")
	e.must(err)
	as, _, err = e.s.FindAlerts(aud, zhudun.AlertFilter{Event: zhudun.SecAdminNewAddress})
	e.must(err)
	if len(as) != 1 || as[0].Username != "rootadm" || as[0].ClientAddr != "10.6.0.2" || logs.events(zhudun.SecAdminNewAddress) != 1 {
		t.Fatalf("admin new address: %+v", as)
	}

	// A failed verification alerts without appending to the broken chain.
	db := e.s.DB()
	b.DropAuditGuards(t, db)
	if _, err := db.Exec(`UPDATE audit_log SET object_id = 'forged' WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	head := e.headSeq()
	rep, err := e.s.VerifyAudit(aud)
	e.must(err)
	if rep.OK {
		t.Fatal("tampered chain verified")
	}
	as, _, err = e.s.FindAlerts(aud, zhudun.AlertFilter{Event: zhudun.SecAuditVerifyFailed})
	e.must(err)
	if len(as) != 1 || logs.events(zhudun.SecAuditVerifyFailed) != 1 || e.headSeq() != head {
		t.Fatalf("verify alert: %+v, head %d → %d", as, head, e.headSeq())
	}

	// Acknowledging is the audit administrator's, and audited.
	if _, err := e.s.AckAlert(e.as(u["sec"]), as[0].ID); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("ack as secadmin: %v", err)
	}
	a, err := e.s.AckAlert(aud, as[0].ID)
	e.must(err)
	if a.AckedAt == nil || a.AckedBy != "aud" {
		t.Fatalf("acked: %+v", a)
	}
	if _, err := e.s.AckAlert(aud, 99999); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("ack of no alert: %v", err)
	}
	open, n, err := e.s.FindAlerts(aud, zhudun.AlertFilter{Unacked: true})
	e.must(err)
	if n != 4 || slices.ContainsFunc(open, func(x *zhudun.Alert) bool { return x.ID == a.ID }) {
		t.Fatalf("unacked after the ack: %d %+v", n, open)
	}
	if err := e.s.RaiseSecurityEvent(context.Background(), zhudun.SecurityEvent{Event: "security.nonsense"}); code(err) != zhudun.EINVALID {
		t.Fatalf("unknown event: %v", err)
	}
	// The PII-search burst and bad event MAC are raised by their detectors
	// through the same call.
	for _, name := range []string{zhudun.SecPIISearchBurst, zhudun.SecBadEventMAC} {
		e.must(e.s.RaiseSecurityEvent(context.Background(), zhudun.SecurityEvent{Event: name, Subject: "x"}))
		if logs.events(name) != 1 {
			t.Fatalf("%s log records: %d", name, logs.events(name))
		}
	}
}

// testForwardCursor checks what the forwarders read: rows after a seq in
// order, and a cursor per forwarder that survives a reopen.
func testForwardCursor(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	rows, err := e.s.AuditRowsAfter(context.Background(), 0, 1000)
	e.must(err)
	if len(rows) < 5 {
		t.Fatalf("rows: %d", len(rows))
	}
	for i, r := range rows {
		if r.Seq != int64(i+1) || r.Hash == "" || (i > 0 && r.PrevHash != rows[i-1].Hash) || r.DeptPath == "" {
			t.Fatalf("row %d: %+v", i, r)
		}
	}
	if rs, _ := e.s.AuditRowsAfter(context.Background(), 3, 2); len(rs) != 2 || rs[0].Seq != 4 || rs[1].Seq != 5 {
		t.Fatalf("after 3, 2 rows: %+v", rs)
	}
	if n, err := e.s.ForwardCursor(context.Background(), "audit x"); err != nil || n != 0 {
		t.Fatalf("new cursor: %d %v", n, err)
	}
	e.must(e.s.SetForwardCursor(context.Background(), "audit x", 4))
	e.must(e.s.SetForwardCursor(context.Background(), "audit x", 7))
	e.must(e.s.SetForwardCursor(context.Background(), "audit y", 2))
	s2 := b.Open(t, "main", optionsLike(e))
	if n, err := s2.ForwardCursor(context.Background(), "audit x"); err != nil || n != 7 {
		t.Fatalf("cursor after reopen: %d %v", n, err)
	}
}

// testAlertLimiter: 50 detectors raising the same event at once (a flood
// of forged bus events) write one alert; another subject gets its own.
func testAlertLimiter(t *testing.T, b Backend) {
	e := newEnv(t, b)
	u := e.matrixUsers()
	l := e.s.NewAlertLimiter(time.Minute)
	var wg sync.WaitGroup
	var mu sync.Mutex
	passed := 0
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if l.Raise(zhudun.SecurityEvent{Event: zhudun.SecBadEventMAC, Subject: "zhudun.events.incident.created"}) {
				mu.Lock()
				passed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if passed != 1 || !l.Raise(zhudun.SecurityEvent{Event: zhudun.SecBadEventMAC, Subject: "zhudun.events.unit.position"}) {
		t.Fatalf("raised %d of 50; other subject refused", passed)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		as, _, err := e.s.FindAlerts(e.as(u["aud"]), zhudun.AlertFilter{Event: zhudun.SecBadEventMAC})
		e.must(err)
		if len(as) == 2 && as[0].Count == 1 && as[1].Count == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("alerts: %+v", as)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
