package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/geo"
)

// squareFeature is a GeoJSON grid feature: [lon, lon+d] × [lat, lat+d].
func squareFeature(code, station string, lon, lat, d float64, conv func(float64, float64) (float64, float64)) map[string]any {
	ring := [][2]float64{{lon, lat}, {lon + d, lat}, {lon + d, lat + d}, {lon, lat + d}, {lon, lat}}
	pp := [2]float64{lon + d/2, lat + d/2}
	if conv != nil {
		for i := range ring {
			ring[i][0], ring[i][1] = conv(ring[i][0], ring[i][1])
		}
		pp[0], pp[1] = conv(pp[0], pp[1])
	}
	return map[string]any{"type": "Feature", "properties": map[string]any{"code": code, "name": code, "station": station, "patrol_point": pp},
		"geometry": map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}}}
}

func fc(features ...map[string]any) map[string]any {
	return map[string]any{"type": "FeatureCollection", "features": features}
}

func decodeInto(t *testing.T, r response, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// TestPatrolScenario drives grid patrol over the API as issue 6 checks it.
// Grids, 0.01° squares at 36.60°N: A1 [117.00, 117.01] and A2 [117.01,
// 117.02] of ST1; C1 [117.02, 117.03] of ST1B. A2 touches A1 and C1.
func TestPatrolScenario(t *testing.T) {
	h := newHarness(t)
	sys := zhudun.WithCaller(t.Context(), zhudun.SystemCaller("test"))
	st1b := zhudun.Dept{Code: "ST1B", Name: "一所乙", ParentCode: "SB1"}
	if err := h.store.CreateDept(sys, &st1b); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ name, dept, role string }{
		{"cmd1", "SB1", "commander"}, {"disp1", "SB1", "dispatcher"}, {"cmd2", "SB2", "commander"}, {"disp2", "SB2", "dispatcher"},
	} {
		nu, err := h.store.CreateUser(sys, zhudun.NewUser{Username: u.name, DeptCode: u.dept, Password: pw, Own: true, Roles: []string{u.role}})
		if err != nil {
			t.Fatal(err)
		}
		h.users[u.name] = nu
		h.tokens[u.name] = h.login(u.name, pw)
	}
	// Grids: accepted; then an overlapping upload is refused, naming both.
	r := h.do("cmd1", "POST", "/api/v1/grids", fc(squareFeature("A1", "ST1", 117.00, 36.60, 0.01, nil),
		squareFeature("A2", "ST1", 117.01, 36.60, 0.01, nil), squareFeature("C1", "ST1B", 117.02, 36.60, 0.01, nil)))
	if r.status != 200 || !strings.Contains(string(r.body), `"accepted":true,"created":3`) {
		t.Fatalf("grids: %d %s", r.status, r.body)
	}
	r = h.do("cmd1", "POST", "/api/v1/grids", fc(squareFeature("X1", "ST1", 117.005, 36.605, 0.01, nil)))
	var rej struct {
		Error  struct{ Code string }
		Report zhudun.GridImportReport
	}
	decodeInto(t, r, &rej)
	if r.status != 400 || rej.Error.Code != "EINVALID" || rej.Report.Accepted || len(rej.Report.Problems) != 2 ||
		rej.Report.Problems[0].Feature != "X1" || rej.Report.Problems[0].Other != "A1" || rej.Report.Problems[1].Other != "A2" {
		t.Fatalf("overlap: %d %s", r.status, r.body)
	}
	if r := h.do("disp1", "POST", "/api/v1/grids", fc(squareFeature("Q1", "ST1", 118, 36, 0.01, nil))); r.status != 403 {
		t.Errorf("dispatcher posts grids: %d", r.status)
	}
	// GCJ-02 in: stored as WGS-84, read back in either.
	r = h.do("cmd1", "POST", "/api/v1/grids?crs=gcj02", fc(squareFeature("G1", "ST1", 117.30, 36.70, 0.01, geo.WGS84ToGCJ02)))
	if r.status != 200 {
		t.Fatalf("gcj02 upload: %d %s", r.status, r.body)
	}
	var out struct {
		Features []struct {
			Properties struct {
				Code        string
				PatrolPoint [2]float64 `json:"patrol_point"`
				Touching    []string
			}
			Geometry struct{ Coordinates [][][][2]float64 }
		}
	}
	decodeInto(t, h.do("cmd1", "GET", "/api/v1/grids?code=G1", nil), &out)
	if len(out.Features) != 1 || math.Abs(out.Features[0].Geometry.Coordinates[0][0][0][0]-117.30) > 1e-7 || math.Abs(out.Features[0].Properties.PatrolPoint[1]-36.705) > 1e-7 {
		t.Fatalf("G1 back in WGS-84: %+v", out)
	}
	decodeInto(t, h.do("cmd1", "GET", "/api/v1/grids?code=A2", nil), &out)
	if fmt.Sprint(out.Features[0].Properties.Touching) != "[A1 C1]" {
		t.Errorf("A2 touches %v, want [A1 C1]", out.Features[0].Properties.Touching)
	}
	if r := h.do("cmd2", "GET", "/api/v1/grids", nil); !strings.Contains(string(r.body), `"total":0`) {
		t.Errorf("cmd2 sees grids: %s", r.body)
	}
	// Units: U1, U2 and stale U4 of ST1; U3 of ST1B. All patrolling.
	ids := map[string]int64{}
	now := time.Now().UTC()
	for _, u := range []struct {
		callsign, station string
		lon, lat          float64
		age               time.Duration
	}{
		{"U1", "ST1", 117.002, 36.602, 10 * time.Second},
		{"U2", "ST1", 117.008, 36.608, 10 * time.Second},
		{"U3", "ST1B", 117.021, 36.605, 10 * time.Second},
		{"U4", "ST1", 117.0071, 36.6071, 10 * time.Minute}, // nearest of all to incident 1, but stale
	} {
		r := h.do("cmd1", "POST", "/api/v1/units", map[string]any{"callsign": u.callsign, "kind": "car", "station": u.station})
		var x zhudun.Unit
		decodeInto(t, r, &x)
		if r.status != 201 || x.Status != "off_duty" || !x.Stale {
			t.Fatalf("create %s: %d %s", u.callsign, r.status, r.body)
		}
		ids[u.callsign] = x.ID
		if r := h.do("disp1", "POST", fmt.Sprintf("/api/v1/units/%d/status", x.ID), map[string]any{"status": "patrolling"}); r.status != 200 {
			t.Fatalf("patrol %s: %d %s", u.callsign, r.status, r.body)
		}
		r = h.do("disp1", "POST", fmt.Sprintf("/api/v1/units/%d/positions", x.ID), []map[string]any{{"lon": u.lon, "lat": u.lat, "ts": now.Add(-u.age)}})
		decodeInto(t, r, &x)
		if r.status != 200 || x.Stale != (u.age > 3*time.Minute) || x.PositionAge == nil || *x.PositionAge < u.age.Seconds() {
			t.Fatalf("position %s: %d %s", u.callsign, r.status, r.body)
		}
	}
	if r := h.do("disp2", "GET", fmt.Sprintf("/api/v1/units/%d", ids["U1"]), nil); r.status != 404 {
		t.Errorf("disp2 reads U1: %d", r.status)
	}
	var u1 zhudun.Unit
	decodeInto(t, h.do("disp1", "GET", fmt.Sprintf("/api/v1/units/%d", ids["U1"]), nil), &u1)
	if u1.GridCode != "A1" || u1.Status != "patrolling" {
		t.Errorf("U1: %+v", u1)
	}
	// Incident 1 in A1: U2 is the nearest available unit with a fresh position.
	type answer struct {
		Incident       zhudun.Incident
		Recommendation struct {
			Grid string
			Unit *struct {
				UnitID         int64 `json:"unit_id"`
				Callsign, Tier string
				DistanceM      float64 `json:"distance_m"`
			}
			Alternatives []struct{ Callsign string }
			StaleUnits   int `json:"stale_units"`
			Reason       string
		}
	}
	var a1 answer
	r = h.do("disp1", "POST", "/api/v1/incidents", map[string]any{"category": "dispute", "lon": 117.007, "lat": 36.607, "caller_phone": "13912345678", "address": "泉城路1号"})
	decodeInto(t, r, &a1)
	if r.status != 201 || a1.Incident.GridCode != "A1" || a1.Incident.StationCode != "ST1" || a1.Incident.CallerPhone != "139****5678" ||
		a1.Recommendation.Unit == nil || a1.Recommendation.Unit.Callsign != "U2" || a1.Recommendation.Unit.Tier != "grid" || a1.Recommendation.StaleUnits != 1 {
		t.Fatalf("incident 1: %d %s", r.status, r.body)
	}
	if d := geo.Haversine(117.007, 36.607, 117.008, 36.608); math.Abs(a1.Recommendation.Unit.DistanceM-d) > 0.01 {
		t.Errorf("distance %.2f, want %.2f", a1.Recommendation.Unit.DistanceM, d)
	}
	var alts []string
	for _, x := range a1.Recommendation.Alternatives {
		alts = append(alts, x.Callsign)
	}
	// A1's only neighbour is A2, which holds no unit: the grid's own, by distance.
	if fmt.Sprint(alts) != "[U2 U1]" {
		t.Errorf("alternatives %v, want [U2 U1]", alts)
	}
	inc1 := a1.Incident.ID
	// Dispatching U1 instead needs a reason; U2, the recommendation, does not.
	if r := h.do("disp1", "POST", fmt.Sprintf("/api/v1/incidents/%d/dispatch", inc1), map[string]any{"unit": ids["U1"]}); r.status != 400 || !strings.Contains(string(r.body), `"field":"reason"`) {
		t.Errorf("override without reason: %d %s", r.status, r.body)
	}
	if r := h.do("disp1", "POST", fmt.Sprintf("/api/v1/incidents/%d/dispatch", inc1), map[string]any{"unit": ids["U2"]}); r.status != 200 || !strings.Contains(string(r.body), `"status":"dispatched"`) {
		t.Fatalf("dispatch U2: %d %s", r.status, r.body)
	}
	// Incident 2 in A2, where no unit is: the nearest available unit of the
	// touching grids A1 (U1, 1.3 km) and C1 (U3, 0.55 km) is U3.
	var a2 answer
	decodeInto(t, h.do("disp1", "POST", "/api/v1/incidents", map[string]any{"category": "traffic", "lon": 117.015, "lat": 36.605}), &a2)
	if a2.Incident.GridCode != "A2" || a2.Recommendation.Unit == nil || a2.Recommendation.Unit.Callsign != "U3" || a2.Recommendation.Unit.Tier != "neighbour" {
		t.Fatalf("incident 2: %+v", a2)
	}
	// Every unit of ST1B off duty and U1 dispatched elsewhere: nobody left, with a reason.
	if r := h.do("disp1", "POST", fmt.Sprintf("/api/v1/units/%d/status", ids["U3"]), map[string]any{"status": "meal"}); r.status != 200 {
		t.Fatal(r.status)
	}
	if r := h.do("disp1", "POST", fmt.Sprintf("/api/v1/units/%d/status", ids["U1"]), map[string]any{"status": "off_duty"}); r.status != 200 {
		t.Fatal(r.status)
	}
	var rec struct {
		Unit   any
		Reason string
	}
	decodeInto(t, h.do("disp1", "GET", fmt.Sprintf("/api/v1/incidents/%d/recommendation", a2.Incident.ID), nil), &rec)
	if rec.Unit != nil || !strings.Contains(rec.Reason, "A2") {
		t.Errorf("nobody available: %+v", rec)
	}
	// Arrive and close incident 1: U2 patrols again.
	if r := h.do("disp1", "POST", fmt.Sprintf("/api/v1/incidents/%d/arrive", inc1), nil); r.status != 200 || !strings.Contains(string(r.body), `"status":"on_scene"`) {
		t.Fatalf("arrive: %d %s", r.status, r.body)
	}
	if r := h.do("disp1", "POST", fmt.Sprintf("/api/v1/incidents/%d/close", inc1), map[string]any{"outcome": "mediated", "case_ref": "JN-1"}); r.status != 200 {
		t.Fatalf("close: %d %s", r.status, r.body)
	}
	var u2 zhudun.Unit
	decodeInto(t, h.do("disp1", "GET", fmt.Sprintf("/api/v1/units/%d", ids["U2"]), nil), &u2)
	if u2.Status != "patrolling" || u2.IncidentID != nil {
		t.Errorf("U2 after close: %+v", u2)
	}
	// U2 is recommended again for a new incident in A1.
	var a3 answer
	decodeInto(t, h.do("disp1", "POST", "/api/v1/incidents", map[string]any{"category": "other", "lon": 117.007, "lat": 36.607}), &a3)
	if a3.Recommendation.Unit == nil || a3.Recommendation.Unit.Callsign != "U2" {
		t.Errorf("after close: %+v", a3.Recommendation)
	}
	// Last year's history, imported: the same days a year ago.
	today := time.Now().In(shanghai())
	ly := time.Date(today.Year()-1, today.Month(), today.Day(), 12, 0, 0, 0, shanghai())
	var rows []zhudun.NewIncident
	for _, x := range []struct{ cat, outcome string }{{"criminal", "criminal_case"}, {"criminal", "criminal_case"}, {"dispute", "mediated"}, {"traffic", "handled"}} {
		at, closed := ly, ly.Add(time.Hour)
		rows = append(rows, zhudun.NewIncident{Category: x.cat, Lon: 117.005, Lat: 36.605, ReceivedAt: &at, ClosedAt: &closed, Outcome: x.outcome})
	}
	if n, bad, err := h.store.ImportIncidents(sys, zhudun.IncidentImport{Rows: rows}); err != nil || n != 4 || len(bad) != 0 {
		t.Fatalf("import: %d %v %v", n, bad, err)
	}
	// The report: three incidents this period (one mediated) against four.
	period := "from=" + today.AddDate(0, 0, -1).Format("2006-01-02") + "&to=" + today.AddDate(0, 0, 1).Format("2006-01-02")
	var rep zhudun.PatrolReport
	r = h.do("cmd1", "GET", "/api/v1/reports/patrol?"+period, nil)
	decodeInto(t, r, &rep)
	c := func(x zhudun.Compare) string {
		if x.ChangePct == nil {
			return fmt.Sprintf("%d/%d/nil", x.Count, x.LastYear)
		}
		return fmt.Sprintf("%d/%d/%.1f", x.Count, x.LastYear, *x.ChangePct)
	}
	got := fmt.Sprintf("%s %s %s %s", c(rep.Total.Incidents), c(rep.Total.DisputesMediated), c(rep.Total.CriminalCases), c(rep.Total.RescuesServices))
	if want := "3/4/-25.0 1/1/0.0 0/2/-100.0 0/0/nil"; got != want {
		t.Errorf("report totals %s, want %s (%s)", got, want, r.body)
	}
	if rep.Total.Response.Arrived != 1 || len(rep.Grids) != 2 {
		t.Errorf("report response %+v grids %d", rep.Total.Response, len(rep.Grids))
	}
	if r := h.do("cmd1", "GET", "/api/v1/reports/patrol?"+period+"&format=xlsx", nil); r.status != 200 || !strings.Contains(r.header.Get("Content-Type"), "spreadsheetml") {
		t.Errorf("xlsx: %d %s", r.status, r.header.Get("Content-Type"))
	}
	// Issue 19.12: a negative change is a number in the CSV, not quoted text.
	r = h.do("cmd1", "GET", "/api/v1/reports/patrol?"+period+"&format=csv", nil)
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.body, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil || r.status != 200 || len(recs) < 2 || recs[1][0] != "total" || recs[1][6] != "-25" {
		t.Errorf("cmd1 csv total row: %d %v %q", r.status, err, recs)
	}
	// Another sub-bureau's dispatcher and commander get nothing: by id, list, count, export.
	for _, p := range []string{fmt.Sprintf("/api/v1/incidents/%d", inc1), fmt.Sprintf("/api/v1/incidents/%d/recommendation", inc1)} {
		if r := h.do("disp2", "GET", p, nil); r.status != 404 {
			t.Errorf("disp2 %s: %d", p, r.status)
		}
	}
	if r := h.do("disp2", "POST", fmt.Sprintf("/api/v1/incidents/%d/close", a2.Incident.ID), map[string]any{"outcome": "handled"}); r.status != 404 {
		t.Errorf("disp2 closes: %d", r.status)
	}
	if r := h.do("disp2", "GET", "/api/v1/incidents", nil); r.status != 200 || r.total() != 0 {
		t.Errorf("disp2 list: %d total %d", r.status, r.total())
	}
	if r := h.do("disp1", "GET", "/api/v1/incidents?open=true", nil); r.total() != 2 {
		t.Errorf("disp1 open incidents: %d, want 2", r.total())
	}
	decodeInto(t, h.do("cmd2", "GET", "/api/v1/reports/patrol?"+period, nil), &rep)
	if rep.Total.Incidents.Count != 0 || rep.Total.Incidents.LastYear != 0 || len(rep.Grids) != 0 {
		t.Errorf("cmd2 report: %+v", rep.Total)
	}
	r = h.do("cmd2", "GET", "/api/v1/reports/patrol?"+period+"&format=csv", nil)
	recs, err = csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.body, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil || r.status != 200 {
		t.Fatalf("cmd2 csv: %d %v", r.status, err)
	}
	for _, rec := range recs[1:] {
		if (rec[0] == "grid" || rec[0] == "station") || (rec[0] == "total" && rec[4] != "0") || strings.Contains(strings.Join(rec, ","), "ST1") {
			t.Errorf("cmd2 export leaks %v", rec)
		}
	}
	if r := h.do("cmd2", "GET", "/api/v1/reports/patrol?"+period+"&dept=ST1", nil); r.status != 404 {
		t.Errorf("cmd2 asks for ST1: %d", r.status)
	}
	if r := h.do("aud", "GET", "/api/v1/audit?action=patrol_report.export", nil); r.total() != 3 {
		t.Errorf("exports audited: %d, want 2", r.total())
	}
	if r := h.do("aud", "GET", "/api/v1/audit?action=unit.position", nil); r.total() != 0 {
		t.Errorf("positions audited: %d", r.total())
	}
	if r := h.do("disp1", "GET", "/api/v1/dictionaries/incident-categories", nil); r.status != 200 || !strings.Contains(string(r.body), `"code":"public_order"`) {
		t.Errorf("dictionary: %d %s", r.status, r.body)
	}
}

func shanghai() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}

// TestGridUploadMillionVertices: two features of 500,000 positions each are
// refused as a whole before any geometry check (issue 19.7: two such
// uploads held both cores for minutes after their clients left).
func TestGridUploadMillionVertices(t *testing.T) {
	h := newHarness(t)
	sys := zhudun.WithCaller(t.Context(), zhudun.SystemCaller("test"))
	nu, err := h.store.CreateUser(sys, zhudun.NewUser{Username: "cmd1", DeptCode: "SB1", Password: pw, Own: true, Roles: []string{"commander"}})
	if err != nil {
		t.Fatal(err)
	}
	h.users["cmd1"], h.tokens["cmd1"] = nu, h.login("cmd1", pw)
	var feats []map[string]any
	for f := 0; f < 2; f++ {
		const n = 499999 // 500,000 positions with the closing one: 10^6 in all
		ring := make([][2]float64, n+1)
		for i := 0; i < n; i++ {
			a := 2 * math.Pi * float64(i) / n
			ring[i] = [2]float64{117 + float64(f)*0.02 + 0.005*math.Cos(a), 36.6 + 0.005*math.Sin(a)}
		}
		ring[n] = ring[0]
		feats = append(feats, map[string]any{"type": "Feature", "properties": map[string]any{"code": fmt.Sprintf("M%d", f), "station": "ST1", "patrol_point": []float64{117, 36.6}},
			"geometry": map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}}})
	}
	r := h.do("cmd1", "POST", "/api/v1/grids", fc(feats...))
	if r.status != 400 || !strings.Contains(string(r.body), "more than 500000 positions (feature M1)") {
		t.Fatalf("a million positions: %d %.300s", r.status, r.body)
	}
}
