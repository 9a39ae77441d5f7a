package natsbus

import (
	"bytes"
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
)

// ingestBuses runs f on the embedded server and on the machine's, each
// with an ingest stream of its own (2 partitions).
func ingestBuses(t *testing.T, f func(t *testing.T, b *Bus, st *IngestStream)) {
	t.Run("embedded", func(t *testing.T) {
		b := openEmbedded(t, t.TempDir())
		st, err := b.OpenIngest(t.Context(), IngestConfig{Partitions: 2})
		if err != nil {
			t.Fatal(err)
		}
		f(t, b, st)
	})
	t.Run("external", func(t *testing.T) {
		b := openExternal(t, externalURL(t))
		id := rand.Text()
		st, err := b.OpenIngest(t.Context(), IngestConfig{Stream: "FOURCUTS_TEST_" + id, Prefix: "fourcuts.test." + id, Partitions: 2, MaxAge: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.js.DeleteStream(context.Background(), st.cfg.Stream) })
		f(t, b, st)
	})
}

// stored returns every message of the ingest stream, in order.
func storedIngest(t *testing.T, b *Bus, st *IngestStream) []jetstream.Msg {
	t.Helper()
	s, err := b.js.Stream(t.Context(), st.cfg.Stream)
	if err != nil {
		t.Fatal(err)
	}
	n := int(s.CachedInfo().State.Msgs)
	c, err := s.OrderedConsumer(t.Context(), jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := c.Fetch(n, jetstream.FetchMaxWait(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var out []jetstream.Msg
	for m := range batch.Messages() {
		out = append(out, m)
	}
	if len(out) != n {
		t.Fatalf("read %d of %d messages", len(out), n)
	}
	return out
}

// copyMsg is a message as an attacker with NATS access but no key would
// republish it: subject, headers and data, any of them changed.
func copyMsg(m jetstream.Msg) *nats.Msg {
	nm := nats.NewMsg(m.Subject())
	for k, v := range m.Headers() {
		if k != "Nats-Expected-Stream" {
			nm.Header[k] = append([]string(nil), v...)
		}
	}
	nm.Data = bytes.Clone(m.Data())
	return nm
}

const ingestBody = `{"type":"ip","ts":"2021-06-01T10:00:00+08:00","ip":"1.2.3.4","kind":"idc","src":"cmcc"}` + "\n" +
	`{"type":"ip","ts":"2021-06-01T10:00:00+08:00","ip":"1.2.3.5","kind":"proxy","src":"cmcc"}` + "\n"

// TestIngestMessagesAuthenticated: an ingest message (format 2) opens to
// what was published, holds nothing of it in clear, and is refused when
// anyone without the bus key forges it or changes any part the consumer
// reads — the body, the key id, the subject (partition), the message id,
// the source, chunk or count headers, the format. What such an attacker
// can still do is republish a genuine message verbatim: inside the
// duplicate window JetStream drops it, after it the copy is delivered
// under the same message id, which the engine's id set skips
// (live TestRepublishedChunkCountsOnce).
func TestIngestMessagesAuthenticated(t *testing.T) {
	ingestBuses(t, func(t *testing.T, b *Bus, st *IngestStream) {
		ctx := t.Context()
		err := st.Publish(ctx, []zhudun.IngestBatch{{Partition: 0, ID: "cmcc.c1.0.0", Source: "cmcc", Chunk: "c1", Events: 2, Body: []byte(ingestBody)}})
		if err != nil {
			t.Fatal(err)
		}
		msgs := storedIngest(t, b, st)
		if len(msgs) != 1 {
			t.Fatalf("%d messages stored", len(msgs))
		}
		orig := msgs[0]
		if bytes.Contains(orig.Data(), []byte("1.2.3.4")) || bytes.Contains(orig.Data(), []byte(`"type"`)) {
			t.Fatal("the stored body holds the events in clear")
		}
		if h := orig.Headers().Get(tagHeader); h != "" {
			t.Errorf("format 2 carries an HMAC tag %q: authenticated twice", h)
		}
		im, err := b.OpenIngestMessage(orig.Subject(), orig.Headers(), orig.Data())
		if err != nil || string(im.Body) != ingestBody || im.ID != "cmcc.c1.0.0" || im.Source != "cmcc" || im.Chunk != "c1" || im.Events != 2 {
			t.Fatalf("genuine message: %+v, %v", im, err)
		}

		other := gmcrypto.Generate() // another deployment's keys: same key id v1, other key
		forged, _ := other.SealEventRaw(nil, []byte(ingestBody), ingestAAD2(nil, orig.Subject(), "cmcc.c1.0.0", "cmcc", "c1", "2"))
		for _, c := range []struct {
			name string
			edit func(m *nats.Msg)
		}{
			{"body bit flipped", func(m *nats.Msg) { m.Data[len(m.Data)/2] ^= 1 }},
			{"body truncated", func(m *nats.Msg) { m.Data = m.Data[:len(m.Data)-1] }},
			{"body empty", func(m *nats.Msg) { m.Data = nil }},
			{"key id changed", func(m *nats.Msg) { m.Data[0] = 7 }},
			{"sealed under another keyring", func(m *nats.Msg) { m.Data = forged }},
			{"moved to another partition", func(m *nats.Msg) { m.Subject = st.Subject(1) }},
			{"message id changed", func(m *nats.Msg) { m.Header.Set(jetstream.MsgIDHeader, "cmcc.c1.0.1") }},
			{"source changed", func(m *nats.Msg) { m.Header.Set(HeaderSource, "wechat") }},
			{"chunk changed", func(m *nats.Msg) { m.Header.Set(HeaderChunk, "c2") }},
			{"count changed", func(m *nats.Msg) { m.Header.Set(HeaderEvents, "3") }},
			{"format removed (read as format 1)", func(m *nats.Msg) { m.Header.Del(HeaderFormat) }},
			{"unknown format", func(m *nats.Msg) { m.Header.Set(HeaderFormat, "3") }},
		} {
			m := copyMsg(orig)
			c.edit(m)
			if im, err := b.OpenIngestMessage(m.Subject, m.Header, m.Data); zhudun.ErrorCode(err) != zhudun.EINVALID {
				t.Errorf("%s: opened (%+v, %v), want EINVALID", c.name, im, err)
			}
		}

		// Through the consumer: a forged message on the stream is
		// delivered as refused, the genuine one as it was; a verbatim
		// replay inside the duplicate window is not stored at all.
		m := copyMsg(orig)
		m.Header.Set(jetstream.MsgIDHeader, "cmcc.c9.0.0")
		m.Data = forged
		if _, err := b.js.PublishMsg(ctx, m); err != nil {
			t.Fatal(err)
		}
		if ack, err := b.js.PublishMsg(ctx, copyMsg(orig)); err != nil || !ack.Duplicate {
			t.Fatalf("verbatim replay inside the window: %+v, %v; want a duplicate", ack, err)
		}
		cons, err := st.Consume(ctx, "auth", 1)
		if err != nil {
			t.Fatal(err)
		}
		ds, err := cons.Fetch(ctx, 10, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 2 || ds[0].Bad || string(ds[0].Body) != ingestBody || !ds[1].Bad || ds[1].Body != nil {
			t.Fatalf("deliveries %+v, want the genuine one then a refused one", ds)
		}

		// After the window (shortened here), the verbatim copy is stored
		// again and delivered under the original's id.
		cfg := st.cfg
		window := func(d time.Duration) {
			t.Helper()
			_, err := b.js.UpdateStream(ctx, jetstream.StreamConfig{Name: cfg.Stream, Subjects: []string{cfg.Prefix + ".*"}, Retention: jetstream.LimitsPolicy,
				Discard: jetstream.DiscardNew, Storage: jetstream.FileStorage, MaxBytes: cfg.MaxBytes, MaxAge: cfg.MaxAge, Duplicates: d, Replicas: 1})
			if err != nil {
				t.Fatal(err)
			}
		}
		window(100 * time.Millisecond)
		// The server forgets ids on a timer of its own: poll (a copy
		// refused as a duplicate is not stored). An update fires that timer
		// at once, and it may fire before the update has set the new window
		// (nats-server 2.15: it then waits out the old window, 2 minutes):
		// each round sets the window again, a little different, so the
		// timer fires anew with the short window in place.
		for i, deadline := 0, time.Now().Add(20*time.Second); ; i++ {
			time.Sleep(100 * time.Millisecond)
			ack, err := b.js.PublishMsg(ctx, copyMsg(orig))
			if err != nil {
				t.Fatal(err)
			}
			if !ack.Duplicate {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the verbatim copy is still a duplicate 20 s after the window")
			}
			window(time.Duration(100+10*(i%2)) * time.Millisecond)
		}
		ds, err = cons.Fetch(ctx, 10, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 || ds[0].Bad || ds[0].ID != "cmcc.c1.0.0" || ds[0].Seq != 3 {
			t.Fatalf("replayed copy delivered as %+v, want seq 3 under id cmcc.c1.0.0", ds)
		}
	})
}

// TestIngestFormat1StillRead: messages written by a build before format 2
// (base64 text body, HMAC-SM3 tag; built here exactly as that build did)
// left in the stream across an upgrade are delivered and opened; one
// whose tag fails is refused.
func TestIngestFormat1StillRead(t *testing.T) {
	ingestBuses(t, func(t *testing.T, b *Bus, st *IngestStream) {
		ctx := t.Context()
		format1 := func(p int, id string, body []byte, tag bool) *nats.Msg {
			sealed, err := b.cfg.Keys.SealEvent(body, []byte("zhudun-ingest\x00"+id))
			if err != nil {
				t.Fatal(err)
			}
			nm := nats.NewMsg(st.Subject(p))
			nm.Data = []byte(sealed)
			nm.Header.Set(HeaderSource, "cmcc")
			nm.Header.Set(HeaderChunk, "c0")
			nm.Header.Set(HeaderEvents, "2")
			nm.Header.Set(jetstream.MsgIDHeader, id)
			if tag {
				sig, _ := b.cfg.Keys.SignEvent([]byte(st.Subject(p) + "\x00" + id + "\x00" + sealed))
				nm.Header.Set(tagHeader, sig)
			}
			return nm
		}
		for _, m := range []*nats.Msg{format1(1, "cmcc.c0.1.0", []byte(ingestBody), true), format1(1, "cmcc.c0.1.1", []byte(ingestBody), false)} {
			if _, err := b.js.PublishMsg(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.Publish(ctx, []zhudun.IngestBatch{{Partition: 0, ID: "cmcc.c1.0.0", Source: "cmcc", Chunk: "c1", Events: 2, Body: []byte(ingestBody)}}); err != nil {
			t.Fatal(err)
		}
		cons, err := st.Consume(ctx, "old", 1)
		if err != nil {
			t.Fatal(err)
		}
		ds, err := cons.Fetch(ctx, 10, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 3 {
			t.Fatalf("%d deliveries", len(ds))
		}
		if d := ds[0]; d.Bad || d.ID != "cmcc.c0.1.0" || d.Source != "cmcc" || d.Events != 2 || string(d.Body) != ingestBody {
			t.Errorf("format 1: %+v", d)
		}
		if !ds[1].Bad {
			t.Errorf("format 1 without its tag delivered: %+v", ds[1])
		}
		if d := ds[2]; d.Bad || string(d.Body) != ingestBody {
			t.Errorf("format 2 after format 1: %+v", d)
		}
	})
}
