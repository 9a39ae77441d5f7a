package zhudun_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
)

// TestParseFen: yuan text to integer fen, exactly, with the forms a clerk
// types and the ones that must not pass.
func TestParseFen(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1980000.00", 198000000, true},
		{"1980000", 198000000, true},
		{"0.1", 10, true},
		{"0.01", 1, true},
		{"0.10", 10, true},
		{"12.3", 1230, true},
		{"0", 0, true},
		{"9999999999999.99", 999999999999999, true},
		{"1.005", 0, false},
		{"-1", 0, false},
		{"+1", 0, false},
		{"", 0, false},
		{".5", 0, false},
		{"5.", 0, false},
		{"1,980,000.00", 0, false},
		{"1e6", 0, false},
		{" 1", 0, false},
		{"１２", 0, false},             // full-width digits
		{"10000000000000", 0, false}, // 14 integer digits
		{"NaN", 0, false},
	} {
		got, err := zhudun.ParseFen(c.in)
		if c.ok && (err != nil || got != c.want) {
			t.Errorf("ParseFen(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
		if !c.ok && (err == nil || zhudun.ErrorCode(err) != zhudun.EINVALID) {
			t.Errorf("ParseFen(%q) = %d, %v; want EINVALID", c.in, got, err)
		}
	}
	for fen, want := range map[int64]string{198000000: "1980000.00", 10: "0.10", 1: "0.01", 0: "0.00", -150: "-1.50"} {
		if got := zhudun.FormatFen(fen); got != want {
			t.Errorf("FormatFen(%d) = %q; want %q", fen, got, want)
		}
	}
}

// FuzzParseFen: whatever parses formats back to the same number, and is
// never negative.
func FuzzParseFen(f *testing.F) {
	for _, s := range []string{"1980000.00", "0.1", "1.005", "-1", "12", "", "9999999999999.99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fen, err := zhudun.ParseFen(s)
		if err != nil {
			return
		}
		if fen < 0 {
			t.Fatalf("%q: %d", s, fen)
		}
		back, err := zhudun.ParseFen(zhudun.FormatFen(fen))
		if err != nil || back != fen {
			t.Fatalf("%q → %d → %q → %d, %v", s, fen, zhudun.FormatFen(fen), back, err)
		}
		ip, _, _ := strings.Cut(s, ".")
		if y, _ := strconv.ParseInt(ip, 10, 64); y != fen/100 {
			t.Fatalf("%q: yuan %d, fen %d", s, y, fen)
		}
	})
}

// TestCaseLifecycleTable: the transitions the law allows, and the reasons.
func TestCaseLifecycleTable(t *testing.T) {
	allowed := map[string]bool{
		"received>filed": true, "received>closed_unfiled": true, "filed>solved": true, "filed>revoked": true, "solved>transferred": true,
	}
	for _, from := range zhudun.CaseStatuses {
		for _, to := range zhudun.CaseStatuses {
			if got := zhudun.CanTransition(from, to); got != allowed[from+">"+to] {
				t.Errorf("%s → %s: %v", from, to, got)
			}
		}
	}
	for _, to := range zhudun.CaseStatuses {
		if got, want := zhudun.TransitionNeedsReason(to), to == "closed_unfiled" || to == "revoked"; got != want {
			t.Errorf("%s needs a reason: %v", to, got)
		}
	}
	if got := zhudun.CaseNumber("济公网立", 2021, 123); got != "济公网立〔2021〕0123号" {
		t.Errorf("number %q", got)
	}
}
