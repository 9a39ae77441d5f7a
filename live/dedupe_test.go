package live_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/live"
	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
)

// fakeStream delivers a fixed list of messages from the requested
// sequence on, as the ingest stream would.
type fakeStream struct {
	mu    sync.Mutex
	msgs  []zhudun.IngestDelivery
	acked uint64
}

type fakeConsumer struct {
	s    *fakeStream
	next uint64
}

func (f *fakeStream) open(_ context.Context, _ string, start uint64) (live.Consumer, error) {
	return &fakeConsumer{s: f, next: start}, nil
}

func (c *fakeConsumer) Fetch(ctx context.Context, max int, wait time.Duration) ([]zhudun.IngestDelivery, error) {
	c.s.mu.Lock()
	var out []zhudun.IngestDelivery
	for _, m := range c.s.msgs {
		if m.Seq >= c.next && len(out) < max {
			out = append(out, m)
		}
	}
	c.s.mu.Unlock()
	if len(out) == 0 {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		return nil, nil
	}
	c.next = out[len(out)-1].Seq + 1
	return out, nil
}

func (c *fakeConsumer) AckThrough(_ context.Context, seq uint64) error {
	c.s.mu.Lock()
	c.s.acked = max(c.s.acked, seq)
	c.s.mu.Unlock()
	return nil
}

func (f *fakeStream) add(m zhudun.IngestDelivery) {
	f.mu.Lock()
	f.msgs = append(f.msgs, m)
	f.mu.Unlock()
}

// TestRepublishedChunkCountsOnce: a batch republished under the same
// message id after JetStream's two-minute duplicate window (a new stream
// sequence) is not fed again — neither before a restart nor after it, the
// ids fed being part of the checkpoint — and every message is acknowledged
// once its checkpoint is written.
func TestRepublishedChunkCountsOnce(t *testing.T) {
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "z.db"), sqlstore.Options{Keys: gmcrypto.Generate()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	two := []byte(`{"type":"ip","ts":"2021-06-01T10:00:00+08:00","ip":"1.2.3.4","kind":"idc"}` + "\n" +
		`{"type":"ip","ts":"2021-06-01T10:00:00+08:00","ip":"1.2.3.5","kind":"proxy"}` + "\n")
	one := []byte(`{"type":"ip","ts":"2021-06-01T11:00:00+08:00","ip":"1.2.3.6","kind":"dialup"}`)
	fs := &fakeStream{msgs: []zhudun.IngestDelivery{
		{Seq: 1, ID: "cmcc.c1.0.0", Source: "cmcc", Events: 2, Body: two},
		{Seq: 2, ID: "cmcc.c1.0.0", Source: "cmcc", Events: 2, Body: two},
		{Seq: 3, ID: "cmcc.c2.0.0", Source: "cmcc", Events: 1, Body: one},
	}}
	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
	runUntil := func(seq uint64) int64 {
		t.Helper()
		ctx, cancel := context.WithCancel(t.Context())
		svc := live.New(live.Config{Store: store, Stream: fs.open, Quiet: 20 * time.Millisecond})
		done := make(chan struct{})
		go func() { defer close(done); svc.Run(ctx) }()
		for deadline := time.Now().Add(30 * time.Second); ; {
			fs.mu.Lock()
			acked := fs.acked
			fs.mu.Unlock()
			if cp, err := store.EngineCheckpoint(sys, "live"); err == nil && cp.Seq >= seq && acked >= seq {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("not checkpointed and acknowledged through %d", seq)
			}
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
		<-done
		return svc.Events()
	}
	if n := runUntil(3); n != 3 {
		t.Fatalf("%d events fed, want 3", n)
	}
	fs.add(zhudun.IngestDelivery{Seq: 4, ID: "cmcc.c1.0.0", Source: "cmcc", Events: 2, Body: two})
	fs.add(zhudun.IngestDelivery{Seq: 5, ID: "cmcc.c3.0.0", Source: "cmcc", Events: 1, Body: one})
	if n := runUntil(5); n != 4 {
		t.Fatalf("after the restart %d events, want 4", n)
	}
}
