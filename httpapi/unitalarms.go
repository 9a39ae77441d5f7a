package httpapi

import (
	"bufio"
	"errors"
	"io"
	"net/http"

	"github.com/zhudun/zhudun"
)

// Terminals' alarms on the command screens (docs/livemap.md, "Alarms").

// listUnitAlarms answers GET /api/v1/unit-alarms?state=open: the announced
// alarms nobody has acknowledged, within the caller's unit:read scope.
func (s *Server) listUnitAlarms(w http.ResponseWriter, r *http.Request) error {
	if st := r.URL.Query().Get("state"); st != "" && st != "open" {
		return zhudun.FieldError("state", "state must be open")
	}
	lim, err := queryInt(r, "limit", 200)
	if err != nil {
		return err
	}
	as, err := s.store.OpenUnitAlarms(r.Context(), lim)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(as, len(as)))
	return nil
}

// ackUnitAlarm answers POST /api/v1/unit-alarms/{id}/ack with an optional
// body {"note": "…"} (an empty body is no note).
func (s *Server) ackUnitAlarm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var b struct {
		Note string `json:"note"`
	}
	body := bufio.NewReader(r.Body)
	if _, err := body.Peek(1); err == nil {
		r.Body = io.NopCloser(body)
		if err := decode(r, &b); err != nil {
			return err
		}
	} else if !errors.Is(err, io.EOF) {
		return decode(r, &b) // the same error in the API's words (too large, …)
	}
	a, err := s.store.AckUnitAlarm(r.Context(), id, b.Note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}
