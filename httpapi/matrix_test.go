package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
)

// TestAuthorizationMatrix: endpoint × role × department position → status
// and, for lists, the rows returned. Every expectation is written out by hand
// from the tree in newHarness, not derived from the permission tables.
func TestAuthorizationMatrix(t *testing.T) {
	h := newHarness(t)
	id := func(u string) string { return fmt.Sprint(h.users[u].ID) }
	type row struct {
		who, method, path string
		body              any
		status            int
		total             int // for lists; -1 = not a list
	}
	rows := []row{
		// Users: sysadmins see their subtree; the city-level sysadmin and
		// secadmin everything; the auditor and business roles nothing.
		{"rootadm", "GET", "/api/v1/users", nil, 200, 8},
		{"sb1adm", "GET", "/api/v1/users", nil, 200, 3}, // sb1adm, ana1, off1
		{"sb2adm", "GET", "/api/v1/users", nil, 200, 2}, // sb2adm, off2
		{"sec", "GET", "/api/v1/users", nil, 200, 8},
		{"aud", "GET", "/api/v1/users", nil, 403, -1},
		{"off1", "GET", "/api/v1/users", nil, 403, -1},
		{"ana1", "GET", "/api/v1/users", nil, 403, -1},
		{"sb1adm", "GET", "/api/v1/users?under=SB2", nil, 200, 0},
		{"sb1adm", "GET", "/api/v1/users?q=off", nil, 200, 1},
		{"sb1adm", "GET", "/api/v1/users?phone=13912345678", nil, 200, 2}, // ana1, off1 (off2 is outside the scope, sb1adm's own phone differs)
		{"sb1adm", "GET", "/api/v1/users?phone=13900000004", nil, 200, 1}, // sb1adm
		{"sb1adm", "GET", "/api/v1/users?phone=13900000005", nil, 200, 0}, // sb2adm's: outside the scope
		{"rootadm", "GET", "/api/v1/users?phone=13912345678", nil, 200, 3},
		{"sb1adm", "GET", "/api/v1/users/" + id("off2"), nil, 404, -1},
		{"sb1adm", "GET", "/api/v1/users/" + id("off1"), nil, 200, -1},
		{"sb2adm", "GET", "/api/v1/users/" + id("off1"), nil, 404, -1},
		{"sb1adm", "PATCH", "/api/v1/users/" + id("off2"), map[string]any{"name": "x"}, 404, -1},
		{"sb1adm", "POST", "/api/v1/users/" + id("off2") + "/password", map[string]any{"password": "N3w!passw0rd"}, 404, -1},
		{"sb1adm", "POST", "/api/v1/users", map[string]any{"username": "n1", "dept_code": "ST1", "password": "Init!al123"}, 201, -1},
		{"sb1adm", "POST", "/api/v1/users", map[string]any{"username": "n2", "dept_code": "ST2", "password": "Init!al123"}, 400, -1},
		{"sec", "POST", "/api/v1/users", map[string]any{"username": "n3", "dept_code": "ST1", "password": "Init!al123"}, 403, -1},
		{"aud", "POST", "/api/v1/users", map[string]any{"username": "n4", "dept_code": "ST1", "password": "Init!al123"}, 403, -1},
		{"off1", "POST", "/api/v1/users", map[string]any{"username": "n5", "dept_code": "ST1", "password": "Init!al123"}, 403, -1},
		// Departments.
		{"rootadm", "GET", "/api/v1/depts", nil, 200, 5},
		{"sb1adm", "GET", "/api/v1/depts", nil, 200, 2},
		{"off1", "GET", "/api/v1/depts", nil, 200, 1},
		{"ana1", "GET", "/api/v1/depts", nil, 200, 2},
		{"aud", "GET", "/api/v1/depts", nil, 403, -1},
		{"sb1adm", "GET", "/api/v1/depts/ST2", nil, 404, -1},
		{"sb1adm", "PATCH", "/api/v1/depts/ST2", map[string]any{"name": "x"}, 404, -1},
		{"sb1adm", "POST", "/api/v1/depts", map[string]any{"code": "SQ9", "name": "九中队", "kind": "squad", "parent_code": "SB2"}, 400, -1},
		{"sb1adm", "POST", "/api/v1/depts", map[string]any{"code": "SQ1", "name": "一中队", "kind": "squad", "parent_code": "ST1"}, 201, -1},
		{"off1", "POST", "/api/v1/depts", map[string]any{"code": "SQ2", "name": "x", "parent_code": "ST1"}, 403, -1},
		// Roles and grants: the security administrator only.
		{"sec", "GET", "/api/v1/roles", nil, 200, 7},
		{"off1", "GET", "/api/v1/roles", nil, 403, -1},
		{"aud", "GET", "/api/v1/roles", nil, 403, -1},
		{"sec", "POST", "/api/v1/roles", map[string]any{"id": "patrol", "name": "巡逻", "scope": "dept", "perms": []string{"unit:read"}}, 201, -1},
		{"rootadm", "POST", "/api/v1/roles", map[string]any{"id": "patrol2", "name": "巡逻", "scope": "dept", "perms": []string{"unit:read"}}, 403, -1},
		{"rootadm", "PUT", "/api/v1/users/" + id("off1") + "/roles", map[string]any{"roles": []string{"commander"}}, 403, -1},
		{"sb1adm", "PUT", "/api/v1/users/" + id("off1") + "/roles", map[string]any{"roles": []string{"commander"}}, 403, -1},
		{"sec", "PUT", "/api/v1/users/" + id("sb1adm") + "/roles", map[string]any{"roles": []string{"sysadmin", "auditadmin"}}, 400, -1},
		{"sec", "PATCH", "/api/v1/roles/auditadmin", map[string]any{"perms": []string{"audit:read", "user:read"}}, 403, -1},
		// Personal data: masked for everyone; clear text for pii:view in scope.
		{"ana1", "POST", "/api/v1/users/" + id("off1") + "/pii", map[string]any{"reason": "涉诈线索核查"}, 200, -1},
		{"ana1", "POST", "/api/v1/users/" + id("off2") + "/pii", map[string]any{"reason": "涉诈线索核查"}, 404, -1},
		{"sb1adm", "POST", "/api/v1/users/" + id("off1") + "/pii", map[string]any{"reason": "涉诈线索核查"}, 403, -1},
		{"ana1", "POST", "/api/v1/users/" + id("off1") + "/pii", map[string]any{"reason": ""}, 400, -1},
		// Audit: the auditor only.
		{"aud", "GET", "/api/v1/audit/verify", nil, 200, -1},
		{"rootadm", "GET", "/api/v1/audit", nil, 403, -1},
		{"sec", "GET", "/api/v1/audit", nil, 403, -1},
		{"off1", "GET", "/api/v1/audit/verify", nil, 403, -1},
		{"sb1adm", "GET", "/api/v1/audit/export", nil, 403, -1},
		{"aud", "GET", "/api/v1/audit/export?format=csv", nil, 200, -1},
		// Nobody without a session.
		{"", "GET", "/api/v1/me", nil, 401, -1},
		{"", "GET", "/api/v1/users", nil, 401, -1},
		{"", "GET", "/api/v1/audit", nil, 401, -1},
	}
	for _, r := range rows {
		res := h.do(r.who, r.method, r.path, r.body)
		if res.status != r.status {
			t.Errorf("%s %s %s: %d %s; want %d", r.who, r.method, r.path, res.status, res.body, r.status)
			continue
		}
		if r.total >= 0 && res.total() != r.total {
			t.Errorf("%s %s %s: %d rows; want %d", r.who, r.method, r.path, res.total(), r.total)
		}
	}
	// Exports obey the same scope: count CSV rows (header excluded).
	for who, want := range map[string]int{"rootadm": 9, "sb1adm": 4, "sb2adm": 2} { // n1 was created in ST1 above
		res := h.do(who, "GET", "/api/v1/users/export?format=csv", nil)
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.body, []byte("\xEF\xBB\xBF")))).ReadAll()
		if res.status != 200 || err != nil || len(recs)-1 != want {
			t.Errorf("%s export: %d, %d rows, %v; want %d", who, res.status, len(recs)-1, err, want)
		}
		for _, rec := range recs[1:] {
			if who == "sb1adm" && (rec[3] == "SB2" || rec[3] == "ST2") {
				t.Errorf("sb1adm export leaks %v", rec)
			}
			if j := strings.Join(rec, ","); strings.Contains(j, "13912345678") || strings.Contains(j, "1390000000") {
				t.Errorf("export carries a clear phone number: %v", rec)
			}
		}
	}
	// Denials, exports and the unmasked view are in the audit log.
	for _, c := range []struct {
		q    string
		want int
	}{
		{"action=request.denied&user=sb1adm", 3}, // sb1adm: roles PUT, pii, audit export
		{"action=pii.view", 1},
		{"action=users.export", 3},
		{"action=audit.export", 1},
	} {
		res := h.do("aud", "GET", "/api/v1/audit?"+c.q, nil)
		if res.total() != c.want {
			t.Errorf("audit %s: %d rows; want %d", c.q, res.total(), c.want)
		}
	}
}
