package feed

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zhudun/zhudun/fourcuts"
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
