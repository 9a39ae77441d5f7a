// Command load is the load test of issue 19.13: a real `zhudun serve` (any
// build: the previous release or this one, given by -bin) on SQLite or
// PostgreSQL with N incidents of history, driven over HTTP on this machine by
//
//   - 50 dispatcher clients, each refreshing its incident board once a second
//     (the open incidents, as the board opens, and every other time the
//     first page of all incidents with its total);
//   - incident creation at a fixed rate (open loop, 500 per second);
//   - one event stream per dispatcher, timing each incident.created event
//     from its commit (the event's time, taken at the start of the
//     transaction: an upper bound) to its arrival.
//
// It prints p50/p95/p99/max per measure and the machine's load average.
// Setup: `serve --demo` makes the demo city (departments, grids, units,
// accounts), the server is stopped, the history is bulk-loaded straight into
// the incidents table (COPY on PostgreSQL, as bench/patrol does; multi-row
// INSERT on SQLite) and analysed, and the server is started again. With
// -data an existing directory from an earlier run is reused (-pgdb for its
// PostgreSQL database), so that two builds can be measured on the same data:
// the newer build migrates it when it starts.
//
//	go run ./bench/load -bin /tmp/zhudun-old -backend postgres -keep        # prints the -data and -pgdb to reuse
//	go run ./bench/load -bin /tmp/zhudun-new -backend postgres -data DIR -pgdb NAME
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/zhudun/zhudun/sqlite"
)

var (
	bin      = flag.String("bin", "", "zhudun binary to measure (required)")
	backend  = flag.String("backend", "sqlite", "sqlite or postgres")
	admin    = flag.String("dsn", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL server for -backend postgres")
	n        = flag.Int("n", 2000000, "incidents of history to load")
	clients  = flag.Int("clients", 50, "dispatcher clients refreshing their board")
	refresh  = flag.Duration("refresh", time.Second, "each client's refresh interval")
	rate     = flag.Int("rate", 500, "incidents created per second")
	duration = flag.Duration("duration", 30*time.Second, "measured load")
	warmup   = flag.Duration("warmup", 5*time.Second, "load before measuring")
	dataDir  = flag.String("data", "", "reuse this data directory (from an earlier -keep run)")
	pgdb     = flag.String("pgdb", "", "reuse this PostgreSQL database (with -data)")
	keep     = flag.Bool("keep", false, "keep the data directory and database")
)

func main() {
	flag.Parse()
	if *bin == "" {
		log.Fatal("-bin is required")
	}
	ctx := context.Background()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		atExit.run()
		os.Exit(130)
	}()
	defer atExit.run()
	fresh := *dataDir == ""
	dir := *dataDir
	if fresh {
		d, err := os.MkdirTemp("", "zhudun-load-")
		check(err)
		dir = d
	}
	var dsn string
	if *backend == "postgres" {
		name := *pgdb
		adb, err := sql.Open("pgx", *admin)
		check(err)
		if name == "" {
			b := make([]byte, 4)
			rand.Read(b)
			name = "zhudun_bench_load_" + hex.EncodeToString(b)
			_, err = adb.Exec(`CREATE DATABASE ` + name)
			check(err)
		}
		if !*keep {
			atExit.add(func() { adb.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`) })
		}
		u, err := url.Parse(*admin)
		check(err)
		u.Path = "/" + name
		dsn = u.String()
		fmt.Printf("PostgreSQL database %s\n", name)
	}
	if !*keep && fresh {
		atExit.add(func() { os.RemoveAll(dir) })
	}
	fmt.Printf("data directory %s\n", dir)
	accountsFile := filepath.Join(dir, "bench-accounts.json")
	if fresh {
		accounts := seed(dir, dsn)
		b, _ := json.Marshal(accounts)
		check(os.WriteFile(accountsFile, b, 0o600))
	}
	var accounts map[string]account
	b, err := os.ReadFile(accountsFile)
	check(err)
	check(json.Unmarshal(b, &accounts))

	srv := start(dir, dsn)
	var disp []*session
	for name, a := range accounts {
		s := login(srv.url, name, a.Password)
		s.points = a.Points
		disp = append(disp, s)
	}
	slices.SortFunc(disp, func(a, b *session) int { return strings.Compare(a.name, b.name) })
	fmt.Printf("%d dispatcher accounts: %s\n", len(disp), names(disp))
	run(ctx, srv.cmd.Process.Pid, disp)
}

// account is a dispatcher's password (changed from the printed initial one
// at first login) and the patrol points of the grids in its reach.
type account struct {
	Password string
	Points   [][2]float64
}

// seed makes the demo city, loads the history and returns the dispatchers.
func seed(dir, dsn string) map[string]account {
	srv := start(dir, dsn, "--demo")
	// The demo writes its accounts' initial passwords to a file (username,
	// password, roles, department per line), not to its output.
	list, rerr := os.ReadFile(filepath.Join(dir, "demo-passwords.txt"))
	check(rerr)
	accounts := map[string]string{}
	for _, l := range strings.Split(string(list), "\n") {
		f := strings.Fields(l)
		if len(f) == 4 && !strings.HasPrefix(l, "#") && strings.Contains(","+f[2]+",", ",dispatcher,") {
			accounts[f[0]] = f[1]
		}
	}
	if len(accounts) == 0 {
		fatalf("no dispatcher among the demo accounts:\n%s", srv.out.String())
	}
	changed := map[string]account{}
	paths := map[string]string{}
	for name, pw := range accounts {
		s := login(srv.url, name, pw)
		changed[name] = account{Password: s.password}
		_, b, err := s.do("GET", "/api/v1/me", nil)
		check(err)
		var me struct {
			Dept struct {
				Path string `json:"path"`
			} `json:"dept"`
		}
		check(json.Unmarshal(b, &me))
		paths[name] = me.Dept.Path
	}
	srv.stop()

	t0 := time.Now()
	var db *sql.DB
	var err error
	if dsn == "" {
		db, err = sqlite.OpenDB(filepath.Join(dir, "zhudun.db"))
	} else {
		db, err = sql.Open("pgx", dsn)
	}
	check(err)
	defer db.Close()
	type grid struct {
		id, station int64
		lon, lat    float64
	}
	var grids []grid
	rows, err := db.Query(`SELECT id, station_id, patrol_lon, patrol_lat FROM grids ORDER BY id`)
	check(err)
	for rows.Next() {
		var g grid
		check(rows.Scan(&g.id, &g.station, &g.lon, &g.lat))
		grids = append(grids, g)
	}
	check(rows.Err())
	for name, path := range paths {
		q := `SELECT g.patrol_lon, g.patrol_lat FROM grids g JOIN depts d ON d.id = g.station_id WHERE d.path LIKE $1`
		if dsn == "" {
			q = strings.ReplaceAll(q, "$1", "?")
		}
		rows, err := db.Query(q, path+"%")
		check(err)
		a := changed[name]
		for rows.Next() {
			var p [2]float64
			check(rows.Scan(&p[0], &p[1]))
			a.Points = append(a.Points, p)
		}
		check(rows.Err())
		if len(a.Points) == 0 {
			delete(changed, name) // a dispatcher with no grids in reach creates nothing
			continue
		}
		changed[name] = a
	}
	cats := []string{"criminal", "public_order", "traffic", "fire", "rescue", "dispute", "other"}
	outs := []string{"handled", "handled", "criminal_case", "public_order_case", "mediated", "rescued", "referred"}
	rng := mrand.New(mrand.NewPCG(1, 2))
	start := time.Now().AddDate(-2, 0, 0)
	span := int64(2 * 365 * 24 * time.Hour)
	cols := []string{"category", "category_version", "lon", "lat", "source", "priority", "status", "grid_id", "station_id",
		"received_at", "dispatched_at", "arrived_at", "closed_at", "outcome", "imported", "created_at", "updated_at"}
	row := func() []any {
		g := grids[rng.IntN(len(grids))]
		recv := start.Add(time.Duration(rng.Int64N(span))).UTC().Truncate(time.Microsecond)
		disp := recv.Add(time.Duration(30+rng.IntN(120)) * time.Second)
		arr := disp.Add(time.Duration(60+rng.IntN(1500)) * time.Second)
		closed := recv.Add(time.Hour)
		return []any{cats[rng.IntN(len(cats))], 1, g.lon, g.lat, "110", 2, "closed", g.id, g.station, recv, disp, arr, closed,
			outs[rng.IntN(len(outs))], true, recv, closed}
	}
	if dsn != "" {
		conn, err := db.Conn(context.Background())
		check(err)
		i := 0
		check(conn.Raw(func(dc any) error {
			_, err := dc.(*stdlib.Conn).Conn().CopyFrom(context.Background(), pgx.Identifier{"incidents"}, cols, pgx.CopyFromFunc(func() ([]any, error) {
				if i >= *n {
					return nil, nil
				}
				i++
				return row(), nil
			}))
			return err
		}))
		conn.Close()
		// VACUUM as well, as after any bulk load: without it the autovacuum
		// that the 2 M inserted rows trigger ran during the measured load,
		// and the counts' index-only scans visited the heap (no visibility
		// map yet). A table in service has both long behind it.
		_, err = db.Exec(`VACUUM (ANALYZE) incidents`)
		check(err)
		_, err = db.Exec(`ANALYZE`)
		check(err)
	} else {
		const per = 500 // rows per statement (17 parameters each)
		ph := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
		stmt := `INSERT INTO incidents (` + strings.Join(cols, ",") + `) VALUES ` + strings.TrimSuffix(strings.Repeat(ph+",", per), ",")
		for done := 0; done < *n; {
			tx, err := db.Begin()
			check(err)
			for k := 0; k < 200 && done < *n; k++ {
				m := min(per, *n-done)
				q := stmt
				if m < per {
					q = `INSERT INTO incidents (` + strings.Join(cols, ",") + `) VALUES ` + strings.TrimSuffix(strings.Repeat(ph+",", m), ",")
				}
				args := make([]any, 0, m*len(cols))
				for j := 0; j < m; j++ {
					args = append(args, row()...)
				}
				_, err := tx.Exec(q, args...)
				check(err)
				done += m
			}
			check(tx.Commit())
		}
		_, err = db.Exec(`ANALYZE`)
		check(err)
	}
	fmt.Printf("loaded %d incidents over %d grids in %v\n", *n, len(grids), time.Since(t0).Round(time.Second))
	return changed
}

type server struct {
	once sync.Once
	cmd  *exec.Cmd
	url  string
	out  *bytes.Buffer
}

func start(dir, dsn string, extra ...string) *server {
	args := append([]string{"serve", "--data", dir, "--addr", "127.0.0.1:0", "--log-level", "warn"}, extra...)
	if dsn != "" {
		args = append(args, "--db", dsn)
	}
	cmd := exec.Command(*bin, args...)
	logf, err := os.OpenFile(filepath.Join(dir, "bench-server.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	check(err)
	cmd.Stderr = logf // the server's own log, apart from the figures
	stdout, err := cmd.StdoutPipe()
	check(err)
	check(cmd.Start())
	s := &server{cmd: cmd, out: &bytes.Buffer{}}
	atExit.add(s.stop) // before anything below can fail
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		l := sc.Text()
		s.out.WriteString(l + "\n")
		if strings.HasPrefix(l, "listening on ") {
			s.url = strings.TrimPrefix(l, "listening on ")
			go io.Copy(io.Discard, stdout)
			return s
		}
	}
	fatalf("server did not start:\n%s", s.out.String())
	return nil
}

// stop stops the server (once: it is called at exit too).
func (s *server) stop() {
	s.once.Do(func() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		t := time.AfterFunc(30*time.Second, func() { s.cmd.Process.Kill() })
		s.cmd.Wait()
		t.Stop()
	})
}

type session struct {
	base, name, password, token string
	points                      [][2]float64 // patrol points of grids in reach
}

var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2000, MaxConnsPerHost: 0}, Timeout: 60 * time.Second}

func (s *session) do(method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.base+path, rd)
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

// login signs in, changing an initial password to a new one.
func login(base, name, pw string) *session {
	s := &session{base: base, name: name, password: pw}
	code, b, err := s.do("POST", "/api/v1/auth/login", map[string]string{"username": name, "password": pw})
	if err != nil || code != 200 {
		fatalf("login %s: %d %s %v", name, code, b, err)
	}
	var r struct {
		Token              string `json:"token"`
		MustChangePassword bool   `json:"must_change_password"`
		MustEnrollTOTP     bool   `json:"must_enroll_totp"`
	}
	check(json.Unmarshal(b, &r))
	s.token = r.Token
	if r.MustEnrollTOTP {
		fatalf("%s must enrol TOTP; the bench signs in dispatchers only", name)
	}
	if r.MustChangePassword {
		next := "Bench-" + hex.EncodeToString([]byte(name))[:8] + "-9x!"
		if code, b, err := s.do("POST", "/api/v1/auth/password", map[string]string{"old": pw, "new": next}); err != nil || code/100 != 2 {
			fatalf("change password %s: %d %s %v", name, code, b, err)
		}
		return login(base, name, next)
	}
	return s
}

func names(ss []*session) string {
	var out []string
	for _, s := range ss {
		out = append(out, fmt.Sprintf("%s (%d grids)", s.name, len(s.points)))
	}
	return strings.Join(out, ", ")
}

// samples collects latencies of one measure while measuring is on.
type samples struct {
	mu     sync.Mutex
	d      []time.Duration
	errors int
}

var measuring atomic.Bool

func (s *samples) add(d time.Duration, ok bool) {
	if !measuring.Load() {
		return
	}
	s.mu.Lock()
	if ok {
		s.d = append(s.d, d)
	} else {
		s.errors++
	}
	s.mu.Unlock()
}

// count is how many requests were answered (well or not) in the window.
func (s *samples) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.d) + s.errors
}

func (s *samples) line(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	slices.Sort(s.d)
	q := func(p float64) string {
		if len(s.d) == 0 {
			return "-"
		}
		return s.d[min(len(s.d)-1, int(p*float64(len(s.d))))].Round(100 * time.Microsecond).String()
	}
	mx := "-"
	if len(s.d) > 0 {
		mx = s.d[len(s.d)-1].Round(time.Millisecond).String()
	}
	return fmt.Sprintf("%-34s n=%-6d err=%-4d p50=%-9s p95=%-9s p99=%-9s max=%s", name, len(s.d), s.errors, q(.5), q(.95), q(.99), mx)
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func run(ctx context.Context, pid int, disp []*session) {
	var board, history, create, sse samples
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	// Event streams: one per dispatcher account.
	for _, s := range disp {
		req, _ := http.NewRequestWithContext(ctx, "GET", s.base+"/api/v1/events/stream", nil)
		req.Header.Set("Authorization", "Bearer "+s.token)
		res, err := (&http.Client{}).Do(req)
		if err != nil || res.StatusCode != 200 {
			fatalf("event stream %s: %v", s.name, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer res.Body.Close()
			sc := bufio.NewScanner(res.Body)
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for sc.Scan() {
				l := sc.Bytes()
				if !bytes.HasPrefix(l, []byte("data: ")) || !bytes.Contains(l, []byte(`"type":"incident.created"`)) {
					continue
				}
				now := time.Now()
				var e struct {
					At time.Time `json:"at"`
				}
				if json.Unmarshal(l[6:], &e) == nil {
					sse.add(now.Sub(e.At), true)
				}
			}
		}()
	}
	// Board clients.
	for c := 0; c < *clients; c++ {
		s := disp[c%len(disp)]
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			// Staggered: the ticker starts after the client's offset. (It
			// used to start before the sleep, which put every client's
			// later refreshes on the same instant: 50 requests at once each
			// second, which no population of dispatchers does.)
			time.Sleep(time.Duration(c) * *refresh / time.Duration(*clients))
			t := time.NewTicker(*refresh)
			defer t.Stop()
			for i := 0; ; i++ {
				path, into := "/api/v1/incidents?open=true&limit=50", &board
				if i%2 == 1 {
					path, into = "/api/v1/incidents?limit=50", &history
				}
				t0 := time.Now()
				code, _, err := s.do("GET", path, nil)
				into.add(time.Since(t0), err == nil && code == 200)
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}(c)
	}
	// Creation, open loop.
	var created, busy atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		rng := mrand.New(mrand.NewPCG(3, 4))
		iv := time.Second / time.Duration(*rate)
		next := time.Now()
		sem := make(chan struct{}, 4000)
		for k := 0; ctx.Err() == nil; k++ {
			next = next.Add(iv)
			time.Sleep(time.Until(next))
			s := disp[k%len(disp)]
			p := s.points[rng.IntN(len(s.points))]
			select {
			case sem <- struct{}{}:
			default:
				create.add(0, false) // the client itself is saturated
				continue
			}
			go func() {
				defer func() { <-sem }()
				t0 := time.Now()
				code, b, err := s.do("POST", "/api/v1/incidents", map[string]any{"category": "dispute", "lon": p[0], "lat": p[1], "source": "110"})
				ok := err == nil && code == 201
				if code == 503 && measuring.Load() {
					busy.Add(1) // refused by the server's admission: counted, not logged
				} else if !ok && measuring.Load() && rng.IntN(50) == 0 {
					log.Printf("create: %d %.200s %v", code, b, err)
				}
				create.add(time.Since(t0), ok)
				if ok && measuring.Load() {
					created.Add(1)
				}
			}()
		}
	}()
	fmt.Printf("load average before: %s\n", loadavg())
	time.Sleep(*warmup)
	measuring.Store(true)
	t0 := time.Now()
	srvCPU0, allCPU0 := procCPU(pid), machineCPU()
	time.Sleep(*duration)
	measuring.Store(false)
	el := time.Since(t0)
	srvCPU, allCPU := procCPU(pid)-srvCPU0, machineCPU()-allCPU0
	fmt.Printf("load average after:  %s\n", loadavg())
	cancel()
	// The figures are taken; requests still queued at an overloaded server
	// are not waited for.
	defer func() {
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
	}()
	fmt.Printf("%s, %d incidents of history, %d board clients every %v, creation at %d/s for %v\n", *backend, *n, *clients, *refresh, *rate, *duration)
	fmt.Println(board.line("board (open incidents, first page)"))
	fmt.Println(history.line("history (all, first page + total)"))
	fmt.Println(create.line("incident creation"))
	fmt.Println(sse.line("SSE incident.created after commit"))
	fmt.Printf("created %d (%.0f/s achieved); %d refused busy (503)\n", created.Load(), float64(created.Load())/el.Seconds(), busy.Load())
	// CPU, not only wall time: the machine is shared. Per request is per
	// HTTP request answered in the window (board, history and creations).
	reqs := board.count() + history.count() + create.count()
	fmt.Printf("server CPU %.1fs of %.0fs (%.2f cores), %.2f ms per request answered (%d); whole machine busy %.2f of 2 cores\n",
		srvCPU.Seconds(), el.Seconds(), srvCPU.Seconds()/el.Seconds(), float64(srvCPU.Milliseconds())/float64(max(reqs, 1)), reqs, allCPU.Seconds()/el.Seconds())
}

// procCPU is the user+system CPU time process pid has used.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces): state is
	// field 3; utime and stime are fields 14 and 15, in clock ticks (100/s).
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	var ut, st int64
	fmt.Sscan(f[11], &ut)
	fmt.Sscan(f[12], &st)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// machineCPU is the CPU time all cores spent not idle (from /proc/stat).
func machineCPU() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0])[1:]
	var busy int64
	for i, v := range f {
		var x int64
		fmt.Sscan(v, &x)
		if i != 3 && i != 4 { // idle, iowait
			busy += x
		}
	}
	return time.Duration(busy) * 10 * time.Millisecond
}

func check(err error) {
	if err != nil {
		fatalf("%v", err)
	}
}

// atExit is what must be undone however the bench ends — its servers
// stopped, its database dropped, its data removed — whether it returns, fails
// (fatalf) or is interrupted: log.Fatal alone skips deferred calls and left
// a server running after a failed setup.
var atExit cleanups

type cleanups struct {
	mu  sync.Mutex
	fns []func()
}

// add registers fn to run at exit, after those added later.
func (c *cleanups) add(fn func()) {
	c.mu.Lock()
	c.fns = append(c.fns, fn)
	c.mu.Unlock()
}

// run runs the registered functions, last added first, each once.
func (c *cleanups) run() {
	c.mu.Lock()
	fns := c.fns
	c.fns = nil
	c.mu.Unlock()
	for i := len(fns) - 1; i >= 0; i-- {
		fns[i]()
	}
}

func fatalf(format string, args ...any) {
	atExit.run()
	log.Fatalf(format, args...)
}
