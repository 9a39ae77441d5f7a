package zhudun

import (
	"context"
	"encoding/json"
	"time"
)

// Event is a domain event: something that changed. It is written to the
// outbox in the transaction of the change, relayed to the bus, and pushed to
// browsers whose caller holds Perm with a scope that covers DeptPath/DeptID
// (or OwnerID for self scope). Data never carries unmasked personal data.
type Event struct {
	ID   int64           `json:"id"`   // outbox sequence, unique and increasing within Source
	Type string          `json:"type"` // "user.created", "dept.updated", "audit.appended", …
	At   time.Time       `json:"at"`
	Data json.RawMessage `json:"data"`

	// Routing metadata, kept on the bus but not sent to browsers.
	Source   string     `json:"source,omitempty"` // the database the event was written in
	Perm     Permission `json:"perm"`
	DeptPath string     `json:"dept_path,omitempty"`
	DeptID   int64      `json:"dept_id,omitempty"`
	OwnerID  int64      `json:"owner_id,omitempty"`
}

// Subject is the bus subject the event is published on.
func (e Event) Subject() string { return "zhudun.events." + e.Type }

// Visible reports whether caller c may see event e.
func (e Event) Visible(c *Caller) bool {
	if c == nil {
		return false
	}
	f, err := c.Filter(e.Perm)
	if err != nil {
		return false
	}
	return f.Covers(e.DeptPath, e.DeptID, e.OwnerID)
}

// Bus carries domain events between processes.
//
// Publish is idempotent per event ID (a relay may publish an event twice after
// a crash; the bus keeps one). Subscribe delivers events published after it
// was called, in order, until ctx ends; fn runs on one goroutine and must not
// block for long. Errors are EUNAVAILABLE when the bus is down.
type Bus interface {
	Publish(ctx context.Context, e Event) error
	Subscribe(ctx context.Context, fn func(Event)) error
	Ping(ctx context.Context) error
	Close() error
}
