package feed

import (
	"unicode/utf8"

	"github.com/zhudun/zhudun/fourcuts"
)

// parseJSON parses one JSON Lines object into raw. Values without escapes
// point into line; decoded strings and joined flag lists are appended to
// scratch, which must have capacity for len(line) more bytes so that nothing
// moves. It returns the grown scratch and a rejection reason ("" if fine).
func parseJSON(line []byte, raw *fourcuts.RawEvent, scratch []byte) ([]byte, string) {
	p := jparser{b: line, scratch: scratch}
	p.ws()
	if p.i >= len(p.b) || p.b[p.i] != '{' {
		return p.scratch, "not a JSON object"
	}
	p.i++
	p.ws()
	if p.peek() == '}' {
		p.i++
	} else {
		for {
			p.ws()
			key, ok := p.str()
			if !ok {
				return p.scratch, p.errOr("bad object key")
			}
			p.ws()
			if p.peek() != ':' {
				return p.scratch, "expected ':' after key"
			}
			p.i++
			p.ws()
			f := fourcuts.LookupField(key)
			if reason := p.value(f, raw); reason != "" {
				return p.scratch, reason
			}
			p.ws()
			c := p.peek()
			p.i++
			if c == ',' {
				continue
			}
			if c == '}' {
				break
			}
			return p.scratch, "expected ',' or '}'"
		}
	}
	p.ws()
	if p.i != len(p.b) {
		return p.scratch, "trailing data after JSON object"
	}
	return p.scratch, ""
}

type jparser struct {
	b       []byte
	i       int
	scratch []byte
	err     string
	depth   int
}

func (p *jparser) errOr(s string) string {
	if p.err != "" {
		return p.err
	}
	return s
}

func (p *jparser) peek() byte {
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

func (p *jparser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\r', '\n':
			p.i++
		default:
			return
		}
	}
}

// str parses a JSON string at p.i and returns its decoded bytes.
func (p *jparser) str() ([]byte, bool) {
	if p.peek() != '"' {
		return nil, false
	}
	p.i++
	start := p.i
	high := false
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			if high && !utf8.Valid(s) {
				p.err = "invalid UTF-8"
				return nil, false
			}
			return s, true
		case c == '\\':
			return p.strSlow(start)
		case c < 0x20:
			p.err = "control character in string"
			return nil, false
		case c >= 0x80:
			high = true
		}
		p.i++
	}
	p.err = "unterminated string"
	return nil, false
}

func (p *jparser) strSlow(start int) ([]byte, bool) {
	out := len(p.scratch)
	p.scratch = append(p.scratch, p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			s := p.scratch[out:len(p.scratch):len(p.scratch)]
			if !utf8.Valid(s) {
				p.err = "invalid UTF-8"
				return nil, false
			}
			return s, true
		case c < 0x20:
			p.err = "control character in string"
			return nil, false
		case c != '\\':
			p.scratch = append(p.scratch, c)
			p.i++
			continue
		}
		p.i++
		if p.i >= len(p.b) {
			break
		}
		e := p.b[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			p.scratch = append(p.scratch, e)
		case 'b':
			p.scratch = append(p.scratch, '\b')
		case 'f':
			p.scratch = append(p.scratch, '\f')
		case 'n':
			p.scratch = append(p.scratch, '\n')
		case 'r':
			p.scratch = append(p.scratch, '\r')
		case 't':
			p.scratch = append(p.scratch, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				p.err = "bad \\u escape"
				return nil, false
			}
			if r >= 0xD800 && r < 0xDC00 && p.i+6 <= len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
				p.i += 2
				r2, ok := p.hex4()
				if ok && r2 >= 0xDC00 && r2 < 0xE000 {
					r = (r-0xD800)<<10 + (r2 - 0xDC00) + 0x10000
				} else {
					r = utf8.RuneError
				}
			} else if r >= 0xD800 && r < 0xE000 {
				r = utf8.RuneError
			}
			p.scratch = utf8.AppendRune(p.scratch, r)
		default:
			p.err = "bad escape"
			return nil, false
		}
	}
	p.err = "unterminated string"
	return nil, false
}

func (p *jparser) hex4() (rune, bool) {
	if p.i+4 > len(p.b) {
		return 0, false
	}
	var r rune
	for k := 0; k < 4; k++ {
		c := p.b[p.i+k]
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	p.i += 4
	return r, true
}

// number scans a JSON number and reports whether it is a plain
// non-negative integer.
func (p *jparser) number() ([]byte, bool, bool) {
	start := p.i
	integer := true
	if p.peek() == '-' {
		integer = false
		p.i++
	}
	n := 0
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
		n++
	}
	if n == 0 {
		return nil, false, false
	}
	if p.peek() == '.' {
		integer = false
		p.i++
		m := 0
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
			m++
		}
		if m == 0 {
			return nil, false, false
		}
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		integer = false
		p.i++
		if c := p.peek(); c == '+' || c == '-' {
			p.i++
		}
		m := 0
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
			m++
		}
		if m == 0 {
			return nil, false, false
		}
	}
	return p.b[start:p.i], integer, true
}

func (p *jparser) literal(word string) bool {
	if p.i+len(word) <= len(p.b) && string(p.b[p.i:p.i+len(word)]) == word {
		p.i += len(word)
		return true
	}
	return false
}

// value parses the value of field f into raw.
func (p *jparser) value(f fourcuts.Field, raw *fourcuts.RawEvent) string {
	name := fourcuts.FieldNames[f]
	switch c := p.peek(); {
	case c == '"':
		s, ok := p.str()
		if !ok {
			return p.errOr("bad string")
		}
		raw.Put(f, s)
	case c == '-' || (c >= '0' && c <= '9'):
		num, integer, ok := p.number()
		if !ok {
			return "bad number"
		}
		if f != fourcuts.FieldUnknown {
			if !integer {
				return "field " + name + ": not an integer"
			}
			raw.PutNumber(f, num)
		}
	case c == 'n':
		if !p.literal("null") {
			return "bad literal"
		}
		raw.PutNull(f)
	case c == 't' || c == 'f':
		if !p.literal("true") && !p.literal("false") {
			return "bad literal"
		}
		if f != fourcuts.FieldUnknown {
			return "field " + name + ": wrong type (boolean)"
		}
	case c == '[' && f == fourcuts.FieldFlags:
		return p.flags(raw)
	case c == '[' || c == '{':
		if f != fourcuts.FieldUnknown {
			return "field " + name + ": wrong type"
		}
		return p.skip()
	default:
		return "bad value"
	}
	return ""
}

// flags joins an array of strings into a '|'-separated list.
func (p *jparser) flags(raw *fourcuts.RawEvent) string {
	p.i++ // [
	start := len(p.scratch)
	p.ws()
	if p.peek() == ']' {
		p.i++
		raw.PutNull(fourcuts.FieldFlags)
		return ""
	}
	for {
		p.ws()
		s, ok := p.str()
		if !ok {
			return p.errOr("field flags: wrong type")
		}
		if len(p.scratch) > start {
			p.scratch = append(p.scratch, '|')
		}
		p.scratch = append(p.scratch, s...)
		p.ws()
		c := p.peek()
		p.i++
		if c == ']' {
			break
		}
		if c != ',' {
			return "bad array"
		}
	}
	raw.Put(fourcuts.FieldFlags, p.scratch[start:len(p.scratch):len(p.scratch)])
	return ""
}

// skip skips a nested value of an unknown field.
func (p *jparser) skip() string {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 64 {
		return "nested too deep"
	}
	open := p.b[p.i]
	close := byte('}')
	if open == '[' {
		close = ']'
	}
	p.i++
	p.ws()
	if p.peek() == close {
		p.i++
		return ""
	}
	for {
		p.ws()
		if open == '{' {
			if _, ok := p.str(); !ok {
				return p.errOr("bad object key")
			}
			p.ws()
			if p.peek() != ':' {
				return "expected ':'"
			}
			p.i++
			p.ws()
		}
		if r := p.value(fourcuts.FieldUnknown, nil); r != "" {
			return r
		}
		p.ws()
		c := p.peek()
		p.i++
		if c == close {
			return ""
		}
		if c != ',' {
			return "bad nested value"
		}
	}
}

// DecodeJSON parses and validates one JSON Lines record into ev, appending
// canonical values to arena (grown as needed). It returns the arena and a
// rejection reason ("" when ev is good).
func DecodeJSON(line []byte, ev *fourcuts.Event, arena []byte) ([]byte, string) {
	var raw fourcuts.RawEvent
	scratch := make([]byte, 0, len(line))
	_, reason := parseJSON(line, &raw, scratch)
	if reason != "" {
		return arena, reason
	}
	if need := raw.RawLen() + fourcuts.MaxCanonicalGrowth; cap(arena)-len(arena) < need {
		arena = make([]byte, 0, need+4096)
	}
	return raw.Build(ev, arena)
}
