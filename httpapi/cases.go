package httpapi

import (
	"net/http"
	"strconv"

	"github.com/zhudun/zhudun"
)

// registerCases mounts the cyber cases, their people, measures, seizures
// and entities, and the campaigns (issue 12, docs/cases.md). Every
// permission and scope decision is the store's.
func (s *Server) registerCases() {
	s.handle("GET", "/api/v1/cases", false, s.listCases)
	s.handle("POST", "/api/v1/cases", false, s.createCase)
	s.handle("GET", "/api/v1/cases/by-number", false, s.caseByNumber)
	s.handle("GET", "/api/v1/cases/{id}", false, s.getCase)
	s.handle("PATCH", "/api/v1/cases/{id}", false, s.updateCase)
	s.handle("GET", "/api/v1/cases/{id}/alerts", false, s.caseAlerts)
	s.handle("GET", "/api/v1/case-alerts", false, s.listCaseAlerts)
	s.handle("POST", "/api/v1/case-alerts/{id}/close", false, s.closeCaseAlert)
	s.handle("GET", "/api/v1/cases/{id}/attachments", false, s.listAttachments)
	s.handle("POST", "/api/v1/cases/{id}/attachments", false, s.uploadAttachment)
	s.handle("GET", "/api/v1/cases/{id}/attachments/{att}", false, s.downloadAttachment)
	s.handle("POST", "/api/v1/cases/{id}/attachments/{att}/delete", false, s.deleteAttachment)
	s.handle("POST", "/api/v1/cases/{id}/transition", false, s.transitionCase)
	s.handle("POST", "/api/v1/cases/{id}/links", false, s.linkCases)
	s.handle("POST", "/api/v1/cases/{id}/merge", false, s.mergeCase)
	s.handle("POST", "/api/v1/cases/{id}/unlink", false, s.unlinkCases)
	s.handle("POST", "/api/v1/cases/{id}/people", false, s.addCasePerson)
	s.handle("POST", "/api/v1/cases/{id}/people/{person}/apprehend", false, s.apprehend)
	s.handle("POST", "/api/v1/cases/{id}/measures", false, s.addMeasure)
	s.handle("POST", "/api/v1/cases/{id}/seizures", false, s.addSeizure)
	s.handle("POST", "/api/v1/cases/{id}/entities", false, s.addCaseEntities)
	s.handle("POST", "/api/v1/cases/{id}/campaigns", false, s.tagCase)
	s.handle("GET", "/api/v1/people/{id}", false, s.getPerson)
	s.handle("POST", "/api/v1/people/{id}/pii", false, s.revealPersonPII)
	s.handle("GET", "/api/v1/campaigns", false, s.listCampaigns)
	s.handle("POST", "/api/v1/campaigns", false, s.createCampaign)
	s.handle("GET", "/api/v1/dictionaries/case-types", false, s.caseTypes)
	s.handle("GET", "/api/v1/depts/{code}/case-prefix", false, s.getCasePrefix)
	s.handle("PUT", "/api/v1/depts/{code}/case-prefix", false, s.setCasePrefix)
	s.registerCaseImport()
}

func (s *Server) listCases(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := zhudun.CaseFilter{Status: q.Get("status"), Type: q.Get("type"), Dept: q.Get("dept"), Q: q.Get("q")}
	if v := q.Get("campaign"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return zhudun.FieldError("campaign", "campaign must be a campaign's id")
		}
		f.Campaign = id
	}
	var err error
	if f.Offset, f.Limit, err = pageParams(r); err != nil {
		return err
	}
	xs, n, err := s.store.FindCases(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(xs, n))
	return nil
}

// pageParams reads a list's offset and limit (default 50; the store caps
// it).
func pageParams(r *http.Request) (offset, limit int, err error) {
	if offset, err = queryInt(r, "offset", 0); err != nil {
		return 0, 0, err
	}
	if limit, err = queryInt(r, "limit", 50); err != nil {
		return 0, 0, err
	}
	return offset, limit, nil
}

func (s *Server) createCase(w http.ResponseWriter, r *http.Request) error {
	var b zhudun.NewCase
	if err := decode(r, &b); err != nil {
		return err
	}
	c, err := s.store.CreateCase(r.Context(), b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) caseByNumber(w http.ResponseWriter, r *http.Request) error {
	c, err := s.store.FindCaseByNumber(r.Context(), r.URL.Query().Get("number"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// caseAlerts lists a case's cross-reference alerts.
func (s *Server) caseAlerts(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	items, err := s.store.CaseAlerts(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, len(items)))
	return nil
}

// listCaseAlerts is the division's page of cross-reference alerts: those
// of every case in the caller's case:read scope.
func (s *Server) listCaseAlerts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := zhudun.CaseAlertFilter{State: q.Get("state"), Dept: q.Get("dept")}
	var err error
	if f.Offset, f.Limit, err = pageParams(r); err != nil {
		return err
	}
	xs, n, err := s.store.FindCaseAlerts(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(xs, n))
	return nil
}

func (s *Server) closeCaseAlert(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Note string `json:"note"`
	}
	id, err := idAndBody(r, &b)
	if err != nil {
		return err
	}
	a, err := s.store.CloseCaseAlert(r.Context(), id, b.Note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) getCase(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	c, err := s.store.FindCaseByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// updateCase edits a case's title, type, department, lead or team.
func (s *Server) updateCase(w http.ResponseWriter, r *http.Request) error {
	var b zhudun.CaseUpdate
	id, err := idAndBody(r, &b)
	if err != nil {
		return err
	}
	c, err := s.store.UpdateCase(r.Context(), id, b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) transitionCase(w http.ResponseWriter, r *http.Request) error {
	var b zhudun.CaseTransition
	id, err := idAndBody(r, &b)
	if err != nil {
		return err
	}
	c, err := s.store.TransitionCase(r.Context(), id, b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) linkCases(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Case   int64  `json:"case"`
		Reason string `json:"reason"`
	}
	id, err := idAndBody(r, &b)
	if err != nil {
		return err
	}
	l, err := s.store.LinkCases(r.Context(), id, b.Case, b.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, l)
	return nil
}

func (s *Server) unlinkCases(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Case   int64  `json:"case"`
		Reason string `json:"reason"`
	}
	id, err := idAndBody(r, &b)
	if err != nil {
		return err
	}
	c, err := s.store.UnlinkCases(r.Context(), id, b.Case, b.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) mergeCase(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Into   int64  `json:"into"`
		Reason string `json:"reason"`
	}
	id, err := idAndBody(r, &b)
	if err != nil {
		return err
	}
	c, err := s.store.MergeCase(r.Context(), id, b.Into, b.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) addCasePerson(w http.ResponseWriter, r *http.Request) error {
	var b zhudun.NewCasePerson
	id, err := idAndBody(r, &b)
	if err != nil {
		return err
	}
	p, err := s.store.AddCasePerson(r.Context(), id, b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}

// apprehend records the day a suspect was caught: {"on":"2026-02-20"},
// or "" to clear it.
func (s *Server) apprehend(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		On string `json:"on"`
	}
	id, err := idAndBody(r, &b)
	if err != nil {
		return err
	}
	person, err := pathInt(r, "person")
	if err != nil {
		return err
	}
	p, err := s.store.SetApprehended(r.Context(), id, person, b.On)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) addMeasure(w http.ResponseWriter, r *http.Request) error {
	var b zhudun.NewMeasure
	id, err := idAndBody(r, &b)
	if err != nil {
		return err
	}
	m, err := s.store.AddMeasure(r.Context(), id, b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func (s *Server) addSeizure(w http.ResponseWriter, r *http.Request) error {
	var b zhudun.NewSeizure
	id, err := idAndBody(r, &b)
	if err != nil {
		return err
	}
	z, err := s.store.AddSeizure(r.Context(), id, b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, z)
	return nil
}

func (s *Server) addCaseEntities(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Findings []int64 `json:"findings"`
	}
	id, err := idAndBody(r, &b)
	if err != nil {
		return err
	}
	xs, err := s.store.AddCaseEntities(r.Context(), id, b.Findings)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(xs, len(xs)))
	return nil
}

func (s *Server) tagCase(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Campaign int64 `json:"campaign"`
	}
	id, err := idAndBody(r, &b)
	if err != nil {
		return err
	}
	c, err := s.store.TagCase(r.Context(), id, b.Campaign)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) getPerson(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	p, err := s.store.FindPerson(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) revealPersonPII(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Reason string `json:"reason"`
	}
	id, err := idAndBody(r, &b)
	if err != nil {
		return err
	}
	p, err := s.store.RevealPersonPII(r.Context(), id, b.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) listCampaigns(w http.ResponseWriter, r *http.Request) error {
	xs, err := s.store.FindCampaigns(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(xs, len(xs)))
	return nil
}

func (s *Server) createCampaign(w http.ResponseWriter, r *http.Request) error {
	var b zhudun.NewCampaign
	if err := decode(r, &b); err != nil {
		return err
	}
	c, err := s.store.CreateCampaign(r.Context(), b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

// caseTypes answers the case type dictionary and its version; anyone
// signed in may read it (it names no case).
func (s *Server) caseTypes(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{"version": zhudun.CaseTypesVersion, "items": zhudun.CaseTypes})
	return nil
}

func (s *Server) getCasePrefix(w http.ResponseWriter, r *http.Request) error {
	p, err := s.store.CasePrefixFor(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) setCasePrefix(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Prefix string `json:"prefix"`
	}
	if err := decode(r, &b); err != nil {
		return err
	}
	p, err := s.store.SetCasePrefix(r.Context(), r.PathValue("code"), b.Prefix)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}
