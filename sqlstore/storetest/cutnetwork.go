package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// testCutPerNetwork: a device on two carriers' lists is cut on each by
// its own carrier — cmcc's cut does not cut it on cucc's list, and cucc's
// own report is recorded, not swallowed; the figures count per network. A
// page of a list may end inside one instant (a gang confirmed at once):
// the next one starts after (since, after).
func testCutPerNetwork(t *testing.T, b Backend) {
	e := newEnv(t, b)
	w := cutWorld(e)
	sb1 := e.as(e.user("ana1", "SB1", "analyst"))
	if _, err := e.s.ReviewGang(sb1, "G-000001", zhudun.Review{Decision: zhudun.DecisionConfirm, Reason: "猫池及其卡，证据充分"}); err != nil {
		t.Fatal(err)
	}
	cmcc, cucc := e.source("cmcc-feed"), e.source("cucc")
	status := func(src *zhudun.Source, cat, entity string) string {
		t.Helper()
		items, err := e.s.CutList(e.sys, src, cat, time.Time{}, 0)
		e.must(err)
		for _, it := range items {
			if it.Entity == entity {
				return it.Status
			}
		}
		return "absent"
	}
	dev := "86123456789012"
	res, err := e.s.AckCuts(e.sys, cmcc, "black_device", []zhudun.CutAck{{Entity: dev, Status: "cut"}})
	e.must(err)
	if res[0].Status != zhudun.ReviewCut || res[0].Error != "" {
		t.Fatalf("cmcc's cut: %+v", res[0])
	}
	if got := status(cmcc, "black_device", dev); got != "cut" {
		t.Fatalf("on cmcc's list: %s", got)
	}
	if got := status(cucc, "black_device", dev); got != "confirmed" {
		t.Fatalf("on cucc's list after cmcc's cut: %s; want confirmed (still to cut there)", got)
	}
	res, err = e.s.AckCuts(e.sys, cucc, "black_device", []zhudun.CutAck{{Entity: dev, Status: "not_cut", Reason: "非本网设备"}})
	e.must(err)
	if res[0].Error != "" || status(cucc, "black_device", dev) != "confirmed" {
		t.Fatalf("cucc's not-cut: %+v", res[0])
	}
	res, err = e.s.AckCuts(e.sys, cucc, "black_device", []zhudun.CutAck{{Entity: dev, Status: "cut"}})
	e.must(err)
	if res[0].Status != zhudun.ReviewCut || status(cucc, "black_device", dev) != "cut" {
		t.Fatalf("cucc's cut: %+v", res[0])
	}
	if n := e.auditCount("cutlist.ack"); n != 3 {
		t.Fatalf("%d cutlist.ack rows; want 3 (cmcc's cut, cucc's not-cut and cut)", n)
	}
	stats, err := e.s.CutListStats(sb1, 48*time.Hour)
	e.must(err)
	for _, st := range stats {
		if st.Category == "black_device" && (st.Source == "cmcc-feed" || st.Source == "cucc") && (st.Cut != 1 || st.Confirmed != 0) {
			t.Errorf("%s's device figures: %d cut, %d to cut; want 1 and 0", st.Source, st.Cut, st.Confirmed)
		}
	}
	// Restored on appeal, it is not confirmed again on the same evidence;
	// active again since, it is — and is to cut again on every network.
	off := e.as(e.user("off2", "ST2", "officer"))
	ap, err := e.s.CreateAppeal(off, zhudun.NewAppeal{Category: "black_device", Entity: dev, IDNumber: "11010519491231002X", Reason: "本人手机，申请恢复"})
	e.must(err)
	if _, err := e.s.DecideAppeal(sb1, ap.ID, true, "核实为正常用户，恢复"); err != nil {
		t.Fatal(err)
	}
	again := zhudun.Review{Decision: zhudun.DecisionConfirm, Reason: "再次确认为猫池"}
	if _, err := e.s.ReviewFinding(sb1, w[dev].ID, again); code(err) != zhudun.ECONFLICT {
		t.Fatalf("a restored finding confirmed on its old evidence: %v", err)
	}
	f := *w[dev]
	e.clock.Advance(time.Hour)
	f.LastSeen = e.clock.Now().UTC()
	e.must(e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Upsert: []*zhudun.Finding{&f}}))
	if _, err := e.s.ReviewFinding(sb1, w[dev].ID, again); err != nil {
		t.Fatalf("confirmed anew after new activity: %v", err)
	}
	if a, b := status(cmcc, "black_device", dev), status(cucc, "black_device", dev); a != "confirmed" || b != "confirmed" {
		t.Fatalf("after a new confirmation: cmcc %s, cucc %s; want confirmed on both", a, b)
	}

	// cmcc's cards were confirmed at one instant: a page ending after the
	// first goes on with the second.
	items, err := e.s.CutList(e.sys, cmcc, "black_card", time.Time{}, 0)
	e.must(err)
	var ents []string
	for _, it := range items {
		ents = append(ents, it.Entity)
	}
	if strings.Join(ents, ",") != "13800000001,13800000002" || !items[0].UpdatedAt.Equal(items[1].UpdatedAt) {
		t.Fatalf("cmcc's cards %v", ents)
	}
	rest, err := e.s.CutList(e.sys, cmcc, "black_card", items[0].UpdatedAt, items[0].FindingID)
	e.must(err)
	if len(rest) != 1 || rest[0].Entity != "13800000002" {
		t.Fatalf("after the first: %+v", rest)
	}
	if none, _ := e.s.CutList(e.sys, cmcc, "black_card", items[1].UpdatedAt, 0); len(none) != 0 {
		t.Fatalf("strictly after the instant: %+v", none)
	}
}
