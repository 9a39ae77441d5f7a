package sqlstore

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// cappedCounts remembers which list counts reached their cap. A list's
// total is counted to zhudun.ListCountCap and reads "more than" past it;
// counting a district's history to the cap was most of a list's cost
// under load (SQLite, 2 M incidents: 5–7 ms of the 7 a request), and the
// answer hardly changes: rows leave a count only when they are purged or
// change status, so a count past the cap stays past it for long. Counts
// under the cap are never cached: they change with every new row.
type cappedCounts struct {
	mu  sync.Mutex
	ttl time.Duration
	at  map[string]time.Time // key → when the count was found past the cap
}

// cappedCountTTL bounds how long "more than ListCountCap" is taken on
// trust: at most this long a total may read "more than 10 000" after
// purges or closures brought it to 10 000 or under.
const cappedCountTTL = 30 * time.Second

func countKey(q string, args []any) string {
	var b strings.Builder
	b.WriteString(q)
	for _, a := range args {
		fmt.Fprintf(&b, "\x00%T:%v", a, a)
	}
	return b.String()
}

// capped reports whether key was found past the cap within the TTL.
func (c *cappedCounts) capped(key string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	at, ok := c.at[key]
	if ok && now.Sub(at) >= c.ttl {
		delete(c.at, key)
		return false
	}
	return ok
}

func (c *cappedCounts) remember(key string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at == nil {
		c.at = map[string]time.Time{}
	}
	// Bounded: past 10 000 keys (scopes × filters) the oldest half goes.
	if len(c.at) >= 10000 {
		for k, t := range c.at {
			if now.Sub(t) >= c.ttl/2 {
				delete(c.at, k)
			}
		}
		if len(c.at) >= 10000 {
			clear(c.at)
		}
	}
	c.at[key] = now
}
