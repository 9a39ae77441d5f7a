package httpapi

import (
	"strings"
	"testing"
)

// TestCompressible: the stream and the routes that answer with secrets
// (tokens, clear personal data) are never compressed; lists are.
func TestCompressible(t *testing.T) {
	for route, want := range map[string]bool{
		"GET /api/v1/grids":               true,
		"GET /api/v1/incidents":           true,
		"GET /api/v1/users/export":        true,
		"GET /api/v1/events/stream":       false,
		"POST /api/v1/auth/login":         false,
		"POST /api/v1/auth/password":      false,
		"POST /api/v1/users/{id}/pii":     false,
		"POST /api/v1/incidents/{id}/pii": false,
	} {
		if got := compressible(route); got != want {
			t.Errorf("compressible(%q) = %v, want %v", route, got, want)
		}
	}
}

func TestCSPWithTiles(t *testing.T) {
	for tiles, want := range map[string]string{
		"":                       "img-src 'self' data: blob:;",
		"/tiles/{z}/{x}/{y}.png": "img-src 'self' data: blob:;",
		"https://pgis.example:8443/wmts?TileMatrix={TileMatrix}&TileCol={TileCol}&TileRow={TileRow}": "img-src 'self' data: blob: https://pgis.example:8443;",
		"https://{s}.tiles.example/{z}/{x}/{y}.png":                                                  "img-src 'self' data: blob:;",
	} {
		if got := cspWithTiles(tiles); !strings.Contains(got, want) {
			t.Errorf("%q: %s; want %s", tiles, got, want)
		}
	}
}
