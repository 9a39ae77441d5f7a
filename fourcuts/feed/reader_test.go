package feed

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/zhudun/zhudun/fourcuts"
)

type got struct {
	events  []string // "type msisdn" (or ip)
	rejects []Reject
	stats   Stats
}

func read(t testing.TB, workers int, paths ...string) got {
	t.Helper()
	files, err := Expand(paths)
	if err != nil {
		t.Fatal(err)
	}
	var g got
	g.stats, err = Read(context.Background(), files, Options{Workers: workers}, func(b *Batch) {
		for i := range b.Events {
			ev := &b.Events[i]
			key := string(ev.Msisdn)
			if ev.Type == fourcuts.TypeIP {
				key = string(ev.IP)
			}
			g.events = append(g.events, ev.Type.String()+" "+key)
		}
	}, func(r Reject) { g.rejects = append(g.rejects, r) })
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(g.events)
	sort.Slice(g.rejects, func(i, j int) bool {
		if g.rejects[i].File != g.rejects[j].File {
			return g.rejects[i].File < g.rejects[j].File
		}
		return g.rejects[i].Line < g.rejects[j].Line
	})
	return g
}

func write(t testing.TB, path string, data []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func gz(parts ...string) []byte {
	var b bytes.Buffer
	for _, p := range parts { // one gzip member per part
		w := gzip.NewWriter(&b)
		w.Write([]byte(p))
		w.Close()
	}
	return b.Bytes()
}

const sms = `{"type":"sms","ts":"2021-06-01T10:00:00+08:00","msisdn":"%s","sender":"106900"}`

func TestReadDirectory(t *testing.T) {
	dir := t.TempDir()
	a := write(t, filepath.Join(dir, "a.jsonl"), []byte("\xef\xbb\xbf"+fmt.Sprintf(sms, "13800000001")+"\r\n\r\n"+
		`{"type":"sms","ts":"2021-06-01T10:00:00","msisdn":"13800000002","sender":"1"}`+"\n"+ // no offset: line 3
		`{"type":"fax","ts":"2021-06-01T10:00:00Z"}`+"\n"+ // unknown type: line 4
		fmt.Sprintf(sms, "+86 138-0000-0003")+"\n"+
		`{"type":"cdr","ts":"2021-06-01T10:00:00Z","msisdn":13800000004,"peer":"110","dir":"mo","dur":"12","extra":{"nested":[1,2]}}`+"\n"+
		`{"type":"cdr","ts":"2021-06-01T10:00:00Z","msisdn":"13800000005","peer":"110","dir":"mo","dur":true}`)) // line 7, no final newline
	b := write(t, filepath.Join(dir, "B.CSV"), []byte("type,ts,msisdn,sender,note\r\n"+
		"sms,2021-06-01T10:00:00+08:00,13800000011,106900,\"multi\r\nline, note\"\r\n"+ // lines 2–3
		"sms,2021-06-01T10:00:00+08:00,not-a-number,106900,\r\n"+ // line 4
		"sms,2021-06-01T10:00:00+08:00,13800000012,106900\r\n"+ // line 5: too few fields
		"sms,2021-06-01T10:00:00+08:00,13800000013,106900,\"x\"\r\n"))
	c := write(t, filepath.Join(dir, "c.jsonl.gz"), gz(fmt.Sprintf(sms, "13800000021")+"\n", fmt.Sprintf(sms, "13800000022")+"\n"))
	write(t, filepath.Join(dir, ".hidden.jsonl"), []byte(fmt.Sprintf(sms, "13899999999")))
	write(t, filepath.Join(dir, "notes.txt"), []byte("not a feed"))
	write(t, filepath.Join(dir, "sub", "d.jsonl"), []byte(fmt.Sprintf(sms, "13899999998")))

	g := read(t, 2, dir)
	wantEvents := []string{"cdr 13800000004", "sms 13800000001", "sms 13800000003", "sms 13800000011",
		"sms 13800000013", "sms 13800000021", "sms 13800000022"}
	if fmt.Sprint(g.events) != fmt.Sprint(wantEvents) {
		t.Errorf("events\n got %v\nwant %v", g.events, wantEvents)
	}
	wantRejects := []Reject{{b, 4, ""}, {b, 5, ""}, {a, 3, ""}, {a, 4, ""}, {a, 7, ""}}
	if len(g.rejects) != len(wantRejects) {
		t.Fatalf("rejects %+v", g.rejects)
	}
	for i, r := range g.rejects {
		if r.File != wantRejects[i].File || r.Line != wantRejects[i].Line || r.Reason == "" {
			t.Errorf("reject %d = %+v, want %s:%d", i, r, wantRejects[i].File, wantRejects[i].Line)
		}
	}
	if g.stats.Read[fourcuts.TypeSMS] != 6 || g.stats.Rejected[fourcuts.TypeSMS] != 2 || g.stats.Rejected[fourcuts.TypeCDR] != 1 || g.stats.Rejected[fourcuts.TypeNone] != 2 {
		t.Errorf("stats %+v", g.stats)
	}
	_ = c
}

func TestTruncatedGzip(t *testing.T) {
	var lines []string
	for i := 0; i < 2000; i++ {
		lines = append(lines, fmt.Sprintf(sms, fmt.Sprintf("138%08d", i)))
	}
	full := gz(strings.Join(lines, "\n") + "\n")
	for _, cut := range []int{len(full) / 3, len(full) / 2, len(full) - 5} {
		dir := t.TempDir()
		p := write(t, filepath.Join(dir, "x.jsonl.gz"), full[:cut])
		g := read(t, 1, p)
		if len(g.rejects) != 1 {
			t.Fatalf("cut %d: rejects %+v", cut, g.rejects)
		}
		// every line before the break is kept, in order, and the break is
		// reported at the line after the last good one
		n := len(g.events)
		for i := 0; i < n; i++ {
			if !strings.HasSuffix(g.events[i], fmt.Sprintf("138%08d", i)) {
				t.Fatalf("cut %d: event %d is %s", cut, i, g.events[i])
			}
		}
		if g.rejects[0].Line != int64(n+1) {
			t.Errorf("cut %d: %d events, reject at line %d", cut, n, g.rejects[0].Line)
		}
	}
}

func TestLongLineAndGarbage(t *testing.T) {
	dir := t.TempDir()
	big := bytes.Repeat([]byte("x"), 50<<20)
	var data []byte
	data = append(data, fmt.Sprintf(sms, "13800000001")+"\n"...)
	data = append(data, big...)
	data = append(data, '\n')
	data = append(data, "\x00\x01\x02\xff\xfe garbage\n"...)
	data = append(data, fmt.Sprintf(sms, "13800000002")+"\n"...)
	p := write(t, filepath.Join(dir, "x.jsonl"), data)
	g := read(t, 1, p)
	if len(g.events) != 2 || len(g.rejects) != 2 || g.rejects[0].Line != 2 || g.rejects[1].Line != 3 {
		t.Fatalf("events %v rejects %+v", g.events, g.rejects)
	}
	// a long final line without a newline, in CSV
	p = write(t, filepath.Join(dir, "y.csv"), append([]byte("type,ts,msisdn,sender\nsms,2021-06-01T10:00:00Z,13800000003,1\n\""), big...))
	g = read(t, 1, p)
	if len(g.events) != 1 || len(g.rejects) != 1 || g.rejects[0].Line != 3 {
		t.Fatalf("csv: events %v rejects %+v", g.events, g.rejects)
	}
}

func TestWrongTypes(t *testing.T) {
	for _, line := range []string{
		`{"type":"cdr","ts":"2021-06-01T10:00:00Z","msisdn":"13800000001","peer":"110","dir":"mo","dur":1.5}`,
		`{"type":"cdr","ts":"2021-06-01T10:00:00Z","msisdn":{"a":1},"peer":"110","dir":"mo","dur":1}`,
		`{"type":"sms","ts":20210601,"msisdn":"13800000001","sender":"1"}`,
		`{"type":"sms","ts":"2021-06-01T10:00:00Z","msisdn":"13800000001"}`,
		`{"type":"reg","ts":"2021-06-01T10:00:00Z","platform":"a","account":"b","msisdn":"13800000001","imei":"12345"}`,
		`{"type":"sim","ts":"2021-06-01T10:00:00Z","msisdn":"13800000001","imsi":"460001234567890","holder":"110105194912310021","outlet":"o","action":"activate"}`,
		`{"type":"sms","ts":"2021-06-01T10:00:00Z","msisdn":"13800000001","sender":"1"} trailing`,
		`[1,2,3]`,
	} {
		var ev fourcuts.Event
		if _, reason := DecodeJSON([]byte(line), &ev, nil); reason == "" {
			t.Errorf("accepted %s", line)
		} else if strings.Contains(reason, "110105194912310021") {
			t.Errorf("holder echoed in reason %q", reason)
		}
	}
	var ev fourcuts.Event
	line := `{"type":"reg","ts":"2021-06-01T10:00:00Z","platform":"WeChat","account":"a:b","msisdn":8613800000001,"ip":"::ffff:10.0.0.1","flags":["hook","vpn"],"imei":null,"account":"c","x":null}`
	if _, reason := DecodeJSON([]byte(line), &ev, nil); reason != "" {
		t.Fatal(reason)
	}
	if string(ev.Platform) != "wechat" || string(ev.Account) != "c" || string(ev.Msisdn) != "13800000001" ||
		string(ev.IP) != "10.0.0.1" || ev.Flags != fourcuts.FlagHook|fourcuts.FlagVPN || ev.IMEI != nil {
		t.Errorf("event %+v", ev)
	}
}

// TestNothingValidLost: valid events interleaved with every kind of bad line
// in every encoding come back, all of them, and each bad line is rejected
// once.
func TestNothingValidLost(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	bad := []string{"{", "\x00\xff", `{"type":"sms"}`, `{"type":"sms","ts":"x","msisdn":"1","sender":"2"}`, `"quoted"`, `{"type":true}`}
	dir := t.TempDir()
	want := 0
	wantRej := 0
	for f := 0; f < 6; f++ {
		var lines []string
		csv := f%2 == 1
		if csv {
			lines = append(lines, "type,ts,msisdn,sender")
		}
		for i := 0; i < 500; i++ {
			if r.IntN(10) == 0 {
				if csv {
					lines = append(lines, "sms,2021-06-01T10:00:00Z,bad,1")
				} else {
					lines = append(lines, bad[r.IntN(len(bad))])
				}
				wantRej++
				continue
			}
			m := fmt.Sprintf("139%08d", f*1000+i)
			if csv {
				lines = append(lines, "sms,2021-06-01T10:00:00+08:00,"+m+",1069")
			} else {
				lines = append(lines, fmt.Sprintf(sms, m))
			}
			want++
		}
		data := []byte(strings.Join(lines, "\r\n") + "\r\n")
		name := fmt.Sprintf("f%d.%s", f, map[bool]string{true: "csv", false: "jsonl"}[csv])
		if f >= 4 {
			data, name = gz(string(data)), name+".gz"
		}
		write(t, filepath.Join(dir, name), data)
	}
	for _, workers := range []int{1, 2, 4} {
		g := read(t, workers, dir)
		if len(g.events) != want || len(g.rejects) != wantRej {
			t.Errorf("workers %d: %d events, %d rejects; want %d, %d", workers, len(g.events), len(g.rejects), want, wantRej)
		}
	}
}

func TestExpandMissing(t *testing.T) {
	if _, err := Expand([]string{filepath.Join(t.TempDir(), "nope")}); err == nil {
		t.Error("missing input accepted")
	}
}
