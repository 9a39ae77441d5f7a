package httpapi

import (
	"net/http"

	"github.com/zhudun/zhudun"
)

// --- policy (the security administrator's settings) ---

func (s *Server) getPolicy(w http.ResponseWriter, r *http.Request) error {
	v, err := s.store.FindPolicy(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) updatePolicy(w http.ResponseWriter, r *http.Request) error {
	var p zhudun.Policy
	if err := decode(r, &p); err != nil {
		return err
	}
	v, err := s.store.UpdatePolicy(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) listDormant(w http.ResponseWriter, r *http.Request) error {
	us, err := s.store.FindDormantUsers(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(us, len(us)))
	return nil
}

// --- alerts (the audit administrator's) ---

func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request) error {
	off, err := queryInt(r, "offset", 0)
	if err != nil {
		return err
	}
	lim, err := queryInt(r, "limit", 50)
	if err != nil {
		return err
	}
	un, err := queryBool(r, "unacked")
	if err != nil {
		return err
	}
	as, n, err := s.store.FindAlerts(r.Context(), zhudun.AlertFilter{Event: r.URL.Query().Get("event"), Unacked: un != nil && *un, Offset: off, Limit: lim})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(as, n))
	return nil
}

func (s *Server) ackAlert(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.store.AckAlert(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}
