package zhudun_test

import (
	"context"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

func TestBriefingWords(t *testing.T) {
	pct := func(v float64) *float64 { return &v }
	for _, c := range []struct {
		unit string
		v    float64
		want string
	}{
		{"fen", 198000000, "198万元"}, {"fen", 198012345, "198.01万元"}, {"fen", 12345, "123.45元"}, {"fen", 100, "1元"},
		{"account", 1200000, "120万个"}, {"account", 1200001, "1200001个"}, {"card", 1210, "1210张"}, {"case", 598, "598起"},
		{"person", 836, "836人"}, {"school", 189, "189所"}, {"pct", 87.25, "87.2%"}, {"hazard", 0, "0处"},
	} {
		if got := zhudun.BriefingNumber(c.unit, c.v); got != c.want {
			t.Errorf("BriefingNumber(%s, %v) = %q, want %q", c.unit, c.v, got, c.want)
		}
	}
	for _, c := range []struct {
		f    zhudun.SummaryFigure
		want string
	}{
		{zhudun.SummaryFigure{Value: 598, LastYear: 500, ChangePct: pct(19.6)}, "同比上升19.6%"},
		{zhudun.SummaryFigure{Value: 82, LastYear: 100, ChangePct: pct(-18)}, "同比下降18.0%"},
		{zhudun.SummaryFigure{Value: 5, LastYear: 5, ChangePct: pct(0)}, "与去年同期持平"},
		{zhudun.SummaryFigure{Value: 5}, "去年同期为零"},
		{zhudun.SummaryFigure{}, "去年同期亦为零"},
	} {
		if got := zhudun.BriefingChange(&c.f); got != c.want {
			t.Errorf("BriefingChange(%+v) = %q, want %q", c.f, got, c.want)
		}
	}
	d := func(s string) time.Time { t, _ := time.ParseInLocation("2006-01-02", s, zhudun.CST()); return t }
	for _, c := range []struct{ from, to, want string }{
		{"2021-01-01", "2021-12-31", "2021年"}, {"2021-02-01", "2021-02-28", "2021年2月"}, {"2021-02-01", "2021-02-27", "2021年2月1日至2021年2月27日"},
		{"2021-03-05", "2021-03-05", "2021年3月5日"}, {"2020-12-01", "2021-01-31", "2020年12月1日至2021年1月31日"},
	} {
		if got := zhudun.BriefingPeriod(d(c.from), d(c.to)); got != c.want {
			t.Errorf("BriefingPeriod(%s, %s) = %q, want %q", c.from, c.to, got, c.want)
		}
	}
	for name, want := range map[string]bool{"四断": true, "四断2021": true, " 四断2021 ": true, "四断专项": false, "四断21": false, "净网2021": false, "二分局四断": false} {
		if zhudun.IsFourCutsCampaign(name) != want {
			t.Errorf("IsFourCutsCampaign(%q) != %v", name, want)
		}
	}
}

// fakeModules answers the module reports with fixed figures and records
// which campaign the Four Cuts section asked for.
type fakeModules struct {
	campaigns []*zhudun.Campaign
	asked     []int64
	zhudunAt  time.Time
}

func (f *fakeModules) CyberReport(_ context.Context, q zhudun.CyberReportQuery) (*zhudun.CyberReport, error) {
	f.asked = append(f.asked, q.Campaign)
	return &zhudun.CyberReport{Dept: "SB1", CasesSolved: zhudun.Figure{Value: float64(q.Campaign)}}, nil
}
func (f *fakeModules) FindCampaigns(context.Context) ([]*zhudun.Campaign, error) {
	return f.campaigns, nil
}
func (f *fakeModules) CampusReport(context.Context, zhudun.CampusReportQuery) (*zhudun.CampusReport, error) {
	return &zhudun.CampusReport{}, nil
}
func (f *fakeModules) PatrolReport(context.Context, zhudun.PatrolReportQuery) (*zhudun.PatrolReport, error) {
	return &zhudun.PatrolReport{Total: zhudun.AreaFigures{CriminalCases: zhudun.Compare{Count: 82, LastYear: 100, ChangePct: ptr(-18.0)}}}, nil
}
func (f *fakeModules) FireStats(context.Context, zhudun.FireReportQuery) (*zhudun.FireStats, error) {
	return &zhudun.FireStats{FireFigures: zhudun.FireFigures{Penalties: zhudun.Figure{Value: 3, LastYear: 2, ChangePct: ptr(50)}}}, nil
}
func (f *fakeModules) ZhudunReport(_ context.Context, at time.Time, _ string) (*zhudun.ZhudunReport, error) {
	f.zhudunAt = at
	return &zhudun.ZhudunReport{VideoCoveragePct: zhudun.Figure{Value: 87.5, LastYear: 80, ChangePct: ptr(9.4)}}, nil
}
func (f *fakeModules) FindDeptByCode(_ context.Context, code string) (*zhudun.Dept, error) {
	return map[string]*zhudun.Dept{"ROOT": {Code: "ROOT", Name: "济南市公安局", Path: "/1/"}, "SB1": {Code: "SB1", Name: "一分局", Path: "/1/4/"},
		"ST1": {Code: "ST1", Name: "一所", Path: "/1/4/9/"}, "SB2": {Code: "SB2", Name: "二分局", Path: "/1/5/"}}[code], nil
}

func ptr(v float64) *float64 { return &v }

// TestSummaryFourCutsCampaign: the Four Cuts section counts the 四断
// campaign overlapping the period that reaches the department asked from
// nearest — its own, else its nearest ancestor's; never a sibling's, never
// another campaign, never one outside the period.
func TestSummaryFourCutsCampaign(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.ParseInLocation("2006-01-02", s, zhudun.CST()); return t }
	f := &fakeModules{campaigns: []*zhudun.Campaign{
		{ID: 1, Name: "四断2021", From: "2021-01-01", To: "2021-12-31", DeptPath: "/1/"},
		{ID: 2, Name: "四断2021", From: "2021-03-01", To: "2021-12-31", DeptPath: "/1/4/"},
		{ID: 3, Name: "四断", From: "2021-01-01", To: "2021-12-31", DeptPath: "/1/5/"},
		{ID: 4, Name: "净网2021", From: "2021-01-01", To: "2021-12-31", DeptPath: "/1/4/9/"},
		{ID: 5, Name: "四断", From: "2020-01-01", To: "2020-12-31", DeptPath: "/1/4/9/"},
	}}
	m := zhudun.SummaryModules{Cyber: f, Campaigns: f, Campus: f, Patrol: f, Fire: f, Zhudun: f, Depts: f}
	ctx := zhudun.WithCaller(context.Background(), &zhudun.Caller{Username: "cmd", DeptCode: "ROOT", DeptPath: "/1/"})
	for dept, want := range map[string]int64{"": 1, "ROOT": 1, "SB1": 2, "ST1": 2, "SB2": 3} {
		f.asked = nil
		sum, err := m.Summary(ctx, zhudun.SummaryQuery{From: d("2021-01-01"), To: d("2021-12-31"), Dept: dept})
		if err != nil {
			t.Fatal(err)
		}
		if got := sum.Sections["fourcuts"]["cases_solved"].Value; got != float64(want) || len(f.asked) != 2 || f.asked[0] != 0 {
			t.Errorf("dept %q: the Four Cuts section counted campaign %v (asked %v), want %d", dept, got, f.asked, want)
		}
	}
	// No 四断 campaign in the period: the section is zero, not the whole.
	f.asked = nil
	sum, err := m.Summary(ctx, zhudun.SummaryQuery{From: d("2019-01-01"), To: d("2019-12-31")})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.asked) != 1 || sum.Sections["fourcuts"]["cases_solved"].Value != 0 {
		t.Errorf("no campaign: asked %v, section %+v", f.asked, sum.Sections["fourcuts"]["cases_solved"])
	}
	// The patrol report's count is the summary's value, its change kept.
	pc := sum.Sections["patrol"]["criminal_cases"]
	if pc.Value != 82 || pc.LastYear != 100 || pc.ChangePct == nil || *pc.ChangePct != -18 || pc.Unit != "incident" {
		t.Errorf("patrol criminal cases %+v", pc)
	}
	// The fire section is the fire statistics'; 铸盾's figures are the
	// state at the period's last day.
	if pf := sum.Sections["fire"]["penalties"]; pf.Value != 3 || pf.LastYear != 2 || pf.Unit != "penalty" {
		t.Errorf("fire penalties %+v", pf)
	}
	if vc := sum.Sections["zhudun"]["video_coverage_pct"]; vc.Value != 87.5 || vc.Unit != "pct" || !f.zhudunAt.Equal(d("2019-12-31")) {
		t.Errorf("video coverage %+v at %v", vc, f.zhudunAt)
	}
	// Every figure of the registry is in the summary, and nothing else.
	n := 0
	for _, s := range sum.Sections {
		n += len(s)
	}
	if n != len(zhudun.FigureDefs()) {
		t.Errorf("%d figures, the registry defines %d", n, len(zhudun.FigureDefs()))
	}
}
