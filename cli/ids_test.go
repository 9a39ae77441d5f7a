package cli

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// The id table must number ids exactly as a map would: same spelling, same
// number; different spelling (even one byte past the 16 kept in the slot, or
// a trailing zero byte), different number. Ids end the file too, where the
// 16-byte load must not read past it.
func TestIDTableMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var pool []string
	for _, n := range []int{1, 2, 7, 8, 9, 15, 16, 17, 23, 24, 25, 40} {
		for range 30 {
			b := make([]byte, n)
			for i := range b {
				b[i] = "ab\x00"[rng.IntN(3)] // few letters: many near-collisions
			}
			pool = append(pool, string(b))
		}
	}
	// Ids that share their first 16 bytes and differ after them.
	// Ids that share their first 16 bytes and length and differ after them
	// (enough that probe chains run over one another's slots).
	pool = append(pool, strings.Repeat("x", 16))
	for i := range 1000 {
		pool = append(pool, fmt.Sprintf("%s%03d", strings.Repeat("x", 16), i))
	}
	var sb strings.Builder
	var offs, lens []int
	for range 20000 {
		id := pool[rng.IntN(len(pool))]
		sb.WriteString("#")
		offs = append(offs, sb.Len())
		lens = append(lens, len(id))
		sb.WriteString(id)
	}
	text := sb.String()
	tab := newIDTable([]byte(text), text, 4) // tiny start: exercises growth
	ref := map[string]int32{}
	for i, off := range offs {
		id := text[off : off+lens[i]]
		want, ok := ref[id]
		if !ok {
			want = int32(len(ref))
			ref[id] = want
		}
		if got := tab.number(off, lens[i]); got != want {
			t.Fatalf("id %q (occurrence %d): number %d, want %d", id, i, got, want)
		}
	}
	names := tab.names()
	if len(names) != len(ref) {
		t.Fatalf("%d names, want %d", len(names), len(ref))
	}
	for id, v := range ref {
		if names[v] != id {
			t.Errorf("name %d = %q, want %q", v, names[v], id)
		}
	}
}

// Every edge must come back with the spelling of its own line.
func TestReadEdgesSpelling(t *testing.T) {
	var sb strings.Builder
	var want [][2]string
	for i := range 3000 {
		s := fmt.Sprintf("acct-%d-%s", i%997, strings.Repeat("z", i%20))
		d := fmt.Sprintf("dev%d", i%31)
		want = append(want, [2]string{s, d})
		sb.WriteString(s + "\t" + d + "\n")
	}
	el, err := readEdges(context.Background(), strings.NewReader(sb.String()), "t")
	if err != nil {
		t.Fatal(err)
	}
	if len(el.edges) != len(want) {
		t.Fatalf("%d edges, want %d", len(el.edges), len(want))
	}
	for i, e := range el.edges {
		if el.src[e.Src] != want[i][0] || el.dst[e.Dst] != want[i][1] {
			t.Fatalf("line %d: %q→%q, want %q→%q", i+1, el.src[e.Src], el.dst[e.Dst], want[i][0], want[i][1])
		}
	}
}
