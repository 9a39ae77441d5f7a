package zhudun

import (
	"context"
	"time"
)

// Category is one entry of the incident category dictionary. A code keeps
// its meaning forever: a later version may rename or retire it, but never
// reuses it for something else, so a recorded incident's category never
// changes meaning. Incidents store the dictionary version they were
// recorded under, and show the name of that version.
type Category struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// CategoryDictionary is one version of the incident categories.
type CategoryDictionary struct {
	Version    int        `json:"version"`
	Since      string     `json:"since"` // date it took effect (Asia/Shanghai)
	Categories []Category `json:"categories"`
}

// categoryDictionaries is append-only: add a version, never edit one.
var categoryDictionaries = []CategoryDictionary{
	{Version: 1, Since: "2026-01-01", Categories: []Category{
		{"criminal", "刑事类警情"},
		{"public_order", "治安类警情"},
		{"traffic", "交通类警情"},
		{"fire", "火灾类警情"},
		{"rescue", "求助救助"},
		{"dispute", "纠纷"},
		{"other", "其他"},
	}},
}

// CategoryDictionaries returns every version, oldest first.
func CategoryDictionaries() []CategoryDictionary {
	out := make([]CategoryDictionary, len(categoryDictionaries))
	for i, d := range categoryDictionaries {
		out[i] = CategoryDictionary{Version: d.Version, Since: d.Since, Categories: append([]Category(nil), d.Categories...)}
	}
	return out
}

// CurrentCategoryVersion is the version new incidents are recorded under.
func CurrentCategoryVersion() int { return categoryDictionaries[len(categoryDictionaries)-1].Version }

// LookupCategory returns the category code in dictionary version v.
func LookupCategory(v int, code string) (Category, bool) {
	for _, d := range categoryDictionaries {
		if d.Version != v {
			continue
		}
		for _, c := range d.Categories {
			if c.Code == code {
				return c, true
			}
		}
	}
	return Category{}, false
}

// Incident sources.
const (
	Source110    = "110"
	SourceWalkIn = "walk_in"
	SourcePatrol = "patrol"
	SourceOnline = "online"
)

// IncidentSources lists the sources in report order.
func IncidentSources() []string { return []string{Source110, SourceWalkIn, SourcePatrol, SourceOnline} }

// ValidSource reports whether s is a known source.
func ValidSource(s string) bool {
	return s == Source110 || s == SourceWalkIn || s == SourcePatrol || s == SourceOnline
}

// Outcomes of a closed incident.
const (
	OutcomeHandled         = "handled"
	OutcomeCriminalCase    = "criminal_case"
	OutcomePublicOrderCase = "public_order_case"
	OutcomeMediated        = "mediated"
	OutcomeRescued         = "rescued"
	OutcomeReferred        = "referred"
)

// IncidentOutcomes lists the outcomes in report order.
func IncidentOutcomes() []string {
	return []string{OutcomeHandled, OutcomeCriminalCase, OutcomePublicOrderCase, OutcomeMediated, OutcomeRescued, OutcomeReferred}
}

// ValidOutcome reports whether o is a known outcome.
func ValidOutcome(o string) bool {
	for _, x := range IncidentOutcomes() {
		if x == o {
			return true
		}
	}
	return false
}

// Incident states, in order.
const (
	IncidentReceived   = "received"
	IncidentDispatched = "dispatched"
	IncidentOnScene    = "on_scene"
	IncidentClosed     = "closed"
)

// Incident is a call for police (警情): where, what, who owns it (the
// station of the grid it fell in) and the times of its handling. The caller's
// phone is personal data: stored sealed, shown masked, revealed only with
// pii:view and a reason.
type Incident struct {
	ID              int64      `json:"id"`
	Category        string     `json:"category"`
	CategoryVersion int        `json:"category_version"`
	CategoryName    string     `json:"category_name"`
	Lon             float64    `json:"lon"`
	Lat             float64    `json:"lat"`
	Address         string     `json:"address,omitempty"`
	Source          string     `json:"source"`
	CallerPhone     string     `json:"caller_phone,omitempty"` // masked, 139****5678
	Priority        int        `json:"priority"`               // 1 urgent … 3 routine
	Status          string     `json:"status"`
	GridID          int64      `json:"grid_id"`
	GridCode        string     `json:"grid"`
	GridName        string     `json:"grid_name"`
	StationID       int64      `json:"station_id"`
	StationCode     string     `json:"station"`
	StationName     string     `json:"station_name"`
	DeptPath        string     `json:"-"`
	UnitID          *int64     `json:"unit_id,omitempty"` // the unit assigned (kept after closing)
	UnitCallsign    string     `json:"unit_callsign,omitempty"`
	LentTo          string     `json:"lent_station,omitempty"` // the assigned unit's station, when another station's
	RecommendedUnit *int64     `json:"recommended_unit_id,omitempty"`
	OverrideReason  string     `json:"override_reason,omitempty"`
	ReceivedAt      time.Time  `json:"received_at"`
	DispatchedAt    *time.Time `json:"dispatched_at,omitempty"`
	ArrivedAt       *time.Time `json:"arrived_at,omitempty"`
	ClosedAt        *time.Time `json:"closed_at,omitempty"`
	Outcome         string     `json:"outcome,omitempty"`
	Note            string     `json:"note,omitempty"`
	CaseRef         string     `json:"case_ref,omitempty"`
	Imported        bool       `json:"imported"`
	CreatedBy       int64      `json:"created_by,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

// NewIncident is the input of CreateIncident and ImportIncidents. The
// handling times and outcome are for imported history only.
type NewIncident struct {
	Category    string
	Lon, Lat    float64
	Address     string
	Source      string
	CallerPhone string
	ReceivedAt  *time.Time // default now; set explicitly it is audited
	Priority    int        // default 2

	DispatchedAt, ArrivedAt, ClosedAt *time.Time
	Outcome                           string

	// ImportKey is an imported row's identity: its file and line, or the
	// source system's own id. A row whose key was imported before is
	// skipped, so an import that was interrupted can be run again.
	ImportKey string
}

// IncidentCursor is a place in the newest-first order of incident lists.
type IncidentCursor struct {
	ReceivedAt time.Time
	ID         int64
}

// ListCountCap bounds the counting behind a list's total: past it, lists
// report ListCountCap+1, which reads "more than ListCountCap". Counting the
// whole history on every page is what made the board slow.
const ListCountCap = 10000

// IncidentFilter selects incidents; zero fields do not filter.
type IncidentFilter struct {
	ID       int64
	Status   string
	Category string
	Source   string
	Station  string // station code
	Grid     string // grid code
	Open     *bool  // true: not closed
	From, To time.Time
	Phone    string // exact, through the blind index; needs pii:view or pii:search and a Reason
	Reason   string // why personal data is searched (查询事由), 4–200 characters; audited
	// After continues a list after this incident (keyset paging: the cost
	// does not grow with the depth); Offset still works without it.
	After  *IncidentCursor
	Offset int
	Limit  int
}

// Dispatch assigns a unit to an incident. Recommended is the unit the
// recommender proposed at that moment (nil: none); choosing another unit
// needs a Reason.
type Dispatch struct {
	UnitID      int64
	Reason      string
	Recommended *int64
}

// IncidentClose closes an incident with its outcome.
type IncidentClose struct {
	Outcome string
	Note    string
	CaseRef string // the case number as text until the cases module exists
}

// IncidentImport is one load of incident history.
type IncidentImport struct {
	Rows []NewIncident
	// Source names where the rows came from (a file, the 110 system's
	// export) for the audit row; the rows' ImportKeys carry it too.
	Source string
	// AllOrNothing stores no row when any row is rejected: an upload from
	// the UI is corrected and sent again whole. The installer's CLI keeps
	// the good rows of each batch instead, and says which lines it left.
	AllOrNothing bool
	// CheckOnly checks every row as an import would and stores none: the
	// UI reports a file's every problem at once, also when some lines did
	// not even parse.
	CheckOnly bool
}

// ImportRowError is one row of an import that was not stored.
type ImportRowError struct {
	Row     int    `json:"row"` // index into the batch given
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// IncidentService manages incidents within the caller's incident:read /
// incident:write scope: the owning station's department, plus incidents the
// caller created, plus — while one of its units is assigned — incidents of
// other stations that borrowed a unit of the caller's reach. Errors:
// EINVALID, ENOTFOUND (also outside scope), ECONFLICT (state does not
// allow the step, unit not available), EFORBIDDEN, EUNAUTHORIZED.
type IncidentService interface {
	CreateIncident(ctx context.Context, n NewIncident) (*Incident, error)
	// ImportIncidents stores history in bulk (incident:import, or the
	// installer's system caller). Rows that cannot be stored are returned;
	// the others are kept, unless the import is AllOrNothing.
	ImportIncidents(ctx context.Context, imp IncidentImport) (stored int, bad []ImportRowError, err error)
	// FindIncidents lists newest first; the total counts at most
	// ListCountCap+1 rows.
	FindIncidents(ctx context.Context, f IncidentFilter) ([]*Incident, int, error)
	FindIncidentByID(ctx context.Context, id int64) (*Incident, error)
	DispatchIncident(ctx context.Context, id int64, d Dispatch) (*Incident, error)
	ArriveIncident(ctx context.Context, id int64) (*Incident, error)
	CloseIncident(ctx context.Context, id int64, c IncidentClose) (*Incident, error)
	// RevealIncidentPII returns the caller's phone in clear (pii:view) and
	// audits the view with its reason.
	RevealIncidentPII(ctx context.Context, id int64, reason string) (string, error)
}

// PatrolReportQuery asks for the patrol statistics of [From, To] (dates in
// Asia/Shanghai, both inclusive) under department Dept (default: the
// caller's whole scope), compared with the same dates of the year before.
type PatrolReportQuery struct {
	From, To      time.Time // midnights in Asia/Shanghai
	Dept          string
	TargetMinutes int // response target, default 5
}

// Compare is a figure with the same period of last year and the change in
// percent (nil when last year was zero).
type Compare struct {
	Count     int      `json:"value"` // the shape every report shares (issue 17): value, last_year, change_pct
	LastYear  int      `json:"last_year"`
	ChangePct *float64 `json:"change_pct"`
}

// CodeCount is a Compare for one category, source or outcome.
type CodeCount struct {
	Code string `json:"code"`
	Name string `json:"name,omitempty"`
	Compare
}

// ResponseStats are response times from received to arrived, to the whole
// minute (each response is rounded up to the minute it ended in).
type ResponseStats struct {
	Arrived         int      `json:"arrived"` // incidents with an arrival time
	MedianMinutes   *int     `json:"median_minutes"`
	P90Minutes      *int     `json:"p90_minutes"`
	WithinTarget    int      `json:"within_target"`
	WithinTargetPct *float64 `json:"within_target_pct"`
	LastYearMedian  *int     `json:"last_year_median_minutes"`
	LastYearP90     *int     `json:"last_year_p90_minutes"`
	LastYearWithin  *float64 `json:"last_year_within_target_pct"`
}

// AreaFigures are the figures of one grid, station or district (or the whole).
type AreaFigures struct {
	Code             string        `json:"code"`
	Name             string        `json:"name"`
	Parent           string        `json:"parent,omitempty"` // station of a grid, district of a station
	Incidents        Compare       `json:"incidents"`
	CriminalCases    Compare       `json:"criminal_cases"`
	PublicOrderCases Compare       `json:"public_order_cases"`
	DisputesMediated Compare       `json:"disputes_mediated"`
	RescuesServices  Compare       `json:"rescues_services"`
	Response         ResponseStats `json:"response"`
}

// PatrolReport is the answer of the patrol statistics.
type PatrolReport struct {
	From          string        `json:"from"`
	To            string        `json:"to"`
	LastYearFrom  string        `json:"last_year_from"`
	LastYearTo    string        `json:"last_year_to"`
	Dept          string        `json:"dept,omitempty"`
	TargetMinutes int           `json:"target_minutes"`
	Total         AreaFigures   `json:"total"`
	ByCategory    []CodeCount   `json:"by_category"`
	BySource      []CodeCount   `json:"by_source"`
	ByOutcome     []CodeCount   `json:"by_outcome"`
	Districts     []AreaFigures `json:"districts"`
	Stations      []AreaFigures `json:"stations"`
	Grids         []AreaFigures `json:"grids"`
	// Coverage: the patrol half (无警巡逻), from the shifts' coverage.
	Coverage PatrolCoverageReport `json:"coverage"`
}

// ReportService computes statistics from the stored figures (report:read,
// scoped by the owning station). Errors: EINVALID, ENOTFOUND (dept outside
// scope), EFORBIDDEN, EUNAUTHORIZED.
type ReportService interface {
	PatrolReport(ctx context.Context, q PatrolReportQuery) (*PatrolReport, error)
}
