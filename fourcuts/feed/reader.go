// Package feed reads event feeds as the contract describes them
// (docs/spec/events.md): JSON Lines and CSV, plain or gzip (recognised by its
// magic bytes, multi-member streams read whole), single files or feed
// directories. Every line that cannot be used is reported as a Reject with
// the file, the 1-based line number and a reason, and the rest is read.
//
// Reading is parallel over files; events reach the caller in batches on one
// goroutine, so the consumer (the engine) needs no locking. Nothing the
// engine computes depends on the order of events, so parallel reading does
// not change findings.
package feed

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/fourcuts"
)

// MaxLine is the longest line (or CSV record) accepted; longer ones are
// rejected without being held in memory.
const MaxLine = 1 << 20

// Reject is one line that could not be used.
type Reject struct {
	File   string `json:"file"`
	Line   int64  `json:"line"`
	Reason string `json:"reason"`
}

// Batch is a run of events read from one file. Its events and their byte
// slices are valid until the sink returns.
type Batch struct {
	Events []fourcuts.Event
	File   string
	arena  []byte
}

const batchEvents = 2048
const arenaSize = 4 << 20

// Stats counts what was read.
type Stats struct {
	Files int
	Bytes int64
	// Read and Rejected count events per type; Rejected[TypeNone] holds
	// rejected lines whose type could not be told.
	Read, Rejected [6]int64
}

// Total returns the events read and rejected.
func (s *Stats) Total() (read, rejected int64) {
	for i := range s.Read {
		read += s.Read[i]
		rejected += s.Rejected[i]
	}
	return
}

// Options tunes Read.
type Options struct {
	// Workers is how many files are read at once; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is added the number of input bytes consumed
	// (compressed bytes for gzip files) as reading proceeds.
	Progress *atomic.Int64
}

// FeedFile reports whether name is a feed file by its extension.
func FeedFile(name string) bool {
	n := strings.ToLower(name)
	for _, ext := range []string{".jsonl", ".jsonl.gz", ".csv", ".csv.gz"} {
		if strings.HasSuffix(n, ext) {
			return true
		}
	}
	return false
}

// Expand turns arguments (files or feed directories) into the list of
// files to read. A directory contributes its regular, non-hidden feed files
// (subfolders and other files are ignored); a file named directly is read
// whatever its name. The result is sorted and without duplicates.
func Expand(args []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, zhudun.Errorf(zhudun.ENOTFOUND, "input %s: %v", a, unwrapPath(err))
		}
		if !st.IsDir() {
			add(a)
			continue
		}
		ents, err := os.ReadDir(a)
		if err != nil {
			return nil, zhudun.Errorf(zhudun.EINVALID, "input %s: %v", a, unwrapPath(err))
		}
		for _, e := range ents {
			name := e.Name()
			if strings.HasPrefix(name, ".") || !FeedFile(name) {
				continue
			}
			if !e.Type().IsRegular() {
				if e.Type()&os.ModeSymlink == 0 {
					continue
				}
				if st, err := os.Stat(filepath.Join(a, name)); err != nil || !st.Mode().IsRegular() {
					continue
				}
			}
			add(filepath.Join(a, name))
		}
	}
	sort.Strings(out)
	return out, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Read reads files in parallel and hands batches of events to sink, always
// from the calling goroutine, and rejects to reject (called under a lock).
// It returns when every file is read or ctx is done.
func Read(ctx context.Context, files []string, opt Options, sink func(*Batch), reject func(Reject)) (Stats, error) {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > len(files) {
		workers = len(files)
	}
	var stats Stats
	stats.Files = len(files)
	var mu sync.Mutex // guards reject and stats.Rejected
	rej := func(r Reject, t fourcuts.Type) {
		mu.Lock()
		stats.Rejected[t]++
		if reject != nil {
			reject(r)
		}
		mu.Unlock()
	}
	free := make(chan *Batch, 2*workers+2)
	full := make(chan *Batch, 2*workers+2)
	getBatch := func(file string) *Batch {
		select {
		case b := <-free:
			b.File = file
			return b
		default:
			return &Batch{Events: make([]fourcuts.Event, 0, batchEvents), arena: make([]byte, 0, arenaSize), File: file}
		}
	}
	jobs := make(chan string)
	var wg sync.WaitGroup
	var firstErr error
	var errOnce sync.Once
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range jobs {
				if err := readFile(ctx, f, opt.Progress, getBatch, full, rej); err != nil {
					errOnce.Do(func() { firstErr = err })
				}
			}
		}()
	}
	go func() {
		defer close(full)
		defer wg.Wait()
		defer close(jobs)
		for _, f := range files {
			select {
			case jobs <- f:
			case <-ctx.Done():
				return
			}
		}
	}()
	drain(full, free, sink, &stats)
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			stats.Bytes += st.Size()
		}
	}
	if err := ctx.Err(); err != nil {
		return stats, err
	}
	return stats, firstErr
}

// countingReader adds the bytes it reads to a progress counter.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n != nil {
		c.n.Add(int64(n))
	}
	return n, err
}

// readFile reads one file. Errors opening it become one rejection at line
// 0 (the file is named in it); the function only returns ctx errors.
func readFile(ctx context.Context, path string, progress *atomic.Int64, getBatch func(string) *Batch, full chan<- *Batch, rej func(Reject, fourcuts.Type)) error {
	f, err := os.Open(path)
	if err != nil {
		rej(Reject{File: path, Line: 0, Reason: "cannot open: " + unwrapPath(err).Error()}, fourcuts.TypeNone)
		return nil
	}
	defer f.Close()
	var in io.Reader = countingReader{f, progress}
	br := bufio.NewReaderSize(in, 256<<10)
	magic, _ := br.Peek(2)
	compressed := len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b
	var src io.Reader = br
	if compressed {
		zr, err := gzip.NewReader(br)
		if err != nil {
			rej(Reject{File: path, Line: 1, Reason: "corrupt gzip stream: " + err.Error()}, fourcuts.TypeNone)
			return nil
		}
		zr.Multistream(true)
		defer zr.Close()
		src = zr
	}
	isCSV := strings.HasSuffix(strings.TrimSuffix(strings.ToLower(path), ".gz"), ".csv")
	d := decoder{path: path, csv: isCSV, rej: rej, getBatch: getBatch, full: full, ctx: ctx, gz: compressed}
	return d.run(src)
}

type decoder struct {
	ctx      context.Context
	path     string
	csv      bool
	gz       bool
	rej      func(Reject, fourcuts.Type)
	getBatch func(string) *Batch
	full     chan<- *Batch
	batch    *Batch

	raw     fourcuts.RawEvent
	scratch []byte
	cols    []fourcuts.Field
	header  bool
	fields  [][]byte
	rec     []byte // a multi-line CSV record being assembled
	recLine int64
}

func (d *decoder) reject(line int64, reason string) {
	t := fourcuts.TypeNone
	if d.raw.Set&(1<<fourcuts.FieldType) != 0 {
		switch string(d.raw.Vals[fourcuts.FieldType]) {
		case "sim":
			t = fourcuts.TypeSim
		case "reg":
			t = fourcuts.TypeReg
		case "sms":
			t = fourcuts.TypeSMS
		case "cdr":
			t = fourcuts.TypeCDR
		case "ip":
			t = fourcuts.TypeIP
		}
	}
	d.rej(Reject{File: d.path, Line: line, Reason: reason}, t)
}

func (d *decoder) flush() error {
	if d.batch != nil && len(d.batch.Events) > 0 {
		select {
		case d.full <- d.batch:
		case <-d.ctx.Done():
			return d.ctx.Err()
		}
		d.batch = nil
	}
	return nil
}

func (d *decoder) run(src io.Reader) error {
	br := bufio.NewReaderSize(src, 64<<10)
	var line int64
	long := false // inside an over-long line being discarded
	var longStart int64
	var buf []byte // a line longer than the bufio buffer, up to MaxLine
	done := d.ctx.Done()
	for n := 0; ; n++ {
		// A signal must stop the reader within a second even on an endless
		// line (/dev/zero) or a file of short junk lines: look at ctx every
		// 64 reads (at most 4 MiB of input).
		if n&63 == 0 {
			select {
			case <-done:
				return d.ctx.Err()
			default:
			}
		}
		chunk, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			if !long {
				if len(buf)+len(chunk) <= MaxLine {
					buf = append(buf, chunk...)
					continue
				}
				long, longStart = true, line+1
				buf = buf[:0]
			}
			continue
		}
		if len(chunk) == 0 && err != nil {
			if long {
				line++
				d.reject(longStart, "line longer than 1 MiB")
				long = false
			}
			if len(buf) > 0 {
				line++
				if err != io.EOF {
					d.reject(line, d.brokenReason(err))
					return d.end(line)
				}
				if cerr := d.line(line, buf, true); cerr != nil {
					return cerr
				}
			}
			if err != io.EOF {
				d.reject(line+1, d.brokenReason(err))
			}
			return d.end(line)
		}
		complete := err == nil
		if long {
			if complete || err == io.EOF {
				line++
				d.reject(longStart, "line longer than 1 MiB")
				long = false
				if err == nil {
					continue
				}
				return d.end(line)
			}
			line++
			d.reject(longStart, d.brokenReason(err))
			return d.end(line)
		}
		l := chunk
		if len(buf) > 0 {
			if len(buf)+len(chunk) > MaxLine {
				line++
				buf = buf[:0]
				d.reject(line, "line longer than 1 MiB")
				if err != nil {
					return d.end(line)
				}
				continue
			}
			buf = append(buf, chunk...)
			l = buf
		}
		line++
		if err != nil && err != io.EOF {
			// The stream broke inside this line: it is incomplete.
			d.reject(line, d.brokenReason(err))
			return d.end(line)
		}
		if cerr := d.line(line, l, err == io.EOF); cerr != nil {
			return cerr
		}
		buf = buf[:0]
		if err == io.EOF {
			return d.end(line)
		}
	}
}

func (d *decoder) brokenReason(err error) string {
	if d.gz {
		return "gzip stream truncated or corrupt: " + err.Error()
	}
	return "read error: " + err.Error()
}

// end finishes a file: a CSV record left open is rejected at its first line.
func (d *decoder) end(line int64) error {
	if d.rec != nil {
		d.raw.Reset()
		d.reject(d.recLine, "unterminated quoted CSV field")
		d.rec = nil
	}
	return d.flush()
}

// line handles one physical line (with its line end, if any).
func (d *decoder) line(n int64, l []byte, last bool) error {
	if len(l) > 0 && l[len(l)-1] == '\n' {
		l = l[:len(l)-1]
	}
	if len(l) > 0 && l[len(l)-1] == '\r' {
		l = l[:len(l)-1]
	}
	if n == 1 && bytes.HasPrefix(l, []byte("\xef\xbb\xbf")) {
		l = l[3:]
	}
	if d.csv {
		return d.csvLine(n, l)
	}
	if len(bytes.TrimSpace(l)) == 0 {
		return nil
	}
	return d.event(n, l, false)
}

func (d *decoder) csvLine(n int64, l []byte) error {
	recLine := n
	if d.rec != nil {
		if len(d.rec)+1+len(l) > MaxLine {
			d.raw.Reset()
			d.reject(d.recLine, "CSV record longer than 1 MiB")
			d.rec = nil
			return nil
		}
		d.rec = append(d.rec, '\n')
		d.rec = append(d.rec, l...)
		l = d.rec
		recLine = d.recLine
	} else if len(bytes.TrimSpace(l)) == 0 {
		return nil // blank line
	}
	if cap(d.scratch) < len(l) {
		d.scratch = make([]byte, 0, len(l)+1024)
	}
	fields, _, open, reason := csvFields(l, d.fields, d.scratch[:0])
	d.fields = fields
	if open {
		if d.rec == nil {
			d.rec = append(make([]byte, 0, len(l)+256), l...)
			d.recLine = n
		}
		return nil
	}
	d.rec = nil
	if reason != "" {
		d.raw.Reset()
		d.reject(recLine, reason)
		return nil
	}
	if !d.header {
		d.header = true
		cols, reason := csvHeader(fields)
		d.cols = cols
		if reason != "" {
			d.reject(recLine, reason)
		}
		return nil
	}
	return d.event(recLine, l, true)
}

// event parses (JSON) or maps (CSV, fields already split) one record and
// appends the event to the current batch.
func (d *decoder) event(n int64, l []byte, csv bool) error {
	d.raw.Reset()
	var reason string
	if csv {
		if d.cols == nil {
			reason = "no usable CSV header"
		} else {
			reason = csvRecord(d.cols, d.fields, &d.raw)
		}
	} else {
		if cap(d.scratch) < len(l) {
			d.scratch = make([]byte, 0, len(l)+1024)
		}
		d.scratch, reason = parseJSON(l, &d.raw, d.scratch[:0])
	}
	if reason != "" {
		d.reject(n, reason)
		return nil
	}
	need := d.raw.RawLen() + fourcuts.MaxCanonicalGrowth
	if d.batch != nil && (len(d.batch.Events) == cap(d.batch.Events) || cap(d.batch.arena)-len(d.batch.arena) < need) {
		if err := d.flush(); err != nil {
			return err
		}
	}
	if d.batch == nil {
		d.batch = d.getBatch(d.path)
	}
	if cap(d.batch.arena)-len(d.batch.arena) < need {
		d.batch.arena = make([]byte, 0, need+arenaSize)
	}
	d.batch.Events = d.batch.Events[:len(d.batch.Events)+1]
	ev := &d.batch.Events[len(d.batch.Events)-1]
	arena, reason := d.raw.Build(ev, d.batch.arena)
	if reason != "" {
		d.batch.Events = d.batch.Events[:len(d.batch.Events)-1]
		d.reject(n, reason)
		return nil
	}
	d.batch.arena = arena
	return nil
}

// drain hands each decoded batch to sink in order, counts its events by
// type, and returns the emptied batch to free for reuse (dropped when free
// is full).
func drain(full <-chan *Batch, free chan<- *Batch, sink func(*Batch), stats *Stats) {
	for b := range full {
		for i := range b.Events {
			stats.Read[b.Events[i].Type]++
		}
		sink(b)
		b.Events = b.Events[:0]
		b.arena = b.arena[:0]
		select {
		case free <- b:
		default:
		}
	}
}
