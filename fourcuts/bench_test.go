package fourcuts_test

import (
	"sync"
	"testing"

	"github.com/zhudun/zhudun/fourcuts"
	"github.com/zhudun/zhudun/fourcuts/sim"
	"github.com/zhudun/zhudun/internal/cputime"
)

var (
	benchOnce   sync.Once
	benchEvents []fourcuts.Event
)

// benchCity is a simulated city big enough that the engine's tables hold
// well over 100,000 distinct entities (numbers, IMEIs, fingerprints,
// addresses, accounts, holders) and several million distinct pairs.
func benchCity(b *testing.B) []fourcuts.Event {
	benchOnce.Do(func() {
		benchEvents = sim.Events(sim.Params{Users: 60000, Days: 2, Seed: 42})
	})
	return benchEvents
}

// BenchmarkEngineAdd replays a city's events through a fresh engine: the
// detector core's hot path. events/s is per core (the engine runs on one
// goroutine).
func BenchmarkEngineAdd(b *testing.B) {
	evs := benchCity(b)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Now()
	var e *fourcuts.Engine
	for b.Loop() {
		e = fourcuts.NewEngine(fourcuts.DefaultConfig())
		for i := range evs {
			e.Add(&evs[i])
		}
	}
	b.ReportMetric(float64(len(evs))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(len(evs)), "events/op")
	b.ReportMetric(float64(e.Entities()), "entities")
	b.ReportMetric(float64(e.Pairs()), "pairs")
	cputime.Report(b, cpu0)
}

// BenchmarkEngineAddDetect adds the detection stage (graph, gangs,
// findings) to the replay.
func BenchmarkEngineAddDetect(b *testing.B) {
	evs := benchCity(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		e := fourcuts.NewEngine(fourcuts.DefaultConfig())
		for i := range evs {
			e.Add(&evs[i])
		}
		e.Detect()
	}
	b.ReportMetric(float64(len(evs))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
