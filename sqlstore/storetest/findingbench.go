package storetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// BenchFindingRun writes what one live-engine run writes under load
// (bench/live): a change of 2,000 findings — created in the first round,
// each updated (a new score and evidence) in every round after — with
// their outbox events and a 1 MiB checkpoint, in one ApplyFindingChange.
// One op is one run; ns/op over 2,000 is the cost per finding written.
func BenchFindingRun(b *testing.B, be Backend) {
	e := newEnv(b, be)
	e.fixture()
	const n = 2000
	at := time.Date(2026, 2, 28, 10, 0, 0, 0, time.UTC)
	fs := make([]*zhudun.Finding, n)
	for i := range fs {
		fs[i] = &zhudun.Finding{Kind: zhudun.KindFinding, Category: "black_card", EntityType: "msisdn", Entity: fmt.Sprintf("171%08d", i),
			FirstSeen: at, LastSeen: at, Source: "feed", Networks: []string{"cmcc"}}
	}
	state := make([]byte, 1<<20)
	b.ReportAllocs()
	b.ResetTimer()
	for r := range b.N {
		for i, f := range fs {
			f.Score = float64(r%100) / 100
			f.Evidence = json.RawMessage(fmt.Sprintf(`[{"signal":"callees_per_day","value":%d,"threshold":50}]`, r+i))
			f.LastSeen = at.Add(time.Duration(r) * time.Minute)
		}
		ch := &zhudun.FindingChange{Upsert: fs, Checkpoint: &zhudun.EngineCheckpoint{Name: "live", Seq: uint64(r + 1), State: state}}
		if err := e.s.ApplyFindingChange(e.sys, ch); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if fs[n-1].ID == 0 {
		b.Fatal("findings got no ids")
	}
}
