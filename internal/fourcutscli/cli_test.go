package fourcutscli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

func TestSimulateDetectEval(t *testing.T) {
	dir := t.TempDir()
	feed, truth := filepath.Join(dir, "feed"), filepath.Join(dir, "truth.jsonl")
	find, rej := filepath.Join(dir, "findings.jsonl"), filepath.Join(dir, "rejects.jsonl")
	ctx := context.Background()
	var out, errb bytes.Buffer
	if err := Simulate(ctx, []string{"--users", "1500", "--days", "2", "--seed", "3", "--malformed", "4", "--out", feed, "--truth", truth}, nil, &out, &errb); err != nil {
		t.Fatalf("simulate: %v %s", err, errb.String())
	}
	errb.Reset()
	if err := Detect(ctx, []string{"--in", feed, "--out", find, "--errors", rej}, nil, &out, &errb); err != nil {
		t.Fatalf("detect: %v", err)
	}
	for _, want := range []string{"sim", "cdr", "findings:", "black_card=", "events/s", "peak memory"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, errb.String())
		}
	}
	b, _ := os.ReadFile(rej)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 4 {
		t.Fatalf("rejects:\n%s", b)
	}
	for _, l := range lines {
		var r struct {
			File   string `json:"file"`
			Line   int64  `json:"line"`
			Reason string `json:"reason"`
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil || r.File == "" || r.Line < 1 || r.Reason == "" {
			t.Errorf("reject %s: %v", l, err)
		}
	}
	b, _ = os.ReadFile(find)
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var f map[string]any
		if err := json.Unmarshal([]byte(l), &f); err != nil {
			t.Fatalf("finding %s: %v", l, err)
		}
		for _, k := range []string{"category", "entity_type", "entity", "score", "gang", "first_seen", "last_seen", "evidence"} {
			if _, ok := f[k]; !ok {
				t.Errorf("finding lacks %s: %s", k, l)
			}
		}
	}
	out.Reset()
	if err := Eval(ctx, []string{"--truth", truth, "--findings", find, "--min-f1", "0.9"}, nil, &out, &errb); err != nil {
		t.Fatalf("eval: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "black_account") {
		t.Errorf("eval output:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "gang pairs") || !strings.Contains(out.String(), "purity") {
		t.Errorf("eval output lacks the gang figures:\n%s", out.String())
	}
	// gangs: the truth scored against itself passes any bar; the same
	// entities all in one gang fail --min-gang-f1 (several operations)
	out.Reset()
	if err := Eval(ctx, []string{"--truth", truth, "--findings", truth, "--min-gang-f1", "1"}, nil, &out, &errb); err != nil {
		t.Errorf("truth against itself: %v\n%s", err, out.String())
	}
	tb, _ := os.ReadFile(truth)
	oneGang := filepath.Join(dir, "one-gang.jsonl")
	os.WriteFile(oneGang, []byte(regexp.MustCompile(`"gang":"[^"]*"`).ReplaceAllString(string(tb), `"gang":"G-1"`)), 0o644)
	err := Eval(ctx, []string{"--truth", truth, "--findings", oneGang, "--min-f1", "0.9", "--min-gang-f1", "0.9"}, nil, &out, &errb)
	if zhudun.ErrorCode(err) != zhudun.EINVALID || !strings.Contains(err.Error(), "gangs 0.") {
		t.Errorf("one gang under --min-gang-f1: %v\n%s", err, out.String())
	}
	// no findings at all is under any bar: EINVALID, and the table names it
	empty := filepath.Join(dir, "empty.jsonl")
	os.WriteFile(empty, nil, 0o644)
	err = Eval(ctx, []string{"--truth", truth, "--findings", empty, "--min-f1", "0.5"}, nil, &out, &errb)
	if zhudun.ErrorCode(err) != zhudun.EINVALID || !strings.Contains(err.Error(), "black_card 0.0000") {
		t.Errorf("eval under the bar: %v", err)
	}
	if err := Detect(ctx, []string{"--out", find}, nil, &out, &errb); zhudun.ErrorCode(err) != zhudun.EINVALID {
		t.Errorf("detect without input: %v", err)
	}
}

// TestDetectAllRejected: a run in which every line was rejected is a
// failure (exit non-zero), not an empty set of findings (issue 19.11).
func TestDetectAllRejected(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "junk.jsonl")
	os.WriteFile(in, []byte("not json\n{\"type\":\"nope\"}\n\x00\x00\x00\n"), 0o644)
	var out, errb bytes.Buffer
	err := Detect(context.Background(), []string{"--in", in, "--out", filepath.Join(dir, "f.jsonl"), "--progress", "never"}, nil, &out, &errb)
	if err == nil || !strings.Contains(zhudun.ErrorMessage(err), "every line was rejected (3)") {
		t.Fatalf("detect on junk: %v, want 'every line was rejected (3)'", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "f.jsonl")); err == nil {
		t.Errorf("findings written although nothing was read")
	}
}

// TestDetectStopsWhenCancelled: the reader gives up an endless line as soon
// as the context ends instead of reading it to the end of time.
func TestDetectStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	var out, errb bytes.Buffer
	start := time.Now()
	err := Detect(ctx, []string{"--in", "/dev/zero", "--out", filepath.Join(t.TempDir(), "f.jsonl"), "--progress", "never"}, nil, &out, &errb)
	if took := time.Since(start); err == nil || took > 1300*time.Millisecond {
		t.Fatalf("detect /dev/zero: %v after %v, want an error within a second of the cancel", err, took)
	}
}
