package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
)

// registerFindings mounts the live engine's findings and leads (the
// service writing them is package live; these only list the store).
func (s *Server) registerFindings() {
	s.handle("GET", "/api/v1/findings", false, s.listFindings(zhudun.KindFinding))
	s.handle("GET", "/api/v1/findings/export", false, s.exportFindings)
	s.handle("GET", "/api/v1/leads", false, s.listFindings(zhudun.KindLead))
	s.handle("POST", "/api/v1/leads/{id}/promote", false, s.promoteLead)
	s.handle("GET", "/api/v1/gangs/{gang}", false, s.getGang)
}

// getGang answers the gang page: members, graph, figures and timeline.
func (s *Server) getGang(w http.ResponseWriter, r *http.Request) error {
	g, err := s.store.Gang(r.Context(), r.PathValue("gang"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

// promoteLead makes a lead a finding with the analyst's reason; the answer
// is the new finding.
func (s *Server) promoteLead(w http.ResponseWriter, r *http.Request) error {
	id, reason, err := idAndReason(r)
	if err != nil {
		return err
	}
	f, err := s.store.PromoteLead(r.Context(), id, reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, f)
	return nil
}

// findingFilter reads the list's filters (docs/cutlists.md, "The findings
// list").
func findingFilter(r *http.Request, kind string) (zhudun.FindingFilter, error) {
	q := r.URL.Query()
	f := zhudun.FindingFilter{Kind: kind, Category: q.Get("category"), Gang: q.Get("gang"), Status: q.Get("status"), Engine: q.Get("engine"),
		Signal: q.Get("signal"), Source: q.Get("source"), Region: q.Get("region"), Sort: q.Get("sort")}
	var err error
	for _, p := range []struct {
		name string
		dst  *float64
	}{{"min_score", &f.MinScore}, {"max_score", &f.MaxScore}} {
		if v := q.Get(p.name); v != "" {
			if *p.dst, err = strconv.ParseFloat(v, 64); err != nil || !(*p.dst >= 0 && *p.dst <= 1) { // NaN is neither
				return f, zhudun.FieldError(p.name, "%s must be a number from 0 to 1", p.name)
			}
		}
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"first_from", &f.FirstFrom}, {"first_to", &f.FirstTo}, {"last_from", &f.LastFrom}, {"last_to", &f.LastTo},
		{"created_from", &f.CreatedFrom}, {"created_to", &f.CreatedTo}, {"confirmed_from", &f.ConfirmedFrom}, {"confirmed_to", &f.ConfirmedTo},
		{"cut_from", &f.CutFrom}, {"cut_to", &f.CutTo}} {
		if *p.dst, err = parseTime(p.name, q.Get(p.name)); err != nil {
			return f, err
		}
	}
	if f.Offset, err = queryInt(r, "offset", 0); err != nil {
		return f, err
	}
	if f.Limit, err = queryInt(r, "limit", 50); err != nil {
		return f, err
	}
	return f, nil
}

func (s *Server) listFindings(kind string) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, err := findingFilter(r, kind)
		if err != nil {
			return err
		}
		xs, n, err := s.store.FindFindings(r.Context(), f)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, newList(xs, n))
		return nil
	}
}

// exportFindings writes the filtered findings as .xlsx or CSV, audited
// with the filter and the row count.
func (s *Server) exportFindings(w http.ResponseWriter, r *http.Request) error {
	f, err := findingFilter(r, zhudun.KindFinding)
	if err != nil {
		return err
	}
	f.Offset, f.Limit = 0, -1
	xs, _, err := s.store.FindFindings(r.Context(), f)
	if err != nil {
		return err
	}
	sh := sheet{name: "findings", header: []string{"id", "category", "entity_type", "entity", "score", "gang", "status", "engine",
		"first_seen", "last_seen", "signals", "networks", "dept", "review_reason", "not_cut_reason"}}
	for _, x := range xs {
		sh.rows = append(sh.rows, []any{float64(x.ID), x.Category, x.EntityType, x.Entity, x.Score, x.Gang, x.Review, x.Status,
			x.FirstSeen.In(zhudun.CST()).Format("2006-01-02 15:04:05"), x.LastSeen.In(zhudun.CST()).Format("2006-01-02 15:04:05"),
			strings.Join(signals(x.Evidence), ","), strings.Join(x.Networks, ","), x.DeptCode, x.ReviewReason, x.NotCutReason})
	}
	return s.export(w, r, "findings", sh, map[string]any{"category": f.Category, "status": f.Status, "signal": f.Signal, "source": f.Source,
		"region": f.Region, "min_score": f.MinScore, "max_score": f.MaxScore, "gang": f.Gang})
}

// signals names the signals of a finding's evidence, in its order.
func signals(ev []byte) []string {
	var evs []struct {
		Signal string `json:"signal"`
	}
	if json.Unmarshal(ev, &evs) != nil {
		return nil
	}
	out := make([]string, 0, len(evs))
	for _, e := range evs {
		out = append(out, e.Signal)
	}
	return out
}
