package zhudun

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
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
// bureau's cyber police, 济南市公安局网安 立案) until one is set. Another
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

// Case is one cyber case. Number is empty until the case is filed; before
// that it is known by its Receipt. The detail fields (People to Links) are
// filled by FindCaseByID only.
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

	People   []*CasePerson `json:"people,omitempty"`
	Measures []*Measure    `json:"measures,omitempty"`
	Seizures []*Seizure    `json:"seizures,omitempty"`
	Entities []*CaseEntity `json:"entities,omitempty"`
	Events   []*CaseEvent  `json:"events,omitempty"`
	Links    []*CaseLink   `json:"links,omitempty"`
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

// Roles of a person in a case.
const (
	RoleSuspect = "suspect"
	RoleVictim  = "victim"
	RoleWitness = "witness"
)

// Person is one natural person across cases, found again by the blind
// index of the resident ID. ID number and phone are shown masked; the
// clear text only through RevealPersonPII.
type Person struct {
	ID             int64         `json:"id"`
	Name           string        `json:"name"`
	IDNumberMasked string        `json:"id_number"`
	PhoneMasked    string        `json:"phone"`
	CreatedAt      time.Time     `json:"created_at"`
	Cases          []*PersonCase `json:"cases"`
}

// PersonCase is one case of a person's, as the person's page lists it.
type PersonCase struct {
	CaseID        int64  `json:"case"`
	Receipt       string `json:"receipt"`
	Number        string `json:"number,omitempty"`
	Title         string `json:"title"`
	Status        string `json:"status"`
	DeptCode      string `json:"dept"`
	Role          string `json:"role"`
	ApprehendedOn string `json:"apprehended_on,omitempty"`
}

// PersonPII is the clear text of a person's sealed fields.
type PersonPII struct {
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
}

// CasePerson is a person in one case.
type CasePerson struct {
	ID             int64     `json:"id"`
	PersonID       int64     `json:"person"`
	Name           string    `json:"name"`
	IDNumberMasked string    `json:"id_number"`
	PhoneMasked    string    `json:"phone"`
	Role           string    `json:"role"`
	ApprehendedOn  string    `json:"apprehended_on,omitempty"` // 抓获, suspects only
	Note           string    `json:"note,omitempty"`
	CreatedBy      string    `json:"created_by"`
	CreatedAt      time.Time `json:"created_at"`
}

// NewCasePerson adds a person to a case; an ID number already known joins
// the existing person.
type NewCasePerson struct {
	Name          string `json:"name"`
	IDNumber      string `json:"id_number"`
	Phone         string `json:"phone"`
	Role          string `json:"role"`
	ApprehendedOn string `json:"apprehended_on"`
	Note          string `json:"note"`
}

// Validate checks a new case person (the ID and phone are checked where
// they are sealed).
func (n *NewCasePerson) Validate() error {
	n.Name = strings.TrimSpace(n.Name)
	if l := utf8.RuneCountInString(n.Name); l < 1 || l > 100 {
		return FieldError("name", "a name of 1 to 100 characters is required")
	}
	if n.Role != RoleSuspect && n.Role != RoleVictim && n.Role != RoleWitness {
		return FieldError("role", "role must be suspect, victim or witness")
	}
	if n.ApprehendedOn != "" {
		if n.Role != RoleSuspect {
			return FieldError("apprehended_on", "only a suspect is apprehended")
		}
		if err := ValidDate("apprehended_on", n.ApprehendedOn); err != nil {
			return err
		}
	}
	if utf8.RuneCountInString(n.Note) > 500 {
		return FieldError("note", "a note is at most 500 characters")
	}
	return nil
}

// Measure kinds: the five criminal coercive measures of the Criminal
// Procedure Law, and the summons (传唤), recorded beside them but not
// coercive.
const (
	MeasureCompelledAppearance     = "compelled_appearance"     // 拘传
	MeasureBail                    = "bail"                     // 取保候审
	MeasureResidentialSurveillance = "residential_surveillance" // 监视居住
	MeasureDetention               = "detention"                // 刑事拘留
	MeasureArrest                  = "arrest"                   // 逮捕
	MeasureSummons                 = "summons"                  // 传唤, not coercive
)

// CoerciveMeasures lists the five coercive kinds.
var CoerciveMeasures = []string{MeasureCompelledAppearance, MeasureBail, MeasureResidentialSurveillance, MeasureDetention, MeasureArrest}

// Measure is a coercive measure (or a summons) on a suspect of a case.
type Measure struct {
	ID         int64     `json:"id"`
	CaseID     int64     `json:"case"`
	PersonID   int64     `json:"person"`
	PersonName string    `json:"person_name"`
	Kind       string    `json:"kind"`
	Coercive   bool      `json:"coercive"`
	From       string    `json:"from"`
	To         string    `json:"to,omitempty"`
	Authority  string    `json:"authority"`
	DocumentNo string    `json:"document_no"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// NewMeasure records a measure on a suspect (Person) of the case.
type NewMeasure struct {
	Person     int64  `json:"person"`
	Kind       string `json:"kind"`
	From       string `json:"from"`
	To         string `json:"to"`
	Authority  string `json:"authority"`
	DocumentNo string `json:"document_no"`
}

// Validate checks a new measure.
func (n *NewMeasure) Validate() error {
	if n.Person <= 0 {
		return FieldError("person", "the person is required")
	}
	if n.Kind != MeasureSummons && !slices.Contains(CoerciveMeasures, n.Kind) {
		return FieldError("kind", "kind must be one of %s or summons", strings.Join(CoerciveMeasures, ", "))
	}
	if err := ValidDate("from", n.From); err != nil {
		return err
	}
	if n.To != "" {
		if err := ValidDate("to", n.To); err != nil {
			return err
		}
		if n.To < n.From {
			return FieldError("to", "to is before from")
		}
	}
	n.Authority, n.DocumentNo = strings.TrimSpace(n.Authority), strings.TrimSpace(n.DocumentNo)
	if l := utf8.RuneCountInString(n.Authority); l < 2 || l > 100 {
		return FieldError("authority", "the deciding authority is required (2 to 100 characters)")
	}
	if l := utf8.RuneCountInString(n.DocumentNo); l < 2 || l > 100 {
		return FieldError("document_no", "the document number is required (2 to 100 characters)")
	}
	return nil
}

// ValidDate checks a calendar day written 2006-01-02 (China's calendar).
func ValidDate(field, s string) error {
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return FieldError(field, "%s must be a date like 2021-03-05", field)
	}
	return nil
}

// Seizure kinds.
const (
	SeizureFunds     = "funds"
	SeizureSIMCards  = "sim_cards"
	SeizureBankCards = "bank_cards"
	SeizureDevices   = "devices"
	SeizureAccounts  = "accounts"
)

// Fund states.
const (
	FundsFrozen   = "frozen"
	FundsSeized   = "seized"
	FundsReturned = "returned"
)

// Device types; a cat pool has slots, a GoIP channels (Slots).
var DeviceTypes = []string{"cat_pool", "goip", "phone", "computer", "server"}

// Seizure is one seized item or batch of a case. Funds carry AmountFen
// (integer fen, never floating point) and Amount, the same in yuan as
// text; the countable kinds carry Count and, when known, Items (numbers,
// IMEIs or accounts).
type Seizure struct {
	ID         int64     `json:"id"`
	CaseID     int64     `json:"case"`
	Kind       string    `json:"kind"`
	AmountFen  int64     `json:"amount_fen,omitempty"`
	Amount     string    `json:"amount,omitempty"`
	Account    string    `json:"account,omitempty"`
	Bank       string    `json:"bank,omitempty"`
	State      string    `json:"state,omitempty"`
	FrozenOn   string    `json:"frozen_on,omitempty"`
	SeizedOn   string    `json:"seized_on,omitempty"`
	ReturnedOn string    `json:"returned_on,omitempty"`
	Count      int       `json:"count,omitempty"`
	Items      []string  `json:"items,omitempty"`
	DeviceType string    `json:"device_type,omitempty"`
	Slots      int       `json:"slots,omitempty"`
	Note       string    `json:"note,omitempty"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// NewSeizure records a seizure. Amount is yuan as text ("1980000.00").
type NewSeizure struct {
	Kind       string   `json:"kind"`
	Amount     string   `json:"amount"`
	Account    string   `json:"account"`
	Bank       string   `json:"bank"`
	State      string   `json:"state"`
	FrozenOn   string   `json:"frozen_on"`
	SeizedOn   string   `json:"seized_on"`
	ReturnedOn string   `json:"returned_on"`
	Count      int      `json:"count"`
	Items      []string `json:"items"`
	DeviceType string   `json:"device_type"`
	Slots      int      `json:"slots"`
	Note       string   `json:"note"`
}

// MaxSeizureItems bounds the items one seizure lists.
const MaxSeizureItems = 10000

var (
	digitsRE  = regexp.MustCompile(`^[0-9]+$`)
	msisdnRE  = regexp.MustCompile(`^(\+?86)?1[0-9]{10}$|^[0-9]{11,13}$`)
	bankNoRE  = regexp.MustCompile(`^[0-9]{12,19}$`)
	imeiRE    = regexp.MustCompile(`^[0-9]{14,16}$`)
	accountRE = regexp.MustCompile(`^\S{1,200}$`)
)

// Validate checks a seizure by its kind and returns it as stored: the
// amount in fen, the items trimmed. A field the kind does not carry is an
// error, so that a typo does not vanish silently.
func (n *NewSeizure) Validate() (*Seizure, error) {
	out := &Seizure{Kind: n.Kind, Note: strings.TrimSpace(n.Note)}
	if utf8.RuneCountInString(out.Note) > 500 {
		return nil, FieldError("note", "a note is at most 500 characters")
	}
	for _, d := range []struct{ f, v string }{{"frozen_on", n.FrozenOn}, {"seized_on", n.SeizedOn}, {"returned_on", n.ReturnedOn}} {
		if d.v != "" {
			if err := ValidDate(d.f, d.v); err != nil {
				return nil, err
			}
		}
	}
	not := func(field string, set bool) error {
		if set {
			return FieldError(field, "a %s seizure has no %s", n.Kind, field)
		}
		return nil
	}
	if n.Kind == SeizureFunds {
		fen, err := ParseFen(n.Amount)
		if err != nil {
			return nil, err
		}
		if fen == 0 {
			return nil, FieldError("amount", "the amount must be above zero")
		}
		out.AmountFen, out.Amount = fen, FormatFen(fen)
		out.Account, out.Bank = strings.TrimSpace(n.Account), strings.TrimSpace(n.Bank)
		if out.Account == "" || utf8.RuneCountInString(out.Account) > 64 {
			return nil, FieldError("account", "the account is required (at most 64 characters)")
		}
		if out.Bank == "" || utf8.RuneCountInString(out.Bank) > 100 {
			return nil, FieldError("bank", "the bank is required (at most 100 characters)")
		}
		switch n.State {
		case FundsFrozen:
			if n.FrozenOn == "" {
				return nil, FieldError("frozen_on", "frozen funds need the day they were frozen")
			}
		case FundsSeized:
			if n.SeizedOn == "" {
				return nil, FieldError("seized_on", "seized funds need the day they were seized")
			}
		case FundsReturned:
			if n.ReturnedOn == "" {
				return nil, FieldError("returned_on", "returned funds need the day they were returned")
			}
		default:
			return nil, FieldError("state", "state must be frozen, seized or returned")
		}
		out.State, out.FrozenOn, out.SeizedOn, out.ReturnedOn = n.State, n.FrozenOn, n.SeizedOn, n.ReturnedOn
		for _, e := range []error{not("count", n.Count != 0), not("items", len(n.Items) > 0), not("device_type", n.DeviceType != ""), not("slots", n.Slots != 0)} {
			if e != nil {
				return nil, e
			}
		}
		return out, nil
	}
	var itemRE *regexp.Regexp
	switch n.Kind {
	case SeizureSIMCards:
		itemRE = msisdnRE
	case SeizureBankCards:
		itemRE = bankNoRE
	case SeizureDevices:
		itemRE = imeiRE
		if !slices.Contains(DeviceTypes, n.DeviceType) {
			return nil, FieldError("device_type", "device_type must be one of %s", strings.Join(DeviceTypes, ", "))
		}
		pooled := n.DeviceType == "cat_pool" || n.DeviceType == "goip"
		if pooled && (n.Slots <= 0 || n.Slots > 1024) {
			return nil, FieldError("slots", "a %s needs its slot or channel count (1 to 1024)", n.DeviceType)
		}
		if !pooled {
			if err := not("slots", n.Slots != 0); err != nil {
				return nil, err
			}
		}
		out.DeviceType, out.Slots = n.DeviceType, n.Slots
	case SeizureAccounts:
		itemRE = accountRE
	default:
		return nil, FieldError("kind", "kind must be funds, sim_cards, bank_cards, devices or accounts")
	}
	if n.Kind != SeizureDevices {
		for _, e := range []error{not("device_type", n.DeviceType != ""), not("slots", n.Slots != 0)} {
			if e != nil {
				return nil, e
			}
		}
	}
	for _, e := range []error{not("amount", n.Amount != ""), not("account", n.Account != ""), not("bank", n.Bank != ""), not("state", n.State != ""),
		not("frozen_on", n.FrozenOn != ""), not("returned_on", n.ReturnedOn != "")} {
		if e != nil {
			return nil, e
		}
	}
	if n.SeizedOn == "" {
		return nil, FieldError("seized_on", "the day of the seizure is required")
	}
	out.SeizedOn = n.SeizedOn
	if n.Count <= 0 || n.Count > 100_000_000 {
		return nil, FieldError("count", "count must be from 1 to 100000000")
	}
	if len(n.Items) > n.Count && n.Kind != SeizureDevices {
		return nil, FieldError("items", "%d items listed for a count of %d", len(n.Items), n.Count)
	}
	if len(n.Items) > MaxSeizureItems {
		return nil, FieldError("items", "at most %d items at once", MaxSeizureItems)
	}
	seen := map[string]bool{}
	for i, it := range n.Items {
		it = strings.TrimSpace(it)
		if !itemRE.MatchString(it) {
			return nil, FieldError("items", "item %d (%q) is not a valid %s entry", i+1, it, n.Kind)
		}
		if seen[it] {
			return nil, FieldError("items", "item %q is listed twice", it)
		}
		seen[it] = true
		out.Items = append(out.Items, it)
	}
	out.Count = n.Count
	return out, nil
}

// ParseFen parses an amount in yuan written with at most two decimals
// ("1980000.00", "0.1", "12") into integer fen, exactly: no floating point
// ever holds it. Signs, exponents, separators, more than two decimals and
// more than 13 integer digits are EINVALID.
func ParseFen(s string) (int64, error) {
	bad := FieldError("amount", "an amount in yuan with at most two decimals is required, like 1980000.00")
	ip, fp, dot := strings.Cut(s, ".")
	if ip == "" || len(ip) > 13 || !digitsRE.MatchString(ip) {
		return 0, bad
	}
	if dot && (fp == "" || len(fp) > 2 || !digitsRE.MatchString(fp)) {
		return 0, bad
	}
	yuan, err := strconv.ParseInt(ip, 10, 64)
	if err != nil {
		return 0, bad
	}
	fen := int64(0)
	if fp != "" {
		fp += strings.Repeat("0", 2-len(fp))
		f, _ := strconv.ParseInt(fp, 10, 64)
		fen = f
	}
	return yuan*100 + fen, nil
}

// FormatFen writes fen as yuan with two decimals.
func FormatFen(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
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

// Campaign is a named campaign (专项行动: 净网2021, 四断) over a date range,
// reaching the cases of its department's subtree.
type Campaign struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	DeptCode  string    `json:"dept"`
	DeptPath  string    `json:"-"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// NewCampaign creates a campaign; Dept defaults to the caller's.
type NewCampaign struct {
	Name string `json:"name"`
	From string `json:"from"`
	To   string `json:"to"`
	Dept string `json:"dept"`
}

// Validate checks a new campaign.
func (n *NewCampaign) Validate() error {
	n.Name = strings.TrimSpace(n.Name)
	if l := utf8.RuneCountInString(n.Name); l < 2 || l > 100 {
		return FieldError("name", "a name of 2 to 100 characters is required")
	}
	if err := ValidDate("from", n.From); err != nil {
		return err
	}
	if err := ValidDate("to", n.To); err != nil {
		return err
	}
	if n.To < n.From {
		return FieldError("to", "to is before from")
	}
	return nil
}

// CaseService keeps the cyber cases: case:read and case:write within the
// caller's data scope over the case's owning department; finding:read for
// the findings a case is opened from; pii:view to reveal a person's
// sealed fields. Every change is audited.
// Errors: EINVALID, ENOTFOUND (also outside scope), ECONFLICT (a
// transition the lifecycle does not allow, a merged case written to),
// EFORBIDDEN.
type CaseService interface {
	CreateCase(ctx context.Context, n NewCase) (*Case, error)
	FindCases(ctx context.Context, f CaseFilter) ([]*Case, int, error)
	// FindCaseByID returns the case with its people, measures, seizures,
	// entities, events and links.
	FindCaseByID(ctx context.Context, id int64) (*Case, error)
	// FindCaseByNumber finds a case by number or receipt; a merged
	// duplicate's number returns the survivor, with Note saying so.
	FindCaseByNumber(ctx context.Context, number string) (*Case, error)
	// TransitionCase moves a case along its lifecycle; filing assigns the
	// number in the same transaction.
	TransitionCase(ctx context.Context, id int64, t CaseTransition) (*Case, error)
	LinkCases(ctx context.Context, id, other int64, reason string) (*CaseLink, error)
	// MergeCase merges duplicate id into the survivor into and returns the
	// survivor.
	MergeCase(ctx context.Context, id, into int64, reason string) (*Case, error)
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
	TagCase(ctx context.Context, id, campaign int64) (*Case, error)
}
