package attack

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zhudun/zhudun/internal/syncbuf"

	"github.com/zhudun/zhudun/cli"
)

// TestBackupHoldsNoClearAddress (issue 20.6, 保密性 b): a backup taken while
// serving holds no clear incident address or database page; restored, it
// verifies and the address is back. SQLite: on PostgreSQL backups are the
// database's own (pg_dump, replication), outside the binary.
func TestBackupHoldsNoClearAddress(t *testing.T) {
	s := start(t, backends[0])
	disp := s.login("lixia.dispatcher")
	address := "经十路" + digits(6) + "号"
	if code, body := call(t, "POST", s.url+"/api/v1/incidents", disp, fmt.Sprintf(`{"category":"fire","lon":117.0,"lat":36.66,"address":%q}`, address)); code != 201 {
		t.Fatalf("incident: %d %s", code, body)
	}
	out := t.TempDir()
	backup, keys := filepath.Join(out, "zhudun.zbk"), filepath.Join(t.TempDir(), "backup-keys.json")
	var o, e syncbuf.Buffer
	if code := cli.Main(t.Context(), []string{"backup", "--data", s.data, "--out", backup, "--keys-out", keys}, strings.NewReader(""), &o, &e); code != 0 {
		t.Fatalf("backup: %d %s %s", code, o.String(), e.String())
	}
	b, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(address)) || bytes.Contains(b, []byte("SQLite format 3")) {
		t.Error("the backup file holds the clear address or database pages")
	}
	if hits := grepTree(t, out, address); len(hits) > 0 {
		t.Errorf("clear copies beside the backup: %v", hits)
	}
	s.stop()
	dir := filepath.Join(t.TempDir(), "restored")
	var ro, re syncbuf.Buffer
	if code := cli.Main(t.Context(), []string{"restore", "--data", dir, "--from", backup, "--keyring", keys}, strings.NewReader(""), &ro, &re); code != 0 || !strings.Contains(ro.String(), "audit chain ok") {
		t.Fatalf("restore: %d %s %s", code, ro.String(), re.String())
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "zhudun.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM incidents WHERE address = ?`, address).Scan(&n); err != nil || n != 1 {
		t.Errorf("restored database: %d incidents at the address (%v)", n, err)
	}
}
