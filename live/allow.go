package live

import (
	"context"
	"slices"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/fourcuts"
)

// Allowlister is where the analysts' allowlist lives (sqlstore.Store):
// the entries in force at now.
type Allowlister interface {
	ActiveAllowlist(ctx context.Context, now time.Time) ([]*zhudun.AllowItem, error)
}

// allowEvery is how often the allowlist is read again: an entry an
// analyst adds takes effect within it (and an expired one ends).
const allowEvery = time.Second

// loadAllow reads the allowlist (at most every allowEvery unless force)
// and, when it differs from the engine's, gives the engine the new one and
// reports true: detection must run again although no event arrived. An
// entry the engine cannot compile (a malformed value) is left out and
// logged, never stops the engine.
func (s *Service) loadAllow(ctx context.Context, force bool) (bool, error) {
	if s.cfg.Allow == nil || (!force && time.Since(s.allowAt) < allowEvery) {
		return false, nil
	}
	s.allowAt = time.Now()
	items, err := s.cfg.Allow.ActiveAllowlist(ctx, time.Now())
	if err != nil {
		return false, err
	}
	var a fourcuts.Allowlist
	for _, it := range items {
		en := fourcuts.AllowEntry{Type: it.EntityType, Value: it.Entity, Reason: it.Reason}
		one := fourcuts.Allowlist{Entries: []fourcuts.AllowEntry{en}}
		if err := one.Compile(); err != nil {
			s.log.Warn("allowlist entry left out", "id", it.ID, "err", err)
			continue
		}
		a.Entries = append(a.Entries, en)
	}
	a.Entries = append(a.Entries, s.cfg.Engine.Allow.Entries...) // a configured file's entries stay
	key := fourcuts.AllowKey(a.Entries)
	if key == s.allowKey {
		return false, nil
	}
	if err := s.eng.SetAllow(a); err != nil {
		return false, err
	}
	s.allowKey = key
	s.log.Info("allowlist loaded", "entries", len(a.Entries))
	return true, nil
}

// networks places this run's findings on carriers and platforms from the
// events (fourcuts.Engine.Networks), for the cut lists.
func (s *Service) networks(res *fourcuts.Result) {
	// leads too: a lead an analyst promotes is cut on their networks
	s.nets = s.eng.Networks(append(slices.Clip(res.Findings), res.Leads...))
}
