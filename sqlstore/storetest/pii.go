package storetest

import (
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
)

func testPII(t *testing.T, b Backend) {
	e := newEnv(t, b)
	u := e.matrixUsers()
	sb1 := e.as(u["sb1adm"])
	// GB 11643's own example number; the phone written the way people type it.
	nu, err := e.s.CreateUser(sb1, zhudun.NewUser{Username: "p1", DeptCode: "ST1", Password: "Init!al123",
		Phone: "+86 139-1234-5678", IDNumber: "11010519491231002x"})
	if err != nil {
		t.Fatal(err)
	}
	if nu.Phone != "139****5678" || nu.IDNumber != "110105********002X" {
		t.Fatalf("masked = %q %q", nu.Phone, nu.IDNumber)
	}
	if _, err := e.s.CreateUser(sb1, zhudun.NewUser{Username: "p2", DeptCode: "ST1", Password: "Init!al123", IDNumber: "110105194912310021"}); code(err) != zhudun.EINVALID || field(err) != "id_number" {
		t.Fatalf("bad check digit: %v", err)
	}
	if _, err := e.s.CreateUser(sb1, zhudun.NewUser{Username: "p3", DeptCode: "ST1", Password: "Init!al123", Phone: "12345"}); code(err) != zhudun.EINVALID || field(err) != "phone" {
		t.Fatalf("bad phone: %v", err)
	}
	// The clear text is nowhere in the database.
	for _, table := range []string{"users", "audit_log", "outbox"} {
		rows, err := e.s.DB().Query(`SELECT * FROM ` + table)
		e.must(err)
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			e.must(rows.Scan(ptrs...))
			for i, v := range vals {
				s := toString(v)
				if strings.Contains(s, "13912345678") || strings.Contains(s, "11010519491231002X") || strings.Contains(s, "1234-5678") {
					t.Errorf("clear personal data in %s.%s", table, cols[i])
				}
			}
		}
		rows.Close()
	}
	// Found through the blind index, with pii:search, a reason and in scope
	// only; a sysadmin (user:read without pii:*) cannot search by it.
	hr1, hr2 := e.piiSearcher("hr1", "SB1"), e.piiSearcher("hr2", "SB2")
	const why = "人员核查：比对报名信息"
	if _, _, err := e.s.FindUsers(sb1, zhudun.UserFilter{Phone: "13912345678", Reason: why}); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("sysadmin searches by phone: %v; want EFORBIDDEN", err)
	}
	if _, n, err := e.s.FindUsers(hr1, zhudun.UserFilter{Phone: "13912345678", Reason: why}); err != nil || n != 1 {
		t.Fatalf("by phone: %d %v", n, err)
	}
	if _, n, err := e.s.FindUsers(hr1, zhudun.UserFilter{IDNumber: "11010519491231002X", Reason: why}); err != nil || n != 1 {
		t.Fatalf("by id number: %d %v", n, err)
	}
	if _, n, err := e.s.FindUsers(hr1, zhudun.UserFilter{Phone: "13912345679", Reason: why}); err != nil || n != 0 {
		t.Fatalf("by other phone: %d %v", n, err)
	}
	if _, n, err := e.s.FindUsers(hr2, zhudun.UserFilter{Phone: "13912345678", Reason: why}); err != nil || n != 0 {
		t.Fatalf("by phone from SB2: %d %v", n, err)
	}
	// Unmasking needs pii:view, scope and a reason, and is audited.
	if _, err := e.s.RevealUserPII(sb1, nu.ID, "核查身份信息"); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("sysadmin unmasks: %v", err)
	}
	ana := e.as(u["ana1"])
	if _, err := e.s.RevealUserPII(ana, nu.ID, " "); code(err) != zhudun.EINVALID || field(err) != "reason" {
		t.Fatalf("no reason: %v", err)
	}
	got, err := e.s.RevealUserPII(ana, nu.ID, "案件核查：涉诈线索研判")
	if err != nil || got.Phone != "13912345678" || got.IDNumber != "11010519491231002X" {
		t.Fatalf("reveal: %+v %v", got, err)
	}
	ana2 := e.as(e.user("ana2", "SB2", zhudun.RoleAnalyst))
	if _, err := e.s.RevealUserPII(ana2, nu.ID, "案件核查：涉诈线索研判"); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("analyst of SB2 unmasks SB1's user: %v", err)
	}
	rows, _, err := e.s.FindAudit(e.as(u["aud"]), zhudun.AuditFilter{Action: "pii.view"})
	e.must(err)
	if len(rows) != 1 || rows[0].Username != "ana1" || rows[0].ObjectID != "p1" || !strings.Contains(string(rows[0].Detail), "涉诈线索研判") {
		t.Fatalf("pii.view audit = %+v", rows)
	}
	// Key rotation re-seals and re-indexes; everything still works.
	if _, err := e.keys.Rotate("pii"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.keys.Rotate("index"); err != nil {
		t.Fatal(err)
	}
	n, err := e.s.RekeyPII(e.sys)
	if err != nil || n != 1 { // one user with personal fields, no incidents
		t.Fatalf("rekey: %d %v", n, err)
	}
	var enc string
	e.must(e.s.DB().QueryRow(`SELECT phone_enc FROM users WHERE username = 'p1'`).Scan(&enc))
	if e.keys.NeedsRotation(enc) {
		t.Fatalf("phone still sealed with the old key: %s", enc[:12])
	}
	if _, n, err := e.s.FindUsers(hr1, zhudun.UserFilter{Phone: "139 1234 5678", Reason: why}); err != nil || n != 1 {
		t.Fatalf("by phone after rotation: %d %v", n, err)
	}
	if got, err := e.s.RevealUserPII(ana, nu.ID, "案件核查：轮换后复核"); err != nil || got.Phone != "13912345678" {
		t.Fatalf("reveal after rotation: %+v %v", got, err)
	}
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}
