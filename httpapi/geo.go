package httpapi

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"sync"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/demo"
	"github.com/zhudun/zhudun/geo"
)

// The map's base layer. There is no tile server: the browser draws Jinan's
// district and county boundaries (and the grids over them) as vectors. The
// boundaries are the demo city's embedded DataV export, converted from
// GCJ-02 to WGS-84 by demo.Districts; they are public geography, the same
// for everyone, so any signed-in user may read them.

// districtDigits rounds coordinates to 1e-5 degrees (about a metre): plenty
// for a base layer, and a third smaller than full precision.
const districtDigits = 1e5

var districtsDoc struct {
	once sync.Once
	body []byte
	err  error
}

// districtsGeoJSON builds the FeatureCollection once; the data is embedded
// and never changes while the binary runs.
func districtsGeoJSON() ([]byte, error) {
	d := &districtsDoc
	d.once.Do(func() {
		ds, err := demo.Districts()
		if err != nil {
			d.err = err
			return
		}
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
			m := x.Boundary.Transform(func(lon, lat float64) (float64, float64) {
				return math.Round(lon*districtDigits) / districtDigits, math.Round(lat*districtDigits) / districtDigits
			})
			fc.Features = append(fc.Features, feature{Type: "Feature", Properties: props{Code: x.Code, Name: x.Name}, Geometry: m})
		}
		var buf bytes.Buffer
		if err := json.NewEncoder(&buf).Encode(fc); err != nil {
			d.err = zhudun.Errorf(zhudun.EINTERNAL, "districts: %v", err)
			return
		}
		d.body = buf.Bytes()
	})
	return d.body, d.err
}

// geoDistricts answers GET /api/v1/geo/districts: Jinan's districts and
// counties as a WGS-84 GeoJSON FeatureCollection.
func (s *Server) geoDistricts(w http.ResponseWriter, r *http.Request) error {
	b, err := districtsGeoJSON()
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/geo+json; charset=utf-8")
	// Static data behind a session: the browser may keep it, no shared cache may.
	h.Set("Cache-Control", "private, max-age=3600")
	_, err = w.Write(b)
	return err
}
