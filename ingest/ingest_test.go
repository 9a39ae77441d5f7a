package ingest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/ingest"
	"github.com/zhudun/zhudun/natsbus"
	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
)

type env struct {
	t      *testing.T
	store  *sqlstore.Store
	bus    *natsbus.Bus
	stream *natsbus.IngestStream
	name   string
	keys   *gmcrypto.Keyring
	svc    *ingest.Service
	now    time.Time
}

// buses runs fn against the embedded server and the machine's NATS
// (ZHUDUN_TEST_NATS, default nats://127.0.0.1:4222; "off" skips it).
func buses(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Run("embedded", func(t *testing.T) { fn(t, newEnv(t, "", 0)) })
	t.Run("external", func(t *testing.T) {
		url := os.Getenv("ZHUDUN_TEST_NATS")
		if url == "off" {
			t.Skip("ZHUDUN_TEST_NATS=off")
		}
		if url == "" {
			url = "nats://127.0.0.1:4222"
		}
		fn(t, newEnv(t, url, 0))
	})
}

func newEnv(t *testing.T, url string, maxBytes int64) *env {
	t.Helper()
	dir := t.TempDir()
	keys := gmcrypto.Generate()
	store, err := sqlite.Open(t.Context(), filepath.Join(dir, "z.db"), sqlstore.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	id := rand.Text()
	cfg := natsbus.Config{URL: url, DataDir: dir, Keys: keys}
	icfg := natsbus.IngestConfig{Partitions: 4, MaxBytes: maxBytes}
	if url != "" {
		cfg.StreamName, cfg.SubjectPrefix = "ZHUDUN_TEST_"+id, "zhudun.test."+id
		icfg.Stream, icfg.Prefix = "FOURCUTS_TEST_"+id, "fourcuts.test."+id
	}
	bus, err := natsbus.Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("bus %q: %v", url, err)
	}
	st, err := bus.OpenIngest(t.Context(), icfg)
	if err != nil {
		t.Fatal(err)
	}
	name := icfg.Stream
	if name == "" {
		name = natsbus.DefaultIngestStream
	}
	t.Cleanup(func() {
		if url != "" {
			bus.JetStream().DeleteStream(context.Background(), name)
			bus.JetStream().DeleteStream(context.Background(), cfg.StreamName)
		}
		bus.Close()
	})
	e := &env{t: t, store: store, bus: bus, stream: st, name: name, keys: keys, now: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	e.svc = ingest.New(ingest.Config{Store: store, Stream: st, Keys: keys, Rate: 100, Burst: 1000, Now: func() time.Time { return e.now }})
	return e
}

func (e *env) source(name, kind string) (*zhudun.Source, string) {
	e.t.Helper()
	src, key, err := e.store.CreateSource(zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test")), zhudun.NewSource{Name: name, Kind: kind})
	if err != nil {
		e.t.Fatal(err)
	}
	return src, key
}

// stored reads back every event line in the stream, opened, in order per
// partition, and the messages' count.
func (e *env) stored() ([]string, int) {
	e.t.Helper()
	ctx := e.t.Context()
	s, err := e.bus.JetStream().Stream(ctx, e.name)
	if err != nil {
		e.t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	n := int(info.State.Msgs)
	if n == 0 {
		return nil, 0
	}
	c, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		e.t.Fatal(err)
	}
	var lines []string
	batch, err := c.Fetch(n, jetstream.FetchMaxWait(5*time.Second))
	if err != nil {
		e.t.Fatal(err)
	}
	got := 0
	for m := range batch.Messages() {
		got++
		im, err := e.bus.OpenIngestMessage(m.Subject(), m.Headers(), m.Data())
		if err != nil {
			e.t.Fatal(err)
		}
		ls := strings.Split(strings.TrimSuffix(string(im.Body), "\n"), "\n")
		if len(ls) != im.Events {
			e.t.Fatalf("message says %d events, holds %d", im.Events, len(ls))
		}
		lines = append(lines, ls...)
	}
	if got != n {
		e.t.Fatalf("fetched %d of %d messages", got, n)
	}
	return lines, n
}

const feedJSON = `{"type":"sim","ts":"2021-06-01T08:00:00+08:00","msisdn":"13912345678","imsi":"460001234567890","holder":"370102199001011231","outlet":"o1","action":"activate","src":"someone-else"}
{"type":"cdr","ts":"2021-06-01T08:01:00+08:00","msisdn":"13912345678","peer":"13800000000","dir":"mo","dur":5}
{"type":"cdr","ts":"2021-06-01T08:02:00+08:00","msisdn":"139","peer":"13800000000","dir":"mo","dur":5}
this is not json
{"type":"sms","ts":"2021-06-01T08:03:00+08:00","msisdn":"13700000000","sender":"10690000"}
`

func TestAccept(t *testing.T) {
	buses(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		src, key := e.source("cmcc", zhudun.SourceCarrier)
		got, err := e.svc.Authenticate(ctx, key)
		if err != nil || got.ID != src.ID {
			t.Fatalf("authenticate: %v %v", got, err)
		}
		if _, err := e.svc.Authenticate(ctx, key+"x"); zhudun.ErrorCode(err) != zhudun.EUNAUTHORIZED {
			t.Fatalf("wrong key: %v", err)
		}
		res, err := e.svc.Accept(ctx, src, "c1", strings.NewReader(feedJSON), false)
		if err != nil {
			t.Fatal(err)
		}
		if res.Accepted != 3 || res.Rejected != 2 || len(res.Rejects) != 2 || res.Rejects[0].Line != 3 || res.Rejects[1].Line != 4 ||
			res.Rejects[0].Reason != `field msisdn: malformed value "139"` {
			t.Fatalf("answer %+v", res)
		}
		lines, _ := e.stored()
		if len(lines) != 3 {
			t.Fatalf("stored %d events: %v", len(lines), lines)
		}
		all := strings.Join(lines, "\n")
		if strings.Contains(all, "370102199001011231") || !strings.Contains(all, `"holder":"h:`) {
			t.Fatalf("holder in clear or missing: %s", all)
		}
		if strings.Count(all, `"src":"cmcc"`) != 3 || strings.Contains(all, "someone-else") {
			t.Fatalf("events not stamped with their source: %s", all)
		}
		// The same holder gets the same pseudonym (the engine counts cards per holder).
		again := strings.Replace(feedJSON, "13912345678", "13912345679", 1)
		if _, err := e.svc.Accept(ctx, src, "c1b", strings.NewReader(again), false); err != nil {
			t.Fatal(err)
		}
		lines, _ = e.stored()
		var holders []string
		for _, l := range lines {
			if i := strings.Index(l, `"holder":"`); i >= 0 {
				holders = append(holders, l[i:i+45])
			}
		}
		if len(holders) != 2 || holders[0] != holders[1] {
			t.Fatalf("pseudonyms %v", holders)
		}

		// The same chunk again: the first answer, nothing stored again.
		dup, err := e.svc.Accept(ctx, src, "c1", strings.NewReader(feedJSON), false)
		if err != nil || !dup.Duplicate || dup.Accepted != 3 || dup.Rejected != 2 || len(dup.Rejects) != 2 {
			t.Fatalf("resent chunk: %+v %v", dup, err)
		}
		if lines, _ := e.stored(); len(lines) != 6 {
			t.Fatalf("after the resend %d events stored, want 6", len(lines))
		}

		// A carrier sending reg: 403, nothing of the request accepted.
		reg := `{"type":"cdr","ts":"2021-06-01T08:01:00+08:00","msisdn":"13912345678","peer":"13800000000","dir":"mo","dur":5}
{"type":"reg","ts":"2021-06-01T08:00:00+08:00","platform":"wx","account":"a","msisdn":"13912345678"}
`
		if _, err := e.svc.Accept(ctx, src, "c2", strings.NewReader(reg), false); zhudun.ErrorCode(err) != zhudun.EFORBIDDEN {
			t.Fatalf("carrier sends reg: %v", err)
		}
		if lines, _ := e.stored(); len(lines) != 6 {
			t.Fatalf("a refused request stored events: %d", len(lines))
		}

		// gzip CSV.
		var gz bytes.Buffer
		w := gzip.NewWriter(&gz)
		w.Write([]byte("type,ts,ip,kind\nip,2021-06-01T08:03:11+08:00,10.0.0.1,dialup\nip,2021-06-01T08:03:11+08:00,10.0.0.300,idc\n"))
		w.Close()
		res, err = e.svc.Accept(ctx, src, "c3", &gz, true)
		if err != nil || res.Accepted != 1 || res.Rejected != 1 || res.Rejects[0].Line != 3 {
			t.Fatalf("gzip csv: %+v %v", res, err)
		}

		// Over the rate (100 a second, bursts of 1000; 7 used): 429 with a
		// wait, nothing stored; after the wait it passes.
		var big strings.Builder
		for i := 0; i < 995; i++ {
			big.WriteString(`{"type":"ip","ts":"2021-06-01T08:03:11Z","ip":"10.1.0.1"}` + "\n")
		}
		_, err = e.svc.Accept(ctx, src, "c4", strings.NewReader(big.String()), false)
		var ze *zhudun.Error
		if zhudun.ErrorCode(err) != zhudun.ETOOMANY || !asErr(err, &ze) || ze.RetryAfter < 1 {
			t.Fatalf("over the rate: %v", err)
		}
		if lines, _ := e.stored(); len(lines) != 7 {
			t.Fatalf("a throttled request stored events: %d", len(lines))
		}
		e.now = e.now.Add(time.Duration(ze.RetryAfter) * time.Second)
		if res, err := e.svc.Accept(ctx, src, "c4", strings.NewReader(big.String()), false); err != nil || res.Accepted != 995 {
			t.Fatalf("after the wait: %+v %v", res, err)
		}
		if lines, _ := e.stored(); len(lines) != 1002 {
			t.Fatalf("stored %d, want 1002", len(lines))
		}

		// Status: the hour's counts and reasons, per source.
		hours, err := e.store.IngestHours(zhudun.WithCaller(ctx, zhudun.SystemCaller("t")), time.Now().Add(-2*time.Hour))
		if err != nil || len(hours) != 1 || hours[0].Accepted != 1002 || hours[0].Rejected != 5 ||
			hours[0].Reasons["field msisdn: malformed value"] != 2 || hours[0].Reasons["field ip: malformed value"] != 1 {
			t.Fatalf("hours %+v %v", hours, err)
		}
	})
}

func asErr(err error, target **zhudun.Error) bool {
	ze, ok := err.(*zhudun.Error)
	if ok {
		*target = ze
	}
	return ok
}

// TestFullStream: a stream without room answers 429 and stores nothing.
func TestFullStream(t *testing.T) {
	e := newEnv(t, "", 64<<10)
	src, _ := e.source("cmcc", zhudun.SourceCarrier)
	var big strings.Builder
	for i := 0; i < 900; i++ {
		big.WriteString(`{"type":"ip","ts":"2021-06-01T08:03:11Z","ip":"10.1.0.1"}` + "\n")
	}
	_, err := e.svc.Accept(t.Context(), src, "c1", strings.NewReader(big.String()), false)
	var ze *zhudun.Error
	if zhudun.ErrorCode(err) != zhudun.ETOOMANY || !asErr(err, &ze) || ze.RetryAfter < 1 {
		t.Fatalf("full stream: %v", err)
	}
	if _, n := e.stored(); n != 0 {
		t.Fatalf("%d messages stored in a full stream", n)
	}
}

// TestKeyCache: while the database does not answer, a key verified before
// still works and others are "unavailable", not "wrong".
func TestKeyCache(t *testing.T) {
	e := newEnv(t, "", 0)
	_, key := e.source("cmcc", zhudun.SourceCarrier)
	_, other := e.source("cucc", zhudun.SourceCarrier)
	if _, err := e.svc.Authenticate(t.Context(), key); err != nil {
		t.Fatal(err)
	}
	e.store.DB().Close()
	if src, err := e.svc.Authenticate(t.Context(), key); err != nil || src.Name != "cmcc" {
		t.Fatalf("cached key while the database is down: %v %v", src, err)
	}
	if _, err := e.svc.Authenticate(t.Context(), other); zhudun.ErrorCode(err) != zhudun.EUNAVAILABLE {
		t.Fatalf("unverified key while the database is down: %v", err)
	}
	e.now = e.now.Add(2 * time.Hour)
	if _, err := e.svc.Authenticate(t.Context(), key); zhudun.ErrorCode(err) != zhudun.EUNAVAILABLE {
		t.Fatalf("cache past its hour: %v", err)
	}
}

// BenchmarkAccept: one request of 100 000 carrier events (cdr and sms,
// 11 MB of JSON Lines) through the reader, the partitioner, the seal and
// JetStream (embedded, file storage) to the chunk record in SQLite.
func BenchmarkAccept(b *testing.B) {
	dir := b.TempDir()
	keys := gmcrypto.Generate()
	store, err := sqlite.Open(context.Background(), filepath.Join(dir, "z.db"), sqlstore.Options{Keys: keys})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	bus, err := natsbus.Open(context.Background(), natsbus.Config{DataDir: dir, Keys: keys})
	if err != nil {
		b.Fatal(err)
	}
	defer bus.Close()
	st, err := bus.OpenIngest(context.Background(), natsbus.IngestConfig{})
	if err != nil {
		b.Fatal(err)
	}
	svc := ingest.New(ingest.Config{Store: store, Stream: st, Keys: keys, Rate: 1e12, Burst: 1e12})
	src, _, err := store.CreateSource(zhudun.WithCaller(context.Background(), zhudun.SystemCaller("b")), zhudun.NewSource{Name: "cmcc", Kind: zhudun.SourceCarrier})
	if err != nil {
		b.Fatal(err)
	}
	var body bytes.Buffer
	const n = 100000
	for i := 0; i < n; i++ {
		if i%4 == 0 {
			body.WriteString(`{"type":"sms","ts":"2021-06-01T08:03:00+08:00","msisdn":"137` + strconv8(i) + `","sender":"10690000","platform":"wx"}` + "\n")
			continue
		}
		body.WriteString(`{"type":"cdr","ts":"2021-06-01T08:01:00+08:00","msisdn":"139` + strconv8(i) + `","peer":"13800000000","dir":"mo","dur":5,"imei":"86123456789012","cell":"460-00-1234-5678"}` + "\n")
	}
	b.SetBytes(int64(body.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := svc.Accept(context.Background(), src, "b"+strconv8(i), bytes.NewReader(body.Bytes()), false)
		if err != nil || res.Accepted != n {
			b.Fatal(res, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func strconv8(i int) string {
	s := "00000000" + strconv.Itoa(i)
	return s[len(s)-8:]
}

// TestRateRace: 50 requests of 30 events at once against an allowance of
// 1000 (the clock stands still): exactly 33 pass, and exactly their events
// are stored.
func TestRateRace(t *testing.T) {
	e := newEnv(t, "", 0)
	src, _ := e.source("cmcc", zhudun.SourceCarrier)
	var body strings.Builder
	for i := 0; i < 30; i++ {
		body.WriteString(`{"type":"ip","ts":"2021-06-01T08:03:11Z","ip":"10.1.0.` + strconv.Itoa(i) + `"}` + "\n")
	}
	var mu sync.Mutex
	ok, limited := 0, 0
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.svc.Accept(context.Background(), src, "r"+strconv.Itoa(i), strings.NewReader(body.String()), false)
			mu.Lock()
			defer mu.Unlock()
			switch zhudun.ErrorCode(err) {
			case "":
				ok++
			case zhudun.ETOOMANY:
				limited++
			default:
				t.Errorf("accept: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != 33 || limited != 17 {
		t.Fatalf("%d passed, %d limited; want 33 and 17", ok, limited)
	}
	if lines, _ := e.stored(); len(lines) != 33*30 {
		t.Fatalf("%d events stored, want %d", len(lines), 33*30)
	}
}
