package httpapi_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/httpapi"
)

// fakeLag answers Lag with lag (or err) and records what it was asked.
type fakeLag struct {
	lag   *zhudun.StreamLag
	err   error
	asked []string
}

func (f *fakeLag) PartitionsLag(_ context.Context, seqs map[int]uint64) (*zhudun.StreamLag, error) {
	keys := slices.Sorted(maps.Keys(seqs))
	a := "partitions"
	for _, p := range keys {
		a += " " + strconv.Itoa(p) + "@" + strconv.FormatUint(seqs[p], 10)
	}
	f.asked = append(f.asked, a)
	return f.lag, f.err
}

func (f *fakeLag) LinkLag(_ context.Context, checkpoint uint64) (*zhudun.StreamLag, error) {
	f.asked = append(f.asked, "link@"+strconv.FormatUint(checkpoint, 10))
	return f.lag, f.err
}

func (f *fakeLag) Lag(_ context.Context, consumer string, checkpoint uint64) (*zhudun.StreamLag, error) {
	f.asked = append(f.asked, consumer+"@"+strconv.FormatUint(checkpoint, 10))
	return f.lag, f.err
}

// TestIngestStatusEngines: GET /api/v1/ingest/status gives each
// checkpoint (without its state) with the stream's lag behind its
// sequence, and the workers; with the bus not answering, the rest is still
// served with "stream": null and the error; only the whole organisation's
// system administrator reads it.
func TestIngestStatusEngines(t *testing.T) {
	h := newHarness(t)
	lag := &fakeLag{lag: &zhudun.StreamLag{Stream: "FOURCUTS_EV", Messages: 9, LastSeq: 9, Lag: 2,
		Partitions: []*zhudun.PartitionLag{{Partition: 0, Subject: "fourcuts.ev.0", Messages: 9, LastSeq: 9, Lag: 2}}}}
	api := httpapi.New(httpapi.Config{Store: h.store, Version: "test", IngestLag: lag})
	if err := api.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.srv.Close()
	h.srv = httptest.NewServer(api.Handler())
	t.Cleanup(h.srv.Close)

	type status struct {
		Engines []struct {
			Name       string
			Checkpoint *struct {
				Seq  uint64
				Size int64
			}
			Stream *struct {
				LastSeq    uint64 `json:"last_seq"`
				Lag        uint64
				Partitions []struct{ Lag uint64 }
			}
		}
		Workers []struct {
			ID    string
			Alive bool
		}
		StreamError string `json:"stream_error"`
	}
	get := func() status {
		t.Helper()
		res := h.do("rootadm", "GET", "/api/v1/ingest/status", nil)
		if res.status != 200 {
			t.Fatalf("status: %d %s", res.status, res.body)
		}
		var s status
		if err := json.Unmarshal(res.body, &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	// Before any checkpoint: the default engine against sequence 0.
	s := get()
	if len(s.Engines) != 1 || s.Engines[0].Name != "live" || s.Engines[0].Checkpoint != nil || s.Engines[0].Stream == nil || len(lag.asked) != 1 || lag.asked[0] != "live@0" {
		t.Fatalf("before a checkpoint: %+v, asked %v", s, lag.asked)
	}

	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
	if err := h.store.ApplyFindingChange(sys, &zhudun.FindingChange{Checkpoint: &zhudun.EngineCheckpoint{Name: "live", Seq: 7, State: []byte("0123456789")}}); err != nil {
		t.Fatal(err)
	}
	if err := h.store.EngineHeartbeat(context.Background(), &zhudun.EngineWorker{ID: "h/1/1", Name: "live", Host: "h", PID: 1}); err != nil {
		t.Fatal(err)
	}
	s = get()
	e := s.Engines[0]
	if len(s.Engines) != 1 || e.Checkpoint == nil || e.Checkpoint.Seq != 7 || e.Checkpoint.Size != 10 || e.Stream == nil || e.Stream.LastSeq != 9 || e.Stream.Lag != 2 ||
		len(e.Stream.Partitions) != 1 || e.Stream.Partitions[0].Lag != 2 || lag.asked[1] != "live@7" {
		t.Fatalf("with a checkpoint: %+v, asked %v", s, lag.asked)
	}
	if len(s.Workers) != 1 || s.Workers[0].ID != "h/1/1" || !s.Workers[0].Alive || s.StreamError != "" {
		t.Fatalf("workers %+v, error %q", s.Workers, s.StreamError)
	}

	lag.lag, lag.err = nil, &zhudun.Error{Code: zhudun.EUNAVAILABLE, Message: "bus unavailable"}
	s = get()
	if s.Engines[0].Stream != nil || s.Engines[0].Checkpoint == nil || s.StreamError != "bus unavailable" || len(s.Workers) != 1 {
		t.Fatalf("bus down: %+v", s)
	}
	// The scale-out's checkpoints: the partitions' lag asked once, each
	// partition behind its own checkpoint; the global stage's (on the link
	// stream, behind its own checkpoint) and the partitions' own rows
	// without a stream.
	lag.lag, lag.err, lag.asked = &zhudun.StreamLag{Stream: "FOURCUTS_EV", LastSeq: 9}, nil, nil
	for _, cp := range []zhudun.EngineCheckpoint{{Name: "part-0", Seq: 4, State: []byte("p")}, {Name: "part-3", Seq: 8, State: []byte("p")}, {Name: "global", Seq: 30, State: []byte("g")}} {
		if err := h.store.ApplyFindingChange(sys, &zhudun.FindingChange{Checkpoint: &cp}); err != nil {
			t.Fatal(err)
		}
	}
	s = get()
	streams := map[string]bool{}
	for _, e := range s.Engines {
		streams[e.Name] = e.Stream != nil
	}
	if want := map[string]bool{"global": true, "live": true, "part-0": false, "part-3": false, "partitions": true}; !maps.Equal(streams, want) ||
		!slices.Equal(lag.asked, []string{"partitions 0@4 3@8", "link@30", "live@7"}) {
		t.Fatalf("scale-out: engines %v, asked %v", streams, lag.asked)
	}
	for _, u := range []string{"ana1", "sb1adm", "sec"} {
		if res := h.do(u, "GET", "/api/v1/ingest/status", nil); res.status != 403 {
			t.Errorf("%s reads the ingest status: %d", u, res.status)
		}
	}
}
