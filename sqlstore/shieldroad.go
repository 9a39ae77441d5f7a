package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/geo"
)

// The road layer (铸盾 coverage of road length, docs/zhudun.md "Roads"):
// the city's road centrelines, replaced whole by each import.

// roadBatch is how many roads one INSERT carries (9 values each).
const roadBatch = 500

// ReplaceRoads replaces the road layer with imp.Roads in one transaction,
// all or nothing: with any feature error (the parser's, or one found
// here) nothing is stored and the layer stored before stays. The layer is
// the city's: zhudun:write at a city-wide scope, or the command line's
// system caller. Audited zhudun.road.import with the counts.
func (s *Store) ReplaceRoads(ctx context.Context, imp zhudun.RoadImport) (*zhudun.RoadImportReport, error) {
	if c := zhudun.CallerFrom(ctx); c == nil || !c.System {
		if err := s.cityWideWriter(ctx, "the road layer"); err != nil {
			return nil, err
		}
	}
	if len(imp.Roads)+len(imp.Errors) == 0 || len(imp.Roads) > zhudun.MaxRoads {
		return nil, zhudun.FieldError("features", "1 to %d roads", zhudun.MaxRoads)
	}
	rep := &zhudun.RoadImportReport{Errors: append([]zhudun.ImportRowError{}, imp.Errors...)}
	// The parser's checks again, for callers that built the roads
	// themselves: every position finite and on the globe, lines of two.
	for i, r := range imp.Roads {
		if msg := roadProblem(r); msg != "" {
			rep.Errors = append(rep.Errors, zhudun.ImportRowError{Row: i, Field: "geometry", Message: fmt.Sprintf("road %d: %s", i, msg)})
		}
	}
	if len(rep.Errors) > 0 {
		return rep, nil
	}
	var total float64
	for _, r := range imp.Roads {
		total += r.LengthM
	}
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM zd_roads`); err != nil {
			return tx.s.internal("roads clear", err)
		}
		for i := 0; i < len(imp.Roads); i += roadBatch {
			batch := imp.Roads[i:min(i+roadBatch, len(imp.Roads))]
			var q strings.Builder
			q.WriteString(`INSERT INTO zd_roads (name, class, lines, length_m, min_lon, min_lat, max_lon, max_lat) VALUES `)
			args := make([]any, 0, 8*len(batch))
			for k, r := range batch {
				if k > 0 {
					q.WriteString(", ")
				}
				q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
				b, _ := json.Marshal(r.Lines) // finite: checked above
				box := geo.Box{MinLon: math.Inf(1), MinLat: math.Inf(1), MaxLon: math.Inf(-1), MaxLat: math.Inf(-1)}
				for _, l := range r.Lines {
					for _, p := range l {
						box.MinLon, box.MaxLon = math.Min(box.MinLon, p[0]), math.Max(box.MaxLon, p[0])
						box.MinLat, box.MaxLat = math.Min(box.MinLat, p[1]), math.Max(box.MaxLat, p[1])
					}
				}
				args = append(args, r.Name, r.Class, string(b), r.LengthM, box.MinLon, box.MinLat, box.MaxLon, box.MaxLat)
			}
			if _, err := tx.exec(ctx, q.String(), args...); err != nil {
				return tx.s.internal("road insert", err)
			}
		}
		if _, err := tx.exec(ctx, `INSERT INTO zd_road_imports (roads, length_m, imported_by, imported_at) VALUES (?, ?, ?, ?)`,
			len(imp.Roads), total, zhudun.CallerFrom(ctx).Username, tx.now); err != nil {
			return tx.s.internal("road import", err)
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "zhudun.road.import", ObjectType: "road", ObjectID: strconv.Itoa(len(imp.Roads)),
			Detail: Detail(map[string]any{"roads": len(imp.Roads), "length_km": math.Round(total/100) / 10})})
	})
	if err != nil {
		return nil, err
	}
	rep.Accepted, rep.Roads, rep.LengthM = true, len(imp.Roads), total
	return rep, nil
}

// roadProblem says what is wrong with a road's lines, "" when nothing.
func roadProblem(r zhudun.Road) string {
	if len(r.Lines) == 0 {
		return "no lines"
	}
	for i, l := range r.Lines {
		if len(l) < 2 {
			return fmt.Sprintf("line %d has fewer than 2 positions", i)
		}
		for k, p := range l {
			if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.Abs(p[0]) > 180 || math.Abs(p[1]) > 90 {
				return fmt.Sprintf("line %d position %d out of range", i, k)
			}
		}
	}
	return ""
}

// FindRoads returns the road layer (zhudun:read; roads are the city's
// geography, not a station's records, so every reader gets all of it)
// and its summary (nil before the first import).
func (s *Store) FindRoads(ctx context.Context) ([]zhudun.Road, *zhudun.RoadLayer, error) {
	if !zhudun.CallerFrom(ctx).Has(zhudun.PermZhudunRead) {
		return nil, nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission zhudun:read required")
	}
	var l zhudun.RoadLayer
	err := s.queryRow(ctx, `SELECT roads, length_m, imported_by, imported_at FROM zd_road_imports ORDER BY id DESC LIMIT 1`).
		Scan(&l.Roads, &l.LengthM, &l.ImportedBy, &l.ImportedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return []zhudun.Road{}, nil, nil
	}
	if err != nil {
		return nil, nil, s.internal("road layer", err)
	}
	l.ImportedAt = l.ImportedAt.UTC()
	roads, err := s.roads(ctx)
	return roads, &l, err
}

func (s *Store) roads(ctx context.Context) ([]zhudun.Road, error) {
	rows, err := s.query(ctx, `SELECT id, name, class, lines, length_m FROM zd_roads ORDER BY id`)
	if err != nil {
		return nil, s.internal("roads", err)
	}
	defer rows.Close()
	out := []zhudun.Road{}
	for rows.Next() {
		var r zhudun.Road
		var b string
		if err := rows.Scan(&r.ID, &r.Name, &r.Class, &b, &r.LengthM); err != nil {
			return nil, s.internal("road scan", err)
		}
		if err := json.Unmarshal([]byte(b), &r.Lines); err != nil {
			return nil, s.internal("road lines", err)
		}
		out = append(out, r)
	}
	return out, s.internalIf("road rows", rows.Err())
}

// RoadsStamp names the stored road layer: the id of its import ("0"
// before any). The coverage service rebuilds when it changes.
func (s *Store) RoadsStamp(ctx context.Context) (string, error) {
	var id int64
	if err := s.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM zd_road_imports`).Scan(&id); err != nil {
		return "", s.internal("road stamp", err)
	}
	return strconv.FormatInt(id, 10), nil
}

// CoverageRoads returns every road, unscoped, for the coverage service
// (which answers each caller within its scope of grids).
func (s *Store) CoverageRoads(ctx context.Context) ([]zhudun.Road, error) {
	return s.roads(ctx)
}
