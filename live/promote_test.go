package live_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// TestPromotedLeadStays: a lead an analyst promoted is a finding the
// running engine does not withdraw for not finding it itself — neither on
// its next run nor after a restart from its checkpoint (when the promoted
// row is among the findings it loads) — and the engine's findings carry
// the links the gang graph draws.
func TestPromotedLeadStays(t *testing.T) {
	e := newEnv(t)
	dir, _ := world()
	e.ingest(dir)
	var lead *zhudun.Finding
	run := func(check func()) {
		t.Helper()
		ctx, cancel := context.WithCancel(t.Context())
		svc := e.service(nil)
		done := make(chan struct{})
		go func() { svc.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		e.caughtUp(e.lastSeq())
		check()
		// An allowlist change makes the engine detect again without an event.
		runs := svc.Runs()
		entry := &zhudun.AllowItem{EntityType: "msisdn", Entity: "13000000000", Reason: "与本测试无关的号码"}
		if err := e.store.AddAllow(e.sys, entry); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for svc.Runs() == runs {
			if time.Now().After(deadline) {
				t.Fatal("the engine did not run again after the allowlist changed")
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := e.store.RemoveAllow(e.sys, entry.ID); err != nil {
			t.Fatal(err)
		}
	}
	var promoted int64
	state := func() string {
		all, err := e.store.EngineFindings(e.sys)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range all {
			if f.ID == promoted {
				return f.Status
			}
		}
		return "gone"
	}
	run(func() {
		all, err := e.store.EngineFindings(e.sys)
		if err != nil {
			t.Fatal(err)
		}
		outlet, card, netted := false, false, false
		for _, f := range all {
			netted = netted || f.Kind == zhudun.KindLead && len(f.Networks) > 0
			if f.Kind == zhudun.KindLead && f.Status == zhudun.FindingLive && lead == nil {
				lead = f
			}
			for _, l := range f.Links {
				outlet = outlet || f.Category == "black_card" && strings.HasPrefix(l, "outlet|")
				card = card || f.Category == "black_account" && strings.HasPrefix(l, "black_card|")
			}
		}
		if !outlet || !card {
			t.Errorf("links: a card naming its outlet %v, an account naming its card %v", outlet, card)
		}
		if lead == nil {
			t.Fatal("the world has no lead")
		}
		if !netted {
			t.Error("no lead is placed on a network: a promoted one would be on no cut list")
		}
		p, err := e.store.PromoteLead(e.sys, lead.ID, "研判认为该线索应列为发现")
		if err != nil {
			t.Fatal(err)
		}
		promoted = p.ID
		if !slices.Equal(p.Networks, lead.Networks) {
			t.Errorf("promoted on %v, the lead on %v", p.Networks, lead.Networks)
		}
	})
	if s := state(); s != zhudun.FindingLive {
		t.Fatalf("the promoted finding is %s after the engine ran again", s)
	}
	run(func() {}) // restarted from its checkpoint
	if s := state(); s != zhudun.FindingLive {
		t.Fatalf("the promoted finding is %s after a restart", s)
	}
}
