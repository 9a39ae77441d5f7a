package live_test

import (
	"context"
	crand "crypto/rand"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/ingest"
	"github.com/zhudun/zhudun/live"
	"github.com/zhudun/zhudun/natsbus"
	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
)

// The worker process of TestLiveSIGKILL: the test binary run again with
// LIVE_TEST_WORKER set runs the live engine until it is killed.
func TestMain(m *testing.M) {
	if os.Getenv("LIVE_TEST_WORKER") != "" {
		os.Exit(worker())
	}
	code := m.Run()
	if worldDir != "" {
		os.RemoveAll(worldDir)
	}
	os.Exit(code)
}

func worker() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	keys, err := gmcrypto.Load(os.Getenv("LIVE_TEST_KEYS"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if os.Getenv("LIVE_TEST_WORKER") == "partition" {
		if err := scaleWorker(ctx, keys); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	}
	store, err := sqlite.Open(ctx, os.Getenv("LIVE_TEST_DB"), sqlstore.Options{Keys: keys})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer store.Close()
	bus, st, err := openBus(ctx, os.Getenv("LIVE_TEST_NATS"), os.Getenv("LIVE_TEST_ID"), keys)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer bus.Close()
	svc := live.New(live.Config{Store: store, Quiet: 100 * time.Millisecond, Every: 300 * time.Millisecond,
		Stream: func(ctx context.Context, name string, start uint64) (live.Consumer, error) {
			return st.Consume(ctx, name, start)
		}})
	svc.Run(ctx)
	return 0
}

// busEnv is env on a bus and ingest stream of the test's own (the
// machine's NATS), with the carrier and platform sources.
func busEnv(t *testing.T, store *sqlstore.Store, keys *gmcrypto.Keyring, bus *natsbus.Bus, st *natsbus.IngestStream) *env {
	t.Helper()
	e := &env{t: t, store: store, stream: st, bus: bus, srcs: map[string]*zhudun.Source{}, keys: map[string]string{},
		sys: zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))}
	e.ing = ingest.New(ingest.Config{Store: store, Stream: st, Keys: keys, Rate: 1e9, Burst: 1e10})
	for _, s := range []zhudun.NewSource{{Name: "cmcc", Kind: zhudun.SourceCarrier}, {Name: "app", Kind: zhudun.SourcePlatform}} {
		src, _, err := store.CreateSource(e.sys, s)
		if err != nil {
			t.Fatal(err)
		}
		e.srcs[s.Name] = src
	}
	return e
}

func openBus(ctx context.Context, url, id string, keys *gmcrypto.Keyring) (*natsbus.Bus, *natsbus.IngestStream, error) {
	bus, err := natsbus.Open(ctx, natsbus.Config{URL: url, Keys: keys, StreamName: "ZHUDUN_LIVE_" + id, SubjectPrefix: "zhudun.live." + id})
	if err != nil {
		return nil, nil, err
	}
	st, err := bus.OpenIngest(ctx, natsbus.IngestConfig{Stream: "FOURCUTS_LIVE_" + id, Prefix: "fourcuts.live." + id, Partitions: 4})
	if err != nil {
		bus.Close()
		return nil, nil, err
	}
	return bus, st, nil
}

// TestLiveSIGKILL: the live engine runs in a process of its own, on the
// machine's NATS (ZHUDUN_TEST_NATS), and is killed with SIGKILL at random
// moments, three times, while the feed arrives; restarted each time from
// its checkpoint, it ends with exactly the findings of an uninterrupted
// run (detect's), none twice.
func TestLiveSIGKILL(t *testing.T) {
	url := os.Getenv("ZHUDUN_TEST_NATS")
	if url == "off" {
		t.Skip("ZHUDUN_TEST_NATS=off")
	}
	if url == "" {
		url = "nats://127.0.0.1:4222"
	}
	if c, err := net.DialTimeout("tcp", "127.0.0.1:4222", time.Second); err != nil && url == "nats://127.0.0.1:4222" {
		t.Skip("no NATS on 127.0.0.1:4222")
	} else if c != nil {
		c.Close()
	}
	feedDir, want := world()
	dir := t.TempDir()
	keys := gmcrypto.Generate()
	keyPath, dbPath := filepath.Join(dir, "keyring.json"), filepath.Join(dir, "z.db")
	if err := keys.Save(keyPath); err != nil {
		t.Fatal(err)
	}
	store, err := sqlite.Open(t.Context(), dbPath, sqlstore.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	id := crand.Text()[:12]
	bus, st, err := openBus(t.Context(), url, id, keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		bus.JetStream().DeleteStream(context.Background(), "FOURCUTS_LIVE_"+id)
		bus.JetStream().DeleteStream(context.Background(), "ZHUDUN_LIVE_"+id)
		bus.Close()
	})
	e := busEnv(t, store, keys, bus, st)
	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "LIVE_TEST_WORKER=1", "LIVE_TEST_KEYS="+keyPath, "LIVE_TEST_DB="+dbPath,
			"LIVE_TEST_NATS="+url, "LIVE_TEST_ID="+id)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	ingested := make(chan struct{})
	go func() { defer close(ingested); e.ingestPaced(feedDir, 200*time.Millisecond) }()
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	kills := 0
	for kills < 3 {
		cmd := start()
		time.Sleep(time.Duration(300+r.IntN(1500)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		kills++
		cp, _ := store.EngineCheckpoint(e.sys, "live")
		if cp != nil {
			t.Logf("SIGKILL %d: checkpoint at sequence %d", kills, cp.Seq)
		} else {
			t.Logf("SIGKILL %d: no checkpoint yet", kills)
		}
	}
	<-ingested
	s, err := bus.JetStream().Stream(t.Context(), "FOURCUTS_LIVE_"+id)
	if err != nil {
		t.Fatal(err)
	}
	cmd := start()
	e.caughtUp(s.CachedInfo().State.LastSeq)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	check(t, e.live(), want)
}
