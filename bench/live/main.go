// Command live measures issue 10's speed figures on this machine: a
// simulated city's feed sent by `zhudun ingest` (a carrier's files and a
// platform's registrations, at once, as the two sources would) into a real
// `zhudun serve` (embedded NATS, JetStream file storage, the embedded
// engine, SQLite), timed until the stored findings are those `zhudun
// detect` finds on the same files; and how late each finding reaches an
// analyst's event stream.
//
// It prints the events, the time `zhudun detect` takes, the time from the
// first byte sent to the last finding stored, the events per second and the
// ratio of the two; per finding event the delivery from commit to the
// client; per engine run the age of its oldest message at commit (the
// engine's log, age_ms: an upper bound of the wait from an event to the
// finding it completed) and their sum per finding (an upper bound of event
// → client); the latency of probes — requests of a third source sent while
// the feed is, each completing a black card of its own (12 code messages
// from 12 platforms to a new number), timed from the request's start to
// the analyst's first event of that finding: the event → client latency
// itself, at that load —; and the server's peak resident memory.
//
//	go build -o /tmp/zhudun ./cmd/zhudun && go run ./bench/live -bin /tmp/zhudun -users 20000 -days 7
//
// With -workers N (the scale-out, docs/live.md) it starts a NATS server of
// its own (-nats-server, JetStream file storage), `zhudun serve --engine
// off` on it, and N `zhudun engine` processes — the first with --stage
// both (a partition worker and the global stage), the others --stage
// partition — and reports per worker the events it fed, its events per
// second, its peak resident memory and the state it holds per entity (the
// partition checkpoints' bytes over their entities).
//
//	go build -o /tmp/nats-server github.com/nats-io/nats-server/v2
//	go run ./bench/live -bin /tmp/zhudun -nats-server /tmp/nats-server -workers 2 -users 20000 -days 7
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
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

var (
	bin   = flag.String("bin", "", "zhudun binary to measure (required)")
	users = flag.Int("users", 20000, "simulated residents")
	days  = flag.Int("days", 7, "simulated days")
	seed  = flag.Int("seed", 1, "simulation seed")
	keep  = flag.Bool("keep", false, "keep the working directory")

	workers    = flag.Int("workers", 0, "zhudun engine processes sharing the partitions (0: the engine embedded in serve)")
	natsServer = flag.String("nats-server", "", "nats-server binary, with -workers")
	cpuProfile = flag.String("cpuprofile", "", "write serve's CPU profile to this file (go tool pprof)")

	probes     = flag.Int("probes", 30, "probe requests sent while the feed is, each completing one black card")
	probeEvery = flag.Duration("probe-every", 100*time.Millisecond, "time between probe requests")
)

// probeOTPs is how many code messages, from as many platforms, a probe
// number gets: above OTPPlatformsStrong (10), a black card on its own
// proof whatever the feed around it (the code-platform threshold adapts
// to 6 on the 20,000-person week).
const probeOTPs = 12

func probeNumber(i int) string { return fmt.Sprintf("170999%05d", i) }

// probeEvents is probe i's events: probeOTPs codes to a number no
// simulated resident has, on 3 June 2021 (inside the simulated week, so
// the feed's period does not move).
func probeEvents(i int) string {
	var b strings.Builder
	for k := range probeOTPs {
		fmt.Fprintf(&b, `{"type":"sms","ts":"2021-06-03T10:%02d:%02d+08:00","msisdn":"%s","sender":"1069%04d","platform":"probe-platform-%d","kind":"otp"}`+"\n",
			k, i%60, probeNumber(i), k, k)
	}
	return b.String()
}

// probeFindings is the entities of the probe source's live findings.
func probeFindings(base, token string) []string {
	req, _ := http.NewRequest("GET", base+"/api/v1/findings?source=probe&limit=500", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil
	}
	defer res.Body.Close()
	var page struct {
		Items []struct {
			Entity string `json:"entity"`
		} `json:"items"`
	}
	json.NewDecoder(res.Body).Decode(&page)
	var out []string
	for _, it := range page.Items {
		out = append(out, it.Entity)
	}
	return out
}

func postProbe(base, key, body string) {
	req, _ := http.NewRequest("POST", base+"/api/v1/events", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/x-ndjson")
	res, err := http.DefaultClient.Do(req)
	check(err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !bytes.Contains(b, []byte(fmt.Sprintf(`"accepted":%d`, probeOTPs))) {
		log.Fatalf("probe: %s %s", res.Status, b)
	}
}

func main() {
	flag.Parse()
	if *bin == "" {
		log.Fatal("-bin is required")
	}
	dir, err := os.MkdirTemp("", "zhudun-bench-live-")
	check(err)
	if !*keep {
		defer os.RemoveAll(dir)
	}
	feed, data := filepath.Join(dir, "feed"), filepath.Join(dir, "data")
	sim := must(*bin, "simulate", "--users", fmt.Sprint(*users), "--days", fmt.Sprint(*days), "--seed", fmt.Sprint(*seed), "--out", feed, "--truth", filepath.Join(dir, "truth.jsonl"))
	m := regexp.MustCompile(`wrote (\d+) events`).FindStringSubmatch(sim)
	if m == nil {
		log.Fatalf("simulate said %q", sim)
	}
	events, _ := strconv.Atoi(m[1])
	files, _ := filepath.Glob(filepath.Join(feed, "*"))
	var regs, rest []string
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "reg_") {
			regs = append(regs, f)
		} else {
			rest = append(rest, f)
		}
	}
	t := time.Now()
	must(*bin, "detect", "--in", feed, "--out", filepath.Join(dir, "detect.jsonl"))
	detect := time.Since(t)
	// The stored findings are detect's on the feed and the probes (below).
	probeDir := filepath.Join(dir, "probes")
	check(os.MkdirAll(probeDir, 0o700))
	for _, f := range files {
		check(os.Symlink(f, filepath.Join(probeDir, filepath.Base(f))))
	}
	var probeBody []string
	for i := range *probes {
		probeBody = append(probeBody, probeEvents(i))
	}
	check(os.WriteFile(filepath.Join(probeDir, "sms_probes.jsonl"), []byte(strings.Join(probeBody, "")), 0o600))
	must(*bin, "detect", "--in", probeDir, "--out", filepath.Join(dir, "detect-probes.jsonl"))
	want := lines(filepath.Join(dir, "detect-probes.jsonl"))
	events += *probes * probeOTPs

	carrier := lastLine(stdout(*bin, "source", "add", "--data", data, "--name", "cmcc", "--kind", "carrier"))
	platform := lastLine(stdout(*bin, "source", "add", "--data", data, "--name", "app", "--kind", "platform"))
	prober := lastLine(stdout(*bin, "source", "add", "--data", data, "--name", "probe", "--kind", "carrier"))
	pw := "Bench!Cyber-2026"
	cmd := exec.Command(*bin, "user", "add", "--data", data, "--username", "ana", "--role", "analyst", "--password-stdin")
	cmd.Stdin = strings.NewReader(pw + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		log.Fatalf("user add: %v %s", err, out)
	}

	serveArgs := []string{"serve", "--data", data, "--addr", "127.0.0.1:0", "--log-level", "info", "--log-format", "json"}
	logPath := filepath.Join(dir, "server.log")
	var engines []*exec.Cmd
	if *workers > 0 {
		url, stop := startNATS(dir)
		defer stop()
		serveArgs = append(serveArgs, "--engine", "off", "--nats", url)
		logPath = filepath.Join(dir, "engine-0.log")
		for i := range *workers {
			stage := "partition"
			if i == 0 {
				stage = "both"
			}
			c := exec.Command(*bin, "engine", "--stage", stage, "--data", data, "--nats", url, "--log-level", "info", "--log-format", "json")
			f, err := os.Create(filepath.Join(dir, fmt.Sprintf("engine-%d.log", i)))
			check(err)
			c.Stderr = f
			check(c.Start())
			engines = append(engines, c)
			defer func() { c.Process.Signal(syscall.SIGTERM); c.Wait() }()
		}
	}
	if *workers > 0 {
		// The workers see one another (a beat) and settle the partitions
		// among them before the feed arrives, so that none is read twice.
		time.Sleep(12 * time.Second)
	}
	srv := exec.Command(*bin, serveArgs...)
	if *cpuProfile != "" {
		p, err := filepath.Abs(*cpuProfile)
		check(err)
		srv.Env = append(os.Environ(), "ZHUDUN_CPUPROFILE="+p)
	}
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	check(err)
	srv.Stderr = logf
	srvOut, err := srv.StdoutPipe()
	check(err)
	check(srv.Start())
	defer func() { srv.Process.Signal(syscall.SIGTERM); srv.Wait() }()
	base := ""
	sc := bufio.NewScanner(srvOut)
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, "listening on ") {
			base = strings.TrimPrefix(l, "listening on ")
			break
		}
	}
	if base == "" {
		log.Fatal("serve did not start")
	}
	go io.Copy(io.Discard, srvOut)
	token := login(base, "ana", pw)

	// The analyst's event stream, as the UI follows it: each finding
	// event's arrival against its commit (the event's at). A client that
	// falls 256 events behind is disconnected (an engine run writes
	// thousands at once: "event: overflow"); like the UI it reconnects at
	// once and reloads what it shows — here the probes' findings (source
	// probe), each seen then if no event of it came before.
	type arrival struct{ at, recv time.Time }
	var mu sync.Mutex
	var arrivals []arrival
	probeSent := map[string]time.Time{}     // probe number → when its request was sent
	probeSeen := map[string]time.Duration{} // → when the analyst first had its finding, after that
	seen := func(entity string, now time.Time) {
		if sent, ok := probeSent[entity]; ok {
			if _, done := probeSeen[entity]; !done {
				probeSeen[entity] = now.Sub(sent)
			}
		}
	}
	var reconnects int
	opened := make(chan bool, 1)
	// The stream stops before the server does (defers run last first): a
	// server shutting down waits for its streams, which would reconnect.
	streamCtx, stopStream := context.WithCancel(context.Background())
	defer stopStream()
	follow := func() bool {
		req, _ := http.NewRequestWithContext(streamCtx, "GET", base+"/api/v1/events/stream", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != 200 {
			select {
			case opened <- false:
			default:
			}
			return false
		}
		defer res.Body.Close()
		select {
		case opened <- true:
		default:
		}
		// The reload, once the stream is open (the UI's onLiveOpen).
		now := time.Now()
		for _, e := range probeFindings(base, token) {
			mu.Lock()
			seen(e, now)
			mu.Unlock()
		}
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 8<<20)
		for sc.Scan() {
			l := sc.Bytes()
			if bytes.Equal(l, []byte("event: overflow")) {
				return true
			}
			if !bytes.HasPrefix(l, []byte("data: ")) || !bytes.Contains(l[:min(len(l), 200)], []byte(`"type":"finding.`)) {
				continue
			}
			now := time.Now()
			var e struct {
				At   time.Time `json:"at"`
				Data struct {
					Entity string `json:"entity"`
				} `json:"data"`
			}
			if json.Unmarshal(l[6:], &e) == nil {
				mu.Lock()
				arrivals = append(arrivals, arrival{e.At, now})
				seen(e.Data.Entity, now)
				mu.Unlock()
			}
		}
		return true
	}
	go func() {
		for follow() && streamCtx.Err() == nil {
			mu.Lock()
			reconnects++
			mu.Unlock()
		}
	}()
	if !<-opened {
		log.Fatal("event stream refused")
	}

	t0 := time.Now()
	var wg sync.WaitGroup
	for _, s := range []struct {
		key   string
		files []string
	}{{carrier, rest}, {platform, regs}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			must(*bin, append([]string{"ingest", "--server", base, "--token", s.key}, s.files...)...)
		}()
	}
	// The probes: while the feed is sent, every -probe-every a request of
	// its own completes one new black card (probeEvents); its latency is
	// from the request's start to the analyst's first event of it.
	var pwg sync.WaitGroup
	pwg.Add(1)
	go func() {
		defer pwg.Done()
		for i := range *probes {
			time.Sleep(*probeEvery)
			mu.Lock()
			probeSent[probeNumber(i)] = time.Now()
			mu.Unlock()
			postProbe(base, prober, probeEvents(i))
		}
	}()
	wg.Wait()
	sent := time.Since(t0)
	pwg.Wait()
	// Done when the engine has committed a run over every event (its log
	// line's time) and the stored findings are detect's count.
	var done time.Duration
	var runs []run
	for deadline := time.Now().Add(10 * time.Minute); ; {
		runs = engineRuns(logPath)
		var full []run
		for _, r := range runs {
			if r.full {
				full = append(full, r)
			}
		}
		// The global stage holds the linked subset, not every event: it is
		// done when every partition has fed its last event and a full run
		// after that stored detect's findings.
		fedAll := *workers == 0 && len(full) > 0 && full[len(full)-1].events >= int64(events) ||
			*workers > 0 && len(full) > 0 && partitionsFed(dir, *workers) >= int64(events) && full[len(full)-1].findings == want
		if fedAll {
			if n := total(base, token); n != want {
				log.Fatalf("every event fed: %d findings stored, detect found %d", n, want)
			}
			done = full[len(full)-1].at.Sub(t0)
			break
		}
		if time.Now().After(deadline) {
			log.Fatalf("the engine never fed all %d events", events)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // the last finding events reach the client
	rss := peakRSS(srv.Process.Pid)

	mu.Lock()
	var deliver, e2e []time.Duration
	for _, a := range arrivals {
		deliver = append(deliver, a.recv.Sub(a.at))
		// the run that committed it: the first logged after its commit
		i, _ := slices.BinarySearchFunc(runs, a.at, func(r run, t time.Time) int { return r.at.Compare(t) })
		if i < len(runs) && runs[i].age >= 0 { // a run with no message of its own has no age
			e2e = append(e2e, a.recv.Sub(a.at)+runs[i].age)
		}
	}
	mu.Unlock()
	var ages []time.Duration
	for _, r := range runs {
		if r.age >= 0 {
			ages = append(ages, r.age)
		}
	}
	fmt.Printf("feed: %d events (%d users, %d days), %d findings by detect\n", events, *users, *days, want)
	fmt.Printf("zhudun detect:                %v\n", detect.Round(time.Millisecond))
	fmt.Printf("ingest sent:                  %v\n", sent.Round(time.Millisecond))
	fmt.Printf("ingest → findings stored:     %v  (%.0f events/s, %.2f× detect)\n", done.Round(time.Millisecond), float64(events)/done.Seconds(), done.Seconds()/detect.Seconds())
	nfull := 0
	for _, r := range runs {
		if r.full {
			nfull++
		}
	}
	fmt.Printf("engine runs: %d (%d full, %d early); detect per run p50 %v max %v\n", len(runs), nfull, len(runs)-nfull, quant(runsDetect(runs), .5), quant(runsDetect(runs), 1))
	fmt.Printf("commit → SSE client           %s\n", dist(deliver))
	fmt.Printf("oldest message → commit, runs %s\n", dist(ages))
	fmt.Printf("event → SSE client (bound)    %s\n", dist(e2e))
	mu.Lock()
	var probed []time.Duration
	for _, d := range probeSeen {
		probed = append(probed, d)
	}
	mu.Unlock()
	mu.Lock()
	fmt.Printf("probe request → analyst       %s  (%d of %d probes seen; the stream reconnected %d times)\n", dist(probed), len(probed), *probes, reconnects)
	mu.Unlock()
	fmt.Printf("server peak RSS: %d MiB, %v CPU\n", rss>>20, cpuTime(srv.Process.Pid).Round(10*time.Millisecond))
	for i, c := range engines {
		w := workerFigures(filepath.Join(dir, fmt.Sprintf("engine-%d.log", i)))
		cpu := cpuTime(c.Process.Pid)
		fmt.Printf("worker %d: %d partitions, %d events fed (%d passed on, %.0f %%), %.0f events/s while feeding, %v CPU (%.0f events per CPU-second, global stage included on worker 0), peak RSS %d MiB, %d entities, %.0f bytes of state per entity\n",
			i, len(w.parts), w.fed, w.linked, 100*float64(w.linked)/max(1, float64(w.fed)), float64(w.fed)/max(w.busy.Seconds(), 1e-3),
			cpu.Round(10*time.Millisecond), float64(w.fed)/max(cpu.Seconds(), 1e-3), peakRSS(c.Process.Pid)>>20, w.entities, float64(w.state)/max(1, float64(w.entities)))
	}
}

// cpuTime is the user and system CPU time a process used (/proc/PID/stat),
// which a machine loaded by others does not inflate as it does wall time.
func cpuTime(pid int) time.Duration {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * time.Second / 100 // clock ticks (USER_HZ 100)
}

// startNATS starts a NATS server of the bench's own with JetStream file
// storage on a free port.
func startNATS(dir string) (string, func()) {
	if *natsServer == "" {
		log.Fatal("-workers needs -nats-server")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	c := exec.Command(*natsServer, "-a", "127.0.0.1", "-p", fmt.Sprint(port), "-js", "-sd", filepath.Join(dir, "nats"))
	check(c.Start())
	url := fmt.Sprintf("nats://127.0.0.1:%d", port)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if conn, err := net.Dial("tcp", l.Addr().String()); err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			log.Fatal("nats-server did not start")
		}
	}
	return url, func() { c.Process.Signal(syscall.SIGTERM); c.Wait() }
}

// worker is what a partition worker's "partition committed" lines say.
type worker struct {
	parts                   map[int]bool
	fed, linked             int64
	entities, state         int64
	busy                    time.Duration // first to last commit
	lastState, lastEntities map[int]int64
}

func workerFigures(path string) worker {
	w := worker{parts: map[int]bool{}, lastState: map[int]int64{}, lastEntities: map[int]int64{}}
	var first, last time.Time
	forLines(path, `"msg":"partition committed"`, func(b []byte) {
		var l struct {
			Time      time.Time `json:"time"`
			Partition int       `json:"partition"`
			Entities  int64     `json:"entities"`
			State     int64     `json:"state_bytes"`
			Fed       int64     `json:"fed"`
			Linked    int64     `json:"linked"`
		}
		if json.Unmarshal(b, &l) != nil {
			return
		}
		if first.IsZero() {
			first = l.Time
		}
		last = l.Time
		w.parts[l.Partition] = true
		w.fed, w.linked = max(w.fed, l.Fed), max(w.linked, l.Linked)
		w.lastState[l.Partition], w.lastEntities[l.Partition] = l.State, l.Entities
	})
	w.busy = last.Sub(first)
	for p := range w.lastState {
		w.state += w.lastState[p]
		w.entities += w.lastEntities[p]
	}
	return w
}

// partitionsFed is the events the partition workers fed, all together.
func partitionsFed(dir string, n int) int64 {
	var sum int64
	for i := range n {
		sum += workerFigures(filepath.Join(dir, fmt.Sprintf("engine-%d.log", i))).fed
	}
	return sum
}

// forLines calls f with each line of path that matches re.
func forLines(path, re string, f func([]byte)) {
	fh, err := os.Open(path)
	if err != nil {
		return
	}
	defer fh.Close()
	m := regexp.MustCompile(re)
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if m.Match(sc.Bytes()) {
			f(sc.Bytes())
		}
	}
}

type run struct {
	at       time.Time
	age, det time.Duration
	events   int64
	findings int
	full     bool // a full run (every change, the checkpoint); else an early one (new findings only)
}

// engineRuns reads the engine's "live findings" log lines.
func engineRuns(path string) []run {
	var out []run
	forLines(path, `"msg":"live findings"`, func(b []byte) {
		var l struct {
			Time     time.Time `json:"time"`
			Age      int64     `json:"age_ms"`
			Detect   int64     `json:"detect_ms"`
			Events   int64     `json:"events"`
			Findings int       `json:"findings"`
			Full     *bool     `json:"full"` // absent before early runs: every run was full
		}
		// A run fed no message since the last (age_ms -1: a full run at
		// quiet after an early run took the last messages) counts too: it
		// may be the one that stores the last findings.
		if json.Unmarshal(b, &l) == nil {
			out = append(out, run{l.Time, time.Duration(l.Age) * time.Millisecond, time.Duration(l.Detect) * time.Millisecond, l.Events, l.Findings, l.Full == nil || *l.Full})
		}
	})
	return out
}

func runsDetect(rs []run) []time.Duration {
	var out []time.Duration
	for _, r := range rs {
		out = append(out, r.det)
	}
	return out
}

func quant(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))].Round(time.Millisecond)
}

func dist(d []time.Duration) string {
	return fmt.Sprintf("n=%-6d p50=%-8v p99=%-8v max=%v", len(d), quant(d, .5), quant(d, .99), quant(d, 1))
}

func total(base, token string) int {
	req, _ := http.NewRequest("GET", base+"/api/v1/findings?limit=1", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return -1
	}
	defer res.Body.Close()
	var l struct{ Total int }
	json.NewDecoder(res.Body).Decode(&l)
	return l.Total
}

func login(base, name, pw string) string {
	b, _ := json.Marshal(map[string]string{"username": name, "password": pw})
	res, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(b))
	check(err)
	defer res.Body.Close()
	var r struct{ Token string }
	check(json.NewDecoder(res.Body).Decode(&r))
	if r.Token == "" {
		log.Fatalf("login %s: %d", name, res.StatusCode)
	}
	return r.Token
}

// peakRSS is the process's high-water resident set (VmHWM), in bytes.
func peakRSS(pid int) int64 {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			kb, _ := strconv.ParseInt(strings.Fields(l)[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

func lines(path string) int {
	f, err := os.Open(path)
	check(err)
	defer f.Close()
	n := 0
	buf := make([]byte, 1<<20)
	for {
		k, err := f.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if err != nil {
			return n
		}
	}
}

func lastLine(s string) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(l[len(l)-1])
}

// must runs a command and returns what it wrote, standard output and
// error together.
func must(name string, args ...string) string {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		log.Fatalf("%s %s: %v\n%s", name, strings.Join(args[:min(3, len(args))], " "), err, out)
	}
	return string(out)
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// stdout runs a command and returns its standard output alone (the key a
// source add prints last).
func stdout(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		log.Fatalf("%s %s: %v", name, strings.Join(args[:min(3, len(args))], " "), err)
	}
	return string(out)
}
