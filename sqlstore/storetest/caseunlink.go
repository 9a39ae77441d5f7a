package storetest

import (
	"sync"
	"testing"

	"github.com/zhudun/zhudun"
)

// testCaseUnlink: a link comes off with a reason, by a writer of either
// case — a station takes a city-wide user's link to another station's case
// off its own file without seeing that case —, on both timelines and
// audited on both; a link that is not there is 404; a merged case is 409;
// of ten unlinks at once one succeeds.
func testCaseUnlink(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	st1 := e.as(e.user("ana_st1", "ST1", "analyst"))
	st2 := e.as(e.user("ana_st2", "ST2", "analyst"))
	root := e.as(e.user("ana_root", "ROOT", "analyst"))
	a := e.newCase(st1, "一所诈骗案", "")
	bc := e.newCase(st2, "二所帮信案", "")
	if _, err := e.s.LinkCases(root, a.ID, bc.ID, "同一资金账户"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.UnlinkCases(st1, a.ID, bc.ID, "否"); code(err) != zhudun.EINVALID {
		t.Fatalf("a reason too short: %v", err)
	}
	if _, err := e.s.UnlinkCases(st2, a.ID, bc.ID, "并非同一账户"); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("ST2 unlinks from ST1's case: %v", err)
	}
	before := e.auditCount("case.unlink")
	d, err := e.s.UnlinkCases(st2, bc.ID, a.ID, "经核实并非同一账户")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Links) != 0 {
		t.Fatalf("links after unlinking: %+v", d.Links)
	}
	if n := e.auditCount("case.unlink"); n != before+2 {
		t.Fatalf("case.unlink audited %d times, want 2 (one per case)", n-before)
	}
	// Both timelines, each naming the other case by its receipt.
	for _, x := range []struct {
		id   int64
		name string
	}{{a.ID, bc.Receipt}, {bc.ID, a.Receipt}} {
		c, err := e.s.FindCaseByID(root, x.id)
		e.must(err)
		if len(c.Links) != 0 {
			t.Fatalf("case %d still lists %+v", x.id, c.Links)
		}
		var kinds []string
		var un *zhudun.CaseEvent
		for _, ev := range c.Events {
			kinds = append(kinds, ev.Kind)
			if ev.Kind == "unlink" {
				un = ev
			}
		}
		if un == nil || un.Actor != "ana_st2" || un.Reason != "经核实并非同一账户" || len(un.Changes) != 1 ||
			un.Changes[0].Field != "case" || un.Changes[0].Before != x.name || un.Changes[0].After != "" {
			t.Fatalf("case %d timeline %v: unlink %+v", x.id, kinds, un)
		}
		if kinds[len(kinds)-2] != "link" {
			t.Fatalf("case %d timeline %v: want the link before the unlink", x.id, kinds)
		}
	}
	if _, err := e.s.UnlinkCases(st1, a.ID, bc.ID, "经核实并非同一账户"); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("unlink twice: %v", err)
	}
	// Linked again, it may be unlinked again.
	if _, err := e.s.LinkCases(root, a.ID, bc.ID, "新发现同一设备"); err != nil {
		t.Fatalf("link again: %v", err)
	}

	// Ten at once: one takes the link off, the others find none.
	if got := atOnce(10, func() error {
		_, err := e.s.UnlinkCases(st1, a.ID, bc.ID, "再次核实后解除")
		return err
	}); got[""] != 1 || got[zhudun.ENOTFOUND] != 9 {
		t.Fatalf("parallel unlinks by error code: %v", got)
	}

	// A merged duplicate's links stay on it: 409.
	c := e.newCase(st1, "一所重复案", "")
	if _, err := e.s.LinkCases(st1, c.ID, a.ID, "疑似重复立案"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.MergeCase(st1, c.ID, a.ID, "重复立案，并案"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.UnlinkCases(st1, c.ID, a.ID, "并案后解除"); code(err) != zhudun.ECONFLICT {
		t.Fatalf("unlink from a merged case: %v", err)
	}
}

// atOnce runs f n times at once and counts the outcomes by error code
// ("" for success).
func atOnce(n int, f func() error) map[string]int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	out := map[string]int{}
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := code(f())
			mu.Lock()
			out[c]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}
