package storetest

import (
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/sqlstore"
)

// testRetention: Purge removes ended sessions, old login-failure rows and
// published outbox rows, clears the caller phones of long-closed incidents
// and the personal data of long-disabled accounts, and re-seals what an old
// key still seals so that key is needed by nothing; everything younger, or
// still needed, stays.
func testRetention(t *testing.T, b Backend) {
	e, u := patrolEnv(t, b)
	req := func(user, pass, addr string) zhudun.LoginRequest {
		return zhudun.LoginRequest{Username: user, Password: pass, ClientAddr: addr, UserAgent: "test"}
	}
	alice, err := e.s.CreateUser(e.sys, zhudun.NewUser{Username: "alice", DeptCode: "ST1", Password: pw, Own: true,
		Roles: []string{zhudun.RoleOfficer}, Phone: "13912345678", IDNumber: "11010519491231002X"})
	e.must(err)
	carol, err := e.s.CreateUser(e.sys, zhudun.NewUser{Username: "carol", DeptCode: "ST1", Password: pw, Own: true,
		Roles: []string{zhudun.RoleOfficer}, Phone: "13800138000"})
	e.must(err)
	// At t0: alice signs in and out from 10.0.0.7; carol signs in from
	// 10.0.0.8; two wrong passwords from 10.9.9.9; an incident closed, another open; alice disabled.
	s1, err := e.s.Login(e.sys, req("alice", pw, "10.0.0.7"))
	e.must(err)
	e.must(e.s.Logout(e.sys, s1.Token))
	_, err = e.s.Login(e.sys, req("carol", pw, "10.0.0.8"))
	e.must(err)
	for range 2 {
		if _, err := e.s.Login(e.sys, req("carol", "wrong-Pass1", "10.9.9.9")); err == nil {
			t.Fatal("wrong password accepted")
		}
	}
	disp := e.as(u["disp1"])
	closed, err := e.s.CreateIncident(disp, zhudun.NewIncident{Category: "dispute", Lon: 117.006, Lat: 36.606, CallerPhone: "13700137000"})
	e.must(err)
	_, err = e.s.CloseIncident(disp, closed.ID, zhudun.IncidentClose{Outcome: "mediated"})
	e.must(err)
	open, err := e.s.CreateIncident(disp, zhudun.NewIncident{Category: "dispute", Lon: 117.007, Lat: 36.607, CallerPhone: "13600136000"})
	e.must(err)
	dis := true
	_, err = e.s.UpdateUser(e.sys, alice.ID, zhudun.UserUpdate{Disabled: &dis})
	e.must(err)
	evs, err := e.s.PendingEvents(e.sys, 10000)
	e.must(err)
	ids := make([]int64, len(evs))
	for i, ev := range evs {
		ids[i] = ev.ID
	}
	e.must(e.s.MarkPublished(e.sys, ids))
	// One more event at t0 that the relay has not published yet.
	d := zhudun.Dept{Code: "ST9", Name: "九所", Kind: zhudun.DeptStation, ParentCode: "SB1"}
	e.must(e.s.CreateDept(e.sys, &d))

	// Two days later: carol signs in again and fails once from 10.9.9.8.
	e.clock.Advance(48 * time.Hour)
	s3, err := e.s.Login(e.sys, req("carol", pw, "10.0.0.8"))
	e.must(err)
	if _, err := e.s.Login(e.sys, req("carol", "wrong-Pass1", "10.9.9.8")); err == nil {
		t.Fatal("wrong password accepted")
	}
	// The pii key is rotated: carol's phone and the open incident's are
	// still sealed under v1 (alice's and the closed incident's are purged).
	if _, err := e.keys.Rotate("pii"); err != nil {
		t.Fatal(err)
	}

	if _, err := e.s.Purge(e.as(u["cmd1"]), sqlstore.Retention{Sessions: time.Hour}); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("Purge as a user = %v, want EFORBIDDEN", err)
	}
	if rep, err := e.s.Purge(e.sys, sqlstore.Retention{}); err != nil || rep.Sessions+rep.LoginFailures+rep.Outbox+rep.CallerPhones+rep.DisabledUsers != 0 {
		t.Fatalf("Purge keeping everything = %+v, %v", rep, err)
	}
	day := 24 * time.Hour
	var unpublished int
	e.must(e.s.DB().QueryRow(`SELECT COUNT(*) FROM outbox WHERE published_at IS NULL`).Scan(&unpublished))
	rep, err := e.s.Purge(e.sys, sqlstore.Retention{Sessions: day, LoginFailures: day, Outbox: day, CallerPhones: day, DisabledUserPII: day})
	e.must(err)
	// The re-seal after the rotation: carol and the open incident (the
	// zero retention above re-sealed them already, so this run finds none).
	if rep.Sessions != 2 || rep.LoginFailures != 2 || rep.CallerPhones != 1 || rep.DisabledUsers != 1 || rep.Outbox == 0 {
		t.Fatalf("purge report %+v; want 2 sessions, 2 sign-in counters (addr:10.0.0.7, addr:10.9.9.9), 1 caller phone, 1 disabled user, the old published events", rep)
	}
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		e.must(e.s.DB().QueryRow(q, args...).Scan(&n))
		return n
	}
	if n := count(`SELECT COUNT(*) FROM sessions`); n != 1 {
		t.Errorf("%d sessions left, want carol's new one", n)
	}
	if _, _, err := e.s.Authenticate(e.sys, s3.Token, "10.0.0.8"); err != nil {
		t.Errorf("carol's new session after purge: %v", err)
	}
	var left []string
	rows, err := e.s.DB().Query(`SELECT subject FROM login_guard ORDER BY subject`)
	e.must(err)
	for rows.Next() {
		var s string
		e.must(rows.Scan(&s))
		left = append(left, s)
	}
	rows.Close()
	// The guard counts every attempt per address (a success gives it back),
	// so carol's address, used again today, has a fresh window and stays.
	if len(left) != 2 || left[0] != "addr:10.0.0.8" || left[1] != "addr:10.9.9.8" {
		t.Errorf("login guard counters left %v, want today's [addr:10.0.0.8 addr:10.9.9.8]", left)
	}
	// Left in the outbox: every unpublished event (ST9's from t0 among
	// them) plus the purge's own audit event, and nothing published before
	// the cut.
	if n := count(`SELECT COUNT(*) FROM outbox WHERE published_at IS NULL`); n != unpublished+1 || unpublished == 0 {
		t.Errorf("%d unpublished events left of %d", n, unpublished)
	}
	if n := count(`SELECT COUNT(*) FROM outbox WHERE published_at IS NOT NULL`); n != 0 {
		t.Errorf("%d published events left", n)
	}
	if n := count(`SELECT COUNT(*) FROM incidents WHERE phone_enc <> '' OR phone_idx <> '' OR phone_mask <> ''`); n != 1 {
		t.Errorf("%d incidents with a caller phone, want the open one", n)
	}
	if phone, err := e.s.RevealIncidentPII(e.as(u["ana1"]), open.ID, "涉诈线索核查"); err != nil || phone != "13600136000" {
		t.Errorf("open incident's phone: %q %v", phone, err)
	}
	if n := count(`SELECT COUNT(*) FROM users WHERE id = $1 AND phone_enc = '' AND phone_idx = '' AND phone_mask = '' AND idno_enc = '' AND idno_idx = '' AND idno_mask = ''`, alice.ID); n != 1 {
		t.Error("alice's personal data survived")
	}
	if n := count(`SELECT COUNT(*) FROM users WHERE id = $1 AND phone_enc <> ''`, carol.ID); n != 1 {
		t.Error("carol's phone was cleared; she is not disabled")
	}
	if n := e.auditCount("retention.purge"); n != 2 {
		t.Errorf("%d retention.purge audit rows, want 2 (the re-seal run and this one)", n)
	}
	// v1 seals nothing any more: it can be retired.
	use, err := e.s.KeyUsage(e.sys)
	e.must(err)
	if use[1] != 0 || use[2] != 2 || len(use) != 2 {
		t.Errorf("key usage %v, want map[1:0 2:2] (carol's phone, the open incident's)", use)
	}
	// Nothing left to do: no change, no audit row.
	rep, err = e.s.Purge(e.sys, sqlstore.Retention{Sessions: day, LoginFailures: day, Outbox: day, CallerPhones: day, DisabledUserPII: day})
	if err != nil || rep != (sqlstore.PurgeReport{}) || e.auditCount("retention.purge") != 2 {
		t.Errorf("second purge: %+v %v", rep, err)
	}
}
