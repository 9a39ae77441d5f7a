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
	caller *zhudun.Caller
	ch     chan zhudun.Event
	gone   chan struct{} // closed by the broker on overflow
	once   sync.Once
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

// dispatch hands one bus event to every client allowed to see it.
func (b *broker) dispatch(e zhudun.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
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
// The session is re-checked every minute without touching its idle timer, so
// an open stream neither outlives a logout nor keeps an idle session alive.
func (s *Server) eventStream(w http.ResponseWriter, r *http.Request) error {
	rc := http.NewResponseController(w)
	c := &sseClient{caller: zhudun.CallerFrom(r.Context()), ch: make(chan zhudun.Event, clientBuffer), gone: make(chan struct{})}
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
			if err := s.store.SessionValid(r.Context(), tok); err != nil {
				w.Write([]byte("event: session.ended\ndata: {}\n\n"))
				rc.Flush()
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
