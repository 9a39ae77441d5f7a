package pii_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/pii"
)

// The seed corpora live in testdata/fuzz/<target>/.

func FuzzNormalizeIDNumber(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		out, err := pii.NormalizeIDNumberAt(s, today)
		checkMaskID(t, s)
		if err != nil {
			var e *zhudun.Error
			if !errors.As(err, &e) || e.Code != zhudun.EINVALID || e.Field != pii.FieldIDNumber {
				t.Fatalf("error %#v is not EINVALID on %q", err, pii.FieldIDNumber)
			}
			if trimmed := strings.TrimSpace(s); len(trimmed) >= 6 && strings.Contains(err.Error(), trimmed) {
				t.Fatalf("error %q repeats the input", err)
			}
			return
		}

		// A valid output re-validates, to itself.
		again, err := pii.NormalizeIDNumberAt(out, today)
		if err != nil {
			t.Fatalf("output %q does not re-validate: %v", out, err)
		}
		if again != out {
			t.Fatalf("normalising twice: %q, then %q", out, again)
		}
		// It is canonical and its check character is right by the ISO 7064
		// definition (see withCheck), not just by the code's own table.
		if withCheck(out[:17]) != out {
			t.Fatalf("output %q has a wrong check character", out)
		}
		if date, err := time.Parse("20060102", out[6:14]); err != nil || date.Year() < 1900 || date.After(today) {
			t.Fatalf("output %q has birth date outside [1900, today]: %v", out, err)
		}
		// The digits come from the input: the 18-digit form keeps them, the
		// legacy form gains "19" and a check character.
		trimmed := strings.TrimSpace(s)
		switch len(trimmed) {
		case 18:
			if !strings.EqualFold(trimmed, out) {
				t.Fatalf("%q normalised to different digits %q", s, out)
			}
		case 15:
			if out[:6]+out[8:17] != trimmed || out[6:8] != "19" {
				t.Fatalf("legacy %q converted to %q", s, out)
			}
		default:
			t.Fatalf("accepted %q of length %d", s, len(trimmed))
		}

		// Masking a canonical number hides exactly the birth date.
		m := pii.MaskIDNumber(out)
		if len(m) != len(out) {
			t.Fatalf("mask %q changes length of %q", m, out)
		}
		if m[6:14] != "********" || m[:6] != out[:6] || m[14:] != out[14:] {
			t.Fatalf("mask of %q is %q", out, m)
		}
	})
}

// checkMaskID: whatever the input, the mask shows nothing but stars and
// characters of the input in the shown positions (first 6, last 4).
func checkMaskID(t *testing.T, s string) {
	t.Helper()
	m := pii.MaskIDNumber(s)
	if len(m) != 18 {
		t.Fatalf("MaskIDNumber(%q) = %q, not 18 characters", s, m)
	}
	for i := 0; i < len(m); i++ {
		if m[i] == '*' {
			continue
		}
		if (i >= 6 && i < 14) || i >= len(s) || m[i] != s[i] {
			t.Fatalf("MaskIDNumber(%q) = %q reveals position %d", s, m, i)
		}
	}
}

func FuzzNormalizePhone(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		out, err := pii.NormalizePhone(s)
		checkMaskPhone(t, s)
		if err != nil {
			var e *zhudun.Error
			if !errors.As(err, &e) || e.Code != zhudun.EINVALID || e.Field != pii.FieldPhone {
				t.Fatalf("error %#v is not EINVALID on %q", err, pii.FieldPhone)
			}
			if len(s) >= 7 && strings.Contains(err.Error(), s) {
				t.Fatalf("error %q repeats the input", err)
			}
			return
		}

		again, err := pii.NormalizePhone(out)
		if err != nil {
			t.Fatalf("output %q does not re-validate: %v", out, err)
		}
		if again != out {
			t.Fatalf("normalising twice: %q, then %q", out, again)
		}
		if len(out) != 11 || out[0] != '1' || out[1] < '3' || out[1] > '9' {
			t.Fatalf("output %q is not 1[3-9] and 9 more digits", out)
		}
		// The number is the last 11 digits of the input; anything before
		// it is the country prefix.
		var digits strings.Builder
		for _, r := range s {
			if '0' <= r && r <= '9' {
				digits.WriteRune(r)
			}
		}
		d := digits.String()
		if !strings.HasSuffix(d, out) {
			t.Fatalf("%q normalised to %q, not its last digits", s, out)
		}
		if p := d[:len(d)-11]; p != "" && p != "86" && p != "0086" {
			t.Fatalf("%q accepted with prefix %q", s, p)
		}

		m := pii.MaskPhone(out)
		if len(m) != len(out) || m[3:7] != "****" || m[:3] != out[:3] || m[7:] != out[7:] {
			t.Fatalf("mask of %q is %q", out, m)
		}
	})
}

func checkMaskPhone(t *testing.T, s string) {
	t.Helper()
	m := pii.MaskPhone(s)
	if len(m) != 11 {
		t.Fatalf("MaskPhone(%q) = %q, not 11 characters", s, m)
	}
	for i := 0; i < len(m); i++ {
		if m[i] == '*' {
			continue
		}
		if (i >= 3 && i < 7) || i >= len(s) || m[i] != s[i] {
			t.Fatalf("MaskPhone(%q) = %q reveals position %d", s, m, i)
		}
	}
}
