package fourcuts

import (
	"net/netip"
)

// Identifier normalisation (docs/spec/events.md, "Identifiers"). Every
// function appends the canonical form of src to dst and reports whether src
// was acceptable; none allocates unless dst must grow.

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

// phoneDigits strips the separators a telephone number may carry and reports
// whether it started with '+'. It returns false for any other character.
func phoneDigits(tmp *[24]byte, src []byte) (d []byte, plus bool, ok bool) {
	n := 0
	for i, c := range src {
		switch {
		case isDigit(c):
			if n == len(tmp) {
				return nil, false, false
			}
			tmp[n] = c
			n++
		case c == '+' && n == 0 && !plus && onlySeparators(src[:i]):
			plus = true
		case c == ' ' || c == '-' || c == '\t' || c == '(' || c == ')':
		default:
			return nil, false, false
		}
	}
	return tmp[:n], plus, n > 0
}

func onlySeparators(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// chineseMobile reports the 11 national digits when d (with or without a
// country prefix) is a Chinese mobile number.
func chineseMobile(d []byte, plus bool) ([]byte, bool) {
	switch {
	case plus && len(d) == 13 && d[0] == '8' && d[1] == '6' && d[2] == '1':
		return d[2:], true
	case !plus && len(d) == 11 && d[0] == '1':
		return d, true
	case !plus && len(d) == 13 && d[0] == '8' && d[1] == '6' && d[2] == '1':
		return d[2:], true
	case !plus && len(d) == 15 && d[0] == '0' && d[1] == '0' && d[2] == '8' && d[3] == '6' && d[4] == '1':
		return d[4:], true
	}
	return nil, false
}

// AppendMsisdn appends the canonical msisdn: a Chinese mobile as its 11
// digits, another E.164 number as '+' and digits, a 13-digit IoT number
// (14…/10…) as its digits.
func AppendMsisdn(dst, src []byte) ([]byte, bool) {
	var tmp [24]byte
	d, plus, ok := phoneDigits(&tmp, src)
	if !ok {
		return dst, false
	}
	if m, ok := chineseMobile(d, plus); ok {
		return append(dst, m...), true
	}
	if plus && len(d) >= 7 && len(d) <= 15 && d[0] != '0' {
		dst = append(dst, '+')
		return append(dst, d...), true
	}
	if !plus && len(d) == 13 && d[0] == '1' && (d[1] == '4' || d[1] == '0') {
		return append(dst, d...), true
	}
	return dst, false
}

// AppendPeer appends the canonical form of any telephone number: Chinese
// mobiles as AppendMsisdn, others as digits with an optional leading '+'.
func AppendPeer(dst, src []byte) ([]byte, bool) {
	var tmp [24]byte
	d, plus, ok := phoneDigits(&tmp, src)
	if !ok || len(d) < 3 || len(d) > 20 {
		return dst, false
	}
	if m, ok := chineseMobile(d, plus); ok {
		return append(dst, m...), true
	}
	if plus {
		dst = append(dst, '+')
	}
	return append(dst, d...), true
}

// AppendIMSI appends an IMSI: exactly 15 digits.
func AppendIMSI(dst, src []byte) ([]byte, bool) {
	if len(src) != 15 || !allDigits(src) {
		return dst, false
	}
	return append(dst, src...), true
}

// AppendICCID appends an ICCID: 19–20 digits, a trailing F allowed, upper case.
func AppendICCID(dst, src []byte) ([]byte, bool) {
	n := len(src)
	if n < 19 || n > 20 {
		return dst, false
	}
	body := src
	if c := src[n-1]; c == 'F' || c == 'f' {
		body = src[:n-1]
	}
	if !allDigits(body) {
		return dst, false
	}
	dst = append(dst, body...)
	if len(body) < n {
		dst = append(dst, 'F')
	}
	return dst, true
}

// AppendIMEI appends an IMEI: 14–16 digits. A wrong Luhn digit is accepted.
func AppendIMEI(dst, src []byte) ([]byte, bool) {
	if len(src) < 14 || len(src) > 16 || !allDigits(src) {
		return dst, false
	}
	return append(dst, src...), true
}

// IMEIBody is the number of leading digits that name a device: the TAC
// and serial number. The 15-digit IMEI adds a check digit, the 16-digit
// IMEISV a two-digit software version instead; the forms that share these
// digits are one device (docs/spec/events.md).
const IMEIBody = 14

// imeiRank orders the forms of one device by how the contract reports it:
// a 15-digit IMEI with a valid check digit, then one with a wrong check
// digit, then the 16-digit IMEISV, then the bare 14 digits.
func imeiRank[S ~string | ~[]byte](v S) int {
	switch len(v) {
	case 15:
		if LuhnValid(string(v)) {
			return 0
		}
		return 1
	case 16:
		return 2
	}
	return 3
}

// PreferIMEI reports whether form a of a device is reported in place of
// form b: the 15-digit IMEI seen in the feed when there is one (one with a
// valid check digit before a rewritten one), else the 16-digit IMEISV,
// else the 14 digits; between forms of one rank, the smaller string. The
// choice is a total order, so the name does not depend on event order.
func PreferIMEI(a []byte, b string) bool {
	ra, rb := imeiRank(a), imeiRank(b)
	if ra != rb {
		return ra < rb
	}
	return string(a) < b
}

// LuhnValid reports whether a 15-digit IMEI carries a correct check digit.
// Other lengths have no check digit and report true.
func LuhnValid(imei string) bool {
	if len(imei) != 15 {
		return true
	}
	return LuhnDigit(imei[:14]) == imei[14]
}

// LuhnDigit is the check digit that completes body (an IMEI's first 14
// digits) under the Luhn rule: every second digit from the left doubled.
func LuhnDigit(body string) byte {
	sum := 0
	for i := 0; i < len(body); i++ {
		d := int(body[i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// AppendIP appends the canonical text of an IPv4 or IPv6 address.
func AppendIP(dst, src []byte) ([]byte, bool) {
	if a, ok := parseIPv4(src); ok {
		return appendIPv4(dst, a), true
	}
	if len(src) == 0 || len(src) > 64 {
		return dst, false
	}
	for _, c := range src {
		if c == '%' { // zones are not addresses of a feed
			return dst, false
		}
	}
	addr, err := netip.ParseAddr(string(src))
	if err != nil {
		return dst, false
	}
	addr = addr.Unmap()
	return addr.AppendTo(dst), true
}

func parseIPv4(s []byte) ([4]byte, bool) {
	var a [4]byte
	i := 0
	for k := 0; k < 4; k++ {
		if k > 0 {
			if i >= len(s) || s[i] != '.' {
				return a, false
			}
			i++
		}
		v, n := 0, 0
		for i < len(s) && isDigit(s[i]) {
			if n > 0 && v == 0 { // leading zero
				return a, false
			}
			v = v*10 + int(s[i]-'0')
			n++
			i++
			if v > 255 {
				return a, false
			}
		}
		if n == 0 {
			return a, false
		}
		a[k] = byte(v)
	}
	return a, i == len(s)
}

func appendIPv4(dst []byte, a [4]byte) []byte {
	for k, v := range a {
		if k > 0 {
			dst = append(dst, '.')
		}
		if v >= 100 {
			dst = append(dst, '0'+v/100)
		}
		if v >= 10 {
			dst = append(dst, '0'+(v/10)%10)
		}
		dst = append(dst, '0'+v%10)
	}
	return dst
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idChecks = "10X98765432"

// AppendHolder appends a holder: a resident ID (18 characters with a valid
// GB 11643 check digit, or the old 15 digits) upper-cased, or an opaque
// pseudonym as given. An 18-character ID shape with a wrong check digit is
// malformed.
func AppendHolder(dst, src []byte) ([]byte, bool) {
	if len(src) == 0 {
		return dst, false
	}
	if len(src) == 18 && allDigits(src[:17]) {
		c := src[17]
		if c == 'x' {
			c = 'X'
		}
		if isDigit(c) || c == 'X' {
			sum := 0
			for i := 0; i < 17; i++ {
				sum += int(src[i]-'0') * idWeights[i]
			}
			if idChecks[sum%11] != c {
				return dst, false
			}
			dst = append(dst, src[:17]...)
			return append(dst, c), true
		}
	}
	return append(dst, src...), true
}

// IsResidentID reports whether a canonical holder is a resident ID number
// (rather than a pseudonym); only then does it carry a region of origin.
func IsResidentID(h string) bool {
	if len(h) == 18 {
		return allDigitsS(h[:17])
	}
	return len(h) == 15 && allDigitsS(h)
}

func allDigitsS(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return len(s) > 0
}

// MaskHolder masks a holder for display: a resident ID keeps its first six
// and last four characters (370102********123X); a pseudonym keeps four.
func MaskHolder(h string) string {
	if len(h) == 18 {
		return h[:6] + "********" + h[14:]
	}
	if len(h) <= 4 {
		return "****"
	}
	return h[:4] + "****"
}

// AppendLower appends src lower-cased (ASCII).
func AppendLower(dst, src []byte) ([]byte, bool) {
	if len(src) == 0 {
		return dst, false
	}
	for _, c := range src {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst, true
}

// AppendOpaque appends a non-empty opaque identifier as given.
func AppendOpaque(dst, src []byte) ([]byte, bool) {
	if len(src) == 0 {
		return dst, false
	}
	return append(dst, src...), true
}

// AppendCell appends a cell id of the form MCC-MNC-LAC-CI.
func AppendCell(dst, src []byte) ([]byte, bool) {
	parts, n := 0, 0
	for _, c := range src {
		switch {
		case c == '-':
			if n == 0 {
				return dst, false
			}
			parts++
			n = 0
		case isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'):
			n++
		default:
			return dst, false
		}
	}
	if parts != 3 || n == 0 {
		return dst, false
	}
	return append(dst, src...), true
}

// AppendRegion appends a 6-digit administrative division code.
func AppendRegion(dst, src []byte) ([]byte, bool) {
	if len(src) != 6 || !allDigits(src) {
		return dst, false
	}
	return append(dst, src...), true
}
