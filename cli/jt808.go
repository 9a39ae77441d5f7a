package cli

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/jt808/gateway"
	"github.com/zhudun/zhudun/natsbus"
	"github.com/zhudun/zhudun/relay"
	"github.com/zhudun/zhudun/sqlstore"
)

// startJT808 listens on addr and serves terminals until ctx ends; the
// returned channel closes once every connection has.
func startJT808(ctx context.Context, cfg *Config, addr string, store *sqlstore.Store, onUnit func(*zhudun.Unit), log *slog.Logger) (net.Addr, <-chan struct{}, error) {
	maxConns, err := strconv.Atoi(cfg.JT808MaxConns)
	if err != nil || maxConns < 1 {
		return nil, nil, fmt.Errorf("--jt808-max-conns must be a positive number")
	}
	perAddr, err := strconv.Atoi(cfg.JT808MaxConnsPerAddr)
	if err != nil || perAddr < 1 {
		return nil, nil, fmt.Errorf("--jt808-max-conns-per-addr must be a positive number")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("jt808: %w", err)
	}
	gw := gateway.New(gateway.Config{Store: store, OnUnit: onUnit, Logger: log, IdleTimeout: cfg.JT808Idle, MaxConns: maxConns, MaxConnsPerAddr: perAddr})
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := gw.Serve(ctx, ln); err != nil {
			log.Error("jt808 gateway stopped", "err", err)
		}
	}()
	log.Info("jt808 gateway listening", "addr", ln.Addr().String(), "idle_timeout", cfg.JT808Idle, "max_conns", maxConns)
	return ln.Addr(), done, nil
}

// runJT808 is `zhudun jt808`: the JT/T 808 gateway as its own process,
// against the platform's database. Its positions and alarms are written
// with their events to the outbox, which the servers' relays publish; with
// --nats it relays them itself as well (the bus keeps one of each).
func runJT808(ctx context.Context, e *env, args []string) error {
	var cfg Config
	fs := flags(e, "jt808", &cfg)
	if err := parse(fs, &cfg, args); err != nil {
		return err
	}
	addr := cfg.JT808Addr
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "addr" && addr == "" {
			addr = cfg.Addr // here --addr is the terminals' address
		}
	})
	if addr == "" {
		return fmt.Errorf("--addr HOST:PORT is required: where the terminals connect")
	}
	log := newLogger(e, &cfg)
	store, keys, err := openStore(ctx, &cfg, log)
	if err != nil {
		return err
	}
	defer store.Close()
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	relayDone := make(chan struct{})
	if cfg.NATS != "" {
		bus, err := natsbus.Open(ctx, natsbus.Config{URL: cfg.NATS, DataDir: cfg.Data, Logger: log, Keys: keys,
			CAFile: cfg.NATSCA, CertFile: cfg.NATSCert, KeyFile: cfg.NATSKey, CredsFile: cfg.NATSCreds, Insecure: cfg.InsecureBus})
		if err != nil {
			return fmt.Errorf("bus: %w", err)
		}
		defer bus.Close()
		go func() { defer close(relayDone); relay.Run(runCtx, store, bus, time.Second, log) }()
	} else {
		close(relayDone)
	}
	at, done, err := startJT808(runCtx, &cfg, addr, store, nil, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "jt808 gateway: listening on %s (stop with Ctrl-C)\n", at)
	<-ctx.Done()
	stop()
	<-done
	<-relayDone
	return nil
}

func closedChan() <-chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}
