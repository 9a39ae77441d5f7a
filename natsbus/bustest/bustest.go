// Package bustest is the conformance suite for zhudun.Bus implementations:
// every bus, embedded or external, must pass the same Run.
package bustest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// wait bounds every wait in the suite; a bus that needs longer is broken.
const wait = 15 * time.Second

// Run tests the zhudun.Bus contract. open returns a fresh, empty bus for each
// subtest and should register its Close with t.Cleanup; the suite closes some
// buses itself, so Close must tolerate a second call.
func Run(t *testing.T, open func(t *testing.T) zhudun.Bus) {
	t.Run("DeliversIntact", func(t *testing.T) {
		b := open(t)
		r := subscribe(t, t.Context(), b)
		want := newEvent("bustest.intact")
		want.Data = json.RawMessage(`{"name":"张三","n":1,"nested":{"a":[1,2,3]}}`)
		want.Perm = "user:read"
		want.DeptPath = "/1/7/42/"
		want.DeptID = 42
		want.OwnerID = 9
		publish(t, b, want)
		r.waitFor(t, 1)
		got := r.events()[0]
		if got.ID != want.ID || got.Type != want.Type || got.Perm != want.Perm ||
			got.DeptPath != want.DeptPath || got.DeptID != want.DeptID || got.OwnerID != want.OwnerID {
			t.Errorf("got  %+v\nwant %+v", got, want)
		}
		if d := got.At.Sub(want.At).Abs(); d >= time.Millisecond {
			t.Errorf("At = %v, want %v (off by %v)", got.At, want.At, d)
		}
		if string(got.Data) != string(want.Data) {
			t.Errorf("Data = %s, want %s", got.Data, want.Data)
		}
	})

	t.Run("KeepsOrder", func(t *testing.T) {
		b := open(t)
		r := subscribe(t, t.Context(), b)
		var want []int64
		for range 200 {
			e := newEvent("bustest.order")
			want = append(want, e.ID)
			publish(t, b, e)
		}
		r.waitFor(t, len(want))
		got := r.events()
		if len(got) != len(want) {
			t.Fatalf("got %d events, want %d", len(got), len(want))
		}
		for i := range want {
			if got[i].ID != want[i] {
				t.Fatalf("event %d has ID %d, want %d", i, got[i].ID, want[i])
			}
		}
	})

	t.Run("DeduplicatesByID", func(t *testing.T) {
		b := open(t)
		r := subscribe(t, t.Context(), b)
		e := newEvent("bustest.dup")
		publish(t, b, e)
		publish(t, b, e) // a relay retrying after a crash
		marker := newEvent("bustest.marker")
		publish(t, b, marker)
		r.waitForID(t, marker.ID)
		if n := r.count(e.ID); n != 1 {
			t.Errorf("event delivered %d times, want once", n)
		}
	})

	t.Run("SameIDFromTwoSources", func(t *testing.T) {
		// Two databases on one cluster both number their events from 1.
		b := open(t)
		r := subscribe(t, t.Context(), b)
		e1, e2 := newEvent("bustest.src"), newEvent("bustest.src")
		e2.ID = e1.ID
		e1.Source, e2.Source = "db-a", "db-b"
		publish(t, b, e1)
		publish(t, b, e2)
		r.waitFor(t, 2)
		got := r.events()
		if got[0].Source != "db-a" || got[1].Source != "db-b" {
			t.Errorf("sources %q %q; want db-a, db-b", got[0].Source, got[1].Source)
		}
	})

	t.Run("NewEventsOnly", func(t *testing.T) {
		b := open(t)
		old := newEvent("bustest.old")
		publish(t, b, old)
		r := subscribe(t, t.Context(), b)
		fresh := newEvent("bustest.new")
		publish(t, b, fresh)
		r.waitForID(t, fresh.ID)
		if n := r.count(old.ID); n != 0 {
			t.Errorf("subscriber started after a publish received the older event %d times", n)
		}
	})

	t.Run("TwoSubscribers", func(t *testing.T) {
		b := open(t)
		r1 := subscribe(t, t.Context(), b)
		r2 := subscribe(t, t.Context(), b)
		e := newEvent("bustest.fanout")
		publish(t, b, e)
		r1.waitForID(t, e.ID)
		r2.waitForID(t, e.ID)
	})

	t.Run("StopsWhenContextEnds", func(t *testing.T) {
		b := open(t)
		ctx, cancel := context.WithCancel(t.Context())
		stopped := subscribe(t, ctx, b)
		witness := subscribe(t, t.Context(), b)
		first := newEvent("bustest.before")
		publish(t, b, first)
		stopped.waitForID(t, first.ID)
		cancel()
		second := newEvent("bustest.after")
		publish(t, b, second)
		// The witness seeing the event proves it was delivered; the
		// cancelled subscriber must not have been called with it.
		witness.waitForID(t, second.ID)
		if n := stopped.count(second.ID); n != 0 {
			t.Errorf("cancelled subscriber still received an event")
		}
	})

	t.Run("Ping", func(t *testing.T) {
		b := open(t)
		if err := b.Ping(t.Context()); err != nil {
			t.Fatalf("Ping: %v", err)
		}
	})

	t.Run("PublishAfterClose", func(t *testing.T) {
		b := open(t)
		if err := b.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		err := b.Publish(t.Context(), newEvent("bustest.closed"))
		if err == nil {
			t.Fatal("Publish after Close succeeded")
		}
		if code := zhudun.ErrorCode(err); code != zhudun.EUNAVAILABLE {
			t.Errorf("Publish after Close: code %s (%v), want %s", code, err, zhudun.EUNAVAILABLE)
		}
		if err := b.Ping(t.Context()); zhudun.ErrorCode(err) != zhudun.EUNAVAILABLE {
			t.Errorf("Ping after Close = %v, want %s", err, zhudun.EUNAVAILABLE)
		}
	})
}

// lastID makes event IDs unique within the test binary and, seeded from the
// clock, across runs against a shared server.
var lastID atomic.Int64

func init() { lastID.Store(time.Now().UnixNano()) }

func newEvent(typ string) zhudun.Event {
	return zhudun.Event{
		ID:   lastID.Add(1),
		Type: typ,
		At:   time.Now(),
		Data: json.RawMessage(`{}`),
		Perm: "dept:read",
	}
}

func publish(t *testing.T, b zhudun.Bus, e zhudun.Event) {
	t.Helper()
	if err := b.Publish(t.Context(), e); err != nil {
		t.Fatalf("Publish(%s %d): %v", e.Type, e.ID, err)
	}
}

// recorder collects the events one subscription delivers.
type recorder struct {
	mu  sync.Mutex
	got []zhudun.Event
}

func subscribe(t *testing.T, ctx context.Context, b zhudun.Bus) *recorder {
	t.Helper()
	r := &recorder{}
	err := b.Subscribe(ctx, func(e zhudun.Event) {
		r.mu.Lock()
		r.got = append(r.got, e)
		r.mu.Unlock()
	})
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	return r
}

func (r *recorder) events() []zhudun.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]zhudun.Event(nil), r.got...)
}

func (r *recorder) count(id int64) int {
	n := 0
	for _, e := range r.events() {
		if e.ID == id {
			n++
		}
	}
	return n
}

func (r *recorder) waitFor(t *testing.T, n int) {
	t.Helper()
	CheckFor(t, wait, fmt.Sprintf("%d events", n), func() bool { return len(r.events()) >= n })
}

func (r *recorder) waitForID(t *testing.T, id int64) {
	t.Helper()
	CheckFor(t, wait, fmt.Sprintf("event %d", id), func() bool { return r.count(id) > 0 })
}

// CheckFor polls cond until it holds, failing t with what after timeout.
func CheckFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		<-tick.C
	}
}
