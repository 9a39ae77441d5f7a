package live

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/zhudun/zhudun"
)

// Workers records the heartbeats of running engines (sqlstore.Store), for
// the status page's "workers alive" (docs/live.md, "Status").
type Workers interface {
	EngineHeartbeat(ctx context.Context, w *zhudun.EngineWorker) error
	EngineWorkerStopped(ctx context.Context, id string) error
}

// heartbeatEvery is how often a running engine says it is alive; the
// status page counts it alive for zhudun.WorkerAlive (three beats).
const heartbeatEvery = 10 * time.Second

// heartbeat records this process as a worker every heartbeatEvery, and
// after each commit, until ctx ends, then removes its row.
func (s *Service) heartbeat(ctx context.Context) {
	host, _ := os.Hostname()
	started := time.Now().UTC()
	id := fmt.Sprintf("%s/%d/%d", host, os.Getpid(), started.UnixMilli())
	beat(ctx, s.cfg.Workers, s.log, &zhudun.EngineWorker{ID: id, Name: s.cfg.Name, Host: host, PID: os.Getpid(), Started: started},
		func(w *zhudun.EngineWorker) { w.Seq, w.Events = s.fedSeq.Load(), s.events.Load() }, s.beat)
}

// beat records w every heartbeatEvery and whenever kick fires, with the
// figures fill sets, until ctx ends, then removes its row. A failed beat
// (the database down) is logged once per outage and retried at the next
// tick: the worker is then shown not alive, which is right, since it
// cannot commit either.
func beat(ctx context.Context, workers Workers, log interface{ Warn(string, ...any) }, w *zhudun.EngineWorker, fill func(*zhudun.EngineWorker), kick <-chan struct{}) {
	failing := false
	t := time.NewTicker(heartbeatEvery)
	defer t.Stop()
	for {
		fill(w)
		if err := workers.EngineHeartbeat(ctx, w); err != nil && ctx.Err() == nil {
			if !failing {
				log.Warn("engine heartbeat not recorded", "err", err)
			}
			failing = true
		} else {
			failing = false
		}
		select {
		case <-ctx.Done():
			stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			defer cancel()
			if err := workers.EngineWorkerStopped(stop, w.ID); err != nil {
				log.Warn("engine worker row left to expire", "err", err)
			}
			return
		case <-t.C:
		case <-kick:
		}
	}
}
