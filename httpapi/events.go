package httpapi

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/zhudun/zhudun"
)

// clientBuffer bounds each stream's queue. A client that falls this far
// behind is disconnected (it reconnects and reloads) rather than slowing the
// fan-out or growing memory.
const clientBuffer = 256

type sseClient struct {
	caller  *zhudun.Caller // guarded by the broker's mu
	ch      chan []byte    // events as written on the wire (wireMessage)
	gone    chan struct{}  // closed by the broker on overflow
	once    sync.Once
	recheck chan struct{} // the caller's rights may have changed; 1-buffered
	fixes   *fixQueue     // unit.position events, coalesced (positions.go)
}

type broker struct {
	mu      sync.Mutex
	clients map[*sseClient]struct{}
	log     *slog.Logger
}

func newBroker(log *slog.Logger) *broker {
	return &broker{clients: map[*sseClient]struct{}{}, log: log}
}

func (b *broker) add(c *sseClient) {
	b.mu.Lock()
	b.clients[c] = struct{}{}
	b.mu.Unlock()
}

func (b *broker) remove(c *sseClient) {
	b.mu.Lock()
	delete(b.clients, c)
	b.mu.Unlock()
}

// setCaller replaces a client's caller after a re-check: from the next
// event on, the stream is filtered by the caller's rights as they are now.
func (b *broker) setCaller(c *sseClient, caller *zhudun.Caller) {
	b.mu.Lock()
	c.caller = caller
	b.mu.Unlock()
}

// rightsChanged returns which callers an event may have changed the rights
// of: the user it is about (moved, roles replaced, disabled), the holders of
// a role whose permissions or scope changed, and — since moving a
// department changes the path of everyone below it — everyone on a
// department change. nil: nobody.
func rightsChanged(e zhudun.Event) func(*zhudun.Caller) bool {
	switch e.Type {
	case "user.updated":
		return func(c *zhudun.Caller) bool { return c.UserID == e.OwnerID }
	case "role.updated":
		var r struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(e.Data, &r) != nil || r.ID == "" {
			return func(*zhudun.Caller) bool { return true }
		}
		return func(c *zhudun.Caller) bool { return c.HasRole(r.ID) }
	case "dept.updated":
		return func(*zhudun.Caller) bool { return true }
	case zhudun.EventSessionEnded:
		return func(c *zhudun.Caller) bool { return c.UserID == e.OwnerID }
	}
	return nil
}

// dispatch hands one bus event to every client allowed to see it, and asks
// the streams whose caller it may concern to re-check their caller.
func (b *broker) dispatch(e zhudun.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if affected := rightsChanged(e); affected != nil {
		for c := range b.clients {
			if affected(c.caller) {
				select {
				case c.recheck <- struct{}{}:
				default: // a re-check is already pending
				}
			}
		}
	}
	if e.Type == zhudun.EventSessionEnded {
		return // a signal to the streams, not news for browsers
	}
	if e.Type == "unit.position" {
		b.dispatchPosition(e) // coalesced per unit, never an overflow
		return
	}
	var msg []byte // encoded once for every client that may see it
	for c := range b.clients {
		if !e.Visible(c.caller) {
			continue
		}
		if msg == nil {
			msg = wireMessage(e)
		}
		select {
		case c.ch <- msg:
		default:
			c.once.Do(func() { close(c.gone) })
			delete(b.clients, c)
			b.log.Warn("event stream client too slow; disconnected", "user", c.caller.Username)
		}
	}
}

// wireEvent is what a browser receives: routing metadata stays on the server.
type wireEvent struct {
	Type string          `json:"type"`
	ID   int64           `json:"id"`
	At   time.Time       `json:"at"`
	Data json.RawMessage `json:"data"`
}

// wireMessage is one Server-Sent Event of e.
func wireMessage(e zhudun.Event) []byte {
	b, _ := json.Marshal(wireEvent{Type: e.Type, ID: e.ID, At: e.At, Data: e.Data})
	msg := make([]byte, 0, len(b)+len(e.Type)+40)
	msg = append(msg, "id: "...)
	msg = strconv.AppendInt(msg, e.ID, 10)
	msg = append(append(append(msg, "\nevent: "...), e.Type...), "\ndata: "...)
	return append(append(msg, b...), "\n\n"...)
}

// streamBatch bounds the bytes of queued events written with one flush.
const streamBatch = 64 << 10

// eventStream pushes domain events the caller may see as Server-Sent Events.
// The session and the caller's rights are re-checked, without touching the
// idle timer, as soon as an event says the caller's department, roles or
// roles' permissions changed (the stream is then filtered by the new rights,
// or ends), and every minute in any case: an open stream neither outlives a
// logout or a move nor keeps an idle session alive.
func (s *Server) eventStream(w http.ResponseWriter, r *http.Request) error {
	rc := http.NewResponseController(w)
	c := &sseClient{caller: zhudun.CallerFrom(r.Context()), ch: make(chan []byte, clientBuffer), gone: make(chan struct{}),
		recheck: make(chan struct{}, 1), fixes: newFixQueue()}
	s.broker.add(c)
	defer s.broker.remove(c)
	s.sse.Inc()
	defer s.sse.Dec()
	// Streams are long-lived; the server's write timeout must not cut them.
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write([]byte("retry: 3000\n: connected\n\n")); err != nil {
		return nil
	}
	if err := rc.Flush(); err != nil {
		return nil
	}
	ping := time.NewTicker(20 * time.Second)
	defer ping.Stop()
	check := time.NewTicker(time.Minute)
	defer check.Stop()
	// The session's idle timeout or maximum age: no event announces it, so
	// the stream re-checks when it falls due (and, if the session was used
	// meanwhile, waits for the new end).
	ends := time.NewTimer(time.Minute)
	defer ends.Stop()
	if sess := sessionFrom(r.Context()); sess != nil && !sess.EndsAt.IsZero() {
		ends.Reset(untilEnd(sess.EndsAt))
	}
	tok := tokenFrom(r.Context())
	var buf []byte
	// Positions go out when some are pending and positionsEvery has passed
	// since the last batch: at once after a quiet spell, then at most four
	// batches a second however many fixes arrive.
	posTimer := time.NewTimer(time.Hour)
	posTimer.Stop()
	posWait := false
	var posLast time.Time
	flushFixes := func() bool {
		posWait, posLast = false, time.Now()
		buf = c.fixes.take(buf[:0])
		if len(buf) == 0 {
			return true
		}
		if _, err := w.Write(buf); err != nil {
			return false
		}
		rc.Flush()
		return true
	}
	defer posTimer.Stop()
	for {
		select {
		case <-c.fixes.ready:
			if posWait {
				continue
			}
			if d := positionsEvery - time.Since(posLast); d > 0 {
				posWait = true
				posTimer.Reset(d)
				continue
			}
			if !flushFixes() {
				return nil
			}
		case <-posTimer.C:
			if !flushFixes() {
				return nil
			}
		case <-r.Context().Done():
			return nil
		case <-c.gone:
			w.Write([]byte("event: overflow\ndata: {}\n\n"))
			rc.Flush()
			return nil
		case <-check.C:
			if !s.recheckStream(w, rc, r, c, tok, ends) {
				return nil
			}
		case <-c.recheck:
			if !s.recheckStream(w, rc, r, c, tok, ends) {
				return nil
			}
		case <-ends.C:
			if !s.recheckStream(w, rc, r, c, tok, ends) {
				return nil
			}
		case <-ping.C:
			if _, err := w.Write([]byte(": ping\n\n")); err != nil {
				return nil
			}
			rc.Flush()
		case msg := <-c.ch:
			// Events already queued go out with this one in one write and
			// one flush: under load (500 incidents a second to 50 streams)
			// a write and a flush per event were a tenth of the server's
			// CPU, and waiting for more would only add delay.
			buf = append(buf[:0], msg...)
		more:
			for len(buf) < streamBatch {
				select {
				case msg := <-c.ch:
					buf = append(buf, msg...)
				default:
					break more
				}
			}
			if _, err := w.Write(buf); err != nil {
				return nil
			}
			rc.Flush()
		}
	}
}

// recheckStream reloads the stream's caller from the store. It ends the
// stream (false) when the session no longer holds; when the caller's rights
// changed it refilters and tells the browser (caller.changed), which reloads
// what it shows.
func (s *Server) recheckStream(w http.ResponseWriter, rc *http.ResponseController, r *http.Request, c *sseClient, tok string, ends *time.Timer) bool {
	old := zhudun.CallerFrom(r.Context())
	sess, caller, err := s.store.StreamCaller(r.Context(), tok, old.ClientAddr)
	if err != nil {
		w.Write([]byte("event: session.ended\ndata: {\"type\":\"session.ended\"}\n\n"))
		rc.Flush()
		return false
	}
	if !sess.EndsAt.IsZero() {
		ends.Stop()
		select { // drain a fire that raced the Stop
		case <-ends.C:
		default:
		}
		ends.Reset(untilEnd(sess.EndsAt))
	}
	s.broker.mu.Lock()
	same := sameRights(c.caller, caller)
	s.broker.mu.Unlock()
	if same {
		return true
	}
	s.broker.setCaller(c, caller)
	w.Write([]byte("event: caller.changed\ndata: {\"type\":\"caller.changed\"}\n\n"))
	rc.Flush()
	return true
}

// sameRights reports whether two callers see the same events.
func sameRights(a, b *zhudun.Caller) bool {
	if a.DeptID != b.DeptID || a.DeptPath != b.DeptPath || len(a.Perms) != len(b.Perms) || len(a.Roles) != len(b.Roles) {
		return false
	}
	for p, sc := range a.Perms {
		if b.Perms[p] != sc {
			return false
		}
	}
	for i := range a.Roles {
		if a.Roles[i] != b.Roles[i] {
			return false
		}
	}
	return true
}

// untilEnd is how long to wait before re-checking a session that ends at
// end: a little past it, so that the store agrees it has ended (and not
// more often than once a second should the clocks disagree).
func untilEnd(end time.Time) time.Duration {
	return max(time.Until(end)+100*time.Millisecond, time.Second)
}
