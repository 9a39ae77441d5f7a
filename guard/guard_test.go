package guard

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type rows struct {
	mu  sync.Mutex
	got []*zhudun.AuditEntry
	who []string
}

func (r *rows) Record(ctx context.Context, e *zhudun.AuditEntry) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, e)
	c := zhudun.CallerFrom(ctx)
	r.who = append(r.who, c.Username+"@"+c.ClientAddr)
	return nil
}

func (r *rows) counts(t *testing.T) []int {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []int
	for _, e := range r.got {
		var d struct{ Count int }
		if err := json.Unmarshal(e.Detail, &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d.Count)
	}
	return out
}

func TestAddrLimiter(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	l := NewAddrLimiter(2, 5, 3, c.now)
	for i := 0; i < 5; i++ {
		if ok, _ := l.Allow("10.0.0.1"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := l.Allow("10.0.0.1")
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("sixth at once: %v, wait %v; want refused, 500ms", ok, wait)
	}
	if ok, _ := l.Allow("10.0.0.2"); !ok {
		t.Fatal("another address is refused")
	}
	c.advance(500 * time.Millisecond) // one token back at 2 a second
	if ok, _ := l.Allow("10.0.0.1"); !ok {
		t.Fatal("refused after the refill")
	}
	if ok, _ := l.Allow("10.0.0.1"); ok {
		t.Fatal("allowed beyond the refill")
	}
	// Full table (3, all drained): a new address shares the overflow
	// bucket, which a flood from many addresses empties for all of them.
	for i := 0; i < 5; i++ {
		l.Allow("10.0.0.2")
		l.Allow("10.0.0.3")
	}
	for i := 0; i < 5; i++ {
		if ok, _ := l.Allow("10.1.0." + string(rune('a'+i))); !ok {
			t.Fatalf("overflow request %d refused", i)
		}
	}
	if ok, _ := l.Allow("10.1.9.9"); ok || l.Len() != 4 {
		t.Fatalf("overflow bucket beyond its burst: allowed %v, %d entries; want refused, 4", ok, l.Len())
	}
	// Once addresses have refilled they are forgotten to make room.
	c.advance(time.Minute)
	l.Allow("10.2.0.1")
	if n := l.Len(); n != 1 {
		t.Fatalf("after the sweep %d addresses remembered; want 1", n)
	}
}

func TestDenialLogSpans(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	var r rows
	l := NewDenialLog(&r, DenialLogConfig{Idle: 10 * time.Second, MaxSpan: time.Minute, Max: 3, Now: c.now})
	a := Denial{ClientAddr: "10.0.0.1", Endpoint: "POST /api/v1/users", Reason: "sign in first"}
	for i := 0; i < 400; i++ {
		l.Add(a)
	}
	l.Add(Denial{ClientAddr: "10.0.0.2", Endpoint: "POST /api/v1/users", Reason: "sign in first"})
	ctx := context.Background()
	l.flush(ctx, false)
	if len(r.got) != 0 {
		t.Fatalf("%d rows before any span closed; want 0", len(r.got))
	}
	// Idle for 10 s: both spans close, one row each with its count.
	c.advance(10 * time.Second)
	l.flush(ctx, false)
	if got := r.counts(t); len(got) != 2 || got[0]+got[1] != 401 || (got[0] != 400 && got[1] != 400) {
		t.Fatalf("rows after the idle gap: counts %v; want 400 and 1", got)
	}
	// The spans close in no particular order: look at 10.0.0.1's.
	if r.who[0] != "(anonymous)@10.0.0.1" {
		r.got[0], r.got[1] = r.got[1], r.got[0]
		r.who[0], r.who[1] = r.who[1], r.who[0]
	}
	if r.got[0].Action != "request.denied" || r.got[0].ObjectID != "POST /api/v1/users" || r.who[0] != "(anonymous)@10.0.0.1" {
		t.Fatalf("row = %+v by %s", r.got[0], r.who[0])
	}
	var d struct {
		First, Last string
		Reason      string
	}
	json.Unmarshal(r.got[0].Detail, &d)
	if d.First != "2026-03-01T08:00:00Z" || d.Last != "2026-03-01T08:00:00Z" || d.Reason != "sign in first" {
		t.Fatalf("span detail = %s", r.got[0].Detail)
	}
	// A steady trickle that never idles still closes at MaxSpan.
	r.got = nil
	for i := 0; i < 13; i++ {
		l.Add(a)
		c.advance(5 * time.Second)
		l.flush(ctx, false)
	}
	if got := r.counts(t); len(got) != 1 || got[0] != 12 {
		t.Fatalf("a trickle of 13 over 65 s: counts %v; want one row of 12 at the minute", got)
	}
	// Different personal-data filters or reasons are different spans; Max
	// open spans forces them out; Close appends what is open and writes
	// later denials at once.
	r.got = nil
	l.Add(Denial{ClientAddr: "10.0.0.3", Endpoint: "GET /api/v1/users", Reason: "x", PIIFilters: []string{"phone"}})
	l.Add(Denial{ClientAddr: "10.0.0.3", Endpoint: "GET /api/v1/users", Reason: "x"})
	if len(r.got) != 3 || l.Open() != 0 { // the trickle's 13th, and these two: Max reached
		t.Fatalf("at Max open spans: %d rows, %d open; want 3 and 0", len(r.got), l.Open())
	}
	l.Add(Denial{ClientAddr: "10.0.0.4", Endpoint: "GET /api/v1/users", Reason: "x"})
	l.Add(a)
	if err := l.Close(ctx); err != nil || len(r.got) != 5 {
		t.Fatalf("close: %v, %d rows; want 5", err, len(r.got))
	}
	l.Add(a)
	if len(r.got) != 6 {
		t.Fatalf("after close: %d rows; want 6", len(r.got))
	}
}
