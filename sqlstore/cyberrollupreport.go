package sqlstore

import (
	"context"
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
		q.in("r.dept_id", idSet{ids: ids})
		scope, scopeArgs = q.b.String(), q.args
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
	// [period][metric][sub] sums, and the distinct counts
	var sums [2]map[string]map[string]int64
	var coercive, caught [2]int64
	var byMeasure [2]map[string]int64
	var acc [2]struct{ all, wb, seized int64 }
	for i, p := range ps {
		w, args := where(p, "")
		rows, err := sc.db.query(ctx, `SELECT r.metric, r.sub, COALESCE(SUM(r.n), 0)`+w+` GROUP BY r.metric, r.sub`, args...)
		if err != nil {
			return s.internal("cyber rollup sums", err)
		}
		sums[i] = map[string]map[string]int64{}
		for rows.Next() {
			var m, sub string
			var n int64
			if err := rows.Scan(&m, &sub, &n); err != nil {
				rows.Close()
				return s.internal("cyber rollup sums scan", err)
			}
			if sums[i][m] == nil {
				sums[i][m] = map[string]int64{}
			}
			sums[i][m][sub] += n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return s.internal("cyber rollup sums rows", err)
		}

		w, args = where(p, rmCoercive)
		if err := sc.db.queryRow(ctx, `SELECT COUNT(DISTINCT r.k)`+w, args...).Scan(&coercive[i]); err != nil {
			return s.internal("cyber rollup coercive", err)
		}
		byMeasure[i] = map[string]int64{}
		rows, err = sc.db.query(ctx, `SELECT r.sub, COUNT(DISTINCT r.k)`+w+` GROUP BY r.sub`, args...)
		if err != nil {
			return s.internal("cyber rollup by measure", err)
		}
		for rows.Next() {
			var k string
			var n int64
			if err := rows.Scan(&k, &n); err != nil {
				rows.Close()
				return s.internal("cyber rollup by measure scan", err)
			}
			byMeasure[i][k] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return s.internal("cyber rollup by measure rows", err)
		}

		w, args = where(p, rmCaught)
		if err := sc.db.queryRow(ctx, `SELECT COUNT(DISTINCT r.k)`+w, args...).Scan(&caught[i]); err != nil {
			return s.internal("cyber rollup caught", err)
		}

		// each account once, and once on each side it was found on (three
		// distinct counts sort the keys: faster on PostgreSQL than hashing
		// a year's accounts with their flags, bench/cases)
		w, args = where(p, rmAccounts)
		err = sc.db.queryRow(ctx, `SELECT COUNT(DISTINCT r.k), COUNT(DISTINCT CASE WHEN r.sub = '`+subWorkbench+`' THEN r.k END),
			COUNT(DISTINCT CASE WHEN r.sub = '`+subSeized+`' THEN r.k END)`+w, args...).Scan(&acc[i].all, &acc[i].wb, &acc[i].seized)
		if err != nil {
			return s.internal("cyber rollup accounts", err)
		}
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
