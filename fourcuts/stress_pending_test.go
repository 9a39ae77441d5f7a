//go:build !stress

package fourcuts_test

// stressPending are the stressor worlds the engine does not pass yet
// (precision or recall under 0.95 in some category, as measured when each
// was added). They run with `go test -tags stress ./fourcuts/ -run
// TestStressWorlds`; a world leaves this list when the engine passes it.
var stressPending = map[string]bool{}

// stressVariants: without the tag, each world once, as listed.
var stressVariants = []stressVariant{{}}
