package storetest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// testEngineStatus: heartbeats make a worker alive for 30 s, a clean stop
// removes it, a day without one purges it; checkpoints are listed with the
// size of their state, never the state; only source:write over the whole
// organisation reads either.
func testEngineStatus(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	started := e.clock.Now()
	w1 := &zhudun.EngineWorker{ID: "h1/10/1", Name: "live", Host: "h1", PID: 10, Started: started, Seq: 5, Events: 100}
	w2 := &zhudun.EngineWorker{ID: "h2/20/1", Name: "live", Host: "h2", PID: 20, Started: started, Seq: 3, Events: 50}
	e.must(e.s.EngineHeartbeat(context.Background(), w1))
	e.must(e.s.EngineHeartbeat(context.Background(), w2))
	e.clock.Advance(20 * time.Second)
	w1.Seq, w1.Events = 9, 180
	e.must(e.s.EngineHeartbeat(context.Background(), w1))
	e.clock.Advance(15 * time.Second) // w1 seen 15 s ago, w2 35 s ago

	list := func() string {
		t.Helper()
		ws, err := e.s.EngineWorkers(e.sys)
		e.must(err)
		var out string
		for _, w := range ws {
			out += w.ID + "@" + w.Host + "#" + strconv.FormatUint(w.Seq, 10) + "/" + strconv.FormatInt(w.Events, 10)
			if w.Alive {
				out += " alive"
			}
			out += ";"
		}
		return out
	}
	if got := list(); got != "h1/10/1@h1#9/180 alive;h2/20/1@h2#3/50;" {
		t.Fatalf("workers %q", got)
	}
	e.must(e.s.EngineWorkerStopped(context.Background(), "h1/10/1"))
	if got := list(); got != "h2/20/1@h2#3/50;" {
		t.Fatalf("after h1 stopped: %q", got)
	}
	e.clock.Advance(25 * time.Hour)
	w3 := &zhudun.EngineWorker{ID: "h3/30/2", Name: "live", Host: "h3", PID: 30, Started: e.clock.Now()}
	e.must(e.s.EngineHeartbeat(context.Background(), w3))
	if got := list(); got != "h3/30/2@h3#0/0 alive;" {
		t.Fatalf("a day later: %q", got)
	}

	e.must(e.s.ApplyFindingChange(context.Background(), &zhudun.FindingChange{Checkpoint: &zhudun.EngineCheckpoint{Name: "live", Seq: 77, State: make([]byte, 1234)}}))
	cps, err := e.s.EngineCheckpoints(e.sys)
	e.must(err)
	if len(cps) != 1 || cps[0].Name != "live" || cps[0].Seq != 77 || cps[0].Size != 1234 || !cps[0].At.Equal(e.clock.Now()) {
		t.Fatalf("checkpoints %+v", cps)
	}

	ana := e.as(e.user("ana", "ROOT", "analyst"))
	if _, err := e.s.EngineWorkers(ana); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("an analyst listed the workers: %v", err)
	}
	if _, err := e.s.EngineCheckpoints(ana); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("an analyst listed the checkpoints: %v", err)
	}
}
