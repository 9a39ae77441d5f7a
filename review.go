package zhudun

import (
	"context"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Review statuses: the analyst's and the cut's axis of a finding, apart
// from the engine's live/withdrawn (docs/cutlists.md).
const (
	ReviewNew       = "new"
	ReviewConfirmed = "confirmed"
	ReviewDismissed = "dismissed"
	ReviewCut       = "cut"
	ReviewRestored  = "restored"
	// ReviewPromoted is a lead's status once an analyst promoted it to a
	// finding (the finding is a row of its own).
	ReviewPromoted = "promoted"
)

// ReviewStatuses lists the review statuses in their order.
var ReviewStatuses = []string{ReviewNew, ReviewConfirmed, ReviewDismissed, ReviewCut, ReviewRestored}

// Review decisions.
const (
	DecisionConfirm = "confirm"
	DecisionDismiss = "dismiss"
)

// LegitimateReason is the dismissal reason that may put the entity on the
// allowlist from the same request.
const LegitimateReason = "legitimate"

// Review is an analyst's decision on a finding or a whole gang.
type Review struct {
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
	// Allow, with a dismissal whose reason is "legitimate", adds the
	// entity (each entity of a gang) to the allowlist, expiring at
	// AllowExpires (never when nil).
	Allow        bool       `json:"allow"`
	AllowExpires *time.Time `json:"allow_expires,omitempty"`
}

// ValidReason checks a reason typed by a person: 4–500 characters.
func ValidReason(field, r string) error {
	if n := utf8.RuneCountInString(r); n < 4 || n > 500 {
		return FieldError(field, "a reason of 4 to 500 characters is required")
	}
	return nil
}

// Validate checks a review.
func (r *Review) Validate() error {
	if r.Decision != DecisionConfirm && r.Decision != DecisionDismiss {
		return FieldError("decision", "decision must be confirm or dismiss")
	}
	if err := ValidReason("reason", r.Reason); err != nil {
		return err
	}
	if r.Allow && (r.Decision != DecisionDismiss || !IsLegitimate(r.Reason)) {
		return FieldError("allow", `only a dismissal with reason "legitimate" adds to the allowlist`)
	}
	return nil
}

// IsLegitimate reports whether a dismissal's reason is "legitimate",
// alone or followed by ":" and a note ("legitimate: 快递公司号码").
func IsLegitimate(reason string) bool {
	return reason == LegitimateReason || strings.HasPrefix(reason, LegitimateReason+":")
}

// ReviewResult is what a review changed.
type ReviewResult struct {
	Findings []*Finding   `json:"items"`
	Allowed  []*AllowItem `json:"allowed,omitempty"`
	// Pending is set, and nothing changed, when the two-person rule holds
	// the confirmation for a second analyst.
	Pending *ReviewRequest `json:"pending,omitempty"`
}

// Review request statuses (the two-person rule).
const (
	RequestPending  = "pending"
	RequestApproved = "approved"
	RequestRejected = "rejected"
)

// ReviewRequest is a confirmation of more entities than the two-person
// rule allows one analyst, waiting for a second one.
type ReviewRequest struct {
	ID          int64      `json:"id"`
	Decision    string     `json:"decision"`
	Reason      string     `json:"reason"`
	Target      string     `json:"target"` // "gang G-000001", "finding 42"
	FindingIDs  []int64    `json:"finding_ids"`
	RequestedBy string     `json:"requested_by"`
	DeptCode    string     `json:"dept"`
	Status      string     `json:"status"`
	DecidedBy   string     `json:"decided_by,omitempty"`
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

// AllowItem is one allowlist entry: an entity the live engine no longer
// finds, with why, who added it and until when.
type AllowItem struct {
	ID         int64      `json:"id"`
	EntityType string     `json:"entity_type"`
	Entity     string     `json:"entity"`
	Reason     string     `json:"reason"`
	Owner      string     `json:"owner"`
	DeptCode   string     `json:"dept"`
	FindingID  *int64     `json:"finding_id,omitempty"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
}

// AllowEntityTypes are the entity types an allowlist entry may name (the
// engine's, fourcuts.AllowEntry).
// A holder is not among them: the stream knows holders only as keyed
// pseudonyms, and an entry naming a resident ID would keep it in clear
// (the engine's --allow file may still name one).
var AllowEntityTypes = []string{"msisdn", "imei", "device", "account", "ip"}

// ReviewService is the analyst's workbench: review findings and gangs
// (finding:write within the caller's data scope) and keep the allowlist.
// Every change is audited.
// Errors: EINVALID, ENOTFOUND, ECONFLICT (a cut or restored finding is
// reviewed through appeals), EFORBIDDEN.
type ReviewService interface {
	ReviewFinding(ctx context.Context, id int64, r Review) (*ReviewResult, error)
	ReviewGang(ctx context.Context, gang string, r Review) (*ReviewResult, error)
	// ReviewFindings reviews selected findings at once: all or none, one
	// review for the two-person rule.
	ReviewFindings(ctx context.Context, ids []int64, r Review) (*ReviewResult, error)
	// FindReviewRequests lists the two-person rule's requests (finding:read
	// over the requester's department); status "" lists all.
	FindReviewRequests(ctx context.Context, status string) ([]*ReviewRequest, error)
	// DecideReviewRequest approves (applies) or rejects a pending request:
	// finding:write over every finding it changes, by an analyst other
	// than the one who asked.
	DecideReviewRequest(ctx context.Context, id int64, approve bool) (*ReviewRequest, *ReviewResult, error)
	// PromoteLead makes a lead a finding with the analyst's reason: a new
	// finding (status new) beside the lead, which becomes promoted.
	// ECONFLICT when the lead was promoted already or the entity is a
	// finding.
	PromoteLead(ctx context.Context, id int64, reason string) (*Finding, error)
	FindAllowlist(ctx context.Context) ([]*AllowItem, error)
	AddAllow(ctx context.Context, a *AllowItem) error
	RemoveAllow(ctx context.Context, id int64) error
	// ActiveAllowlist is the live engine's: every entry not expired at
	// now, whoever added it (no caller scope).
	ActiveAllowlist(ctx context.Context, now time.Time) ([]*AllowItem, error)
}

// CutCategories are the categories a source of kind collects: a carrier
// the cards on its network and the devices seen on it; a platform the
// accounts on it and the fingerprints and lines seen with them.
func CutCategories(kind string) []string {
	switch kind {
	case SourceCarrier:
		return []string{"black_card", "black_device"}
	case SourcePlatform:
		return []string{"black_account", "black_software", "black_line"}
	}
	return nil
}

// CutItem is one entity of a source's cut list.
type CutItem struct {
	FindingID   int64      `json:"id"`
	Category    string     `json:"category"`
	EntityType  string     `json:"entity_type"`
	Entity      string     `json:"entity"`
	Gang        string     `json:"gang"`
	Score       float64    `json:"score"`
	Status      string     `json:"status"` // confirmed, cut, restored, dismissed (no longer to cut)
	ConfirmedAt time.Time  `json:"confirmed_at"`
	CutAt       *time.Time `json:"cut_at,omitempty"`
	NotCut      string     `json:"not_cut_reason,omitempty"`
	RestoredAt  *time.Time `json:"restored_at,omitempty"`
	UpdatedAt   time.Time  `json:"updated_at"` // list_at: what ?since= compares
}

// CutAck is a source's report on one entity of its list.
type CutAck struct {
	Entity string `json:"entity"`
	Status string `json:"status"` // cut, not_cut
	Reason string `json:"reason"`
}

// CutAckResult is the answer for one CutAck.
type CutAckResult struct {
	Entity string `json:"entity"`
	Status string `json:"status,omitempty"` // the finding's status after the ack
	Error  string `json:"error,omitempty"`
}

// CutListStat counts one source's list: what it was given, cut, reported
// not cut, and what is overdue.
type CutListStat struct {
	Source    string `json:"source"`
	Binding   string `json:"binding"`
	Category  string `json:"category"`
	Confirmed int    `json:"confirmed"` // to cut, not yet reported
	Cut       int    `json:"cut"`
	NotCut    int    `json:"not_cut"`
	Overdue   int    `json:"overdue"`
	Restored  int    `json:"restored"`
}

// CutListService hands sources their cut lists and takes their reports
// back. A source is authenticated by its key (SourceByKey) and these need
// no caller; each fetch and each report is audited under the source.
// Errors: EINVALID, EFORBIDDEN (a category not the source's kind's).
type CutListService interface {
	// CutList pages with since and, within one instant, after (the last
	// item's id; 0: none).
	CutList(ctx context.Context, src *Source, category string, since time.Time, after int64) ([]*CutItem, error)
	AckCuts(ctx context.Context, src *Source, category string, acks []CutAck) ([]*CutAckResult, error)
	// CutListStats counts per source and list (finding:read within the
	// caller's scope), overdue past deadline after confirmation.
	CutListStats(ctx context.Context, deadline time.Duration) ([]*CutListStat, error)
	// EscalateOverdue raises, once per finding, the overdue cuts (confirmed
	// longer than deadline ago, reported neither cut nor not cut) to the
	// commanders of the finding's department; it returns how many.
	EscalateOverdue(ctx context.Context, deadline time.Duration) (int, error)
}

// Appeal statuses.
const (
	AppealOpen     = "open"
	AppealRestored = "restored"
	AppealRejected = "rejected"
)

// Appeal is a resident's appeal against a cut. The resident's ID is kept
// sealed and shown masked.
type Appeal struct {
	ID             int64      `json:"id"`
	FindingID      int64      `json:"finding_id"`
	Category       string     `json:"category"`
	Entity         string     `json:"entity"`
	EnteredBy      string     `json:"entered_by"`
	IDNumberMasked string     `json:"id_number"`
	Reason         string     `json:"reason"`
	Status         string     `json:"status"`
	DecidedBy      string     `json:"decided_by,omitempty"`
	DecisionReason string     `json:"decision_reason,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
	DeptCode       string     `json:"dept"`
	// Unmatched: the entity is on no cut list (an officer's appeal is
	// taken anyway); there is nothing to restore, only an answer to give.
	Unmatched bool `json:"unmatched,omitempty"`
}

// NewAppeal is what an officer or a source enters.
type NewAppeal struct {
	Category string `json:"category"`
	Entity   string `json:"entity"`
	IDNumber string `json:"id_number"` // the resident's, under the personal-data rules
	Reason   string `json:"reason"`
}

// AppealStat counts the appeals against findings carrying one signal.
type AppealStat struct {
	Signal   string `json:"signal"`
	Appeals  int    `json:"appeals"`
	Open     int    `json:"open"`
	Restored int    `json:"restored"`
	Rejected int    `json:"rejected"`
}

// AppealService takes appeals against cuts: entered by an officer
// (appeal:write; it shows nothing of the finding) or by a source for its
// own list's entity; decided by an analyst (finding:write within scope),
// who restores the entity — the source's next fetch carries it — or
// rejects the appeal. Every step is audited.
// Errors: EINVALID, ENOTFOUND, ECONFLICT, EFORBIDDEN.
type AppealService interface {
	CreateAppeal(ctx context.Context, n NewAppeal) (*Appeal, error)
	CreateSourceAppeal(ctx context.Context, src *Source, n NewAppeal) (*Appeal, error)
	FindAppeals(ctx context.Context, status string) ([]*Appeal, error)
	DecideAppeal(ctx context.Context, id int64, restore bool, reason string) (*Appeal, error)
	AppealStats(ctx context.Context) ([]*AppealStat, error)
}

// Figure is one number of a report with last year's for the same period.
// ChangePct is the change in percent to one decimal, nil when last year's
// is zero.
type Figure struct {
	Value     float64  `json:"value"`
	LastYear  float64  `json:"last_year"`
	ChangePct *float64 `json:"change_pct"`
}

// FourCutsReport is the Four Cuts figures of a period and department.
type FourCutsReport struct {
	From, To time.Time `json:"-"`
	Dept     string    `json:"dept"`
	// FindingsByCategory counts findings first raised in the period.
	FindingsByCategory map[string]Figure `json:"findings_by_category"`
	Findings           Figure            `json:"findings"`
	Confirmed          Figure            `json:"confirmed"`
	Dismissed          Figure            `json:"dismissed"`
	Cut                Figure            `json:"cut"`
	Restored           Figure            `json:"restored_on_appeal"`
	// MaliciousAccounts: distinct accounts confirmed as black_account in
	// the period.
	MaliciousAccounts Figure `json:"malicious_accounts"`
	// Hours from finding to confirmation and from confirmation to cut,
	// the mean over those confirmed (cut) in the period.
	HoursToConfirm Figure `json:"hours_to_confirm"`
	HoursToCut     Figure `json:"hours_to_cut"`
}

// NewFigure returns v with last year's and the change.
func NewFigure(v, last float64) Figure {
	f := Figure{Value: v, LastYear: last}
	if last != 0 {
		c := math.Round((v-last)/last*1000) / 10
		f.ChangePct = &c
	}
	return f
}
