package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestHostileClient(t *testing.T) {
	h := newHarness(t)
	// SQL in the login fields is just a wrong password.
	for _, body := range []map[string]string{
		{"username": "rootadm' OR '1'='1", "password": "x' OR 1=1 --"},
		{"username": "rootadm", "password": "' OR ''='"},
		{"username": "'; DROP TABLE users; --", "password": "x"},
	} {
		if res := h.do("", "POST", "/api/v1/auth/login", body); res.status != 401 || res.code() != "EUNAUTHORIZED" {
			t.Errorf("login %v: %d %s", body, res.status, res.body)
		}
	}
	// A 12 MB body is refused before it is read.
	big := strings.NewReader(`{"username":"` + strings.Repeat("a", 12<<20) + `"}`)
	res, err := http.Post(h.srv.URL+"/api/v1/auth/login", "application/json", big)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 413 {
		t.Errorf("12 MB body: %d", res.StatusCode)
	}
	// A cross-origin POST riding the session cookie.
	req, _ := http.NewRequest("POST", h.srv.URL+"/api/v1/users", strings.NewReader(`{"username":"evil","password":"Init!al123"}`))
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.AddCookie(&http.Cookie{Name: "zhudun_session", Value: h.tokens["rootadm"]})
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 403 {
		t.Errorf("cross-origin POST: %d", res.StatusCode)
	}
	if r := h.do("rootadm", "GET", "/api/v1/users?username=evil", nil); r.total() != 0 {
		t.Errorf("cross-origin POST created a user")
	}
	// Traversal attempts.
	for _, p := range []string{"/..%2f..%2fetc%2fpasswd", "/assets/..%2f..%2f..%2fetc/passwd", "/api/v1/..%2fhealthz", "/%2e%2e/%2e%2e/etc/passwd"} {
		req, _ := http.NewRequest("GET", h.srv.URL+p, nil)
		req.URL.RawPath = p
		req.URL.Path, _ = pathUnescape(p)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode < 400 || res.StatusCode >= 500 {
			t.Errorf("%s: %d", p, res.StatusCode)
		}
	}
	// Malformed JSON and wrong types name the problem.
	if r := h.do("rootadm", "POST", "/api/v1/depts", map[string]any{"code": 5}); r.status != 400 || !strings.Contains(string(r.body), `"field":"code"`) {
		t.Errorf("wrong type: %d %s", r.status, r.body)
	}
	if r := h.do("rootadm", "POST", "/api/v1/depts", map[string]any{"code": "X1", "name": "x", "evil": true}); r.status != 400 || !strings.Contains(string(r.body), `"field":"evil"`) {
		t.Errorf("unknown field: %d %s", r.status, r.body)
	}
	// And the server keeps serving.
	if r := h.do("", "GET", "/healthz", nil); r.status != 200 {
		t.Errorf("healthz after attacks: %d", r.status)
	}
}

func pathUnescape(p string) (string, error) {
	r := strings.NewReplacer("%2f", "/", "%2F", "/", "%2e", ".", "%2E", ".")
	return r.Replace(p), nil
}

func TestHeadersAndCookie(t *testing.T) {
	h := newHarness(t)
	res, err := http.Post(h.srv.URL+"/api/v1/auth/login", "application/json", strings.NewReader(`{"username":"off1","password":"`+pw+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var c *http.Cookie
	for _, x := range res.Cookies() {
		if x.Name == "zhudun_session" {
			c = x
		}
	}
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure {
		t.Fatalf("session cookie %+v (plain HTTP: not Secure)", c)
	}
	for _, p := range []string{"/api/v1/me", "/healthz", "/", "/some/client/route"} {
		r := h.do("off1", "GET", p, nil)
		if r.header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(r.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
			r.header.Get("Referrer-Policy") == "" {
			t.Errorf("%s headers: %v", p, r.header)
		}
	}
	if r := h.do("", "GET", "/api/v1/nosuch", nil); r.status != 404 || r.code() != "ENOTFOUND" {
		t.Errorf("unknown API path: %d %s", r.status, r.body)
	}
}

func TestLockoutOverHTTP(t *testing.T) {
	h := newHarness(t)
	for i := 1; i <= 6; i++ {
		r := h.do("", "POST", "/api/v1/auth/login", map[string]string{"username": "rootadm", "password": "Wrong!pass1"})
		want := 401
		if i >= 5 {
			want = 423
		}
		if r.status != want {
			t.Fatalf("attempt %d: %d %s", i, r.status, r.body)
		}
	}
	r := h.do("", "POST", "/api/v1/auth/login", map[string]string{"username": "rootadm", "password": pw})
	var b struct {
		Error struct {
			RetryAfter int `json:"retry_after"`
		}
	}
	json.Unmarshal(r.body, &b)
	if r.status != 423 || r.code() != "ELOCKED" || b.Error.RetryAfter < 890 || r.header.Get("Retry-After") == "" {
		t.Fatalf("right password while locked: %d %s", r.status, r.body)
	}
}

func TestMustChangePassword(t *testing.T) {
	h := newHarness(t)
	if r := h.do("sb1adm", "POST", "/api/v1/users", map[string]any{"username": "newbie", "name": "新警员", "dept_code": "ST1", "password": "Init!al123"}); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	h.tokens["newbie"] = h.login("newbie", "Init!al123")
	if r := h.do("newbie", "GET", "/api/v1/me", nil); r.status != 403 || r.code() != "EMUSTCHANGE" {
		t.Fatalf("me before change: %d %s", r.status, r.body)
	}
	if r := h.do("newbie", "POST", "/api/v1/auth/password", map[string]string{"old": "Init!al123", "new": "short"}); r.status != 400 || !strings.Contains(string(r.body), `"field":"new"`) {
		t.Fatalf("weak new password: %d %s", r.status, r.body)
	}
	if r := h.do("newbie", "POST", "/api/v1/auth/password", map[string]string{"old": "Init!al123", "new": "Mine!2026pw"}); r.status != 204 {
		t.Fatalf("change: %d %s", r.status, r.body)
	}
	if r := h.do("newbie", "GET", "/api/v1/me", nil); r.status != 200 || !strings.Contains(string(r.body), `"username":"newbie"`) {
		t.Fatalf("me after change: %d %s", r.status, r.body)
	}
	if r := h.do("newbie", "POST", "/api/v1/auth/logout", nil); r.status != 204 {
		t.Fatalf("logout: %d", r.status)
	}
	if r := h.do("newbie", "GET", "/api/v1/me", nil); r.status != 401 {
		t.Fatalf("me after logout: %d", r.status)
	}
}

func TestPersonalDataMasked(t *testing.T) {
	h := newHarness(t)
	r := h.do("sb1adm", "GET", "/api/v1/users/"+itoa(h.users["off1"].ID), nil)
	if !strings.Contains(string(r.body), `"phone":"139****5678"`) || !strings.Contains(string(r.body), `"id_number":"110105********002X"`) ||
		strings.Contains(string(r.body), "13912345678") {
		t.Fatalf("masked user: %s", r.body)
	}
	r = h.do("ana1", "POST", "/api/v1/users/"+itoa(h.users["off1"].ID)+"/pii", map[string]string{"reason": "涉诈线索核查"})
	if r.status != 200 || !strings.Contains(string(r.body), `"phone":"13912345678"`) {
		t.Fatalf("reveal: %d %s", r.status, r.body)
	}
}

// TestEventStream: events reach browsers filtered by permission and scope,
// including changes made directly in the store (as the CLI does).
func TestEventStream(t *testing.T) {
	h := newHarness(t)
	root, sb1, sb2, aud, off1 := h.stream("rootadm"), h.stream("sb1adm"), h.stream("sb2adm"), h.stream("aud"), h.stream("off1")
	if r := h.do("rootadm", "POST", "/api/v1/users", map[string]any{"username": "st2new", "dept_code": "ST2", "password": "Init!al123"}); r.status != 201 {
		t.Fatal(r.status)
	}
	if r := h.do("rootadm", "POST", "/api/v1/users", map[string]any{"username": "st1new", "dept_code": "ST1", "password": "Init!al123"}); r.status != 201 {
		t.Fatal(r.status)
	}
	want := func(ch <-chan map[string]any, typ, username string) {
		t.Helper()
		deadline := time.After(5 * time.Second)
		for {
			select {
			case ev := <-ch:
				if len(ev) != 4 {
					t.Fatalf("event has fields %v; want type, id, at, data", keys(ev))
				}
				d, _ := ev["data"].(map[string]any)
				if ev["type"] == typ && d["username"] == username {
					return
				}
			case <-deadline:
				t.Fatalf("no %s for %s", typ, username)
			}
		}
	}
	none := func(ch <-chan map[string]any, who string, forbidden func(ev map[string]any) bool) {
		t.Helper()
		for {
			select {
			case ev := <-ch:
				if forbidden(ev) {
					t.Errorf("%s received %v", who, ev)
				}
			case <-time.After(300 * time.Millisecond):
				return
			}
		}
	}
	want(root, "user.created", "st2new")
	want(root, "user.created", "st1new")
	want(sb2, "user.created", "st2new")
	want(sb1, "user.created", "st1new")
	want(aud, "audit.appended", "rootadm")
	none(sb1, "sb1adm", func(ev map[string]any) bool {
		d, _ := ev["data"].(map[string]any)
		return d["username"] == "st2new" || ev["type"] == "audit.appended"
	})
	none(off1, "off1", func(map[string]any) bool { return true })
}

func keys(m map[string]any) []string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	sort.Strings(k)
	return k
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// TestOpenAPIMatchesRoutes: the document lists exactly the routes served.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	h := newHarness(t)
	r := h.do("", "GET", "/api/v1/openapi.json", nil)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil || doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi.json: %v %q", err, doc.OpenAPI)
	}
	inDoc := map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			if m != "parameters" {
				inDoc[strings.ToUpper(m)+" "+p] = true
			}
		}
	}
	served := map[string]bool{}
	for _, rt := range h.api.Routes() {
		served[rt.Method+" "+rt.Path] = true
	}
	for k := range served {
		if !inDoc[k] {
			t.Errorf("route %s is not in openapi.json", k)
		}
	}
	for k := range inDoc {
		if !served[k] {
			t.Errorf("openapi.json lists %s, which is not served", k)
		}
	}
	if len(served) < 25 {
		t.Fatalf("only %d routes", len(served))
	}
}

// TestDeniedRequestsAudited: forbidden requests, requests with a dead session
// and anonymous writes leave an audit row; anonymous reads do not.
func TestDeniedRequestsAudited(t *testing.T) {
	h := newHarness(t)
	h.do("off1", "GET", "/api/v1/users", nil)                          // 403
	h.do("", "POST", "/api/v1/depts", map[string]string{"code": "X1"}) // anonymous write
	h.do("", "GET", "/api/v1/users", nil)                              // anonymous read: not audited
	h.tokens["ghost"] = "forged-token"
	h.do("ghost", "GET", "/api/v1/users", nil) // dead session
	// Refusals without a caller are counted in spans (TestAnonymousFlood),
	// appended when a span closes or, as here, at shutdown.
	if r := h.do("aud", "GET", "/api/v1/audit?action=request.denied", nil); r.total() != 1 {
		t.Fatalf("denied rows before the spans close: %d; want off1's only", r.total())
	}
	if err := h.api.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := h.do("aud", "GET", "/api/v1/audit?action=request.denied", nil)
	if r.total() != 3 || !strings.Contains(string(r.body), `"username":"off1"`) || !strings.Contains(string(r.body), `"username":"(anonymous)"`) {
		t.Fatalf("denied rows: %d %s", r.total(), r.body)
	}
}
