package natsbus

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zhudun/zhudun"
)

// The ingest stream (docs/ingest.md) carries the events sources push, for
// the Four Cuts engine's consumers: one message holds a batch of canonical
// JSON Lines events of one partition, sealed with the bus keys (format 2
// below).
const (
	DefaultIngestStream     = "FOURCUTS_EV"
	DefaultIngestPrefix     = "fourcuts.ev"
	DefaultIngestPartitions = 16
	DefaultIngestMaxBytes   = 16 << 30
	DefaultIngestMaxAge     = 30 * 24 * time.Hour

	// Headers of an ingest message, besides the tag.
	HeaderSource = "Zhudun-Source" // the source's name
	HeaderChunk  = "Zhudun-Chunk"  // the client's chunk id ("" when none was given)
	HeaderEvents = "Zhudun-Events" // number of events in the message
)

// IngestConfig configures the ingest stream.
type IngestConfig struct {
	Stream     string        // default DefaultIngestStream
	Prefix     string        // subjects Prefix.<partition>; default DefaultIngestPrefix
	Partitions int           // default DefaultIngestPartitions
	MaxBytes   int64         // the stream refuses new messages past this (429); default 16 GiB
	MaxAge     time.Duration // default 30 days
}

// IngestStream publishes event batches to the ingest stream.
type IngestStream struct {
	b   *Bus
	cfg IngestConfig
}

// OpenIngest makes sure the ingest stream exists (file storage, new
// messages refused when full) on the bus's server.
func (b *Bus) OpenIngest(ctx context.Context, cfg IngestConfig) (*IngestStream, error) {
	if cfg.Stream == "" {
		cfg.Stream = DefaultIngestStream
	}
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultIngestPrefix
	}
	if cfg.Partitions <= 0 {
		cfg.Partitions = DefaultIngestPartitions
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultIngestMaxBytes
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = DefaultIngestMaxAge
	}
	_, err := b.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:       cfg.Stream,
		Subjects:   []string{cfg.Prefix + ".*"},
		Retention:  jetstream.LimitsPolicy,
		Discard:    jetstream.DiscardNew,
		Storage:    jetstream.FileStorage,
		MaxBytes:   cfg.MaxBytes,
		MaxAge:     cfg.MaxAge,
		Duplicates: dupWindow,
		Replicas:   1,
	})
	if err != nil {
		return nil, busError("ensure stream "+cfg.Stream, err)
	}
	return &IngestStream{b: b, cfg: cfg}, nil
}

// Partitions is the configured partition count.
func (s *IngestStream) Partitions() int { return s.cfg.Partitions }

// Subject is the subject of a partition.
func (s *IngestStream) Subject(p int) string { return s.cfg.Prefix + "." + strconv.Itoa(p) }

// Room reports whether the stream has space for n more bytes; ETOOMANY
// (with a retry hint) when it has not, so that a request is refused whole
// before anything of it is published.
func (s *IngestStream) Room(ctx context.Context, n int64) error {
	st, err := s.b.js.Stream(ctx, s.cfg.Stream)
	if err != nil {
		return unavailable("ingest stream info", err)
	}
	if st.CachedInfo().State.Bytes+uint64(n) > uint64(s.cfg.MaxBytes) {
		return &zhudun.Error{Code: zhudun.ETOOMANY, Message: "the event stream is full; retry later", RetryAfter: 30}
	}
	return nil
}

// Ingest message formats. Format 2 (the Zhudun-Format header) carries the
// body as raw SM4-GCM bytes whose associated data binds the subject, the
// message id and every header the consumer reads; its GCM tag is the
// message's only authentication. Format 1 (no Zhudun-Format header, written
// before 2026-12-03) carried the sealed body as base64 text and an HMAC-SM3
// tag over subject, id and body; it is still read, so that a stream written
// by an older build drains after an upgrade. docs/ingest.md, "What the bus
// key guarantees", gives the argument.
const (
	HeaderFormat  = "Zhudun-Format"
	ingestFormat2 = "2"
)

// ingestAAD1 binds a format-1 sealed body to its message id.
func ingestAAD1(id string) []byte { return []byte("zhudun-ingest\x00" + id) }

// ingestAAD2 is what a format-2 body's GCM tag covers besides the body:
// the subject (so a message moved to another partition does not open), the
// message id (which the consumer's de-duplication keys on) and the
// source, chunk and event count headers (the source decides a finding's
// department). Each part is length-prefixed, so no two tuples share an
// encoding.
func ingestAAD2(dst []byte, subject, id, source, chunk, events string) []byte {
	dst = append(dst, "zhudun-ingest/2"...)
	for _, p := range [...]string{subject, id, source, chunk, events} {
		dst = binary.AppendUvarint(dst, uint64(len(p)))
		dst = append(dst, p...)
	}
	return dst
}

// Publish seals and publishes the messages (format 2) and waits until
// JetStream has stored every one. A full stream is ETOOMANY; the messages
// stored before the error stay (their ids make the client's retry of the
// same chunk complete it without repeating them).
func (s *IngestStream) Publish(ctx context.Context, msgs []zhudun.IngestBatch) error {
	futures := make([]jetstream.PubAckFuture, 0, len(msgs))
	var aad []byte
	for i := range msgs {
		m := &msgs[i]
		subject := s.Subject(m.Partition)
		events := strconv.Itoa(m.Events)
		aad = ingestAAD2(aad[:0], subject, m.ID, m.Source, m.Chunk, events)
		sealed, err := s.b.cfg.Keys.SealEventRaw(nil, m.Body, aad)
		if err != nil {
			return err
		}
		nm := nats.NewMsg(subject)
		nm.Data = sealed
		nm.Header.Set(HeaderFormat, ingestFormat2)
		nm.Header.Set(HeaderSource, m.Source)
		nm.Header.Set(HeaderChunk, m.Chunk)
		nm.Header.Set(HeaderEvents, events)
		f, err := s.b.js.PublishMsgAsync(nm, jetstream.WithMsgID(m.ID), jetstream.WithExpectStream(s.cfg.Stream))
		if err != nil {
			return ingestError(err)
		}
		futures = append(futures, f)
	}
	var first error
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			if first == nil {
				first = ingestError(err)
			}
		case <-ctx.Done():
			return unavailable("ingest publish", ctx.Err())
		case <-time.After(30 * time.Second):
			return zhudun.Errorf(zhudun.EUNAVAILABLE, "bus unavailable: no acknowledgement from JetStream")
		}
	}
	return first
}

// ingestError maps a refused publish: a full stream (or one over its
// limits) is ETOOMANY, the rest as busError.
func ingestError(err error) error {
	var apiErr *jetstream.APIError
	// 10077 is the server's "stream store failed": maximum bytes or
	// messages exceeded under DiscardNew.
	if errors.As(err, &apiErr) && (apiErr.ErrorCode == 10077 || strings.Contains(apiErr.Description, "maximum")) {
		return fmt.Errorf("%w: %w", &zhudun.Error{Code: zhudun.ETOOMANY, Message: "the event stream is full; retry later", RetryAfter: 30}, err)
	}
	return busError("ingest publish", err)
}

// IngestMessage is one message read back from the ingest stream, opened.
type IngestMessage struct {
	Subject, ID, Source, Chunk string
	Events                     int
	Body                       []byte
}

// OpenIngestMessage authenticates a delivered ingest message and opens its
// body (the consumer's first step; docs/ingest.md), in either format. A
// message that fails is an error: it was not written by a holder of the
// bus keys, or was altered since.
func (b *Bus) OpenIngestMessage(subject string, h nats.Header, data []byte) (*IngestMessage, error) {
	id := h.Get(jetstream.MsgIDHeader)
	m := &IngestMessage{Subject: subject, ID: id, Source: h.Get(HeaderSource), Chunk: h.Get(HeaderChunk)}
	events := h.Get(HeaderEvents)
	switch f := h.Get(HeaderFormat); f {
	case ingestFormat2:
		body, err := b.cfg.Keys.OpenEventRaw(nil, data, ingestAAD2(nil, subject, id, m.Source, m.Chunk, events))
		if err != nil {
			return nil, zhudun.Errorf(zhudun.EINVALID, "ingest message %q: does not open (forged, altered, or under an unknown key)", id)
		}
		m.Body = body
	case "":
		if !b.cfg.Keys.VerifyEvent(tagged(subject+"\x00"+id, data), h.Get(tagHeader)) {
			return nil, zhudun.Errorf(zhudun.EINVALID, "ingest message %q: bad tag", id)
		}
		body, err := b.cfg.Keys.OpenEvent(string(data), ingestAAD1(id))
		if err != nil {
			return nil, zhudun.Errorf(zhudun.EINVALID, "ingest message %q: cannot open", id)
		}
		m.Body = body
	default:
		return nil, zhudun.Errorf(zhudun.EINVALID, "ingest message %q: unknown format %q", id, f)
	}
	m.Events, _ = strconv.Atoi(events)
	return m, nil
}

// JetStream gives tests and the engine's consumers the bus's JetStream.
func (b *Bus) JetStream() jetstream.JetStream { return b.js }
