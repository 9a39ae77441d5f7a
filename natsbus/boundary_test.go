package natsbus_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/httpapi"
	"github.com/zhudun/zhudun/natsbus"
	"github.com/zhudun/zhudun/relay"
	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
)

// TestForgedEventsNeverReachBrowsersOrUnits is the assessor's check on the
// whole server: an incident.created published raw on the bus never reaches a
// signed-in dispatcher's event stream, and forged unit.position and
// unit.created events neither move a unit in the dispatch index nor add
// one. On the embedded bus (forged through its own connection: it has no
// port) and on the machine's NATS (forged by a separate client, as an
// attacker on the network would).
func TestForgedEventsNeverReachBrowsersOrUnits(t *testing.T) {
	t.Run("embedded", func(t *testing.T) {
		keys := gmcrypto.Generate()
		b, err := natsbus.Open(t.Context(), natsbus.Config{DataDir: t.TempDir(), Keys: keys, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		forge := func(subject string, data []byte) {
			t.Helper()
			if err := natsbus.PublishRaw(t.Context(), b, subject, data); err != nil {
				t.Fatal(err)
			}
		}
		testBoundary(t, keys, b, natsbus.Prefix(b), forge)
	})
	t.Run("external", func(t *testing.T) {
		url := os.Getenv("ZHUDUN_TEST_NATS")
		if url == "" {
			url = "nats://127.0.0.1:4222"
		}
		id := rand.Text()
		stream, prefix := "ZHUDUN_TEST_"+id, "zhudun.test."+id
		keys := gmcrypto.Generate()
		b, err := natsbus.Open(t.Context(), natsbus.Config{URL: url, Keys: keys, StreamName: stream, SubjectPrefix: prefix,
			MaxAge: time.Hour, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		nc, err := nats.Connect(url)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		js, _ := jetstream.New(nc)
		defer js.DeleteStream(context.Background(), stream)
		forge := func(subject string, data []byte) {
			t.Helper()
			if _, err := js.Publish(t.Context(), subject, data); err != nil {
				t.Fatal(err)
			}
		}
		testBoundary(t, keys, b, prefix, forge)
	})
}

func testBoundary(t *testing.T, keys *gmcrypto.Keyring, bus *natsbus.Bus, prefix string, forge func(subject string, data []byte)) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "zhudun.db"), sqlstore.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	api := httpapi.New(httpapi.Config{Store: store, Bus: bus, Version: "test", Logger: slog.New(slog.DiscardHandler)})
	if err := api.Start(ctx); err != nil {
		t.Fatal(err)
	}
	go relay.Run(ctx, store, bus, 50*time.Millisecond, slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)

	sys := zhudun.WithCaller(ctx, zhudun.SystemCaller("test"))
	sb1 := zhudun.Dept{Code: "SB1", Name: "一分局", Kind: "subbureau"}
	st1 := zhudun.Dept{Code: "ST1", Name: "一所", ParentCode: "SB1"}
	for _, d := range []*zhudun.Dept{&sb1, &st1} {
		if err := store.CreateDept(sys, d); err != nil {
			t.Fatal(err)
		}
	}
	const pw = "S3cure!pass"
	tokens := map[string]string{}
	call := func(user, method, path string, body any) (int, []byte) {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, srv.URL+path, rd)
		if user != "" {
			req.Header.Set("Authorization", "Bearer "+tokens[user])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b
	}
	for _, u := range []struct{ name, role string }{{"cmd1", "commander"}, {"disp1", "dispatcher"}} {
		if _, err := store.CreateUser(sys, zhudun.NewUser{Username: u.name, DeptCode: "SB1", Password: pw, Own: true, Roles: []string{u.role}}); err != nil {
			t.Fatal(err)
		}
		code, b := call("", "POST", "/api/v1/auth/login", map[string]string{"username": u.name, "password": pw})
		var tok struct{ Token string }
		json.Unmarshal(b, &tok)
		if code != 200 || tok.Token == "" {
			t.Fatalf("login %s: %d %s", u.name, code, b)
		}
		tokens[u.name] = tok.Token
	}
	// Grid A1, [117.00, 117.01] × [36.60, 36.61], and unit U1 patrolling in it.
	ring := [][2]float64{{117.00, 36.60}, {117.01, 36.60}, {117.01, 36.61}, {117.00, 36.61}, {117.00, 36.60}}
	grids := map[string]any{"type": "FeatureCollection", "features": []any{map[string]any{"type": "Feature",
		"properties": map[string]any{"code": "A1", "name": "A1", "station": "ST1", "patrol_point": [2]float64{117.005, 36.605}},
		"geometry":   map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}}}}}
	if code, b := call("cmd1", "POST", "/api/v1/grids", grids); code != 200 {
		t.Fatalf("grids: %d %s", code, b)
	}
	code, b := call("cmd1", "POST", "/api/v1/units", map[string]any{"callsign": "U1", "kind": "car", "station": "ST1"})
	var u1 zhudun.Unit
	json.Unmarshal(b, &u1)
	if code != 201 {
		t.Fatalf("unit: %d %s", code, b)
	}
	if code, b := call("disp1", "POST", fmt.Sprintf("/api/v1/units/%d/status", u1.ID), map[string]any{"status": "patrolling"}); code != 200 {
		t.Fatalf("status: %d %s", code, b)
	}
	if code, b := call("disp1", "POST", fmt.Sprintf("/api/v1/units/%d/positions", u1.ID),
		[]map[string]any{{"lon": 117.005, "lat": 36.605, "ts": time.Now().UTC()}}); code != 200 {
		t.Fatalf("position: %d %s", code, b)
	}

	// The dispatcher's browser stream.
	sctx, scancel := context.WithCancel(ctx)
	defer scancel()
	req, _ := http.NewRequestWithContext(sctx, "GET", srv.URL+"/api/v1/events/stream", nil)
	req.Header.Set("Authorization", "Bearer "+tokens["disp1"])
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("stream: %v %v", err, res)
	}
	defer res.Body.Close()
	lines := make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	waitLine := func(what string, match func(string) bool) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("stream ended before %s", what)
				}
				if strings.Contains(l, "FORGED") {
					t.Fatalf("a forged event reached the browser: %s", l)
				}
				if match(l) {
					return
				}
			case <-deadline:
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	waitLine("the stream to connect", func(l string) bool { return l == ": connected" })

	// The forgeries: what the bus carried before tags, with routing that
	// reaches the dispatcher.
	now := time.Now().UTC()
	far1, far2 := 118.5, 37.5
	near1, near2 := 117.005, 36.605
	big := int64(1) << 40
	forged := []struct {
		typ  string
		data any
	}{
		{"incident.created", map[string]any{"id": 990001, "category": "fire", "address": "FORGED 伪造地址", "lon": 117.004, "lat": 36.604}},
		{"unit.position", zhudun.Unit{ID: u1.ID, Callsign: "U1", StationID: st1.ID, Status: "patrolling", Lon: &far1, Lat: &far2, PositionAt: &now, Version: big}},
		{"unit.created", zhudun.Unit{ID: 990002, Callsign: "FORGED", StationID: st1.ID, Status: "patrolling", Lon: &near1, Lat: &near2, PositionAt: &now, Version: big}},
	}
	for i, f := range forged {
		data, _ := json.Marshal(f.data)
		ev, _ := json.Marshal(zhudun.Event{ID: 990000 + int64(i), Type: f.typ, At: now, Data: data,
			Perm: zhudun.PermIncidentRead, DeptPath: sb1.Path, DeptID: sb1.ID})
		if f.typ != "incident.created" {
			ev, _ = json.Marshal(zhudun.Event{ID: 990000 + int64(i), Type: f.typ, At: now, Data: data,
				Perm: zhudun.PermUnitRead, DeptPath: st1.Path, DeptID: st1.ID})
		}
		forge(prefix+"."+f.typ, ev)
	}

	// A real incident next to U1: U1, where it really is, is the only
	// candidate — not at the forged position 150 km away, and no forged unit.
	code, b = call("disp1", "POST", "/api/v1/incidents", map[string]any{"category": "dispute", "lon": 117.004, "lat": 36.604, "address": "泉城路1号"})
	var ans struct {
		Incident       zhudun.Incident
		Recommendation struct {
			Unit *struct {
				UnitID    int64   `json:"unit_id"`
				DistanceM float64 `json:"distance_m"`
			}
			Alternatives []struct{ Callsign string }
		}
	}
	json.Unmarshal(b, &ans)
	if code != 201 {
		t.Fatalf("incident: %d %s", code, b)
	}
	// The real incident reaching the stream proves the forgeries before it
	// were delivered to the server and dropped (waitLine fails on any).
	waitLine("the real incident", func(l string) bool {
		return strings.HasPrefix(l, "data: ") && strings.Contains(l, `"type":"incident.created"`) && strings.Contains(l, fmt.Sprintf(`"id":%d,`, ans.Incident.ID))
	})
	if n := bus.Rejected(); n != 3 {
		t.Errorf("bus rejected %d events, want the 3 forged", n)
	}
	// The dispatch index applied the bus's unit events before the incident's;
	// ask it again now that they have all been handled.
	code, b = call("disp1", "GET", fmt.Sprintf("/api/v1/incidents/%d/recommendation", ans.Incident.ID), nil)
	json.Unmarshal(b, &ans.Recommendation)
	if code != 200 || ans.Recommendation.Unit == nil || ans.Recommendation.Unit.UnitID != u1.ID ||
		ans.Recommendation.Unit.DistanceM > 200 || len(ans.Recommendation.Alternatives) != 1 {
		t.Fatalf("recommendation after forged unit events: %d %s", code, b)
	}
	var got zhudun.Unit
	_, b = call("disp1", "GET", fmt.Sprintf("/api/v1/units/%d", u1.ID), nil)
	json.Unmarshal(b, &got)
	if got.GridCode != "A1" {
		t.Errorf("U1 is in grid %q in the dispatch index, want A1: %s", got.GridCode, b)
	}
}
