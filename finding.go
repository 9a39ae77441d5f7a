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
	// Links tie it to other entities of its gang ("category|entity", or
	// "outlet|name"), written by the live engine for the gang graph.
	// Not in the API's findings: a link may name an entity outside the
	// reader's scope; the gang read draws only those it may see.
	Links []string `json:"-"`
	// A finding an analyst promoted from a lead (docs/cutlists.md):
	// who, why and when. The engine never withdraws it.
	PromotedBy    string     `json:"promoted_by,omitempty"`
	PromoteReason string     `json:"promote_reason,omitempty"`
	PromotedAt    *time.Time `json:"promoted_at,omitempty"`
	Confirmed     bool       `json:"confirmed"`
	Unsupported   bool       `json:"no_longer_supported"`
	DeptID        int64      `json:"-"`
	DeptCode      string     `json:"dept"`
	DeptPath      string     `json:"-"`
	Source        string     `json:"-"` // the source that first raised it
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
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
	// When the platform recorded it, an analyst confirmed it, and it was
	// cut: the command dashboard's "today" figures drill down to these.
	CreatedFrom, CreatedTo, ConfirmedFrom, ConfirmedTo, CutFrom, CutTo time.Time
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
	// Gang returns a gang's members within the caller's finding:read scope
	// drawn as a graph, with its figures and timeline (gang.go);
	// ENOTFOUND when the caller sees none of them.
	Gang(ctx context.Context, id string) (*Gang, error)
}

// EngineCheckpoint is a live engine's durable state: the snapshot of its
// aggregates and the last stream sequence they cover (docs/live.md).
type EngineCheckpoint struct {
	Name  string
	Seq   uint64
	State []byte
}

// EngineFence is a writer's fencing token (Store.TakeFence) for the
// engine Name: a change carrying one is refused, ECONFLICT and whole,
// unless the token is still the newest taken for Name.
type EngineFence struct {
	Name  string
	Token uint64
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
	// Fence, when its Token is not 0, is checked before anything is
	// written (the elected global stage's changes, with or without a
	// checkpoint).
	Fence EngineFence
}

// EngineWorker is one running live engine process as its heartbeat
// records it (docs/live.md, "Status").
type EngineWorker struct {
	ID      string    `json:"id"`   // host/pid/start, unique per process
	Name    string    `json:"name"` // the engine it runs (consumer and checkpoint)
	Host    string    `json:"host"`
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
	Seen    time.Time `json:"seen"`
	Seq     uint64    `json:"seq"`    // last stream sequence fed
	Events  int64     `json:"events"` // events the engine holds
	Alive   bool      `json:"alive"`  // seen within WorkerAlive
}

// WorkerAlive is how recently a worker must have been seen to count as
// alive: three heartbeats (10 s apart).
const WorkerAlive = 30 * time.Second

// CheckpointInfo is an engine checkpoint as the status page shows it.
type CheckpointInfo struct {
	Name string    `json:"name"`
	Seq  uint64    `json:"seq"`
	At   time.Time `json:"at"`
	Size int64     `json:"size"` // bytes of the snapshot
}

// EngineStatusService reports the live engines' heartbeats and
// checkpoints (source:write, like the rest of the ingest status).
type EngineStatusService interface {
	// EngineHeartbeat records that w is alive; the engine's own, needing
	// no caller.
	EngineHeartbeat(ctx context.Context, w *EngineWorker) error
	// EngineWorkerStopped removes a worker that stopped cleanly.
	EngineWorkerStopped(ctx context.Context, id string) error
	EngineWorkers(ctx context.Context) ([]*EngineWorker, error)
	EngineCheckpoints(ctx context.Context) ([]*CheckpointInfo, error)
}

// PartitionLag is one partition of the ingest stream against an engine's
// checkpoint: Lag messages of it lie after the checkpoint's sequence.
type PartitionLag struct {
	Partition int    `json:"partition"`
	Subject   string `json:"subject"`
	Messages  uint64 `json:"messages"` // held by the stream
	LastSeq   uint64 `json:"last_seq"` // 0 when it holds none
	Lag       uint64 `json:"lag"`
}

// ConsumerState is the durable consumer's own view (JetStream's counts).
type ConsumerState struct {
	Name       string `json:"name"`
	Pending    uint64 `json:"pending"`     // not yet delivered
	AckPending int    `json:"ack_pending"` // delivered, not yet acknowledged
	Delivered  uint64 `json:"delivered_seq"`
	AckFloor   uint64 `json:"ack_floor_seq"`
}

// StreamLag is the ingest stream against one engine's checkpoint.
type StreamLag struct {
	Stream     string          `json:"stream"`
	Messages   uint64          `json:"messages"`
	Bytes      uint64          `json:"bytes"`
	LastSeq    uint64          `json:"last_seq"`
	Lag        uint64          `json:"lag"` // the partitions' sum
	Partitions []*PartitionLag `json:"partitions"`
	// Consumer is nil when the durable consumer does not exist (no engine
	// has started yet).
	Consumer *ConsumerState `json:"consumer"`
}
