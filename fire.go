package zhudun

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// E-bike fire safety (issue 15, docs/fire.md): reports of e-bikes parked or
// charged in evacuation corridors and exits, taken from property
// companies, residents' committees, patrols and residents (through Open311
// GeoReport v2 or the patrol page), placed in their grid and station, and
// the escalation behind them — dissuasion first (劝离), referral to fire
// rescue or the station, an order to correct with a deadline (责令改正),
// corrected or an administrative penalty, and for a fire with casualties
// or large losses the referral for criminal liability, linked to a case.

// Fire permissions. fire:read lists the reports of the holder's scope
// (decided by the report's station); fire:write takes reports from the
// patrol page and records the escalation's steps.
const (
	PermFireRead  Permission = "fire:read"
	PermFireWrite Permission = "fire:write"
)

// RoleFireOfficer is the station's fire-safety officer (消防安全民警):
// fire:read and fire:write at the station, report:read for its figures.
const RoleFireOfficer = "fire_officer"

// Open311 service codes: the five kinds of report.
const (
	FireCorridorParking  = "corridor_parking"  // 占用疏散通道/安全出口停放
	FireCorridorCharging = "corridor_charging" // 楼道充电
	FireFlyingLead       = "flying_lead"       // 飞线充电
	FireIndoorCharging   = "indoor_charging"   // 室内充电
	FireOtherHazard      = "other_hazard"      // 其他火灾隐患
)

// Reporter kinds.
const (
	ReporterProperty  = "property"  // 物业公司
	ReporterCommittee = "committee" // 居委会（村委会）
	ReporterPatrol    = "patrol"    // 巡逻民警（巡防页面，不经 Open311）
	ReporterResident  = "resident"  // 居民
)

// Open311 attribute datatypes (GeoReport v2).
const (
	AttrString          = "string"
	AttrNumber          = "number"
	AttrDatetime        = "datetime"
	AttrText            = "text"
	AttrSingleValueList = "singlevaluelist"
	AttrMultiValueList  = "multivaluelist"
)

// FireAttrValue is one choice of a list attribute.
type FireAttrValue struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// FireAttribute is one attribute of a service definition.
type FireAttribute struct {
	Code         string          `json:"code"`
	Datatype     string          `json:"datatype"`
	Required     bool            `json:"required"`
	Description  string          `json:"description"` // the question asked
	DatatypeDesc string          `json:"datatype_description"`
	Order        int             `json:"order"`
	Values       []FireAttrValue `json:"values,omitempty"`
	// Variable is false for an informational attribute (none here: every
	// attribute takes an answer).
	Variable bool `json:"variable"`
}

// FireService is one Open311 service: a kind of report.
type FireService struct {
	Code        string          `json:"service_code"`
	Name        string          `json:"service_name"`
	Description string          `json:"description"`
	Keywords    string          `json:"keywords"`
	Group       string          `json:"group"`
	Attributes  []FireAttribute `json:"attributes"`
}

var reporterKindAttr = FireAttribute{Code: "reporter_kind", Datatype: AttrSingleValueList, Required: true, Order: 1, Variable: true,
	Description: "报告人身份 Who is reporting", DatatypeDesc: "one key of the list",
	Values: []FireAttrValue{{ReporterProperty, "物业公司 Property company"}, {ReporterCommittee, "居委会 Residents' committee"},
		{ReporterResident, "居民 Resident"}}}

var placeKindAttr = FireAttribute{Code: "place_kind", Datatype: AttrSingleValueList, Required: true, Order: 2, Variable: true,
	Description: "场所类型 Kind of place", DatatypeDesc: "one key of the list",
	Values: []FireAttrValue{{"residential", "住宅楼 Residential building"}, {"shared_rental", "群租房 Shared rental"},
		{"shop", "沿街商铺 Street shop"}, {"public", "公共场所 Public building"}, {"other", "其他 Other"}}}

var fireAttrsCommon = []FireAttribute{
	reporterKindAttr, placeKindAttr,
	{Code: "building", Datatype: AttrString, Order: 3, Variable: true, Description: "楼栋单元 Building and entrance",
		DatatypeDesc: "free text, at most 100 characters, e.g. 5号楼2单元"},
	{Code: "floor", Datatype: AttrNumber, Order: 4, Variable: true, Description: "楼层 Floor",
		DatatypeDesc: "a whole number from -5 to 200"},
	{Code: "bikes", Datatype: AttrNumber, Order: 5, Variable: true, Description: "电动自行车数量 Number of e-bikes",
		DatatypeDesc: "a whole number from 0 to 500"},
	{Code: "observed_at", Datatype: AttrDatetime, Order: 6, Variable: true, Description: "发现时间 When it was seen",
		DatatypeDesc: "W3C datetime with offset, e.g. 2026-12-03T09:30:00+08:00; not in the future"},
	{Code: "blocking", Datatype: AttrMultiValueList, Order: 7, Variable: true, Description: "影响 What is blocked or at risk",
		DatatypeDesc: "zero or more keys of the list",
		Values: []FireAttrValue{{"exit", "安全出口 Safety exit"}, {"stairs", "楼梯 Stairs"}, {"corridor", "疏散通道 Corridor"},
			{"fire_door", "防火门 Fire door"}, {"hydrant", "消火栓 Hydrant"}}},
}

func withAttrs(extra ...FireAttribute) []FireAttribute {
	return append(append([]FireAttribute(nil), fireAttrsCommon...), extra...)
}

// FireServices are the Open311 services in the order a client lists them.
var FireServices = []FireService{
	{Code: FireCorridorParking, Name: "占用疏散通道/安全出口停放 E-bike parked in a corridor or exit", Group: "电动自行车消防安全 E-bike fire safety",
		Description: "电动自行车停放在楼道、疏散通道、安全出口 E-bikes parked in an evacuation corridor, staircase or exit",
		Keywords:    "e-bike,corridor,exit,parking,电动车,楼道,停放", Attributes: withAttrs()},
	{Code: FireCorridorCharging, Name: "楼道充电 Charging in a corridor", Group: "电动自行车消防安全 E-bike fire safety",
		Description: "在楼道、疏散通道为电动自行车或电池充电 Charging an e-bike or its battery in a corridor",
		Keywords:    "e-bike,charging,corridor,电动车,充电,楼道", Attributes: withAttrs()},
	{Code: FireFlyingLead, Name: "飞线充电 Flying-lead charging", Group: "电动自行车消防安全 E-bike fire safety",
		Description: "从窗户、楼上私拉电线给电动自行车充电 A cable run from a window or an upper floor to charge an e-bike",
		Keywords:    "e-bike,cable,flying lead,电动车,飞线,私拉电线", Attributes: withAttrs(
			FireAttribute{Code: "cable_from", Datatype: AttrSingleValueList, Required: true, Order: 8, Variable: true,
				Description: "电线从哪里引出 Where the cable comes from", DatatypeDesc: "one key of the list",
				Values: []FireAttrValue{{"window", "窗户 A window"}, {"upper_floor", "楼上 An upper floor"}, {"shop", "商铺 A shop"}, {"other", "其他 Other"}}})},
	{Code: FireIndoorCharging, Name: "室内充电 Charging indoors", Group: "电动自行车消防安全 E-bike fire safety",
		Description: "将电动自行车或电池带入室内充电 An e-bike or its battery taken indoors to charge",
		Keywords:    "e-bike,battery,indoor,电动车,电池,入户,室内充电", Attributes: withAttrs()},
	{Code: FireOtherHazard, Name: "其他火灾隐患 Other fire hazard", Group: "电动自行车消防安全 E-bike fire safety",
		Description: "其他电动自行车火灾隐患 Another e-bike fire hazard (describe it)",
		Keywords:    "fire,hazard,火灾隐患", Attributes: withAttrs(
			FireAttribute{Code: "details", Datatype: AttrText, Required: true, Order: 8, Variable: true,
				Description: "隐患情况 What the hazard is", DatatypeDesc: "free text, 2 to 1000 characters"})},
}

// FireServiceByCode returns the service of code, or false.
func FireServiceByCode(code string) (*FireService, bool) {
	i := slices.IndexFunc(FireServices, func(s FireService) bool { return s.Code == code })
	if i < 0 {
		return nil, false
	}
	return &FireServices[i], true
}

// CheckFireAttributes checks the answers given to a service's attributes
// (attribute[CODE] and attribute[CODE][] of the form) against its
// definition: required ones present, types and list keys right. Answers to
// codes the service does not define are dropped (Open311: unknown fields
// are ignored). It returns the kept answers.
func CheckFireAttributes(svc *FireService, given map[string][]string, now time.Time) (map[string][]string, error) {
	out := map[string][]string{}
	for _, a := range svc.Attributes {
		vs := []string{}
		for _, v := range given[a.Code] {
			if v = strings.TrimSpace(v); v != "" {
				vs = append(vs, v)
			}
		}
		if len(vs) == 0 {
			if a.Required {
				return nil, FieldError("attribute["+a.Code+"]", "%s is required", a.Code)
			}
			continue
		}
		if a.Datatype != AttrMultiValueList && len(vs) > 1 {
			return nil, FieldError("attribute["+a.Code+"]", "%s takes one value", a.Code)
		}
		if len(vs) > 20 {
			return nil, FieldError("attribute["+a.Code+"]", "at most 20 values")
		}
		for _, v := range vs {
			if err := checkAttrValue(a, v, now); err != nil {
				return nil, err
			}
		}
		out[a.Code] = vs
	}
	return out, nil
}

func checkAttrValue(a FireAttribute, v string, now time.Time) error {
	field := "attribute[" + a.Code + "]"
	switch a.Datatype {
	case AttrString:
		if utf8.RuneCountInString(v) > 100 {
			return FieldError(field, "%s: at most 100 characters", a.Code)
		}
	case AttrText:
		if n := utf8.RuneCountInString(v); n < 2 || n > 1000 {
			return FieldError(field, "%s: 2 to 1000 characters", a.Code)
		}
	case AttrNumber:
		lo, hi := 0, 500
		if a.Code == "floor" {
			lo, hi = -5, 200
		}
		n, ok := parseSmallInt(v)
		if !ok || n < lo || n > hi {
			return FieldError(field, "%s: a whole number from %d to %d", a.Code, lo, hi)
		}
	case AttrDatetime:
		t, err := ParseW3CTime(v)
		if err != nil || t.After(now.Add(5*time.Minute)) {
			return FieldError(field, "%s: a W3C datetime with offset, not in the future", a.Code)
		}
	case AttrSingleValueList, AttrMultiValueList:
		if !slices.ContainsFunc(a.Values, func(x FireAttrValue) bool { return x.Key == v }) {
			return FieldError(field, "%s: %q is not one of its keys", a.Code, truncRunes(v, 40))
		}
	}
	return nil
}

func parseSmallInt(s string) (int, bool) {
	if s == "" || len(s) > 5 {
		return 0, false
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if s == "" {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

func truncRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// ParseW3CTime reads a W3C datetime (the profile of ISO 8601 Open311
// uses): a date, or a date and time with seconds optional and an offset
// (Z or ±hh:mm) required.
func ParseW3CTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if t, err := time.ParseInLocation("2006-01-02", s, CST()); err == nil {
		return t, nil
	}
	return time.Time{}, FieldError("date", "a W3C datetime such as 2026-12-03T09:30:00+08:00")
}

// FormatW3CTime writes t in China time with its offset, as Open311
// clients read it: 2026-12-03T09:30:00+08:00.
func FormatW3CTime(t time.Time) string { return t.In(CST()).Format("2006-01-02T15:04:05-07:00") }

// Report statuses: the escalation's states. Closed ones are final for
// Open311 ("closed"); the others are "open".
const (
	FireInvestigating = "investigating" // 核查中
	FireDissuaded     = "dissuaded"     // 已劝离
	FireReferred      = "referred"      // 已移交（消防救援机构或派出所）
	FireOrdered       = "ordered"       // 已责令改正
	FireResolved      = "resolved"      // 劝离后已自行整改
	FireCorrected     = "corrected"     // 按期改正
	FirePenalized     = "penalized"     // 行政处罚
	FireCriminal      = "criminal"      // 移送追究刑事责任
	FireUnfounded     = "unfounded"     // 查无隐患
)

// FireStatuses lists the statuses in the order the UI shows them.
var FireStatuses = []string{FireInvestigating, FireDissuaded, FireReferred, FireOrdered, FireResolved, FireCorrected,
	FirePenalized, FireCriminal, FireUnfounded}

// FireClosed reports whether status is final.
func FireClosed(status string) bool {
	switch status {
	case FireResolved, FireCorrected, FirePenalized, FireCriminal, FireUnfounded:
		return true
	}
	return false
}

// Escalation actions.
const (
	FireActDissuade  = "dissuade"  // 劝离
	FireActResolve   = "resolve"   // 劝离有效，已整改
	FireActRefer     = "refer"     // 移交消防救援机构或派出所
	FireActOrder     = "order"     // 责令改正（限期）
	FireActCorrect   = "correct"   // 复查：已改正
	FireActPenalize  = "penalize"  // 拒不改正：行政处罚
	FireActCriminal  = "criminal"  // 发生火灾致人伤亡或重大损失：移送追究刑事责任
	FireActUnfounded = "unfounded" // 核查无隐患
	FireActOverdue   = "overdue"   // 逾期未改正：系统升级提醒（不改变状态）
)

// fireTransitions is the escalation: from each status, the actions
// allowed and the status each leads to. Dissuasion comes first; an order
// is given after dissuasion failed (by the station itself) or after a
// referral; a penalty only after an order; criminal referral wherever a
// fire broke out, even after a penalty.
var fireTransitions = map[string]map[string]string{
	FireInvestigating: {FireActDissuade: FireDissuaded, FireActUnfounded: FireUnfounded, FireActCriminal: FireCriminal},
	FireDissuaded:     {FireActResolve: FireResolved, FireActRefer: FireReferred, FireActOrder: FireOrdered, FireActCriminal: FireCriminal},
	FireReferred:      {FireActOrder: FireOrdered, FireActCriminal: FireCriminal},
	FireOrdered:       {FireActCorrect: FireCorrected, FireActPenalize: FirePenalized, FireActCriminal: FireCriminal},
	FirePenalized:     {FireActCriminal: FireCriminal},
}

// FireNext returns the status action leads to from status, or an
// ECONFLICT error naming what is allowed.
func FireNext(status, action string) (string, error) {
	to, ok := fireTransitions[status][action]
	if !ok {
		var allowed []string
		for a := range fireTransitions[status] {
			allowed = append(allowed, a)
		}
		slices.Sort(allowed)
		if len(allowed) == 0 {
			return "", Errorf(ECONFLICT, "the report is %s: no further step", status)
		}
		return "", Errorf(ECONFLICT, "%s is not allowed when the report is %s (allowed: %s)", action, status, strings.Join(allowed, ", "))
	}
	return to, nil
}

// Referral targets.
const (
	ReferFireRescue = "fire_rescue" // 消防救援机构
	ReferStation    = "station"     // 派出所
)

// Fire consequences that open a criminal referral.
const (
	FireCasualties = "casualties" // 致人伤亡
	FireLargeLoss  = "large_loss" // 造成重大损失
)

// FireLegalBases are the grounds an order or a penalty cites.
var FireLegalBases = []LegalBasis{
	{"fire_law_28", "《中华人民共和国消防法》第二十八条（占用、堵塞疏散通道、安全出口）"},
	{"fire_law_60", "《中华人民共和国消防法》第六十条（单位、个人占用、堵塞、封闭疏散通道、安全出口）"},
	{"fire_law_64", "《中华人民共和国消防法》第六十四条（过失引起火灾）"},
	{"shandong_fire_ebike", "《山东省消防条例》关于电动自行车停放、充电的规定"},
	{"criminal_law_139", "《中华人民共和国刑法》第一百三十九条（消防责任事故罪）"},
}

// FireLegalBasisText returns a fire legal basis's text, or false.
func FireLegalBasisText(id string) (string, bool) { return legalBasisIn(FireLegalBases, id) }

func legalBasisIn(list []LegalBasis, id string) (string, bool) {
	i := slices.IndexFunc(list, func(b LegalBasis) bool { return b.ID == id })
	if i < 0 {
		return "", false
	}
	return list[i].Text, true
}

// MaxFirePenaltyFen bounds a penalty amount: the Fire Law's fines for an
// individual or a unit stay well below 1,000,000 yuan.
const MaxFirePenaltyFen = 100_000_000

// FireStepInput is one step of the escalation as an officer records it.
type FireStepInput struct {
	Action      string  `json:"action"`
	Note        string  `json:"note"`        // what was done (internal)
	Target      string  `json:"target"`      // refer: fire_rescue or station
	TargetDept  string  `json:"target_dept"` // refer to station: its code
	Deadline    string  `json:"deadline"`    // order: YYYY-MM-DD
	Decision    string  `json:"decision"`    // penalize: the decision number
	AmountFen   int64   `json:"amount_fen"`  // penalize
	LegalBasis  string  `json:"legal_basis"` // order, penalize, criminal
	Consequence string  `json:"consequence"` // criminal: casualties or large_loss
	CaseID      int64   `json:"case_id"`     // criminal
	Photos      []int64 `json:"photos"`      // photos of the report to attach to the step
}

// Validate checks a step's own fields for its action.
func (in *FireStepInput) Validate(now time.Time) error {
	in.Note = strings.TrimSpace(in.Note)
	if n := utf8.RuneCountInString(in.Note); n < 2 || n > 1000 {
		return FieldError("note", "say what was done, 2 to 1000 characters")
	}
	if len(in.Photos) > 10 {
		return FieldError("photos", "at most 10 photos a step")
	}
	switch in.Action {
	case FireActDissuade, FireActResolve, FireActCorrect, FireActUnfounded:
	case FireActRefer:
		if in.Target != ReferFireRescue && in.Target != ReferStation {
			return FieldError("target", "refer to fire_rescue or station")
		}
		if in.Target == ReferStation && in.TargetDept == "" {
			return FieldError("target_dept", "name the station referred to")
		}
	case FireActOrder:
		d, err := time.ParseInLocation("2006-01-02", in.Deadline, CST())
		today := time.Date(now.In(CST()).Year(), now.In(CST()).Month(), now.In(CST()).Day(), 0, 0, 0, 0, CST())
		if err != nil || d.Before(today) || d.After(today.AddDate(0, 6, 0)) {
			return FieldError("deadline", "a deadline YYYY-MM-DD from today to six months ahead")
		}
		if _, ok := FireLegalBasisText(in.LegalBasis); !ok {
			return FieldError("legal_basis", "unknown legal basis %q", in.LegalBasis)
		}
	case FireActPenalize:
		in.Decision = strings.TrimSpace(in.Decision)
		if n := utf8.RuneCountInString(in.Decision); n < 4 || n > 60 {
			return FieldError("decision", "the decision number (决定书文号), 4 to 60 characters")
		}
		if in.AmountFen < 0 || in.AmountFen > MaxFirePenaltyFen {
			return FieldError("amount_fen", "an amount in fen from 0 to %d", MaxFirePenaltyFen)
		}
		if _, ok := FireLegalBasisText(in.LegalBasis); !ok {
			return FieldError("legal_basis", "unknown legal basis %q", in.LegalBasis)
		}
	case FireActCriminal:
		if in.Consequence != FireCasualties && in.Consequence != FireLargeLoss {
			return FieldError("consequence", "criminal referral is for a fire with casualties or large losses")
		}
		if in.CaseID <= 0 {
			return FieldError("case_id", "the case the referral is filed under")
		}
	default:
		return FieldError("action", "unknown action %q", in.Action)
	}
	return nil
}

// FireStep is a recorded step.
type FireStep struct {
	ID          int64     `json:"id"`
	Action      string    `json:"action"`
	From        string    `json:"from"`
	To          string    `json:"to"`
	Note        string    `json:"note"`
	Target      string    `json:"target,omitempty"`
	TargetDept  string    `json:"target_dept,omitempty"`
	Deadline    string    `json:"deadline,omitempty"`
	Decision    string    `json:"decision,omitempty"`
	AmountFen   int64     `json:"amount_fen,omitempty"`
	LegalBasis  string    `json:"legal_basis,omitempty"`
	Consequence string    `json:"consequence,omitempty"`
	CaseID      int64     `json:"case_id,omitempty"`
	Photos      []int64   `json:"photos"`
	Actor       string    `json:"actor"`
	At          time.Time `json:"at"`
}

// NewFireReport is a report as taken in (Open311 or the patrol page).
type NewFireReport struct {
	ServiceCode  string
	Description  string
	Lat, Long    string // as sent: Open311 returns them unchanged
	AddressText  string // address_string
	AddressID    string // a standard address id (std_addresses)
	Zipcode      string
	Attributes   map[string][]string
	ReporterKind string // from attribute reporter_kind; patrol for the patrol page
	FirstName    string
	LastName     string
	Phone        string
	Email        string
	AccountID    string
	DeviceID     string
	MediaURL     string // a URL the client gave (its own copy of a photo)
	Media        []byte // an uploaded photo
	UnitID       int64  // patrol page: the unit whose position placed it
}

// Validate checks the fields' shapes; the place and the attributes are
// checked by the store (against the address table and the service).
func (n *NewFireReport) Validate() error {
	if _, ok := FireServiceByCode(n.ServiceCode); !ok {
		return FieldError("service_code", "unknown service_code %q", truncRunes(n.ServiceCode, 40))
	}
	n.Description = strings.TrimSpace(n.Description)
	if utf8.RuneCountInString(n.Description) > 4000 {
		return FieldError("description", "at most 4000 characters")
	}
	for f, v := range map[string]string{"first_name": n.FirstName, "last_name": n.LastName, "account_id": n.AccountID,
		"device_id": n.DeviceID, "zipcode": n.Zipcode, "email": n.Email, "phone": n.Phone} {
		if utf8.RuneCountInString(v) > 100 {
			return FieldError(f, "at most 100 characters")
		}
	}
	if n.Email != "" && (!strings.Contains(n.Email, "@") || strings.ContainsAny(n.Email, " \r\n")) {
		return FieldError("email", "not an e-mail address")
	}
	if len(n.MediaURL) > 1000 || n.MediaURL != "" && !strings.HasPrefix(n.MediaURL, "https://") && !strings.HasPrefix(n.MediaURL, "http://") {
		return FieldError("media_url", "an http(s) URL of at most 1000 characters")
	}
	if utf8.RuneCountInString(n.AddressText) > 200 {
		return FieldError("address_string", "at most 200 characters")
	}
	if len(n.Lat) > 40 || len(n.Long) > 40 {
		return FieldError("lat", "lat and long are decimal degrees")
	}
	if (n.Lat == "") != (n.Long == "") {
		return FieldError("lat", "give both lat and long")
	}
	if n.Lat == "" && strings.TrimSpace(n.AddressText) == "" && n.AddressID == "" {
		return FieldError("lat", "a location is required: lat and long, address_string or address_id")
	}
	return nil
}

// FireReport is one report as officers see it: the reporter's personal
// data masked.
type FireReport struct {
	ID           int64               `json:"id"`
	Token        string              `json:"token"`
	ServiceCode  string              `json:"service_code"`
	Description  string              `json:"description"`
	Attributes   map[string][]string `json:"attributes"`
	Lat          string              `json:"lat"` // as sent (or as placed from the address)
	Long         string              `json:"long"`
	Lon          float64             `json:"lon_value"`
	LatV         float64             `json:"lat_value"`
	Address      string              `json:"address"`
	AddressID    string              `json:"address_id"`
	Zipcode      string              `json:"zipcode"`
	GridCode     string              `json:"grid"`
	StationID    int64               `json:"-"`
	StationPath  string              `json:"-"`
	Station      string              `json:"station"`
	StationName  string              `json:"station_name"`
	District     string              `json:"district"`
	DistrictName string              `json:"district_name"`
	ReporterKind string              `json:"reporter_kind"`
	Source       string              `json:"source"` // the Open311 source's name, or "patrol"
	ReporterName string              `json:"reporter_name_masked"`
	PhoneMasked  string              `json:"phone_masked"`
	EmailMasked  string              `json:"email_masked"`
	MediaURL     string              `json:"media_url"`
	MediaID      string              `json:"-"` // the stored upload's public name
	Status       string              `json:"status"`
	Deadline     string              `json:"deadline,omitempty"`
	Overdue      bool                `json:"overdue"`
	EscalatedAt  *time.Time          `json:"escalated_at,omitempty"`
	ReferredTo   string              `json:"referred_to,omitempty"`
	PlaceID      int64               `json:"place_id"`
	Repeat       bool                `json:"repeat"`    // its place is a repeat location
	RepeatOf     []int64             `json:"repeat_of"` // the earlier reports of its place within 30 days
	CaseID       int64               `json:"case_id,omitempty"`
	RequestedAt  time.Time           `json:"requested_at"`
	UpdatedAt    time.Time           `json:"updated_at"`
	ClosedAt     *time.Time          `json:"closed_at,omitempty"`
	Steps        []FireStep          `json:"steps"`
	AccountID    string              `json:"-"` // echoed once, in the answer to the post
}

// Open311Status is the report's public status: open or closed.
func (r *FireReport) Open311Status() string {
	if FireClosed(r.Status) {
		return "closed"
	}
	return "open"
}

// fireStatusNotes are the public notes per status: what a citizen may
// know, never an internal detail (no amount, no decision number, no name).
var fireStatusNotes = map[string]string{
	FireInvestigating: "已受理，民警正在核查。Received; an officer is checking.",
	FireDissuaded:     "已现场劝离，督促整改。Dissuaded on the spot; correction is being followed up.",
	FireReferred:      "已移交主管机关处理。Referred to the competent authority.",
	FireOrdered:       "已责令限期改正。Ordered to correct within a deadline.",
	FireResolved:      "经劝离已整改。Corrected after dissuasion.",
	FireCorrected:     "经复查已改正。Corrected; checked on re-inspection.",
	FirePenalized:     "拒不改正，已依法作出处理。Not corrected; dealt with according to law.",
	FireCriminal:      "已依法移送处理。Handed over according to law.",
	FireUnfounded:     "经核查未发现所报隐患。Checked; the reported hazard was not found.",
}

// FireStatusNote returns the public note of a status.
func FireStatusNote(status string) string { return fireStatusNotes[status] }

// FireOverdue filters a report list for the overdue orders (逾期未改正):
// ordered, the deadline passed. A filter, never a stored status.
const FireOverdue = "overdue"

// IsFireOrderOverdue reports whether an ordered report's deadline (a China
// calendar day, the whole of it allowed) has passed at now.
func IsFireOrderOverdue(status, deadline string, now time.Time) bool {
	return status == FireOrdered && IsOverdue(NoticeOpen, deadline, now)
}

// RepeatRadiusM and RepeatWindow define "the same place": a report within
// 30 m of an earlier one (or at the same standard address), within 30 days
// of it.
const (
	RepeatRadiusM = 30.0
	RepeatWindow  = 30 * 24 * time.Hour
)

// DistanceM is the great-circle distance in metres between two WGS-84
// points (haversine; exact enough at 30 m).
func DistanceM(lon1, lat1, lon2, lat2 float64) float64 {
	const r = 6371008.8
	rad := math.Pi / 180
	dlat, dlon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(a)))
}

// FireFilter selects reports. Zero fields do not filter.
type FireFilter struct {
	IDs         []int64
	ServiceCode string
	Status      string // internal status; "open"/"closed" for Open311
	Station     string
	Repeat      bool
	From, To    time.Time // requested_at
	Offset      int
	Limit       int
}

// FirePlace is a repeat location for the map.
type FirePlace struct {
	ID        int64     `json:"id"`
	Lon       float64   `json:"lon"`
	Lat       float64   `json:"lat"`
	Address   string    `json:"address"`
	Station   string    `json:"station"`
	Reports   int       `json:"reports"`
	FlaggedAt time.Time `json:"flagged_at"`
	LastAt    time.Time `json:"last_at"`
}

// FireAlert is an overdue order's escalation to its station and district.
type FireAlert struct {
	ID        int64     `json:"id"`
	ReportID  int64     `json:"report_id"`
	Recipient string    `json:"recipient"` // "station:ST1" or "district:SB1"
	Deadline  string    `json:"deadline"`
	At        time.Time `json:"at"`
}

// FireReportQuery selects the statistics: days From..To (China time, both
// included) within a department's subtree.
type FireReportQuery struct {
	From, To time.Time
	Dept     string
}

// FireFigures are the figures of one slice.
type FireFigures struct {
	Reports         Figure `json:"reports"`
	Dissuaded       Figure `json:"dissuaded"`
	Referred        Figure `json:"referred"`
	Ordered         Figure `json:"ordered"`
	Corrected       Figure `json:"corrected"`
	Penalties       Figure `json:"penalties"`
	PenaltyFen      Figure `json:"penalty_fen"`
	RepeatLocations Figure `json:"repeat_locations"`
	// MedianCloseHours is the median time from report to close of the
	// reports closed in the period, hours, one decimal.
	MedianCloseHours Figure `json:"median_close_hours"`
}

// FireStats is the statistics of a period beside the same days last year.
type FireStats struct {
	From time.Time `json:"-"`
	To   time.Time `json:"-"`
	Dept string    `json:"dept,omitempty"`
	FireFigures
	ByStation  map[string]FireFigures `json:"by_station"`
	ByDistrict map[string]FireFigures `json:"by_district"`
	ByService  map[string]FireFigures `json:"by_service"`
}

// FireService is the store of the fire module. Intake from a source
// (CreateFireReportFromSource) needs an enabled source of kind open311;
// the public reads (PublicFireReports, FireReportByToken) need no caller
// and return no personal data; everything else is scoped by fire:read /
// fire:write on the report's station (report:read for the statistics),
// ENOTFOUND outside. Every change is audited.
// Errors: EINVALID, ENOTFOUND, ECONFLICT, EFORBIDDEN, EUNAUTHORIZED.
type FireStore interface {
	CreateFireReportFromSource(ctx context.Context, src *Source, n NewFireReport) (*FireReport, error)
	CreateFireReport(ctx context.Context, n NewFireReport) (*FireReport, error)
	PublicFireReports(ctx context.Context, f FireFilter) ([]*FireReport, error)
	FireReportByToken(ctx context.Context, token string) (*FireReport, error)
	FireMedia(ctx context.Context, name string) ([]byte, string, error)
	FindFireReports(ctx context.Context, f FireFilter) ([]*FireReport, int, error)
	FindFireReportByID(ctx context.Context, id int64) (*FireReport, error)
	AddFireStep(ctx context.Context, id int64, in FireStepInput) (*FireReport, error)
	AddFirePhoto(ctx context.Context, id int64, data []byte) (int64, error)
	FirePhoto(ctx context.Context, id int64) ([]byte, string, error)
	FirePlaces(ctx context.Context) ([]*FirePlace, error)
	EscalateOverdueFireOrders(ctx context.Context) ([]*FireAlert, error)
	FindFireAlerts(ctx context.Context) ([]*FireAlert, error)
	FireStats(ctx context.Context, q FireReportQuery) (*FireStats, error)
	// RevealFireReporter needs pii:view and fire:read over the report and
	// a reason; audited pii.view.
	RevealFireReporter(ctx context.Context, id int64, reason string) (*FireReporter, error)
}

// FireReporter is a report's reporter in clear, for an audited view.
type FireReporter struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

// Geocode places a report that names only an address (address_string, no
// lat/long, no address_id) with the bureau's geocoder — the dispatch's
// standard-address service when one is configured — at its best match,
// written to six decimals (about 0.1 m) as if sent. No match leaves the
// report as it was: the store then looks the address up in its own table
// and says so when that fails too.
func (n *NewFireReport) Geocode(ctx context.Context, g Geocoder) error {
	if g == nil || n.Lat != "" || n.AddressID != "" || strings.TrimSpace(n.AddressText) == "" {
		return nil
	}
	ms, err := g.Geocode(ctx, strings.TrimSpace(n.AddressText), 1)
	if err != nil || len(ms) == 0 {
		return err
	}
	n.Lat, n.Long = strconv.FormatFloat(ms[0].Lat, 'f', 6, 64), strconv.FormatFloat(ms[0].Lon, 'f', 6, 64)
	return nil
}
