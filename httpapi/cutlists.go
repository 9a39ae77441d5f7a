package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
)

// CutBackend is what review, cut lists, appeals and their figures need from
// the store (docs/cutlists.md).
type CutBackend interface {
	zhudun.ReviewService
	zhudun.CutListService
	zhudun.AppealService
	FourCutsReport(ctx context.Context, from, to time.Time, dept string) (*zhudun.FourCutsReport, error)
}

// DefaultCutDeadline is how long a source has to report a confirmed entity
// cut or not before it is overdue.
const DefaultCutDeadline = 48 * time.Hour

// registerCutLists mounts the analyst's review and allowlist, the
// sources' cut lists (authenticated by their key), appeals and the figures.
func (s *Server) registerCutLists() {
	s.handle("POST", "/api/v1/findings/{id}/review", false, s.reviewFinding)
	s.handle("POST", "/api/v1/gangs/{gang}/review", false, s.reviewGang)
	s.handle("POST", "/api/v1/findings/review", false, s.reviewSelected)
	s.handle("GET", "/api/v1/reviews", false, s.listReviewRequests)
	s.handle("POST", "/api/v1/reviews/{id}/approve", false, s.decideReviewRequest(true))
	s.handle("POST", "/api/v1/reviews/{id}/reject", false, s.decideReviewRequest(false))
	s.handle("GET", "/api/v1/allowlist", false, s.listAllow)
	s.handle("POST", "/api/v1/allowlist", false, s.addAllow)
	s.handle("DELETE", "/api/v1/allowlist/{id}", false, s.removeAllow)
	s.handle("GET", "/api/v1/cutlists", false, s.cutListStats)
	s.handle("POST", "/api/v1/appeals", false, s.createAppeal)
	s.handle("GET", "/api/v1/appeals", false, s.listAppeals)
	s.handle("GET", "/api/v1/appeals/stats", false, s.appealStats)
	s.handle("POST", "/api/v1/appeals/{id}/decide", false, s.decideAppeal)
	s.handle("GET", "/api/v1/reports/fourcuts", false, s.fourCutsReport)

	s.sourceRoute("GET", "/api/v1/cutlists/{category}", s.getCutList)
	s.sourceRoute("POST", "/api/v1/cutlists/{category}/ack", s.ackCutList)
	s.sourceRoute("POST", "/api/v1/cutlists/{category}/appeals", s.sourceAppeal)
}

// sourceRoute mounts a route a source calls with its API key (as POST
// /api/v1/events): a valid key never meets the anonymous throttle, a
// missing or wrong one is anonymous traffic and does. The key is checked
// against the database on every request, so a disabled source or a new
// binding takes effect at once.
func (s *Server) sourceRoute(method, path string, h func(w http.ResponseWriter, r *http.Request, src *zhudun.Source) error) {
	s.routes = append(s.routes, Route{Method: method, Path: path, Public: true})
	s.mux.Handle(method+" "+path, s.compressJSON(method+" "+path, s.limitBody(s.maxBody, s.admit(method+" "+path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var key string
		if v := r.Header.Get("Authorization"); strings.HasPrefix(v, "Bearer ") {
			key = strings.TrimSpace(v[len("Bearer "):])
		}
		src, err := s.store.SourceByKey(r.Context(), key)
		if err != nil {
			if zhudun.ErrorCode(err) == zhudun.EUNAUTHORIZED && !s.allowAnonymous(w, r) {
				return
			}
			s.Error(w, r, err)
			return
		}
		if ok, wait := s.sources.Allow(src.Name); !ok {
			s.Error(w, r, &zhudun.Error{Code: zhudun.ETOOMANY, Message: "too many requests from this source; slow down",
				RetryAfter: retryAfterSeconds(wait)})
			return
		}
		// the client address for the audit row; the store names the source
		ctx := zhudun.WithCaller(r.Context(), &zhudun.Caller{ClientAddr: clientAddr(r), Perms: map[zhudun.Permission]zhudun.Scope{}})
		if err := h(w, r.WithContext(ctx), src); err != nil {
			s.Error(w, r, err)
		}
	})))))
}

func pathInt(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, zhudun.Errorf(zhudun.ENOTFOUND, "%s not found", name)
	}
	return id, nil
}

func (s *Server) reviewFinding(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var b zhudun.Review
	if err := decode(r, &b); err != nil {
		return err
	}
	res, err := s.store.ReviewFinding(r.Context(), id, b)
	if err != nil {
		return err
	}
	writeReview(w, res)
	return nil
}

// reviewSelected reviews the findings named by ids at once.
func (s *Server) reviewSelected(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		IDs []int64 `json:"ids"`
		zhudun.Review
	}
	if err := decode(r, &b); err != nil {
		return err
	}
	res, err := s.store.ReviewFindings(r.Context(), b.IDs, b.Review)
	if err != nil {
		return err
	}
	writeReview(w, res)
	return nil
}

// writeReview answers 202 when the two-person rule holds the review for a
// second analyst, 200 when it was applied.
func writeReview(w http.ResponseWriter, res *zhudun.ReviewResult) {
	if res.Pending != nil {
		writeJSON(w, http.StatusAccepted, res)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) listReviewRequests(w http.ResponseWriter, r *http.Request) error {
	items, err := s.store.FindReviewRequests(r.Context(), r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, len(items)))
	return nil
}

func (s *Server) decideReviewRequest(approve bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathInt(r, "id")
		if err != nil {
			return err
		}
		req, res, err := s.store.DecideReviewRequest(r.Context(), id, approve)
		if err != nil {
			return err
		}
		out := map[string]any{"request": req}
		if res != nil {
			out["items"] = res.Findings
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

func (s *Server) reviewGang(w http.ResponseWriter, r *http.Request) error {
	var b zhudun.Review
	if err := decode(r, &b); err != nil {
		return err
	}
	res, err := s.store.ReviewGang(r.Context(), r.PathValue("gang"), b)
	if err != nil {
		return err
	}
	writeReview(w, res)
	return nil
}

func (s *Server) listAllow(w http.ResponseWriter, r *http.Request) error {
	items, err := s.store.FindAllowlist(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, len(items)))
	return nil
}

func (s *Server) addAllow(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		EntityType string     `json:"entity_type"`
		Entity     string     `json:"entity"`
		Reason     string     `json:"reason"`
		ExpiresAt  *time.Time `json:"expires_at"`
	}
	if err := decode(r, &b); err != nil {
		return err
	}
	a := &zhudun.AllowItem{EntityType: b.EntityType, Entity: b.Entity, Reason: b.Reason, ExpiresAt: b.ExpiresAt}
	if err := s.store.AddAllow(r.Context(), a); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

func (s *Server) removeAllow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.store.RemoveAllow(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) cutListStats(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store.CutListStats(r.Context(), s.cutDeadline)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": st, "deadline_hours": s.cutDeadline.Hours()})
	return nil
}

// getCutList answers a source's fetch as JSON, or as CSV for Accept:
// text/csv or ?format=csv (formula-safe, as every export).
func (s *Server) getCutList(w http.ResponseWriter, r *http.Request, src *zhudun.Source) error {
	q := r.URL.Query()
	since, err := parseTime("since", q.Get("since"))
	if err != nil {
		return err
	}
	format := q.Get("format")
	if format == "" && strings.Contains(r.Header.Get("Accept"), "text/csv") {
		format = "csv"
	}
	if format != "" && format != "csv" && format != "json" {
		return zhudun.FieldError("format", "format must be json or csv")
	}
	var after int64
	if v := q.Get("after"); v != "" {
		if after, err = strconv.ParseInt(v, 10, 64); err != nil || after < 0 {
			return zhudun.FieldError("after", "after is the id of the last item fetched")
		}
	}
	items, err := s.store.CutList(r.Context(), src, r.PathValue("category"), since, after)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	if format != "csv" {
		next := since
		if len(items) > 0 {
			next = items[len(items)-1].UpdatedAt
		}
		out := map[string]any{"items": items, "source": src.Name, "binding": src.Binding}
		if !next.IsZero() {
			out["next_since"] = next.Format(time.RFC3339Nano)
		}
		if len(items) > 0 {
			// with next_since, where the next page starts when this one
			// ended inside an instant (a full page)
			out["next_after"] = items[len(items)-1].FindingID
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	sh := sheet{name: "cutlist", header: []string{"entity", "entity_type", "category", "gang", "score", "status", "confirmed_at", "cut_at", "not_cut_reason", "restored_at", "updated_at"}}
	ts := func(t *time.Time) any {
		if t == nil {
			return nil
		}
		return t.Format(time.RFC3339Nano)
	}
	for _, it := range items {
		sh.rows = append(sh.rows, []any{it.Entity, it.EntityType, it.Category, it.Gang, it.Score, it.Status, it.ConfirmedAt.Format(time.RFC3339Nano),
			ts(it.CutAt), it.NotCut, ts(it.RestoredAt), it.UpdatedAt.Format(time.RFC3339Nano)})
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	return writeCSV(w, sh)
}

func (s *Server) ackCutList(w http.ResponseWriter, r *http.Request, src *zhudun.Source) error {
	var b struct {
		Items []zhudun.CutAck `json:"items"`
	}
	if err := decode(r, &b); err != nil {
		return err
	}
	res, err := s.store.AckCuts(r.Context(), src, r.PathValue("category"), b.Items)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": res})
	return nil
}

func (s *Server) sourceAppeal(w http.ResponseWriter, r *http.Request, src *zhudun.Source) error {
	var b zhudun.NewAppeal
	if err := decode(r, &b); err != nil {
		return err
	}
	if b.Category == "" {
		b.Category = r.PathValue("category")
	}
	if b.Category != r.PathValue("category") {
		return zhudun.FieldError("category", "the body's category is not the path's")
	}
	a, err := s.store.CreateSourceAppeal(r.Context(), src, b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, receipt(a))
	return nil
}

func (s *Server) createAppeal(w http.ResponseWriter, r *http.Request) error {
	var b zhudun.NewAppeal
	if err := decode(r, &b); err != nil {
		return err
	}
	a, err := s.store.CreateAppeal(r.Context(), b)
	if err != nil {
		return err
	}
	// The officer learns that the appeal is recorded, nothing of the
	// finding behind it (its id, the department whose feed raised it).
	writeJSON(w, http.StatusCreated, receipt(a))
	return nil
}

// appealReceipt is what the one who entered an appeal is told.
type appealReceipt struct {
	ID             int64     `json:"id"`
	Category       string    `json:"category"`
	Entity         string    `json:"entity"`
	IDNumberMasked string    `json:"id_number"`
	Status         string    `json:"status"`
	CreatedAt      time.Time `json:"created_at"`
}

func receipt(a *zhudun.Appeal) appealReceipt {
	return appealReceipt{ID: a.ID, Category: a.Category, Entity: a.Entity, IDNumberMasked: a.IDNumberMasked, Status: a.Status, CreatedAt: a.CreatedAt}
}

func (s *Server) listAppeals(w http.ResponseWriter, r *http.Request) error {
	items, err := s.store.FindAppeals(r.Context(), r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, len(items)))
	return nil
}

func (s *Server) appealStats(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store.AppealStats(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(st, len(st)))
	return nil
}

func (s *Server) decideAppeal(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var b struct {
		Decision string `json:"decision"` // restore, reject
		Reason   string `json:"reason"`
	}
	if err := decode(r, &b); err != nil {
		return err
	}
	if b.Decision != "restore" && b.Decision != "reject" {
		return zhudun.FieldError("decision", "decision must be restore or reject")
	}
	a, err := s.store.DecideAppeal(r.Context(), id, b.Decision == "restore", b.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) fourCutsReport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	from, to, err := reportPeriod(q)
	if err != nil {
		return err
	}
	rep, err := s.store.FourCutsReport(r.Context(), from, to, q.Get("dept"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"from": q.Get("from"), "to": q.Get("to"), "dept": rep.Dept, "figures": rep})
	return nil
}
