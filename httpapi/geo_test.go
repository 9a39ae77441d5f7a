package httpapi_test

import (
	"context"
	"encoding/json"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
)

// TestDistrictsAreData: the map's districts come from the store (what the
// bureau imported), are revalidated by ETag, and need a session.
func TestDistrictsAreData(t *testing.T) {
	h := newHarness(t)
	res := h.do("off1", "GET", "/api/v1/geo/districts", nil)
	if res.status != 200 || !strings.Contains(string(res.body), `"features":[]`) {
		t.Fatalf("before any import: %d %s", res.status, res.body)
	}
	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
	if err := h.store.ReplaceDistricts(sys, []zhudun.District{{Code: "370102", Name: "历下区",
		Boundary: [][][][2]float64{{{{117.0000012, 36.6}, {117.1, 36.6}, {117.1, 36.7}, {117.0000012, 36.7}, {117.0000012, 36.6}}}}}}); err != nil {
		t.Fatal(err)
	}
	res = h.do("off1", "GET", "/api/v1/geo/districts", nil)
	var fc struct {
		Features []struct {
			Properties struct{ Code, Name string }
			Geometry   struct{ Coordinates [][][][2]float64 }
		}
	}
	if err := json.Unmarshal(res.body, &fc); err != nil || res.status != 200 || len(fc.Features) != 1 || fc.Features[0].Properties.Name != "历下区" ||
		fc.Features[0].Geometry.Coordinates[0][0][0] != [2]float64{117, 36.6} {
		t.Fatalf("after the import: %d %s", res.status, res.body)
	}
	etag := res.header.Get("ETag")
	req, _ := http.NewRequest("GET", h.srv.URL+"/api/v1/geo/districts", nil)
	req.Header.Set("Authorization", "Bearer "+h.tokens["off1"])
	req.Header.Set("If-None-Match", etag)
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if etag == "" || r2.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation with %q: %d, want 304", etag, r2.StatusCode)
	}
	if res := h.do("", "GET", "/api/v1/geo/districts", nil); res.status != 401 {
		t.Errorf("without a session: %d", res.status)
	}
}

// TestHTTPLayerImportsNoDemo: the production API must not carry the demo
// city (issue 18: the map layer once was the demo's Jinan).
func TestHTTPLayerImportsNoDemo(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			if strings.HasSuffix(strings.Trim(imp.Path.Value, `"`), "/demo") {
				t.Errorf("%s imports %s", f, imp.Path.Value)
			}
		}
	}
}
