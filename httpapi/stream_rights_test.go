package httpapi_test

import (
	"fmt"
	"testing"
	"time"
)

// next returns the next event of type typ on ch (others are skipped), or
// fails after within. ok is false when the stream ended first.
func next(t *testing.T, ch <-chan map[string]any, typ string, within time.Duration) (ev map[string]any, ok bool) {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev, open := <-ch:
			if !open {
				return nil, false
			}
			if ev["type"] == typ {
				return ev, true
			}
		case <-deadline:
			t.Fatalf("no %s event within %v", typ, within)
		}
	}
}

// deptEvent edits dept's name as rootadm and returns the name, so that the
// event it causes can be told apart.
func (h *harness) deptEvent(dept string, i int) string {
	h.t.Helper()
	name := fmt.Sprintf("%s-%d", dept, i)
	if res := h.do("rootadm", "PATCH", "/api/v1/depts/"+dept, map[string]any{"name": name}); res.status != 200 {
		h.t.Fatalf("rename %s: %d %s", dept, res.status, res.body)
	}
	return name
}

func eventName(ev map[string]any) string {
	d, _ := ev["data"].(map[string]any)
	n, _ := d["name"].(string)
	return n
}

// TestStreamFollowsRights: an open event stream re-checks its caller when
// the caller's department, roles or the roles' permissions change, and is
// filtered by the new rights (or ends) within a second (issue 19 item 5).
func TestStreamFollowsRights(t *testing.T) {
	h := newHarness(t)
	id := func(u string) string { return fmt.Sprint(h.users[u].ID) }

	// off1 (officer, dept:read over its own station ST1) is moved to ST2.
	s1 := h.stream("off1")
	if n := h.deptEvent("ST1", 1); eventName(mustNext(t, s1, "dept.updated")) != n {
		t.Fatal("off1 does not see its own station's change before the move")
	}
	if res := h.do("rootadm", "PATCH", "/api/v1/users/"+id("off1"), map[string]any{"dept_code": "ST2"}); res.status != 200 {
		t.Fatalf("move off1: %d %s", res.status, res.body)
	}
	if _, ok := next(t, s1, "caller.changed", time.Second); !ok {
		t.Fatal("off1's stream ended instead of following the move")
	}
	h.deptEvent("ST1", 2)
	want := h.deptEvent("ST2", 3)
	if got := eventName(mustNext(t, s1, "dept.updated")); got != want {
		t.Errorf("after the move off1's stream delivered %q; want only ST2's %q", got, want)
	}

	// off2 (officer in ST2) loses dept:read from its role: the stream stops
	// delivering what the role no longer grants.
	s2 := h.stream("off2")
	if res := h.do("sec", "PATCH", "/api/v1/roles/officer", map[string]any{"perms": []string{"incident:read", "unit:read", "grid:read"}}); res.status != 200 {
		t.Fatalf("edit officer: %d %s", res.status, res.body)
	}
	if _, ok := next(t, s2, "caller.changed", time.Second); !ok {
		t.Fatal("off2's stream ended instead of following the role change")
	}
	h.deptEvent("ST2", 4)
	// Replacing its roles ends its sessions: the stream ends too, and
	// delivers nothing from ST2 before it does.
	if res := h.do("sec", "PUT", "/api/v1/users/"+id("off2")+"/roles", map[string]any{"roles": []string{"commander"}}); res.status != 200 {
		t.Fatalf("regrant off2: %d %s", res.status, res.body)
	}
	deadline := time.After(time.Second)
	for ended := false; !ended; {
		select {
		case ev, open := <-s2:
			if !open {
				ended = true
				break
			}
			if ev["type"] == "dept.updated" {
				t.Errorf("off2 received %v after losing dept:read", ev)
			}
		case <-deadline:
			t.Fatal("off2's stream did not end within a second of its roles being replaced")
		}
	}
}

func mustNext(t *testing.T, ch <-chan map[string]any, typ string) map[string]any {
	t.Helper()
	ev, ok := next(t, ch, typ, 5*time.Second)
	if !ok {
		t.Fatalf("stream ended waiting for %s", typ)
	}
	return ev
}
