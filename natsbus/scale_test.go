package natsbus

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// TestMembersAndLease: members beat and leave; a member that stops
// beating drops out after the lease by itself; a lease is held by one
// worker at a time, renewed only by its holder at its revision, released
// only at it, and lapses when not renewed.
func TestMembersAndLease(t *testing.T) {
	b := openEmbedded(t, t.TempDir())
	ctx := t.Context()
	const lease = 2 * time.Second
	m, err := b.OpenMembers(ctx, "TEST_WORKERS", lease)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := m.Alive(ctx); err != nil || len(got) != 0 {
		t.Fatalf("no member yet: %v %v", got, err)
	}
	for _, id := range []string{"h1/7/1", "h2/9/2"} {
		if err := m.Beat(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	rev, err := m.Acquire(ctx, "global-stage", "h1/7/1")
	if err != nil {
		t.Fatal(err)
	}
	// The lease's key is not a member.
	if got, _ := m.Alive(ctx); !slices.Equal(got, []string{"h1/7/1", "h2/9/2"}) {
		t.Fatalf("alive %v", got)
	}
	if _, err := m.Acquire(ctx, "global-stage", "h2/9/2"); zhudun.ErrorCode(err) != zhudun.ECONFLICT {
		t.Fatalf("second acquire: %v, want ECONFLICT", err)
	}
	if _, err := m.Renew(ctx, "global-stage", "h2/9/2", rev+1); zhudun.ErrorCode(err) != zhudun.ECONFLICT {
		t.Fatalf("renew at a wrong revision: %v, want ECONFLICT", err)
	}
	if rev, err = m.Renew(ctx, "global-stage", "h1/7/1", rev); err != nil {
		t.Fatal(err)
	}
	if h, _ := m.Holder(ctx, "global-stage"); h != "h1/7/1" {
		t.Fatalf("holder %q", h)
	}
	if err := m.Leave(ctx, "h1/7/1"); err != nil {
		t.Fatal(err)
	}
	if err := m.Release(ctx, "global-stage", rev); err != nil {
		t.Fatal(err)
	}
	if h, _ := m.Holder(ctx, "global-stage"); h != "" {
		t.Fatalf("holder after release %q", h)
	}
	if _, err := m.Acquire(ctx, "global-stage", "h2/9/2"); err != nil {
		t.Fatalf("acquire after release: %v", err)
	}
	// h2 stops beating and renewing: both lapse by themselves.
	deadline := time.Now().Add(lease + 5*time.Second)
	for {
		got, _ := m.Alive(ctx)
		h, _ := m.Holder(ctx, "global-stage")
		if len(got) == 0 && h == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the lease: members %v, holder %q", got, h)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := m.Acquire(ctx, "global-stage", "h1/7/1"); err != nil {
		t.Fatalf("acquire after the lapse: %v", err)
	}
}

// TestMembersListedWhileBeating: workers that beat while they list the
// members always see every one of them (a listing of the bucket's keys
// missed a key put again during it, and moved partitions for nothing).
func TestMembersListedWhileBeating(t *testing.T) {
	b := openEmbedded(t, t.TempDir())
	m, err := b.OpenMembers(t.Context(), "TEST_WORKERS", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"a", "b", "c"}
	for _, id := range ids {
		if err := m.Beat(t.Context(), id); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	var bad atomic.Int64
	for _, id := range ids {
		wg.Go(func() {
			for range 100 {
				if err := m.Beat(t.Context(), id); err != nil {
					t.Error(err)
					return
				}
				if got, err := m.Alive(t.Context()); err != nil || !slices.Equal(got, ids) {
					bad.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := bad.Load(); n > 0 {
		t.Fatalf("%d of 300 listings incomplete", n)
	}
}
