package zhudun

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
)

// A patrol plan (巡逻方案) says, for one grid, which checkpoints (必到点) its
// units must pass in which time windows of which shifts, and how often.
// Shifts and windows are local Asia/Shanghai clock times; a shift or a
// window whose end is not after its start crosses midnight and belongs to
// the date it starts on (a night shift 20:00–08:00 of 3 December ends on 4
// December). Coverage is decided by the rule in patrol/visit.go.

// Plan limits: a plan is edited by hand on a map page, and the coverage
// tracker keeps every checkpoint of every plan in memory.
const (
	MaxPlanCheckpoints   = 200
	MaxPlanWindows       = 48
	MaxCheckpointRadiusM = 2000
	MinCheckpointRadiusM = 5
	MaxWindowTimes       = 24
)

// PatrolCheckpoint is a place a unit must pass: a point (WGS-84) and the
// radius in metres within which a pass counts.
type PatrolCheckpoint struct {
	Code    string  `json:"code"`
	Name    string  `json:"name"`
	Lon     float64 `json:"lon"`
	Lat     float64 `json:"lat"`
	RadiusM float64 `json:"radius_m"`
}

// PatrolShift is a named duty period, "HH:MM" local times.
type PatrolShift struct {
	Name  string `json:"name"` // e.g. day, night
	Start string `json:"start"`
	End   string `json:"end"`
}

// PatrolWindow requires the listed checkpoints to be visited Times times
// between Start and End (local "HH:MM", inside the named shift).
type PatrolWindow struct {
	Shift       string   `json:"shift"`
	Start       string   `json:"start"`
	End         string   `json:"end"`
	Checkpoints []string `json:"checkpoints"`
	Times       int      `json:"times"`
}

// PatrolPlan is the plan of one grid (one plan per grid).
type PatrolPlan struct {
	ID          int64              `json:"id"`
	GridID      int64              `json:"grid_id"`
	GridCode    string             `json:"grid"`
	StationID   int64              `json:"station_id"`
	StationCode string             `json:"station"`
	DeptPath    string             `json:"-"`
	Name        string             `json:"name"`
	Checkpoints []PatrolCheckpoint `json:"checkpoints"`
	Shifts      []PatrolShift      `json:"shifts"`
	Windows     []PatrolWindow     `json:"windows"`
	Version     int64              `json:"version"`
	CreatedAt   time.Time          `json:"created_at"`
	UpdatedAt   time.Time          `json:"updated_at"`
}

var planCodeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$`)

// ClockMinutes parses "HH:MM" (00:00–23:59) into minutes after midnight.
func ClockMinutes(s string) (int, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || h > 23 || m > 59 || h < 0 || m < 0 {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	return h*60 + m, nil
}

// span returns start and length in minutes of a clock interval; an end not
// after the start crosses midnight (equal: the whole day).
func span(start, end string) (int, int, error) {
	a, err := ClockMinutes(start)
	if err != nil {
		return 0, 0, err
	}
	b, err := ClockMinutes(end)
	if err != nil {
		return 0, 0, err
	}
	n := b - a
	if n <= 0 {
		n += 24 * 60
	}
	return a, n, nil
}

// ClockSpan is span for callers outside the package (the tracker).
func ClockSpan(start, end string) (startMin, lengthMin int, err error) { return span(start, end) }

// WindowShiftOffset returns where window w starts within shift sh, in
// minutes from the shift's start, and the window's length; an error when
// the window does not lie inside the shift.
func WindowShiftOffset(sh PatrolShift, w PatrolWindow) (int, int, error) {
	ss, sn, err := span(sh.Start, sh.End)
	if err != nil {
		return 0, 0, err
	}
	ws, wn, err := span(w.Start, w.End)
	if err != nil {
		return 0, 0, err
	}
	off := ws - ss
	if off < 0 {
		off += 24 * 60
	}
	if off+wn > sn {
		return 0, 0, fmt.Errorf("window %s–%s is not inside shift %s (%s–%s)", w.Start, w.End, sh.Name, sh.Start, sh.End)
	}
	return off, wn, nil
}

// Validate checks a plan's content and normalises names; errors name the
// field (checkpoints[2].radius_m, windows[0].checkpoints …).
func (p *PatrolPlan) Validate() error {
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" || len([]rune(p.Name)) > 100 {
		return FieldError("name", "a name of 1–100 characters is required")
	}
	if len(p.Checkpoints) == 0 || len(p.Checkpoints) > MaxPlanCheckpoints {
		return FieldError("checkpoints", "1–%d checkpoints", MaxPlanCheckpoints)
	}
	codes := map[string]bool{}
	for i := range p.Checkpoints {
		c := &p.Checkpoints[i]
		f := fmt.Sprintf("checkpoints[%d]", i)
		c.Code, c.Name = strings.TrimSpace(c.Code), strings.TrimSpace(c.Name)
		if !planCodeRE.MatchString(c.Code) {
			return FieldError(f+".code", "1–32 of A–Z, a–z, 0–9, '_', '.', '-'")
		}
		if codes[c.Code] {
			return FieldError(f+".code", "checkpoint %s appears twice", c.Code)
		}
		codes[c.Code] = true
		if len([]rune(c.Name)) > 100 {
			return FieldError(f+".name", "at most 100 characters")
		}
		if math.IsNaN(c.Lon) || math.IsNaN(c.Lat) || math.Abs(c.Lon) > 180 || math.Abs(c.Lat) > 90 {
			return FieldError(f, "coordinates out of range")
		}
		if !(c.RadiusM >= MinCheckpointRadiusM && c.RadiusM <= MaxCheckpointRadiusM) {
			return FieldError(f+".radius_m", "radius %v–%v m", MinCheckpointRadiusM, MaxCheckpointRadiusM)
		}
	}
	if len(p.Shifts) == 0 || len(p.Shifts) > 8 {
		return FieldError("shifts", "1–8 shifts")
	}
	shifts := map[string]PatrolShift{}
	for i := range p.Shifts {
		sh := &p.Shifts[i]
		f := fmt.Sprintf("shifts[%d]", i)
		sh.Name = strings.TrimSpace(sh.Name)
		if !planCodeRE.MatchString(sh.Name) {
			return FieldError(f+".name", "1–32 of A–Z, a–z, 0–9, '_', '.', '-'")
		}
		if _, ok := shifts[sh.Name]; ok {
			return FieldError(f+".name", "shift %s appears twice", sh.Name)
		}
		if _, _, err := span(sh.Start, sh.End); err != nil {
			return FieldError(f, "%v", err)
		}
		shifts[sh.Name] = *sh
	}
	if len(p.Windows) == 0 || len(p.Windows) > MaxPlanWindows {
		return FieldError("windows", "1–%d windows", MaxPlanWindows)
	}
	for i := range p.Windows {
		w := &p.Windows[i]
		f := fmt.Sprintf("windows[%d]", i)
		sh, ok := shifts[w.Shift]
		if !ok {
			return FieldError(f+".shift", "no shift %q in the plan", w.Shift)
		}
		if _, _, err := WindowShiftOffset(sh, *w); err != nil {
			return FieldError(f, "%v", err)
		}
		if w.Times == 0 {
			w.Times = 1
		}
		if w.Times < 1 || w.Times > MaxWindowTimes {
			return FieldError(f+".times", "1–%d", MaxWindowTimes)
		}
		if len(w.Checkpoints) == 0 {
			return FieldError(f+".checkpoints", "at least one checkpoint")
		}
		seen := map[string]bool{}
		for _, c := range w.Checkpoints {
			if !codes[c] {
				return FieldError(f+".checkpoints", "no checkpoint %q in the plan", c)
			}
			if seen[c] {
				return FieldError(f+".checkpoints", "checkpoint %s twice", c)
			}
			seen[c] = true
		}
	}
	return nil
}

// PatrolVisit is one pass of a unit through a checkpoint inside a window:
// the shift instance it counts for (shift date, local, and name).
type PatrolVisit struct {
	PlanID     int64     `json:"plan_id"`
	GridID     int64     `json:"grid_id"`
	StationID  int64     `json:"station_id"`
	Checkpoint string    `json:"checkpoint"`
	Window     int       `json:"window"` // index into the plan's windows
	ShiftDate  string    `json:"shift_date"`
	Shift      string    `json:"shift"`
	UnitID     int64     `json:"unit_id"`
	Callsign   string    `json:"callsign,omitempty"`
	At         time.Time `json:"at"`
}

// PatrolCoverage is a shift's coverage of one grid, or of one unit
// (UnitID != 0): Planned is the number of checkpoint visits the plans
// required (checkpoint × window × times), Visited how many were made. A
// unit's Planned is that of its own station's grids, its Visited its
// visits there; Other counts its visits in other stations' grids.
type PatrolCoverage struct {
	PlanID    int64    `json:"plan_id"`
	GridID    int64    `json:"grid_id"`
	GridCode  string   `json:"grid"`
	StationID int64    `json:"station_id"`
	ShiftDate string   `json:"shift_date"`
	Shift     string   `json:"shift"`
	UnitID    int64    `json:"unit_id,omitempty"`
	Callsign  string   `json:"callsign,omitempty"`
	Planned   int      `json:"planned"`
	Visited   int      `json:"visited"`
	Other     int      `json:"other,omitempty"` // a unit's visits in other stations' grids
	Percent   *float64 `json:"percent"`
}

// CoveragePercent is visited/planned in percent, one decimal (nil: nothing planned).
func CoveragePercent(visited, planned int) *float64 {
	if planned <= 0 {
		return nil
	}
	v := math.Round(float64(visited)*1000/float64(planned)) / 10
	return &v
}

// PatrolPlanService manages patrol plans within the caller's grid scope
// (grid:read to read, grid:write to change; decided on the grid's station).
// Every change is audited (patrol_plan.create, .update, .delete). Errors:
// EINVALID, ENOTFOUND (also outside scope), ECONFLICT (the grid has a plan;
// a stale version), EFORBIDDEN, EUNAUTHORIZED.
type PatrolPlanService interface {
	CreatePatrolPlan(ctx context.Context, gridCode string, p *PatrolPlan) (*PatrolPlan, error)
	UpdatePatrolPlan(ctx context.Context, id int64, version int64, p *PatrolPlan) (*PatrolPlan, error)
	DeletePatrolPlan(ctx context.Context, id int64) error
	FindPatrolPlanByID(ctx context.Context, id int64) (*PatrolPlan, error)
	FindPatrolPlans(ctx context.Context, grid, under string) ([]*PatrolPlan, error)
}

// PatrolVisitFilter selects visits: a grid code, shift dates From … To
// (YYYY-MM-DD, inclusive); zero fields do not filter.
type PatrolVisitFilter struct {
	Grid     string
	From, To string
	Limit    int
}

// CoverageFigures are the coverage of one grid, station, unit or shift name
// (or the whole) over a period, with the same period of last year:
// checkpoint visits planned and made, the coverage in percent, and its
// change in percentage points.
type CoverageFigures struct {
	Code            string   `json:"code"`
	Name            string   `json:"name,omitempty"`
	Parent          string   `json:"parent,omitempty"` // station of a grid or unit
	Planned         Compare  `json:"planned"`
	Visited         Compare  `json:"visited"`
	Percent         *float64 `json:"percent"`
	LastYearPercent *float64 `json:"last_year_percent"`
	ChangePoints    *float64 `json:"change_points"` // percent now minus percent last year
}

// PatrolCoverageReport is the coverage part of the patrol report.
type PatrolCoverageReport struct {
	Total    CoverageFigures   `json:"total"`
	Stations []CoverageFigures `json:"stations"`
	Grids    []CoverageFigures `json:"grids"`
	Units    []CoverageFigures `json:"units"`
	Shifts   []CoverageFigures `json:"shifts"`
}

// PatrolCoverageStore is what the coverage service keeps in the store
// (system caller only) and what users read back (grid:read scope).
type PatrolCoverageStore interface {
	AllPatrolPlans(ctx context.Context) ([]*PatrolPlan, error)
	AddPatrolVisits(ctx context.Context, vs []PatrolVisit) error
	PatrolVisitsSince(ctx context.Context, shiftDate string) ([]PatrolVisit, error)
	SavePatrolCoverage(ctx context.Context, grids, units []PatrolCoverage, final bool) error
	FindPatrolVisits(ctx context.Context, f PatrolVisitFilter) ([]PatrolVisit, error)
	// RecentPositions replays the stored fixes newer than since, per unit in time order.
	RecentPositions(ctx context.Context, since time.Time, fn func(unitID int64, p Position)) error
}
