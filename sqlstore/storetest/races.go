package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/sqlstore"
)

// testWorkbenchRaces: decisions made at the same moment on one thing —
// the same gang confirmed by several analysts, one entity acked cut while
// it is dismissed, several appeals for one cut entity, one appeal restored
// and rejected at once, one two-person request approved and rejected at
// once — end as if made one after another: each status read is the one
// the previous decision wrote (on PostgreSQL at READ COMMITTED they would
// not be, without the workbench lock).
func testWorkbenchRaces(t *testing.T, b Backend) {
	e := newEnv(t, b)
	w, err := sqlstore.OpenFileWitness(filepath.Join(t.TempDir(), "races-witness.log"))
	e.must(err)
	t.Cleanup(func() { w.Close() })
	e.witness = w
	e.s = b.Open(t, "races", sqlstore.Options{Keys: e.keys, Now: e.clock.Now, Witness: w, TwoPersonAbove: 5})
	world := cutWorld(e)
	var analysts []context.Context
	for _, u := range []string{"ana1", "ana3", "ana4", "ana5"} {
		analysts = append(analysts, e.as(e.user(u, "SB1", "analyst")))
	}
	off := e.as(e.user("off2", "ST2", "officer"))
	ana := func(i int) context.Context { return analysts[i%len(analysts)] }
	ok := zhudun.Review{Decision: zhudun.DecisionConfirm, Reason: "猫池卡，证据充分"}
	par := func(n int, fn func(i int) error) (oks, conflicts int) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := fn(i)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					oks++
				case code(err) == zhudun.ECONFLICT:
					conflicts++
				default:
					t.Errorf("call %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		return
	}

	// Four analysts confirm the gang of five at once: five confirmations.
	par(8, func(i int) error { _, err := e.s.ReviewGang(ana(i), "G-000001", ok); return err })
	if n := e.auditCount("finding.confirm"); n != 5 {
		t.Fatalf("%d finding.confirm rows after parallel gang confirmations; want 5", n)
	}

	// The cut and a dismissal at once: either order, never both.
	card2 := world["13800000002"]
	src := e.source("cmcc-feed")
	par(2, func(i int) error {
		if i == 0 {
			_, err := e.s.AckCuts(e.sys, src, "black_card", []zhudun.CutAck{{Entity: "13800000002", Status: "cut"}})
			return err
		}
		_, err := e.s.ReviewFinding(ana(0), card2.ID, zhudun.Review{Decision: zhudun.DecisionDismiss, Reason: "复核为正常用户"})
		return err
	})
	all, err := e.s.EngineFindings(e.sys)
	e.must(err)
	for _, f := range all {
		if f.ID == card2.ID && (f.Review == zhudun.ReviewDismissed) != (f.CutAt == nil) {
			t.Fatalf("cut and dismissed at once: review %s, cut at %v", f.Review, f.CutAt)
		}
	}

	// Ten appeals for one cut card: one stays open.
	if _, err := e.s.AckCuts(e.sys, src, "black_card", []zhudun.CutAck{{Entity: "13800000001", Status: "cut"}}); err != nil {
		t.Fatal(err)
	}
	appeal := zhudun.NewAppeal{Category: "black_card", Entity: "13800000001", IDNumber: "11010519491231002X", Reason: "本人正常使用，申请恢复"}
	oks, conflicts := par(10, func(int) error { _, err := e.s.CreateAppeal(off, appeal); return err })
	if oks != 1 || conflicts != 9 {
		t.Fatalf("parallel appeals: %d accepted, %d refused; want 1 and 9", oks, conflicts)
	}
	aps, err := e.s.FindAppeals(ana(0), zhudun.AppealOpen)
	e.must(err)
	if len(aps) != 1 {
		t.Fatalf("%d open appeals", len(aps))
	}
	// Restored and rejected at once: one decision.
	oks, _ = par(6, func(i int) error {
		_, err := e.s.DecideAppeal(ana(i), aps[0].ID, i%2 == 0, "核实后处理该申诉")
		return err
	})
	if oks != 1 || e.auditCount("appeal.restore")+e.auditCount("appeal.reject") != 1 {
		t.Fatalf("parallel appeal decisions: %d applied, %d restore + %d reject rows", oks, e.auditCount("appeal.restore"), e.auditCount("appeal.reject"))
	}

	// A two-person request approved and rejected at once: one decision.
	for _, ent := range []string{"13800000003", "86123456789012", "wechat:w1"} {
		if _, err := e.s.ReviewFinding(ana(0), world[ent].ID, zhudun.Review{Decision: zhudun.DecisionDismiss, Reason: "复核为正常用户"}); err != nil {
			t.Fatal(err)
		}
	}
	var more []*zhudun.Finding
	at := time.Date(2026, 2, 27, 2, 0, 0, 0, time.UTC)
	for k := 0; k < 6; k++ {
		more = append(more, &zhudun.Finding{Kind: zhudun.KindFinding, Category: "black_card", EntityType: "msisdn", Entity: fmt.Sprintf("1380000010%d", k),
			Score: 0.9, Gang: "G-000003", FirstSeen: at, LastSeen: at, Evidence: json.RawMessage(`[{"signal":"in_black_device","value":1,"threshold":1}]`),
			Source: "cmcc-feed", Networks: []string{"cmcc"}})
	}
	e.must(e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Upsert: more}))
	res, err := e.s.ReviewGang(ana(0), "G-000003", ok)
	e.must(err)
	if res.Pending == nil {
		t.Fatal("a gang of six was not held for a second analyst")
	}
	oks, _ = par(8, func(i int) error {
		_, _, err := e.s.DecideReviewRequest(ana(1+i%3), res.Pending.ID, i%2 == 0)
		return err
	})
	if oks != 1 || e.auditCount("review.approve")+e.auditCount("review.reject") != 1 {
		t.Fatalf("parallel request decisions: %d applied", oks)
	}
}
