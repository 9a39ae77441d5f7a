package natsbus

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/zhudun/zhudun"
)

// Lag reports, per partition, how many of the stream's messages lie after
// an engine's checkpoint sequence (the status page, docs/live.md), and the
// durable consumer's own counts. A partition whose last message is at or
// below the checkpoint has no lag; for the others an ephemeral consumer
// filtered on the partition and starting after the checkpoint is asked
// for its pending count (exact, whatever the interleaving of partitions
// in the stream) and deleted.
func (s *IngestStream) Lag(ctx context.Context, consumer string, checkpoint uint64) (*zhudun.StreamLag, error) {
	return s.lag(ctx, consumer, func(int) uint64 { return checkpoint })
}

// PartitionsLag is Lag for the scale-out's partition workers: partition
// p against its own checkpoint's sequence, seqs[p] (0, the stream's
// start, when it has none yet); there is no durable consumer.
func (s *IngestStream) PartitionsLag(ctx context.Context, seqs map[int]uint64) (*zhudun.StreamLag, error) {
	return s.lag(ctx, "", func(p int) uint64 { return seqs[p] })
}

func (s *IngestStream) lag(ctx context.Context, consumer string, checkpointOf func(p int) uint64) (*zhudun.StreamLag, error) {
	st, err := s.b.js.Stream(ctx, s.cfg.Stream)
	if err != nil {
		return nil, unavailable("ingest stream info", err)
	}
	info, err := st.Info(ctx, jetstream.WithSubjectFilter(s.cfg.Prefix+".*"))
	if err != nil {
		return nil, unavailable("ingest stream info", err)
	}
	out := &zhudun.StreamLag{Stream: s.cfg.Stream, Messages: info.State.Msgs, Bytes: info.State.Bytes, LastSeq: info.State.LastSeq}
	for p := range s.cfg.Partitions {
		pl := &zhudun.PartitionLag{Partition: p, Subject: s.Subject(p), Messages: info.State.Subjects[s.Subject(p)]}
		out.Partitions = append(out.Partitions, pl)
		if pl.Messages == 0 {
			continue
		}
		m, err := st.GetLastMsgForSubject(ctx, pl.Subject)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return nil, unavailable("ingest partition info", err)
		}
		pl.LastSeq = m.Sequence
		checkpoint := checkpointOf(p)
		if pl.LastSeq <= checkpoint {
			continue
		}
		cc := jetstream.ConsumerConfig{AckPolicy: jetstream.AckNonePolicy, FilterSubject: pl.Subject, DeliverPolicy: jetstream.DeliverAllPolicy,
			InactiveThreshold: 30 * time.Second, MemoryStorage: true}
		if checkpoint > 0 {
			cc.DeliverPolicy, cc.OptStartSeq = jetstream.DeliverByStartSequencePolicy, checkpoint+1
		}
		c, err := st.CreateConsumer(ctx, cc)
		if err != nil {
			return nil, unavailable("ingest lag consumer", err)
		}
		pl.Lag = c.CachedInfo().NumPending
		if err := st.DeleteConsumer(ctx, c.CachedInfo().Name); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
			s.b.log.Warn("ingest lag consumer left to expire", "err", err)
		}
		out.Lag += pl.Lag
	}
	if consumer == "" {
		return out, nil
	}
	c, err := st.Consumer(ctx, consumer)
	switch {
	case errors.Is(err, jetstream.ErrConsumerNotFound):
	case err != nil:
		return nil, unavailable("ingest consumer info", err)
	default:
		ci := c.CachedInfo()
		out.Consumer = &zhudun.ConsumerState{Name: consumer, Pending: ci.NumPending, AckPending: ci.NumAckPending,
			Delivered: ci.Delivered.Stream, AckFloor: ci.AckFloor.Stream}
	}
	return out, nil
}

// LinkLag is the global stage's lag: the link stream's messages (the
// partitions' linked subset, LinkConfig) after the global checkpoint's
// sequence; nil when there is no link stream (no scale-out runs).
func (s *IngestStream) LinkLag(ctx context.Context, checkpoint uint64) (*zhudun.StreamLag, error) {
	link := &IngestStream{b: s.b, cfg: s.LinkConfig()}
	if _, err := s.b.js.Stream(ctx, link.cfg.Stream); errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, unavailable("link stream info", err)
	}
	return link.lag(ctx, "", func(int) uint64 { return checkpoint })
}
