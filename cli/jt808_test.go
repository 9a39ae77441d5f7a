package cli_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun/cli"
	"github.com/zhudun/zhudun/internal/syncbuf"
	"github.com/zhudun/zhudun/jt808"
	"github.com/zhudun/zhudun/jt808/jt808sim"
)

// jt808Addr finds the gateway's address in a command's output.
func jt808Addr(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if _, rest, ok := strings.Cut(l, "jt808 gateway: listening on "); ok {
			return strings.Fields(rest)[0]
		}
	}
	return ""
}

// unknownTerminal registers a terminal no unit names at addr: the answer
// (result 4) shows the gateway reached the database.
func unknownTerminal(t *testing.T, addr string, v2019 bool) {
	t.Helper()
	tm, err := jt808sim.Dial(addr, "13700137000", v2019)
	if err != nil {
		t.Fatal(err)
	}
	defer tm.Close()
	res, _, err := tm.Register()
	if err != nil || res != jt808.RegisterNoSuchTerminal {
		t.Fatalf("register an unknown terminal: %d %v", res, err)
	}
}

// TestJT808Gateway: off by default; `serve --jt808-addr` runs it beside
// the API; `zhudun jt808` runs it alone on the same data directory and
// stops on its context.
func TestJT808Gateway(t *testing.T) {
	dir := t.TempDir()
	s := serve(t, "--data", dir)
	if a := jt808Addr(s.stdout.String()); a != "" {
		t.Fatalf("a gateway without --jt808-addr: %s", a)
	}
	s.stop()
	s = serve(t, "--data", dir, "--jt808-addr", "127.0.0.1:0", "--jt808-idle-timeout", "30s")
	addr := jt808Addr(s.stdout.String())
	if addr == "" {
		t.Fatalf("no gateway address in %q", s.stdout.String())
	}
	unknownTerminal(t, addr, false)
	if code := s.stop(); code != 0 {
		t.Fatalf("serve exited %d", code)
	}

	if code, _, errs := run(t, "", "jt808", "--data", dir); code == 0 || !strings.Contains(errs, "--addr HOST:PORT is required") {
		t.Fatalf("jt808 without an address: %d %s", code, errs)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncbuf.Buffer{}
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(ctx, []string{"jt808", "--data", dir, "--addr", "127.0.0.1:0", "--log-level", "warn"}, strings.NewReader(""), out, io.Discard)
	}()
	checkFor(t, 30*time.Second, "the gateway to listen", func() bool {
		select {
		case code := <-done:
			t.Fatalf("jt808 exited %d: %s", code, out.String())
		default:
		}
		addr = jt808Addr(out.String())
		return addr != ""
	})
	unknownTerminal(t, addr, true)
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("jt808 exited %d", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("jt808 did not stop")
	}
}
