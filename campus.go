package zhudun

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Campus safety inspections (平安校园, issue 14; docs/campus.md): the
// schools a station answers for, joint supervision groups (police,
// education, fire rescue, market regulation) that run rounds of overt and
// covert visits, a versioned checklist per school type, hazards raised from
// failed items — rectified on the spot or given a Rectification-within-
// deadline Notice (《责令限期整改通知书》) — and the re-inspection that
// closes, extends or re-issues the notice. An open notice past its deadline
// is overdue and escalates to the school's station and the group's
// education member.

// Campus permissions. campus:read lists schools, rounds, visits, hazards
// and notices in scope; campus:write keeps the registry, the groups and the
// rounds; campus:inspect records visits, hazards, notices and
// re-inspections. The scope "self" means, for campus data, the rounds of
// the joint groups the caller is a member of (agency accounts).
const (
	PermCampusRead    Permission = "campus:read"
	PermCampusWrite   Permission = "campus:write"
	PermCampusInspect Permission = "campus:inspect"
)

// Campus roles seeded beside the core's: the bureau's 经文保 division sees
// every school; an agency member (education, fire rescue, market
// regulation) sees only its groups' rounds.
const (
	RoleCampusSupervisor = "campus_supervisor"
	RoleCampusAgency     = "campus_agency"
)

// School types.
const (
	SchoolKindergarten = "kindergarten" // 幼儿园
	SchoolPrimary      = "primary"      // 小学
	SchoolMiddle       = "middle"       // 初中
	SchoolHigh         = "high"         // 高中
	SchoolVocational   = "vocational"   // 中职
	SchoolSpecial      = "special"      // 特殊教育学校
)

// SchoolTypes lists the school types in the order the UI shows them.
var SchoolTypes = []string{SchoolKindergarten, SchoolPrimary, SchoolMiddle, SchoolHigh, SchoolVocational, SchoolSpecial}

// Agencies a joint group's member comes from.
const (
	AgencyPolice    = "police"    // 公安
	AgencyEducation = "education" // 教育
	AgencyFire      = "fire"      // 消防救援
	AgencyMarket    = "market"    // 市场监管
)

// Agencies lists the member agencies.
var Agencies = []string{AgencyPolice, AgencyEducation, AgencyFire, AgencyMarket}

// Visit modes. A round is planned as one of them or as RoundMixed (both).
const (
	VisitOvert  = "overt"  // 明查
	VisitCovert = "covert" // 暗访
	RoundMixed  = "mixed"  // 明查暗访结合 (a round's plan only)
)

// Checklist item results.
const (
	ItemPass = "pass"
	ItemFail = "fail"
	ItemNA   = "na" // not applicable at this school
)

// Hazard severities.
const (
	SeverityGeneral = "general" // 一般隐患
	SeverityMajor   = "major"   // 重大隐患
)

// Hazard statuses.
const (
	HazardRectified = "rectified_on_spot" // 当场整改
	HazardOpen      = "open"              // raised, awaiting a notice
	HazardNoticed   = "noticed"           // under a notice
	HazardClosed    = "closed"            // its notice closed on re-inspection
)

// Notice statuses. Overdue is not stored: an open notice whose deadline
// has passed is overdue (Notice.Overdue).
const (
	NoticeOpen       = "open"
	NoticeClosed     = "closed"     // 复查合格
	NoticeSuperseded = "superseded" // re-issued on re-inspection: the new notice carries the hazards
)

// Re-inspection outcomes.
const (
	ReinspectClose   = "close"   // rectified: the notice and its hazards close
	ReinspectExtend  = "extend"  // a new deadline with a reason, same notice
	ReinspectReissue = "reissue" // not rectified: a new notice, new number, for the same hazards
)

// ChecklistCategories are the checklist's sections.
var ChecklistCategories = []string{"people", "physical", "technical", "fire", "traffic", "surroundings"}

// ChecklistItem is one line of a checklist. Types lists the school types
// it applies to; empty means every type.
type ChecklistItem struct {
	ID       string   `json:"id"`
	Category string   `json:"category"`
	Text     string   `json:"text"`
	Types    []string `json:"types,omitempty"`
}

// Checklist is one edition of the items for one school type.
type Checklist struct {
	Version int             `json:"version"`
	Type    string          `json:"type"`
	Items   []ChecklistItem `json:"items"`
}

// ChecklistVersion is the edition new visits are recorded under; each
// visit stores its version, so that a later edition (items split,
// renamed, added) leaves old visits readable and countable.
const ChecklistVersion = 1

// checklistV1 is the first edition, from the items the bureaus' paper
// forms check (《中小学幼儿园安全防范工作规范》 and the 人防物防技防 checks).
var checklistV1 = []ChecklistItem{
	{"p01", "people", "专职保安员在岗（每校不少于1名，寄宿制学校不少于2名）", nil},
	{"p02", "people", "保安员持证上岗并经岗前及定期培训", nil},
	{"p03", "people", "上下学时段校门口有教职工和保安护学值守", nil},
	{"p04", "people", "配备防暴器械（防暴头盔、防刺背心、钢叉、警棍等）", nil},
	{"p05", "people", "门卫查验登记外来人员和车辆", nil},
	{"p06", "people", "宿舍有专人夜间值守巡查", []string{SchoolMiddle, SchoolHigh, SchoolVocational, SchoolSpecial}},
	{"f01", "physical", "校门为实体门，上下学时段以外保持关闭", nil},
	{"f02", "physical", "校门口设置防冲撞硬质隔离设施（隔离桩、阻车路障）", nil},
	{"f03", "physical", "围墙或栅栏完整，高度不低于1.8米，无缺口", nil},
	{"f04", "physical", "门卫室设置并配备必要设施", nil},
	{"f05", "physical", "幼儿活动场所及楼梯护栏高度和间距符合要求", []string{SchoolKindergarten}},
	{"t01", "technical", "视频监控覆盖校门口、周界、主要通道，图像清晰", nil},
	{"t02", "technical", "监控录像保存不少于30天", nil},
	{"t03", "technical", "一键式紧急报警装置与110联网", nil},
	{"t04", "technical", "一键报警装置定期测试并有记录（本次现场测试成功）", nil},
	{"t05", "technical", "周界入侵报警设施运行正常", nil},
	{"x01", "fire", "灭火器配备到位、在有效期内", nil},
	{"x02", "fire", "安全出口、疏散通道畅通，应急照明和疏散指示完好", nil},
	{"x03", "fire", "电动自行车不在楼内、楼道停放充电", nil},
	{"x04", "fire", "消防设施定期检查并组织疏散演练", nil},
	{"x05", "fire", "食堂燃气及用电安全，厨房设施符合要求", nil},
	{"r01", "traffic", "校门口设置交通标志、标线和减速设施", nil},
	{"r02", "traffic", "校车及接送车辆资质合规，驾驶人资质合规", []string{SchoolKindergarten, SchoolPrimary, SchoolSpecial}},
	{"r03", "traffic", "上下学时段有交通疏导", nil},
	{"s01", "surroundings", "校园周边200米内无网吧、歌舞娱乐等场所", nil},
	{"s02", "surroundings", "校园周边无流动摊贩和无证经营食品", nil},
	{"s03", "surroundings", "周边设置护学岗或警务室（点）", nil},
}

// ChecklistFor returns the checklist of a school type at a version, or
// false when the version or the type is unknown.
func ChecklistFor(version int, typ string) (Checklist, bool) {
	if version != 1 || !slices.Contains(SchoolTypes, typ) {
		return Checklist{}, false
	}
	c := Checklist{Version: version, Type: typ, Items: []ChecklistItem{}}
	for _, it := range checklistV1 {
		if len(it.Types) == 0 || slices.Contains(it.Types, typ) {
			c.Items = append(c.Items, it)
		}
	}
	return c, true
}

// LegalBasis is one entry of the legal basis dictionary a notice cites.
type LegalBasis struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// LegalBases is the dictionary of the grounds a notice is issued on.
// The legal office reviews it; an entry's id never changes meaning.
var LegalBases = []LegalBasis{
	{"internal_security_19", "《企业事业单位内部治安保卫条例》第十九条"},
	{"fire_law_53", "《中华人民共和国消防法》第五十三条"},
	{"school_safety_measures", "《中小学幼儿园安全管理办法》"},
	{"shandong_school_safety", "《山东省学校安全条例》"},
}

// LegalBasisText returns the text of a legal basis id, or false.
func LegalBasisText(id string) (string, bool) { return legalBasisIn(LegalBases, id) }

// NoticeNumber formats a notice number: 济南市公安局经文保支队责改字〔2026〕0001号.
func NoticeNumber(deptName string, year, serial int) string {
	return fmt.Sprintf("%s责改字〔%d〕%04d号", deptName, year, serial)
}

// SchoolContact is a school's contact as lists show it: the phone masked.
type SchoolContact struct {
	ID          int64  `json:"id"`
	Role        string `json:"role"` // 校长, 安保负责人 …
	Name        string `json:"name"`
	PhoneMasked string `json:"phone_masked"`
}

// NewSchoolContact is a contact as entered: the phone in clear, sealed on
// the way in.
// On an edit, ID names a contact the school has already: its sealed phone
// is kept when Phone is empty (the editor never sees it in clear).
type NewSchoolContact struct {
	ID    int64  `json:"id,omitempty"`
	Role  string `json:"role"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// School is one school of the registry.
type School struct {
	ID            int64           `json:"id"`
	Code          string          `json:"code"` // the education bureau's school code
	Name          string          `json:"name"`
	Type          string          `json:"type"`
	Private       bool            `json:"private"`
	District      string          `json:"district"` // GB/T 2260
	StationID     int64           `json:"-"`
	StationPath   string          `json:"-"`
	Station       string          `json:"station"` // department code
	StationName   string          `json:"station_name"`
	Address       string          `json:"address"`
	Lon           *float64        `json:"lon,omitempty"`
	Lat           *float64        `json:"lat,omitempty"`
	Students      int             `json:"students"`
	Staff         int             `json:"staff"`
	SecurityStaff int             `json:"security_staff"`
	Contacts      []SchoolContact `json:"contacts"`
	Generated     bool            `json:"generated,omitempty"` // made up by the demo
	CreatedBy     string          `json:"created_by"`
	CreatedAt     time.Time       `json:"created_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
}

// NewSchool is a school as entered or imported.
type NewSchool struct {
	Code          string             `json:"code"`
	Name          string             `json:"name"`
	Type          string             `json:"type"`
	Private       bool               `json:"private"`
	District      string             `json:"district"`
	Station       string             `json:"station"`
	Address       string             `json:"address"`
	Lon           *float64           `json:"lon"`
	Lat           *float64           `json:"lat"`
	Students      int                `json:"students"`
	Staff         int                `json:"staff"`
	SecurityStaff int                `json:"security_staff"`
	Contacts      []NewSchoolContact `json:"contacts"`
	Generated     bool               `json:"-"`
}

var districtRE = regexp.MustCompile(`^[1-9][0-9]{5}$`)
var schoolCodeRE = regexp.MustCompile(`^[0-9A-Za-z-]{1,32}$`)

// Validate checks a new school.
func (n *NewSchool) Validate() error {
	n.Name, n.Code, n.Address = strings.TrimSpace(n.Name), strings.TrimSpace(n.Code), strings.TrimSpace(n.Address)
	if !schoolCodeRE.MatchString(n.Code) {
		return FieldError("code", "a school code of 1 to 32 letters, digits or '-' is required")
	}
	if l := utf8.RuneCountInString(n.Name); l < 2 || l > 100 {
		return FieldError("name", "a name of 2 to 100 characters is required")
	}
	if !slices.Contains(SchoolTypes, n.Type) {
		return FieldError("type", "unknown school type %q", n.Type)
	}
	if !districtRE.MatchString(n.District) {
		return FieldError("district", "a six-digit district code (GB/T 2260) is required")
	}
	if n.Station == "" {
		return FieldError("station", "the owning station is required")
	}
	if utf8.RuneCountInString(n.Address) > 200 {
		return FieldError("address", "at most 200 characters")
	}
	if (n.Lon == nil) != (n.Lat == nil) {
		return FieldError("lon", "give both lon and lat or neither")
	}
	if n.Lon != nil && (*n.Lon < 73 || *n.Lon > 136 || *n.Lat < 3 || *n.Lat > 54) {
		return FieldError("lon", "the location is outside China")
	}
	for f, v := range map[string]int{"students": n.Students, "staff": n.Staff, "security_staff": n.SecurityStaff} {
		if v < 0 || v > 100000 {
			return FieldError(f, "a count of 0 to 100000")
		}
	}
	if len(n.Contacts) > 10 {
		return FieldError("contacts", "at most 10 contacts")
	}
	for i := range n.Contacts {
		c := &n.Contacts[i]
		c.Role, c.Name = strings.TrimSpace(c.Role), strings.TrimSpace(c.Name)
		if c.Role == "" || utf8.RuneCountInString(c.Role) > 20 || c.Name == "" || utf8.RuneCountInString(c.Name) > 50 {
			return FieldError("contacts", "contact %d: a role (≤20) and a name (≤50) are required", i+1)
		}
	}
	return nil
}

// SchoolFilter selects schools. Zero fields do not filter.
type SchoolFilter struct {
	Type     string
	District string
	Station  string
	Query    string // name contains
	Round    int64  // in the round's plan
	Offset   int
	Limit    int
}

// SchoolPoint is a school as the map draws it: the whole registry in
// scope at once, so no contacts and no counts. Status is "overdue" (an
// open notice past its deadline), "open" (an open hazard or notice) or
// "ok".
type SchoolPoint struct {
	ID     int64   `json:"id"`
	Name   string  `json:"name"`
	Type   string  `json:"type"`
	Lat    float64 `json:"lat"`
	Lon    float64 `json:"lon"`
	Status string  `json:"status"`
}

// MaxSchoolPoints bounds the map's answer; a city registry is a few
// thousand schools (Jinan about 3,000).
const MaxSchoolPoints = 50000

// GroupMember is a member of a joint group. UserID is set when the member
// signs in (an agency account sees the group's rounds).
type GroupMember struct {
	UserID   int64  `json:"user_id,omitempty"`
	Username string `json:"username,omitempty"`
	Name     string `json:"name"`
	Agency   string `json:"agency"`
	Title    string `json:"title"`
}

// CampusAccount is a sign-in account a group may take as a member: a
// holder of the campus_agency role (another agency's staff).
type CampusAccount struct {
	UserID   int64  `json:"user_id"`
	Username string `json:"username"`
	Name     string `json:"name"`
	Dept     string `json:"dept_name"`
}

// Group is a joint supervision group (联合督导组).
type Group struct {
	ID        int64         `json:"id"`
	Name      string        `json:"name"`
	DeptID    int64         `json:"-"`
	DeptPath  string        `json:"-"`
	Dept      string        `json:"dept"` // organising department
	Members   []GroupMember `json:"members"`
	CreatedBy string        `json:"created_by"`
	CreatedAt time.Time     `json:"created_at"`
}

// NewGroup is a group as created.
type NewGroup struct {
	Name    string        `json:"name"`
	Dept    string        `json:"dept"`
	Members []GroupMember `json:"members"`
}

// Validate checks a new group.
func (n *NewGroup) Validate() error {
	n.Name = strings.TrimSpace(n.Name)
	if l := utf8.RuneCountInString(n.Name); l < 2 || l > 60 {
		return FieldError("name", "a name of 2 to 60 characters is required")
	}
	if len(n.Members) == 0 || len(n.Members) > 30 {
		return FieldError("members", "1 to 30 members")
	}
	for i, m := range n.Members {
		if !slices.Contains(Agencies, m.Agency) {
			return FieldError("members", "member %d: unknown agency %q", i+1, m.Agency)
		}
		if strings.TrimSpace(m.Name) == "" && m.UserID == 0 {
			return FieldError("members", "member %d: a name or an account is required", i+1)
		}
	}
	return nil
}

// Round is one round of inspections by a group over a plan of schools.
type Round struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	DeptID    int64     `json:"-"`
	DeptPath  string    `json:"-"`
	Dept      string    `json:"dept"`
	GroupID   int64     `json:"group_id"`
	Group     string    `json:"group"`
	Mode      string    `json:"mode"`      // overt, covert or mixed
	StartDay  string    `json:"start_day"` // 'YYYY-MM-DD', China calendar
	EndDay    string    `json:"end_day"`
	Schools   int       `json:"schools"` // planned
	Reached   int       `json:"reached"` // planned schools visited at least once
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// NewRound is a round as planned.
type NewRound struct {
	Name     string  `json:"name"`
	Dept     string  `json:"dept"`
	GroupID  int64   `json:"group_id"`
	Mode     string  `json:"mode"` // overt, covert or mixed (the default)
	StartDay string  `json:"start_day"`
	EndDay   string  `json:"end_day"`
	Schools  []int64 `json:"schools"`
}

// Validate checks a new round.
func (n *NewRound) Validate() error {
	n.Name = strings.TrimSpace(n.Name)
	if l := utf8.RuneCountInString(n.Name); l < 2 || l > 60 {
		return FieldError("name", "a name of 2 to 60 characters is required")
	}
	if n.GroupID == 0 {
		return FieldError("group_id", "a group is required")
	}
	if n.Mode == "" {
		n.Mode = RoundMixed
	}
	if n.Mode != VisitOvert && n.Mode != VisitCovert && n.Mode != RoundMixed {
		return FieldError("mode", "mode is overt, covert or mixed")
	}
	s, err1 := time.Parse("2006-01-02", n.StartDay)
	e, err2 := time.Parse("2006-01-02", n.EndDay)
	if err1 != nil || err2 != nil || e.Before(s) || e.Sub(s) > 366*24*time.Hour {
		return FieldError("end_day", "start_day and end_day (YYYY-MM-DD), the end not before the start, at most a year apart")
	}
	if len(n.Schools) > 20000 {
		return FieldError("schools", "at most 20000 schools")
	}
	return nil
}

// Coverage is a round's board: planned schools, reached and not, with the
// unreached by district and type.
type Coverage struct {
	Round      *Round         `json:"round"`
	Planned    int            `json:"planned"`
	Reached    int            `json:"reached"`
	Unreached  []*School      `json:"unreached"`
	ByDistrict map[string]int `json:"unreached_by_district"`
	ByType     map[string]int `json:"unreached_by_type"`
}

// ItemResult is one checklist item's result at a visit; a failed item may
// raise a hazard.
type ItemResult struct {
	Item   string     `json:"item"`
	Result string     `json:"result"`
	Note   string     `json:"note,omitempty"`
	Hazard *NewHazard `json:"hazard,omitempty"`
}

// NewHazard is a hazard raised from a failed item.
type NewHazard struct {
	Severity        string `json:"severity"`
	Description     string `json:"description"`
	RectifiedOnSpot bool   `json:"rectified_on_spot"`
	RectifyNote     string `json:"rectify_note,omitempty"` // what was done on the spot
}

// NewVisit records one visit to a school of a round.
type NewVisit struct {
	RoundID  int64        `json:"round_id"`
	SchoolID int64        `json:"school_id"`
	Mode     string       `json:"mode"`
	At       *time.Time   `json:"at"` // default now; not in the future
	Officers []string     `json:"officers"`
	Results  []ItemResult `json:"results"`
	Note     string       `json:"note"`
}

// Validate checks a new visit's shape; the items are checked against the
// school's checklist by the store.
func (n *NewVisit) Validate() error {
	if n.RoundID == 0 || n.SchoolID == 0 {
		return FieldError("school_id", "a round and a school are required")
	}
	if n.Mode != VisitOvert && n.Mode != VisitCovert {
		return FieldError("mode", "mode is overt or covert")
	}
	if len(n.Officers) == 0 || len(n.Officers) > 10 {
		return FieldError("officers", "1 to 10 officers")
	}
	if len(n.Results) == 0 {
		return FieldError("results", "the checklist's results are required")
	}
	seen := map[string]bool{}
	for _, r := range n.Results {
		if seen[r.Item] {
			return FieldError("results", "item %s twice", r.Item)
		}
		seen[r.Item] = true
		switch r.Result {
		case ItemPass, ItemNA:
			if r.Hazard != nil {
				return FieldError("results", "item %s: only a failed item raises a hazard", r.Item)
			}
		case ItemFail:
			if h := r.Hazard; h != nil {
				if h.Severity != SeverityGeneral && h.Severity != SeverityMajor {
					return FieldError("results", "item %s: severity is general or major", r.Item)
				}
				h.Description = strings.TrimSpace(h.Description)
				if l := utf8.RuneCountInString(h.Description); l < 2 || l > 500 {
					return FieldError("results", "item %s: a description of 2 to 500 characters", r.Item)
				}
			}
		default:
			return FieldError("results", "item %s: result is pass, fail or na", r.Item)
		}
	}
	return nil
}

// Visit is one visit as recorded.
type Visit struct {
	ID               int64        `json:"id"`
	RoundID          int64        `json:"round_id"`
	SchoolID         int64        `json:"school_id"`
	School           string       `json:"school"`
	Mode             string       `json:"mode"`
	At               time.Time    `json:"at"`
	ChecklistVersion int          `json:"checklist_version"`
	Officers         []string     `json:"officers"`
	Results          []ItemResult `json:"results"`
	Hazards          []*Hazard    `json:"hazards"`
	Note             string       `json:"note"`
	CreatedBy        string       `json:"created_by"`
}

// Hazard is one hazard found at a visit.
type Hazard struct {
	ID          int64      `json:"id"`
	VisitID     int64      `json:"visit_id"`
	RoundID     int64      `json:"round_id"`
	SchoolID    int64      `json:"school_id"`
	School      string     `json:"school"`
	Item        string     `json:"item"`
	Category    string     `json:"category"`
	Severity    string     `json:"severity"`
	Description string     `json:"description"`
	Status      string     `json:"status"`
	RectifyNote string     `json:"rectify_note,omitempty"`
	NoticeID    *int64     `json:"notice_id,omitempty"`
	FoundAt     time.Time  `json:"found_at"`
	ClosedAt    *time.Time `json:"closed_at,omitempty"`
}

// HazardFilter selects hazards. Zero fields do not filter.
type HazardFilter struct {
	Round  int64
	School int64
	Status string
	Offset int
	Limit  int
}

// NewNotice issues a notice for open hazards of one school.
type NewNotice struct {
	Hazards    []int64  `json:"hazards"`
	Dept       string   `json:"dept"` // issuing department; default the caller's
	LegalBasis string   `json:"legal_basis"`
	Deadline   string   `json:"deadline"` // 'YYYY-MM-DD'
	SchoolRep  string   `json:"school_rep"`
	Officers   []string `json:"officers"`
	// IssuedAt back-enters (补录) a paper notice issued earlier: default
	// now; not in the future, not before the visit that found any of its
	// hazards. The number's year and serial follow its year (China time),
	// and a back-entered notice's deadline is after its issue day, not
	// after today: it may have passed already (then it is overdue).
	IssuedAt *time.Time `json:"issued_at,omitempty"`
}

// Validate checks a new notice's shape.
func (n *NewNotice) Validate() error {
	if len(n.Hazards) == 0 || len(n.Hazards) > 50 {
		return FieldError("hazards", "1 to 50 hazards")
	}
	if _, ok := LegalBasisText(n.LegalBasis); !ok {
		return FieldError("legal_basis", "unknown legal basis %q", n.LegalBasis)
	}
	if _, err := time.Parse("2006-01-02", n.Deadline); err != nil {
		return FieldError("deadline", "a deadline YYYY-MM-DD is required")
	}
	n.SchoolRep = strings.TrimSpace(n.SchoolRep)
	if l := utf8.RuneCountInString(n.SchoolRep); l < 2 || l > 50 {
		return FieldError("school_rep", "the school's representative is required")
	}
	if len(n.Officers) < 2 || len(n.Officers) > 10 {
		return FieldError("officers", "two to ten officers sign a notice")
	}
	return nil
}

// NoticeStep is one step of a notice after issue: an extension, the
// closing or the re-issue.
type NoticeStep struct {
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Outcome  string    `json:"outcome"`
	Deadline string    `json:"deadline,omitempty"`
	Reason   string    `json:"reason"`
}

// Notice is a Rectification-within-deadline Notice.
type Notice struct {
	ID          int64        `json:"id"`
	Number      string       `json:"number"`
	Year        int          `json:"year"`
	Serial      int          `json:"serial"`
	DeptID      int64        `json:"-"`
	Dept        string       `json:"dept"`
	DeptName    string       `json:"dept_name"`
	SchoolID    int64        `json:"school_id"`
	School      string       `json:"school"`
	RoundID     int64        `json:"round_id"`
	LegalBasis  string       `json:"legal_basis"`
	Deadline    string       `json:"deadline"`
	SchoolRep   string       `json:"school_rep"`
	Officers    []string     `json:"officers"`
	Status      string       `json:"status"`
	Overdue     bool         `json:"overdue"`
	EscalatedAt *time.Time   `json:"escalated_at,omitempty"`
	ReplacedBy  *int64       `json:"replaced_by,omitempty"`
	IssuedAt    time.Time    `json:"issued_at"`
	ClosedAt    *time.Time   `json:"closed_at,omitempty"`
	IssuedBy    string       `json:"issued_by"`
	Hazards     []*Hazard    `json:"hazards"`
	Steps       []NoticeStep `json:"steps"`
}

// IsOverdue reports whether an open notice's deadline (a China calendar
// day, the whole of it allowed) has passed at now.
func IsOverdue(status, deadline string, now time.Time) bool {
	if status != NoticeOpen {
		return false
	}
	d, err := time.ParseInLocation("2006-01-02", deadline, CST())
	return err == nil && !now.Before(d.AddDate(0, 0, 1))
}

// Reinspection is the outcome of a re-inspection of a notice.
type Reinspection struct {
	Outcome  string   `json:"outcome"`
	Deadline string   `json:"deadline"` // extend, reissue
	Reason   string   `json:"reason"`
	Officers []string `json:"officers"` // reissue: who sign the new notice
	// At back-enters a re-inspection done earlier: default now; not in the
	// future, not before the notice's issue. A re-issued notice is issued
	// at that instant; a new deadline is after that day.
	At *time.Time `json:"at,omitempty"`
}

// Validate checks a re-inspection.
func (r *Reinspection) Validate() error {
	r.Reason = strings.TrimSpace(r.Reason)
	switch r.Outcome {
	case ReinspectClose:
	case ReinspectExtend, ReinspectReissue:
		if _, err := time.Parse("2006-01-02", r.Deadline); err != nil {
			return FieldError("deadline", "a new deadline YYYY-MM-DD is required")
		}
		if utf8.RuneCountInString(r.Reason) < 2 {
			return FieldError("reason", "a reason is required")
		}
	default:
		return FieldError("outcome", "outcome is close, extend or reissue")
	}
	if utf8.RuneCountInString(r.Reason) > 500 {
		return FieldError("reason", "at most 500 characters")
	}
	return nil
}

// CampusAlert is an overdue notice's escalation to one recipient: the
// school's station or the group's education member.
type CampusAlert struct {
	ID        int64     `json:"id"`
	NoticeID  int64     `json:"notice_id"`
	Number    string    `json:"number"`
	School    string    `json:"school"`
	Recipient string    `json:"recipient"` // "station:ST1" or "education:<name>"
	At        time.Time `json:"at"`
}

// CampusReportQuery selects the campus statistics: the days From..To
// (China time, both included), narrowed to a department's subtree and to
// a round.
type CampusReportQuery struct {
	From, To time.Time
	Dept     string
	Round    int64
}

// CampusFigures are the seven figures of one slice of the report.
type CampusFigures struct {
	SchoolsInspected Figure `json:"schools_inspected"`
	Hazards          Figure `json:"hazards"`
	SchoolsInvolved  Figure `json:"schools_involved"`
	RectifiedOnSpot  Figure `json:"rectified_on_spot"`
	Notices          Figure `json:"notices"`
	Closed           Figure `json:"closed"`
	Overdue          Figure `json:"overdue"`
}

// CampusReport is the campus statistics of a period beside last year's.
// Coverage is the share (percent, one decimal) of the schools in scope
// (the round's plan, with a round) inspected in the period.
type CampusReport struct {
	From     time.Time `json:"-"`
	To       time.Time `json:"-"`
	Dept     string    `json:"dept,omitempty"`
	Round    int64     `json:"round,omitempty"`
	Schools  int       `json:"schools"`
	Coverage float64   `json:"coverage_pct"`
	CampusFigures
	ByRound    map[string]CampusFigures `json:"by_round"`
	ByGroup    map[string]CampusFigures `json:"by_group"`
	ByDistrict map[string]CampusFigures `json:"by_district"`
	ByStation  map[string]CampusFigures `json:"by_station"`
	ByType     map[string]CampusFigures `json:"by_school_type"`
}

// CampusService is the campus module's store. Reads are scoped by
// campus:read (report:read for the report); the registry, groups and
// rounds need campus:write; visits, notices and re-inspections need
// campus:inspect. Records outside the caller's scope are ENOTFOUND.
// Every change is audited.
// Errors: EINVALID, ENOTFOUND, ECONFLICT, EFORBIDDEN, EUNAUTHORIZED.
type CampusService interface {
	CreateSchool(ctx context.Context, n NewSchool) (*School, error)
	ImportSchools(ctx context.Context, rows []NewSchool) (int, []ImportRowError, error)
	FindSchools(ctx context.Context, f SchoolFilter) ([]*School, int, error)
	FindSchoolByID(ctx context.Context, id int64) (*School, error)
	UpdateSchool(ctx context.Context, id int64, n NewSchool) (*School, error)
	SchoolPoints(ctx context.Context) ([]SchoolPoint, error)
	RevealSchoolContact(ctx context.Context, id int64, reason string) (string, error)
	CreateGroup(ctx context.Context, n NewGroup) (*Group, error)
	UpdateGroup(ctx context.Context, id int64, n NewGroup) (*Group, error)
	CampusAccounts(ctx context.Context) ([]CampusAccount, error)
	FindGroups(ctx context.Context) ([]*Group, error)
	CreateRound(ctx context.Context, n NewRound) (*Round, error)
	UpdateRound(ctx context.Context, id int64, n NewRound) (*Round, error)
	FindRounds(ctx context.Context) ([]*Round, error)
	FindRoundByID(ctx context.Context, id int64) (*Round, error)
	RoundCoverage(ctx context.Context, id int64) (*Coverage, error)
	RecordVisit(ctx context.Context, n NewVisit) (*Visit, error)
	FindVisitByID(ctx context.Context, id int64) (*Visit, error)
	FindHazards(ctx context.Context, f HazardFilter) ([]*Hazard, int, error)
	IssueNotice(ctx context.Context, n NewNotice) (*Notice, error)
	FindNotices(ctx context.Context, f HazardFilter) ([]*Notice, int, error)
	FindNoticeByID(ctx context.Context, id int64) (*Notice, error)
	Reinspect(ctx context.Context, id int64, r Reinspection) (*Notice, error)
	EscalateOverdueNotices(ctx context.Context) ([]*CampusAlert, error)
	FindCampusAlerts(ctx context.Context) ([]*CampusAlert, error)
	CampusReport(ctx context.Context, q CampusReportQuery) (*CampusReport, error)
	AddHazardPhoto(ctx context.Context, hazardID int64, kind string, data []byte) (*Photo, error)
	HazardPhotos(ctx context.Context, hazardID int64) ([]*Photo, error)
	PhotoData(ctx context.Context, id int64) ([]byte, string, error)
}
