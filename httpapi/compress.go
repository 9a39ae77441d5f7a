package httpapi

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/klauspost/compress/gzhttp"
)

// API responses are compressed when the client accepts gzip (issue 18: a
// city-level commander's grid layer is 1.3 MB of JSON, 50-odd KB gzipped).
// Three kinds of route are left alone: the event stream (it must flush each
// event as it comes), the sign-in routes and the personal-data reveals. The
// last two carry secrets (a session token, a clear phone number) next to
// what the client sent, which is what a compression side channel (BREACH)
// needs; they are small anyway. The UI's files are precompressed at build
// time and served by staticHandler.

// compressJSON wraps the handler of route (method and pattern) unless the
// route is one of those.
func (s *Server) compressJSON(route string, h http.Handler) http.Handler {
	if !compressible(route) {
		return h
	}
	return s.gzip(h)
}

func compressible(route string) bool {
	_, path, _ := strings.Cut(route, " ")
	switch {
	case path == "/api/v1/events/stream",
		strings.HasPrefix(path, "/api/v1/auth/"),
		strings.HasSuffix(path, "/pii"):
		return false
	}
	return true
}

// newGzip builds the wrapper once: responses under 1 KiB are sent as they
// are (compression would not pay for its header).
func newGzip() func(http.Handler) http.HandlerFunc {
	w, err := gzhttp.NewWrapper(gzhttp.MinSize(1024), gzhttp.CompressionLevel(gzip.DefaultCompression),
		gzhttp.ContentTypes([]string{"application/json", "application/geo+json", "text/csv"}))
	if err != nil {
		panic(err) // constant options; cannot fail
	}
	return w
}

// writeLayer sends a map layer (grids, districts) as a versioned document:
// its ETag is a hash of the body, so a client revalidating a layer that did
// not change gets 304 and no body. The tag is weak: the same layer goes out
// gzipped or not. Private: the body depends on the caller's scope.
func writeLayer(w http.ResponseWriter, r *http.Request, contentType string, body []byte) error {
	sum := sha256.Sum256(body)
	etag := `W/"` + hex.EncodeToString(sum[:12]) + `"`
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "private, no-cache")
	h.Set("ETag", etag)
	for _, t := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		if strings.TrimSpace(t) == etag {
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
	}
	_, err := w.Write(body)
	return err
}
