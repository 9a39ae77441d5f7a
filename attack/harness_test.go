package attack

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun/internal/syncbuf"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/zhudun/zhudun/cli"
	"github.com/zhudun/zhudun/internal/testpg"
	_ "github.com/zhudun/zhudun/sqlite"
)

// backend is one storage and bus pair the battery runs against.
type backend struct {
	name string
	pg   bool
}

var backends = []backend{{name: "sqlite+embedded"}, {name: "postgres+nats", pg: true}}

// each runs f once per backend.
func each(t *testing.T, f func(t *testing.T, b backend)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { f(t, b) })
	}
}

func natsURL() string {
	if u := os.Getenv("ZHUDUN_TEST_NATS"); u != "" {
		return u
	}
	return "nats://127.0.0.1:4222"
}

// server is one running `zhudun serve --demo`.
type server struct {
	t         *testing.T
	url, data string
	dsn       string // PostgreSQL database, "" on SQLite
	logs      *syncbuf.Buffer
	passwords map[string]string // demo account → current password
	stop      func()
}

// start boots a server on b with the demo city; the administrators' second
// factor is switched off (--totp-roles none) because the battery attacks
// the other controls (TOTP has its own tests in httpapi and e2e).
func start(t *testing.T, b backend, extra ...string) *server {
	t.Helper()
	dsn := ""
	if b.pg {
		dsn = testpg.FreshDB(t)
	}
	return boot(t, t.TempDir(), dsn, extra...)
}

// restart boots a server again on s's data directory and database, once s
// has stopped.
func restart(s *server, extra ...string) *server {
	s.t.Helper()
	return boot(s.t, s.data, s.dsn, extra...)
}

func boot(t *testing.T, data, dsn string, extra ...string) *server {
	t.Helper()
	s := &server{t: t, data: data, dsn: dsn, logs: &syncbuf.Buffer{}, passwords: map[string]string{}}
	args := []string{"serve", "--demo", "--demo-patrol=false", "--addr", "127.0.0.1:0", "--data", s.data,
		"--log-format", "json", "--totp-roles", "none"}
	if dsn != "" {
		args = append(args, "--db", s.dsn, "--nats", natsURL())
	}
	args = append(args, extra...)
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncbuf.Buffer{}
	done := make(chan int, 1)
	go func() { done <- cli.Main(ctx, args, strings.NewReader(""), out, s.logs) }()
	var once sync.Once
	s.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Error("serve did not stop within 30 s")
			}
		})
	}
	t.Cleanup(s.stop)
	deadline := time.Now().Add(90 * time.Second)
	for !strings.Contains(out.String(), "listening on ") {
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s %s", code, out.String(), s.logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not listen: %s", out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, l := range strings.Split(out.String(), "\n") {
		if u, ok := strings.CutPrefix(l, "listening on "); ok {
			s.url = strings.TrimSpace(u)
		}
	}
	pw, err := os.ReadFile(filepath.Join(s.data, cli.DemoPasswordsFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(pw), "\n") {
		if f := strings.Fields(l); len(f) >= 4 && !strings.HasPrefix(l, "#") {
			s.passwords[f[0]] = f[1]
		}
	}
	return s
}

// db opens the server's database as its owner would.
func (s *server) db() *sql.DB {
	s.t.Helper()
	var db *sql.DB
	var err error
	if s.dsn != "" {
		db, err = sql.Open("pgx", s.dsn)
	} else {
		db, err = sql.Open("sqlite", filepath.Join(s.data, "zhudun.db"))
	}
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { db.Close() })
	return db
}

// call sends one request; token "" is anonymous.
func call(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, url, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// login signs a demo account in and, at its first sign-in, changes the
// initial password as the user must.
func (s *server) login(user string) string {
	s.t.Helper()
	pw := s.passwords[user]
	code, body := call(s.t, "POST", s.url+"/api/v1/auth/login", "", fmt.Sprintf(`{"username":%q,"password":%q}`, user, pw))
	if code != 200 {
		s.t.Fatalf("login %s: %d %s", user, code, body)
	}
	var b struct {
		Token              string
		MustChangePassword bool `json:"must_change_password"`
	}
	json.Unmarshal([]byte(body), &b)
	if b.MustChangePassword {
		next := "Qz7#" + pw[:8] + "!x"
		if code, body := call(s.t, "POST", s.url+"/api/v1/auth/password", b.Token, fmt.Sprintf(`{"old":%q,"new":%q}`, pw, next)); code != 204 {
			s.t.Fatalf("password change of %s: %d %s", user, code, body)
		}
		s.passwords[user] = next
		return s.login(user)
	}
	return b.Token
}

// stream opens the SSE stream as token; lines are the stream's lines, and
// the channel closes when the server ends the stream.
func (s *server) stream(token string) <-chan string {
	s.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s.t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", s.url+"/api/v1/events/stream", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	if res.StatusCode != 200 {
		s.t.Fatalf("stream: %d", res.StatusCode)
	}
	lines := make(chan string, 1000)
	go func() {
		defer res.Body.Close()
		defer close(lines)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return lines
}

// recorder collects a stream's lines in the background.
type recorder struct {
	mu     sync.Mutex
	lines  []string
	closed bool
}

func record(lines <-chan string) *recorder {
	r := &recorder{}
	go func() {
		for l := range lines {
			r.mu.Lock()
			r.lines = append(r.lines, l)
			r.mu.Unlock()
		}
		r.mu.Lock()
		r.closed = true
		r.mu.Unlock()
	}()
	return r
}

func (r *recorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "\n")
}
func (r *recorder) isClosed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closed
}

// checkFor polls cond until it holds or d passes.
func checkFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// webhook is a bureau alarm system receiving --alert-webhook posts.
type webhook struct {
	url  string
	body *syncbuf.Buffer
}

func startWebhook(t *testing.T) *webhook {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w := &webhook{url: "http://" + l.Addr().String() + "/alarm", body: &syncbuf.Buffer{}}
	srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.body.Write(append(b, '\n'))
		rw.WriteHeader(204)
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return w
}

// logRecords are the server's JSON log records whose event is ev.
func (s *server) logRecords(ev string) []map[string]any {
	var out []map[string]any
	for _, l := range strings.Split(s.logs.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["event"] == ev {
			out = append(out, m)
		}
	}
	return out
}

// auditText is every column of every audit_log row, as text.
func (s *server) auditText() string {
	s.t.Helper()
	rows, err := s.db().Query(`SELECT * FROM audit_log`)
	if err != nil {
		s.t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			s.t.Fatal(err)
		}
		for _, v := range vals {
			fmt.Fprintf(&b, "%s\t", v)
		}
		b.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		s.t.Fatal(err)
	}
	return b.String()
}

// ph is the first query placeholder of b's dialect.
func ph(b backend) string {
	if b.pg {
		return "$1"
	}
	return "?"
}
