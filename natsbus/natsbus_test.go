package natsbus

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/natsbus/bustest"
)

// testLogger shows the bus's warnings in the test output only.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func openEmbedded(t *testing.T, dir string) *Bus {
	t.Helper()
	b, err := Open(t.Context(), Config{Keys: gmcrypto.Generate(), DataDir: dir, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func TestEmbedded(t *testing.T) {
	bustest.Run(t, func(t *testing.T) zhudun.Bus { return openEmbedded(t, t.TempDir()) })
}

// TestExternal runs the suite against a real server: by default the
// machine's nats-server (Debian ships 2.9, so this also proves that no newer
// JetStream feature is used). ZHUDUN_TEST_NATS=off skips it explicitly; an
// unreachable server fails it.
func TestExternal(t *testing.T) {
	url := os.Getenv("ZHUDUN_TEST_NATS")
	if url == "off" {
		t.Skip("ZHUDUN_TEST_NATS=off")
	}
	if url == "" {
		url = "nats://127.0.0.1:4222"
	}
	var streams []string
	bustest.Run(t, func(t *testing.T) zhudun.Bus {
		b := openExternal(t, url)
		streams = append(streams, b.cfg.StreamName)
		t.Logf("nats-server %s, stream %s", b.nc.ConnectedServerVersion(), b.cfg.StreamName)
		return b
	})

	// Every subtest's stream is gone again.
	c := openExternal(t, url)
	l := c.js.StreamNames(t.Context())
	listed := false
	for name := range l.Name() {
		listed = listed || name == c.cfg.StreamName
		if slices.Contains(streams, name) {
			t.Errorf("stream %s left behind", name)
		}
	}
	if err := l.Err(); err != nil || !listed {
		t.Errorf("listing streams: %v, own stream listed: %v", err, listed)
	}
}

// openExternal opens a bus on its own stream and subjects, so that parallel
// runs and a real zhudun on the same server never meet, and deletes the
// stream afterwards.
func openExternal(t *testing.T, url string) *Bus {
	t.Helper()
	id := rand.Text() // A-Z2-7: valid in stream names and subjects
	b, err := Open(t.Context(), Config{Keys: gmcrypto.Generate(),
		URL:           url,
		Logger:        testLogger(t),
		StreamName:    "ZHUDUN_TEST_" + id,
		SubjectPrefix: "zhudun.test." + id,
		MaxAge:        time.Hour,
	})
	if err != nil {
		t.Fatalf("Open(%s): %v (set ZHUDUN_TEST_NATS=off to skip)", url, err)
	}
	t.Cleanup(func() {
		// Close may already have run; delete through a fresh connection.
		c, err := Open(context.Background(), Config{Keys: gmcrypto.Generate(),
			URL: url, Logger: testLogger(t), StreamName: b.cfg.StreamName, SubjectPrefix: b.cfg.SubjectPrefix,
		})
		if err != nil {
			t.Errorf("reopen to delete stream: %v", err)
			return
		}
		defer c.Close()
		b.Close()
		if err := c.js.DeleteStream(context.Background(), b.cfg.StreamName); err != nil {
			t.Errorf("delete stream %s: %v", b.cfg.StreamName, err)
		}
	})
	return b
}

func TestEmbeddedOpensNoListener(t *testing.T) {
	before := listeningSockets(t)
	b := openEmbedded(t, t.TempDir())
	opts := b.nsOpts
	if !opts.DontListen || opts.HTTPPort != 0 || opts.Cluster.Port != 0 || opts.LeafNode.Port != 0 ||
		opts.Websocket.Port != 0 || opts.MQTT.Port != 0 || opts.Gateway.Port != 0 {
		t.Errorf("embedded server options enable a listener: DontListen %v, ports client %d http %d cluster %d leaf %d ws %d mqtt %d gateway %d",
			opts.DontListen, opts.Port, opts.HTTPPort, opts.Cluster.Port, opts.LeafNode.Port, opts.Websocket.Port, opts.MQTT.Port, opts.Gateway.Port)
	}
	if a := b.ns.Addr(); a != nil {
		t.Errorf("embedded server listens on %v", a)
	}
	if a := b.ns.MonitorAddr(); a != nil {
		t.Errorf("embedded server monitors on %v", a)
	}
	if after := listeningSockets(t); after > before {
		t.Errorf("process has %d listening TCP sockets after Open, %d before", after, before)
	}
}

// listeningSockets counts the TCP sockets in LISTEN state that this process
// owns, from /proc.
func listeningSockets(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	own := map[string]bool{}
	for _, fd := range fds {
		l, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(l, "socket:[") {
			own[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] = true
		}
	}
	n := 0
	for _, name := range []string{"/proc/self/net/tcp", "/proc/self/net/tcp6"} {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			// sl local rem st tx:rx tr:when retr uid timeout inode
			fields := strings.Fields(sc.Text())
			if len(fields) > 9 && fields[3] == "0A" && own[fields[9]] {
				n++
			}
		}
		f.Close()
	}
	return n
}

func TestEmbeddedPersists(t *testing.T) {
	dir := t.TempDir()
	b, err := Open(t.Context(), Config{Keys: gmcrypto.Generate(), DataDir: dir, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := b.Publish(t.Context(), zhudun.Event{ID: int64(i + 1), Type: "persist.test", At: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	b = openEmbedded(t, dir)
	s, err := b.js.Stream(t.Context(), b.cfg.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	if n := s.CachedInfo().State.Msgs; n != 3 {
		t.Errorf("stream has %d messages after reopening, want 3", n)
	}
	// The duplicate window survives too: event 1 again is not stored.
	if err := b.Publish(t.Context(), zhudun.Event{ID: 1, Type: "persist.test", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if s, err = b.js.Stream(t.Context(), b.cfg.StreamName); err != nil {
		t.Fatal(err)
	} else if n := s.CachedInfo().State.Msgs; n != 3 {
		t.Errorf("stream has %d messages after republishing event 1, want 3", n)
	}
}

// A second embedded bus on the same DataDir in the same process is refused
// with ECONFLICT (nats-server itself does not lock its store); once the first
// is closed, the directory can be opened again.
func TestEmbeddedSecondOpenSameDir(t *testing.T) {
	dir := t.TempDir()
	first, err := Open(t.Context(), Config{Keys: gmcrypto.Generate(), DataDir: dir, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(t.Context(), Config{Keys: gmcrypto.Generate(), DataDir: dir, Logger: testLogger(t)})
	if code := zhudun.ErrorCode(err); code != zhudun.ECONFLICT {
		t.Fatalf("second Open = %v, want %s", err, zhudun.ECONFLICT)
	}
	if err := first.Ping(t.Context()); err != nil {
		t.Errorf("first bus broken by the refused Open: %v", err)
	}
	first.Close()
	openEmbedded(t, dir)
}

func TestOpenValidation(t *testing.T) {
	_, err := Open(t.Context(), Config{Keys: gmcrypto.Generate()})
	if zhudun.ErrorCode(err) != zhudun.EINVALID {
		t.Errorf("Open without URL or DataDir = %v, want EINVALID", err)
	}
	b := openEmbedded(t, t.TempDir())
	for _, typ := range []string{"", "a b", "a.*", "a.>", ".a", "a.", "a..b"} {
		err := b.Publish(t.Context(), zhudun.Event{ID: 1, Type: typ})
		if zhudun.ErrorCode(err) != zhudun.EINVALID {
			t.Errorf("Publish type %q = %v, want EINVALID", typ, err)
		}
	}
}

func TestOpenUnreachable(t *testing.T) {
	// Port 1 on loopback: nothing listens there, the dial is refused at once.
	_, err := Open(t.Context(), Config{Keys: gmcrypto.Generate(), URL: "nats://127.0.0.1:1"})
	if zhudun.ErrorCode(err) != zhudun.EUNAVAILABLE {
		t.Fatalf("Open = %v, want EUNAVAILABLE", err)
	}
	if !strings.Contains(err.Error(), "127.0.0.1:1") && !strings.Contains(err.Error(), "refused") &&
		!strings.Contains(err.Error(), "no servers") {
		t.Errorf("error %q hides its cause", err)
	}
}

// TestExternalServerRestart stops and restarts a NATS server under a URL
// connection: publishing fails with EUNAVAILABLE while it is down, and a
// subscription carries on afterwards without losing or repeating events. The
// server is a private one on a random loopback port, not the machine's.
func TestExternalServerRestart(t *testing.T) {
	dir := t.TempDir()
	start := func(port int) *server.Server {
		ns, err := server.NewServer(&server.Options{
			Host: "127.0.0.1", Port: port, JetStream: true, StoreDir: dir, NoSigs: true, NoLog: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		ns.Start()
		if !ns.ReadyForConnections(10 * time.Second) {
			t.Fatal("test server not ready")
		}
		return ns
	}
	ns := start(-1)
	port := ns.Addr().(*net.TCPAddr).Port
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })

	b, err := Open(t.Context(), Config{Keys: gmcrypto.Generate(), URL: ns.ClientURL(), Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })

	var got []int64
	gotCh := make(chan int64, 100)
	if err := b.Subscribe(t.Context(), func(e zhudun.Event) { gotCh <- e.ID }); err != nil {
		t.Fatal(err)
	}
	drain := func(n int) {
		t.Helper()
		bustest.CheckFor(t, 30*time.Second, fmt.Sprintf("%d events", n), func() bool {
			for {
				select {
				case id := <-gotCh:
					got = append(got, id)
				default:
					return len(got) >= n
				}
			}
		})
	}
	publish := func(id int64) error {
		return b.Publish(t.Context(), zhudun.Event{ID: id, Type: "restart.test", At: time.Now()})
	}
	if err := publish(1); err != nil {
		t.Fatal(err)
	}
	drain(1)

	ns.Shutdown()
	ns.WaitForShutdown()
	bustest.CheckFor(t, 10*time.Second, "disconnect", func() bool { return !b.nc.IsConnected() })
	if err := publish(2); zhudun.ErrorCode(err) != zhudun.EUNAVAILABLE {
		t.Errorf("Publish while down = %v, want EUNAVAILABLE", err)
	}
	if err := b.Ping(t.Context()); zhudun.ErrorCode(err) != zhudun.EUNAVAILABLE {
		t.Errorf("Ping while down = %v, want EUNAVAILABLE", err)
	}

	ns = start(port)
	bustest.CheckFor(t, 30*time.Second, "reconnect", func() bool { return b.Ping(t.Context()) == nil })
	for id := int64(3); id <= 5; id++ {
		if err := publish(id); err != nil {
			t.Fatal(err)
		}
	}
	drain(4)
	if want := []int64{1, 3, 4, 5}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("delivered %v, want %v", got, want)
	}
}
