package zhudun

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// 铸盾 (Forging the Shield, issue 16; docs/zhudun.md): smart-security
// communities (智慧安防小区) with their facilities and a level computed by a
// versioned rule, the cameras of the city with their views, video coverage
// per grid, and safe-unit (平安单位) certification.

// Zhudun permissions: zhudun:read lists communities, cameras, coverage and
// safe units in scope; zhudun:write keeps them (imports, the level rule,
// targets, certification decisions). The statistics are report:read.
const (
	PermZhudunRead  Permission = "zhudun:read"
	PermZhudunWrite Permission = "zhudun:write"
)

// Facility kinds a community's security is counted in.
const (
	FacilityAccessControl  = "access_control"  // 门禁
	FacilityFaceGate       = "face_gate"       // 人脸识别门禁
	FacilityCamera         = "camera"          // 视频监控
	FacilityVehicleBarrier = "vehicle_barrier" // 车辆道闸
	FacilityPerimeterAlarm = "perimeter_alarm" // 周界报警
	FacilitySmokeDetector  = "smoke_detector"  // 烟感
	FacilityEbikeShed      = "ebike_shed"      // 电动自行车充电棚
)

// FacilityKinds lists the facility kinds in the order the UI shows them.
var FacilityKinds = []string{FacilityAccessControl, FacilityFaceGate, FacilityCamera, FacilityVehicleBarrier,
	FacilityPerimeterAlarm, FacilitySmokeDetector, FacilityEbikeShed}

// Community levels, from the rule's score.
const (
	LevelSmart = "smart" // 智慧安防小区
	LevelBasic = "basic" // 基本达标
	LevelNone  = "none"  // 未达标
)

// LevelCriterion is one line of the level rule: a facility kind, how many
// households one unit of it serves (0: one unit is enough for any size)
// and its weight. A community earns weight × min(1, count / needed), where
// needed = ceil(households / per) (at least 1).
type LevelCriterion struct {
	Facility string `json:"facility"`
	Per      int    `json:"per"`
	Weight   int    `json:"weight"`
}

// LevelRule is one edition of the smart-security level rule, a dictionary
// the bureau edits: weights sum to 100; score ≥ Smart is LevelSmart,
// ≥ Basic LevelBasic, below it LevelNone.
type LevelRule struct {
	Version   int              `json:"version"`
	Criteria  []LevelCriterion `json:"criteria"`
	Smart     int              `json:"smart"`
	Basic     int              `json:"basic"`
	CreatedBy string           `json:"created_by,omitempty"`
	CreatedAt time.Time        `json:"created_at"`
}

// DefaultLevelRule is edition 1, from the 智慧安防小区 building guides'
// 人防/物防/技防 items: entrances controlled, faces and vehicles
// recognised, perimeter and fire alarms, e-bikes charged outside.
func DefaultLevelRule() LevelRule {
	return LevelRule{Version: 1, Smart: 80, Basic: 50, Criteria: []LevelCriterion{
		{FacilityAccessControl, 200, 20},
		{FacilityFaceGate, 300, 15},
		{FacilityCamera, 50, 25},
		{FacilityVehicleBarrier, 0, 10},
		{FacilityPerimeterAlarm, 0, 10},
		{FacilitySmokeDetector, 100, 10},
		{FacilityEbikeShed, 300, 10},
	}}
}

// Validate checks a rule edition (not its version, which the store gives).
func (r *LevelRule) Validate() error {
	sum := 0
	seen := map[string]bool{}
	for i, c := range r.Criteria {
		if !slices.Contains(FacilityKinds, c.Facility) {
			return FieldError("criteria", "criterion %d: unknown facility %q", i+1, c.Facility)
		}
		if seen[c.Facility] {
			return FieldError("criteria", "criterion %d: %s twice", i+1, c.Facility)
		}
		seen[c.Facility] = true
		if c.Per < 0 || c.Per > 100000 || c.Weight < 0 || c.Weight > 100 {
			return FieldError("criteria", "criterion %d: per 0..100000, weight 0..100", i+1)
		}
		sum += c.Weight
	}
	if sum != 100 {
		return FieldError("criteria", "the weights sum to %d, not 100", sum)
	}
	if r.Basic < 0 || r.Smart > 100 || r.Basic > r.Smart {
		return FieldError("smart", "thresholds 0 ≤ basic ≤ smart ≤ 100")
	}
	return nil
}

// CriterionScore is what one criterion gives a community: it has Have of
// the facility, Needed make the full weight, Earned = Weight × min(1,
// Have/Needed) points (unrounded; the score floors their sum).
type CriterionScore struct {
	Facility string  `json:"facility"`
	Have     int     `json:"have"`
	Needed   int     `json:"needed"`
	Weight   int     `json:"weight"`
	Earned   float64 `json:"earned"`
}

// Breakdown is the score criterion by criterion, in the rule's order.
func (r LevelRule) Breakdown(households int, facilities map[string]int) []CriterionScore {
	out := make([]CriterionScore, len(r.Criteria))
	for i, c := range r.Criteria {
		need := 1.0
		if c.Per > 0 && households > 0 {
			need = math.Ceil(float64(households) / float64(c.Per))
		}
		have := facilities[c.Facility]
		out[i] = CriterionScore{Facility: c.Facility, Have: have, Needed: int(need), Weight: c.Weight,
			Earned: float64(c.Weight) * math.Min(1, float64(have)/need)}
	}
	return out
}

// Score computes a community's score (0..100) and level under the rule.
func (r LevelRule) Score(households int, facilities map[string]int) (int, string) {
	var s float64
	for _, b := range r.Breakdown(households, facilities) {
		s += b.Earned
	}
	score := int(math.Floor(s + 1e-9))
	switch {
	case score >= r.Smart:
		return score, LevelSmart
	case score >= r.Basic:
		return score, LevelBasic
	}
	return score, LevelNone
}

// PropertyContact is a property company's contact; the phone is sealed
// and shown masked (pii rules, like a person's).
type PropertyContact struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	PhoneMasked string `json:"phone_masked"`
}

// Community is a residential community (小区) a station answers for.
type Community struct {
	ID              int64             `json:"id"`
	Code            string            `json:"code"`
	Name            string            `json:"name"`
	Address         string            `json:"address"`
	District        string            `json:"district"`
	StationID       int64             `json:"-"`
	StationPath     string            `json:"-"`
	Station         string            `json:"station"`
	StationName     string            `json:"station_name"`
	Grid            string            `json:"grid"`
	Lon             *float64          `json:"lon"`
	Lat             *float64          `json:"lat"`
	Boundary        [][][][2]float64  `json:"boundary,omitempty"`
	Households      int               `json:"households"`
	PropertyCompany string            `json:"property_company"`
	Contacts        []PropertyContact `json:"contacts"`
	Facilities      map[string]int    `json:"facilities"`
	Score           int               `json:"score"`
	Level           string            `json:"level"`
	RuleVersion     int               `json:"rule_version"`
	// Breakdown is the score criterion by criterion under the rule in
	// force (one community's page; not in lists).
	Breakdown []CriterionScore `json:"breakdown,omitempty"`
	Generated bool             `json:"generated"`
	CreatedAt time.Time        `json:"created_at"`
	UpdatedAt time.Time        `json:"updated_at"`
}

// NewPropertyContact is a contact as entered, the phone in the clear.
type NewPropertyContact struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// NewCommunity is a community as entered or imported.
type NewCommunity struct {
	Code            string               `json:"code"`
	Name            string               `json:"name"`
	Address         string               `json:"address"`
	District        string               `json:"district"`
	Station         string               `json:"station"`
	Grid            string               `json:"grid"`
	Lon             *float64             `json:"lon"`
	Lat             *float64             `json:"lat"`
	Boundary        [][][][2]float64     `json:"boundary"`
	Households      int                  `json:"households"`
	PropertyCompany string               `json:"property_company"`
	Contacts        []NewPropertyContact `json:"contacts"`
	Facilities      map[string]int       `json:"facilities"`
	Generated       bool                 `json:"-"`
}

// Validate checks a new community.
func (n *NewCommunity) Validate() error {
	n.Code, n.Name, n.Address = strings.TrimSpace(n.Code), strings.TrimSpace(n.Name), strings.TrimSpace(n.Address)
	if !schoolCodeRE.MatchString(n.Code) {
		return FieldError("code", "a community code of 1 to 32 letters, digits or '-' is required")
	}
	if l := utf8.RuneCountInString(n.Name); l < 2 || l > 100 {
		return FieldError("name", "a name of 2 to 100 characters is required")
	}
	if !districtRE.MatchString(n.District) {
		return FieldError("district", "a six-digit district code (GB/T 2260) is required")
	}
	if n.Station == "" {
		return FieldError("station", "the owning station is required")
	}
	if utf8.RuneCountInString(n.Address) > 200 || utf8.RuneCountInString(n.PropertyCompany) > 100 {
		return FieldError("address", "address at most 200, property company at most 100 characters")
	}
	if (n.Lon == nil) != (n.Lat == nil) {
		return FieldError("lon", "give both lon and lat or neither")
	}
	if n.Lon != nil && (*n.Lon < 73 || *n.Lon > 136 || *n.Lat < 3 || *n.Lat > 54) {
		return FieldError("lon", "the location is outside China")
	}
	if n.Households < 0 || n.Households > 100000 {
		return FieldError("households", "a count of 0 to 100000")
	}
	for k, v := range n.Facilities {
		if !slices.Contains(FacilityKinds, k) {
			return FieldError("facilities", "unknown facility %q", k)
		}
		if v < 0 || v > 100000 {
			return FieldError("facilities", "%s: a count of 0 to 100000", k)
		}
	}
	if len(n.Contacts) > 10 {
		return FieldError("contacts", "at most 10 contacts")
	}
	for i, c := range n.Contacts {
		if l := utf8.RuneCountInString(strings.TrimSpace(c.Name)); l < 1 || l > 50 {
			return FieldError("contacts", "contact %d: a name of 1 to 50 characters", i+1)
		}
	}
	return nil
}

// Camera types and owners.
const (
	CameraFixed = "fixed" // 枪机
	CameraPTZ   = "ptz"   // 云台
	CameraDome  = "dome"  // 球机
	CameraFace  = "face"  // 人脸抓拍
	CameraPlate = "plate" // 车牌抓拍

	OwnerPolice    = "police"    // 公安自建
	OwnerCommunity = "community" // 小区
	OwnerUnit      = "unit"      // 社会单位
)

// CameraTypes and CameraOwners list the allowed values.
var (
	CameraTypes  = []string{CameraFixed, CameraPTZ, CameraDome, CameraFace, CameraPlate}
	CameraOwners = []string{OwnerPolice, OwnerCommunity, OwnerUnit}
)

// Camera is one camera of the inventory, WGS-84. Gone marks a camera the
// platform's device list no longer names (kept, never counted).
type Camera struct {
	ID          int64             `json:"id"`
	DeviceID    string            `json:"device_id"`
	Name        string            `json:"name"`
	Lon         float64           `json:"lon"`
	Lat         float64           `json:"lat"`
	Height      float64           `json:"height_m"`
	Direction   float64           `json:"direction"`
	FOV         float64           `json:"fov"`
	Range       float64           `json:"range_m"`
	Type        string            `json:"type"`
	Owner       string            `json:"owner"`
	Online      bool              `json:"online"`
	Gone        bool              `json:"gone"`
	StationID   int64             `json:"-"`
	StationPath string            `json:"-"`
	Station     string            `json:"station"`
	Grid        string            `json:"grid"`
	Extra       map[string]string `json:"extra,omitempty"`
	UpdatedAt   time.Time         `json:"updated_at"`
	// ViewGiven says the row gave the view (direction, fov, range,
	// height, type, owner); an update without it keeps the stored view.
	ViewGiven bool `json:"-"`
	// Line is the row's line in the imported file.
	Line int `json:"-"`
}

// CameraImport is a parsed device list: the rows read, the rows' parse
// errors, the station for cameras inside no grid, and whether cameras of
// the caller's scope missing from the list are marked gone.
type CameraImport struct {
	Rows     []Camera
	Errors   []ImportRowError
	Station  string
	MarkGone bool
}

// provinces are the GB/T 2260 province-level codes (the first two digits
// of a GB/T 28181 centre code).
var provinces = map[string]bool{"11": true, "12": true, "13": true, "14": true, "15": true, "21": true, "22": true,
	"23": true, "31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true, "41": true,
	"42": true, "43": true, "44": true, "45": true, "46": true, "50": true, "51": true, "52": true, "53": true,
	"54": true, "61": true, "62": true, "63": true, "64": true, "65": true, "71": true, "81": true, "82": true}

// CheckDeviceID checks a GB/T 28181 device id (Annex D of GB/T
// 28181-2016, 统一编码规则): 20 decimal digits — a centre code of 8 (2
// province, 2 city, 2 district per GB/T 2260, 2 grass-roots unit), an
// industry code of 2, a type code of 3 and a network flag of 1, then a
// serial of 6. A camera's type code is 131 (摄像机) or 132 (网络摄像机);
// the network flag is 0–9. The error names what is wrong.
func CheckDeviceID(id string) error {
	if len(id) != 20 {
		return FieldError("device_id", "a GB/T 28181 device id has 20 digits, not %d", utf8.RuneCountInString(id))
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return FieldError("device_id", "character %d of the device id is not a digit", i+1)
		}
	}
	if !provinces[id[:2]] {
		return FieldError("device_id", "centre code %s starts with no GB/T 2260 province (%s)", id[:8], id[:2])
	}
	if t := id[10:13]; t != "131" && t != "132" {
		return FieldError("device_id", "type code %s (digits 11–13) is not a camera (131 or 132)", t)
	}
	return nil
}

// Validate checks a camera's own fields (not its station).
func (c *Camera) Validate() error {
	if err := CheckDeviceID(c.DeviceID); err != nil {
		return err
	}
	if l := utf8.RuneCountInString(c.Name); l > 100 {
		return FieldError("name", "at most 100 characters")
	}
	if math.IsNaN(c.Lon) || math.IsNaN(c.Lat) || c.Lon < 73 || c.Lon > 136 || c.Lat < 3 || c.Lat > 54 {
		return FieldError("longitude", "the location %.6f, %.6f is outside China", c.Lon, c.Lat)
	}
	if c.Direction < 0 || c.Direction >= 360 || math.IsNaN(c.Direction) {
		return FieldError("direction", "degrees clockwise from north, 0 to <360")
	}
	if !(c.FOV > 0 && c.FOV <= 360) {
		return FieldError("fov", "field of view in degrees, above 0 up to 360")
	}
	if !(c.Range > 0 && c.Range <= 1000) {
		return FieldError("range", "range in metres, above 0 up to 1000")
	}
	if !(c.Height >= 0 && c.Height <= 200) {
		return FieldError("height", "mounting height in metres, 0 to 200")
	}
	if !slices.Contains(CameraTypes, c.Type) {
		return FieldError("type", "unknown camera type %q", c.Type)
	}
	if !slices.Contains(CameraOwners, c.Owner) {
		return FieldError("owner", "unknown owner %q", c.Owner)
	}
	return nil
}

// CameraImportReport is the answer to a device-list import: nothing is
// stored when Errors is not empty.
type CameraImportReport struct {
	Accepted bool             `json:"accepted"`
	Created  int              `json:"created"`
	Updated  int              `json:"updated"`
	Offline  int              `json:"offline"` // named OFF in the list
	Gone     int              `json:"gone"`    // in scope, not in the list
	Errors   []ImportRowError `json:"errors"`
}

// Safe-unit kinds and certification states.
const (
	UnitSchool     = "school"
	UnitHospital   = "hospital"
	UnitMarket     = "market"
	UnitEnterprise = "enterprise"

	CertApplied   = "applied"   // 已申请
	CertInspected = "inspected" // 已检查
	CertCertified = "certified" // 已认定
	CertRefused   = "refused"   // 不予认定
	CertRevoked   = "revoked"   // 撤销
)

// SafeUnitKinds lists the unit kinds.
var SafeUnitKinds = []string{UnitSchool, UnitHospital, UnitMarket, UnitEnterprise}

// SafeUnitCriteria is the checklist a safe-unit inspection fills in.
var SafeUnitCriteria = []string{
	"security_org",     // 治安保卫机构和人员落实
	"rules",            // 内部治安保卫制度健全
	"guards",           // 门卫值守、巡逻
	"video",            // 视频监控覆盖重点部位
	"alarm",            // 入侵报警、一键报警联网
	"fire",             // 消防设施完好
	"key_parts",        // 要害部位防护
	"no_case_year",     // 一年内无重大刑事、治安案件
	"drills",           // 应急预案与演练
	"ebike_compliance", // 电动自行车规范停放充电
}

// SafeUnit is a unit applying for or holding 平安单位 certification.
type SafeUnit struct {
	ID          int64           `json:"id"`
	Name        string          `json:"name"`
	Kind        string          `json:"kind"`
	Address     string          `json:"address"`
	District    string          `json:"district"`
	StationID   int64           `json:"-"`
	StationPath string          `json:"-"`
	Station     string          `json:"station"`
	Status      string          `json:"status"`
	AppliedOn   string          `json:"applied_on"` // YYYY-MM-DD, China
	InspectedOn string          `json:"inspected_on,omitempty"`
	DecidedOn   string          `json:"decided_on,omitempty"` // certified, refused or revoked
	Reason      string          `json:"reason,omitempty"`     // of a refusal or revocation
	Checklist   map[string]bool `json:"checklist,omitempty"`  // criterion → passed
	UpdatedAt   time.Time       `json:"updated_at"`
}

// SafeUnitAction is one step of the certification: inspect (with the
// checklist), certify, refuse or revoke (with a reason).
type SafeUnitAction struct {
	Action    string          `json:"action"` // inspect | certify | refuse | revoke
	On        string          `json:"on"`     // YYYY-MM-DD
	Reason    string          `json:"reason"`
	Checklist map[string]bool `json:"checklist"`
}

// NextCertStatus decides a certification step: which state a unit in
// status from reaches by a, or EINVALID naming why not. Certify needs an
// inspection with every criterion passed; refuse and revoke need a reason.
func NextCertStatus(from string, checklist map[string]bool, a SafeUnitAction) (string, error) {
	if _, err := time.Parse(time.DateOnly, a.On); err != nil {
		return "", FieldError("on", "a day YYYY-MM-DD is required")
	}
	reason := strings.TrimSpace(a.Reason)
	switch a.Action {
	case "inspect":
		if from != CertApplied && from != CertInspected {
			return "", FieldError("action", "only an application is inspected (the unit is %s)", from)
		}
		for _, k := range SafeUnitCriteria {
			if _, ok := a.Checklist[k]; !ok {
				return "", FieldError("checklist", "criterion %s is not answered", k)
			}
		}
		for k := range a.Checklist {
			if !slices.Contains(SafeUnitCriteria, k) {
				return "", FieldError("checklist", "unknown criterion %q", k)
			}
		}
		return CertInspected, nil
	case "certify":
		if from != CertInspected {
			return "", FieldError("action", "a unit is certified after an inspection (it is %s)", from)
		}
		for _, k := range SafeUnitCriteria {
			if !checklist[k] {
				return "", FieldError("checklist", "criterion %s failed at the inspection: refuse or inspect again", k)
			}
		}
		return CertCertified, nil
	case "refuse":
		if from != CertApplied && from != CertInspected {
			return "", FieldError("action", "only an open application is refused (it is %s)", from)
		}
		if reason == "" {
			return "", FieldError("reason", "a refusal gives its reason")
		}
		return CertRefused, nil
	case "revoke":
		if from != CertCertified {
			return "", FieldError("action", "only a certified unit is revoked (it is %s)", from)
		}
		if reason == "" {
			return "", FieldError("reason", "a revocation gives its reason")
		}
		return CertRevoked, nil
	}
	return "", FieldError("action", "unknown action %q", a.Action)
}

// NewSafeUnit is an application.
type NewSafeUnit struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Address   string `json:"address"`
	District  string `json:"district"`
	Station   string `json:"station"`
	AppliedOn string `json:"applied_on"`
}

// Validate checks an application.
func (n *NewSafeUnit) Validate() error {
	n.Name = strings.TrimSpace(n.Name)
	if l := utf8.RuneCountInString(n.Name); l < 2 || l > 100 {
		return FieldError("name", "a name of 2 to 100 characters is required")
	}
	if !slices.Contains(SafeUnitKinds, n.Kind) {
		return FieldError("kind", "unknown unit kind %q", n.Kind)
	}
	if !districtRE.MatchString(n.District) {
		return FieldError("district", "a six-digit district code (GB/T 2260) is required")
	}
	if n.Station == "" {
		return FieldError("station", "the owning station is required")
	}
	if _, err := time.Parse(time.DateOnly, n.AppliedOn); err != nil {
		return FieldError("applied_on", "a day YYYY-MM-DD is required")
	}
	return nil
}

// CoverageSnapshot is one grid's coverage at the end of a month.
type CoverageSnapshot struct {
	Month  string  `json:"month"` // YYYY-MM
	Grid   string  `json:"grid"`
	AreaM2 float64 `json:"area_m2"`
	CovM2  float64 `json:"covered_m2"`
	Pct    float64 `json:"coverage_pct"`
	// Road length in the grid and inside some online view (metres);
	// RoadPct is null for a grid without roads.
	RoadM    float64  `json:"road_m"`
	RoadCovM float64  `json:"road_covered_m"`
	RoadPct  *float64 `json:"road_coverage_pct"`
}

// ZhudunReport is the statistics of GET /api/v1/reports/zhudun: counts at
// the day At (end of it, China time) beside the same day a year before.
type ZhudunReport struct {
	At               string `json:"at"`
	Dept             string `json:"dept"`
	Communities      Figure `json:"communities"`
	SmartCommunities Figure `json:"smart_communities"`
	CamerasOnline    Figure `json:"cameras_online"`
	CamerasOffline   Figure `json:"cameras_offline"`
	VideoCoveragePct Figure `json:"video_coverage_pct"`
	// RoadCoveragePct is that month's covered ÷ measured road length (0
	// when no grid in scope had roads that month).
	RoadCoveragePct Figure `json:"road_coverage_pct"`
	SafeUnits       Figure `json:"safe_units"`
}

// ZhudunService keeps the 铸盾 data within the caller's scope (the owning
// station; outside it a record is ENOTFOUND). Errors: EINVALID (field
// named), ENOTFOUND, ECONFLICT, EFORBIDDEN, EUNAUTHORIZED.
type ZhudunService interface {
	CreateCommunity(ctx context.Context, n NewCommunity) (*Community, error)
	UpdateCommunity(ctx context.Context, id int64, n NewCommunity) (*Community, error)
	ImportCommunities(ctx context.Context, rows []NewCommunity) (int, []ImportRowError, error)
	FindCommunities(ctx context.Context, station string) ([]*Community, error)
	FindCommunityByID(ctx context.Context, id int64) (*Community, error)
	LevelRule(ctx context.Context) (LevelRule, error)
	SaveLevelRule(ctx context.Context, r LevelRule) (LevelRule, error)

	ImportCameras(ctx context.Context, imp CameraImport) (*CameraImportReport, error)
	FindCameras(ctx context.Context) ([]*Camera, error)

	CreateSafeUnit(ctx context.Context, n NewSafeUnit) (*SafeUnit, error)
	ActOnSafeUnit(ctx context.Context, id int64, a SafeUnitAction) (*SafeUnit, error)
	FindSafeUnits(ctx context.Context) ([]*SafeUnit, error)

	SetGridTarget(ctx context.Context, grid string, pct float64) error
	GridTargets(ctx context.Context) (map[string]float64, error)
	SaveCoverageSnapshots(ctx context.Context, month string, s []CoverageSnapshot) error
	CoverageSnapshots(ctx context.Context, month string) ([]CoverageSnapshot, error)
	ZhudunReport(ctx context.Context, at time.Time, dept string) (*ZhudunReport, error)
	RoadService
}

// String names a camera in logs without its place.
func (c *Camera) String() string { return fmt.Sprintf("camera %s", c.DeviceID) }
