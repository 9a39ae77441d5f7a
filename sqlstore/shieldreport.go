package sqlstore

import (
	"context"
	"math"
	"time"

	"github.com/zhudun/zhudun"
)

// The 铸盾 statistics (issue 16 item 5, docs/zhudun.md "Statistics"): the
// figures as at the end of a day (China time), beside the same day of the
// year before, within the caller's report:read scope, narrowed to a
// department's subtree.
//
//	communities         registered by then
//	smart_communities   of those, at level smart then (the newest row of
//	                    zd_community_levels from before the day's end)
//	cameras_online      that month's counts (zd_camera_months)
//	cameras_offline
//	video_coverage_pct  that month's covered ÷ gridded area, to 0.1
//	road_coverage_pct   that month's covered ÷ measured road length, to 0.1
//	                    (0 when the grids had no roads that month)
//	safe_units          certified by then and not revoked by then

// ZhudunReport computes the figures at the day at for dept ("" = the
// caller's whole scope; outside the scope ENOTFOUND).
func (s *Store) ZhudunReport(ctx context.Context, at time.Time, dept string) (*zhudun.ZhudunReport, error) {
	f, err := zhudun.ScopeFor(ctx, zhudun.PermReportRead)
	if err != nil {
		return nil, err
	}
	pred, args, err := scopeSQL(f, scopeCols{Path: "sd.path", DeptID: "x.station_id"})
	if err != nil {
		return nil, err
	}
	if dept != "" {
		var id int64
		var path string
		err := s.queryRow(ctx, `SELECT id, path FROM depts WHERE code = ?`, dept).Scan(&id, &path)
		if err != nil || !f.Covers(path, id, 0) {
			return nil, zhudun.Errorf(zhudun.ENOTFOUND, "department %s not found", dept)
		}
		pred += " AND sd.path LIKE ?"
		args = append(args, path+"%")
	}
	at = at.In(zhudun.CST())
	day := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, zhudun.CST())
	rep := &zhudun.ZhudunReport{At: day.Format(time.DateOnly), Dept: dept}
	var v [2][7]float64
	for i, d := range []time.Time{day, lastYear(day)} {
		end := d.AddDate(0, 0, 1)
		dayS, month := d.Format(time.DateOnly), d.Format("2006-01")
		q := func(sql string, extra ...any) (float64, error) {
			var n float64
			err := s.queryRow(ctx, sql, append(append([]any{}, extra...), args...)...).Scan(&n)
			return n, err
		}
		var errs [6]error
		v[i][0], errs[0] = q(`SELECT COUNT(*) FROM zd_communities x JOIN depts sd ON sd.id = x.station_id WHERE x.created_at < ? AND `+pred, end.UTC())
		v[i][1], errs[1] = q(`SELECT COUNT(*) FROM zd_communities x JOIN depts sd ON sd.id = x.station_id WHERE x.created_at < ?
			AND (SELECT h.level FROM zd_community_levels h WHERE h.community_id = x.id AND h.valid_from < ?
				ORDER BY h.valid_from DESC, h.id DESC LIMIT 1) = 'smart' AND `+pred, end.UTC(), end.UTC())
		v[i][2], errs[2] = q(`SELECT COALESCE(SUM(x.online), 0) FROM zd_camera_months x JOIN depts sd ON sd.id = x.station_id WHERE x.month = ? AND `+pred, month)
		v[i][3], errs[3] = q(`SELECT COALESCE(SUM(x.offline), 0) FROM zd_camera_months x JOIN depts sd ON sd.id = x.station_id WHERE x.month = ? AND `+pred, month)
		var area, cov, road, roadCov float64
		errs[4] = s.queryRow(ctx, `SELECT COALESCE(SUM(m.area_m2), 0), COALESCE(SUM(m.covered_m2), 0), COALESCE(SUM(m.road_m), 0),
			COALESCE(SUM(m.road_covered_m), 0) FROM zd_coverage_months m
			JOIN grids x ON x.id = m.grid_id JOIN depts sd ON sd.id = x.station_id WHERE m.month = ? AND `+pred,
			append([]any{month}, args...)...).Scan(&area, &cov, &road, &roadCov)
		if area > 0 {
			v[i][4] = math.Round(cov/area*1000) / 10
		}
		if road > 0 {
			v[i][6] = math.Round(roadCov/road*1000) / 10
		}
		v[i][5], errs[5] = q(`SELECT COUNT(*) FROM zd_safe_units x JOIN depts sd ON sd.id = x.station_id WHERE x.certified_on <> ''
			AND x.certified_on <= ? AND NOT (x.status = 'revoked' AND x.decided_on <= ?) AND `+pred, dayS, dayS)
		for _, e := range errs {
			if e != nil {
				return nil, s.internal("zhudun report", e)
			}
		}
	}
	fig := func(k int) zhudun.Figure { return zhudun.NewFigure(v[0][k], v[1][k]) }
	rep.Communities, rep.SmartCommunities, rep.CamerasOnline = fig(0), fig(1), fig(2)
	rep.CamerasOffline, rep.VideoCoveragePct, rep.SafeUnits = fig(3), fig(4), fig(5)
	rep.RoadCoveragePct = fig(6)
	return rep, nil
}
