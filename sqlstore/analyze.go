package sqlstore

import (
	"context"
	"time"
)

// startAnalyzer runs a's check every a.AnalyzeEvery() until the returned
// stop is called.
//
// Why the store and not autovacuum: the plans of the boards rest on the
// estimate of the open incidents, a few thousand rows of millions that
// change by hundreds a minute. Statistics taken before they grew made
// PostgreSQL read every open incident through the wrong partial index for
// each count (30 000 open: 15 ms a count, 100 ms under load). Autovacuum's
// analyze (tuned per table in migration 0012) is the first line, but it may
// be switched off, as on this project's test server, or late (its naptime
// is a minute).
func (s *Store) startAnalyzer(a Analyzer) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(a.AnalyzeEvery())
		defer t.Stop()
		var last int64
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			var err error
			if last, err = a.Analyze(ctx, s.db, last); err != nil && ctx.Err() == nil {
				s.log.Debug("analyze", "err", err)
			}
		}
	}()
	return func() { cancel(); <-done }
}
