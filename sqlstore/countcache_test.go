package sqlstore

import (
	"testing"
	"time"
)

func TestCappedCountsExpire(t *testing.T) {
	c := cappedCounts{ttl: 30 * time.Second}
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	k := countKey("SELECT 1 WHERE a = ?", []any{int64(7)})
	if c.capped(k, t0) {
		t.Fatal("capped before it was counted")
	}
	c.remember(k, t0)
	if !c.capped(k, t0.Add(29*time.Second)) {
		t.Fatal("forgotten within the TTL")
	}
	if c.capped(k, t0.Add(30*time.Second)) {
		t.Fatal("kept past the TTL")
	}
	// The same text with other arguments, or an int for a string, is
	// another count.
	c.remember(k, t0)
	if c.capped(countKey("SELECT 1 WHERE a = ?", []any{int64(8)}), t0) || c.capped(countKey("SELECT 1 WHERE a = ?", []any{"7"}), t0) {
		t.Fatal("another count's arguments matched")
	}
}
