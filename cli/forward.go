package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/forward"
	"github.com/zhudun/zhudun/sqlstore"
)

// startForwarders starts the audit forwarder (--audit-forward) and the
// alert webhook (--alert-webhook), each on its own goroutine until ctx
// ends. A bad setting stops the start; an unreachable collector does not.
func startForwarders(ctx context.Context, cfg *Config, s *sqlstore.Store, log *slog.Logger) error {
	if cfg.AuditForward != "" {
		t, err := forward.ParseTarget(cfg.AuditForward)
		if err != nil {
			return fmt.Errorf("--audit-forward: %w", err)
		}
		a := &forward.Audit{Source: s, Target: t, Logger: log}
		if cfg.AuditForwardCA != "" {
			if t.Kind != forward.SyslogTLS {
				return fmt.Errorf("--audit-forward-ca applies to syslog+tls:// only")
			}
			pem, err := os.ReadFile(cfg.AuditForwardCA)
			if err != nil {
				return fmt.Errorf("--audit-forward-ca: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return fmt.Errorf("--audit-forward-ca %s: no PEM certificate in it", cfg.AuditForwardCA)
			}
			a.TLS = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool}
		}
		if t.Kind == forward.SyslogTCP {
			log.Warn("audit rows are forwarded without encryption (syslog+tcp); use syslog+tls:// outside a trusted network", "target", t.String())
		}
		go a.Run(ctx)
		log.Info("audit forwarding", "target", t.String())
	}
	if cfg.AlertWebhook != "" {
		u, err := url.Parse(cfg.AlertWebhook)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("--alert-webhook: want an http:// or https:// URL")
		}
		go (&forward.Webhook{Source: s, URL: cfg.AlertWebhook, Logger: log}).Run(ctx)
		log.Info("alert webhook", "host", u.Host)
	}
	return nil
}

// sweepDormant disables dormant accounts at start and then every interval.
func sweepDormant(ctx context.Context, s *sqlstore.Store, every time.Duration, log *slog.Logger) {
	sys := zhudun.WithCaller(ctx, zhudun.SystemCaller("dormant-sweep"))
	for {
		names, err := s.DisableDormant(sys)
		if err != nil && ctx.Err() == nil {
			log.Error("dormant account sweep", "err", err)
		}
		if len(names) > 0 {
			log.Info("dormant accounts disabled", "count", len(names))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// escalateCuts raises, every few minutes, the confirmed entities no source
// reported within deadline to the commanders over their department
// (EscalateOverdue marks each once, so several servers may run this). A
// zero deadline turns it off.
func escalateCuts(ctx context.Context, s *sqlstore.Store, deadline time.Duration, log *slog.Logger) {
	if deadline <= 0 {
		return
	}
	for {
		n, err := s.EscalateOverdue(ctx, deadline)
		if err != nil && ctx.Err() == nil {
			log.Error("overdue cuts", "err", err)
		}
		if n > 0 {
			log.Info("overdue cuts raised", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(5 * time.Minute):
		}
	}
}

// escalateNotices marks, every few minutes, the campus rectification
// notices and the e-bike fire orders past their deadline (each is alerted
// once, so several servers may run this).
func escalateNotices(ctx context.Context, s *sqlstore.Store, log *slog.Logger) {
	sys := zhudun.WithCaller(ctx, zhudun.SystemCaller("escalate"))
	for {
		alerts, err := s.EscalateOverdueNotices(sys)
		if err != nil && ctx.Err() == nil {
			log.Error("overdue notices", "err", err)
		}
		if len(alerts) > 0 {
			log.Info("overdue notices escalated", "alerts", len(alerts))
		}
		// E-bike fire orders to correct past their deadline (docs/fire.md).
		fire, err := s.EscalateOverdueFireOrders(sys)
		if err != nil && ctx.Err() == nil {
			log.Error("overdue fire orders", "err", err)
		}
		if len(fire) > 0 {
			log.Info("overdue fire orders escalated", "alerts", len(fire))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(5 * time.Minute):
		}
	}
}
