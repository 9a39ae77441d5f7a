//go:build stress

package fourcuts_test

// With the build tag stress every stressor world is gated.
var stressPending = map[string]bool{}
