package storetest

import (
	"testing"

	"github.com/zhudun/zhudun"
)

// testAccountReach: administrators reset, unlock, disable and enable only
// accounts within their reach; administrators' passwords are reset only
// through the installer's CLI; nobody resets their own (issue 19 item 3).
func testAccountReach(t *testing.T, b Backend) {
	e := newEnv(t, b)
	u := e.matrixUsers()
	sec, root, sb1 := e.as(u["sec"]), e.as(u["rootadm"]), e.as(u["sb1adm"])
	e.must(e.s.CreateRole(sec, &zhudun.Role{ID: "city_cmd", Name: "市局指挥", Scope: zhudun.ScopeAll, Perms: []zhudun.Permission{"incident:read"}}))
	cityu := e.user("cityu", "ST1")
	if _, err := e.s.SetUserRoles(sec, cityu.ID, []string{"city_cmd"}); err != nil {
		t.Fatal(err)
	}
	yes, no := true, false
	const np = "N3w!passw0rd"
	// A sub-bureau sysadmin against a holder of a city-wide role in its own
	// subtree: every takeover path is refused, as moving it already was.
	if err := e.s.ResetPassword(sb1, cityu.ID, np); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("sb1adm resets a city-wide role holder: %v; want EFORBIDDEN", err)
	}
	if err := e.s.Unlock(sb1, cityu.ID); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("sb1adm unlocks a city-wide role holder: %v; want EFORBIDDEN", err)
	}
	if _, err := e.s.UpdateUser(sb1, cityu.ID, zhudun.UserUpdate{Disabled: &yes}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("sb1adm disables a city-wide role holder: %v; want EFORBIDDEN", err)
	}
	// Within reach it works.
	if err := e.s.ResetPassword(sb1, u["off1"].ID, np); err != nil {
		t.Errorf("sb1adm resets off1: %v", err)
	}
	if err := e.s.Unlock(sb1, u["off1"].ID); err != nil {
		t.Errorf("sb1adm unlocks off1: %v", err)
	}
	if _, err := e.s.UpdateUser(sb1, u["off1"].ID, zhudun.UserUpdate{Disabled: &yes}); err != nil {
		t.Errorf("sb1adm disables off1: %v", err)
	}
	if _, err := e.s.UpdateUser(sb1, u["off1"].ID, zhudun.UserUpdate{Disabled: &no}); err != nil {
		t.Errorf("sb1adm enables off1: %v", err)
	}
	if err := e.s.ResetPassword(root, cityu.ID, np); err != nil {
		t.Errorf("the city sysadmin resets the city-wide role holder: %v", err)
	}
	// Administrators' passwords: never through the API, whoever asks.
	for _, c := range []struct{ who, target string }{
		{"rootadm", "sec"}, {"rootadm", "aud"}, {"rootadm", "sb1adm"}, {"sb1adm", "sb1adm"}, {"rootadm", "rootadm"},
	} {
		if err := e.s.ResetPassword(e.as(u[c.who]), u[c.target].ID, np); code(err) != zhudun.EFORBIDDEN {
			t.Errorf("%s resets %s's password: %v; want EFORBIDDEN", c.who, c.target, err)
		}
	}
	// The installer's CLI on the server (the system caller) can.
	if err := e.s.ResetPassword(e.sys, u["sec"].ID, np); err != nil {
		t.Errorf("the CLI resets sec: %v", err)
	}
	if _, err := login(e, "sec", np, "10.5.5.5"); err != nil {
		t.Errorf("sec signs in with the CLI-set password: %v", err)
	}
}

// testRoleOwner: a role belongs to the department its creator sat in; only
// administrators at or above it edit it, whoever holds it (issue 19 item 4).
func testRoleOwner(t *testing.T, b Backend) {
	e := newEnv(t, b)
	u := e.matrixUsers()
	sec := e.as(u["sec"])
	sec1 := e.as(e.user("sec1", "SB1", zhudun.RoleSecAdmin))
	sec2 := e.as(e.user("sec2", "SB2", zhudun.RoleSecAdmin))
	city := &zhudun.Role{ID: "city_x", Name: "市局角色", Scope: zhudun.ScopeDept, Perms: []zhudun.Permission{"incident:read"}}
	e.must(e.s.CreateRole(sec, city))
	local := &zhudun.Role{ID: "sb1_x", Name: "分局角色", Scope: zhudun.ScopeDept, Perms: []zhudun.Permission{"incident:read"}}
	e.must(e.s.CreateRole(sec1, local))
	if city.OwnerDept != "ROOT" || local.OwnerDept != "SB1" {
		t.Fatalf("owners: city_x %q, sb1_x %q; want ROOT, SB1", city.OwnerDept, local.OwnerDept)
	}
	roles, err := e.s.FindRoles(sec)
	e.must(err)
	owners := map[string]string{}
	for _, r := range roles {
		owners[r.ID] = r.OwnerDept
	}
	if owners["officer"] != "ROOT" || owners["sysadmin"] != "ROOT" || owners["city_x"] != "ROOT" || owners["sb1_x"] != "SB1" {
		t.Errorf("listed owners: %v", owners)
	}
	withPII := []zhudun.Permission{"incident:read", "pii:view"}
	// The reported case: the city's role has no holder outside SB1 (none at
	// all), and SB1's security administrator still may not rewrite it.
	if _, err := e.s.UpdateRole(sec1, "city_x", zhudun.RoleUpdate{Perms: &withPII}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("sec1 edits the city's role: %v; want EFORBIDDEN", err)
	}
	if _, err := e.s.UpdateRole(sec1, "dispatcher", zhudun.RoleUpdate{Perms: &withPII}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("sec1 edits a built-in role: %v; want EFORBIDDEN", err)
	}
	if _, err := e.s.UpdateRole(sec2, "sb1_x", zhudun.RoleUpdate{Perms: &withPII}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("sec2 edits SB1's role: %v; want EFORBIDDEN", err)
	}
	if r, err := e.s.UpdateRole(sec1, "sb1_x", zhudun.RoleUpdate{Perms: &withPII}); err != nil || len(r.Perms) != 2 {
		t.Errorf("sec1 edits its own role: %+v %v", r, err)
	}
	if _, err := e.s.UpdateRole(sec, "sb1_x", zhudun.RoleUpdate{Perms: &withPII}); err != nil {
		t.Errorf("the city edits SB1's role: %v", err)
	}
	if _, err := e.s.UpdateRole(sec, "city_x", zhudun.RoleUpdate{Perms: &withPII}); err != nil {
		t.Errorf("the city edits its own role: %v", err)
	}
}
