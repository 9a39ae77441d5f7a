package fourcuts

import (
	"encoding/binary"
	"errors"
	"slices"
	"unsafe"
)

// A snapshot is the engine's aggregates as bytes, for the live engine's
// checkpoints (docs/live.md): loaded into an engine made with the same
// Config, it continues as if every event the snapshot covers had been
// added to it. The fixed-size records are written as they lie in memory, so
// a snapshot is read back only by a build with the same record layout on
// the same byte order; the header says which, and LoadSnapshot refuses any
// other (the caller then replays the stream from its start).
const snapshotVersion = 3

// ErrSnapshot is returned by LoadSnapshot for bytes it cannot use.
var ErrSnapshot = errors.New("fourcuts: snapshot of another version, layout or byte order, or damaged")

// appendLayout appends the fingerprint of the record layout a snapshot
// depends on: the format, the byte order and the record sizes.
func appendLayout(b []byte) []byte {
	one := uint16(1)
	b = append(b, "FCS"[0], "FCS"[1], "FCS"[2], snapshotVersion, *(*byte)(unsafe.Pointer(&one)))
	for _, n := range [...]uintptr{unsafe.Sizeof(tslot{}), unsafe.Sizeof(cardAgg{}), unsafe.Sizeof(imeiAgg{}),
		unsafe.Sizeof(ipAgg{}), unsafe.Sizeof(cardCell{}), unsafe.Sizeof(actRec{}), unsafe.Sizeof(regRec{})} {
		b = append(b, byte(n))
	}
	return b
}

// layoutLen is appendLayout's length.
const layoutLen = 5 + 7

// AppendSnapshot appends the engine's aggregates to b, grown once to the
// size they need: a live checkpoint's snapshot is tens of MiB, and growing
// it by appends copied and cleared it several times over (a quarter of a
// second a checkpoint on the 20,000-person week).
func (e *Engine) AppendSnapshot(b []byte) []byte {
	b = slices.Grow(b, e.snapshotSize())
	b = appendLayout(b)
	b = binary.AppendVarint(b, e.periodFirst)
	b = binary.AppendVarint(b, e.periodLast)
	b = binary.AppendVarint(b, e.events)
	for _, t := range e.tables() {
		b = binary.AppendUvarint(b, uint64(t.shift))
		b = appendPOD(b, t.slots)
		b = binary.AppendUvarint(b, uint64(len(t.names)))
		for _, n := range t.names {
			b = binary.AppendUvarint(b, uint64(len(n)))
			b = append(b, n...)
		}
		b = appendPOD(b, t.span)
	}
	b = appendPOD(b, e.cards)
	b = appendPOD(b, e.imeiSt)
	b = appendPOD(b, e.ipSt)
	b = binary.AppendUvarint(b, uint64(e.pairs.shift))
	b = binary.AppendUvarint(b, uint64(e.pairs.n))
	b = appendPOD(b, e.pairs.keys)
	b = appendPOD(b, e.cardIMEI)
	b = appendPOD(b, e.cardCell)
	b = appendPOD(b, e.acts)
	return appendPOD(b, e.regs)
}

// snapshotSize bounds what AppendSnapshot appends.
func (e *Engine) snapshotSize() int {
	n := layoutLen + 3*binary.MaxVarintLen64
	pod := func(count, size int) int { return binary.MaxVarintLen64 + count*size }
	for _, t := range e.tables() {
		n += binary.MaxVarintLen64 + pod(len(t.slots), int(unsafe.Sizeof(tslot{}))) + binary.MaxVarintLen64 + pod(len(t.span), int(unsafe.Sizeof(span{})))
		for _, name := range t.names {
			n += binary.MaxVarintLen64 + len(name)
		}
	}
	n += pod(len(e.cards), int(unsafe.Sizeof(cardAgg{}))) + pod(len(e.imeiSt), int(unsafe.Sizeof(imeiAgg{}))) + pod(len(e.ipSt), int(unsafe.Sizeof(ipAgg{})))
	n += 2*binary.MaxVarintLen64 + pod(len(e.pairs.keys), 8)
	n += pod(len(e.cardIMEI), int(unsafe.Sizeof(e.cardIMEI[0]))) + pod(len(e.cardCell), int(unsafe.Sizeof(cardCell{})))
	return n + pod(len(e.acts), int(unsafe.Sizeof(actRec{}))) + pod(len(e.regs), int(unsafe.Sizeof(regRec{})))
}

// LoadSnapshot replaces the engine's aggregates with a snapshot's. On
// error (ErrSnapshot) the engine is unchanged.
func (e *Engine) LoadSnapshot(b []byte) error {
	lay := appendLayout(nil)
	if len(b) < len(lay) || string(b[:len(lay)]) != string(lay) {
		return ErrSnapshot
	}
	r := &snapReader{b: b[len(lay):]}
	n := NewEngine(e.cfg)
	n.periodFirst, n.periodLast, n.events = r.varint(), r.varint(), r.varint()
	for _, t := range n.tables() {
		t.shift = uint(r.uvarint())
		t.slots = readPOD[tslot](r)
		names := r.uvarint()
		if names > uint64(len(r.b)) {
			return ErrSnapshot
		}
		t.names = make([]string, 0, names)
		for range names {
			t.names = append(t.names, t.intern(r.take(r.uvarint())))
		}
		t.span = readPOD[span](r)
		if r.bad || len(t.slots) == 0 || len(t.slots)&(len(t.slots)-1) != 0 || 64-log2(len(t.slots)) != t.shift ||
			len(t.span) != len(t.names) {
			return ErrSnapshot
		}
		for _, sl := range t.slots {
			if sl.id > uint32(len(t.names)) {
				return ErrSnapshot
			}
		}
	}
	n.cards = readPOD[cardAgg](r)
	n.imeiSt = readPOD[imeiAgg](r)
	n.ipSt = readPOD[ipAgg](r)
	n.pairs.shift = uint(r.uvarint())
	n.pairs.n = int(r.uvarint())
	n.pairs.keys = readPOD[uint64](r)
	n.cardIMEI = readPOD[[2]uint32](r)
	n.cardCell = readPOD[cardCell](r)
	n.acts = readPOD[actRec](r)
	n.regs = readPOD[regRec](r)
	if r.bad || len(r.b) != 0 || len(n.pairs.keys) == 0 || 64-log2(len(n.pairs.keys)) != n.pairs.shift ||
		len(n.cards) != n.nums.len() || len(n.imeiSt) != n.imeis.len() || len(n.ipSt) != n.ips.len() {
		return ErrSnapshot
	}
	*e = *n
	return nil
}

func (e *Engine) tables() []*table {
	return []*table{&e.nums, &e.imeis, &e.devices, &e.ips, &e.holders, &e.platforms, &e.accounts,
		&e.outlets, &e.carriers, &e.regions, &e.models, &e.oses}
}

// appendPOD appends a slice of pointer-free fixed-size records as they lie
// in memory, after its length.
func appendPOD[T any](b []byte, s []T) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	if len(s) == 0 {
		return b
	}
	return append(b, unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(s[0])))...)
}

func readPOD[T any](r *snapReader) []T {
	var zero T
	size := uint64(unsafe.Sizeof(zero))
	n := r.uvarint()
	if r.bad || n > uint64(len(r.b))/size {
		r.bad = true
		return nil
	}
	out := make([]T, n)
	if n > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&out[0])), n*size), r.take(n*size))
	}
	return out
}

type snapReader struct {
	b   []byte
	bad bool
}

func (r *snapReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *snapReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *snapReader) take(n uint64) []byte {
	if r.bad || n > uint64(len(r.b)) {
		r.bad = true
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}
