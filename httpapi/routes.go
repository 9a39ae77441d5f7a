package httpapi

import (
	_ "embed"
	"net/http"
)

//go:embed openapi.json
var openapiDoc []byte

func (s *Server) register() {
	// Sign-in and the signed-in user.
	s.handle("POST", "/api/v1/auth/login", true, s.login)
	s.handle("POST", "/api/v1/auth/logout", false, s.logout)
	s.handle("POST", "/api/v1/auth/password", false, s.changePassword)
	s.handle("GET", "/api/v1/me", false, s.me)
	s.handle("POST", "/api/v1/me/totp", false, s.beginTOTP)
	s.handle("POST", "/api/v1/me/totp/confirm", false, s.confirmTOTP)

	// Administration.
	s.handle("GET", "/api/v1/depts", false, s.listDepts)
	s.handle("POST", "/api/v1/depts", false, s.createDept)
	s.handle("GET", "/api/v1/depts/{code}", false, s.getDept)
	s.handle("PATCH", "/api/v1/depts/{code}", false, s.updateDept)
	s.handle("GET", "/api/v1/users", false, s.listUsers)
	s.handle("GET", "/api/v1/users/export", false, s.exportUsers)
	s.handle("GET", "/api/v1/users/dormant", false, s.listDormant)
	s.handle("POST", "/api/v1/users", false, s.createUser)
	s.handle("GET", "/api/v1/users/{id}", false, s.getUser)
	s.handle("PATCH", "/api/v1/users/{id}", false, s.updateUser)
	s.handle("POST", "/api/v1/users/{id}/password", false, s.resetPassword)
	s.handle("POST", "/api/v1/users/{id}/unlock", false, s.unlockUser)
	s.handle("POST", "/api/v1/users/{id}/pii-search/unlock", false, s.unlockPIISearch)
	s.handle("PUT", "/api/v1/users/{id}/roles", false, s.setUserRoles)
	s.handle("POST", "/api/v1/users/{id}/pii", false, s.revealUserPII)
	s.handle("GET", "/api/v1/roles", false, s.listRoles)
	s.handle("POST", "/api/v1/roles", false, s.createRole)
	s.handle("PATCH", "/api/v1/roles/{id}", false, s.updateRole)
	s.handle("GET", "/api/v1/permissions", false, s.listPermissions)
	s.handle("GET", "/api/v1/policy", false, s.getPolicy)
	s.handle("PUT", "/api/v1/policy", false, s.updatePolicy)

	// Audit.
	s.handle("GET", "/api/v1/audit", false, s.listAudit)
	s.handle("GET", "/api/v1/audit/export", false, s.exportAudit)
	s.handle("GET", "/api/v1/audit/verify", false, s.verifyAudit)
	s.handle("GET", "/api/v1/alerts", false, s.listAlerts)
	s.handle("POST", "/api/v1/alerts/{id}/ack", false, s.ackAlert)

	// Grid patrol and incident dispatch (网格驻巡).
	s.handle("POST", "/api/v1/grids", false, s.importGrids)
	s.handle("GET", "/api/v1/grids", false, s.listGrids)
	s.handle("POST", "/api/v1/units", false, s.createUnit)
	s.handle("GET", "/api/v1/units", false, s.listUnits)
	s.handle("GET", "/api/v1/units/{id}", false, s.getUnit)
	s.handle("PATCH", "/api/v1/units/{id}", false, s.updateUnit)
	s.handle("GET", "/api/v1/units/{id}/crew-candidates", false, s.unitCrewCandidates)
	s.handle("GET", "/api/v1/me/unit", false, s.myUnit)
	s.handle("POST", "/api/v1/units/{id}/status", false, s.setUnitStatus)
	s.handle("POST", "/api/v1/units/{id}/positions", false, s.addPositions)
	s.handle("GET", "/api/v1/units/{id}/track", false, s.unitTrack)
	s.handle("GET", "/api/v1/unit-alarms", false, s.listUnitAlarms)
	s.handle("POST", "/api/v1/unit-alarms/{id}/ack", false, s.ackUnitAlarm)
	s.handle("POST", "/api/v1/incidents", false, s.createIncident)
	s.handle("GET", "/api/v1/incidents", false, s.listIncidents)
	s.handle("POST", "/api/v1/incidents/import", false, s.importIncidents)
	s.handle("GET", "/api/v1/incidents/{id}", false, s.getIncident)
	s.handle("GET", "/api/v1/incidents/{id}/recommendation", false, s.incidentRecommendation)
	s.handle("POST", "/api/v1/incidents/{id}/dispatch", false, s.dispatchIncident)
	s.handle("POST", "/api/v1/incidents/{id}/arrive", false, s.arriveIncident)
	s.handle("POST", "/api/v1/incidents/{id}/close", false, s.closeIncident)
	s.handle("POST", "/api/v1/incidents/{id}/pii", false, s.revealIncidentPII)
	s.handle("GET", "/api/v1/reports/patrol", false, s.patrolReport)
	s.handle("GET", "/api/v1/patrol/plans", false, s.listPatrolPlans)
	s.handle("POST", "/api/v1/patrol/plans", false, s.createPatrolPlan)
	s.handle("GET", "/api/v1/patrol/plans/{id}", false, s.getPatrolPlan)
	s.handle("PUT", "/api/v1/patrol/plans/{id}", false, s.updatePatrolPlan)
	s.handle("DELETE", "/api/v1/patrol/plans/{id}", false, s.deletePatrolPlan)
	s.handle("GET", "/api/v1/patrol/visits", false, s.listPatrolVisits)
	s.handle("GET", "/api/v1/patrol/coverage/live", false, s.liveCoverage)
	s.handle("GET", "/api/v1/dictionaries/incident-categories", false, s.incidentCategories)
	s.handle("GET", "/api/v1/dictionaries/unit-statuses", false, s.listUnitStatuses)
	s.handle("GET", "/api/v1/geo/districts", false, s.geoDistricts)
	s.handle("GET", "/api/v1/config/map", false, s.mapSettings)
	s.handle("GET", "/api/v1/geocode", false, s.geocode)

	// Sources and the events they push (Four Cuts).
	s.registerIngest()
	s.registerFindings()
	s.registerCutLists()

	// Cyber cases and campaigns (网安案件).
	s.registerCases()
	s.registerCyberReport()
	s.registerSummary()
	s.registerDashboard()

	// Campus safety inspections (平安校园).
	s.registerCampus()
	s.registerZhudun()

	// E-bike fire safety: Open311 GeoReport v2 intake and the escalation.
	s.registerOpen311()
	s.registerFire()

	// Events and the API's own description.
	s.handle("GET", "/api/v1/events/stream", false, s.eventStream)
	s.handle("GET", "/api/v1/openapi.json", true, func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "application/json")
		_, err := w.Write(openapiDoc)
		return err
	})

	// Health: outside /api so that probes need no session.
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)

	// Unknown API paths answer in the API's shape; everything else is the UI.
	s.mux.Handle("/api/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requestToken(r) == "" && !s.allowAnonymous(w, r) {
			return
		}
		writeJSON(w, http.StatusNotFound, errorBody{Error: errorDetail{Code: "ENOTFOUND", Message: "no such endpoint"}})
	}))
	s.mux.Handle("/", s.staticHandler())
}
