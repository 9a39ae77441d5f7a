package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// testFindings: the live engine's findings are written with their
// checkpoint in one transaction, get the department of the source that
// raised them, are updated in place and withdrawn (never deleted, never
// repeated), and are listed within the analyst's data scope.
func testFindings(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	_, _, err := e.s.CreateSource(e.sys, zhudun.NewSource{Name: "cmcc", Kind: zhudun.SourceCarrier, DeptCode: "SB1"})
	e.must(err)
	at := time.Date(2021, 6, 2, 2, 0, 0, 0, time.UTC)
	ev := json.RawMessage(`[{"signal":"imsi_per_imei","value":37,"threshold":4,"window":"7d"}]`)
	card := &zhudun.Finding{Kind: zhudun.KindFinding, Category: "black_card", EntityType: "msisdn", Entity: "13800000001",
		Score: 0.9, Gang: "G-000001", FirstSeen: at, LastSeen: at.Add(time.Hour), Evidence: ev, Source: "cmcc"}
	dev := &zhudun.Finding{Kind: zhudun.KindFinding, Category: "black_device", EntityType: "imei", Entity: "86123456789012",
		Score: 0.8, Gang: "G-000001", FirstSeen: at, LastSeen: at, Evidence: ev, Source: "unknown-source"}
	lead := &zhudun.Finding{Kind: zhudun.KindLead, Category: "black_card", EntityType: "msisdn", Entity: "13800000001",
		Score: 0.5, FirstSeen: at, LastSeen: at, Evidence: ev, Source: "cmcc"}
	e.must(e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Upsert: []*zhudun.Finding{card, dev, lead},
		Checkpoint: &zhudun.EngineCheckpoint{Name: "live", Seq: 42, State: []byte{0, 1, 2, 255}}}))
	if card.ID == 0 || dev.ID == 0 || lead.ID == 0 || card.DeptCode != "SB1" || dev.DeptCode != "ROOT" {
		t.Fatalf("created %+v %+v %+v", card, dev, lead)
	}
	cp, err := e.s.EngineCheckpoint(e.sys, "live")
	e.must(err)
	if cp.Seq != 42 || string(cp.State) != "\x00\x01\x02\xff" {
		t.Fatalf("checkpoint %+v", cp)
	}
	if _, err := e.s.EngineCheckpoint(e.sys, "other"); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("missing checkpoint: %v", err)
	}

	rootA := e.as(e.user("ana", "ROOT", "analyst"))
	sb1A := e.as(e.user("ana1", "SB1", "analyst"))
	sb2A := e.as(e.user("ana2", "SB2", "analyst"))
	off := e.as(e.user("off", "ROOT", "officer"))
	ents := func(ctx context.Context, f zhudun.FindingFilter) string {
		t.Helper()
		items, n, err := e.s.FindFindings(ctx, f)
		e.must(err)
		var out []string
		if n != len(items) {
			out = append(out, fmt.Sprintf("total %d", n))
		}
		for _, x := range items {
			out = append(out, x.Category+":"+x.Entity+":"+x.Status)
		}
		return strings.Join(out, ",")
	}
	// Newest first; the root analyst sees both, the sub-bureau's only its
	// source's, the other sub-bureau's none; leads are apart.
	if got := ents(rootA, zhudun.FindingFilter{}); got != "black_device:86123456789012:live,black_card:13800000001:live" {
		t.Fatalf("root analyst: %s", got)
	}
	if got := ents(sb1A, zhudun.FindingFilter{}); got != "black_card:13800000001:live" {
		t.Fatalf("SB1 analyst: %s", got)
	}
	if got := ents(sb2A, zhudun.FindingFilter{}); got != "" {
		t.Fatalf("SB2 analyst: %s", got)
	}
	if got := ents(rootA, zhudun.FindingFilter{Kind: zhudun.KindLead}); got != "black_card:13800000001:live" {
		t.Fatalf("leads: %s", got)
	}
	if got := ents(rootA, zhudun.FindingFilter{Category: "black_device"}); got != "black_device:86123456789012:live" {
		t.Fatalf("by category: %s", got)
	}
	if got := ents(rootA, zhudun.FindingFilter{Gang: "G-000001", Offset: 1, Limit: 1}); got != "total 2,black_card:13800000001:live" {
		t.Fatalf("by gang, second page: %s", got)
	}
	if _, _, err := e.s.FindFindings(off, zhudun.FindingFilter{}); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("officer: %v", err)
	}
	if _, _, err := e.s.FindFindings(rootA, zhudun.FindingFilter{Status: "gone"}); code(err) != zhudun.EINVALID {
		t.Fatalf("bad status: %v", err)
	}

	// Updated in place: the IMEI renamed to its 15-digit form, a higher
	// score; the card withdrawn. Ids stay; nothing is repeated.
	dev2 := *dev
	dev2.Entity, dev2.Score = "861234567890123", 0.95
	e.must(e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Upsert: []*zhudun.Finding{&dev2}, Withdraw: []int64{card.ID}}))
	if got := ents(rootA, zhudun.FindingFilter{}); got != "black_device:861234567890123:live" {
		t.Fatalf("after update: %s", got)
	}
	if got := ents(rootA, zhudun.FindingFilter{Status: zhudun.FindingWithdrawn}); got != "black_card:13800000001:withdrawn" {
		t.Fatalf("withdrawn: %s", got)
	}
	all, err := e.s.EngineFindings(e.sys)
	e.must(err)
	if len(all) != 3 || all[1].ID != dev.ID || all[1].Score != 0.95 || all[0].Status != zhudun.FindingWithdrawn {
		t.Fatalf("engine findings %+v", all)
	}
	// A new finding under a key already stored — the engine's view is older
	// than the row, as when an analyst promoted a lead since the engine
	// started — updates that row and is never repeated.
	again := *card
	again.ID, again.Score, again.Status, again.Links = 0, 0.5, zhudun.FindingLive, []string{"outlet|OUT-1"}
	e.must(e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Upsert: []*zhudun.Finding{&again}}))
	if again.ID != card.ID {
		t.Fatalf("repeated finding: id %d, want %d", again.ID, card.ID)
	}
	all, err = e.s.EngineFindings(e.sys)
	e.must(err)
	if len(all) != 3 || all[0].Score != 0.5 || all[0].Status != zhudun.FindingLive || !slices.Equal(all[0].Links, []string{"outlet|OUT-1"}) {
		t.Fatalf("after a repeated key: %d rows, first %+v", len(all), all[0])
	}
	// The change and its checkpoint are one transaction: a failing change
	// leaves the checkpoint as it was.
	if err := e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Withdraw: []int64{999999},
		Checkpoint: &zhudun.EngineCheckpoint{Name: "live", Seq: 50, State: []byte{9}}}); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("withdraw unknown: %v", err)
	}
	cp, err = e.s.EngineCheckpoint(e.sys, "live")
	e.must(err)
	if cp.Seq != 42 {
		t.Fatalf("checkpoint moved with a failed change: %d", cp.Seq)
	}

	// The SSE clients were told, each change once, by type.
	evs, err := e.s.PendingEvents(e.sys, 100)
	e.must(err)
	var types []string
	for _, x := range evs {
		if strings.HasPrefix(x.Type, "finding.") || strings.HasPrefix(x.Type, "lead.") {
			types = append(types, x.Type)
		}
	}
	if got := strings.Join(types, ","); got != "finding.created,finding.created,lead.created,finding.updated,finding.withdrawn,finding.updated" {
		t.Fatalf("events %s", got)
	}
}
