package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/zhudun/zhudun/httpapi"
	"github.com/zhudun/zhudun/web"
)

// TestPrecompressedAssets: the real build carries a .br and a .gz of every
// sizeable script and style, and the server sends them to a browser that
// takes them — brotli first — with the original's type; the plain file
// otherwise.
func TestPrecompressedAssets(t *testing.T) {
	ui := web.FS()
	srv := httptest.NewServer(httpapi.New(httpapi.Config{Static: ui}).Handler())
	defer srv.Close()
	scripts, _ := fs.Glob(ui, "assets/*.js")
	var big string
	var bigN int
	for _, p := range scripts {
		b, _ := fs.ReadFile(ui, p)
		if len(b) < 4096 {
			continue
		}
		for _, ext := range []string{".br", ".gz"} {
			if _, err := fs.Stat(ui, p+ext); err != nil {
				t.Errorf("%s has no %s in the build", p, ext)
			}
		}
		if len(b) > bigN {
			big, bigN = p, len(b)
		}
	}
	if big == "" {
		t.Fatal("no script in the build")
	}
	plain, _ := fs.ReadFile(ui, big)
	get := func(accept string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", srv.URL+"/"+big, nil)
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		res, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, b
	}
	res, b := get("gzip, deflate, br, zstd")
	if res.Header.Get("Content-Encoding") != "br" || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") || len(b) >= len(plain)/2 {
		t.Errorf("brotli: %q %q, %d of %d bytes", res.Header.Get("Content-Encoding"), res.Header.Get("Content-Type"), len(b), len(plain))
	}
	t.Logf("%s: %d bytes, %d brotli", big, len(plain), len(b))
	res, b = get("gzip")
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil || res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip: %q %v", res.Header.Get("Content-Encoding"), err)
	}
	if u, _ := io.ReadAll(zr); !bytes.Equal(u, plain) {
		t.Error("the .gz is not the file")
	}
	for _, accept := range []string{"", "identity", "br;q=0, gzip;q=0"} {
		res, b = get(accept)
		if res.Header.Get("Content-Encoding") != "" || !bytes.Equal(b, plain) {
			t.Errorf("Accept-Encoding %q: %q, %d bytes", accept, res.Header.Get("Content-Encoding"), len(b))
		}
	}
	if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
		t.Error("no Vary: Accept-Encoding")
	}
}
