package zhudun

import (
	"testing"
	"time"
)

// The escalation, written from the issue: every allowed step by hand, and
// every other (status, action) pair refused.
func TestFireNext(t *testing.T) {
	allowed := map[[2]string]string{
		{FireInvestigating, FireActDissuade}:  FireDissuaded,
		{FireInvestigating, FireActUnfounded}: FireUnfounded,
		{FireInvestigating, FireActCriminal}:  FireCriminal,
		{FireDissuaded, FireActResolve}:       FireResolved,
		{FireDissuaded, FireActRefer}:         FireReferred,
		{FireDissuaded, FireActOrder}:         FireOrdered,
		{FireDissuaded, FireActCriminal}:      FireCriminal,
		{FireReferred, FireActOrder}:          FireOrdered,
		{FireReferred, FireActCriminal}:       FireCriminal,
		{FireOrdered, FireActCorrect}:         FireCorrected,
		{FireOrdered, FireActPenalize}:        FirePenalized,
		{FireOrdered, FireActCriminal}:        FireCriminal,
		{FirePenalized, FireActCriminal}:      FireCriminal,
	}
	actions := []string{FireActDissuade, FireActResolve, FireActRefer, FireActOrder, FireActCorrect, FireActPenalize, FireActCriminal,
		FireActUnfounded, FireActOverdue, "delete"}
	for _, st := range append(FireStatuses, "bogus") {
		for _, a := range actions {
			to, err := FireNext(st, a)
			want, ok := allowed[[2]string{st, a}]
			if ok && (err != nil || to != want) {
				t.Errorf("%s --%s--> %q %v, want %s", st, a, to, err, want)
			}
			if !ok && (err == nil || ErrorCode(err) != ECONFLICT) {
				t.Errorf("%s --%s--> %q allowed", st, a, to)
			}
		}
	}
	closed := map[string]bool{FireResolved: true, FireCorrected: true, FirePenalized: true, FireCriminal: true, FireUnfounded: true}
	for _, st := range FireStatuses {
		if FireClosed(st) != closed[st] {
			t.Errorf("FireClosed(%s) = %v", st, FireClosed(st))
		}
		if FireStatusNote(st) == "" {
			t.Errorf("%s has no public note", st)
		}
	}
}

func TestFireStepValidate(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	bad := []struct {
		in    FireStepInput
		field string
	}{
		{FireStepInput{Action: FireActDissuade, Note: "x"}, "note"},
		{FireStepInput{Action: "scold", Note: "已处理"}, "action"},
		{FireStepInput{Action: FireActRefer, Note: "移交"}, "target"},
		{FireStepInput{Action: FireActRefer, Note: "移交", Target: ReferStation}, "target_dept"},
		{FireStepInput{Action: FireActOrder, Note: "责令", Deadline: "2026-02-28", LegalBasis: "fire_law_28"}, "deadline"},
		{FireStepInput{Action: FireActOrder, Note: "责令", Deadline: "2026-09-02", LegalBasis: "fire_law_28"}, "deadline"},
		{FireStepInput{Action: FireActOrder, Note: "责令", Deadline: "2026-03-01", LegalBasis: "nope"}, "legal_basis"},
		{FireStepInput{Action: FireActPenalize, Note: "处罚", Decision: "1", LegalBasis: "fire_law_60"}, "decision"},
		{FireStepInput{Action: FireActPenalize, Note: "处罚", Decision: "济公消罚〔2026〕1号", AmountFen: -1, LegalBasis: "fire_law_60"}, "amount_fen"},
		{FireStepInput{Action: FireActCriminal, Note: "移送", CaseID: 3}, "consequence"},
		{FireStepInput{Action: FireActCriminal, Note: "移送", Consequence: FireCasualties}, "case_id"},
	}
	for _, c := range bad {
		err := c.in.Validate(now)
		var e *Error
		if err == nil || !asError(err, &e) || e.Field != c.field {
			t.Errorf("%+v: %v, want field %s", c.in, err, c.field)
		}
	}
	ok := FireStepInput{Action: FireActOrder, Note: "责令改正", Deadline: "2026-03-01", LegalBasis: "fire_law_28"}
	if err := ok.Validate(now); err != nil {
		t.Errorf("today's deadline: %v", err)
	}
}

func asError(err error, e **Error) bool {
	x, ok := err.(*Error)
	*e = x
	return ok
}

func TestFireServicesDefinitions(t *testing.T) {
	if len(FireServices) != 5 {
		t.Fatalf("%d services", len(FireServices))
	}
	for _, s := range FireServices {
		if len(s.Attributes) == 0 {
			t.Errorf("%s: metadata without attributes", s.Code)
		}
		orders := map[int]bool{}
		for _, a := range s.Attributes {
			if a.Code == "" || a.Description == "" || a.DatatypeDesc == "" || orders[a.Order] || !a.Variable {
				t.Errorf("%s/%s incomplete or repeated order", s.Code, a.Code)
			}
			orders[a.Order] = true
			list := a.Datatype == AttrSingleValueList || a.Datatype == AttrMultiValueList
			if list != (len(a.Values) > 0) {
				t.Errorf("%s/%s: values %v for %s", s.Code, a.Code, a.Values, a.Datatype)
			}
		}
	}
}

func TestCheckFireAttributes(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	svc, _ := FireServiceByCode(FireCorridorParking)
	got, err := CheckFireAttributes(svc, map[string][]string{"reporter_kind": {"resident"}, "place_kind": {"shop"},
		"blocking": {"exit", "stairs"}, "floor": {"-2"}, "observed_at": {"2026-03-01T09:00:00+08:00"}, "unknown": {"x"}}, now)
	if err != nil || len(got) != 5 || len(got["blocking"]) != 2 || got["unknown"] != nil {
		t.Errorf("kept %v: %v", got, err)
	}
	for _, bad := range []map[string][]string{
		{"place_kind": {"shop"}},
		{"reporter_kind": {"resident"}, "place_kind": {"shop"}, "blocking": {"roof"}},
		{"reporter_kind": {"resident"}, "place_kind": {"shop"}, "floor": {"201"}},
		{"reporter_kind": {"resident"}, "place_kind": {"shop"}, "observed_at": {"2026-03-02T09:00:00+08:00"}},
		{"reporter_kind": {"resident"}, "place_kind": {"shop"}, "observed_at": {"yesterday"}},
	} {
		if _, err := CheckFireAttributes(svc, bad, now); ErrorCode(err) != EINVALID {
			t.Errorf("%v accepted", bad)
		}
	}
}
