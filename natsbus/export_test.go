package natsbus

import (
	"context"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// PublishRaw stores data on subject with no tag, as anyone able to reach the
// server could: the attacker of the trust-boundary tests. The embedded
// server has no port, so tests reach it through the Bus's own connection.
func PublishRaw(ctx context.Context, b *Bus, subject string, data []byte) error {
	m := nats.NewMsg(subject)
	m.Data = data
	_, err := b.js.PublishMsg(ctx, m, jetstream.WithExpectStream(b.cfg.StreamName))
	return err
}

// Prefix returns the bus's subject prefix.
func Prefix(b *Bus) string { return b.cfg.SubjectPrefix }
