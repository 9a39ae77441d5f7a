package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/zhudun/zhudun"
)

// cyberFromRollup fills rep's figures from cyber_rollup (cyberrollup.go):
// for each period one read of the sums, and one of each distinct figure's
// keys, each an index range of (campaign, metric, day). The distinct
// figures count keys, never add daily counts: a person under measures on
// two days of the period is one person.
func (s *Store) cyberFromRollup(ctx context.Context, sc cyberScope, ps [2]periodArgs, rep *zhudun.CyberReport) error {
	// The scope as the departments' ids: a sub-bureau's figures are then
	// a few ranges of the (campaign, metric, dept, day) index instead of
	// the city's rows filtered.
	from, scope := ` FROM cyber_rollup r`, "1 = 1"
	var scopeArgs []any
	if sc.rollup != "1 = 1" {
		pred := strings.ReplaceAll(sc.rollup, "r.dept_id", "d.id")
		rows, err := sc.db.query(ctx, `SELECT d.id FROM depts d WHERE `+pred+` ORDER BY d.id`, sc.rargs...)
		if err != nil {
			return s.internal("cyber rollup scope", err)
		}
		var q sqlb
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return s.internal("cyber rollup scope scan", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return s.internal("cyber rollup scope rows", err)
		}
		var all int
		if err := sc.db.queryRow(ctx, `SELECT COUNT(*) FROM depts`).Scan(&all); err != nil {
			return s.internal("cyber rollup depts", err)
		}
		if len(ids) < all { // the whole city needs no list
			q.in("r.dept_id", idSet{ids: ids})
			scope, scopeArgs = q.b.String(), q.args
		}
	}
	where := func(p periodArgs, metric string) (string, []any) {
		args := []any{sc.campaign}
		m := `r.metric = ?`
		if metric == "" {
			m = `r.metric IN ('` + strings.Join([]string{rmReceived, rmFiled, rmSolved, rmTransferred, rmFundsTaken, rmFundsBack, rmSIM, rmDevices, rmUnlisted}, `', '`) + `')`
		} else {
			args = append(args, metric)
		}
		args = append(append(args, p.fromDay, p.toDay), scopeArgs...)
		return from + ` WHERE r.campaign_id = ? AND ` + m + ` AND r.day >= ? AND r.day < ? AND ` + scope, args
	}
	var res [2]rollupPeriod
	if sc.fork != nil {
		// last year's period on a second connection meanwhile, on the
		// same snapshot: the two periods' reads are independent and a
		// year's each (bench/cases)
		db2, done, err := sc.fork(ctx)
		if err != nil {
			return s.internal("cyber rollup fork", err)
		}
		defer done()
		errc := make(chan error, 1)
		go func() {
			var err error
			res[1], err = s.rollupPeriodFigures(ctx, db2, where, ps[1])
			errc <- err
		}()
		var err0 error
		res[0], err0 = s.rollupPeriodFigures(ctx, sc.db, where, ps[0])
		if err1 := <-errc; err0 == nil {
			err0 = err1
		}
		if err0 != nil {
			return err0
		}
	} else {
		for i, p := range ps {
			var err error
			if res[i], err = s.rollupPeriodFigures(ctx, sc.db, where, p); err != nil {
				return err
			}
		}
	}
	var sums [2]map[string]map[string]int64
	var coercive, caught [2]int64
	var byMeasure [2]map[string]int64
	var acc [2]struct{ all, wb, seized int64 }
	for i, r := range res {
		sums[i], coercive[i], caught[i], byMeasure[i] = r.sums, r.coercive, r.caught, r.byMeasure
		acc[i].all, acc[i].wb, acc[i].seized = r.accAll, r.accWB, r.accSeized
	}
	fig := func(a, b int64) zhudun.Figure { return zhudun.NewFigure(float64(a), float64(b)) }
	sum := func(i int, m string) (n int64) {
		for _, v := range sums[i][m] {
			n += v
		}
		return n
	}
	both := func(m string) zhudun.Figure { return fig(sum(0, m), sum(1, m)) }
	rep.CasesHandled, rep.CasesFiled, rep.CasesSolved, rep.CasesTransferred = both(rmReceived), both(rmFiled), both(rmSolved), both(rmTransferred)
	rep.PeopleCoercive = fig(coercive[0], coercive[1])
	rep.PeopleByMeasure = groups(zhudun.CoerciveMeasures, byMeasure)
	rep.SuspectsCaught = fig(caught[0], caught[1])
	taken, back := both(rmFundsTaken), both(rmFundsBack)
	rep.FundsSeizedFen = fig(sum(0, rmFundsTaken)-sum(0, rmFundsBack), sum(1, rmFundsTaken)-sum(1, rmFundsBack))
	rep.Funds = map[string]zhudun.Figure{"frozen_or_seized_fen": taken, "returned_fen": back}
	rep.SIMCardsSeized = both(rmSIM)
	rep.DevicesSeized = both(rmDevices)
	rep.DevicesByType = groups(zhudun.DeviceTypes, [2]map[string]int64{sums[0][rmDevices], sums[1][rmDevices]})
	unlisted := [2]int64{sum(0, rmUnlisted), sum(1, rmUnlisted)}
	rep.MaliciousAccounts = fig(acc[0].all+unlisted[0], acc[1].all+unlisted[1])
	rep.MaliciousParts = map[string]zhudun.Figure{
		"confirmed_in_workbench": fig(acc[0].wb, acc[1].wb),
		"seized":                 fig(acc[0].seized+unlisted[0], acc[1].seized+unlisted[1]),
	}
	return nil
}

// groups is figureGroups' map from the two periods' counts by key: every
// key of keys present (0 when none), and any other key counted.
func groups(keys []string, v [2]map[string]int64) map[string]zhudun.Figure {
	out := map[string]zhudun.Figure{}
	for _, k := range keys {
		out[k] = zhudun.NewFigure(float64(v[0][k]), float64(v[1][k]))
	}
	for i := range v {
		for k := range v[i] {
			if _, ok := out[k]; !ok {
				out[k] = zhudun.NewFigure(float64(v[0][k]), float64(v[1][k]))
			}
		}
	}
	return out
}

// rollupPeriod is one period's counts from the rollup.
type rollupPeriod struct {
	sums                     map[string]map[string]int64 // [metric][sub]
	coercive, caught         int64
	byMeasure                map[string]int64
	accAll, accWB, accSeized int64
}

// rollupPeriodFigures reads one period's counts on db.
func (s *Store) rollupPeriodFigures(ctx context.Context, db querier, where func(periodArgs, string) (string, []any), p periodArgs) (rollupPeriod, error) {
	out := rollupPeriod{sums: map[string]map[string]int64{}, byMeasure: map[string]int64{}}
	w, args := where(p, "")
	rows, err := db.query(ctx, `SELECT r.metric, r.sub, COALESCE(SUM(r.n), 0)`+w+` GROUP BY r.metric, r.sub`, args...)
	if err != nil {
		return out, s.internal("cyber rollup sums", err)
	}
	for rows.Next() {
		var m, sub string
		var n int64
		if err := rows.Scan(&m, &sub, &n); err != nil {
			rows.Close()
			return out, s.internal("cyber rollup sums scan", err)
		}
		if out.sums[m] == nil {
			out.sums[m] = map[string]int64{}
		}
		out.sums[m][sub] += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, s.internal("cyber rollup sums rows", err)
	}

	// the people in all (sub NULL) and by measure: on PostgreSQL in one
	// read (GROUPING SETS), on SQLite in two
	w, args = where(p, rmCoercive)
	q := `SELECT r.sub, COUNT(DISTINCT r.k)` + w + ` GROUP BY GROUPING SETS ((), (r.sub))`
	if s.dialect.Name() != "postgres" {
		q = `SELECT NULL, COUNT(DISTINCT r.k)` + w + ` UNION ALL SELECT r.sub, COUNT(DISTINCT r.k)` + w + ` GROUP BY r.sub`
		args = append(args, args...)
	}
	rows, err = db.query(ctx, q, args...)
	if err != nil {
		return out, s.internal("cyber rollup by measure", err)
	}
	for rows.Next() {
		var k sql.NullString
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			rows.Close()
			return out, s.internal("cyber rollup by measure scan", err)
		}
		if !k.Valid {
			out.coercive = n
		} else {
			out.byMeasure[k.String] = n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, s.internal("cyber rollup by measure rows", err)
	}

	w, args = where(p, rmCaught)
	if err := db.queryRow(ctx, `SELECT COUNT(DISTINCT r.k)`+w, args...).Scan(&out.caught); err != nil {
		return out, s.internal("cyber rollup caught", err)
	}

	// each account once, and once on each side it was found on (distinct
	// counts sort the keys: faster on PostgreSQL than hashing a year's
	// accounts with their flags, bench/cases)
	w, args = where(p, rmAccounts)
	err = db.queryRow(ctx, `SELECT COUNT(DISTINCT r.k), COUNT(DISTINCT CASE WHEN r.sub = '`+subWorkbench+`' THEN r.k END),
		COUNT(DISTINCT CASE WHEN r.sub = '`+subSeized+`' THEN r.k END)`+w, args...).Scan(&out.accAll, &out.accWB, &out.accSeized)
	if err != nil {
		return out, s.internal("cyber rollup accounts", err)
	}
	return out, nil
}
