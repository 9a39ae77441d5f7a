// Package burst scores a stream of edges for sudden micro-cluster bursts: a
// pair of nodes, or a single node, that suddenly appears far more often in the
// current time tick than its own history predicts.
//
// The scorer follows MIDAS (Bhatia et al., AAAI 2020) and its extensions
// MIDAS-R (temporal decay and node scores) and MIDAS-F (filtering of
// anomalous counts out of the history). Counts live in count-min sketches of a
// fixed size, so memory does not grow with the stream; each edge costs a
// constant number of hash evaluations and bucket updates.
//
// For every edge (u, v, t) the scorer keeps, per sketch (the edge u→v, the
// source u, the destination v), an estimate a of the recent count and s of the
// total count, and scores how far a is above the mean rate s/t with the
// chi-squared statistic
//
//	X² = (a − s/t)² · t² / (s · (t − 1)).
//
// The edge's score is the largest of the three. The package does no I/O.
package burst

import (
	"errors"
	"fmt"
	"math"
)

// Variant selects which of the published MIDAS variants the scorer follows.
type Variant int

const (
	// Filtered is MIDAS-F: MIDAS-R plus conditional merging, so that counts
	// that scored above Config.Threshold do not enter the history and an
	// ongoing attack cannot make itself look normal. It is the default.
	Filtered Variant = iota
	// Relational is MIDAS-R: the recent count decays by Config.Decay per
	// tick instead of resetting, and source and destination nodes are scored
	// besides the edge.
	Relational
	// Plain is the original MIDAS: per-edge counts only, the current count
	// resets at every tick.
	Plain
)

// String returns the variant's short name.
func (v Variant) String() string {
	switch v {
	case Filtered:
		return "F"
	case Relational:
		return "R"
	case Plain:
		return "plain"
	}
	return fmt.Sprintf("Variant(%d)", int(v))
}

// ParseVariant parses the names printed by Variant.String ("F", "R", "plain").
func ParseVariant(s string) (Variant, error) {
	switch s {
	case "F", "f", "filtered":
		return Filtered, nil
	case "R", "r", "relational":
		return Relational, nil
	case "plain", "midas":
		return Plain, nil
	}
	return 0, fmt.Errorf("burst: unknown variant %q (want F, R or plain)", s)
}

// Config holds the scorer's parameters. The zero value is not usable; start
// from DefaultConfig.
type Config struct {
	// Variant is the MIDAS variant; see the constants.
	Variant Variant
	// Rows is the number of independent hash rows of each count-min sketch.
	Rows int
	// Buckets is the width of each sketch row; it is rounded up to a power
	// of two.
	Buckets int
	// Decay is the factor by which the recent count shrinks per elapsed tick
	// (Relational and Filtered only), in [0, 1).
	Decay float64
	// Threshold is the score above which a bucket's counts of the current
	// tick are kept out of its history (Filtered only).
	Threshold float64
	// Seed selects the hash functions. Scores depend on it only through
	// hash collisions.
	Seed uint64
}

// DefaultSeed is the seed used by DefaultConfig.
const DefaultSeed = 7

// DefaultConfig returns the parameters published with MIDAS-F as its general
// defaults — two hash rows of 1024 buckets, decay 0.5, threshold 10³ — fixed in
// advance rather than tuned to any one data set.
func DefaultConfig() Config {
	return Config{
		Variant:   Filtered,
		Rows:      2,
		Buckets:   1024,
		Decay:     0.5,
		Threshold: 1e3,
		Seed:      DefaultSeed,
	}
}

// ErrTimeBackwards is returned by Score when an edge's time is earlier than
// the previous edge's.
var ErrTimeBackwards = errors.New("burst: time went backwards")

// cell is one bucket of a sketch row. Decay and merging are applied lazily,
// when the bucket is next touched, so that a new tick costs nothing and the
// sketch may be wide.
type cell struct {
	cur  float64 // recent (decayed) count, as of tick
	tot  float64 // total count of ticks before tick, after filtering
	pend float64 // raw arrivals during tick, not yet in tot
	tick int64   // tick of the last update
	hot  bool    // some arrival during tick scored above the threshold
}

// sketch is a count-min sketch of Rows×Buckets cells.
type sketch struct {
	cells []cell
}

// Scorer scores edges one at a time. It is not safe for concurrent use.
type Scorer struct {
	cfg    Config
	mask   uint64
	width  uint64
	seeds  []uint64
	edge   sketch
	src    sketch
	dst    sketch
	decay  []float64 // decay[d] = Decay^d for small d
	t0     int64     // first time seen; ticks are counted from it
	last   int64     // last time seen
	start  bool
	filter bool
	nodes  bool
	idx    []int // scratch: bucket index per row
}

// New returns a scorer for cfg.
func New(cfg Config) (*Scorer, error) {
	if cfg.Rows < 1 || cfg.Rows > 64 {
		return nil, fmt.Errorf("burst: rows %d out of range [1, 64]", cfg.Rows)
	}
	if cfg.Buckets < 1 || cfg.Buckets > 1<<28 {
		return nil, fmt.Errorf("burst: buckets %d out of range [1, 2^28]", cfg.Buckets)
	}
	if !(cfg.Decay >= 0 && cfg.Decay < 1) {
		return nil, fmt.Errorf("burst: decay %v out of range [0, 1)", cfg.Decay)
	}
	if cfg.Variant == Filtered && !(cfg.Threshold > 0) {
		return nil, fmt.Errorf("burst: threshold %v must be positive", cfg.Threshold)
	}
	if cfg.Variant < Filtered || cfg.Variant > Plain {
		return nil, fmt.Errorf("burst: unknown variant %d", int(cfg.Variant))
	}
	w := uint64(1)
	for w < uint64(cfg.Buckets) {
		w <<= 1
	}
	s := &Scorer{
		cfg:    cfg,
		mask:   w - 1,
		width:  w,
		filter: cfg.Variant == Filtered,
		nodes:  cfg.Variant != Plain,
		idx:    make([]int, cfg.Rows),
	}
	// Independent per-row seeds derived from the one seed.
	x := cfg.Seed
	for range cfg.Rows {
		x += 0x9e3779b97f4a7c15
		s.seeds = append(s.seeds, mix(x))
	}
	n := cfg.Rows * int(w)
	s.edge.cells = make([]cell, n)
	if s.nodes {
		s.src.cells = make([]cell, n)
		s.dst.cells = make([]cell, n)
	}
	decay := cfg.Decay
	if cfg.Variant == Plain {
		decay = 0 // the current count resets at every tick
	}
	s.decay = make([]float64, 64)
	p := 1.0
	for i := range s.decay {
		s.decay[i] = p
		p *= decay
	}
	return s, nil
}

// Config returns the scorer's configuration, with Buckets rounded up.
func (s *Scorer) Config() Config {
	c := s.cfg
	c.Buckets = int(s.width)
	return c
}

// Score records the edge src→dst at time t and returns its anomaly score:
// zero or more, higher is more anomalous. Times must not decrease; ticks are
// counted from the first edge's time, so absolute clocks (Unix seconds, say)
// and tick numbers starting at 1 score alike.
func (s *Scorer) Score(src, dst uint64, t int64) (float64, error) {
	if !s.start {
		s.start = true
		s.t0 = t - 1
		s.last = t
	}
	if t < s.last {
		return 0, fmt.Errorf("%w: %d after %d", ErrTimeBackwards, t, s.last)
	}
	s.last = t
	tick := t - s.t0
	// Keys: the edge key must differ from either endpoint's, and u→v from v→u.
	ek := mix(src*0xbf58476d1ce4e5b9 ^ dst)
	score := s.update(&s.edge, ek, tick)
	if s.nodes {
		if x := s.update(&s.src, src, tick); x > score {
			score = x
		}
		if x := s.update(&s.dst, dst, tick); x > score {
			score = x
		}
	}
	return score, nil
}

// update counts key at tick in sk and returns its chi-squared score.
func (s *Scorer) update(sk *sketch, key uint64, tick int64) float64 {
	a, tot := math.Inf(1), math.Inf(1)
	w := s.width
	for r, seed := range s.seeds {
		i := uint64(r)*w + (mix(key^seed) & s.mask)
		s.idx[r] = int(i)
		c := &sk.cells[i]
		if c.tick != tick {
			s.settle(c, tick)
		}
		c.cur++
		c.pend++
		if c.cur < a {
			a = c.cur
		}
		if x := c.tot + c.pend; x < tot {
			tot = x
		}
	}
	x := chi2(a, tot, float64(tick))
	if s.filter && x > s.cfg.Threshold {
		for _, i := range s.idx {
			sk.cells[i].hot = true
		}
	}
	return x
}

// settle brings a cell last touched at an earlier tick up to tick: the
// arrivals of its last tick join its history (or, if they scored as an
// anomaly, the history's mean rate joins instead), and its recent count
// decays for every elapsed tick.
func (s *Scorer) settle(c *cell, tick int64) {
	if c.hot && c.tick > 1 {
		c.tot += c.tot / float64(c.tick-1)
	} else {
		c.tot += c.pend
	}
	c.pend = 0
	c.hot = false
	d := tick - c.tick
	if d < int64(len(s.decay)) {
		c.cur *= s.decay[d]
	} else {
		c.cur *= math.Pow(s.decay[1], float64(d))
	}
	c.tick = tick
}

// chi2 is MIDAS's chi-squared statistic for a recent count a against a total
// count s over t ticks; it is zero on the first tick, when there is no
// history to compare with.
func chi2(a, s, t float64) float64 {
	if t <= 1 || s <= 0 {
		return 0
	}
	d := a - s/t
	return d * d * t * t / (s * (t - 1))
}

// mix is a 64-bit finaliser (from SplitMix64): it spreads every input bit over
// the output, so masking its low bits gives a well-mixed bucket.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// HashID maps a textual node id to a key for Score. Decimal integers map to
// their value, so "42", "042" and the integer 42 are one node; any other text
// maps through a 64-bit FNV-1a hash into a range that integers written in a
// file rarely reach.
func HashID(b []byte) uint64 {
	if v, ok := parseUint(b); ok {
		return v
	}
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h | 1<<63
}

// parseUint parses a non-empty run of at most 18 decimal digits.
func parseUint(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v, true
}
