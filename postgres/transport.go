package postgres

import (
	"crypto/tls"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/zhudun/zhudun"
)

// CheckTransport refuses a DSN that would send queries, personal data and
// the password in clear, or to a server whose certificate is not checked,
// to a host off the loopback interface: every such host needs
// sslmode=verify-full or verify-ca. pgx's default, prefer, falls back to
// plaintext and accepts any certificate, so the default is refused too.
// Unix sockets and loopback addresses are always allowed, and insecure
// allows anything. The DSN is read as pgx reads it, PG* environment
// variables (PGSSLMODE, PGHOST) included. Errors are EINVALID and never
// repeat the DSN, which may hold a password.
func CheckTransport(dsn string, insecure bool) error {
	if insecure {
		return nil
	}
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return zhudun.FieldError("db", "PostgreSQL DSN does not parse")
	}
	// The first host is the config itself; further hosts and the plaintext
	// retry of prefer/allow are fallbacks.
	tries := []*pgconn.FallbackConfig{{Host: cfg.Host, Port: cfg.Port, TLSConfig: cfg.TLSConfig}}
	tries = append(tries, cfg.Fallbacks...)
	for _, f := range tries {
		if local(f.Host) || verified(f.TLSConfig) {
			continue
		}
		return zhudun.FieldError("db", "PostgreSQL at %s without a verified TLS connection: add sslmode=verify-full "+
			"(or verify-ca) and sslrootcert=CA-FILE to the DSN, or accept the risk with --insecure-db", f.Host)
	}
	return nil
}

// verified reports whether c is TLS with the server's certificate checked:
// by the standard verification (verify-full), or by pgx's own chain check
// that skips the host name (verify-ca).
func verified(c *tls.Config) bool {
	return c != nil && (!c.InsecureSkipVerify || c.VerifyPeerCertificate != nil)
}

// local reports whether host is a Unix socket directory or a loopback
// name or address. Other names are not resolved.
func local(host string) bool {
	if strings.HasPrefix(host, "/") || strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
