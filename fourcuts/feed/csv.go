package feed

import (
	"bytes"
	"unicode/utf8"

	"github.com/zhudun/zhudun/fourcuts"
)

// csvFields splits one complete CSV record (without its final line end) into
// fields, RFC 4180 style. Unquoted fields point into rec; quoted fields are
// unescaped into scratch (which needs capacity for len(rec) more bytes).
// open reports a quoted field still open at the end: the record continues
// on the next line.
func csvFields(rec []byte, fields [][]byte, scratch []byte) (out [][]byte, sc []byte, open bool, reason string) {
	fields = fields[:0]
	i := 0
	for {
		if i < len(rec) && rec[i] == '"' {
			i++
			start := len(scratch)
			for {
				j := bytes.IndexByte(rec[i:], '"')
				if j < 0 {
					return fields, scratch, true, ""
				}
				scratch = append(scratch, rec[i:i+j]...)
				i += j + 1
				if i < len(rec) && rec[i] == '"' {
					scratch = append(scratch, '"')
					i++
					continue
				}
				break
			}
			fields = append(fields, scratch[start:len(scratch):len(scratch)])
			if i == len(rec) {
				break
			}
			if rec[i] != ',' {
				return fields, scratch, false, "bad quote in CSV field"
			}
			i++
			continue
		}
		j := bytes.IndexByte(rec[i:], ',')
		if j < 0 {
			f := rec[i:]
			if bytes.IndexByte(f, '"') >= 0 {
				return fields, scratch, false, "bare quote in CSV field"
			}
			fields = append(fields, f)
			break
		}
		f := rec[i : i+j]
		if bytes.IndexByte(f, '"') >= 0 {
			return fields, scratch, false, "bare quote in CSV field"
		}
		fields = append(fields, f)
		i += j + 1
	}
	return fields, scratch, false, ""
}

// csvHeader maps the columns of a header record to fields.
func csvHeader(fields [][]byte) ([]fourcuts.Field, string) {
	cols := make([]fourcuts.Field, len(fields))
	hasType := false
	for k, f := range fields {
		f = bytes.TrimSpace(f)
		if !utf8.Valid(f) {
			return nil, "invalid UTF-8 in CSV header"
		}
		cols[k] = fourcuts.LookupField(bytes.ToLower(f))
		if cols[k] == fourcuts.FieldType {
			hasType = true
		}
	}
	if !hasType {
		return cols, "CSV header has no type column"
	}
	return cols, ""
}

// csvRecord fills raw from one record's fields.
func csvRecord(cols []fourcuts.Field, fields [][]byte, raw *fourcuts.RawEvent) string {
	if len(fields) != len(cols) {
		return "CSV record has " + itoa(len(fields)) + " fields, header has " + itoa(len(cols))
	}
	for k, v := range fields {
		if cols[k] == fourcuts.FieldUnknown {
			continue
		}
		if !utf8.Valid(v) {
			return "invalid UTF-8"
		}
		raw.Put(cols[k], v)
	}
	return ""
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
