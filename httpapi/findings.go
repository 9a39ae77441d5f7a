package httpapi

import (
	"net/http"

	"github.com/zhudun/zhudun"
)

// registerFindings mounts the live engine's findings and leads (the
// service writing them is package live; these only list the store).
func (s *Server) registerFindings() {
	s.handle("GET", "/api/v1/findings", false, s.listFindings(zhudun.KindFinding))
	s.handle("GET", "/api/v1/leads", false, s.listFindings(zhudun.KindLead))
}

func (s *Server) listFindings(kind string) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		f := zhudun.FindingFilter{Kind: kind, Category: q.Get("category"), Gang: q.Get("gang"), Status: q.Get("status")}
		var err error
		if f.Offset, err = queryInt(r, "offset", 0); err != nil {
			return err
		}
		if f.Limit, err = queryInt(r, "limit", 50); err != nil {
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
