package fourcuts_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/zhudun/zhudun/fourcuts"
	"github.com/zhudun/zhudun/fourcuts/sim"
)

// TestSnapshotResumes: an engine that took part of a feed, was snapshot
// and loaded into a fresh engine, and then took the rest finds exactly what
// one engine fed everything finds — at several cut points, including
// before the first event and after the last.
func TestSnapshotResumes(t *testing.T) {
	evs := sim.Events(sim.Params{Users: 2000, Days: 3, Seed: 7})
	whole := fourcuts.NewEngine(fourcuts.DefaultConfig())
	for i := range evs {
		whole.Add(&evs[i])
	}
	want := render(whole.Detect())
	if want == "" {
		t.Fatal("the world has no findings")
	}
	for _, cut := range []int{0, 1, len(evs) / 3, len(evs) / 2, len(evs) - 1, len(evs)} {
		a := fourcuts.NewEngine(fourcuts.DefaultConfig())
		for i := range evs[:cut] {
			a.Add(&evs[i])
		}
		snap := a.AppendSnapshot(nil)
		b := fourcuts.NewEngine(fourcuts.DefaultConfig())
		if err := b.LoadSnapshot(snap); err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		if again := b.AppendSnapshot(nil); !bytes.Equal(again, snap) {
			t.Fatalf("cut %d: the loaded engine's snapshot differs", cut)
		}
		for i := range evs[cut:] {
			b.Add(&evs[cut+i])
		}
		if got := render(b.Detect()); got != want {
			t.Fatalf("cut %d: findings differ after resuming", cut)
		}
		if b.Events() != whole.Events() || b.Entities() != whole.Entities() || b.Pairs() != whole.Pairs() {
			t.Fatalf("cut %d: %d events %d entities %d pairs, want %d %d %d", cut, b.Events(), b.Entities(), b.Pairs(),
				whole.Events(), whole.Entities(), whole.Pairs())
		}
	}
}

// TestSnapshotRefused: damaged or foreign bytes are refused and leave the
// engine as it was.
func TestSnapshotRefused(t *testing.T) {
	evs := sim.Events(sim.Params{Users: 500, Days: 2, Seed: 3})
	a := fourcuts.NewEngine(fourcuts.DefaultConfig())
	for i := range evs {
		a.Add(&evs[i])
	}
	snap := a.AppendSnapshot(nil)
	b := fourcuts.NewEngine(fourcuts.DefaultConfig())
	b.Add(&evs[0])
	for name, bad := range map[string][]byte{
		"empty":     nil,
		"version":   append([]byte{'F', 'C', 'S', 99}, snap[4:]...),
		"truncated": snap[:len(snap)/2],
		"trailing":  append(append([]byte{}, snap...), 0),
	} {
		if err := b.LoadSnapshot(bad); !errors.Is(err, fourcuts.ErrSnapshot) {
			t.Errorf("%s: %v", name, err)
		}
		if b.Events() != 1 {
			t.Fatalf("%s: the engine changed", name)
		}
	}
}

// BenchmarkSnapshot: the cost of one checkpoint's snapshot of a
// 2,000-person three-day world.
func BenchmarkSnapshot(b *testing.B) {
	evs := sim.Events(sim.Params{Users: 2000, Days: 3, Seed: 7})
	e := fourcuts.NewEngine(fourcuts.DefaultConfig())
	for i := range evs {
		e.Add(&evs[i])
	}
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		buf = e.AppendSnapshot(buf[:0])
	}
	b.ReportMetric(float64(len(buf)), "bytes")
}

// TestSnapshotOneAllocation: a snapshot into an empty buffer is allocated
// once, at its size (a live checkpoint's is tens of MiB: grown by appends,
// it was copied and cleared several times over).
func TestSnapshotOneAllocation(t *testing.T) {
	evs := sim.Events(sim.Params{Users: 300, Days: 1, Seed: 3})
	e := fourcuts.NewEngine(fourcuts.DefaultConfig())
	for i := range evs {
		e.Add(&evs[i])
	}
	if n := testing.AllocsPerRun(3, func() { e.AppendSnapshot(nil) }); n != 1 {
		t.Fatalf("%.0f allocations for a snapshot, want 1", n)
	}
}
