package natsbus

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// TestIngestLag: messages published to partitions in a known order give,
// against a checkpoint sequence, each partition's messages after it, and
// the durable consumer's counts once it exists.
func TestIngestLag(t *testing.T) {
	b := openEmbedded(t, t.TempDir())
	ctx := t.Context()
	st, err := b.OpenIngest(ctx, IngestConfig{Partitions: 3})
	if err != nil {
		t.Fatal(err)
	}
	// Sequences: 1 p0, 2 p1, 3 p0, 4 p0, 5 p1 (partition 2 holds none).
	for i, p := range []int{0, 1, 0, 0, 1} {
		err := st.Publish(ctx, []zhudun.IngestBatch{{Partition: p, ID: fmt.Sprintf("s.c.%d", i), Source: "s", Events: 1, Body: []byte("{}\n")}})
		if err != nil {
			t.Fatal(err)
		}
	}
	show := func(l *zhudun.StreamLag) string {
		out := fmt.Sprintf("msgs %d last %d lag %d:", l.Messages, l.LastSeq, l.Lag)
		for _, p := range l.Partitions {
			out += fmt.Sprintf(" %s=%d/%d/%d", p.Subject, p.Messages, p.LastSeq, p.Lag)
		}
		if l.Consumer != nil {
			out += fmt.Sprintf(" consumer %s pending %d ack %d delivered %d floor %d", l.Consumer.Name, l.Consumer.Pending, l.Consumer.AckPending,
				l.Consumer.Delivered, l.Consumer.AckFloor)
		}
		return out
	}
	for _, c := range []struct {
		cp   uint64
		want string
	}{
		{0, "msgs 5 last 5 lag 5: fourcuts.ev.0=3/4/3 fourcuts.ev.1=2/5/2 fourcuts.ev.2=0/0/0"},
		{2, "msgs 5 last 5 lag 3: fourcuts.ev.0=3/4/2 fourcuts.ev.1=2/5/1 fourcuts.ev.2=0/0/0"},
		{4, "msgs 5 last 5 lag 1: fourcuts.ev.0=3/4/0 fourcuts.ev.1=2/5/1 fourcuts.ev.2=0/0/0"},
		{5, "msgs 5 last 5 lag 0: fourcuts.ev.0=3/4/0 fourcuts.ev.1=2/5/0 fourcuts.ev.2=0/0/0"},
	} {
		l, err := st.Lag(ctx, "live", c.cp)
		if err != nil {
			t.Fatal(err)
		}
		if got := show(l); got != c.want {
			t.Errorf("checkpoint %d:\n got %s\nwant %s", c.cp, got, c.want)
		}
	}
	// The partition workers': each partition behind its own checkpoint
	// (partition 0 at 3, partition 1 at none yet), no consumer.
	l, err := st.PartitionsLag(ctx, map[int]uint64{0: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := show(l), "msgs 5 last 5 lag 3: fourcuts.ev.0=3/4/1 fourcuts.ev.1=2/5/2 fourcuts.ev.2=0/0/0"; got != want {
		t.Errorf("partitions:\n got %s\nwant %s", got, want)
	}

	// The durable consumer: 3 delivered, the first 2 acknowledged.
	c, err := st.Consume(ctx, "live", 1)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := c.Fetch(ctx, 3, time.Second)
	if err != nil || len(ds) != 3 {
		t.Fatalf("fetch: %d %v", len(ds), err)
	}
	if err := c.AckThrough(ctx, 2); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	want := "msgs 5 last 5 lag 3: fourcuts.ev.0=3/4/2 fourcuts.ev.1=2/5/1 fourcuts.ev.2=0/0/0 consumer live pending 2 ack 1 delivered 3 floor 2"
	for {
		l, err := st.Lag(ctx, "live", 2)
		if err != nil {
			t.Fatal(err)
		}
		got := show(l)
		if got == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("with the consumer:\n got %s\nwant %s", got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The ephemeral consumers asked for the lag are gone.
	stream, err := b.js.Stream(context.Background(), DefaultIngestStream)
	if err != nil {
		t.Fatal(err)
	}
	names := stream.ConsumerNames(context.Background())
	var n int
	for range names.Name() {
		n++
	}
	if n != 1 {
		t.Errorf("%d consumers on the stream, want only the durable one", n)
	}
}

// TestLinkLag: the global stage's lag is on the link stream, behind the
// global checkpoint; none before the link stream exists.
func TestLinkLag(t *testing.T) {
	b := openEmbedded(t, t.TempDir())
	ctx := t.Context()
	st, err := b.OpenIngest(ctx, IngestConfig{Partitions: 2})
	if err != nil {
		t.Fatal(err)
	}
	if l, err := st.LinkLag(ctx, 0); err != nil || l != nil {
		t.Fatalf("without a link stream: %+v %v", l, err)
	}
	link, err := b.OpenIngest(ctx, st.LinkConfig())
	if err != nil {
		t.Fatal(err)
	}
	// Link sequences: 1 p1, 2 p0, 3 p1; the ingest stream holds one more.
	for i, p := range []int{1, 0, 1} {
		if err := link.Publish(ctx, []zhudun.IngestBatch{{Partition: p, ID: fmt.Sprintf("part-%d.1.1.%d", p, i), Source: "part", Events: 1, Body: []byte("{}\n")}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Publish(ctx, []zhudun.IngestBatch{{Partition: 0, ID: "s.c.0", Source: "s", Events: 1, Body: []byte("{}\n")}}); err != nil {
		t.Fatal(err)
	}
	l, err := st.LinkLag(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if l.Stream != DefaultIngestStream+"_LINK" || l.Messages != 3 || l.LastSeq != 3 || l.Lag != 2 {
		t.Fatalf("link lag behind 1: %+v", l)
	}
}
