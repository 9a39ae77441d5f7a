// Package fourcutscli implements the Four Cuts commands — detect, simulate and
// eval — for the zhudun binary. Each takes the arguments after the command
// word and its standard streams, so that the binary (and tests) can call it
// directly.
package fourcutscli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/fourcuts"
	"github.com/zhudun/zhudun/fourcuts/eval"
	"github.com/zhudun/zhudun/fourcuts/feed"
	"github.com/zhudun/zhudun/fourcuts/sim"
)

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }

func newFlags(name string, stderr io.Writer, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: zhudun %s %s\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return zhudun.Errorf(zhudun.EINVALID, "%v", err)
	}
	return nil
}

// Detect runs `zhudun detect --in DIR|FILE… --out findings.jsonl [--errors rejects.jsonl]`.
func Detect(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("detect", stderr, "--in DIR|FILE… --out findings.jsonl [--errors rejects.jsonl] [--allow allow.json]")
	var in multi
	fs.Var(&in, "in", "feed directory or file (repeatable; further arguments are inputs too)")
	out := fs.String("out", "-", "findings file (JSON Lines); - for standard output")
	errPath := fs.String("errors", "", "rejected lines file (JSON Lines {file,line,reason}); default: count only")
	allowPath := fs.String("allow", "", "allowlist file (JSON {\"allow\":[{type,value,reason}]})")
	supPath := fs.String("suppressed", "", "file for findings withheld by the allowlist, with their reason")
	leadsPath := fs.String("leads", "", "file for weaker suspicions that are not findings")
	configPath := fs.String("config", "", "thresholds file (JSON, fields of fourcuts.Config)")
	workers := fs.Int("workers", 0, "files read at once (0: one per core)")
	progress := fs.String("progress", "auto", "progress bar: auto (on a terminal), always, never")
	quiet := fs.Bool("quiet", false, "no summary")
	if err := parse(fs, args); err != nil {
		return err
	}
	in = append(in, fs.Args()...)
	if len(in) == 0 {
		fs.Usage()
		return zhudun.FieldError("in", "at least one input is required")
	}
	cfg := fourcuts.DefaultConfig()
	if *configPath != "" {
		if err := readJSON(*configPath, &cfg); err != nil {
			return err
		}
	}
	if *allowPath != "" {
		if err := readJSON(*allowPath, &cfg.Allow); err != nil {
			return err
		}
	}
	if err := cfg.Allow.Compile(); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	cfg.Leads = *leadsPath != ""
	files, err := feed.Expand(in)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return zhudun.FieldError("in", "no feed files (*.jsonl, *.jsonl.gz, *.csv, *.csv.gz) in %s", strings.Join(in, ", "))
	}
	var totalBytes int64
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			totalBytes += st.Size()
		}
	}

	start := time.Now()
	var rejW *bufio.Writer
	if *errPath != "" {
		f, err := os.Create(*errPath)
		if err != nil {
			return zhudun.Errorf(zhudun.EINVALID, "errors file: %v", err)
		}
		defer f.Close()
		rejW = bufio.NewWriter(f)
	}
	var rejBuf []byte
	reject := func(r feed.Reject) {
		if rejW == nil {
			return
		}
		rejBuf = appendReject(rejBuf[:0], r)
		rejW.Write(rejBuf)
	}

	eng := fourcuts.NewEngine(cfg)
	var consumed atomic.Int64
	var events atomic.Int64
	stopBar := startBar(stderr, *progress, totalBytes, &consumed, &events)
	stats, err := feed.Read(ctx, files, feed.Options{Workers: *workers, Progress: &consumed}, func(b *feed.Batch) {
		for i := range b.Events {
			eng.Add(&b.Events[i])
		}
		events.Add(int64(len(b.Events)))
	}, reject)
	stopBar()
	if err != nil {
		return interrupted(err)
	}
	if rejW != nil {
		if err := rejW.Flush(); err != nil {
			return zhudun.Errorf(zhudun.EINTERNAL, "errors file: %v", err)
		}
	}
	if read, rejected := stats.Total(); read == 0 && rejected > 0 {
		if !*quiet {
			summary(stderr, stats, nil, time.Since(start))
		}
		return zhudun.Errorf(zhudun.EINVALID, "every line was rejected (%d); no findings written", rejected)
	}
	readTime := time.Since(start)
	var res *fourcuts.Result
	if err := untilDone(ctx, func() error { res = eng.Detect(); return nil }); err != nil {
		return err
	}
	detectTime := time.Since(start) - readTime
	if err := writeFindings(*out, stdout, res.Findings); err != nil {
		return err
	}
	if *leadsPath != "" {
		if err := writeFindings(*leadsPath, nil, res.Leads); err != nil {
			return err
		}
	}
	if *supPath != "" {
		if err := writeSuppressed(*supPath, res.Suppressed); err != nil {
			return err
		}
	}
	if !*quiet {
		summary(stderr, stats, res, time.Since(start))
		fmt.Fprintf(stderr, "engine: %d entities, %d distinct pairs\n", eng.Entities(), eng.Pairs())
		if res.Converged {
			fmt.Fprintf(stderr, "graph stage: converged in %d rounds\n", res.Rounds)
		} else {
			fmt.Fprintf(stderr, "graph stage: WARNING stopped unconverged at MaxRounds %d; findings are a lower bound (raise MaxRounds in --config)\n", res.Rounds)
		}
		fmt.Fprintf(stderr, "phases: read and aggregate %.2fs, detect %.2fs, write %.2fs\n",
			readTime.Seconds(), detectTime.Seconds(), (time.Since(start) - readTime - detectTime).Seconds())
	}
	return nil
}

// untilDone runs fn and returns its error, or returns as soon as ctx ends
// (SIGINT, SIGTERM) with fn left to die with the process: the engine's
// detection and the simulator's writing take no context, and a signal must
// stop the command within a second.
func untilDone(ctx context.Context, fn func() error) error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return interrupted(ctx.Err())
	}
}

// interrupted names a stop by signal plainly; other errors pass.
func interrupted(err error) error {
	if errors.Is(err, context.Canceled) {
		return zhudun.Errorf(zhudun.EUNAVAILABLE, "interrupted; output is incomplete")
	}
	return err
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return zhudun.Errorf(zhudun.EINVALID, "%s: %v", path, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return zhudun.Errorf(zhudun.EINVALID, "%s: %v", path, err)
	}
	return nil
}

func appendReject(b []byte, r feed.Reject) []byte {
	b = append(b, `{"file":`...)
	b = strconv.AppendQuote(b, r.File)
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, r.Line, 10)
	b = append(b, `,"reason":`...)
	b = strconv.AppendQuote(b, r.Reason)
	return append(b, "}\n"...)
}

func create(path string, stdout io.Writer) (io.Writer, func() error, error) {
	if path == "-" || path == "" {
		return stdout, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, zhudun.Errorf(zhudun.EINVALID, "%v", err)
	}
	return f, f.Close, nil
}

func writeFindings(path string, stdout io.Writer, fs []fourcuts.Finding) error {
	w, closeFn, err := create(path, stdout)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	var b []byte
	for i := range fs {
		b = fs[i].AppendJSON(b[:0])
		b = append(b, '\n')
		bw.Write(b)
	}
	if err := bw.Flush(); err != nil {
		closeFn()
		return zhudun.Errorf(zhudun.EINTERNAL, "findings: %v", err)
	}
	if err := closeFn(); err != nil {
		return zhudun.Errorf(zhudun.EINTERNAL, "findings: %v", err)
	}
	return nil
}

func writeSuppressed(path string, sup []fourcuts.Suppressed) error {
	w, closeFn, err := create(path, nil)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	var b []byte
	for i := range sup {
		b = sup[i].AppendJSON(b[:0])
		b = append(b[:len(b)-1], `,"suppressed_reason":`...)
		b = strconv.AppendQuote(b, sup[i].Reason)
		b = append(b, "}\n"...)
		bw.Write(b)
	}
	if err := bw.Flush(); err != nil {
		closeFn()
		return zhudun.Errorf(zhudun.EINTERNAL, "suppressed: %v", err)
	}
	return closeFn()
}

// peakRSS returns the peak resident memory in bytes (Linux), or the Go
// runtime's view of obtained memory elsewhere.
func peakRSS() int64 {
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "VmHWM:") {
				f := strings.Fields(line)
				if len(f) >= 2 {
					if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil {
						return kb * 1024
					}
				}
			}
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.Sys)
}

func summary(w io.Writer, st feed.Stats, res *fourcuts.Result, el time.Duration) {
	read, rej := st.Total()
	fmt.Fprintf(w, "read %d files, %.1f MB\n", st.Files, float64(st.Bytes)/1e6)
	fmt.Fprintf(w, "%-8s %10s %10s\n", "type", "read", "rejected")
	for t := fourcuts.TypeSim; t <= fourcuts.TypeIP; t++ {
		fmt.Fprintf(w, "%-8s %10d %10d\n", t.String(), st.Read[t], st.Rejected[t])
	}
	if st.Rejected[0] > 0 {
		fmt.Fprintf(w, "%-8s %10s %10d\n", "(untyped)", "", st.Rejected[0])
	}
	fmt.Fprintf(w, "%-8s %10d %10d\n", "total", read, rej)
	if res == nil {
		return // nothing was detected
	}
	counts := res.Counts()
	fmt.Fprintf(w, "findings:")
	for _, c := range fourcuts.Categories {
		fmt.Fprintf(w, " %s=%d", c, counts[c])
	}
	fmt.Fprintf(w, " gangs=%d suppressed=%d\n", res.Gangs, len(res.Suppressed))
	secs := el.Seconds()
	fmt.Fprintf(w, "elapsed %.2fs, %.0f events/s, peak memory %.0f MB\n", secs, float64(read)/max(secs, 1e-9), float64(peakRSS())/1e6)
}

// startBar draws a progress bar on a terminal until the returned function is
// called.
func startBar(w io.Writer, mode string, total int64, done, events *atomic.Int64) func() {
	on := false
	switch mode {
	case "always":
		on = true
	case "never":
	default:
		if f, ok := w.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				on = true
			}
		}
	}
	if !on || total <= 0 {
		return func() {}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	start := time.Now()
	draw := func() {
		frac := float64(done.Load()) / float64(total)
		frac = min(max(frac, 0), 1)
		const width = 30
		n := int(frac * width)
		el := time.Since(start).Seconds()
		fmt.Fprintf(w, "\r[%s%s] %3.0f%% %9d events %7.0f ev/s", strings.Repeat("#", n), strings.Repeat(" ", width-n),
			frac*100, events.Load(), float64(events.Load())/max(el, 1e-3))
	}
	go func() {
		defer wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				draw()
				fmt.Fprintln(w)
				return
			case <-t.C:
				draw()
			}
		}
	}()
	return func() { close(stop); wg.Wait() }
}

// simFloats are the world parameters `zhudun simulate` takes as flags
// (besides --users, --days, --seed and --malformed); a flag given wins over
// the same field of --params.
var simFloats = []struct {
	name, usage string
	field       func(*sim.Params) *float64
}{
	{"cat-pools", "cat pools per 20,000 residents (default 2)", func(p *sim.Params) *float64 { return &p.CatPools }},
	{"studios", "registration studios per 20,000 residents (default 3)", func(p *sim.Params) *float64 { return &p.Studios }},
	{"goips", "GoIP gateways per 20,000 residents (default 2)", func(p *sim.Params) *float64 { return &p.GoIPs }},
	{"emu-farms", "emulator farms per 20,000 residents (default 1)", func(p *sim.Params) *float64 { return &p.EmuFarms }},
	// stressors (sim.Params documents each); 0 = off
	{"quiet-sales", "stressor: share of residents who are sales or call-centre staff rung back 0–1 times a day", func(p *sim.Params) *float64 { return &p.QuietSales }},
	{"proxy-users", "stressor: share of residents registering through shared commercial VPN/proxy exits and data-centre addresses", func(p *sim.Params) *float64 { return &p.ProxyUsers }},
	{"imeisv", "stressor: share of (phone, carrier) pairs whose call records carry the 16-digit IMEISV (or 14 digits)", func(p *sim.Params) *float64 { return &p.IMEISV }},
	{"fleets", "stressor: company fleets and IoT batches opened at night at one outlet, per 20,000 residents", func(p *sim.Params) *float64 { return &p.Fleets }},
	{"evening-migrants", "stressor: share of residents arriving from a far province who open a card in the evening", func(p *sim.Params) *float64 { return &p.EveningMigrants }},
	{"family-phones", "stressor: share of households sharing one family phone", func(p *sim.Params) *float64 { return &p.FamilyPhones }},
	{"dual-sim-phones", "stressor: share of residents with two cards used equally in one phone", func(p *sim.Params) *float64 { return &p.DualSIMPhones }},
	{"new-phone-setups", "stressor: share of residents who set up a new phone and register about a dozen apps in a day", func(p *sim.Params) *float64 { return &p.NewPhoneSetups }},
	{"family-verifiers", "stressor: share of households whose phones verify each other's accounts", func(p *sim.Params) *float64 { return &p.FamilyVerifiers }},
	{"brief-modems", "stressor: cat-pool modems seen in only one or two short calls, per modem of each pool", func(p *sim.Params) *float64 { return &p.BriefModems }},
	{"quiet-ops", "ordinary-looking registration operations (dense phones × cards × platforms) per 20,000 residents", func(p *sim.Params) *float64 { return &p.QuietOps }},
	{"quiet-iphones", "stressor: share of the quiet operations' phones that are iPhones, which reset without limit (default 0.6)", func(p *sim.Params) *float64 { return &p.QuietIPhones }},
	{"exit-share", "stressor: share of studio registrations through the shared commercial exits of --proxy-users (default 0.04)", func(p *sim.Params) *float64 { return &p.ExitShare }},
}

// Simulate runs `zhudun simulate --users N --days D --seed S --out DIR --truth FILE`.
func Simulate(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	p, out, truth, err := simParams(args, stderr)
	if err != nil {
		return err
	}
	start := time.Now()
	var sum sim.Summary
	if err := untilDone(ctx, func() (err error) { sum, err = sim.Write(p, out, truth); return err }); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %d events in %d files to %s in %.1fs; truth %s:", sum.Events, len(sum.Files), out, time.Since(start).Seconds(), truth)
	cats := make([]string, 0, len(sum.Truth))
	for c := range sum.Truth {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	for _, c := range cats {
		fmt.Fprintf(stderr, " %s=%d", c, sum.Truth[c])
	}
	fmt.Fprintln(stderr)
	return nil
}

// simParams reads the world of `zhudun simulate` from its flags and the
// optional --params file (flags given win).
func simParams(args []string, stderr io.Writer) (p sim.Params, outDir, truthPath string, err error) {
	fs := newFlags("simulate", stderr, "--users N --days D --seed S --out DIR --truth FILE [world and stressor flags]")
	fs.IntVar(&p.Users, "users", 20000, "residents")
	fs.IntVar(&p.Days, "days", 7, "days of events")
	seed := fs.Uint64("seed", 1, "random seed")
	out := fs.String("out", "", "feed directory to write")
	truth := fs.String("truth", "", "ground-truth file (keep it outside the feed directory)")
	fs.IntVar(&p.Malformed, "malformed", 0, "malformed lines to inject")
	for _, f := range simFloats {
		fs.Float64Var(f.field(&p), f.name, 0, f.usage)
	}
	fs.BoolVar(&p.KeyedHolders, "keyed-holders", false, "stressor: every holder a keyed pseudonym (no resident ID, so no province)")
	paramsPath := fs.String("params", "", "JSON file of further world parameters (fields of sim.Params); flags given win")
	if err := parse(fs, args); err != nil {
		return p, "", "", err
	}
	if *paramsPath != "" {
		var q sim.Params
		if err := readJSON(*paramsPath, &q); err != nil {
			return p, "", "", err
		}
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["users"] && q.Users != 0 {
			p.Users = q.Users
		}
		if !set["days"] && q.Days != 0 {
			p.Days = q.Days
		}
		if !set["seed"] && q.Seed != 0 {
			*seed = q.Seed
		}
		q.Users, q.Days, q.Seed, q.Malformed = p.Users, p.Days, 0, p.Malformed
		for _, f := range simFloats {
			if set[f.name] {
				*f.field(&q) = *f.field(&p)
			}
		}
		if set["keyed-holders"] {
			q.KeyedHolders = p.KeyedHolders
		}
		p = q
	}
	if *out == "" || *truth == "" {
		fs.Usage()
		return p, "", "", zhudun.FieldError("out", "--out and --truth are required")
	}
	if p.Users < 100 || p.Days < 1 || p.Days > 366 {
		return p, "", "", zhudun.FieldError("users", "need --users ≥ 100 and 1 ≤ --days ≤ 366")
	}
	p.Seed = *seed
	return p, *out, *truth, nil
}

// Eval runs `zhudun eval --truth T --findings F [--min-f1 X] [--min-gang-f1 Y]`.
func Eval(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("eval", stderr, "--truth T --findings F [--min-f1 0.95] [--min-gang-f1 0.9]")
	truthPath := fs.String("truth", "", "ground truth (JSON Lines)")
	findPath := fs.String("findings", "", "findings (JSON Lines); - for standard input")
	minF1 := fs.Float64("min-f1", 0, "exit non-zero when any category's F1 is below this")
	minGangF1 := fs.Float64("min-gang-f1", 0, "exit non-zero when the gangs' pairwise F1 is below this (or gangs cannot be scored)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *truthPath == "" || *findPath == "" {
		fs.Usage()
		return zhudun.FieldError("truth", "--truth and --findings are required")
	}
	tf, err := os.Open(*truthPath)
	if err != nil {
		return zhudun.Errorf(zhudun.EINVALID, "%v", err)
	}
	defer tf.Close()
	truth, truthGangs, err := eval.Read(tf, *truthPath)
	if err != nil {
		return err
	}
	var fr io.Reader = stdin
	if *findPath != "-" {
		f, err := os.Open(*findPath)
		if err != nil {
			return zhudun.Errorf(zhudun.EINVALID, "%v", err)
		}
		defer f.Close()
		fr = f
	}
	found, foundGangs, err := eval.Read(fr, *findPath)
	if err != nil {
		return err
	}
	scores := eval.Compare(truth, found)
	eval.Print(stdout, scores)
	gs, gangsOK := eval.CompareGangs(truthGangs, foundGangs)
	eval.PrintGangs(stdout, gs, gangsOK)
	var low []string
	for _, s := range scores {
		if s.F1 < *minF1 {
			low = append(low, fmt.Sprintf("%s %.4f", s.Category, s.F1))
		}
	}
	if *minGangF1 > 0 {
		switch {
		case !gangsOK:
			low = append(low, "gangs not scored")
		case gs.F1 < *minGangF1:
			low = append(low, fmt.Sprintf("gangs %.4f", gs.F1))
		}
	}
	if len(low) > 0 {
		return zhudun.Errorf(zhudun.EINVALID, "F1 below the bar (--min-f1 %.2f, --min-gang-f1 %.2f): %s", *minF1, *minGangF1, strings.Join(low, ", "))
	}
	return nil
}
