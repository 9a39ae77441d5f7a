package zhudun

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The briefing (通报, issue 17 item 4): the summary written as a bureau's
// document — masthead, title, recipients, a numbered section per module in
// prose with its figures, a table per section, signature and date. The
// words are made here once; the .docx and the PDF only lay them out.

// BriefingBlock is one block of the briefing, in order.
type BriefingBlock struct {
	Kind   string     // masthead, title, plain, heading, para, table, right
	Text   string     // all but table
	Header []string   // table
	Rows   [][]string // table
}

// unitWords are the counting words of the figures' units.
var unitWords = map[string]string{
	"case": "起", "person": "人", "card": "张", "device": "台", "account": "个", "report": "起",
	"hazard": "处", "school": "所", "notice": "份", "incident": "起", "community": "个", "camera": "路", "unit": "家", "penalty": "起",
}

// BriefingNumber writes a figure's value as the briefing does: fen as
// yuan (万元 from ten thousand yuan up), counts of ten thousand and more in
// 万, percentages with one decimal.
func BriefingNumber(unit string, v float64) string {
	switch unit {
	case "fen":
		yuan := v / 100
		if math.Abs(yuan) >= 10000 {
			return trimDecimals(yuan/10000, 2) + "万元"
		}
		return trimDecimals(yuan, 2) + "元"
	case "pct":
		return strconv.FormatFloat(v, 'f', 1, 64) + "%"
	}
	w := unitWords[unit]
	if math.Abs(v) >= 10000 && math.Mod(v, 100) == 0 {
		return trimDecimals(v/10000, 2) + "万" + w
	}
	return strconv.FormatInt(int64(v), 10) + w
}

func trimDecimals(v float64, places int) string {
	s := strconv.FormatFloat(v, 'f', places, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// BriefingChange is the change beside last year in words.
func BriefingChange(f *SummaryFigure) string {
	switch {
	case f.ChangePct == nil && f.Value == 0:
		return "去年同期亦为零"
	case f.ChangePct == nil:
		return "去年同期为零"
	case *f.ChangePct > 0:
		return "同比上升" + strconv.FormatFloat(*f.ChangePct, 'f', 1, 64) + "%"
	case *f.ChangePct < 0:
		return "同比下降" + strconv.FormatFloat(-*f.ChangePct, 'f', 1, 64) + "%"
	}
	return "与去年同期持平"
}

// BriefingPeriod names a period as the briefing does: 2021年 for a whole
// year, 2021年1月 for a month, else 2021年3月1日至2021年6月30日.
func BriefingPeriod(from, to time.Time) string {
	day := func(t time.Time) string { return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day()) }
	switch {
	case from.Equal(to):
		return day(from)
	case from.Month() == 1 && from.Day() == 1 && to.Month() == 12 && to.Day() == 31 && from.Year() == to.Year():
		return fmt.Sprintf("%d年", from.Year())
	case from.Day() == 1 && from.Year() == to.Year() && from.Month() == to.Month() && to.AddDate(0, 0, 1).Day() == 1:
		return fmt.Sprintf("%d年%d月", from.Year(), from.Month())
	}
	return day(from) + "至" + day(to)
}

// briefingPct is a change as the table gives it: +12.5%, -18.0%, — when
// last year was zero.
func briefingPct(p *float64) string {
	if p == nil {
		return "—"
	}
	s := strconv.FormatFloat(*p, 'f', 1, 64) + "%"
	if *p > 0 {
		s = "+" + s
	}
	return s
}

// numerals are the section numbers of the briefing.
var numerals = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

// Briefing writes the summary as the briefing's blocks, issued by issuer
// (the department's name, on the masthead and the signature) on day.
func (s *Summary) Briefing(issuer string, day time.Time) []BriefingBlock {
	period := BriefingPeriod(s.From, s.To)
	scope := s.Scope
	if scope == "" {
		scope = s.DeptName
	}
	out := []BriefingBlock{
		{Kind: "masthead", Text: issuer},
		{Kind: "title", Text: "关于" + period + "主要工作数据的通报"},
		{Kind: "plain", Text: "各单位："},
	}
	var names []string
	for _, sec := range SummarySections {
		if len(s.Sections[sec.Name]) > 0 {
			names = append(names, sec.Label)
		}
	}
	out = append(out, BriefingBlock{Kind: "para", Text: fmt.Sprintf("现将%s%s%s的主要数据通报如下（与去年同期比较）。", period, scope, strings.Join(names, "、"))})
	n := 0
	for _, sec := range SummarySections {
		figs := s.Sections[sec.Name]
		if len(figs) == 0 {
			continue
		}
		var phrases []string
		table := BriefingBlock{Kind: "table", Header: []string{"指标", "本期", "去年同期", "同比"}}
		for _, def := range figureDefs {
			f := figs[def.Name]
			if def.Section != sec.Name || f == nil {
				continue
			}
			// A breakdown: "其中猫池50台、GoIP29台" in the prose (the parts
			// of this period that are not zero), a sub-row "其中：猫池" in
			// the table for each part of either period that is not.
			var parts []string
			var sub [][]string
			for _, p := range def.Parts() {
				b, ok := f.Breakdown[p.Key]
				if !ok {
					continue
				}
				if b.Value != 0 {
					parts = append(parts, p.Label+BriefingNumber(def.Unit, b.Value))
				}
				if b.Value != 0 || b.LastYear != 0 {
					sub = append(sub, []string{"其中：" + p.Label, BriefingNumber(def.Unit, b.Value), BriefingNumber(def.Unit, b.LastYear), briefingPct(b.ChangePct)})
				}
			}
			phrase := def.Label + BriefingNumber(def.Unit, f.Value)
			if len(parts) > 0 {
				phrase += "，其中" + strings.Join(parts, "、")
			}
			phrases = append(phrases, phrase+"，"+BriefingChange(f))
			table.Rows = append(table.Rows, []string{def.Label, BriefingNumber(def.Unit, f.Value), BriefingNumber(def.Unit, f.LastYear), briefingPct(f.ChangePct)})
			table.Rows = append(table.Rows, sub...)
		}
		out = append(out,
			BriefingBlock{Kind: "heading", Text: numerals[n%len(numerals)] + "、" + sec.Label},
			BriefingBlock{Kind: "para", Text: period + "，" + strings.Join(phrases, "；") + "。"},
			table)
		n++
	}
	out = append(out,
		BriefingBlock{Kind: "para", Text: "以上数据由 zhudun 依据各业务模块记录统计，口径见各项指标定义；去年同期为零的，同比不计。"},
		BriefingBlock{Kind: "right", Text: issuer},
		BriefingBlock{Kind: "right", Text: fmt.Sprintf("%d年%d月%d日", day.Year(), day.Month(), day.Day())})
	return out
}
