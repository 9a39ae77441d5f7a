package zhudun

import (
	"context"
	"encoding/json"
	"time"
)

// Security events (MLPS 2.0 level 3, 入侵防范 f, 集中管控 f). Each is logged
// once as a slog record with an "event" attribute naming it, stored as an
// alert for the audit administrator, pushed on the event stream and sent to
// the alert webhook when one is configured.
const (
	SecLockout           = "security.lockout"             // an account locked after repeated failures
	SecThrottle          = "security.throttle"            // a client address refused after repeated failures
	SecAuditVerifyFailed = "security.audit_verify_failed" // the audit chain failed verification
	SecBadEventMAC       = "security.bad_event_mac"       // a bus event failed its MAC
	SecPIISearchBurst    = "security.pii_search_burst"    // a user searched by personal data past the limit
	SecAdminNewAddress   = "security.admin_new_address"   // an administrator signed in from an address new to it
	SecTerminalTakeover  = "security.terminal_takeover"   // a vehicle terminal's phone registered from another device
)

// SecurityEventNames lists the security events in a stable order.
func SecurityEventNames() []string {
	return []string{SecLockout, SecThrottle, SecAuditVerifyFailed, SecBadEventMAC, SecPIISearchBurst, SecAdminNewAddress, SecTerminalTakeover}
}

// Alert is a security event raised to the audit administrator. Repeats of
// the same event about the same subject within AlertQuietPeriod add to
// Count instead of raising a new alert, so a flood stays one line.
type Alert struct {
	ID         int64           `json:"id"`
	At         time.Time       `json:"at"`
	LastAt     time.Time       `json:"last_at"`
	Event      string          `json:"event"`
	Subject    string          `json:"subject"` // the account, address or object concerned
	Username   string          `json:"username,omitempty"`
	ClientAddr string          `json:"client_addr,omitempty"`
	Detail     json.RawMessage `json:"detail,omitempty"` // never personal data
	Count      int             `json:"count"`
	AckedAt    *time.Time      `json:"acked_at,omitempty"`
	AckedBy    string          `json:"acked_by,omitempty"`
}

// AlertQuietPeriod is how long repeats of one alert are folded into it.
const AlertQuietPeriod = 15 * time.Minute

// SecurityEvent is the input of RaiseSecurityEvent.
type SecurityEvent struct {
	Event      string // one of the Sec* names
	Subject    string
	Username   string
	ClientAddr string
	Detail     map[string]any // never personal data
}

// AlertFilter selects alerts; zero fields do not filter.
type AlertFilter struct {
	Event   string
	Unacked bool
	AfterID int64
	Offset  int
	Limit   int
}

// AlertService raises and lists alerts. FindAlerts and AckAlert need
// audit:read; acknowledging is audited. RaiseSecurityEvent needs no
// permission: every part of zhudun may raise one. Errors: EINVALID,
// ENOTFOUND, EFORBIDDEN.
type AlertService interface {
	RaiseSecurityEvent(ctx context.Context, ev SecurityEvent) error
	FindAlerts(ctx context.Context, f AlertFilter) ([]*Alert, int, error)
	AckAlert(ctx context.Context, id int64) (*Alert, error)
}
