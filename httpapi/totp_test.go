package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun/sqlstore"
	"github.com/zhudun/zhudun/totp"
)

// TestMandatoryTOTP: with a second factor required of sysadmins, a sysadmin
// can do nothing but enrol; afterwards sign-in needs the code.
func TestMandatoryTOTP(t *testing.T) {
	h := newHarness(t, func(o *sqlstore.Options) { o.Policy.TOTPRoles = &[]string{"sysadmin"} })
	if r := h.do("rootadm", "GET", "/api/v1/users", nil); r.status != 403 || r.code() != "EMUSTENROLL" {
		t.Fatalf("before enrolment: %d %s", r.status, r.body)
	}
	if r := h.do("off1", "GET", "/api/v1/depts", nil); r.status != 200 {
		t.Fatalf("officers are not required to enrol: %d %s", r.status, r.body)
	}
	r := h.do("rootadm", "POST", "/api/v1/me/totp", nil)
	var enr struct{ Secret, URI string }
	if json.Unmarshal(r.body, &enr); r.status != 200 || enr.Secret == "" {
		t.Fatalf("begin: %d %s", r.status, r.body)
	}
	if r := h.do("rootadm", "POST", "/api/v1/me/totp/confirm", map[string]string{"code": "12345"}); r.status != 400 {
		t.Fatalf("confirm with a bad code: %d %s", r.status, r.body)
	}
	now := time.Now()
	code, _ := totp.Code(enr.Secret, totp.Counter(now))
	if r := h.do("rootadm", "POST", "/api/v1/me/totp/confirm", map[string]string{"code": code}); r.status != 204 {
		t.Fatalf("confirm: %d %s", r.status, r.body)
	}
	if r := h.do("rootadm", "GET", "/api/v1/users", nil); r.status != 200 {
		t.Fatalf("after enrolment: %d %s", r.status, r.body)
	}
	if r := h.do("", "POST", "/api/v1/auth/login", map[string]string{"username": "rootadm", "password": pw}); r.status != 401 || r.code() != "EOTPREQUIRED" {
		t.Fatalf("login without code: %d %s", r.status, r.body)
	}
	if r := h.do("", "POST", "/api/v1/auth/login", map[string]string{"username": "rootadm", "password": pw, "otp": code}); r.status != 401 {
		t.Fatalf("login replaying the enrolment code: %d %s", r.status, r.body)
	}
	next, _ := totp.Code(enr.Secret, totp.Counter(now)+1)
	r = h.do("", "POST", "/api/v1/auth/login", map[string]string{"username": "rootadm", "password": pw, "otp": next})
	if r.status != 200 || string(r.body) == "" || !contains(r.body, `"must_enroll_totp":false`) {
		t.Fatalf("login with code: %d %s", r.status, r.body)
	}
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }
