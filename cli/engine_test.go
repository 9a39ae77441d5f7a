package cli_test

import (
	"strings"
	"testing"
)

// TestEngineStage: zhudun engine refuses a stage it does not know, and a
// worker without --nats, before it opens anything.
func TestEngineStage(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := run(t, "", "engine", "--data", dir, "--nats", "nats://127.0.0.1:1", "--stage", "gang"); code == 0 || !strings.Contains(errs, "--stage must be single, partition, global or both") {
		t.Fatalf("--stage gang: exit %d, %s", code, errs)
	}
	if code, _, errs := run(t, "", "engine", "--data", dir, "--stage", "partition"); code == 0 || !strings.Contains(errs, "--nats is required") {
		t.Fatalf("no --nats: exit %d, %s", code, errs)
	}
}
