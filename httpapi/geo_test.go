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

// TestGeocodeLocalTable: the address box searches the standard-address
// table for those who take incidents; nobody else.
func TestGeocodeLocalTable(t *testing.T) {
	h := newHarness(t)
	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
	if err := h.store.ReplaceAddresses(sys, []zhudun.AddressMatch{
		{Address: "历下区泉城路188号", District: "370102", Lon: 117.02, Lat: 36.66, Generated: true},
		{Address: "历下区泉城路18号", District: "370102", Lon: 117.021, Lat: 36.661, Generated: true},
		{Address: "市中区经十路1号", District: "370103", Lon: 117.0, Lat: 36.65, Generated: true},
	}); err != nil {
		t.Fatal(err)
	}
	res := h.do("off1", "GET", "/api/v1/geocode?q=%E6%B3%89%E5%9F%8E%E8%B7%AF188", nil) // 泉城路188
	var b struct {
		Items  []zhudun.AddressMatch
		Source string
	}
	if err := json.Unmarshal(res.body, &b); err != nil || res.status != 200 || b.Source != "local" || len(b.Items) != 1 ||
		b.Items[0].Address != "历下区泉城路188号" || !b.Items[0].Generated || b.Items[0].Lon != 117.02 {
		t.Fatalf("geocode: %d %s", res.status, res.body)
	}
	res = h.do("off1", "GET", "/api/v1/geocode?q=%E6%B3%89%E5%9F%8E%E8%B7%AF", nil) // 泉城路: the shorter first
	if json.Unmarshal(res.body, &b) != nil || len(b.Items) != 2 || b.Items[0].Address != "历下区泉城路18号" {
		t.Fatalf("two matches: %s", res.body)
	}
	if res := h.do("off1", "GET", "/api/v1/geocode?q=x", nil); res.status != 400 {
		t.Errorf("a one-character query: %d", res.status)
	}
	if res := h.do("sb1adm", "GET", "/api/v1/geocode?q=%E6%B3%89%E5%9F%8E", nil); res.status != 403 {
		t.Errorf("a sysadmin (no incident:write): %d", res.status)
	}
	if res := h.do("off1", "GET", "/api/v1/config/map", nil); res.status != 200 || !strings.Contains(string(res.body), `"tiles":""`) || !strings.Contains(string(res.body), `"geocoder":"local"`) {
		t.Errorf("map settings: %d %s", res.status, res.body)
	}
}
