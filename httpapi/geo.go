package httpapi

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strings"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/geo"
)

// The map's base layer: the city's district and county boundaries, drawn as
// vectors under the grids (and under the bureau's tiles when --map-tiles is
// set). They are data the bureau imports (zhudun import districts; the demo
// imports Jinan's); public geography, the same for everyone, so any
// signed-in user may read them.

// districtDigits rounds coordinates to 1e-5 degrees (about a metre): plenty
// for a base layer, and a third smaller than full precision.
const districtDigits = 1e5

func districtsGeoJSON(ds []zhudun.District) ([]byte, error) {
	type props struct {
		Code string `json:"code"` // GB/T 2260 code, "370102"
		Name string `json:"name"`
	}
	type feature struct {
		Type       string           `json:"type"`
		Properties props            `json:"properties"`
		Geometry   geo.MultiPolygon `json:"geometry"`
	}
	fc := struct {
		Type     string    `json:"type"`
		CRS      string    `json:"crs"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection", CRS: "wgs84", Features: make([]feature, 0, len(ds))}
	for _, x := range ds {
		m := geo.MultiPolygon(x.Boundary).Transform(func(lon, lat float64) (float64, float64) {
			return math.Round(lon*districtDigits) / districtDigits, math.Round(lat*districtDigits) / districtDigits
		})
		fc.Features = append(fc.Features, feature{Type: "Feature", Properties: props{Code: x.Code, Name: x.Name}, Geometry: m})
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(fc); err != nil {
		return nil, zhudun.Errorf(zhudun.EINTERNAL, "districts: %v", err)
	}
	return buf.Bytes(), nil
}

// geoDistricts answers GET /api/v1/geo/districts: the imported districts as
// a WGS-84 GeoJSON FeatureCollection (empty before any import).
func (s *Server) geoDistricts(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.store.FindDistricts(r.Context())
	if err != nil {
		return err
	}
	b, err := districtsGeoJSON(ds)
	if err != nil {
		return err
	}
	return writeLayer(w, r, "application/geo+json; charset=utf-8", b)
}

// mapConfig is what the UI's maps need to know of the deployment.
type mapConfig struct {
	Tiles       string `json:"tiles"`       // URL template; "" = no base tiles
	Attribution string `json:"attribution"` // credit for the tiles
	Geocoder    string `json:"geocoder"`    // "service" (the bureau's) or "local" (the standard-address table)
}

// mapSettings answers GET /api/v1/config/map.
func (s *Server) mapSettings(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, s.mapCfg)
	return nil
}

// geocode answers GET /api/v1/geocode?q=: the address box of the incident
// form, for those who take incidents (incident:write).
func (s *Server) geocode(w http.ResponseWriter, r *http.Request) error {
	if _, err := zhudun.ScopeFor(r.Context(), zhudun.PermIncidentWrite); err != nil {
		return err
	}
	ms, err := s.geocoder.Geocode(r.Context(), r.URL.Query().Get("q"), 10)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ms, "source": s.mapCfg.Geocoder})
	return nil
}

// cspWithTiles lets the browser load map tiles from the bureau's tile
// server, and from nowhere else: its origin joins img-src.
func cspWithTiles(tiles string) string {
	if !strings.HasPrefix(tiles, "http://") && !strings.HasPrefix(tiles, "https://") {
		return csp // none, or served by this host
	}
	u, err := url.Parse(strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0", "{TileMatrix}", "0", "{TileCol}", "0", "{TileRow}", "0").Replace(tiles))
	if err != nil || u.Host == "" || strings.ContainsAny(u.Host, "{}*; '") {
		return csp
	}
	return strings.Replace(csp, "img-src 'self' data: blob:;", "img-src 'self' data: blob: "+u.Scheme+"://"+u.Host+";", 1)
}
