package natsbus

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/zhudun/zhudun"
)

// IngestConsumer is the live engine's durable pull consumer on the ingest
// stream (docs/live.md). The engine's checkpoint, not the consumer's ack
// floor, says where reading resumes: Consume recreates the consumer at the
// sequence after the checkpoint, so that a restart replays at once what the
// checkpoint does not cover instead of waiting out the ack wait. Acks
// (ack-all) only tell the server, and the lag figures, how far the
// checkpoints have come.
type IngestConsumer struct {
	b       *Bus
	c       jetstream.Consumer
	mu      sync.Mutex      // Fetch and AckThrough may run on two goroutines (the engine prefetches)
	pending []jetstream.Msg // delivered, not yet acknowledged, in sequence order
	// delivered is the consumer sequence of the last delivery taken: the
	// server numbers its deliveries 1, 2, … on a consumer created anew, so
	// a gap is a delivery this reader never got (below, pull).
	delivered uint64
}

// Consume opens the durable consumer name on every partition of the
// stream, delivering from sequence start (1: the beginning).
func (s *IngestStream) Consume(ctx context.Context, name string, start uint64) (*IngestConsumer, error) {
	if err := s.b.js.DeleteConsumer(ctx, s.cfg.Stream, name); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return nil, busError("reset consumer "+name, err)
	}
	cc := jetstream.ConsumerConfig{
		Durable:       name,
		AckPolicy:     jetstream.AckAllPolicy,
		AckWait:       10 * time.Minute, // a checkpoint comes first; redelivery is the restart's business
		MaxAckPending: -1,
		FilterSubject: s.cfg.Prefix + ".*",
		DeliverPolicy: jetstream.DeliverAllPolicy,
	}
	if start > 1 {
		cc.DeliverPolicy, cc.OptStartSeq = jetstream.DeliverByStartSequencePolicy, start
	}
	c, err := s.b.js.CreateConsumer(ctx, s.cfg.Stream, cc)
	if err != nil {
		return nil, busError("create consumer "+name, err)
	}
	return &IngestConsumer{b: s.b, c: c}, nil
}

// Fetch returns up to max deliveries, waiting up to wait for the first;
// none when the stream had nothing new. What the stream holds already is
// taken at once (a no-wait pull): a plain pull of max messages would be
// held by the server until max had arrived or wait passed, so the last few
// messages of a feed — and every message of a trickle — waited out the
// whole wait before the engine saw them. Only when nothing is there does
// it wait, for one message, and then takes what came with it.
func (c *IngestConsumer) Fetch(ctx context.Context, max int, wait time.Duration) ([]zhudun.IngestDelivery, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out, err := c.pull(nil, max, 0)
	if err != nil || len(out) > 0 || max <= 0 {
		return out, err
	}
	if out, err = c.pull(nil, 1, wait); err != nil || len(out) == 0 || max == 1 {
		return out, err
	}
	return c.pull(out, max-1, 0)
}

// pull appends to out the deliveries of one pull request for up to max
// messages: a no-wait pull when wait is 0. Every message the request
// delivers is taken (a request left unread would have its messages
// delivered later out of order, and ack-all would acknowledge them
// unfed).
func (c *IngestConsumer) pull(out []zhudun.IngestDelivery, max int, wait time.Duration) ([]zhudun.IngestDelivery, error) {
	var batch jetstream.MessageBatch
	var err error
	if wait == 0 {
		batch, err = c.c.FetchNoWait(max)
	} else {
		batch, err = c.c.Fetch(max, jetstream.FetchMaxWait(wait))
	}
	if err != nil {
		return out, unavailable("ingest fetch", err)
	}
	for m := range batch.Messages() {
		meta, err := m.Metadata()
		if err != nil {
			return out, unavailable("ingest metadata", err)
		}
		// A pull the client gave up on (nats.go stops waiting a second
		// after a request's expiry: a stalled process) may still have had
		// messages delivered to its dropped inbox; the server counts them
		// delivered, and ack-all would acknowledge them unfed once a later
		// one is. The consumer sequence shows it: the loop fails, and its
		// restart reads again from the checkpoint.
		if meta.Sequence.Consumer != c.delivered+1 {
			return out, unavailable("ingest fetch", fmt.Errorf("delivery %d after %d: a delivery was lost (a pull given up on); reading again from the checkpoint", meta.Sequence.Consumer, c.delivered))
		}
		c.delivered = meta.Sequence.Consumer
		d := zhudun.IngestDelivery{Seq: meta.Sequence.Stream, Published: meta.Timestamp}
		im, err := c.b.OpenIngestMessage(m.Subject(), m.Headers(), m.Data())
		if err != nil {
			c.b.log.Error("ingest message refused", "seq", d.Seq, "err", err)
			d.Bad = true
		} else {
			d.ID, d.Source, d.Events, d.Body = im.ID, im.Source, im.Events, im.Body
		}
		c.mu.Lock()
		c.pending = append(c.pending, m)
		c.mu.Unlock()
		out = append(out, d)
	}
	if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) && !errors.Is(err, context.DeadlineExceeded) {
		return out, unavailable("ingest fetch", err)
	}
	return out, nil
}

// AckThrough acknowledges every delivery up to stream sequence seq.
func (c *IngestConsumer) AckThrough(ctx context.Context, seq uint64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	last := -1
	for i, m := range c.pending {
		meta, err := m.Metadata()
		if err != nil {
			return unavailable("ingest metadata", err)
		}
		if meta.Sequence.Stream > seq {
			break
		}
		last = i
	}
	if last < 0 {
		return nil
	}
	if err := c.pending[last].Ack(); err != nil {
		return unavailable("ingest ack", err)
	}
	c.pending = c.pending[last+1:]
	return nil
}
