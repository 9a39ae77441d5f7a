package relay_test

import (
	"context"
	"errors"
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
func (b *flakyBus) Ping(context.Context) error                         { return nil }
func (b *flakyBus) Close() error                                       { return nil }

func TestRelayOrderAndOutage(t *testing.T) {
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
	// 7 seed audit events + 3 × (audit.appended, dept.created) = 13 events.
	bus := &flakyBus{failures: 3}
	done := make(chan struct{})
	go func() { relay.Run(ctx, s, bus, 20*time.Millisecond, slog.New(slog.DiscardHandler)); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		bus.mu.Lock()
		n := len(bus.got)
		bus.mu.Unlock()
		if n >= 13 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("relayed %d of 13 events", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	bus.mu.Lock()
	for i := 1; i < len(bus.got); i++ {
		if bus.got[i] <= bus.got[i-1] {
			t.Fatalf("out of order: %v", bus.got)
		}
	}
	if len(bus.got) != 13 {
		t.Fatalf("published %d events, want 13 exactly once each: %v", len(bus.got), bus.got)
	}
	bus.mu.Unlock()
	pend, err := s.PendingEvents(ctx, 100)
	if err != nil || len(pend) != 0 {
		t.Fatalf("pending after relay: %d %v", len(pend), err)
	}
	cancel()
	<-done
}
