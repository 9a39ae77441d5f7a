package pii

import "strings"

// Masks returned for input that is not in canonical form. They have the
// canonical length, not the input's, so not even the length of a malformed
// value leaks.
var (
	idAllStars    = strings.Repeat("*", 18)
	phoneAllStars = strings.Repeat("*", 11)
)

// MaskIDNumber masks a canonical resident ID number (as NormalizeIDNumber
// returns it) for display to people without the right to see it: the region
// code (first 6) and the last 4 stay, the 8-digit birth date becomes stars,
// e.g. "370102********123X".
//
// Anything that is not shaped like a canonical number — including the
// 15-digit legacy form and lower case x — comes back as 18 stars, because
// for malformed input we cannot know which characters are safe to show.
func MaskIDNumber(canon string) string {
	if !isCanonicalIDShape(canon) {
		return idAllStars
	}
	return canon[:6] + "********" + canon[14:]
}

// MaskPhone masks a canonical mobile number (as NormalizePhone returns it):
// the first 3 (the carrier prefix) and last 4 stay, e.g. "139****5678".
// Anything that is not 11 ASCII digits comes back as 11 stars.
func MaskPhone(canon string) string {
	if len(canon) != 11 || !allDigits(canon) {
		return phoneAllStars
	}
	return canon[:3] + "****" + canon[7:]
}

func isCanonicalIDShape(s string) bool {
	if len(s) != 18 || !allDigits(s[:17]) {
		return false
	}
	return isDigit(s[17]) || s[17] == 'X'
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
