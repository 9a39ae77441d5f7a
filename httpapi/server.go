// Package httpapi is zhudun's JSON API under /api/v1, the Server-Sent Events
// stream, health and metrics endpoints, and the embedded UI's file server.
// Handlers decode, call a service with the caller in ctx, and encode; every
// permission and data-scope decision is made in the store.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/coverage"
	"github.com/zhudun/zhudun/dispatch"
	"github.com/zhudun/zhudun/guard"
	"github.com/zhudun/zhudun/patrol"
)

// Backend is everything the API needs from the store.
type Backend interface {
	zhudun.DeptService
	zhudun.UserService
	zhudun.RoleService
	zhudun.AuditService
	zhudun.AuthService
	zhudun.PolicyService
	zhudun.AlertService
	zhudun.SourceService
	zhudun.FindingService
	CutBackend
	zhudun.CaseService
	zhudun.CaseXrefService
	zhudun.CaseEditor
	zhudun.AttachmentService
	zhudun.CaseImportService
	zhudun.CyberReportService
	zhudun.CampusService
	zhudun.FireStore
	zhudun.ZhudunService
	coverage.Store
	zhudun.EngineStatusService
	// Unlock clears a user's lockout (user:write).
	Unlock(ctx context.Context, id int64) error
	// SessionValid checks a token without touching its idle timer (the event
	// stream must not keep an idle session alive).
	SessionValid(ctx context.Context, token string) error
	// StreamCaller re-checks an event stream's session, without touching its
	// idle timer, and returns its session (with EndsAt) and caller as they
	// are now (EUNAUTHORIZED when the session ended).
	StreamCaller(ctx context.Context, token, clientAddr string) (*zhudun.Session, *zhudun.Caller, error)
	Ping(ctx context.Context) error
	// IncidentTally counts a list's incidents by category and hour (the
	// command dashboard).
	IncidentTally(ctx context.Context, f zhudun.IncidentFilter) (*zhudun.IncidentTally, error)
	PatrolBackend
}

// Config configures a Server.
type Config struct {
	Store   Backend
	Bus     zhudun.Bus // readiness and the event stream; may be nil in tests
	Static  fs.FS      // the built UI; nil serves no UI
	Logger  *slog.Logger
	Version string
	// SecureCookies marks the session cookie Secure (set when serving TLS).
	SecureCookies bool
	// MaxBody is the largest request body accepted (default 1 MiB).
	MaxBody int64
	// StaleAfter is the age at which a unit's position no longer counts
	// (default zhudun.DefaultStaleAfter).
	StaleAfter time.Duration
	// MapTiles is the base map's tile URL template ("" = vectors only) and
	// MapTilesAttribution its credit line.
	MapTiles, MapTilesAttribution string
	// Geocoder answers the address box; nil: the store's local table.
	Geocoder zhudun.Geocoder
	// AnonRate and AnonBurst limit requests without a valid session or key
	// per client address (default 10 a second, bursts of 60); past them the
	// answer is 429 and the refusals are audited as spans (guard.DenialLog).
	// At most 100 000 addresses are remembered; past that, new addresses
	// share one bucket (refused once it is empty, never unlimited).
	AnonRate  float64
	AnonBurst int
	// SourceRate and SourceBurst limit each source's requests to its cut
	// lists (fetch, ack, appeal; default 5 a second, bursts of 60 — a
	// carrier paging through a day's list needs a few): every fetch is
	// audited, so a key in a loop would flood the audit log. Past them the
	// answer is 429 with Retry-After. Ingest has its own per-source rate.
	SourceRate  float64
	SourceBurst int
	// DenialIdle is how long a span of identical anonymous denials stays
	// open without a repeat before its row is appended (default 10 s).
	DenialIdle time.Duration
	// MaxInFlight bounds the API requests served at once (default 16 per
	// core, at least 32; event streams are not counted); a request waits
	// up to AdmitWait (default 10 s) for a slot, then gets 503.
	MaxInFlight int
	AdmitWait   time.Duration
	// Ingest takes the events sources push (POST /api/v1/events); nil
	// answers 501.
	Ingest Ingester
	// CutDeadline is how long after a confirmation a source has to report
	// the cut before the entity counts as overdue (default 48 h).
	CutDeadline time.Duration
	// IngestLag reports the ingest stream's lag behind the engines'
	// checkpoints for GET /api/v1/ingest/status; nil leaves it out.
	IngestLag IngestLag
}

// Server is the HTTP front of zhudun.
type Server struct {
	store      Backend
	audit      zhudun.AuditService
	bus        zhudun.Bus
	static     fs.FS
	log        *slog.Logger
	version    string
	secure     bool
	maxBody    int64
	mux        *http.ServeMux
	routes     []Route
	broker     *broker
	reg        *prometheus.Registry
	reqs       *prometheus.CounterVec
	dur        *prometheus.HistogramVec
	sse        prometheus.Gauge
	handler    http.Handler
	dispatch   *dispatch.Service  // the live dispatch index: state lives there, not here
	patrol     *patrol.Service    // live patrol coverage
	patrolRun  chan struct{}      // closed when the coverage service's Run has returned
	patrolStop context.CancelFunc // ends that Run (Close)
	coverage   *coverage.Service  // the city's video coverage (铸盾)
	gzip       func(http.Handler) http.HandlerFunc
	mapCfg     mapConfig
	csp        string // csp, with the tile server's origin when --map-tiles names one
	geocoder   zhudun.Geocoder
	anon       *guard.AddrLimiter
	sources    *guard.AddrLimiter // per source name, on the cut-list routes
	denials    *guard.DenialLog
	admission  *admission
	intake     *intake // Open311 posts
	logins     *intake // sign-ins
	busy       prometheus.Counter
	ingest     Ingester
	// cutDeadline: Config.CutDeadline
	cutDeadline time.Duration
	lag         IngestLag
}

// Route is one registered API route.
type Route struct {
	Method, Path string
	Public       bool // reachable without a session
}

// New builds a Server and its routes.
func New(c Config) *Server {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.MaxBody <= 0 {
		c.MaxBody = 1 << 20
	}
	s := &Server{store: c.Store, audit: c.Store, bus: c.Bus, static: c.Static, log: c.Logger, version: c.Version,
		secure: c.SecureCookies, maxBody: c.MaxBody, mux: http.NewServeMux(), broker: newBroker(c.Logger), gzip: newGzip()}
	s.ingest, s.lag = c.Ingest, c.IngestLag
	s.cutDeadline = c.CutDeadline
	if s.cutDeadline <= 0 {
		s.cutDeadline = DefaultCutDeadline
	}
	s.dispatch = dispatch.NewService(c.Store, c.StaleAfter, c.Logger)
	s.patrol = patrol.NewService(c.Store, c.Logger)
	s.coverage = coverage.NewService(c.Store, c.Logger)
	s.mapCfg = mapConfig{Tiles: c.MapTiles, Attribution: c.MapTilesAttribution, Geocoder: "local"}
	s.csp = cspWithTiles(c.MapTiles)
	s.geocoder = c.Geocoder
	if s.geocoder == nil {
		s.geocoder = c.Store
	} else {
		s.mapCfg.Geocoder = "service"
	}
	if c.AnonRate <= 0 {
		c.AnonRate = 10
	}
	if c.AnonBurst <= 0 {
		c.AnonBurst = 60
	}
	s.admission = newAdmission(c.MaxInFlight, c.AdmitWait)
	s.intake = newIntake(intakeSlots, intakePerAddr)
	s.logins = newIntake(loginSlots, loginPerAddr)
	s.anon = guard.NewAddrLimiter(c.AnonRate, c.AnonBurst, 100000, nil)
	if c.SourceRate <= 0 {
		c.SourceRate = 5
	}
	if c.SourceBurst <= 0 {
		c.SourceBurst = 60
	}
	s.sources = guard.NewAddrLimiter(c.SourceRate, c.SourceBurst, 100000, nil)
	s.denials = guard.NewDenialLog(c.Store, guard.DenialLogConfig{Idle: c.DenialIdle, Logger: c.Logger})
	s.reg = prometheus.NewRegistry()
	s.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.reqs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "zhudun_http_requests_total", Help: "HTTP requests by route and status."}, []string{"route", "status"})
	s.dur = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "zhudun_http_request_seconds", Help: "HTTP request latency by route.",
		Buckets: prometheus.DefBuckets}, []string{"route"})
	s.sse = prometheus.NewGauge(prometheus.GaugeOpts{Name: "zhudun_sse_clients", Help: "Connected event-stream clients."})
	s.busy = prometheus.NewCounter(prometheus.CounterOpts{Name: "zhudun_http_busy_total", Help: "API requests refused with 503 after waiting for a slot."})
	s.reg.MustRegister(s.reqs, s.dur, s.sse, s.busy)
	s.register()
	s.handler = s.recoverer(s.headers(s.metrics(s.cleanPath(s.crossOrigin(s.mux)))))
	return s
}

// Close appends the anonymous denials still being counted to the audit log;
// call it after the HTTP server has shut down and before the store closes.
// Denials after it are audited one by one.
// It also stops the coverage service and waits for its last write.
func (s *Server) Close(ctx context.Context) error {
	if s.patrolRun != nil {
		s.patrolStop()
		select {
		case <-s.patrolRun:
		case <-ctx.Done():
		}
	}
	return s.denials.Close(ctx)
}

// Handler returns the root handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Routes lists the API routes (the OpenAPI test compares them).
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// MetricsHandler serves Prometheus metrics; mount it on a separate,
// internal listen address.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg})
}

// UnitMoved merges a unit another front of this process (the JT/T 808
// gateway) just moved into the dispatch index, as the position route does
// after its own writes.
func (s *Server) UnitMoved(u *zhudun.Unit) { s.dispatch.UnitChanged(u) }

// Registry lets other parts of the process add metrics.
func (s *Server) Registry() *prometheus.Registry { return s.reg }

// Start loads the dispatch index from the store and subscribes the event
// stream (and the index, for changes made by other processes) to the bus
// until ctx ends.
func (s *Server) Start(ctx context.Context) error {
	if err := s.dispatch.Load(ctx); err != nil {
		return err
	}
	if err := s.patrol.Load(ctx); err != nil {
		return err
	}
	s.patrolRun = make(chan struct{})
	pctx, stop := context.WithCancel(ctx)
	s.patrolStop = stop
	go func() {
		defer close(s.patrolRun)
		s.patrol.Run(pctx)
	}()
	go s.denials.Run(ctx)
	if s.bus == nil {
		return nil
	}
	return s.bus.Subscribe(ctx, func(e zhudun.Event) {
		s.broker.dispatch(e)
		s.dispatch.OnEvent(ctx, e)
		s.patrol.OnEvent(ctx, e)
	})
}

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle registers an API route. Authenticated routes resolve the session
// first; every handler returns an error that Error renders.
func (s *Server) handle(method, path string, public bool, h handlerFunc) {
	s.routes = append(s.routes, Route{Method: method, Path: path, Public: public})
	var hh http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.Error(w, r, err)
		}
	})
	if !public {
		hh = s.authed(path, hh)
	} else {
		hh = s.anonymous(hh)
	}
	hh = s.admit(method+" "+path, hh)
	if public && method == "POST" {
		// read before the admission slot is taken (see intake)
		hh = s.readBody(s.logins, loginBodyTimeout, false, hh, s.Error)
	}
	s.mux.Handle(method+" "+path, s.compressJSON(method+" "+path, s.limitBody(s.bodyLimit(method+" "+path), hh)))
}

// bodyLimit is the largest body a route takes. Routes that take files rather
// than forms get more: a city's grid layer is megabytes of GeoJSON.
func (s *Server) bodyLimit(route string) int64 {
	switch route {
	case "POST /api/v1/grids":
		return max(s.maxBody, 64<<20)
	case "POST /api/v1/cases/{id}/attachments":
		// one file and the multipart framing; the file's own limit is
		// checked as it is read (zhudun.MaxAttachmentSize)
		return max(s.maxBody, zhudun.MaxAttachmentSize+64<<10)
	case "POST /api/v1/cases/import":
		return caseImportLimit
	case "POST /api/v1/campus/hazards/{id}/photos":
		return max(s.maxBody, zhudun.MaxPhotoBytes+1) // one over: the store says "too large" in its words
	case "POST /api/v1/campus/schools/import", "POST /api/v1/zhudun/communities/import":
		return max(s.maxBody, 16<<20)
	case "POST /api/v1/zhudun/cameras/import":
		return max(s.maxBody, 64<<20) // a city's device list: 200,000 rows
	case "POST /api/v1/zhudun/roads/import":
		return max(s.maxBody, zhudun.MaxRoadsBytes) // a city's road layer
	}
	return s.maxBody
}

// --- middleware -----------------------------------------------------------

const cookieName = "zhudun_session"

type ctxKey int

const tokenKey ctxKey = 1

func tokenFrom(ctx context.Context) string { v, _ := ctx.Value(tokenKey).(string); return v }

func requestToken(r *http.Request) string {
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		return strings.TrimSpace(h[len("Bearer "):])
	}
	if c, err := r.Cookie(cookieName); err == nil {
		return c.Value
	}
	return ""
}

// restricted lists what a session that must first change its password, or
// enrol a second factor, may still do.
var (
	mustChangeAllowed = map[string]bool{"/api/v1/auth/password": true, "/api/v1/auth/logout": true}
	mustEnrollAllowed = map[string]bool{"/api/v1/auth/password": true, "/api/v1/auth/logout": true,
		"/api/v1/me": true, "/api/v1/me/totp": true, "/api/v1/me/totp/confirm": true}
)

func (s *Server) authed(path string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := requestToken(r)
		if tok == "" {
			if s.allowAnonymous(w, r) {
				s.Error(w, r, zhudun.Errorf(zhudun.EUNAUTHORIZED, "sign in first"))
			}
			return
		}
		sess, c, err := s.store.Authenticate(r.Context(), tok, clientAddr(r))
		if err != nil {
			// A token that does not authenticate is anonymous traffic.
			if zhudun.ErrorCode(err) != zhudun.EUNAUTHORIZED || s.allowAnonymous(w, r) {
				s.Error(w, r, err)
			}
			return
		}
		if sess.MustChangePassword && !mustChangeAllowed[path] {
			s.Error(w, r, zhudun.Errorf(zhudun.EMUSTCHANGE, "change your initial password first"))
			return
		}
		if sess.MustEnrollTOTP && !mustEnrollAllowed[path] {
			s.Error(w, r, zhudun.Errorf(zhudun.EMUSTENROLL, "your role requires a second factor: enrol an authenticator app first"))
			return
		}
		ctx := zhudun.WithCaller(r.Context(), c)
		ctx = context.WithValue(ctx, tokenKey, tok)
		ctx = context.WithValue(ctx, sessKey, sess)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// anonymous limits a public route (sign-in, the API description) per
// client address.
func (s *Server) anonymous(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.allowAnonymous(w, r) {
			next.ServeHTTP(w, r)
		}
	})
}

// allowAnonymous takes one request from the client address's allowance for
// traffic without a valid session; past it, it answers 429 with Retry-After
// and counts the refusal in the denial log (false).
func (s *Server) allowAnonymous(w http.ResponseWriter, r *http.Request) bool {
	ok, wait := s.anon.Allow(clientAddr(r))
	if ok {
		return true
	}
	err := &zhudun.Error{Code: zhudun.ETOOMANY, Message: "too many requests without a session from your address; slow down",
		RetryAfter: retryAfterSeconds(wait)}
	s.denyAnonymous(r, err.Message)
	s.render(w, r, err)
	return false
}

func retryAfterSeconds(d time.Duration) int {
	n := int((d + time.Second - 1) / time.Second)
	return max(n, 1)
}

const sessKey ctxKey = 2

func sessionFrom(ctx context.Context) *zhudun.Session {
	v, _ := ctx.Value(sessKey).(*zhudun.Session)
	return v
}

// clientAddr is the peer address. zhudun does not trust X-Forwarded-For:
// behind a reverse proxy, terminate TLS in zhudun or extend this with a
// configured list of trusted proxies.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) limitBody(limit int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			s.Error(w, r, &zhudun.Error{Code: zhudun.ETOOLARGE, Message: "request body too large (limit " + strconv.FormatInt(limit>>10, 10) + " KiB)"})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// cleanPath refuses paths that try to climb out of their directory or hide
// separators in escapes ("..", "%2f", "%5c"): no legitimate client sends them.
func (s *Server) cleanPath(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw := strings.ToLower(r.URL.EscapedPath())
		bad := strings.Contains(raw, "%2f") || strings.Contains(raw, "%5c") || strings.Contains(r.URL.Path, "\\") || strings.ContainsRune(r.URL.Path, 0)
		for _, seg := range strings.Split(r.URL.Path, "/") {
			bad = bad || seg == ".."
		}
		if bad {
			writeJSON(w, http.StatusBadRequest, errorBody{Error: errorDetail{Code: zhudun.EINVALID, Message: "invalid path"}})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// csp allows only the binary's own files; Element Plus sets inline style
// attributes, hence style-src 'unsafe-inline' (no inline scripts).
const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
	"font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

func (s *Server) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", s.csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if s.secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// crossOrigin refuses state-changing cross-origin browser requests (a form
// or script on another site riding the session cookie): 403, audited.
func (s *Server) crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	// Open311 posts carry their API key in the form, never a session
	// cookie: nothing for a cross-site form to ride, and web clients of
	// other origins must be able to post (docs/fire.md).
	cop.AddInsecureBypassPattern("POST /open311/v2/{file}")
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, zhudun.Errorf(zhudun.EFORBIDDEN, "cross-origin request refused"))
	}))
	return cop.Handler(next)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets the event stream through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) metrics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		_, pattern := s.mux.Handler(r)
		if pattern == "" || !strings.Contains(pattern, "/api/") {
			pattern = "other"
		}
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		s.reqs.WithLabelValues(pattern, strconv.Itoa(sw.status)).Inc()
		s.dur.WithLabelValues(pattern).Observe(time.Since(start).Seconds())
		// Paths and status only: query strings may carry personal data.
		s.log.Debug("http", "method", r.Method, "path", r.URL.Path, "status", sw.status, "ms", time.Since(start).Milliseconds())
	})
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "path", r.URL.Path, "panic", v)
				writeJSON(w, http.StatusInternalServerError, errorBody{Error: errorDetail{Code: zhudun.EINTERNAL, Message: "internal error"}})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// --- request helpers -------------------------------------------------------

// decode reads a JSON body into v; unknown fields and wrong types are
// EINVALID naming the field; a body over the limit is ETOOLARGE.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &mbe):
			return &zhudun.Error{Code: zhudun.ETOOLARGE, Message: "request body too large"}
		case errors.As(err, &te):
			return zhudun.FieldError(te.Field, "%s must be of type %s", te.Field, te.Type.String())
		case errors.As(err, &se):
			return zhudun.Errorf(zhudun.EINVALID, "malformed JSON at byte %d", se.Offset)
		case errors.Is(err, io.EOF):
			return zhudun.Errorf(zhudun.EINVALID, "request body is empty")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return zhudun.FieldError(f, "unknown field %s", f)
		}
		return zhudun.Errorf(zhudun.EINVALID, "malformed JSON body")
	}
	if dec.More() {
		return zhudun.Errorf(zhudun.EINVALID, "one JSON value expected")
	}
	return nil
}

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, zhudun.Errorf(zhudun.ENOTFOUND, "not found")
	}
	return id, nil
}

// idAndBody reads the {id} of the path and then the JSON body into b: the
// preamble of every action on one record.
func idAndBody[B any](r *http.Request, b *B) (int64, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, err
	}
	return id, decode(r, b)
}

func queryInt(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, zhudun.FieldError(name, "%s must be a non-negative integer", name)
	}
	return n, nil
}

func queryBool(r *http.Request, name string) (*bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, zhudun.FieldError(name, "%s must be true or false", name)
	}
	return &b, nil
}

type list[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

func newList[T any](items []T, total int) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items, Total: total}
}
