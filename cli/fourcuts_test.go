package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/fourcuts/sim"
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
	for _, want := range []string{"sim", "cdr", "findings:", "black_card=", "events/s", "peak memory", "graph stage: converged in"} {
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

// TestIMEISVEndToEnd: a world whose call records carry IMEISVs (and bare
// 14 digits) where registrations carry IMEIs goes through simulate →
// detect → eval with every category, devices included, at F1 ≥ 0.95:
// the engine joins the forms and names each device as the truth does.
func TestIMEISVEndToEnd(t *testing.T) {
	dir := t.TempDir()
	feedDir, truth, find := filepath.Join(dir, "feed"), filepath.Join(dir, "truth.jsonl"), filepath.Join(dir, "findings.jsonl")
	ctx := context.Background()
	var out, errb bytes.Buffer
	if err := Simulate(ctx, []string{"--users", "2500", "--days", "2", "--seed", "21", "--imeisv", "0.7", "--out", feedDir, "--truth", truth}, nil, &out, &errb); err != nil {
		t.Fatalf("simulate: %v %s", err, errb.String())
	}
	// the feed must hold the spellings the join is for
	forms := map[int]int{}
	files, _ := filepath.Glob(filepath.Join(feedDir, "cdr_*.jsonl.gz"))
	for _, f := range files {
		b := gunzip(t, f)
		for _, m := range regexp.MustCompile(`"imei":"?([0-9]+)`).FindAllSubmatch(b, -1) {
			forms[len(m[1])]++
		}
	}
	if forms[14] == 0 || forms[15] == 0 || forms[16] == 0 {
		t.Fatalf("imei forms by length in the call records: %v", forms)
	}
	if err := Detect(ctx, []string{"--in", feedDir, "--out", find}, nil, &out, &errb); err != nil {
		t.Fatalf("detect: %v", err)
	}
	out.Reset()
	if err := Eval(ctx, []string{"--truth", truth, "--findings", find, "--min-f1", "0.95"}, nil, &out, &errb); err != nil {
		t.Fatalf("eval: %v\n%s", err, out.String())
	}
	if !regexp.MustCompile(`black_device\s+[1-9]`).Match(out.Bytes()) {
		t.Errorf("no black device in the truth:\n%s", out.String())
	}
}

func gunzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSimulateStressorFlags: each stressor flag sets its sim.Params field,
// and a flag given wins over the --params file while the file's other
// fields are kept.
func TestSimulateStressorFlags(t *testing.T) {
	args := []string{"--out", "o", "--truth", "t", "--users", "500",
		"--quiet-sales", "0.05", "--proxy-users", "0.1", "--keyed-holders", "--imeisv", "0.6", "--fleets", "30",
		"--evening-migrants", "0.04", "--family-phones", "0.3", "--dual-sim-phones", "0.25", "--new-phone-setups", "0.02",
		"--family-verifiers", "0.2", "--quiet-ops", "10"}
	p, _, _, err := simParams(args, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := sim.Params{Users: 500, Days: 7, Seed: 1, QuietSales: 0.05, ProxyUsers: 0.1, KeyedHolders: true, IMEISV: 0.6,
		Fleets: 30, EveningMigrants: 0.04, FamilyPhones: 0.3, DualSIMPhones: 0.25, NewPhoneSetups: 0.02,
		FamilyVerifiers: 0.2, QuietOps: 10}
	if p != want {
		t.Errorf("params\n got %+v\nwant %+v", p, want)
	}
	file := filepath.Join(t.TempDir(), "p.json")
	os.WriteFile(file, []byte(`{"Users":800,"Days":2,"Seed":9,"QuietOps":3,"IMEISV":0.2,"KeyedHolders":true,"Sales":0.05}`), 0o644)
	p, _, _, err = simParams([]string{"--out", "o", "--truth", "t", "--params", file, "--quiet-ops", "7"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want = sim.Params{Users: 800, Days: 2, Seed: 9, QuietOps: 7, IMEISV: 0.2, KeyedHolders: true, Sales: 0.05}
	if p != want {
		t.Errorf("params with a file\n got %+v\nwant %+v", p, want)
	}
}

// TestDetectConfig: --config switches signals off and sets the graph
// stage's round limit; an unknown signal is refused; a graph stage stopped
// at its limit says so.
func TestDetectConfig(t *testing.T) {
	dir := t.TempDir()
	feed, truth := filepath.Join(dir, "feed"), filepath.Join(dir, "truth.jsonl")
	ctx := context.Background()
	var out, errb bytes.Buffer
	if err := Simulate(ctx, []string{"--users", "1500", "--days", "2", "--seed", "4", "--out", feed, "--truth", truth}, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"Off":["no_such_signal"]}`), 0o600)
	if err := Detect(ctx, []string{"--in", feed, "--out", filepath.Join(dir, "f0"), "--config", bad}, nil, &out, &errb); zhudun.ErrorCode(err) != zhudun.EINVALID || !strings.Contains(err.Error(), "no_such_signal") {
		t.Errorf("unknown signal: %v", err)
	}
	one := filepath.Join(dir, "one.json")
	os.WriteFile(one, []byte(`{"MaxRounds":1,"Off":["otp_platforms"]}`), 0o600)
	errb.Reset()
	find := filepath.Join(dir, "f1")
	if err := Detect(ctx, []string{"--in", feed, "--out", find, "--config", one}, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errb.String(), "stopped unconverged at MaxRounds 1") {
		t.Errorf("no warning for an unconverged graph stage:\n%s", errb.String())
	}
	b, _ := os.ReadFile(find)
	if strings.Contains(string(b), `"otp_platforms"`) {
		t.Error("a switched-off signal is in the findings")
	}
	if !strings.Contains(string(b), `"limits":{`) {
		t.Error("findings carry no limits in force")
	}
}
