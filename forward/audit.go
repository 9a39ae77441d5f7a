package forward

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync/atomic"
	"time"

	"github.com/zhudun/zhudun"
)

// AuditSource is what the audit forwarder needs from the store.
type AuditSource interface {
	AuditRowsAfter(ctx context.Context, after int64, limit int) ([]*zhudun.AuditEntry, error)
	ForwardCursor(ctx context.Context, name string) (int64, error)
	SetForwardCursor(ctx context.Context, name string, id int64) error
}

// Audit forwards audit rows to Target as they are appended.
type Audit struct {
	Source AuditSource
	Target Target
	TLS    *tls.Config   // for SyslogTLS; ServerName defaults to the target's host
	Logger *slog.Logger  // nil: discard
	Poll   time.Duration // how often to look for new rows; default 500 ms
	// Resend is how far back rows are sent again after a syslog connection
	// fails: TCP accepts bytes the peer never reads, so what went out just
	// before the failure may be lost. Default 10 s. A collector removes the
	// duplicates by seq.
	Resend time.Duration
	Batch  int // rows per read; default 500

	sent atomic.Int64 // records written, duplicates included (tests, metrics)
}

// Sent reports how many records have been written, resends included.
func (a *Audit) Sent() int64 { return a.sent.Load() }

// sink is one open connection or file.
type sink interface {
	write(recs []Record) error
	close()
}

// Run forwards until ctx ends. An unreachable collector is retried with
// backoff up to 30 s; rows wait in the database meanwhile.
func (a *Audit) Run(ctx context.Context) {
	log := a.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	poll, resend, batch := a.Poll, a.Resend, a.Batch
	if poll <= 0 {
		poll = 500 * time.Millisecond
	}
	if resend <= 0 {
		resend = 10 * time.Second
	}
	if batch <= 0 {
		batch = 500
	}
	name := "audit " + a.Target.String()
	backoff := time.Second
	var out sink
	defer func() {
		if out != nil {
			out.close()
		}
	}()
	// sentAt remembers, for the open connection, when each batch went out:
	// after a failure the cursor goes back to the first row sent within
	// resend of it.
	type mark struct {
		first int64
		at    time.Time
	}
	var marks []mark
	wait := func(d time.Duration) bool {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(d):
			return true
		}
	}
	fail := func(what string, err error) bool {
		if out != nil {
			out.close()
			out = nil
		}
		cutoff := time.Now().Add(-resend)
		for _, m := range marks {
			if m.at.After(cutoff) {
				if err := a.Source.SetForwardCursor(ctx, name, m.first-1); err != nil {
					log.Error("audit forward: cursor", "err", err)
				}
				break
			}
		}
		marks = nil
		log.Warn("audit forward: collector unavailable; rows wait in the database", "target", a.Target.String(), "op", what, "err", err, "retry_in", backoff)
		ok := wait(backoff)
		backoff = min(backoff*2, 30*time.Second)
		return ok
	}
	for ctx.Err() == nil {
		cur, err := a.Source.ForwardCursor(ctx, name)
		if err != nil {
			if !wait(poll) {
				return
			}
			continue
		}
		rows, err := a.Source.AuditRowsAfter(ctx, cur, batch)
		if err != nil {
			if !wait(poll) {
				return
			}
			continue
		}
		if len(rows) == 0 {
			// Nothing to send: still notice a connection the collector
			// closed, so that the next rows go to a fresh one.
			if s, ok := out.(*syslogSink); ok && s.dead() {
				if !fail("idle", errors.New("collector closed the connection")) {
					return
				}
				continue
			}
			if !wait(poll) {
				return
			}
			continue
		}
		if out == nil {
			out, err = a.open(ctx)
			if err != nil {
				if !fail("connect", err) {
					return
				}
				continue
			}
			// A file says itself what it already holds: a process killed
			// between the write and the cursor leaves the cursor behind.
			// Only when its last line is this database's row of that seq:
			// a file left from another database must not make rows skipped.
			if f, ok := out.(*fileSink); ok && f.last.Seq > cur {
				if got, err := a.Source.AuditRowsAfter(ctx, f.last.Seq-1, 1); err == nil && len(got) == 1 && RecordOf(got[0]).Hash == f.last.Hash {
					if err := a.Source.SetForwardCursor(ctx, name, f.last.Seq); err != nil {
						log.Error("audit forward: cursor", "err", err)
					}
					log.Info("audit forward: file is ahead of the cursor", "target", a.Target.String(), "cursor", cur, "file_seq", f.last.Seq)
					continue
				}
				log.Warn("audit forward: the file's last line is not this database's row; appending after it", "target", a.Target.String(), "file_seq", f.last.Seq)
			}
			log.Info("audit forward: connected", "target", a.Target.String(), "from_seq", cur+1)
		}
		recs := make([]Record, len(rows))
		for i, e := range rows {
			recs[i] = RecordOf(e)
		}
		if err := out.write(recs); err != nil {
			if !fail("write", err) {
				return
			}
			continue
		}
		a.sent.Add(int64(len(recs)))
		backoff = time.Second
		now := time.Now()
		marks = append(marks, mark{first: recs[0].Seq, at: now})
		for len(marks) > 0 && now.Sub(marks[0].at) > resend {
			marks = marks[1:]
		}
		// The rows are out: the cursor must follow even when ctx has just
		// ended, or a restart sends them again.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		err = a.Source.SetForwardCursor(sctx, name, recs[len(recs)-1].Seq)
		cancel()
		if err != nil {
			log.Error("audit forward: cursor", "err", err)
		}
	}
}

func (a *Audit) open(ctx context.Context) (sink, error) {
	switch a.Target.Kind {
	case File:
		return openFileSink(a.Target.Path)
	case SyslogTCP, SyslogTLS:
		d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
		var conn net.Conn
		var err error
		if a.Target.Kind == SyslogTLS {
			cfg := &tls.Config{MinVersion: tls.VersionTLS12}
			if a.TLS != nil {
				cfg = a.TLS.Clone()
			}
			if cfg.ServerName == "" {
				cfg.ServerName, _, _ = net.SplitHostPort(a.Target.Addr)
			}
			td := &tls.Dialer{NetDialer: d, Config: cfg}
			conn, err = td.DialContext(ctx, "tcp", a.Target.Addr)
		} else {
			conn, err = d.DialContext(ctx, "tcp", a.Target.Addr)
		}
		if err != nil {
			return nil, err
		}
		host, _ := os.Hostname()
		s := &syslogSink{conn: conn, w: bufio.NewWriterSize(conn, 64<<10), host: host, pid: os.Getpid(), closed: make(chan struct{})}
		// A syslog collector never writes back: a read returning is the
		// connection ending.
		go func() {
			_, _ = io.Copy(io.Discard, conn)
			close(s.closed)
		}()
		return s, nil
	}
	return nil, fmt.Errorf("unknown target kind %q", a.Target.Kind)
}

type syslogSink struct {
	conn   net.Conn
	w      *bufio.Writer
	host   string
	pid    int
	buf    []byte
	closed chan struct{}
}

func (s *syslogSink) dead() bool {
	select {
	case <-s.closed:
		return true
	default:
		return false
	}
}

func (s *syslogSink) write(recs []Record) error {
	if s.dead() {
		return errors.New("collector closed the connection")
	}
	_ = s.conn.SetWriteDeadline(time.Now().Add(15 * time.Second))
	for i := range recs {
		s.buf = AppendSyslog(s.buf[:0], &recs[i], s.host, s.pid)
		if _, err := s.w.Write(s.buf); err != nil {
			return err
		}
	}
	return s.w.Flush()
}

func (s *syslogSink) close() { s.conn.Close() }

type fileSink struct {
	f    *os.File
	buf  []byte
	last Record // the last complete record when opened; zero when none
}

// openFileSink opens path for appending and reads the seq of its last
// complete line. A line cut short by a crash is ended with a newline so
// that the next record starts a line of its own; readers skip it as not
// JSON.
func openFileSink(path string) (*fileSink, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	s := &fileSink{f: f}
	size := fi.Size()
	if size == 0 {
		return s, nil
	}
	// A record is well under 64 KiB; reading that much of the tail finds
	// the last complete line.
	off := max(0, size-64<<10)
	tail := make([]byte, size-off)
	if _, err := f.ReadAt(tail, off); err != nil && !errors.Is(err, io.EOF) {
		f.Close()
		return nil, fmt.Errorf("%s: read tail: %w", path, err)
	}
	if tail[len(tail)-1] != '\n' {
		if _, err := f.Write([]byte{'\n'}); err != nil {
			f.Close()
			return nil, err
		}
		tail = append(tail, '\n')
	}
	lines := bytes.Split(bytes.TrimRight(tail, "\n"), []byte{'\n'})
	for i := len(lines) - 1; i >= 0; i-- {
		var r Record
		if json.Unmarshal(lines[i], &r) == nil && r.Hash != "" {
			s.last = r
			break
		}
	}
	return s, nil
}

// write appends one JSON line per record and syncs: a line the cursor has
// passed is on disk.
func (s *fileSink) write(recs []Record) error {
	s.buf = s.buf[:0]
	for i := range recs {
		b, err := json.Marshal(&recs[i])
		if err != nil {
			return err
		}
		s.buf = append(append(s.buf, b...), '\n')
	}
	if _, err := s.f.Write(s.buf); err != nil {
		return err
	}
	return s.f.Sync()
}

func (s *fileSink) close() { s.f.Close() }
