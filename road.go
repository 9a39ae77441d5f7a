package zhudun

import (
	"context"
	"time"
)

// Road is one road centreline of the bureau's road layer (铸盾 coverage of
// road length, docs/zhudun.md "Roads"): WGS-84 lines of [lon, lat], its
// name and class as the source gave them (OSM's highway tag, or class).
type Road struct {
	ID      int64          `json:"id"`
	Name    string         `json:"name"`
	Class   string         `json:"class"`
	Lines   [][][2]float64 `json:"-"`
	LengthM float64        `json:"length_m"`
}

// Bounds of a road import: what one city's road layer needs, and no more
// than the coverage engine measures in a second or two.
const (
	MaxRoads           = 200000   // features in one file
	MaxRoadPositions   = 10000    // positions of one feature
	MaxRoadsPositions  = 5000000  // positions of the whole file
	MaxRoadsBytes      = 64 << 20 // the file
	MaxRoadImportError = 1000     // errors listed; the rest are counted
)

// RoadImport is a parsed road file: the roads read and the features'
// errors (Row is the feature's index, from 0).
type RoadImport struct {
	Roads  []Road
	Errors []ImportRowError
}

// RoadImportReport is the answer to a road import: nothing is stored (the
// roads stored before stay) when Errors is not empty.
type RoadImportReport struct {
	Accepted bool             `json:"accepted"`
	Roads    int              `json:"roads"`
	LengthM  float64          `json:"length_m"`
	Errors   []ImportRowError `json:"errors"`
}

// RoadLayer is the stored road layer's summary.
type RoadLayer struct {
	Roads      int       `json:"roads"`
	LengthM    float64   `json:"length_m"`
	ImportedAt time.Time `json:"imported_at"`
	ImportedBy string    `json:"imported_by"`
}

// RoadService keeps the road layer. ReplaceRoads replaces every road in
// one transaction (zhudun:write at a city-wide scope, or the system
// caller of the command line: the layer is the city's, not a station's),
// audited zhudun.road.import; EINVALID naming the feature and field,
// EFORBIDDEN. FindRoads lists them for zhudun:read (roads are public
// geography, not a station's records: every reader sees all).
type RoadService interface {
	ReplaceRoads(ctx context.Context, imp RoadImport) (*RoadImportReport, error)
	FindRoads(ctx context.Context) ([]Road, *RoadLayer, error)
}
