package forward_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun/forward"
)

// FuzzParseTarget: no input panics; what parses prints back to itself.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"syslog+tls://collector.example:6514", "syslog+tcp://10.0.0.5:514", "file:/var/log/zhudun/audit.jsonl",
		"syslog+tls://[::1]:6514", "syslog://x:1", "file:", "syslog+tls://host", "syslog+tls://host:0", "syslog+tls://u@h:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := forward.ParseTarget(s)
		if err != nil {
			if !strings.Contains(err.Error(), "audit forward") {
				t.Fatalf("error does not name the setting: %v", err)
			}
			return
		}
		again, err := forward.ParseTarget(tg.String())
		if err != nil || again != tg {
			t.Fatalf("%q → %+v → %q → %+v %v", s, tg, tg.String(), again, err)
		}
	})
}

// FuzzAppendSyslog: whatever a row holds, the frame's length prefix is
// exact and the header stays five space-separated printable fields.
func FuzzAppendSyslog(f *testing.F) {
	f.Add(int64(1), "auth.login", "alice", "ok", "10.0.0.1", "host-1", `{"reason":"x"}`)
	f.Add(int64(99), "security.lockout", "a\"b]c\\", "denied", "", "", "")
	f.Add(int64(7), "用户 新建", "张三", "failed", "::1", "主机 名", "null")
	f.Fuzz(func(t *testing.T, seq int64, action, user, result, addr, host, detail string) {
		r := forward.Record{Seq: seq, At: time.Unix(1700000000, 123456000), Action: action, Username: user, Result: result, ClientAddr: addr,
			PrevHash: strings.Repeat("0", 64), Hash: strings.Repeat("a", 64)}
		b := forward.AppendSyslog(nil, &r, host, 42)
		sp := strings.IndexByte(string(b), ' ')
		n, err := strconv.Atoi(string(b[:sp]))
		if err != nil || n != len(b)-sp-1 {
			t.Fatalf("length prefix %q for %d bytes", b[:sp], len(b)-sp-1)
		}
		fields := strings.SplitN(string(b[sp+1:]), " ", 7)
		if len(fields) != 7 || !strings.HasPrefix(fields[0], "<") || fields[3] != "zhudun" || fields[4] != "42" {
			t.Fatalf("header %q", fields)
		}
		for _, h := range []string{fields[2], fields[5]} {
			for i := 0; i < len(h); i++ {
				if h[i] < 33 || h[i] > 126 {
					t.Fatalf("header field %q not printable ASCII", h)
				}
			}
		}
		if !strings.HasPrefix(fields[6], "[zhudun@32473 seq=\""+strconv.FormatInt(seq, 10)+"\"") {
			t.Fatalf("structured data %q", fields[6])
		}
	})
}
