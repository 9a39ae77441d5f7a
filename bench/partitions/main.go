// Command partitions measures the scale-out's stages in process, apart
// from the bus and the database (docs/live.md, "Scale-out"): a simulated
// city's events (fourcuts/sim, in time order) go to P partition engines
// by the ingest service's partition key, each passing the linked subset
// on (fourcuts.Engine.AddLinked, AppendTimes every window), and a global
// engine takes that subset and detects. It reports, measured in CPU time
// (getrusage, so that a loaded machine does not inflate them), the
// partition stage's events per CPU-second, the global stage's, the
// linked share, and the state per entity — each partition's snapshot and
// the global engine's, over the entities they hold — for two sizes of
// city, so that the state's growth with entities can be told from the
// engines' fixed tables.
//
//	go run ./bench/partitions -users 20000,60000 -days 7 -partitions 16
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/zhudun/zhudun/fourcuts"
	"github.com/zhudun/zhudun/fourcuts/sim"
	"github.com/zhudun/zhudun/ingest"
)

var (
	usersFlag  = flag.String("users", "20000,60000", "simulated residents, comma-separated sizes")
	days       = flag.Int("days", 7, "simulated days")
	partitions = flag.Int("partitions", 16, "partitions")
	window     = flag.Int("window", 20000, "events per window (a partition commit)")
)

func main() {
	flag.Parse()
	for _, u := range strings.Split(*usersFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(u))
		if err != nil {
			log.Fatal(err)
		}
		measure(n)
	}
}

func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func measure(users int) {
	evs := sim.Events(sim.Params{Users: users, Days: *days, Seed: 1})
	P := *partitions
	parts := make([]*fourcuts.Engine, P)
	marks := make([]fourcuts.LinkMark, P)
	for p := range parts {
		parts[p] = fourcuts.NewEngine(fourcuts.DefaultConfig())
	}
	global := fourcuts.NewEngine(fourcuts.DefaultConfig())
	var partCPU, globalCPU time.Duration
	linked, times := 0, 0
	out := make([][]*fourcuts.Event, P)
	for w := 0; w*(*window) < len(evs); w++ {
		batch := evs[w*(*window) : min(len(evs), (w+1)*(*window))]
		t := cpu()
		var lines [][]byte
		for i := range batch {
			p := ingest.Partition(&batch[i], P)
			if parts[p].AddLinked(&batch[i]) {
				out[p] = append(out[p], &batch[i])
			}
		}
		for p := range P {
			lines = append(lines, parts[p].AppendTimes(nil, &marks[p]))
		}
		partCPU += cpu() - t
		t = cpu()
		for p := range P {
			for _, ev := range out[p] {
				global.Add(ev)
			}
			linked += len(out[p])
			out[p] = out[p][:0]
			for l := range bytes.Lines(lines[p]) {
				times++
				if err := global.MergeTimes(bytes.TrimSuffix(l, []byte{'\n'})); err != nil {
					log.Fatal(err)
				}
			}
		}
		globalCPU += cpu() - t
	}
	t := cpu()
	res := global.Detect()
	detectCPU := cpu() - t
	var partState, partEnts int
	maxState, maxEnts := 0, 0
	for _, e := range parts {
		n := len(e.AppendSnapshot(nil))
		partState += n
		partEnts += e.Entities()
		if n > maxState {
			maxState, maxEnts = n, e.Entities()
		}
	}
	empty := len(fourcuts.NewEngine(fourcuts.DefaultConfig()).AppendSnapshot(nil))
	gState := len(global.AppendSnapshot(nil))
	fmt.Printf("city %d users × %d days: %d events, %d findings, %d partitions\n", users, *days, len(evs), len(res.Findings), P)
	fmt.Printf("  partition stage: %.0f events per CPU-second (all partitions, one core)\n", float64(len(evs))/partCPU.Seconds())
	fmt.Printf("  linked subset: %d events (%.1f %%) and %d times lines\n", linked, 100*float64(linked)/float64(len(evs)), times)
	fmt.Printf("  global stage: %.0f linked events per CPU-second; detect %v CPU\n", float64(linked)/globalCPU.Seconds(), detectCPU.Round(time.Millisecond))
	fmt.Printf("  partitions: %d entities, state %d MiB (%.0f B per entity; an empty engine's snapshot is %d KiB), largest %d entities %d KiB\n",
		partEnts, partState>>20, float64(partState-P*empty)/float64(partEnts), empty>>10, maxEnts, maxState>>10)
	fmt.Printf("  global: %d entities, state %d MiB (%.0f B per entity beyond the empty engine)\n", global.Entities(), gState>>20, float64(gState-empty)/float64(global.Entities()))
}
