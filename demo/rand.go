package demo

import "hash/fnv"

// rng is SplitMix64: tiny, fast, and — unlike math/rand's derived methods —
// fixed forever, so a seed gives the same demo city on every Go release.
type rng struct{ s uint64 }

// newRNG derives an independent stream from seed and a purpose, so adding a
// district or a user does not move every station of the others.
func newRNG(seed int64, purpose string) *rng {
	h := fnv.New64a()
	h.Write([]byte(purpose))
	return &rng{s: uint64(seed) ^ h.Sum64()}
}

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// float64 returns a uniform number in [0, 1).
func (r *rng) float64() float64 { return float64(r.next()>>11) / (1 << 53) }

// intn returns a number in [0, n); the modulo bias is below 2⁻⁵⁰ for the
// small n used here.
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }
