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
	ch      chan zhudun.Event
	gone    chan struct{} // closed by the broker on overflow
	once    sync.Once
	recheck chan struct{} // the caller's rights may have changed; 1-buffered
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
	for c := range b.clients {
		if !e.Visible(c.caller) {
			continue
		}
		select {
		case c.ch <- e:
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

// eventStream pushes domain events the caller may see as Server-Sent Events.
// The session and the caller's rights are re-checked, without touching the
// idle timer, as soon as an event says the caller's department, roles or
// roles' permissions changed (the stream is then filtered by the new rights,
// or ends), and every minute in any case: an open stream neither outlives a
// logout or a move nor keeps an idle session alive.
func (s *Server) eventStream(w http.ResponseWriter, r *http.Request) error {
	rc := http.NewResponseController(w)
	c := &sseClient{caller: zhudun.CallerFrom(r.Context()), ch: make(chan zhudun.Event, clientBuffer), gone: make(chan struct{}),
		recheck: make(chan struct{}, 1)}
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
	tok := tokenFrom(r.Context())
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-c.gone:
			w.Write([]byte("event: overflow\ndata: {}\n\n"))
			rc.Flush()
			return nil
		case <-check.C:
			if !s.recheckStream(w, rc, r, c, tok) {
				return nil
			}
		case <-c.recheck:
			if !s.recheckStream(w, rc, r, c, tok) {
				return nil
			}
		case <-ping.C:
			if _, err := w.Write([]byte(": ping\n\n")); err != nil {
				return nil
			}
			rc.Flush()
		case e := <-c.ch:
			b, _ := json.Marshal(wireEvent{Type: e.Type, ID: e.ID, At: e.At, Data: e.Data})
			msg := "id: " + strconv.FormatInt(e.ID, 10) + "\nevent: " + e.Type + "\ndata: " + string(b) + "\n\n"
			if _, err := w.Write([]byte(msg)); err != nil {
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
func (s *Server) recheckStream(w http.ResponseWriter, rc *http.ResponseController, r *http.Request, c *sseClient, tok string) bool {
	old := zhudun.CallerFrom(r.Context())
	caller, err := s.store.StreamCaller(r.Context(), tok, old.ClientAddr)
	if err != nil {
		w.Write([]byte("event: session.ended\ndata: {\"type\":\"session.ended\"}\n\n"))
		rc.Flush()
		return false
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
