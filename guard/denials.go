package guard

import (
	"context"
	"encoding/json"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/zhudun/zhudun"
)

// Recorder appends audit rows (the store's Record).
type Recorder interface {
	Record(ctx context.Context, e *zhudun.AuditEntry) error
}

// Denial is one refused anonymous request. Identical denials — same address,
// endpoint, reason and personal-data filters named — fold into one row.
type Denial struct {
	ClientAddr string
	Endpoint   string // "POST /api/v1/users": method and path, never the query
	Reason     string
	PIIFilters []string // which personal-data parameters were present, never their values
}

type denialKey struct {
	addr, endpoint, reason, pii string
}

type span struct {
	d           Denial
	count       int
	first, last time.Time
}

// DenialLog records anonymous denials as spans: the first denial opens a
// span, identical ones add to its count, and the span is appended as one
// audit row ("request.denied" with count, first and last) once Idle passes
// without a repeat, once it is MaxSpan old, when Max spans are open, and at
// Close. The chain stays append-only and the record complete: every denial
// is counted in exactly one row. After Close, denials are written at once.
type DenialLog struct {
	rec     Recorder
	log     *slog.Logger
	now     func() time.Time
	idle    time.Duration
	maxSpan time.Duration
	max     int

	mu     sync.Mutex
	spans  map[denialKey]*span
	closed bool

	flushMu sync.Mutex // one flush at a time, so that Close waits for a running one
}

// DenialLogConfig configures a DenialLog; zero fields take the defaults.
type DenialLogConfig struct {
	Idle    time.Duration // default 10 s
	MaxSpan time.Duration // default 1 min
	Max     int           // open spans, default 10 000
	Now     func() time.Time
	Logger  *slog.Logger
}

// NewDenialLog returns a log appending to rec.
func NewDenialLog(rec Recorder, c DenialLogConfig) *DenialLog {
	if c.Idle <= 0 {
		c.Idle = 10 * time.Second
	}
	if c.MaxSpan <= 0 {
		c.MaxSpan = time.Minute
	}
	if c.Max <= 0 {
		c.Max = 10000
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return &DenialLog{rec: rec, log: c.Logger, now: c.Now, idle: c.Idle, maxSpan: c.MaxSpan, max: c.Max, spans: map[denialKey]*span{}}
}

// Add counts one denial.
func (l *DenialLog) Add(d Denial) {
	now := l.now()
	k := denialKey{d.ClientAddr, d.Endpoint, d.Reason, joinSorted(d.PIIFilters)}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		l.write(context.Background(), []*span{{d: d, count: 1, first: now, last: now}})
		return
	}
	if sp := l.spans[k]; sp != nil {
		sp.count++
		sp.last = now
		l.mu.Unlock()
		return
	}
	l.spans[k] = &span{d: d, count: 1, first: now, last: now}
	full := len(l.spans) >= l.max
	l.mu.Unlock()
	if full {
		l.flush(context.Background(), true)
	}
}

// Run appends closed spans every second until ctx ends, then all of them.
func (l *DenialLog) Run(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			l.flush(context.Background(), true)
			return
		case <-t.C:
			l.flush(ctx, false)
		}
	}
}

// Close appends every open span; denials after it are written one by one.
func (l *DenialLog) Close(ctx context.Context) error {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	return l.flush(ctx, true)
}

// Flush appends every span that has closed by now (all: every open span).
func (l *DenialLog) flush(ctx context.Context, all bool) error {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	now := l.now()
	var out []*span
	l.mu.Lock()
	for k, sp := range l.spans {
		if all || now.Sub(sp.last) >= l.idle || now.Sub(sp.first) >= l.maxSpan {
			out = append(out, sp)
			delete(l.spans, k)
		}
	}
	l.mu.Unlock()
	return l.write(ctx, out)
}

func (l *DenialLog) write(ctx context.Context, spans []*span) error {
	sort.Slice(spans, func(i, j int) bool { return spans[i].first.Before(spans[j].first) })
	var first error
	for _, sp := range spans {
		detail := map[string]any{"reason": sp.d.Reason, "count": sp.count,
			"first": sp.first.UTC().Format(time.RFC3339Nano), "last": sp.last.UTC().Format(time.RFC3339Nano)}
		if len(sp.d.PIIFilters) > 0 {
			detail["pii_filters"] = sp.d.PIIFilters
		}
		b, _ := json.Marshal(detail)
		ctx := zhudun.WithCaller(ctx, &zhudun.Caller{Username: "(anonymous)", DeptPath: "/", ClientAddr: sp.d.ClientAddr})
		err := l.rec.Record(ctx, &zhudun.AuditEntry{Action: "request.denied", ObjectType: "endpoint", ObjectID: sp.d.Endpoint,
			Result: zhudun.ResultDenied, Detail: b})
		if err != nil {
			// The span is lost from the log but not silently: its count is
			// in this line.
			l.log.Error("audit denied requests", "endpoint", sp.d.Endpoint, "client_addr", sp.d.ClientAddr, "count", sp.count, "err", err)
			if first == nil {
				first = err
			}
		}
	}
	return first
}

// Open returns how many spans are open (tests, metrics).
func (l *DenialLog) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.spans)
}

func joinSorted(s []string) string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	out := ""
	for _, x := range c {
		out += x + ","
	}
	return out
}
