package httpapi

import "testing"

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
