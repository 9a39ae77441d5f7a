package zhudun

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The period report (issue 17, docs/summary.md): the press report's
// figures, section by section, each defined once here — its unit, what it
// counts and the dictionary it counts with — and read from the module's
// own report, so that the summary, the module's page and the documents
// cannot count differently.

// FigureDef defines one figure of the summary.
type FigureDef struct {
	Section string // cyber, fourcuts, fire, campus, patrol, zhudun
	Name    string // the figure's name inside its section
	Label   string // its name in the briefing: 办理网络犯罪案件
	Unit    string // case, person, fen, card, device, account, report, hazard, school, notice, incident, community, pct
	// Definition says what is counted, in the briefing's words.
	Definition string
	// Dictionary names the dictionary and its version the figure counts
	// by ("case_types@1"), "" when it uses none.
	Dictionary string
}

// SummarySection is a section of the summary, as the briefing heads it.
type SummarySection struct {
	Name  string
	Label string
}

// SummarySections are the briefing's sections, in its order.
var SummarySections = []SummarySection{
	{"cyber", "打击网络违法犯罪"},
	{"fourcuts", "“四断”专项行动"},
	{"fire", "电动自行车消防安全治理"},
	{"campus", "平安校园建设"},
	{"patrol", "网格驻巡与接处警"},
	{"zhudun", "“铸盾”工程"},
}

// figureDefs is the registry. A module adds its figures here, beside the
// others, and fills them in summaryOf its section below.
var figureDefs = []FigureDef{
	{"cyber", "cases_handled", "办理网络犯罪案件", "case",
		"期间受案的网络犯罪案件数（被并案的重复案件不计），与网络犯罪案件统计（/api/v1/reports/cyber）的 cases_handled 相同。", fmt.Sprintf("case_types@%d", CaseTypesVersion)},
	{"cyber", "people_coercive", "采取刑事强制措施", "person",
		"期间开始的刑事强制措施（拘传、取保候审、监视居住、刑事拘留、逮捕）涉及的人数，一人多项措施只计一次，传唤不计。", ""},
	{"fourcuts", "cases_solved", "破获“四断”案件", "case",
		"标记为“四断”专项行动的案件中期间破案的数量。", fmt.Sprintf("case_types@%d", CaseTypesVersion)},
	{"fourcuts", "suspects_caught", "抓获犯罪嫌疑人", "person",
		"“四断”案件中期间抓获的犯罪嫌疑人人数，一人只计一次。", ""},
	{"fourcuts", "funds_seized_fen", "扣押冻结涉案资金", "fen",
		"“四断”案件期间冻结、扣押的资金减去期间返还的资金，单位为分。", ""},
	{"fourcuts", "sim_cards_seized", "收缴电话卡", "card",
		"“四断”案件期间扣押的电话卡张数。", ""},
	{"fourcuts", "devices_seized", "收缴猫池、GoIP等设备", "device",
		"“四断”案件期间扣押的设备台数，按类型（猫池、GoIP、手机、电脑、服务器）分列。", ""},
	{"fourcuts", "malicious_accounts", "发现恶意账号", "account",
		"研判确认的黑账号与“四断”案件扣押登记的账号合并去重后的个数。", ""},
	{"fire", "reports", "受理电动自行车消防隐患报告", "report",
		"期间受理的电动自行车违规停放、充电等消防隐患报告数（Open311 与巡逻上报），与 /api/v1/reports/fire 的 reports 相同。", ""},
	{"fire", "corrected", "督促整改到位", "report",
		"期间经责令改正后整改到位的报告数。", ""},
	{"fire", "penalties", "依法作出行政处罚", "penalty",
		"期间作出行政处罚决定的报告数。", ""},
	{"campus", "hazards", "排查校园安全隐患", "hazard",
		"期间检查发现的隐患数。", fmt.Sprintf("campus_checklist@%d", ChecklistVersion)},
	{"campus", "schools_involved", "涉及学校", "school",
		"期间发现隐患的学校数，一校多处隐患只计一次。", ""},
	{"campus", "rectified_on_spot", "当场整改", "hazard",
		"期间发现并当场整改的隐患数。", ""},
	{"campus", "notices", "下发《责令限期整改通知书》", "notice",
		"期间下发的责令限期整改通知书份数（复查后重新下发的计为新的一份）。", ""},
	{"patrol", "incidents", "接处警情", "incident",
		"期间接报（按接警时间）的警情数。", fmt.Sprintf("incident_categories@%d", CurrentCategoryVersion())},
	{"patrol", "rescues_services", "救助服务群众", "incident",
		"期间接报的警情中以“救助服务”结案的数量。", ""},
	{"patrol", "disputes_mediated", "调解矛盾纠纷", "incident",
		"期间接报的警情中以“调解”结案的数量。", ""},
	{"patrol", "criminal_cases", "刑事案件", "incident",
		"期间接报的警情中以“立为刑事案件”结案的数量（纠纷警情转为刑事案件的计入此项，不计调解），同比即“刑事案件同比下降”。", ""},
	{"patrol", "public_order_cases", "治安案件", "incident",
		"期间接报的警情中以“立为治安案件”结案的数量。", ""},
	{"zhudun", "smart_communities", "建成智慧安防小区", "community",
		"期末按现行智慧安防等级规则评定为“智慧”等级的小区数。", "level_rule@current"},
	{"zhudun", "video_coverage_pct", "视频监控覆盖率", "pct",
		"期末在线摄像机视域并集覆盖的网格面积占网格总面积的百分比（一位小数），同比为与去年同日相比的变化。", ""},
}

// FigurePart is one part of a figure's breakdown, as the briefing names
// it: a device type of fourcuts.devices_seized.
type FigurePart struct {
	Key   string // the breakdown's key in the JSON: cat_pool
	Label string // its name in the documents: 猫池
}

// Parts lists the figure's breakdown in the order the documents give it
// (the seizure dictionary's for devices), nil for a figure without one.
func (d FigureDef) Parts() []FigurePart {
	if d.Section != "fourcuts" || d.Name != "devices_seized" {
		return nil
	}
	out := make([]FigurePart, len(DeviceTypes))
	for i, t := range DeviceTypes {
		out[i] = FigurePart{t, DeviceTypeLabel(t)}
	}
	return out
}

// FigureDefs returns the registry, section by section.
func FigureDefs() []FigureDef { return slices.Clone(figureDefs) }

// SummaryFigure is one figure of the summary: the shape every report
// shares, with the figure's unit and definition, and a breakdown where
// the figure has one (devices by type).
type SummaryFigure struct {
	Value      float64           `json:"value"`
	LastYear   float64           `json:"last_year"`
	ChangePct  *float64          `json:"change_pct"`
	Unit       string            `json:"unit"`
	Definition string            `json:"definition"`
	Dictionary string            `json:"dictionary,omitempty"`
	Breakdown  map[string]Figure `json:"breakdown,omitempty"`
}

// Summary is the period report. It is written as JSON as its sections
// alone — section, then the figure's own name — as the issue shapes it;
// the rest is for the documents.
type Summary struct {
	Sections map[string]map[string]*SummaryFigure
	From, To time.Time // China days, both included
	DeptName string    // the department the figures cover (its subtree)
	Scope    string    // what they cover, for print: 一分局及下属单位
}

// MarshalJSON writes the sections only.
func (s *Summary) MarshalJSON() ([]byte, error) { return json.Marshal(s.Sections) }

// SummaryQuery asks for the period report: From and To are China days,
// both included; Dept a department code (its subtree; the caller's scope
// by default).
type SummaryQuery struct {
	From, To time.Time
	Dept     string
}

// SummaryModules are the module reports a summary reads, each within the
// caller's report:read scope.
type SummaryModules struct {
	Cyber     CyberReportService
	Campaigns interface {
		FindCampaigns(ctx context.Context) ([]*Campaign, error)
	}
	Campus interface {
		CampusReport(ctx context.Context, q CampusReportQuery) (*CampusReport, error)
	}
	Patrol ReportService
	Fire   interface {
		FireStats(ctx context.Context, q FireReportQuery) (*FireStats, error)
	}
	Zhudun interface {
		ZhudunReport(ctx context.Context, at time.Time, dept string) (*ZhudunReport, error)
	}
	// Depts finds the asked department's path, for the Four Cuts
	// campaign that reaches it.
	Depts interface {
		FindDeptByCode(ctx context.Context, code string) (*Dept, error)
	}
}

// Summary computes the period report.
// Errors: those of the module reports (EINVALID, ENOTFOUND for a
// department outside the scope, EFORBIDDEN).
func (m SummaryModules) Summary(ctx context.Context, q SummaryQuery) (*Summary, error) {
	out := &Summary{Sections: map[string]map[string]*SummaryFigure{}, From: q.From, To: q.To}
	set := func(section, name string, f Figure, breakdown map[string]Figure) {
		def, ok := findDef(section, name)
		if !ok {
			panic("summary: figure " + section + "." + name + " is not in the registry")
		}
		if out.Sections[section] == nil {
			out.Sections[section] = map[string]*SummaryFigure{}
		}
		out.Sections[section][name] = &SummaryFigure{Value: f.Value, LastYear: f.LastYear, ChangePct: f.ChangePct,
			Unit: def.Unit, Definition: def.Definition, Dictionary: def.Dictionary, Breakdown: breakdown}
	}
	cy, err := m.Cyber.CyberReport(ctx, CyberReportQuery{From: q.From, To: q.To, Dept: q.Dept})
	if err != nil {
		return nil, err
	}
	out.Scope = cy.Scope
	if d, err := m.dept(ctx, cy.Dept); err == nil {
		out.DeptName = d.Name
	}
	set("cyber", "cases_handled", cy.CasesHandled, nil)
	set("cyber", "people_coercive", cy.PeopleCoercive, nil)

	four := &CyberReport{}
	if id, err := m.fourCutsCampaign(ctx, q); err != nil {
		return nil, err
	} else if id != 0 {
		if four, err = m.Cyber.CyberReport(ctx, CyberReportQuery{From: q.From, To: q.To, Dept: q.Dept, Campaign: id}); err != nil {
			return nil, err
		}
	}
	set("fourcuts", "cases_solved", four.CasesSolved, nil)
	set("fourcuts", "suspects_caught", four.SuspectsCaught, nil)
	set("fourcuts", "funds_seized_fen", four.FundsSeizedFen, nil)
	set("fourcuts", "sim_cards_seized", four.SIMCardsSeized, nil)
	set("fourcuts", "devices_seized", four.DevicesSeized, four.DevicesByType)
	set("fourcuts", "malicious_accounts", four.MaliciousAccounts, nil)

	fi, err := m.Fire.FireStats(ctx, FireReportQuery(q))
	if err != nil {
		return nil, err
	}
	set("fire", "reports", fi.Reports, nil)
	set("fire", "corrected", fi.Corrected, nil)
	set("fire", "penalties", fi.Penalties, nil)

	ca, err := m.Campus.CampusReport(ctx, CampusReportQuery{From: q.From, To: q.To, Dept: q.Dept})
	if err != nil {
		return nil, err
	}
	set("campus", "hazards", ca.Hazards, nil)
	set("campus", "schools_involved", ca.SchoolsInvolved, nil)
	set("campus", "rectified_on_spot", ca.RectifiedOnSpot, nil)
	set("campus", "notices", ca.Notices, nil)

	pa, err := m.Patrol.PatrolReport(ctx, PatrolReportQuery{From: q.From, To: q.To, Dept: q.Dept})
	if err != nil {
		return nil, err
	}
	t := pa.Total
	set("patrol", "incidents", t.Incidents.Figure(), nil)
	set("patrol", "rescues_services", t.RescuesServices.Figure(), nil)
	set("patrol", "disputes_mediated", t.DisputesMediated.Figure(), nil)
	set("patrol", "criminal_cases", t.CriminalCases.Figure(), nil)
	set("patrol", "public_order_cases", t.PublicOrderCases.Figure(), nil)

	// 铸盾's figures are states at a day: the period's last.
	zd, err := m.Zhudun.ZhudunReport(ctx, q.To, q.Dept)
	if err != nil {
		return nil, err
	}
	set("zhudun", "smart_communities", zd.SmartCommunities, nil)
	set("zhudun", "video_coverage_pct", zd.VideoCoveragePct, nil)
	return out, nil
}

// Figure is c in the shape the other reports share.
func (c Compare) Figure() Figure {
	return Figure{Value: float64(c.Count), LastYear: float64(c.LastYear), ChangePct: c.ChangePct}
}

func findDef(section, name string) (FigureDef, bool) {
	for _, d := range figureDefs {
		if d.Section == section && d.Name == name {
			return d, true
		}
	}
	return FigureDef{}, false
}

// fourCutsCampaign is the Four Cuts campaign the summary counts: among the
// campaigns the caller sees named 四断 (or 四断 and a year, 四断2021) whose
// dates overlap the period, the one that reaches the department asked
// (the caller's own by default) from nearest: its own or its nearest
// ancestor's — a campaign reaches its department's subtree, so a city's
// 四断 counts in a sub-bureau's summary, and a sub-bureau's own 四断, if it
// ran one, is the one its summary counts. A sub-bureau's campaign is not
// counted in the city's summary (the city's is). 0 when there is none: the
// section's figures are then zero. A caller without case:read sees no
// campaign, and its section is zero too.
func (m SummaryModules) fourCutsCampaign(ctx context.Context, q SummaryQuery) (int64, error) {
	list, err := m.Campaigns.FindCampaigns(ctx)
	if ErrorCode(err) == EFORBIDDEN {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	path := ""
	if c := CallerFrom(ctx); c != nil {
		path = c.DeptPath
	}
	if q.Dept != "" {
		d, err := m.dept(ctx, q.Dept)
		if err != nil {
			return 0, err
		}
		path = d.Path
	}
	from, to := q.From.Format("2006-01-02"), q.To.Format("2006-01-02")
	var best *Campaign
	for _, c := range list {
		if !IsFourCutsCampaign(c.Name) || c.To < from || c.From > to || !strings.HasPrefix(path, c.DeptPath) {
			continue
		}
		if best == nil || len(c.DeptPath) > len(best.DeptPath) {
			best = c
		}
	}
	if best == nil {
		return 0, nil
	}
	return best.ID, nil
}

// dept reads a department the cyber report has already accepted as within
// the caller's scope; as the system, since reading a department is another
// permission (dept:read) than the report's.
func (m SummaryModules) dept(ctx context.Context, code string) (*Dept, error) {
	if code == "" {
		if c := CallerFrom(ctx); c != nil {
			code = c.DeptCode
		}
	}
	return m.Depts.FindDeptByCode(WithCaller(ctx, SystemCaller("summary")), code)
}

// IsFourCutsCampaign tells whether a campaign's name is the Four Cuts
// campaign's: 四断, or 四断 followed by a year.
func IsFourCutsCampaign(name string) bool {
	rest, ok := strings.CutPrefix(strings.TrimSpace(name), "四断")
	if !ok {
		return false
	}
	if rest == "" {
		return true
	}
	if len(rest) != 4 {
		return false
	}
	for _, r := range rest {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
