package httpapi

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// TestAdmission: with two slots, a third request waits for one; past the
// wait it is refused with 503 and Retry-After; the stream is not counted,
// and writes holding their slots leave the reads' alone.
func TestAdmission(t *testing.T) {
	s := &Server{log: slog.New(slog.DiscardHandler), admission: newAdmission(2, 200*time.Millisecond),
		busy: prometheus.NewCounter(prometheus.CounterOpts{Name: "busy"})}
	release := make(chan struct{})
	var started sync.WaitGroup
	block := s.admit("GET /api/v1/incidents", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started.Done()
		<-release
	}))
	fast := s.admit("GET /api/v1/incidents", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	stream := s.admit("GET /api/v1/events/stream", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) }))
	var done sync.WaitGroup
	for range 2 {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			block.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/v1/incidents", nil))
		}()
	}
	started.Wait()
	rec := httptest.NewRecorder()
	fast.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/incidents", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "1" {
		t.Fatalf("third request with both slots held: %d Retry-After %q; want 503, 1", rec.Code, rec.Header().Get("Retry-After"))
	}
	var m dto.Metric
	if err := s.busy.Write(&m); err != nil || m.GetCounter().GetValue() != 1 {
		n := m.GetCounter().GetValue()
		t.Fatalf("busy counter %v, want 1", n)
	}
	rec = httptest.NewRecorder()
	stream.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/events/stream", nil))
	if rec.Code != 200 {
		t.Fatalf("stream with both slots held: %d", rec.Code)
	}
	write := s.admit("POST /api/v1/incidents", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(201) }))
	rec = httptest.NewRecorder()
	write.ServeHTTP(rec, httptest.NewRequest("POST", "/api/v1/incidents", nil))
	if rec.Code != 201 {
		t.Fatalf("a write while the reads' slots are held: %d, want 201", rec.Code)
	}
	// A slot freed while a request waits: it is served.
	got := make(chan int)
	go func() {
		rec := httptest.NewRecorder()
		fast.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/incidents", nil))
		got <- rec.Code
	}()
	time.Sleep(50 * time.Millisecond)
	release <- struct{}{}
	if c := <-got; c != 204 {
		t.Fatalf("waiting request after a slot was freed: %d, want 204", c)
	}
	close(release)
	done.Wait()
}
