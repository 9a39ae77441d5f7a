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
type origins struct {
	first map[string]uint16 // entity key → index in srcs
	srcs  []string
	index map[string]uint16
	buf   []byte
}

func newOrigins() *origins {
	return &origins{first: map[string]uint16{}, index: map[string]uint16{}}
}

// Entity key prefixes, one per entity type.
const (
	keyMsisdn  = 'm'
	keyIMEI    = 'i'
	keyIP      = 'p'
	keyAccount = 'a'
	keyDevice  = 'd'
)

var entityPrefix = map[string]byte{"msisdn": keyMsisdn, "imei": keyIMEI, "ip": keyIP, "account": keyAccount, "device": keyDevice}

// note records ev's entities not seen before as src's.
func (o *origins) note(src string, ev *fourcuts.Event) {
	si, ok := o.index[src]
	if !ok {
		if len(o.srcs) > 1<<16-1 {
			return // more sources than any deployment has: left to the window's source
		}
		si = uint16(len(o.srcs))
		o.srcs = append(o.srcs, src)
		o.index[src] = si
	}
	o.add(keyMsisdn, ev.Msisdn, si)
	o.add(keyMsisdn, ev.Peer, si)
	imei := ev.IMEI
	if len(imei) > 14 {
		imei = imei[:14]
	}
	o.add(keyIMEI, imei, si)
	o.add(keyIP, ev.IP, si)
	o.add(keyDevice, ev.Device, si)
	if ev.Type == fourcuts.TypeReg && len(ev.Account) > 0 {
		o.buf = append(append(append(append(o.buf[:0], keyAccount), ev.Platform...), ':'), ev.Account...)
		if _, ok := o.first[string(o.buf)]; !ok {
			o.first[string(o.buf)] = si
		}
	}
}

func (o *origins) add(prefix byte, v []byte, si uint16) {
	if len(v) == 0 {
		return
	}
	o.buf = append(append(o.buf[:0], prefix), v...)
	if _, ok := o.first[string(o.buf)]; !ok { // the lookup does not allocate; only a new entity's key does
		o.first[string(o.buf)] = si
	}
}

// of is the source whose event first named the entity; false when none
// did (an entity the engine derived, or one from before a checkpoint
// written by a build without origins).
func (o *origins) of(entityType, entity string) (string, bool) {
	if o == nil {
		return "", false // a Service not restored yet (tests of the diff alone)
	}
	p, ok := entityPrefix[entityType]
	if !ok {
		return "", false
	}
	if p == keyIMEI && len(entity) > 14 {
		entity = entity[:14]
	}
	o.buf = append(append(o.buf[:0], p), entity...)
	si, ok := o.first[string(o.buf)]
	if !ok {
		return "", false
	}
	return o.srcs[si], true
}

// appendTo encodes o: the sources (count, each length and bytes), then the
// entities (count, each key length, key, source index), in the map's
// order: sorting a hundred thousand keys at every checkpoint cost more
// than writing them, and the decoder needs no order.
func (o *origins) appendTo(b []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(o.srcs)))
	for _, s := range o.srcs {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, uint64(len(o.first)))
	for k, si := range o.first {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		b = binary.AppendUvarint(b, uint64(si))
	}
	return b
}

// decodeOrigins reads what appendTo wrote and returns the rest of b.
func decodeOrigins(b []byte) (*origins, []byte, bool) {
	o := newOrigins()
	str := func() (string, bool) {
		l, k := binary.Uvarint(b)
		if k <= 0 || l > uint64(len(b)-k) {
			return "", false
		}
		s := string(b[k : k+int(l)])
		b = b[k+int(l):]
		return s, true
	}
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) || n > 1<<16 {
		return nil, nil, false
	}
	b = b[k:]
	for range n {
		s, ok := str()
		if !ok {
			return nil, nil, false
		}
		o.index[s] = uint16(len(o.srcs))
		o.srcs = append(o.srcs, s)
	}
	n, k = binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return nil, nil, false
	}
	b = b[k:]
	for range n {
		key, ok := str()
		if !ok {
			return nil, nil, false
		}
		si, k := binary.Uvarint(b)
		if k <= 0 || si >= uint64(len(o.srcs)) {
			return nil, nil, false
		}
		b = b[k:]
		o.first[key] = uint16(si)
	}
	return o, b, true
}
