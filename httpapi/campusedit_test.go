package httpapi_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/zhudun/zhudun"
)

// TestCampusEditScope: the edit routes and the map's points keep to the
// caller's scope. SB2's campus writer gets 404 editing ST1's school, the
// division's group and round, and sees none of ST1's schools on the map;
// an officer (no campus:write) gets 403; the supervisor's edits answer the
// new values and the map holds every school in scope, past the list's
// page of 50 (55 by hand).
func TestCampusEditScope(t *testing.T) {
	h := newHarness(t)
	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
	for _, d := range []zhudun.Dept{{Code: "JWB", Name: "经文保支队", Kind: "division"}, {Code: "EDU", Name: "市教育局", Kind: "division"}} {
		if err := h.store.CreateDept(sys, &d); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.store.CreateRole(sys, &zhudun.Role{ID: "campus_sb", Name: "分局校园安全", Scope: zhudun.ScopeSubtree,
		Perms: []zhudun.Permission{zhudun.PermCampusRead, zhudun.PermCampusWrite}}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ name, dept, role string }{{"sup", "JWB", zhudun.RoleCampusSupervisor}, {"w2", "SB2", "campus_sb"}, {"edu1", "EDU", zhudun.RoleCampusAgency}} {
		nu, err := h.store.CreateUser(sys, zhudun.NewUser{Username: u.name, DeptCode: u.dept, Password: pw, Own: true, Roles: []string{u.role}})
		if err != nil {
			t.Fatal(err)
		}
		h.users[u.name] = nu
		h.tokens[u.name] = h.login(u.name, pw)
	}
	var csv = "code,name,type,district,station,lon,lat\n"
	for i := range 55 {
		csv += fmt.Sprintf("M%03d,历下第%d小学,primary,370102,ST1,117.0%02d,36.66\n", i, i+1, i)
	}
	csv += "N001,市中幼儿园,kindergarten,370103,ST2,117.0,36.64\n"
	if res := h.do("sup", "POST", "/api/v1/campus/schools/import", csvBody(csv)); res.status != 200 {
		t.Fatalf("import: %d %s", res.status, res.body)
	}
	var list struct{ Items []zhudun.School }
	decodeInto(t, h.do("sup", "GET", "/api/v1/campus/schools?station=ST1&limit=1", nil), &list)
	st1 := list.Items[0]

	// The map: every located school in scope, not a page of 50.
	for _, x := range []struct {
		user string
		want int
	}{{"sup", 56}, {"off1", 55}, {"off2", 1}, {"w2", 1}, {"edu1", 0}} {
		res := h.do(x.user, "GET", "/api/v1/campus/schools/map", nil)
		if res.status != 200 || res.total() != x.want {
			t.Errorf("%s: map %d points (%d), want %d", x.user, res.total(), res.status, x.want)
		}
	}
	var pts struct{ Items []zhudun.SchoolPoint }
	decodeInto(t, h.do("off2", "GET", "/api/v1/campus/schools/map", nil), &pts)
	if len(pts.Items) != 1 || pts.Items[0].Name != "市中幼儿园" || pts.Items[0].Status != "ok" {
		t.Errorf("off2's map %+v, want 市中幼儿园 ok", pts.Items)
	}

	edit := map[string]any{"code": st1.Code, "name": "历下第一实验小学", "type": "primary", "district": "370102", "station": "ST1", "students": 1200,
		"lon": *st1.Lon, "lat": *st1.Lat} // PUT replaces: a field left out is cleared
	if res := h.do("w2", "PUT", fmt.Sprintf("/api/v1/campus/schools/%d", st1.ID), edit); res.status != 404 {
		t.Errorf("SB2 writer edits ST1's school: %d %s, want 404", res.status, res.body)
	}
	if res := h.do("off1", "PUT", fmt.Sprintf("/api/v1/campus/schools/%d", st1.ID), edit); res.status != 403 {
		t.Errorf("officer edits a school: %d, want 403", res.status)
	}
	var got zhudun.School
	decodeInto(t, h.do("sup", "PUT", fmt.Sprintf("/api/v1/campus/schools/%d", st1.ID), edit), &got)
	if got.Name != "历下第一实验小学" || got.Students != 1200 {
		t.Errorf("edited school %+v", got)
	}
	if res := h.do("off2", "GET", fmt.Sprintf("/api/v1/campus/schools/%d", st1.ID), nil); res.status != 404 {
		t.Errorf("off2 reads the edited ST1 school: %d", res.status)
	}

	// Groups and rounds: the accounts list, the edit, another scope's 404.
	res := h.do("sup", "GET", "/api/v1/campus/accounts", nil)
	if res.status != 200 || res.total() != 1 {
		t.Fatalf("accounts: %d %s", res.status, res.body)
	}
	if res := h.do("off1", "GET", "/api/v1/campus/accounts", nil); res.status != 403 {
		t.Errorf("officer lists accounts: %d, want 403", res.status)
	}
	var g zhudun.Group
	decodeInto(t, h.do("sup", "POST", "/api/v1/campus/groups", map[string]any{"name": "第一督导组", "members": []map[string]any{{"name": "刘科长", "agency": "police"}}}), &g)
	ge := map[string]any{"name": "第一联合督导组", "members": []map[string]any{{"name": "刘科长", "agency": "police"}, {"user_id": h.users["edu1"].ID, "agency": "education"}}}
	if res := h.do("w2", "PUT", fmt.Sprintf("/api/v1/campus/groups/%d", g.ID), ge); res.status != 404 {
		t.Errorf("SB2 writer edits the division's group: %d, want 404", res.status)
	}
	decodeInto(t, h.do("sup", "PUT", fmt.Sprintf("/api/v1/campus/groups/%d", g.ID), ge), &g)
	if len(g.Members) != 2 || g.Members[1].Username != "edu1" {
		t.Errorf("edited group %+v, want edu1 a member", g)
	}
	var r zhudun.Round
	decodeInto(t, h.do("sup", "POST", "/api/v1/campus/rounds", map[string]any{"name": "春季暗访", "group_id": g.ID, "mode": "covert",
		"start_day": "2026-03-01", "end_day": "2026-03-31", "schools": []int64{st1.ID}}), &r)
	if r.Mode != "covert" || r.Schools != 1 {
		t.Errorf("round %+v, want covert with 1 school", r)
	}
	re := map[string]any{"name": "春季明查", "group_id": g.ID, "mode": "overt", "start_day": "2026-03-01", "end_day": "2026-04-15", "schools": []int64{st1.ID}}
	if res := h.do("w2", "PUT", fmt.Sprintf("/api/v1/campus/rounds/%d", r.ID), re); res.status != 404 {
		t.Errorf("SB2 writer re-plans the division's round: %d, want 404", res.status)
	}
	decodeInto(t, h.do("sup", "PUT", fmt.Sprintf("/api/v1/campus/rounds/%d", r.ID), re), &r)
	if r.Name != "春季明查" || r.Mode != "overt" || r.EndDay != "2026-04-15" {
		t.Errorf("re-planned round %+v", r)
	}
	// Now a member, the agency account sees the round's one school on the map.
	if res := h.do("edu1", "GET", "/api/v1/campus/schools/map", nil); res.total() != 1 {
		t.Errorf("agency member's map: %d points, want 1", res.total())

	}
}
