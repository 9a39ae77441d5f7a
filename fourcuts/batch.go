package fourcuts

// AddBatch adds evs in order, exactly as Add on each would. The engine's
// time goes mostly to cache misses: every voice record looks up its card and
// device in tables of hundreds of thousands of slots and its pairs in a set
// of millions of keys, each a random read of memory, and Add makes them one
// after another. AddBatch reads ahead: a few events before an event is
// added it loads the slots that event will look up, so that the misses of
// several events overlap instead of queueing. The reads ahead only load
// memory (their result is folded into e.touched); they decide nothing, so
// the aggregates are those of Add.
func (e *Engine) AddBatch(evs []Event) {
	// far: events ahead whose table slots are loaded; near: events ahead
	// whose aggregates and pairs are loaded, by then their slots are cached.
	const far, near = 12, 6
	var ring [16]touchHashes
	n := len(evs)
	for i := 0; i < min(far, n); i++ {
		e.touchSlots(&evs[i], &ring[i%len(ring)])
	}
	for i := 0; i < min(near, n); i++ {
		e.touchAggs(&evs[i], &ring[i%len(ring)])
	}
	for i := range evs {
		if j := i + far; j < n {
			e.touchSlots(&evs[j], &ring[j%len(ring)])
		}
		if j := i + near; j < n {
			e.touchAggs(&evs[j], &ring[j%len(ring)])
		}
		e.Add(&evs[i])
	}
}

// touchHashes carries an event's hashes from its first read ahead to the
// second.
type touchHashes struct {
	card, body, peer uint64
	imei             bool
}

// touchSlots loads the home slots of the event's card and IMEI.
func (e *Engine) touchSlots(ev *Event, th *touchHashes) {
	*th = touchHashes{}
	if ev.Type == TypeIP {
		return
	}
	th.card = hashBytes(ev.Msisdn)
	e.touched += e.nums.slots[th.card>>e.nums.shift].h
	if ev.Type != TypeCDR {
		return
	}
	th.peer = hashBytes(ev.Peer)
	if len(ev.IMEI) > 0 {
		body := ev.IMEI[:min(len(ev.IMEI), IMEIBody)]
		th.body = hashBytes(body)
		th.imei = true
		e.touched += e.imeis.slots[th.body>>e.imeis.shift].h
	}
}

// touchAggs finds the event's card and IMEI ids when they sit in their home
// slots (most do) and loads their spans, aggregates and the voice pairs
// keyed by them.
func (e *Engine) touchAggs(ev *Event, th *touchHashes) {
	if ev.Type == TypeIP {
		return
	}
	c := none
	if sl := &e.nums.slots[th.card>>e.nums.shift]; sl.h == th.card && sl.id != 0 {
		c = sl.id - 1
		if int(c) < len(e.cards) {
			e.touched += uint64(e.nums.first[c]) + uint64(e.nums.last[c]) + uint64(e.cards[c].lastIMEI)
		}
	}
	if ev.Type != TypeCDR {
		return
	}
	if c != none {
		kind := pkMTPeer
		if ev.Dir == DirMO {
			kind = pkMOPeer
		}
		e.touched += e.pairs.keys[pairKey(kind, c, th.peer)>>e.pairs.shift]
	}
	if th.imei {
		if sl := &e.imeis.slots[th.body>>e.imeis.shift]; sl.h == th.body && sl.id != 0 {
			i := sl.id - 1
			if int(i) < len(e.imeiSt) {
				e.touched += uint64(e.imeis.first[i]) + uint64(e.imeis.last[i]) + e.imeiSt[i].lastIMSI
			}
		}
	}
}
