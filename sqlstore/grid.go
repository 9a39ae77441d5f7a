package sqlstore

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/geo"
)

var _ zhudun.GridService = (*Store)(nil)

// Grids are scoped by their owning station.
var gridCols = scopeCols{Path: "d.path", DeptID: "g.station_id"}

const gridSelect = `SELECT g.id, g.code, g.name, g.station_id, d.code, d.name, COALESCE(p.code, ''), COALESCE(p.name, ''), d.path,
	g.patrol_lon, g.patrol_lat, g.boundary, g.created_at, g.updated_at
	FROM grids g JOIN depts d ON d.id = g.station_id LEFT JOIN depts p ON p.id = d.parent_id`

func scanGrid(r scanner) (*zhudun.Grid, error) {
	var g zhudun.Grid
	var boundary string
	if err := r.Scan(&g.ID, &g.Code, &g.Name, &g.StationID, &g.StationCode, &g.StationName, &g.DistrictCode, &g.DistrictName, &g.DeptPath,
		&g.PatrolPoint[0], &g.PatrolPoint[1], &boundary, &g.CreatedAt, &g.UpdatedAt); err != nil {
		return nil, err
	}
	m, err := geo.ParseGeometry([]byte(boundary))
	if err != nil {
		return nil, fmt.Errorf("grid %s boundary: %w", g.Code, err)
	}
	g.Boundary = m
	g.CreatedAt, g.UpdatedAt = g.CreatedAt.UTC(), g.UpdatedAt.UTC()
	return &g, nil
}

var gridCodeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,47}$`)

// gapRasterCells bounds the raster the gap check samples per district.
const gapRasterCells = 250000

// overlapTolerance (metres): closer than this to a neighbour's boundary is
// touching, not overlapping — shared edges carry rounding noise.
const overlapTolerance = 1.0

func fptr(v float64) *float64 { return &v }

// ImportGrids checks the upload against itself and the stored grids and,
// when nothing is an error, creates or replaces the grids by code in one
// transaction, audited as one grid.import row listing the codes.
func (s *Store) ImportGrids(ctx context.Context, in []*zhudun.Grid, parsed []zhudun.GridProblem) (*zhudun.GridImportReport, error) {
	if _, err := zhudun.ScopeFor(ctx, zhudun.PermGridWrite); err != nil {
		return nil, err
	}
	total := 0
	for _, g := range in {
		total += geo.MultiPolygon(g.Boundary).Vertices()
	}
	if total > geo.MaxUploadVertices {
		return nil, zhudun.Errorf(zhudun.EINVALID, "the upload has %d positions; at most %d are taken at once", total, geo.MaxUploadVertices)
	}
	rep := &zhudun.GridImportReport{Problems: append([]zhudun.GridProblem{}, parsed...)}
	problem := func(p zhudun.GridProblem) {
		if p.Severity == "" {
			p.Severity = zhudun.SeverityError
		}
		rep.Problems = append(rep.Problems, p)
	}
	seen := map[string]bool{}
	var good []*zhudun.Grid
	for i, g := range in {
		g.Code, g.Name, g.StationCode = strings.TrimSpace(g.Code), strings.TrimSpace(g.Name), strings.TrimSpace(g.StationCode)
		name := g.Code
		if name == "" {
			name = fmt.Sprintf("#%d", i)
		}
		if !gridCodeRE.MatchString(g.Code) {
			problem(zhudun.GridProblem{Kind: zhudun.GridProblemInvalid, Feature: name, Message: "code must be 1–48 of A–Z, a–z, 0–9, '_', '.' and '-'"})
			continue
		}
		if seen[g.Code] {
			problem(zhudun.GridProblem{Kind: zhudun.GridProblemDuplicate, Feature: name, Message: "code " + g.Code + " appears more than once"})
			continue
		}
		seen[g.Code] = true
		if g.Name == "" {
			g.Name = g.Code
		}
		if len([]rune(g.Name)) > 64 {
			problem(zhudun.GridProblem{Kind: zhudun.GridProblemInvalid, Feature: name, Message: "name must be at most 64 characters"})
			continue
		}
		ok := true
		if nv := geo.MultiPolygon(g.Boundary).Vertices(); nv > geo.MaxFeatureVertices {
			problem(zhudun.GridProblem{Kind: zhudun.GridProblemInvalid, Feature: name, Message: fmt.Sprintf("%d positions; a grid may have at most %d", nv, geo.MaxFeatureVertices)})
			continue
		}
		pi, ri, msg, err := geo.FeatureProblem(ctx, g.Boundary)
		if err != nil {
			return nil, s.internal("grid check", err)
		}
		if msg != "" {
			p := zhudun.GridProblem{Kind: zhudun.GridProblemInvalidRing, Feature: name, Message: fmt.Sprintf("polygon %d ring %d: %s", pi, ri, msg)}
			if ring := g.Boundary[pi][ri]; len(ring) > 0 {
				p.Lon, p.Lat = fptr(ring[0][0]), fptr(ring[0][1])
			}
			problem(p)
			ok = false
		}
		if len(g.Boundary) == 0 {
			problem(zhudun.GridProblem{Kind: zhudun.GridProblemInvalid, Feature: name, Message: "no geometry"})
			ok = false
		}
		if !ok {
			continue
		}
		if !geo.MultiPolygon(g.Boundary).Contains(g.PatrolPoint[0], g.PatrolPoint[1]) {
			problem(zhudun.GridProblem{Kind: zhudun.GridProblemPatrolPoint, Severity: zhudun.SeverityWarning, Feature: name,
				Message: "the patrol point lies outside the grid", Lon: fptr(g.PatrolPoint[0]), Lat: fptr(g.PatrolPoint[1])})
		}
		good = append(good, g)
	}
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		readF, _ := zhudun.ScopeFor(ctx, zhudun.PermGridRead)
		stations := map[string]*zhudun.Dept{}
		for _, g := range good {
			if _, ok := stations[g.StationCode]; ok {
				continue
			}
			d, err := tx.deptInScope(ctx, g.StationCode, zhudun.PermGridWrite)
			if err != nil && zhudun.ErrorCode(err) != zhudun.ENOTFOUND {
				return err
			}
			stations[g.StationCode] = d // nil when unknown or out of reach
		}
		// Every stored grid takes part in the overlap and gap checks.
		rows, err := tx.query(ctx, gridSelect)
		if err != nil {
			return tx.s.internal("grid list", err)
		}
		var stored []*zhudun.Grid
		for rows.Next() {
			g, err := scanGrid(rows)
			if err != nil {
				rows.Close()
				return tx.s.internal("grid scan", err)
			}
			stored = append(stored, g)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return tx.s.internal("grid rows", err)
		}
		byCode := map[string]*zhudun.Grid{}
		for _, g := range stored {
			byCode[g.Code] = g
		}
		var upload []*zhudun.Grid
		for _, g := range good {
			d := stations[g.StationCode]
			if d == nil {
				problem(zhudun.GridProblem{Kind: zhudun.GridProblemStation, Feature: g.Code, Message: "station " + g.StationCode + " not found"})
				continue
			}
			if old := byCode[g.Code]; old != nil && !readF.Covers(old.DeptPath, old.StationID, 0) {
				problem(zhudun.GridProblem{Kind: zhudun.GridProblemDuplicate, Feature: g.Code, Message: "code " + g.Code + " belongs to a grid of another department"})
				continue
			}
			if old := byCode[g.Code]; old != nil {
				if wf, _ := zhudun.ScopeFor(ctx, zhudun.PermGridWrite); !wf.Covers(old.DeptPath, old.StationID, 0) {
					problem(zhudun.GridProblem{Kind: zhudun.GridProblemStation, Feature: g.Code, Message: "grid " + g.Code + " is owned by a station outside your reach"})
					continue
				}
			}
			g.StationID, g.StationName, g.DeptPath = d.ID, d.Name, d.Path
			g.DistrictCode = d.ParentCode
			upload = append(upload, g)
		}
		// The resulting set: stored grids not replaced, then the upload.
		var kept []*zhudun.Grid
		for _, g := range stored {
			if !seen[g.Code] {
				kept = append(kept, g)
			}
		}
		label := func(g *zhudun.Grid) string {
			if readF.Covers(g.DeptPath, g.StationID, 0) {
				return g.Code
			}
			return "(a grid of another department)"
		}
		// Each boundary's point index is built once, for every comparison.
		index := map[*zhudun.Grid]*geo.Index{}
		ix := func(g *zhudun.Grid) *geo.Index {
			if index[g] == nil {
				index[g] = geo.NewIndex(g.Boundary)
			}
			return index[g]
		}
		overlap := func(a, b *zhudun.Grid) (float64, float64, bool, error) {
			return geo.OverlapContext(ctx, a.Boundary, b.Boundary, ix(a), ix(b), overlapTolerance)
		}
		for i, a := range upload {
			for _, b := range upload[i+1:] {
				lon, lat, ok, err := overlap(a, b)
				if err != nil {
					return tx.s.internal("grid overlap", err)
				}
				if ok {
					problem(zhudun.GridProblem{Kind: zhudun.GridProblemOverlap, Feature: a.Code, Other: b.Code,
						Message: "grids " + a.Code + " and " + b.Code + " overlap", Lon: fptr(lon), Lat: fptr(lat)})
				}
			}
			for _, b := range kept {
				lon, lat, ok, err := overlap(a, b)
				if err != nil {
					return tx.s.internal("grid overlap", err)
				}
				if ok {
					problem(zhudun.GridProblem{Kind: zhudun.GridProblemOverlap, Feature: a.Code, Other: label(b),
						Message: "grid " + a.Code + " overlaps stored grid " + label(b), Lon: fptr(lon), Lat: fptr(lat)})
				}
			}
		}
		// Gaps, per district (the station's parent), where the upload adds grids.
		districts := map[string][]*zhudun.Grid{}
		touched := map[string]bool{}
		for _, g := range kept {
			districts[g.DistrictCode] = append(districts[g.DistrictCode], g)
		}
		for _, g := range upload {
			districts[g.DistrictCode] = append(districts[g.DistrictCode], g)
			touched[g.DistrictCode] = true
		}
		var dcodes []string
		for c := range touched {
			dcodes = append(dcodes, c)
		}
		sort.Strings(dcodes)
		for _, dc := range dcodes {
			gs := districts[dc]
			polys := make([]geo.MultiPolygon, len(gs))
			idx := make([]*geo.Index, len(gs))
			for i, g := range gs {
				polys[i], idx[i] = g.Boundary, ix(g)
			}
			gaps, err := geo.GapsContext(ctx, polys, idx, gapRasterCells)
			if err != nil {
				return tx.s.internal("grid gaps", err)
			}
			for _, gap := range gaps {
				var around []string
				for _, k := range gap.Touching {
					around = append(around, label(gs[k]))
				}
				feature := dc
				if len(around) > 0 {
					feature = around[0]
				}
				problem(zhudun.GridProblem{Kind: zhudun.GridProblemGap, Severity: zhudun.SeverityWarning, Feature: feature,
					Message: fmt.Sprintf("an area of about %.0f m² in district %s enclosed by grids %s belongs to no grid", gap.AreaM2, dc, strings.Join(around, ", ")),
					Lon:     fptr(gap.Lon), Lat: fptr(gap.Lat), AreaM2: gap.AreaM2})
			}
		}
		for _, p := range rep.Problems {
			if p.Severity == zhudun.SeverityError {
				return errRejected
			}
		}
		var created, updated []string
		byStation := map[int64][]string{}
		for _, g := range upload {
			b, err := geo.MultiPolygon(g.Boundary).MarshalJSON()
			if err != nil {
				return err
			}
			box := geo.MultiPolygon(g.Boundary).Bounds()
			if old := byCode[g.Code]; old != nil {
				if _, err := tx.exec(ctx, `UPDATE grids SET name = ?, station_id = ?, patrol_lon = ?, patrol_lat = ?, boundary = ?, min_lon = ?, min_lat = ?, max_lon = ?, max_lat = ?, updated_at = ? WHERE id = ?`,
					g.Name, g.StationID, g.PatrolPoint[0], g.PatrolPoint[1], string(b), box.MinLon, box.MinLat, box.MaxLon, box.MaxLat, tx.now, old.ID); err != nil {
					return tx.s.internal("grid update", err)
				}
				updated = append(updated, g.Code)
			} else {
				if _, err := tx.exec(ctx, `INSERT INTO grids (code, name, station_id, patrol_lon, patrol_lat, boundary, min_lon, min_lat, max_lon, max_lat, created_at, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					g.Code, g.Name, g.StationID, g.PatrolPoint[0], g.PatrolPoint[1], string(b), box.MinLon, box.MinLat, box.MaxLon, box.MaxLat, tx.now, tx.now); err != nil {
					return tx.s.internal("grid insert", err)
				}
				created = append(created, g.Code)
			}
			byStation[g.StationID] = append(byStation[g.StationID], g.Code)
		}
		rep.Created, rep.Updated = len(created), len(updated)
		if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "grid.import", ObjectType: "grid", ObjectID: fmt.Sprintf("%d grids", len(upload)),
			Detail: Detail(map[string]any{"created": created, "updated": updated})}); err != nil {
			return err
		}
		// One event per station, routed by that station's path.
		for _, g := range upload {
			codes, ok := byStation[g.StationID]
			if !ok {
				continue
			}
			delete(byStation, g.StationID)
			if err := tx.emit(ctx, zhudun.Event{Type: "grid.imported", Perm: zhudun.PermGridRead, DeptPath: g.DeptPath, DeptID: g.StationID,
				Data: Detail(map[string]any{"station": g.StationCode, "grids": codes})}); err != nil {
				return err
			}
		}
		return nil
	})
	if err == errRejected {
		rep.Accepted = false
		return rep, nil
	}
	if err != nil {
		return nil, err
	}
	rep.Accepted = true
	return rep, nil
}

// errRejected rolls back an import whose report holds errors.
var errRejected = &zhudun.Error{Code: zhudun.EINVALID, Message: "the grids have problems; nothing was stored"}

// FindGrids lists grids inside the caller's grid:read scope, by code.
func (s *Store) FindGrids(ctx context.Context, f zhudun.GridFilter) ([]*zhudun.Grid, int, error) {
	var w where
	if _, err := scoped(ctx, &w, zhudun.PermGridRead, gridCols); err != nil {
		return nil, 0, err
	}
	if f.Code != "" {
		w.add("g.code = ?", f.Code)
	}
	if f.Station != "" {
		w.add("d.code = ?", f.Station)
	}
	if f.Under != "" {
		w.add("d.path LIKE (SELECT x.path FROM depts x WHERE x.code = ?) || '%'", f.Under)
	}
	var total int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM grids g JOIN depts d ON d.id = g.station_id`+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, s.internal("grid count", err)
	}
	off, lim := f.Offset, f.Limit
	if lim <= 0 || lim > 20000 {
		lim = 20000 // grids are exported whole (GeoJSON); a city has thousands, not millions
	}
	if off < 0 {
		off = 0
	}
	rows, err := s.query(ctx, gridSelect+w.sql()+` ORDER BY g.code LIMIT ? OFFSET ?`, append(w.args, lim, off)...)
	if err != nil {
		return nil, 0, s.internal("grid list", err)
	}
	defer rows.Close()
	var out []*zhudun.Grid
	for rows.Next() {
		g, err := scanGrid(rows)
		if err != nil {
			return nil, 0, s.internal("grid scan", err)
		}
		out = append(out, g)
	}
	return out, total, s.internalIf("grid rows", rows.Err())
}

// systemOnly fails closed unless ctx carries the installer's system caller:
// the dispatch index reads every grid and unit, whoever will ask it later.
func systemOnly(ctx context.Context) error {
	c := zhudun.CallerFrom(ctx)
	if c == nil || !c.System {
		return zhudun.Errorf(zhudun.EFORBIDDEN, "internal read for the dispatch index")
	}
	return nil
}

// AllGrids returns every grid, unscoped, for the in-process dispatch index
// (system caller only; never hand the rows to a user).
func (s *Store) AllGrids(ctx context.Context) ([]*zhudun.Grid, error) {
	if err := systemOnly(ctx); err != nil {
		return nil, err
	}
	gs, _, err := s.FindGrids(ctx, zhudun.GridFilter{Limit: 20000})
	return gs, err
}
