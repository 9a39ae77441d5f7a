package live_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/zhudun/zhudun/live"
)

// TestHeartbeat: a running engine with Workers set is listed alive at
// once, under its engine's name, host and pid; stopped cleanly, it is no
// longer listed.
func TestHeartbeat(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	svc := live.New(live.Config{Store: e.store, Workers: e.store, Name: "w1",
		Stream: func(ctx context.Context, name string, start uint64) (live.Consumer, error) {
			return e.stream.Consume(ctx, name, start)
		}})
	go func() { defer close(done); svc.Run(ctx) }()
	host, _ := os.Hostname()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ws, err := e.store.EngineWorkers(e.sys)
		if err != nil {
			t.Fatal(err)
		}
		if len(ws) == 1 {
			w := ws[0]
			if w.Name != "w1" || w.Host != host || w.PID != os.Getpid() || !w.Alive {
				t.Fatalf("worker %+v", w)
			}
			break
		}
		if len(ws) > 1 || time.Now().After(deadline) {
			t.Fatalf("%d workers listed, want the one running", len(ws))
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	ws, err := e.store.EngineWorkers(e.sys)
	if err != nil || len(ws) != 0 {
		t.Fatalf("after a clean stop: %d workers (%v), want none", len(ws), err)
	}
}
