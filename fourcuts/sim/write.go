package sim

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/zhudun/zhudun"
)

// Summary describes what Write produced.
type Summary struct {
	Files  []string
	Events int
	Truth  map[string]int
	// Malformed lists the injected malformed lines: each must appear once
	// among the reader's rejects.
	Malformed []Malformed
}

// Malformed is one injected bad line.
type Malformed struct {
	File string
	Line int64
}

var columns = map[string][]string{
	"sim": {"type", "ts", "msisdn", "imsi", "iccid", "holder", "outlet", "carrier", "region", "action"},
	"reg": {"type", "ts", "platform", "account", "msisdn", "device", "imei", "ip", "model", "os", "flags"},
	"sms": {"type", "ts", "msisdn", "sender", "platform", "kind"},
	"cdr": {"type", "ts", "msisdn", "peer", "dir", "dur", "imsi", "imei", "cell"},
	"ip":  {"type", "ts", "ip", "kind", "isp", "asn", "shared"},
}

// Write generates the world of p into the feed directory dir and writes its
// truth (JSON Lines) to truthPath, which should lie outside dir.
func Write(p Params, dir, truthPath string) (Summary, error) {
	days, stock, intel, truth, p := Generate(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Summary{}, zhudun.Errorf(zhudun.EINVALID, "simulate: %v", err)
	}
	r := rand.New(rand.NewPCG(p.Seed^0xfeed, 7))
	var sum Summary
	sum.Truth = map[string]int{}
	enc := encoder{r: r}
	// how many malformed lines go where
	nfiles := 2 + 4*len(days)
	bad := make([]int, nfiles)
	for i := 0; i < p.Malformed; i++ {
		bad[r.IntN(nfiles)]++
	}
	fi := 0
	write := func(name string, csv, gz, crlf bool, evs []*sev) error {
		path := filepath.Join(dir, name)
		n, mal, err := enc.writeFile(path, csv, gz, crlf, evs, p, bad[fi])
		fi++
		if err != nil {
			return zhudun.Errorf(zhudun.EINTERNAL, "simulate: %v", err)
		}
		sum.Files = append(sum.Files, path)
		sum.Events += n
		sum.Malformed = append(sum.Malformed, mal...)
		return nil
	}
	if err := write("sim_stock.csv", true, false, true, stock); err != nil {
		return sum, err
	}
	if err := write("ip_intel.jsonl.gz", false, true, false, intel); err != nil {
		return sum, err
	}
	for d, evs := range days {
		date := time.UnixMilli(p.Start.UnixMilli() + int64(d)*86400e3).In(p.Start.Location()).Format("20060102")
		by := map[string][]*sev{}
		for _, e := range evs {
			by[e.typ] = append(by[e.typ], e)
		}
		if err := write("cdr_"+date+pick(d%2 == 0, ".jsonl.gz", ".csv.gz"), d%2 == 1, true, d%3 == 0, by["cdr"]); err != nil {
			return sum, err
		}
		if err := write("sms_"+date+".csv", true, false, d%2 == 0, by["sms"]); err != nil {
			return sum, err
		}
		if err := write("reg_"+date+pick(d%2 == 0, ".jsonl", ".csv.gz"), d%2 == 1, d%2 == 1, false, by["reg"]); err != nil {
			return sum, err
		}
		if err := write("sim_"+date+".jsonl", false, false, false, by["sim"]); err != nil {
			return sum, err
		}
	}
	f, err := os.Create(truthPath)
	if err != nil {
		return sum, zhudun.Errorf(zhudun.EINVALID, "simulate: %v", err)
	}
	bw := bufio.NewWriter(f)
	je := json.NewEncoder(bw)
	for _, t := range truth {
		sum.Truth[t.Category]++
		if err := je.Encode(t); err != nil {
			f.Close()
			return sum, err
		}
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return sum, zhudun.Errorf(zhudun.EINTERNAL, "simulate: %v", err)
	}
	if err := f.Close(); err != nil {
		return sum, zhudun.Errorf(zhudun.EINTERNAL, "simulate: %v", err)
	}
	return sum, nil
}

func pick(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}

type encoder struct {
	r   *rand.Rand
	buf []byte
}

var cst = time.FixedZone("CST", 8*3600)

// writeFile writes events jittered by up to p.Jitter, with occasional
// duplicates, varied identifier spellings and nmal malformed lines.
func (en *encoder) writeFile(path string, csv, gz, crlf bool, evs []*sev, p Params, nmal int) (int, []Malformed, error) {
	type item struct {
		key int64
		e   *sev
	}
	items := make([]item, 0, len(evs)+len(evs)/100)
	for _, e := range evs {
		j := int64(0)
		if p.Jitter > 0 && e.typ != "ip" {
			j = en.r.Int64N(int64(p.Jitter / time.Millisecond))
		}
		items = append(items, item{e.ts + j, e})
		if en.r.Float64() < p.Duplicates {
			items = append(items, item{e.ts + j + 1, e})
		}
	}
	slices.SortStableFunc(items, func(a, b item) int {
		if a.key < b.key {
			return -1
		}
		if a.key > b.key {
			return 1
		}
		return 0
	})
	f, err := os.Create(path)
	if err != nil {
		return 0, nil, err
	}
	defer f.Close()
	var out io.Writer = f
	var zw *gzip.Writer
	if gz {
		zw, _ = gzip.NewWriterLevel(f, gzip.DefaultCompression)
		out = zw
	}
	bw := bufio.NewWriterSize(out, 1<<20)
	eol := "\n"
	if crlf {
		eol = "\r\n"
	}
	var cols []string
	if csv {
		seen := map[string]bool{}
		for _, e := range evs {
			if !seen[e.typ] {
				seen[e.typ] = true
				for _, c := range columns[e.typ] {
					if !slices.Contains(cols, c) {
						cols = append(cols, c)
					}
				}
			}
		}
		if len(cols) == 0 {
			cols = columns["cdr"]
		}
		bw.WriteString(strings.Join(cols, ",") + eol)
	}
	line := int64(0)
	if csv {
		line = 1
	}
	var mal []Malformed
	malAt := map[int]bool{}
	for i := 0; i < nmal; i++ {
		malAt[en.r.IntN(len(items)+1)] = true
	}
	for i := 0; i <= len(items); i++ {
		if malAt[i] {
			line++
			bw.WriteString(en.malformed(csv, len(cols)) + eol)
			mal = append(mal, Malformed{path, line})
		}
		if i == len(items) {
			break
		}
		line++
		if csv {
			en.buf = en.csv(en.buf[:0], items[i].e, cols)
		} else {
			en.buf = en.json(en.buf[:0], items[i].e)
		}
		bw.Write(en.buf)
		bw.WriteString(eol)
	}
	if err := bw.Flush(); err != nil {
		return 0, nil, err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return 0, nil, err
		}
	}
	return len(items), mal, f.Close()
}

func (en *encoder) malformed(csv bool, ncols int) string {
	if csv {
		switch en.r.IntN(3) {
		case 0:
			return "cdr,2021-06-01T10:00:00+08:00,notanumber" + strings.Repeat(",", max(ncols-3, 0))
		case 1:
			return "\"unterminated,field" + strings.Repeat(",x", ncols) + "\"x"
		default:
			return "sms,2021-06-01 10:00:00" + strings.Repeat(",", max(ncols-2, 0))
		}
	}
	switch en.r.IntN(4) {
	case 0:
		return `{"type":"cdr","ts":"2021-06-01T10:00:00+08:00","msisdn":"13800138000","peer":"13900139000","dir":"mo","dur":"abc"}`
	case 1:
		return `{"type":"sms","ts":"2021-06-01T10:00:00","msisdn":"13800138000","sender":"106900"}`
	case 2:
		return `{"type":"reg","ts":"2021-06-01T10:00:00+08:00","platform":"x","account":"a","msisdn":true}`
	default:
		return `{"type":"cdr","ts":"2021-06-0`
	}
}

// spell writes some identifiers in other accepted forms.
func (en *encoder) spell(k, v string) (string, bool) {
	r := en.r.Float64()
	switch k {
	case "msisdn", "peer":
		if len(v) == 11 && v[0] == '1' {
			switch {
			case r < 0.04:
				return "+86 " + v[:3] + "-" + v[3:7] + "-" + v[7:], false
			case r < 0.07:
				return "86" + v, false
			case r < 0.3:
				return v, true // as a JSON integer
			}
		}
	case "imei", "imsi", "dur", "shared":
		if r < 0.3 {
			return v, true
		}
	case "platform":
		if r < 0.05 {
			return strings.ToUpper(v), false
		}
	}
	return v, false
}

func (en *encoder) ts(ms int64) string {
	t := time.UnixMilli(ms)
	if en.r.Float64() < 0.2 {
		return t.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	return t.In(cst).Format(time.RFC3339)
}

func (en *encoder) json(b []byte, e *sev) []byte {
	b = append(b, `{"type":"`...)
	b = append(b, e.typ...)
	b = append(b, `","ts":"`...)
	b = append(b, en.ts(e.ts)...)
	b = append(b, '"')
	for _, f := range e.fields {
		b = append(b, ',', '"')
		b = append(b, f.k...)
		b = append(b, `":`...)
		if f.k == "flags" {
			b = append(b, '[')
			for i, x := range strings.Split(f.v, "|") {
				if i > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendQuote(b, x)
			}
			b = append(b, ']')
			continue
		}
		v, num := en.spell(f.k, f.v)
		if num && v[0] != '0' {
			b = append(b, v...)
		} else {
			b = strconv.AppendQuote(b, v)
		}
	}
	return append(b, '}')
}

func (en *encoder) csv(b []byte, e *sev, cols []string) []byte {
	for i, c := range cols {
		if i > 0 {
			b = append(b, ',')
		}
		var v string
		switch c {
		case "type":
			v = e.typ
		case "ts":
			v = en.ts(e.ts)
		default:
			for _, f := range e.fields {
				if f.k == c {
					v, _ = en.spell(f.k, f.v)
				}
			}
		}
		if strings.ContainsAny(v, ",\"\r\n ") {
			b = append(b, '"')
			b = append(b, strings.ReplaceAll(v, `"`, `""`)...)
			b = append(b, '"')
		} else {
			b = append(b, v...)
		}
	}
	return b
}

var _ = fmt.Sprint
