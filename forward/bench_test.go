package forward_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun/forward"
)

// BenchmarkAppendSyslog: formatting one audit row as a framed RFC 5424
// message, the forwarder's per-row work.
func BenchmarkAppendSyslog(b *testing.B) {
	r := forward.Record{Seq: 123456, At: time.Now(), UserID: 7, Username: "lixia.dispatcher", DeptCode: "ST370102-01", DeptPath: "/1/4/9/",
		Action: "incident.dispatch", ObjectType: "incident", ObjectID: "98765", Result: "ok", ClientAddr: "10.20.30.40",
		Detail: json.RawMessage(`{"unit":"济A-1234","eta_s":240}`), PrevHash: strings.Repeat("a", 64), Hash: strings.Repeat("b", 64)}
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		buf = forward.AppendSyslog(buf[:0], &r, "zhudun-1", 4242)
	}
	b.SetBytes(int64(len(buf)))
}
