package httpapi

import (
	"context"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// staticHandler serves the embedded UI. Hashed assets are cached for a year;
// index.html never is, so a new release is picked up at the next load.
// Unknown paths fall back to index.html for the client-side router. Paths are
// resolved inside an fs.FS, which cannot name anything outside it.
func (s *Server) staticHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if s.static == nil {
			http.NotFound(w, r)
			return
		}
		p := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if p == "" || !fs.ValidPath(p) {
			p = "index.html"
		}
		f, err := s.static.Open(p)
		if err == nil {
			if st, serr := f.Stat(); serr != nil || st.IsDir() {
				f.Close()
				err = fs.ErrNotExist
			}
		}
		if err != nil {
			// A missing file that looks like an asset is a real 404; anything
			// else is a client route.
			if strings.HasPrefix(p, "assets/") || path.Ext(p) != "" && p != "index.html" {
				http.NotFound(w, r)
				return
			}
			p = "index.html"
			if f, err = s.static.Open(p); err != nil {
				http.NotFound(w, r)
				return
			}
		}
		defer f.Close()
		// A .br or .gz made at build time is sent instead when the browser
		// takes it: the same bytes every time, no compression per request.
		h := w.Header()
		h.Add("Vary", "Accept-Encoding")
		if enc, cf := s.precompressed(r, p); cf != nil {
			f.Close()
			f = cf
			h.Set("Content-Encoding", enc)
			if ct := mime.TypeByExtension(path.Ext(p)); ct != "" {
				h.Set("Content-Type", ct)
			}
		}
		if p == "index.html" {
			w.Header().Set("Cache-Control", "no-cache")
		} else if strings.HasPrefix(p, "assets/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=3600")
		}
		rs, ok := f.(io.ReadSeeker)
		if !ok {
			b, err := io.ReadAll(f)
			if err != nil {
				http.Error(w, "read error", http.StatusInternalServerError)
				return
			}
			rs = strings.NewReader(string(b))
		}
		http.ServeContent(w, r, p, time.Time{}, rs)
	})
}

// precompressed opens p's brotli or gzip file when the request accepts that
// encoding (brotli first: smaller); nil when there is none.
func (s *Server) precompressed(r *http.Request, p string) (string, fs.File) {
	accept := r.Header.Get("Accept-Encoding")
	for _, c := range []struct{ enc, ext string }{{"br", ".br"}, {"gzip", ".gz"}} {
		if !acceptsEncoding(accept, c.enc) {
			continue
		}
		f, err := s.static.Open(p + c.ext)
		if err == nil {
			return c.enc, f
		}
	}
	return "", nil
}

// acceptsEncoding reports whether an Accept-Encoding value takes enc (a
// q=0 refuses it).
func acceptsEncoding(accept, enc string) bool {
	for _, part := range strings.Split(accept, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), enc) {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.version})
}

// readyz reports whether the database and the bus answer.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	out := map[string]string{"database": "ok", "bus": "ok"}
	status := http.StatusOK
	if err := s.store.Ping(ctx); err != nil {
		out["database"], status = "unavailable", http.StatusServiceUnavailable
	}
	if s.bus == nil {
		out["bus"] = "not configured"
	} else if err := s.bus.Ping(ctx); err != nil {
		out["bus"], status = "unavailable", http.StatusServiceUnavailable
	}
	writeJSON(w, status, out)
}
