// Package cli is the zhudun command: it parses configuration, wires the
// adapters together and runs the subcommands. cmd/zhudun only calls Main,
// so that tests run the real binary's code in-process.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/natsbus"
	"github.com/zhudun/zhudun/postgres"
	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
)

// Version is set at build time (-ldflags "-X github.com/zhudun/zhudun/cli.Version=…").
var Version = "dev"

// env is one invocation's standard streams.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

type command struct {
	name, usage string
	run         func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the platform (HTTP API, UI, event relay)", runServe},
		{"migrate", "apply database migrations and exit", runMigrate},
		{"dept", "departments: add, list", runDept},
		{"user", "users: add, passwd, disable, list", runUser},
		{"audit", "audit log: verify, archive", runAudit},
		{"report", "reports' upkeep: verify-rollup [--repair] (the cyber report's rollup against the cases)", runReport},
		{"backup", "encrypted, verified copy of the database while the server runs", runBackup},
		{"restore", "decrypt and verify a backup into an empty data directory", runRestore},
		{"keys", "keys: rotate (re-encrypts personal data), retire (removes a key nothing needs)", runKeys},
		{"verify-install", "check the binary, the embedded UI and the keyring's permissions", runVerifyInstall},
		{"purge", "apply the retention settings once (serve does it every --purge-every)", runPurge},
		{"source", "sources that push events: add, list, disable, rotate", runSource},
		{"ingest", "send feed files to a server's POST /api/v1/events", runIngest},
		{"engine", "the live Four Cuts engine as a worker (with serve --engine off)", runEngine},
		{"jt808", "the JT/T 808 gateway for vehicle terminals as its own process (docs/jt808.md)", runJT808},
		{"import", "import incidents|districts|roads: load incident history (CSV), the map's districts or the 铸盾 road layer (GeoJSON)", runImport},
		{"version", "print the version", func(_ context.Context, e *env, _ []string) error {
			fmt.Fprintln(e.stdout, "zhudun", Version)
			return nil
		}},
		// The engine's commands: pure algorithms over files, no database or bus.
		{"graph", "dense blocks in bipartite graphs: dense, inject", streams(Graph)},
		{"stream", "edge-stream burst scores: score", streams(Stream)},
		{"detect", "Four Cuts: findings from carrier and platform feeds", streams(Detect)},
		{"simulate", "Four Cuts: write a simulated city's feeds and truth", streams(Simulate)},
		{"eval", "Four Cuts: precision, recall and F1 of findings against truth", streams(Eval)},
	}
}

// streams adapts an engine command, which takes the standard streams as
// arguments so that cmd/zhudun-algo and cmd/fourcuts can call it too.
func streams(f func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error) func(context.Context, *env, []string) error {
	return func(ctx context.Context, e *env, args []string) error {
		return f(ctx, args, e.stdin, e.stdout, e.stderr)
	}
}

// Main runs the zhudun command with args (without the program name) and
// returns the exit status.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(e)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, e, args[1:])
			if err == nil {
				return 0
			}
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			var ee exitError
			if errors.As(err, &ee) {
				return int(ee)
			}
			fmt.Fprintf(stderr, "zhudun %s: %s\n", args[0], userMessage(err))
			return 1
		}
	}
	fmt.Fprintf(stderr, "zhudun: unknown command %q\n", args[0])
	usage(e)
	return 2
}

// exitError carries an exit status for a failure already reported.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit %d", int(e)) }

func userMessage(err error) string {
	var ze *zhudun.Error
	if errors.As(err, &ze) {
		if ze.Field != "" {
			return ze.Message + " (" + ze.Field + ")"
		}
		return ze.Message
	}
	return err.Error()
}

func usage(e *env) {
	fmt.Fprintln(e.stderr, "usage: zhudun <command> [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(e.stderr, "  %-9s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(e.stderr, "\nrun 'zhudun <command> -h' for its flags")
}

// flags makes a flag set with the common configuration bound.
func flags(e *env, name string, cfg *Config) *flag.FlagSet {
	fs := flag.NewFlagSet("zhudun "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfg.bind(fs)
	return fs
}

func parse(fs *flag.FlagSet, cfg *Config, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return cfg.resolve(fs)
}

func newLogger(e *env, cfg *Config) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	o := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, o))
	}
	return slog.New(slog.NewTextHandler(e.stderr, o))
}

// keyringPath is the keyring file in use, "" when the keyring is inline.
func (c *Config) keyringPath() string {
	switch {
	case c.KeyringJSON != "":
		return ""
	case c.Keyring != "":
		return c.Keyring
	}
	return filepath.Join(c.Data, "keys", "keyring.json")
}

// loadKeys finds the keyring: inline secret, configured file, or the data
// directory's — generated there at first start with a warning, because
// production keeps keys away from the data they protect. A keyring file from
// before the bus and backup keys gets them added.
func loadKeys(cfg *Config, log *slog.Logger) (*gmcrypto.Keyring, error) {
	if cfg.KeyringJSON != "" {
		kr, err := gmcrypto.Parse([]byte(cfg.KeyringJSON))
		if err != nil {
			return nil, err
		}
		if m := kr.Missing(); len(m) > 0 {
			return nil, fmt.Errorf("the keyring in ZHUDUN_KEYRING has no %s key: add one (zhudun keys rotate --purpose %s on a copy in a file) in your secret store", strings.Join(m, ", "), m[0])
		}
		return kr, nil
	}
	path := cfg.keyringPath()
	kr, err := gmcrypto.Load(path)
	if errors.Is(err, fs.ErrNotExist) && cfg.Keyring == "" {
		kr = gmcrypto.Generate()
		if err := kr.Save(path); err != nil {
			return nil, fmt.Errorf("keyring %s: %w", path, err)
		}
		log.Warn("no keyring configured: generated new keys in the data directory; production keeps them elsewhere (ZHUDUN_KEYRING_FILE or --keyring)", "path", path)
		return kr, nil
	}
	if err != nil {
		return nil, fmt.Errorf("keyring %s: %w", path, err)
	}
	if m := kr.Missing(); len(m) > 0 {
		for _, p := range m {
			if _, err := kr.Rotate(p); err != nil {
				return nil, err
			}
		}
		if err := kr.Save(path); err != nil {
			return nil, fmt.Errorf("keyring %s: adding %s keys: %w", path, strings.Join(m, ", "), err)
		}
		log.Warn("added keys for new purposes to the keyring; copy it to every host that shares it", "path", path, "purposes", strings.Join(m, ","))
	}
	return kr, nil
}

func (c *Config) sqlitePath() string { return filepath.Join(c.Data, "zhudun.db") }

func (c *Config) usesPostgres() bool {
	return strings.HasPrefix(c.DB, "postgres://") || strings.HasPrefix(c.DB, "postgresql://")
}

// openStore opens the configured database, applying migrations.
func openStore(ctx context.Context, cfg *Config, log *slog.Logger) (*sqlstore.Store, *gmcrypto.Keyring, error) {
	if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
		return nil, nil, err
	}
	kr, err := loadKeys(cfg, log)
	if err != nil {
		return nil, nil, err
	}
	pol, err := cfg.policyOverrides()
	if err != nil {
		return nil, nil, err
	}
	w, err := openWitness(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	two, err := strconv.Atoi(strings.TrimSpace(cfg.ReviewTwoPerson))
	if cfg.ReviewTwoPerson == "" {
		two, err = 0, nil
	}
	if err != nil || two < 0 {
		return nil, nil, fmt.Errorf("--review-two-person: want a number of entities (0 = off), not %q", cfg.ReviewTwoPerson)
	}
	blobs, err := cfg.openBlobs(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("attachments: %w", err)
	}
	o := sqlstore.Options{Keys: kr, Blobs: blobs, Logger: log, Policy: pol, Witness: w, TwoPersonAbove: two}
	var s *sqlstore.Store
	switch {
	case cfg.DB == "":
		s, err = sqlite.Open(ctx, cfg.sqlitePath(), o)
	case cfg.usesPostgres():
		if err := postgres.CheckTransport(cfg.DB, cfg.InsecureDB); err != nil {
			return nil, nil, err
		}
		s, err = postgres.Open(ctx, cfg.DB, o)
	default:
		return nil, nil, fmt.Errorf("--db must be empty (SQLite) or postgres://…")
	}
	if err != nil {
		if c, ok := w.(io.Closer); ok {
			c.Close()
		}
		return nil, nil, err
	}
	return s, kr, nil
}

// openWitness opens where the audit chain's head is witnessed: the
// JetStream stream on a NATS cluster, else the head log file.
func openWitness(ctx context.Context, cfg *Config, log *slog.Logger) (zhudun.AuditWitness, error) {
	if cfg.NATS != "" {
		w, err := natsbus.OpenWitness(ctx, natsbus.WitnessConfig{URL: cfg.NATS, Logger: log,
			CAFile: cfg.NATSCA, CertFile: cfg.NATSCert, KeyFile: cfg.NATSKey, CredsFile: cfg.NATSCreds, Insecure: cfg.InsecureBus})
		if err != nil {
			return nil, fmt.Errorf("audit witness: %w", err)
		}
		return w, nil
	}
	path := cfg.Witness
	if path == "" {
		path = filepath.Join(cfg.Data, "audit-witness.log")
	}
	return sqlstore.OpenFileWitness(path)
}

// installer is the caller of CLI commands: the OS user who ran them, by
// the process's real uid — not $USER, which anyone can set to anything.
func installer(ctx context.Context) context.Context {
	return zhudun.WithCaller(ctx, zhudun.SystemCaller(cliActor(os.Getuid())))
}

// cliActor names uid as "cli:<login>" from the user database, or
// "cli:uid=<n>" when it has no entry (a container's arbitrary uid).
func cliActor(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli:uid=" + strconv.Itoa(uid)
}

// requireKeyringReader refuses commands that handle keys or archive the
// audit trail unless the user running them can read the keyring: they
// must be run by the service account (or root), not by whoever can reach
// the database's DSN.
func requireKeyringReader(cfg *Config) error {
	path := cfg.keyringPath()
	if path == "" {
		return nil // inline: whoever has it in their environment can read it
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("this command needs the keyring, and %s cannot read %s: run it as the service account (%v)", cliActor(os.Getuid()), path, err)
	}
	f.Close()
	return nil
}

func runMigrate(ctx context.Context, e *env, args []string) error {
	var cfg Config
	fs := flags(e, "migrate", &cfg)
	if err := parse(fs, &cfg, args); err != nil {
		return err
	}
	log := newLogger(e, &cfg)
	s, _, err := openStore(ctx, &cfg, log)
	if err != nil {
		return err
	}
	defer s.Close()
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "schema version %d\n", v)
	return nil
}
