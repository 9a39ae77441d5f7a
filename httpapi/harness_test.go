package httpapi_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/blobfs"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/httpapi"
	"github.com/zhudun/zhudun/natsbus"
	"github.com/zhudun/zhudun/relay"
	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
)

const pw = "S3cure!pass"

type harness struct {
	t      *testing.T
	store  *sqlstore.Store
	srv    *httptest.Server
	api    *httpapi.Server
	users  map[string]*zhudun.User
	tokens map[string]string
	blobs  string // the attachments' blob directory
}

// newHarness starts the real API on SQLite and an embedded bus, with the
// outbox relay running, over this tree:
//
//	ROOT: rootadm (sysadmin), sec (secadmin), aud (auditadmin)
//	SB1:  sb1adm (sysadmin), ana1 (analyst)    ST1: off1 (officer)
//	SB2:  sb2adm (sysadmin)                    ST2: off2 (officer)
func newHarness(t *testing.T, opts ...func(*sqlstore.Options)) *harness {
	t.Helper()
	return newHarnessWith(t, nil, opts...)
}

// newHarnessWith is newHarness with the API's configuration changed by cfg
// (limits a test wants small).
func newHarnessWith(t *testing.T, cfg func(*httpapi.Config), opts ...func(*sqlstore.Options)) *harness {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	// The API's own tests sign administrators in without a second factor
	// (the default policy asks one of them); the TOTP tests set their own.
	none := []string{}
	keys := gmcrypto.Generate()
	blobs, err := blobfs.New(filepath.Join(dir, "attachments"))
	if err != nil {
		t.Fatal(err)
	}
	o := sqlstore.Options{Keys: keys, Blobs: blobs, Policy: zhudun.PolicyOverrides{TOTPRoles: &none}}
	for _, f := range opts {
		f(&o)
	}
	store, err := sqlite.Open(ctx, filepath.Join(dir, "zhudun.db"), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	bus, err := natsbus.Open(ctx, natsbus.Config{DataDir: dir, Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	c := httpapi.Config{Store: store, Bus: bus, Version: "test"}
	if cfg != nil {
		cfg(&c)
	}
	api := httpapi.New(c)
	if err := api.Start(ctx); err != nil {
		t.Fatal(err)
	}
	go relay.Run(ctx, store, bus, 50*time.Millisecond, slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	h := &harness{t: t, store: store, srv: srv, api: api, users: map[string]*zhudun.User{}, tokens: map[string]string{}, blobs: filepath.Join(dir, "attachments")}
	sys := zhudun.WithCaller(ctx, zhudun.SystemCaller("test"))
	for _, d := range []zhudun.Dept{
		{Code: "SB1", Name: "一分局", Kind: "subbureau"}, {Code: "SB2", Name: "二分局", Kind: "subbureau"},
		{Code: "ST1", Name: "一所", ParentCode: "SB1"}, {Code: "ST2", Name: "二所", ParentCode: "SB2"},
	} {
		d := d
		if err := store.CreateDept(sys, &d); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []struct{ name, dept, role string }{
		{"rootadm", "ROOT", "sysadmin"}, {"sec", "ROOT", "secadmin"}, {"aud", "ROOT", "auditadmin"},
		{"sb1adm", "SB1", "sysadmin"}, {"ana1", "SB1", "analyst"}, {"off1", "ST1", "officer"},
		{"sb2adm", "SB2", "sysadmin"}, {"off2", "ST2", "officer"},
	} {
		nu, err := store.CreateUser(sys, zhudun.NewUser{Username: u.name, DeptCode: u.dept, Password: pw, Own: true, Roles: []string{u.role},
			Phone: "13912345678", IDNumber: "11010519491231002X"})
		if err != nil {
			t.Fatal(err)
		}
		h.users[u.name] = nu
		h.tokens[u.name] = h.login(u.name, pw)
	}
	return h
}

func (h *harness) login(user, pass string) string {
	h.t.Helper()
	res := h.do("", "POST", "/api/v1/auth/login", map[string]string{"username": user, "password": pass})
	if res.status != 200 {
		h.t.Fatalf("login %s: %d %s", user, res.status, res.body)
	}
	var b struct{ Token string }
	json.Unmarshal(res.body, &b)
	return b.Token
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) code() string {
	var b struct{ Error struct{ Code string } }
	json.Unmarshal(r.body, &b)
	return b.Error.Code
}

func (r response) total() int {
	var b struct{ Total int }
	json.Unmarshal(r.body, &b)
	return b.Total
}

// csvBody is a request body sent as text/csv, not as JSON.
type csvBody string

// do sends a request as user (by bearer token; "" for none).
func (h *harness) do(user, method, path string, body any) response {
	h.t.Helper()
	var rd io.Reader
	if c, ok := body.(csvBody); ok {
		rd = strings.NewReader(string(c))
	} else if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, h.srv.URL+path, rd)
	if _, ok := body.(csvBody); ok {
		req.Header.Set("Content-Type", "text/csv")
	}
	return h.send(user, req)
}

// send sends a built request as user (by bearer token; "" for none).
func (h *harness) send(user string, req *http.Request) response {
	h.t.Helper()
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+h.tokens[user])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// stream opens the event stream as user and returns a channel of events.
func (h *harness) stream(user string) <-chan map[string]any {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h.t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", h.srv.URL+"/api/v1/events/stream", nil)
	req.Header.Set("Authorization", "Bearer "+h.tokens[user])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		h.t.Fatalf("stream as %s: %d %s", user, res.StatusCode, res.Header.Get("Content-Type"))
	}
	out := make(chan map[string]any, 100)
	ready := make(chan struct{})
	go func() {
		defer close(out) // the stream ended
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			line := sc.Text()
			if line == ": connected" {
				close(ready)
			}
			if strings.HasPrefix(line, "data: ") {
				var ev map[string]any
				if json.Unmarshal([]byte(line[6:]), &ev) == nil {
					out <- ev
				}
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
		h.t.Fatal("stream did not connect")
	}
	return out
}
