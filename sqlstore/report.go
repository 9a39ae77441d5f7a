package sqlstore

import (
	"context"
	"database/sql"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
)

var _ zhudun.ReportService = (*Store)(nil)

// dayRange is a run of rollup rows of one grain: days lo…hi inclusive
// ("YYYY-MM-DD"; month rows are keyed by their first day).
type dayRange struct{ grain, lo, hi string }

// periodRanges covers the days from…to (inclusive, Shanghai midnights) with
// whole calendar months where it can and single days at the edges, so that
// a year report reads 12 month rows per key instead of 365 day rows.
func periodRanges(from, to time.Time) []dayRange {
	var out []dayRange
	push := func(grain string, d time.Time) {
		k := d.Format("2006-01-02")
		if n := len(out); n > 0 && out[n-1].grain == grain {
			out[n-1].hi = k
			return
		}
		out = append(out, dayRange{grain, k, k})
	}
	for d := from; !d.After(to); {
		end := d.AddDate(0, 1, -1)
		if d.Day() == 1 && !end.After(to) {
			push("m", d)
			d = d.AddDate(0, 1, 0)
			continue
		}
		push("d", d)
		d = d.AddDate(0, 0, 1)
	}
	return out
}

func rangesSQL(rs []dayRange) (string, []any) {
	var parts []string
	var args []any
	for _, r := range rs {
		parts = append(parts, "(r.grain = ? AND r.day >= ? AND r.day <= ?)")
		args = append(args, r.grain, r.lo, r.hi)
	}
	if len(parts) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// lastYear moves a date back one year; 29 February becomes 28 February.
func lastYear(t time.Time) time.Time {
	y := t.AddDate(-1, 0, 0)
	if y.Day() != t.Day() {
		y = y.AddDate(0, 0, -y.Day())
	}
	return y
}

// tally holds the rollup counts of one area for both periods.
type tally struct {
	code, name, parent string
	noResponse         bool                           // grids: response times are kept per station only
	n                  [2]map[string]map[string]int64 // period → dim → val → n
}

func newTally(code, name, parent string) *tally {
	t := &tally{code: code, name: name, parent: parent}
	for p := range t.n {
		t.n[p] = map[string]map[string]int64{"c": {}, "s": {}, "o": {}, "r": {}}
	}
	return t
}

func (t *tally) add(p int, dim, val string, n int64) {
	if m, ok := t.n[p][dim]; ok {
		m[val] += n
	}
}

func pct(cur, last int64) *float64 {
	if last == 0 {
		return nil
	}
	v := math.Round(float64(cur-last)/float64(last)*1000) / 10
	return &v
}

func compare(cur, last int64) zhudun.Compare {
	return zhudun.Compare{Count: int(cur), LastYear: int(last), ChangePct: pct(cur, last)}
}

func sum(m map[string]int64) int64 {
	var s int64
	for _, v := range m {
		s += v
	}
	return s
}

// percentile is the nearest-rank percentile (k = ⌈p·N⌉) of a histogram of
// whole minutes.
func percentile(h map[string]int64, p float64) *int {
	type b struct {
		m int
		n int64
	}
	var bs []b
	var total int64
	for k, n := range h {
		m, err := strconv.Atoi(k)
		if err != nil || n <= 0 {
			continue
		}
		bs = append(bs, b{m, n})
		total += n
	}
	if total == 0 {
		return nil
	}
	sort.Slice(bs, func(i, j int) bool { return bs[i].m < bs[j].m })
	k := int64(math.Ceil(p * float64(total)))
	if k < 1 {
		k = 1
	}
	var acc int64
	for _, x := range bs {
		acc += x.n
		if acc >= k {
			v := x.m
			return &v
		}
	}
	return nil
}

func within(h map[string]int64, target int) (in, all int64) {
	for k, n := range h {
		m, err := strconv.Atoi(k)
		if err != nil {
			continue
		}
		all += n
		if m <= target {
			in += n
		}
	}
	return in, all
}

func share(in, all int64) *float64 {
	if all == 0 {
		return nil
	}
	v := math.Round(float64(in)/float64(all)*1000) / 10
	return &v
}

func (t *tally) figures(target int) zhudun.AreaFigures {
	o := func(p int, k string) int64 { return t.n[p]["o"][k] }
	f := zhudun.AreaFigures{Code: t.code, Name: t.name, Parent: t.parent,
		Incidents:        compare(sum(t.n[0]["o"]), sum(t.n[1]["o"])), // every incident has one outcome ('' while open)
		CriminalCases:    compare(o(0, zhudun.OutcomeCriminalCase), o(1, zhudun.OutcomeCriminalCase)),
		PublicOrderCases: compare(o(0, zhudun.OutcomePublicOrderCase), o(1, zhudun.OutcomePublicOrderCase)),
		DisputesMediated: compare(o(0, zhudun.OutcomeMediated), o(1, zhudun.OutcomeMediated)),
		RescuesServices:  compare(o(0, zhudun.OutcomeRescued), o(1, zhudun.OutcomeRescued)),
	}
	if t.noResponse {
		return f
	}
	in, all := within(t.n[0]["r"], target)
	lin, lall := within(t.n[1]["r"], target)
	f.Response = zhudun.ResponseStats{Arrived: int(all), MedianMinutes: percentile(t.n[0]["r"], 0.5), P90Minutes: percentile(t.n[0]["r"], 0.9),
		WithinTarget: int(in), WithinTargetPct: share(in, all),
		LastYearMedian: percentile(t.n[1]["r"], 0.5), LastYearP90: percentile(t.n[1]["r"], 0.9), LastYearWithin: share(lin, lall)}
	return f
}

// PatrolReport computes the patrol statistics from patrol_rollup, scoped by
// the owning station under report:read. Nothing is cached: every call reads
// the rollup, which the incident writes keep current.
func (s *Store) PatrolReport(ctx context.Context, q zhudun.PatrolReportQuery) (*zhudun.PatrolReport, error) {
	f, err := zhudun.ScopeFor(ctx, zhudun.PermReportRead)
	if err != nil {
		return nil, err
	}
	if q.From.IsZero() || q.To.IsZero() {
		return nil, zhudun.FieldError("from", "from and to are required (YYYY-MM-DD)")
	}
	from, to := q.From.In(zhudun.CST()), q.To.In(zhudun.CST())
	from = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, zhudun.CST())
	to = time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, zhudun.CST())
	if to.Before(from) {
		return nil, zhudun.FieldError("to", "to is before from")
	}
	if to.Sub(from) > 366*24*time.Hour*5 {
		return nil, zhudun.FieldError("to", "at most five years at a time")
	}
	if q.TargetMinutes == 0 {
		q.TargetMinutes = 5
	}
	if q.TargetMinutes < 1 || q.TargetMinutes > 240 {
		return nil, zhudun.FieldError("target", "target must be 1–240 minutes")
	}
	lfrom, lto := lastYear(from), lastYear(to)
	var w where
	switch f.Kind {
	case zhudun.ScopeAll:
	case zhudun.ScopeSubtree:
		w.add("d.path LIKE ?", f.DeptPath+"%")
	case zhudun.ScopeDept:
		w.add("r.station_id = ?", f.DeptID)
	default:
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "the patrol report needs a department scope")
	}
	rep := &zhudun.PatrolReport{From: from.Format("2006-01-02"), To: to.Format("2006-01-02"),
		LastYearFrom: lfrom.Format("2006-01-02"), LastYearTo: lto.Format("2006-01-02"), TargetMinutes: q.TargetMinutes}
	if q.Dept != "" {
		var id int64
		var path string
		err := s.queryRow(ctx, `SELECT id, path FROM depts WHERE code = ?`, q.Dept).Scan(&id, &path)
		if err != nil || !f.Covers(path, id, 0) {
			return nil, zhudun.Errorf(zhudun.ENOTFOUND, "department %s not found", q.Dept)
		}
		w.add("d.path LIKE ?", path+"%")
		rep.Dept = q.Dept
	}
	cov, err := s.patrolCoverage(ctx, w, from, to, lfrom, lto)
	if err != nil {
		return nil, err
	}
	rep.Coverage = cov
	cur, cargs := rangesSQL(periodRanges(from, to))
	last, largs := rangesSQL(periodRanges(lfrom, lto))
	w.add("("+cur+" OR "+last+")", append(append([]any{}, cargs...), largs...)...)
	args := append(append(append([]any{}, cargs...), largs...), w.args...)
	rows, err := s.query(ctx, `SELECT r.station_id, r.grid_id, r.dim, r.val,
		SUM(CASE WHEN `+cur+` THEN r.n ELSE 0 END), SUM(CASE WHEN `+last+` THEN r.n ELSE 0 END)
		FROM patrol_rollup r JOIN depts d ON d.id = r.station_id`+w.sql()+`
		GROUP BY r.station_id, r.grid_id, r.dim, r.val`, args...)
	if err != nil {
		return nil, s.internal("report", err)
	}
	type cell struct {
		station, grid int64
		dim, val      string
		n             [2]int64
	}
	var cells []cell
	stationIDs, gridIDs := map[int64]bool{}, map[int64]bool{}
	for rows.Next() {
		var c cell
		if err := rows.Scan(&c.station, &c.grid, &c.dim, &c.val, &c.n[0], &c.n[1]); err != nil {
			rows.Close()
			return nil, s.internal("report scan", err)
		}
		cells = append(cells, c)
		stationIDs[c.station], gridIDs[c.grid] = true, true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.internal("report rows", err)
	}
	// Names: the stations with their districts (parents), and the grids.
	type named struct{ code, name, parent, pname string }
	stations := map[int64]named{}
	if err := s.eachRow(ctx, `SELECT d.id, d.code, d.name, COALESCE(p.code, ''), COALESCE(p.name, '') FROM depts d LEFT JOIN depts p ON p.id = d.parent_id`, func(sc scanner) error {
		var id int64
		var n named
		if err := sc.Scan(&id, &n.code, &n.name, &n.parent, &n.pname); err != nil {
			return err
		}
		if stationIDs[id] {
			stations[id] = n
		}
		return nil
	}); err != nil {
		return nil, err
	}
	grids := map[int64]named{}
	if err := s.eachRow(ctx, `SELECT id, code, name FROM grids`, func(sc scanner) error {
		var id int64
		var n named
		if err := sc.Scan(&id, &n.code, &n.name); err != nil {
			return err
		}
		if gridIDs[id] {
			grids[id] = n
		}
		return nil
	}); err != nil {
		return nil, err
	}
	total := newTally("", "total", "")
	byGrid, byStation, byDistrict := map[int64]*tally{}, map[int64]*tally{}, map[string]*tally{}
	for _, c := range cells {
		st := stations[c.station]
		var gt *tally
		if c.grid != 0 {
			if gt = byGrid[c.grid]; gt == nil {
				gn := grids[c.grid]
				gt = newTally(gn.code, gn.name, st.code)
				gt.noResponse = true
				byGrid[c.grid] = gt
			}
		}
		stt := byStation[c.station]
		if stt == nil {
			stt = newTally(st.code, st.name, st.parent)
			byStation[c.station] = stt
		}
		dt := byDistrict[st.parent]
		if dt == nil {
			dt = newTally(st.parent, st.pname, "")
			byDistrict[st.parent] = dt
		}
		for p := 0; p < 2; p++ {
			for _, t := range []*tally{total, gt, stt, dt} {
				if t != nil {
					t.add(p, c.dim, c.val, c.n[p])
				}
			}
		}
	}
	rep.Total = total.figures(q.TargetMinutes)
	list := func(ts []*tally) []zhudun.AreaFigures {
		sort.Slice(ts, func(i, j int) bool { return ts[i].code < ts[j].code })
		out := make([]zhudun.AreaFigures, 0, len(ts))
		for _, t := range ts {
			out = append(out, t.figures(q.TargetMinutes))
		}
		return out
	}
	var gl, sl, dl []*tally
	for _, t := range byGrid {
		gl = append(gl, t)
	}
	for _, t := range byStation {
		sl = append(sl, t)
	}
	for _, t := range byDistrict {
		dl = append(dl, t)
	}
	rep.Grids, rep.Stations, rep.Districts = list(gl), list(sl), list(dl)
	codes := func(dim string, order []string, name func(string) string) []zhudun.CodeCount {
		seen := map[string]bool{}
		var out []zhudun.CodeCount
		emit := func(k string) {
			if seen[k] || k == "" {
				return
			}
			seen[k] = true
			out = append(out, zhudun.CodeCount{Code: k, Name: name(k), Compare: compare(total.n[0][dim][k], total.n[1][dim][k])})
		}
		for _, k := range order {
			emit(k)
		}
		var extra []string
		for p := 0; p < 2; p++ {
			for k := range total.n[p][dim] {
				extra = append(extra, k)
			}
		}
		sort.Strings(extra)
		for _, k := range extra {
			emit(k)
		}
		return out
	}
	var catOrder []string
	for _, c := range zhudun.CategoryDictionaries()[len(zhudun.CategoryDictionaries())-1].Categories {
		catOrder = append(catOrder, c.Code)
	}
	rep.ByCategory = codes("c", catOrder, func(k string) string {
		for v := zhudun.CurrentCategoryVersion(); v >= 1; v-- {
			if c, ok := zhudun.LookupCategory(v, k); ok {
				return c.Name
			}
		}
		return ""
	})
	none := func(string) string { return "" }
	rep.BySource = codes("s", zhudun.IncidentSources(), none)
	rep.ByOutcome = codes("o", zhudun.IncidentOutcomes(), none)
	return rep, nil
}

func (s *Store) eachRow(ctx context.Context, q string, fn func(scanner) error, args ...any) error {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return s.internal("report names", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return s.internal("report names scan", err)
		}
	}
	return s.internalIf("report names rows", rows.Err())
}

// RebuildPatrolRollup recomputes patrol_rollup from the incidents table
// (system caller only): after a bulk load that bypassed the store, or to
// check that the incremental rollup is right. It streams the incidents once
// and writes the counts in batches inside one transaction.
func (s *Store) RebuildPatrolRollup(ctx context.Context) (int, error) {
	if err := systemOnly(ctx); err != nil {
		return 0, err
	}
	r := rollupDelta{}
	rows, err := s.query(ctx, `SELECT station_id, grid_id, received_at, arrived_at, category, source, outcome FROM incidents`)
	if err != nil {
		return 0, s.internal("rollup rebuild", err)
	}
	for rows.Next() {
		var st, g int64
		var recv time.Time
		var arr sql.NullTime
		var c, src, o string
		if err := rows.Scan(&st, &g, &recv, &arr, &c, &src, &o); err != nil {
			rows.Close()
			return 0, s.internal("rollup rebuild scan", err)
		}
		r.incident(st, g, recv.UTC(), c, src, o, nullTime(arr), 1)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, s.internal("rollup rebuild rows", err)
	}
	err = s.write(ctx, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM patrol_rollup`); err != nil {
			return tx.s.internal("rollup clear", err)
		}
		const batch = 500
		keys := make([]rollupKey, 0, len(r))
		for k, n := range r {
			if n != 0 {
				keys = append(keys, k)
			}
		}
		for i := 0; i < len(keys); i += batch {
			end := min(i+batch, len(keys))
			var b strings.Builder
			b.WriteString(`INSERT INTO patrol_rollup (grain, day, station_id, grid_id, dim, val, n) VALUES `)
			args := make([]any, 0, 7*(end-i))
			for j, k := range keys[i:end] {
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteString("(?, ?, ?, ?, ?, ?, ?)")
				args = append(args, k.grain, k.day, k.station, k.grid, k.dim, k.val, r[k])
			}
			if _, err := tx.exec(ctx, b.String(), args...); err != nil {
				return tx.s.internal("rollup insert", err)
			}
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "report.rollup_rebuild", ObjectType: "patrol_rollup", ObjectID: "all",
			Detail: Detail(map[string]any{"rows": len(keys)})})
	})
	return len(r), err
}
