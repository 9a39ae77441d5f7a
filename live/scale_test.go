package live_test

import (
	"context"
	crand "crypto/rand"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/live"
	"github.com/zhudun/zhudun/natsbus"
	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
)

// scaleParts is the partitions of the scale-out tests' ingest stream.
const scaleParts = 8

// scaleLease is the partition workers' lease in the tests.
const scaleLease = 5 * time.Second

// scaleEnv is env on the machine's NATS (ZHUDUN_TEST_NATS) with streams of
// the test's own, the link stream and the members bucket.
type scaleEnv struct {
	*env
	id      string
	url     string
	keys    *gmcrypto.Keyring
	keyPath string
	dbPath  string
	link    *natsbus.IngestStream
	members *natsbus.Members
}

func testNATS(t *testing.T) string {
	t.Helper()
	url := os.Getenv("ZHUDUN_TEST_NATS")
	if url == "" {
		t.Fatal("ZHUDUN_TEST_NATS is not set: the scale-out tests run against the machine's NATS (nats://127.0.0.1:4222)")
	}
	return url
}

func newScaleEnv(t *testing.T) *scaleEnv {
	t.Helper()
	url := testNATS(t)
	dir := t.TempDir()
	keys := gmcrypto.Generate()
	s := &scaleEnv{id: crand.Text()[:12], url: url, keys: keys, keyPath: filepath.Join(dir, "keyring.json"), dbPath: filepath.Join(dir, "z.db")}
	if err := keys.Save(s.keyPath); err != nil {
		t.Fatal(err)
	}
	store, err := sqlite.Open(t.Context(), s.dbPath, sqlstore.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	bus, st, link, members, err := openScale(t.Context(), url, s.id, keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		js := bus.JetStream()
		for _, n := range []string{"FOURCUTS_SC_" + s.id, "FOURCUTS_SC_" + s.id + "_LINK", "ZHUDUN_SC_" + s.id} {
			js.DeleteStream(context.Background(), n)
		}
		js.DeleteKeyValue(context.Background(), "SC_"+s.id)
		bus.Close()
	})
	s.link, s.members = link, members
	s.env = busEnv(t, store, keys, bus, st)
	return s
}

// openScale opens the bus, the ingest stream, the link stream and the
// members bucket of test id.
func openScale(ctx context.Context, url, id string, keys *gmcrypto.Keyring) (*natsbus.Bus, *natsbus.IngestStream, *natsbus.IngestStream, *natsbus.Members, error) {
	bus, err := natsbus.Open(ctx, natsbus.Config{URL: url, Keys: keys, StreamName: "ZHUDUN_SC_" + id, SubjectPrefix: "zhudun.sc." + id})
	if err != nil {
		return nil, nil, nil, nil, err
	}
	st, err := bus.OpenIngest(ctx, natsbus.IngestConfig{Stream: "FOURCUTS_SC_" + id, Prefix: "fourcuts.sc." + id, Partitions: scaleParts})
	if err == nil {
		var link *natsbus.IngestStream
		if link, err = bus.OpenIngest(ctx, st.LinkConfig()); err == nil {
			var m *natsbus.Members
			if m, err = bus.OpenMembers(ctx, "SC_"+id, scaleLease); err == nil {
				return bus, st, link, m, nil
			}
		}
	}
	bus.Close()
	return nil, nil, nil, nil, err
}

func partitionWorker(store live.Checkpoints, st, link *natsbus.IngestStream, m live.Members, id string) *live.PartitionWorker {
	workers, _ := store.(live.Workers)
	return live.NewPartitionWorker(live.PartitionConfig{Store: store, Workers: workers, Members: m, ID: id, Partitions: st.Partitions(), Lease: scaleLease,
		Quiet: 100 * time.Millisecond, Every: 300 * time.Millisecond,
		Open: func(ctx context.Context, p int, start uint64) (live.Consumer, error) {
			return st.ConsumePartition(ctx, p, start)
		},
		Emit: link.Publish, Logger: scaleLog()})
}

// scaleLog logs to standard error when SCALE_DEBUG is set.
func scaleLog() *slog.Logger {
	if os.Getenv("SCALE_DEBUG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, nil))
}

// elected runs the global stage — the live engine on the link stream —
// while worker id holds its lease.
func (s *scaleEnv) elected(ctx context.Context, id string) {
	runGlobal(ctx, s.store, s.link, s.members, id)
}

func runGlobal(ctx context.Context, store live.Store, link *natsbus.IngestStream, m *natsbus.Members, id string) {
	live.RunElected(ctx, m, live.GlobalLease, id, scaleLease, scaleLog(), func(ctx context.Context) {
		fence, err := store.(live.Fences).TakeFence(ctx, "global")
		if err != nil {
			return
		}
		live.New(live.Config{Store: store, Name: "global", Fence: fence, Logger: scaleLog(), Quiet: 100 * time.Millisecond, Every: 300 * time.Millisecond,
			Stream: func(ctx context.Context, name string, start uint64) (live.Consumer, error) {
				return link.Consume(ctx, name, start)
			}}).Run(ctx)
	})
}

// settled waits until every partition's checkpoint covers its last
// message and the global stage's checkpoint covers the link stream.
func (s *scaleEnv) settled() {
	s.t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	js := s.bus.JetStream()
	for {
		done := true
		ev, err := js.Stream(s.t.Context(), "FOURCUTS_SC_"+s.id)
		if err != nil {
			s.t.Fatal(err)
		}
		for p := range scaleParts {
			m, err := ev.GetLastMsgForSubject(s.t.Context(), s.stream.Subject(p))
			if err == jetstream.ErrMsgNotFound {
				continue
			}
			if err != nil {
				s.t.Fatal(err)
			}
			cp, err := s.store.EngineCheckpoint(s.sys, live.PartitionCheckpoint(p))
			if err != nil || cp.Seq < m.Sequence {
				done = false
			}
		}
		if done {
			ls, err := js.Stream(s.t.Context(), "FOURCUTS_SC_"+s.id+"_LINK")
			if err != nil {
				s.t.Fatal(err)
			}
			cp, err := s.store.EngineCheckpoint(s.sys, "global")
			if err != nil || cp.Seq < ls.CachedInfo().State.LastSeq {
				done = false
			}
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatal("the partitions and the global stage did not settle within 3 minutes")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestScaleOutEqualsDetect: one, two and three workers on the machine's
// NATS share the partitions, and elect one of them to run the global
// stage; fed their linked subset, it ends with zhudun detect's findings —
// entities, categories and gangs as partitions — each stored and created
// once.
func TestScaleOutEqualsDetect(t *testing.T) {
	dir, want := world()
	for _, n := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("%d workers", n), func(t *testing.T) {
			s := newScaleEnv(t)
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan struct{}, 2*n)
			workers := make([]*live.PartitionWorker, n)
			for i := range workers {
				id := fmt.Sprintf("w%d", i)
				workers[i] = partitionWorker(s.store, s.stream, s.link, s.members, id)
				go func() { workers[i].Run(ctx); done <- struct{}{} }()
				go func() { s.elected(ctx, id); done <- struct{}{} }()
			}
			s.ingest(dir)
			s.settled()
			// Each worker holds partitions and together they hold each
			// once — once the membership is steady (a late beat on a loaded
			// machine may move partitions for a moment: harmless, replayed).
			var owned []int
			for deadline := time.Now().Add(time.Minute); ; {
				owned = owned[:0]
				sum := 0
				for _, w := range workers {
					owned = append(owned, w.Owned())
					sum += w.Owned()
				}
				if sum == scaleParts && !slices.Contains(owned, 0) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the workers hold %v partitions, want %d in all, none without", owned, scaleParts)
				}
				time.Sleep(50 * time.Millisecond)
			}
			linked, events := int64(0), int64(0)
			for _, w := range workers {
				linked += w.Linked()
				events += w.Events()
			}
			holder, err := s.members.Holder(t.Context(), live.GlobalLease)
			if err != nil || holder == "" {
				t.Errorf("global stage held by %q (%v)", holder, err)
			}
			// The status page's workers: each partition worker beats.
			beating := func() []string {
				ws, err := s.store.EngineWorkers(s.sys)
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, w := range ws {
					if w.Name == "partitions" && w.Alive {
						ids = append(ids, w.ID)
					}
				}
				slices.Sort(ids)
				return ids
			}
			var wantBeats []string
			for i := range n {
				wantBeats = append(wantBeats, fmt.Sprintf("w%d#partitions", i))
			}
			if got := beating(); !slices.Equal(got, wantBeats) {
				t.Errorf("partition workers beating %v, want %v", got, wantBeats)
			}
			cancel()
			for range 2 * n {
				<-done
			}
			if got := beating(); len(got) != 0 {
				t.Errorf("stopped partition workers still listed: %v", got)
			}
			t.Logf("%d workers: %d events fed, %d passed on to the global stage", n, events, linked)
			check(t, s.live(), want)
		})
	}
}

// TestScaleOutTakeover: two workers, each a partition worker and a
// candidate for the global stage, run as processes of their own; the one
// holding the global stage is killed with SIGKILL at a random moment while
// the feed arrives (it cannot leave: its leases lapse); the other takes its
// partitions over from their checkpoints, and the global stage from its
// checkpoint. The findings are detect's, none lost, none twice.
func TestScaleOutTakeover(t *testing.T) {
	feedDir, want := world()
	s := newScaleEnv(t)
	start := func(name string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "LIVE_TEST_WORKER=partition", "LIVE_TEST_KEYS="+s.keyPath, "LIVE_TEST_DB="+s.dbPath,
			"LIVE_TEST_NATS="+s.url, "LIVE_TEST_ID="+s.id, "LIVE_TEST_NAME="+name)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	// a starts first and takes the global stage; then b joins.
	a := start("a")
	for deadline := time.Now().Add(time.Minute); ; {
		if h, _ := s.members.Holder(t.Context(), live.GlobalLease); h == "a" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a did not take the global stage")
		}
		time.Sleep(20 * time.Millisecond)
	}
	b := start("b")
	defer func() { b.Process.Signal(syscall.SIGKILL); b.Wait() }()
	ingested := make(chan struct{})
	go func() { defer close(ingested); s.ingestPaced(feedDir, 200*time.Millisecond) }()
	// Both hold partitions, and a has checkpointed one of its own and the
	// global stage, before it dies.
	var ofA []int
	for p := range scaleParts {
		if live.Owner([]string{"a", "b"}, p) == "a" {
			ofA = append(ofA, p)
		}
	}
	if len(ofA) == 0 || len(ofA) == scaleParts {
		t.Fatalf("a would own partitions %v of %d: the test needs both to own some", ofA, scaleParts)
	}
	for deadline := time.Now().Add(time.Minute); ; {
		alive, _ := s.members.Alive(t.Context())
		n := 0
		for _, p := range ofA {
			if _, err := s.store.EngineCheckpoint(s.sys, live.PartitionCheckpoint(p)); err == nil {
				n++
			}
		}
		_, gerr := s.store.EngineCheckpoint(s.sys, "global")
		if len(alive) == 2 && n > 0 && gerr == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("members %v, %d of a's partitions checkpointed", alive, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
	time.Sleep(time.Duration(r.IntN(1500)) * time.Millisecond)
	select {
	case <-ingested:
		t.Fatal("the feed was all sent before a was killed: pace it more slowly")
	default:
	}
	a.Process.Signal(syscall.SIGKILL)
	a.Wait()
	var held []string
	for p := range scaleParts {
		cp, err := s.store.EngineCheckpoint(s.sys, live.PartitionCheckpoint(p))
		if err == nil {
			held = append(held, fmt.Sprintf("%d@%d", p, cp.Seq))
		}
	}
	t.Logf("a killed; partition checkpoints %v", held)
	<-ingested
	s.settled()
	if alive, _ := s.members.Alive(t.Context()); len(alive) != 1 || alive[0] != "b" {
		t.Fatalf("members after the kill: %v, want [b]", alive)
	}
	if h, _ := s.members.Holder(t.Context(), live.GlobalLease); h != "b" {
		t.Fatalf("the global stage is held by %q after the kill, want b", h)
	}
	check(t, s.live(), want)
}

// scaleWorker is the process of TestScaleOutTakeover: a partition worker.
func scaleWorker(ctx context.Context, keys *gmcrypto.Keyring) error {
	store, err := sqlite.Open(ctx, os.Getenv("LIVE_TEST_DB"), sqlstore.Options{Keys: keys})
	if err != nil {
		return err
	}
	defer store.Close()
	bus, st, link, m, err := openScale(ctx, os.Getenv("LIVE_TEST_NATS"), os.Getenv("LIVE_TEST_ID"), keys)
	if err != nil {
		return err
	}
	defer bus.Close()
	id := os.Getenv("LIVE_TEST_NAME")
	go runGlobal(ctx, store, link, m, id)
	return partitionWorker(store, st, link, m, id).Run(ctx)
}
