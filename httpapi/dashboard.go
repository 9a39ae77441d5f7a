package httpapi

import (
	"net/http"
	"time"

	"github.com/zhudun/zhudun"
)

// The command dashboard's today (docs/dashboard.md): GET /api/v1/dashboard
// gives each figure with the list behind it; the blocks are those the
// caller may read, each within the caller's own scope. The command screen
// reads it again when the event stream says something it counts changed.

func (s *Server) registerDashboard() {
	s.handle("GET", "/api/v1/dashboard", false, s.dashboard)
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) error {
	m := zhudun.DashboardModules{Incidents: s.store, Findings: s.store, Cases: s.store, Campus: s.store, Fire: s.store}
	d, err := m.Today(r.Context(), time.Now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}
