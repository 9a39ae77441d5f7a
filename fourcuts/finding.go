package fourcuts

import (
	"math"
	"strconv"
)

// Categories of findings and the entity type each asserts black.
const (
	BlackCard     = "black_card"
	BlackAccount  = "black_account"
	BlackLine     = "black_line"
	BlackDevice   = "black_device"
	BlackSoftware = "black_software"
)

// Categories lists the categories in the contract's order.
var Categories = []string{BlackCard, BlackAccount, BlackLine, BlackDevice, BlackSoftware}

// EntityTypeOf maps a category to its entity type.
var EntityTypeOf = map[string]string{
	BlackCard: "msisdn", BlackAccount: "account", BlackLine: "ip", BlackDevice: "imei", BlackSoftware: "device",
}

// Evidence is one signal that fired: its value, the threshold it crossed,
// the window it was measured over and the detector version.
type Evidence struct {
	Signal    string  `json:"signal"`
	Value     float64 `json:"value"`
	Threshold float64 `json:"threshold"`
	Window    string  `json:"window,omitempty"`
	Detector  string  `json:"detector"`
	// Weight is the signal's contribution to the score (1−Π(1−w)).
	Weight float64 `json:"weight"`
	// Limits are the further thresholds in force that the signal tested,
	// named by their Config field.
	Limits []Limit `json:"limits,omitempty"`
	// Measures are further measured quantities behind the value, for the
	// analyst (dense_structure: the web's phones, edges, density, lift
	// and log10p).
	Measures []Limit `json:"measures,omitempty"`

	kind int // the kind of evidence (score.go), set by emit
}

// Limit is one threshold in force, named by its Config field.
type Limit struct {
	Name  string
	Value float64
}

// Finding asserts that one entity is black.
type Finding struct {
	Category   string     `json:"category"`
	EntityType string     `json:"entity_type"`
	Entity     string     `json:"entity"`
	Score      float64    `json:"score"`
	Gang       string     `json:"gang"`
	FirstSeen  int64      `json:"-"`
	LastSeen   int64      `json:"-"`
	Evidence   []Evidence `json:"evidence"`
	// Links tie it to the other entities of its gang (links.go): for the
	// gang graph, not part of the contract's output.
	Links []string `json:"-"`
}

// Suppressed is a finding withheld by the allowlist.
type Suppressed struct {
	Finding
	Reason string
}

// AppendJSON appends the finding as one JSON object (no newline), in the
// contract's shape, with times in +08:00.
func (f *Finding) AppendJSON(b []byte) []byte {
	b = append(b, `{"category":`...)
	b = strconv.AppendQuote(b, f.Category)
	b = append(b, `,"entity_type":`...)
	b = strconv.AppendQuote(b, f.EntityType)
	b = append(b, `,"entity":`...)
	b = appendJSONString(b, f.Entity)
	b = append(b, `,"score":`...)
	b = strconv.AppendFloat(b, round3(f.Score), 'f', -1, 64)
	b = append(b, `,"gang":`...)
	b = strconv.AppendQuote(b, f.Gang)
	b = append(b, `,"first_seen":"`...)
	b = AppendTS(b, f.FirstSeen)
	b = append(b, `","last_seen":"`...)
	b = AppendTS(b, f.LastSeen)
	b = append(b, `","evidence":[`...)
	for i, ev := range f.Evidence {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"signal":`...)
		b = strconv.AppendQuote(b, ev.Signal)
		b = append(b, `,"value":`...)
		b = strconv.AppendFloat(b, round3(ev.Value), 'f', -1, 64)
		b = append(b, `,"threshold":`...)
		b = strconv.AppendFloat(b, round3(ev.Threshold), 'f', -1, 64)
		if ev.Window != "" {
			b = append(b, `,"window":`...)
			b = strconv.AppendQuote(b, ev.Window)
		}
		b = append(b, `,"weight":`...)
		b = strconv.AppendFloat(b, round3(ev.Weight), 'f', -1, 64)
		if len(ev.Limits) > 0 {
			b = append(b, `,"limits":{`...)
			for j, l := range ev.Limits {
				if j > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendQuote(b, l.Name)
				b = append(b, ':')
				b = strconv.AppendFloat(b, round3(l.Value), 'f', -1, 64)
			}
			b = append(b, '}')
		}
		if len(ev.Measures) > 0 {
			b = append(b, `,"measures":{`...)
			for j, l := range ev.Measures {
				if j > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendQuote(b, l.Name)
				b = append(b, ':')
				b = strconv.AppendFloat(b, round3(l.Value), 'f', -1, 64)
			}
			b = append(b, '}')
		}
		b = append(b, `,"detector":`...)
		b = strconv.AppendQuote(b, ev.Detector)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// appendJSONString quotes s as JSON (valid UTF-8 passes through).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

func round3(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return math.Round(v*1000) / 1000
}
