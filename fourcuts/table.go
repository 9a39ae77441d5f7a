package fourcuts

import "unsafe"

// table interns the canonical strings of one entity kind as dense ids and
// remembers when each was first and last seen. It is an open-addressing
// index of (hash, id) slots over the names: a lookup touches one slot and,
// on a hash match, compares the name; it never allocates, and a new entity
// costs no allocation of its own (names are carved out of shared chunks).
type table struct {
	slots []tslot
	shift uint
	names []string
	span  []span // by id: when the entity was first and last seen
	chunk []byte
}

// tslot is one index entry. The name's first 16 bytes and its length are
// kept in the slot too: the names of the feed's commonest lookups (card
// numbers, IPs, platforms) are that short, and comparing them in place
// spares the two random reads — the name's string header and its bytes in
// a chunk — that each lookup otherwise made after a hash match (on the
// 20,000-person week they were 8 % of the CPU time of detect).
type tslot struct {
	h      uint64
	k0, k1 uint64 // the name's first 16 bytes, little-endian, zero-padded
	id     uint32 // id+1; 0 marks an empty slot
	n      uint32 // the name's length
}

// inline returns the first 16 bytes of key as two little-endian words,
// zero past its end.
func inline(key []byte) (k0, k1 uint64) {
	for i, c := range key[:min(len(key), 8)] {
		k0 |= uint64(c) << (8 * i)
	}
	if len(key) > 8 {
		for i, c := range key[8:min(len(key), 16)] {
			k1 |= uint64(c) << (8 * i)
		}
	}
	return k0, k1
}

// span is when an entity was first and last seen; the two sit together so
// that widening them on a lookup touches one place.
type span struct{ first, last int64 }

const chunkSize = 64 << 10

// intern copies key into the current chunk and returns it as a string. A
// chunk is never written again where a string points, so the strings are
// immutable.
func (t *table) intern(key []byte) string {
	if len(key) == 0 {
		return ""
	}
	if len(key) > chunkSize/4 {
		return string(key)
	}
	if cap(t.chunk)-len(t.chunk) < len(key) {
		t.chunk = make([]byte, 0, chunkSize)
	}
	start := len(t.chunk)
	t.chunk = append(t.chunk, key...)
	return unsafe.String(&t.chunk[start], len(key))
}

func newTable(hint int) table {
	size := 64
	for size < hint*2 {
		size <<= 1
	}
	return table{slots: make([]tslot, size), shift: 64 - log2(size)}
}

// id returns the id of key, adding it if new, and widens its time span.
func (t *table) id(key []byte, ts int64) uint32 { return t.find(key, ts, true) }

// find is id; with widen false a known key's span is left as it is, for
// callers that keep the times of their own events (a voice record's number
// and IMEI: cardAgg and imeiAgg hold cdrFirst/cdrLast, and widening the span
// too was one random read per lookup, a fifth of the table's time).
func (t *table) find(key []byte, ts int64, widen bool) uint32 {
	h := hashBytes(key)
	k0, k1 := inline(key)
	mask := uint64(len(t.slots) - 1)
	i := h >> t.shift
	for {
		sl := &t.slots[i]
		if sl.id == 0 {
			break
		}
		if sl.h == h && sl.n == uint32(len(key)) && sl.k0 == k0 && sl.k1 == k1 &&
			(len(key) <= 16 || t.names[sl.id-1][16:] == string(key[16:])) {
			id := sl.id - 1
			if !widen {
				return id
			}
			if sp := &t.span[id]; ts < sp.first {
				sp.first = ts
			} else if ts > sp.last {
				sp.last = ts
			}
			return id
		}
		i = (i + 1) & mask
	}
	id := uint32(len(t.names))
	t.names = append(t.names, t.intern(key))
	t.span = append(t.span, span{ts, ts})
	t.slots[i] = tslot{h: h, k0: k0, k1: k1, id: id + 1, n: uint32(len(key))}
	if len(t.names)*4 >= len(t.slots)*3 {
		t.grow()
	}
	return id
}

// idIMEI is id for the IMEI table: the 14-, 15- and 16-digit forms that
// share their first IMEIBody digits are one device (docs/spec/events.md),
// and the name kept is the form the contract reports (PreferIMEI), which
// does not depend on the order the forms arrive in.
func (t *table) idIMEI(key []byte, ts int64, widen bool) uint32 {
	body := key
	if len(body) > IMEIBody {
		body = body[:IMEIBody]
	}
	h := hashBytes(body)
	// The slot keeps the name's first 16 bytes and its length (every
	// canonical IMEI form is 14 to 16 digits), so a lookup and the check
	// whether key is the kept form compare in place, as in id. b0, b1 are
	// the body's 14 bytes; bm masks a name's k1 down to them.
	b0, b1 := inline(body)
	k0, k1 := inline(key)
	const bm = 1<<(8*(IMEIBody-8)) - 1
	mask := uint64(len(t.slots) - 1)
	i := h >> t.shift
	for {
		sl := &t.slots[i]
		if sl.id == 0 {
			break
		}
		// A 14-byte body matches every name of at least 14 bytes that
		// starts with it; a shorter one only the name equal to it.
		if sl.h == h && sl.k0 == b0 && (len(body) == IMEIBody && sl.n >= IMEIBody && sl.k1&bm == b1 ||
			len(body) < IMEIBody && sl.n == uint32(len(body)) && sl.k1 == b1) {
			id := sl.id - 1
			if widen {
				if sp := &t.span[id]; ts < sp.first {
					sp.first = ts
				} else if ts > sp.last {
					sp.last = ts
				}
			}
			same := sl.n == uint32(len(key)) && sl.k0 == k0 && sl.k1 == k1
			if same && len(key) > 16 {
				same = t.names[id][16:] == string(key[16:])
			}
			if !same && PreferIMEI(key, t.names[id]) {
				t.names[id] = t.intern(key)
				sl.k0, sl.k1, sl.n = k0, k1, uint32(len(key))
			}
			return id
		}
		i = (i + 1) & mask
	}
	id := uint32(len(t.names))
	t.names = append(t.names, t.intern(key))
	t.span = append(t.span, span{ts, ts})
	t.slots[i] = tslot{h: h, k0: k0, k1: k1, id: id + 1, n: uint32(len(key))}
	if len(t.names)*4 >= len(t.slots)*3 {
		t.grow()
	}
	return id
}

func (t *table) grow() {
	old := t.slots
	t.slots = make([]tslot, len(old)*2)
	t.shift--
	mask := uint64(len(t.slots) - 1)
	for _, sl := range old {
		if sl.id == 0 {
			continue
		}
		i := sl.h >> t.shift
		for t.slots[i].id != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = sl
	}
}

func (t *table) len() int { return len(t.names) }

// pairSet is an open-addressing set of 64-bit keys (never 0) used to count
// distinct pairs — (card, peer), (imei, imsi), … — without a map per entity.
// Memory grows with the number of distinct pairs, not of events.
type pairSet struct {
	keys  []uint64
	n     int
	shift uint
}

func newPairSet(hint int) pairSet {
	size := 1024
	for size < hint*2 {
		size <<= 1
	}
	var s pairSet
	s.keys = make([]uint64, size)
	s.shift = 64 - log2(size)
	return s
}

func log2(n int) uint {
	var k uint
	for 1<<k < n {
		k++
	}
	return k
}

// Pair kinds share one set; the kind is mixed into the key.
const (
	pkMOPeer uint64 = iota + 1
	pkMTPeer
	pkIMEIIMSI
	pkCardIMEI
	pkIMEICell
	pkOTPPlatform
	pkMOShort      // a peer called at least once briefly
	pkRegSeen      // an exact registration already kept
	pkActSeen      // an exact sim event already kept
	pkCardHomeCell // a cell a number called from at home hours
)

// pairKey mixes a pair into a 64-bit key. b may be an id or a hash of an
// identifier that is never interned (peers, IMSIs, cells). The kind is the
// key's low four bits and the rest comes from (a, b) alone, so that one
// pair's keys of different kinds — a number's (peer, called), (peer,
// calling) and (peer, called briefly) — start their probes at the same slot
// and sit in one cache line: a call's second and third lookups then cost no
// random read of their own (on the 20,000-person week the set's misses were
// a third of the aggregation time). With 60 bits from the pair and a few
// million pairs, the chance that two pairs of one kind collide is about
// 1e-6; a collision counts the second pair as seen.
func pairKey(kind uint64, a uint32, b uint64) uint64 {
	return mix64(uint64(a)<<24^mix64(b))&^0xf | kind
}

func mix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// hashBytes is a fixed-seed 64-bit hash of an identifier, stable across
// runs so that everything derived from it is deterministic.
func hashBytes(b []byte) uint64 {
	h := uint64(len(b)) * 0x9E3779B97F4A7C15
	for len(b) >= 8 {
		v := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		h = (h ^ mix64(v)) * 0x9E3779B97F4A7C15
		b = b[8:]
	}
	var v uint64
	for i, c := range b {
		v |= uint64(c) << (8 * i)
	}
	return mix64(h ^ v ^ uint64(len(b))<<59)
}

// add inserts key and reports whether it was new.
func (s *pairSet) add(key uint64) bool {
	if s.n*4 >= len(s.keys)*3 {
		s.grow()
	}
	mask := uint64(len(s.keys) - 1)
	i := key >> s.shift
	for {
		k := s.keys[i]
		if k == key {
			return false
		}
		if k == 0 {
			s.keys[i] = key
			s.n++
			return true
		}
		i = (i + 1) & mask
	}
}

func (s *pairSet) has(key uint64) bool {
	mask := uint64(len(s.keys) - 1)
	i := key >> s.shift
	for {
		k := s.keys[i]
		if k == key {
			return true
		}
		if k == 0 {
			return false
		}
		i = (i + 1) & mask
	}
}

func (s *pairSet) grow() {
	old := s.keys
	s.keys = make([]uint64, len(old)*2)
	s.shift--
	s.n = 0
	for _, k := range old {
		if k != 0 {
			s.add(k)
		}
	}
}
