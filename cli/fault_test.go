package cli_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zhudun/zhudun/postgres/pgtemp"
)

// TestServeDatabaseDown (issue 10, item 6) through the binary, on a
// PostgreSQL the test starts itself: zhudun serve on it takes a first
// part of the feed; with the database stopped, zhudun ingest sends the
// rest and succeeds — POST /api/v1/events answers from the key cache and
// JetStream — and once the database is started again the embedded engine
// catches up: the analyst's findings are zhudun detect's.
func TestServeDatabaseDown(t *testing.T) {
	pg := pgtemp.Start(t)
	dir := t.TempDir()
	feedDir, want := liveWorld(t)
	db := []string{"--data", dir, "--db", pg.URL}
	carrier := sourceKey(t, dir, "--db", pg.URL, "--name", "cmcc", "--kind", "carrier")
	platform := sourceKey(t, dir, "--db", pg.URL, "--name", "app", "--kind", "platform")
	if code, _, errs := run(t, "S3cure!pass\n", append([]string{"user", "add", "--username", "ana", "--role", "analyst", "--password-stdin"}, db...)...); code != 0 {
		t.Fatal(errs)
	}
	s := serve(t, db...)
	defer s.stop()
	files, _ := filepath.Glob(filepath.Join(feedDir, "*"))
	slices.Sort(files)
	var regs, rest []string
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "reg_") {
			regs = append(regs, f)
		} else {
			rest = append(rest, f)
		}
	}
	ingest := func(key string, files ...string) {
		t.Helper()
		if code, _, errs := run(t, "", append([]string{"ingest", "--server", s.url, "--token", key}, files...)...); code != 0 {
			t.Fatalf("ingest %v: %d %s", files, code, errs)
		}
	}
	// Both keys verified while the database answers.
	ingest(carrier, rest[:len(rest)/2]...)
	ingest(platform, regs[0])
	tok := login(t, s.url, "ana", "S3cure!pass")

	pg.Stop()
	ingest(carrier, rest[len(rest)/2:]...)
	ingest(platform, regs[1:]...)
	if code, _ := get(t, s.url+"/api/v1/findings", tok); code == 200 {
		t.Fatal("the findings listed with the database stopped: it was not")
	}
	pg.Resume()

	waitLiveEqual(t, s.url, tok, want)
}
