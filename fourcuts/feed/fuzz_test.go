package feed

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/zhudun/zhudun/fourcuts"
)

// FuzzDecodeJSON: any line either becomes a valid canonical event or a
// reason; never a panic. An accepted event's identifiers are canonical:
// normalising them again changes nothing.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"type":"sms","ts":"2021-06-01T10:00:00+08:00","msisdn":"13800000001","sender":"106900"}`,
		`{"type":"cdr","ts":"2021-06-01T10:00:00Z","msisdn":8613800000001,"peer":"+86 138 0000 0002","dir":"mo","dur":"12","imei":490154203237518,"cell":"460-00-1-2"}`,
		`{"type":"reg","ts":"2021-06-01T10:00:00.5Z","platform":"QQ","account":"a:\u00e9","msisdn":"13800000001","ip":"2001:db8::1","flags":["hook"]}`,
		`{"type":"sim","ts":"2021-06-01T10:00:00Z","msisdn":"13800000001","imsi":"460001234567890","holder":"11010519491231002X","outlet":"o","action":"activate","iccid":"8986001234567890123F"}`,
		`{"type":"ip","ts":"2021-06-01T10:00:00Z","ip":"::ffff:1.2.3.4","kind":"dialup","shared":"12"}`,
		`{"type":"cdr","ts":"2021-06-01T10:00:00Z","msisdn":{"a":[1,{"b":null}]}}`,
		"\x00\xff{", `{"a":"\ud800"}`, `{"type":"sms","type":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var ev fourcuts.Event
		_, reason := DecodeJSON(line, &ev, nil)
		if reason != "" {
			return
		}
		if ev.Type == fourcuts.TypeNone {
			t.Fatal("accepted an event without a type")
		}
		check := func(name string, v []byte, fn func(dst, src []byte) ([]byte, bool)) {
			if v == nil {
				return
			}
			again, ok := fn(nil, v)
			if !ok || !bytes.Equal(again, v) {
				t.Fatalf("%s %q is not canonical (%q, %v)", name, v, again, ok)
			}
		}
		check("msisdn", ev.Msisdn, fourcuts.AppendMsisdn)
		check("peer", ev.Peer, fourcuts.AppendPeer)
		check("imei", ev.IMEI, fourcuts.AppendIMEI)
		check("ip", ev.IP, fourcuts.AppendIP)
		check("holder", ev.Holder, fourcuts.AppendHolder)
		check("platform", ev.Platform, fourcuts.AppendLower)
	})
}

// FuzzReadFile: any file content, plain or gzip, JSON Lines or CSV, is read
// to the end without a panic or a hang; for plain JSON Lines every
// non-blank line is either an event or one rejection.
func FuzzReadFile(f *testing.F) {
	f.Add([]byte(`{"type":"sms","ts":"2021-06-01T10:00:00+08:00","msisdn":"13800000001","sender":"1"}`+"\n\n{bad\n"), false)
	f.Add([]byte("type,ts,msisdn,sender\r\nsms,2021-06-01T10:00:00Z,13800000001,1\r\n\"open\nquote"), true)
	f.Add(gz("type,ts,msisdn,sender\nsms,2021-06-01T10:00:00Z,13800000001,1\n")[:30], true)
	f.Add(gz(`{"type":"ip","ts":"2021-06-01T10:00:00Z","ip":"1.2.3.4"}`+"\n", "{}\n"), false)
	f.Add([]byte{0x1f, 0x8b, 0x08, 0, 0, 0}, false)
	f.Fuzz(func(t *testing.T, data []byte, csv bool) {
		dir := t.TempDir()
		name := "f.jsonl"
		if csv {
			name = "f.csv"
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		events, rejects := 0, 0
		_, err := Read(ctx, []string{p}, Options{Workers: 1}, func(b *Batch) { events += len(b.Events) },
			func(Reject) { rejects++ })
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		gzipped := len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b
		if csv || gzipped {
			return
		}
		nonblank := 0
		for i, l := range bytes.Split(data, []byte("\n")) {
			if i == 0 {
				l = bytes.TrimPrefix(l, []byte("\xef\xbb\xbf"))
			}
			if len(bytes.TrimSpace(l)) > 0 {
				nonblank++
			}
		}
		if events+rejects != nonblank {
			t.Fatalf("%d non-blank lines, %d events + %d rejects", nonblank, events, rejects)
		}
	})
}
