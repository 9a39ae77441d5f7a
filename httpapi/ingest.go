package httpapi

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/ingest"
)

// Ingester is the service behind POST /api/v1/events (ingest.Service).
type Ingester interface {
	Authenticate(ctx context.Context, key string) (*zhudun.Source, error)
	Accept(ctx context.Context, src *zhudun.Source, chunkID string, body io.Reader, csv bool) (*ingest.Result, error)
}

// maxIngestBody is POST /api/v1/events' own body limit; the rest of the
// API keeps MaxBody.
const maxIngestBody = 64 << 20

// registerIngest mounts the routes of sources and their events.
func (s *Server) registerIngest() {
	s.handle("GET", "/api/v1/sources", false, s.listSources)
	s.handle("POST", "/api/v1/sources", false, s.createSource)
	s.handle("POST", "/api/v1/sources/{name}/disable", false, s.disableSource)
	s.handle("POST", "/api/v1/sources/{name}/rotate", false, s.rotateSource)
	s.handle("GET", "/api/v1/ingest/status", false, s.ingestStatus)

	// Sources authenticate with their API key, not a session: a valid key
	// is authenticated traffic and never meets the anonymous throttle; a
	// missing or wrong one is anonymous traffic and does.
	s.routes = append(s.routes, Route{Method: "POST", Path: "/api/v1/events", Public: true})
	s.mux.Handle("POST /api/v1/events", s.limitBody(maxIngestBody, s.admit("POST /api/v1/events", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.postEvents(w, r); err != nil {
			s.Error(w, r, err)
		}
	}))))
}

func (s *Server) postEvents(w http.ResponseWriter, r *http.Request) error {
	if s.ingest == nil {
		return zhudun.Errorf(zhudun.ENOTIMPLEMENTED, "this server takes no events")
	}
	var key string
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		key = strings.TrimSpace(h[len("Bearer "):])
	}
	src, err := s.ingest.Authenticate(r.Context(), key)
	if err != nil {
		if zhudun.ErrorCode(err) == zhudun.EUNAUTHORIZED && !s.allowAnonymous(w, r) {
			return nil
		}
		return err
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var csv bool
	switch mt {
	case "application/x-ndjson", "application/jsonl", "application/json-lines":
	case "text/csv":
		csv = true
	default:
		return zhudun.FieldError("Content-Type", "send application/x-ndjson, application/jsonl or text/csv")
	}
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity", "gzip", "x-gzip":
		// gzip is recognised by its magic bytes, as in feed files.
	default:
		return zhudun.FieldError("Content-Encoding", "only gzip is understood")
	}
	res, err := s.ingest.Accept(r.Context(), src, r.Header.Get("Idempotency-Key"), limitedBody{r.Body}, csv)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) listSources(w http.ResponseWriter, r *http.Request) error {
	list, err := s.store.FindSources(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list, "total": len(list)})
	return nil
}

type sourceBody struct {
	Name    string   `json:"name"`
	Kind    string   `json:"kind"`
	Binding string   `json:"binding"`
	Dept    string   `json:"dept"`
	Types   []string `json:"types"`
}

// sourceWithKey is a source and the key shown once.
type sourceWithKey struct {
	*zhudun.Source
	Key string `json:"key"`
}

func (s *Server) createSource(w http.ResponseWriter, r *http.Request) error {
	var b sourceBody
	if err := decode(r, &b); err != nil {
		return err
	}
	src, key, err := s.store.CreateSource(r.Context(), zhudun.NewSource{Name: b.Name, Kind: b.Kind, Binding: b.Binding, DeptCode: b.Dept, Types: b.Types})
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, sourceWithKey{src, key})
	return nil
}

func (s *Server) disableSource(w http.ResponseWriter, r *http.Request) error {
	src, err := s.store.DisableSource(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, src)
	return nil
}

func (s *Server) rotateSource(w http.ResponseWriter, r *http.Request) error {
	src, key, err := s.store.RotateSourceKey(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, sourceWithKey{src, key})
	return nil
}

// IngestLag is the ingest stream's lag behind a checkpoint
// (natsbus.IngestStream).
type IngestLag interface {
	Lag(ctx context.Context, consumer string, checkpoint uint64) (*zhudun.StreamLag, error)
	// PartitionsLag is each partition's lag behind its own checkpoint
	// (the scale-out's partition workers, docs/live.md).
	PartitionsLag(ctx context.Context, seqs map[int]uint64) (*zhudun.StreamLag, error)
	// LinkLag is the global stage's lag on the link stream behind its
	// checkpoint; nil without a link stream.
	LinkLag(ctx context.Context, checkpoint uint64) (*zhudun.StreamLag, error)
}

// engineStatus is one engine in GET /api/v1/ingest/status: its
// checkpoint (nil before the first) and the stream's lag behind it.
type engineStatus struct {
	Name       string                 `json:"name"`
	Checkpoint *zhudun.CheckpointInfo `json:"checkpoint"`
	Stream     *zhudun.StreamLag      `json:"stream"`
}

// ingestStatus: events and rejects (by reason) per source per hour, over
// the last ?hours= (default 24, at most 720); each engine's checkpoint and
// the stream's lag behind it, per partition; the engine workers seen in
// the last day, alive or not. The lag needs the bus: when it does not
// answer the rest is still served, with "stream": null and the error.
func (s *Server) ingestStatus(w http.ResponseWriter, r *http.Request) error {
	hours, err := queryInt(r, "hours", 24)
	if err != nil {
		return err
	}
	hours = min(max(hours, 1), 720)
	since := time.Now().UTC().Truncate(time.Hour).Add(-time.Duration(hours-1) * time.Hour)
	list, err := s.store.IngestHours(r.Context(), since)
	if err != nil {
		return err
	}
	cps, err := s.store.EngineCheckpoints(r.Context())
	if err != nil {
		return err
	}
	workers, err := s.store.EngineWorkers(r.Context())
	if err != nil {
		return err
	}
	// The scale-out's checkpoints (docs/live.md): part-<p>, each a
	// partition's, shown with no stream of their own, and one entry
	// "partitions" for the stream's lag, each partition behind its own
	// checkpoint; global with the link stream's lag behind it.
	engines := []*engineStatus{}
	parts := map[int]uint64{}
	for _, cp := range cps {
		engines = append(engines, &engineStatus{Name: cp.Name, Checkpoint: cp})
		if p, ok := partitionOf(cp.Name); ok {
			parts[p] = cp.Seq
		}
	}
	if len(engines) == 0 {
		engines = append(engines, &engineStatus{Name: "live"}) // the default engine, before its first checkpoint
	}
	var lagErr string
	if s.lag != nil {
		if len(parts) > 0 {
			e := &engineStatus{Name: "partitions"}
			engines = append(engines, e)
			if e.Stream, err = s.lag.PartitionsLag(r.Context(), parts); err != nil {
				s.log.Warn("ingest status: no lag", "err", err)
				lagErr = zhudun.ErrorMessage(err)
			}
		}
		for _, e := range engines {
			if _, part := partitionOf(e.Name); part || e.Name == "partitions" || lagErr != "" {
				continue
			}
			var seq uint64
			if e.Checkpoint != nil {
				seq = e.Checkpoint.Seq
			}
			if e.Name == "global" {
				e.Stream, err = s.lag.LinkLag(r.Context(), seq)
			} else {
				e.Stream, err = s.lag.Lag(r.Context(), e.Name, seq)
			}
			if err != nil {
				s.log.Warn("ingest status: no lag", "err", err)
				lagErr = zhudun.ErrorMessage(err)
				break
			}
		}
	}
	out := map[string]any{"since": since, "hours": list, "engines": engines, "workers": workers}
	if lagErr != "" {
		out["stream_error"] = lagErr
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// partitionOf is the partition of a partition worker's checkpoint name
// ("part-<p>", live.PartitionCheckpoint).
func partitionOf(name string) (int, bool) {
	n, ok := strings.CutPrefix(name, "part-")
	if !ok {
		return 0, false
	}
	p, err := strconv.Atoi(n)
	return p, err == nil && p >= 0
}

// limitedBody turns the body limit's error into the API's.
type limitedBody struct{ r io.Reader }

func (b limitedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return n, &zhudun.Error{Code: zhudun.ETOOLARGE, Message: "request body over 64 MiB: send smaller chunks"}
	}
	return n, err
}
