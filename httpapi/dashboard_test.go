package httpapi_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// TestDashboardAPI: GET /api/v1/dashboard through HTTP. An officer gets
// the incidents block and the overdue block (campus:read, fire:read) but
// no Four Cuts and no cases; an analyst the Four Cuts and cases blocks
// only; every figure's list, asked through the API as the same user,
// has that figure as its total — the drill-down links parse as the lists
// read them. Signed out: 401.
func TestDashboardAPI(t *testing.T) {
	h := caseWorld(t)
	sys := zhudun.WithCaller(t.Context(), zhudun.SystemCaller("test"))
	cmd, err := h.store.CreateUser(sys, zhudun.NewUser{Username: "cmd1", DeptCode: "SB1", Password: pw, Own: true, Roles: []string{"commander"}})
	if err != nil {
		t.Fatal(err)
	}
	h.users["cmd1"], h.tokens["cmd1"] = cmd, h.login("cmd1", pw)
	if r := h.do("cmd1", "POST", "/api/v1/grids", fc(squareFeature("A1", "ST1", 117.00, 36.60, 0.01, nil))); r.status != 200 && r.status != 201 {
		t.Fatalf("grids: %d %s", r.status, r.body)
	}
	// Two incidents at ST1 now, one of them closed; one a day ago, open.
	// The officer records them (incident:write at its station).
	var a struct{ Incident zhudun.Incident }
	decodeInto(t, h.do("off1", "POST", "/api/v1/incidents", map[string]any{"category": "dispute", "lon": 117.005, "lat": 36.605}), &a)
	if r := h.do("off1", "POST", "/api/v1/incidents", map[string]any{"category": "criminal", "lon": 117.006, "lat": 36.606}); r.status != 201 {
		t.Fatalf("incident: %d %s", r.status, r.body)
	}
	yesterday := time.Now().Add(-25 * time.Hour).UTC().Format(time.RFC3339)
	if r := h.do("off1", "POST", "/api/v1/incidents", map[string]any{"category": "rescue", "lon": 117.007, "lat": 36.607, "received_at": yesterday}); r.status != 201 {
		t.Fatalf("yesterday's incident: %d %s", r.status, r.body)
	}
	if r := h.do("off1", "POST", "/api/v1/incidents/"+itoa(a.Incident.ID)+"/close", map[string]any{"outcome": "mediated", "note": "双方和解"}); r.status != 200 {
		t.Fatalf("close: %d %s", r.status, r.body)
	}
	// A case of WAZD's analyst, received (open).
	if r := h.do("wa1", "POST", "/api/v1/cases", map[string]any{"title": "电诈案", "type": "telecom_fraud"}); r.status != 201 {
		t.Fatalf("case: %d %s", r.status, r.body)
	}

	type count struct {
		Value int    `json:"value"`
		List  string `json:"list"`
	}
	type dash struct {
		Day       string `json:"day"`
		Incidents *struct {
			Today      count `json:"today"`
			Open       count `json:"open"`
			ByCategory []struct {
				Code string `json:"code"`
				count
			} `json:"by_category"`
			ByHour []count `json:"by_hour"`
		} `json:"incidents"`
		FourCuts *struct{ Found, Confirmed, Cut count } `json:"fourcuts"`
		Cases    *struct{ Open count }                  `json:"cases"`
		Overdue  *struct {
			CampusNotices *count `json:"campus_notices"`
			FireOrders    *count `json:"fire_orders"`
		} `json:"overdue"`
	}
	get := func(user string) (d dash, all []count) {
		t.Helper()
		r := h.do(user, "GET", "/api/v1/dashboard", nil)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", user, r.status, r.body)
		}
		if err := json.Unmarshal(r.body, &d); err != nil {
			t.Fatal(err)
		}
		if x := d.Incidents; x != nil {
			all = append(all, x.Today, x.Open)
			for _, c := range x.ByCategory {
				all = append(all, c.count)
			}
			all = append(all, x.ByHour...)
		}
		if x := d.FourCuts; x != nil {
			all = append(all, x.Found, x.Confirmed, x.Cut)
		}
		if d.Cases != nil {
			all = append(all, d.Cases.Open)
		}
		if x := d.Overdue; x != nil {
			if x.CampusNotices != nil {
				all = append(all, *x.CampusNotices)
			}
			if x.FireOrders != nil {
				all = append(all, *x.FireOrders)
			}
		}
		for _, c := range all {
			if lr := h.do(user, "GET", "/api/v1"+c.List, nil); lr.status != 200 || lr.total() != c.Value {
				t.Errorf("%s: figure %d, its list %s: %d total %d %s", user, c.Value, c.List, lr.status, lr.total(), lr.body)
			}
		}
		return d, all
	}
	off, _ := get("off1")
	if off.Incidents == nil || off.Incidents.Today.Value != 2 || off.Incidents.Open.Value != 2 || off.FourCuts != nil || off.Cases != nil ||
		off.Overdue == nil || off.Overdue.CampusNotices == nil || off.Overdue.FireOrders == nil {
		t.Errorf("officer's dashboard: %+v", off)
	}
	hours := 0
	for _, c := range off.Incidents.ByHour {
		hours += c.Value
	}
	if hours != 2 || len(off.Incidents.ByHour) != 24 {
		t.Errorf("by hour: %d in %d hours, want 2 in 24", hours, len(off.Incidents.ByHour))
	}
	wa, _ := get("wa1")
	if wa.Incidents != nil || wa.Overdue != nil || wa.FourCuts == nil || wa.Cases == nil || wa.Cases.Open.Value != 1 || wa.FourCuts.Found.Value != 2 {
		t.Errorf("analyst's dashboard (WAZD: one open case, its two findings recorded today): %+v", wa)
	}
	za, _ := get("za1")
	if za.Cases == nil || za.Cases.Open.Value != 0 || za.FourCuts.Found.Value != 1 {
		t.Errorf("ZAZD's analyst sees WAZD's case or findings: %+v", za)
	}
	if r := h.do("", "GET", "/api/v1/dashboard", nil); r.status != 401 {
		t.Errorf("signed out: %d", r.status)
	}
}
