package live_test

import (
	"context"
	"io"
	"math/rand/v2"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/postgres"
	"github.com/zhudun/zhudun/postgres/pgtemp"
	"github.com/zhudun/zhudun/sqlstore"
)

// Issue 10, item 6: faults and back-pressure, on a PostgreSQL the test
// starts itself (pgtemp), never the machine's shared one.

// send pushes files as POST /api/v1/events does: the source's key is
// authenticated (the database, or the cache while it is down), then the
// body accepted into JetStream. Registrations come from the platform.
func (e *env) send(files []string) {
	e.t.Helper()
	for _, f := range files {
		name := filepath.Base(f)
		key := e.keys["cmcc"]
		if strings.HasPrefix(name, "reg_") {
			key = e.keys["app"]
		}
		src, err := e.ing.Authenticate(e.sys, key)
		if err != nil {
			e.t.Errorf("%s: key refused: %v", name, err)
			return
		}
		if !e.accept(src, f) {
			return
		}
	}
}

// runService starts a live engine; the returned stop ends it and waits.
func (e *env) runService() (stop func()) {
	ctx, cancel := context.WithCancel(e.t.Context())
	done := make(chan struct{})
	svc := e.service(nil)
	go func() { defer close(done); svc.Run(ctx) }()
	return func() { cancel(); <-done }
}

// TestLiveDatabaseDown: with the database stopped, the sources' keys
// already verified are served from the cache and their events go into
// JetStream; the engine, stopped and restarted meanwhile, catches up once
// the database returns; another engine stopped and restarted mid-stream
// with the database up loses nothing. The end: zhudun detect's findings,
// each stored and created once.
func TestLiveDatabaseDown(t *testing.T) {
	feedDir, want := world()
	pg := pgtemp.Start(t)
	keys := gmcrypto.Generate()
	store, err := postgres.Open(t.Context(), pg.URL, sqlstore.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e := envOn(t, store, keys, nil)
	files, _ := filepath.Glob(filepath.Join(feedDir, "*"))
	slices.Sort(files)
	if len(files) < 6 {
		t.Fatalf("%d feed files: too few to cut in three", len(files))
	}
	// Every file's first half (by order) goes before the outage, so that
	// both sources' keys are verified; registrations are among them.
	a, b := len(files)/3, 2*len(files)/3
	first := files[:a]
	if !slices.ContainsFunc(first, func(f string) bool { return strings.HasPrefix(filepath.Base(f), "reg_") }) {
		first = append(first, files[slices.IndexFunc(files, func(f string) bool { return strings.HasPrefix(filepath.Base(f), "reg_") })])
	}

	stop := e.runService()
	e.send(first)
	e.caughtUp(e.lastSeq())
	before := e.lastSeq()

	pg.Stop()
	var middle []string
	for _, f := range files[a:b] {
		if !slices.Contains(first, f) {
			middle = append(middle, f)
		}
	}
	e.send(middle) // the cache answers for the keys; JetStream stores the events
	if e.t.Failed() {
		t.FailNow()
	}
	if got := e.lastSeq(); got <= before {
		t.Fatalf("with the database down the stream did not grow (sequence %d, before %d)", got, before)
	}
	// The engine cannot commit: stopped and restarted while the database
	// is down, it keeps retrying from its checkpoint.
	stop()
	stop = e.runService()
	time.Sleep(3 * time.Second)
	pg.Resume()

	var rest []string
	for _, f := range files[b:] {
		if !slices.Contains(first, f) {
			rest = append(rest, f)
		}
	}
	// The last third arrives while an engine is stopped and restarted
	// mid-stream, at a random moment.
	var wg sync.WaitGroup
	wg.Go(func() {
		for _, f := range rest {
			e.send([]string{f})
			time.Sleep(50 * time.Millisecond)
		}
	})
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 6))
	time.Sleep(time.Duration(100+r.IntN(len(rest)*50+1)) * time.Millisecond)
	stop()
	stop = e.runService()
	wg.Wait()
	t.Logf("files: %d before the outage, %d during it, %d after; stream sequence %d before, %d at the end", len(first), len(middle), len(rest), before, e.lastSeq())
	e.caughtUp(e.lastSeq())
	stop()
	check(t, e.live(), want)
}

// proxy forwards TCP to target until cut: the database unreachable from
// one process while others still reach it (a network partition).
type proxy struct {
	target string
	addr   string
	mu     sync.Mutex
	l      net.Listener
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{target: target, addr: l.Addr().String()}
	p.serve(l)
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) serve(l net.Listener) {
	p.mu.Lock()
	p.l = l
	p.mu.Unlock()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			d, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, d)
			p.mu.Unlock()
			go func() { io.Copy(d, c); d.Close() }()
			go func() { io.Copy(c, d); c.Close() }()
		}
	}()
}

// cut closes the listener and every connection.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.l != nil {
		p.l.Close()
		p.l = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// restore listens again on the same address.
func (p *proxy) restore(t *testing.T) {
	l, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	p.serve(l)
}

// TestKeyRevokedWhileDatabaseUnreachable: a key verified once is served
// from the cache while the server cannot reach the database (its events
// still go into JetStream); the administrator disables it meanwhile (on
// the database, reachable from elsewhere); the revocation takes effect on
// the first request after the database answers again, and from then on the
// key is not served from the cache in a later outage either.
func TestKeyRevokedWhileDatabaseUnreachable(t *testing.T) {
	pg := pgtemp.Start(t)
	keys := gmcrypto.Generate()
	admin, err := postgres.Open(t.Context(), pg.URL, sqlstore.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	px := newProxy(t, pg.Addr)
	server, err := postgres.Open(t.Context(), strings.Replace(pg.URL, pg.Addr, px.addr, 1), sqlstore.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	e := envOn(t, server, keys, nil)
	key := e.keys["cmcc"]
	line := `{"type":"sim","ts":"2021-06-01T08:00:00+08:00","msisdn":"13912345678","imsi":"460001234567890","holder":"370102199001011231","outlet":"o1","action":"activate"}` + "\n"
	push := func() error {
		src, err := e.ing.Authenticate(e.sys, key)
		if err != nil {
			return err
		}
		_, err = e.ing.Accept(e.sys, src, "", strings.NewReader(line), false)
		return err
	}
	if err := push(); err != nil {
		t.Fatalf("with the database reachable: %v", err)
	}
	px.cut()
	if err := push(); err != nil {
		t.Fatalf("database unreachable, key verified before: %v, want served from the cache", err)
	}
	if _, err := admin.DisableSource(e.sys, "cmcc"); err != nil {
		t.Fatal(err)
	}
	if err := push(); err != nil {
		t.Fatalf("still unreachable after the revocation: %v, want served from the cache (docs/ingest.md)", err)
	}
	if n := e.lastSeq(); n != 3 {
		t.Fatalf("stream holds %d messages, want the 3 pushes", n)
	}
	px.restore(t)
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := e.ing.Authenticate(e.sys, key)
		if zhudun.ErrorCode(err) == zhudun.EUNAUTHORIZED {
			break
		}
		if zhudun.ErrorCode(err) != zhudun.EUNAVAILABLE && zhudun.ErrorCode(err) != zhudun.EINTERNAL || time.Now().After(deadline) {
			t.Fatalf("database back: %v, want EUNAUTHORIZED (revoked)", err)
		}
		time.Sleep(100 * time.Millisecond) // the pool's cut connections are being replaced
	}
	px.cut()
	if _, err := e.ing.Authenticate(e.sys, key); err == nil || zhudun.ErrorCode(err) == "" {
		t.Fatal("a revoked key was served from the cache in a later outage")
	}
}
