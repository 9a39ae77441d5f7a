//go:build unix

package algocli

import (
	"syscall"
	"testing"
)

// reportCPU adds the process's CPU time (user + system) per operation since
// start to a benchmark's figures. On a machine shared with other work the
// wall time per operation (ns/op) mostly measures the other work; the CPU
// time is what the code costs.
func reportCPU(b *testing.B, start int64) {
	b.ReportMetric(float64(cpuNanos()-start)/float64(b.N), "cpu-ns/op")
}

// cpuNanos is the process's CPU time so far.
func cpuNanos() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
