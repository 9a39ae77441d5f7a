package httpapi

import (
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/peterstace/simplefeatures/rtree"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/coverage"
	"github.com/zhudun/zhudun/geo"
	"github.com/zhudun/zhudun/shieldimport"
)

// 铸盾 (issue 16, docs/zhudun.md): communities, cameras, coverage, safe
// units and the statistics. Scope and permissions are decided in the
// store and in coverage.Service.

func (s *Server) registerZhudun() {
	s.handle("GET", "/api/v1/zhudun/communities", false, s.listCommunities)
	s.handle("POST", "/api/v1/zhudun/communities", false, s.createCommunity)
	s.handle("POST", "/api/v1/zhudun/communities/import", false, s.importCommunities)
	s.handle("GET", "/api/v1/zhudun/communities/export", false, s.exportCommunities)
	s.handle("GET", "/api/v1/zhudun/communities/{id}", false, s.getCommunity)
	s.handle("PUT", "/api/v1/zhudun/communities/{id}", false, s.updateCommunity)
	s.handle("GET", "/api/v1/zhudun/communities/{id}/cameras", false, s.communityCameras)
	s.handle("GET", "/api/v1/zhudun/communities/{id}/coverage", false, s.communityCoverage)
	s.handle("GET", "/api/v1/zhudun/level-rule", false, s.getLevelRule)
	s.handle("PUT", "/api/v1/zhudun/level-rule", false, s.putLevelRule)
	s.handle("GET", "/api/v1/zhudun/cameras", false, s.listCameras)
	s.handle("POST", "/api/v1/zhudun/cameras/import", false, s.importCameras)
	s.handle("GET", "/api/v1/zhudun/roads", false, s.listRoads)
	s.handle("POST", "/api/v1/zhudun/roads/import", false, s.importRoads)
	s.handle("GET", "/api/v1/zhudun/coverage", false, s.getCoverage)
	s.handle("GET", "/api/v1/zhudun/coverage/{grid}/gaps", false, s.getCoverageGaps)
	s.handle("GET", "/api/v1/zhudun/coverage/layer", false, s.getCoverageLayer)
	s.handle("PUT", "/api/v1/zhudun/grids/{code}/target", false, s.putGridTarget)
	s.handle("GET", "/api/v1/zhudun/snapshots", false, s.listSnapshots)
	s.handle("GET", "/api/v1/zhudun/safe-units", false, s.listSafeUnits)
	s.handle("POST", "/api/v1/zhudun/safe-units", false, s.createSafeUnit)
	s.handle("POST", "/api/v1/zhudun/safe-units/{id}/actions", false, s.actOnSafeUnit)
	s.handle("GET", "/api/v1/dictionaries/zhudun", false, s.zhudunDictionaries)
	s.handle("GET", "/api/v1/reports/zhudun", false, s.zhudunReport)
}

func (s *Server) listCommunities(w http.ResponseWriter, r *http.Request) error {
	xs, err := s.store.FindCommunities(r.Context(), r.URL.Query().Get("station"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": xs, "total": len(xs)})
	return nil
}

func (s *Server) createCommunity(w http.ResponseWriter, r *http.Request) error {
	var b zhudun.NewCommunity
	if err := decode(r, &b); err != nil {
		return err
	}
	x, err := s.store.CreateCommunity(r.Context(), b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, x)
	return nil
}

func (s *Server) getCommunity(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	x, err := s.store.FindCommunityByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, x)
	return nil
}

func (s *Server) updateCommunity(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, s.store.UpdateCommunity)
}

// importCommunities takes a .xlsx or .csv of communities: all stored, or
// every row's error (line and column) and none stored.
func (s *Server) importCommunities(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return decodeError(err)
	}
	rows, lines, bad, err := shieldimport.ParseCommunities(body)
	if err != nil {
		return err
	}
	if len(bad) == 0 {
		n, sbad, err := s.store.ImportCommunities(r.Context(), rows)
		if err != nil {
			return err
		}
		if len(sbad) == 0 {
			writeJSON(w, http.StatusOK, map[string]any{"imported": n, "errors": []zhudun.ImportRowError{}})
			return nil
		}
		// The store numbers rows from 2 in the order given: map back to lines.
		for i := range sbad {
			if k := sbad[i].Row - 2; k >= 0 && k < len(lines) {
				sbad[i].Row = lines[k]
			}
		}
		bad = sbad
	}
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"imported": 0, "errors": bad})
	return nil
}

// exportCommunities writes the communities of the caller's scope as a
// sheet (.xlsx by default), phones masked. Audited community.export.
func (s *Server) exportCommunities(w http.ResponseWriter, r *http.Request) error {
	xs, err := s.store.FindCommunities(r.Context(), r.URL.Query().Get("station"))
	if err != nil {
		return err
	}
	header := []string{"code", "name", "address", "district", "station", "grid", "households", "property_company", "contacts", "score", "level", "rule_version", "generated"}
	header = append(header, zhudun.FacilityKinds...)
	sh := sheet{name: "communities", header: header}
	for _, x := range xs {
		var cs []string
		for _, c := range x.Contacts {
			cs = append(cs, c.Name+" "+c.PhoneMasked)
		}
		row := []any{x.Code, x.Name, x.Address, x.District, x.Station, x.Grid, x.Households, x.PropertyCompany, strings.Join(cs, "; "),
			x.Score, x.Level, x.RuleVersion, x.Generated}
		for _, k := range zhudun.FacilityKinds {
			row = append(row, x.Facilities[k])
		}
		sh.rows = append(sh.rows, row)
	}
	return s.export(w, r, "community", sh, map[string]any{"station": r.URL.Query().Get("station")})
}

// communityCoverage measures a community's boundary over the grids of the
// caller's scope (EINVALID when the community has no boundary).
func (s *Server) communityCoverage(w http.ResponseWriter, r *http.Request) error {
	c, err := s.communityOf(r)
	if err != nil {
		return err
	}
	if len(c.Boundary) == 0 {
		return zhudun.FieldError("boundary", "community %s has no boundary: its coverage cannot be measured", c.Code)
	}
	rs, err := s.coverage.Regions(r.Context(), []zhudun.District{{Code: c.Code, Name: c.Name, Boundary: c.Boundary}})
	if err != nil {
		return err
	}
	out := coverage.RegionCoverage{Code: c.Code, Name: c.Name}
	if len(rs) == 1 {
		out = rs[0]
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getLevelRule(w http.ResponseWriter, r *http.Request) error {
	rule, err := s.store.LevelRule(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rule)
	return nil
}

func (s *Server) putLevelRule(w http.ResponseWriter, r *http.Request) error {
	var b zhudun.LevelRule
	if err := decode(r, &b); err != nil {
		return err
	}
	rule, err := s.store.SaveLevelRule(r.Context(), b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rule)
	return nil
}

// cameraView is a camera with its view drawn as a WGS-84 ring.
type cameraView struct {
	*zhudun.Camera
	Sector [][2]float64 `json:"sector"`
}

func (s *Server) listCameras(w http.ResponseWriter, r *http.Request) error {
	xs, err := s.store.FindCameras(r.Context())
	if err != nil {
		return err
	}
	writeCameras(w, xs)
	return nil
}

// writeCameras answers cameras with their view sectors for the map.
func writeCameras(w http.ResponseWriter, xs []*zhudun.Camera) {
	out := make([]cameraView, 0, len(xs))
	for _, c := range xs {
		v := cameraView{Camera: c}
		if cc := coverage.FromCamera(c); cc.Valid() {
			v.Sector = coverage.SectorLonLat(cc)
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out, "total": len(out)})
}

// communityOf loads the community of the path's id (zhudun:read scope).
func (s *Server) communityOf(r *http.Request) (*zhudun.Community, error) {
	id, err := pathInt(r, "id")
	if err != nil {
		return nil, err
	}
	return s.store.FindCommunityByID(r.Context(), id)
}

// communityCameras lists the cameras of a community (coverage.
// CommunityCameras: inside its boundary, or near its point), of the
// caller's zhudun:read scope.
func (s *Server) communityCameras(w http.ResponseWriter, r *http.Request) error {
	c, err := s.communityOf(r)
	if err != nil {
		return err
	}
	xs, err := s.store.FindCameras(r.Context())
	if err != nil {
		return err
	}
	writeCameras(w, coverage.CommunityCameras(c, xs))
	return nil
}

// importCameras takes a GB/T 28181 platform's device list (CSV).
// Query: coords=wgs84|gcj02 (default wgs84), station= (for cameras in no
// grid), mark_gone=true (cameras of the scope missing from the list are
// gone). On success the coverage of the grids the changed cameras reach is
// recomputed before the answer.
func (s *Server) importCameras(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	gcj, err := gcjParam(r)
	if err != nil {
		return err
	}
	markGone, _ := strconv.ParseBool(q.Get("mark_gone"))
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return decodeError(err)
	}
	rows, bad, err := shieldimport.ParseDeviceList(body, gcj)
	if err != nil {
		return err
	}
	rep, err := s.store.ImportCameras(r.Context(), zhudun.CameraImport{Rows: rows, Errors: bad, Station: q.Get("station"), MarkGone: markGone})
	if err != nil {
		return err
	}
	if !rep.Accepted {
		writeJSON(w, http.StatusUnprocessableEntity, rep)
		return nil
	}
	changed, err := s.coverage.Sync(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"report": rep, "grids_recomputed": len(changed)})
	return nil
}

// gcjParam reads an import's coords= (wgs84, the default, or gcj02): true
// when the file is GCJ-02 and is to be converted.
func gcjParam(r *http.Request) (bool, error) {
	switch r.URL.Query().Get("coords") {
	case "", "wgs84":
		return false, nil
	case "gcj02":
		return true, nil
	}
	return false, zhudun.FieldError("coords", "wgs84 or gcj02")
}

// importRoads replaces the road layer with a GeoJSON FeatureCollection of
// LineString/MultiLineString features (coords=wgs84|gcj02, default
// wgs84: OSM's). With any bad feature it answers 422 listing each by
// index and field, and the layer stored before stays. On success every
// grid's road coverage is computed anew before the answer.
func (s *Server) importRoads(w http.ResponseWriter, r *http.Request) error {
	gcj, err := gcjParam(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return decodeError(err)
	}
	imp, err := geo.ParseRoads(body, gcj)
	if err != nil {
		return err
	}
	rep, err := s.store.ReplaceRoads(r.Context(), imp)
	if err != nil {
		return err
	}
	if !rep.Accepted {
		writeJSON(w, http.StatusUnprocessableEntity, rep)
		return nil
	}
	changed, err := s.coverage.Sync(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"report": rep, "grids_recomputed": len(changed)})
	return nil
}

// roadFeature is a road as a GeoJSON feature for the map.
type roadFeature struct {
	Type       string         `json:"type"`
	Properties zhudun.Road    `json:"properties"`
	Geometry   roadLineString `json:"geometry"`
}

type roadLineString struct {
	Type        string         `json:"type"`
	Coordinates [][][2]float64 `json:"coordinates"`
}

// listRoads answers the road layer as a GeoJSON FeatureCollection
// (MultiLineString features with id, name, class, length_m) and the
// layer's summary (null before the first import).
func (s *Server) listRoads(w http.ResponseWriter, r *http.Request) error {
	roads, layer, err := s.store.FindRoads(r.Context())
	if err != nil {
		return err
	}
	fs := make([]roadFeature, len(roads))
	for i, rd := range roads {
		fs[i] = roadFeature{Type: "Feature", Properties: rd, Geometry: roadLineString{Type: "MultiLineString", Coordinates: rd.Lines}}
	}
	writeJSON(w, http.StatusOK, map[string]any{"type": "FeatureCollection", "features": fs, "layer": layer})
	return nil
}

// getCoverage answers the coverage of the caller's grids (with those
// under target listed) and of the districts over them.
func (s *Server) getCoverage(w http.ResponseWriter, r *http.Request) error {
	grids, err := s.coverage.Grids(r.Context())
	if err != nil {
		return err
	}
	under := []coverage.GridCoverage{}
	for _, g := range grids {
		if g.Under {
			under = append(under, g)
		}
	}
	ds, err := s.store.FindDistricts(r.Context())
	if err != nil {
		return err
	}
	regions, err := s.coverage.Regions(r.Context(), ds)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"grids": grids, "under_target": under, "districts": regions})
	return nil
}

func (s *Server) getCoverageGaps(w http.ResponseWriter, r *http.Request) error {
	gaps, err := s.coverage.Gaps(r.Context(), r.PathValue("grid"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"type": "MultiPolygon", "coordinates": gaps})
	return nil
}

// Layer limits: up to layerLimit grids (at most layerMaxLimit when asked)
// come with their uncovered parts; a view over more gets the grids'
// boundaries, coloured by their share on the map.
const (
	layerLimit    = 400
	layerMaxLimit = 2000
)

// getCoverageLayer is the coverage map of a view: ?bbox=west,south,east,north
// (WGS-84 degrees; none: the caller's whole scope) and ?limit=, as a
// GeoJSON FeatureCollection with "mode" gaps or grids, "extent" (the box
// of all the caller's grids) and each grid's figures in its properties.
func (s *Server) getCoverageLayer(w http.ResponseWriter, r *http.Request) error {
	box, err := queryBBox(r, "bbox")
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", layerLimit)
	if err != nil {
		return err
	}
	if limit < 1 || limit > layerMaxLimit {
		return zhudun.FieldError("limit", "limit must be 1 to %d", layerMaxLimit)
	}
	v, err := s.coverage.Layer(r.Context(), box, limit)
	if err != nil {
		return err
	}
	mode := "grids"
	if v.Gaps {
		mode = "gaps"
	}
	features := make([]map[string]any, 0, len(v.Grids))
	for _, g := range v.Grids {
		features = append(features, map[string]any{
			"type":     "Feature",
			"geometry": map[string]any{"type": "MultiPolygon", "coordinates": g.Geometry},
			"properties": map[string]any{"code": g.Code, "coverage_pct": g.Pct, "target_pct": g.Target,
				"under_target": g.Under, "cameras": g.Cameras},
		})
	}
	var extent []float64
	if v.Extent != nil {
		extent = []float64{v.Extent.MinX, v.Extent.MinY, v.Extent.MaxX, v.Extent.MaxY}
	}
	writeJSON(w, http.StatusOK, map[string]any{"type": "FeatureCollection", "mode": mode, "grids": len(v.Grids),
		"limit": limit, "extent": extent, "features": features})
	return nil
}

// queryBBox reads west,south,east,north in WGS-84 degrees; nil when absent.
func queryBBox(r *http.Request, name string) (*rtree.Box, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	parts := strings.Split(v, ",")
	if len(parts) != 4 {
		return nil, zhudun.FieldError(name, "%s must be west,south,east,north in degrees", name)
	}
	var f [4]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, zhudun.FieldError(name, "%s: %q is not a number", name, p)
		}
		f[i] = x
	}
	if f[0] < -180 || f[2] > 180 || f[1] < -90 || f[3] > 90 || f[0] > f[2] || f[1] > f[3] {
		return nil, zhudun.FieldError(name, "%s must be west,south,east,north with west ≤ east, south ≤ north, within ±180° and ±90°", name)
	}
	return &rtree.Box{MinX: f[0], MinY: f[1], MaxX: f[2], MaxY: f[3]}, nil
}

func (s *Server) putGridTarget(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		TargetPct float64 `json:"target_pct"`
	}
	if err := decode(r, &b); err != nil {
		return err
	}
	if err := s.store.SetGridTarget(r.Context(), r.PathValue("code"), b.TargetPct); err != nil {
		return err
	}
	if _, err := s.coverage.Sync(r.Context()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"grid": r.PathValue("code"), "target_pct": b.TargetPct})
	return nil
}

func (s *Server) listSnapshots(w http.ResponseWriter, r *http.Request) error {
	month := r.URL.Query().Get("month")
	if month == "" {
		month = time.Now().In(zhudun.CST()).Format("2006-01")
	}
	if _, err := time.Parse("2006-01", month); err != nil {
		return zhudun.FieldError("month", "YYYY-MM")
	}
	xs, err := s.store.CoverageSnapshots(r.Context(), month)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"month": month, "items": xs})
	return nil
}

func (s *Server) listSafeUnits(w http.ResponseWriter, r *http.Request) error {
	xs, err := s.store.FindSafeUnits(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": xs, "total": len(xs)})
	return nil
}

func (s *Server) createSafeUnit(w http.ResponseWriter, r *http.Request) error {
	var b zhudun.NewSafeUnit
	if err := decode(r, &b); err != nil {
		return err
	}
	x, err := s.store.CreateSafeUnit(r.Context(), b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, x)
	return nil
}

func (s *Server) actOnSafeUnit(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, s.store.ActOnSafeUnit)
}

func (s *Server) zhudunDictionaries(w http.ResponseWriter, r *http.Request) error {
	if zhudun.CallerFrom(r.Context()) == nil {
		return zhudun.Errorf(zhudun.EUNAUTHORIZED, "sign in")
	}
	writeJSON(w, http.StatusOK, map[string]any{"facilities": zhudun.FacilityKinds, "camera_types": zhudun.CameraTypes,
		"camera_owners": zhudun.CameraOwners, "safe_unit_kinds": zhudun.SafeUnitKinds, "safe_unit_criteria": zhudun.SafeUnitCriteria,
		"default_level_rule": zhudun.DefaultLevelRule()})
	return nil
}

// zhudunReport answers GET /api/v1/reports/zhudun?at=YYYY-MM-DD&dept=
// (report:read, the caller's scope; at defaults to today).
func (s *Server) zhudunReport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	at := time.Now().In(zhudun.CST())
	if v := q.Get("at"); v != "" {
		t, err := time.ParseInLocation(time.DateOnly, v, zhudun.CST())
		if err != nil {
			return zhudun.FieldError("at", "a day YYYY-MM-DD")
		}
		at = t
	}
	rep, err := s.store.ZhudunReport(r.Context(), at, q.Get("dept"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}
