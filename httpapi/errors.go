package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/guard"
)

// codes maps every error code to its HTTP status; this is the one place.
var codes = map[string]int{
	zhudun.EINVALID:        http.StatusBadRequest,
	zhudun.EUNAUTHORIZED:   http.StatusUnauthorized,
	zhudun.EOTPREQUIRED:    http.StatusUnauthorized,
	zhudun.EFORBIDDEN:      http.StatusForbidden,
	zhudun.EMUSTCHANGE:     http.StatusForbidden,
	zhudun.EMUSTENROLL:     http.StatusForbidden,
	zhudun.ENOTFOUND:       http.StatusNotFound,
	zhudun.ECONFLICT:       http.StatusConflict,
	zhudun.ETOOLARGE:       http.StatusRequestEntityTooLarge,
	zhudun.ELOCKED:         http.StatusLocked,
	zhudun.ETOOMANY:        http.StatusTooManyRequests,
	zhudun.EINTERNAL:       http.StatusInternalServerError,
	zhudun.ENOTIMPLEMENTED: http.StatusNotImplemented,
	zhudun.EUNAVAILABLE:    http.StatusServiceUnavailable,
}

// StatusOf returns the HTTP status of an error code.
func StatusOf(code string) int {
	if s, ok := codes[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code       string `json:"code"`
	Message    string `json:"message"`
	Field      string `json:"field,omitempty"`
	RetryAfter int    `json:"retry_after,omitempty"`
}

// Error writes err in the one error shape. Internal errors are logged in
// full and shown as "internal error"; denied requests are audited — those
// without a caller through the denial log, which folds identical ones into
// one row with a count.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	code := zhudun.ErrorCode(err)
	if code == zhudun.EFORBIDDEN || code == zhudun.EUNAUTHORIZED && s.auditUnauthorized(r) {
		if zhudun.CallerFrom(r.Context()) == nil {
			s.denyAnonymous(r, zhudun.ErrorMessage(err))
		} else {
			s.auditDenied(r, zhudun.ErrorMessage(err))
		}
	}
	s.render(w, r, err)
}

// denyAnonymous counts a refused request without a caller in the denial log.
func (s *Server) denyAnonymous(r *http.Request, why string) {
	s.denials.Add(guard.Denial{ClientAddr: clientAddr(r), Endpoint: r.Method + " " + r.URL.Path, Reason: why, PIIFilters: piiFiltersOf(r)})
}

// render writes err in the one error shape without auditing it.
func (s *Server) render(w http.ResponseWriter, r *http.Request, err error) {
	code := zhudun.ErrorCode(err)
	var ze *zhudun.Error
	body := errorDetail{Code: code, Message: zhudun.ErrorMessage(err)}
	if errors.As(err, &ze) {
		body.Field, body.RetryAfter = ze.Field, ze.RetryAfter
	}
	status := StatusOf(code)
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "code", code, "err", err)
	}
	if body.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(body.RetryAfter))
	}
	writeJSON(w, status, errorBody{Error: body})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// auditUnauthorized decides which 401s are audited: every one that
// presented credentials (a forged, revoked or expired session) and every
// anonymous attempt to change something. Anonymous reads are refused without
// a row — they reveal and change nothing, and auditing them would let anyone
// flood the log. Sign-in failures are audited by the store with their reason.
func (s *Server) auditUnauthorized(r *http.Request) bool {
	if r.URL.Path == "/api/v1/auth/login" {
		return false
	}
	return requestToken(r) != "" || (r.Method != http.MethodGet && r.Method != http.MethodHead)
}

// auditDenied records a denied request: who, what and from where.
func (s *Server) auditDenied(r *http.Request, why string) {
	ctx := r.Context()
	if zhudun.CallerFrom(ctx) == nil {
		ctx = zhudun.WithCaller(ctx, &zhudun.Caller{Username: "(anonymous)", DeptPath: "/", ClientAddr: clientAddr(r)})
	}
	err := s.audit.Record(ctx, &zhudun.AuditEntry{Action: "request.denied", ObjectType: "endpoint",
		ObjectID: r.Method + " " + r.URL.Path, Result: zhudun.ResultDenied, Detail: mustJSON(deniedDetail(r, why))})
	if err != nil {
		s.log.Error("audit denied request", "err", err)
	}
}

// piiParams are the query parameters that carry personal data.
var piiParams = []string{"phone", "id_number"}

// deniedDetail is a denied request's audit detail: the reason, and which
// personal-data filters it tried — never their values, nor any other part of
// the query string.
func deniedDetail(r *http.Request, why string) map[string]any {
	d := map[string]any{"reason": why}
	if used := piiFiltersOf(r); len(used) > 0 {
		d["pii_filters"] = used
	}
	return d
}

func piiFiltersOf(r *http.Request) []string {
	var used []string
	q := r.URL.Query()
	for _, p := range piiParams {
		if q.Get(p) != "" {
			used = append(used, p)
		}
	}
	return used
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
