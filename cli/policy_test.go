package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPolicyFlags: the policy flags are checked like the settings page
// checks its fields, and a bad forward target stops the start.
func TestPolicyFlags(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--lockout-threshold", "2"}, "--lockout-threshold: lockout_threshold must be between 3 and 10"},
		{[]string{"--idle-minutes", "ten"}, `--idle-minutes: "ten" is not a whole number`},
		{[]string{"--dormant-days", "1"}, "--dormant-days: dormant_days must be between 7 and 730"},
	} {
		if code, _, errs := run(t, "", append([]string{"migrate", "--data", dir}, c.args...)...); code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: %d %s", c.args, code, errs)
		}
	}
	if code, _, errs := run(t, "", "serve", "--data", dir, "--addr", "127.0.0.1:0", "--audit-forward", "syslog://x:514"); code == 0 || !strings.Contains(errs, "--audit-forward") {
		t.Errorf("bad target: %d %s", code, errs)
	}
}

// TestAuditForwardFile: with --audit-forward file:PATH the server appends
// every audit row, the lockout's security event included, to the file as
// JSON lines with their chain hashes.
func TestAuditForwardFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	run(t, "S3cure!pass\n", "user", "add", "--data", dir, "--username", "bob", "--role", "officer", "--password-stdin")
	s := serve(t, "--data", dir, "--audit-forward", "file:"+path, "--lockout-threshold", "3")
	for i := 0; i < 3; i++ {
		post(t, s.url+"/api/v1/auth/login", "", `{"username":"bob","password":"Wrong!pass1"}`)
	}
	checkFor(t, 10*time.Second, "the lockout's row in the forwarded file", func() bool {
		b, _ := os.ReadFile(path)
		return strings.Contains(string(b), `"action":"security.lockout"`)
	})
	b, _ := os.ReadFile(path)
	prev := ""
	for i, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) != nil || m["hash"] == nil || int64(m["seq"].(float64)) != int64(i+1) {
			t.Fatalf("line %d: %s", i+1, l)
		}
		if i > 0 && m["prev_hash"] != prev {
			t.Fatalf("line %d does not link to the one before", i+1)
		}
		prev, _ = m["hash"].(string)
	}
}
