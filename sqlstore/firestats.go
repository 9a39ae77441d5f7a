package sqlstore

import (
	"context"
	"database/sql"
	"math"
	"slices"
	"time"

	"github.com/zhudun/zhudun"
)

// The e-bike fire statistics (issue 15 item 4, docs/fire.md "Statistics"),
// within the caller's report:read scope on the report's station:
//
//	reports           reports received in the period
//	dissuaded         dissuade steps recorded in the period
//	referred          refer steps
//	ordered           order steps
//	corrected         correct steps and resolve steps (corrected after dissuasion)
//	penalties         penalize steps; penalty_fen their amounts
//	repeat_locations  distinct places flagged as a repeat location in the period
//	median_close_hours  median hours from received to closed of the reports closed in the period
//
// Each beside the same days of last year. The rows of both periods are
// read once and counted here: a city's year is tens of thousands of rows.

type fireTally struct {
	n      [2][7]int64 // reports, dissuaded, referred, ordered, corrected, penalties, penalty_fen
	places [2]map[int64]bool
	close  [2][]float64
}

func (t *fireTally) figures() zhudun.FireFigures {
	fig := func(i int) zhudun.Figure {
		return zhudun.Figure{Value: float64(t.n[0][i]), LastYear: float64(t.n[1][i]), ChangePct: pct(t.n[0][i], t.n[1][i])}
	}
	rp := zhudun.Figure{Value: float64(len(t.places[0])), LastYear: float64(len(t.places[1])),
		ChangePct: pct(int64(len(t.places[0])), int64(len(t.places[1])))}
	med := [2]float64{median(t.close[0]), median(t.close[1])}
	mf := zhudun.Figure{Value: med[0], LastYear: med[1]}
	if med[1] > 0 {
		v := math.Round((med[0]-med[1])/med[1]*1000) / 10
		mf.ChangePct = &v
	}
	return zhudun.FireFigures{Reports: fig(0), Dissuaded: fig(1), Referred: fig(2), Ordered: fig(3), Corrected: fig(4),
		Penalties: fig(5), PenaltyFen: fig(6), RepeatLocations: rp, MedianCloseHours: mf}
}

// median of hours, one decimal; 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	m := xs[len(xs)/2]
	if len(xs)%2 == 0 {
		m = (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
	}
	return math.Round(m*10) / 10
}

// FireStats computes the figures of the days q.From..q.To (China time,
// both included) within the caller's report:read scope, narrowed to
// q.Dept's subtree (ENOTFOUND outside the scope), per station, district
// (sub-bureau) and service, beside the same days of last year.
func (s *Store) FireStats(ctx context.Context, q zhudun.FireReportQuery) (*zhudun.FireStats, error) {
	f, err := zhudun.ScopeFor(ctx, zhudun.PermReportRead)
	if err != nil {
		return nil, err
	}
	from, to, err := reportDays(q.From, q.To)
	if err != nil {
		return nil, err
	}
	pred, args, err := scopeSQL(f, scopeCols{Path: "sd.path", DeptID: "fr.station_id"})
	if err != nil {
		return nil, err
	}
	if q.Dept != "" {
		var id int64
		var path string
		if err := s.queryRow(ctx, `SELECT id, path FROM depts WHERE code = ?`, q.Dept).Scan(&id, &path); err != nil || !f.Covers(path, id, 0) {
			return nil, zhudun.Errorf(zhudun.ENOTFOUND, "department %s not found", q.Dept)
		}
		pred += " AND sd.path LIKE ?"
		args = append(args, path+"%")
	}
	win := [2][2]time.Time{{from.UTC(), to.UTC()}, {lastYear(from).UTC(), lastYear(to).UTC()}}
	period := func(t time.Time) int {
		for i, w := range win {
			if !t.Before(w[0]) && t.Before(w[1]) {
				return i
			}
		}
		return -1
	}
	st := &zhudun.FireStats{From: from, To: to, Dept: q.Dept}
	tallies := map[string]*fireTally{}
	get := func(k string) *fireTally {
		t := tallies[k]
		if t == nil {
			t = &fireTally{places: [2]map[int64]bool{{}, {}}}
			tallies[k] = t
		}
		return t
	}
	keys := func(station, district, service string) []string {
		return []string{"", "s:" + station, "d:" + district, "v:" + service}
	}
	base := ` FROM fire_reports fr JOIN depts sd ON sd.id = fr.station_id LEFT JOIN depts pd ON pd.id = sd.parent_id
		JOIN fire_places fp ON fp.id = fr.place_id WHERE ` + pred
	// Reports received, closed, and their places flagged, in either period.
	rows, err := s.query(ctx, `SELECT fr.place_id, sd.code, COALESCE(pd.code, ''), fr.service_code, fr.requested_at, fr.closed_at, fp.flagged_at`+base+
		` AND ((fr.requested_at >= ? AND fr.requested_at < ?) OR (fr.requested_at >= ? AND fr.requested_at < ?)
		OR (fr.closed_at >= ? AND fr.closed_at < ?) OR (fr.closed_at >= ? AND fr.closed_at < ?))`,
		append(args, win[0][0], win[0][1], win[1][0], win[1][1], win[0][0], win[0][1], win[1][0], win[1][1])...)
	if err != nil {
		return nil, s.internal("fire stats reports", err)
	}
	for rows.Next() {
		var place int64
		var station, district, service string
		var req time.Time
		var closed, flagged sql.NullTime
		if err := rows.Scan(&place, &station, &district, &service, &req, &closed, &flagged); err != nil {
			rows.Close()
			return nil, s.internal("fire stats scan", err)
		}
		for _, k := range keys(station, district, service) {
			t := get(k)
			if p := period(req); p >= 0 {
				t.n[p][0]++
				if flagged.Valid && period(flagged.Time) == p {
					t.places[p][place] = true
				}
			}
			if closed.Valid {
				if p := period(closed.Time); p >= 0 {
					t.close[p] = append(t.close[p], closed.Time.Sub(req).Hours())
				}
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.internal("fire stats rows", err)
	}
	// Steps recorded in either period.
	srows, err := s.query(ctx, `SELECT st.action, st.amount_fen, st.at, sd.code, COALESCE(pd.code, ''), fr.service_code FROM fire_steps st
		JOIN fire_reports fr ON fr.id = st.report_id JOIN depts sd ON sd.id = fr.station_id LEFT JOIN depts pd ON pd.id = sd.parent_id
		WHERE `+pred+` AND ((st.at >= ? AND st.at < ?) OR (st.at >= ? AND st.at < ?))`,
		append(args, win[0][0], win[0][1], win[1][0], win[1][1])...)
	if err != nil {
		return nil, s.internal("fire stats steps", err)
	}
	col := map[string]int{zhudun.FireActDissuade: 1, zhudun.FireActRefer: 2, zhudun.FireActOrder: 3, zhudun.FireActCorrect: 4,
		zhudun.FireActResolve: 4, zhudun.FireActPenalize: 5}
	for srows.Next() {
		var action, station, district, service string
		var amount int64
		var at time.Time
		if err := srows.Scan(&action, &amount, &at, &station, &district, &service); err != nil {
			srows.Close()
			return nil, s.internal("fire stats step scan", err)
		}
		c, ok := col[action]
		p := period(at)
		if !ok || p < 0 {
			continue
		}
		for _, k := range keys(station, district, service) {
			t := get(k)
			t.n[p][c]++
			if action == zhudun.FireActPenalize {
				t.n[p][6] += amount
			}
		}
	}
	srows.Close()
	if err := srows.Err(); err != nil {
		return nil, s.internal("fire stats step rows", err)
	}
	st.FireFigures = get("").figures()
	st.ByStation, st.ByDistrict, st.ByService = map[string]zhudun.FireFigures{}, map[string]zhudun.FireFigures{}, map[string]zhudun.FireFigures{}
	for k, t := range tallies {
		switch {
		case len(k) > 2 && k[:2] == "s:":
			st.ByStation[k[2:]] = t.figures()
		case len(k) > 2 && k[:2] == "d:":
			st.ByDistrict[k[2:]] = t.figures()
		case len(k) > 2 && k[:2] == "v:":
			st.ByService[k[2:]] = t.figures()
		}
	}
	return st, nil
}

// reportDays turns the days from..to (China time, both included) into the
// half-open window [from 00:00, the day after to 00:00), at most five years.
func reportDays(from, to time.Time) (time.Time, time.Time, error) {
	if from.IsZero() || to.IsZero() {
		return time.Time{}, time.Time{}, zhudun.FieldError("from", "from and to are required (YYYY-MM-DD)")
	}
	day := func(t time.Time) time.Time {
		t = t.In(zhudun.CST())
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, zhudun.CST())
	}
	f, t := day(from), day(to).AddDate(0, 0, 1)
	if !t.After(f) {
		return f, t, zhudun.FieldError("to", "to is before from")
	}
	if t.Sub(f) > 366*24*time.Hour*5 {
		return f, t, zhudun.FieldError("to", "at most five years at a time")
	}
	return f, t, nil
}
