package live_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/live"
	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
)

// TestFencedHolderStops: the global stage's holder stalls past its lease
// and another worker takes a newer fencing token. When the first wakes,
// its next commit is refused and its Run returns (no retry loop writing
// over the successor); the checkpoint stays where it was until the
// successor, restoring it, goes on from there.
func TestFencedHolderStops(t *testing.T) {
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "z.db"), sqlstore.Options{Keys: gmcrypto.Generate()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
	ipLine := func(ip string) []byte {
		return []byte(`{"type":"ip","ts":"2021-06-01T10:00:00+08:00","ip":"` + ip + `","kind":"idc"}`)
	}
	fs := &fakeStream{msgs: []zhudun.IngestDelivery{
		{Seq: 1, ID: "cmcc.c1.0.0", Source: "cmcc", Events: 1, Body: ipLine("1.2.3.4")},
		{Seq: 2, ID: "cmcc.c2.0.0", Source: "cmcc", Events: 1, Body: ipLine("1.2.3.5")},
	}}
	checkpointAt := func(seq uint64) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); ; {
			if cp, err := store.EngineCheckpoint(sys, "global"); err == nil && cp.Seq >= seq {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("not checkpointed through %d", seq)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	start := func(fence uint64) (*live.Service, chan error) {
		svc := live.New(live.Config{Store: store, Stream: fs.open, Name: "global", Fence: fence, Quiet: 20 * time.Millisecond})
		done := make(chan error, 1)
		go func() { done <- svc.Run(t.Context()) }()
		return svc, done
	}
	first, err := store.TakeFence(sys, "global")
	if err != nil {
		t.Fatal(err)
	}
	_, firstDone := start(first)
	checkpointAt(2)
	// The successor takes its token; the first holder, still running,
	// reads a new message and tries to commit it.
	second, err := store.TakeFence(sys, "global")
	if err != nil {
		t.Fatal(err)
	}
	fs.add(zhudun.IngestDelivery{Seq: 3, ID: "cmcc.c3.0.0", Source: "cmcc", Events: 1, Body: ipLine("1.2.3.6")})
	select {
	case err := <-firstDone:
		if zhudun.ErrorCode(err) != zhudun.ECONFLICT {
			t.Fatalf("the fenced holder stopped with %v, want ECONFLICT", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the fenced holder did not stop")
	}
	if cp, err := store.EngineCheckpoint(sys, "global"); err != nil || cp.Seq != 2 {
		t.Fatalf("checkpoint after the fenced commit: %+v %v, want seq 2", cp, err)
	}
	svc, _ := start(second)
	checkpointAt(3)
	if n := svc.Events(); n != 3 {
		t.Fatalf("the successor holds %d events, want 3 (two restored, one read)", n)
	}
}
