package relay_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/relay"
	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
)

// flakyBus refuses its first failures publishes, as a bus that is down
// would, then records what it is given.
type flakyBus struct {
	mu       sync.Mutex
	failures int
	got      []int64
}

func (b *flakyBus) Publish(_ context.Context, e zhudun.Event) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failures > 0 {
		b.failures--
		return &zhudun.Error{Code: zhudun.EUNAVAILABLE, Message: "bus down"}
	}
	b.got = append(b.got, e.ID)
	return nil
}
func (b *flakyBus) Subscribe(context.Context, func(zhudun.Event)) error { return errors.New("unused") }
func (b *flakyBus) Ping(context.Context) error                          { return nil }
func (b *flakyBus) Close() error                                        { return nil }

// batchBus publishes batches (relay's batchPublisher): each of its first
// failures acknowledges only the first two events of a batch and refuses
// the rest, as a bus going down mid-batch would.
type batchBus struct{ flakyBus }

func (b *batchBus) PublishAll(_ context.Context, evs []zhudun.Event) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(evs)
	if b.failures > 0 {
		b.failures--
		n = min(n, 2)
	}
	for _, e := range evs[:n] {
		b.got = append(b.got, e.ID)
	}
	if n < len(evs) {
		return n, &zhudun.Error{Code: zhudun.EUNAVAILABLE, Message: "bus down"}
	}
	return n, nil
}

func TestRelayOrderAndOutage(t *testing.T) {
	t.Run("one by one", func(t *testing.T) {
		testRelay(t, &flakyBus{failures: 3}, func(b zhudun.Bus) *flakyBus { return b.(*flakyBus) })
	})
	t.Run("batches", func(t *testing.T) {
		testRelay(t, &batchBus{flakyBus{failures: 3}}, func(b zhudun.Bus) *flakyBus { return &b.(*batchBus).flakyBus })
	})
}

func testRelay(t *testing.T, zb zhudun.Bus, inner func(zhudun.Bus) *flakyBus) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "z.db"), sqlstore.Options{Keys: gmcrypto.Generate()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sys := zhudun.WithCaller(ctx, zhudun.SystemCaller("test"))
	for _, c := range []string{"A1", "A2", "A3"} {
		if err := s.CreateDept(sys, &zhudun.Dept{Code: c, Name: c}); err != nil {
			t.Fatal(err)
		}
	}
	// What the outbox holds before the relay starts is what it must publish,
	// in order, exactly once: whatever the migrations seeded, and the three
	// departments' events.
	before, err := s.PendingEvents(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var want []int64
	created := 0
	for _, e := range before {
		want = append(want, e.ID)
		if e.Type == "dept.created" {
			created++
		}
	}
	if created != 3 {
		t.Fatalf("outbox holds %d dept.created events, want 3", created)
	}
	bus := inner(zb)
	done := make(chan struct{})
	go func() { relay.Run(ctx, s, zb, 20*time.Millisecond, slog.New(slog.DiscardHandler)); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		bus.mu.Lock()
		n := len(bus.got)
		bus.mu.Unlock()
		if n >= len(want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("relayed %d of %d events", n, len(want))
		}
		time.Sleep(20 * time.Millisecond)
	}
	bus.mu.Lock()
	if fmt.Sprint(bus.got) != fmt.Sprint(want) {
		t.Fatalf("published %v, want the outbox's %v in order, each once", bus.got, want)
	}
	bus.mu.Unlock()
	// Published first, marked after (at least once): the marks follow
	// within a write's wait (the store's writer may be checkpointing).
	for {
		pend, err := s.PendingEvents(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(pend) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pending after relay: %d", len(pend))
		}
		time.Sleep(20 * time.Millisecond)
	}
	bus.mu.Lock()
	if fmt.Sprint(bus.got) != fmt.Sprint(want) {
		t.Fatalf("published %v after marking, want the outbox's %v in order, each once", bus.got, want)
	}
	bus.mu.Unlock()
	cancel()
	<-done
}

// memOutbox is an outbox in memory whose MarkPublished waits for release:
// the writer lock held by a long engine write.
type memOutbox struct {
	mu      sync.Mutex
	evs     []zhudun.Event
	marked  map[int64]bool
	release chan struct{}
	marks   int
}

func (o *memOutbox) PendingEventsAfter(_ context.Context, after int64, limit int) ([]zhudun.Event, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []zhudun.Event
	for _, e := range o.evs {
		if e.ID > after && !o.marked[e.ID] && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func (o *memOutbox) MarkPublished(ctx context.Context, ids []int64) error {
	select {
	case <-o.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.marks++
	for _, id := range ids {
		o.marked[id] = true
	}
	return nil
}

func (o *memOutbox) OutboxNotify() <-chan struct{} { return nil }

// A run that emits 1,200 events: all of them are published while marking
// still waits for the writer lock, and once it is free all are marked, in
// one mark, none published twice.
func TestRelayPublishesPastTheMark(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := &memOutbox{marked: map[int64]bool{}, release: make(chan struct{})}
	for i := range 1200 {
		o.evs = append(o.evs, zhudun.Event{ID: int64(i + 1), Type: "finding.created", Data: []byte("{}")})
	}
	bus := &batchBus{}
	go relay.Run(ctx, o, bus, time.Hour, slog.New(slog.DiscardHandler))
	deadline := time.Now().Add(5 * time.Second)
	for {
		bus.mu.Lock()
		n := len(bus.got)
		bus.mu.Unlock()
		if n == 1200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 1,200 events published while the mark waited", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(o.release)
	for deadline := time.Now().Add(5 * time.Second); ; {
		o.mu.Lock()
		m, marks := len(o.marked), o.marks
		o.mu.Unlock()
		if m == 1200 {
			if marks != 1 {
				t.Errorf("%d marks, want one", marks)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 1,200 events marked", m)
		}
		time.Sleep(10 * time.Millisecond)
	}
	bus.mu.Lock()
	defer bus.mu.Unlock()
	for i, id := range bus.got {
		if id != int64(i+1) {
			t.Fatalf("published %d at position %d: out of order or twice", id, i)
		}
	}
}
