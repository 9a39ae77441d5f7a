package cli

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/sqlstore"
)

// purgeLoop applies the retention settings once a minute after start and
// then every cfg.PurgeInterval, until ctx ends. Several servers on one
// database may run it at once: each statement deletes or clears what is
// due, so they only share the work.
func purgeLoop(ctx context.Context, s *sqlstore.Store, cfg *Config, log *slog.Logger) {
	if cfg.PurgeInterval <= 0 {
		return
	}
	sys := zhudun.WithCaller(ctx, zhudun.SystemCaller("retention"))
	wait := time.Minute
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait = cfg.PurgeInterval
		rep, err := s.Purge(sys, cfg.Retention)
		if err != nil {
			if ctx.Err() == nil {
				log.Error("retention purge", "err", err)
			}
			continue
		}
		if rep != (sqlstore.PurgeReport{}) {
			log.Info("retention purge", "sessions", rep.Sessions, "login_failures", rep.LoginFailures, "outbox", rep.Outbox,
				"caller_phones", rep.CallerPhones, "disabled_users", rep.DisabledUsers, "positions", rep.Positions, "resealed", rep.Resealed)
		}
	}
}

// runPurge applies the retention settings once (what serve does on its
// schedule) and prints what it removed.
func runPurge(ctx context.Context, e *env, args []string) error {
	return withStore(ctx, e, "purge", args, nil, func(ctx context.Context, s *sqlstore.Store, cfg *Config) error {
		rep, err := s.Purge(ctx, cfg.Retention)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "purged: %d ended sessions, %d sign-in failure counters, %d published events, %d unit positions; cleared: %d caller phones, "+
			"personal data of %d disabled accounts; re-sealed %d rows under the active key\n",
			rep.Sessions, rep.LoginFailures, rep.Outbox, rep.Positions, rep.CallerPhones, rep.DisabledUsers, rep.Resealed)
		return nil
	})
}
