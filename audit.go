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
	DeptPath   string          `json:"-"`
	Action     string          `json:"action"` // "user.create", "auth.login", "pii.view", …
	ObjectType string          `json:"object_type,omitempty"`
	ObjectID   string          `json:"object_id,omitempty"`
	Result     string          `json:"result"`
	ClientAddr string          `json:"client_addr,omitempty"`
	Detail     json.RawMessage `json:"detail,omitempty"` // never clear-text personal data
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
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
