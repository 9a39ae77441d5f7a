package fourcuts

import (
	"bytes"
	"errors"
	"strconv"
)

// The linked subset (issue 10 item 5, docs/live.md "Scale-out"): a
// partition worker holds an engine fed only the events of its partitions —
// every event of a card (sim, reg, sms, cdr go by msisdn), every
// intelligence report of an address — and passes on to the global stage
// only what changes an aggregate: the events that add a distinct thing (a
// new entity, a new pair of any kind, a new registration or sim event, a
// card's first service notice, every ip report), and, at each commit, the
// times that moved (AppendTimes). An engine fed that subset from every
// partition, with the times merged (MergeTimes), holds the same aggregates
// as one fed everything: every aggregate is a count of distinct things, a
// maximum or a minimum, and an event a partition does not pass on adds
// nothing its partition had not already passed on. Detect over it then
// finds what Detect over the whole feed finds (TestLinkedSubsetEqualsWhole).

// AddLinked adds ev and reports whether the global stage needs it.
func (e *Engine) AddLinked(ev *Event) bool {
	if ev.Type == TypeIP {
		e.Add(ev) // a kind or a share may rank higher, a span widen: few, all passed on
		return true
	}
	pairs, ents := e.pairs.n, e.nums.len()+e.imeis.len()+e.platforms.len()
	e.Add(ev)
	if e.pairs.n != pairs || e.nums.len()+e.imeis.len()+e.platforms.len() != ents {
		return true
	}
	if ev.Type == TypeSMS && ev.SMS == SMSNotice {
		// Notices are counted, not distinct, and only ever compared with 1.
		return e.cards[e.nums.find(ev.Msisdn, ev.TS, false)].notice == 1
	}
	return false
}

// LinkMark is what AppendTimes last passed on, so that the next call
// passes on only what moved. The zero value has passed on nothing (a
// restarted partition passes everything on once: merging is idempotent).
type LinkMark struct {
	cards  [][4]int64 // cdrFirst, cdrLast, smsFirst, smsLast
	imeis  []linkIMEI
	period [2]int64
	sent   bool
}

type linkIMEI struct {
	first, last int64
	name        string
}

// AppendTimes appends to b one line for each card and IMEI whose times
// (or, for an IMEI, the spelling reported) changed since m, and one for
// the feed's period when it did, and updates m. The times of the other
// entities — accounts, fingerprints, addresses — and the cards' and IMEIs'
// times from registrations and sim events come with the events themselves,
// all of which are passed on.
func (e *Engine) AppendTimes(b []byte, m *LinkMark) []byte {
	for c := range e.cards {
		ca := &e.cards[c]
		t := [4]int64{ca.cdrFirst, ca.cdrLast, ca.smsFirst, ca.smsLast}
		if c < len(m.cards) && m.cards[c] == t {
			continue
		}
		for len(m.cards) <= c {
			m.cards = append(m.cards, [4]int64{1<<63 - 1, -1 << 63, 1<<63 - 1, -1 << 63})
		}
		if m.cards[c] == t {
			continue // never voice or text: its times come with its events
		}
		m.cards[c] = t
		b = append(b, "!c\t"...)
		for _, v := range t {
			b = append(strconv.AppendInt(b, v, 10), '\t')
		}
		b = append(append(b, e.nums.names[c]...), '\n')
	}
	for i := range e.imeiSt {
		ia := &e.imeiSt[i]
		t := linkIMEI{ia.cdrFirst, ia.cdrLast, e.imeis.names[i]}
		if i < len(m.imeis) && m.imeis[i] == t {
			continue
		}
		for len(m.imeis) <= i {
			m.imeis = append(m.imeis, linkIMEI{})
		}
		m.imeis[i] = t
		b = append(b, "!i\t"...)
		b = append(strconv.AppendInt(b, t.first, 10), '\t')
		b = append(strconv.AppendInt(b, t.last, 10), '\t')
		b = append(append(b, t.name...), '\n')
	}
	if p := [2]int64{e.periodFirst, e.periodLast}; !m.sent || p != m.period {
		m.period, m.sent = p, true
		b = append(b, "!p\t"...)
		b = append(strconv.AppendInt(b, p[0], 10), '\t')
		b = append(strconv.AppendInt(b, p[1], 10), '\n')
	}
	return b
}

// ErrTimes is returned by MergeTimes for a line AppendTimes did not write.
var ErrTimes = errors.New("fourcuts: not a times line of the linked subset")

// IsTimes reports whether a line of the linked subset is a times line
// (events are JSON objects).
func IsTimes(line []byte) bool { return len(line) > 0 && line[0] == '!' }

// MergeTimes folds one line of AppendTimes into the engine: the earliest
// first and the latest last win, so lines may arrive in any order, twice,
// or from several partitions (an IMEI's calls come from every card using
// it).
func (e *Engine) MergeTimes(line []byte) error {
	if len(line) < 3 || line[0] != '!' || line[2] != '\t' {
		return ErrTimes
	}
	kind := line[1]
	f := bytes.SplitN(line[3:], []byte{'\t'}, 5)
	nums := map[byte]int{'c': 4, 'i': 2, 'p': 2}[kind]
	if want := nums + 1; nums == 0 || kind == 'p' && len(f) != nums || kind != 'p' && len(f) != want {
		return ErrTimes
	}
	var v [4]int64
	for k := range nums {
		n, err := strconv.ParseInt(string(f[k]), 10, 64)
		if err != nil {
			return ErrTimes
		}
		v[k] = n
	}
	switch kind {
	case 'c':
		if len(f[4]) == 0 {
			return ErrTimes
		}
		c := e.card(f[4], min(v[0], v[2]), false)
		ca := &e.cards[c]
		ca.cdrFirst, ca.cdrLast = min(ca.cdrFirst, v[0]), max(ca.cdrLast, v[1])
		ca.smsFirst, ca.smsLast = min(ca.smsFirst, v[2]), max(ca.smsLast, v[3])
	case 'i':
		if len(f[2]) == 0 {
			return ErrTimes
		}
		i := e.imei(f[2], v[0], false)
		ia := &e.imeiSt[i]
		ia.cdrFirst, ia.cdrLast = min(ia.cdrFirst, v[0]), max(ia.cdrLast, v[1])
	case 'p':
		e.periodFirst, e.periodLast = min(e.periodFirst, v[0]), max(e.periodLast, v[1])
	}
	return nil
}
