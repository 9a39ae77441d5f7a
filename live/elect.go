package live

import (
	"context"
	"log/slog"
	"time"

	"github.com/zhudun/zhudun"
)

// Leases is a lease among the workers (natsbus.Members): held by one
// worker at a time, lapsing by itself when not renewed.
type Leases interface {
	// Acquire is ECONFLICT while another worker holds the lease.
	Acquire(ctx context.Context, name, id string) (uint64, error)
	Renew(ctx context.Context, name, id string, rev uint64) (uint64, error)
	Release(ctx context.Context, name string, rev uint64) error
}

// Fences issues fencing tokens (sqlstore.Store.TakeFence): a worker that
// takes a lease takes the next token before it restores, and writes under
// it (Config.Fence), so that the store refuses a stalled former holder.
type Fences interface {
	TakeFence(ctx context.Context, name string) (uint64, error)
}

// GlobalLease names the global stage's lease.
const GlobalLease = "global-stage"

// RunElected runs run while worker id holds lease name, until ctx ends:
// it tries to acquire the lease every lease/4, renews it as often while
// run runs, and stops run as soon as a renewal fails (the lease lapsed
// and may be another's). A stalled holder may thus overlap its successor
// for as long as it stalls; the global stage's writes are whole
// transactions with their checkpoint, so the two converge (docs/live.md).
func RunElected(ctx context.Context, l Leases, name, id string, lease time.Duration, log *slog.Logger, run func(context.Context)) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(lease / 4)
	defer t.Stop()
	for {
		rev, err := l.Acquire(ctx, name, id)
		if err == nil {
			log.Info("lease taken", "lease", name, "worker", id)
			rev = hold(ctx, l, name, id, rev, t.C, log, run)
			// Stopped, or run ended by itself (fenced off, say): the lease
			// is given back rather than held idle until it lapses. After a
			// lost renewal the revision is stale and Release changes nothing.
			stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			if err := l.Release(stop, name, rev); err != nil && ctx.Err() != nil {
				log.Warn("lease left to lapse", "lease", name, "err", err)
			}
			cancel()
			if ctx.Err() != nil {
				return
			}
		} else if zhudun.ErrorCode(err) != zhudun.ECONFLICT {
			log.Warn("lease unavailable", "lease", name, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// hold runs run and renews the lease on every tick until ctx ends or a
// renewal fails; it returns the last revision held.
func hold(ctx context.Context, l Leases, name, id string, rev uint64, tick <-chan time.Time, log *slog.Logger, run func(context.Context)) uint64 {
	rctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); run(rctx) }()
	defer func() { stop(); <-done }()
	for {
		select {
		case <-ctx.Done():
			return rev
		case <-done:
			return rev
		case <-tick:
		}
		next, err := l.Renew(ctx, name, id, rev)
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("lease lost; stopping", "lease", name, "err", err)
			}
			return rev
		}
		rev = next
	}
}
