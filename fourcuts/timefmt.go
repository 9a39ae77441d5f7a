package fourcuts

import "time"

// CST is China Standard Time, in which every clock-dependent signal (hour of
// day, calendar day) is reckoned.
var CST = time.FixedZone("CST", 8*3600)

const cstOffsetMS = 8 * 3600 * 1000

// HourCST is the hour of the day (0–23) of a Unix-millisecond time in CST.
func HourCST(ms int64) int {
	return int(floorDiv(ms+cstOffsetMS, 3600_000) % 24)
}

// DayCST is the calendar day number (days since 1970-01-01) in CST.
func DayCST(ms int64) int64 { return floorDiv(ms+cstOffsetMS, 86400_000) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// FormatTS formats a Unix-millisecond time as RFC 3339 in +08:00, with
// milliseconds only when they are not zero.
func FormatTS(ms int64) string {
	return string(AppendTS(nil, ms))
}

// AppendTS appends FormatTS(ms) to dst.
func AppendTS(dst []byte, ms int64) []byte {
	t := time.UnixMilli(ms).In(CST)
	if ms%1000 != 0 {
		return t.AppendFormat(dst, "2006-01-02T15:04:05.000-07:00")
	}
	return t.AppendFormat(dst, "2006-01-02T15:04:05-07:00")
}

// ParseTS parses an RFC 3339 time that carries an offset or Z (fractional
// seconds allowed) into Unix milliseconds. It does not allocate.
func ParseTS(b []byte) (int64, bool) {
	// YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)
	if len(b) < 20 {
		return 0, false
	}
	num := func(s []byte) (int, bool) {
		v := 0
		for _, c := range s {
			if !isDigit(c) {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	if b[4] != '-' || b[7] != '-' || b[13] != ':' || b[16] != ':' {
		return 0, false
	}
	if c := b[10]; c != 'T' && c != 't' && c != ' ' {
		return 0, false
	}
	y, ok1 := num(b[0:4])
	mo, ok2 := num(b[5:7])
	d, ok3 := num(b[8:10])
	h, ok4 := num(b[11:13])
	mi, ok5 := num(b[14:16])
	s, ok6 := num(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return 0, false
	}
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 60 {
		return 0, false
	}
	i := 19
	ms := 0
	if i < len(b) && b[i] == '.' {
		i++
		start := i
		scale := 100
		for i < len(b) && isDigit(b[i]) {
			ms += int(b[i]-'0') * scale
			scale /= 10
			i++
		}
		if i == start || i-start > 12 {
			return 0, false
		}
	}
	if i >= len(b) {
		return 0, false // no offset
	}
	off := 0
	switch b[i] {
	case 'Z', 'z':
		i++
	case '+', '-':
		if len(b) != i+6 || b[i+3] != ':' {
			return 0, false
		}
		oh, ok1 := num(b[i+1 : i+3])
		om, ok2 := num(b[i+4 : i+6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return 0, false
		}
		off = oh*3600 + om*60
		if b[i] == '-' {
			off = -off
		}
		i += 6
	default:
		return 0, false
	}
	if i != len(b) {
		return 0, false
	}
	if s == 60 {
		s = 59 // leap second: clamp
	}
	days := daysFromCivil(y, mo, d)
	secs := days*86400 + int64(h*3600+mi*60+s) - int64(off)
	return secs*1000 + int64(ms), true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil counts days since 1970-01-01 (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// parseUint parses a non-negative decimal integer (no sign, no spaces).
func parseUint(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}
