package natsbus

import (
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// TestPublishAll: a batch arrives in order, each once; an event with a bad
// type stops the batch there and the count says how many went before it;
// republishing the acknowledged ones (as the relay does after a failure)
// stores nothing twice.
func TestPublishAll(t *testing.T) {
	b := openEmbedded(t, t.TempDir())
	got := make(chan int64, 16)
	if err := b.Subscribe(t.Context(), func(e zhudun.Event) { got <- e.ID }); err != nil {
		t.Fatal(err)
	}
	evs := []zhudun.Event{{ID: 1, Type: "batch.test", At: time.Now()}, {ID: 2, Type: "batch.test", At: time.Now()},
		{ID: 3, Type: "bad type", At: time.Now()}, {ID: 4, Type: "batch.test", At: time.Now()}}
	n, err := b.PublishAll(t.Context(), evs)
	if n != 2 || zhudun.ErrorCode(err) != zhudun.EINVALID {
		t.Fatalf("PublishAll: %d %v; want 2 and EINVALID", n, err)
	}
	if n, err := b.PublishAll(t.Context(), append(evs[:2:2], evs[3])); n != 3 || err != nil {
		t.Fatalf("again: %d %v", n, err)
	}
	var order []int64
	for len(order) < 3 {
		select {
		case id := <-got:
			order = append(order, id)
		case <-time.After(5 * time.Second):
			t.Fatalf("received %v", order)
		}
	}
	if order[0] != 1 || order[1] != 2 || order[2] != 4 {
		t.Fatalf("order %v; want 1 2 4", order)
	}
	select {
	case id := <-got:
		t.Fatalf("event %d delivered twice", id)
	case <-time.After(300 * time.Millisecond):
	}
}
