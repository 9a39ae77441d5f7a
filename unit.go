package zhudun

import (
	"context"
	"time"
)

// Base states of a patrol unit. Every custom status label maps to one of
// them; dispatch decisions look only at the base state.
const (
	UnitOffDuty    = "off_duty"
	UnitPatrolling = "patrolling"
	UnitDispatched = "dispatched"
	UnitOnScene    = "on_scene"
	UnitReturning  = "returning"
)

// Unit kinds.
const (
	UnitCar   = "car"
	UnitFoot  = "foot"
	UnitEbike = "ebike"
)

// DefaultStaleAfter is how old a unit's latest position may be before its
// location counts as unknown: a stale unit is never recommended.
const DefaultStaleAfter = 3 * time.Minute

// ValidUnitKind reports whether k is car, foot or ebike.
func ValidUnitKind(k string) bool { return k == UnitCar || k == UnitFoot || k == UnitEbike }

// UnitAvailable reports whether a unit in base state s can take an
// incident: patrolling units can, and so can units returning from one.
func UnitAvailable(s string) bool { return s == UnitPatrolling || s == UnitReturning }

// UnitStatusLabel is a status a crew can report (Resgrid-style custom
// statuses): a label, its display name and the base state it means.
type UnitStatusLabel struct {
	Label string `json:"label"`
	Name  string `json:"name"`
	Base  string `json:"base"`
}

// unitStatusLabels: the base states themselves, then the custom labels.
var unitStatusLabels = []UnitStatusLabel{
	{UnitOffDuty, "下勤", UnitOffDuty},
	{UnitPatrolling, "巡逻", UnitPatrolling},
	{UnitDispatched, "已派警", UnitDispatched},
	{UnitOnScene, "到场处置", UnitOnScene},
	{UnitReturning, "返回", UnitReturning},
	{"standby", "定点守望", UnitPatrolling},
	{"checkpoint", "卡点盘查", UnitPatrolling},
	{"meal", "就餐", UnitOffDuty},
	{"refuel", "加油/充电", UnitOffDuty},
	{"maintenance", "车辆维修", UnitOffDuty},
	{"escorting", "押解/护送", UnitOnScene},
}

// UnitStatusLabels returns the status labels in a stable order.
func UnitStatusLabels() []UnitStatusLabel { return append([]UnitStatusLabel(nil), unitStatusLabels...) }

// ResolveUnitStatus maps a label (or a base state) to its base state.
func ResolveUnitStatus(label string) (UnitStatusLabel, bool) {
	for _, l := range unitStatusLabels {
		if l.Label == label {
			return l, true
		}
	}
	return UnitStatusLabel{}, false
}

// UnitStatusChange reports whether a crew may move a unit from base state
// from to base state to by reporting a status. Dispatched is set only by
// dispatching an incident; on scene only while dispatched (it records the
// arrival); a unit bound to an incident cannot go off duty or patrolling
// until the incident is closed.
func UnitStatusChange(from, to string) error {
	switch to {
	case UnitDispatched:
		return Errorf(ECONFLICT, "a unit becomes dispatched only by dispatching an incident")
	case UnitOnScene:
		if from != UnitDispatched && from != UnitOnScene {
			return Errorf(ECONFLICT, "only a dispatched unit can arrive on scene")
		}
		return nil
	}
	if from == UnitDispatched || from == UnitOnScene {
		return Errorf(ECONFLICT, "the unit is assigned to an incident; close the incident first")
	}
	return nil
}

// Unit is a patrol unit: a car, an e-bike or officers on foot, owned by a
// station. Position fields are the latest fix; PositionAge and Stale are
// worked out when the unit is read.
type Unit struct {
	ID          int64        `json:"id"`
	Callsign    string       `json:"callsign"`
	Kind        string       `json:"kind"`
	StationID   int64        `json:"station_id"`
	StationCode string       `json:"station"`
	StationName string       `json:"station_name"`
	DeptPath    string       `json:"-"`
	Terminal    string       `json:"terminal,omitempty"`
	Status      string       `json:"status"`       // base state
	StatusLabel string       `json:"status_label"` // as reported
	IncidentID  *int64       `json:"incident_id"`  // null when free: clients merging events must see the release
	Lon         *float64     `json:"lon,omitempty"`
	Lat         *float64     `json:"lat,omitempty"`
	PositionAt  *time.Time   `json:"position_at,omitempty"`
	PositionAge *float64     `json:"position_age_seconds,omitempty"`
	Stale       bool         `json:"stale"`          // no position, or older than the staleness limit
	GridCode    string       `json:"grid,omitempty"` // grid its latest position falls in
	Crew        []CrewMember `json:"crew"`           // the officers riding it
	Version     int64        `json:"version"`        // increases with every change of state
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
}

// CrewMember is an officer (a user of the unit's station) riding a unit.
type CrewMember struct {
	UserID   int64  `json:"user_id"`
	Username string `json:"username"`
	Name     string `json:"name"`
}

// UnitUpdate changes what a unit is bound to; nil fields stay. Crew lists
// usernames: users of the unit's station (or a department under it); an
// officer put on a unit leaves any other unit's crew.
type UnitUpdate struct {
	Terminal *string
	Crew     *[]string
}

// NewUnit is the input of CreateUnit.
type NewUnit struct {
	Callsign    string
	Kind        string
	StationCode string
	Terminal    string
}

// Position is one fix of a unit (WGS-84).
type Position struct {
	Lon float64   `json:"lon"`
	Lat float64   `json:"lat"`
	TS  time.Time `json:"ts"`
}

// UnitFilter selects units; zero fields do not filter.
type UnitFilter struct {
	ID       int64
	Station  string
	Under    string
	Status   string
	Callsign string
	Offset   int
	Limit    int
}

// UnitService manages units within the caller's unit:read / unit:write
// scope (decided on the owning station); a crew member may also report its
// own unit's status (SetUnitStatus) with unit:read alone. Positions are telemetry: stored
// and streamed (unit.position), never audited one by one. Errors: EINVALID,
// ENOTFOUND (also outside scope), ECONFLICT (callsign taken, forbidden state
// change), EFORBIDDEN, EUNAUTHORIZED.
type UnitService interface {
	CreateUnit(ctx context.Context, u NewUnit) (*Unit, error)
	FindUnits(ctx context.Context, f UnitFilter) ([]*Unit, int, error)
	FindUnitByID(ctx context.Context, id int64) (*Unit, error)
	SetUnitStatus(ctx context.Context, id int64, label string) (*Unit, error)
	AddPositions(ctx context.Context, id int64, ps []Position) (*Unit, error)
	// UnitTrack returns the unit's fixes since a time within the last 24
	// hours, oldest first, at most 5,000 (the newest): the live map's
	// track of the last 30 minutes.
	UnitTrack(ctx context.Context, id int64, since time.Time) ([]Position, error)
	// UpdateUnit binds a unit to its terminal and crew (unit:write).
	UpdateUnit(ctx context.Context, id int64, up UnitUpdate) (*Unit, error)
	// MyUnit returns the unit whose crew the caller is in (ENOTFOUND: none).
	MyUnit(ctx context.Context) (*Unit, error)
	// CrewCandidates lists the officers who may ride unit id: the enabled
	// users of its station and the departments under it (unit:write).
	CrewCandidates(ctx context.Context, id int64) ([]CrewMember, error)
}
