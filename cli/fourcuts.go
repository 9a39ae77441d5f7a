// The Four Cuts commands: `zhudun detect` (this file), `zhudun simulate`
// (simulate.go) and `zhudun eval` (eval.go). Each takes the arguments after
// the command word and its standard streams, so that cmd/fourcuts (and
// tests) can call it directly.

package cli

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
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/fourcuts"
	"github.com/zhudun/zhudun/fourcuts/feed"
)

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }

func fourCutsFlags(name string, stderr io.Writer, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: zhudun %s %s\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

func parseFourCuts(fs *flag.FlagSet, args []string) error {
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
	fs := fourCutsFlags("detect", stderr, "--in DIR|FILE… --out findings.jsonl [--errors rejects.jsonl] [--allow allow.json]")
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
	if err := parseFourCuts(fs, args); err != nil {
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
