package zhudun_test

import (
	"context"
	"testing"

	"github.com/zhudun/zhudun"
)

func TestScopeFor(t *testing.T) {
	station := &zhudun.Caller{UserID: 7, DeptID: 9, DeptPath: "/1/4/9/", Perms: map[zhudun.Permission]zhudun.Scope{
		zhudun.PermUserRead: zhudun.ScopeSubtree, zhudun.PermDeptRead: zhudun.ScopeDept,
		zhudun.PermCaseRead: zhudun.ScopeSelf, zhudun.PermGridRead: "everything"}}
	root := &zhudun.Caller{UserID: 1, DeptID: 1, DeptPath: "/1/", Perms: map[zhudun.Permission]zhudun.Scope{zhudun.PermUserRead: zhudun.ScopeSubtree}}
	cases := []struct {
		c    *zhudun.Caller
		p    zhudun.Permission
		want zhudun.ScopeFilter
		code string
	}{
		{station, zhudun.PermUserRead, zhudun.ScopeFilter{Kind: zhudun.ScopeSubtree, DeptPath: "/1/4/9/"}, ""},
		{station, zhudun.PermDeptRead, zhudun.ScopeFilter{Kind: zhudun.ScopeDept, DeptID: 9}, ""},
		{station, zhudun.PermCaseRead, zhudun.ScopeFilter{Kind: zhudun.ScopeSelf, UserID: 7}, ""},
		{station, zhudun.PermGridRead, zhudun.ScopeFilter{}, zhudun.EFORBIDDEN}, // unknown scope fails closed
		{station, zhudun.PermAuditRead, zhudun.ScopeFilter{}, zhudun.EFORBIDDEN},
		{root, zhudun.PermUserRead, zhudun.ScopeFilter{Kind: zhudun.ScopeAll}, ""}, // the root's subtree is everything
		{nil, zhudun.PermUserRead, zhudun.ScopeFilter{}, zhudun.EUNAUTHORIZED},
	}
	for i, c := range cases {
		ctx := context.Background()
		if c.c != nil {
			ctx = zhudun.WithCaller(ctx, c.c)
		}
		got, err := zhudun.ScopeFor(ctx, c.p)
		if zhudun.ErrorCode(err) != c.code || got != c.want {
			t.Errorf("case %d: %+v %v; want %+v %s", i, got, err, c.want, c.code)
		}
	}
}

func TestCoversAndReaches(t *testing.T) {
	sub := zhudun.ScopeFilter{Kind: zhudun.ScopeSubtree, DeptPath: "/1/4/"}
	if !sub.Covers("/1/4/9/", 9, 0) || !sub.Covers("/1/4/", 4, 0) || sub.Covers("/1/5/", 5, 0) || sub.Covers("/1/44/", 44, 0) {
		t.Error("subtree covers")
	}
	dept := zhudun.ScopeFilter{Kind: zhudun.ScopeDept, DeptID: 4}
	if !dept.Covers("/1/4/", 4, 0) || dept.Covers("/1/4/9/", 9, 0) {
		t.Error("dept covers")
	}
	self := zhudun.ScopeFilter{Kind: zhudun.ScopeSelf, UserID: 3}
	if !self.Covers("/1/", 1, 3) || self.Covers("/1/", 1, 4) {
		t.Error("self covers")
	}
	if (zhudun.ScopeFilter{}).Covers("/1/", 1, 0) {
		t.Error("zero filter covers something")
	}
	// Granting: a subtree holder grants at most subtree, inside its subtree.
	if !sub.Reaches(zhudun.ScopeSubtree, "/1/4/9/", 9) || sub.Reaches(zhudun.ScopeAll, "/1/4/9/", 9) || sub.Reaches(zhudun.ScopeDept, "/1/5/", 5) {
		t.Error("subtree reaches")
	}
	if !dept.Reaches(zhudun.ScopeSelf, "/1/4/", 4) || dept.Reaches(zhudun.ScopeSubtree, "/1/4/", 4) {
		t.Error("dept reaches")
	}
	if self.Reaches(zhudun.ScopeSelf, "/1/", 1) {
		t.Error("self grants")
	}
}
