package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zhudun/zhudun/internal/syncbuf"

	"github.com/zhudun/zhudun/cli"
	"github.com/zhudun/zhudun/totp"
	_ "modernc.org/sqlite"
)

// TestMain lets a test re-run this binary as the real zhudun command in a
// child process (to kill it hard).
func TestMain(m *testing.M) {
	if os.Getenv("ZHUDUN_TEST_MAIN") == "1" {
		// As cmd/zhudun does: SIGINT and SIGTERM end the context.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// run runs one zhudun command in-process.
func run(t testing.TB, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

type server struct {
	url    string
	stop   func() int
	stdout *syncbuf.Buffer
}

// serve starts `zhudun serve` in-process on a free port.
func serve(t testing.TB, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncbuf.Buffer{}
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--log-level", "warn"}, args...), strings.NewReader(""), out, io.Discard)
	}()
	s := &server{stdout: out}
	checkFor(t, 60*time.Second, "server to listen", func() bool {
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, out.String())
		default:
		}
		for _, l := range strings.Split(out.String(), "\n") {
			if strings.HasPrefix(l, "listening on ") {
				s.url = strings.TrimPrefix(l, "listening on ")
				return true
			}
		}
		return false
	})
	stopped := false
	s.stop = func() int {
		if stopped {
			return 0
		}
		stopped = true
		cancel()
		select {
		case c := <-done:
			return c
		case <-time.After(40 * time.Second):
			t.Fatal("server did not stop")
			return -1
		}
	}
	t.Cleanup(func() { s.stop() })
	return s
}

func checkFor(t testing.TB, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func post(t *testing.T, url, token, body string) (int, string) {
	t.Helper()
	return call(t, "POST", url, token, strings.NewReader(body))
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	return call(t, "GET", url, token, nil)
}

func call(t *testing.T, method, url, token string, body io.Reader) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// login signs user in. Administrators need a second factor by default: at
// the first sign-in login enrols one, as the user would with an app, and
// later it answers with the next unused code.
func login(t *testing.T, base, user, pass string) string {
	t.Helper()
	code, body := post(t, base+"/api/v1/auth/login", "", fmt.Sprintf(`{"username":%q,"password":%q}`, user, pass))
	if code == 401 && strings.Contains(body, "EOTPREQUIRED") {
		a, ok := authenticators[user]
		if !ok {
			t.Fatalf("login %s: a code is asked for but no authenticator was enrolled", user)
		}
		step := max(a.last+1, totp.Counter(time.Now()))
		for step > totp.Counter(time.Now())+1 {
			time.Sleep(time.Second) // a user would wait for the app's next code too
		}
		otp, _ := totp.Code(a.secret, step)
		a.last = step
		code, body = post(t, base+"/api/v1/auth/login", "", fmt.Sprintf(`{"username":%q,"password":%q,"otp":%q}`, user, pass, otp))
	}
	if code != 200 {
		t.Fatalf("login %s: %d %s", user, code, body)
	}
	var b struct {
		Token          string
		MustEnrollTOTP bool `json:"must_enroll_totp"`
	}
	json.Unmarshal([]byte(body), &b)
	if b.MustEnrollTOTP {
		code, body := post(t, base+"/api/v1/me/totp", b.Token, "")
		var en struct{ Secret string }
		if json.Unmarshal([]byte(body), &en); code != 200 || en.Secret == "" {
			t.Fatalf("TOTP enrolment of %s: %d %s", user, code, body)
		}
		step := totp.Counter(time.Now())
		otp, _ := totp.Code(en.Secret, step)
		if code, body := post(t, base+"/api/v1/me/totp/confirm", b.Token, fmt.Sprintf(`{"code":%q}`, otp)); code != 204 {
			t.Fatalf("TOTP confirmation of %s: %d %s", user, code, body)
		}
		authenticators[user] = &authenticator{secret: en.Secret, last: step}
	}
	return b.Token
}

// authenticator is a test's authenticator app for one account.
type authenticator struct {
	secret string
	last   int64 // the last step used: a code is good once
}

// authenticators are enrolled by login, per username (tests run one at a
// time, and each test's first sign-in enrols afresh).
var authenticators = map[string]*authenticator{}

// TestServeAndCLI follows the check: a server on an empty data
// directory, the installer adding users and departments while it runs, the
// changes reaching browsers, and the lockout.
func TestServeAndCLI(t *testing.T) {
	dir := t.TempDir()
	s := serve(t, "--data", dir)
	if code, _ := get(t, s.url+"/healthz", ""); code != 200 {
		t.Fatalf("healthz %d", code)
	}
	if info, err := os.Stat(filepath.Join(dir, "keys", "keyring.json")); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("generated keyring: %v %v", info, err)
	}
	code, out, errs := run(t, "S3cure!pass\n", "user", "add", "--data", dir, "--username", "alice", "--role", "sysadmin", "--password-stdin")
	if code != 0 || !strings.Contains(out, "user alice added") {
		t.Fatalf("user add while serving: %d %s %s", code, out, errs)
	}
	tok := login(t, s.url, "alice", "S3cure!pass")
	if code, _ := get(t, s.url+"/api/v1/me", ""); code != 401 {
		t.Fatalf("me without token: %d", code)
	}
	if code, body := get(t, s.url+"/api/v1/me", tok); code != 200 || !strings.Contains(body, `"username":"alice"`) || !strings.Contains(body, `"must_change_password":false`) {
		t.Fatalf("me: %d %s", code, body)
	}
	// A department added by the CLI reaches alice's event stream.
	lines := stream(t, s.url, tok)
	if code, out, errs := run(t, "", "dept", "add", "--data", dir, "--code", "SB1", "--name", "历下分局", "--kind", "subbureau"); code != 0 {
		t.Fatalf("dept add: %d %s %s", code, out, errs)
	}
	waitLine(t, lines, `"code":"SB1"`)
	// A second server on the same data directory refuses to start.
	if code, _, errs := run(t, "", "serve", "--data", dir, "--addr", "127.0.0.1:0"); code == 0 || !strings.Contains(errs, "another zhudun server is running") {
		t.Fatalf("second server: %d %s", code, errs)
	}
	// Five wrong passwords lock; the sixth and the right one get 423.
	for i := 1; i <= 6; i++ {
		post(t, s.url+"/api/v1/auth/login", "", `{"username":"alice","password":"Wrong!pass1"}`)
	}
	if code, body := post(t, s.url+"/api/v1/auth/login", "", `{"username":"alice","password":"S3cure!pass"}`); code != 423 {
		t.Fatalf("right password after six wrong: %d %s", code, body)
	}
	if c := s.stop(); c != 0 {
		t.Fatalf("serve exit %d", c)
	}
	// Untouched, the audit log verifies.
	if code, out, _ := run(t, "", "audit", "verify", "--data", dir); code != 0 || !strings.Contains(out, "audit log OK") {
		t.Fatalf("verify: %d %s", code, out)
	}
}

func TestNoDemoCreatesOnlySchema(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, "", "migrate", "--data", dir)
	if code != 0 || !strings.Contains(out, "schema version 43") {
		t.Fatalf("migrate: %d %s %s", code, out, errs)
	}
	_, out, _ = run(t, "", "dept", "list", "--data", dir)
	if strings.Count(strings.TrimSpace(out), "\n") != 1 || !strings.Contains(out, "ROOT") {
		t.Fatalf("depts of a fresh directory:\n%s", out)
	}
	_, out, _ = run(t, "", "user", "list", "--data", dir)
	if strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Fatalf("users of a fresh directory:\n%s", out)
	}
	if code, _, errs := run(t, "weak\n", "user", "add", "--data", dir, "--username", "bob", "--password-stdin"); code == 0 || !strings.Contains(errs, "at least 8") {
		t.Fatalf("weak password accepted: %d %s", code, errs)
	}
}

// TestDemo: the demo city prints every account once, and each must change
// its password at first login.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	s := serve(t, "--data", dir, "--demo")
	out := s.stdout.String()
	// The passwords are in a 0600 file in the data directory, not on
	// standard output.
	pwPath := filepath.Join(dir, "demo-passwords.txt")
	fi, err := os.Stat(pwPath)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("demo password file: %v %v", fi, err)
	}
	if !strings.Contains(out, pwPath) {
		t.Errorf("standard output does not say where the passwords are:\n%s", out)
	}
	text, _ := os.ReadFile(pwPath)
	accounts := map[string]string{}
	roles := map[string]bool{}
	for _, l := range strings.Split(string(text), "\n") {
		if f := strings.Fields(l); len(f) == 4 && !strings.HasPrefix(l, "#") {
			accounts[f[0]] = f[1]
			for _, r := range strings.Split(f[2], ",") {
				roles[r] = true
			}
			if strings.Contains(out, f[1]) {
				t.Errorf("the password of %s is on standard output", f[0])
			}
		}
	}
	for _, r := range []string{"sysadmin", "secadmin", "auditadmin", "officer", "dispatcher", "commander", "analyst"} {
		if !roles[r] {
			t.Errorf("no demo account with role %s", r)
		}
	}
	if accounts["lixia.sysadmin"] == "" || accounts["sysadmin"] == "" {
		t.Fatalf("demo accounts: %v", accounts)
	}
	code, body := post(t, s.url+"/api/v1/auth/login", "", fmt.Sprintf(`{"username":"lixia.sysadmin","password":%q}`, accounts["lixia.sysadmin"]))
	// The demo's administrators change the initial password and enrol a
	// second factor at their first sign-in.
	if code != 200 || !strings.Contains(body, `"must_change_password":true`) || !strings.Contains(body, `"must_enroll_totp":true`) {
		t.Fatalf("demo login: %d %s", code, body)
	}
	s.stop()
	// Started again with --demo: nothing is loaded or printed twice.
	s2 := serve(t, "--data", dir, "--demo")
	if text2, _ := os.ReadFile(pwPath); !bytes.Equal(text, text2) || !strings.Contains(s2.stdout.String(), "already loaded") {
		t.Fatalf("second start printed:\n%s", s2.stdout.String())
	}
}

// TestKillRestartBackupRestore kills a real server process hard, restarts
// it (nothing lost), backs the database up while it runs, restores the
// backup into a new directory and verifies it there.
func TestKillRestartBackupRestore(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := run(t, "S3cure!pass\n", "user", "add", "--data", dir, "--username", "alice", "--role", "sysadmin", "--password-stdin"); code != 0 {
		t.Fatal(errs)
	}
	start := func(dir string) (*exec.Cmd, string) {
		cmd := exec.Command(os.Args[0], "serve", "--data", dir, "--addr", "127.0.0.1:0", "--log-level", "warn")
		cmd.Env = append(os.Environ(), "ZHUDUN_TEST_MAIN=1")
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if l := sc.Text(); strings.HasPrefix(l, "listening on ") {
				go io.Copy(io.Discard, stdout)
				return cmd, strings.TrimPrefix(l, "listening on ")
			}
		}
		t.Fatal("child server did not start")
		return nil, ""
	}
	cmd, url := start(dir)
	tok := login(t, url, "alice", "S3cure!pass")
	for i := 0; i < 5; i++ {
		if code, body := post(t, url+"/api/v1/depts", tok, fmt.Sprintf(`{"code":"D%d","name":"部门%d"}`, i, i)); code != 201 {
			t.Fatalf("create dept: %d %s", code, body)
		}
	}
	backupDir, keysDir := t.TempDir(), t.TempDir()
	backup := filepath.Join(backupDir, "zhudun-backup.zbk")
	keys := filepath.Join(keysDir, "keyring.json")
	if code, _, errs := run(t, "", "backup", "--data", dir, "--out", backup, "--keys-out", filepath.Join(backupDir, "k.json")); code == 0 ||
		!strings.Contains(errs, "must not be in the backup's directory") {
		t.Fatalf("keys beside the backup: %d %s", code, errs)
	}
	if code, out, errs := run(t, "", "backup", "--data", dir, "--out", backup, "--keys-out", keys); code != 0 || !strings.Contains(out, "audit chain ok") ||
		!strings.Contains(out, "encrypted SM4-GCM") {
		t.Fatalf("backup while serving: %d %s %s", code, out, errs)
	}
	// The backup file is ciphertext: no SQLite header, no department name;
	// and no clear copy is left beside it.
	enc, _ := os.ReadFile(backup)
	if bytes.Contains(enc, []byte("SQLite format 3")) || bytes.Contains(enc, []byte("部门3")) || bytes.Contains(enc, []byte("alice")) {
		t.Fatal("the backup file holds clear database content")
	}
	if ents, _ := os.ReadDir(backupDir); len(ents) != 1 {
		t.Fatalf("backup directory holds %d entries, want only the backup", len(ents))
	}
	if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file mode: %v %v", fi.Mode(), err)
	}
	if code, body := post(t, url+"/api/v1/depts", tok, `{"code":"AFTER","name":"备份后"}`); code != 201 {
		t.Fatalf("create dept: %d %s", code, body)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	cmd, url = start(dir) // the lock died with the process
	tok = login(t, url, "alice", "S3cure!pass")
	if code, body := get(t, url+"/api/v1/depts?code=AFTER", tok); code != 200 || !strings.Contains(body, `"total":1`) {
		t.Fatalf("after kill and restart: %d %s", code, body)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	if code, out, _ := run(t, "", "audit", "verify", "--data", dir); code != 0 {
		t.Fatalf("verify after kill: %s", out)
	}
	// Restore: without the keyring, refused; an altered backup, refused
	// with nothing written; then the real one, decrypted and verified.
	dir2 := t.TempDir()
	if code, _, errs := run(t, "", "restore", "--data", dir2, "--from", backup, "--keyring", filepath.Join(dir2, "none.json")); code == 0 ||
		!strings.Contains(errs, "keyring") {
		t.Fatalf("restore without keyring: %d %s", code, errs)
	}
	bad := filepath.Join(t.TempDir(), "bad.zbk")
	altered := bytes.Clone(enc)
	altered[len(altered)/2] ^= 1
	os.WriteFile(bad, altered, 0o600)
	if code, _, errs := run(t, "", "restore", "--data", dir2, "--from", bad, "--keyring", keys); code == 0 || !strings.Contains(errs, "fails authentication") ||
		exists(filepath.Join(dir2, "zhudun.db")) {
		t.Fatalf("restore of an altered backup: %d %s", code, errs)
	}
	if code, out, errs := run(t, "", "restore", "--data", dir2, "--from", backup, "--keyring", keys); code != 0 || !strings.Contains(out, "audit chain ok") {
		t.Fatalf("restore: %d %s %s", code, out, errs)
	}
	os.MkdirAll(filepath.Join(dir2, "keys"), 0o700)
	copyFile(t, keys, filepath.Join(dir2, "keys", "keyring.json"))
	if code, out, _ := run(t, "", "audit", "verify", "--data", dir2); code != 0 {
		t.Fatalf("verify restored: %s", out)
	}
	if code, _, errs := run(t, "", "restore", "--data", dir2, "--from", backup); code == 0 || !strings.Contains(errs, "exists") {
		t.Fatalf("restore over a database: %d %s", code, errs)
	}
	s := serve(t, "--data", dir2)
	tok = login(t, s.url, "alice", "S3cure!pass")
	if _, body := get(t, s.url+"/api/v1/depts", tok); !strings.Contains(body, `"total":6`) || strings.Contains(body, "AFTER") {
		t.Fatalf("restored depts: %s", body)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestAuditVerifyDetectsTampering edits the stopped server's database as an
// intruder would: triggers dropped, a row changed, or the last row deleted.
func TestAuditVerifyDetectsTampering(t *testing.T) {
	for _, c := range []struct {
		name, sql, want string
	}{
		{"changed", `UPDATE audit_log SET username = 'mallory' WHERE seq = 3`, "FAILED at row 3: altered"},
		{"last deleted", `DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)`, "FAILED at row 11: deleted"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			// 7 role.seed rows + 1 user.create + 3 dept.create = 11 rows.
			run(t, "S3cure!pass\n", "user", "add", "--data", dir, "--username", "alice", "--role", "sysadmin", "--password-stdin")
			for _, d := range []string{"A1", "A2", "A3"} {
				run(t, "", "dept", "add", "--data", dir, "--code", d, "--name", d)
			}
			db, err := sql.Open("sqlite", filepath.Join(dir, "zhudun.db"))
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`, c.sql} {
				if _, err := db.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			db.Close()
			code, out, _ := run(t, "", "audit", "verify", "--data", dir)
			if code == 0 || !strings.Contains(out, c.want) {
				t.Fatalf("verify: %d %q; want non-zero and %q", code, out, c.want)
			}
		})
	}
}

// stream opens the event stream and returns its lines.
func stream(t *testing.T, base, tok string) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/events/stream", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	return lines
}

// waitLine waits for an event data line containing want.
func waitLine(t *testing.T, lines <-chan string, want string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("stream ended before %s", want)
			}
			if strings.HasPrefix(l, "data: ") && strings.Contains(l, want) {
				return
			}
		case <-deadline:
			t.Fatalf("no event with %s reached the stream", want)
		}
	}
}

// TestLongCommandsStopOnSignal: a long command run as the real binary stops
// within a second of SIGTERM or SIGINT, with a non-zero status — detect on an
// endless line (/dev/zero) spun for minutes ignoring both (issue 19.11).
func TestLongCommandsStopOnSignal(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		sig  os.Signal
		args []string
	}{
		{"detect /dev/zero SIGTERM", syscall.SIGTERM, []string{"detect", "--in", "/dev/zero", "--out", filepath.Join(dir, "f1.jsonl"), "--progress", "never"}},
		{"detect /dev/zero SIGINT", os.Interrupt, []string{"detect", "--in", "/dev/zero", "--out", filepath.Join(dir, "f2.jsonl"), "--progress", "never"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], c.args...)
			cmd.Env = append(os.Environ(), "ZHUDUN_TEST_MAIN=1")
			var errb syncbuf.Buffer
			cmd.Stderr = &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				t.Fatalf("ended before the signal: %v %s", err, errb.String())
			case <-time.After(700 * time.Millisecond):
			}
			sent := time.Now()
			cmd.Process.Signal(c.sig)
			select {
			case err := <-done:
				if took := time.Since(sent); took > time.Second {
					t.Errorf("stopped %v after the signal, want within 1s", took)
				}
				if err == nil || cmd.ProcessState.ExitCode() == 0 {
					t.Errorf("exit status 0 after a signal; stderr %s", errb.String())
				}
				if !strings.Contains(errb.String(), "interrupted") {
					t.Errorf("stderr %q does not say it was interrupted", errb.String())
				}
			case <-time.After(5 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("still running 5s after %v", c.sig)
			}
		})
	}
}

// TestAuditVerifyDetectsRollback is the outside tester's attack (issue
// 19.6): the newest audit rows deleted and an older, validly signed anchor
// row put back. The database alone looks whole; its head log does not agree.
func TestAuditVerifyDetectsRollback(t *testing.T) {
	dir := t.TempDir()
	run(t, "S3cure!pass\n", "user", "add", "--data", dir, "--username", "alice", "--role", "sysadmin", "--password-stdin") // rows 1–8
	db, err := sql.Open("sqlite", filepath.Join(dir, "zhudun.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE saved AS SELECT * FROM audit_anchor`); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"A1", "A2"} { // rows 9, 10
		if code, _, errs := run(t, "", "dept", "add", "--data", dir, "--code", d, "--name", d); code != 0 {
			t.Fatal(errs)
		}
	}
	for _, q := range []string{`DROP TRIGGER audit_log_no_delete`, `DROP TRIGGER audit_anchor_forward`, `DELETE FROM audit_log WHERE seq > 8`,
		`UPDATE audit_anchor SET head_seq = (SELECT head_seq FROM saved), head_hash = (SELECT head_hash FROM saved), sig = (SELECT sig FROM saved)`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	code, out, _ := run(t, "", "audit", "verify", "--data", dir)
	if want := "FAILED at row 10: database behind its witness at seq 10"; code == 0 || !strings.Contains(out, want) {
		t.Fatalf("verify: %d %q; want non-zero and %q", code, out, want)
	}
}
