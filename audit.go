package zhudun

import (
	"context"
	"encoding/json"
	"time"
)

// Audit results.
const (
	ResultOK     = "ok"
	ResultDenied = "denied"
	ResultFailed = "failed"
)

// AuditEntry is one row of the append-only, SM3-chained audit log.
type AuditEntry struct {
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	UserID     int64           `json:"user_id,omitempty"`
	Username   string          `json:"username"`
	DeptCode   string          `json:"dept_code,omitempty"`
	DeptName   string          `json:"dept_name,omitempty"` // as the department is named now (not hashed: lists fill it in)
	DeptPath   string          `json:"-"`
	Action     string          `json:"action"` // "user.create", "auth.login", "pii.view", …
	ObjectType string          `json:"object_type,omitempty"`
	ObjectID   string          `json:"object_id,omitempty"`
	Result     string          `json:"result"`
	ClientAddr string          `json:"client_addr,omitempty"`
	Detail     json.RawMessage `json:"detail,omitempty"` // never clear-text personal data
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
	// Sig is the audit key's signature of Seq and Hash, which names the
	// first altered row even when every later hash was recomputed.
	Sig string `json:"-"`
}

// AuditFilter selects audit rows; zero fields do not filter.
type AuditFilter struct {
	From, To   time.Time
	Username   string
	Action     string // prefix match: "user." matches every user action
	ObjectType string
	ObjectID   string
	Result     string
	AfterSeq   int64
	Offset     int
	Limit      int
}

// AuditProblem describes the first row where verification failed.
type AuditProblem struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"` // "altered", "deleted", "reordered", "anchor mismatch", …
}

// AuditReport is the result of verifying the chain.
type AuditReport struct {
	OK        bool          `json:"ok"`
	Rows      int64         `json:"rows"`
	FirstSeq  int64         `json:"first_seq"`
	LastSeq   int64         `json:"last_seq"`
	HeadHash  string        `json:"head_hash"`
	Problem   *AuditProblem `json:"problem,omitempty"`
	CheckedAt time.Time     `json:"checked_at"`
}

// AuditService reads and verifies the audit log (audit:read). Writing happens
// inside every store change; Record is for events that change nothing (a
// denied request, an export, a login failure).
type AuditService interface {
	Record(ctx context.Context, e *AuditEntry) error
	FindAudit(ctx context.Context, f AuditFilter) ([]*AuditEntry, int, error)
	VerifyAudit(ctx context.Context) (*AuditReport, error)
}

// AuditHead is a point the audit chain reached: its last row's sequence
// number and hash in one database (Instance, settings.instance_id), signed
// with the audit key so that nobody without it can forge one.
type AuditHead struct {
	Instance string `json:"instance"`
	Seq      int64  `json:"seq"`
	Hash     string `json:"hash"`
	Sig      string `json:"sig"`
}

// AuditWitness keeps the heads the audit chain reached where the database's
// owner cannot roll them back: an append-only file outside the database in
// the embedded default, a JetStream stream on a NATS cluster. The store
// appends a head after every commit that added audit rows and before the
// request returns; verification compares the database with the highest head
// witnessed.
type AuditWitness interface {
	// Append records h. Errors are EUNAVAILABLE.
	Append(ctx context.Context, h AuditHead) error
	// Heads calls fn with every head witnessed for instance, in the order
	// written; it stops at fn's first error and returns it.
	Heads(ctx context.Context, instance string, fn func(AuditHead) error) error
}
