// Command positions measures issue 13's live-map speed figures: 2,000
// position updates a second sustained through HTTP and JT/T 808 together —
// -terminals simulated terminals over TCP (registered, authenticated, one
// 0x0200 a second each) and -posters HTTP units (POST /units/{id}/positions,
// one fix a second each) — against a real in-process server (SQLite store
// with its group commit, embedded JetStream, the outbox relay, the event
// stream, the JT/T 808 gateway), with -clients live-map clients on the event
// stream measuring each fix's delay from being sent to arriving in a
// unit.positions batch.
//
//	go run ./bench/positions                       # 60 s at 2,000/s
//	go run ./bench/positions -soak 10m -sample 30s # memory and goroutines over 10 minutes
//
// Every -sample it prints the heap in use, the process's resident memory,
// goroutines, the fixes acknowledged and delivered in the interval and the
// delays' p50/p99; at the end the totals, the fixes stored (unit_positions)
// and the machine's load average. The load generators run in the same
// process (their goroutines and memory are in the figures, flat as well).
//
// Each fix carries its sequence number in its latitude (micro-degrees, the
// resolution of JT/T 808), so a delivered fix is matched to its send time
// without clock fields: terminal time is whole seconds.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/httpapi"
	"github.com/zhudun/zhudun/jt808"
	"github.com/zhudun/zhudun/jt808/gateway"
	"github.com/zhudun/zhudun/jt808/jt808sim"
	"github.com/zhudun/zhudun/natsbus"
	"github.com/zhudun/zhudun/postgres"
	"github.com/zhudun/zhudun/relay"
	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
)

var (
	terminals = flag.Int("terminals", 1000, "simulated JT/T 808 terminals (one TCP connection each)")
	posters   = flag.Int("posters", 1000, "units posting over HTTP")
	every     = flag.Duration("every", time.Second, "each unit's interval between fixes")
	conns     = flag.Int("http-conns", 32, "HTTP connections the posters share")
	clients   = flag.Int("clients", 1, "live-map clients on the event stream")
	duration  = flag.Duration("duration", time.Minute, "how long to send")
	soak      = flag.Duration("soak", 0, "soak: send this long (overrides -duration) and sample memory")
	sample    = flag.Duration("sample", 10*time.Second, "interval between samples")
	cpuProf   = flag.String("cpuprofile", "", "write a CPU profile of the sending phase to this file")
	dsn       = flag.String("db", "", "PostgreSQL URL of an empty database (default: SQLite in a temporary directory)")
)

// finished is set once the figures are printed (the streams end then).
var finished atomic.Bool

const (
	pw      = "Bench!Live-Map-2026"
	baseLat = 36.5
)

func main() {
	flag.Parse()
	if *soak > 0 {
		*duration = *soak
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir, err := os.MkdirTemp("", "zhudun-bench-positions-")
	check(err)
	defer os.RemoveAll(dir)
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	none := []string{}
	keys := gmcrypto.Generate()
	o := sqlstore.Options{Keys: keys, Logger: quiet, Policy: zhudun.PolicyOverrides{TOTPRoles: &none}}
	var store *sqlstore.Store
	backend := "SQLite (WAL, file in " + os.TempDir() + ")"
	if *dsn != "" {
		store, err = postgres.Open(ctx, *dsn, o)
		backend = "PostgreSQL"
	} else {
		store, err = sqlite.Open(ctx, filepath.Join(dir, "zhudun.db"), o)
	}
	check(err)
	defer store.Close()
	bus, err := natsbus.Open(ctx, natsbus.Config{DataDir: dir, Keys: keys, Logger: quiet})
	check(err)
	defer bus.Close()
	api := httpapi.New(httpapi.Config{Store: store, Bus: bus, Logger: quiet, Version: "bench"})
	check(api.Start(ctx))
	go relay.Run(ctx, store, bus, time.Second, quiet)
	srv := httptest.NewServer(api.Handler())
	defer srv.CloseClientConnections()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	gw := gateway.New(gateway.Config{Store: store, OnUnit: api.UnitMoved, Logger: quiet, MaxConnsPerAddr: *terminals + 10})
	go gw.Serve(ctx, ln)

	// The city: one sub-bureau, 20 stations, the units spread over them; a
	// commander over the sub-bureau posts and watches.
	sys := zhudun.WithCaller(ctx, zhudun.SystemCaller("bench"))
	check(store.CreateDept(sys, &zhudun.Dept{Code: "SB", Name: "分局", Kind: "subbureau"}))
	for i := range 20 {
		check(store.CreateDept(sys, &zhudun.Dept{Code: fmt.Sprintf("ST%02d", i), Name: fmt.Sprintf("派出所%02d", i), ParentCode: "SB"}))
	}
	cu, err := store.CreateUser(sys, zhudun.NewUser{Username: "cmd", DeptCode: "SB", Password: pw, Own: true, Roles: []string{"commander"}})
	check(err)
	cmd := withUser(ctx, store, cu.ID)
	n := *terminals + *posters
	t0 := time.Now()
	units := make([]*zhudun.Unit, n)
	maxID := int64(0)
	for i := range n {
		term := ""
		if i < *terminals {
			term = fmt.Sprintf("1380000%04d", i)
		}
		units[i], err = store.CreateUnit(cmd, zhudun.NewUnit{Callsign: fmt.Sprintf("B%05d", i), Kind: "car", StationCode: fmt.Sprintf("ST%02d", i%20), Terminal: term})
		check(err)
		maxID = max(maxID, units[i].ID)
	}
	fmt.Printf("setup: %d units in %v; backend %s; %d CPUs\n", n, time.Since(t0).Round(time.Millisecond), backend, runtime.NumCPU())
	token := login(srv.URL, "cmd")

	// Sends and deliveries.
	sent := newSendLog(maxID)
	var acked, failed atomic.Int64
	lat, ackLat := &latencies{}, &latencies{}
	var delivered, batches atomic.Int64
	for range *clients {
		go watch(ctx, srv.URL, token, sent, lat, &delivered, &batches)
	}
	time.Sleep(300 * time.Millisecond) // the streams connect

	// Terminals: connect, register and authenticate before the clock starts.
	t0 = time.Now()
	ts := make([]*jt808sim.Terminal, *terminals)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 50)
	for i := range *terminals {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			t, err := jt808sim.Dial(ln.Addr().String(), units[i].Terminal, i%2 == 1) // half 2013, half 2019
			check(err)
			t.DeviceID = fmt.Sprintf("D%05d", i)
			// A reply that comes after the simulator gave up would be read as
			// the next one's (and every later reply with it): wait as long as
			// it takes, so that a slow server slows the terminals down (their
			// rate falls, as real terminals' would with the platform's
			// answers) instead of counting failures that stored fine.
			t.Timeout = 2 * time.Minute
			res, code, err := t.Register()
			if err != nil || res != 0 {
				log.Fatalf("terminal %d register: %d %v", i, res, err)
			}
			if res, err := t.Authenticate(code); err != nil || res != 0 {
				log.Fatalf("terminal %d authenticate: %d %v", i, res, err)
			}
			ts[i] = t
		}()
	}
	wg.Wait()
	fmt.Printf("terminals: %d registered and authenticated in %v\n", *terminals, time.Since(t0).Round(time.Millisecond))

	if *cpuProf != "" {
		f, err := os.Create(*cpuProf)
		check(err)
		check(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	stopAt := time.Now().Add(*duration)
	sendCtx, stopSend := context.WithDeadline(ctx, stopAt)
	defer stopSend()
	start := time.Now()
	for i, t := range ts {
		u := units[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer t.Close()
			// Spread over the interval; terminal time is whole seconds, so
			// each fix's time is the start plus its sequence (strictly newer).
			tick := offsetTicker(sendCtx, i, len(ts), *every)
			base := time.Now().Truncate(time.Second)
			for seq := 1; ; seq++ {
				if _, ok := <-tick; !ok {
					return
				}
				lon, la := lonOf(u.ID), latOf(seq)
				at := time.Now()
				sent.put(u.ID, seq, at)
				res, err := t.Report(jt808sim.Fix(lon, la, base.Add(time.Duration(seq)*time.Second/time.Duration(max(1, int(time.Second / *every))))))
				if err != nil || res != jt808.ResultOK {
					failed.Add(1)
					continue
				}
				ackLat.add(time.Since(at))
				acked.Add(1)
			}
		}()
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns}}
	for i := range *posters {
		u := units[*terminals+i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := offsetTicker(sendCtx, i, *posters, *every)
			url := fmt.Sprintf("%s/api/v1/units/%d/positions", srv.URL, u.ID)
			for seq := 1; ; seq++ {
				if _, ok := <-tick; !ok {
					return
				}
				now := time.Now()
				sent.put(u.ID, seq, now)
				body := fmt.Sprintf(`[{"lon":%.6f,"lat":%.6f,"ts":%q}]`, lonOf(u.ID), latOf(seq), now.UTC().Format(time.RFC3339Nano))
				req, _ := http.NewRequest("POST", url, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				res, err := hc.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					failed.Add(1)
					continue
				}
				ackLat.add(time.Since(now))
				acked.Add(1)
			}
		}()
	}

	// Samples.
	fmt.Printf("%8s %8s %8s %6s %10s %10s %8s %8s %8s\n", "t", "heap MB", "RSS MB", "gorout", "acked/s", "deliv/s", "p50 ms", "p99 ms", "max ms")
	var lastAcked, lastDeliv int64
	lastT := start
	tick := time.NewTicker(*sample)
	var all []float64
	for done := false; !done; {
		select {
		case <-tick.C:
		case <-sendCtx.Done():
			wg.Wait()
			time.Sleep(1500 * time.Millisecond) // the last batches arrive
			done = true
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		now := time.Now()
		a, d := acked.Load(), delivered.Load()
		ds := lat.take()
		all = append(all, ds...)
		el := now.Sub(lastT).Seconds()
		fmt.Printf("%8s %8.1f %8.1f %6d %10.0f %10.0f %8.1f %8.1f %8.1f\n", now.Sub(start).Round(time.Second), float64(ms.HeapInuse)/1e6, rssMB(),
			runtime.NumGoroutine(), float64(a-lastAcked)/el, float64(d-lastDeliv)/el, pct(ds, 50), pct(ds, 99), pct(ds, 100))
		lastAcked, lastDeliv, lastT = a, d, now
	}
	var stored int64
	check(store.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM unit_positions`).Scan(&stored))
	el := stopAt.Sub(start).Seconds()
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("\nsent for %v: %d fixes acknowledged (%.0f/s), %d failed; stored %d; %d batches to %d client(s) carried %d fixes\n",
		stopAt.Sub(start).Round(time.Second), acked.Load(), float64(acked.Load())/el, failed.Load(), stored, batches.Load(), *clients, delivered.Load())
	fmt.Printf("send → live map: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms (%d fixes); under 1 s: %.3f%%\n",
		pct(all, 50), pct(all, 90), pct(all, 99), pct(all, 100), len(all), 100*under(all, 1000))
	acks := ackLat.take()
	fmt.Printf("send → acknowledged (0x8001 / HTTP 200, i.e. committed): p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", pct(acks, 50), pct(acks, 99), pct(acks, 100))
	fmt.Printf("load average: %s", load)
	finished.Store(true)
	cancel() // the relay and streams stop before the store closes
	time.Sleep(200 * time.Millisecond)
}

// sendLog keeps each unit's last 64 send times by sequence number.
type sendLog struct {
	mu sync.Mutex
	at [][64]time.Time
}

func newSendLog(maxID int64) *sendLog { return &sendLog{at: make([][64]time.Time, maxID+1)} }

func (l *sendLog) put(id int64, seq int, t time.Time) {
	l.mu.Lock()
	l.at[id][seq%64] = t
	l.mu.Unlock()
}

func (l *sendLog) get(id int64, seq int) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	if id <= 0 || int(id) >= len(l.at) {
		return time.Time{}
	}
	return l.at[id][seq%64]
}

// latencies collects delays in milliseconds.
type latencies struct {
	mu sync.Mutex
	ms []float64
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.ms = append(l.ms, float64(d.Microseconds())/1000)
	l.mu.Unlock()
}

func (l *latencies) take() []float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.ms
	l.ms = nil
	return out
}

// watch is a live-map client: it reads unit.positions batches and matches
// each fix to its send time.
func watch(ctx context.Context, base, token string, sent *sendLog, lat *latencies, delivered, batches *atomic.Int64) {
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/events/stream", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		log.Fatalf("event stream: %v", err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var b struct {
		Type string `json:"type"`
		Data []struct {
			ID  int64   `json:"id"`
			Lat float64 `json:"lat"`
		} `json:"data"`
	}
	for sc.Scan() {
		l := sc.Bytes()
		if !bytes.HasPrefix(l, []byte(`data: {"type":"unit.positions"`)) {
			if bytes.HasPrefix(l, []byte("event: overflow")) {
				log.Fatal("the live-map client was disconnected as too slow")
			}
			continue
		}
		now := time.Now()
		b.Data = b.Data[:0]
		if json.Unmarshal(l[6:], &b) != nil {
			continue
		}
		batches.Add(1)
		for _, f := range b.Data {
			seq := int(math.Round((f.Lat - baseLat) * 1e6))
			if t := sent.get(f.ID, seq); !t.IsZero() {
				lat.add(now.Sub(t))
				delivered.Add(1)
			}
		}
	}
	if ctx.Err() == nil && !finished.Load() {
		log.Fatalf("event stream ended: %v", sc.Err())
	}
}

// offsetTicker ticks every d, the i-th of n senders offset by i/n of d.
func offsetTicker(ctx context.Context, i, n int, d time.Duration) <-chan struct{} {
	out := make(chan struct{})
	go func() {
		defer close(out)
		select {
		case <-ctx.Done():
			return
		case <-time.After(d * time.Duration(i) / time.Duration(max(n, 1))):
		}
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case out <- struct{}{}:
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return out
}

func lonOf(id int64) float64 { return 116.8 + float64(id%1000)*0.0005 }
func latOf(seq int) float64  { return baseLat + float64(seq%100000)*1e-6 }

func pct(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

func under(xs []float64, ms float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	n := 0
	for _, x := range xs {
		if x < ms {
			n++
		}
	}
	return float64(n) / float64(len(xs))
}

func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return math.NaN()
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return math.NaN()
}

func withUser(ctx context.Context, s *sqlstore.Store, id int64) context.Context {
	sys := zhudun.WithCaller(ctx, zhudun.SystemCaller("bench"))
	c, err := s.CallerFor(sys, id)
	check(err)
	return zhudun.WithCaller(ctx, c)
}

func login(base, user string) string {
	res, err := http.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, user, pw)))
	check(err)
	defer res.Body.Close()
	var b struct{ Token string }
	check(json.NewDecoder(res.Body).Decode(&b))
	if b.Token == "" {
		log.Fatalf("login %s: %d", user, res.StatusCode)
	}
	return b.Token
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
