package pii

import (
	"strings"
	"time"

	"github.com/zhudun/zhudun"
)

// FieldIDNumber is the field name errors from NormalizeIDNumber carry.
const FieldIDNumber = "id_number"

// idWeights are the GB 11643-1999 weights of the first 17 digits:
// 2^(18-i) mod 11 for position i counted from 1 at the left.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheckChars maps (weighted sum mod 11) to the check character, the ISO
// 7064 MOD 11-2 rule: the check value c satisfies (sum + c) mod 11 == 1,
// with 10 written as X.
const idCheckChars = "10X98765432"

// provinces lists the first two digits of GB/T 2260 region codes that a
// resident ID number may start with: the 31 mainland provincial divisions,
// 71 Taiwan, 81 Hong Kong and 82 Macao, plus 83, which the residence
// permits for Taiwan residents (issued since 2018, 830000) use in the same
// number format.
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true, "83": true,
}

// chinaTime is China Standard Time. A fixed zone rather than
// time.LoadLocation so the rule does not depend on the host's tzdata; China
// has not observed daylight saving since 1991.
var chinaTime = time.FixedZone("CST", 8*60*60)

// NormalizeIDNumber validates a Chinese resident ID number (GB 11643-1999)
// and returns its canonical 18-character form: 17 digits and a check
// character, X in upper case. It accepts surrounding white space, a lower
// case x, and the 15-digit legacy form (birth year 19YY), which it converts
// by inserting "19" and computing the check character.
//
// The birth date must be a real calendar date from 1900-01-01 up to today in
// China Standard Time. Errors are EINVALID with field FieldIDNumber.
func NormalizeIDNumber(s string) (string, error) {
	return NormalizeIDNumberAt(s, time.Now())
}

// NormalizeIDNumberAt is NormalizeIDNumber with "today" passed in: tests need
// a fixed clock, and an import of historic records may want the date the
// record was made as the upper bound of birth dates.
func NormalizeIDNumberAt(s string, today time.Time) (string, error) {
	s = strings.TrimSpace(s)
	var b [18]byte
	switch len(s) {
	case 18:
		for i := 0; i < 17; i++ {
			if !isDigit(s[i]) {
				return "", idError("must be 17 digits followed by a digit or X")
			}
			b[i] = s[i]
		}
		switch c := s[17]; {
		case isDigit(c), c == 'X':
			b[17] = c
		case c == 'x':
			b[17] = 'X'
		default:
			return "", idError("must be 17 digits followed by a digit or X")
		}
	case 15:
		// Legacy form: region(6) YYMMDD(6) sequence(3), all from the 1900s
		// and without a check character.
		for i := 0; i < 15; i++ {
			if !isDigit(s[i]) {
				return "", idError("the 15-digit legacy form must be all digits")
			}
		}
		copy(b[:6], s[:6])
		b[6], b[7] = '1', '9'
		copy(b[8:17], s[6:15])
		b[17] = checkChar(b[:17])
	default:
		return "", idError("must be 18 characters (or the 15-digit legacy form)")
	}

	if !provinces[string(b[:2])] {
		return "", idError("bad region code")
	}
	if err := checkBirthDate(b[6:14], today); err != nil {
		return "", err
	}
	if checkChar(b[:17]) != b[17] {
		return "", idError("check digit mismatch")
	}
	return string(b[:]), nil
}

// checkChar computes the GB 11643 check character of 17 ASCII digits.
func checkChar(d []byte) byte {
	sum := 0
	for i, c := range d[:17] {
		sum += int(c-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// checkBirthDate validates YYYYMMDD as 8 ASCII digits.
func checkBirthDate(d []byte, today time.Time) error {
	year := atoi(d[0:4])
	month := atoi(d[4:6])
	day := atoi(d[6:8])
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return idError("invalid birth date: not a calendar date")
	}
	if year < 1900 {
		return idError("invalid birth date: before 1900")
	}
	ty, tm, td := today.In(chinaTime).Date()
	if year*10000+month*100+day > ty*10000+int(tm)*100+td {
		return idError("invalid birth date: in the future")
	}
	return nil
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func atoi(d []byte) int {
	n := 0
	for _, c := range d {
		n = n*10 + int(c-'0')
	}
	return n
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func idError(msg string) error {
	return zhudun.FieldError(FieldIDNumber, "resident ID number: %s", msg)
}
