package geocode

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/geo"
)

func TestRemote(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "pgis-nested.json"))
	if err != nil {
		t.Fatal(err)
	}
	var gotQ, gotLimit string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotQ, gotLimit = r.URL.Query().Get("keyword"), r.URL.Query().Get("size")
		if gotQ == "slow" {
			time.Sleep(300 * time.Millisecond)
		}
		if gotQ == "down" {
			http.Error(w, "no", http.StatusBadGateway)
			return
		}
		w.Write(body)
	}))
	defer srv.Close()
	g, err := New(srv.URL+"/search?keyword={q}&size={limit}", true)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := g.Geocode(context.Background(), " 泉城路188号 ", 5)
	if err != nil {
		t.Fatal(err)
	}
	if gotQ != "泉城路188号" || gotLimit != "5" {
		t.Errorf("asked keyword %q size %q", gotQ, gotLimit)
	}
	if len(ms) != 2 || ms[0].Address != "历下区泉城路188号" || ms[0].District != "370102" || ms[1].Address != "泉城路189号" {
		t.Fatalf("matches %+v", ms)
	}
	// GCJ-02 answers come back as WGS-84: some hundred metres away.
	if d := geo.Haversine(ms[0].Lon, ms[0].Lat, 117.0235, 36.6655); d < 300 || d > 800 {
		t.Errorf("GCJ-02 point moved %.0f m", d)
	}
	if _, err := g.Geocode(context.Background(), "down", 5); zhudun.ErrorCode(err) != zhudun.EUNAVAILABLE {
		t.Errorf("a failing service: %v", err)
	}
	g.Client.Timeout = 100 * time.Millisecond
	if _, err := g.Geocode(context.Background(), "slow", 5); zhudun.ErrorCode(err) != zhudun.EUNAVAILABLE {
		t.Errorf("a slow service: %v", err)
	}
	if _, err := g.Geocode(context.Background(), "x", 5); zhudun.ErrorCode(err) != zhudun.EINVALID {
		t.Errorf("a one-character query: %v", err)
	}
	for _, bad := range []string{"ftp://x/{q}", "http://host/search", "not a url {q}"} {
		if _, err := New(bad, false); err == nil {
			t.Errorf("template %q accepted", bad)
		}
	}
}

func TestParseShapes(t *testing.T) {
	for _, c := range []struct {
		body string
		n    int
	}{
		{`[{"address":"a路1号","lon":117,"lat":36}]`, 1},
		{`{"items":[{"address":"a路1号","lon":117,"lat":36},{"address":"b","lon":500,"lat":36}]}`, 1},
		{`{"results":[]}`, 0},
	} {
		ms, err := Parse([]byte(c.body), false)
		if err != nil || len(ms) != c.n {
			t.Errorf("%s: %d %v, want %d", c.body, len(ms), err, c.n)
		}
	}
	for _, bad := range []string{`<html>`, `{"code":0}`, `"x"`} {
		if _, err := Parse([]byte(bad), false); zhudun.ErrorCode(err) != zhudun.EUNAVAILABLE {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// FuzzParse: any answer is refused with EUNAVAILABLE or gives matches with
// text and a point on the globe.
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "pgis-nested.json")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`[{"address":"a","lon":"117.1","lat":"36"}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ms, err := Parse(b, true)
		if err != nil {
			if zhudun.ErrorCode(err) != zhudun.EUNAVAILABLE {
				t.Fatal(err)
			}
			return
		}
		for _, m := range ms {
			if m.Address == "" || m.Lon < -181 || m.Lon > 181 || m.Lat < -91 || m.Lat > 91 {
				t.Fatalf("bad match %+v", m)
			}
		}
	})
}
