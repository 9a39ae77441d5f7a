package cli_test

import (
	"database/sql"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zhudun/zhudun/gmcrypto"
)

// A DSN to a remote host without certificate verification is refused before
// any connection is tried; loopback, verify-full and --insecure-db pass the
// check (and then fail to connect to the documentation address).
func TestDBTransportRefused(t *testing.T) {
	dir := t.TempDir()
	for _, dsn := range []string{
		"postgres://zhudun@192.0.2.10:5432/zhudun",
		"postgres://zhudun@192.0.2.10:5432/zhudun?sslmode=prefer",
		"postgres://zhudun@192.0.2.10:5432/zhudun?sslmode=require",
		"postgres://zhudun:s3cret@127.0.0.1:5432,192.0.2.10:5432/zhudun?sslmode=disable",
	} {
		start := time.Now()
		code, _, errs := run(t, "", "migrate", "--data", dir, "--db", dsn)
		if code == 0 || !strings.Contains(errs, "verify-full") || !strings.Contains(errs, "--insecure-db") || strings.Contains(errs, "s3cret") {
			t.Errorf("%s: %d %s", dsn, code, errs)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: refusal took %v: it tried to connect", dsn, d)
		}
	}
	for _, args := range [][]string{
		{"--db", "postgres://zhudun@192.0.2.10:5432/zhudun?sslmode=verify-full&connect_timeout=1"},
		{"--db", "postgres://zhudun@192.0.2.10:5432/zhudun?connect_timeout=1", "--insecure-db"},
	} {
		code, _, errs := run(t, "", append([]string{"migrate", "--data", dir}, args...)...)
		if code == 0 || strings.Contains(errs, "--insecure-db") {
			t.Errorf("%v: %d %s — want a connection failure, not the refusal", args, code, errs)
		}
	}
	t.Setenv("ZHUDUN_INSECURE_DB", "1")
	if code, _, errs := run(t, "", "migrate", "--data", dir, "--db", "postgres://zhudun@192.0.2.10:5432/zhudun?connect_timeout=1"); code == 0 || strings.Contains(errs, "--insecure-db") {
		t.Errorf("ZHUDUN_INSECURE_DB=1: %d %s", code, errs)
	}
}

// serve refuses plain nats:// to a remote server before dialling.
func TestBusTransportRefused(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	code, _, errs := run(t, "", "serve", "--data", dir, "--addr", "127.0.0.1:0", "--nats", "nats://192.0.2.10:4222")
	if code == 0 || !strings.Contains(errs, "--insecure-bus") {
		t.Fatalf("plain remote NATS: %d %s", code, errs)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("refusal took %v", d)
	}
	if code, _, errs := run(t, "", "serve", "--data", dir, "--nats-cert", "c.pem", "--nats", "tls://192.0.2.10:4222"); code == 0 || !strings.Contains(errs, "go together") {
		t.Errorf("cert without key: %d %s", code, errs)
	}
}

// Keys never on the command line: --keyring-json is gone, and --keyring
// with JSON in it is refused; ZHUDUN_KEYRING in the environment works.
func TestKeyringNotOnCommandLine(t *testing.T) {
	dir := t.TempDir()
	ring := string(gmcrypto.Generate().Marshal())
	if code, _, errs := run(t, "", "migrate", "--data", dir, "--keyring-json", ring); code == 0 || !strings.Contains(errs, "not defined") {
		t.Errorf("--keyring-json: %d %s", code, errs)
	}
	if code, _, errs := run(t, "", "migrate", "--data", dir, "--keyring", ring); code == 0 || !strings.Contains(errs, "never go on the command line") {
		t.Errorf("--keyring with JSON: %d %s", code, errs)
	}
	t.Setenv("ZHUDUN_KEYRING", ring)
	if code, _, errs := run(t, "", "migrate", "--data", dir); code != 0 || exists(filepath.Join(dir, "keys", "keyring.json")) {
		t.Errorf("ZHUDUN_KEYRING: %d %s (keyring file written: %v)", code, errs, exists(filepath.Join(dir, "keys", "keyring.json")))
	}
}

// The CLI's audit actor is the real uid's login name, whatever $USER says.
func TestCLIActorIsRealUser(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("USER", "mallory")
	if code, _, errs := run(t, "", "dept", "add", "--data", dir, "--code", "SB9", "--name", "九分局", "--kind", "subbureau"); code != 0 {
		t.Fatal(errs)
	}
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "zhudun.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var actor string
	if err := db.QueryRow(`SELECT username FROM audit_log WHERE action = 'dept.create' ORDER BY seq DESC LIMIT 1`).Scan(&actor); err != nil {
		t.Fatal(err)
	}
	if actor != "cli:"+me.Username {
		t.Errorf("audit actor %q, want %q", actor, "cli:"+me.Username)
	}
}

// Archiving and key commands refuse a user who cannot read the keyring.
// Run as root, the test runs the real binary as nobody (uid 65534) on a
// data directory whose keyring is root's 0600 file.
func TestKeyCommandsNeedKeyringReader(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to run a child as another uid") // the machine's CI runs as root
	}
	// t.TempDir's parent is private to root; this one nobody may enter.
	base, err := os.MkdirTemp("", "zhudun-uid-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	os.Chmod(base, 0o755)
	dir := filepath.Join(base, "data")
	if code, _, errs := run(t, "", "migrate", "--data", dir); code != 0 {
		t.Fatal(errs)
	}
	os.Chmod(dir, 0o755)
	os.Chmod(filepath.Join(dir, "zhudun.db"), 0o666)
	// The test binary, where nobody can execute it.
	bin := filepath.Join(base, "zhudun.test")
	src, _ := os.Open(os.Args[0])
	dst, _ := os.OpenFile(bin, os.O_WRONLY|os.O_CREATE, 0o755)
	io.Copy(dst, src)
	src.Close()
	dst.Close()
	for _, args := range [][]string{
		{"keys", "rotate", "--data", dir},
		{"audit", "archive", "--data", dir, "--before", "2020-01-01", "--out", filepath.Join(base, "a.jsonl")},
		{"backup", "--data", dir, "--out", filepath.Join(base, "b.zbk")},
		{"restore", "--data", filepath.Join(base, "new"), "--from", filepath.Join(base, "b.zbk"), "--keyring", filepath.Join(dir, "keys", "keyring.json")},
	} {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "ZHUDUN_TEST_MAIN=1", "USER=root")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "cannot read") || !strings.Contains(string(out), "run it as the service account") {
			t.Errorf("%v as nobody: %v\n%s", args[:2], err, out)
		}
		if !strings.Contains(string(out), "cli:nobody") && !strings.Contains(string(out), "cli:uid=65534") {
			t.Errorf("%v: the refusal does not name the real user:\n%s", args[:2], out)
		}
	}
}
