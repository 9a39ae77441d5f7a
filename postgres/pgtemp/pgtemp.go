// Package pgtemp starts a throwaway PostgreSQL for tests that stop and
// start their database (fault tests, docs/live.md): initdb in a temporary
// directory, a free port on 127.0.0.1, pg_ctl to stop and start it. It
// never touches the machine's shared server. As root, the server runs as
// user postgres (PostgreSQL refuses to run as root).
package pgtemp

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
)

// Bin is where the PostgreSQL binaries are looked for first (Debian's
// layout); PATH otherwise.
var Bin = "/usr/lib/postgresql/15/bin"

// Server is one throwaway PostgreSQL.
type Server struct {
	t    testing.TB
	dir  string
	port int
	Addr string // 127.0.0.1:PORT
	URL  string // postgres://postgres@Addr/postgres?sslmode=disable
}

// Start initialises and starts a server, stopped and removed when the
// test ends. It fails the test (never skips) when PostgreSQL is missing.
func Start(t testing.TB) *Server {
	t.Helper()
	dir, err := os.MkdirTemp("", "pgtemp")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, dir: dir}
	t.Cleanup(func() {
		s.pgctl("stop", "-m", "immediate")
		os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("pgtemp: running as root needs a postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := s.cmd("initdb", "-D", s.data(), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8").CombinedOutput(); err != nil {
		t.Fatalf("pgtemp: initdb: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	s.Addr = fmt.Sprintf("127.0.0.1:%d", s.port)
	s.URL = "postgres://postgres@" + s.Addr + "/postgres?sslmode=disable"
	s.Resume()
	return s
}

func (s *Server) data() string { return filepath.Join(s.dir, "data") }

// Stop stops the server (fast shutdown: sessions are cut, as when the
// database goes away under a running platform).
func (s *Server) Stop() {
	s.t.Helper()
	if out, err := s.pgctl("stop", "-m", "fast"); err != nil {
		s.t.Fatalf("pgtemp: stop: %v\n%s", err, out)
	}
}

// Resume starts the server again on the same port and data.
func (s *Server) Resume() {
	s.t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100", s.port, s.dir)
	if out, err := s.pgctl("start", "-w", "-t", "60", "-l", filepath.Join(s.dir, "log"), "-o", opts); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		s.t.Fatalf("pgtemp: start: %v\n%s\n%s", err, out, log)
	}
}

func (s *Server) pgctl(args ...string) ([]byte, error) {
	return s.cmd("pg_ctl", append([]string{"-D", s.data()}, args...)...).CombinedOutput()
}

// cmd runs a PostgreSQL binary, as user postgres when we are root.
func (s *Server) cmd(name string, args ...string) *exec.Cmd {
	path := filepath.Join(Bin, name)
	if _, err := os.Stat(path); err != nil {
		path = name
	}
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}
