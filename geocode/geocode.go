// Package geocode asks a bureau's standard address service (标准地址服务,
// usually beside its PGIS) for the addresses matching what a call-taker
// typed. The service is configured by a URL template (zhudun serve
// --geocoder): {q} is replaced by the escaped query and {limit} by the most
// answers wanted, e.g. http://pgis.example/address/search?keyword={q}&size={limit}.
//
// Services differ in their JSON; this reads the common shapes: a list, or
// an object holding it under items, data, results, list or records (one
// level of nesting, e.g. {"data":{"list":[…]}}), each entry naming its text
// address, name or addr and its point lon/lat, lng/lat or x/y (numbers or
// numeric strings). GCJ-02 answers (--geocoder-crs gcj02) are converted to
// WGS-84.
package geocode

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/geo"
)

// Remote is a zhudun.Geocoder over HTTP.
type Remote struct {
	Template string // URL with {q} (and optionally {limit})
	GCJ02    bool   // the service answers in GCJ-02
	Client   *http.Client
}

var _ zhudun.Geocoder = (*Remote)(nil)

// New checks the template and returns a Remote with a 3-second timeout: a
// call-taker waits for no slow service.
func New(template string, gcj bool) (*Remote, error) {
	u, err := url.Parse(strings.ReplaceAll(strings.ReplaceAll(template, "{q}", "x"), "{limit}", "1"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !strings.Contains(template, "{q}") {
		return nil, fmt.Errorf("geocoder: %q must be an http(s) URL containing {q}", template)
	}
	return &Remote{Template: template, GCJ02: gcj, Client: &http.Client{Timeout: 3 * time.Second}}, nil
}

// maxAnswer bounds what is read of an answer.
const maxAnswer = 1 << 20

// Geocode implements zhudun.Geocoder.
func (g *Remote) Geocode(ctx context.Context, q string, limit int) ([]zhudun.AddressMatch, error) {
	q = strings.TrimSpace(q)
	if n := len([]rune(q)); n < 2 || n > 64 {
		return nil, zhudun.FieldError("q", "type 2 to 64 characters of the address")
	}
	if limit <= 0 || limit > 20 {
		limit = 10
	}
	u := strings.ReplaceAll(strings.ReplaceAll(g.Template, "{q}", url.QueryEscape(q)), "{limit}", strconv.Itoa(limit))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, zhudun.Errorf(zhudun.EINTERNAL, "geocoder request: %v", err)
	}
	req.Header.Set("Accept", "application/json")
	res, err := g.Client.Do(req)
	if err != nil {
		return nil, &zhudun.Error{Code: zhudun.EUNAVAILABLE, Message: "the address service did not answer"}
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, &zhudun.Error{Code: zhudun.EUNAVAILABLE, Message: fmt.Sprintf("the address service answered %d", res.StatusCode)}
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxAnswer))
	if err != nil {
		return nil, &zhudun.Error{Code: zhudun.EUNAVAILABLE, Message: "the address service's answer was cut off"}
	}
	out, err := Parse(body, g.GCJ02)
	if err != nil {
		return nil, err
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Parse reads an answer of the shapes the package comment lists. Entries
// without a text or a valid point are skipped; an answer that is not JSON
// or holds no list is EUNAVAILABLE (the service is misconfigured).
func Parse(body []byte, gcj bool) ([]zhudun.AddressMatch, error) {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, &zhudun.Error{Code: zhudun.EUNAVAILABLE, Message: "the address service's answer is not JSON"}
	}
	list, ok := findList(v, 2)
	if !ok {
		return nil, &zhudun.Error{Code: zhudun.EUNAVAILABLE, Message: "the address service's answer holds no list of addresses"}
	}
	out := []zhudun.AddressMatch{}
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		text := firstString(m, "address", "name", "addr", "fullAddress", "full_address")
		lon, okx := firstNumber(m, "lon", "lng", "x", "longitude")
		lat, oky := firstNumber(m, "lat", "y", "latitude")
		if text == "" || !okx || !oky || lon < -180 || lon > 180 || lat < -90 || lat > 90 {
			continue
		}
		if gcj {
			lon, lat = geo.GCJ02ToWGS84(lon, lat)
		}
		out = append(out, zhudun.AddressMatch{Address: text, District: firstString(m, "adcode", "district_code", "district"), Lon: lon, Lat: lat})
	}
	return out, nil
}

func findList(v any, depth int) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case map[string]any:
		if depth == 0 {
			return nil, false
		}
		for _, k := range []string{"items", "data", "results", "list", "records", "result"} {
			if l, ok := findList(x[k], depth-1); ok {
				return l, true
			}
		}
	}
	return nil, false
}

func firstString(m map[string]any, keys ...string) string {
	for _, k := range keys {
		switch s := m[k].(type) {
		case string:
			if s = strings.TrimSpace(s); s != "" {
				return s
			}
		case float64:
			return strconv.FormatFloat(s, 'f', -1, 64)
		}
	}
	return ""
}

func firstNumber(m map[string]any, keys ...string) (float64, bool) {
	for _, k := range keys {
		switch n := m[k].(type) {
		case float64:
			return n, true
		case string:
			if f, err := strconv.ParseFloat(strings.TrimSpace(n), 64); err == nil {
				return f, true
			}
		}
	}
	return 0, false
}
