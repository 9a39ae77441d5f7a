package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// testCheckpointFence: a checkpoint written under a fencing token refuses
// a lower token, whole — the change's findings roll back with it — and
// accepts the same or a higher one (live.RunElected, docs/live.md).
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
			Checkpoint: &zhudun.EngineCheckpoint{Name: "global", Seq: seq, State: []byte{byte(seq)}, Fence: fence}})
	}
	stored := func() (int, uint64, uint64) {
		t.Helper()
		all, err := e.s.EngineFindings(e.sys)
		e.must(err)
		cp, err := e.s.EngineCheckpoint(e.sys, "global")
		e.must(err)
		return len(all), cp.Seq, cp.Fence
	}
	// The first holder, taken at revision 5; its successor at 9.
	e.must(apply(card("1"), 10, 5))
	e.must(apply(card("2"), 20, 9))
	// The first wakes from a stall and writes what it had: refused, and
	// its finding is not stored.
	if err := apply(card("3"), 15, 5); code(err) != zhudun.ECONFLICT {
		t.Fatalf("stale holder's change: %v, want ECONFLICT", err)
	}
	if n, seq, fence := stored(); n != 2 || seq != 20 || fence != 9 {
		t.Fatalf("after the stale write: %d findings, checkpoint %d under fence %d; want 2, 20, 9", n, seq, fence)
	}
	// An engine running alone (fence 0) is below any holder too.
	if err := apply(card("3"), 25, 0); code(err) != zhudun.ECONFLICT {
		t.Fatalf("unfenced write over a fenced checkpoint: %v, want ECONFLICT", err)
	}
	// The holder itself goes on; a later holder takes over.
	e.must(apply(card("4"), 30, 9))
	e.must(apply(card("5"), 40, 12))
	if n, seq, fence := stored(); n != 4 || seq != 40 || fence != 12 {
		t.Fatalf("after the holders' writes: %d findings, checkpoint %d under fence %d; want 4, 40, 12", n, seq, fence)
	}
	// Another checkpoint's fence is its own.
	e.must(e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Checkpoint: &zhudun.EngineCheckpoint{Name: "part-0", Seq: 1, State: []byte{1}}}))
}
