package httpapi_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
)

// TestCaseAlertsAPI: GET /case-alerts lists the alerts of the caller's
// cases only, the other division's side by its department and whom to
// contact; an alert closes with a note, by its own case's writer only,
// once; a caller without case:read is 403.
func TestCaseAlertsAPI(t *testing.T) {
	h := caseWorld(t)
	mk := func(user, title string) int64 {
		t.Helper()
		var c zhudun.CaseDetail
		res := h.do(user, "POST", "/api/v1/cases", map[string]any{"title": title, "type": "telecom_fraud"})
		if res.status != 201 {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		decodeInto(t, res, &c)
		return c.ID
	}
	a, b := mk("wa1", "网安支队诈骗案"), mk("za1", "治安支队赌博案")
	for _, x := range []struct {
		user string
		id   int64
	}{{"wa1", a}, {"za1", b}} {
		if res := h.do(x.user, "POST", fmt.Sprintf("/api/v1/cases/%d/people", x.id), map[string]any{"name": "张三", "id_number": "370102198503121233", "role": "suspect"}); res.status != 201 {
			t.Fatalf("person: %d %s", res.status, res.body)
		}
	}
	type list struct {
		Items []zhudun.CaseAlert
		Total int
	}
	get := func(user, q string) list {
		t.Helper()
		res := h.do(user, "GET", "/api/v1/case-alerts"+q, nil)
		if res.status != 200 {
			t.Fatalf("%s case-alerts%s: %d %s", user, q, res.status, res.body)
		}
		if strings.Contains(string(res.body), "198503121233") {
			t.Fatalf("the list holds the resident ID: %s", res.body)
		}
		var l list
		decodeInto(t, res, &l)
		return l
	}
	wa := get("wa1", "")
	if wa.Total != 1 || len(wa.Items) != 1 {
		t.Fatalf("WAZD's alerts: %+v", wa)
	}
	x := wa.Items[0]
	if x.CaseID != a || x.Case == nil || x.Case.Title != "网安支队诈骗案" || x.Kind != "idno" || x.Shown != "370102********1233" || x.State != "open" ||
		x.Other == nil || x.Other.Visible || x.Other.Title != "" || x.Other.Number != "" || x.Other.Dept != "ZAZD" || x.Other.DeptName != "治安支队" || x.Other.Lead != "za1" {
		t.Fatalf("WAZD's alert: %+v case %+v other %+v", x, x.Case, x.Other)
	}
	za := get("za1", "")
	if za.Total != 1 || za.Items[0].CaseID != b || za.Items[0].Other.Dept != "WAZD" {
		t.Fatalf("ZAZD's alerts: %+v", za)
	}
	if res := h.do("aud", "GET", "/api/v1/case-alerts", nil); res.status != 403 {
		t.Fatalf("the audit administrator: %d %s", res.status, res.body)
	}
	if res := h.do("wa1", "GET", "/api/v1/case-alerts?state=done", nil); res.status != 400 || res.code() != zhudun.EINVALID {
		t.Fatalf("state=done: %d %s", res.status, res.body)
	}
	closePath := fmt.Sprintf("/api/v1/case-alerts/%d/close", x.ID)
	if res := h.do("za1", "POST", closePath, map[string]any{"note": "不是我们的"}); res.status != 404 {
		t.Fatalf("ZAZD closes WAZD's alert: %d %s", res.status, res.body)
	}
	if res := h.do("wa1", "POST", closePath, map[string]any{}); res.status != 400 {
		t.Fatalf("close without a note: %d %s", res.status, res.body)
	}
	var closed zhudun.CaseAlert
	res := h.do("wa1", "POST", closePath, map[string]any{"note": "已电话联系治安支队za1，确认同一嫌疑人"})
	decodeInto(t, res, &closed)
	if res.status != 200 || closed.State != "closed" || closed.ClosedBy != "wa1" || closed.CloseNote != "已电话联系治安支队za1，确认同一嫌疑人" {
		t.Fatalf("close: %d %s", res.status, res.body)
	}
	if res := h.do("wa1", "POST", closePath, map[string]any{"note": "再关一次"}); res.status != 409 {
		t.Fatalf("close twice: %d %s", res.status, res.body)
	}
	if l := get("wa1", "?state=open"); l.Total != 0 {
		t.Fatalf("WAZD's open alerts after closing: %+v", l)
	}
	if l := get("wa1", "?state=closed"); l.Total != 1 || l.Items[0].ID != x.ID {
		t.Fatalf("WAZD's closed alerts: %+v", l)
	}
	if l := get("za1", "?state=open"); l.Total != 1 {
		t.Fatalf("ZAZD's twin alert: %+v", l)
	}
}

// TestCaseUnlinkAPI: POST /cases/{id}/unlink takes a link off with a
// reason; both cases' timelines show it; another division's caller is
// 404; a missing reason 400; a link that is not there 404.
func TestCaseUnlinkAPI(t *testing.T) {
	h := caseWorld(t)
	var a, b zhudun.CaseDetail
	decodeInto(t, h.do("wa1", "POST", "/api/v1/cases", map[string]any{"title": "主案", "type": "telecom_fraud"}), &a)
	decodeInto(t, h.do("wa1", "POST", "/api/v1/cases", map[string]any{"title": "疑似串案", "type": "telecom_fraud"}), &b)
	if res := h.do("wa1", "POST", fmt.Sprintf("/api/v1/cases/%d/links", a.ID), map[string]any{"case": b.ID, "reason": "同一收款账户"}); res.status != 201 {
		t.Fatalf("link: %d %s", res.status, res.body)
	}
	path := fmt.Sprintf("/api/v1/cases/%d/unlink", a.ID)
	if res := h.do("za1", "POST", path, map[string]any{"case": b.ID, "reason": "与本单位无关"}); res.status != 404 {
		t.Fatalf("ZAZD unlinks: %d %s", res.status, res.body)
	}
	if res := h.do("wa1", "POST", path, map[string]any{"case": b.ID}); res.status != 400 || res.code() != zhudun.EINVALID {
		t.Fatalf("no reason: %d %s", res.status, res.body)
	}
	var c zhudun.CaseDetail
	res := h.do("wa1", "POST", path, map[string]any{"case": b.ID, "reason": "经核实收款账户不同"})
	decodeInto(t, res, &c)
	if res.status != 200 || len(c.Links) != 0 {
		t.Fatalf("unlink: %d %s", res.status, res.body)
	}
	last := c.Events[len(c.Events)-1]
	if last.Kind != "unlink" || last.Reason != "经核实收款账户不同" || last.Changes[0].Before != b.Receipt {
		t.Fatalf("timeline: %+v", last)
	}
	var other zhudun.CaseDetail
	decodeInto(t, h.do("wa1", "GET", fmt.Sprintf("/api/v1/cases/%d", b.ID), nil), &other)
	if l := other.Events[len(other.Events)-1]; l.Kind != "unlink" || l.Changes[0].Before != a.Receipt || len(other.Links) != 0 {
		t.Fatalf("the other case's timeline: %+v, links %+v", l, other.Links)
	}
	if res := h.do("wa1", "POST", path, map[string]any{"case": b.ID, "reason": "经核实收款账户不同"}); res.status != 404 {
		t.Fatalf("unlink twice: %d %s", res.status, res.body)
	}
}
