package natsbus

import (
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/zhudun/zhudun"
)

// TestFetchTakesWhatIsThere: a fetch of up to 64 messages returns the 3
// the stream holds without waiting for the other 61 (a plain pull would
// be held until its wait ran out: the last messages of every feed waited
// it out); with nothing there it waits for the first to be published and
// takes the ones published with it; in stream order, none twice.
func TestFetchTakesWhatIsThere(t *testing.T) {
	b := openEmbedded(t, t.TempDir())
	ctx := t.Context()
	st, err := b.OpenIngest(ctx, IngestConfig{Partitions: 2})
	if err != nil {
		t.Fatal(err)
	}
	publish := func(from, n int) {
		t.Helper()
		for i := from; i < from+n; i++ {
			err := st.Publish(ctx, []zhudun.IngestBatch{{Partition: i % 2, ID: fmt.Sprintf("s.c.%d", i), Source: "s", Events: 1, Body: []byte("{}\n")}})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	publish(0, 3)
	c, err := st.Consume(ctx, "live", 1)
	if err != nil {
		t.Fatal(err)
	}
	// The wait is a minute: a fetch that waited for 64 messages, or for
	// its wait, would not come back within the test's 10 s.
	fetch := func() []zhudun.IngestDelivery {
		t.Helper()
		type res struct {
			ds  []zhudun.IngestDelivery
			err error
		}
		ch := make(chan res, 1)
		go func() {
			ds, err := c.Fetch(ctx, 64, time.Minute)
			ch <- res{ds, err}
		}()
		select {
		case r := <-ch:
			if r.err != nil {
				t.Fatal(r.err)
			}
			return r.ds
		case <-time.After(10 * time.Second):
			t.Fatal("the fetch waited for messages the stream did not hold")
			return nil
		}
	}
	seqs := func(ds []zhudun.IngestDelivery) string {
		s := ""
		for _, d := range ds {
			s += fmt.Sprintf(" %d:%s", d.Seq, d.ID)
		}
		return s
	}
	if got, want := seqs(fetch()), " 1:s.c.0 2:s.c.1 3:s.c.2"; got != want {
		t.Fatalf("first fetch:%s, want%s", got, want)
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		publish(3, 1)
	}()
	if got, want := seqs(fetch()), " 4:s.c.3"; got != want {
		t.Fatalf("waiting fetch:%s, want%s", got, want)
	}
	publish(4, 2)
	if got, want := seqs(fetch()), " 5:s.c.4 6:s.c.5"; got != want {
		t.Fatalf("third fetch:%s, want%s", got, want)
	}
}

// TestFetchRefusesALostDelivery: a delivery this reader never got (a
// pull given up on, whose message went to a dropped inbox — done here by
// pulling one message past the reader) makes the next fetch fail instead
// of handing on the later messages, which ack-all would then acknowledge
// with the lost one unfed; a consumer opened again reads them all.
func TestFetchRefusesALostDelivery(t *testing.T) {
	b := openEmbedded(t, t.TempDir())
	ctx := t.Context()
	st, err := b.OpenIngest(ctx, IngestConfig{Partitions: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := st.Publish(ctx, []zhudun.IngestBatch{{ID: fmt.Sprintf("s.c.%d", i), Source: "s", Events: 1, Body: []byte("{}\n")}}); err != nil {
			t.Fatal(err)
		}
	}
	c, err := st.Consume(ctx, "live", 1)
	if err != nil {
		t.Fatal(err)
	}
	lost, err := c.c.Fetch(1, jetstream.FetchMaxWait(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for range lost.Messages() {
	}
	ds, err := c.Fetch(ctx, 64, time.Second)
	if zhudun.ErrorCode(err) != zhudun.EUNAVAILABLE || len(ds) != 0 {
		t.Fatalf("after a lost delivery: %d deliveries, %v; want none and EUNAVAILABLE", len(ds), err)
	}
	c, err = st.Consume(ctx, "live", 1)
	if err != nil {
		t.Fatal(err)
	}
	if ds, err = c.Fetch(ctx, 64, time.Second); err != nil || len(ds) != 3 || ds[0].Seq != 1 {
		t.Fatalf("consumer opened again: %d deliveries, %v", len(ds), err)
	}
}
