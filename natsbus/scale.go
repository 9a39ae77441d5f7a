package natsbus

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Scale-out (docs/live.md, "Scale-out"): partition workers read one
// partition each through ConsumePartition, pass the linked subset on to
// the link stream (an ingest stream of its own, LinkConfig), and say they
// are alive in a key-value bucket whose entries expire (Members).

// ConsumePartition opens an ephemeral consumer on one partition's subject,
// delivering from sequence start. The partition's checkpoint, not the
// consumer, says where reading resumes, so nothing is lost with it: a
// worker that dies leaves a consumer the server removes after 30 s of
// inactivity, and the worker that takes the partition over opens its own.
func (s *IngestStream) ConsumePartition(ctx context.Context, p int, start uint64) (*IngestConsumer, error) {
	cc := jetstream.ConsumerConfig{
		AckPolicy:         jetstream.AckAllPolicy,
		AckWait:           10 * time.Minute,
		MaxAckPending:     -1,
		FilterSubject:     s.Subject(p),
		DeliverPolicy:     jetstream.DeliverAllPolicy,
		InactiveThreshold: 30 * time.Second,
	}
	if start > 1 {
		cc.DeliverPolicy, cc.OptStartSeq = jetstream.DeliverByStartSequencePolicy, start
	}
	c, err := s.b.js.CreateConsumer(ctx, s.cfg.Stream, cc)
	if err != nil {
		return nil, busError("create partition consumer", err)
	}
	return &IngestConsumer{b: s.b, c: c}, nil
}

// LinkConfig is the configuration of the link stream that goes with this
// ingest stream: the same partitions, stream name + "_LINK", subjects
// prefix + ".link.<partition>" (no overlap with the ingest subjects).
func (s *IngestStream) LinkConfig() IngestConfig {
	c := s.cfg
	c.Stream, c.Prefix = s.cfg.Stream+"_LINK", s.cfg.Prefix+".link"
	return c
}

// Members is the partition workers' membership: a key-value bucket
// (memory storage) whose entries expire after the lease, so that a worker
// that stops beating — killed, cut off — drops out without anyone
// deleting it, on the server's clock.
type Members struct {
	kv jetstream.KeyValue
}

// OpenMembers makes sure the bucket exists with entries kept for lease.
func (b *Bus) OpenMembers(ctx context.Context, bucket string, lease time.Duration) (*Members, error) {
	kv, err := b.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: bucket, TTL: lease, Storage: jetstream.MemoryStorage, History: 1})
	if err != nil {
		return nil, busError("members bucket "+bucket, err)
	}
	return &Members{kv: kv}, nil
}

// Beat records worker id as alive for another lease.
func (m *Members) Beat(ctx context.Context, id string) error {
	if _, err := m.kv.Put(ctx, id, []byte(time.Now().UTC().Format(time.RFC3339))); err != nil {
		return unavailable("member beat", err)
	}
	return nil
}

// Leave removes worker id at once (a clean stop: its partitions are taken
// over without waiting out the lease).
func (m *Members) Leave(ctx context.Context, id string) error {
	if err := m.kv.Delete(ctx, id); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return unavailable("member leave", err)
	}
	return nil
}

// Alive lists the workers whose lease holds, sorted.
func (m *Members) Alive(ctx context.Context) ([]string, error) {
	keys, err := m.kv.Keys(ctx)
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil, nil
	}
	if err != nil {
		return nil, unavailable("members", err)
	}
	slices.Sort(keys)
	return keys, nil
}
