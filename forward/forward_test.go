package forward_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun/internal/syncbuf"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/forward"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
)

func checkFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func openStore(t *testing.T) (*sqlstore.Store, context.Context) {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "zhudun.db"), sqlstore.Options{Keys: gmcrypto.Generate()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
}

// appendRows writes n audit rows, each within a second: the request path
// never waits for the collector.
func appendRows(t *testing.T, s *sqlstore.Store, sys context.Context, n int, tag string) {
	t.Helper()
	for i := 0; i < n; i++ {
		ctx, cancel := context.WithTimeout(sys, time.Second)
		err := s.Record(ctx, &zhudun.AuditEntry{Action: "test.row", ObjectType: "test", ObjectID: fmt.Sprintf("%s-%d", tag, i)})
		cancel()
		if err != nil {
			t.Fatalf("append %s-%d: %v", tag, i, err)
		}
	}
}

func dbRows(t *testing.T, s *sqlstore.Store) []forward.Record {
	t.Helper()
	rows, err := s.AuditRowsAfter(context.Background(), 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]forward.Record, len(rows))
	for i, r := range rows {
		out[i] = forward.RecordOf(r)
	}
	return out
}

// collector is a real syslog receiver over TCP or TLS (RFC 5425 framing).
type collector struct {
	t    *testing.T
	ln   net.Listener
	mu   sync.Mutex
	msgs []string
	bad  []string
	conn []net.Conn
	wg   sync.WaitGroup
}

func listen(t *testing.T, addr string, cfg *tls.Config) *collector {
	t.Helper()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the port of a stopped collector may take a moment to free
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	if cfg != nil {
		ln = tls.NewListener(ln, cfg)
	}
	c := &collector{t: t, ln: ln}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			c.mu.Lock()
			c.conn = append(c.conn, conn)
			c.mu.Unlock()
			c.wg.Add(1)
			go func() { defer c.wg.Done(); c.read(conn) }()
		}
	}()
	t.Cleanup(c.stop)
	return c
}

// read takes octet-counted frames: "LEN SP MSG".
func (c *collector) read(conn net.Conn) {
	r := bufio.NewReader(conn)
	for {
		lenStr, err := r.ReadString(' ')
		if err != nil {
			return
		}
		n, err := strconv.Atoi(strings.TrimSuffix(lenStr, " "))
		if err != nil || n <= 0 || n > 1<<20 {
			c.mu.Lock()
			c.bad = append(c.bad, lenStr)
			c.mu.Unlock()
			return
		}
		msg := make([]byte, n)
		if _, err := io.ReadFull(r, msg); err != nil {
			return
		}
		c.mu.Lock()
		c.msgs = append(c.msgs, string(msg))
		c.mu.Unlock()
	}
}

func (c *collector) stop() {
	c.ln.Close()
	c.mu.Lock()
	for _, conn := range c.conn {
		conn.Close()
	}
	c.mu.Unlock()
	c.wg.Wait()
}

func (c *collector) messages() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.msgs...)
}

var header = regexp.MustCompile(`^<(\d+)>1 (\S+) (\S+) zhudun (\d+) (\S+) \[zhudun@32473 seq="(\d+)" prev="([0-9a-f]{64})" hash="([0-9a-f]{64})" user="[^"]*" result="(\w+)" addr="[^"]*"\] \x{FEFF}(.*)$`)

// parse checks one message's form and returns its record.
func parse(t *testing.T, msg string) forward.Record {
	t.Helper()
	m := header.FindStringSubmatch(msg)
	if m == nil {
		t.Fatalf("not an RFC 5424 message of zhudun's form: %q", msg)
	}
	var r forward.Record
	if err := json.Unmarshal([]byte(m[10]), &r); err != nil {
		t.Fatalf("body %q: %v", m[10], err)
	}
	if strconv.FormatInt(r.Seq, 10) != m[6] || r.PrevHash != m[7] || r.Hash != m[8] || r.Result != m[9] || r.Action != m[5] {
		t.Fatalf("structured data %v disagrees with the body %+v", m[5:10], r)
	}
	if ts, err := time.Parse(time.RFC3339Nano, m[2]); err != nil || !ts.Equal(r.At) {
		t.Fatalf("timestamp %q vs %v: %v", m[2], r.At, err)
	}
	// Facility 13 (log audit); informational for ok rows.
	if pri := m[1]; (r.Result == zhudun.ResultOK && !strings.HasPrefix(r.Action, "security.") && pri != "110") || (r.Result != zhudun.ResultOK && pri == "110") {
		t.Fatalf("PRI %s for %s/%s", pri, r.Action, r.Result)
	}
	return r
}

// received indexes the records of all collectors by seq.
func received(t *testing.T, cs ...*collector) map[int64]forward.Record {
	out := map[int64]forward.Record{}
	for _, c := range cs {
		for _, m := range c.messages() {
			r := parse(t, m)
			out[r.Seq] = r
		}
	}
	return out
}

// sameAsDB reports whether every row of the database arrived exactly as
// stored, chain hashes included.
func sameAsDB(t *testing.T, db []forward.Record, got map[int64]forward.Record) bool {
	if len(got) != len(db) {
		return false
	}
	for _, want := range db {
		r, ok := got[want.Seq]
		if !ok {
			return false
		}
		a, _ := json.Marshal(r)
		b, _ := json.Marshal(want)
		if !bytes.Equal(a, b) {
			t.Fatalf("seq %d arrived as\n%s\nstored as\n%s", want.Seq, a, b)
		}
	}
	return true
}

func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "collector"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}, pool
}

func run(t *testing.T, a *forward.Audit) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(time.Second):
			t.Error("forwarder did not stop within a second")
		}
	})
}

// TestSyslogTLS: rows written before and after the forwarder starts reach
// a TLS syslog collector with their chain hashes; the collector goes down,
// rows appended meanwhile are not held up, and every one of them arrives
// once it is back.
func TestSyslogTLS(t *testing.T) {
	s, sys := openStore(t)
	appendRows(t, s, sys, 5, "before")
	srvCfg, pool := selfSigned(t)
	c1 := listen(t, "127.0.0.1:0", srvCfg)
	addr := c1.ln.Addr().String()
	target, err := forward.ParseTarget("syslog+tls://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	run(t, &forward.Audit{Source: s, Target: target, TLS: &tls.Config{RootCAs: pool}, Poll: 20 * time.Millisecond})
	appendRows(t, s, sys, 5, "after")
	checkFor(t, 10*time.Second, "10 rows at the collector", func() bool { return sameAsDB(t, dbRows(t, s), received(t, c1)) })
	got := received(t, c1)
	for seq := int64(2); seq <= 10; seq++ {
		if got[seq].PrevHash != got[seq-1].Hash {
			t.Fatalf("chain broken at %d in the copy", seq)
		}
	}

	// The collector goes away; requests go on.
	c1.stop()
	appendRows(t, s, sys, 30, "outage")
	c2 := listen(t, addr, srvCfg)
	appendRows(t, s, sys, 5, "back")
	checkFor(t, 30*time.Second, "all 45 rows after the outage", func() bool {
		return sameAsDB(t, dbRows(t, s), received(t, c1, c2))
	})
	if len(c1.bad)+len(c2.bad) != 0 {
		t.Fatalf("malformed frames: %v %v", c1.bad, c2.bad)
	}
}

// TestSyslogUntrustedCollector: a collector whose certificate does not
// chain to the configured roots gets nothing, and the cursor stays put so
// that nothing is lost once the certificate is fixed.
func TestSyslogUntrustedCollector(t *testing.T) {
	s, sys := openStore(t)
	appendRows(t, s, sys, 3, "x")
	srvCfg, _ := selfSigned(t)
	c := listen(t, "127.0.0.1:0", srvCfg)
	_, otherPool := selfSigned(t)
	var logs syncbuf.Buffer
	target, _ := forward.ParseTarget("syslog+tls://" + c.ln.Addr().String())
	run(t, &forward.Audit{Source: s, Target: target, TLS: &tls.Config{RootCAs: otherPool}, Poll: 20 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	checkFor(t, 10*time.Second, "the refused handshake in the log", func() bool {
		return strings.Contains(logs.String(), "collector unavailable") && strings.Contains(logs.String(), "certificate")
	})
	if n, err := s.ForwardCursor(context.Background(), "audit "+target.String()); err != nil || n != 0 {
		t.Fatalf("cursor after refused handshakes: %d %v", n, err)
	}
	if len(c.messages()) != 0 {
		t.Fatal("an untrusted collector received rows")
	}
}

// TestSyslogTCP: the plain-TCP target works the same way.
func TestSyslogTCP(t *testing.T) {
	s, sys := openStore(t)
	c := listen(t, "127.0.0.1:0", nil)
	target, _ := forward.ParseTarget("syslog+tcp://" + c.ln.Addr().String())
	run(t, &forward.Audit{Source: s, Target: target, Poll: 20 * time.Millisecond})
	appendRows(t, s, sys, 7, "tcp")
	checkFor(t, 10*time.Second, "7 rows over TCP", func() bool { return sameAsDB(t, dbRows(t, s), received(t, c)) })
}

// TestFileForward: JSON lines in a 0600 file; a restarted forwarder
// resumes after the last row written, without repeating any.
func TestFileForward(t *testing.T) {
	s, sys := openStore(t)
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	target, _ := forward.ParseTarget("file:" + path)
	lines := func() map[int64]int { return fileSeqs(t, path) }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		(&forward.Audit{Source: s, Target: target, Poll: 20 * time.Millisecond}).Run(ctx)
	}()
	appendRows(t, s, sys, 4, "a")
	// Opening the store wrote the role seeds' rows too.
	checkFor(t, 10*time.Second, "every row in the file", func() bool { return len(lines()) == len(dbRows(t, s)) })
	cancel()
	<-done
	appendRows(t, s, sys, 3, "b")
	run(t, &forward.Audit{Source: s, Target: target, Poll: 20 * time.Millisecond})
	checkFor(t, 10*time.Second, "the 3 new rows too", func() bool { return len(lines()) == len(dbRows(t, s)) })
	for seq, n := range lines() {
		if n != 1 {
			t.Fatalf("seq %d written %d times", seq, n)
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file mode: %v %v", fi, err)
	}
}

// fileSeqs counts the complete records in a JSON-lines file by seq.
func fileSeqs(t *testing.T, path string) map[int64]int {
	t.Helper()
	b, _ := os.ReadFile(path)
	out := map[int64]int{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r forward.Record
		if json.Unmarshal([]byte(l), &r) == nil && r.Hash != "" {
			out[r.Seq]++
		}
	}
	return out
}

// TestFileAheadOfCursor: a forwarder killed after writing but before
// moving its cursor (here: the cursor never moved, and the last line was
// cut short) resumes after the file's last complete row, not the cursor.
func TestFileAheadOfCursor(t *testing.T) {
	s, sys := openStore(t)
	appendRows(t, s, sys, 6, "a")
	db := dbRows(t, s)
	if len(db) < 6 {
		t.Fatalf("only %d rows", len(db))
	}
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	var buf bytes.Buffer
	for _, r := range db[:4] {
		b, _ := json.Marshal(&r)
		buf.Write(append(b, '\n'))
	}
	half, _ := json.Marshal(&db[4])
	buf.Write(half[:len(half)/2]) // the crash came mid-line
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	target, _ := forward.ParseTarget("file:" + path)
	run(t, &forward.Audit{Source: s, Target: target, Poll: 20 * time.Millisecond})
	checkFor(t, 10*time.Second, "every row in the file", func() bool { return len(fileSeqs(t, path)) == len(db) })
	for seq, n := range fileSeqs(t, path) {
		if n != 1 {
			t.Fatalf("seq %d written %d times", seq, n)
		}
	}
	b, _ := os.ReadFile(path)
	if !bytes.Contains(b, append(half[:len(half)/2], '\n')) {
		t.Fatal("the cut line was not ended before the next record")
	}
}

// TestFileFromAnotherDatabase: a file whose last line is not this
// database's row of that seq does not make rows skipped.
func TestFileFromAnotherDatabase(t *testing.T) {
	s, sys := openStore(t)
	appendRows(t, s, sys, 3, "a")
	db := dbRows(t, s)
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	foreign := db[len(db)-1]
	foreign.Hash = strings.Repeat("f", 64)
	b, _ := json.Marshal(&foreign)
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	target, _ := forward.ParseTarget("file:" + path)
	run(t, &forward.Audit{Source: s, Target: target, Poll: 20 * time.Millisecond})
	checkFor(t, 10*time.Second, "this database's rows after the foreign line", func() bool {
		got := fileSeqs(t, path)
		return len(got) == len(db) && got[foreign.Seq] == 2
	})
}

// TestWebhook: every alert raised after the start is POSTed once it is
// accepted; a webhook that fails is retried and nothing is skipped.
func TestWebhook(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	if err := s.RaiseSecurityEvent(ctx, zhudun.SecurityEvent{Event: zhudun.SecLockout, Subject: "before-start"}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []string
	fails := 2
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var a zhudun.Alert
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&a) != nil {
			w.WriteHeader(400)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if fails > 0 {
			fails--
			w.WriteHeader(503)
			return
		}
		got = append(got, a.Event+":"+a.Subject)
	}))
	defer srv.Close()
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go (&forward.Webhook{Source: s, URL: srv.URL, Poll: 20 * time.Millisecond}).Run(wctx)
	// Let the forwarder take its starting point before raising more.
	checkFor(t, 5*time.Second, "the webhook cursor", func() bool { n, _ := s.ForwardCursor(ctx, "alert webhook"); return n == 1 })
	for _, sub := range []string{"a", "b", "c"} {
		if err := s.RaiseSecurityEvent(ctx, zhudun.SecurityEvent{Event: zhudun.SecLockout, Subject: sub}); err != nil {
			t.Fatal(err)
		}
	}
	checkFor(t, 20*time.Second, "three alerts delivered", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 3 })
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(got, ",") != "security.lockout:a,security.lockout:b,security.lockout:c" {
		t.Fatalf("delivered: %v", got)
	}
}
