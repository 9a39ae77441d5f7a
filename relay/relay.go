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
	// PendingEventsAfter returns up to limit unpublished events with ids
	// above after, in id order.
	PendingEventsAfter(ctx context.Context, after int64, limit int) ([]zhudun.Event, error)
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

// markEvery is how many published events the relay marks at once while a
// drain goes on.
const markEvery = 5000

// drain publishes everything pending; it returns the bus's error, if any.
//
// Published events are marked at the end of the drain (and every
// markEvery), not after each batch: marking is a write, and it waits for
// the writer lock behind whatever the engine or a group commit is writing
// (hundreds of milliseconds for a full engine run), while reading the next
// batch does not. A run that emits thousands of finding events reached
// the analysts' streams 500 at a time, one lock wait apart; now the batches
// follow each other, reading past the published but not yet marked ids.
// A crash before the mark republishes those events; the bus de-duplicates
// them by id, as it does for a crash between a publish and its mark.
func drain(ctx context.Context, out Outbox, bus zhudun.Bus, log *slog.Logger) error {
	var done []int64
	mark := func() {
		if len(done) == 0 {
			return
		}
		if err := out.MarkPublished(ctx, done); err != nil && ctx.Err() == nil {
			log.Error("relay: mark published", "err", err)
		}
		done = done[:0]
	}
	defer mark()
	var after int64
	for {
		evs, err := out.PendingEventsAfter(ctx, after, batch)
		if err != nil {
			if ctx.Err() == nil {
				log.Error("relay: read outbox", "err", err)
			}
			return nil // the database will be tried again at the next tick
		}
		if len(evs) == 0 {
			return nil
		}
		var perr error
		n := 0
		if bp, ok := bus.(batchPublisher); ok {
			n, perr = bp.PublishAll(ctx, evs)
		} else {
			for _, ev := range evs {
				if perr = bus.Publish(ctx, ev); perr != nil {
					break
				}
				n++
			}
		}
		for _, ev := range evs[:n] {
			done = append(done, ev.ID)
		}
		if n > 0 {
			after = evs[n-1].ID
		}
		if perr != nil {
			return perr
		}
		if len(done) >= markEvery {
			mark()
		}
		if len(evs) < batch {
			return nil
		}
	}
}
