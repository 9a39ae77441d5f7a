package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/zhudun/zhudun"
)

// raw sends a request as user without the client's transparent gzip, so
// that the test sees what goes over the wire.
func (h *harness) raw(user, method, path string, hdr map[string]string) (*http.Response, []byte) {
	h.t.Helper()
	req, _ := http.NewRequest(method, h.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+h.tokens[user])
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// TestGridLayerOnTheWire: a city-level commander's grid layer — 2,500 grids,
// the demo city's size — arrives gzipped under 300 KB when the client
// accepts it, as it is otherwise, and not at all when it did not change.
func TestGridLayerOnTheWire(t *testing.T) {
	h := newHarness(t)
	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
	var gs []*zhudun.Grid
	const n, d = 50, 0.02
	for c := 0; c < n; c++ {
		for r := 0; r < n; r++ {
			w, s := 116.5+float64(c)*d, 36.2+float64(r)*d
			st := "ST1"
			if c >= n/2 {
				st = "ST2"
			}
			gs = append(gs, &zhudun.Grid{Code: fmt.Sprintf("WG370102-%03d%03d", c, r), Name: fmt.Sprintf("测试派出所第%d网格", c*n+r+1), StationCode: st,
				PatrolPoint: [2]float64{w + d/2, s + d/2}, Boundary: [][][][2]float64{{{{w, s}, {w + d, s}, {w + d, s + d}, {w, s + d}, {w, s}}}}})
		}
	}
	rep, err := h.store.ImportGrids(sys, gs, nil)
	if err != nil || !rep.Accepted {
		t.Fatalf("import: %v %+v", err, rep)
	}
	u, err := h.store.CreateUser(sys, zhudun.NewUser{Username: "cmd", DeptCode: "ROOT", Password: pw, Own: true, Roles: []string{"commander"}})
	if err != nil {
		t.Fatal(err)
	}
	h.users["cmd"], h.tokens["cmd"] = u, h.login("cmd", pw)

	plain, body := h.raw("cmd", "GET", "/api/v1/grids", nil)
	if plain.StatusCode != 200 || plain.Header.Get("Content-Encoding") != "" {
		t.Fatalf("without Accept-Encoding: %d %q", plain.StatusCode, plain.Header.Get("Content-Encoding"))
	}
	var fc struct {
		Total    int
		Features []json.RawMessage
	}
	if err := json.Unmarshal(body, &fc); err != nil || fc.Total != n*n || len(fc.Features) != n*n {
		t.Fatalf("layer: %v, %d of %d features", err, len(fc.Features), fc.Total)
	}
	zipped, wire := h.raw("cmd", "GET", "/api/v1/grids", map[string]string{"Accept-Encoding": "gzip, deflate, br"})
	if zipped.Header.Get("Content-Encoding") != "gzip" || len(wire) >= 300_000 {
		t.Fatalf("gzip: encoding %q, %d bytes on the wire (plain %d); want gzip under 300 KB", zipped.Header.Get("Content-Encoding"), len(wire), len(body))
	}
	zr, err := gzip.NewReader(bytes.NewReader(wire))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(unzipped, body) {
		t.Fatalf("the gzipped layer is not the plain one: %v", err)
	}
	t.Logf("grid layer: %d grids, %d bytes, %d gzipped", n*n, len(body), len(wire))
	etag := zipped.Header.Get("ETag")
	again, b := h.raw("cmd", "GET", "/api/v1/grids", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": etag})
	if etag == "" || again.StatusCode != http.StatusNotModified || len(b) != 0 {
		t.Fatalf("revalidation with %q: %d, %d bytes", etag, again.StatusCode, len(b))
	}
	// Another scope is another layer: the station officer's tag differs.
	if o, _ := h.raw("off1", "GET", "/api/v1/grids", map[string]string{"If-None-Match": etag}); o.StatusCode == http.StatusNotModified {
		t.Fatal("a narrower scope was told its layer is the commander's")
	}
}
