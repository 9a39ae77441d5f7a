package forward

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/zhudun/zhudun"
)

// Record is one audit row as forwarded: every field the chain hash covers
// (DeptPath included, which the API does not show), so that a copy can be
// checked row by row, and linked, against the database.
type Record struct {
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	UserID     int64           `json:"user_id"`
	Username   string          `json:"username"`
	DeptCode   string          `json:"dept_code"`
	DeptPath   string          `json:"dept_path"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	Result     string          `json:"result"`
	ClientAddr string          `json:"client_addr"`
	Detail     json.RawMessage `json:"detail,omitempty"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// RecordOf copies an audit entry.
func RecordOf(e *zhudun.AuditEntry) Record {
	return Record{Seq: e.Seq, At: e.At.UTC(), UserID: e.UserID, Username: e.Username, DeptCode: e.DeptCode, DeptPath: e.DeptPath,
		Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID, Result: e.Result, ClientAddr: e.ClientAddr,
		Detail: e.Detail, PrevHash: e.PrevHash, Hash: e.Hash}
}

// SDID is the structured-data id of zhudun's audit element. 32473 is the
// private enterprise number RFC 5612 reserves for examples; a bureau with
// its own number changes it here.
const SDID = "zhudun@32473"

// Syslog facility 13 is "log audit" (RFC 5424 §6.2.1).
const facilityAudit = 13

// severity: security events are warnings, refusals notices, the rest
// informational.
func severity(e *Record) int {
	switch {
	case len(e.Action) > 9 && e.Action[:9] == "security.":
		return 4
	case e.Result != zhudun.ResultOK:
		return 5
	}
	return 6
}

// AppendSyslog appends e as an RFC 5424 message framed by octet counting
// (RFC 5425 §4.3, RFC 6587 §3.4.1): "LEN SP <PRI>1 TIMESTAMP HOST APP
// PROCID MSGID [SD] BOM JSON". host, and the action as MSGID, are cut to
// printable ASCII.
func AppendSyslog(dst []byte, e *Record, host string, pid int) []byte {
	msg := make([]byte, 0, 512)
	msg = append(msg, '<')
	msg = strconv.AppendInt(msg, int64(facilityAudit*8+severity(e)), 10)
	msg = append(msg, ">1 "...)
	msg = e.At.UTC().AppendFormat(msg, "2006-01-02T15:04:05.000000Z07:00")
	msg = append(msg, ' ')
	msg = appendHeaderField(msg, host, 255)
	msg = append(msg, " zhudun "...)
	msg = strconv.AppendInt(msg, int64(pid), 10)
	msg = append(msg, ' ')
	msg = appendHeaderField(msg, e.Action, 32)
	msg = append(msg, " ["+SDID...)
	for _, p := range [...]struct{ k, v string }{
		{"seq", strconv.FormatInt(e.Seq, 10)}, {"prev", e.PrevHash}, {"hash", e.Hash},
		{"user", e.Username}, {"result", e.Result}, {"addr", e.ClientAddr},
	} {
		msg = append(msg, ' ')
		msg = append(msg, p.k...)
		msg = append(msg, `="`...)
		msg = appendParamValue(msg, p.v)
		msg = append(msg, '"')
	}
	msg = append(msg, "] \xEF\xBB\xBF"...)
	body, _ := json.Marshal(e) // a Record always marshals
	msg = append(msg, body...)
	dst = strconv.AppendInt(dst, int64(len(msg)), 10)
	dst = append(dst, ' ')
	return append(dst, msg...)
}

// appendHeaderField writes s as PRINTUSASCII (33–126), at most max bytes;
// empty is the NILVALUE "-".
func appendHeaderField(dst []byte, s string, max int) []byte {
	n := 0
	for i := 0; i < len(s) && n < max; i++ {
		if c := s[i]; c >= 33 && c <= 126 {
			dst = append(dst, c)
			n++
		}
	}
	if n == 0 {
		dst = append(dst, '-')
	}
	return dst
}

// appendParamValue escapes '"', '\' and ']' (RFC 5424 §6.3.3).
func appendParamValue(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\', ']':
			dst = append(dst, '\\', c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
