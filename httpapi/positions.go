package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/zhudun/zhudun"
)

// Live positions. A city's units send about 2,000 fixes a second; one SSE
// event per fix would fill a stream's queue (clientBuffer) in a tenth of a
// second and cost the browser a message, a parse and a redraw per fix. So
// unit.position events are not queued one by one: each stream keeps the
// newest fix per unit it may see (a map bounded by the units in its scope,
// so a slow browser costs memory for its units, never more) and writes them
// as one unit.positions event at most every positionsEvery. Each fix is
// encoded once for every stream. Scope is decided per fix, as for every
// other event (Event.Visible on the caller).

// positionsEvery is the longest a fix waits in a stream: a quarter of a
// second keeps a moving unit smooth and the browser's work per frame small.
const positionsEvery = 250 * time.Millisecond

// EventPositions is the batched live-position event a stream writes.
const EventPositions = "unit.positions"

// liveFix is what the map needs of a unit.position event: where the unit is
// and the state it is drawn in (the state's version lets the browser ignore
// a batch older than a unit.status it already has).
type liveFix struct {
	ID          int64      `json:"id"`
	Callsign    string     `json:"callsign"`
	Kind        string     `json:"kind,omitempty"`
	Station     string     `json:"station,omitempty"`
	StationName string     `json:"station_name,omitempty"`
	Status      string     `json:"status"`
	StatusLabel string     `json:"status_label,omitempty"`
	IncidentID  *int64     `json:"incident_id"`
	Lon         *float64   `json:"lon"`
	Lat         *float64   `json:"lat"`
	PositionAt  *time.Time `json:"position_at"`
	Version     int64      `json:"version"`
}

// encodedFix is one fix as written in a batch, with what merging needs.
type encodedFix struct {
	at  time.Time
	raw []byte
}

// encodeFix decodes a unit.position event's unit once for all streams.
func encodeFix(e zhudun.Event) (int64, encodedFix, bool) {
	var f liveFix
	if json.Unmarshal(e.Data, &f) != nil || f.ID == 0 || f.Lon == nil || f.Lat == nil || f.PositionAt == nil {
		return 0, encodedFix{}, false
	}
	raw, err := json.Marshal(f)
	if err != nil {
		return 0, encodedFix{}, false
	}
	return f.ID, encodedFix{at: *f.PositionAt, raw: raw}, true
}

// fixQueue is a stream's pending fixes: the newest per unit.
type fixQueue struct {
	mu    sync.Mutex
	fixes map[int64]encodedFix
	ready chan struct{} // 1-buffered: something is pending
}

func newFixQueue() *fixQueue {
	return &fixQueue{fixes: map[int64]encodedFix{}, ready: make(chan struct{}, 1)}
}

// put keeps f unless a newer fix of the unit is already pending (fixes of
// one unit may arrive out of order from two fronts: HTTP and a terminal).
func (q *fixQueue) put(id int64, f encodedFix) {
	q.mu.Lock()
	if old, ok := q.fixes[id]; !ok || !f.at.Before(old.at) {
		q.fixes[id] = f
	}
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// take appends the pending fixes as one SSE event to buf and empties the
// queue; it returns buf unchanged when nothing is pending.
func (q *fixQueue) take(buf []byte) []byte {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.fixes) == 0 {
		return buf
	}
	buf = append(buf, "event: "+EventPositions+"\ndata: {\"type\":\""+EventPositions+"\",\"at\":\""...)
	buf = time.Now().UTC().AppendFormat(buf, time.RFC3339Nano)
	buf = append(buf, "\",\"n\":"...)
	buf = strconv.AppendInt(buf, int64(len(q.fixes)), 10)
	buf = append(buf, ",\"data\":["...)
	first := true
	for id, f := range q.fixes {
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf = append(buf, f.raw...)
		delete(q.fixes, id)
	}
	return append(buf, "]}\n\n"...)
}

// dispatchPosition hands a unit.position event to the queues of the streams
// allowed to see it (b.mu held).
func (b *broker) dispatchPosition(e zhudun.Event) {
	var (
		id      int64
		f       encodedFix
		decoded bool
	)
	for c := range b.clients {
		if !e.Visible(c.caller) {
			continue
		}
		if !decoded {
			var ok bool
			if id, f, ok = encodeFix(e); !ok {
				b.log.Warn("unit.position event without a position; not streamed", "event", e.ID)
				return
			}
			decoded = true
		}
		c.fixes.put(id, f)
	}
}

// unitTrack answers GET /units/{id}/track?minutes=30: the unit's fixes of
// the last minutes (1–1440, default 30), oldest first, for the live map's
// track of the selected unit.
func (s *Server) unitTrack(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	minutes := 30
	if v := r.URL.Query().Get("minutes"); v != "" {
		if minutes, err = strconv.Atoi(v); err != nil || minutes < 1 || minutes > 1440 {
			return zhudun.FieldError("minutes", "minutes must be 1–1440")
		}
	}
	ps, err := s.store.UnitTrack(r.Context(), id, time.Now().Add(-time.Duration(minutes)*time.Minute))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"unit_id": id, "minutes": minutes, "items": ps})
	return nil
}
