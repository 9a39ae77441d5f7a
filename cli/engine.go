package cli

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/zhudun/zhudun/live"
	"github.com/zhudun/zhudun/natsbus"
	"github.com/zhudun/zhudun/sqlstore"
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
	switch cfg.Stage {
	case "single", "partition", "global", "both":
	default:
		return fmt.Errorf("--stage must be single, partition, global or both, not %q", cfg.Stage)
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
	if cfg.Stage != "single" {
		return runStages(ctx, e, &cfg, store, bus, st)
	}
	fmt.Fprintln(e.stdout, "live engine: consuming", natsbus.DefaultIngestStream, "(stop with Ctrl-C; the last checkpoint is where it resumes)")
	start := time.Now()
	svc := live.New(live.Config{Store: store, Workers: store, Stream: liveStream(st), Logger: log})
	err = svc.Run(ctx)
	log.Info("live engine stopped", "detections", svc.Runs(), "uptime", time.Since(start).Round(time.Second))
	return err
}

// membersBucket is the partition workers' membership bucket, and
// membersLease the lease a worker's beat holds.
const (
	membersBucket = "FOURCUTS_WORKERS"
	membersLease  = 9 * time.Second
)

// runStages runs the scale-out's stages: a partition worker sharing the
// partitions with the other live ones, a candidate for the global stage
// on the link stream (the worker holding its lease runs it), or both
// (docs/live.md, "Scale-out").
func runStages(ctx context.Context, e *env, cfg *Config, store *sqlstore.Store, bus *natsbus.Bus, st *natsbus.IngestStream) error {
	log := newLogger(e, cfg)
	link, err := bus.OpenIngest(ctx, st.LinkConfig())
	if err != nil {
		return fmt.Errorf("link stream: %w", err)
	}
	members, err := bus.OpenMembers(ctx, membersBucket, membersLease)
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	id := fmt.Sprintf("%s/%d/%d", host, os.Getpid(), time.Now().UnixMilli())
	var wg sync.WaitGroup
	if cfg.Stage != "global" {
		w := live.NewPartitionWorker(live.PartitionConfig{Store: store, Workers: store, Members: members, ID: id, Partitions: st.Partitions(), Lease: membersLease, Logger: log,
			Open: func(ctx context.Context, p int, start uint64) (live.Consumer, error) {
				return st.ConsumePartition(ctx, p, start)
			},
			Emit: link.Publish})
		fmt.Fprintln(e.stdout, "live engine: partition worker", id, "on", natsbus.DefaultIngestStream, "(stop with Ctrl-C; the others take its partitions over)")
		wg.Go(func() {
			w.Run(ctx)
			log.Info("partition worker stopped", "events", w.Events(), "linked", w.Linked())
		})
	}
	if cfg.Stage != "partition" {
		fmt.Fprintln(e.stdout, "live engine: candidate for the global stage on", st.LinkConfig().Stream, "(one worker holds it at a time)")
		wg.Go(func() {
			live.RunElected(ctx, members, live.GlobalLease, id, membersLease, log, func(ctx context.Context) {
				fence, err := store.TakeFence(ctx, "global")
				if err != nil {
					log.Error("global stage: no fencing token", "err", err)
					return
				}
				svc := live.New(live.Config{Store: store, Workers: store, Name: "global", Stream: liveStream(link), Logger: log, Fence: fence})
				svc.Run(ctx)
				log.Info("global stage stopped", "detections", svc.Runs())
			})
		})
	}
	wg.Wait()
	return nil
}
