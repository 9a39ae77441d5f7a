package zhudun

import (
	"context"
	"time"
)

// Grid is a patrol grid (网格): a polygon of the city owned by a police
// station, with the point its patrol post stands on. Boundaries are WGS-84,
// GeoJSON-shaped: polygons → rings (outer first, then holes) → [lon, lat].
type Grid struct {
	ID           int64            `json:"id"`
	Code         string           `json:"code"`
	Name         string           `json:"name"`
	StationID    int64            `json:"station_id"`
	StationCode  string           `json:"station"`
	StationName  string           `json:"station_name"`
	DistrictCode string           `json:"district"` // the station's parent department (sub-bureau)
	DistrictName string           `json:"district_name"`
	DeptPath     string           `json:"-"` // the station's materialised path
	PatrolPoint  [2]float64       `json:"patrol_point"`
	Boundary     [][][][2]float64 `json:"boundary"`
	CreatedAt    time.Time        `json:"created_at"`
	UpdatedAt    time.Time        `json:"updated_at"`
}

// Grid problem kinds reported by an import.
const (
	GridProblemInvalid     = "invalid"      // a feature cannot be read (missing code, bad geometry)
	GridProblemInvalidRing = "invalid_ring" // a ring is degenerate or crosses itself
	GridProblemOverlap     = "overlap"      // two grids share area
	GridProblemGap         = "gap"          // an area enclosed by a district's grids belongs to none
	GridProblemStation     = "station"      // the owning station is unknown or out of reach
	GridProblemPatrolPoint = "patrol_point" // the patrol post is missing or outside its grid
	GridProblemDuplicate   = "duplicate"    // the same code twice in one upload
)

// Severities of a grid problem: errors stop the import, warnings do not.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// GridProblem is one finding of a grid import, naming the feature by its
// code (or its index when it has none).
type GridProblem struct {
	Kind     string   `json:"kind"`
	Severity string   `json:"severity"`
	Feature  string   `json:"feature"`         // code of the feature, or "#N" (0-based index)
	Other    string   `json:"other,omitempty"` // the other grid of an overlap
	Message  string   `json:"message"`
	Lon      *float64 `json:"lon,omitempty"` // where, when there is a place to show
	Lat      *float64 `json:"lat,omitempty"`
	AreaM2   float64  `json:"area_m2,omitempty"` // approximate area of a gap
}

// GridImportReport is the answer to a grid upload: nothing is stored when
// any problem is an error.
type GridImportReport struct {
	Accepted bool          `json:"accepted"`
	Created  int           `json:"created"`
	Updated  int           `json:"updated"`
	Problems []GridProblem `json:"problems"`
}

// GridFilter selects grids; zero fields do not filter.
type GridFilter struct {
	Code    string
	Station string // station code
	Under   string // department code: its subtree
	Offset  int
	Limit   int
}

// GridService manages grids within the caller's grid:read / grid:write
// scope (decided on the owning station). Errors: EINVALID (with the report
// for ImportGrids), ENOTFOUND, EFORBIDDEN, EUNAUTHORIZED.
type GridService interface {
	// ImportGrids creates or replaces (by code) the given grids after
	// checking them together with the grids already stored: invalid rings
	// and overlaps are errors and nothing is stored; gaps are warnings.
	// Problems found while parsing the upload are passed in and reported too.
	ImportGrids(ctx context.Context, grids []*Grid, parsed []GridProblem) (*GridImportReport, error)
	FindGrids(ctx context.Context, f GridFilter) ([]*Grid, int, error)
}
