package feed

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zhudun/zhudun/fourcuts"
	"github.com/zhudun/zhudun/fourcuts/sim"
)

// BenchmarkDecodeJSON parses and normalises one voice record.
func BenchmarkDecodeJSON(b *testing.B) {
	line := []byte(`{"type":"cdr","ts":"2021-06-01T10:00:00+08:00","msisdn":"13800138000","peer":"+86 139-0013-9000","dir":"mo","dur":"37","imsi":460001234567890,"imei":"490154203237518","cell":"460-00-20001-12345"}`)
	var raw fourcuts.RawEvent
	scratch := make([]byte, 0, len(line))
	arena := make([]byte, 0, 1<<16)
	var ev fourcuts.Event
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		raw.Reset()
		if _, reason := parseJSON(line, &raw, scratch[:0]); reason != "" {
			b.Fatal(reason)
		}
		if _, reason := raw.Build(&ev, arena[:0]); reason != "" {
			b.Fatal(reason)
		}
	}
}

// BenchmarkRead reads a gzip JSON Lines file and a CSV file of voice
// records end to end (decompression, splitting, parsing, batching).
func BenchmarkRead(b *testing.B) {
	dir := b.TempDir()
	var js, cs strings.Builder
	cs.WriteString("type,ts,msisdn,peer,dir,dur,imsi,imei,cell\r\n")
	const n = 100000
	for i := 0; i < n; i++ {
		fmt.Fprintf(&js, `{"type":"cdr","ts":"2021-06-01T10:%02d:00+08:00","msisdn":"138%08d","peer":"139%08d","dir":"mo","dur":"%d","imsi":"46000%010d","imei":"86%013d","cell":"460-00-1-%d"}`+"\n",
			i%60, i, i*7%n, i%300, i, i%5000, i%900)
		fmt.Fprintf(&cs, "cdr,2021-06-01T10:%02d:00+08:00,138%08d,139%08d,mo,%d,46000%010d,86%013d,460-00-1-%d\r\n", i%60, i, i*7%n, i%300, i, i%5000, i%900)
	}
	files := []string{write(b, filepath.Join(dir, "a.jsonl.gz"), gz(js.String())), write(b, filepath.Join(dir, "b.csv"), []byte(cs.String()))}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		events := 0
		if _, err := Read(context.Background(), files, Options{}, func(bt *Batch) { events += len(bt.Events) }, nil); err != nil {
			b.Fatal(err)
		}
		if events != 2*n {
			b.Fatalf("%d events", events)
		}
	}
	b.ReportMetric(float64(2*n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkReadAdd is detect's read-and-aggregate phase end to end on a
// simulated city written as the simulator writes a feed (gzip JSON Lines
// and CSV per day): parallel decompression and parsing on the readers, the
// engine adding every batch on the calling goroutine.
func BenchmarkReadAdd(b *testing.B) {
	dir := b.TempDir()
	if _, err := sim.Write(sim.Params{Users: 5000, Days: 3, Seed: 7}, dir, filepath.Join(b.TempDir(), "truth")); err != nil {
		b.Fatal(err)
	}
	files, err := Expand([]string{dir})
	if err != nil || len(files) == 0 {
		b.Fatalf("%d files, %v", len(files), err)
	}
	var evs int64
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		eng := fourcuts.NewEngine(fourcuts.DefaultConfig())
		if _, err := Read(context.Background(), files, Options{}, func(bt *Batch) {
			for i := range bt.Events {
				eng.Add(&bt.Events[i])
			}
		}, nil); err != nil {
			b.Fatal(err)
		}
		if evs = eng.Events(); evs == 0 {
			b.Fatal("no events")
		}
	}
	b.ReportMetric(float64(evs)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
