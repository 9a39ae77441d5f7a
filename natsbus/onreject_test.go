package natsbus

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/natsbus/bustest"
)

// TestOnRejectHook: the server's alert hook hears of every dropped event,
// with its subject, and of nothing genuine.
func TestOnRejectHook(t *testing.T) {
	var mu sync.Mutex
	var rejected []string
	b, err := Open(t.Context(), Config{DataDir: t.TempDir(), Keys: gmcrypto.Generate(),
		OnReject: func(subject, reason string) { mu.Lock(); rejected = append(rejected, subject); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	var got []zhudun.Event
	if err := b.Subscribe(t.Context(), func(e zhudun.Event) { mu.Lock(); got = append(got, e); mu.Unlock() }); err != nil {
		t.Fatal(err)
	}
	forged, _ := json.Marshal(zhudun.Event{ID: 1, Type: "incident.created", At: time.Now(), Perm: zhudun.PermIncidentRead, DeptPath: "/1/"})
	m := nats.NewMsg(b.cfg.SubjectPrefix + ".incident.created")
	m.Data = forged
	if _, err := b.js.PublishMsg(t.Context(), m, jetstream.WithExpectStream(b.cfg.StreamName)); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(t.Context(), zhudun.Event{ID: 2, Type: "incident.created", At: time.Now(), Perm: zhudun.PermIncidentRead, DeptPath: "/1/"}); err != nil {
		t.Fatal(err)
	}
	bustest.CheckFor(t, 10*time.Second, "the genuine event", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 1 })
	mu.Lock()
	defer mu.Unlock()
	if len(rejected) != 1 || rejected[0] != b.cfg.SubjectPrefix+".incident.created" {
		t.Fatalf("hook heard %v", rejected)
	}
}
