package sim

import (
	"github.com/zhudun/zhudun/fourcuts"
)

// Events generates the world of p and returns its events parsed into
// canonical fourcuts.Events (intelligence and card stock first, then the
// days in time order), without any file in between: the input of the
// engine benchmarks. Duplicates, jitter and spelling variants are not
// applied.
func Events(p Params) []fourcuts.Event {
	days, stock, intel, _, _ := Generate(p)
	n := len(stock) + len(intel)
	for _, d := range days {
		n += len(d)
	}
	out := make([]fourcuts.Event, 0, n)
	var raw fourcuts.RawEvent
	var arena []byte
	add := func(e *sev) {
		raw.Reset()
		raw.Put(fourcuts.FieldType, []byte(e.typ))
		raw.Put(fourcuts.FieldTS, fourcuts.AppendTS(nil, e.ts))
		for _, f := range e.fields {
			raw.Put(fourcuts.LookupField([]byte(f.k)), []byte(f.v))
		}
		need := raw.RawLen() + fourcuts.MaxCanonicalGrowth
		if cap(arena)-len(arena) < need {
			arena = make([]byte, 0, 1<<20)
		}
		var ev fourcuts.Event
		var reason string
		arena, reason = raw.Build(&ev, arena)
		if reason == "" {
			out = append(out, ev)
		}
	}
	for _, e := range intel {
		add(e)
	}
	for _, e := range stock {
		add(e)
	}
	for _, d := range days {
		for _, e := range d {
			add(e)
		}
	}
	return out
}
