package feed_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"strings"
	"testing"

	"github.com/zhudun/zhudun/fourcuts"
	"github.com/zhudun/zhudun/fourcuts/feed"
)

// readAll reads a feed from memory and returns its events re-encoded as
// canonical JSON lines, and its rejects.
func readAll(t testing.TB, body string, csv bool) ([]string, []feed.Reject) {
	var lines []string
	var rejects []feed.Reject
	_, err := feed.ReadStream(context.Background(), "body", strings.NewReader(body), csv, 0, func(b *feed.Batch) {
		for i := range b.Events {
			lines = append(lines, string(feed.AppendJSON(nil, &b.Events[i])))
		}
	}, func(r feed.Reject) { rejects = append(rejects, r) })
	if err != nil {
		t.Fatal(err)
	}
	return lines, rejects
}

func TestReadStreamAndEncode(t *testing.T) {
	body := `{"type":"sim","ts":"2021-06-01T08:03:11+08:00","msisdn":"+86 139-1234-5678","imsi":"460001234567890","holder":"hx-1","outlet":"o\"1","action":"activate","carrier":"CMCC"}
not json
{"type":"reg","ts":"2021-06-01T00:03:11.250Z","platform":"WeChat","account":"a:1","msisdn":"13912345678","ip":"::ffff:1.2.3.4","flags":["vpn","emulator"]}

{"type":"cdr","ts":"2021-06-01T08:03:11+08:00","msisdn":"13912345678","peer":"0531-1234567","dir":"mt","dur":"12"}
{"type":"bogus","ts":"2021-06-01T08:03:11+08:00"}
`
	lines, rejects := readAll(t, body, false)
	want := []string{
		`{"type":"sim","ts":"2021-06-01T08:03:11+08:00","msisdn":"13912345678","imsi":"460001234567890","holder":"hx-1","outlet":"o\"1","carrier":"cmcc","action":"activate"}` + "\n",
		`{"type":"reg","ts":"2021-06-01T08:03:11.250+08:00","platform":"wechat","account":"a:1","msisdn":"13912345678","ip":"1.2.3.4","flags":"emulator|vpn"}` + "\n",
		`{"type":"cdr","ts":"2021-06-01T08:03:11+08:00","msisdn":"13912345678","peer":"05311234567","dir":"mt","dur":12}` + "\n",
	}
	if strings.Join(lines, "") != strings.Join(want, "") {
		t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(lines, ""), strings.Join(want, ""))
	}
	if len(rejects) != 2 || rejects[0].Line != 2 || rejects[1].Line != 6 || rejects[1].Reason != `unknown type "bogus"` {
		t.Fatalf("rejects %+v", rejects)
	}
	// What AppendJSON wrote reads back as itself.
	again, rej := readAll(t, strings.Join(lines, ""), false)
	if len(rej) != 0 || strings.Join(again, "") != strings.Join(lines, "") {
		t.Fatalf("round trip: %v %v", again, rej)
	}
}

func TestReadStreamCSVGzip(t *testing.T) {
	csv := "type,ts,ip,kind,shared\r\nip,2021-06-01T08:03:11+08:00,10.0.0.1,dialup,3\r\nip,2021-06-01T08:03:11+08:00,999.1.1.1,idc,\r\n"
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(csv))
	w.Close()
	lines, rejects := readAll(t, gz.String(), true)
	if len(lines) != 1 || lines[0] != `{"type":"ip","ts":"2021-06-01T08:03:11+08:00","ip":"10.0.0.1","kind":"dialup","shared":3}`+"\n" {
		t.Fatalf("lines %q", lines)
	}
	if len(rejects) != 1 || rejects[0].Line != 3 || !strings.Contains(rejects[0].Reason, "field ip") {
		t.Fatalf("rejects %+v", rejects)
	}
}

func TestReadStreamLimit(t *testing.T) {
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(bytes.Repeat([]byte(`{"type":"ip","ts":"2021-06-01T08:03:11Z","ip":"10.0.0.1"}`+"\n"), 100000))
	w.Close()
	_, err := feed.ReadStream(context.Background(), "b", bytes.NewReader(gz.Bytes()), false, 1<<20, func(*feed.Batch) {}, nil)
	if err != feed.ErrTooLarge {
		t.Fatalf("5.8 MB expanded under a 1 MiB bound: %v", err)
	}
	st, err := feed.ReadStream(context.Background(), "b", bytes.NewReader(gz.Bytes()), false, 8<<20, func(*feed.Batch) {}, nil)
	if r, _ := st.Total(); err != nil || r != 100000 {
		t.Fatalf("under the bound: %d %v", r, err)
	}
}

// FuzzAppendJSON: whatever the reader accepts, AppendJSON writes a line
// that reads back to the same canonical line.
func FuzzAppendJSON(f *testing.F) {
	f.Add(`{"type":"sim","ts":"2021-06-01T08:03:11+08:00","msisdn":"13912345678","imsi":"460001234567890","holder":"x\u0001y","outlet":"o","action":"cancel"}`)
	f.Add(`{"type":"sms","ts":"2021-06-01T08:03:11Z","msisdn":"13912345678","sender":"1069\\x","kind":"weird"}`)
	f.Add(`{"type":"ip","ts":"2021-06-01T08:03:11Z","ip":"2001:db8::1","asn":7,"shared":5}`)
	f.Fuzz(func(t *testing.T, line string) {
		var ev fourcuts.Event
		if _, reason := feed.DecodeJSON([]byte(line), &ev, nil); reason != "" {
			return
		}
		out := feed.AppendJSON(nil, &ev)
		var ev2 fourcuts.Event
		if _, reason := feed.DecodeJSON(bytes.TrimSuffix(out, []byte("\n")), &ev2, nil); reason != "" {
			t.Fatalf("re-read %q: %s", out, reason)
		}
		if out2 := feed.AppendJSON(nil, &ev2); !bytes.Equal(out, out2) {
			t.Fatalf("not stable:\n%s%s", out, out2)
		}
	})
}
