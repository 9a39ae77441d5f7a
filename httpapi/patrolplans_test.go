package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// TestPatrolPlansAPI: plans by permission and scope, a unit's batch of
// positions past a checkpoint → the live layer shows it visited, the
// report's coverage counts it, the visits export lists it; another
// station's officer sees none of it.
func TestPatrolPlansAPI(t *testing.T) {
	h := newHarness(t)
	sys := zhudun.WithCaller(t.Context(), zhudun.SystemCaller("test"))
	for _, u := range []struct{ name, dept, role string }{{"cmd1", "SB1", "commander"}, {"cmd2", "SB2", "commander"}} {
		nu, err := h.store.CreateUser(sys, zhudun.NewUser{Username: u.name, DeptCode: u.dept, Password: pw, Own: true, Roles: []string{u.role}})
		if err != nil {
			t.Fatal(err)
		}
		h.users[u.name] = nu
		h.tokens[u.name] = h.login(u.name, pw)
	}
	if r := h.do("cmd1", "POST", "/api/v1/grids", fc(squareFeature("A1", "ST1", 117.00, 36.60, 0.01, nil))); r.status != 200 {
		t.Fatalf("grid: %d %s", r.status, r.body)
	}
	// One checkpoint at 117.005, 36.605 (r = 40 m), a whole-day shift with one window.
	plan := map[string]any{"grid": "A1", "name": "A1 全天", "checkpoints": []map[string]any{{"code": "K1", "name": "路口", "lon": 117.005, "lat": 36.605, "radius_m": 40}},
		"shifts": []map[string]any{{"name": "all", "start": "00:00", "end": "00:00"}}, "windows": []map[string]any{{"shift": "all", "start": "00:00", "end": "00:00", "checkpoints": []string{"K1"}}}}
	if r := h.do("off1", "POST", "/api/v1/patrol/plans", plan); r.status != 403 {
		t.Errorf("officer creates a plan: %d, want 403", r.status)
	}
	if r := h.do("cmd2", "POST", "/api/v1/patrol/plans", plan); r.status != 404 {
		t.Errorf("SB2 commander creates for A1: %d, want 404", r.status)
	}
	r := h.do("cmd1", "POST", "/api/v1/patrol/plans", plan)
	var p zhudun.PatrolPlan
	decodeInto(t, r, &p)
	if r.status != 201 || p.Version != 1 || p.GridCode != "A1" {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	if r := h.do("off1", "GET", fmt.Sprintf("/api/v1/patrol/plans/%d", p.ID), nil); r.status != 200 {
		t.Errorf("ST1 officer reads: %d", r.status)
	}
	if r := h.do("off2", "GET", fmt.Sprintf("/api/v1/patrol/plans/%d", p.ID), nil); r.status != 404 {
		t.Errorf("ST2 officer reads: %d, want 404", r.status)
	}
	if r := h.do("off2", "GET", "/api/v1/patrol/plans", nil); !strings.Contains(string(r.body), `"total":0`) {
		t.Errorf("ST2 officer lists: %s", r.body)
	}
	plan["version"] = 5
	if r := h.do("cmd1", "PUT", fmt.Sprintf("/api/v1/patrol/plans/%d", p.ID), plan); r.status != 409 {
		t.Errorf("stale version: %d, want 409", r.status)
	}
	// A unit drives past: 500 m west to 500 m east of K1 in 40 s, one batch.
	r = h.do("cmd1", "POST", "/api/v1/units", map[string]any{"callsign": "鲁A-巡1", "kind": "car", "station": "ST1"})
	var u zhudun.Unit
	decodeInto(t, r, &u)
	now := time.Now().UTC()
	if r := h.do("cmd1", "POST", fmt.Sprintf("/api/v1/units/%d/positions", u.ID), []map[string]any{
		{"lon": 117.005 - 500.0/89470, "lat": 36.605, "ts": now.Add(-50 * time.Second)}, {"lon": 117.005 + 500.0/89470, "lat": 36.605, "ts": now.Add(-10 * time.Second)}}); r.status != 200 {
		t.Fatalf("positions: %d %s", r.status, r.body)
	}
	var live struct {
		Items []struct {
			Grid        string
			Percent     *float64
			Checkpoints []struct {
				Code    string
				Visited bool
			}
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		decodeInto(t, h.do("cmd1", "GET", "/api/v1/patrol/coverage/live", nil), &live)
		if len(live.Items) == 1 && live.Items[0].Checkpoints[0].Visited {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("live layer after 5 s: %+v", live)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if *live.Items[0].Percent != 100 {
		t.Errorf("live coverage %v, want 100", *live.Items[0].Percent)
	}
	if r := h.do("off2", "GET", "/api/v1/patrol/coverage/live", nil); !strings.Contains(string(r.body), `"items":[]`) {
		t.Errorf("ST2 officer's live layer: %s", r.body)
	}
	today := now.In(zhudun.CST()).Format(time.DateOnly)
	var rep zhudun.PatrolReport
	deadline = time.Now().Add(5 * time.Second)
	for {
		decodeInto(t, h.do("cmd1", "GET", "/api/v1/reports/patrol?from="+today+"&to="+today, nil), &rep)
		if rep.Coverage.Total.Visited.Count == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("report coverage after 5 s: %+v", rep.Coverage)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if rep.Coverage.Total.Planned.Count != 1 || len(rep.Coverage.Units) != 1 || rep.Coverage.Units[0].Code != "鲁A-巡1" {
		t.Errorf("report coverage %+v", rep.Coverage)
	}
	if r := h.do("cmd1", "GET", "/api/v1/reports/patrol?format=csv&from="+today+"&to="+today, nil); r.status != 200 || !strings.Contains(string(r.body), "coverage_grid,A1") {
		t.Errorf("report export: %d %s", r.status, r.body)
	}
	if r := h.do("cmd1", "GET", "/api/v1/patrol/visits?format=csv&grid=A1", nil); r.status != 200 || !strings.Contains(string(r.body), "鲁A-巡1") {
		t.Errorf("visits export: %d %s", r.status, r.body)
	}
	if r := h.do("off2", "GET", "/api/v1/patrol/visits?format=csv", nil); r.status != 200 || strings.Contains(string(r.body), "鲁A-巡1") {
		t.Errorf("ST2 officer's visits export: %d %s", r.status, r.body)
	}
	if r := h.do("cmd1", "DELETE", fmt.Sprintf("/api/v1/patrol/plans/%d", p.ID), nil); r.status != 204 {
		t.Errorf("delete: %d %s", r.status, r.body)
	}
}
