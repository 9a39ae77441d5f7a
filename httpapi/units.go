package httpapi

import (
	"net/http"

	"github.com/zhudun/zhudun"
)

// Unit administration (issue 18): binding a unit to its terminal and crew,
// and an officer's own unit.

func (s *Server) updateUnit(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Terminal *string   `json:"terminal"`
		Crew     *[]string `json:"crew"`
	}
	id, err := idAndBody(r, &b)
	if err != nil {
		return err
	}
	u, err := s.store.UpdateUnit(r.Context(), id, zhudun.UnitUpdate{Terminal: b.Terminal, Crew: b.Crew})
	if err != nil {
		return err
	}
	s.dispatch.UnitChanged(u)
	writeJSON(w, http.StatusOK, s.dispatch.Decorate(u))
	return nil
}

func (s *Server) unitCrewCandidates(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ms, err := s.store.CrewCandidates(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ms})
	return nil
}

// myUnit answers GET /api/v1/me/unit: the caller's unit and the incident it
// is on (null when free).
func (s *Server) myUnit(w http.ResponseWriter, r *http.Request) error {
	u, err := s.store.MyUnit(r.Context())
	if err != nil {
		return err
	}
	out := struct {
		Unit     *zhudun.Unit     `json:"unit"`
		Incident *zhudun.Incident `json:"incident"`
	}{Unit: s.dispatch.Decorate(u)}
	if u.IncidentID != nil {
		x, err := s.store.FindIncidentByID(r.Context(), *u.IncidentID)
		if err != nil && zhudun.ErrorCode(err) != zhudun.ENOTFOUND {
			return err
		}
		out.Incident = x
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
