package live_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/cli"
	"github.com/zhudun/zhudun/fourcuts/sim"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/ingest"
	"github.com/zhudun/zhudun/live"
	"github.com/zhudun/zhudun/natsbus"
	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
)

// world writes a small simulated city's feed once per test binary and
// returns its directory and what `zhudun detect` finds on it.
var world = sync.OnceValues(func() (string, []row) {
	dir, err := os.MkdirTemp("", "live-world")
	if err != nil {
		panic(err)
	}
	worldDir = dir
	feedDir := filepath.Join(dir, "feed")
	if _, err := sim.Write(sim.Params{Users: 2000, Days: 3, Seed: 7}, feedDir, filepath.Join(dir, "truth.jsonl")); err != nil {
		panic(err)
	}
	out := filepath.Join(dir, "findings.jsonl")
	var stderr bytes.Buffer
	if err := cli.Detect(context.Background(), []string{"--in", feedDir, "--out", out, "--quiet", "--progress", "never"}, nil, io.Discard, &stderr); err != nil {
		panic(err.Error() + stderr.String())
	}
	f, err := os.Open(out)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	var rows []row
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r row
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			panic(err)
		}
		rows = append(rows, r)
	}
	return feedDir, rows
})

// worldDir is world's directory, removed by TestMain.
var worldDir string

type row struct {
	Category string `json:"category"`
	Entity   string `json:"entity"`
	Gang     string `json:"gang"`
}

// shape is what must agree between detect and the live engine: the
// entities with their categories, and the gangs as a partition of them
// (their ids may differ: the live engine keeps its ids stable across runs).
func shape(rows []row) (ents, parts string) {
	var es []string
	gangs := map[string][]string{}
	for _, r := range rows {
		k := r.Category + ":" + r.Entity
		es = append(es, k)
		gangs[r.Gang] = append(gangs[r.Gang], k)
	}
	slices.Sort(es)
	var ps []string
	for _, m := range gangs {
		slices.Sort(m)
		ps = append(ps, strings.Join(m, " "))
	}
	slices.Sort(ps)
	return strings.Join(es, "\n"), strings.Join(ps, "\n")
}

type env struct {
	t       *testing.T
	store   *sqlstore.Store
	stream  *natsbus.IngestStream
	bus     *natsbus.Bus
	ing     *ingest.Service
	srcs    map[string]*zhudun.Source
	keys    map[string]string // each source's API key
	natsDir string
	sys     context.Context
}

func newEnv(t *testing.T) *env {
	t.Helper()
	keys := gmcrypto.Generate()
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "z.db"), sqlstore.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return envOn(t, store, keys, nil)
}

// envOn is the test's world on a given store (opened with keys); log,
// when set, is the bus's and the ingest service's logger.
func envOn(t *testing.T, store *sqlstore.Store, keys *gmcrypto.Keyring, log *slog.Logger) *env {
	t.Helper()
	natsDir := filepath.Join(t.TempDir(), "nats")
	bus, err := natsbus.Open(t.Context(), natsbus.Config{DataDir: natsDir, Keys: keys, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	st, err := bus.OpenIngest(t.Context(), natsbus.IngestConfig{Partitions: 4})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: store, stream: st, bus: bus, srcs: map[string]*zhudun.Source{}, keys: map[string]string{}, natsDir: natsDir,
		sys: zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))}
	e.ing = ingest.New(ingest.Config{Store: store, Stream: st, Keys: keys, Rate: 1e9, Burst: 1e10, Logger: log})
	for _, s := range []zhudun.NewSource{{Name: "cmcc", Kind: zhudun.SourceCarrier}, {Name: "app", Kind: zhudun.SourcePlatform}} {
		src, key, err := store.CreateSource(e.sys, s)
		if err != nil {
			t.Fatal(err)
		}
		e.srcs[s.Name], e.keys[s.Name] = src, key
	}
	return e
}

// ingest sends every feed file through the ingest service (what POST
// /api/v1/events does), registrations from the platform, the rest from
// the carrier, each file as one chunk.
func (e *env) ingest(dir string) { e.ingestPaced(dir, 0) }

// ingestPaced is ingest with a pause after each file.
func (e *env) ingestPaced(dir string, pause time.Duration) {
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		e.t.Error(err)
		return
	}
	slices.Sort(files)
	for _, f := range files {
		name := filepath.Base(f)
		src := e.srcs["cmcc"]
		if strings.HasPrefix(name, "reg_") {
			src = e.srcs["app"]
		}
		if !e.accept(src, f) {
			return
		}
		time.Sleep(pause)
	}
}

// accept sends one file as one chunk from src; false (the test marked
// failed) when it was not accepted.
func (e *env) accept(src *zhudun.Source, f string) bool {
	e.t.Helper()
	name := filepath.Base(f)
	b, err := os.ReadFile(f)
	if err != nil {
		e.t.Error(err)
		return false
	}
	chunk := strings.NewReplacer(".", "_").Replace(name)
	if _, err := e.ing.Accept(e.sys, src, chunk, bytes.NewReader(b), strings.Contains(name, ".csv")); err != nil {
		e.t.Errorf("%s: %v", name, err)
		return false
	}
	return true
}

func (e *env) lastSeq() uint64 {
	e.t.Helper()
	s, err := e.bus.JetStream().Stream(e.t.Context(), natsbus.DefaultIngestStream)
	if err != nil {
		e.t.Fatal(err)
	}
	return s.CachedInfo().State.LastSeq
}

func (e *env) service(crash func()) *live.Service {
	return live.New(live.Config{Store: e.store, Quiet: 100 * time.Millisecond, Every: 300 * time.Millisecond, Crash: crash,
		Stream: func(ctx context.Context, name string, start uint64) (live.Consumer, error) {
			return e.stream.Consume(ctx, name, start)
		}})
}

// caughtUp waits until the checkpoint covers the whole stream.
func (e *env) caughtUp(want uint64) {
	e.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		cp, err := e.store.EngineCheckpoint(e.sys, "live")
		if err == nil && cp.Seq >= want {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("the live engine did not catch up with sequence %d (checkpoint %v, %v)", want, cp, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// live returns the stored live findings as rows, and fails on a finding
// stored twice or created twice.
func (e *env) live() []row {
	e.t.Helper()
	all, err := e.store.EngineFindings(e.sys)
	if err != nil {
		e.t.Fatal(err)
	}
	var rows []row
	seen := map[string]bool{}
	for _, f := range all {
		k := f.Kind + ":" + f.Category + ":" + f.Entity
		if seen[k] {
			e.t.Fatalf("%s stored twice", k)
		}
		seen[k] = true
		if f.Kind == zhudun.KindFinding && f.Status == zhudun.FindingLive {
			rows = append(rows, row{Category: f.Category, Entity: f.Entity, Gang: f.Gang})
		}
	}
	evs, err := e.store.PendingEvents(e.sys, 1<<20)
	if err != nil {
		e.t.Fatal(err)
	}
	created := map[string]int{}
	for _, ev := range evs {
		if ev.Type != "finding.created" {
			continue
		}
		var f zhudun.Finding
		if err := json.Unmarshal(ev.Data, &f); err != nil {
			e.t.Fatal(err)
		}
		if created[f.Category+":"+f.Entity]++; created[f.Category+":"+f.Entity] > 1 {
			e.t.Fatalf("finding %s:%s created twice", f.Category, f.Entity)
		}
	}
	return rows
}

func closed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func check(t *testing.T, got, want []row) {
	t.Helper()
	ge, gp := shape(got)
	we, wp := shape(want)
	if ge != we {
		t.Fatalf("live findings (%d) differ from detect's (%d)", len(got), len(want))
	}
	if gp != wp {
		t.Fatalf("live gangs differ from detect's")
	}
}

// TestLiveEqualsDetect: once a feed pushed through the ingest service is
// consumed, the live findings equal zhudun detect's on the same files —
// entities, categories and gangs as partitions — each stored once.
func TestLiveEqualsDetect(t *testing.T) {
	dir, want := world()
	cats := map[string]int{}
	for _, r := range want {
		cats[r.Category]++
	}
	if len(cats) != 5 {
		t.Fatalf("detect found %v: the world should have every category", cats)
	}
	e := newEnv(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	svc := e.service(nil)
	go func() { defer close(done); svc.Run(ctx) }()
	e.ingest(dir)
	e.caughtUp(e.lastSeq())
	cancel()
	<-done
	check(t, e.live(), want)
	// Leads are kept apart, and the root's analysts list the findings.
	ana, err := e.store.CreateUser(e.sys, zhudun.NewUser{Username: "ana", DeptCode: "ROOT", Password: "S3cure!pass", Own: true, Roles: []string{"analyst"}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.store.CallerFor(context.Background(), ana.ID)
	if err != nil {
		t.Fatal(err)
	}
	items, total, err := e.store.FindFindings(zhudun.WithCaller(context.Background(), c), zhudun.FindingFilter{Limit: 500})
	if err != nil || total != len(want) || len(items) != min(500, len(want)) {
		t.Fatalf("analyst lists %d of %d (%v), want %d", len(items), total, err, len(want))
	}
	// The SSE clients' events: one finding.created per finding, which the
	// analyst's stream passes and an officer's does not.
	off, err := e.store.CreateUser(e.sys, zhudun.NewUser{Username: "off", DeptCode: "ROOT", Password: "S3cure!pass", Own: true, Roles: []string{"officer"}})
	if err != nil {
		t.Fatal(err)
	}
	oc, err := e.store.CallerFor(context.Background(), off.ID)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := e.store.PendingEvents(e.sys, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	created := map[string]bool{}
	for _, ev := range evs {
		if ev.Type != "finding.created" {
			continue
		}
		var f zhudun.Finding
		if err := json.Unmarshal(ev.Data, &f); err != nil {
			t.Fatal(err)
		}
		created[f.Category+":"+f.Entity] = true
		if !ev.Visible(c) || ev.Visible(oc) {
			t.Fatalf("finding.created visible to the analyst %v, to the officer %v", ev.Visible(c), ev.Visible(oc))
		}
	}
	for _, r := range want {
		if !created[r.Category+":"+r.Entity] {
			t.Fatalf("no finding.created for %s:%s", r.Category, r.Entity)
		}
	}
}

// TestLiveCrashes: the engine is stopped abruptly again and again while
// the feed arrives — at random moments, and right after a checkpoint
// before its messages were acknowledged — and restarted from its
// checkpoint each time; it ends with exactly the findings of an
// uninterrupted run (detect's), none twice.
func TestLiveCrashes(t *testing.T) {
	dir, want := world()
	e := newEnv(t)
	ingested := make(chan struct{})
	go func() { defer close(ingested); e.ingestPaced(dir, 150*time.Millisecond) }()
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for i := 0; i < 6; i++ {
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		var crash func()
		if i%2 == 1 {
			// Dies between writing a checkpoint and acknowledging it.
			crash = func() { cancel(); runtime.Goexit() }
		}
		svc := e.service(crash)
		go func() { defer close(done); svc.Run(ctx) }()
		// Let it commit at least once, then stop it at a random moment
		// (while it reads, detects or writes).
		// (A restart with nothing new to read commits nothing: bounded.)
		for start := time.Now(); svc.Runs() == 0 && !closed(done) && time.Since(start) < 2*time.Second; {
			time.Sleep(5 * time.Millisecond)
		}
		select {
		case <-time.After(time.Duration(r.IntN(300)) * time.Millisecond):
		case <-done:
		}
		cancel()
		<-done
		t.Logf("stop %d after %d checkpoints", i, svc.Runs())
	}
	<-ingested
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); e.service(nil).Run(ctx) }()
	e.caughtUp(e.lastSeq())
	cancel()
	<-done
	check(t, e.live(), want)
}
