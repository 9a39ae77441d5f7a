package sqlstore

import (
	"context"
	"time"

	"github.com/zhudun/zhudun"
)

// maxTallyRows bounds the incidents one tally reads: a day of a city is a
// few hundred to a few thousand (Jinan 2021: 160,000 a year, 440 a day).
const maxTallyRows = 200000

// IncidentTally counts the incidents the list would show for f (the
// caller's incident:read scope, the same filters; no phone search) by
// category and by China hour of reception — the command dashboard's
// "today by category and hour", which drills down to that list. The
// rows are bucketed here rather than in SQL so that the hour is China's
// on both dialects without per-dialect date functions.
func (s *Store) IncidentTally(ctx context.Context, f zhudun.IncidentFilter) (*zhudun.IncidentTally, error) {
	if f.Phone != "" {
		return nil, zhudun.FieldError("phone", "a tally does not search by phone")
	}
	if f.From.IsZero() || f.To.IsZero() {
		return nil, zhudun.FieldError("from", "a tally needs from and to")
	}
	if f.To.Sub(f.From) > 31*24*time.Hour {
		return nil, zhudun.FieldError("to", "a tally covers at most 31 days")
	}
	pred, args, err := incidentScope(ctx, zhudun.PermIncidentRead)
	if err != nil {
		return nil, err
	}
	w := incidentFilterWhere(f)
	w.parts, w.args = append([]string{pred}, w.parts...), append(append([]any{}, args...), w.args...)
	from := ` FROM incidents i`
	if f.Station != "" || f.Grid != "" {
		from = ` FROM incidents i JOIN grids g ON g.id = i.grid_id JOIN depts d ON d.id = i.station_id`
	}
	rows, err := s.query(ctx, `SELECT i.category, i.received_at`+from+w.sql()+` LIMIT ?`, append(w.args, maxTallyRows+1)...)
	if err != nil {
		return nil, s.internal("incident tally", err)
	}
	defer rows.Close()
	out := &zhudun.IncidentTally{ByCategory: map[string]int{}, ByHour: make([]int, 24)}
	for rows.Next() {
		var cat string
		var at time.Time
		if err := rows.Scan(&cat, &at); err != nil {
			return nil, s.internal("incident tally scan", err)
		}
		if out.Total++; out.Total > maxTallyRows {
			return nil, zhudun.Errorf(zhudun.EINVALID, "more than %d incidents: narrow the period", maxTallyRows)
		}
		out.ByCategory[cat]++
		out.ByHour[at.In(zhudun.CST()).Hour()]++
	}
	return out, s.internalIf("incident tally rows", rows.Err())
}
