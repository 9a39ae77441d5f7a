package cli_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportVerifyRollup: a row put into the cyber report's rollup behind
// the store's back is found (non-zero exit, the row named), --repair
// removes it with an audit row, and the rollup verifies again.
func TestReportVerifyRollup(t *testing.T) {
	dir := t.TempDir()
	if code, out, errs := run(t, "", "report", "verify-rollup", "--data", dir); code != 0 || !strings.Contains(out, "cyber rollup OK: 0 rows") {
		t.Fatalf("fresh: %d %s %s", code, out, errs)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "zhudun.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO cyber_rollup (campaign_id, metric, day, dept_id, sub, k, n, case_id, finding_id) VALUES (0, 'sim', '2025-12-01', 1, '', 0, 99, 12345, 0)`); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "", "report", "verify-rollup", "--data", dir)
	if code == 0 || !strings.Contains(out, "1 only stored, 0 only derived") || !strings.Contains(out, "case 12345 finding 0 campaign 0 sim 2025-12-01") ||
		!strings.Contains(errs, "--repair") {
		t.Fatalf("tampered: %d %q %q", code, out, errs)
	}
	if code, out, errs := run(t, "", "report", "verify-rollup", "--data", dir, "--repair"); code != 0 || !strings.Contains(out, "repaired") {
		t.Fatalf("repair: %d %s %s", code, out, errs)
	}
	if code, out, errs := run(t, "", "report", "verify-rollup", "--data", dir); code != 0 || !strings.Contains(out, "cyber rollup OK") {
		t.Fatalf("after repair: %d %s %s", code, out, errs)
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'report.rollup.repair'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("repair audited %d times (%v)", n, err)
	}
	if code, out, _ := run(t, "", "audit", "verify", "--data", dir); code != 0 {
		t.Fatalf("audit after repair: %s", out)
	}
}
