package fourcuts_test

import (
	"bytes"
	"testing"

	"github.com/zhudun/zhudun/fourcuts"
	"github.com/zhudun/zhudun/fourcuts/sim"
)

// partitionOf is the ingest service's partition (ingest.Partition):
// FNV-1a of the msisdn, of the ip for ip reports.
func partitionOf(ev *fourcuts.Event, n int) int {
	key := ev.Msisdn
	if ev.Type == fourcuts.TypeIP {
		key = ev.IP
	}
	h := uint32(2166136261)
	for _, c := range key {
		h ^= uint32(c)
		h *= 16777619
	}
	return int(h % uint32(n))
}

// TestLinkedSubsetEqualsWhole: partition engines fed their partitions'
// events, window by window, pass on the linked subset and their times; an
// engine fed only that — the partitions' windows interleaved in another
// order each time, one window delivered twice — finds exactly what one
// engine fed the whole feed finds, with far fewer events.
func TestLinkedSubsetEqualsWhole(t *testing.T) {
	evs := sim.Events(sim.Params{Users: 2000, Days: 3, Seed: 7})
	whole := fourcuts.NewEngine(fourcuts.DefaultConfig())
	for i := range evs {
		whole.Add(&evs[i])
	}
	want := render(whole.Detect())
	if want == "" {
		t.Fatal("the world has no findings")
	}
	for _, n := range []int{1, 4, 16} {
		parts := make([]*fourcuts.Engine, n)
		marks := make([]fourcuts.LinkMark, n)
		for p := range parts {
			parts[p] = fourcuts.NewEngine(fourcuts.DefaultConfig())
		}
		global := fourcuts.NewEngine(fourcuts.DefaultConfig())
		linked := 0
		const window = 7919
		for w := 0; w*window < len(evs); w++ {
			batch := evs[w*window : min(len(evs), (w+1)*window)]
			out := make([][]*fourcuts.Event, n)
			for i := range batch {
				p := partitionOf(&batch[i], n)
				if parts[p].AddLinked(&batch[i]) {
					out[p] = append(out[p], &batch[i])
				}
			}
			for k := range n {
				p := (k*7 + w) % n // the partitions' windows reach the global stage in any order
				if n == 4 {
					p = (w + k) % n
				}
				times := parts[p].AppendTimes(nil, &marks[p])
				linked += len(out[p])
				reps := 1
				if w == 3 {
					reps = 2 // delivered twice: a partition replayed after a crash
				}
				for range reps {
					for _, ev := range out[p] {
						global.Add(ev)
					}
					for line := range bytes.Lines(times) {
						if err := global.MergeTimes(bytes.TrimSuffix(line, []byte{'\n'})); err != nil {
							t.Fatalf("%q: %v", line, err)
						}
					}
				}
			}
		}
		if got := render(global.Detect()); got != want {
			t.Fatalf("%d partitions: the global stage's findings differ from the whole feed's", n)
		}
		t.Logf("%d partitions: %d of %d events passed on (%.0f %%)", n, linked, len(evs), 100*float64(linked)/float64(len(evs)))
		if linked >= len(evs) {
			t.Fatalf("%d partitions passed on %d events of %d: no compaction", n, linked, len(evs))
		}
	}
}

// TestMergeTimesRefuses: lines AppendTimes does not write are refused.
func TestMergeTimesRefuses(t *testing.T) {
	e := fourcuts.NewEngine(fourcuts.DefaultConfig())
	for _, l := range []string{"", "!", "!x\t1\t2", "!c\t1\t2\t3\t4\t", "!c\t1\t2\t3\t4", "!i\t1\tx\t860000000000000", "!p\t1", "!p\t1\t2\t3", `{"type":"cdr"}`} {
		if err := e.MergeTimes([]byte(l)); err == nil {
			t.Fatalf("%q accepted", l)
		}
	}
	if err := e.MergeTimes([]byte("!c\t1\t2\t9223372036854775807\t-9223372036854775808\t13800000000")); err != nil {
		t.Fatal(err)
	}
}
