package zhudun

import (
	"context"
	"net/url"
	"slices"
	"time"
)

// The command dashboard's "today" (docs/dashboard.md): what the command
// centre watches through the day — today's incidents by category and
// hour, the Four Cuts findings, confirmations and cuts, the open cases,
// the overdue campus notices and fire orders. Each figure is the total of
// a list the viewer can open (its List), read through that list's own
// service with the viewer's own permission and scope: the figure and the
// records behind it cannot differ. A block the viewer has no permission
// for is left out. The year-on-year trends are the period report's
// (summary.go), read for the year to date.

// IncidentTally is a tally of the incidents a list filter selects.
type IncidentTally struct {
	Total      int            `json:"total"`
	ByCategory map[string]int `json:"by_category"`
	ByHour     []int          `json:"by_hour"` // 24, China hours
}

// DashCount is one figure of the dashboard and the list behind it.
type DashCount struct {
	Value int `json:"value"`
	// Capped: the incident list counts to ListCountCap only; Value is a floor.
	Capped bool `json:"capped,omitempty"`
	// List is the API list (path and query, under /api/v1) whose total
	// Value is: the drill-down.
	List string `json:"list"`
}

// DashCode is a figure of one code (an incident category) or hour.
type DashCode struct {
	Code string `json:"code,omitempty"`
	Hour *int   `json:"hour,omitempty"`
	DashCount
}

// DashIncidents is today's incidents.
type DashIncidents struct {
	Today      DashCount  `json:"today"`
	Open       DashCount  `json:"open"` // not closed, whenever received
	ByCategory []DashCode `json:"by_category"`
	ByHour     []DashCode `json:"by_hour"`
}

// DashFourCuts is today's Four Cuts work.
type DashFourCuts struct {
	Found     DashCount `json:"found"`     // findings the platform recorded today
	Confirmed DashCount `json:"confirmed"` // confirmed by an analyst today
	Cut       DashCount `json:"cut"`       // cut by a carrier or platform today
}

// DashCases is the cases being worked.
type DashCases struct {
	Open DashCount `json:"open"`
}

// DashOverdue is what has passed its deadline.
type DashOverdue struct {
	CampusNotices *DashCount `json:"campus_notices,omitempty"`
	FireOrders    *DashCount `json:"fire_orders,omitempty"`
}

// Dashboard is the command dashboard's today.
type Dashboard struct {
	Day       string         `json:"day"` // China day
	At        time.Time      `json:"at"`
	Incidents *DashIncidents `json:"incidents,omitempty"`
	FourCuts  *DashFourCuts  `json:"fourcuts,omitempty"`
	Cases     *DashCases     `json:"cases,omitempty"`
	Overdue   *DashOverdue   `json:"overdue,omitempty"`
}

// DashboardModules are the lists the dashboard counts.
type DashboardModules struct {
	Incidents interface {
		FindIncidents(ctx context.Context, f IncidentFilter) ([]*Incident, int, error)
		IncidentTally(ctx context.Context, f IncidentFilter) (*IncidentTally, error)
	}
	Findings interface {
		FindFindings(ctx context.Context, f FindingFilter) ([]*Finding, int, error)
	}
	Cases interface {
		FindCases(ctx context.Context, f CaseFilter) ([]*Case, int, error)
	}
	Campus interface {
		FindNotices(ctx context.Context, f HazardFilter) ([]*Notice, int, error)
	}
	Fire interface {
		FindFireReports(ctx context.Context, f FireFilter) ([]*FireReport, int, error)
	}
}

// Today computes the dashboard at now for the caller. Blocks the caller
// has no permission for are nil; a store's error is returned.
func (m DashboardModules) Today(ctx context.Context, now time.Time) (*Dashboard, error) {
	c := CallerFrom(ctx)
	if c == nil {
		return nil, Errorf(EUNAUTHORIZED, "not signed in")
	}
	n := now.In(CST())
	day := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, CST())
	next := day.AddDate(0, 0, 1)
	out := &Dashboard{Day: day.Format("2006-01-02"), At: now.UTC()}
	var err error
	if c.Has(PermIncidentRead) {
		if out.Incidents, err = m.incidents(ctx, day, next); err != nil {
			return nil, err
		}
	}
	if c.Has(PermFindingRead) {
		f := &DashFourCuts{}
		for _, x := range []struct {
			dst       *DashCount
			from, to  string
			setFromTo func(*FindingFilter)
		}{
			{&f.Found, "created_from", "created_to", func(q *FindingFilter) { q.CreatedFrom, q.CreatedTo = day, next }},
			{&f.Confirmed, "confirmed_from", "confirmed_to", func(q *FindingFilter) { q.ConfirmedFrom, q.ConfirmedTo = day, next }},
			{&f.Cut, "cut_from", "cut_to", func(q *FindingFilter) { q.CutFrom, q.CutTo = day, next }},
		} {
			// engine=any: a finding confirmed today and withdrawn by the
			// engine since still counts as confirmed today.
			q := FindingFilter{Engine: "any", Limit: 1}
			x.setFromTo(&q)
			_, total, err := m.Findings.FindFindings(ctx, q)
			if err != nil {
				return nil, err
			}
			*x.dst = dashCount(total, "/findings", url.Values{"engine": {"any"}, x.from: {rfc(day)}, x.to: {rfc(next)}})
		}
		out.FourCuts = f
	}
	if c.Has(PermCaseRead) {
		_, total, err := m.Cases.FindCases(ctx, CaseFilter{Status: CaseOpen, Limit: 1})
		if err != nil {
			return nil, err
		}
		out.Cases = &DashCases{Open: dashCount(total, "/cases", url.Values{"status": {CaseOpen}})}
	}
	od := &DashOverdue{}
	if c.Has(PermCampusRead) {
		_, total, err := m.Campus.FindNotices(ctx, HazardFilter{Status: "overdue", Limit: 1})
		if err != nil {
			return nil, err
		}
		x := dashCount(total, "/campus/notices", url.Values{"status": {"overdue"}})
		od.CampusNotices = &x
	}
	if c.Has(PermFireRead) {
		_, total, err := m.Fire.FindFireReports(ctx, FireFilter{Status: FireOverdue, Limit: 1})
		if err != nil {
			return nil, err
		}
		x := dashCount(total, "/fire/reports", url.Values{"status": {FireOverdue}})
		od.FireOrders = &x
	}
	if od.CampusNotices != nil || od.FireOrders != nil {
		out.Overdue = od
	}
	return out, nil
}

func (m DashboardModules) incidents(ctx context.Context, day, next time.Time) (*DashIncidents, error) {
	tally, err := m.Incidents.IncidentTally(ctx, IncidentFilter{From: day, To: next})
	if err != nil {
		return nil, err
	}
	yes := true
	_, open, err := m.Incidents.FindIncidents(ctx, IncidentFilter{Open: &yes, Limit: 1})
	if err != nil {
		return nil, err
	}
	span := func(from, to time.Time) url.Values { return url.Values{"from": {rfc(from)}, "to": {rfc(to)}} }
	out := &DashIncidents{
		Today:  incidentCount(tally.Total, span(day, next)),
		Open:   incidentCount(open, url.Values{"open": {"true"}}),
		ByHour: make([]DashCode, 24),
	}
	// Every category of the dictionary in force, zeros too, in its order;
	// then any other code today's incidents carry (an older dictionary's).
	seen := map[string]bool{}
	cats := []string{}
	for _, ct := range categoryDictionaries[len(categoryDictionaries)-1].Categories {
		cats, seen[ct.Code] = append(cats, ct.Code), true
	}
	var other []string
	for code := range tally.ByCategory {
		if !seen[code] {
			other = append(other, code)
		}
	}
	slices.Sort(other)
	cats = append(cats, other...)
	for _, code := range cats {
		v := span(day, next)
		v.Set("category", code)
		out.ByCategory = append(out.ByCategory, DashCode{Code: code, DashCount: incidentCount(tally.ByCategory[code], v)})
	}
	for h := range 24 {
		hour := h
		from := day.Add(time.Duration(h) * time.Hour)
		out.ByHour[h] = DashCode{Hour: &hour, DashCount: incidentCount(tally.ByHour[h], span(from, from.Add(time.Hour)))}
	}
	return out, nil
}

func dashCount(total int, path string, q url.Values) DashCount {
	return DashCount{Value: total, List: path + "?" + q.Encode()}
}

// incidentCount is dashCount for the incident list, the one list whose
// count stops at ListCountCap (it answers ListCountCap+1 past it).
func incidentCount(total int, q url.Values) DashCount {
	out := dashCount(total, "/incidents", q)
	if total > ListCountCap {
		out.Value, out.Capped = ListCountCap, true
	}
	return out
}

func rfc(t time.Time) string { return t.Format(time.RFC3339) }
