package httpapi

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
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

// intake bounds the public requests whose bodies are being read: an
// Open311 post or a sign-in is read whole under an intake slot, before it
// takes an admission slot, so that a client sending slowly holds an intake
// slot and not a write slot. Before, forty anonymous connections from one
// address trickling a body to /open311/v2/requests.json or
// /api/v1/auth/login held every write slot for the server's read timeout
// (60 s), and every write of the platform — sign-in, dispatch — was 503
// (review 2026-12-03b, finding 5). The slots also bound the memory of
// bodies held at once (perAddr per address, n in all, each at most the
// route's limit).
type intake struct {
	slots   chan struct{}
	perAddr int
	mu      sync.Mutex
	busy    map[string]int
}

// Intake limits. Open311: enough for a few clients posting at once, each
// from its own server. Sign-in: a station's officers behind one address
// signing in together at a shift change; a sign-in's body is read in
// loginBodyTimeout or the request ends.
const (
	intakeSlots      = 8
	intakePerAddr    = 2
	loginSlots       = 64
	loginPerAddr     = 8
	loginBodyTimeout = 10 * time.Second
)

func newIntake(n, perAddr int) *intake {
	return &intake{slots: make(chan struct{}, n), perAddr: perAddr, busy: map[string]int{}}
}

// acquire takes a slot for addr without waiting; false when the address
// has perAddr bodies in flight or every slot is taken.
func (in *intake) acquire(addr string) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.busy[addr] >= in.perAddr {
		return false
	}
	select {
	case in.slots <- struct{}{}:
	default:
		return false
	}
	in.busy[addr]++
	return true
}

func (in *intake) release(addr string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	<-in.slots
	if in.busy[addr]--; in.busy[addr] <= 0 {
		delete(in.busy, addr)
	}
}

// readBody reads a public request's body whole under a slot of in (within
// timeout, when not 0), then serves next with the body in memory; with
// hold the slot is kept until next is done (the bodies of in are large:
// the slots bound their memory), else it is given back once the body is
// read (a sign-in's password check does not count against its address).
// No slot free: 503 with Retry-After at once, and the connection closed
// rather than the rest of the body read.
func (s *Server) readBody(in *intake, timeout time.Duration, hold bool, next http.Handler, fail func(http.ResponseWriter, *http.Request, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := clientAddr(r)
		if !in.acquire(addr) {
			s.busy.Inc()
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Connection", "close")
			fail(w, r, zhudun.Errorf(zhudun.EUNAVAILABLE, "too many requests being sent at once from your address; try again"))
			return
		}
		held := true
		defer func() {
			if held {
				in.release(addr)
			}
		}()
		rc := http.NewResponseController(w)
		if timeout > 0 {
			_ = rc.SetReadDeadline(time.Now().Add(timeout))
		}
		body, err := io.ReadAll(r.Body)
		if timeout > 0 {
			_ = rc.SetReadDeadline(time.Time{})
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				fail(w, r, &zhudun.Error{Code: zhudun.ETOOLARGE, Message: "request body too large"})
			} else {
				fail(w, r, zhudun.Errorf(zhudun.EINVALID, "the request body could not be read"))
			}
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if !hold {
			in.release(addr)
			held = false
		}
		next.ServeHTTP(w, r)
	})
}
