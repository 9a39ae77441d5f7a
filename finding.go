package zhudun

import (
	"context"
	"encoding/json"
	"time"
)

// Finding kinds: a finding asserts an entity black; a lead is a weaker
// suspicion kept for analysts (docs/spec/events.md, "Findings").
const (
	KindFinding = "finding"
	KindLead    = "lead"
)

// Finding statuses. A withdrawn finding lost its support as more events
// arrived (an adaptive threshold moved, a signal fell away); it is kept, and
// an analyst's confirmation of it stands, flagged no longer supported.
const (
	FindingLive      = "live"
	FindingWithdrawn = "withdrawn"
)

// Finding is one stored Four Cuts finding or lead: the contract's fields
// plus its id, status and the department it belongs to (the department of
// the source whose event first raised it; the root when none is known).
type Finding struct {
	ID         int64           `json:"id"`
	Kind       string          `json:"-"`
	Category   string          `json:"category"`
	EntityType string          `json:"entity_type"`
	Entity     string          `json:"entity"`
	Score      float64         `json:"score"`
	Gang       string          `json:"gang"`
	FirstSeen  time.Time       `json:"first_seen"`
	LastSeen   time.Time       `json:"last_seen"`
	Evidence   json.RawMessage `json:"evidence"`
	// Status is the engine's axis (live, withdrawn); Review the analyst's
	// and the cut's (new, confirmed, dismissed, cut, restored), which is
	// the API's "status" (docs/cutlists.md). The engine never writes Review.
	Status       string     `json:"engine"`
	Review       string     `json:"status"`
	ReviewReason string     `json:"review_reason,omitempty"`
	ReviewedBy   string     `json:"reviewed_by,omitempty"`
	ReviewedAt   *time.Time `json:"reviewed_at,omitempty"`
	ConfirmedAt  *time.Time `json:"confirmed_at,omitempty"`
	CutAt        *time.Time `json:"cut_at,omitempty"`
	CutSource    string     `json:"cut_source,omitempty"`
	NotCutReason string     `json:"not_cut_reason,omitempty"`
	RestoredAt   *time.Time `json:"restored_at,omitempty"`
	// Networks are the carriers or platforms the events put the entity on
	// (written by the live engine, from sim and reg events).
	Networks []string `json:"networks,omitempty"`
	// Confirmed is an analyst's confirmation (review confirmed or cut);
	// Unsupported is set when a confirmed finding has since been withdrawn
	// by the engine.
	Confirmed   bool      `json:"confirmed"`
	Unsupported bool      `json:"no_longer_supported"`
	DeptID      int64     `json:"-"`
	DeptCode    string    `json:"dept"`
	DeptPath    string    `json:"-"`
	Source      string    `json:"-"` // the source that first raised it
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// FindingFilter selects findings (or leads) for a list; zero fields do
// not filter. Status is either axis: live or withdrawn (the engine's), or
// a review status (new, confirmed, dismissed, cut, restored). With no
// status, or a review status, only live findings are listed unless Engine
// says withdrawn or "any".
type FindingFilter struct {
	Kind     string
	Category string
	Gang     string
	Status   string
	Engine   string
	MinScore float64
	MaxScore float64
	Signal   string // an evidence signal
	Source   string
	// First and last seen ranges; zero times do not filter.
	FirstFrom, FirstTo, LastFrom, LastTo time.Time
	// Region is a department code: its subtree.
	Region string
	// Sort: id (default, newest first), score, first_seen, last_seen; a
	// leading "-" for descending, which is the default of score and the times.
	Sort   string
	Offset int
	Limit  int
}

// FindingService lists the findings and leads a caller may see: finding:read
// within the caller's data scope.
// Errors: EINVALID (a bad filter), EFORBIDDEN.
type FindingService interface {
	FindFindings(ctx context.Context, f FindingFilter) ([]*Finding, int, error)
}

// EngineCheckpoint is a live engine's durable state: the snapshot of its
// aggregates and the last stream sequence they cover (docs/live.md).
type EngineCheckpoint struct {
	Name  string
	Seq   uint64
	State []byte
}

// FindingChange is one live engine run's effect on the stored findings,
// applied in one transaction with the checkpoint that covers it.
type FindingChange struct {
	// Upsert holds new findings (ID 0) and changed ones (their ID).
	Upsert []*Finding
	// Withdraw holds the ids of findings no longer found.
	Withdraw []int64
	// Checkpoint, when set, is saved in the same transaction.
	Checkpoint *EngineCheckpoint
}
