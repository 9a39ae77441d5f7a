package cli_test

import (
	"strings"
	"testing"
)

// TestSourceBindingFlags: --network binds a carrier, --platform a
// platform, neither the other's kind; the name is the default.
func TestSourceBindingFlags(t *testing.T) {
	dir := t.TempDir()
	sourceKey(t, dir, "--name", "sd-mobile", "--kind", "carrier", "--network", "cmcc")
	sourceKey(t, dir, "--name", "wx", "--kind", "platform", "--platform", "wechat")
	sourceKey(t, dir, "--name", "cucc", "--kind", "carrier")
	for _, args := range [][]string{
		{"--name", "a", "--kind", "platform", "--network", "cmcc"},
		{"--name", "b", "--kind", "carrier", "--platform", "wechat"},
		{"--name", "c", "--kind", "carrier", "--network", "cmcc", "--platform", "wechat"},
		{"--name", "d", "--kind", "carrier", "--network", "cm,cc"},
	} {
		if code, _, _ := run(t, "", append([]string{"source", "add", "--data", dir}, args...)...); code == 0 {
			t.Errorf("source add %v succeeded", args)
		}
	}
	code, out, _ := run(t, "", "source", "rotate", "--data", dir, "--name", "sd-mobile")
	if code != 0 || !strings.Contains(out, "source sd-mobile (carrier cmcc, ROOT)") {
		t.Errorf("rotate: %d %q", code, out)
	}
	if _, out, _ = run(t, "", "source", "rotate", "--data", dir, "--name", "wx"); !strings.Contains(out, "(platform wechat, ROOT)") {
		t.Errorf("wx: %q", out)
	}
	if _, out, _ = run(t, "", "source", "rotate", "--data", dir, "--name", "cucc"); !strings.Contains(out, "(carrier cucc, ROOT)") {
		t.Errorf("cucc: %q", out)
	}
}
