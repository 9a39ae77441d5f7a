// Package forward copies what zhudun records to systems outside it, as it
// is recorded: audit rows to a log collector (RFC 5424 syslog over TLS or
// TCP, or a JSON-lines file a log shipper reads) and security alerts to a
// webhook. Each forwarder keeps a cursor in the database and moves it only
// after the copy is out, so a collector outage delays rows but loses none;
// it runs on its own goroutine and never holds up a request.
package forward

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Target kinds.
const (
	SyslogTLS = "syslog+tls"
	SyslogTCP = "syslog+tcp"
	File      = "file"
)

// Target is where audit rows go.
type Target struct {
	Kind string // SyslogTLS, SyslogTCP or File
	Addr string // host:port for syslog
	Path string // for File
}

// String is the target as written, the name of its cursor.
func (t Target) String() string {
	if t.Kind == File {
		return "file:" + t.Path
	}
	return t.Kind + "://" + t.Addr
}

// ParseTarget reads --audit-forward: syslog+tls://host:port,
// syslog+tcp://host:port or file:PATH. Errors say which part is wrong.
func ParseTarget(spec string) (Target, error) {
	spec = strings.TrimSpace(spec)
	if p, ok := strings.CutPrefix(spec, "file:"); ok {
		if p == "" || strings.ContainsRune(p, 0) {
			return Target{}, fmt.Errorf("audit forward %q: file: needs a path", spec)
		}
		return Target{Kind: File, Path: p}, nil
	}
	kind, rest, ok := strings.Cut(spec, "://")
	if !ok || (kind != SyslogTLS && kind != SyslogTCP) {
		return Target{}, fmt.Errorf("audit forward %q: want syslog+tls://host:port, syslog+tcp://host:port or file:PATH", spec)
	}
	host, port, err := net.SplitHostPort(rest)
	if err != nil || host == "" || strings.ContainsAny(host, "/?#@ ") {
		return Target{}, fmt.Errorf("audit forward %q: want host:port after %s://", spec, kind)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return Target{}, fmt.Errorf("audit forward %q: port %q is not 1–65535", spec, port)
	}
	return Target{Kind: kind, Addr: net.JoinHostPort(host, port)}, nil
}
