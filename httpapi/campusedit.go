package httpapi

import (
	"context"
	"net/http"
)

// Campus edits and the map's points (issue 14 follow-up, docs/campus.md).
// Scope and permission are the store's; an edit outside scope is 404.
func (s *Server) registerCampusEdit() {
	s.handle("GET", "/api/v1/campus/schools/map", false, s.schoolPoints)
	s.handle("PUT", "/api/v1/campus/schools/{id}", false, s.updateSchool)
	s.handle("PUT", "/api/v1/campus/groups/{id}", false, s.updateGroup)
	s.handle("GET", "/api/v1/campus/accounts", false, s.campusAccounts)
	s.handle("PUT", "/api/v1/campus/rounds/{id}", false, s.updateRound)
}

// schoolPoints answers every located school of the caller's scope, for
// the map: {"items":[{id,name,type,lat,lon,status}],"total":n}.
func (s *Server) schoolPoints(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.store.SchoolPoints(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(ps, len(ps)))
	return nil
}

func (s *Server) updateSchool(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, s.store.UpdateSchool)
}

func (s *Server) updateGroup(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, s.store.UpdateGroup)
}

func (s *Server) updateRound(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, s.store.UpdateRound)
}

// updateByID decodes the body as B and answers the store's update of the
// path's id.
func updateByID[B, X any](w http.ResponseWriter, r *http.Request, update func(ctx context.Context, id int64, b B) (X, error)) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var b B
	if err := decode(r, &b); err != nil {
		return err
	}
	x, err := update(r.Context(), id, b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, x)
	return nil
}

func (s *Server) campusAccounts(w http.ResponseWriter, r *http.Request) error {
	xs, err := s.store.CampusAccounts(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(xs, len(xs)))
	return nil
}
