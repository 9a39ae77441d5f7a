package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/zhudun/zhudun/cli"
	"github.com/zhudun/zhudun/internal/pdftext"
	"github.com/zhudun/zhudun/internal/testpg"
)

// TestCyberPressFigures (issue 12, "How it will be checked"): the press
// report's year — 598 cases, 836 people under coercive measures, 127 Four
// Cuts cases solved, 66 suspects, 1,980,000 yuan, 1,210 SIM cards, 79 cat
// pools and GoIPs, 1,200,000 malicious accounts — entered record by record
// through the public API by an analyst of 网安支队 (WAZD), beside
// distractors that must not count (a merged duplicate, a summons, money
// frozen and returned within the year, the days just outside the year in
// Beijing time, 治安支队's records), comes back as exactly those figures in
// the JSON report, the .xlsx, the PDF and the statistics page; 治安支队's
// own report shows only its own records. Every expected number is written
// here by hand from the data set described in pressData.
//
// Both backends: SQLite in the data directory, and a fresh PostgreSQL
// database (ZHUDUN_TEST_POSTGRES; the test fails without a server).
func TestCyberPressFigures(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { pressFigures(t, start(t)) })
	t.Run("postgres", func(t *testing.T) { pressFigures(t, start(t, "--db", testpg.FreshDB(t))) })
}

// addUser creates an account on the server's data directory with the CLI,
// as an administrator would.
func (e *env) addUser(t *testing.T, username, role, dept string) {
	t.Helper()
	pw := newPassword(username) + "0"
	args := []string{"user", "add", "--data", e.data, "--username", username, "--role", role, "--dept", dept, "--password-stdin"}
	if e.db != "" {
		args = append(args, "--db", e.db)
	}
	var out strings.Builder
	if code := cli.Main(context.Background(), args, strings.NewReader(pw+"\n"), &out, &out); code != 0 {
		t.Fatalf("user add %s: %s", username, out.String())
	}
	e.setPassword(username, pw)
}

// send is one request that is safe from many goroutines: no testing.T, no
// shared last answer.
func (a *api) send(method, path string, body, out any) error {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, a.url+"/api/v1"+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.c.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s %s: %d %s", method, path, b, resp.StatusCode, rb)
	}
	if out != nil {
		return json.Unmarshal(rb, out)
	}
	return nil
}

// inParallel runs f(0..n-1) on a few workers (the server's one SQLite
// writer is the limit; the workers overlap the requests' round trips) and
// fails the test on the first error.
func inParallel(t *testing.T, n int, f func(i int) error) {
	t.Helper()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan int)
	)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := range n {
		mu.Lock()
		failed := first != nil
		mu.Unlock()
		if failed {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if first != nil {
		t.Fatal(first)
	}
}

// cst is a moment in Beijing time.
func cst(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, time.FixedZone("CST", 8*3600))
}

// pressID is the resident ID of the data set's person k: a valid birth
// day and check digit, distinct for every k below 5000.
func pressID(k int) string {
	born := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, k)
	return idNumber(fmt.Sprintf("370102%s%03d", born.Format("20060102"), k%1000))
}

// pressData enters the data set (WAZD's analyst wa, ZAZD's analyst za):
//
//	WAZD 2021 (the press report):
//	  cases 0..597 received in 2021, case i on day i*365/598 at 10:00, case 0
//	    at 01-01 00:05 and case 597 at 12-31 23:50 (Beijing); cases 0..126
//	    tagged 四断 and filed and solved the day they were received.
//	  people 0..835, one suspect each, person k in case k mod 598, each
//	    detained the case's day: 836 people; 0..99 also arrested 10 days
//	    later (two measures, once); 700..719 also in case k+1 mod 598 under
//	    bail (two cases, once: the same resident ID is one person); 0..65
//	    caught the case's day (all in 四断 cases: 66); person 0 caught again
//	    in case 300 (once).
//	  funds (四断 cases): 1,200,000.00 frozen 03-01, 500,000.00 seized
//	    06-15, 200,000.00 frozen 11-01 and returned 2022-02-01 (held at the
//	    year's end: counts), 80,000.00 seized 12-31, 150,000.00 frozen 04-01
//	    and returned 10-01 (nothing held) = 1,980,000.00.
//	  SIM cards 1,000 + 200 + 10 (the 10 on the duplicate) = 1,210.
//	  devices: cat pools 40 + 10, GoIP 29 = 79.
//	  accounts: 1,000,000 and 199,998 unlisted, wechat:m1 + qq:m2 listed
//	    and wechat:m1 again (once) = 1,200,000.
//	  distractors: five people summoned only (cases 200..204); a duplicate
//	    received 05-05 with person 5 detained 05-06 and the 10 SIM cards,
//	    merged into case 5 (the duplicate never counts, its records do,
//	    once); case N received 2022-01-01 00:10 Beijing (16:10 UTC, still
//	    2021 in UTC) with 99,999.99 frozen 2022-01-01, 7 SIM cards and 5
//	    cat pools on 2022-01-02.
//	WAZD 2020 (last year): L1 received 03-03, filed and solved 03-05,
//	  person L caught and detained 03-04, 500,000.00 frozen 03-05, 50 SIM
//	  cards 12-31, 3 cat pools and 100 accounts 06-01; L2 received 12-31
//	  23:50 Beijing.
//	ZAZD 2021 (another department): 7 cases received, 2 filed and solved;
//	  five people detained (one of them WAZD's person 1, by the same
//	  resident ID), one caught; 1,000,000.00 seized, 300 SIM cards, 4 GoIP,
//	  5,000 accounts.
func pressData(t *testing.T, wa, za *api) (campaign int64) { return pressRecords(t, wa, wa, za) }

// pressRecords enters pressData's data set with the 四断2021 campaign
// created by owner, for its department (the city's campaign when owner
// works at the city bureau), and 治安支队's records only when za is not
// nil.
func pressRecords(t *testing.T, owner, wa, za *api) (campaign int64) {
	type created struct {
		ID int64 `json:"id"`
	}
	var sd created
	if err := owner.send("POST", "/campaigns", map[string]any{"name": "四断2021", "from": "2021-01-01", "to": "2021-12-31"}, &sd); err != nil {
		t.Fatal(err)
	}
	const nCases, nFourCuts, nPeople = 598, 127, 836
	received := make([]time.Time, nCases)
	for i := range received {
		received[i] = cst(2021, 1, 1, 10, 0).AddDate(0, 0, i*365/nCases)
	}
	received[0], received[nCases-1] = cst(2021, 1, 1, 0, 5), cst(2021, 12, 31, 23, 50)
	day := func(t time.Time) string { return t.Format("2006-01-02") }
	ids := make([]int64, nCases)
	inParallel(t, nCases, func(i int) error {
		n := map[string]any{"title": fmt.Sprintf("网络诈骗案%03d", i), "type": "telecom_fraud", "received_at": received[i]}
		if i < nFourCuts {
			n["campaigns"] = []int64{sd.ID}
		}
		var c created
		if err := wa.send("POST", "/cases", n, &c); err != nil {
			return err
		}
		ids[i] = c.ID
		if i >= nFourCuts {
			return nil
		}
		for h, to := range []string{"filed", "solved"} {
			if err := wa.send("POST", fmt.Sprintf("/cases/%d/transition", c.ID), map[string]any{"to": to, "at": received[i].Add(time.Duration(h+1) * time.Minute)}, nil); err != nil {
				return err
			}
		}
		return nil
	})
	suspect := func(a *api, cs int64, name, idno, caught string) (int64, error) {
		var p struct {
			Person int64 `json:"person"`
		}
		err := a.send("POST", fmt.Sprintf("/cases/%d/people", cs), map[string]any{"name": name, "id_number": idno, "role": "suspect", "apprehended_on": caught}, &p)
		return p.Person, err
	}
	measure := func(a *api, cs, person int64, kind, from string) error {
		return a.send("POST", fmt.Sprintf("/cases/%d/measures", cs), map[string]any{"person": person, "kind": kind, "from": from,
			"authority": "济南市公安局", "document_no": "济公网" + kind + "〔2021〕" + fmt.Sprint(person) + "号"}, nil)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	seize := func(a *api, cs int64, s map[string]any) {
		t.Helper()
		must(a.send("POST", fmt.Sprintf("/cases/%d/seizures", cs), s, nil))
	}
	newCase := func(a *api, n map[string]any) int64 {
		t.Helper()
		var c created
		must(a.send("POST", "/cases", n, &c))
		return c.ID
	}
	detained := func(a *api, cs int64, name, idno, caught, on string) {
		t.Helper()
		p, err := suspect(a, cs, name, idno, caught)
		must(err)
		must(measure(a, cs, p, "detention", on))
	}
	steps := func(a *api, cs int64, at time.Time) {
		t.Helper()
		for _, to := range []string{"filed", "solved"} {
			must(a.send("POST", fmt.Sprintf("/cases/%d/transition", cs), map[string]any{"to": to, "at": at}, nil))
		}
	}
	inParallel(t, nPeople, func(k int) error {
		c := k % nCases
		caught := ""
		if k < 66 {
			caught = day(received[c])
		}
		p, err := suspect(wa, ids[c], fmt.Sprintf("嫌疑人%03d", k), pressID(k), caught)
		if err != nil {
			return err
		}
		if err := measure(wa, ids[c], p, "detention", day(received[c])); err != nil {
			return err
		}
		if k < 100 {
			if err := measure(wa, ids[c], p, "arrest", day(received[c].AddDate(0, 0, 10))); err != nil {
				return err
			}
		}
		if k >= 700 && k < 720 {
			c2 := (k + 1) % nCases
			p2, err := suspect(wa, ids[c2], fmt.Sprintf("嫌疑人%03d", k), pressID(k), "")
			if err != nil {
				return err
			}
			if p2 != p {
				return fmt.Errorf("person %d: two records (%d, %d) for one resident ID", k, p, p2)
			}
			return measure(wa, ids[c2], p, "bail", day(received[c2]))
		}
		return nil
	})
	_, err := suspect(wa, ids[300], "嫌疑人000", pressID(0), day(received[300]))
	must(err)
	inParallel(t, 5, func(i int) error {
		p, err := suspect(wa, ids[200+i], fmt.Sprintf("传唤人%d", i), pressID(1000+i), "")
		if err != nil {
			return err
		}
		return measure(wa, ids[200+i], p, "summons", day(received[200+i]))
	})
	funds := func(amount, state string, days ...string) map[string]any {
		m := map[string]any{"kind": "funds", "amount": amount, "state": state, "bank": "中国工商银行", "account": "62220210" + strings.ReplaceAll(amount, ".", "")}
		for i := 0; i < len(days); i += 2 {
			m[days[i]] = days[i+1]
		}
		return m
	}
	seize(wa, ids[1], funds("1200000.00", "frozen", "frozen_on", "2021-03-01"))
	seize(wa, ids[2], funds("500000.00", "seized", "seized_on", "2021-06-15"))
	seize(wa, ids[3], funds("200000.00", "returned", "frozen_on", "2021-11-01", "returned_on", "2022-02-01"))
	seize(wa, ids[4], funds("80000.00", "seized", "seized_on", "2021-12-31"))
	seize(wa, ids[6], funds("150000.00", "returned", "frozen_on", "2021-04-01", "returned_on", "2021-10-01"))
	seize(wa, ids[8], map[string]any{"kind": "sim_cards", "count": 1000, "seized_on": "2021-08-08"})
	seize(wa, ids[9], map[string]any{"kind": "sim_cards", "count": 200, "seized_on": "2021-09-09"})
	seize(wa, ids[11], map[string]any{"kind": "devices", "device_type": "cat_pool", "slots": 64, "count": 40, "seized_on": "2021-04-04"})
	seize(wa, ids[12], map[string]any{"kind": "devices", "device_type": "cat_pool", "slots": 32, "count": 10, "seized_on": "2021-05-05"})
	seize(wa, ids[13], map[string]any{"kind": "devices", "device_type": "goip", "slots": 8, "count": 29, "seized_on": "2021-06-06"})
	seize(wa, ids[15], map[string]any{"kind": "accounts", "count": 1000000, "seized_on": "2021-10-10"})
	seize(wa, ids[16], map[string]any{"kind": "accounts", "count": 199998, "seized_on": "2021-10-11"})
	seize(wa, ids[17], map[string]any{"kind": "accounts", "count": 2, "items": []string{"wechat:m1", "qq:m2"}, "seized_on": "2021-10-12"})
	seize(wa, ids[18], map[string]any{"kind": "accounts", "count": 1, "items": []string{"wechat:m1"}, "seized_on": "2021-10-13"})

	// The duplicate, merged into case 5.
	dup := newCase(wa, map[string]any{"title": "网络诈骗案005（重复受理）", "type": "telecom_fraud", "received_at": cst(2021, 5, 5, 10, 0)})
	detained(wa, dup, "嫌疑人005", pressID(5), "", "2021-05-06")
	seize(wa, dup, map[string]any{"kind": "sim_cards", "count": 10, "seized_on": "2021-05-06"})
	must(wa.send("POST", fmt.Sprintf("/cases/%d/merge", dup), map[string]any{"into": ids[5], "reason": "同一案件重复受理"}, nil))
	// Just past the year in Beijing, still 2021 in UTC.
	next := newCase(wa, map[string]any{"title": "次年元旦案", "type": "telecom_fraud", "received_at": cst(2022, 1, 1, 0, 10), "campaigns": []int64{sd.ID}})
	seize(wa, next, funds("99999.99", "frozen", "frozen_on", "2022-01-01"))
	seize(wa, next, map[string]any{"kind": "sim_cards", "count": 7, "seized_on": "2022-01-02"})
	seize(wa, next, map[string]any{"kind": "devices", "device_type": "cat_pool", "slots": 16, "count": 5, "seized_on": "2022-01-02"})

	// Last year.
	l1 := newCase(wa, map[string]any{"title": "去年案件", "type": "telecom_fraud", "received_at": cst(2020, 3, 3, 10, 0)})
	steps(wa, l1, cst(2020, 3, 5, 10, 0))
	detained(wa, l1, "去年嫌疑人", pressID(2000), "2020-03-04", "2020-03-04")
	seize(wa, l1, funds("500000.01", "frozen", "frozen_on", "2020-03-05"))
	seize(wa, l1, map[string]any{"kind": "sim_cards", "count": 50, "seized_on": "2020-12-31"})
	seize(wa, l1, map[string]any{"kind": "devices", "device_type": "cat_pool", "slots": 8, "count": 3, "seized_on": "2020-06-01"})
	seize(wa, l1, map[string]any{"kind": "accounts", "count": 100, "seized_on": "2020-06-01"})
	newCase(wa, map[string]any{"title": "去年末案件", "type": "telecom_fraud", "received_at": cst(2020, 12, 31, 23, 50)})

	// 治安支队's year.
	if za == nil {
		return sd.ID
	}
	zc := make([]int64, 7)
	for i := range zc {
		zc[i] = newCase(za, map[string]any{"title": fmt.Sprintf("治安支队案%d", i), "type": "gambling", "received_at": cst(2021, 2, 2+i, 10, 0)})
		if i < 2 {
			steps(za, zc[i], cst(2021, 3, 1, 10, 0))
		}
	}
	for i, k := range []int{1, 3001, 3002, 3003, 3004} {
		caught := ""
		if i == 1 {
			caught = "2021-03-01"
		}
		detained(za, zc[i], fmt.Sprintf("治安嫌疑人%d", i), pressID(k), caught, "2021-03-02")
	}
	seize(za, zc[0], funds("1000000.00", "seized", "seized_on", "2021-04-01"))
	seize(za, zc[0], map[string]any{"kind": "sim_cards", "count": 300, "seized_on": "2021-04-01"})
	seize(za, zc[1], map[string]any{"kind": "devices", "device_type": "goip", "slots": 16, "count": 4, "seized_on": "2021-04-01"})
	seize(za, zc[1], map[string]any{"kind": "accounts", "count": 5000, "seized_on": "2021-04-01"})
	return sd.ID
}

// pressFigure is one figure as the report says it: "value last_year
// change" (change "null" when last year is 0).
type pressFigure struct {
	Value     float64  `json:"value"`
	LastYear  float64  `json:"last_year"`
	ChangePct *float64 `json:"change_pct"`
}

func (f pressFigure) String() string {
	n := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	c := "null"
	if f.ChangePct != nil {
		c = n(*f.ChangePct)
	}
	return n(f.Value) + " " + n(f.LastYear) + " " + c
}

// reportFigures reads the JSON report's figures and breakdowns as
// "key" → "value last_year change".
func reportFigures(t *testing.T, a *api, query string) map[string]string {
	t.Helper()
	var raw struct {
		Figures map[string]json.RawMessage `json:"figures"`
	}
	if code := a.call("GET", "/reports/cyber?"+query, nil, &raw); code != 200 {
		t.Fatalf("report %s: %d %s", query, code, a.last)
	}
	groups := map[string]bool{"people_by_measure": true, "devices_by_type": true, "funds_breakdown": true, "malicious_accounts_breakdown": true}
	out := map[string]string{}
	for k, v := range raw.Figures {
		if groups[k] {
			var group map[string]pressFigure
			if err := json.Unmarshal(v, &group); err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			for g, f := range group {
				out[k+":"+g] = f.String()
			}
			continue
		}
		var f pressFigure
		if json.Unmarshal(v, &f) == nil {
			out[k] = f.String()
		}
	}
	return out
}

func wantFigures(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s = %q; want %q", what, k, got[k], w)
		}
	}
}

func pressFigures(t *testing.T, e *env) {
	e.addUser(t, "zazd.analyst", "analyst", "ZAZD")
	e.addUser(t, "wazd.commander", "commander", "WAZD")
	e.addUser(t, "zazd.commander", "commander", "ZAZD")
	wa, za := e.apiLogin(t, "wazd.analyst1"), e.apiLogin(t, "zazd.analyst")
	t0 := time.Now()
	campaign := pressData(t, wa, za)
	t.Logf("data set entered through the API in %v", time.Since(t0).Round(time.Millisecond))

	cmd := e.apiLogin(t, "wazd.commander")
	const year = "from=2021-01-01&to=2021-12-31"
	// The press report, with last year (2020) beside it.
	press := map[string]string{
		"cases_handled":               "598 2 29800", // L1, L2 last year
		"cases_filed":                 "127 1 12600", // L1
		"cases_solved":                "127 1 12600", // L1
		"cases_transferred":           "0 0 null",    //
		"people_coercive":             "836 1 83500", // person L
		"suspects_caught":             "66 1 6500",   // person L
		"funds_seized_fen":            "198000000 50000001 296",
		"sim_cards_seized":            "1210 50 2320",
		"devices_seized":              "79 3 2533.3",
		"malicious_accounts":          "1200000 100 1199900",
		"people_by_measure:detention": "836 1 83500", "people_by_measure:arrest": "100 0 null", "people_by_measure:bail": "20 0 null",
		"people_by_measure:compelled_appearance": "0 0 null", "people_by_measure:residential_surveillance": "0 0 null",
		"funds_breakdown:frozen_or_seized_fen": "213000000 50000001 326", "funds_breakdown:returned_fen": "15000000 0 null",
		"devices_by_type:cat_pool": "50 3 1566.7", "devices_by_type:goip": "29 0 null", "devices_by_type:phone": "0 0 null",
		"malicious_accounts_breakdown:confirmed_in_workbench": "0 0 null", "malicious_accounts_breakdown:seized": "1200000 100 1199900",
	}
	wantFigures(t, "WAZD 2021", reportFigures(t, cmd, year), press)
	wantFigures(t, "WAZD 2021 dept=WAZD", reportFigures(t, cmd, year+"&dept=WAZD"), press)
	// The Four Cuts campaign: its 127 cases hold every seizure and every
	// apprehension; its people are persons 0..126 and 598..724 (254).
	wantFigures(t, "WAZD 2021 四断", reportFigures(t, cmd, fmt.Sprintf("%s&campaign=%d", year, campaign)), map[string]string{
		"cases_handled": "127 0 null", "cases_filed": "127 0 null", "cases_solved": "127 0 null", "people_coercive": "254 0 null",
		"suspects_caught": "66 0 null", "funds_seized_fen": "198000000 0 null", "sim_cards_seized": "1210 0 null",
		"devices_seized": "79 0 null", "malicious_accounts": "1200000 0 null",
	})
	// 治安支队's commander sees its own year only, and none of WAZD's.
	zcmd := e.apiLogin(t, "zazd.commander")
	wantFigures(t, "ZAZD 2021", reportFigures(t, zcmd, year), map[string]string{
		"cases_handled": "7 0 null", "cases_filed": "2 0 null", "cases_solved": "2 0 null", "cases_transferred": "0 0 null",
		"people_coercive": "5 0 null", "suspects_caught": "1 0 null", "funds_seized_fen": "100000000 0 null",
		"sim_cards_seized": "300 0 null", "devices_seized": "4 0 null", "malicious_accounts": "5000 0 null",
	})
	if code := zcmd.call("GET", "/reports/cyber?"+year+"&dept=WAZD", nil, nil); code != 404 {
		t.Errorf("ZAZD's commander asks for WAZD's report: %d", code)
	}

	// The .xlsx: one row per figure (value, last year, change; money in fen).
	xl := cmd.download(t, "/reports/cyber?"+year+"&format=xlsx")
	xlsx := xlsxFigures(t, xl)
	wantFigures(t, "xlsx", xlsx, press)

	// The PDF: the text its page draws, row by row (money in yuan).
	pdf := cmd.download(t, "/reports/cyber?"+year+"&format=pdf")
	if dir := os.Getenv("ZHUDUN_E2E_ARTIFACTS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "cyber-press-2021.pdf"), pdf, 0o644)
	}
	cells := pdfText(t, pdf)
	for _, w := range [][]string{
		{"受理网络犯罪案件", "起", "598", "2", "+29800.0%"},
		{"立案", "起", "127", "1", "+12600.0%"},
		{"破案", "起", "127", "1", "+12600.0%"},
		{"移送起诉", "起", "0", "0", "—"},
		{"采取刑事强制措施", "人", "836", "1", "+83500.0%"},
		{"抓获犯罪嫌疑人", "人", "66", "1", "+6500.0%"},
		{"查扣冻结涉案资金（扣除返还）", "元", "1980000.00", "500000.01", "+296.0%"},
		{"缴获手机卡", "张", "1210", "50", "+2320.0%"},
		{"缴获涉案设备", "台", "79", "3", "+2533.3%"},
		{"发现恶意账号", "个", "1200000", "100", "+1199900.0%"},
	} {
		if !containsRun(cells, w) {
			t.Errorf("the PDF has no row %q; its text: %q", w, cells)
		}
	}
	if !containsRun(cells, []string{"统计期间：2021-01-01 至 2021-12-31（与去年同期比较）"}) {
		t.Errorf("the PDF does not name the period: %q", cells)
	}

	// The page: the ten cards, as a commander sees them.
	p := e.newPage(t, "commander", 1440, 900)
	p.login("wazd.commander", e.password("wazd.commander"))
	p.open("/cases/stats")
	p.waitVisible(`[data-testid="cyber-cards"]`)
	setRange(p, "2021-01-01", "2021-12-31")
	cards(p, map[string]string{
		"cases_handled": "598", "cases_filed": "127", "cases_solved": "127", "cases_transferred": "0", "people_coercive": "836", "suspects_caught": "66",
		"funds_seized_fen": "1,980,000.00 元", "sim_cards_seized": "1,210", "devices_seized": "79", "malicious_accounts": "1,200,000",
	})
	p.waitTextIn(`[data-testid="cyber-card-cases_handled"]`, "+29800.0%")
	p.shot("press-figures")
}

// download GETs an export and returns its body.
func (a *api) download(t *testing.T, path string) []byte {
	t.Helper()
	resp, err := a.c.Get(a.url + "/api/v1" + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return b
}

// setRange types a period into the statistics page's date range and runs
// the report, as a user would.
func setRange(p *page, from, to string) {
	p.t.Helper()
	p.settle()
	p.typeInto(`[data-testid="cyber-range"] input:nth-of-type(1), .el-range-editor input.el-range-input:nth-of-type(1)`, from)
	p.typeInto(`.el-range-editor input.el-range-input:nth-of-type(2)`, to)
	p.press("\r")
	p.click(`[data-testid="cyber-search"]`)
	p.settle()
}

// pdfText is the PDF's text strings, page after page, in drawing order
// (internal/pdftext: what the pages show, read without a PDF library).
func pdfText(t *testing.T, pdf []byte) []string {
	t.Helper()
	pages, err := pdftext.Pages(pdf)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range pages {
		out = append(out, p...)
	}
	return out
}

// containsRun reports whether want occurs in cells as consecutive strings.
func containsRun(cells, want []string) bool {
	for i := 0; i+len(want) <= len(cells); i++ {
		ok := true
		for j, w := range want {
			if strings.TrimSpace(cells[i+j]) != w {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// cards waits until each of the statistics page's cards shows its value
// (the value alone, as the card prints it).
func cards(p *page, want map[string]string) {
	p.t.Helper()
	for k, w := range want {
		p.waitFor("the card "+k+" to show "+w, fmt.Sprintf(`(() => { const el = document.querySelector('[data-testid="cyber-card-%s"] .card-n'); return !!el && el.innerText.trim() === %q })()`, k, w))
	}
}

// sse is one user's event stream, as the notification area receives it.
type sse struct {
	events chan sseEvent
}

type sseEvent struct {
	Type string
	Raw  string // the data line, JSON
}

// stream opens the user's event stream (GET /api/v1/events/stream) for the
// rest of the test.
func (a *api) stream(t *testing.T) *sse {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", a.url+"/api/v1/events/stream", nil)
	c := &http.Client{Jar: a.c.Jar} // no timeout: the stream lives as long as the test
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("event stream: %d", resp.StatusCode)
	}
	s := &sse{events: make(chan sseEvent, 1000)}
	go func() {
		defer resp.Body.Close()
		defer close(s.events)
		sc := bufio.NewScanner(resp.Body)
		var typ string
		for sc.Scan() {
			l := sc.Text()
			if v, ok := strings.CutPrefix(l, "event: "); ok {
				typ = v
			} else if v, ok := strings.CutPrefix(l, "data: "); ok {
				ev := sseEvent{Type: typ, Raw: v}
				select {
				case s.events <- ev:
				default:
				}
			}
		}
	}()
	return s
}

// until reads the stream up to the first event that match accepts, within
// d, and returns the events before it.
func (s *sse) until(t *testing.T, d time.Duration, what string, match func(sseEvent) bool) []sseEvent {
	t.Helper()
	var seen []sseEvent
	timeout := time.After(d)
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				t.Fatalf("the event stream closed before %s", what)
			}
			if match(ev) {
				return seen
			}
			seen = append(seen, ev)
		case <-timeout:
			t.Fatalf("no %s within %v; events seen: %+v", what, d, seen)
		}
	}
}

// xlsxFigures reads the report's .xlsx as "key" → "value last_year
// change" (breakdowns as "section:key"), from the cells.
func xlsxFigures(t *testing.T, body []byte) map[string]string {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows("cyber")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows[1:] {
		if len(r) < 6 {
			t.Fatalf("xlsx row %q", r)
		}
		pct := "null"
		if len(r) > 6 && r[6] != "" {
			pct = r[6]
		}
		k := r[1]
		if r[0] != "figure" {
			k = r[0] + ":" + r[1]
		}
		out[k] = r[4] + " " + r[5] + " " + pct
	}
	return out
}
