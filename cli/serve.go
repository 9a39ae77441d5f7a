package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/demo"
	"github.com/zhudun/zhudun/geocode"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/httpapi"
	"github.com/zhudun/zhudun/ingest"
	"github.com/zhudun/zhudun/live"
	"github.com/zhudun/zhudun/natsbus"
	"github.com/zhudun/zhudun/password"
	"github.com/zhudun/zhudun/relay"
	"github.com/zhudun/zhudun/sqlstore"
	"github.com/zhudun/zhudun/web"
)

// dataLock holds an exclusive lock on the data directory for as long as a
// server runs there: a second server (and its embedded NATS) must not open
// the same JetStream store. CLI commands only use the database, which
// handles concurrent writers itself, and never start NATS.
type dataLock struct{ f *os.File }

func lockData(dir string) (*dataLock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, "zhudun.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("another zhudun server is running on %s (lock %s held)", dir, f.Name())
	}
	f.Truncate(0)
	fmt.Fprintf(f, "%d\n", os.Getpid())
	return &dataLock{f: f}, nil
}

func (l *dataLock) release() {
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
}

func runServe(ctx context.Context, e *env, args []string) error {
	var cfg Config
	fs := flags(e, "serve", &cfg)
	fs.BoolVar(&cfg.Demo, "demo", false, "load the demo city (Jinan) at first start and print its initial passwords once")
	fs.Int64Var(&cfg.DemoSeed, "demo-seed", 1, "seed of the generated parts of the demo city")
	fs.BoolVar(&cfg.DemoPatrol, "demo-patrol", true, "with --demo: simulate the units' terminals, so that they patrol their grids and drive to their incidents (false: they stay put and their positions go stale)")
	if err := parse(fs, &cfg, args); err != nil {
		return err
	}
	log := newLogger(e, &cfg)
	if cfg.NATS == "" {
		lock, err := lockData(cfg.Data)
		if err != nil {
			return err
		}
		defer lock.release()
	}
	store, keys, err := openStore(ctx, &cfg, log)
	if err != nil {
		return err
	}
	defer store.Close()
	warnInstall(&cfg, log) // after openStore, which may create the keyring
	if cfg.Demo {
		if err := loadDemo(ctx, e, store, cfg.DemoSeed, cfg.Data); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	badMAC := store.NewAlertLimiter(time.Minute)
	bus, err := natsbus.Open(ctx, natsbus.Config{URL: cfg.NATS, DataDir: cfg.Data, Logger: log, Keys: keys,
		CAFile: cfg.NATSCA, CertFile: cfg.NATSCert, KeyFile: cfg.NATSKey, CredsFile: cfg.NATSCreds, Insecure: cfg.InsecureBus,
		OnReject: func(subject, reason string) {
			badMAC.Raise(zhudun.SecurityEvent{Event: zhudun.SecBadEventMAC, Subject: subject, Detail: map[string]any{"reason": reason}})
		}})
	if err != nil {
		return fmt.Errorf("bus: %w", err)
	}
	defer bus.Close()

	var geocoder zhudun.Geocoder
	if cfg.Geocoder != "" {
		if cfg.GeocoderCRS != "wgs84" && cfg.GeocoderCRS != "gcj02" {
			return fmt.Errorf("--geocoder-crs must be wgs84 or gcj02")
		}
		g, err := geocode.New(cfg.Geocoder, cfg.GeocoderCRS == "gcj02")
		if err != nil {
			return err
		}
		geocoder = g
	}
	if err := checkTiles(cfg.MapTiles); err != nil {
		return err
	}
	if cfg.Engine != "embedded" && cfg.Engine != "off" {
		return fmt.Errorf("--engine must be embedded or off")
	}
	ing, ingStream, err := openIngest(ctx, &cfg, bus, store, keys, log)
	if err != nil {
		return err
	}
	api := httpapi.New(httpapi.Config{Ingest: ing, IngestLag: ingStream, MapTiles: cfg.MapTiles, MapTilesAttribution: cfg.MapTilesAttribution, Geocoder: geocoder, Store: store, Bus: bus, Static: web.FS(), Logger: log, Version: Version, SecureCookies: cfg.TLSCert != "", CutDeadline: cfg.CutDeadline})
	api.Registry().MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "zhudun_bus_rejected_events_total",
		Help: "Bus messages dropped for failing their HMAC-SM3 tag or SM4 seal (forged, altered, or under an unknown key).",
	}, func() float64 { return float64(bus.Rejected()) }))
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	if err := api.Start(runCtx); err != nil {
		return fmt.Errorf("event stream: %w", err)
	}
	relayDone := make(chan struct{})
	go func() { defer close(relayDone); relay.Run(runCtx, store, bus, time.Second, log) }()
	engineDone := make(chan struct{})
	if cfg.Engine == "embedded" {
		eng := live.New(live.Config{Store: store, Workers: store, Stream: liveStream(ingStream), Logger: log})
		go func() { defer close(engineDone); eng.Run(runCtx) }()
	} else {
		close(engineDone)
	}
	patrolDone := make(chan struct{})
	if cfg.Demo && cfg.DemoPatrol {
		sim := demo.NewPatrol(store, demo.PatrolConfig{Seed: cfg.DemoSeed, Logger: log})
		go func() { defer close(patrolDone); sim.Run(runCtx) }()
		fmt.Fprintln(e.stdout, "demo patrol: the units' terminals are simulated (--demo-patrol=false to stop them)")
	} else {
		close(patrolDone)
	}
	var jt808Done <-chan struct{} = closedChan()
	if cfg.JT808Addr != "" {
		at, done, err := startJT808(runCtx, &cfg, cfg.JT808Addr, store, api.UnitMoved, log)
		if err != nil {
			return err
		}
		jt808Done = done
		fmt.Fprintf(e.stdout, "jt808 gateway: listening on %s\n", at)
	}
	go purgeLoginGuard(runCtx, store, log)
	if err := startForwarders(runCtx, &cfg, store, log); err != nil {
		return err
	}
	go sweepDormant(runCtx, store, time.Hour, log)
	go escalateCuts(runCtx, store, cfg.CutDeadline, log)
	go escalateNotices(runCtx, store, log)
	purgeDone := make(chan struct{})
	go func() { defer close(purgeDone); purgeLoop(runCtx, store, &cfg, log) }()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	scheme := "http"
	srv := &http.Server{Handler: api.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext: func(net.Listener) context.Context { return runCtx }}
	if cfg.TLSCert != "" {
		scheme = "https"
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	var metricsSrv *http.Server
	if cfg.MetricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", api.MetricsHandler())
		metricsSrv = &http.Server{Addr: cfg.MetricsAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := metricsSrv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics listener", "err", err)
			}
		}()
	}
	errc := make(chan error, 1)
	go func() {
		if cfg.TLSCert != "" {
			errc <- srv.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	backend := "SQLite " + cfg.sqlitePath()
	if cfg.DB != "" {
		backend = "PostgreSQL"
	}
	busName := "embedded NATS JetStream (in-process, no port)"
	if cfg.NATS != "" {
		busName = "NATS " + redactURL(cfg.NATS)
	}
	log.Info("zhudun serving", "version", Version, "url", scheme+"://"+ln.Addr().String(), "database", backend, "bus", busName)
	fmt.Fprintf(e.stdout, "listening on %s://%s\n", scheme, ln.Addr().String())

	select {
	case <-ctx.Done():
	case err := <-errc:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	log.Info("shutting down: finishing requests in flight")
	// Streams end with runCtx; ordinary requests get up to 30 s to finish.
	stop()
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("shutdown", "err", err)
	}
	if metricsSrv != nil {
		metricsSrv.Shutdown(sctx)
	}
	// Spans of anonymous denials still being counted go into the audit log
	// before the store closes.
	if err := api.Close(sctx); err != nil {
		log.Error("audit denied requests at shutdown", "err", err)
	}
	<-jt808Done
	<-relayDone
	<-engineDone
	<-purgeDone
	<-patrolDone
	// Whatever the relay had not published yet stays in the outbox for the
	// next start.
	return nil
}

// purgeLoginGuard drops expired sign-in counters every hour until ctx ends:
// one row per address and per unknown name would otherwise stay forever.
func purgeLoginGuard(ctx context.Context, store *sqlstore.Store, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := store.PurgeLoginGuard(ctx); err != nil {
				log.Warn("purge sign-in counters", "err", err)
			}
		}
	}
}

func redactURL(u string) string {
	if i := strings.Index(u, "@"); i >= 0 {
		if j := strings.Index(u, "://"); j >= 0 && j < i {
			return u[:j+3] + "…" + u[i:]
		}
	}
	return u
}

// DemoPasswordsFile is the name, in the data directory, of the file that
// holds the demo accounts' initial passwords (mode 0600): standard output
// ends up in terminals' scrollback, journald and CI logs, readable by others.
const DemoPasswordsFile = "demo-passwords.txt"

// loadDemo creates the demo city once and writes its initial passwords to
// DemoPasswordsFile in dataDir.
func loadDemo(ctx context.Context, e *env, s *sqlstore.Store, seed int64, dataDir string) error {
	sys := zhudun.WithCaller(ctx, zhudun.SystemCaller("demo"))
	plan, err := demo.City(seed)
	if err != nil {
		return err
	}
	if _, n, err := s.FindUsers(sys, zhudun.UserFilter{Limit: 1}); err != nil {
		return err
	} else if n > 0 {
		if _, err := s.FindDeptByCode(sys, demo.DivCyberSecurity); err == nil {
			fmt.Fprintf(e.stdout, "demo city already loaded; its initial passwords were written at the first start to %s\n", filepath.Join(dataDir, DemoPasswordsFile))
			return nil
		}
		return fmt.Errorf("the data directory already has users; --demo loads only into a new one")
	}
	for _, d := range plan.Depts {
		if d.Code == zhudun.RootDeptCode {
			name, region := d.Name, d.RegionCode
			if _, err := s.UpdateDept(sys, d.Code, zhudun.DeptUpdate{Name: &name, RegionCode: &region}); err != nil {
				return err
			}
			continue
		}
		if err := s.CreateDept(sys, &zhudun.Dept{Code: d.Code, Name: d.Name, Kind: d.Kind, ParentCode: d.ParentCode, RegionCode: d.RegionCode, Lon: d.Lon, Lat: d.Lat}); err != nil {
			return fmt.Errorf("department %s: %w", d.Code, err)
		}
	}
	fmt.Fprintln(e.stdout, "demo city loaded: Jinan's 12 districts; stations and names marked generated")
	pwPath := filepath.Join(dataDir, DemoPasswordsFile)
	pwFile, err := os.OpenFile(pwPath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer pwFile.Close()
	if err := pwFile.Chmod(0o600); err != nil { // a file left by an earlier, failed load
		return err
	}
	fmt.Fprintln(pwFile, "# zhudun demo accounts: username, initial password, roles, department.")
	fmt.Fprintln(pwFile, "# Each password must be changed at first login. Delete this file once they are.")
	// The command centre (指挥中心) directs the whole city, but as a division
	// under the bureau the built-in roles' subtree scope would show it only
	// itself: the demo gives its staff a city-wide role, as a bureau's
	// security administrator would.
	city := &zhudun.Role{ID: "city_command", Name: "市局指挥中心", Scope: zhudun.ScopeAll, Perms: []zhudun.Permission{
		zhudun.PermDeptRead, zhudun.PermIncidentRead, zhudun.PermIncidentWrite, zhudun.PermUnitRead, zhudun.PermUnitWrite,
		zhudun.PermGridRead, zhudun.PermReportRead}}
	if err := s.CreateRole(sys, city); err != nil {
		return err
	}
	ids := map[string]int64{}
	for _, u := range plan.Users {
		pw := password.GenerateFor(u.Username)
		roles := u.Roles
		if u.DeptCode == demo.DivCommand {
			roles = []string{city.ID}
		}
		nu, err := s.CreateUser(sys, zhudun.NewUser{Username: u.Username, Name: u.Name, DeptCode: u.DeptCode, Password: pw, Roles: roles})
		if err != nil {
			return fmt.Errorf("user %s: %w", u.Username, err)
		}
		ids[u.Username] = nu.ID
		if _, err := fmt.Fprintf(pwFile, "%s %s %s %s\n", u.Username, pw, strings.Join(roles, ","), u.DeptCode); err != nil {
			return err
		}
	}
	if err := pwFile.Sync(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "demo accounts: %d, their initial passwords in %s (mode 0600); each must be changed at first login\n", len(plan.Users), pwPath)
	ds, err := demo.StoreDistricts()
	if err != nil {
		return err
	}
	// The demo imports its city's districts as a bureau would its own.
	if err := s.ReplaceDistricts(sys, ds); err != nil {
		return fmt.Errorf("districts: %w", err)
	}
	if err := loadDemoCampus(sys, e, s, plan, seed, ids); err != nil {
		return err
	}
	return loadDemoPatrol(sys, e, s, plan)
}

// loadDemoCampus registers the demo's generated schools (three a
// station), a joint group with the campus supervisor and the education
// account, and a round planning 历下's schools, so the coverage board has
// schools to show.
func loadDemoCampus(sys context.Context, e *env, s *sqlstore.Store, plan *demo.Plan, seed int64, ids map[string]int64) error {
	schools, err := demo.Schools(seed, plan)
	if err != nil {
		return err
	}
	n, bad, err := s.ImportSchools(sys, schools)
	if err != nil || len(bad) > 0 {
		return fmt.Errorf("demo schools: %v %v", err, bad)
	}
	g, err := s.CreateGroup(sys, zhudun.NewGroup{Name: "第一联合督导组（演示）", Dept: demo.DivCampus, Members: []zhudun.GroupMember{
		{UserID: ids["jwbzd.campus1"], Agency: zhudun.AgencyPolice, Title: "经文保支队"},
		{UserID: ids["edu.inspector1"], Agency: zhudun.AgencyEducation, Title: "市教育局安全科"},
		{Name: "（演示）消防监督员", Agency: zhudun.AgencyFire}, {Name: "（演示）市场监管员", Agency: zhudun.AgencyMarket}}})
	if err != nil {
		return fmt.Errorf("demo group: %w", err)
	}
	list, _, err := s.FindSchools(sys, zhudun.SchoolFilter{District: "370102", Limit: 500})
	if err != nil {
		return err
	}
	var plan370102 []int64
	for _, x := range list {
		plan370102 = append(plan370102, x.ID)
	}
	today := time.Now().In(zhudun.CST())
	if _, err := s.CreateRound(sys, zhudun.NewRound{Name: "历下区明查暗访（演示）", Dept: demo.DivCampus, GroupID: g.ID,
		StartDay: today.Format("2006-01-02"), EndDay: today.AddDate(0, 1, 0).Format("2006-01-02"), Schools: plan370102}); err != nil {
		return fmt.Errorf("demo round: %w", err)
	}
	fmt.Fprintf(e.stdout, "demo schools: %d, generated inside Jinan's districts, and one inspection round\n", n)
	cs, err := demo.Communities(seed, plan)
	if err != nil {
		return err
	}
	n, bad, err = s.ImportCommunities(sys, cs)
	if err != nil || len(bad) > 0 {
		return fmt.Errorf("demo communities: %v %v", err, bad)
	}
	fmt.Fprintf(e.stdout, "demo communities: %d, generated inside Jinan's districts (铸盾)\n", n)
	return nil
}

// checkTiles accepts an http(s) or root-relative tile URL template that
// names the tile: {z}/{x}/{y} (XYZ) or {TileMatrix}/{TileCol}/{TileRow}
// (WMTS). Offline deployments serve the tiles from their own host.
func checkTiles(t string) error {
	if t == "" {
		return nil
	}
	xyz := strings.Contains(t, "{z}") && strings.Contains(t, "{x}") && strings.Contains(t, "{y}")
	wmts := strings.Contains(t, "{TileMatrix}") && strings.Contains(t, "{TileCol}") && strings.Contains(t, "{TileRow}")
	ok := strings.HasPrefix(t, "https://") || strings.HasPrefix(t, "http://") || strings.HasPrefix(t, "/") && !strings.HasPrefix(t, "//")
	if !ok || !xyz && !wmts {
		return fmt.Errorf("--map-tiles %q: an http(s) or /path URL template with {z} {x} {y} (XYZ) or {TileMatrix} {TileCol} {TileRow} (WMTS)", t)
	}
	return nil
}

// openIngest makes sure the ingest stream exists and returns the service
// behind POST /api/v1/events.
func openIngest(ctx context.Context, cfg *Config, bus *natsbus.Bus, store *sqlstore.Store, keys *gmcrypto.Keyring, log *slog.Logger) (*ingest.Service, *natsbus.IngestStream, error) {
	st, err := openIngestStream(ctx, cfg, bus)
	if err != nil {
		return nil, nil, err
	}
	rate, err := strconv.ParseFloat(cfg.IngestRate, 64)
	if err != nil || rate <= 0 {
		return nil, nil, fmt.Errorf("--ingest-rate must be a positive number")
	}
	return ingest.New(ingest.Config{Store: store, Stream: st, Keys: keys, Logger: log, Rate: rate, Burst: 10 * rate}), st, nil
}

// openIngestStream makes sure the ingest stream exists as configured.
func openIngestStream(ctx context.Context, cfg *Config, bus *natsbus.Bus) (*natsbus.IngestStream, error) {
	parts, err := strconv.Atoi(cfg.IngestPartitions)
	if err != nil || parts < 1 || parts > 4096 {
		return nil, fmt.Errorf("--ingest-partitions must be 1–4096")
	}
	gib, err := strconv.ParseFloat(cfg.IngestMaxGiB, 64)
	if err != nil || gib <= 0 {
		return nil, fmt.Errorf("--ingest-max-gib must be a positive number")
	}
	st, err := bus.OpenIngest(ctx, natsbus.IngestConfig{Partitions: parts, MaxBytes: int64(gib * (1 << 30))})
	if err != nil {
		return nil, fmt.Errorf("ingest stream: %w", err)
	}
	return st, nil
}
