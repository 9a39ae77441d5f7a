package jt808

import "time"

// Reassembler joins sub-packets (bit 13) into whole messages, per
// connection. It is bounded: at most MaxPending messages being assembled,
// MaxParts parts each, MaxBytes in all, and a message whose parts stop
// coming is forgotten after Expiry — a terminal (or an attacker) cannot make
// it hold more. Parts are keyed by message id and total, not by serial:
// some terminals send the same serial with every message.
type Reassembler struct {
	MaxPending int           // 0 means 4
	MaxParts   int           // 0 means 256
	MaxBytes   int           // 0 means 256 KiB
	Expiry     time.Duration // 0 means one minute
	pending    []*partial
	bytes      int
}

type partial struct {
	msgID, total uint16
	parts        [][]byte
	have         int
	size         int
	first        time.Time
}

// Add takes one sub-packet p. When it completes its message, Add returns
// the whole body (the parts in index order) and true. ErrSubpack: numbering
// past the limits; ErrTooMany: no room for another message or its bytes.
func (r *Reassembler) Add(p *Packet, now time.Time) ([]byte, bool, error) {
	maxPending, maxParts, maxBytes, expiry := r.MaxPending, r.MaxParts, r.MaxBytes, r.Expiry
	if maxPending <= 0 {
		maxPending = 4
	}
	if maxParts <= 0 {
		maxParts = 256
	}
	if maxBytes <= 0 {
		maxBytes = 256 << 10
	}
	if expiry <= 0 {
		expiry = time.Minute
	}
	if p.Total == 0 || p.Index == 0 || p.Index > p.Total || int(p.Total) > maxParts {
		return nil, false, ErrSubpack
	}
	r.expire(now, expiry)
	var m *partial
	for _, x := range r.pending {
		if x.msgID == p.MsgID && x.total == p.Total {
			m = x
			break
		}
	}
	if m == nil {
		if len(r.pending) >= maxPending {
			return nil, false, ErrTooMany
		}
		m = &partial{msgID: p.MsgID, total: p.Total, parts: make([][]byte, p.Total), first: now}
		r.pending = append(r.pending, m)
	}
	old := m.parts[p.Index-1]
	if r.bytes-len(old)+len(p.Body) > maxBytes {
		return nil, false, ErrTooMany
	}
	if old == nil {
		m.have++
	}
	r.bytes += len(p.Body) - len(old)
	m.size += len(p.Body) - len(old)
	m.parts[p.Index-1] = append([]byte(nil), p.Body...) // the decoder reuses its buffer
	if m.have < int(m.total) {
		return nil, false, nil
	}
	body := make([]byte, 0, m.size)
	for _, b := range m.parts {
		body = append(body, b...)
	}
	r.drop(m)
	return body, true, nil
}

// Pending is the number of messages being assembled and their bytes.
func (r *Reassembler) Pending() (messages, bytes int) { return len(r.pending), r.bytes }

func (r *Reassembler) expire(now time.Time, expiry time.Duration) {
	for i := 0; i < len(r.pending); {
		if now.Sub(r.pending[i].first) > expiry {
			r.drop(r.pending[i])
			continue
		}
		i++
	}
}

func (r *Reassembler) drop(m *partial) {
	for i, x := range r.pending {
		if x == m {
			r.pending = append(r.pending[:i], r.pending[i+1:]...)
			r.bytes -= m.size
			return
		}
	}
}

// Split cuts body into sub-packet bodies of at most size bytes each (for
// terminals and tests); size <= 0 means MaxBody.
func Split(body []byte, size int) [][]byte {
	if size <= 0 {
		size = MaxBody
	}
	var out [][]byte
	for len(body) > size {
		out = append(out, body[:size])
		body = body[size:]
	}
	return append(out, body)
}
