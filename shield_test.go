package zhudun_test

import (
	"testing"

	"github.com/zhudun/zhudun"
)

// The level rule, edition 1, on hand-written communities (docs/zhudun.md).
func TestLevelRuleScore(t *testing.T) {
	r := zhudun.DefaultLevelRule()
	full := map[string]int{"access_control": 1, "face_gate": 1, "camera": 2, "vehicle_barrier": 1, "perimeter_alarm": 1, "smoke_detector": 1, "ebike_shed": 1}
	cases := []struct {
		name       string
		households int
		fac        map[string]int
		score      int
		level      string
	}{
		// 100 households need 1 access, 1 face gate, 2 cameras, 1 smoke, 1 shed: all present → 100.
		{"everything for 100 households", 100, full, 100, zhudun.LevelSmart},
		// The same for 400 households: access 1/2 → 10, face 1/2 → 7.5, cameras 2/8 → 6.25,
		// barrier 10, alarm 10, smoke 1/4 → 2.5, shed 1/2 → 5: 51.25 → 51 basic.
		{"the same facilities for 400", 400, full, 51, zhudun.LevelBasic},
		// Nothing at all.
		{"nothing", 300, nil, 0, zhudun.LevelNone},
		// More than needed counts no more than enough.
		{"over-equipped", 50, map[string]int{"camera": 100}, 25, zhudun.LevelNone},
		// 80 exactly is smart: all but barrier and alarm (100 − 20).
		{"the threshold", 100, map[string]int{"access_control": 1, "face_gate": 1, "camera": 2, "smoke_detector": 1, "ebike_shed": 1}, 80, zhudun.LevelSmart},
		// 79.x is not: cameras 1/2 → 12.5 instead of 25, plus alarm 10: 77.5 → 77 basic.
		{"just under", 100, map[string]int{"access_control": 1, "face_gate": 1, "camera": 1, "perimeter_alarm": 1, "smoke_detector": 1, "ebike_shed": 1}, 77, zhudun.LevelBasic},
	}
	for _, c := range cases {
		s, l := r.Score(c.households, c.fac)
		if s != c.score || l != c.level {
			t.Errorf("%s: %d %s, want %d %s", c.name, s, l, c.score, c.level)
		}
	}
	bad := r
	bad.Criteria = append([]zhudun.LevelCriterion(nil), r.Criteria...)
	bad.Criteria[0].Weight = 30
	if zhudun.ErrorCode(bad.Validate()) != zhudun.EINVALID {
		t.Error("weights summing to 110 accepted")
	}
	if err := r.Validate(); err != nil {
		t.Errorf("edition 1 invalid: %v", err)
	}
}

func TestCheckDeviceID(t *testing.T) {
	for id, ok := range map[string]bool{
		"37010200001320000001":  true,  // Jinan 历下, industry 00, IPC 132
		"37010200001310000001":  true,  // camera 131
		"3701020000132000000":   false, // 19 digits
		"370102000013200000011": false, // 21
		"3701020000132000000A":  false, // not a digit
		"99010200001320000001":  false, // no province 99
		"37010200001180000001":  false, // NVR 118
		"37010200002000000001":  false, // platform 200
	} {
		if err := zhudun.CheckDeviceID(id); (err == nil) != ok {
			t.Errorf("%s: %v, want ok=%v", id, err, ok)
		}
	}
}

func TestNextCertStatus(t *testing.T) {
	all := map[string]bool{}
	for _, k := range zhudun.SafeUnitCriteria {
		all[k] = true
	}
	cases := []struct {
		from string
		cl   map[string]bool
		a    zhudun.SafeUnitAction
		want string // "" = refused
	}{
		{zhudun.CertApplied, nil, zhudun.SafeUnitAction{Action: "inspect", On: "2026-01-02", Checklist: all}, zhudun.CertInspected},
		{zhudun.CertApplied, nil, zhudun.SafeUnitAction{Action: "inspect", On: "2026-01-02", Checklist: map[string]bool{"video": true}}, ""},
		{zhudun.CertApplied, nil, zhudun.SafeUnitAction{Action: "certify", On: "2026-01-02"}, ""},
		{zhudun.CertInspected, all, zhudun.SafeUnitAction{Action: "certify", On: "2026-01-02"}, zhudun.CertCertified},
		{zhudun.CertInspected, map[string]bool{"video": false}, zhudun.SafeUnitAction{Action: "certify", On: "2026-01-02"}, ""},
		{zhudun.CertInspected, all, zhudun.SafeUnitAction{Action: "refuse", On: "2026-01-02"}, ""},
		{zhudun.CertInspected, all, zhudun.SafeUnitAction{Action: "refuse", On: "2026-01-02", Reason: "整改未完成"}, zhudun.CertRefused},
		{zhudun.CertCertified, all, zhudun.SafeUnitAction{Action: "revoke", On: "2026-01-02", Reason: "发生案件"}, zhudun.CertRevoked},
		{zhudun.CertCertified, all, zhudun.SafeUnitAction{Action: "revoke", On: "2026-01-02", Reason: "  "}, ""},
		{zhudun.CertRevoked, all, zhudun.SafeUnitAction{Action: "certify", On: "2026-01-02"}, ""},
		{zhudun.CertRefused, all, zhudun.SafeUnitAction{Action: "revoke", On: "2026-01-02", Reason: "x"}, ""},
		{zhudun.CertApplied, nil, zhudun.SafeUnitAction{Action: "inspect", On: "2 Jan", Checklist: all}, ""},
	}
	for i, c := range cases {
		got, err := zhudun.NextCertStatus(c.from, c.cl, c.a)
		if (c.want == "") != (err != nil) || got != c.want {
			t.Errorf("case %d (%s from %s): %q %v, want %q", i, c.a.Action, c.from, got, err, c.want)
		}
	}
}

// The breakdown of "the same facilities for 400" by hand: what each
// criterion needs and gives.
func TestLevelRuleBreakdown(t *testing.T) {
	r := zhudun.DefaultLevelRule()
	full := map[string]int{"access_control": 1, "face_gate": 1, "camera": 2, "vehicle_barrier": 1, "perimeter_alarm": 1, "smoke_detector": 1, "ebike_shed": 1}
	want := []zhudun.CriterionScore{
		{Facility: "access_control", Have: 1, Needed: 2, Weight: 20, Earned: 10},
		{Facility: "face_gate", Have: 1, Needed: 2, Weight: 15, Earned: 7.5},
		{Facility: "camera", Have: 2, Needed: 8, Weight: 25, Earned: 6.25},
		{Facility: "vehicle_barrier", Have: 1, Needed: 1, Weight: 10, Earned: 10},
		{Facility: "perimeter_alarm", Have: 1, Needed: 1, Weight: 10, Earned: 10},
		{Facility: "smoke_detector", Have: 1, Needed: 4, Weight: 10, Earned: 2.5},
		{Facility: "ebike_shed", Have: 1, Needed: 2, Weight: 10, Earned: 5},
	}
	got := r.Breakdown(400, full)
	if len(got) != len(want) {
		t.Fatalf("%d criteria, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("criterion %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}
