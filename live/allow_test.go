package live_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// TestAllowlistStopsFinding: an entity an analyst puts on the allowlist
// is withdrawn by the running engine without a new event, and found again
// once the entry is removed; the stored findings are placed on the
// carriers and platforms their events name, not on the source that sent
// them (every event here came through the source "cmcc"); an analyst's
// confirmation outlives the engine's withdrawal and return.
func TestAllowlistStopsFinding(t *testing.T) {
	e := newEnv(t)
	dir, _ := world()
	e.ingest(dir)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	svc := e.service(nil)
	done := make(chan struct{})
	go func() { svc.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	e.caughtUp(e.lastSeq())

	all, err := e.store.EngineFindings(e.sys)
	if err != nil {
		t.Fatal(err)
	}
	var dev *zhudun.Finding
	nets := map[string]bool{}
	for _, f := range all {
		if f.Kind != zhudun.KindFinding || f.Status != zhudun.FindingLive {
			continue
		}
		switch f.Category {
		case "black_device":
			if dev == nil {
				dev = f
			}
		case "black_card":
			for _, n := range f.Networks {
				nets[n] = true
			}
		case "black_account":
			if plat := f.Entity[:strings.IndexByte(f.Entity, ':')]; !slices.Equal(f.Networks, []string{plat}) {
				t.Errorf("account %s placed on %v; want [%s]", f.Entity, f.Networks, plat)
			}
		}
	}
	if dev == nil {
		t.Fatal("the world has no black device")
	}
	if !nets["cucc"] && !nets["ctcc"] {
		t.Errorf("black cards only on %v: the source's name, not the sim events' carrier", nets)
	}

	state := func() string {
		all, err := e.store.EngineFindings(e.sys)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range all {
			if f.ID == dev.ID {
				return f.Status
			}
		}
		return "gone"
	}
	wait := func(want string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for state() != want {
			if time.Now().After(deadline) {
				t.Fatalf("device %s is %s; want %s", dev.Entity, state(), want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// An analyst confirmed it first: the engine's withdrawal and its
	// return leave the confirmation as it is.
	if _, err := e.store.ReviewFinding(e.sys, dev.ID, zhudun.Review{Decision: zhudun.DecisionConfirm, Reason: "猫池设备，证据充分"}); err != nil {
		t.Fatal(err)
	}
	entry := &zhudun.AllowItem{EntityType: "imei", Entity: dev.Entity, Reason: "测试台架上的设备"}
	if err := e.store.AddAllow(e.sys, entry); err != nil {
		t.Fatal(err)
	}
	wait(zhudun.FindingWithdrawn)
	if err := e.store.RemoveAllow(e.sys, entry.ID); err != nil {
		t.Fatal(err)
	}
	wait(zhudun.FindingLive)
	all, err = e.store.EngineFindings(e.sys)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range all {
		if f.ID == dev.ID && (f.Review != zhudun.ReviewConfirmed || !f.Confirmed || f.ConfirmedAt == nil) {
			t.Errorf("after the engine withdrew and found it again: %s, confirmed %v", f.Review, f.Confirmed)
		}
	}
}
