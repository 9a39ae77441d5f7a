package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/zhudun/zhudun/burst"
)

// The stream parser must never panic, and on success write exactly one
// score per edge line.
func FuzzScoreStream(f *testing.F) {
	f.Add([]byte("1,2,3\n1,2,3\nalice,bob,4\n"))
	f.Add([]byte("1,2,-5\r\n1,2,99999999999999999999\n"))
	f.Add([]byte(",,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, _ := burst.New(burst.DefaultConfig())
		var out bytes.Buffer
		err := scoreStream(context.Background(), sc, bytes.NewReader(data), &out, "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz") {
				t.Fatalf("error %q does not name the input", err)
			}
			return
		}
		lines := bytes.Count(data, []byte("\n"))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			lines++
		}
		if got := bytes.Count(out.Bytes(), []byte("\n")); got != lines {
			t.Fatalf("%d scores for %d lines", got, lines)
		}
	})
}

// The edge parser must never panic, and ids must round-trip.
func FuzzReadEdges(f *testing.F) {
	f.Add([]byte("a\tb\nc\td\n# note\n\na\td\n"))
	f.Add([]byte("x\ty\r\n"))
	f.Add([]byte("\t\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		el, err := readEdges(context.Background(), bytes.NewReader(data), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz") {
				t.Fatalf("error %q does not name the input", err)
			}
			return
		}
		for _, e := range el.edges {
			if int(e.Src) >= len(el.src) || int(e.Dst) >= len(el.dst) {
				t.Fatalf("edge %v outside %d×%d ids", e, len(el.src), len(el.dst))
			}
			if !bytes.Contains(data, []byte(el.src[e.Src]+"\t"+el.dst[e.Dst])) {
				t.Fatalf("edge %q→%q not in the input", el.src[e.Src], el.dst[e.Dst])
			}
		}
	})
}
