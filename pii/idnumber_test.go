package pii_test

import (
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/pii"
)

// today is the fixed clock of the table tests, so that "in the future" does
// not drift as real time passes.
var today = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

// Check characters below were worked out by hand with the GB 11643 weights
//
//	7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
//
// and the table (sum mod 11) -> 0:1 1:0 2:X 3:9 4:8 5:7 6:6 7:5 8:4 9:3 10:2.
func TestNormalizeIDNumber(t *testing.T) {
	tests := []struct {
		name, in, want, wantErr string
	}{
		// The standard's own example. 1*7+1*9+0*10+1*5+0*8+5*4+1*2+9*1+4*6
		// +9*3+1*7+2*9+3*10+1*5+0*8+0*4+2*2 = 167; 167 mod 11 = 2 -> X.
		{"standard example", "11010519491231002X", "11010519491231002X", ""},
		{"lower case x and spaces", "  11010519491231002x\t", "11010519491231002X", ""},
		// Legacy 370102 850615 123 -> 370102 19850615 123 ?: products
		// 21 63 0 5 0 8 2 9 48 15 0 54 10 25 8 8 6 = 282; 282 mod 11 = 7 -> 5.
		{"legacy 15 digits", "370102850615123", "370102198506151235", ""},
		{"legacy with spaces", " 370102850615123 ", "370102198506151235", ""},
		// 2000-02-29 exists (2000 divisible by 400). Products
		// 7 9 0 5 0 20 4 0 0 0 0 18 20 45 0 0 4 = 132; mod 11 = 0 -> 1.
		{"leap day 2000", "110105200002290021", "110105200002290021", ""},
		// Hong Kong resident's residence permit, 810000. Products
		// 56 9 0 0 0 0 2 9 54 0 0 9 0 5 0 0 2 = 146; mod 11 = 3 -> 9.
		{"hong kong 81", "810000199001010019", "810000199001010019", ""},
		// Taiwan resident's residence permit, 830000: 56+27 instead of
		// 56+9 gives 164; mod 11 = 10 -> 2.
		{"taiwan permit 83", "830000199001010012", "830000199001010012", ""},
		// Born on "today" in China Standard Time. Products
		// 7 9 0 5 0 20 4 0 12 12 0 54 0 10 0 0 4 = 137; mod 11 = 5 -> 7 is
		// 2024-06-02; 2024-06-01 is one less in position 13 (weight 5):
		// 132 -> 0 -> 1.
		{"born today", "110105202406010021", "110105202406010021", ""},

		{"check digit wrong", "110105194912310021", "", "check digit mismatch"},
		{"x in the middle", "1101051949X231002X", "", "must be 17 digits followed by a digit or X"},
		{"17 characters", "11010519491231002", "", "must be 18 characters"},
		{"19 characters", "11010519491231002X1", "", "must be 18 characters"},
		{"inner space", "110105 19491231002X", "", "must be 18 characters"},
		{"empty", "", "", "must be 18 characters"},
		{"full-width digit", "11010519491231002１", "", "must be 18 characters"},
		{"legacy with letter", "37010285061512X", "", "legacy form must be all digits"},
		// 000000 19491231 002: 2 9 24 27 7 18 30 5 0 0 4 = 126; mod 11 = 5 -> 7.
		{"region 000000", "000000194912310027", "", "bad region code"},
		// 99...: 63 81 0 5 0 20 + 126 = 295; mod 11 = 9 -> 3.
		{"region 99", "990105194912310023", "", "bad region code"},
		// Foreign permanent residents' 2023 cards start with 9; not GB 11643.
		// 63+9 + 81 = 153; mod 11 = 10 -> 2.
		{"foreigner 91", "910000199001010012", "", "bad region code"},
		{"legacy bad region", "000000850615123", "", "bad region code"},
		// 1949-02-31: 167 - 1*7 = 160; mod 11 = 6 -> 6.
		{"february 31", "110105194902310026", "", "invalid birth date: not a calendar date"},
		// 1900-02-29 (1900 is not a leap year). Products
		// 7 9 0 5 0 20 2 9 0 0 0 18 20 45 0 0 4 = 139; mod 11 = 7 -> 5.
		{"1900 not leap", "110105190002290025", "", "invalid birth date: not a calendar date"},
		// Month 13: 167 + 1*9 = 176; mod 11 = 0 -> 1.
		{"month 13", "110105194913310021", "", "invalid birth date: not a calendar date"},
		{"legacy february 30", "370102850230123", "", "invalid birth date: not a calendar date"},
		// The other example in GB 11643, born 1880. Products
		// 28 36 0 25 16 16 2 8 48 0 0 9 0 5 0 0 2 = 195; mod 11 = 8 -> 4.
		{"born 1880", "440524188001010014", "", "invalid birth date: before 1900"},
		// 2024-06-02, the day after today: sum 137 -> 7 (see "born today").
		{"born tomorrow", "110105202406020027", "", "invalid birth date: in the future"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pii.NormalizeIDNumberAt(tt.in, today)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("got %q, want error %q", got, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %q does not say %q", err, tt.wantErr)
				}
				if code := zhudun.ErrorCode(err); code != zhudun.EINVALID {
					t.Errorf("code %s, want EINVALID", code)
				}
				if e := err.(*zhudun.Error); e.Field != pii.FieldIDNumber {
					t.Errorf("field %q, want %q", e.Field, pii.FieldIDNumber)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// The "future" bound is today's date in China Standard Time, not UTC: at
// 2024-06-01 20:00 UTC it is already 2024-06-02 in Beijing.
func TestNormalizeIDNumberChinaDate(t *testing.T) {
	const bornJune2 = "110105202406020027"
	if _, err := pii.NormalizeIDNumberAt(bornJune2, time.Date(2024, 6, 1, 15, 59, 0, 0, time.UTC)); err == nil {
		t.Error("accepted a birth date that is tomorrow in Beijing")
	}
	if _, err := pii.NormalizeIDNumberAt(bornJune2, time.Date(2024, 6, 1, 16, 0, 0, 0, time.UTC)); err != nil {
		t.Errorf("rejected a birth date that is today in Beijing: %v", err)
	}
}

// NormalizeIDNumber uses the real clock; the standard example is in the past
// whenever this runs.
func TestNormalizeIDNumberNow(t *testing.T) {
	got, err := pii.NormalizeIDNumber("11010519491231002x")
	if err != nil || got != "11010519491231002X" {
		t.Fatalf("got %q, %v", got, err)
	}
	future := time.Now().AddDate(1, 0, 0).Format("20060102")
	if _, err := pii.NormalizeIDNumber(withCheck("110105" + future + "002")); err == nil {
		t.Fatal("accepted a birth date a year from now")
	}
}

// Error messages reach logs, so they must not carry the number.
func TestNormalizeIDNumberErrorHidesInput(t *testing.T) {
	for _, in := range []string{"110105194912310021", "000000194912310027", "110105194902310026", "440524188001010014"} {
		_, err := pii.NormalizeIDNumberAt(in, today)
		if err == nil {
			t.Fatalf("%s: no error", in)
		}
		if strings.Contains(err.Error(), in[6:14]) || strings.Contains(err.Error(), in[:6]) {
			t.Errorf("error %q reveals part of the number", err)
		}
	}
}

// withCheck appends the check character to 17 digits. It is written from
// the ISO 7064 MOD 11-2 definition — weights 2^(17-i) mod 11 and a check
// value c with (sum + c) mod 11 == 1 — rather than the weight table the code
// uses, so the two agree only if both are right.
func withCheck(d17 string) string {
	sum, w := 0, 1
	for i := 16; i >= 0; i-- {
		w = w * 2 % 11
		sum += int(d17[i]-'0') * w
	}
	c := (12 - sum%11) % 11
	if c == 10 {
		return d17 + "X"
	}
	return d17 + string(rune('0'+c))
}

func TestWithCheck(t *testing.T) {
	// The helper itself must reproduce the hand-worked examples.
	for _, want := range []string{"11010519491231002X", "440524188001010014", "370102198506151235", "110105200002290021"} {
		if got := withCheck(want[:17]); got != want {
			t.Errorf("withCheck(%s) = %s, want %s", want[:17], got, want)
		}
	}
}
