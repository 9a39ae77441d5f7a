package httpapi_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// upload posts a CSV file as user, as the history page sends it.
func (h *harness) upload(user, source, csv string) response {
	h.t.Helper()
	return h.do(user, "POST", "/api/v1/incidents/import?source="+url.QueryEscape(source), csvBody(csv))
}

// TestIncidentHistoryUpload: a commander uploads history for its own
// stations; a bad line rejects the whole file, naming line and field; the
// corrected file goes in and, sent again, is skipped; a dispatcher (no
// incident:import) is refused; the upload is audited as the commander.
func TestIncidentHistoryUpload(t *testing.T) {
	h := newHarness(t)
	sys := zhudun.WithCaller(t.Context(), zhudun.SystemCaller("test"))
	for _, u := range []struct{ name, dept, role string }{{"cmd1", "SB1", "commander"}, {"disp1", "SB1", "dispatcher"}, {"cmd2", "SB2", "commander"}} {
		nu, err := h.store.CreateUser(sys, zhudun.NewUser{Username: u.name, DeptCode: u.dept, Password: pw, Own: true, Roles: []string{u.role}})
		if err != nil {
			t.Fatal(err)
		}
		h.users[u.name] = nu
		h.tokens[u.name] = h.login(u.name, pw)
	}
	if r := h.do("cmd1", "POST", "/api/v1/grids", fc(squareFeature("A1", "ST1", 117.00, 36.60, 0.01, nil))); r.status != 200 {
		t.Fatalf("grids: %d %s", r.status, r.body)
	}
	if r := h.do("cmd2", "POST", "/api/v1/grids", fc(squareFeature("B1", "ST2", 117.00, 36.62, 0.01, nil))); r.status != 200 {
		t.Fatalf("grids: %d %s", r.status, r.body)
	}
	const head = "category,lon,lat,received_at,closed_at,outcome,address\n"
	good := "dispute,117.005,36.605,2025-05-01 10:00,2025-05-01 11:00,mediated,甲路1号\n" +
		"criminal,117.006,36.606,2025-05-02 10:00,2025-05-02 12:00,criminal_case,甲路2号\n"
	bad := head + good +
		"dispute,117.005,north,2025-05-03 10:00,,,\n" + // line 4: lat
		"dispute,117.005,36.625,2025-05-03 10:00,,,\n" + // line 5: B1, another sub-bureau's
		"theft,117.005,36.605,2025-05-03 10:00,,,\n" // line 6: category

	r := h.upload("cmd1", "may.csv", bad)
	var rej struct {
		Error    struct{ Code string }
		Problems []struct {
			Line    int
			Field   string
			Message string
		}
	}
	decodeInto(t, r, &rej)
	// Every problem at once: the line that does not parse, and the store's
	// checks of the others; nothing stored.
	if r.status != 400 || rej.Error.Code != "EINVALID" || len(rej.Problems) != 3 || rej.Problems[0].Line != 4 || rej.Problems[0].Field != "lat" ||
		rej.Problems[1].Line != 5 || rej.Problems[2].Line != 6 {
		t.Fatalf("a line that does not parse: %d %s", r.status, r.body)
	}
	if n := h.do("cmd1", "GET", "/api/v1/incidents?status=closed", nil).total(); n != 0 {
		t.Fatalf("a rejected file stored %d incidents", n)
	}
	// With the form right, the store's checks name their lines.
	bad = strings.Replace(bad, "north", "36.607", 1)
	r = h.upload("cmd1", "may.csv", bad)
	rej.Problems = nil
	decodeInto(t, r, &rej)
	if r.status != 400 || len(rej.Problems) != 2 || rej.Problems[0].Line != 5 || rej.Problems[0].Field != "lon" || !strings.Contains(rej.Problems[0].Message, "outside your area") ||
		rej.Problems[1].Line != 6 || rej.Problems[1].Field != "category" {
		t.Fatalf("lines outside the area and with an unknown category: %d %s", r.status, r.body)
	}
	if n := h.do("cmd1", "GET", "/api/v1/incidents?status=closed", nil).total(); n != 0 {
		t.Fatalf("a rejected file stored %d incidents", n)
	}
	var ok struct{ Rows, Stored, Skipped int }
	r = h.upload("cmd1", "may.csv", head+good)
	decodeInto(t, r, &ok)
	if r.status != 200 || ok.Rows != 2 || ok.Stored != 2 || ok.Skipped != 0 {
		t.Fatalf("the corrected file: %d %s", r.status, r.body)
	}
	r = h.upload("cmd1", "may.csv", head+good)
	decodeInto(t, r, &ok)
	if r.status != 200 || ok.Stored != 0 || ok.Skipped != 2 {
		t.Fatalf("the same file again: %d %s", r.status, r.body)
	}
	if n := h.do("cmd1", "GET", "/api/v1/incidents?status=closed", nil).total(); n != 2 {
		t.Fatalf("cmd1 lists %d incidents, want 2", n)
	}
	if r := h.upload("disp1", "may.csv", head+good); r.status != 403 {
		t.Fatalf("a dispatcher uploads: %d %s", r.status, r.body)
	}
	if r := h.upload("cmd1", "", head+good); r.status != 400 || !strings.Contains(string(r.body), `"field":"source"`) {
		t.Fatalf("no source: %d %s", r.status, r.body)
	}
	rows, _, err := h.store.FindAudit(sys, zhudun.AuditFilter{Action: "incident.import"})
	if err != nil || len(rows) != 1 || rows[0].Username != "cmd1" {
		t.Fatalf("audit: %+v %v", rows, err)
	}
	var d map[string]any
	json.Unmarshal(rows[0].Detail, &d)
	if d["source"] != "may.csv" || d["rows"] != float64(2) {
		t.Fatalf("audit detail %s", rows[0].Detail)
	}
}

// TestPreviousLogin: /me's previous_login is the sign-in before the
// current session, not the current one, and stays put during the session.
func TestPreviousLogin(t *testing.T) {
	h := newHarness(t)
	sys := zhudun.WithCaller(t.Context(), zhudun.SystemCaller("test"))
	if _, err := h.store.CreateUser(sys, zhudun.NewUser{Username: "prevlogin", DeptCode: "ST1", Password: pw, Own: true, Roles: []string{"officer"}}); err != nil {
		t.Fatal(err)
	}
	type me struct {
		Session struct {
			CreatedAt time.Time `json:"created_at"`
		}
		PreviousLogin *zhudun.LoginRecord `json:"previous_login"`
	}
	get := func(name string) me {
		t.Helper()
		var m me
		r := h.do(name, "GET", "/api/v1/me", nil)
		if r.status != 200 {
			t.Fatalf("/me as %s: %d %s", name, r.status, r.body)
		}
		decodeInto(t, r, &m)
		return m
	}
	h.tokens["first"] = h.login("prevlogin", pw)
	first := get("first")
	if first.PreviousLogin != nil {
		t.Fatalf("the first sign-in shows a previous one: %+v", first.PreviousLogin)
	}
	time.Sleep(20 * time.Millisecond) // distinct session times
	h.tokens["second"] = h.login("prevlogin", pw)
	second := get("second")
	if p := second.PreviousLogin; p == nil || !p.At.Equal(first.Session.CreatedAt) || p.ClientAddr != "127.0.0.1" {
		t.Fatalf("second session's previous login %+v, want %v from 127.0.0.1", p, first.Session.CreatedAt)
	}
	time.Sleep(20 * time.Millisecond)
	h.tokens["third"] = h.login("prevlogin", pw)
	if p := get("third").PreviousLogin; p == nil || !p.At.Equal(second.Session.CreatedAt) {
		t.Fatalf("third session's previous login %+v, want the second's %v", p, second.Session.CreatedAt)
	}
	if p := get("second").PreviousLogin; p == nil || !p.At.Equal(first.Session.CreatedAt) {
		t.Fatalf("the second session's answer moved to %+v", p)
	}
}
