//go:build unix

// Package cputime gives benchmarks the process's CPU time. On a machine
// shared with other work a benchmark's wall time per operation (ns/op)
// mostly measures the other work; the CPU time is what the code costs.
package cputime

import (
	"syscall"
	"testing"
)

// Now is the process's CPU time (user + system) so far, in nanoseconds.
func Now() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// Report adds the CPU time per operation since start (a value of Now) to
// b's figures as cpu-ns/op.
func Report(b *testing.B, start int64) {
	b.ReportMetric(float64(Now()-start)/float64(b.N), "cpu-ns/op")
}
