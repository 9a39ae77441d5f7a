package httpapi

import (
	"net/http"
	"runtime"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
)

// admission bounds the API requests served at once. Past the machine's
// capacity more requests in parallel only add contention: under 500
// creations a second on 2 cores, thousands of requests each took a
// database connection, the pool kept a hundred, and SQLite spent a quarter
// of the CPU opening connections (schema and statistics parsed again for
// each). A request waits for a slot, in the order the runtime wakes it,
// up to wait; then it is refused with 503 and Retry-After, never left
// hanging. Event streams are not counted: they last hours and use no
// connection between events. Reads and writes have slots of their own: a
// burst of creations queued for the single writer must not hold every
// slot while a dispatcher's board waits behind it (it did: the board's
// p50 went from 0.3 s to 5 s).
type admission struct {
	reads, writes chan struct{}
	wait          time.Duration
}

func newAdmission(n int, wait time.Duration) *admission {
	if n <= 0 {
		n = max(16*runtime.GOMAXPROCS(0), 32)
	}
	if wait <= 0 {
		wait = 10 * time.Second
	}
	return &admission{reads: make(chan struct{}, n), writes: make(chan struct{}, n), wait: wait}
}

func (s *Server) admit(route string, h http.Handler) http.Handler {
	if route == "GET /api/v1/events/stream" {
		return h
	}
	a := s.admission
	slots := a.writes
	if strings.HasPrefix(route, "GET ") || strings.HasPrefix(route, "HEAD ") {
		slots = a.reads
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
		default:
			t := time.NewTimer(a.wait)
			select {
			case slots <- struct{}{}:
				t.Stop()
			case <-r.Context().Done():
				t.Stop()
				return // the client left; nothing to answer
			case <-t.C:
				s.busy.Inc()
				w.Header().Set("Retry-After", "1")
				s.Error(w, r, zhudun.Errorf(zhudun.EUNAVAILABLE, "the server is busy; try again"))
				return
			}
		}
		defer func() { <-slots }()
		h.ServeHTTP(w, r)
	})
}
