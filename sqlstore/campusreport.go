package sqlstore

import (
	"context"
	"math"
	"time"

	"github.com/zhudun/zhudun"
)

// The campus statistics (issue 14 item 5, docs/campus.md "Statistics").
// Three queries per slice — visits, hazards, notices — each counting both
// periods at once with conditional aggregation, grouped by the slice's
// key. The scope is the school's station, for report:read.
//
//	schools_inspected  distinct schools with a visit in the period
//	hazards            hazards found in the period
//	schools_involved   distinct schools with a hazard found in the period
//	rectified_on_spot  of those hazards, rectified on the spot
//	notices            notices issued in the period (a re-issue counts)
//	closed             of those notices, closed on re-inspection
//	overdue            of those notices, open now past their deadline

// campusSlices are the breakdowns' keys, over r (the round), sc (the
// school) and sd (its station).
var campusSlices = []struct{ name, key string }{
	{"round", "CAST(r.id AS TEXT) || ' ' || r.name"},
	{"group", "CAST(g.id AS TEXT) || ' ' || g.name"},
	{"district", "sc.district"},
	{"station", "sd.code"},
	{"type", "sc.type"},
}

type campusCounts map[string]*[2][7]int64

// CampusReport computes the campus figures of the days q.From..q.To
// (China time, both included) within the caller's report:read scope,
// narrowed to q.Dept's subtree and q.Round (each ENOTFOUND outside the
// scope), beside the same days of last year.
func (s *Store) CampusReport(ctx context.Context, q zhudun.CampusReportQuery) (*zhudun.CampusReport, error) {
	f, err := zhudun.ScopeFor(ctx, zhudun.PermReportRead)
	if err != nil {
		return nil, err
	}
	if q.From.IsZero() || q.To.IsZero() {
		return nil, zhudun.FieldError("from", "from and to are required (YYYY-MM-DD)")
	}
	day := func(t time.Time) time.Time {
		t = t.In(zhudun.CST())
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, zhudun.CST())
	}
	from, to := day(q.From), day(q.To).AddDate(0, 0, 1)
	if !to.After(from) {
		return nil, zhudun.FieldError("to", "to is before from")
	}
	if to.Sub(from) > 366*24*time.Hour*5 {
		return nil, zhudun.FieldError("to", "at most five years at a time")
	}
	pred, args, err := campusPred(ctx, zhudun.PermReportRead, "r.id")
	if err != nil {
		return nil, err
	}
	rep := &zhudun.CampusReport{From: from, To: to, Dept: q.Dept, Round: q.Round}
	var deptPath string
	if q.Dept != "" {
		var id int64
		var path string
		err := s.queryRow(ctx, `SELECT id, path FROM depts WHERE code = ?`, q.Dept).Scan(&id, &path)
		if err != nil || !f.Covers(path, id, 0) {
			return nil, zhudun.Errorf(zhudun.ENOTFOUND, "department %s not found", q.Dept)
		}
		pred += " AND sd.path LIKE ?"
		args = append(args, path+"%")
		deptPath = path
	}
	if q.Round != 0 {
		if _, err := s.roundInScope(ctx, s, q.Round, zhudun.PermReportRead); err != nil {
			return nil, err
		}
		pred += " AND r.id = ?"
		args = append(args, q.Round)
	}
	ps := [2]periodArgs{newPeriod(from, to), newPeriod(lastYear(from), lastYear(to))}
	today := tx0Day(s.clock())

	// The schools of the scope (the round's plan, with a round): coverage.
	schoolsQ := `SELECT COUNT(*) FROM campus_schools sc JOIN depts sd ON sd.id = sc.station_id WHERE `
	spred, sargs, err := campusPred(ctx, zhudun.PermReportRead, "")
	if err != nil {
		return nil, err
	}
	schoolsQ += spred
	if q.Dept != "" {
		schoolsQ += " AND sd.path LIKE ?"
		sargs = append(sargs, deptPath+"%")
	}
	if q.Round != 0 {
		schoolsQ += " AND sc.id IN (SELECT school_id FROM campus_round_schools WHERE round_id = ?)"
		sargs = append(sargs, q.Round)
	}
	if err := s.queryRow(ctx, schoolsQ, sargs...).Scan(&rep.Schools); err != nil {
		return nil, s.internal("campus report schools", err)
	}

	total, err := s.campusCounts(ctx, "''", pred, args, ps, today)
	if err != nil {
		return nil, err
	}
	rep.CampusFigures = campusFigures(total[""])
	if rep.Schools > 0 {
		rep.Coverage = math.Round(rep.SchoolsInspected.Value/float64(rep.Schools)*1000) / 10
	}
	by := []*map[string]zhudun.CampusFigures{&rep.ByRound, &rep.ByGroup, &rep.ByDistrict, &rep.ByStation, &rep.ByType}
	for i, sl := range campusSlices {
		c, err := s.campusCounts(ctx, sl.key, pred, args, ps, today)
		if err != nil {
			return nil, err
		}
		m := map[string]zhudun.CampusFigures{}
		for k, v := range c {
			m[k] = campusFigures(v)
		}
		if sl.name == "type" {
			for _, t := range zhudun.SchoolTypes {
				if _, ok := m[t]; !ok {
					m[t] = campusFigures(nil)
				}
			}
		}
		*by[i] = m
	}
	return rep, nil
}

func campusFigures(v *[2][7]int64) zhudun.CampusFigures {
	if v == nil {
		v = &[2][7]int64{}
	}
	fig := func(i int) zhudun.Figure { return zhudun.NewFigure(float64(v[0][i]), float64(v[1][i])) }
	return zhudun.CampusFigures{SchoolsInspected: fig(0), Hazards: fig(1), SchoolsInvolved: fig(2), RectifiedOnSpot: fig(3),
		Notices: fig(4), Closed: fig(5), Overdue: fig(6)}
}

// campusCounts runs the three queries grouped by key and returns, per
// key, the seven counts of both periods.
func (s *Store) campusCounts(ctx context.Context, key, pred string, args []any, ps [2]periodArgs, today string) (campusCounts, error) {
	out := campusCounts{}
	join := ` JOIN campus_rounds r ON r.id = x.round_id JOIN campus_groups g ON g.id = r.group_id
		JOIN campus_schools sc ON sc.id = x.school_id JOIN depts sd ON sd.id = sc.station_id WHERE ` + pred
	in := func(i int) string { return inInstants(map[int]string{0: "x.at", 1: "x.found_at", 2: "x.issued_at"}[i]) }
	both := func(int) []any { return []any{ps[0].from, ps[0].to, ps[1].from, ps[1].to} }
	type q struct {
		sql   string
		args  []any
		slots []int
	}
	cnt := func(i int, cond string) string {
		return `COUNT(DISTINCT CASE WHEN ` + in(i) + cond + ` THEN x.id END), COUNT(DISTINCT CASE WHEN ` + in(i) + cond + ` THEN x.id END)`
	}
	dist := func(i int) string {
		return `COUNT(DISTINCT CASE WHEN ` + in(i) + ` THEN x.school_id END), COUNT(DISTINCT CASE WHEN ` + in(i) + ` THEN x.school_id END)`
	}
	group := ` GROUP BY ` + key
	if key == "''" {
		group = "" // PostgreSQL refuses a constant in GROUP BY: the total is one row anyway
	}
	where := func(i int) string { return ` AND (` + in(i) + ` OR ` + in(i) + `)` + group }
	cat := func(parts ...[]any) []any {
		var a []any
		for _, p := range parts {
			a = append(a, p...)
		}
		return a
	}
	qs := []q{
		{`SELECT ` + key + `, ` + dist(0) + ` FROM campus_visits x` + join + where(0), cat(both(0), args, both(0)), []int{0}},
		{`SELECT ` + key + `, ` + cnt(1, "") + `, ` + dist(1) + `, ` + cnt(1, " AND x.status = ?") + ` FROM campus_hazards x` + join + where(1),
			cat(both(1), both(1), []any{ps[0].from, ps[0].to, zhudun.HazardRectified, ps[1].from, ps[1].to, zhudun.HazardRectified}, args, both(1)), []int{1, 2, 3}},
		{`SELECT ` + key + `, ` + cnt(2, "") + `, ` + cnt(2, " AND x.status = ?") + `, ` + cnt(2, " AND x.status = ? AND x.deadline < ?") +
			` FROM campus_notices x` + join + where(2),
			cat(both(2), []any{ps[0].from, ps[0].to, zhudun.NoticeClosed, ps[1].from, ps[1].to, zhudun.NoticeClosed},
				[]any{ps[0].from, ps[0].to, zhudun.NoticeOpen, today, ps[1].from, ps[1].to, zhudun.NoticeOpen, today}, args, both(2)), []int{4, 5, 6}},
	}
	for _, x := range qs {
		rows, err := s.query(ctx, x.sql, x.args...)
		if err != nil {
			return nil, s.internal("campus report", err)
		}
		for rows.Next() {
			var k string
			vals := make([]int64, 2*len(x.slots))
			dest := []any{&k}
			for i := range vals {
				dest = append(dest, &vals[i])
			}
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return nil, s.internal("campus report scan", err)
			}
			c := out[k]
			if c == nil {
				c = &[2][7]int64{}
				out[k] = c
			}
			for i, slot := range x.slots {
				c[0][slot], c[1][slot] = vals[2*i], vals[2*i+1]
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, s.internal("campus report rows", err)
		}
	}
	return out, nil
}
