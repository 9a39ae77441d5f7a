package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// testCheckpointFence: once a newer fencing token is taken for an engine,
// a change written under an older one is refused whole — its findings roll
// back with its checkpoint — while the newest holder writes on; a change
// without a token is not checked (an engine that runs alone), and each
// engine's tokens are its own (live.RunElected, docs/live.md).
func testCheckpointFence(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	at := time.Date(2021, 6, 2, 2, 0, 0, 0, time.UTC)
	card := func(n string) *zhudun.Finding {
		return &zhudun.Finding{Kind: zhudun.KindFinding, Category: "black_card", EntityType: "msisdn", Entity: "1380000000" + n,
			Score: 0.9, FirstSeen: at, LastSeen: at, Evidence: json.RawMessage(`[]`), Source: "cmcc"}
	}
	apply := func(f *zhudun.Finding, seq, fence uint64) error {
		return e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Upsert: []*zhudun.Finding{f},
			Checkpoint: &zhudun.EngineCheckpoint{Name: "global", Seq: seq, State: []byte{byte(seq)}}, Fence: zhudun.EngineFence{Name: "global", Token: fence}})
	}
	stored := func() (int, uint64) {
		t.Helper()
		all, err := e.s.EngineFindings(e.sys)
		e.must(err)
		cp, err := e.s.EngineCheckpoint(e.sys, "global")
		e.must(err)
		return len(all), cp.Seq
	}
	take := func(name string) uint64 {
		t.Helper()
		f, err := e.s.TakeFence(e.sys, name)
		e.must(err)
		return f
	}
	first := take("global")
	if first != 1 {
		t.Fatalf("first token %d, want 1", first)
	}
	e.must(apply(card("1"), 10, first))
	// A second worker takes over while the first stalls.
	second := take("global")
	if second != 2 {
		t.Fatalf("second token %d, want 2", second)
	}
	if err := apply(card("2"), 15, first); code(err) != zhudun.ECONFLICT {
		t.Fatalf("the stalled holder's change: %v, want ECONFLICT", err)
	}
	// An early run's change (new findings, no checkpoint) is fenced too.
	if err := e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Upsert: []*zhudun.Finding{card("2")},
		Fence: zhudun.EngineFence{Name: "global", Token: first}}); code(err) != zhudun.ECONFLICT {
		t.Fatalf("the stalled holder's early change: %v, want ECONFLICT", err)
	}
	if n, seq := stored(); n != 1 || seq != 10 {
		t.Fatalf("after the stalled holder's change: %d findings, checkpoint %d; want 1, 10", n, seq)
	}
	e.must(apply(card("3"), 20, second))
	e.must(apply(card("4"), 30, second))
	if n, seq := stored(); n != 3 || seq != 30 {
		t.Fatalf("after the holder's changes: %d findings, checkpoint %d; want 3, 30", n, seq)
	}
	// A token never taken is refused too; an unfenced change is not checked.
	if err := apply(card("5"), 35, 99); code(err) != zhudun.ECONFLICT {
		t.Fatalf("a token never taken: %v, want ECONFLICT", err)
	}
	e.must(apply(card("6"), 40, 0))
	// Another engine's tokens are its own.
	if f := take("other"); f != 1 {
		t.Fatalf("another engine's first token %d, want 1", f)
	}
	e.must(apply(card("7"), 50, second))
}
