package sqlstore

import (
	"context"
	"time"
)

// startCheckpoints runs c's checkpoint every c.CheckpointEvery(), each time
// holding this process's write lock (lockWriter), until the returned stop
// is called.
//
// Why here and under the lock: left to SQLite, the commit that takes the
// log past its autocheckpoint size copies the log into the database itself,
// fsyncs included, while every later writer waits — under 500 creations a
// second a stall of hundreds of milliseconds every second or two. Run
// beside the writers instead, a checkpoint rarely finishes (each commit
// adds frames behind it), the log is never restarted, and the writers'
// autocheckpoint fires anyway. Between two of this process's transactions a
// checkpoint finishes, and the next writer starts the log from its
// beginning; done often, each copies a few hundred pages and holds the
// writers for milliseconds.
func (s *Store) startCheckpoints(c Checkpointer) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(c.CheckpointEvery())
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			unlock, err := s.lockWriter(ctx)
			if err != nil {
				return
			}
			err = c.Checkpoint(ctx, s.db)
			unlock()
			if err != nil && ctx.Err() == nil {
				s.log.Debug("checkpoint", "err", err)
			}
		}
	}()
	return func() { cancel(); <-done }
}
