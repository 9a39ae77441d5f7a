package sqlstore

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/zhudun/zhudun"
)

var _ zhudun.PatrolCoverageStore = (*Store)(nil)

// Visits are scoped by the station of the grid they were made in.
var visitCols = scopeCols{Path: "d.path", DeptID: "v.station_id"}

// AddPatrolVisits stores visits the tracker made; a visit stored already
// (another server computed it too) is skipped.
func (s *Store) AddPatrolVisits(ctx context.Context, vs []zhudun.PatrolVisit) error {
	if err := systemOnly(ctx); err != nil {
		return err
	}
	if len(vs) == 0 {
		return nil
	}
	return s.write(ctx, func(ctx context.Context, tx *Tx) error {
		for _, v := range vs {
			if _, err := tx.exec(ctx, `INSERT INTO patrol_visits (plan_id, grid_id, station_id, checkpoint, win, shift_date, shift, unit_id, at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				v.PlanID, v.GridID, v.StationID, v.Checkpoint, v.Window, v.ShiftDate, v.Shift, v.UnitID, v.At.UTC().Truncate(time.Microsecond)); err != nil {
				return tx.s.internal("visit insert", err)
			}
		}
		return nil
	})
}

const visitSelect = `SELECT v.plan_id, v.grid_id, v.station_id, v.checkpoint, v.win, v.shift_date, v.shift, v.unit_id, COALESCE(u.callsign, ''), v.at
	FROM patrol_visits v JOIN depts d ON d.id = v.station_id LEFT JOIN units u ON u.id = v.unit_id`

func (s *Store) visits(ctx context.Context, w where, limit int) ([]zhudun.PatrolVisit, error) {
	rows, err := s.query(ctx, visitSelect+w.sql()+` ORDER BY v.at, v.unit_id LIMIT ?`, append(w.args, limit)...)
	if err != nil {
		return nil, s.internal("visit list", err)
	}
	defer rows.Close()
	out := []zhudun.PatrolVisit{}
	for rows.Next() {
		var v zhudun.PatrolVisit
		if err := rows.Scan(&v.PlanID, &v.GridID, &v.StationID, &v.Checkpoint, &v.Window, &v.ShiftDate, &v.Shift, &v.UnitID, &v.Callsign, &v.At); err != nil {
			return nil, s.internal("visit scan", err)
		}
		v.At = v.At.UTC()
		out = append(out, v)
	}
	return out, s.internalIf("visit rows", rows.Err())
}

// PatrolVisitsSince returns every visit of shifts from shiftDate on, for
// the tracker to count again after a restart (system caller only).
func (s *Store) PatrolVisitsSince(ctx context.Context, shiftDate string) ([]zhudun.PatrolVisit, error) {
	if err := systemOnly(ctx); err != nil {
		return nil, err
	}
	var w where
	w.add("v.shift_date >= ?", shiftDate)
	return s.visits(ctx, w, 10_000_000)
}

// FindPatrolVisits lists visits in the caller's grid:read scope (at most
// 10,000, oldest first).
func (s *Store) FindPatrolVisits(ctx context.Context, f zhudun.PatrolVisitFilter) ([]zhudun.PatrolVisit, error) {
	var w where
	if _, err := scoped(ctx, &w, zhudun.PermGridRead, visitCols); err != nil {
		return nil, err
	}
	if f.Grid != "" {
		w.add("v.grid_id = (SELECT id FROM grids WHERE code = ?)", f.Grid)
	}
	if f.From != "" {
		w.add("v.shift_date >= ?", f.From)
	}
	if f.To != "" {
		w.add("v.shift_date <= ?", f.To)
	}
	if f.Limit <= 0 || f.Limit > 10000 {
		f.Limit = 10000
	}
	return s.visits(ctx, w, f.Limit)
}

// SavePatrolCoverage writes a shift's coverage rows (replacing what an
// earlier save of the same shift wrote).
func (s *Store) SavePatrolCoverage(ctx context.Context, grids, units []zhudun.PatrolCoverage, final bool) error {
	if err := systemOnly(ctx); err != nil {
		return err
	}
	return s.write(ctx, func(ctx context.Context, tx *Tx) error {
		for _, rs := range [][]zhudun.PatrolCoverage{grids, units} {
			for _, c := range rs {
				if _, err := tx.exec(ctx, `INSERT INTO patrol_coverage (shift_date, shift, grid_id, unit_id, station_id, planned, visited, other, final, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
					ON CONFLICT (shift_date, shift, grid_id, unit_id) DO UPDATE SET station_id = excluded.station_id, planned = excluded.planned,
					visited = excluded.visited, other = excluded.other, final = excluded.final, updated_at = excluded.updated_at`,
					c.ShiftDate, c.Shift, c.GridID, c.UnitID, c.StationID, c.Planned, c.Visited, c.Other, final, tx.now); err != nil {
					return tx.s.internal("coverage save", err)
				}
			}
		}
		return nil
	})
}

// coverageTally sums planned and visited for now [0] and last year [1].
type coverageTally struct {
	code, name, parent string
	planned, visited   [2]int64
}

func (t *coverageTally) figures() zhudun.CoverageFigures {
	f := zhudun.CoverageFigures{Code: t.code, Name: t.name, Parent: t.parent,
		Planned: compare(t.planned[0], t.planned[1]), Visited: compare(t.visited[0], t.visited[1])}
	f.Percent = zhudun.CoveragePercent(int(t.visited[0]), int(t.planned[0]))
	f.LastYearPercent = zhudun.CoveragePercent(int(t.visited[1]), int(t.planned[1]))
	if f.Percent != nil && f.LastYearPercent != nil {
		d := math.Round((*f.Percent-*f.LastYearPercent)*10) / 10
		f.ChangePoints = &d
	}
	return f
}

// patrolCoverage is the coverage part of the patrol report: the rows of
// patrol_coverage whose shift began in [from, to] or in [lfrom, lto],
// under the report's scope predicate (scopeSQL/args, on alias d).
func (s *Store) patrolCoverage(ctx context.Context, scope where, from, to, lfrom, lto time.Time) (zhudun.PatrolCoverageReport, error) {
	const day = "2006-01-02"
	f, t, lf, lt := from.Format(day), to.Format(day), lfrom.Format(day), lto.Format(day)
	w := scope
	w.parts = append([]string(nil), scope.parts...)
	w.args = append([]any(nil), scope.args...)
	w.add("((r.shift_date >= ? AND r.shift_date <= ?) OR (r.shift_date >= ? AND r.shift_date <= ?))", f, t, lf, lt)
	args := append([]any{f, t, f, t, lf, lt, lf, lt}, w.args...)
	rows, err := s.query(ctx, `SELECT r.grid_id, r.unit_id, r.station_id, r.shift,
		SUM(CASE WHEN r.shift_date >= ? AND r.shift_date <= ? THEN r.planned ELSE 0 END),
		SUM(CASE WHEN r.shift_date >= ? AND r.shift_date <= ? THEN r.visited ELSE 0 END),
		SUM(CASE WHEN r.shift_date >= ? AND r.shift_date <= ? THEN r.planned ELSE 0 END),
		SUM(CASE WHEN r.shift_date >= ? AND r.shift_date <= ? THEN r.visited ELSE 0 END)
		FROM patrol_coverage r JOIN depts d ON d.id = r.station_id`+w.sql()+`
		GROUP BY r.grid_id, r.unit_id, r.station_id, r.shift`, args...)
	var rep zhudun.PatrolCoverageReport
	if err != nil {
		return rep, s.internal("coverage report", err)
	}
	type row struct {
		grid, unit, station int64
		shift               string
		p, v                [2]int64
	}
	var rs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.grid, &r.unit, &r.station, &r.shift, &r.p[0], &r.v[0], &r.p[1], &r.v[1]); err != nil {
			rows.Close()
			return rep, s.internal("coverage scan", err)
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return rep, s.internal("coverage rows", err)
	}
	type named struct{ code, name string }
	names := func(q string, want map[int64]bool) (map[int64]named, error) {
		out := map[int64]named{}
		err := s.eachRow(ctx, q, func(sc scanner) error {
			var id int64
			var n named
			if err := sc.Scan(&id, &n.code, &n.name); err != nil {
				return err
			}
			if want[id] {
				out[id] = n
			}
			return nil
		})
		return out, err
	}
	gw, uw, sw := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
	for _, r := range rs {
		gw[r.grid], uw[r.unit], sw[r.station] = true, true, true
	}
	gn, err := names(`SELECT id, code, name FROM grids`, gw)
	if err != nil {
		return rep, err
	}
	un, err := names(`SELECT id, callsign, '' FROM units`, uw)
	if err != nil {
		return rep, err
	}
	sn, err := names(`SELECT id, code, name FROM depts`, sw)
	if err != nil {
		return rep, err
	}
	total := &coverageTally{code: "", name: "total"}
	grids, units, stations, shifts := map[int64]*coverageTally{}, map[int64]*coverageTally{}, map[int64]*coverageTally{}, map[string]*coverageTally{}
	get := func(m map[int64]*coverageTally, id int64, code, name, parent string) *coverageTally {
		if m[id] == nil {
			m[id] = &coverageTally{code: code, name: name, parent: parent}
		}
		return m[id]
	}
	for _, r := range rs {
		var ts []*coverageTally
		if r.unit != 0 {
			ts = append(ts, get(units, r.unit, un[r.unit].code, "", sn[r.station].code))
		} else {
			ts = append(ts, total, get(grids, r.grid, gn[r.grid].code, gn[r.grid].name, sn[r.station].code),
				get(stations, r.station, sn[r.station].code, sn[r.station].name, ""))
			if shifts[r.shift] == nil {
				shifts[r.shift] = &coverageTally{code: r.shift}
			}
			ts = append(ts, shifts[r.shift])
		}
		for _, t := range ts {
			for p := 0; p < 2; p++ {
				t.planned[p] += r.p[p]
				t.visited[p] += r.v[p]
			}
		}
	}
	list := func(m map[int64]*coverageTally) []zhudun.CoverageFigures {
		out := []zhudun.CoverageFigures{}
		for _, t := range m {
			out = append(out, t.figures())
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
		return out
	}
	rep.Total, rep.Grids, rep.Units, rep.Stations = total.figures(), list(grids), list(units), list(stations)
	rep.Shifts = []zhudun.CoverageFigures{}
	for _, t := range shifts {
		rep.Shifts = append(rep.Shifts, t.figures())
	}
	sort.Slice(rep.Shifts, func(i, j int) bool { return rep.Shifts[i].Code < rep.Shifts[j].Code })
	return rep, nil
}

// RecentPositions calls fn with every stored fix newer than since, per unit
// in time order, for the coverage tracker to replay after a restart
// (system caller only). It walks unit_positions by (unit_id, ts).
func (s *Store) RecentPositions(ctx context.Context, since time.Time, fn func(unitID int64, p zhudun.Position)) error {
	if err := systemOnly(ctx); err != nil {
		return err
	}
	return s.eachRow(ctx, `SELECT p.unit_id, p.lon, p.lat, p.ts FROM units u JOIN unit_positions p ON p.unit_id = u.id AND p.ts > ?
		ORDER BY p.unit_id, p.ts`, func(sc scanner) error {
		var id int64
		var p zhudun.Position
		if err := sc.Scan(&id, &p.Lon, &p.Lat, &p.TS); err != nil {
			return err
		}
		fn(id, p)
		return nil
	}, since.UTC())
}
