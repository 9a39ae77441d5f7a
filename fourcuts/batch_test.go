package fourcuts_test

import (
	"reflect"
	"testing"

	"github.com/zhudun/zhudun/fourcuts"
	"github.com/zhudun/zhudun/fourcuts/sim"
)

// TestAddBatchIsAdd: AddBatch's reads ahead change nothing — a simulated
// city added in batches of every size the reader makes (and odd ones) gives
// the findings and leads of adding it event by event.
func TestAddBatchIsAdd(t *testing.T) {
	evs := sim.Events(sim.Params{Users: 3000, Days: 2, Seed: 5})
	cfg := fourcuts.DefaultConfig()
	cfg.Leads = true
	one := fourcuts.NewEngine(cfg)
	for i := range evs {
		one.Add(&evs[i])
	}
	want := one.Detect()
	if len(want.Findings) == 0 {
		t.Fatal("the city has no findings: nothing is compared")
	}
	for _, size := range []int{1, 5, 13, 2048} {
		e := fourcuts.NewEngine(cfg)
		for i := 0; i < len(evs); i += size {
			e.AddBatch(evs[i:min(i+size, len(evs))])
		}
		got := e.Detect()
		if !reflect.DeepEqual(got.Findings, want.Findings) || !reflect.DeepEqual(got.Leads, want.Leads) {
			t.Fatalf("batches of %d: %d findings, %d leads; one by one: %d, %d", size, len(got.Findings), len(got.Leads), len(want.Findings), len(want.Leads))
		}
		if e.Entities() != one.Entities() || e.Pairs() != one.Pairs() {
			t.Fatalf("batches of %d: %d entities %d pairs, want %d %d", size, e.Entities(), e.Pairs(), one.Entities(), one.Pairs())
		}
	}
}
