package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/zhudun/zhudun/live"
	"github.com/zhudun/zhudun/natsbus"
)

// liveStream adapts the ingest stream to the live engine's consumer.
func liveStream(st *natsbus.IngestStream) live.Stream {
	return func(ctx context.Context, name string, start uint64) (live.Consumer, error) {
		c, err := st.Consume(ctx, name, start)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
}

// runEngine is `zhudun engine`: the live Four Cuts engine as a worker
// beside servers started with --engine off, on the cluster's NATS and the
// platform's database (docs/live.md).
func runEngine(ctx context.Context, e *env, args []string) error {
	var cfg Config
	fs := flags(e, "engine", &cfg)
	if err := parse(fs, &cfg, args); err != nil {
		return err
	}
	if cfg.NATS == "" {
		return fmt.Errorf("--nats is required: a worker reads the ingest stream of the platform's NATS (the embedded server belongs to serve)")
	}
	log := newLogger(e, &cfg)
	store, keys, err := openStore(ctx, &cfg, log)
	if err != nil {
		return err
	}
	defer store.Close()
	bus, err := natsbus.Open(ctx, natsbus.Config{URL: cfg.NATS, DataDir: cfg.Data, Logger: log, Keys: keys,
		CAFile: cfg.NATSCA, CertFile: cfg.NATSCert, KeyFile: cfg.NATSKey, CredsFile: cfg.NATSCreds, Insecure: cfg.InsecureBus})
	if err != nil {
		return fmt.Errorf("bus: %w", err)
	}
	defer bus.Close()
	st, err := openIngestStream(ctx, &cfg, bus)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "live engine: consuming", natsbus.DefaultIngestStream, "(stop with Ctrl-C; the last checkpoint is where it resumes)")
	start := time.Now()
	svc := live.New(live.Config{Store: store, Workers: store, Stream: liveStream(st), Logger: log})
	err = svc.Run(ctx)
	log.Info("live engine stopped", "detections", svc.Runs(), "uptime", time.Since(start).Round(time.Second))
	return err
}
