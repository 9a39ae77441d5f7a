package pii

import (
	"unicode"

	"github.com/zhudun/zhudun"
)

// FieldPhone is the field name errors from NormalizePhone carry.
const FieldPhone = "phone"

// NormalizePhone validates a mainland Chinese mobile number and returns its
// canonical form: 11 digits, a leading 1 and a second digit from 3 to 9.
//
// It accepts the ways people write such numbers: white space, dashes and
// parentheses anywhere, and one country prefix "+86", "0086" or "86" in
// front. A bare "86" or "0086" counts as a prefix only when exactly 11
// digits follow, so it cannot be mistaken for part of the number.
// Errors are EINVALID with field FieldPhone.
func NormalizePhone(s string) (string, error) {
	// A fixed buffer: the input is untrusted and may be long, and the
	// canonical number is short.
	var buf [16]byte
	d := buf[:0]
	plus := false
	for _, r := range s {
		switch {
		case '0' <= r && r <= '9':
			if len(d) == len(buf) {
				return "", phoneError("too many digits")
			}
			d = append(d, byte(r))
		case r == '-', r == '(', r == ')', unicode.IsSpace(r):
		case r == '+' && !plus && len(d) == 0:
			plus = true
		case r == '+':
			return "", phoneError("'+' is only allowed at the start, as +86")
		default:
			return "", phoneError("contains a character that is not a digit, space, dash or parenthesis")
		}
	}
	switch {
	case plus:
		if len(d) < 2 || d[0] != '8' || d[1] != '6' {
			return "", phoneError("only the +86 country code is accepted")
		}
		d = d[2:]
	case len(d) == 15 && string(d[:4]) == "0086":
		d = d[4:]
	case len(d) == 13 && string(d[:2]) == "86":
		d = d[2:]
	}
	if len(d) != 11 {
		return "", phoneError("must be an 11-digit mobile number")
	}
	if d[0] != '1' || d[1] < '3' {
		return "", phoneError("must start with 13 to 19")
	}
	return string(d), nil
}

func phoneError(msg string) error {
	return zhudun.FieldError(FieldPhone, "mobile number: %s", msg)
}
