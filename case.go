package zhudun

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Cyber cases (网安案件, issue 12; docs/cases.md): a case is received (受案),
// filed (立案) — when it gets its number — solved (破案) and transferred for
// prosecution (移送起诉); or closed without filing (不予立案) or revoked
// (撤案), each with a reason. People, coercive measures, seizures and the
// engine's entities hang off it; campaigns tag it.

// Case statuses.
const (
	CaseReceived      = "received"       // 受案
	CaseFiled         = "filed"          // 立案
	CaseSolved        = "solved"         // 破案
	CaseTransferred   = "transferred"    // 移送起诉
	CaseClosedUnfiled = "closed_unfiled" // 不予立案
	CaseRevoked       = "revoked"        // 撤案
	CaseMerged        = "merged"         // 并案: a duplicate merged into another case
)

// CaseOpen filters a case list for the cases still being worked:
// received or filed (在办). It is a filter, never a stored status.
const CaseOpen = "open"

// CaseStatuses lists the statuses in lifecycle order.
var CaseStatuses = []string{CaseReceived, CaseFiled, CaseSolved, CaseTransferred, CaseClosedUnfiled, CaseRevoked, CaseMerged}

// caseTransitions are the lifecycle's edges. Merging is not a transition:
// MergeCase does it.
var caseTransitions = map[string][]string{
	CaseReceived: {CaseFiled, CaseClosedUnfiled},
	CaseFiled:    {CaseSolved, CaseRevoked},
	CaseSolved:   {CaseTransferred},
}

// CanTransition reports whether a case may go from status from to to.
func CanTransition(from, to string) bool { return slices.Contains(caseTransitions[from], to) }

// TransitionNeedsReason reports whether the law asks a reason for moving a
// case to status to: not filing it and revoking it.
func TransitionNeedsReason(to string) bool { return to == CaseClosedUnfiled || to == CaseRevoked }

// CaseTypesVersion is the version of the case type dictionary; each case
// stores the version its type was chosen under, so that a later edition
// (a type split or renamed) leaves old cases readable.
const CaseTypesVersion = 1

// CaseType is one entry of the case type dictionary.
type CaseType struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// CaseTypes is the dictionary at CaseTypesVersion.
var CaseTypes = []CaseType{
	{"telecom_fraud", "电信网络诈骗"},
	{"helping_crime", "帮助信息网络犯罪活动"},
	{"personal_info", "侵犯公民个人信息"},
	{"intrusion", "非法侵入计算机信息系统/黑客"},
	{"pornography", "网络淫秽色情"},
	{"gambling", "网络赌博"},
	{"other", "其他"},
}

// ValidCaseType reports whether id is in the dictionary.
func ValidCaseType(id string) bool {
	return slices.ContainsFunc(CaseTypes, func(t CaseType) bool { return t.ID == id })
}

// DefaultCasePrefix is the number prefix of the root department (the city
// bureau's cyber division: 济南市公安局网安支队立案) until one is set. Another
// department without a prefix of its own numbers under this one followed by
// its code ("济公网立SB1"), so that no two departments' numbers collide.
const DefaultCasePrefix = "济公网立"

// CaseNumber formats a case number: 济公网立〔2021〕0123号.
func CaseNumber(prefix string, year, serial int) string {
	return fmt.Sprintf("%s〔%d〕%04d号", prefix, year, serial)
}

var prefixBad = regexp.MustCompile(`[\s〔〕\[\]()（）号0-9]`)

// ValidCasePrefix checks a department's number prefix: 2–16 characters,
// no spaces, digits, brackets or 号 (which the number itself uses).
func ValidCasePrefix(p string) error {
	if n := utf8.RuneCountInString(p); n < 2 || n > 16 || prefixBad.MatchString(p) {
		return FieldError("prefix", "a prefix is 2 to 16 characters without spaces, digits, brackets or 号")
	}
	return nil
}

// CasePrefix is the number prefix in force for a department.
type CasePrefix struct {
	Dept   string `json:"dept"`
	Prefix string `json:"prefix"`
	// Default is set when no prefix was chosen for the department and the
	// derived one is in force.
	Default bool `json:"default"`
}

// CampaignRef names a campaign a case is tagged with.
type CampaignRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Case is one cyber case as lists show it. Number is empty until the case
// is filed; before that it is known by its Receipt.
type Case struct {
	ID          int64         `json:"id"`
	Receipt     string        `json:"receipt"`
	Number      string        `json:"number,omitempty"`
	Year        int           `json:"year,omitempty"`
	Serial      int           `json:"serial,omitempty"`
	Title       string        `json:"title"`
	Type        string        `json:"type"`
	TypeVersion int           `json:"type_version"`
	DeptID      int64         `json:"-"`
	DeptPath    string        `json:"-"`
	DeptCode    string        `json:"dept"`
	LeadID      int64         `json:"lead_id,omitempty"`
	Lead        string        `json:"lead,omitempty"` // username
	Team        []string      `json:"team"`           // usernames, the lead excluded
	Campaigns   []CampaignRef `json:"campaigns"`
	Status      string        `json:"status"`
	MergedInto  *int64        `json:"merged_into,omitempty"`
	ReceivedAt  time.Time     `json:"received_at"`
	FiledAt     *time.Time    `json:"filed_at,omitempty"`
	SolvedAt    *time.Time    `json:"solved_at,omitempty"`
	TransferAt  *time.Time    `json:"transferred_at,omitempty"`
	ClosedAt    *time.Time    `json:"closed_at,omitempty"` // closed unfiled, revoked or merged
	CreatedBy   string        `json:"created_by"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
}

// CaseDetail is a case with all its parts, as the case page shows it:
// every list present, empty when the case has none.
type CaseDetail struct {
	*Case
	People   []*CasePerson `json:"people"`
	Measures []*Measure    `json:"measures"`
	Seizures []*Seizure    `json:"seizures"`
	Entities []*CaseEntity `json:"entities"`
	Events   []*CaseEvent  `json:"events"`
	Links    []*CaseLink   `json:"links"`
	// Note is set by FindCaseByNumber when the number asked for was a
	// duplicate's merged into this case.
	Note string `json:"note,omitempty"`
}

// NewCase is what an analyst opens a case with. Dept defaults to the
// caller's department; FromGang or FromFindings bring the engine's
// entities in (only findings within the caller's finding:read scope).
type NewCase struct {
	Title        string     `json:"title"`
	Type         string     `json:"type"`
	Dept         string     `json:"dept"`
	Lead         int64      `json:"lead"`
	Team         []int64    `json:"team"`
	Campaigns    []int64    `json:"campaigns"`
	ReceivedAt   *time.Time `json:"received_at"`
	FromGang     string     `json:"from_gang"`
	FromFindings []int64    `json:"from_findings"`
}

// Validate checks a new case.
func (n *NewCase) Validate() error {
	n.Title = strings.TrimSpace(n.Title)
	if l := utf8.RuneCountInString(n.Title); l < 2 || l > 200 {
		return FieldError("title", "a title of 2 to 200 characters is required")
	}
	if !ValidCaseType(n.Type) {
		return FieldError("type", "unknown case type %q", n.Type)
	}
	if n.FromGang != "" && len(n.FromFindings) > 0 {
		return FieldError("from_findings", "open a case from a gang or from findings, not both")
	}
	if len(n.FromFindings) > 5000 {
		return FieldError("from_findings", "at most 5000 findings at once")
	}
	if len(n.Team) > 50 {
		return FieldError("team", "at most 50 team members")
	}
	return nil
}

// CaseTransition moves a case along its lifecycle.
type CaseTransition struct {
	To     string `json:"to"`
	Reason string `json:"reason"`
	// At, when set, is when the step was taken (entering a case's history
	// after the fact): not in the future and not before the case's last
	// step. Filing takes its number's year from it. Default: now.
	At *time.Time `json:"at,omitempty"`
}

// CaseEvent is one step of a case's lifecycle: who moved it, when, from
// which status to which and why.
type CaseEvent struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	From   string    `json:"from"`
	To     string    `json:"to"`
	Reason string    `json:"reason,omitempty"`
	// Kind is "status" for a lifecycle step; "edit" (Changes say what
	// changed), "attachment.add" or "attachment.delete" (Reason names the
	// file and, for a deletion, why), "link" and "unlink" (Changes' one
	// entry, field "case", names the other case by number or receipt,
	// Reason says why) leave the status as it is.
	Kind    string       `json:"kind"`
	Changes []CaseChange `json:"changes,omitempty"`
}

// CaseLink ties a case to another (串并案). Seen from one side, Case is the
// other one; its title is left out when the caller may not read it (the
// number and department say whom to ask).
type CaseLink struct {
	ID        int64     `json:"id"`
	Case      int64     `json:"case"`
	Receipt   string    `json:"receipt"`
	Number    string    `json:"number,omitempty"`
	Title     string    `json:"title,omitempty"`
	DeptCode  string    `json:"dept"`
	Reason    string    `json:"reason"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// CaseFilter selects cases for a list; zero fields do not filter.
type CaseFilter struct {
	Status   string
	Type     string
	Campaign int64
	Dept     string // a department code: its subtree
	Q        string // title, receipt or number contains
	Offset   int
	Limit    int
}

// CaseEntity is one of the engine's entities brought into a case, with the
// evidence of its finding as it stood then.
type CaseEntity struct {
	ID         int64           `json:"id"`
	CaseID     int64           `json:"case"`
	FindingID  *int64          `json:"finding_id,omitempty"`
	Category   string          `json:"category"`
	EntityType string          `json:"entity_type"`
	Entity     string          `json:"entity"`
	Gang       string          `json:"gang,omitempty"`
	Evidence   json.RawMessage `json:"evidence"`
	AddedBy    string          `json:"added_by"`
	AddedAt    time.Time       `json:"added_at"`
}

// CaseService keeps the cyber cases: case:read and case:write within the
// caller's data scope over the case's owning department; finding:read for
// the findings a case is opened from; pii:view to reveal a person's
// sealed fields. Every change is audited.
// Errors: EINVALID, ENOTFOUND (also outside scope), ECONFLICT (a
// transition the lifecycle does not allow, a merged case written to),
// EFORBIDDEN.
type CaseService interface {
	CreateCase(ctx context.Context, n NewCase) (*CaseDetail, error)
	FindCases(ctx context.Context, f CaseFilter) ([]*Case, int, error)
	// FindCaseByID returns the case with its people, measures, seizures,
	// entities, events and links.
	FindCaseByID(ctx context.Context, id int64) (*CaseDetail, error)
	// FindCaseByNumber finds a case by number or receipt; a merged
	// duplicate's number returns the survivor, with Note saying so.
	FindCaseByNumber(ctx context.Context, number string) (*CaseDetail, error)
	// TransitionCase moves a case along its lifecycle; filing assigns the
	// number in the same transaction.
	TransitionCase(ctx context.Context, id int64, t CaseTransition) (*CaseDetail, error)
	LinkCases(ctx context.Context, id, other int64, reason string) (*CaseLink, error)
	// UnlinkCases removes the link between case id (case:write over it)
	// and other, with a reason, and returns case id.
	UnlinkCases(ctx context.Context, id, other int64, reason string) (*CaseDetail, error)
	// MergeCase merges duplicate id into the survivor into and returns the
	// survivor.
	MergeCase(ctx context.Context, id, into int64, reason string) (*CaseDetail, error)
	AddCaseEntities(ctx context.Context, id int64, findings []int64) ([]*CaseEntity, error)
	AddCasePerson(ctx context.Context, id int64, n NewCasePerson) (*CasePerson, error)
	// SetApprehended records (or, with "", clears) the day a suspect of
	// the case was caught.
	SetApprehended(ctx context.Context, id, person int64, day string) (*CasePerson, error)
	AddMeasure(ctx context.Context, id int64, n NewMeasure) (*Measure, error)
	AddSeizure(ctx context.Context, id int64, n NewSeizure) (*Seizure, error)
	// FindPerson returns a person with every case of theirs the caller's
	// case:read scope allows; ENOTFOUND when it allows none.
	FindPerson(ctx context.Context, id int64) (*Person, error)
	RevealPersonPII(ctx context.Context, id int64, reason string) (*PersonPII, error)
	// CasePrefixFor and SetCasePrefix read and set a department's number
	// prefix (case:write over the department to set it).
	CasePrefixFor(ctx context.Context, dept string) (*CasePrefix, error)
	SetCasePrefix(ctx context.Context, dept, prefix string) (*CasePrefix, error)
	CreateCampaign(ctx context.Context, n NewCampaign) (*Campaign, error)
	FindCampaigns(ctx context.Context) ([]*Campaign, error)
	// TagCase tags a case with a campaign that reaches its department.
	TagCase(ctx context.Context, id, campaign int64) (*CaseDetail, error)
}

// CaseAlert tells a case's owners that another open case holds one of its
// identifiers (Aleph's cross-reference), or that the engine raised a
// finding on one. The other side is shown as far as the reader may see it:
// a case of another division is named by its department and lead, whom to
// contact, not by its number or title.
type CaseAlert struct {
	ID        int64      `json:"id"`
	CaseID    int64      `json:"case_id"`
	Kind      string     `json:"kind"`  // phone, imei, account, ip, device, idno, bank_account, bank_card
	Shown     string     `json:"shown"` // the identifier, masked where it is personal data
	Source    string     `json:"source"`
	FindingID *int64     `json:"finding_id,omitempty"`
	Other     *AlertSide `json:"other,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	// Case is the alert's own case, filled by the division's list
	// (FindCaseAlerts), where alerts of many cases stand together.
	Case *AlertSide `json:"case,omitempty"`
	// State is open until an owner of the case closes it, saying what was
	// done (contacted the other division, not the same ring …).
	State     string     `json:"state"` // open, closed
	ClosedBy  string     `json:"closed_by,omitempty"`
	ClosedAt  *time.Time `json:"closed_at,omitempty"`
	CloseNote string     `json:"close_note,omitempty"`
}

// Case alert states.
const (
	AlertOpen   = "open"
	AlertClosed = "closed"
)

// CaseAlertFilter selects a division's alerts; zero fields do not filter.
type CaseAlertFilter struct {
	State  string // open, closed
	Dept   string // a department code: its subtree, within the scope
	Offset int
	Limit  int
}

// AlertSide is the other case of an alert.
type AlertSide struct {
	Visible  bool   `json:"visible"` // the reader may open it
	CaseID   int64  `json:"case_id,omitempty"`
	Number   string `json:"number,omitempty"`
	Title    string `json:"title,omitempty"`
	Status   string `json:"status,omitempty"`
	Dept     string `json:"dept"`
	DeptName string `json:"dept_name"`
	Lead     string `json:"lead,omitempty"` // whom to contact: the lead investigator's name, else who opened it
}

// CaseXrefService lists the cross-reference alerts of a case (case:read),
// of every case in the caller's case:read scope (a division's page), and
// closes one (case:write over its case). Errors: ENOTFOUND (a case or an
// alert outside the scope), EINVALID (filter, note), ECONFLICT (closed
// already).
type CaseXrefService interface {
	CaseAlerts(ctx context.Context, caseID int64) ([]*CaseAlert, error)
	FindCaseAlerts(ctx context.Context, f CaseAlertFilter) ([]*CaseAlert, int, error)
	CloseCaseAlert(ctx context.Context, id int64, note string) (*CaseAlert, error)
}

// CaseUpdate changes a case after opening; nil fields stay. Team, when
// given, replaces the team. Dept moves the case to another department of
// the caller's case:write scope: its number (and receipt) stay, as given
// under the old department's prefix and counter.
type CaseUpdate struct {
	Title *string  `json:"title"`
	Type  *string  `json:"type"`
	Dept  *string  `json:"dept"`
	Lead  *int64   `json:"lead"` // 0 clears the lead
	Team  *[]int64 `json:"team"`
}

// Validate checks an update as NewCase.Validate checks a new case.
func (u *CaseUpdate) Validate() error {
	if u.Title == nil && u.Type == nil && u.Dept == nil && u.Lead == nil && u.Team == nil {
		return Errorf(EINVALID, "nothing to change")
	}
	if u.Title != nil {
		t := strings.TrimSpace(*u.Title)
		u.Title = &t
		if l := utf8.RuneCountInString(t); l < 2 || l > 200 {
			return FieldError("title", "a title of 2 to 200 characters is required")
		}
	}
	if u.Type != nil && !ValidCaseType(*u.Type) {
		return FieldError("type", "unknown case type %q", *u.Type)
	}
	if u.Dept != nil && strings.TrimSpace(*u.Dept) == "" {
		return FieldError("dept", "a department is required")
	}
	if u.Team != nil && len(*u.Team) > 50 {
		return FieldError("team", "at most 50 team members")
	}
	return nil
}

// CaseChange is one field of a case changed by an edit, as the timeline
// and the audit log show it.
type CaseChange struct {
	Field  string `json:"field"` // title, type, dept, lead, team
	Before string `json:"before"`
	After  string `json:"after"`
}

// CaseEditor changes a case after opening (case:write over the case, and
// over the new department when it moves). Each change is audited
// case.update and is a timeline event with before and after.
// Errors: EINVALID, ENOTFOUND (also outside scope), ECONFLICT (merged).
type CaseEditor interface {
	UpdateCase(ctx context.Context, id int64, u CaseUpdate) (*CaseDetail, error)
}
