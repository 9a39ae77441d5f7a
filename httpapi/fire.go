package httpapi

import (
	"io"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/zhudun/zhudun"
)

// registerFire mounts the officers' side of e-bike fire safety (issue 15,
// docs/fire.md): the reports of their scope, the escalation's steps and
// photos, the map's repeat locations, overdue alerts and the statistics.
// Every permission and scope decision is the store's.
func (s *Server) registerFire() {
	s.handle("GET", "/api/v1/fire/reports", false, s.listFireReports)
	s.handle("POST", "/api/v1/fire/reports", false, s.createFireReport)
	s.handle("GET", "/api/v1/fire/reports/{id}", false, s.getFireReport)
	s.handle("POST", "/api/v1/fire/reports/{id}/steps", false, s.addFireStep)
	s.handle("POST", "/api/v1/fire/reports/{id}/photos", false, s.addFirePhoto)
	s.handle("POST", "/api/v1/fire/reports/{id}/pii", false, s.revealFireReporter)
	s.handle("GET", "/api/v1/fire/photos/{id}", false, s.getFirePhoto)
	s.handle("GET", "/api/v1/fire/places", false, s.listFirePlaces)
	s.handle("GET", "/api/v1/fire/alerts", false, s.listFireAlerts)
	s.handle("GET", "/api/v1/dictionaries/fire", false, s.fireDictionaries)
	s.handle("GET", "/api/v1/reports/fire", false, s.fireReport)
}

var zeroTime time.Time

func timeNow() time.Time { return time.Now() }

func (s *Server) listFireReports(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := zhudun.FireFilter{ServiceCode: q.Get("service_code"), Status: q.Get("status"), Station: q.Get("station"), Repeat: q.Get("repeat") == "true"}
	var err error
	if f.Offset, err = queryInt(r, "offset", 0); err != nil {
		return err
	}
	if f.Limit, err = queryInt(r, "limit", 50); err != nil {
		return err
	}
	xs, n, err := s.store.FindFireReports(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(xs, n))
	return nil
}

// fireReportIn is a report from the patrol page: the unit's position as
// numbers.
type fireReportIn struct {
	ServiceCode string              `json:"service_code"`
	Lon         float64             `json:"lon"`
	Lat         float64             `json:"lat"`
	Description string              `json:"description"`
	Attributes  map[string][]string `json:"attributes"`
	UnitID      int64               `json:"unit_id"`
}

func (s *Server) createFireReport(w http.ResponseWriter, r *http.Request) error {
	var in fireReportIn
	if err := decode(r, &in); err != nil {
		return err
	}
	x, err := s.store.CreateFireReport(r.Context(), zhudun.NewFireReport{ServiceCode: in.ServiceCode, Description: in.Description,
		Lat: strconv.FormatFloat(in.Lat, 'f', -1, 64), Long: strconv.FormatFloat(in.Lon, 'f', -1, 64), Attributes: in.Attributes, UnitID: in.UnitID})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, x)
	return nil
}

func (s *Server) getFireReport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	x, err := s.store.FindFireReportByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, x)
	return nil
}

func (s *Server) addFireStep(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, s.store.AddFireStep)
}

// revealFireReporter shows the reporter in clear: {"reason"} (pii:view,
// audited).
func (s *Server) revealFireReporter(w http.ResponseWriter, r *http.Request) error {
	id, reason, err := idAndReason(r)
	if err != nil {
		return err
	}
	p, err := s.store.RevealFireReporter(r.Context(), id, reason)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, p)
	return nil
}

// addFirePhoto takes a photo as the body (JPEG or PNG, by its content).
func (s *Server) addFirePhoto(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return decodeError(err)
	}
	pid, err := s.store.AddFirePhoto(r.Context(), id, body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]int64{"id": pid})
	return nil
}

func (s *Server) getFirePhoto(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	data, typ, err := s.store.FirePhoto(r.Context(), id)
	if err != nil {
		return err
	}
	if data == nil {
		return zhudun.Errorf(zhudun.EINTERNAL, "photo %d does not parse", id)
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(data)
	return err
}

func (s *Server) listFirePlaces(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.store.FirePlaces(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(ps, len(ps)))
	return nil
}

func (s *Server) listFireAlerts(w http.ResponseWriter, r *http.Request) error {
	as, err := s.store.FindFireAlerts(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(as, len(as)))
	return nil
}

func (s *Server) fireDictionaries(w http.ResponseWriter, r *http.Request) error {
	if !zhudun.CallerFrom(r.Context()).Has(zhudun.PermFireRead) {
		return zhudun.Errorf(zhudun.EFORBIDDEN, "permission fire:read required")
	}
	writeJSON(w, http.StatusOK, map[string]any{"services": zhudun.FireServices, "statuses": zhudun.FireStatuses,
		"legal_bases": zhudun.FireLegalBases, "transitions": fireTransitionList()})
	return nil
}

// fireTransitionList is the escalation for the UI: per status, the actions
// offered (the store decides again on every step).
func fireTransitionList() map[string][]string {
	out := map[string][]string{}
	acts := []string{zhudun.FireActDissuade, zhudun.FireActResolve, zhudun.FireActRefer, zhudun.FireActOrder, zhudun.FireActCorrect,
		zhudun.FireActPenalize, zhudun.FireActCriminal, zhudun.FireActUnfounded}
	for _, st := range zhudun.FireStatuses {
		out[st] = []string{}
		for _, a := range acts {
			if _, err := zhudun.FireNext(st, a); err == nil {
				out[st] = append(out[st], a)
			}
		}
	}
	return out
}

// fireFigureNames are the figures in the export's order.
var fireFigureNames = []struct{ key, name string }{
	{"reports", "报告数 reports"}, {"dissuaded", "劝离 dissuaded"}, {"referred", "移交 referred"}, {"ordered", "责令改正 ordered"},
	{"corrected", "已改正 corrected"}, {"penalties", "行政处罚 penalties"}, {"penalty_fen", "罚款（分） penalty fen"},
	{"repeat_locations", "重复报告地点 repeat locations"}, {"median_close_hours", "办结时长中位数（小时） median hours to close"},
}

func fireFigureList(f zhudun.FireFigures) []zhudun.Figure {
	return []zhudun.Figure{f.Reports, f.Dissuaded, f.Referred, f.Ordered, f.Corrected, f.Penalties, f.PenaltyFen, f.RepeatLocations, f.MedianCloseHours}
}

// fireReport is GET /api/v1/reports/fire?from=&to=&dept=[&format=xlsx|csv].
func (s *Server) fireReport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	from, to, err := reportPeriod(q)
	if err != nil {
		return err
	}
	format := q.Get("format")
	if format != "" && format != "json" && format != "xlsx" && format != "csv" {
		return zhudun.FieldError("format", "format must be json, xlsx or csv")
	}
	rep, err := s.store.FireStats(r.Context(), zhudun.FireReportQuery{From: from, To: to, Dept: q.Get("dept")})
	if err != nil {
		return err
	}
	if format == "" || format == "json" {
		writeJSON(w, http.StatusOK, map[string]any{"from": q.Get("from"), "to": q.Get("to"), "figures": rep})
		return nil
	}
	sh := sheet{name: "fire", header: []string{"slice", "key", "figure", "name", "value", "same period last year", "change %"}}
	add := func(slice, key string, f zhudun.FireFigures) {
		for i, x := range fireFigureList(f) {
			var pct any = ""
			if x.ChangePct != nil {
				pct = *x.ChangePct
			}
			sh.rows = append(sh.rows, []any{slice, key, fireFigureNames[i].key, fireFigureNames[i].name, x.Value, x.LastYear, pct})
		}
	}
	add("total", "", rep.FireFigures)
	for _, sl := range []struct {
		name string
		m    map[string]zhudun.FireFigures
	}{{"station", rep.ByStation}, {"district", rep.ByDistrict}, {"service", rep.ByService}} {
		keys := make([]string, 0, len(sl.m))
		for k := range sl.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			add(sl.name, k, sl.m[k])
		}
	}
	return s.export(w, r, "fire_report", sh, map[string]any{"from": q.Get("from"), "to": q.Get("to"), "dept": q.Get("dept")})
}

// idAndReason reads the {id} of the path and a body {"reason"}: the shape
// of the actions that must say why (an unmasked view, a promotion).
func idAndReason(r *http.Request) (int64, string, error) {
	id, err := pathInt(r, "id")
	if err != nil {
		return 0, "", err
	}
	var b struct {
		Reason string `json:"reason"`
	}
	if err := decode(r, &b); err != nil {
		return 0, "", err
	}
	return id, b.Reason, nil
}
