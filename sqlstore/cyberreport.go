package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/zhudun/zhudun"
)

// The campaign figures of the cyber cases (issue 12 item 5, docs/cases.md
// "Campaign figures"). One query per figure, each counting both periods at
// once with conditional aggregation; the scope is the case's owning
// department (the finding's, for the workbench's accounts). Merged
// duplicates are left out everywhere: their people, measures and seizures
// moved to the survivor, which counts them.

// cyberScope is what every figure's query shares: the cases of the scope.
type cyberScope struct {
	cases    string // predicate over c (cases) and d (its department)
	args     []any
	findings string // predicate over f (findings) and d
	fargs    []any
	rollup   string // predicate over r (cyber_rollup) and d
	rargs    []any
	campaign int64
	db       querier // the report's read transaction on PostgreSQL
	// fork, on PostgreSQL, opens a second read transaction on db's
	// snapshot (the rollup counts last year's period on it meanwhile)
	fork func(ctx context.Context) (querier, func(), error)
}

// snapshotRE is what pg_export_snapshot returns (put into SET
// TRANSACTION SNAPSHOT as a literal: it takes no parameter).
var snapshotRE = regexp.MustCompile(`^[0-9A-F]+-[0-9A-F]+(-[0-9A-F]+)?$`)

// periodArgs are one period's bounds, as instants and as days.
type periodArgs struct {
	from, to       time.Time // UTC instants, to exclusive
	fromDay, toDay string    // 'YYYY-MM-DD', toDay exclusive
}

func newPeriod(from, to time.Time) periodArgs {
	return periodArgs{from.UTC(), to.UTC(), from.Format("2006-01-02"), to.Format("2006-01-02")}
}

// CyberReport computes the cyber figures of the days q.From..q.To (China
// time, both included) within the caller's report:read scope, narrowed to
// q.Dept's subtree (404 outside the scope) and to q.Campaign's cases (404
// for a campaign the caller does not see), beside the same days of last
// year. It reads the rollup (cyberrollup.go).
func (s *Store) CyberReport(ctx context.Context, q zhudun.CyberReportQuery) (*zhudun.CyberReport, error) {
	return s.cyberReport(ctx, q, false)
}

// CyberReportDirect is CyberReport counted from the cases, people,
// measures, seizures and findings themselves, as it was before the rollup:
// the reference the rollup's tests compare with, seconds slower at a city's
// scale (docs/cases.md "Scale").
func (s *Store) CyberReportDirect(ctx context.Context, q zhudun.CyberReportQuery) (*zhudun.CyberReport, error) {
	return s.cyberReport(ctx, q, true)
}

func (s *Store) cyberReport(ctx context.Context, q zhudun.CyberReportQuery, direct bool) (*zhudun.CyberReport, error) {
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
	var sc cyberScope
	if sc.cases, sc.args, err = scopeSQL(f, caseCols); err != nil {
		return nil, err
	}
	if sc.findings, sc.fargs, err = scopeSQL(f, scopeCols{Path: "d.path", DeptID: "f.dept_id"}); err != nil {
		return nil, err
	}
	if sc.rollup, sc.rargs, err = scopeSQL(f, scopeCols{Path: "d.path", DeptID: "r.dept_id"}); err != nil {
		return nil, err
	}
	rep := &zhudun.CyberReport{From: from, To: to}
	if q.Dept != "" {
		var id int64
		var path, name string
		err := s.queryRow(ctx, `SELECT id, path, name FROM depts WHERE code = ?`, q.Dept).Scan(&id, &path, &name)
		if err != nil || !f.Covers(path, id, 0) {
			return nil, zhudun.Errorf(zhudun.ENOTFOUND, "department %s not found", q.Dept)
		}
		rep.Scope = name + "及下属单位"
		sc.cases += " AND d.path LIKE ?"
		sc.args = append(sc.args, path+"%")
		sc.findings += " AND d.path LIKE ?"
		sc.fargs = append(sc.fargs, path+"%")
		sc.rollup += " AND d.path LIKE ?"
		sc.rargs = append(sc.rargs, path+"%")
		rep.Dept = q.Dept
	}
	if q.Dept == "" {
		switch c := zhudun.CallerFrom(ctx); {
		case f.Kind == zhudun.ScopeAll:
			rep.Scope = "全部单位"
		default:
			var name string
			if err := s.queryRow(ctx, `SELECT name FROM depts WHERE id = ?`, c.DeptID).Scan(&name); err != nil {
				return nil, s.internal("cyber report dept", err)
			}
			rep.Scope = name
			if f.Kind == zhudun.ScopeSubtree {
				rep.Scope += "及下属单位"
			}
		}
	}
	if q.Campaign != 0 {
		// A campaign the caller sees: of a department in its scope, or
		// reaching its own department (as FindCampaigns lists them).
		pred, args, err := scopeSQL(f, scopeCols{Path: "d.path", DeptID: "p.dept_id"})
		if err != nil {
			return nil, err
		}
		cp, err := scanCampaign(s.queryRow(ctx, campaignSelect+` WHERE p.id = ? AND (`+pred+` OR ? LIKE d.path || '%')`,
			append(append([]any{q.Campaign}, args...), zhudun.CallerFrom(ctx).DeptPath)...))
		if errors.Is(err, sql.ErrNoRows) {
			return nil, zhudun.Errorf(zhudun.ENOTFOUND, "campaign %d not found", q.Campaign)
		}
		if err != nil {
			return nil, s.internal("cyber report campaign", err)
		}
		rep.Campaign = cp
		sc.campaign = cp.ID
		sc.cases += " AND c.id IN (SELECT case_id FROM case_campaigns WHERE campaign_id = ?)"
		sc.args = append(sc.args, cp.ID)
	}
	sc.cases += " AND c.status <> '" + zhudun.CaseMerged + "'"
	sc.db = s
	if s.dialect.Name() == "postgres" {
		// The figures hash and sort a year's cases, people and accounts
		// (hundreds of thousands of rows at 200,000 cases): in the default
		// 4 MB of work memory each hash join and aggregate spilled to disk
		// in batches (bench/cases). One read-only transaction at
		// REPEATABLE READ, which also gives every figure the same snapshot.
		tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
		if err != nil {
			return nil, s.internal("cyber report begin", err)
		}
		defer tx.Rollback()
		rt := &Tx{Tx: tx, s: s}
		// Planned with the period's and campaign's values, never a generic
		// plan: the campaign's accounts under a generic plan ran for minutes
		// where the custom one takes seconds (bench/cases).
		for _, set := range []string{`SET LOCAL work_mem = '64MB'`, `SET LOCAL plan_cache_mode = force_custom_plan`} {
			if _, err := rt.exec(ctx, set); err != nil {
				return nil, s.internal("cyber report settings", err)
			}
		}
		sc.db = rt
		sc.fork = func(ctx context.Context) (querier, func(), error) {
			var snap string
			if err := rt.queryRow(ctx, `SELECT pg_export_snapshot()`).Scan(&snap); err != nil {
				return nil, nil, err
			}
			if !snapshotRE.MatchString(snap) {
				return nil, nil, fmt.Errorf("snapshot id %q", snap)
			}
			tx2, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
			if err != nil {
				return nil, nil, err
			}
			ft := &Tx{Tx: tx2, s: s}
			for _, set := range []string{`SET TRANSACTION SNAPSHOT '` + snap + `'`, `SET LOCAL work_mem = '64MB'`, `SET LOCAL plan_cache_mode = force_custom_plan`} {
				if _, err := ft.exec(ctx, set); err != nil {
					tx2.Rollback()
					return nil, nil, err
				}
			}
			return ft, func() { tx2.Rollback() }, nil
		}
	}
	ps := [2]periodArgs{newPeriod(from, to), newPeriod(lastYear(from), lastYear(to))}
	if !direct {
		return rep, s.cyberFromRollup(ctx, sc, ps, rep)
	}

	for _, x := range []struct {
		col string
		fig *zhudun.Figure
	}{{"received_at", &rep.CasesHandled}, {"filed_at", &rep.CasesFiled}, {"solved_at", &rep.CasesSolved}, {"transferred_at", &rep.CasesTransferred}} {
		if *x.fig, err = s.cyberCaseStep(ctx, sc, ps, x.col); err != nil {
			return nil, err
		}
	}
	if rep.PeopleCoercive, rep.PeopleByMeasure, err = s.cyberPeopleCoercive(ctx, sc, ps); err != nil {
		return nil, err
	}
	if rep.SuspectsCaught, err = s.cyberSuspectsCaught(ctx, sc, ps); err != nil {
		return nil, err
	}
	if rep.FundsSeizedFen, rep.Funds, err = s.cyberFunds(ctx, sc, ps); err != nil {
		return nil, err
	}
	if rep.SIMCardsSeized, err = s.cyberSIMCards(ctx, sc, ps); err != nil {
		return nil, err
	}
	if rep.DevicesSeized, rep.DevicesByType, err = s.cyberDevices(ctx, sc, ps); err != nil {
		return nil, err
	}
	if rep.MaliciousAccounts, rep.MaliciousParts, err = s.cyberAccounts(ctx, sc, ps); err != nil {
		return nil, err
	}
	return rep, nil
}

// figurePair scans one row of (this period, last year) into a Figure.
func (s *Store) figurePair(ctx context.Context, sc cyberScope, what, q string, args ...any) (zhudun.Figure, error) {
	var cur, last int64
	if err := sc.db.queryRow(ctx, q, args...).Scan(&cur, &last); err != nil {
		return zhudun.Figure{}, s.internal("cyber report "+what, err)
	}
	return zhudun.NewFigure(float64(cur), float64(last)), nil
}

// figureGroups scans rows of (key, this period, last year) into Figures,
// every key of keys present (0 when no row).
func (s *Store) figureGroups(ctx context.Context, sc cyberScope, what string, keys []string, q string, args ...any) (map[string]zhudun.Figure, error) {
	raw := map[string][2]int64{}
	rows, err := sc.db.query(ctx, q, args...)
	if err != nil {
		return nil, s.internal("cyber report "+what, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var v [2]int64
		if err := rows.Scan(&k, &v[0], &v[1]); err != nil {
			return nil, s.internal("cyber report "+what+" scan", err)
		}
		raw[k] = v
	}
	if err := rows.Err(); err != nil {
		return nil, s.internal("cyber report "+what+" rows", err)
	}
	out := map[string]zhudun.Figure{}
	for _, k := range keys {
		out[k] = zhudun.NewFigure(float64(raw[k][0]), float64(raw[k][1]))
	}
	for k, v := range raw {
		if _, ok := out[k]; !ok {
			out[k] = zhudun.NewFigure(float64(v[0]), float64(v[1]))
		}
	}
	return out, nil
}

// inInstants is "col >= ? AND col < ?" for a timestamp col.
func inInstants(col string) string { return "(" + col + " >= ? AND " + col + " < ?)" }

// cyberCaseStep counts the cases whose step col (received_at, filed_at,
// solved_at, transferred_at) was taken in each period: by the time of that
// step, whatever happened to the case since (a case filed in December and
// solved in January is filed in December's figures and solved in
// January's; a filing later revoked still was a filing).
func (s *Store) cyberCaseStep(ctx context.Context, sc cyberScope, ps [2]periodArgs, col string) (zhudun.Figure, error) {
	c := "c." + col
	q := `SELECT COALESCE(SUM(CASE WHEN ` + inInstants(c) + ` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + inInstants(c) + ` THEN 1 ELSE 0 END), 0)
		FROM cases c JOIN depts d ON d.id = c.dept_id
		WHERE ` + sc.cases + ` AND (` + inInstants(c) + ` OR ` + inInstants(c) + `)`
	args := []any{ps[0].from, ps[0].to, ps[1].from, ps[1].to}
	args = append(args, sc.args...)
	args = append(args, ps[0].from, ps[0].to, ps[1].from, ps[1].to)
	return s.figurePair(ctx, sc, col, q, args...)
}

// inDays is "col >= ? AND col < ?" for day text 'YYYY-MM-DD'.
func inDays(col string) string { return "(" + col + " >= ? AND " + col + " < ?)" }

// inEitherPeriod is "col in this period or last year's" for day text, with
// dayArgs: what lets a figure read the periods' rows on an index instead of
// every year's (migration 0022).
func inEitherPeriod(col string) string { return "(" + inDays(col) + " OR " + inDays(col) + ")" }

func dayArgs(ps [2]periodArgs) []any {
	return []any{ps[0].fromDay, ps[0].toDay, ps[1].fromDay, ps[1].toDay}
}

// cyberPeopleCoercive counts the distinct people with a criminal coercive
// measure (the five kinds; a summons is stored with coercive = false and
// never counts) whose first day (from_day) is in the period: a person counts
// once however many measures and cases, and once in each kind they were
// under (so the kinds may add up to more than the total).
func (s *Store) cyberPeopleCoercive(ctx context.Context, sc cyberScope, ps [2]periodArgs) (zhudun.Figure, map[string]zhudun.Figure, error) {
	sel := `COUNT(DISTINCT CASE WHEN ` + inDays("m.from_day") + ` THEN m.person_id END),
		COUNT(DISTINCT CASE WHEN ` + inDays("m.from_day") + ` THEN m.person_id END)
		FROM case_measures m JOIN cases c ON c.id = m.case_id JOIN depts d ON d.id = c.dept_id
		WHERE m.coercive = ? AND ` + sc.cases + ` AND (` + inDays("m.from_day") + ` OR ` + inDays("m.from_day") + `)`
	args := append(dayArgs(ps), true)
	args = append(args, sc.args...)
	args = append(args, dayArgs(ps)...)
	total, err := s.figurePair(ctx, sc, "people coercive", `SELECT `+sel, args...)
	if err != nil {
		return total, nil, err
	}
	by, err := s.figureGroups(ctx, sc, "people by measure", zhudun.CoerciveMeasures, `SELECT m.kind, `+sel+` GROUP BY m.kind`, args...)
	return total, by, err
}

// cyberSuspectsCaught counts the distinct suspects whose apprehension day
// (case_people.apprehended_on, 抓获) is in the period; a person caught in
// two cases counts once.
func (s *Store) cyberSuspectsCaught(ctx context.Context, sc cyberScope, ps [2]periodArgs) (zhudun.Figure, error) {
	q := `SELECT COUNT(DISTINCT CASE WHEN ` + inDays("cp.apprehended_on") + ` THEN cp.person_id END),
		COUNT(DISTINCT CASE WHEN ` + inDays("cp.apprehended_on") + ` THEN cp.person_id END)
		FROM case_people cp JOIN cases c ON c.id = cp.case_id JOIN depts d ON d.id = c.dept_id
		WHERE cp.role = ? AND ` + sc.cases + ` AND (` + inDays("cp.apprehended_on") + ` OR ` + inDays("cp.apprehended_on") + `)`
	args := append(dayArgs(ps), zhudun.RoleSuspect)
	args = append(args, sc.args...)
	args = append(args, dayArgs(ps)...)
	return s.figurePair(ctx, sc, "suspects caught", q, args...)
}

// fundsTakenDay is the day a funds record's money was taken: frozen, or
// seized when it was not frozen first (” for a record of a return only).
const fundsTakenDay = `COALESCE(NULLIF(s.frozen_on, ''), s.seized_on)`

// cyberFunds is the money held: fen frozen or seized in the period (each
// funds record once, on the day it was taken: frozen_on, else seized_on)
// less fen returned in the period (records in state returned, on
// returned_on). A record that was frozen and returned carries both days and
// nets to zero over a period holding both; a record of a return only
// subtracts from the period it was returned in, so a period may be
// negative. The breakdown has both sides.
func (s *Store) cyberFunds(ctx context.Context, sc cyberScope, ps [2]periodArgs) (zhudun.Figure, map[string]zhudun.Figure, error) {
	taken := func() string {
		return `COALESCE(SUM(CASE WHEN ` + inDays(fundsTakenDay) + ` THEN s.amount_fen ELSE 0 END), 0)`
	}
	returned := `COALESCE(SUM(CASE WHEN s.state = '` + zhudun.FundsReturned + `' AND ` + inDays("s.returned_on") + ` THEN s.amount_fen ELSE 0 END), 0)`
	q := `SELECT ` + taken() + `, ` + taken() + `, ` + returned + `, ` + returned + `
		FROM case_seizures s JOIN cases c ON c.id = s.case_id JOIN depts d ON d.id = c.dept_id
		WHERE s.kind = ? AND ` + sc.cases + ` AND (` + inEitherPeriod("s.frozen_on") + ` OR ` + inEitherPeriod("s.seized_on") + ` OR ` + inEitherPeriod("s.returned_on") + `)`
	args := append(dayArgs(ps), dayArgs(ps)...)
	args = append(args, zhudun.SeizureFunds)
	args = append(args, sc.args...)
	// a record counts only by one of its days in a period (the day taken
	// is frozen_on, else seized_on): the others are left to the indexes
	args = append(args, dayArgs(ps)...)
	args = append(args, dayArgs(ps)...)
	args = append(args, dayArgs(ps)...)
	var v [4]int64
	if err := sc.db.queryRow(ctx, q, args...).Scan(&v[0], &v[1], &v[2], &v[3]); err != nil {
		return zhudun.Figure{}, nil, s.internal("cyber report funds", err)
	}
	return zhudun.NewFigure(float64(v[0]-v[2]), float64(v[1]-v[3])), map[string]zhudun.Figure{
		"frozen_or_seized_fen": zhudun.NewFigure(float64(v[0]), float64(v[1])),
		"returned_fen":         zhudun.NewFigure(float64(v[2]), float64(v[3])),
	}, nil
}

// cyberSIMCards sums the count of SIM-card seizures made (seized_on) in
// the period.
func (s *Store) cyberSIMCards(ctx context.Context, sc cyberScope, ps [2]periodArgs) (zhudun.Figure, error) {
	q := `SELECT COALESCE(SUM(CASE WHEN ` + inDays("s.seized_on") + ` THEN s.count ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + inDays("s.seized_on") + ` THEN s.count ELSE 0 END), 0)
		FROM case_seizures s JOIN cases c ON c.id = s.case_id JOIN depts d ON d.id = c.dept_id
		WHERE s.kind = ? AND ` + sc.cases + ` AND ` + inEitherPeriod("s.seized_on")
	args := append(dayArgs(ps), zhudun.SeizureSIMCards)
	args = append(args, sc.args...)
	return s.figurePair(ctx, sc, "sim cards", q, append(args, dayArgs(ps)...)...)
}

// cyberDevices sums the count of device seizures made in the period, in
// all and by device type (cat_pool, goip, phone, computer, server).
func (s *Store) cyberDevices(ctx context.Context, sc cyberScope, ps [2]periodArgs) (zhudun.Figure, map[string]zhudun.Figure, error) {
	sel := `COALESCE(SUM(CASE WHEN ` + inDays("s.seized_on") + ` THEN s.count ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + inDays("s.seized_on") + ` THEN s.count ELSE 0 END), 0)
		FROM case_seizures s JOIN cases c ON c.id = s.case_id JOIN depts d ON d.id = c.dept_id
		WHERE s.kind = ? AND ` + sc.cases + ` AND ` + inEitherPeriod("s.seized_on")
	args := append(dayArgs(ps), zhudun.SeizureDevices)
	args = append(args, sc.args...)
	args = append(args, dayArgs(ps)...)
	by, err := s.figureGroups(ctx, sc, "devices by type", zhudun.DeviceTypes, `SELECT s.device_type, `+sel+` GROUP BY s.device_type`, args...)
	if err != nil {
		return zhudun.Figure{}, nil, err
	}
	var cur, last float64
	for _, f := range by {
		cur, last = cur+f.Value, last+f.LastYear
	}
	return zhudun.NewFigure(cur, last), by, nil
}

// cyberAccounts counts the malicious accounts found in the period, each
// account once: the union, by the account string as the workbench writes it
// ("platform:account", e.g. "wechat:w1"), of
//
//   - the workbench's: findings of category black_account confirmed in the
//     period within the scope (the finding's department), the confirmation
//     standing — not dismissed or restored on appeal since (the Four Cuts
//     figure, sqlstore/fourcutsreport.go); with a campaign, only those a
//     case of the campaign holds (case_entities);
//   - the seized: the listed items of account seizures made in the period
//     in the scope's cases,
//
// plus the accounts a seizure counts without listing them (count minus
// items), which cannot be told apart and add as they are. The per-dialect
// part is only the expansion of the items' JSON array.
func (s *Store) cyberAccounts(ctx context.Context, sc cyberScope, ps [2]periodArgs) (zhudun.Figure, map[string]zhudun.Figure, error) {
	// The JSON text is parsed as json, not jsonb: the items are only
	// walked, and building jsonb cost more than the walk (bench/cases).
	expand, length := `JOIN json_each(s.items) j`, `json_array_length(s.items)`
	if s.dialect.Name() == "postgres" {
		expand, length = `CROSS JOIN LATERAL json_array_elements_text(s.items::json) AS j(value)`, `json_array_length(s.items::json)`
	}
	// One pass over both periods: each account once (GROUP BY, as UNION
	// would), flagged by where and when it was found; the four sets are
	// counted from the flags. w0/s0: this period's workbench and seized,
	// w1/s1 last year's.
	// (each flag's bounds are its period's: the arguments follow in order)
	flag := `CASE WHEN ` + inInstants("f.confirmed_at") + ` THEN 1 ELSE 0 END`
	dayFlag := `CASE WHEN ` + inDays("s.seized_on") + ` THEN 1 ELSE 0 END`
	workbench := `SELECT f.entity AS a, ` + flag + ` AS w0, 0 AS s0, ` + flag + ` AS w1, 0 AS s1
		FROM findings f JOIN depts d ON d.id = f.dept_id
		WHERE f.kind = ? AND f.category = 'black_account' AND f.review NOT IN (?, ?) AND f.confirmed_at IS NOT NULL
		AND (` + inInstants("f.confirmed_at") + ` OR ` + inInstants("f.confirmed_at") + `) AND ` + sc.findings
	args := []any{ps[0].from, ps[0].to, ps[1].from, ps[1].to, zhudun.KindFinding, zhudun.ReviewDismissed, zhudun.ReviewRestored,
		ps[0].from, ps[0].to, ps[1].from, ps[1].to}
	args = append(args, sc.fargs...)
	if sc.campaign != 0 {
		workbench += ` AND f.id IN (SELECT ce.finding_id FROM case_entities ce JOIN case_campaigns cc ON cc.case_id = ce.case_id
			JOIN cases cx ON cx.id = ce.case_id WHERE cc.campaign_id = ? AND cx.status <> ? AND ce.finding_id IS NOT NULL)`
		args = append(args, sc.campaign, zhudun.CaseMerged)
	}
	seizedFrom := ` FROM case_seizures s JOIN cases c ON c.id = s.case_id JOIN depts d ON d.id = c.dept_id `
	seizedWhere := ` WHERE s.kind = ? AND ` + sc.cases + ` AND ` + inEitherPeriod("s.seized_on")
	sargs := append(append([]any{zhudun.SeizureAccounts}, sc.args...), dayArgs(ps)...)
	seized := `SELECT j.value AS a, 0, ` + dayFlag + `, 0, ` + dayFlag + seizedFrom + expand + seizedWhere
	args = append(append(args, dayArgs(ps)...), sargs...)
	var v [2]struct{ all, wb, listed, unlisted int64 }
	err := sc.db.queryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN w0 + s0 > 0 THEN 1 ELSE 0 END), 0), COALESCE(SUM(w0), 0), COALESCE(SUM(s0), 0),
		COALESCE(SUM(CASE WHEN w1 + s1 > 0 THEN 1 ELSE 0 END), 0), COALESCE(SUM(w1), 0), COALESCE(SUM(s1), 0)
		FROM (SELECT a, MAX(w0) AS w0, MAX(s0) AS s0, MAX(w1) AS w1, MAX(s1) AS s1 FROM (`+workbench+` UNION ALL `+seized+`) u GROUP BY a) g`,
		args...).Scan(&v[0].all, &v[0].wb, &v[0].listed, &v[1].all, &v[1].wb, &v[1].listed)
	if err != nil {
		return zhudun.Figure{}, nil, s.internal("cyber report accounts", err)
	}
	// the accounts a seizure counts without listing them
	unlisted := `COALESCE(SUM(CASE WHEN ` + inDays("s.seized_on") + ` THEN s.count - ` + length + ` ELSE 0 END), 0)`
	if err := sc.db.queryRow(ctx, `SELECT `+unlisted+`, `+unlisted+seizedFrom+seizedWhere, append(dayArgs(ps), sargs...)...).
		Scan(&v[0].unlisted, &v[1].unlisted); err != nil {
		return zhudun.Figure{}, nil, s.internal("cyber report accounts unlisted", err)
	}
	fig := func(f func(int) int64) zhudun.Figure { return zhudun.NewFigure(float64(f(0)), float64(f(1))) }
	return fig(func(i int) int64 { return v[i].all + v[i].unlisted }), map[string]zhudun.Figure{
		"confirmed_in_workbench": fig(func(i int) int64 { return v[i].wb }),
		"seized":                 fig(func(i int) int64 { return v[i].listed + v[i].unlisted }),
	}, nil
}
