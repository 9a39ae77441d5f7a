package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/zhudun/zhudun"
)

// TestCampusPressFigures enters, through the API, the 2021 press report's
// amounts: 189 schools imported from a CSV, visited once each; 320 hazards
// (131 schools with two, 58 with one: a school with two counts once among
// those involved), 232 rectified on the spot (no notice), 88 notices for
// the rest, 12 of them re-issued on re-inspection (100 notices), 30 closed
// on re-inspection (closed, not overdue). The report gives exactly those
// figures; another sub-bureau's commander and another station's officer
// get nothing by list, id or export. Set ZHUDUN_CAMPUS_PDF to a path to
// keep a notice's PDF (to look at it).
func TestCampusPressFigures(t *testing.T) {
	h := newHarness(t)
	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
	jwb := zhudun.Dept{Code: "JWB", Name: "经文保支队", Kind: "division"}
	if err := h.store.CreateDept(sys, &jwb); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ name, dept, role string }{{"sup", "JWB", zhudun.RoleCampusSupervisor}, {"cmd2", "SB2", "commander"}} {
		nu, err := h.store.CreateUser(sys, zhudun.NewUser{Username: u.name, DeptCode: u.dept, Password: pw, Own: true, Roles: []string{u.role}})
		if err != nil {
			t.Fatal(err)
		}
		h.users[u.name] = nu
		h.tokens[u.name] = h.login(u.name, pw)
	}
	var csv strings.Builder
	csv.WriteString("学校代码,学校名称,类型,办学性质,区县代码,派出所,联系人,联系电话\n")
	for i := range 189 {
		fmt.Fprintf(&csv, "P%03d,第%d小学,小学,公办,370102,ST1,王老师,139053100%02d\n", i, i+1, i%100)
	}
	// A bad row refuses the whole file, naming the row.
	res := h.do("sup", "POST", "/api/v1/campus/schools/import", csvBody(csv.String()+"P999,坏学校,大学,公办,370102,ST1,,\n"))
	if res.status != 422 || !bytes.Contains(res.body, []byte(`"row":191,"field":"type"`)) {
		t.Fatalf("bad import: %d %s", res.status, res.body)
	}
	if res := h.do("sup", "GET", "/api/v1/campus/schools", nil); res.total() != 0 {
		t.Fatalf("a refused import left %d schools", res.total())
	}
	if res := h.do("sup", "POST", "/api/v1/campus/schools/import", csvBody(csv.String())); res.status != 200 || !bytes.Contains(res.body, []byte(`"imported":189`)) {
		t.Fatalf("import: %d %s", res.status, res.body)
	}
	var schools struct{ Items []zhudun.School }
	decodeInto(t, h.do("sup", "GET", "/api/v1/campus/schools?limit=500", nil), &schools)
	if len(schools.Items) != 189 || schools.Items[0].Contacts[0].PhoneMasked == "" || bytes.Contains(h.do("sup", "GET", "/api/v1/campus/schools?limit=500", nil).body, []byte("13905310001")) {
		t.Fatalf("schools %d, contacts not masked", len(schools.Items))
	}
	var g zhudun.Group
	decodeInto(t, h.do("sup", "POST", "/api/v1/campus/groups", map[string]any{"name": "第一联合督导组", "members": []map[string]any{
		{"name": "刘科长", "agency": "police"}, {"name": "孙老师", "agency": "education"}, {"name": "赵队长", "agency": "fire"}, {"name": "钱科长", "agency": "market"}}}), &g)
	ids := make([]int64, len(schools.Items))
	for i, s := range schools.Items {
		ids[i] = s.ID
	}
	today := time.Now().In(zhudun.CST()).Format("2006-01-02")
	var round zhudun.Round
	decodeInto(t, h.do("sup", "POST", "/api/v1/campus/rounds", map[string]any{"name": "2021年春季明查暗访", "group_id": g.ID,
		"start_day": today, "end_day": today, "schools": ids}), &round)
	cl, _ := zhudun.ChecklistFor(zhudun.ChecklistVersion, zhudun.SchoolPrimary)
	var open []int64 // hazards awaiting a notice
	for i, sc := range schools.Items {
		var rs []map[string]any
		for j, it := range cl.Items {
			r := map[string]any{"item": it.ID, "result": "pass"}
			if j == 0 || (j == 1 && i < 131) {
				onSpot := !(j == 0 && i < 88)
				r["result"], r["hazard"] = "fail", map[string]any{"severity": "general", "description": "检查发现：" + it.Text, "rectified_on_spot": onSpot}
			}
			rs = append(rs, r)
		}
		mode := "overt"
		if i%2 == 1 {
			mode = "covert"
		}
		var v zhudun.Visit
		decodeInto(t, h.do("off1", "POST", "/api/v1/campus/visits", map[string]any{"round_id": round.ID, "school_id": sc.ID, "mode": mode,
			"officers": []string{"张警官", "李警官"}, "results": rs}), &v)
		for _, hz := range v.Hazards {
			if hz.Status == zhudun.HazardOpen {
				open = append(open, hz.ID)
			}
		}
	}
	if len(open) != 88 {
		t.Fatalf("%d open hazards, want 88", len(open))
	}
	deadline := time.Now().In(zhudun.CST()).AddDate(0, 0, 15).Format("2006-01-02")
	var notices []zhudun.Notice
	for _, id := range open {
		var n zhudun.Notice
		decodeInto(t, h.do("off1", "POST", "/api/v1/campus/notices", map[string]any{"hazards": []int64{id}, "legal_basis": "internal_security_19",
			"deadline": deadline, "school_rep": "王建国", "officers": []string{"张警官", "李警官"}}), &n)
		notices = append(notices, n)
	}
	if notices[0].Number != fmt.Sprintf("一所责改字〔%s〕0001号", today[:4]) || notices[87].Serial != 88 {
		t.Errorf("numbers %s … serial %d", notices[0].Number, notices[87].Serial)
	}
	later := time.Now().In(zhudun.CST()).AddDate(0, 0, 30).Format("2006-01-02")
	for i, n := range notices[:42] {
		body := map[string]any{"outcome": "close", "reason": "复查合格"}
		if i >= 30 {
			body = map[string]any{"outcome": "reissue", "deadline": later, "reason": "复查仍未整改，重新下达"}
		}
		if res := h.do("off1", "POST", fmt.Sprintf("/api/v1/campus/notices/%d/reinspect", n.ID), body); res.status != 200 {
			t.Fatalf("reinspect: %d %s", res.status, res.body)
		}
	}
	// A re-issue is a new numbered notice (the bureau counts the documents
	// it served): serials 89 to 100 of the same station and year, each
	// superseding its first notice, which names it.
	var all struct{ Items []zhudun.Notice }
	decodeInto(t, h.do("sup", "GET", "/api/v1/campus/notices?limit=500", nil), &all)
	status := map[string]int{}
	serials := map[int]bool{}
	for _, n := range all.Items {
		status[n.Status]++
		serials[n.Serial] = true
		if n.Status == zhudun.NoticeSuperseded && (n.ReplacedBy == nil || *n.ReplacedBy <= notices[87].ID) {
			t.Errorf("superseded notice %s replaced by %v, want a new notice", n.Number, n.ReplacedBy)
		}
	}
	if len(all.Items) != 100 || status["open"] != 58 || status["closed"] != 30 || status["superseded"] != 12 || !serials[89] || !serials[100] || serials[101] {
		t.Errorf("%d notices by status %v, want 100: 58 open (46 first + 12 re-issued), 30 closed, 12 superseded, serials 1..100", len(all.Items), status)
	}
	res = h.do("cmd2", "GET", "/api/v1/reports/campus?from="+today+"&to="+today, nil)
	if res.status != 200 || !bytes.Contains(res.body, []byte(`"hazards":{"value":0,`)) {
		t.Errorf("SB2's commander's report: %d %s", res.status, res.body)
	}
	res = h.do("sup", "GET", "/api/v1/reports/campus?from="+today+"&to="+today+"&round="+fmt.Sprint(round.ID), nil)
	if res.status != 200 {
		t.Fatalf("report: %d %s", res.status, res.body)
	}
	for _, want := range []string{`"schools_inspected":{"value":189,"last_year":0,"change_pct":null}`, `"hazards":{"value":320,`,
		`"schools_involved":{"value":189,`, `"rectified_on_spot":{"value":232,`, `"notices":{"value":100,`, `"closed":{"value":30,`,
		`"overdue":{"value":0,`, `"coverage_pct":100`} {
		if !bytes.Contains(res.body, []byte(want)) {
			t.Errorf("report lacks %s", want)
		}
	}
	var rep struct{ Figures zhudun.CampusReport }
	json.Unmarshal(res.body, &rep)
	if f := rep.Figures.ByStation["ST1"]; f.Hazards.Value != 320 || rep.Figures.ByType["primary"].Notices.Value != 100 || rep.Figures.ByDistrict["370102"].SchoolsInvolved.Value != 189 {
		t.Errorf("breakdowns: ST1 %v, primary notices %v, 370102 involved %v", f.Hazards, rep.Figures.ByType["primary"].Notices, rep.Figures.ByDistrict["370102"].SchoolsInvolved)
	}
	res = h.do("sup", "GET", "/api/v1/reports/campus?from="+today+"&to="+today+"&format=xlsx", nil)
	x, err := excelize.OpenReader(bytes.NewReader(res.body))
	if err != nil {
		t.Fatalf("report xlsx: %d %v", res.status, err)
	}
	rows, _ := x.GetRows("campus")
	if len(rows) < 8 || rows[2][2] != "hazards" || rows[2][4] != "320" {
		t.Errorf("report xlsx rows %v", rows[:min(3, len(rows))])
	}
	// Another station gets nothing: by list, by id, by export.
	for _, u := range []string{"off2", "cmd2"} {
		if res := h.do(u, "GET", "/api/v1/campus/schools", nil); res.status != 200 || res.total() != 0 {
			t.Errorf("%s lists %d schools (%d)", u, res.total(), res.status)
		}
		if res := h.do(u, "GET", fmt.Sprintf("/api/v1/campus/schools/%d", ids[0]), nil); res.status != 404 {
			t.Errorf("%s reads ST1's school: %d", u, res.status)
		}
		if res := h.do(u, "GET", fmt.Sprintf("/api/v1/campus/notices/%d/pdf", notices[50].ID), nil); res.status != 404 {
			t.Errorf("%s reads ST1's notice PDF: %d", u, res.status)
		}
		if res := h.do(u, "GET", "/api/v1/campus/hazards", nil); res.total() != 0 {
			t.Errorf("%s lists %d hazards", u, res.total())
		}
		res := h.do(u, "GET", "/api/v1/campus/schools/export", nil)
		x, err := excelize.OpenReader(bytes.NewReader(res.body))
		if err != nil {
			t.Fatalf("%s export: %d %v", u, res.status, err)
		}
		if rows, _ := x.GetRows("schools"); len(rows) != 1 {
			t.Errorf("%s exports %d rows, want the header only", u, len(rows))
		}
	}
	if res := h.do("off1", "GET", "/api/v1/campus/schools/export", nil); res.status != 200 {
		t.Errorf("off1 export: %d", res.status)
	}
	res = h.do("off1", "GET", fmt.Sprintf("/api/v1/campus/notices/%d/pdf", notices[50].ID), nil)
	if res.status != 200 || !bytes.HasPrefix(res.body, []byte("%PDF")) {
		t.Fatalf("notice pdf: %d", res.status)
	}
	if p := os.Getenv("ZHUDUN_CAMPUS_PDF"); p != "" {
		os.WriteFile(p, res.body, 0o600)
	}
	// A photo of a hazard is served without its EXIF (GPS position).
	var nd zhudun.Notice
	decodeInto(t, h.do("off1", "GET", fmt.Sprintf("/api/v1/campus/notices/%d", notices[50].ID), nil), &nd)
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	var jb bytes.Buffer
	jpeg.Encode(&jb, img, nil)
	exif := []byte("Exif\x00\x00GPSLatitude 36.6512")
	photo := append([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0, byte(len(exif) + 2)}, exif...)
	photo = append(photo, jb.Bytes()[2:]...)
	res = h.do("off1", "POST", fmt.Sprintf("/api/v1/campus/hazards/%d/photos", nd.Hazards[0].ID), csvBody(photo))
	var ph zhudun.Photo
	decodeInto(t, res, &ph)
	res = h.do("off1", "GET", fmt.Sprintf("/api/v1/campus/photos/%d", ph.ID), nil)
	if res.status != 200 || res.header.Get("Content-Type") != "image/jpeg" || bytes.Contains(res.body, []byte("GPS")) {
		t.Errorf("photo served: %d %s, GPS inside %v", res.status, res.header.Get("Content-Type"), bytes.Contains(res.body, []byte("GPS")))
	}
	if _, err := jpeg.Decode(bytes.NewReader(res.body)); err != nil {
		t.Errorf("the served photo does not decode: %v", err)
	}
	if res := h.do("off2", "GET", fmt.Sprintf("/api/v1/campus/photos/%d", ph.ID), nil); res.status != 404 {
		t.Errorf("off2 reads off1's photo: %d", res.status)
	}
	if n := auditCountAPI(t, h, "campus_notice.export"); n != 1 {
		t.Errorf("%d campus_notice.export audit rows, want 1", n)
	}
}

func auditCountAPI(t *testing.T, h *harness, action string) int {
	_, n, err := h.store.FindAudit(zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test")), zhudun.AuditFilter{Action: action, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
