package cli

import (
	"encoding/binary"
	"math/bits"
	"strings"
)

// idTable numbers the distinct ids of one side of an edge file in order of
// first appearance. It replaces a map[string]int32 on the command's hot
// path: an id's first 16 bytes and its length live in the slot itself, so
// that a lookup of an id of up to 16 bytes (phone numbers, IMEIs, the
// benchmark's "u12345") reads one slot and never the id's earlier spelling
// somewhere else in the file — with a map that second, random read into a
// file of tens of megabytes was most of the parse time. Slots hold no
// pointers, so the garbage collector has nothing to scan in them.
//
// Linear probing in a power-of-two table kept at most half full.
//
// Ids that are a number — a common prefix and a decimal number, "u12345",
// "p60438", or plain integers as in most published graphs — skip the table:
// the number indexes dir directly, a few megabytes that stay in the cache
// where the table's slots, one random line per lookup, do not. On the 2
// M-edge benchmark graph this halved the parse time.
type idTable struct {
	data  []byte // the whole file
	text  string // the same bytes; ids are substrings of it
	slots []idSlot
	shift uint     // index = hash >> shift
	ids   []idSpan // by number: where the id's first occurrence is

	nhash  int     // ids in slots
	pre    string  // the prefix of the ids numbered through dir, from the first id
	preSet bool    // pre has been chosen
	direct bool    // ids spelled pre + a canonical decimal below dirMax go to dir
	dir    []int32 // dir[v] is the number + 1 of the id pre+v, 0 if not seen
	dirMax int     // bound on v, fixed at creation so an id always takes one path
}

// idSlot is one table entry; v is the id's number plus one, 0 when empty.
type idSlot struct {
	k0, k1 uint64 // the id's first 16 bytes, little-endian, zero-padded
	n      int32  // the id's length
	v      int32
}

// idSpan locates an id in the file.
type idSpan struct {
	off int
	n   int32
}

// newIDTable prepares numbering the ids of a file of lines lines, expecting
// expect distinct ids.
func newIDTable(data []byte, text string, expect, lines int) *idTable {
	// Numbers below 2·lines cover any graph whose nodes are numbered from 0
	// or 1, each node on at least one line; dir then takes at most 8 bytes a
	// line, as much as the parser's edge numbers.
	t := &idTable{data: data, text: text, dirMax: 1<<16 + 2*lines}
	size := 16
	for size < 2*expect {
		size <<= 1
	}
	t.resize(size)
	return t
}

func (t *idTable) resize(size int) {
	old := t.slots
	t.slots = make([]idSlot, size)
	t.shift = uint(64 - bits.TrailingZeros(uint(size)))
	for _, s := range old {
		if s.v == 0 {
			continue
		}
		sp := t.ids[s.v-1]
		i := t.hash(s.k0, s.k1, s.n, t.tail(sp.off, int(sp.n))) >> t.shift
		for t.slots[i].v != 0 {
			i = (i + 1) & uint64(size-1)
		}
		t.slots[i] = s
	}
}

// hash mixes the inline words, the length and, for ids over 16 bytes, the
// rest of the id (tail).
func (t *idTable) hash(k0, k1 uint64, n int32, tail []byte) uint64 {
	h := (k0^0x9e3779b97f4a7c15)*0xbf58476d1ce4e5b9 ^ (k1+uint64(n))*0x94d049bb133111eb
	for r := tail; len(r) > 0; {
		var w uint64
		if len(r) >= 8 {
			w, r = binary.LittleEndian.Uint64(r), r[8:]
		} else {
			for i := len(r) - 1; i >= 0; i-- {
				w = w<<8 | uint64(r[i])
			}
			r = nil
		}
		h = (h ^ w) * 0x9e3779b97f4a7c15
	}
	h ^= h >> 31
	return h * 0xd6e8feb86659fd93
}

// number returns the number of the id text[off:off+n], adding it if new.
func (t *idTable) number(off, n int) int32 {
	if !t.preSet {
		t.choosePrefix(off, n)
	}
	if t.direct {
		if v, ok := t.decimal(off, n); ok {
			if d := t.dir[v]; d != 0 {
				return d - 1
			}
			num := int32(len(t.ids))
			t.dir[v] = num + 1
			t.ids = append(t.ids, idSpan{off, int32(n)})
			return num
		}
	}
	k0, k1 := load16(t.data, off, n)
	mask := uint64(len(t.slots) - 1)
	for i := t.hash(k0, k1, int32(n), t.tail(off, n)) >> t.shift; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.v == 0 {
			v := int32(len(t.ids))
			*s = idSlot{k0, k1, int32(n), v + 1}
			t.ids = append(t.ids, idSpan{off, int32(n)})
			if t.nhash++; 2*t.nhash > len(t.slots) {
				t.resize(2 * len(t.slots))
			}
			return v
		}
		if s.k0 == k0 && s.k1 == k1 && s.n == int32(n) {
			if n <= 16 {
				return s.v - 1
			}
			sp := t.ids[s.v-1]
			if t.text[sp.off+16:sp.off+n] == t.text[off+16:off+n] {
				return s.v - 1
			}
		}
	}
}

// choosePrefix takes the first id's leading non-digits as the prefix of
// the ids numbered through dir, if the id goes on with a decimal number.
func (t *idTable) choosePrefix(off, n int) {
	t.preSet = true
	p := 0
	for p < n && !isDigit(t.data[off+p]) {
		p++
	}
	t.pre = t.text[off : off+p]
	_, t.direct = t.decimal(off, n)
	if t.direct {
		// Allocated once at its bound (decimal keeps v below it): grown by
		// doubling, its copies were a tenth of the parse time.
		t.dir = make([]int32, t.dirMax)
	}
}

// decimal reports whether the id text[off:off+n] is pre followed by a
// decimal number below dirMax without leading zeros (so that no two
// spellings share a number), and returns the number.
func (t *idTable) decimal(off, n int) (int, bool) {
	p := len(t.pre)
	d := n - p
	if d < 1 || d > 9 || t.text[off:off+p] != t.pre {
		return 0, false
	}
	digits := t.data[off+p : off+n]
	if digits[0] == '0' && d > 1 {
		return 0, false
	}
	v := 0
	for _, c := range digits {
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, v < t.dirMax
}

func isDigit(c byte) bool { return c-'0' < 10 }

// tail is what follows the first 16 bytes of the id text[off:off+n].
func (t *idTable) tail(off, n int) []byte {
	if n <= 16 {
		return nil
	}
	return t.data[off+16 : off+n]
}

// names returns the ids by number, as substrings of the file.
func (t *idTable) names() []string {
	out := make([]string, len(t.ids))
	for i, sp := range t.ids {
		out[i] = t.text[sp.off : sp.off+int(sp.n)]
	}
	return out
}

// load16 returns the first 16 bytes of text[off:off+n] as two
// little-endian words, zero past the id's end.
func load16(data []byte, off, n int) (uint64, uint64) {
	var k0, k1 uint64
	if off+16 <= len(data) {
		k0 = binary.LittleEndian.Uint64(data[off:])
		k1 = binary.LittleEndian.Uint64(data[off+8:])
	} else {
		var b [16]byte
		copy(b[:], data[off:])
		k0 = binary.LittleEndian.Uint64(b[:8])
		k1 = binary.LittleEndian.Uint64(b[8:])
	}
	switch {
	case n < 8:
		k0 &= 1<<(8*uint(n)) - 1
		k1 = 0
	case n < 16:
		k1 &= 1<<(8*uint(n-8)) - 1
	}
	return k0, k1
}

// countLines is an upper bound on the edge lines of text, to size the
// tables once.
func countLines(text string) int { return strings.Count(text, "\n") + 1 }
