package sqlstore

import (
	"context"
	"database/sql"
	"math"
	"time"

	"github.com/zhudun/zhudun"
)

// FourCutsReport computes the Four Cuts figures of the days from..to (China
// time, both included) over the findings of the caller's report:read scope
// (narrowed to dept's subtree when given), each beside the same days of
// last year (docs/cutlists.md, "Figures"). A finding counts in the period
// its event happened in: raised (created_at), confirmed (confirmed_at),
// dismissed (reviewed_at of a dismissed one), cut (cut_at), restored
// (restored_at).
func (s *Store) FourCutsReport(ctx context.Context, from, to time.Time, dept string) (*zhudun.FourCutsReport, error) {
	f, err := zhudun.ScopeFor(ctx, zhudun.PermReportRead)
	if err != nil {
		return nil, err
	}
	if from.IsZero() || to.IsZero() {
		return nil, zhudun.FieldError("from", "from and to are required (YYYY-MM-DD)")
	}
	day := func(t time.Time) time.Time {
		t = t.In(zhudun.CST())
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, zhudun.CST())
	}
	from, to = day(from), day(to).AddDate(0, 0, 1)
	if !to.After(from) {
		return nil, zhudun.FieldError("to", "to is before from")
	}
	if to.Sub(from) > 366*24*time.Hour*5 {
		return nil, zhudun.FieldError("to", "at most five years at a time")
	}
	var w where
	w.add("f.kind = ?", zhudun.KindFinding)
	pred, args, err := scopeSQL(f, scopeCols{Path: "d.path", DeptID: "f.dept_id"})
	if err != nil {
		return nil, err
	}
	w.add(pred, args...)
	rep := &zhudun.FourCutsReport{From: from, To: to}
	if dept != "" {
		var id int64
		var path string
		err := s.queryRow(ctx, `SELECT id, path FROM depts WHERE code = ?`, dept).Scan(&id, &path)
		if err != nil || !f.Covers(path, id, 0) {
			return nil, zhudun.Errorf(zhudun.ENOTFOUND, "department %s not found", dept)
		}
		w.add("d.path LIKE ?", path+"%")
		rep.Dept = dept
	}
	rows, err := s.query(ctx, `SELECT f.category, f.review, f.created_at, f.reviewed_at, f.confirmed_at, f.cut_at, f.restored_at
		FROM findings f JOIN depts d ON d.id = f.dept_id`+w.sql(), w.args...)
	if err != nil {
		return nil, s.internal("fourcuts report", err)
	}
	defer rows.Close()
	type tally struct {
		byCat                                      map[string]float64
		found, confirmed, dismissed, cut, restored float64
		accounts                                   float64
		toConfirm, toConfirmN, toCut, toCutN       float64
	}
	periods := [2][2]time.Time{{from, to}, {lastYear(from), lastYear(to)}}
	var t [2]tally
	for i := range t {
		t[i].byCat = map[string]float64{}
	}
	in := func(p int, x sql.NullTime) bool {
		return x.Valid && !x.Time.Before(periods[p][0]) && x.Time.Before(periods[p][1])
	}
	for rows.Next() {
		var cat, review string
		var created time.Time
		var reviewed, confirmed, cut, restored sql.NullTime
		if err := rows.Scan(&cat, &review, &created, &reviewed, &confirmed, &cut, &restored); err != nil {
			return nil, s.internal("fourcuts report scan", err)
		}
		for p := range periods {
			x := &t[p]
			if in(p, sql.NullTime{Time: created, Valid: true}) {
				x.found++
				x.byCat[cat]++
			}
			if in(p, confirmed) {
				x.confirmed++
				// one row per account: distinct by construction; a confirmation
				// since undone (dismissed, restored on appeal) found nothing
				if cat == "black_account" && review != zhudun.ReviewDismissed && review != zhudun.ReviewRestored {
					x.accounts++
				}
				x.toConfirm += confirmed.Time.Sub(created).Hours()
				x.toConfirmN++
			}
			if review == zhudun.ReviewDismissed && in(p, reviewed) {
				x.dismissed++
			}
			if in(p, cut) {
				x.cut++
				if confirmed.Valid {
					x.toCut += cut.Time.Sub(confirmed.Time).Hours()
					x.toCutN++
				}
			}
			if in(p, restored) {
				x.restored++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.internal("fourcuts report rows", err)
	}
	mean := func(sum, n float64) float64 {
		if n == 0 {
			return 0
		}
		return math.Round(sum/n*10) / 10
	}
	cur, last := t[0], t[1]
	rep.FindingsByCategory = map[string]zhudun.Figure{}
	for _, cat := range []string{"black_card", "black_account", "black_line", "black_device", "black_software"} {
		rep.FindingsByCategory[cat] = zhudun.NewFigure(cur.byCat[cat], last.byCat[cat])
	}
	rep.Findings = zhudun.NewFigure(cur.found, last.found)
	rep.Confirmed = zhudun.NewFigure(cur.confirmed, last.confirmed)
	rep.Dismissed = zhudun.NewFigure(cur.dismissed, last.dismissed)
	rep.Cut = zhudun.NewFigure(cur.cut, last.cut)
	rep.Restored = zhudun.NewFigure(cur.restored, last.restored)
	rep.MaliciousAccounts = zhudun.NewFigure(cur.accounts, last.accounts)
	rep.HoursToConfirm = zhudun.NewFigure(mean(cur.toConfirm, cur.toConfirmN), mean(last.toConfirm, last.toConfirmN))
	rep.HoursToCut = zhudun.NewFigure(mean(cur.toCut, cur.toCutN), mean(last.toCut, last.toCutN))
	return rep, nil
}
