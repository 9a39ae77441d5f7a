package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/zhudun/zhudun/fourcuts/feed"
)

// runIngest sends feed files to a server's POST /api/v1/events in chunks.
// A chunk's id is the hash of its bytes, so a rerun after a failure sends
// the same ids and the server answers the chunks it already stored from
// its record instead of storing them again.
func runIngest(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("zhudun ingest", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	server := fs.String("server", "", "the server's base URL, http(s)://host:port")
	token := fs.String("token", "", "the source's API key (or ZHUDUN_INGEST_TOKEN; a key on a command line is visible to local users)")
	chunkMB := fs.Int("chunk-mb", 8, "uncompressed MiB per request")
	parallel := fs.Int("parallel", 2, "requests in flight")
	giveUp := fs.Duration("give-up", 20*time.Second, "exit when the server has not answered for this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *token == "" {
		*token = os.Getenv("ZHUDUN_INGEST_TOKEN")
	}
	if *server == "" || *token == "" || fs.NArg() == 0 {
		return fmt.Errorf("usage: zhudun ingest --server URL --token KEY FILE|DIR…")
	}
	files, err := feed.Expand(fs.Args())
	if err != nil {
		return err
	}
	var total int64
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			total += st.Size()
		}
	}
	c := &ingestClient{url: strings.TrimRight(*server, "/") + "/api/v1/events", token: *token, giveUp: *giveUp,
		http: &http.Client{Timeout: 5 * time.Minute}, total: total}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopProgress := c.progress(e.stderr)
	jobs := make(chan ingestChunk, *parallel)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var fatal error
	var rejects []string
	for w := 0; w < max(1, *parallel); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ch := range jobs {
				res, err := c.send(ctx, ch)
				mu.Lock()
				if err != nil {
					if fatal == nil {
						fatal = err
						cancel()
					}
				} else {
					for _, r := range res.Rejects {
						rejects = append(rejects, fmt.Sprintf("%s:%d: %s", ch.file, ch.fileLine(r.Line), r.Reason))
					}
					if res.Rejected > int64(len(res.Rejects)) {
						rejects = append(rejects, fmt.Sprintf("%s: %d more rejected lines in the chunk from line %d", ch.file, res.Rejected-int64(len(res.Rejects)), ch.first))
					}
				}
				mu.Unlock()
			}
		}()
	}
	var readErr error
	for _, f := range files {
		if err := chunkFile(ctx, f, *chunkMB<<20, &c.read, func(ch ingestChunk) bool {
			select {
			case jobs <- ch:
				return true
			case <-ctx.Done():
				return false
			}
		}); err != nil {
			readErr = err
			break
		}
	}
	close(jobs)
	wg.Wait()
	stopProgress()
	for _, r := range rejects {
		fmt.Fprintln(e.stdout, r)
	}
	fmt.Fprintf(e.stderr, "accepted %d events, rejected %d lines, %d chunks (%d already stored before)\n",
		c.accepted.Load(), c.rejected.Load(), c.chunks.Load(), c.dups.Load())
	if fatal != nil {
		return fatal
	}
	if readErr != nil {
		return readErr
	}
	return ctx.Err()
}

type ingestClient struct {
	url, token                       string
	giveUp                           time.Duration
	http                             *http.Client
	total                            int64
	read                             atomic.Int64 // input bytes chunked so far
	accepted, rejected, chunks, dups atomic.Int64
}

func (c *ingestClient) progress(w io.Writer) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			pct := 100.0
			if c.total > 0 {
				pct = 100 * float64(c.read.Load()) / float64(c.total)
			}
			n := int(pct / 5)
			fmt.Fprintf(w, "\r[%-20s] %5.1f%%  %d events  %.0f events/s ", strings.Repeat("#", min(n, 20)), pct, c.accepted.Load(),
				float64(c.accepted.Load())/time.Since(start).Seconds())
		}
	}()
	return func() { close(done); <-finished; fmt.Fprintln(w) }
}

type ingestReject struct {
	Line   int64  `json:"line"`
	Reason string `json:"reason"`
}

type ingestAnswer struct {
	Accepted  int64          `json:"accepted"`
	Rejected  int64          `json:"rejected"`
	Rejects   []ingestReject `json:"rejects"`
	Duplicate bool           `json:"duplicate"`
	Error     *struct {
		Code, Message string
	} `json:"error"`
}

// send posts a chunk until the server answers it: waiting out 429s as
// told, retrying while the server is unreachable or failing for less than
// giveUp, and failing at once when the key is refused.
func (c *ingestClient) send(ctx context.Context, ch ingestChunk) (*ingestAnswer, error) {
	var since time.Time // first failure of the current run of failures
	backoff := 200 * time.Millisecond
	for {
		req, err := http.NewRequestWithContext(ctx, "POST", c.url, bytes.NewReader(ch.body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+c.token)
		req.Header.Set("Idempotency-Key", ch.id)
		if ch.csv {
			req.Header.Set("Content-Type", "text/csv")
		} else {
			req.Header.Set("Content-Type", "application/x-ndjson")
		}
		resp, err := c.http.Do(req)
		var wait time.Duration
		var failure error
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			failure = fmt.Errorf("server unreachable: %v", errors.Unwrap(err))
			wait = backoff
		} else {
			var ans ingestAnswer
			derr := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&ans)
			resp.Body.Close()
			switch {
			case resp.StatusCode == http.StatusOK && derr == nil:
				c.accepted.Add(ans.Accepted)
				c.rejected.Add(ans.Rejected)
				c.chunks.Add(1)
				if ans.Duplicate {
					c.dups.Add(1)
				}
				return &ans, nil
			case resp.StatusCode == http.StatusTooManyRequests:
				s, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
				wait = time.Duration(max(s, 1)) * time.Second
				since = time.Time{} // the server answers: not a failure
			case resp.StatusCode == http.StatusUnauthorized, resp.StatusCode == http.StatusForbidden,
				resp.StatusCode == http.StatusBadRequest, resp.StatusCode == http.StatusRequestEntityTooLarge:
				msg := resp.Status
				if ans.Error != nil {
					msg = ans.Error.Message
				}
				return nil, fmt.Errorf("%s (chunk from %s line %d): %s", resp.Status, ch.file, ch.first, msg)
			default:
				failure = fmt.Errorf("server answered %s", resp.Status)
				wait = backoff
			}
		}
		if failure != nil {
			if since.IsZero() {
				since = time.Now()
			}
			if time.Since(since)+wait > c.giveUp {
				return nil, fmt.Errorf("%w; gave up after %s", failure, c.giveUp)
			}
			backoff = min(2*backoff, 5*time.Second)
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// ingestChunk is one request's worth of a file: whole lines (whole CSV
// records, each chunk with the header first).
type ingestChunk struct {
	file  string
	id    string
	csv   bool
	first int64 // the file's line number of the chunk's first line (after the header)
	body  []byte
}

// fileLine maps a line number of the chunk to the file's.
func (ch ingestChunk) fileLine(l int64) int64 {
	if ch.csv {
		if l <= 1 {
			return 1 // the header
		}
		return ch.first + l - 2
	}
	return ch.first + l - 1
}

// chunkFile cuts a file (decompressed) into chunks of about size bytes at
// line ends — for CSV only outside quotes — and hands them to emit.
func chunkFile(ctx context.Context, path string, size int, progress *atomic.Int64, emit func(ingestChunk) bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(countingFile{f, progress}, 1<<20)
	var src io.Reader = br
	if m, _ := br.Peek(2); len(m) == 2 && m[0] == 0x1f && m[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		defer zr.Close()
		src = zr
	}
	isCSV := strings.HasSuffix(strings.TrimSuffix(strings.ToLower(path), ".gz"), ".csv")
	lr := bufio.NewReaderSize(src, 1<<20)
	var header []byte
	var buf []byte
	var line, first int64 = 0, 1
	inQuote := false
	flush := func() bool {
		if len(buf) == 0 || (isCSV && len(buf) == len(header)) {
			return true
		}
		sum := sha256.Sum256(buf)
		ch := ingestChunk{file: path, id: "c" + hex.EncodeToString(sum[:16]), csv: isCSV, first: first, body: buf}
		buf = nil
		return emit(ch)
	}
	for {
		l, err := lr.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A long line: keep reading it whole (the server rejects it
			// past 1 MiB).
			full := append([]byte(nil), l...)
			for err == bufio.ErrBufferFull {
				l, err = lr.ReadSlice('\n')
				full = append(full, l...)
			}
			l = full
		}
		if len(l) > 0 {
			line++
			if isCSV && header == nil {
				header = append([]byte(nil), l...)
				if !bytes.HasSuffix(header, []byte("\n")) {
					header = append(header, '\n')
				}
				first = line + 1
			} else {
				if buf == nil {
					buf = make([]byte, 0, size+64<<10)
					if isCSV {
						buf = append(buf, header...)
					}
					if !inQuote {
						first = line
					}
				}
				buf = append(buf, l...)
				if isCSV && bytes.Count(l, []byte(`"`))%2 == 1 {
					inQuote = !inQuote
				}
				if len(buf) >= size && !inQuote {
					if !bytes.HasSuffix(buf, []byte("\n")) {
						buf = append(buf, '\n')
					}
					if !flush() {
						return ctx.Err()
					}
				}
			}
		}
		if err == io.EOF {
			if !flush() {
				return ctx.Err()
			}
			return nil
		}
		if err != nil {
			// A broken gzip stream: send what was read; the server reports
			// nothing of the rest, so say it here.
			if !flush() {
				return ctx.Err()
			}
			return fmt.Errorf("%s line %d: %v", path, line+1, err)
		}
	}
}

type countingFile struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingFile) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
