package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Config is the one typed configuration of a zhudun process, built here from
// defaults, an optional JSON file, ZHUDUN_* environment variables and flags
// (later wins), and passed down. Secrets may also come from NAME_FILE.
type Config struct {
	Data        string // data directory: zhudun.db, nats/, keys/
	DB          string // "" = SQLite in Data; postgres://… for PostgreSQL
	NATS        string // "" = embedded JetStream in Data; nats://… for a cluster
	Addr        string
	TLSCert     string
	TLSKey      string
	MetricsAddr string // Prometheus /metrics on its own (internal) address; "" = off
	Keyring     string // keyring file; default Data/keys/keyring.json
	KeyringJSON string // the keyring itself (secret; ZHUDUN_KEYRING or ZHUDUN_KEYRING_FILE)
	TOTPRoles   string // comma-separated roles that must use a second factor
	LogLevel    string
	LogFormat   string // text or json
	Demo        bool
	DemoSeed    int64
	DemoPatrol  bool // with Demo: simulate the units' terminals
	ConfigFile  string
}

type option struct {
	name, usage string
	secret      bool
	str         *string
	def         string
}

// options lists every setting once: flag name, env name (ZHUDUN_ + upper
// snake case) and JSON file key all derive from it.
func (c *Config) options() []option {
	return []option{
		{name: "data", usage: "data directory", str: &c.Data, def: "./zhudun-data"},
		{name: "db", usage: "database: empty for SQLite in the data directory, or postgres://…", str: &c.DB, secret: true},
		{name: "nats", usage: "NATS: empty for the embedded server, or nats://host:4222[,nats://…]", str: &c.NATS, secret: true},
		{name: "addr", usage: "listen address", str: &c.Addr, def: "127.0.0.1:8080"},
		{name: "tls-cert", usage: "TLS certificate file (serves HTTPS; cookies become Secure)", str: &c.TLSCert},
		{name: "tls-key", usage: "TLS key file", str: &c.TLSKey},
		{name: "metrics-addr", usage: "listen address for Prometheus /metrics (internal network only)", str: &c.MetricsAddr},
		{name: "keyring", usage: "keyring file (SM4/HMAC-SM3 keys); default DATA/keys/keyring.json", str: &c.Keyring},
		{name: "keyring-json", usage: "the keyring itself (prefer ZHUDUN_KEYRING_FILE)", str: &c.KeyringJSON, secret: true},
		{name: "totp-roles", usage: "roles that must enrol a second factor, e.g. sysadmin,secadmin,auditadmin", str: &c.TOTPRoles},
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
		if v, ok := os.LookupEnv(env); ok {
			*o.str = v
			continue
		}
		if o.secret || o.name == "keyring-json" {
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
	// ZHUDUN_KEYRING is the usual name for the inline keyring secret.
	if c.KeyringJSON == "" && !set["keyring-json"] {
		if v, ok := os.LookupEnv("ZHUDUN_KEYRING"); ok {
			c.KeyringJSON = v
		} else if p, ok := os.LookupEnv("ZHUDUN_KEYRING_FILE"); ok {
			c.Keyring = p
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	abs, err := filepath.Abs(c.Data)
	if err != nil {
		return err
	}
	c.Data = abs
	return nil
}
