package cli_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/cli"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
	"github.com/zhudun/zhudun/web"
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
	if os.Getuid() != 0 {
		return
	}
	// The other way round: nobody claiming to be root (USER=root) on a data
	// directory of its own is audited as nobody.
	base, err := os.MkdirTemp("", "zhudun-actor-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	os.Chmod(base, 0o755)
	nd := filepath.Join(base, "data")
	if code, _, errs := run(t, "", "migrate", "--data", nd); code != 0 {
		t.Fatal(errs)
	}
	filepath.Walk(base, func(p string, _ os.FileInfo, _ error) error { return os.Lchown(p, 65534, 65534) })
	bin := filepath.Join(base, "zhudun.test")
	src, _ := os.Open(os.Args[0])
	dst, _ := os.OpenFile(bin, os.O_WRONLY|os.O_CREATE, 0o755)
	io.Copy(dst, src)
	src.Close()
	dst.Close()
	cmd := exec.Command(bin, "dept", "add", "--data", nd, "--code", "SB8", "--name", "八分局", "--kind", "subbureau")
	cmd.Env = append(os.Environ(), "ZHUDUN_TEST_MAIN=1", "USER=root", "LOGNAME=root", "SUDO_USER=root")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dept add as nobody: %v\n%s", err, out)
	}
	ndb, err := sql.Open("sqlite", filepath.Join(nd, "zhudun.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ndb.Close()
	if err := ndb.QueryRow(`SELECT username FROM audit_log WHERE action = 'dept.create' ORDER BY seq DESC LIMIT 1`).Scan(&actor); err != nil {
		t.Fatal(err)
	}
	if actor != "cli:nobody" {
		t.Errorf("nobody with USER=root audited as %q, want cli:nobody", actor)
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

// A retired pii key: refused while a value is sealed under it, allowed
// once 'zhudun purge' has re-sealed everything, and the data still opens.
func TestKeysRetire(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := run(t, "", "migrate", "--data", dir); code != 0 {
		t.Fatal(errs)
	}
	ringPath := filepath.Join(dir, "keys", "keyring.json")
	kr, err := gmcrypto.Load(ringPath)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "zhudun.db"), sqlstore.Options{Keys: kr})
	if err != nil {
		t.Fatal(err)
	}
	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
	u, err := st.CreateUser(sys, zhudun.NewUser{Username: "alice", Password: "S3cure!pass", Own: true, Roles: []string{"officer"}, Phone: "13912345678"})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	// The operator adds pii key v2 to the file without re-sealing.
	if _, err := kr.Rotate(gmcrypto.PurposePII); err != nil {
		t.Fatal(err)
	}
	if err := kr.Save(ringPath); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--purpose", "pii", "--id", "1"}, "1 values are still sealed under pii key v1"},
		{[]string{"--purpose", "pii", "--id", "2"}, "active key"},
		{[]string{"--purpose", "audit", "--id", "1"}, "must verify"},
		{[]string{"--purpose", "index", "--id", "1"}, "do not record their key"},
		{[]string{"--purpose", "backup", "--id", "1"}, "--force"},
	} {
		if code, _, errs := run(t, "", append([]string{"keys", "retire", "--data", dir}, c.args...)...); code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("retire %v: %d %s, want %q", c.args, code, errs, c.want)
		}
	}
	if code, out, errs := run(t, "", "purge", "--data", dir); code != 0 || !strings.Contains(out, "re-sealed 1 rows") {
		t.Fatalf("purge: %d %s %s", code, out, errs)
	}
	if code, out, errs := run(t, "", "keys", "retire", "--data", dir, "--purpose", "pii", "--id", "1"); code != 0 || !strings.Contains(out, "pii key v1 removed") {
		t.Fatalf("retire v1 after purge: %d %s %s", code, out, errs)
	}
	kr2, err := gmcrypto.Load(ringPath)
	if err != nil || fmt.Sprint(kr2.KeyIDs(gmcrypto.PurposePII)) != "[2]" {
		t.Fatalf("keyring after retire: %v %v", kr2.KeyIDs(gmcrypto.PurposePII), err)
	}
	st, err = sqlite.Open(context.Background(), filepath.Join(dir, "zhudun.db"), sqlstore.Options{Keys: kr2})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var enc string
	if err := st.DB().QueryRow(`SELECT phone_enc FROM users WHERE id = ?`, u.ID).Scan(&enc); err != nil {
		t.Fatal(err)
	}
	if p, err := kr2.Open(enc, []byte(fmt.Sprintf("users/%d/phone", u.ID))); err != nil || string(p) != "13912345678" || !strings.HasPrefix(enc, "sm4gcm:v2:") {
		t.Fatalf("alice's phone after retiring v1: %q %v", p, err)
	}
	if n, _, _ := st.FindAudit(sys, zhudun.AuditFilter{Action: "keys.retire"}); len(n) != 1 {
		t.Errorf("%d keys.retire audit rows, want 1", len(n))
	}
}

func TestVerifyInstall(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := run(t, "", "migrate", "--data", dir); code != 0 {
		t.Fatal(errs)
	}
	line := func(out, name string) string {
		for _, l := range strings.Split(out, "\n") {
			if f := strings.Fields(l); len(f) > 1 && f[0] == name {
				return l
			}
		}
		return ""
	}
	// A development build with the keyring in the data directory: warnings
	// only.
	code, out, _ := run(t, "", "verify-install", "--data", dir)
	if code != 0 || !strings.HasPrefix(strings.Fields(line(out, "keyring"))[1], "warn") || !strings.Contains(line(out, "keyring"), "inside the data directory") ||
		strings.Fields(line(out, "binary"))[1] != "warn" || strings.Fields(line(out, "ui"))[1] != "warn" {
		t.Fatalf("development build: %d\n%s", code, out)
	}
	// The binary against sums: right, then wrong.
	exe, _ := os.Executable()
	exe, _ = filepath.EvalSymlinks(exe)
	b, _ := os.ReadFile(exe)
	sum := sha256.Sum256(b)
	sums := filepath.Join(t.TempDir(), "SHA256SUMS")
	os.WriteFile(sums, []byte(hex.EncodeToString(sum[:])+"  "+filepath.Base(exe)+"\n"), 0o644)
	if code, out, _ := run(t, "", "verify-install", "--data", dir, "--sums", sums); code != 0 || !strings.Contains(line(out, "binary"), " ok ") {
		t.Errorf("matching sums: %d\n%s", code, out)
	}
	sum[0] ^= 1
	os.WriteFile(sums, []byte(hex.EncodeToString(sum[:])+"  "+filepath.Base(exe)+"\n"), 0o644)
	if code, out, _ := run(t, "", "verify-install", "--data", dir, "--sums", sums); code != 1 || !strings.Contains(line(out, "binary"), "fail") {
		t.Errorf("altered binary: %d\n%s", code, out)
	}
	// The embedded UI against the release digest.
	digest, err := web.Digest(web.FS())
	if err != nil {
		t.Fatal(err)
	}
	defer func(old string) { cli.UIDigest = old }(cli.UIDigest)
	cli.UIDigest = digest
	if _, out, _ := run(t, "", "verify-install", "--data", dir); !strings.Contains(line(out, "ui"), " ok ") {
		t.Errorf("release UI digest: %s", out)
	}
	cli.UIDigest = strings.Repeat("0", 64)
	if code, out, _ := run(t, "", "verify-install", "--data", dir); code != 1 || !strings.Contains(line(out, "ui"), "fail") {
		t.Errorf("UI not the release's: %d %s", code, out)
	}
	cli.UIDigest = digest
	// A keyring others can read fails.
	os.Chmod(filepath.Join(dir, "keys", "keyring.json"), 0o644)
	if code, out, _ := run(t, "", "verify-install", "--data", dir); code != 1 || !strings.Contains(line(out, "keyring"), "chmod 600") {
		t.Errorf("keyring 0644: %d\n%s", code, out)
	}
}

// The username is never inside a password set through the installer's CLI,
// at creation or reset, in any case (身份鉴别 a).
func TestCLIPasswordWithoutUsername(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := run(t, "x9!ZhangWei\n", "user", "add", "--data", dir, "--username", "zhangwei", "--role", "sysadmin", "--password-stdin"); code == 0 || !strings.Contains(errs, "username") {
		t.Errorf("user add with the username inside the password: %d %s", code, errs)
	}
	if code, _, errs := run(t, "S3cure!pass\n", "user", "add", "--data", dir, "--username", "zhangwei", "--role", "sysadmin", "--password-stdin"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run(t, "New!ZHANGWEI1\n", "user", "passwd", "--data", dir, "--username", "zhangwei", "--password-stdin"); code == 0 || !strings.Contains(errs, "username") {
		t.Errorf("user passwd with the username inside the password: %d %s", code, errs)
	}
}
