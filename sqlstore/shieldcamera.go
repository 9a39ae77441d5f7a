package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/geo"
)

// The camera inventory (issue 16 item 2): cameras keyed by GB/T 28181
// device id, each owned by the station of the grid it stands in.

const cameraSelect = `SELECT x.id, x.device_id, x.name, x.lon, x.lat, x.height, x.direction, x.fov, x.range_m, x.type, x.owner, x.online, x.gone,
	x.station_id, sd.path, sd.code, x.grid, x.extra, x.updated_at FROM zd_cameras x JOIN depts sd ON sd.id = x.station_id`

func scanCamera(r scanner) (*zhudun.Camera, error) {
	var c zhudun.Camera
	var extra string
	if err := r.Scan(&c.ID, &c.DeviceID, &c.Name, &c.Lon, &c.Lat, &c.Height, &c.Direction, &c.FOV, &c.Range, &c.Type, &c.Owner, &c.Online,
		&c.Gone, &c.StationID, &c.StationPath, &c.Station, &c.Grid, &extra, &c.UpdatedAt); err != nil {
		return nil, err
	}
	if extra != "" && extra != "{}" {
		_ = json.Unmarshal([]byte(extra), &c.Extra)
	}
	c.UpdatedAt = c.UpdatedAt.UTC()
	return &c, nil
}

// gridLocator finds the grid a point stands in, by 0.01° cells.
type gridLocator struct {
	cells map[[2]int][]locGrid
}

type locGrid struct {
	code    string
	station int64
	path    string
	poly    geo.MultiPolygon
	box     geo.Box
}

func cellOf(lon, lat float64) [2]int {
	return [2]int{int(math.Floor(lon * 100)), int(math.Floor(lat * 100))}
}

func (s *Store) gridLocator(ctx context.Context, q querier) (*gridLocator, error) {
	rows, err := q.query(ctx, `SELECT g.code, g.station_id, d.path, g.boundary FROM grids g JOIN depts d ON d.id = g.station_id`)
	if err != nil {
		return nil, s.internal("camera grids", err)
	}
	defer rows.Close()
	l := &gridLocator{cells: map[[2]int][]locGrid{}}
	for rows.Next() {
		var g locGrid
		var b string
		if err := rows.Scan(&g.code, &g.station, &g.path, &b); err != nil {
			return nil, s.internal("camera grid scan", err)
		}
		if g.poly, err = geo.ParseGeometry([]byte(b)); err != nil {
			continue // a grid the grid import accepted always parses
		}
		g.box = g.poly.Bounds()
		a, z := cellOf(g.box.MinLon, g.box.MinLat), cellOf(g.box.MaxLon, g.box.MaxLat)
		for x := a[0]; x <= z[0] && x-a[0] < 100; x++ {
			for y := a[1]; y <= z[1] && y-a[1] < 100; y++ {
				l.cells[[2]int{x, y}] = append(l.cells[[2]int{x, y}], g)
			}
		}
	}
	return l, s.internalIf("camera grids rows", rows.Err())
}

func (l *gridLocator) find(lon, lat float64) (locGrid, bool) {
	for _, g := range l.cells[cellOf(lon, lat)] {
		if g.box.Contains(lon, lat) && g.poly.Contains(lon, lat) {
			return g, true
		}
	}
	return locGrid{}, false
}

// ImportCameras applies a platform's device list, all or nothing: a new
// device id is created, a known one updated (its state, place and name;
// its view only when the row gives it), and with MarkGone every camera of
// the caller's scope the list does not name is marked gone and offline.
// A camera belongs to the station of the grid it stands in, or to
// imp.Station when it stands in none; either must be in the caller's
// zhudun:write scope. Every row's error is returned with its line and
// column. Audited zhudun.camera.import once with the counts.
func (s *Store) ImportCameras(ctx context.Context, imp zhudun.CameraImport) (*zhudun.CameraImportReport, error) {
	if err := zdWriter(ctx); err != nil {
		return nil, err
	}
	if len(imp.Rows)+len(imp.Errors) == 0 || len(imp.Rows) > 200000 {
		return nil, zhudun.FieldError("file", "1 to 200000 rows")
	}
	rep := &zhudun.CameraImportReport{Errors: append([]zhudun.ImportRowError{}, imp.Errors...)}
	seen := map[string]int{}
	for i := range imp.Rows {
		c := &imp.Rows[i]
		if err := c.Validate(); err != nil {
			rep.Errors = append(rep.Errors, rowError(c.Line, err))
			continue
		}
		if j, dup := seen[c.DeviceID]; dup {
			rep.Errors = append(rep.Errors, zhudun.ImportRowError{Row: c.Line, Field: "device_id", Message: fmt.Sprintf("device id repeats line %d", j)})
			continue
		}
		seen[c.DeviceID] = c.Line
	}
	if len(rep.Errors) > 0 {
		return rep, nil
	}
	f, err := zhudun.ScopeFor(ctx, zhudun.PermZhudunWrite)
	if err != nil {
		return nil, err
	}
	pred, pargs, err := zdPred(ctx, zhudun.PermZhudunWrite)
	if err != nil {
		return nil, err
	}
	errBadRows := errors.New("rows refused")
	err = s.write(ctx, func(ctx context.Context, tx *Tx) error {
		loc, err := tx.s.gridLocator(ctx, tx)
		if err != nil {
			return err
		}
		stations := map[string]*zhudun.Dept{}
		var fallback *zhudun.Dept
		if imp.Station != "" {
			if fallback, err = tx.zdStation(ctx, imp.Station, stations); err != nil {
				return err
			}
		}
		for i := range imp.Rows {
			c := &imp.Rows[i]
			var stationID int64
			grid := ""
			if g, ok := loc.find(c.Lon, c.Lat); ok {
				if !f.Covers(g.path, g.station, 0) {
					rep.Errors = append(rep.Errors, zhudun.ImportRowError{Row: c.Line, Field: "longitude",
						Message: fmt.Sprintf("the camera stands in grid %s, outside your scope", g.code)})
					continue
				}
				stationID, grid = g.station, g.code
			} else if fallback != nil {
				stationID = fallback.ID
			} else {
				rep.Errors = append(rep.Errors, zhudun.ImportRowError{Row: c.Line, Field: "longitude",
					Message: "the camera stands in no grid; give the station it belongs to"})
				continue
			}
			extra, _ := json.Marshal(c.Extra)
			var id, oldStation int64
			err := tx.queryRow(ctx, `SELECT id, station_id FROM zd_cameras WHERE device_id = ?`, c.DeviceID).Scan(&id, &oldStation)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if _, err := tx.exec(ctx, `INSERT INTO zd_cameras (device_id, name, lon, lat, height, direction, fov, range_m, type, owner, online,
					gone, station_id, grid, extra, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE, ?, ?, ?, ?)`,
					c.DeviceID, c.Name, c.Lon, c.Lat, c.Height, c.Direction, c.FOV, c.Range, c.Type, c.Owner, c.Online, stationID, grid,
					string(extra), tx.now); err != nil {
					return tx.s.internal("camera insert", err)
				}
				rep.Created++
			case err != nil:
				return tx.s.internal("camera load", err)
			default:
				var path string
				if err := tx.queryRow(ctx, `SELECT path FROM depts WHERE id = ?`, oldStation).Scan(&path); err != nil || !f.Covers(path, oldStation, 0) {
					// Another station's camera: the id is not this list's to change.
					rep.Errors = append(rep.Errors, zhudun.ImportRowError{Row: c.Line, Field: "device_id", Message: "this device id cannot be used"})
					continue
				}
				q := `UPDATE zd_cameras SET name = ?, lon = ?, lat = ?, online = ?, gone = FALSE, station_id = ?, grid = ?, extra = ?, updated_at = ?`
				args := []any{c.Name, c.Lon, c.Lat, c.Online, stationID, grid, string(extra), tx.now}
				if c.ViewGiven {
					q += `, height = ?, direction = ?, fov = ?, range_m = ?, type = ?, owner = ?`
					args = append(args, c.Height, c.Direction, c.FOV, c.Range, c.Type, c.Owner)
				}
				if _, err := tx.exec(ctx, q+` WHERE id = ?`, append(args, id)...); err != nil {
					return tx.s.internal("camera update", err)
				}
				rep.Updated++
			}
			if !c.Online {
				rep.Offline++
			}
		}
		if len(rep.Errors) > 0 {
			return errBadRows
		}
		if imp.MarkGone {
			rows, err := tx.query(ctx, `SELECT x.id, x.device_id FROM zd_cameras x JOIN depts sd ON sd.id = x.station_id WHERE `+pred+` AND x.gone = FALSE`, pargs...)
			if err != nil {
				return tx.s.internal("camera gone scan", err)
			}
			var gone []int64
			for rows.Next() {
				var id int64
				var dev string
				if err := rows.Scan(&id, &dev); err != nil {
					rows.Close()
					return tx.s.internal("camera gone scan", err)
				}
				if _, ok := seen[dev]; !ok {
					gone = append(gone, id)
				}
			}
			rows.Close()
			for _, id := range gone {
				if _, err := tx.exec(ctx, `UPDATE zd_cameras SET gone = TRUE, online = FALSE, updated_at = ? WHERE id = ?`, tx.now, id); err != nil {
					return tx.s.internal("camera gone", err)
				}
			}
			rep.Gone = len(gone)
		}
		if err := tx.cameraMonth(ctx); err != nil {
			return err
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "zhudun.camera.import", ObjectType: "camera",
			Detail: Detail(map[string]any{"rows": len(imp.Rows), "created": rep.Created, "updated": rep.Updated, "offline": rep.Offline, "gone": rep.Gone})})
	})
	if errors.Is(err, errBadRows) {
		rep.Created, rep.Updated, rep.Offline = 0, 0, 0
		return rep, nil
	}
	if err != nil {
		return nil, err
	}
	rep.Accepted = true
	return rep, nil
}

// cameraMonth rewrites this month's camera counts per station.
func (tx *Tx) cameraMonth(ctx context.Context) error {
	month := tx.now.In(zhudun.CST()).Format("2006-01")
	if _, err := tx.exec(ctx, `DELETE FROM zd_camera_months WHERE month = ?`, month); err != nil {
		return tx.s.internal("camera month", err)
	}
	if _, err := tx.exec(ctx, `INSERT INTO zd_camera_months (month, station_id, online, offline)
		SELECT ?, station_id, SUM(CASE WHEN online THEN 1 ELSE 0 END), SUM(CASE WHEN online THEN 0 ELSE 1 END)
		FROM zd_cameras WHERE gone = FALSE GROUP BY station_id`, month); err != nil {
		return tx.s.internal("camera month", err)
	}
	return nil
}

// FindCameras lists the cameras of the caller's zhudun:read scope, gone
// ones included (marked).
func (s *Store) FindCameras(ctx context.Context) ([]*zhudun.Camera, error) {
	pred, args, err := zdPred(ctx, zhudun.PermZhudunRead)
	if err != nil {
		return nil, err
	}
	return s.cameras(ctx, pred, args)
}

func (s *Store) cameras(ctx context.Context, pred string, args []any) ([]*zhudun.Camera, error) {
	rows, err := s.query(ctx, cameraSelect+` WHERE `+pred+` ORDER BY x.id`, args...)
	if err != nil {
		return nil, s.internal("cameras", err)
	}
	defer rows.Close()
	out := []*zhudun.Camera{}
	for rows.Next() {
		c, err := scanCamera(rows)
		if err != nil {
			return nil, s.internal("camera scan", err)
		}
		out = append(out, c)
	}
	return out, s.internalIf("cameras rows", rows.Err())
}

// CoverageInputs returns every grid (with its target) and every camera not
// gone, unscoped: the coverage engine measures the whole city once and
// answers each caller within its scope. For the coverage service only.
func (s *Store) CoverageInputs(ctx context.Context) ([]*zhudun.Grid, map[int64]float64, []*zhudun.Camera, error) {
	rows, err := s.query(ctx, gridSelect+` ORDER BY g.id`)
	if err != nil {
		return nil, nil, nil, s.internal("coverage grids", err)
	}
	var grids []*zhudun.Grid
	for rows.Next() {
		g, err := scanGrid(rows)
		if err != nil {
			rows.Close()
			return nil, nil, nil, s.internal("coverage grid scan", err)
		}
		grids = append(grids, g)
	}
	rows.Close()
	targets := map[int64]float64{}
	trows, err := s.query(ctx, `SELECT grid_id, target_pct FROM zd_grid_targets`)
	if err != nil {
		return nil, nil, nil, s.internal("coverage targets", err)
	}
	for trows.Next() {
		var id int64
		var p float64
		if err := trows.Scan(&id, &p); err != nil {
			trows.Close()
			return nil, nil, nil, s.internal("coverage target scan", err)
		}
		targets[id] = p
	}
	trows.Close()
	cams, err := s.cameras(ctx, "x.gone = FALSE", nil)
	return grids, targets, cams, err
}

// SaveCoverageSnapshots writes a month's coverage rows (by grid code),
// replacing the month's earlier rows for those grids. The coverage service
// calls it after each recomputation, so a past month's rows are its state
// at the month's end. zhudun:write.
func (s *Store) SaveCoverageSnapshots(ctx context.Context, month string, snaps []zhudun.CoverageSnapshot) error {
	if err := zdWriter(ctx); err != nil {
		return err
	}
	if _, err := time.Parse("2006-01", month); err != nil {
		return zhudun.FieldError("month", "YYYY-MM")
	}
	return s.write(ctx, func(ctx context.Context, tx *Tx) error {
		for _, sn := range snaps {
			var id int64
			if err := tx.queryRow(ctx, `SELECT id FROM grids WHERE code = ?`, sn.Grid).Scan(&id); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					continue // re-imported meanwhile
				}
				return tx.s.internal("snapshot grid", err)
			}
			if _, err := tx.exec(ctx, `DELETE FROM zd_coverage_months WHERE month = ? AND grid_id = ?`, month, id); err != nil {
				return tx.s.internal("snapshot", err)
			}
			if _, err := tx.exec(ctx, `INSERT INTO zd_coverage_months (month, grid_id, area_m2, covered_m2, road_m, road_covered_m) VALUES (?, ?, ?, ?, ?, ?)`,
				month, id, sn.AreaM2, sn.CovM2, sn.RoadM, sn.RoadCovM); err != nil {
				return tx.s.internal("snapshot", err)
			}
		}
		return nil
	})
}

// CoverageSnapshots returns a month's rows for the grids of the caller's
// zhudun:read scope.
func (s *Store) CoverageSnapshots(ctx context.Context, month string) ([]zhudun.CoverageSnapshot, error) {
	pred, args, err := zdPred(ctx, zhudun.PermZhudunRead)
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT m.month, x.code, m.area_m2, m.covered_m2, m.road_m, m.road_covered_m FROM zd_coverage_months m JOIN grids x ON x.id = m.grid_id
		JOIN depts sd ON sd.id = x.station_id WHERE `+pred+` AND m.month = ? ORDER BY x.code`, append(args, month)...)
	if err != nil {
		return nil, s.internal("snapshots", err)
	}
	defer rows.Close()
	out := []zhudun.CoverageSnapshot{}
	for rows.Next() {
		var sn zhudun.CoverageSnapshot
		if err := rows.Scan(&sn.Month, &sn.Grid, &sn.AreaM2, &sn.CovM2, &sn.RoadM, &sn.RoadCovM); err != nil {
			return nil, s.internal("snapshot scan", err)
		}
		if sn.AreaM2 > 0 {
			sn.Pct = math.Round(sn.CovM2/sn.AreaM2*10000) / 100
		}
		if sn.RoadM > 0 {
			p := math.Round(sn.RoadCovM/sn.RoadM*10000) / 100
			sn.RoadPct = &p
		}
		out = append(out, sn)
	}
	return out, s.internalIf("snapshots rows", rows.Err())
}
