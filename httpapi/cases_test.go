package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// caseWorld adds to the harness the city's cyber division WAZD and the
// public-order division ZAZD, each with an analyst, and a gang G-000001 the
// engine found: two members raised by WAZD's feed, one by ZAZD's.
func caseWorld(t *testing.T) *harness {
	h := newHarness(t)
	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
	for _, d := range []zhudun.Dept{{Code: "WAZD", Name: "网络安全保卫支队", Kind: "division"}, {Code: "ZAZD", Name: "治安支队", Kind: "division"}} {
		d := d
		if err := h.store.CreateDept(sys, &d); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []struct{ name, dept string }{{"wa1", "WAZD"}, {"za1", "ZAZD"}} {
		nu, err := h.store.CreateUser(sys, zhudun.NewUser{Username: u.name, DeptCode: u.dept, Password: pw, Own: true, Roles: []string{"analyst"}})
		if err != nil {
			t.Fatal(err)
		}
		h.users[u.name] = nu
		h.tokens[u.name] = h.login(u.name, pw)
	}
	for _, s := range []zhudun.NewSource{{Name: "cmcc-wa", Kind: zhudun.SourceCarrier, Binding: "cmcc", DeptCode: "WAZD"},
		{Name: "cmcc-za", Kind: zhudun.SourceCarrier, Binding: "cmcc", DeptCode: "ZAZD"}} {
		if _, _, err := h.store.CreateSource(sys, s); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Now().Add(-time.Hour).UTC()
	ev := json.RawMessage(`[{"signal":"imsi_per_imei","value":37,"threshold":4,"window":"7d"}]`)
	mk := func(cat, typ, ent, src string) *zhudun.Finding {
		return &zhudun.Finding{Kind: zhudun.KindFinding, Category: cat, EntityType: typ, Entity: ent, Score: 0.9, Gang: "G-000001",
			FirstSeen: at, LastSeen: at, Evidence: ev, Source: src, Networks: []string{"cmcc"}}
	}
	if err := h.store.ApplyFindingChange(sys, &zhudun.FindingChange{Upsert: []*zhudun.Finding{
		mk("black_card", "msisdn", "13800000001", "cmcc-wa"), mk("black_device", "imei", "86123456789012", "cmcc-wa"),
		mk("black_card", "msisdn", "13900000009", "cmcc-za"),
	}}); err != nil {
		t.Fatal(err)
	}
	return h
}

// TestCaseScenario: WAZD's analyst opens a case from the gang (its two
// members, not ZAZD's), sets its prefix and files it, adds a suspect with
// a detention and a seizure, reveals the suspect's ID with a reason; ZAZD's
// analyst sees none of it; an officer may not write; every step is in the
// audit log and no clear ID is.
func TestCaseScenario(t *testing.T) {
	h := caseWorld(t)
	var c zhudun.CaseDetail
	res := h.do("wa1", "POST", "/api/v1/cases", map[string]any{"title": "G-000001 猫池窝点案", "type": "helping_crime", "from_gang": "G-000001"})
	if res.status != 201 {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	decodeInto(t, res, &c)
	for _, k := range []string{`"people":[]`, `"measures":[]`, `"seizures":[]`, `"links":[]`, `"team":[]`, `"campaigns":[]`} {
		if !bytes.Contains(res.body, []byte(k)) {
			t.Errorf("a new case's page lacks %s: %s", k, res.body)
		}
	}
	var ents []string
	for _, e := range c.Entities {
		ents = append(ents, e.Entity)
	}
	if c.DeptCode != "WAZD" || c.Status != "received" || c.Number != "" || strings.Join(ents, ",") != "13800000001,86123456789012" {
		t.Fatalf("case from the gang: %s %s %q %v", c.DeptCode, c.Status, c.Number, ents)
	}
	path := fmt.Sprintf("/api/v1/cases/%d", c.ID)

	if res := h.do("wa1", "PUT", "/api/v1/depts/WAZD/case-prefix", map[string]any{"prefix": "济网安立"}); res.status != 200 {
		t.Fatalf("prefix: %d %s", res.status, res.body)
	}
	if res := h.do("wa1", "POST", path+"/transition", map[string]any{"to": "solved"}); res.status != 409 {
		t.Fatalf("received → solved: %d %s", res.status, res.body)
	}
	res = h.do("wa1", "POST", path+"/transition", map[string]any{"to": "filed"})
	decodeInto(t, res, &c)
	year := time.Now().In(zhudun.CST()).Year()
	if want := fmt.Sprintf("济网安立〔%d〕0001号", year); res.status != 200 || c.Number != want {
		t.Fatalf("filed: %d %q; want %s", res.status, c.Number, want)
	}

	var p zhudun.CasePerson
	res = h.do("wa1", "POST", path+"/people", map[string]any{"name": "张三", "id_number": "370102198503121233", "phone": "13855556666",
		"role": "suspect", "apprehended_on": "2026-11-20"})
	decodeInto(t, res, &p)
	if res.status != 201 || p.IDNumberMasked != "370102********1233" || p.PhoneMasked != "138****6666" || bytes.Contains(res.body, []byte("198503121233")) {
		t.Fatalf("person: %d %s", res.status, res.body)
	}
	if res := h.do("wa1", "POST", path+"/measures", map[string]any{"person": p.PersonID, "kind": "detention", "from": "2026-11-20", "to": "2026-12-20",
		"authority": "济南市公安局", "document_no": "济公（网）拘字〔2026〕12号"}); res.status != 201 {
		t.Fatalf("measure: %d %s", res.status, res.body)
	}
	var z zhudun.Seizure
	res = h.do("wa1", "POST", path+"/seizures", map[string]any{"kind": "funds", "amount": "1980000.00", "account": "6222020200112233445",
		"bank": "工商银行", "state": "frozen", "frozen_on": "2026-11-21"})
	decodeInto(t, res, &z)
	if res.status != 201 || z.AmountFen != 198000000 || z.Amount != "1980000.00" {
		t.Fatalf("seizure: %d %s", res.status, res.body)
	}
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"kind": "funds", "amount": "1.005", "account": "6222", "bank": "工商银行", "state": "frozen", "frozen_on": "2026-11-21"}, "amount"},
		{map[string]any{"kind": "devices", "device_type": "cat_pool", "count": 1, "seized_on": "2026-11-21"}, "slots"},
	} {
		res := h.do("wa1", "POST", path+"/seizures", bad.body)
		var b struct{ Error struct{ Code, Field string } }
		json.Unmarshal(res.body, &b)
		if res.status != 400 || b.Error.Field != bad.field {
			t.Errorf("seizure %v: %d %s; want 400 on %s", bad.body, res.status, res.body, bad.field)
		}
	}
	if res := h.do("wa1", "POST", "/api/v1/people/"+fmt.Sprint(p.PersonID)+"/pii", map[string]any{"reason": "核查嫌疑人身份"}); res.status != 200 ||
		!bytes.Contains(res.body, []byte("370102198503121233")) {
		t.Fatalf("reveal: %d %s", res.status, res.body)
	}
	var got zhudun.CaseDetail
	res = h.do("wa1", "GET", "/api/v1/cases/by-number?number="+c.Number, nil)
	decodeInto(t, res, &got)
	if res.status != 200 || got.ID != c.ID || len(got.People) != 1 || len(got.Measures) != 1 || len(got.Seizures) != 1 || len(got.Events) != 2 {
		t.Fatalf("by number: %d %s", res.status, res.body)
	}

	// ZAZD's analyst and an officer.
	for _, r := range []struct {
		who, method, path string
		body              any
		status            int
	}{
		{"za1", "GET", path, nil, 404},
		{"za1", "GET", "/api/v1/cases/by-number?number=" + c.Number, nil, 404},
		{"za1", "POST", path + "/transition", map[string]any{"to": "solved"}, 404},
		{"za1", "POST", path + "/people", map[string]any{"name": "李四", "role": "victim"}, 404},
		{"za1", "GET", "/api/v1/people/" + fmt.Sprint(p.PersonID), nil, 404},
		{"za1", "POST", "/api/v1/people/" + fmt.Sprint(p.PersonID) + "/pii", map[string]any{"reason": "核查嫌疑人身份"}, 404},
		{"za1", "PUT", "/api/v1/depts/WAZD/case-prefix", map[string]any{"prefix": "济治安立"}, 404},
		{"off1", "POST", "/api/v1/cases", map[string]any{"title": "民警立案", "type": "other"}, 403},
		{"off1", "GET", path, nil, 403},
		{"wa1", "GET", "/api/v1/people/" + fmt.Sprint(p.PersonID), nil, 200},
		{"za1", "POST", path + "/people/" + fmt.Sprint(p.PersonID) + "/apprehend", map[string]any{"on": "2026-11-22"}, 404},
		{"wa1", "POST", path + "/people/" + fmt.Sprint(p.PersonID) + "/apprehend", map[string]any{"on": "2026-11-22"}, 200},
	} {
		if res := h.do(r.who, r.method, r.path, r.body); res.status != r.status {
			t.Errorf("%s %s %s: %d %s; want %d", r.who, r.method, r.path, res.status, res.body, r.status)
		}
	}
	if res := h.do("za1", "GET", "/api/v1/cases", nil); res.status != 200 || res.total() != 0 {
		t.Errorf("ZAZD's list: %d, %d cases", res.status, res.total())
	}
	// ZAZD opens its own from the gang: its member only.
	res = h.do("za1", "POST", "/api/v1/cases", map[string]any{"title": "治安支队涉 G-000001", "type": "helping_crime", "from_gang": "G-000001"})
	var zc zhudun.CaseDetail
	decodeInto(t, res, &zc)
	if res.status != 201 || len(zc.Entities) != 1 || zc.Entities[0].Entity != "13900000009" {
		t.Fatalf("ZAZD's case: %d %s", res.status, res.body)
	}

	// The audit log: each step, and no clear ID or phone anywhere in it.
	for action, want := range map[string]int{"case.create": 2, "case.file": 1, "case.prefix": 1, "case.person.add": 1, "case.measure.add": 1,
		"case.seizure.add": 1, "pii.view": 1} {
		if res := h.do("aud", "GET", "/api/v1/audit?action="+action, nil); res.total() != want {
			t.Errorf("audit %s: %d rows; want %d", action, res.total(), want)
		}
	}
	if res := h.do("aud", "GET", "/api/v1/audit?limit=500", nil); bytes.Contains(res.body, []byte("370102198503121233")) || bytes.Contains(res.body, []byte("13855556666")) {
		t.Error("the audit log carries the suspect's clear ID or phone")
	}
}

// TestCaseMatrix: the cases routes by role and position, on one case of
// WAZD and one campaign; every expectation written out by hand.
func TestCaseMatrix(t *testing.T) {
	h := caseWorld(t)
	res := h.do("wa1", "POST", "/api/v1/cases", map[string]any{"title": "网安支队案", "type": "telecom_fraud"})
	var c zhudun.CaseDetail
	decodeInto(t, res, &c)
	res = h.do("za1", "POST", "/api/v1/cases", map[string]any{"title": "治安支队案", "type": "gambling"})
	var zc zhudun.CaseDetail
	decodeInto(t, res, &zc)
	id := fmt.Sprint(c.ID)
	rows := []struct {
		who, method, path string
		body              any
		status            int
		total             int
	}{
		{"wa1", "GET", "/api/v1/cases", nil, 200, 1},
		{"za1", "GET", "/api/v1/cases", nil, 200, 1},
		{"ana1", "GET", "/api/v1/cases", nil, 200, 0},
		{"off1", "GET", "/api/v1/cases", nil, 403, -1},
		{"wa1", "GET", "/api/v1/cases?status=bogus", nil, 400, -1},
		{"wa1", "GET", "/api/v1/cases/" + id, nil, 200, -1},
		{"za1", "GET", "/api/v1/cases/" + id, nil, 404, -1},
		{"ana1", "GET", "/api/v1/cases/" + id, nil, 404, -1},
		{"wa1", "GET", "/api/v1/cases/999999", nil, 404, -1},
		{"wa1", "POST", "/api/v1/cases", map[string]any{"title": "越权立案", "type": "other", "dept": "ZAZD"}, 400, -1},
		{"wa1", "POST", "/api/v1/cases", map[string]any{"title": "未知类型", "type": "fraud"}, 400, -1},
		{"off1", "POST", "/api/v1/cases", map[string]any{"title": "民警立案", "type": "other"}, 403, -1},
		{"za1", "POST", "/api/v1/cases/" + id + "/transition", map[string]any{"to": "filed"}, 404, -1},
		{"wa1", "POST", "/api/v1/cases/" + id + "/transition", map[string]any{"to": "closed_unfiled"}, 400, -1},
		{"wa1", "POST", "/api/v1/cases/" + id + "/links", map[string]any{"case": zc.ID, "reason": "同一团伙作案"}, 404, -1},
		{"wa1", "POST", "/api/v1/cases/" + id + "/merge", map[string]any{"into": zc.ID, "reason": "重复立案"}, 404, -1},
		{"za1", "POST", "/api/v1/cases/" + id + "/seizures", map[string]any{"kind": "sim_cards", "count": 1, "seized_on": "2026-11-21"}, 404, -1},
		{"za1", "POST", "/api/v1/cases/" + id + "/entities", map[string]any{"findings": []int64{1}}, 404, -1},
		{"wa1", "POST", "/api/v1/cases/" + id + "/entities", map[string]any{"findings": []int64{3}}, 404, -1}, // ZAZD's finding
		{"wa1", "POST", "/api/v1/cases/" + id + "/entities", map[string]any{"findings": []int64{1}}, 200, 1},
		{"wa1", "POST", "/api/v1/campaigns", map[string]any{"name": "四断", "from": "2026-01-01", "to": "2026-12-31"}, 201, -1},
		{"wa1", "POST", "/api/v1/campaigns", map[string]any{"name": "净网2026", "from": "2026-01-01", "to": "2026-12-31", "dept": "ROOT"}, 400, -1},
		{"off1", "POST", "/api/v1/campaigns", map[string]any{"name": "民警专项", "from": "2026-01-01", "to": "2026-12-31"}, 403, -1},
		{"wa1", "GET", "/api/v1/campaigns", nil, 200, 1},
		{"za1", "GET", "/api/v1/campaigns", nil, 200, 0},
		{"off1", "GET", "/api/v1/campaigns", nil, 403, -1},
		{"wa1", "GET", "/api/v1/dictionaries/case-types", nil, 200, -1},
		{"wa1", "GET", "/api/v1/depts/WAZD/case-prefix", nil, 200, -1},
		{"za1", "GET", "/api/v1/depts/WAZD/case-prefix", nil, 404, -1},
		{"off1", "PUT", "/api/v1/depts/ST1/case-prefix", map[string]any{"prefix": "济一所立"}, 403, -1},
		{"", "GET", "/api/v1/cases", nil, 401, -1},
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
	var pfx zhudun.CasePrefix
	decodeInto(t, h.do("wa1", "GET", "/api/v1/depts/WAZD/case-prefix", nil), &pfx)
	if pfx.Prefix != "济公网立WAZD" || !pfx.Default {
		t.Errorf("WAZD's default prefix: %+v", pfx)
	}
}
