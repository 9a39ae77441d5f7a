package live

import (
	"encoding/binary"

	"github.com/zhudun/zhudun/fourcuts"
)

// origins remembers, per entity, the source of the first event delivered
// (in stream order) that named it in its own field — a card its msisdn
// (as the event's msisdn or peer), a device its imei (by the first 14
// digits, as findings key it), an address its ip, an account its reg's
// platform:account, a software build its reg's device fingerprint. A new
// finding belongs to that source's department (docs/live.md, "Data
// scope"): exact per event, whatever other sources' messages share the
// detection window. It grows with entities, not events, and is kept in the
// checkpoint so that a restart attributes as an uninterrupted run does.
//
// Devices, addresses, fingerprints and accounts are noted by the engine's
// own ids: an event that adds one grows the engine's count of that kind
// (fourcuts.Sizes), and the new ids are that event's source's — two
// integer comparisons per event, where a map of names cost a string
// lookup per field of every event (0.9 s of CPU on the 1.1 M events of
// the 20,000-person week). Numbers are kept by a hash of the number,
// because a card is named first as another card's peer as often as not,
// and peers are not engine entities.
type origins struct {
	srcs  []string
	index map[string]uint16
	nums  map[uint64]uint16 // hash of a number (numHash) → index in srcs
	// ids: by engine id, the index in srcs + 1 of the source that added
	// each IMEI, address, fingerprint and account (0: none known — one an
	// event of the scale-out's times added, fourcuts.IsTimes).
	ids [nKinds][]uint16
}

const (
	kIMEI = iota
	kIP
	kDevice
	kAccount
	nKinds
)

var kindOf = map[string]int{"imei": kIMEI, "ip": kIP, "device": kDevice, "account": kAccount}

func newOrigins() *origins {
	return &origins{index: map[string]uint16{}, nums: map[uint64]uint16{}}
}

func sizes(s fourcuts.Sizes) [nKinds]int {
	return [nKinds]int{kIMEI: s.IMEIs, kIP: s.IPs, kDevice: s.Devices, kAccount: s.Accounts}
}

// source is src's index, added when new; false past 65,535 sources (more
// than any deployment has: their entities fall back to the window's
// source).
func (o *origins) source(src string) (uint16, bool) {
	si, ok := o.index[src]
	if !ok {
		if len(o.srcs) >= 1<<16-1 {
			return 0, false
		}
		si = uint16(len(o.srcs))
		o.srcs = append(o.srcs, src)
		o.index[src] = si
	}
	return si, true
}

// note records as src's the entities ev named first: before is the
// engine's count of entities before ev was added, eng the engine after.
func (o *origins) note(src string, ev *fourcuts.Event, before fourcuts.Sizes, eng *fourcuts.Engine) {
	si, ok := o.source(src)
	if !ok {
		o.pad(eng.Sizes())
		return
	}
	after := eng.Sizes()
	if after.Nums > before.Nums {
		o.number(ev.Msisdn, si) // only an event's own msisdn adds a number
	}
	if len(ev.Peer) > 0 {
		o.number(ev.Peer, si)
	}
	b, a := sizes(before), sizes(after)
	for k := range nKinds {
		for range a[k] - b[k] {
			o.ids[k] = append(o.ids[k], si+1)
		}
	}
	o.pad(after) // what fell between notes (none but the times' entities)
}

// pad gives the entities added without a note (the scale-out's times
// lines, fourcuts.MergeTimes) no source.
func (o *origins) pad(s fourcuts.Sizes) {
	for k, n := range sizes(s) {
		for len(o.ids[k]) < n {
			o.ids[k] = append(o.ids[k], 0)
		}
	}
}

func (o *origins) number(n []byte, si uint16) {
	h := numHash(n)
	if _, ok := o.nums[h]; !ok {
		o.nums[h] = si
	}
}

// numHash is FNV-1a, 64 bits: stable across builds and restarts (the map
// is checkpointed by it); a collision among a province's 10⁸ numbers is
// a chance of about n²/2⁶⁵, 1 in 3,700, and would give one card another
// card's source's department at worst.
func numHash(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h
}

// of is the source whose event first named the entity; false when none
// did (an entity the engine derived, or one from before a checkpoint
// written by a build without origins).
func (o *origins) of(eng *fourcuts.Engine, entityType, entity string) (string, bool) {
	if o == nil || eng == nil {
		return "", false // a Service not restored yet (tests of the diff alone)
	}
	if entityType == "msisdn" {
		si, ok := o.nums[numHash([]byte(entity))]
		if !ok {
			return "", false
		}
		return o.srcs[si], true
	}
	k, ok := kindOf[entityType]
	if !ok {
		return "", false
	}
	id, ok := eng.EntityID(entityType, entity)
	if !ok || id >= len(o.ids[k]) || o.ids[k][id] == 0 {
		return "", false
	}
	return o.srcs[o.ids[k][id]-1], true
}

// appendTo encodes o ("LV4" states): the sources (count, each length and
// bytes); the numbers (count, then each hash as 8 bytes little-endian and
// its source index); then per kind the ids' sources (count, each index+1).
func (o *origins) appendTo(b []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(o.srcs)))
	for _, s := range o.srcs {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, uint64(len(o.nums)))
	for h, si := range o.nums {
		b = binary.LittleEndian.AppendUint64(b, h)
		b = binary.AppendUvarint(b, uint64(si))
	}
	for k := range nKinds {
		b = binary.AppendUvarint(b, uint64(len(o.ids[k])))
		for _, v := range o.ids[k] {
			b = binary.AppendUvarint(b, uint64(v))
		}
	}
	return b
}

// decodeOrigins reads what appendTo wrote and returns the rest of b.
func decodeOrigins(b []byte) (*origins, []byte, bool) {
	o, b, ok := decodeSources(b)
	if !ok {
		return nil, nil, false
	}
	n, b, ok := count(b)
	if !ok {
		return nil, nil, false
	}
	for range n {
		if len(b) < 8 {
			return nil, nil, false
		}
		h := binary.LittleEndian.Uint64(b)
		si, k := binary.Uvarint(b[8:])
		if k <= 0 || si >= uint64(len(o.srcs)) {
			return nil, nil, false
		}
		b = b[8+k:]
		o.nums[h] = uint16(si)
	}
	for kind := range nKinds {
		n, rest, ok := count(b)
		if !ok {
			return nil, nil, false
		}
		b = rest
		ids := make([]uint16, 0, n)
		for range n {
			v, k := binary.Uvarint(b)
			if k <= 0 || v > uint64(len(o.srcs)) {
				return nil, nil, false
			}
			b = b[k:]
			ids = append(ids, uint16(v))
		}
		o.ids[kind] = ids
	}
	return o, b, true
}

// count reads a count of items, each at least a byte long, off b.
func count(b []byte) (uint64, []byte, bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return 0, nil, false
	}
	return n, b[k:], true
}

// decodeSources reads the sources appendTo wrote first (in both formats).
func decodeSources(b []byte) (*origins, []byte, bool) {
	o := newOrigins()
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) || n > 1<<16 {
		return nil, nil, false
	}
	b = b[k:]
	for range n {
		l, k := binary.Uvarint(b)
		if k <= 0 || l > uint64(len(b)-k) {
			return nil, nil, false
		}
		s := string(b[k : k+int(l)])
		b = b[k+int(l):]
		o.index[s] = uint16(len(o.srcs))
		o.srcs = append(o.srcs, s)
	}
	return o, b, true
}

// savedOrigins is a checkpoint's origins before the engine's snapshot is
// loaded: an "LV4" state's (keys nil), or an "LV2"/"LV3" state's entity
// keys (a prefix byte — m number, i IMEI body, p address, a
// platform:account, d fingerprint — then the name) with their source
// index. attach makes them origins over the loaded engine's ids.
type savedOrigins struct {
	o    *origins
	keys map[string]uint16
}

func decodeLegacyOrigins(b []byte) (*savedOrigins, []byte, bool) {
	o, b, ok := decodeSources(b)
	if !ok {
		return nil, nil, false
	}
	n, b, ok := count(b)
	if !ok {
		return nil, nil, false
	}
	keys := make(map[string]uint16, n)
	for range n {
		l, k := binary.Uvarint(b)
		if k <= 0 || l > uint64(len(b)-k) {
			return nil, nil, false
		}
		key := string(b[k : k+int(l)])
		b = b[k+int(l):]
		si, k := binary.Uvarint(b)
		if k <= 0 || si >= uint64(len(o.srcs)) {
			return nil, nil, false
		}
		b = b[k:]
		keys[key] = uint16(si)
	}
	return &savedOrigins{o, keys}, b, true
}

// attach returns the origins over eng's ids (the engine the checkpoint's
// snapshot was loaded into); a legacy key the engine does not hold (an
// entity named only where the engine does not count it) is dropped.
func (l *savedOrigins) attach(eng *fourcuts.Engine) *origins {
	o := l.o
	o.pad(eng.Sizes())
	types := map[byte]string{'i': "imei", 'p': "ip", 'a': "account", 'd': "device"}
	for key, si := range l.keys {
		if len(key) < 2 {
			continue
		}
		if key[0] == 'm' {
			o.nums[numHash([]byte(key[1:]))] = si
			continue
		}
		typ, ok := types[key[0]]
		if !ok {
			continue
		}
		if id, ok := eng.EntityID(typ, key[1:]); ok {
			o.ids[kindOf[typ]][id] = si + 1
		}
	}
	return o
}
