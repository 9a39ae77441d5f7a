package storetest

import (
	"context"
	"testing"

	"github.com/zhudun/zhudun"
)

// matrixUsers creates, on the fixture tree:
//
//	ROOT: rootadm (sysadmin), sec (secadmin), aud (auditadmin)
//	SB1:  sb1adm (sysadmin), disp1 (dispatcher), ana1 (analyst)
//	ST1:  off1 (officer)          SQ1: sq1 (officer)
//	SB2:  sb2adm (sysadmin)       ST2: off2 (officer)
func (e *env) matrixUsers() map[string]*zhudun.User {
	e.fixture()
	m := map[string]*zhudun.User{}
	for _, u := range []struct{ name, dept, role string }{
		{"rootadm", "ROOT", zhudun.RoleSysAdmin}, {"sec", "ROOT", zhudun.RoleSecAdmin}, {"aud", "ROOT", zhudun.RoleAuditAdmin},
		{"sb1adm", "SB1", zhudun.RoleSysAdmin}, {"disp1", "SB1", zhudun.RoleDispatcher}, {"ana1", "SB1", zhudun.RoleAnalyst},
		{"off1", "ST1", zhudun.RoleOfficer}, {"sq1", "SQ1", zhudun.RoleOfficer},
		{"sb2adm", "SB2", zhudun.RoleSysAdmin}, {"off2", "ST2", zhudun.RoleOfficer},
	} {
		m[u.name] = e.user(u.name, u.dept, u.role)
	}
	return m
}

func testScopeMatrix(t *testing.T, b Backend) {
	e := newEnv(t, b)
	u := e.matrixUsers()
	// Expected counts written out by hand from the tree above. -1: EFORBIDDEN.
	cases := []struct {
		who          string
		users, depts int
	}{
		{"rootadm", 10, 6},
		{"sb1adm", 5, 3}, // sb1adm disp1 ana1 off1 sq1; SB1 ST1 SQ1
		{"sb2adm", 2, 2}, // sb2adm off2; SB2 ST2
		{"sec", 10, 6},
		{"aud", -1, -1},
		{"off1", -1, 1}, // officer: no user:read; own department only
		{"sq1", -1, 1},
		{"disp1", -1, 3},
		{"ana1", -1, 3},
	}
	for _, c := range cases {
		ctx := e.as(u[c.who])
		us, n, err := e.s.FindUsers(ctx, zhudun.UserFilter{})
		if c.users < 0 {
			if code(err) != zhudun.EFORBIDDEN {
				t.Errorf("%s list users: %v; want EFORBIDDEN", c.who, err)
			}
		} else if err != nil || n != c.users || len(us) != c.users {
			t.Errorf("%s list users: %d (%d rows), %v; want %d", c.who, n, len(us), err, c.users)
		}
		ds, n, err := e.s.FindDepts(ctx, zhudun.DeptFilter{})
		if c.depts < 0 {
			if code(err) != zhudun.EFORBIDDEN {
				t.Errorf("%s list depts: %v; want EFORBIDDEN", c.who, err)
			}
		} else if err != nil || n != c.depts || len(ds) != c.depts {
			t.Errorf("%s list depts: %d (%d rows), %v; want %d", c.who, n, len(ds), err, c.depts)
		}
	}
	sb1 := e.as(u["sb1adm"])
	// Another sub-bureau's records do not exist for sb1adm.
	if _, err := e.s.FindUserByID(sb1, u["off2"].ID); code(err) != zhudun.ENOTFOUND {
		t.Errorf("sb1adm reads off2: %v", err)
	}
	name := "改名"
	if _, err := e.s.UpdateUser(sb1, u["off2"].ID, zhudun.UserUpdate{Name: &name}); code(err) != zhudun.ENOTFOUND {
		t.Errorf("sb1adm edits off2: %v", err)
	}
	if err := e.s.ResetPassword(sb1, u["off2"].ID, "N3w!passw0rd"); code(err) != zhudun.ENOTFOUND {
		t.Errorf("sb1adm resets off2: %v", err)
	}
	if _, err := e.s.UpdateDept(sb1, "ST2", zhudun.DeptUpdate{Name: &name}); code(err) != zhudun.ENOTFOUND {
		t.Errorf("sb1adm edits ST2: %v", err)
	}
	if _, n, err := e.s.FindUsers(sb1, zhudun.UserFilter{Under: "SB2"}); err != nil || n != 0 {
		t.Errorf("sb1adm filters SB2: %d %v", n, err)
	}
	if _, n, err := e.s.FindUsers(sb1, zhudun.UserFilter{Username: "off2"}); err != nil || n != 0 {
		t.Errorf("sb1adm searches off2 by name: %d %v", n, err)
	}
	// Writes inside its subtree work; outside, the department is not found.
	nu, err := e.s.CreateUser(sb1, zhudun.NewUser{Username: "new1", DeptCode: "ST1", Password: "Init!al123"})
	if err != nil || !nu.MustChangePassword || len(nu.Roles) != 0 {
		t.Fatalf("sb1adm creates in ST1: %+v %v", nu, err)
	}
	if _, err := e.s.CreateUser(sb1, zhudun.NewUser{Username: "new2", DeptCode: "ST2", Password: "Init!al123"}); code(err) != zhudun.EINVALID || field(err) != "dept" {
		t.Errorf("sb1adm creates in ST2: %v", err)
	}
	if _, err := e.s.CreateUser(sb1, zhudun.NewUser{Username: "new3", DeptCode: "ST1", Password: "Init!al123", Roles: []string{"officer"}}); code(err) != zhudun.EINVALID || field(err) != "roles" {
		t.Errorf("sysadmin sets roles at creation: %v", err)
	}
	st2 := "ST2"
	if _, err := e.s.UpdateUser(sb1, nu.ID, zhudun.UserUpdate{DeptCode: &st2}); code(err) != zhudun.EINVALID {
		t.Errorf("sb1adm moves a user out of its subtree: %v", err)
	}
	d := zhudun.Dept{Code: "SQ2", Name: "二中队", Kind: zhudun.DeptSquad, ParentCode: "ST1"}
	if err := e.s.CreateDept(sb1, &d); err != nil {
		t.Errorf("sb1adm creates SQ2 under ST1: %v", err)
	}
	d = zhudun.Dept{Code: "SQ3", Name: "x", ParentCode: "SB2"}
	if err := e.s.CreateDept(sb1, &d); code(err) != zhudun.EINVALID {
		t.Errorf("sb1adm creates under SB2: %v", err)
	}
	yes := true
	if _, err := e.s.UpdateDept(sb1, "SB1", zhudun.DeptUpdate{Disabled: &yes}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("sb1adm disables own department: %v", err)
	}
	to := "SB2"
	if _, err := e.s.UpdateDept(sb1, "ST1", zhudun.DeptUpdate{ParentCode: &to}); code(err) != zhudun.EINVALID {
		t.Errorf("sb1adm moves ST1 into SB2: %v", err)
	}
	if _, err := e.s.UpdateUser(sb1, u["sb1adm"].ID, zhudun.UserUpdate{Disabled: &yes}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("sb1adm disables itself: %v", err)
	}
	if _, err := e.s.SetUserRoles(sb1, nu.ID, []string{"officer"}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("sysadmin grants a role: %v", err)
	}
	// The auditor reads the log and nothing else.
	if _, _, err := e.s.FindAudit(e.as(u["aud"]), zhudun.AuditFilter{}); err != nil {
		t.Errorf("aud reads audit: %v", err)
	}
	for _, who := range []string{"rootadm", "sec", "off1", "ana1"} {
		if _, _, err := e.s.FindAudit(e.as(u[who]), zhudun.AuditFilter{}); code(err) != zhudun.EFORBIDDEN {
			t.Errorf("%s reads audit: %v", who, err)
		}
	}
	// No caller at all fails closed.
	if _, _, err := e.s.FindUsers(context.Background(), zhudun.UserFilter{}); code(err) != zhudun.EUNAUTHORIZED {
		t.Errorf("no caller: %v", err)
	}
	// A caller with an unknown scope fails closed.
	bad := &zhudun.Caller{UserID: 1, DeptID: 1, DeptPath: "/1/", Perms: map[zhudun.Permission]zhudun.Scope{zhudun.PermUserRead: "everything"}}
	if _, _, err := e.s.FindUsers(zhudun.WithCaller(context.Background(), bad), zhudun.UserFilter{}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("unknown scope: %v", err)
	}
}

func testGrants(t *testing.T, b Backend) {
	e := newEnv(t, b)
	u := e.matrixUsers()
	sec := e.as(u["sec"])
	nu, err := e.s.CreateUser(e.as(u["sb1adm"]), zhudun.NewUser{Username: "new1", DeptCode: "ST1", Password: "Init!al123"})
	e.must(err)
	got, err := e.s.SetUserRoles(sec, nu.ID, []string{"officer"})
	if err != nil || len(got.Roles) != 1 || got.Roles[0] != "officer" {
		t.Fatalf("sec grants officer: %+v %v", got, err)
	}
	c, err := e.s.CallerFor(e.sys, nu.ID)
	e.must(err)
	if c.Perms[zhudun.PermIncidentRead] != zhudun.ScopeDept || c.Has(zhudun.PermUserRead) {
		t.Fatalf("officer perms = %v", c.Perms)
	}
	if _, err := e.s.SetUserRoles(sec, nu.ID, []string{"sysadmin", "officer"}); code(err) != zhudun.EINVALID {
		t.Errorf("admin role combined: %v", err)
	}
	if _, err := e.s.SetUserRoles(sec, nu.ID, []string{"nosuch"}); code(err) != zhudun.EINVALID {
		t.Errorf("unknown role: %v", err)
	}
	if _, err := e.s.SetUserRoles(sec, u["sec"].ID, []string{"secadmin"}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("own roles: %v", err)
	}
	// A sub-bureau security admin reaches only its subtree, and only with
	// roles that do not reach further than it does.
	sec1 := e.user("sec1", "SB1", zhudun.RoleSecAdmin)
	s1 := e.as(sec1)
	if _, err := e.s.SetUserRoles(s1, nu.ID, []string{"auditadmin"}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("sec1 grants city-wide auditadmin: %v", err)
	}
	if _, err := e.s.SetUserRoles(s1, u["off2"].ID, []string{"dispatcher"}); code(err) != zhudun.ENOTFOUND {
		t.Errorf("sec1 grants in SB2: %v", err)
	}
	if got, err := e.s.SetUserRoles(s1, nu.ID, []string{"dispatcher", "officer"}); err != nil || len(got.Roles) != 2 {
		t.Errorf("sec1 grants dispatcher+officer in ST1: %+v %v", got, err)
	}
	aud1 := e.user("aud1", "ST1", zhudun.RoleAuditAdmin)
	if _, err := e.s.SetUserRoles(s1, aud1.ID, nil); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("sec1 strips a city-wide role: %v", err)
	}
	if _, err := e.s.SetUserRoles(sec, aud1.ID, nil); err != nil {
		t.Errorf("sec strips a city-wide role: %v", err)
	}
}

func testRoles(t *testing.T, b Backend) {
	e := newEnv(t, b)
	u := e.matrixUsers()
	sec := e.as(u["sec"])
	if _, err := e.s.FindRoles(e.as(u["off1"])); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("officer lists roles: %v", err)
	}
	r := &zhudun.Role{ID: "patrol_lead", Name: "巡组长", Scope: zhudun.ScopeSubtree, Perms: []zhudun.Permission{"unit:write", "incident:read", "unit:write"}}
	if err := e.s.CreateRole(sec, r); err != nil || len(r.Perms) != 2 {
		t.Fatalf("create role: %v %v", r.Perms, err)
	}
	for _, c := range []struct {
		r    zhudun.Role
		code string
	}{
		{zhudun.Role{ID: "patrol_lead", Name: "x", Scope: zhudun.ScopeDept}, zhudun.ECONFLICT},
		{zhudun.Role{ID: "spy", Name: "x", Scope: zhudun.ScopeDept, Perms: []zhudun.Permission{"audit:read"}}, zhudun.EINVALID},
		{zhudun.Role{ID: "bad", Name: "x", Scope: zhudun.ScopeDept, Perms: []zhudun.Permission{"nuke:launch"}}, zhudun.EINVALID},
		{zhudun.Role{ID: "wide", Name: "x", Scope: "galaxy"}, zhudun.EINVALID},
	} {
		r := c.r
		if err := e.s.CreateRole(sec, &r); code(err) != c.code {
			t.Errorf("create %s: %v; want %s", c.r.ID, err, c.code)
		}
	}
	sec1 := e.as(e.user("sec1", "SB1", zhudun.RoleSecAdmin))
	if err := e.s.CreateRole(sec1, &zhudun.Role{ID: "citywide", Name: "x", Scope: zhudun.ScopeAll}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("sec1 creates a city-wide role: %v", err)
	}
	perms := []zhudun.Permission{"user:write"}
	if _, err := e.s.UpdateRole(sec, "sysadmin", zhudun.RoleUpdate{Perms: &perms}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("edit sysadmin role: %v", err)
	}
	perms = []zhudun.Permission{"dept:read", "incident:read", "incident:write", "unit:read", "grid:read", "pii:view"}
	if _, err := e.s.UpdateRole(sec1, "officer", zhudun.RoleUpdate{Perms: &perms}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("sec1 edits officer, held in SB2: %v", err)
	}
	if _, err := e.s.UpdateRole(sec, "officer", zhudun.RoleUpdate{Perms: &perms}); err != nil {
		t.Fatalf("sec edits officer: %v", err)
	}
	c, err := e.s.CallerFor(e.sys, u["off1"].ID)
	e.must(err)
	if c.Perms[zhudun.PermPIIView] != zhudun.ScopeDept {
		t.Errorf("officer after edit: %v", c.Perms)
	}
}
