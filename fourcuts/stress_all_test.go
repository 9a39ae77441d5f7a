//go:build stress

package fourcuts_test

// With the build tag stress every stressor world is gated, as listed and
// at two more draws: another seed, and another seed at twice the size.
var stressPending = map[string]bool{}

var stressVariants = []stressVariant{{}, {seed: 1000}, {seed: 2000, users: 6000, days: 4}}
