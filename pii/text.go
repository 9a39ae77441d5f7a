package pii

import "strings"

// MaskText masks the phone numbers and resident ID numbers inside free
// text — a reason typed by a caller ("回拨 13912345678") — before it is kept
// in an audit row, a log line or an event. A run of digits (single spaces
// or hyphens between them allowed, an ID's final X too) is masked as a
// phone when NormalizePhone takes it, as an ID when NormalizeIDNumber
// does, and — failing safe for mistyped numbers — wholly when it is 11
// digits or longer. Shorter runs (dates, case numbers) stay. Full-width
// digits, hyphens and spaces (what a Chinese input method types: "１３９１
// ２３４５６７８") are read as ASCII first, so they are masked too.
func MaskText(s string) string {
	s = foldWidth(s)
	var b strings.Builder
	i := 0
	for i < len(s) {
		if !isDigit(s[i]) {
			b.WriteByte(s[i])
			i++
			continue
		}
		j, digits := scanRun(s, i)
		b.WriteString(maskRun(s[i:j], digits))
		i = j
	}
	return b.String()
}

// scanRun returns the end of the digit run starting at i and its digits
// without separators.
func scanRun(s string, i int) (int, string) {
	var d []byte
	j := i
	for j < len(s) {
		c := s[j]
		switch {
		case isDigit(c):
			d = append(d, c)
			j++
		case (c == ' ' || c == '-') && j+1 < len(s) && isDigit(s[j+1]):
			j++
		case (c == 'X' || c == 'x') && len(d) == 17:
			d = append(d, 'X')
			j++
			return j, string(d)
		default:
			return j, string(d)
		}
	}
	return j, string(d)
}

func maskRun(raw, digits string) string {
	if len(digits) < 11 {
		return raw
	}
	if canon, err := NormalizePhone(digits); err == nil {
		return MaskPhone(canon)
	}
	if canon, err := NormalizeIDNumber(digits); err == nil {
		return MaskIDNumber(canon)
	}
	return strings.Repeat("*", len(digits))
}

// widthFolder folds the full-width forms of the characters a number is
// typed with to ASCII.
var widthFolder = strings.NewReplacer("０", "0", "１", "1", "２", "2", "３", "3", "４", "4", "５", "5", "６", "6", "７", "7", "８", "8", "９", "9",
	"－", "-", "\u3000", " ", "＋", "+", "Ｘ", "X", "ｘ", "x")

// foldWidth is s with full-width digits read as ASCII; text without a
// full-width digit is returned as it is (not copied).
func foldWidth(s string) string {
	// U+FF10–U+FF19 are EF BC 90–99 in UTF-8
	for i := 0; i+2 < len(s); i++ {
		if s[i] == 0xEF && s[i+1] == 0xBC && s[i+2] >= 0x90 && s[i+2] <= 0x99 {
			return widthFolder.Replace(s)
		}
	}
	return s
}
