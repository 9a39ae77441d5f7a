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
// after each commit, until ctx ends, then removes its row. A failed beat (the database down) is
// logged once per outage and retried at the next tick: the worker is
// then shown not alive, which is right, since it cannot commit either.
func (s *Service) heartbeat(ctx context.Context) {
	host, _ := os.Hostname()
	started := time.Now().UTC()
	w := &zhudun.EngineWorker{ID: fmt.Sprintf("%s/%d/%d", host, os.Getpid(), started.UnixMilli()), Name: s.cfg.Name, Host: host,
		PID: os.Getpid(), Started: started}
	failing := false
	t := time.NewTicker(heartbeatEvery)
	defer t.Stop()
	for {
		w.Seq, w.Events = s.fedSeq.Load(), s.events.Load()
		if err := s.cfg.Workers.EngineHeartbeat(ctx, w); err != nil && ctx.Err() == nil {
			if !failing {
				s.log.Warn("engine heartbeat not recorded", "err", err)
			}
			failing = true
		} else {
			failing = false
		}
		select {
		case <-ctx.Done():
			stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			defer cancel()
			if err := s.cfg.Workers.EngineWorkerStopped(stop, w.ID); err != nil {
				s.log.Warn("engine worker row left to expire", "err", err)
			}
			return
		case <-t.C:
		case <-s.beat: // a commit: the status page shows its sequence now
		}
	}
}
