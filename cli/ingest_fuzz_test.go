package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// FuzzChunkFile: zhudun ingest's chunks put together give back the file
// (CSV: each chunk's copy of the header removed), every chunk but the last
// ends at a line end outside CSV quotes, and each chunk's first line is
// the file's line number where its bytes start.
func FuzzChunkFile(f *testing.F) {
	f.Add([]byte("a\nbb\nccc\n"), false, 3)
	f.Add([]byte("type,ts\nip,\"x\ny\"\nip,z\n"), true, 4)
	f.Add([]byte("h\n\n\nno end"), true, 1)
	f.Fuzz(func(t *testing.T, data []byte, csv bool, size int) {
		if size <= 0 || size > 1<<16 {
			size = 16
		}
		dir := t.TempDir()
		name := "f.jsonl"
		if csv {
			name = "f.csv"
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
			return // read as gzip: another test's business
		}
		var chunks []ingestChunk
		var read atomic.Int64
		if err := chunkFile(context.Background(), path, size, &read, func(c ingestChunk) bool {
			chunks = append(chunks, c)
			return true
		}); err != nil {
			t.Fatal(err)
		}
		want := data
		var header []byte
		if csv {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				if len(chunks) != 0 {
					t.Fatalf("a header alone made chunks")
				}
				return
			}
			header, want = data[:i+1], data[i+1:]
		}
		var got []byte
		for k, c := range chunks {
			body := c.body
			if csv {
				if !bytes.HasPrefix(body, header) {
					t.Fatalf("chunk %d lacks the header", k)
				}
				body = body[len(header):]
			}
			if line := int64(bytes.Count(data[:len(header)+len(got)], []byte("\n"))) + 1; c.first != line {
				t.Fatalf("chunk %d starts at line %d, says %d", k, line, c.first)
			}
			if k < len(chunks)-1 {
				if !bytes.HasSuffix(body, []byte("\n")) {
					t.Fatalf("chunk %d cut inside a line", k)
				}
				if csv && bytes.Count(body, []byte(`"`))%2 != 0 {
					t.Fatalf("chunk %d cut inside quotes", k)
				}
			}
			got = append(got, body...)
		}
		// The last line may have gained a line end.
		if !bytes.Equal(got, want) && !bytes.Equal(got, append(append([]byte(nil), want...), '\n')) {
			t.Fatalf("chunks give %q, file has %q", got, want)
		}
	})
}
