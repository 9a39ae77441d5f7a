package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/totp"
)

func login(e *env, user, pass, addr string) (*zhudun.Session, error) {
	return e.s.Login(context.Background(), zhudun.LoginRequest{Username: user, Password: pass, ClientAddr: addr})
}

func testLogin(t *testing.T, b Backend) {
	e := newEnv(t, b)
	u := e.matrixUsers()
	sess, err := login(e, "off1", pw, "10.1.1.1")
	if err != nil || sess.Token == "" || sess.MustChangePassword {
		t.Fatalf("login: %+v %v", sess, err)
	}
	// Administrator-set password: must change.
	nu, err := e.s.CreateUser(e.as(u["sb1adm"]), zhudun.NewUser{Username: "new1", DeptCode: "ST1", Password: "Init!al123"})
	e.must(err)
	if s, err := login(e, "new1", "Init!al123", "10.1.1.1"); err != nil || !s.MustChangePassword {
		t.Fatalf("new user login: %+v %v", s, err)
	}
	_ = nu
	// One message for a wrong user and a wrong password.
	_, e1 := login(e, "nosuch", pw, "10.1.1.2")
	_, e2 := login(e, "off2", "Wrong!pass1", "10.1.1.2")
	if code(e1) != zhudun.EUNAUTHORIZED || code(e2) != zhudun.EUNAUTHORIZED || zhudun.ErrorMessage(e1) != zhudun.ErrorMessage(e2) {
		t.Fatalf("wrong user %v / wrong password %v", e1, e2)
	}
	// Four more wrong passwords: the fifth in a row locks.
	for i := 2; i <= 4; i++ {
		if _, err := login(e, "off2", "Wrong!pass1", "10.1.1.2"); code(err) != zhudun.EUNAUTHORIZED {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	_, err = login(e, "off2", "Wrong!pass1", "10.1.1.2")
	var ze *zhudun.Error
	if code(err) != zhudun.ELOCKED || !asErr(err, &ze) || ze.RetryAfter != 900 {
		t.Fatalf("fifth failure: %v", err)
	}
	if _, err := login(e, "off2", pw, "10.1.1.3"); code(err) != zhudun.ELOCKED {
		t.Fatalf("right password while locked: %v", err)
	}
	// Administrators are locked too.
	for i := 0; i < 5; i++ {
		_, err = login(e, "rootadm", "Wrong!pass1", "10.1.1.4")
	}
	if code(err) != zhudun.ELOCKED {
		t.Fatalf("admin lock: %v", err)
	}
	e.clock.Advance(15*time.Minute + time.Second)
	if _, err := login(e, "off2", pw, "10.1.1.3"); err != nil {
		t.Fatalf("after the lock expires: %v", err)
	}
	// Twenty failures from one address, over many names, refuse the address.
	for i := 0; i < 20; i++ {
		if _, err := login(e, fmt.Sprintf("guess%d", i), "Wrong!pass1", "10.6.6.6"); code(err) != zhudun.EUNAUTHORIZED {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	if _, err := login(e, "off1", pw, "10.6.6.6"); code(err) != zhudun.ETOOMANY || !asErr(err, &ze) || ze.RetryAfter <= 0 {
		t.Fatalf("throttled address: %v", err)
	}
	if _, err := login(e, "off1", pw, "10.7.7.7"); err != nil {
		t.Fatalf("another address: %v", err)
	}
	e.clock.Advance(16 * time.Minute)
	if _, err := login(e, "off1", pw, "10.6.6.6"); err != nil {
		t.Fatalf("address after the window: %v", err)
	}
	// Disabled accounts cannot sign in, with the same message.
	yes := true
	_, err = e.s.UpdateUser(e.sys, u["off1"].ID, zhudun.UserUpdate{Disabled: &yes})
	e.must(err)
	if _, err := login(e, "off1", pw, "10.1.1.5"); code(err) != zhudun.EUNAUTHORIZED {
		t.Fatalf("disabled: %v", err)
	}
	// TOTP: enrol, then a code is required and cannot be replayed.
	ctx := e.as(u["sq1"])
	enr, err := e.s.BeginTOTP(ctx)
	e.must(err)
	c, _ := totp.Code(enr.Secret, totp.Counter(e.clock.Now()))
	if err := e.s.ConfirmTOTP(ctx, "000000"); code(err) != zhudun.EINVALID && c != "000000" {
		t.Fatalf("confirm with a wrong code: %v", err)
	}
	e.must(e.s.ConfirmTOTP(ctx, c))
	if _, err := login(e, "sq1", pw, "10.1.1.6"); code(err) != zhudun.EOTPREQUIRED {
		t.Fatalf("login without code: %v", err)
	}
	e.clock.Advance(30 * time.Second)
	c2, _ := totp.Code(enr.Secret, totp.Counter(e.clock.Now()))
	if _, err := e.s.Login(context.Background(), zhudun.LoginRequest{Username: "sq1", Password: pw, OTP: c2, ClientAddr: "10.1.1.6"}); err != nil {
		t.Fatalf("login with code: %v", err)
	}
	if _, err := e.s.Login(context.Background(), zhudun.LoginRequest{Username: "sq1", Password: pw, OTP: c2, ClientAddr: "10.1.1.6"}); code(err) != zhudun.EUNAUTHORIZED {
		t.Fatalf("replayed code: %v", err)
	}
	// Every attempt is in the audit log.
	aud := e.as(u["aud"])
	_, nFail, err := e.s.FindAudit(aud, zhudun.AuditFilter{Action: "auth.login", Result: zhudun.ResultFailed, Limit: 1})
	e.must(err)
	_, nOK, err := e.s.FindAudit(aud, zhudun.AuditFilter{Action: "auth.login", Result: zhudun.ResultOK, Limit: 1})
	e.must(err)
	// failures: nosuch, off2×5, off2 while locked, rootadm×5, guess×20, off1 throttled is "denied", off1 disabled, sq1 replay = 34
	if nFail != 34 || nOK != 6 {
		t.Fatalf("audit: %d failed, %d ok sign-ins; want 34 and 6", nFail, nOK)
	}

	// A second-factor user whose right password takes the last slot is
	// asked for the code, and the code can still be given (once): the
	// attempt with it takes that slot — a right code signs in, a wrong one
	// locks.
	withCode := func(otp string) error {
		_, err := e.s.Login(context.Background(), zhudun.LoginRequest{Username: "sq1", Password: pw, OTP: otp, ClientAddr: "10.9.9.9"})
		return err
	}
	for round, codeRight := range []bool{true, false} {
		e.clock.Advance(16 * time.Minute)
		// A sign-in first: failures count in a row (the replay above is one).
		c0, _ := totp.Code(enr.Secret, totp.Counter(e.clock.Now()))
		if err := withCode(c0); err != nil {
			t.Fatalf("round %d: sign-in: %v", round, err)
		}
		e.clock.Advance(30 * time.Second)
		for i := range 4 {
			if _, err := login(e, "sq1", "Wrong!pass1", fmt.Sprintf("10.8.%d.%d", round, i)); code(err) != zhudun.EUNAUTHORIZED {
				t.Fatalf("round %d, wrong password %d: %v", round, i, err)
			}
		}
		if _, err := login(e, "sq1", pw, "10.9.9.9"); code(err) != zhudun.EOTPREQUIRED {
			t.Fatalf("round %d: the right password on the last slot: %v; want EOTPREQUIRED", round, err)
		}
		c, _ := totp.Code(enr.Secret, totp.Counter(e.clock.Now()))
		if !codeRight {
			c = fmt.Sprintf("%06d", (atoi(c)+1)%1000000)
		}
		err := withCode(c)
		if codeRight && err != nil {
			t.Fatalf("round %d: the code after the last slot: %v; want a session", round, err)
		}
		if !codeRight {
			if code(err) != zhudun.ELOCKED {
				t.Fatalf("round %d: a wrong code on the last slot: %v; want ELOCKED", round, err)
			}
			e.clock.Advance(30 * time.Second)
			right, _ := totp.Code(enr.Secret, totp.Counter(e.clock.Now()))
			if err := withCode(right); code(err) != zhudun.ELOCKED {
				t.Fatalf("round %d: the right code once locked: %v; want ELOCKED", round, err)
			}
		}
		e.clock.Advance(30 * time.Second)
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func testSessions(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	e.user("off1", "ST1", zhudun.RoleOfficer)
	s1, err := login(e, "off1", pw, "10.1.1.1")
	e.must(err)
	s2, err := login(e, "off1", pw, "10.1.1.1")
	e.must(err)
	_, c, err := e.s.Authenticate(context.Background(), s1.Token, "10.1.1.1")
	if err != nil || c.Username != "off1" || c.DeptCode != "ST1" {
		t.Fatalf("authenticate: %+v %v", c, err)
	}
	for i := 0; i < 3; i++ { // activity keeps the session alive past 30 minutes in all
		e.clock.Advance(29 * time.Minute)
		if _, _, err := e.s.Authenticate(context.Background(), s1.Token, ""); err != nil {
			t.Fatalf("active session ended at step %d: %v", i, err)
		}
	}
	if _, _, err := e.s.Authenticate(context.Background(), s2.Token, ""); code(err) != zhudun.EUNAUTHORIZED {
		t.Fatalf("idle session still valid: %v", err)
	}
	if _, _, err := e.s.Authenticate(context.Background(), "forged", ""); code(err) != zhudun.EUNAUTHORIZED {
		t.Fatalf("forged token: %v", err)
	}
	s3, err := login(e, "off1", pw, "10.1.1.1")
	e.must(err)
	ctx := zhudun.WithCaller(context.Background(), c)
	if err := e.s.ChangePassword(ctx, s1.Token, "Wrong!pass1", "N3w!passw0rd"); code(err) != zhudun.EINVALID || field(err) != "old" {
		t.Fatalf("wrong old: %v", err)
	}
	if err := e.s.ChangePassword(ctx, s1.Token, pw, "weakpassword"); code(err) != zhudun.EINVALID || field(err) != "new" {
		t.Fatalf("weak new: %v", err)
	}
	if err := e.s.ChangePassword(ctx, s1.Token, pw, "N3w!passw0rd"); err != nil {
		t.Fatalf("change: %v", err)
	}
	if _, _, err := e.s.Authenticate(context.Background(), s3.Token, ""); code(err) != zhudun.EUNAUTHORIZED {
		t.Fatalf("other session survived a password change: %v", err)
	}
	if _, err := login(e, "off1", pw, "10.1.1.1"); code(err) != zhudun.EUNAUTHORIZED {
		t.Fatalf("old password still works: %v", err)
	}
	e.must(e.s.Logout(ctx, s1.Token))
	if _, _, err := e.s.Authenticate(context.Background(), s1.Token, ""); code(err) != zhudun.EUNAUTHORIZED {
		t.Fatalf("session after logout: %v", err)
	}
	if err := e.s.Logout(ctx, s1.Token); code(err) != zhudun.EUNAUTHORIZED {
		t.Fatalf("second logout: %v", err)
	}
}

// testSessionEnds: a stream's re-check learns when its session ends unless
// used (the idle timeout), so that it can end the stream then; once due, the
// session no longer holds (issue 19 retest item 2).
func testSessionEnds(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.matrixUsers()
	sess, err := login(e, "off1", pw, "10.1.1.1")
	e.must(err)
	got, _, err := e.s.StreamCaller(context.Background(), sess.Token, "10.1.1.1")
	e.must(err)
	idle := zhudun.SessionIdle // the default policy
	if want := e.clock.Now().Add(idle); !got.EndsAt.Equal(want) {
		t.Errorf("EndsAt %v; want %v (now + the idle timeout)", got.EndsAt, want)
	}
	e.clock.Advance(idle + time.Second)
	if _, _, err := e.s.StreamCaller(context.Background(), sess.Token, "10.1.1.1"); code(err) != zhudun.EUNAUTHORIZED {
		t.Errorf("past EndsAt: %v; want EUNAUTHORIZED", err)
	}
}
