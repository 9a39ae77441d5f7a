// Package guard keeps anonymous traffic from costing the platform what it
// costs an attacker nothing to send: a per-address rate limit for requests
// without a valid session or key, and a denial log that records a burst of
// identical refusals as one audit row with its count and time span.
//
// Both hold state across requests, so they live here rather than in the
// HTTP layer, which only asks them.
package guard

import (
	"sync"
	"time"
)

// overflow is the one bucket every new address shares while the table is
// full: a flood from many addresses is limited together instead of growing
// memory.
const overflow = "*"

// AddrLimiter is a token bucket per client address: Burst requests at once,
// then Rate a second. It is safe for concurrent use and holds at most Max
// addresses.
type AddrLimiter struct {
	rate, burst float64
	max         int
	now         func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// NewAddrLimiter returns a limiter of rate requests a second with bursts of
// burst, remembering at most max addresses. now may be nil (time.Now).
func NewAddrLimiter(rate float64, burst, max int, now func() time.Time) *AddrLimiter {
	if now == nil {
		now = time.Now
	}
	return &AddrLimiter{rate: rate, burst: float64(burst), max: max, now: now, buckets: map[string]*bucket{}}
}

// Allow takes one request from addr's bucket. When it is empty, ok is false
// and wait is how long until the next request would be allowed.
func (l *AddrLimiter) Allow(addr string) (ok bool, wait time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[addr]
	if b == nil {
		if len(l.buckets) >= l.max {
			l.sweep(now)
		}
		if len(l.buckets) >= l.max {
			addr = overflow
			b = l.buckets[addr]
		}
		if b == nil {
			b = &bucket{tokens: l.burst, at: now}
			l.buckets[addr] = b
		}
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// sweep forgets addresses whose buckets have refilled: they are as good as
// new. Called with mu held, only when the table is full.
func (l *AddrLimiter) sweep(now time.Time) {
	for a, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
			delete(l.buckets, a)
		}
	}
}

// Len returns how many addresses the limiter remembers (tests, metrics).
func (l *AddrLimiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
