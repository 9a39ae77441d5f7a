package natsbus

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/zhudun/zhudun"
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
	kv     jetstream.KeyValue
	js     jetstream.JetStream
	bucket string
}

// OpenMembers makes sure the bucket exists with entries kept for lease.
func (b *Bus) OpenMembers(ctx context.Context, bucket string, lease time.Duration) (*Members, error) {
	kv, err := b.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: bucket, TTL: lease, Storage: jetstream.MemoryStorage, History: 1})
	if err != nil {
		return nil, busError("members bucket "+bucket, err)
	}
	return &Members{kv: kv, js: b.js, bucket: bucket}, nil
}

// memberKey prefixes the members' keys; leaseKey the leases'.
const (
	memberKey = "member."
	leaseKey  = "lease."
)

// Beat records worker id as alive for another lease.
func (m *Members) Beat(ctx context.Context, id string) error {
	if _, err := m.kv.Put(ctx, memberKey+id, []byte(time.Now().UTC().Format(time.RFC3339))); err != nil {
		return unavailable("member beat", err)
	}
	return nil
}

// Leave removes worker id at once (a clean stop: its partitions are taken
// over without waiting out the lease). The key's messages are purged from
// the bucket's stream, leaving no delete marker for Alive to see.
func (m *Members) Leave(ctx context.Context, id string) error {
	st, err := m.js.Stream(ctx, "KV_"+m.bucket)
	if err == nil {
		err = st.Purge(ctx, jetstream.WithPurgeSubject(m.subject(memberKey+id)))
	}
	if err != nil {
		return unavailable("member leave", err)
	}
	return nil
}

func (m *Members) subject(key string) string { return "$KV." + m.bucket + "." + key }

// Alive lists the workers whose lease holds, sorted. It reads the
// subjects the bucket's stream holds rather than the bucket's key list: a
// key listing races the beats (with one value kept per key, a key put
// again while the listing runs is missing from it).
func (m *Members) Alive(ctx context.Context) ([]string, error) {
	st, err := m.js.Stream(ctx, "KV_"+m.bucket)
	if err != nil {
		return nil, unavailable("members", err)
	}
	info, err := st.Info(ctx, jetstream.WithSubjectFilter(m.subject(memberKey+">")))
	if err != nil {
		return nil, unavailable("members", err)
	}
	var out []string
	for subj := range info.State.Subjects {
		if id, ok := strings.CutPrefix(subj, m.subject(memberKey)); ok {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out, nil
}

// Acquire takes lease name for worker id, for one lease; ECONFLICT while
// another worker holds it. The revision returned renews it.
func (m *Members) Acquire(ctx context.Context, name, id string) (uint64, error) {
	rev, err := m.kv.Create(ctx, leaseKey+name, []byte(id))
	if errors.Is(err, jetstream.ErrKeyExists) {
		return 0, zhudun.Errorf(zhudun.ECONFLICT, "lease %s is held", name)
	}
	if err != nil {
		return 0, unavailable("lease acquire", err)
	}
	return rev, nil
}

// Renew holds lease name for another lease, if nobody took it since
// revision rev (ECONFLICT: it lapsed and another worker holds it).
func (m *Members) Renew(ctx context.Context, name, id string, rev uint64) (uint64, error) {
	next, err := m.kv.Update(ctx, leaseKey+name, []byte(id), rev)
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence || apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant) {
		return 0, zhudun.Errorf(zhudun.ECONFLICT, "lease %s was lost", name)
	}
	if err != nil {
		return 0, unavailable("lease renew", err)
	}
	return next, nil
}

// Holder is the worker holding lease name; "" when none does.
func (m *Members) Holder(ctx context.Context, name string) (string, error) {
	e, err := m.kv.Get(ctx, leaseKey+name)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "", nil
	}
	if err != nil {
		return "", unavailable("lease holder", err)
	}
	return string(e.Value()), nil
}

// Release gives lease name up, if it is still at revision rev.
func (m *Members) Release(ctx context.Context, name string, rev uint64) error {
	if err := m.kv.Delete(ctx, leaseKey+name, jetstream.LastRevision(rev)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return unavailable("lease release", err)
	}
	return nil
}
