package natsbus

import (
	"net"
	"net/url"
	"strings"

	"github.com/nats-io/nats.go"

	"github.com/zhudun/zhudun"
)

// transport checks an external server's URLs against the TLS settings and
// returns the connection options for them. A plain connection to a host
// off the loopback interface is EINVALID unless cfg.Insecure.
func transport(cfg Config) ([]nats.Option, error) {
	if cfg.URL == "" {
		if cfg.CAFile != "" || cfg.CertFile != "" || cfg.KeyFile != "" || cfg.CredsFile != "" {
			return nil, zhudun.FieldError("nats", "TLS and credential files are for an external NATS server (--nats)")
		}
		return nil, nil
	}
	if (cfg.CertFile == "") != (cfg.KeyFile == "") {
		return nil, zhudun.FieldError("nats-cert", "--nats-cert and --nats-key go together")
	}
	var opts []nats.Option
	secure := cfg.CAFile != "" || cfg.CertFile != ""
	if cfg.CAFile != "" {
		opts = append(opts, nats.RootCAs(cfg.CAFile))
	}
	if cfg.CertFile != "" {
		opts = append(opts, nats.ClientCert(cfg.CertFile, cfg.KeyFile))
	}
	if cfg.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(cfg.CredsFile))
	}
	for _, raw := range strings.Split(cfg.URL, ",") {
		raw = strings.TrimSpace(raw)
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return nil, zhudun.FieldError("nats", "not a NATS URL: %q", redact(raw))
		}
		switch u.Scheme {
		case "tls":
			continue
		case "nats":
		default:
			return nil, zhudun.FieldError("nats", "NATS URL scheme must be nats:// or tls://, not %q", u.Scheme)
		}
		if secure || cfg.Insecure || loopback(u.Hostname()) {
			continue
		}
		return nil, zhudun.FieldError("nats", "plain nats:// to %s crosses the network in clear: "+
			"give --nats-ca (and --nats-cert/--nats-key), use tls://, or accept the risk with --insecure-bus", u.Host)
	}
	return opts, nil
}

// loopback reports whether host is this machine by its name or address.
// Other names are not resolved: a name may resolve differently later.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// redact hides a URL's user information (a token or password).
func redact(u string) string {
	if i := strings.LastIndex(u, "@"); i >= 0 {
		if j := strings.Index(u, "://"); j >= 0 && j < i {
			return u[:j+3] + "…" + u[i:]
		}
	}
	return u
}
