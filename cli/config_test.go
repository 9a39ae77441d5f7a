package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zhudun/zhudun/internal/testpg"
)

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// TestConfigSources: flags over environment over file; secrets from _FILE.
func TestConfigSources(t *testing.T) {
	dEnv, dFile, dFlag := t.TempDir(), t.TempDir(), t.TempDir()
	cfg := filepath.Join(t.TempDir(), "zhudun.json")
	os.WriteFile(cfg, []byte(`{"data": "`+dFile+`", "log-level": "warn"}`), 0o600)

	if code, out, errs := run(t, "", "migrate", "--config", cfg); code != 0 || !exists(filepath.Join(dFile, "zhudun.db")) {
		t.Fatalf("file: %d %s %s", code, out, errs)
	}
	t.Setenv("ZHUDUN_DATA", dEnv)
	if code, _, errs := run(t, "", "migrate", "--config", cfg); code != 0 || !exists(filepath.Join(dEnv, "zhudun.db")) {
		t.Fatalf("environment over file: %d %s", code, errs)
	}
	if code, _, errs := run(t, "", "migrate", "--config", cfg, "--data", dFlag); code != 0 || !exists(filepath.Join(dFlag, "zhudun.db")) {
		t.Fatalf("flag over environment: %d %s", code, errs)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"dta": "x"}`), 0o600)
	if code, _, errs := run(t, "", "migrate", "--config", bad); code == 0 || !strings.Contains(errs, `unknown setting "dta"`) {
		t.Fatalf("unknown key: %d %s", code, errs)
	}
	if code, _, errs := run(t, "", "migrate", "--tls-cert", "x.pem"); code == 0 || !strings.Contains(errs, "go together") {
		t.Fatalf("cert without key: %d %s", code, errs)
	}
}

// TestCLIOnPostgres: the installer's commands on PostgreSQL, the DSN read
// from a secret file.
func TestCLIOnPostgres(t *testing.T) {
	dsn := testpg.FreshDB(t)
	secret := filepath.Join(t.TempDir(), "db-dsn")
	os.WriteFile(secret, []byte(dsn+"\n"), 0o600)
	t.Setenv("ZHUDUN_DB_FILE", secret)
	dir := t.TempDir()
	if code, out, errs := run(t, "", "migrate", "--data", dir); code != 0 || !strings.Contains(out, "schema version 43") || exists(filepath.Join(dir, "zhudun.db")) {
		t.Fatalf("migrate on PostgreSQL: %d %s %s", code, out, errs)
	}
	if code, _, errs := run(t, "S3cure!pass\n", "user", "add", "--data", dir, "--username", "alice", "--role", "secadmin", "--password-stdin"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run(t, "", "dept", "add", "--data", dir, "--code", "SB1", "--name", "一分局", "--kind", "subbureau"); code != 0 {
		t.Fatal(errs)
	}
	_, out, _ := run(t, "", "user", "list", "--data", dir)
	if !strings.Contains(out, "alice") || !strings.Contains(out, "secadmin") {
		t.Fatalf("user list:\n%s", out)
	}
	if code, out, _ := run(t, "", "audit", "verify", "--data", dir); code != 0 || !strings.Contains(out, "OK: 9 rows") {
		t.Fatalf("verify on PostgreSQL: %d %s", code, out)
	}
	if code, _, errs := run(t, "", "backup", "--data", dir, "--out", filepath.Join(dir, "b.db")); code == 0 || !strings.Contains(errs, "pg_dump") {
		t.Fatalf("backup on PostgreSQL: %d %s", code, errs)
	}
}

// TestServeProduction: the server on PostgreSQL and the machine's NATS, with
// the CLI's change reaching a browser's stream through the external bus.
func TestServeProduction(t *testing.T) {
	dsn := testpg.FreshDB(t)
	nats := os.Getenv("ZHUDUN_TEST_NATS")
	if nats == "" {
		nats = "nats://127.0.0.1:4222"
	}
	t.Setenv("ZHUDUN_DB", dsn)
	t.Setenv("ZHUDUN_NATS", nats)
	dir := t.TempDir()
	run(t, "S3cure!pass\n", "user", "add", "--data", dir, "--username", "alice", "--role", "sysadmin", "--password-stdin")
	s := serve(t, "--data", dir)
	if code, body := get(t, s.url+"/readyz", ""); code != 200 || !strings.Contains(body, `"bus":"ok"`) {
		t.Fatalf("readyz: %d %s", code, body)
	}
	tok := login(t, s.url, "alice", "S3cure!pass")
	lines := stream(t, s.url, tok)
	if code, _, errs := run(t, "", "dept", "add", "--data", dir, "--code", "PRODX", "--name", "生产"); code != 0 {
		t.Fatal(errs)
	}
	waitLine(t, lines, `"code":"PRODX"`)
}

// TestRetainPositions: the positions' retention is refused below two days
// (the track route reads a day back), and `zhudun purge` says what it
// removed.
func TestRetainPositions(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := run(t, "", "purge", "--data", dir, "--retain-positions", "1d"); code == 0 || !strings.Contains(errs, "--retain-positions: at least 2d") {
		t.Errorf("--retain-positions 1d: exit %d, %s", code, errs)
	}
	if code, out, errs := run(t, "", "purge", "--data", dir, "--retain-positions", "2d"); code != 0 || !strings.Contains(out, "0 unit positions") {
		t.Errorf("--retain-positions 2d: exit %d, %s %s", code, out, errs)
	}
}
