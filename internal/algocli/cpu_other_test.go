//go:build !unix

package algocli

import "testing"

// reportCPU reports nothing where getrusage is not available.
func reportCPU(*testing.B, int64) {}

func cpuNanos() int64 { return 0 }
