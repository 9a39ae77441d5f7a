package feed

import (
	"bufio"
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"

	"github.com/zhudun/zhudun/fourcuts"
)

// ReadStream reads one feed from r — JSON Lines, or CSV when csv is set,
// gzip recognised by its magic bytes — with exactly the rules and rejects
// of Read (name stands for the file in them). It is how the ingest API
// reads a request body: the same lines are rejected for the same reasons
// as by zhudun detect. Batches reach sink on the calling goroutine.
//
// maxDecoded (when > 0) bounds the decompressed bytes read: past it reading
// stops and ReadStream returns ErrTooLarge (a small gzip body must not
// expand into gigabytes).
func ReadStream(ctx context.Context, name string, r io.Reader, csv bool, maxDecoded int64, sink func(*Batch), reject func(Reject)) (Stats, error) {
	var stats Stats
	stats.Files = 1
	var mu sync.Mutex
	rej := func(rj Reject, t fourcuts.Type) {
		mu.Lock()
		stats.Rejected[t]++
		if reject != nil {
			reject(rj)
		}
		mu.Unlock()
	}
	var n atomic.Int64
	cr := countingReader{r: r, n: &n}
	full := make(chan *Batch, 2)
	free := make(chan *Batch, 4)
	getBatch := func(file string) *Batch {
		select {
		case b := <-free:
			b.File = file
			return b
		default:
			return &Batch{Events: make([]fourcuts.Event, 0, batchEvents), arena: make([]byte, 0, arenaSize), File: file}
		}
	}
	errc := make(chan error, 1)
	var lim *limitReader
	go func() {
		defer close(full)
		br := bufio.NewReaderSize(cr, 256<<10)
		magic, _ := br.Peek(2)
		var src io.Reader = br
		gz := len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b
		if gz {
			zr, err := gzip.NewReader(br)
			if err != nil {
				rej(Reject{File: name, Line: 1, Reason: "corrupt gzip stream: " + err.Error()}, fourcuts.TypeNone)
				errc <- nil
				return
			}
			zr.Multistream(true)
			defer zr.Close()
			src = zr
		}
		if maxDecoded > 0 {
			lim = &limitReader{r: src, left: maxDecoded}
			src = lim
		}
		d := decoder{path: name, csv: csv, rej: rej, getBatch: getBatch, full: full, ctx: ctx, gz: gz}
		errc <- d.run(src)
	}()
	drain(full, free, sink, &stats)
	stats.Bytes = n.Load()
	if err := ctx.Err(); err != nil {
		return stats, err
	}
	err := <-errc
	if lim != nil && lim.over {
		return stats, ErrTooLarge
	}
	return stats, err
}

// ErrTooLarge is ReadStream's error for input past its bound.
var ErrTooLarge = errors.New("feed: decompressed input over its limit")

type limitReader struct {
	r    io.Reader
	left int64
	over bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		l.over = true
		return 0, ErrTooLarge
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}
