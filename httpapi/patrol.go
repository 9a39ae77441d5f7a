package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/dispatch"
	"github.com/zhudun/zhudun/geo"
	"github.com/zhudun/zhudun/incidentcsv"
)

// PatrolBackend is what grid patrol needs from the store.
type PatrolBackend interface {
	zhudun.GridService
	zhudun.UnitService
	zhudun.IncidentService
	zhudun.ReportService
	zhudun.DistrictService
	zhudun.Geocoder // the local standard-address table
	// AllGrids and AllUnits feed the dispatch service (system caller only).
	dispatch.Source
	zhudun.PatrolPlanService
	// The coverage service's reads and writes (system caller only), and
	// the visits list (grid:read).
	zhudun.PatrolCoverageStore
	zhudun.UnitAlarmAckService
}

// --- grids ---

// gridFeature is one grid as a GeoJSON Feature.
type gridFeature struct {
	Type       string           `json:"type"`
	Properties gridProps        `json:"properties"`
	Geometry   geo.MultiPolygon `json:"geometry"`
}

type gridProps struct {
	Code         string     `json:"code"`
	Name         string     `json:"name"`
	Station      string     `json:"station"`
	StationName  string     `json:"station_name,omitempty"`
	District     string     `json:"district,omitempty"`
	DistrictName string     `json:"district_name,omitempty"`
	PatrolPoint  [2]float64 `json:"patrol_point"`
	Touching     []string   `json:"touching,omitempty"`
}

func crsGCJ(r *http.Request) (bool, error) {
	switch strings.ToLower(r.URL.Query().Get("crs")) {
	case "", "wgs84":
		return false, nil
	case "gcj02":
		return true, nil
	}
	return false, zhudun.FieldError("crs", "crs must be wgs84 (default) or gcj02")
}

func (s *Server) importGrids(w http.ResponseWriter, r *http.Request) error {
	gcj, err := crsGCJ(r)
	if err != nil {
		return err
	}
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&fc); err != nil {
		return decodeError(err)
	}
	if fc.Type != "FeatureCollection" {
		return zhudun.FieldError("type", "a GeoJSON FeatureCollection is expected")
	}
	var grids []*zhudun.Grid
	var problems []zhudun.GridProblem
	vertices := 0
	for i, raw := range fc.Features {
		var f struct {
			Type       string          `json:"type"`
			Properties json.RawMessage `json:"properties"`
			Geometry   json.RawMessage `json:"geometry"`
		}
		var props struct {
			Code        string    `json:"code"`
			Name        string    `json:"name"`
			Station     string    `json:"station"`
			PatrolPoint []float64 `json:"patrol_point"`
		}
		name := fmt.Sprintf("#%d", i)
		bad := func(msg string) {
			problems = append(problems, zhudun.GridProblem{Kind: zhudun.GridProblemInvalid, Severity: zhudun.SeverityError, Feature: name, Message: msg})
		}
		if err := json.Unmarshal(raw, &f); err != nil || f.Type != "Feature" {
			bad("not a GeoJSON Feature")
			continue
		}
		if err := json.Unmarshal(f.Properties, &props); err != nil {
			bad("properties must hold code, name, station and patrol_point [lon, lat]")
			continue
		}
		if strings.TrimSpace(props.Code) != "" {
			name = strings.TrimSpace(props.Code)
		}
		m, err := geo.ParseGeometry(f.Geometry)
		if err != nil {
			problems = append(problems, zhudun.GridProblem{Kind: zhudun.GridProblemInvalidRing, Severity: zhudun.SeverityError, Feature: name, Message: zhudun.ErrorMessage(err)})
			continue
		}
		// Refuse an oversized upload before any geometry is checked.
		if vertices += m.Vertices(); vertices > geo.MaxUploadVertices {
			return zhudun.Errorf(zhudun.EINVALID, "the upload has more than %d positions (feature %s); split it", geo.MaxUploadVertices, name)
		}
		if len(props.PatrolPoint) != 2 {
			problems = append(problems, zhudun.GridProblem{Kind: zhudun.GridProblemPatrolPoint, Severity: zhudun.SeverityError, Feature: name, Message: "patrol_point [lon, lat] is required"})
			continue
		}
		pp := [2]float64{props.PatrolPoint[0], props.PatrolPoint[1]}
		if gcj {
			m = m.Transform(geo.GCJ02ToWGS84)
			pp[0], pp[1] = geo.GCJ02ToWGS84(pp[0], pp[1])
		}
		grids = append(grids, &zhudun.Grid{Code: props.Code, Name: props.Name, StationCode: props.Station, PatrolPoint: pp, Boundary: m})
	}
	rep, err := s.store.ImportGrids(r.Context(), grids, problems)
	if err != nil {
		return err
	}
	if !rep.Accepted {
		n := 0
		for _, p := range rep.Problems {
			if p.Severity == zhudun.SeverityError {
				n++
			}
		}
		writeJSON(w, http.StatusBadRequest, struct {
			Error  errorDetail              `json:"error"`
			Report *zhudun.GridImportReport `json:"report"`
		}{errorDetail{Code: zhudun.EINVALID, Message: fmt.Sprintf("%d problems in the grids; nothing was stored", n)}, rep})
		return nil
	}
	s.coverage.Invalidate() // the next coverage answer rebuilds over the new grids
	if err := s.dispatch.ReloadGrids(r.Context()); err != nil {
		s.log.Error("dispatch index: grid reload", "err", err)
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// decodeError names what is wrong with a body decode.
func decodeError(err error) error {
	var mbe *http.MaxBytesError
	if errorsAs(err, &mbe) {
		return &zhudun.Error{Code: zhudun.ETOOLARGE, Message: "request body too large"}
	}
	return zhudun.Errorf(zhudun.EINVALID, "malformed JSON body")
}

func (s *Server) listGrids(w http.ResponseWriter, r *http.Request) error {
	gcj, err := crsGCJ(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	gs, n, err := s.store.FindGrids(r.Context(), zhudun.GridFilter{Code: q.Get("code"), Station: q.Get("station"), Under: q.Get("under")})
	if err != nil {
		return err
	}
	out := struct {
		Type     string        `json:"type"`
		Total    int           `json:"total"`
		Features []gridFeature `json:"features"`
	}{Type: "FeatureCollection", Total: n, Features: make([]gridFeature, 0, len(gs))}
	for _, g := range gs {
		m, pp := geo.MultiPolygon(g.Boundary), g.PatrolPoint
		if gcj {
			m = m.Transform(geo.WGS84ToGCJ02)
			pp[0], pp[1] = geo.WGS84ToGCJ02(pp[0], pp[1])
		}
		out.Features = append(out.Features, gridFeature{Type: "Feature", Geometry: m, Properties: gridProps{Code: g.Code, Name: g.Name,
			Station: g.StationCode, StationName: g.StationName, District: g.DistrictCode, DistrictName: g.DistrictName,
			PatrolPoint: pp, Touching: s.dispatch.Neighbours(g.ID)}})
	}
	b, err := json.Marshal(out)
	if err != nil {
		return zhudun.Errorf(zhudun.EINTERNAL, "grids: %v", err)
	}
	return writeLayer(w, r, "application/geo+json; charset=utf-8", b)
}

// --- units ---

func (s *Server) createUnit(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Callsign string `json:"callsign"`
		Kind     string `json:"kind"`
		Station  string `json:"station"`
		Terminal string `json:"terminal"`
	}
	if err := decode(r, &b); err != nil {
		return err
	}
	u, err := s.store.CreateUnit(r.Context(), zhudun.NewUnit{Callsign: b.Callsign, Kind: b.Kind, StationCode: b.Station, Terminal: b.Terminal})
	if err != nil {
		return err
	}
	s.dispatch.UnitChanged(u)
	writeJSON(w, http.StatusCreated, s.dispatch.Decorate(u))
	return nil
}

func (s *Server) listUnits(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	off, err := queryInt(r, "offset", 0)
	if err != nil {
		return err
	}
	lim, err := queryInt(r, "limit", 50)
	if err != nil {
		return err
	}
	us, n, err := s.store.FindUnits(r.Context(), zhudun.UnitFilter{Station: q.Get("station"), Under: q.Get("under"), Status: q.Get("status"),
		Callsign: q.Get("callsign"), Offset: off, Limit: lim})
	if err != nil {
		return err
	}
	for _, u := range us {
		s.dispatch.Decorate(u)
	}
	writeJSON(w, http.StatusOK, newList(us, n))
	return nil
}

func (s *Server) getUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := s.store.FindUnitByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.dispatch.Decorate(u))
	return nil
}

func (s *Server) setUnitStatus(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Status string `json:"status"`
	}
	id, err := idAndBody(r, &b)
	if err != nil {
		return err
	}
	u, err := s.store.SetUnitStatus(r.Context(), id, b.Status)
	if err != nil {
		return err
	}
	s.dispatch.UnitChanged(u)
	writeJSON(w, http.StatusOK, s.dispatch.Decorate(u))
	return nil
}

func (s *Server) addPositions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var ps []zhudun.Position
	if err := decode(r, &ps); err != nil {
		return err
	}
	u, err := s.store.AddPositions(r.Context(), id, ps)
	if err != nil {
		return err
	}
	s.dispatch.UnitChanged(u)
	writeJSON(w, http.StatusOK, s.dispatch.Decorate(u))
	return nil
}

func (s *Server) listUnitStatuses(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{"items": zhudun.UnitStatusLabels(), "stale_after_seconds": s.dispatch.StaleAfter().Seconds()})
	return nil
}

// --- incidents ---

type incidentAnswer struct {
	Incident       *zhudun.Incident         `json:"incident"`
	Recommendation *dispatch.Recommendation `json:"recommendation,omitempty"`
}

func (s *Server) createIncident(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Category    string   `json:"category"`
		Lon         *float64 `json:"lon"`
		Lat         *float64 `json:"lat"`
		Address     string   `json:"address"`
		Source      string   `json:"source"`
		CallerPhone string   `json:"caller_phone"`
		ReceivedAt  string   `json:"received_at"`
		Priority    int      `json:"priority"`
	}
	if err := decode(r, &b); err != nil {
		return err
	}
	if b.Lon == nil || b.Lat == nil {
		return zhudun.FieldError("lon", "lon and lat are required (WGS-84)")
	}
	n := zhudun.NewIncident{Category: b.Category, Lon: *b.Lon, Lat: *b.Lat, Address: b.Address, Source: b.Source, CallerPhone: b.CallerPhone, Priority: b.Priority}
	if b.ReceivedAt != "" {
		t, err := time.Parse(time.RFC3339, b.ReceivedAt)
		if err != nil {
			return zhudun.FieldError("received_at", "received_at must be RFC 3339")
		}
		n.ReceivedAt = &t
	}
	x, err := s.store.CreateIncident(r.Context(), n)
	if err != nil {
		return err
	}
	rec, err := s.dispatch.Recommend(r.Context(), x.Lon, x.Lat)
	ans := incidentAnswer{Incident: x}
	if err == nil {
		ans.Recommendation = &rec
	}
	writeJSON(w, http.StatusCreated, ans)
	return nil
}

func (s *Server) listIncidents(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f zhudun.IncidentFilter
	var err error
	if f.Offset, err = queryInt(r, "offset", 0); err != nil {
		return err
	}
	if f.Limit, err = queryInt(r, "limit", 50); err != nil {
		return err
	}
	if f.Open, err = queryBool(r, "open"); err != nil {
		return err
	}
	if f.From, err = parseTime("from", q.Get("from")); err != nil {
		return err
	}
	if f.To, err = parseTime("to", q.Get("to")); err != nil {
		return err
	}
	f.Status, f.Category, f.Source, f.Station, f.Grid, f.Phone = q.Get("status"), q.Get("category"), q.Get("source"), q.Get("station"), q.Get("grid"), q.Get("phone")
	f.Reason = q.Get("reason")
	if c := q.Get("cursor"); c != "" {
		if f.After, err = parseCursor(c); err != nil {
			return err
		}
	}
	xs, n, err := s.store.FindIncidents(r.Context(), f)
	if err != nil {
		return err
	}
	out := incidentList{list: newList(xs, n), TotalCapped: n > zhudun.ListCountCap}
	if out.TotalCapped {
		out.Total = zhudun.ListCountCap
	}
	lim := f.Limit // as the store clamps it
	if lim <= 0 {
		lim = 50
	}
	if len(xs) > 0 && len(xs) == min(lim, 500) {
		last := xs[len(xs)-1]
		out.NextCursor = formatCursor(zhudun.IncidentCursor{ReceivedAt: last.ReceivedAt, ID: last.ID})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// incidentList is a page of incidents. next_cursor, when set, fetches the
// page after this one (?cursor=) at the same cost at any depth; total counts
// at most zhudun.ListCountCap rows, and total_capped says there are more.
type incidentList struct {
	list[*zhudun.Incident]
	TotalCapped bool   `json:"total_capped,omitempty"`
	NextCursor  string `json:"next_cursor,omitempty"`
}

// formatCursor and parseCursor: "microseconds since 1970.id", opaque to
// clients.
func formatCursor(c zhudun.IncidentCursor) string {
	return strconv.FormatInt(c.ReceivedAt.UnixMicro(), 10) + "." + strconv.FormatInt(c.ID, 10)
}

func parseCursor(v string) (*zhudun.IncidentCursor, error) {
	us, id, ok := strings.Cut(v, ".")
	t, err1 := strconv.ParseInt(us, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || n <= 0 {
		return nil, zhudun.FieldError("cursor", "cursor must be a next_cursor of an earlier page")
	}
	return &zhudun.IncidentCursor{ReceivedAt: time.UnixMicro(t).UTC(), ID: n}, nil
}

func (s *Server) getIncident(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	x, err := s.store.FindIncidentByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, x)
	return nil
}

func (s *Server) incidentRecommendation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	x, err := s.store.FindIncidentByID(r.Context(), id)
	if err != nil {
		return err
	}
	rec, err := s.dispatch.Recommend(r.Context(), x.Lon, x.Lat)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

func (s *Server) dispatchIncident(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Unit   int64  `json:"unit"`
		Reason string `json:"reason"`
	}
	id, err := idAndBody(r, &b)
	if err != nil {
		return err
	}
	if b.Unit <= 0 {
		return zhudun.FieldError("unit", "unit (its id) is required")
	}
	// The recommendation at this moment decides whether a reason is needed.
	x, err := s.store.FindIncidentByID(r.Context(), id)
	if err != nil {
		return err
	}
	rec, err := s.dispatch.Recommend(r.Context(), x.Lon, x.Lat)
	if err != nil {
		return err
	}
	var recID *int64
	if rec.Unit != nil {
		recID = &rec.Unit.UnitID
	}
	prev := x.UnitID
	x, err = s.store.DispatchIncident(r.Context(), id, zhudun.Dispatch{UnitID: b.Unit, Reason: b.Reason, Recommended: recID})
	if err != nil {
		return err
	}
	s.dispatch.RefreshUnit(r.Context(), b.Unit)
	if prev != nil {
		s.dispatch.RefreshUnit(r.Context(), *prev)
	}
	writeJSON(w, http.StatusOK, x)
	return nil
}

func (s *Server) arriveIncident(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	x, err := s.store.ArriveIncident(r.Context(), id)
	if err != nil {
		return err
	}
	if x.UnitID != nil {
		s.dispatch.RefreshUnit(r.Context(), *x.UnitID)
	}
	writeJSON(w, http.StatusOK, x)
	return nil
}

func (s *Server) closeIncident(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Outcome string `json:"outcome"`
		Note    string `json:"note"`
		CaseRef string `json:"case_ref"`
	}
	id, err := idAndBody(r, &b)
	if err != nil {
		return err
	}
	x, err := s.store.CloseIncident(r.Context(), id, zhudun.IncidentClose{Outcome: b.Outcome, Note: b.Note, CaseRef: b.CaseRef})
	if err != nil {
		return err
	}
	if x.UnitID != nil {
		s.dispatch.RefreshUnit(r.Context(), *x.UnitID)
	}
	writeJSON(w, http.StatusOK, x)
	return nil
}

func (s *Server) revealIncidentPII(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Reason string `json:"reason"`
	}
	id, err := idAndBody(r, &b)
	if err != nil {
		return err
	}
	p, err := s.store.RevealIncidentPII(r.Context(), id, b.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"caller_phone": p})
	return nil
}

func (s *Server) incidentCategories(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{"current": zhudun.CurrentCategoryVersion(), "versions": zhudun.CategoryDictionaries(),
		"sources": zhudun.IncidentSources(), "outcomes": zhudun.IncidentOutcomes()})
	return nil
}

// --- report ---

// reportPeriod reads a report's from and to, dates in Asia/Shanghai.
func reportPeriod(q url.Values) (from, to time.Time, err error) {
	day := func(field string) (time.Time, error) {
		t, err := time.ParseInLocation("2006-01-02", q.Get(field), zhudun.CST())
		if err != nil {
			return t, zhudun.FieldError(field, "%s must be a date, YYYY-MM-DD", field)
		}
		return t, nil
	}
	if from, err = day("from"); err != nil {
		return from, to, err
	}
	to, err = day("to")
	return from, to, err
}

func (s *Server) patrolReport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	from, to, err := reportPeriod(q)
	if err != nil {
		return err
	}
	target, err := queryInt(r, "target", 5)
	if err != nil {
		return err
	}
	rep, err := s.store.PatrolReport(r.Context(), zhudun.PatrolReportQuery{From: from, To: to, Dept: q.Get("dept"), TargetMinutes: target})
	if err != nil {
		return err
	}
	if q.Get("format") == "" || q.Get("format") == "json" {
		writeJSON(w, http.StatusOK, rep)
		return nil
	}
	sh := sheet{name: "patrol", header: []string{"section", "code", "name", "parent", "count", "same period last year", "change %",
		"criminal cases", "public-order cases", "disputes mediated", "rescues and services", "arrived", "median response (min)", "p90 response (min)", "within target %",
		"checkpoint visits planned", "checkpoint visits made", "coverage %", "coverage % last year", "coverage change (points)"}}
	pv := func(v *float64) any {
		if v == nil {
			return ""
		}
		return *v
	}
	iv := func(v *int) any {
		if v == nil {
			return ""
		}
		return *v
	}
	area := func(section string, a zhudun.AreaFigures) {
		sh.rows = append(sh.rows, []any{section, a.Code, a.Name, a.Parent, a.Incidents.Count, a.Incidents.LastYear, pv(a.Incidents.ChangePct),
			a.CriminalCases.Count, a.PublicOrderCases.Count, a.DisputesMediated.Count, a.RescuesServices.Count,
			a.Response.Arrived, iv(a.Response.MedianMinutes), iv(a.Response.P90Minutes), pv(a.Response.WithinTargetPct), "", "", "", "", ""})
	}
	area("total", rep.Total)
	for _, l := range []struct {
		name string
		cs   []zhudun.CodeCount
	}{{"category", rep.ByCategory}, {"source", rep.BySource}, {"outcome", rep.ByOutcome}} {
		for _, c := range l.cs {
			sh.rows = append(sh.rows, []any{l.name, c.Code, c.Name, "", c.Count, c.LastYear, pv(c.ChangePct), "", "", "", "", "", "", "", "", "", "", "", "", ""})
		}
	}
	for _, a := range rep.Districts {
		area("district", a)
	}
	for _, a := range rep.Stations {
		area("station", a)
	}
	for _, a := range rep.Grids {
		area("grid", a)
	}
	// The patrol half: visits made of those planned, per the whole, station,
	// grid, unit and shift; "count" is the visits made.
	cov := func(section string, c zhudun.CoverageFigures) {
		sh.rows = append(sh.rows, []any{section, c.Code, c.Name, c.Parent, c.Visited.Count, c.Visited.LastYear, pv(c.Visited.ChangePct),
			"", "", "", "", "", "", "", "", c.Planned.Count, c.Visited.Count, pv(c.Percent), pv(c.LastYearPercent), pv(c.ChangePoints)})
	}
	cov("coverage", rep.Coverage.Total)
	for _, l := range []struct {
		name string
		cs   []zhudun.CoverageFigures
	}{{"coverage_station", rep.Coverage.Stations}, {"coverage_grid", rep.Coverage.Grids}, {"coverage_unit", rep.Coverage.Units}, {"coverage_shift", rep.Coverage.Shifts}} {
		for _, c := range l.cs {
			cov(l.name, c)
		}
	}
	return s.export(w, r, "patrol_report", sh, map[string]any{"from": rep.From, "to": rep.To, "dept": rep.Dept, "target": rep.TargetMinutes})
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// importIncidentRows bounds one upload: the rows are checked in one
// transaction, all or nothing, and the page waits for the answer.
const importIncidentRows = 20000

// importProblem is one rejected line of an uploaded history file.
type importProblem struct {
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// importIncidents loads a CSV of past incidents (the installer's `zhudun
// import incidents` format) into the caller's stations: all or nothing,
// each problem named by line and field, a line imported before skipped.
func (s *Server) importIncidents(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	gcj, err := crsGCJ(r)
	if err != nil {
		return err
	}
	source := strings.TrimSpace(q.Get("source"))
	if source == "" || len(source) > 100 || strings.ContainsAny(source, ":\r\n") {
		return zhudun.FieldError("source", "source names the file (1–100 characters, no colon)")
	}
	rows, errs := incidentcsv.Parse(r.Body)
	for _, e := range errs {
		// The parser reports a read error as a line's; the body limit is one.
		if strings.Contains(e.Message, "request body too large") {
			return &zhudun.Error{Code: zhudun.ETOOLARGE, Message: "the file is too large; split it"}
		}
	}
	if len(rows) > importIncidentRows {
		return zhudun.Errorf(zhudun.EINVALID, "the file has %d rows, at most %d at a time; split it", len(rows), importIncidentRows)
	}
	in := make([]zhudun.NewIncident, len(rows))
	for i := range rows {
		if gcj {
			rows[i].In.Lon, rows[i].In.Lat = geo.GCJ02ToWGS84(rows[i].In.Lon, rows[i].In.Lat)
		}
		rows[i].In.ImportKey = incidentcsv.Key(source, rows[i])
		in[i] = rows[i].In
	}
	stored, skipped := 0, 0
	if len(in) > 0 {
		// With lines that did not parse, the others are only checked, so
		// that the answer names every problem of the file at once.
		n, bad, err := s.store.ImportIncidents(r.Context(), zhudun.IncidentImport{Rows: in, Source: source, AllOrNothing: true, CheckOnly: len(errs) > 0})
		if err != nil {
			return err
		}
		for _, b := range bad {
			errs = append(errs, incidentcsv.Problem{Line: rows[b.Row].Line, Field: b.Field, Message: b.Message})
		}
		if len(bad) == 0 && len(errs) == 0 {
			stored, skipped = n, len(in)-n
		}
	}
	if len(errs) > 0 {
		incidentcsv.SortProblems(errs)
		out := make([]importProblem, len(errs))
		for i, e := range errs {
			out[i] = importProblem{Line: e.Line, Field: e.Field, Message: e.Message}
		}
		writeJSON(w, http.StatusBadRequest, struct {
			Error    errorDetail     `json:"error"`
			Problems []importProblem `json:"problems"`
		}{errorDetail{Code: zhudun.EINVALID, Message: fmt.Sprintf("%d problems in the file; nothing was stored", len(errs))}, out})
		return nil
	}
	writeJSON(w, http.StatusOK, struct {
		Rows    int `json:"rows"`
		Stored  int `json:"stored"`
		Skipped int `json:"skipped"`
	}{len(in), stored, skipped})
	return nil
}
