//go:build !unix

package cputime

import "testing"

// Now is 0 where getrusage is not available.
func Now() int64 { return 0 }

// Report reports nothing where getrusage is not available.
func Report(*testing.B, int64) {}
