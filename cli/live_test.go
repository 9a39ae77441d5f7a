package cli_test

import (
	"bufio"
	"encoding/json"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zhudun/zhudun/fourcuts/sim"
)

// TestServeLiveFindings: a carrier's and a platform's feeds pushed with
// zhudun ingest to zhudun serve (the engine embedded) end, as listed by
// an analyst through GET /api/v1/findings, as the findings zhudun detect
// writes for the same files: the same entities in the same categories, and
// the same gangs as a partition.
func TestServeLiveFindings(t *testing.T) {
	dir := t.TempDir()
	feedDir, want := liveWorld(t)

	carrier := sourceKey(t, dir, "--name", "cmcc", "--kind", "carrier")
	platform := sourceKey(t, dir, "--name", "app", "--kind", "platform")
	if code, _, errs := run(t, "S3cure!pass\n", "user", "add", "--data", dir, "--username", "ana", "--role", "analyst", "--password-stdin"); code != 0 {
		t.Fatal(errs)
	}
	s := serve(t, "--data", dir)
	defer s.stop()
	files, _ := filepath.Glob(filepath.Join(feedDir, "*"))
	var regs, rest []string
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "reg_") {
			regs = append(regs, f)
		} else {
			rest = append(rest, f)
		}
	}
	for _, send := range []struct {
		key   string
		files []string
	}{{carrier, rest}, {platform, regs}} {
		if code, _, errs := run(t, "", append([]string{"ingest", "--server", s.url, "--token", send.key}, send.files...)...); code != 0 {
			t.Fatalf("ingest: %s", errs)
		}
	}
	tok := login(t, s.url, "ana", "S3cure!pass")
	waitLiveEqual(t, s.url, tok, want)
}

type findingRow struct {
	Category string `json:"category"`
	Entity   string `json:"entity"`
	Gang     string `json:"gang"`
}

func readRows(t *testing.T, path string) []findingRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []findingRow
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r findingRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		t.Fatal("detect found nothing")
	}
	return rows
}

// rowShape: the entities with their categories, and the gangs as a
// partition of them (ids aside).
func rowShape(rows []findingRow) (ents, parts string) {
	var es []string
	gangs := map[string][]string{}
	for _, r := range rows {
		k := r.Category + ":" + r.Entity
		es = append(es, k)
		gangs[r.Gang] = append(gangs[r.Gang], k)
	}
	slices.Sort(es)
	var ps []string
	for _, m := range gangs {
		slices.Sort(m)
		ps = append(ps, strings.Join(m, " "))
	}
	slices.Sort(ps)
	return strings.Join(es, "\n"), strings.Join(ps, "\n")
}

// TestServeKilledMidIngest: zhudun serve is killed with SIGKILL twice at
// random moments while zhudun ingest pushes the feeds, and restarted on the
// same address; once the ingest has finished (rerun if it gave up), the
// analyst's live findings are zhudun detect's, none twice.
func TestServeKilledMidIngest(t *testing.T) {
	dir := t.TempDir()
	feedDir, want := liveWorld(t)
	carrier := sourceKey(t, dir, "--name", "cmcc", "--kind", "carrier")
	platform := sourceKey(t, dir, "--name", "app", "--kind", "platform")
	if code, _, errs := run(t, "S3cure!pass\n", "user", "add", "--data", dir, "--username", "ana", "--role", "analyst", "--password-stdin"); code != 0 {
		t.Fatal(errs)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "serve", "--data", dir, "--addr", addr, "--log-level", "error", "--ingest-rate", "2500")
		cmd.Env = append(os.Environ(), "ZHUDUN_TEST_MAIN=1")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	url := "http://" + addr
	cmd := start()
	checkFor(t, 60*time.Second, "the server to answer", func() bool {
		res, err := http.Get(url + "/api/v1/openapi.json")
		if err == nil {
			res.Body.Close()
		}
		return err == nil
	})
	files, _ := filepath.Glob(filepath.Join(feedDir, "*"))
	var regs, rest []string
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "reg_") {
			regs = append(regs, f)
		} else {
			rest = append(rest, f)
		}
	}
	ingestAll := func() bool {
		ok := true
		for _, send := range []struct {
			key   string
			files []string
		}{{carrier, rest}, {platform, regs}} {
			if code, _, _ := run(t, "", append([]string{"ingest", "--server", url, "--token", send.key}, send.files...)...); code != 0 {
				ok = false
			}
		}
		return ok
	}
	done := make(chan bool, 1)
	go func() { done <- ingestAll() }()
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
	for i := range 2 {
		time.Sleep(time.Duration(200+r.IntN(1200)) * time.Millisecond)
		select {
		case ok := <-done:
			t.Fatalf("the ingest ended (%v) before SIGKILL %d: slow it down", ok, i+1)
		default:
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		cmd = start()
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	finished := <-done
	checkFor(t, 60*time.Second, "the restarted server to answer", func() bool {
		res, err := http.Get(url + "/api/v1/openapi.json")
		if err == nil {
			res.Body.Close()
		}
		return err == nil
	})
	if !finished {
		if !ingestAll() {
			t.Fatal("ingest after the restarts failed")
		}
	}
	tok := login(t, url, "ana", "S3cure!pass")
	waitLiveEqual(t, url, tok, want)
}

// liveWorld writes the simulated feed the live tests push and returns its
// directory and what zhudun detect finds on it.
func liveWorld(t *testing.T) (string, []findingRow) {
	t.Helper()
	feedDir := filepath.Join(t.TempDir(), "feed")
	if _, err := sim.Write(sim.Params{Users: 2000, Days: 3, Seed: 7}, feedDir, filepath.Join(t.TempDir(), "truth.jsonl")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "findings.jsonl")
	if code, _, errs := run(t, "", "detect", "--in", feedDir, "--out", out, "--quiet", "--progress", "never"); code != 0 {
		t.Fatalf("detect: %s", errs)
	}
	return feedDir, readRows(t, out)
}

// waitLiveEqual waits until the analyst's GET /api/v1/findings (every
// page) equals want: the same entities, categories and gangs as a
// partition. A failing answer (a server or database restarting) is
// waited out.
func waitLiveEqual(t *testing.T, base, tok string, want []findingRow) {
	t.Helper()
	checkFor(t, 90*time.Second, "the live findings to equal detect's", func() bool {
		var got []findingRow
		for off := 0; ; off += 500 {
			code, body := get(t, base+"/api/v1/findings?limit=500&offset="+strconv.Itoa(off), tok)
			var page struct{ Items []findingRow }
			if code != 200 || json.Unmarshal([]byte(body), &page) != nil {
				return false
			}
			got = append(got, page.Items...)
			if len(page.Items) < 500 {
				break
			}
		}
		ge, gp := rowShape(got)
		we, wp := rowShape(want)
		return ge == we && gp == wp
	})
}
