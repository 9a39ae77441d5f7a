package storetest

import (
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
)

func testMigrations(t *testing.T, b Backend) {
	e := newEnv(t, b)
	applied, err := e.s.Migrate(e.sys)
	if err != nil || len(applied) != 0 {
		t.Fatalf("second migrate applied %v, %v; want nothing", applied, err)
	}
	roles, err := e.s.FindRoles(e.sys)
	e.must(err)
	var ids []string
	for _, r := range roles {
		ids = append(ids, r.ID)
	}
	if got := strings.Join(ids, ","); got != "analyst,auditadmin,campus_agency,campus_supervisor,commander,dispatcher,fire_officer,officer,secadmin,sysadmin" {
		t.Fatalf("built-in roles = %s", got)
	}
	ds, n, err := e.s.FindDepts(e.sys, zhudun.DeptFilter{})
	e.must(err)
	if n != 1 || len(ds) != 1 || ds[0].Code != "ROOT" || ds[0].Path != "/1/" {
		t.Fatalf("fresh depts = %d %+v", n, ds)
	}
	// A second process opening the same database migrates nothing and
	// seeds nothing twice.
	s2 := b.Open(t, "main", optionsLike(e))
	roles2, err := s2.FindRoles(e.sys)
	e.must(err)
	if len(roles2) != 10 {
		t.Fatalf("roles after reopen = %d", len(roles2))
	}
	rep, err := e.s.VerifyAudit(e.sys)
	e.must(err)
	if !rep.OK || rep.Rows != 7 {
		t.Fatalf("fresh audit = %+v (want 7 role.seed rows)", rep)
	}
}

func testDeptTree(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	ds, n, err := e.s.FindDepts(e.sys, zhudun.DeptFilter{})
	e.must(err)
	var codes []string
	for _, d := range ds {
		codes = append(codes, d.Code)
	}
	if n != 6 || strings.Join(codes, ",") != "ROOT,SB1,ST1,SQ1,SB2,ST2" {
		t.Fatalf("tree = %d %v", n, codes)
	}
	cases := []struct {
		d     zhudun.Dept
		code  string
		field string
	}{
		{zhudun.Dept{Code: "SB1", Name: "重复"}, zhudun.ECONFLICT, "code"},
		{zhudun.Dept{Code: "bad code", Name: "x"}, zhudun.EINVALID, "code"},
		{zhudun.Dept{Code: "NEW1", Name: "  "}, zhudun.EINVALID, "name"},
		{zhudun.Dept{Code: "NEW2", Name: "x", ParentCode: "NOPE"}, zhudun.EINVALID, "parent"},
		{zhudun.Dept{Code: "NEW3", Name: "x", Kind: "army"}, zhudun.EINVALID, "kind"},
	}
	for _, c := range cases {
		d := c.d
		err := e.s.CreateDept(e.sys, &d)
		var ze *zhudun.Error
		if code(err) != c.code || !asErr(err, &ze) || ze.Field != c.field {
			t.Errorf("create %+v: %v; want %s on %s", c.d, err, c.code, c.field)
		}
	}
	// Moving ST1 under SB2 carries SQ1 with it.
	to := "SB2"
	d, err := e.s.UpdateDept(e.sys, "ST1", zhudun.DeptUpdate{ParentCode: &to})
	e.must(err)
	sq, err := e.s.FindDeptByCode(e.sys, "SQ1")
	e.must(err)
	if d.ParentCode != "SB2" || !strings.HasPrefix(sq.Path, d.Path) || !strings.HasPrefix(d.Path, "/1/3/") {
		t.Fatalf("after move ST1=%s SQ1=%s", d.Path, sq.Path)
	}
	under := "SQ1"
	if _, err := e.s.UpdateDept(e.sys, "SB2", zhudun.DeptUpdate{ParentCode: &under}); code(err) != zhudun.ECONFLICT {
		t.Fatalf("move under own subtree: %v", err)
	}
	yes := true
	if _, err := e.s.UpdateDept(e.sys, "SB2", zhudun.DeptUpdate{Disabled: &yes}); code(err) != zhudun.EINVALID {
		t.Fatalf("disable with enabled children: %v", err)
	}
	if d, err := e.s.UpdateDept(e.sys, "ST2", zhudun.DeptUpdate{Disabled: &yes}); err != nil || !d.Disabled {
		t.Fatalf("disable leaf: %v", err)
	}
	if _, err := e.s.UpdateDept(e.sys, "ROOT", zhudun.DeptUpdate{Disabled: &yes}); code(err) != zhudun.EINVALID {
		t.Fatalf("disable root: %v", err)
	}
	x := zhudun.Dept{Code: "ST9", Name: "x", ParentCode: "ST2"}
	if err := e.s.CreateDept(e.sys, &x); code(err) != zhudun.EINVALID {
		t.Fatalf("create under disabled: %v", err)
	}
}
