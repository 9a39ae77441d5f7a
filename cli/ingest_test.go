package cli_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/internal/syncbuf"
	"github.com/zhudun/zhudun/natsbus"
)

// sourceKey runs zhudun source add and returns the key: the last line of
// standard output, alone.
func sourceKey(t testing.TB, dir string, args ...string) string {
	t.Helper()
	code, out, errs := run(t, "", append([]string{"source", "add", "--data", dir}, args...)...)
	if code != 0 {
		t.Fatalf("source add: %d %s", code, errs)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	key := lines[len(lines)-1]
	if !strings.HasPrefix(key, "zs_") || strings.ContainsAny(key, " \t") {
		t.Fatalf("last line is not a key alone: %q", out)
	}
	return key
}

func postEvents(t *testing.T, url, key, ctype string, body []byte, hdr ...string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/api/v1/events", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", ctype)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(res.Body)
	return res.StatusCode, strings.TrimSpace(b.String()), res.Header
}

// storedEvents opens the data directory's embedded bus after the server
// stopped and counts the events in the ingest stream.
func storedEvents(t *testing.T, dir string) int {
	t.Helper()
	kr, err := gmcrypto.Load(filepath.Join(dir, "keys", "keyring.json"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := natsbus.Open(t.Context(), natsbus.Config{DataDir: dir, Keys: kr})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s, err := b.JetStream().Stream(t.Context(), natsbus.DefaultIngestStream)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := s.Info(t.Context())
	if info.State.Msgs == 0 {
		return 0
	}
	c, err := s.OrderedConsumer(t.Context(), jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := c.Fetch(int(info.State.Msgs), jetstream.FetchMaxWait(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	n, msgs := 0, 0
	for m := range batch.Messages() {
		im, err := b.OpenIngestMessage(m.Subject(), m.Headers(), m.Data())
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(im.Body, []byte("370102199001011231")) {
			t.Fatal("a holder in clear in the stream")
		}
		n += bytes.Count(im.Body, []byte("\n"))
		msgs++
	}
	if msgs != int(info.State.Msgs) {
		t.Fatalf("read %d of %d messages", msgs, info.State.Msgs)
	}
	return n
}

func TestIngestAPI(t *testing.T) {
	dir := t.TempDir()
	carrier := sourceKey(t, dir, "--name", "cmcc", "--kind", "carrier")
	platform := sourceKey(t, dir, "--name", "wx", "--kind", "platform")
	if code, out, _ := run(t, "", "source", "list", "--data", dir); code != 0 || !strings.Contains(strings.Join(strings.Fields(out), " "), "cmcc carrier ROOT sim,sms,cdr,ip false") {
		t.Fatalf("source list: %s", out)
	}
	s := serve(t, "--data", dir)
	nd := "application/x-ndjson"
	sim := `{"type":"sim","ts":"2021-06-01T08:00:00+08:00","msisdn":"13912345678","imsi":"460001234567890","holder":"370102199001011231","outlet":"o1","action":"activate"}` + "\n"
	cdr := `{"type":"cdr","ts":"2021-06-01T08:01:00+08:00","msisdn":"13912345678","peer":"13800000000","dir":"mo","dur":5}` + "\n"
	reg := `{"type":"reg","ts":"2021-06-01T08:00:00+08:00","platform":"wx","account":"a","msisdn":"13912345678"}` + "\n"

	code, body, _ := postEvents(t, s.url, carrier, nd, []byte(sim+"{bad\n"+cdr))
	if code != 200 || body != `{"accepted":2,"rejected":1,"rejects":[{"line":2,"reason":"bad object key"}]}` {
		t.Fatalf("carrier events: %d %s", code, body)
	}
	if code, body, _ := postEvents(t, s.url, carrier+"x", nd, []byte(cdr)); code != 401 {
		t.Fatalf("wrong key: %d %s", code, body)
	}
	if code, body, _ := postEvents(t, s.url, carrier, nd, []byte(cdr+reg)); code != 403 || !strings.Contains(body, "may not send reg") {
		t.Fatalf("carrier sends reg: %d %s", code, body)
	}
	if code, body, _ := postEvents(t, s.url, platform, "application/jsonl", []byte(reg)); code != 200 || !strings.HasPrefix(body, `{"accepted":1,`) {
		t.Fatalf("platform reg: %d %s", code, body)
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte("type,ts,ip,kind\nip,2021-06-01T08:03:11+08:00,10.0.0.1,dialup\n"))
	w.Close()
	if code, body, _ := postEvents(t, s.url, carrier, "text/csv", gz.Bytes(), "Content-Encoding", "gzip"); code != 200 || !strings.HasPrefix(body, `{"accepted":1,"rejected":0`) {
		t.Fatalf("gzip csv: %d %s", code, body)
	}
	if code, body, _ := postEvents(t, s.url, carrier, "text/plain", []byte(cdr)); code != 400 {
		t.Fatalf("wrong content type: %d %s", code, body)
	}
	// A valid key is not anonymous traffic: 100 requests in a row pass
	// (the anonymous allowance is a burst of 60).
	for i := 0; i < 100; i++ {
		if code, body, _ := postEvents(t, s.url, carrier, nd, []byte(cdr), "Idempotency-Key", "k"+strconv.Itoa(i%3)); code != 200 {
			t.Fatalf("request %d with a valid key: %d %s", i, code, body)
		}
	}
	// 3 distinct chunk ids: three more events, not a hundred.
	// A body over 64 MiB is refused whole.
	huge := bytes.Repeat([]byte(cdr), (64<<20)/len(cdr)+10)
	if code, body, _ := postEvents(t, s.url, carrier, nd, huge); code != 413 {
		t.Fatalf("65 MiB body: %d %s", code, body)
	}
	// The status: this hour's counts and rejects by reason, for the
	// system administrator; an officer is refused.
	if code, _, errs := run(t, "S3cure!pass\n", "user", "add", "--data", dir, "--username", "sys", "--role", "sysadmin", "--password-stdin"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run(t, "S3cure!pass\n", "user", "add", "--data", dir, "--username", "off", "--role", "officer", "--password-stdin"); code != 0 {
		t.Fatal(errs)
	}
	tok := login(t, s.url, "sys", "S3cure!pass")
	code, body = get(t, s.url+"/api/v1/ingest/status", tok)
	var st struct {
		Hours []struct {
			Source             string
			Accepted, Rejected int64
			Reasons            map[string]int64
		}
	}
	json.Unmarshal([]byte(body), &st)
	counts := map[string][2]int64{}
	for _, h := range st.Hours {
		c := counts[h.Source]
		counts[h.Source] = [2]int64{c[0] + h.Accepted, c[1] + h.Rejected}
	}
	if code != 200 || counts["cmcc"] != [2]int64{6, 1} || counts["wx"] != [2]int64{1, 0} || !strings.Contains(body, `"bad object key":1`) {
		t.Fatalf("status: %d %s", code, body)
	}
	if code, body := get(t, s.url+"/api/v1/ingest/status", login(t, s.url, "off", "S3cure!pass")); code != 403 {
		t.Fatalf("officer reads the status: %d %s", code, body)
	}
	code, body = post(t, s.url+"/api/v1/sources", tok, `{"name":"ctcc","kind":"carrier","types":["cdr"]}`)
	if code != 201 || !strings.Contains(body, `"key":"zs_`) || !strings.Contains(body, `"types":["cdr"]`) {
		t.Fatalf("source from the API: %d %s", code, body)
	}

	// Disabled: 401 (the CLI beside the running server).
	if code, _, errs := run(t, "", "source", "disable", "--data", dir, "--name", "wx"); code != 0 {
		t.Fatal(errs)
	}
	if code, body, _ := postEvents(t, s.url, platform, nd, []byte(reg)); code != 401 {
		t.Fatalf("disabled source: %d %s", code, body)
	}
	if c := s.stop(); c != 0 {
		t.Fatalf("serve exit %d", c)
	}
	if n := storedEvents(t, dir); n != 2+1+1+3 {
		t.Fatalf("%d events stored, want 7", n)
	}
}

// TestIngestResume kills zhudun ingest mid-way and runs it again: every
// event is stored exactly once.
func TestIngestResume(t *testing.T) {
	dir := t.TempDir()
	key := sourceKey(t, dir, "--name", "cmcc", "--kind", "carrier")
	// 20 000 events a second in bursts of 200 000: the 300 000 events take
	// five seconds, long enough to kill the client in the middle.
	s := serve(t, "--data", dir, "--ingest-rate", "20000")
	feedDir := t.TempDir()
	var b bytes.Buffer
	const n = 300000
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `{"type":"cdr","ts":"2021-06-01T08:%02d:%02d+08:00","msisdn":"139%08d","peer":"13800000000","dir":"mo","dur":%d}`+"\n", i/60%60, i%60, i, i%1000)
		if i == 5 {
			b.WriteString("junk line\n")
		}
	}
	if err := os.WriteFile(filepath.Join(feedDir, "cdr.jsonl"), b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "ingest", "--server", s.url, "--chunk-mb", "1", "--parallel", "1", feedDir)
	cmd.Env = append(os.Environ(), "ZHUDUN_TEST_MAIN=1", "ZHUDUN_INGEST_TOKEN="+key)
	stderr := &syncbuf.Buffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	checkFor(t, 30*time.Second, "the first chunks to be accepted", func() bool {
		return strings.Contains(stderr.String(), " events ") && !strings.Contains(stderr.String(), "]   0.0%")
	})
	cmd.Process.Kill()
	cmd.Wait()
	if strings.Contains(stderr.String(), "accepted 30") {
		t.Fatalf("the client finished before it was killed: %s", stderr.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd = exec.CommandContext(ctx, os.Args[0], "ingest", "--server", s.url, "--chunk-mb", "1", feedDir)
	cmd.Env = append(os.Environ(), "ZHUDUN_TEST_MAIN=1", "ZHUDUN_INGEST_TOKEN="+key)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("rerun: %v %s", err, errb.String())
	}
	if !strings.Contains(out.String(), "cdr.jsonl:7: not a JSON object") {
		t.Fatalf("rejects not printed with their file line: %q", out.String())
	}
	if !strings.Contains(errb.String(), "already stored before") || strings.Contains(errb.String(), "(0 already stored before)") {
		t.Fatalf("the rerun resent nothing that was stored: %s", errb.String())
	}
	s.stop()
	if got := storedEvents(t, dir); got != n {
		t.Fatalf("%d events stored, want exactly %d", got, n)
	}
}

// TestIngestFailsFast: an unreachable server or a refused key ends the
// client with an error, in time.
func TestIngestFailsFast(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "a.jsonl")
	os.WriteFile(f, []byte(`{"type":"ip","ts":"2021-06-01T08:03:11Z","ip":"10.0.0.1"}`+"\n"), 0o600)
	start := time.Now()
	code, _, errs := run(t, "", "ingest", "--server", "http://127.0.0.1:1", "--token", "zs_x", f)
	if code == 0 || time.Since(start) > 30*time.Second || !strings.Contains(errs, "unreachable") {
		t.Fatalf("unreachable server: exit %d after %s: %s", code, time.Since(start), errs)
	}
	_ = sourceKey(t, dir, "--name", "cmcc", "--kind", "carrier")
	s := serve(t, "--data", dir)
	start = time.Now()
	code, _, errs = run(t, "", "ingest", "--server", s.url, "--token", "zs_wrong", f)
	if code == 0 || time.Since(start) > 5*time.Second || !strings.Contains(errs, "401") {
		t.Fatalf("refused key: exit %d after %s: %s", code, time.Since(start), errs)
	}
}

// BenchmarkIngestCommand: zhudun ingest sends a 500 000-event carrier
// file (cdr and sms JSON Lines, 55 MB) to zhudun serve (embedded JetStream,
// file storage; SQLite) over loopback HTTP; events/s from the first byte
// read to the last answer.
func BenchmarkIngestCommand(b *testing.B) {
	t := b
	dir := b.TempDir()
	key := sourceKey(t, dir, "--name", "cmcc", "--kind", "carrier")
	s := serve(t, "--data", dir, "--ingest-rate", "100000000", "--log-level", "error")
	defer s.stop()
	feedDir := b.TempDir()
	const n = 500000
	f := filepath.Join(feedDir, "cdr.jsonl")
	var body bytes.Buffer
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		// Other events each round: chunks seen before would be answered
		// from their record instead of stored.
		body.Reset()
		for k := 0; k < n; k++ {
			if k%4 == 0 {
				fmt.Fprintf(&body, `{"type":"sms","ts":"2021-06-01T08:03:00+08:00","msisdn":"137%08d","sender":"1069%04d","platform":"wx"}`+"\n", k, i)
				continue
			}
			fmt.Fprintf(&body, `{"type":"cdr","ts":"2021-06-01T08:01:00+08:00","msisdn":"139%08d","peer":"1380000%04d","dir":"mo","dur":5,"imei":"86123456789012","cell":"460-00-1234-5678"}`+"\n", k, i)
		}
		os.WriteFile(f, body.Bytes(), 0o600)
		b.SetBytes(int64(body.Len()))
		b.StartTimer()
		code, _, errs := run(t, "", "ingest", "--server", s.url, "--token", key, f)
		if code != 0 || !strings.Contains(errs, "accepted 500000 events") || !strings.Contains(errs, "(0 already stored before)") {
			b.Fatalf("ingest: %s", errs)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
