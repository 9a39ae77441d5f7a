package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/sqlstore"
)

// piiSearcher creates a user in dept holding a business role with user:read
// and pii:search over its subtree (the role is made once) and returns its
// context.
func (e *env) piiSearcher(name, dept string) context.Context {
	e.t.Helper()
	sys := e.sys
	if _, err := e.s.FindRoles(sys); err != nil {
		e.t.Fatal(err)
	}
	err := e.s.CreateRole(sys, &zhudun.Role{ID: "hr_check", Name: "人员核查", Scope: zhudun.ScopeSubtree,
		Perms: []zhudun.Permission{zhudun.PermUserRead, zhudun.PermPIISearch}})
	if err != nil && code(err) != zhudun.ECONFLICT {
		e.t.Fatal(err)
	}
	return e.as(e.user(name, dept, "hr_check"))
}

type alerts struct {
	mu  sync.Mutex
	got []string
}

func (a *alerts) hook(_ context.Context, event, subject string, detail map[string]any) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for k := range detail {
		if strings.Contains(fmt.Sprint(detail[k]), "1391234") {
			return fmt.Errorf("alert detail %s carries a phone", k)
		}
	}
	a.got = append(a.got, event+" "+subject)
	return nil
}

// testPIISearch: searching by personal data needs pii:view or pii:search and
// a reason, is audited like an unmasked view without the value, and is
// limited per user: past the limit the capability locks, the audit
// administrator is alerted once, and only a security administrator restores
// it (issue 19 item 2, issue 20 item 3).
func testPIISearch(t *testing.T, b Backend) {
	var al alerts
	e := newEnv(t, b)
	e.s = b.Open(t, "pii", sqlstore.Options{Keys: e.keys, Now: e.clock.Now, Alert: al.hook})
	e.fixture()
	disp := e.as(e.user("disp1", "SB1", zhudun.RoleDispatcher))
	off := e.as(e.user("off1", "ST1", zhudun.RoleOfficer))
	sec := e.as(e.user("sec", "ROOT", zhudun.RoleSecAdmin))
	cmd := e.user("cmd1", "SB1", zhudun.RoleCommander)
	rep, err := e.s.ImportGrids(e.as(cmd), []*zhudun.Grid{grid("A1", "ST1", 117.00, 36.60)}, nil)
	if err != nil || rep.Created != 1 {
		t.Fatalf("grid: %+v %v", rep, err)
	}
	for i := 0; i < 2; i++ {
		if _, err := e.s.CreateIncident(disp, zhudun.NewIncident{Category: "dispute", Lon: 117.006, Lat: 36.606, CallerPhone: "13912345678"}); err != nil {
			t.Fatal(err)
		}
	}
	const why = "来电核查：是否重复报警"
	phone := func(ctx context.Context, reason string) (int, error) {
		_, n, err := e.s.FindIncidents(ctx, zhudun.IncidentFilter{Phone: "13912345678", Reason: reason})
		return n, err
	}
	// Without the permission, or without a reason: 403, nothing counted.
	if _, err := phone(off, why); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("officer searches by phone: %v; want EFORBIDDEN", err)
	}
	for _, r := range []string{"", "查询", "  查询  ", strings.Repeat("查", 201)} {
		if _, err := phone(disp, r); code(err) != zhudun.EFORBIDDEN || field(err) != "reason" {
			t.Errorf("dispatcher searches with reason %q: %v; want EFORBIDDEN on reason", r, err)
		}
	}
	// A list that filters by nothing personal is no search.
	if _, n, err := e.s.FindIncidents(off, zhudun.IncidentFilter{}); err != nil || n != 2 {
		t.Errorf("officer's plain list: %d %v", n, err)
	}
	// The dispatcher, with pii:search by default and a reason of 4 characters.
	if n, err := phone(disp, "重复报警"); err != nil || n != 2 {
		t.Fatalf("dispatcher searches by phone: %d %v; want 2", n, err)
	}
	rows, _, err := e.s.FindAudit(e.sys, zhudun.AuditFilter{Action: "pii.search"})
	e.must(err)
	if len(rows) != 1 || rows[0].Username != "disp1" || rows[0].ObjectType != "incident" ||
		string(rows[0].Detail) != `{"fields":["phone"],"matched":2,"reason":"重复报警"}` {
		t.Fatalf("pii.search audit = %+v", rows)
	}
	// 50 at once: the limit is 30 an hour and the first search used one, so
	// 29 go through and 21 are refused; the capability locks once.
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[string]int{}
	start := make(chan struct{})
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := phone(disp, why)
			mu.Lock()
			codes[code(err)]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	if codes[""] != 29 || codes[zhudun.EFORBIDDEN] != 21 {
		t.Errorf("50 parallel searches: %v; want 29 allowed, 21 EFORBIDDEN", codes)
	}
	if len(al.got) != 1 || al.got[0] != "security.pii_search_burst disp1" {
		t.Errorf("alerts: %v; want one security.pii_search_burst for disp1", al.got)
	}
	if n := e.auditCount("pii.search_locked"); n != 1 {
		t.Errorf("pii.search_locked rows: %d; want 1", n)
	}
	if n := e.auditCount("pii.search") - e.auditCount("pii.search_"); n != 30 { // the filter matches a prefix
		t.Errorf("pii.search rows: %d; want 30", n)
	}
	// Locked, not merely throttled: an hour later it still refuses.
	e.clock.Advance(time.Hour + time.Minute)
	if _, err := phone(disp, why); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("an hour after the lock: %v; want EFORBIDDEN", err)
	}
	if err := e.s.UnlockPIISearch(off, 1); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("officer restores the capability: %v; want EFORBIDDEN", err)
	}
	c := zhudun.CallerFrom(disp)
	e.must(e.s.UnlockPIISearch(sec, c.UserID))
	if n, err := phone(disp, why); err != nil || n != 2 {
		t.Errorf("after the security administrator restores it: %d %v", n, err)
	}
	// No clear phone anywhere in the audit log.
	all, _, err := e.s.FindAudit(e.sys, zhudun.AuditFilter{Limit: 500})
	e.must(err)
	for _, r := range all {
		if strings.Contains(string(r.Detail)+r.ObjectID, "13912345678") {
			t.Errorf("audit row %d carries the phone: %s", r.Seq, r.Detail)
		}
	}
}
