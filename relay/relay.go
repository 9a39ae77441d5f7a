// Package relay moves domain events from the database's outbox to the bus.
// Events are written in the transaction of the change; the relay publishes
// them in order and marks them only after the bus acknowledged them, so a
// crash or a bus outage loses nothing (the bus de-duplicates by event id).
package relay

import (
	"context"
	"log/slog"
	"time"

	"github.com/zhudun/zhudun"
)

// Outbox is the store side of the relay.
type Outbox interface {
	PendingEvents(ctx context.Context, limit int) ([]zhudun.Event, error)
	MarkPublished(ctx context.Context, ids []int64) error
	// OutboxNotify is signalled after a local commit that emitted events.
	OutboxNotify() <-chan struct{}
}

const batch = 500

// batchPublisher publishes a batch in order without a round trip per
// event, reporting how many from the first were acknowledged (natsbus).
type batchPublisher interface {
	PublishAll(ctx context.Context, evs []zhudun.Event) (int, error)
}

// Run relays until ctx ends. It wakes on this process's commits and polls
// every interval for other processes' (the CLI writing while the server
// runs); a bus outage is retried with backoff up to 30 s.
func Run(ctx context.Context, out Outbox, bus zhudun.Bus, interval time.Duration, log *slog.Logger) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	backoff := interval
	for {
		err := drain(ctx, out, bus, log)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			log.Warn("relay: bus unavailable; retrying", "err", err, "in", backoff)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 30*time.Second)
			continue
		}
		backoff = interval
		select {
		case <-ctx.Done():
			return
		case <-out.OutboxNotify():
		case <-tick.C:
		}
	}
}

// drain publishes everything pending; it returns the bus's error, if any.
func drain(ctx context.Context, out Outbox, bus zhudun.Bus, log *slog.Logger) error {
	for {
		evs, err := out.PendingEvents(ctx, batch)
		if err != nil {
			if ctx.Err() == nil {
				log.Error("relay: read outbox", "err", err)
			}
			return nil // the database will be tried again at the next tick
		}
		if len(evs) == 0 {
			return nil
		}
		var done []int64
		var perr error
		if bp, ok := bus.(batchPublisher); ok {
			var n int
			n, perr = bp.PublishAll(ctx, evs)
			for _, ev := range evs[:n] {
				done = append(done, ev.ID)
			}
		} else {
			for _, ev := range evs {
				if perr = bus.Publish(ctx, ev); perr != nil {
					break
				}
				done = append(done, ev.ID)
			}
		}
		if len(done) > 0 {
			if err := out.MarkPublished(ctx, done); err != nil && ctx.Err() == nil {
				log.Error("relay: mark published", "err", err)
			}
		}
		if perr != nil {
			return perr
		}
		if len(evs) < batch {
			return nil
		}
	}
}
