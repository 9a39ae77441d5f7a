package natsbus

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zhudun/zhudun"
)

// Defaults of WitnessConfig.
const (
	DefaultWitnessStream  = "ZHUDUN_AUDIT_WITNESS"
	DefaultWitnessSubject = "zhudun.audit.witness"
)

// WitnessConfig configures OpenWitness.
type WitnessConfig struct {
	// URL of the NATS server or cluster (as Config.URL; required: the
	// embedded default keeps its witness in a file).
	URL    string
	Logger *slog.Logger
	// TLS and credentials, as Config's (the bus's) and checked the same way.
	CAFile, CertFile, KeyFile, CredsFile string
	Insecure                             bool
	// StreamName and SubjectPrefix default to DefaultWitnessStream and
	// DefaultWitnessSubject; heads of a database are published on
	// SubjectPrefix + "." + its instance id. Tests set both.
	StreamName    string
	SubjectPrefix string
	// Replicas of the stream on a cluster; default 1.
	Replicas int
}

// Witness is zhudun.AuditWitness on a JetStream stream of its own that
// refuses to delete or purge messages and keeps them without limit (one small
// message per audited write). The database's owner cannot roll it back
// without NATS rights of its own: give zhudun's NATS user publish rights on
// the witness subjects and no stream-management rights on the stream.
type Witness struct {
	nc  *nats.Conn
	js  jetstream.JetStream
	cfg WitnessConfig
}

var _ zhudun.AuditWitness = (*Witness)(nil)

// OpenWitness connects and makes sure the witness stream exists. Errors are
// EINVALID for a missing URL and EUNAVAILABLE when NATS cannot be reached.
func OpenWitness(ctx context.Context, cfg WitnessConfig) (*Witness, error) {
	if cfg.URL == "" {
		return nil, zhudun.FieldError("URL", "the NATS witness needs a NATS server")
	}
	if cfg.StreamName == "" {
		cfg.StreamName = DefaultWitnessStream
	}
	if cfg.SubjectPrefix == "" {
		cfg.SubjectPrefix = DefaultWitnessSubject
	}
	if cfg.Replicas <= 0 {
		cfg.Replicas = 1
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	topts, err := transport(Config{URL: cfg.URL, CAFile: cfg.CAFile, CertFile: cfg.CertFile, KeyFile: cfg.KeyFile, CredsFile: cfg.CredsFile, Insecure: cfg.Insecure})
	if err != nil {
		return nil, err
	}
	opts := append([]nats.Option{nats.Name("zhudun-audit-witness"), nats.MaxReconnects(-1), nats.ReconnectWait(time.Second),
		nats.ReconnectBufSize(-1), nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("audit witness disconnected from NATS", "err", err)
			}
		})}, topts...)
	nc, err := nats.Connect(cfg.URL, opts...)
	if err != nil {
		return nil, unavailable("connect to NATS (audit witness)", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, unavailable("JetStream (audit witness)", err)
	}
	_, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:       cfg.StreamName,
		Subjects:   []string{cfg.SubjectPrefix + ".>"},
		Retention:  jetstream.LimitsPolicy,
		Storage:    jetstream.FileStorage,
		Replicas:   cfg.Replicas,
		DenyDelete: true,
		DenyPurge:  true,
	})
	if err != nil {
		nc.Close()
		return nil, busError("ensure stream "+cfg.StreamName, err)
	}
	return &Witness{nc: nc, js: js, cfg: cfg}, nil
}

func (w *Witness) subject(instance string) string { return w.cfg.SubjectPrefix + "." + instance }

// Append implements zhudun.AuditWitness: it returns once the stream has
// stored the head.
func (w *Witness) Append(ctx context.Context, h zhudun.AuditHead) error {
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := w.js.Publish(ctx, w.subject(h.Instance), b, jetstream.WithExpectStream(w.cfg.StreamName)); err != nil {
		return unavailable("audit witness", err)
	}
	return nil
}

// Heads implements zhudun.AuditWitness, reading the instance's subject from
// the start of the stream. A message that does not decode is handed on with
// Seq -1 so that verification reports it.
func (w *Witness) Heads(ctx context.Context, instance string, fn func(zhudun.AuditHead) error) error {
	s, err := w.js.Stream(ctx, w.cfg.StreamName)
	if err != nil {
		return unavailable("audit witness", err)
	}
	subj := w.subject(instance)
	info, err := s.Info(ctx, jetstream.WithSubjectFilter(subj))
	if err != nil {
		return unavailable("audit witness", err)
	}
	// The heads stored when the call began: a fetch asks for no more than
	// remain, so that it never waits for messages that will not come.
	remain := int(info.State.Subjects[subj])
	if remain == 0 {
		return nil
	}
	cons, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subj}, DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		return unavailable("audit witness", err)
	}
	for remain > 0 {
		batch, err := cons.Fetch(min(remain, 512), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			return unavailable("audit witness", err)
		}
		n := 0
		for msg := range batch.Messages() {
			n++
			h := zhudun.AuditHead{Seq: -1}
			if err := json.Unmarshal(msg.Data(), &h); err != nil || h.Instance != instance {
				h = zhudun.AuditHead{Instance: instance, Seq: -1}
			}
			if err := fn(h); err != nil {
				return err
			}
		}
		if err := batch.Error(); err != nil {
			return unavailable("audit witness", err)
		}
		if n == 0 {
			return unavailable("audit witness", fmt.Errorf("%d heads announced but not delivered", remain))
		}
		remain -= n
	}
	return nil
}

// Close closes the connection.
func (w *Witness) Close() error {
	w.nc.Close()
	return nil
}
