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
	checkIDTable(t, rng, pool, 4) // tiny start: exercises growth
}

// Ids that are a prefix and a number go through the table's direct index
// unless their spelling is not the number's one (leading zeros), the prefix
// differs, or the number is too large; every path must number ids exactly
// as a map would, mixed in one file.
func TestIDTableDirectMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	pool := []string{"u17"} // the first id fixes the prefix "u"
	for range 3000 {
		pool = append(pool, fmt.Sprintf("u%d", rng.IntN(5000)))
	}
	pool = append(pool, "u0", "u00", "u007", "u7", "u", "u-1", "u1x", "x17", "17", "uu17",
		"u999999999", "u1000000000", "u4294967313", fmt.Sprintf("u%d", 1<<16+2*20000), fmt.Sprintf("u%d", 1<<16+2*20000-1))
	checkIDTable(t, rng, pool, 20000)
	// Plain integers, the first one 0.
	pool = []string{"0"}
	for range 3000 {
		pool = append(pool, fmt.Sprint(rng.IntN(100000)))
	}
	pool = append(pool, "00", "01", "a1", "-0")
	checkIDTable(t, rng, pool, 20000)
}

// checkIDTable numbers 20,000 ids drawn from pool (pool[0] first) with an
// id table that expects expect ids, and compares with a map.
func checkIDTable(t *testing.T, rng *rand.Rand, pool []string, expect int) {
	t.Helper()
	var sb strings.Builder
	var offs, lens []int
	for i := range 20000 {
		id := pool[0]
		if i > 0 {
			id = pool[rng.IntN(len(pool))]
		}
		sb.WriteString("#")
		offs = append(offs, sb.Len())
		lens = append(lens, len(id))
		sb.WriteString(id)
	}
	text := sb.String()
	tab := newIDTable([]byte(text), text, expect, 20000)
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
	for id, n := range ref {
		if names[n] != id {
			t.Fatalf("name %d is %q, want %q", n, names[n], id)
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

// Any list of ids, numbers or not, is numbered as a map would number it.
func FuzzIDTableMatchesMap(f *testing.F) {
	f.Add([]byte("u1\nu01\nu1\nu\nu999999999\n"))
	f.Add([]byte("0\n00\n7\n-7\n70000\n"))
	f.Add([]byte("p12\nq12\n12\np12\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var ids []string
		for _, id := range strings.Split(string(data), "\n") {
			if id != "" {
				ids = append(ids, id)
			}
		}
		var sb strings.Builder
		var offs []int
		for _, id := range ids {
			sb.WriteString("#")
			offs = append(offs, sb.Len())
			sb.WriteString(id)
		}
		text := sb.String()
		tab := newIDTable([]byte(text), text, 1, len(ids))
		ref := map[string]int32{}
		for i, id := range ids {
			want, ok := ref[id]
			if !ok {
				want = int32(len(ref))
				ref[id] = want
			}
			if got := tab.number(offs[i], len(id)); got != want {
				t.Fatalf("id %q: number %d, want %d", id, got, want)
			}
		}
		for id, n := range ref {
			if got := tab.names()[n]; got != id {
				t.Fatalf("name %d is %q, want %q", n, got, id)
			}
		}
	})
}
