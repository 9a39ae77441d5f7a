package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/blobfs"
	"github.com/zhudun/zhudun/blobs3"
	"github.com/zhudun/zhudun/sqlstore"
)

// Config is the one typed configuration of a zhudun process, built here from
// defaults, an optional JSON file, ZHUDUN_* environment variables and flags
// (later wins), and passed down. Secrets may also come from NAME_FILE.
type Config struct {
	Data        string // data directory: zhudun.db, nats/, keys/
	DB          string // "" = SQLite in Data; postgres://… for PostgreSQL
	NATS        string // "" = embedded JetStream in Data; nats://… for a cluster
	NATSCA      string // CA file that the external NATS server's certificate must chain to
	NATSCert    string // client certificate file for NATS
	NATSKey     string // its key file
	NATSCreds   string // NATS credentials (JWT + nkey) file
	InsecureBus bool   // allow plain nats:// to a host off the loopback interface
	InsecureDB  bool   // allow a PostgreSQL DSN to a remote host without sslmode=verify-full/verify-ca
	Addr        string
	TLSCert     string
	TLSKey      string
	MetricsAddr string // Prometheus /metrics on its own (internal) address; "" = off
	Keyring     string // keyring file; default Data/keys/keyring.json
	Attachments string // directory of case attachments (encrypted); default Data/attachments
	BlobStore   string // where attachments' content lives: dir (Attachments) or s3
	S3Endpoint  string // https://host[:port] of the S3-compatible server
	S3Bucket    string
	S3Region    string
	S3Prefix    string
	S3CA        string // CA file the S3 server's certificate must chain to
	S3TimeoutT  string // --s3-timeout as given
	S3Timeout   time.Duration
	InsecureS3  bool   // allow plain http:// to an S3 host off the loopback interface
	S3AccessKey string // from the environment or a file only (envOnly)
	S3SecretKey string // from the environment or a file only (envOnly)
	Witness     string // audit head log file; default Data/audit-witness.log (embedded NATS only)
	KeyringJSON string // the keyring itself, from ZHUDUN_KEYRING only: keys never go on a command line
	TOTPRoles   string // comma-separated roles that must use a second factor; "" = the stored policy's, "none" = nobody
	// Policy overrides: "" leaves the stored policy's value in force.
	LockoutThreshold string
	LockoutMinutes   string
	IdleMinutes      string
	PasswordMaxAge   string
	PasswordHistory  string
	DormantDays      string
	AuditForward     string // syslog+tls://host:port, syslog+tcp://host:port or file:PATH; "" = off
	AuditForwardCA   string // CA bundle for syslog+tls (default: the system's)
	AlertWebhook     string // URL that gets each alert as a JSON POST; "" = off
	LogLevel         string
	LogFormat        string // text or json
	// Retention of each record type (see sqlstore.Retention), as given:
	// "30d", "12h", or "0" to keep for ever; parsed into Retention.
	RetainSessions, RetainLoginFailures, RetainOutbox, RetainCallerPhones, RetainDisabledPII string
	RetainPositions                                                                          string // --retain-positions: the units' fixes (at least sqlstore.MinPositionRetention)
	PurgeEvery                                                                               string
	Retention                                                                                sqlstore.Retention
	PurgeInterval                                                                            time.Duration
	CutDeadlineText                                                                          string        // --cut-deadline as given
	CutDeadline                                                                              time.Duration // a source's time to report a confirmed entity cut (docs/cutlists.md)
	ReviewTwoPerson                                                                          string        // --review-two-person: a confirmation of more than N entities waits for a second analyst; 0 off
	Demo                                                                                     bool
	DemoPatrol                                                                               bool   // with Demo: simulate the units' terminals
	MapTiles                                                                                 string // base-map tile URL template (XYZ, or WMTS in KVP/REST form); "" = none
	MapTilesAttribution                                                                      string
	Geocoder                                                                                 string // the bureau's standard address service, URL template with {q}; "" = the local table
	GeocoderCRS                                                                              string // gcj02 or wgs84 (default) for the service's answers
	DemoSeed                                                                                 int64
	IngestPartitions, IngestRate, IngestMaxGiB                                               string // the ingest stream (docs/ingest.md)
	Engine                                                                                   string // serve: the live Four Cuts engine, embedded or off (docs/live.md)
	JT808Addr                                                                                string // the JT/T 808 gateway's TCP address; "" = off (docs/jt808.md)
	JT808IdleText, JT808MaxConns                                                             string // --jt808-idle-timeout as given, --jt808-max-conns
	JT808MaxConnsPerAddr                                                                     string // --jt808-max-conns-per-addr
	JT808Idle                                                                                time.Duration
	Stage                                                                                    string // engine: single, partition, global or both (docs/live.md, "Scale-out")
	ConfigFile                                                                               string
}

type option struct {
	name, usage string
	secret      bool
	envOnly     bool // a secret never taken from a flag: env, NAME_FILE or the config file
	boolean     *bool
	str         *string
	def         string
}

// options lists every setting once: flag name, env name (ZHUDUN_ + upper
// snake case) and JSON file key all derive from it.
func (c *Config) options() []option {
	return []option{
		{name: "data", usage: "data directory", str: &c.Data, def: "./zhudun-data"},
		{name: "attachments", usage: "directory of case attachments, encrypted (SM4) by zhudun; default <data>/attachments. With several servers it must be one shared directory", str: &c.Attachments},
		{name: "blob-store", usage: "where case attachments' content lives (always SM4-encrypted by zhudun first): dir (--attachments) or s3 (an S3-compatible bucket, --s3-*; docs/cases.md)", str: &c.BlobStore, def: "dir"},
		{name: "s3-endpoint", usage: "with --blob-store s3: the server, https://host[:port] (http:// only on loopback or with --insecure-s3)", str: &c.S3Endpoint},
		{name: "s3-bucket", usage: "with --blob-store s3: the bucket (created and its access set by its owner, not by zhudun)", str: &c.S3Bucket},
		{name: "s3-region", usage: "with --blob-store s3: the region to sign for", str: &c.S3Region, def: "us-east-1"},
		{name: "s3-prefix", usage: "with --blob-store s3: object key prefix", str: &c.S3Prefix, def: "attachments/"},
		{name: "s3-ca", usage: "with --blob-store s3: CA file (PEM) the server's certificate must chain to (default: the system's roots)", str: &c.S3CA},
		{name: "s3-timeout", usage: "with --blob-store s3: time one call (an upload, a download until read) may take", str: &c.S3TimeoutT, def: "60s"},
		{name: "insecure-s3", usage: "allow plain http:// to an S3 host that is not loopback (signed requests and ciphertext in clear)", boolean: &c.InsecureS3},
		{name: "s3-access-key", usage: "S3 access key id", str: &c.S3AccessKey, envOnly: true},
		{name: "s3-secret-key", usage: "S3 secret key", str: &c.S3SecretKey, envOnly: true},
		{name: "db", usage: "database: empty for SQLite in the data directory, or postgres://…", str: &c.DB, secret: true},
		{name: "nats", usage: "NATS: empty for the embedded server, or nats://host:4222[,nats://…] (tls:// for TLS)", str: &c.NATS, secret: true},
		{name: "nats-ca", usage: "CA file for the NATS server's certificate (makes the connection TLS)", str: &c.NATSCA},
		{name: "nats-cert", usage: "client certificate file for NATS (with --nats-key)", str: &c.NATSCert},
		{name: "nats-key", usage: "client key file for NATS", str: &c.NATSKey},
		{name: "nats-creds", usage: "NATS credentials file (user JWT and nkey seed)", str: &c.NATSCreds},
		{name: "insecure-bus", usage: "allow plain nats:// to a host that is not loopback (events cross the network in clear)", boolean: &c.InsecureBus},
		{name: "insecure-db", usage: "allow PostgreSQL to a host that is not loopback without sslmode=verify-full or verify-ca", boolean: &c.InsecureDB},
		{name: "addr", usage: "listen address", str: &c.Addr, def: "127.0.0.1:8080"},
		{name: "map-tiles", usage: "base-map tiles under the grids: a URL template with {z} {x} {y} (XYZ, or WMTS as {TileMatrix} {TileCol} {TileRow}) of the bureau's map service (PGIS), which may be offline; WGS-84/Web Mercator tiles; empty: no tiles", str: &c.MapTiles},
		{name: "map-tiles-attribution", usage: "credit shown under the map for --map-tiles", str: &c.MapTilesAttribution},
		{name: "geocoder", usage: "the bureau's standard address service for the incident form's address box: a URL template with {q} (and {limit}); empty: the local standard-address table", str: &c.Geocoder},
		{name: "ingest-partitions", usage: "partitions (subjects fourcuts.ev.<n>) of the ingest stream; fixed once consumers run (docs/ingest.md)", str: &c.IngestPartitions, def: "16"},
		{name: "ingest-rate", usage: "events per second each source may push (bursts of ten seconds' worth)", str: &c.IngestRate, def: "200000"},
		{name: "ingest-max-gib", usage: "size of the ingest stream in GiB; a full stream answers 429", str: &c.IngestMaxGiB, def: "16"},
		{name: "engine", usage: "serve: run the live Four Cuts engine in this process (embedded) or not (off: `zhudun engine` workers run it; docs/live.md)", str: &c.Engine, def: "embedded"},
		{name: "jt808-addr", usage: "serve: also run the JT/T 808 gateway for vehicle terminals on this TCP address (HOST:PORT; off when empty; docs/jt808.md)", str: &c.JT808Addr},
		{name: "jt808-idle-timeout", usage: "JT/T 808: close a terminal's connection after this long without a byte (e.g. 180s, 5m)", str: &c.JT808IdleText, def: "180s"},
		{name: "jt808-max-conns", usage: "JT/T 808: terminal connections at once; past it a connection is closed at once", str: &c.JT808MaxConns, def: "20000"},
		{name: "jt808-max-conns-per-addr", usage: "JT/T 808: connections at once from one IP address (raise it for terminals behind one NAT)", str: &c.JT808MaxConnsPerAddr, def: "64"},
		{name: "stage", usage: "engine: single (one worker reads every partition), partition (a partition worker: shares the partitions with the others and passes the linked subset on), global (a candidate for the global stage on the linked subset, run by one worker at a time) or both (docs/live.md, \"Scale-out\")", str: &c.Stage, def: "single"},
		{name: "geocoder-crs", usage: "coordinate system of the address service's answers: wgs84 or gcj02", str: &c.GeocoderCRS, def: "wgs84"},
		{name: "tls-cert", usage: "TLS certificate file (serves HTTPS; cookies become Secure)", str: &c.TLSCert},
		{name: "tls-key", usage: "TLS key file", str: &c.TLSKey},
		{name: "metrics-addr", usage: "listen address for Prometheus /metrics (internal network only)", str: &c.MetricsAddr},
		{name: "keyring", usage: "keyring file (SM4/HMAC-SM3 keys); default DATA/keys/keyring.json", str: &c.Keyring},
		{name: "totp-roles", usage: "override: roles that must enrol a second factor, comma-separated, or none (default: the stored policy's, initially sysadmin,secadmin,auditadmin)", str: &c.TOTPRoles},
		{name: "lockout-threshold", usage: "override: wrong passwords in a row that lock an account (default: the stored policy's, initially 5)", str: &c.LockoutThreshold},
		{name: "lockout-minutes", usage: "override: minutes an account stays locked (default: the stored policy's, initially 15)", str: &c.LockoutMinutes},
		{name: "idle-minutes", usage: "override: minutes without a request that end a session (default: the stored policy's, initially 30)", str: &c.IdleMinutes},
		{name: "password-max-age-days", usage: "override: days after which a password must be changed (default: the stored policy's, initially 90)", str: &c.PasswordMaxAge},
		{name: "password-history", usage: "override: previous passwords a new one must differ from (default: the stored policy's, initially 5)", str: &c.PasswordHistory},
		{name: "dormant-days", usage: "override: days without a sign-in after which an account is disabled (default: the stored policy's, initially 90)", str: &c.DormantDays},
		{name: "audit-forward", usage: "forward audit rows as appended: syslog+tls://host:port, syslog+tcp://host:port or file:PATH", str: &c.AuditForward},
		{name: "audit-forward-ca", usage: "CA certificate file (PEM) the syslog+tls collector's certificate must chain to (default: the system's roots)", str: &c.AuditForwardCA},
		{name: "alert-webhook", usage: "URL that receives every security alert as a JSON POST", str: &c.AlertWebhook, secret: true},
		{name: "retain-sessions", usage: "keep ended sessions this long (e.g. 30d, 12h; 0 = for ever)", str: &c.RetainSessions, def: "30d"},
		{name: "retain-login-failures", usage: "keep sign-in failure counters (per address, per unknown name) this long once unlocked", str: &c.RetainLoginFailures, def: "7d"},
		{name: "retain-outbox", usage: "keep events already published to the bus this long", str: &c.RetainOutbox, def: "7d"},
		{name: "retain-caller-phones", usage: "keep the caller's phone of a closed incident this long after closing", str: &c.RetainCallerPhones, def: "180d"},
		{name: "retain-disabled-pii", usage: "keep the phone, ID number and TOTP secret of a disabled account this long", str: &c.RetainDisabledPII, def: "365d"},
		{name: "retain-positions", usage: "keep the units' fixes (unit_positions) this long, at least 2d (tracks and patrol coverage read the last day); the unit's last position stays", str: &c.RetainPositions, def: "90d"},
		{name: "review-two-person", usage: "two-person rule: a confirmation of more than this many entities at once needs a second analyst's approval (0 = off; docs/cutlists.md)", str: &c.ReviewTwoPerson, def: "0"},
		{name: "cut-deadline", usage: "how long after a confirmation a source has to report the cut before it is overdue and raised to the commanders (docs/cutlists.md)", str: &c.CutDeadlineText, def: "48h"},
		{name: "purge-every", usage: "how often serve applies the retention settings (0 = never)", str: &c.PurgeEvery, def: "1h"},
		{name: "audit-witness", usage: "audit head log (signed, append-only; keep it where the database's owner cannot rewrite it); default DATA/audit-witness.log; on a NATS cluster the heads go to the ZHUDUN_AUDIT_WITNESS stream", str: &c.Witness},
		{name: "log-level", usage: "debug, info, warn or error", str: &c.LogLevel, def: "info"},
		{name: "log-format", usage: "text or json", str: &c.LogFormat, def: "text"},
		{name: "config", usage: "JSON config file (keys are the flag names)", str: &c.ConfigFile},
	}
}

func envName(flagName string) string {
	return "ZHUDUN_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// bind registers the common settings on fs.
func (c *Config) bind(fs *flag.FlagSet) {
	for _, o := range c.options() {
		if o.envOnly {
			// Registered so that the flag is refused with the reason, not
			// as unknown: a command line is readable by every user of the
			// machine (/proc/PID/cmdline) and lands in shell histories.
			env := envName(o.name)
			fs.Func(o.name, o.usage+": never on the command line; env "+env+" or "+env+"_FILE", func(string) error {
				return fmt.Errorf("secrets never go on the command line: use %s or %s_FILE", env, env)
			})
			continue
		}
		if o.boolean != nil {
			fs.BoolVar(o.boolean, o.name, false, o.usage+" (env "+envName(o.name)+"=1)")
			continue
		}
		fs.StringVar(o.str, o.name, o.def, o.usage+" (env "+envName(o.name)+")")
	}
}

// resolve fills what no flag set from the environment, then the file.
func (c *Config) resolve(fs *flag.FlagSet) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	opts := c.options()
	// The config file's own location may come from the environment.
	if !set["config"] {
		if v, ok := os.LookupEnv(envName("config")); ok {
			c.ConfigFile = v
		}
	}
	file := map[string]any{}
	if c.ConfigFile != "" {
		b, err := os.ReadFile(c.ConfigFile)
		if err != nil {
			return fmt.Errorf("config file: %w", err)
		}
		if err := json.Unmarshal(b, &file); err != nil {
			return fmt.Errorf("config file %s: %w", c.ConfigFile, err)
		}
		known := map[string]bool{}
		for _, o := range opts {
			known[o.name] = true
		}
		for k := range file {
			if !known[k] {
				return fmt.Errorf("config file %s: unknown setting %q", c.ConfigFile, k)
			}
		}
	}
	for _, o := range opts {
		if set[o.name] || o.name == "config" {
			continue
		}
		env := envName(o.name)
		if o.boolean != nil {
			if err := resolveBool(o, env, file, c.ConfigFile); err != nil {
				return err
			}
			continue
		}
		if v, ok := os.LookupEnv(env); ok {
			*o.str = v
			continue
		}
		if o.secret || o.envOnly {
			if p, ok := os.LookupEnv(env + "_FILE"); ok {
				b, err := os.ReadFile(p)
				if err != nil {
					return fmt.Errorf("%s_FILE: %w", env, err)
				}
				*o.str = strings.TrimSpace(string(b))
				continue
			}
		}
		if v, ok := file[o.name]; ok {
			s, ok := v.(string)
			if !ok {
				return fmt.Errorf("config file %s: %q must be a string", c.ConfigFile, o.name)
			}
			*o.str = s
		}
	}
	// The keyring itself comes from the environment (ZHUDUN_KEYRING holding
	// the JSON rather than a path) or a file, never from a flag: a command
	// line is readable by every user of the machine (/proc/PID/cmdline) and
	// lands in shell histories.
	if strings.HasPrefix(strings.TrimSpace(c.Keyring), "{") {
		if set["keyring"] {
			return fmt.Errorf("--keyring takes a file name: keys never go on the command line (use ZHUDUN_KEYRING or ZHUDUN_KEYRING_FILE)")
		}
		c.KeyringJSON, c.Keyring = c.Keyring, ""
	}
	if p, ok := os.LookupEnv("ZHUDUN_KEYRING_FILE"); ok && !set["keyring"] && c.KeyringJSON == "" {
		c.Keyring = p
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if (c.NATSCert == "") != (c.NATSKey == "") {
		return fmt.Errorf("--nats-cert and --nats-key go together")
	}
	for _, r := range []struct {
		flag string
		in   string
		out  *time.Duration
	}{
		{"retain-sessions", c.RetainSessions, &c.Retention.Sessions},
		{"retain-login-failures", c.RetainLoginFailures, &c.Retention.LoginFailures},
		{"retain-outbox", c.RetainOutbox, &c.Retention.Outbox},
		{"retain-caller-phones", c.RetainCallerPhones, &c.Retention.CallerPhones},
		{"retain-disabled-pii", c.RetainDisabledPII, &c.Retention.DisabledUserPII},
		{"retain-positions", c.RetainPositions, &c.Retention.Positions},
		{"purge-every", c.PurgeEvery, &c.PurgeInterval},
		{"cut-deadline", c.CutDeadlineText, &c.CutDeadline},
		{"jt808-idle-timeout", c.JT808IdleText, &c.JT808Idle},
		{"s3-timeout", c.S3TimeoutT, &c.S3Timeout},
	} {
		d, err := parseDays(r.in)
		if err != nil {
			return fmt.Errorf("--%s: %v", r.flag, err)
		}
		*r.out = d
	}
	if p := c.Retention.Positions; p > 0 && p < sqlstore.MinPositionRetention {
		return fmt.Errorf("--retain-positions: at least 2d (tracks and patrol coverage read the last day), not %q", c.RetainPositions)
	}
	abs, err := filepath.Abs(c.Data)
	if err != nil {
		return err
	}
	c.Data = abs
	return nil
}

// resolveBool sets a boolean option from its environment variable ("1",
// "true", "0", "false", …) or the config file's JSON boolean.
func resolveBool(o option, env string, file map[string]any, path string) error {
	if v, ok := os.LookupEnv(env); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%s: want 1 or 0, true or false, not %q", env, v)
		}
		*o.boolean = b
		return nil
	}
	if v, ok := file[o.name]; ok {
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("config file %s: %q must be true or false", path, o.name)
		}
		*o.boolean = b
	}
	return nil
}

// policyOverrides turns the policy flags into overrides of the stored
// policy, each checked against the same limits the settings page enforces.
func (c *Config) policyOverrides() (zhudun.PolicyOverrides, error) {
	var o zhudun.PolicyOverrides
	ints := []struct {
		flag, field string
		v           string
		dst         **int
	}{
		{"lockout-threshold", "lockout_threshold", c.LockoutThreshold, &o.LockoutThreshold},
		{"lockout-minutes", "lockout_minutes", c.LockoutMinutes, &o.LockoutMinutes},
		{"idle-minutes", "idle_minutes", c.IdleMinutes, &o.IdleMinutes},
		{"password-max-age-days", "password_max_age_days", c.PasswordMaxAge, &o.PasswordMaxAgeDays},
		{"password-history", "password_history", c.PasswordHistory, &o.PasswordHistory},
		{"dormant-days", "dormant_days", c.DormantDays, &o.DormantDays},
	}
	for _, f := range ints {
		if strings.TrimSpace(f.v) == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(f.v))
		if err != nil {
			return o, fmt.Errorf("--%s: %q is not a whole number", f.flag, f.v)
		}
		*f.dst = &n
	}
	if v := strings.TrimSpace(c.TOTPRoles); v != "" {
		roles := []string{}
		if v != "none" {
			for _, r := range strings.Split(v, ",") {
				if r = strings.TrimSpace(r); r != "" {
					roles = append(roles, r)
				}
			}
		}
		o.TOTPRoles = &roles
	}
	p, _ := o.Apply(zhudun.DefaultPolicy())
	if err := p.Validate(); err != nil {
		var ze *zhudun.Error
		if errors.As(err, &ze) {
			for _, f := range ints {
				if f.field == ze.Field {
					return o, fmt.Errorf("--%s: %s", f.flag, ze.Message)
				}
			}
		}
		return o, err
	}
	return o, nil
}

// parseDays reads a retention period: "0" (for ever), a number of days
// ("30d"), or a Go duration ("12h", "90m").
func parseDays(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 || days > 36500 {
			return 0, fmt.Errorf("want a number of days such as 30d, not %q", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("want 30d, 12h or 0, not %q", s)
	}
	return d, nil
}

// openBlobs opens where case attachments' content lives: the attachments
// directory, or the S3 bucket (checked at once: a wrong endpoint, bucket or
// key stops the command here).
func (c *Config) openBlobs(ctx context.Context) (zhudun.BlobStore, error) {
	switch c.BlobStore {
	case "", "dir":
		if c.S3Endpoint != "" || c.S3Bucket != "" {
			return nil, fmt.Errorf("--s3-endpoint and --s3-bucket are set but --blob-store is %q: say --blob-store s3", c.BlobStore)
		}
		return blobfs.New(c.attachmentsDir())
	case "s3":
		if c.Attachments != "" {
			return nil, fmt.Errorf("--attachments is a directory and --blob-store is s3: set one of them")
		}
		return blobs3.New(ctx, blobs3.Config{Endpoint: c.S3Endpoint, Bucket: c.S3Bucket, Region: c.S3Region, Prefix: c.S3Prefix,
			AccessKey: c.S3AccessKey, SecretKey: c.S3SecretKey, CAFile: c.S3CA, Insecure: c.InsecureS3, Timeout: c.S3Timeout})
	}
	return nil, fmt.Errorf("--blob-store: want dir or s3, not %q", c.BlobStore)
}

// blobsWhere names where the attachments live, for messages.
func (c *Config) blobsWhere() string {
	if c.BlobStore == "s3" {
		return "s3 bucket " + c.S3Bucket + " at " + c.S3Endpoint
	}
	return c.attachmentsDir()
}

// attachmentsDir is where case attachments' blobs live.
func (c *Config) attachmentsDir() string {
	if c.Attachments != "" {
		return c.Attachments
	}
	return filepath.Join(c.Data, "attachments")
}
