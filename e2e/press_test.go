package e2e

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/zhudun/zhudun/internal/testpg"
)

// TestPressBriefing (issue 17, "How it will be checked"): a year of
// records entered through the API and the importers in the 2021 press
// report's amounts comes back as exactly those figures in the period
// report (GET /api/v1/reports/summary), on the dashboard page
// (/today?year=2021), and in the briefing's .xlsx, PDF and .docx, as the
// city bureau's commander reads them:
//
//   - cyber and Four Cuts: pressData's year (598 cases, 836 people under
//     criminal coercive measures, 127 Four Cuts cases solved, 66 suspects,
//     1,980,000 yuan, 1,210 SIM cards, 79 cat pools and GoIPs, 1,200,000
//     malicious accounts), entered by 网安支队's analyst with its
//     distractors, under the city's 四断2021 campaign (a division's own
//     campaign is not the city's summary's); 治安支队's distractor cases are
//     left out, since the city counts them.
//   - patrol: 160,000 incidents received in 2021 through the history
//     importer (POST /api/v1/incidents/import, in files of 10,000 rows),
//     8,500 closed as rescues, 20,000 as mediated, 82 as criminal cases
//     (some of them disputes) and 87 as public-order cases, against 100 and
//     100 in 2020: −18 % and −13 %.
//   - campus: 320 hazards at 189 schools, 232 rectified on the spot, 100
//     notices (88 issued, 12 re-issued on re-inspection), through the campus
//     API, back-entered (补录) as a bureau migrating its paper records does:
//     the visits dated in April 2021 (at), the notices in May (issued_at),
//     the re-inspections in June (at). They count in 2021 and not this
//     year: this year to date (the dashboard page without a year) has none,
//     in the same five places.
//
// Every expected number and phrase is written here by hand from the press
// report. The three documents' download times are logged (the issue asks
// for under 2 seconds a year of a city's data; a test does not time).
//
// Both backends: SQLite in the data directory, and a fresh PostgreSQL
// database (ZHUDUN_TEST_POSTGRES; the test fails without a server).
func TestPressBriefing(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { pressBriefing(t, start(t)) })
	t.Run("postgres", func(t *testing.T) { pressBriefing(t, start(t, "--db", testpg.FreshDB(t))) })
}

func pressBriefing(t *testing.T, e *env) {
	begun := time.Now()
	e.addUser(t, "city.analyst", "analyst", "ROOT")
	e.addUser(t, "city.commander", "commander", "ROOT")
	ana, wa, cmd := e.apiLogin(t, "city.analyst"), e.apiLogin(t, "wazd.analyst1"), e.apiLogin(t, "city.commander")

	step := time.Now()
	pressRecords(t, ana, wa, nil)
	t.Logf("cyber and Four Cuts records entered through the API in %v", time.Since(step).Round(time.Millisecond))
	step = time.Now()
	pressIncidents(t, cmd)
	t.Logf("161,200 incidents imported in %v", time.Since(step).Round(time.Millisecond))
	step = time.Now()
	pressCampus(t, e.apiLogin(t, "jwbzd.campus1"))
	t.Logf("campus records entered through the API in %v", time.Since(step).Round(time.Millisecond))

	// The year 2021, with 2020 beside it: "value last_year change".
	year := map[string]string{
		"cyber.cases_handled":         "598 2 29800", // 2020: L1 and L2
		"cyber.people_coercive":       "836 1 83500", // 2020: person L
		"fourcuts.cases_solved":       "127 0 null",  // L1 was not in the campaign
		"fourcuts.suspects_caught":    "66 0 null",
		"fourcuts.funds_seized_fen":   "198000000 0 null",
		"fourcuts.sim_cards_seized":   "1210 0 null",
		"fourcuts.devices_seized":     "79 0 null",
		"fourcuts.malicious_accounts": "1200000 0 null",
		"patrol.incidents":            "160000 200 79900",
		"patrol.rescues_services":     "8500 0 null",
		"patrol.disputes_mediated":    "20000 0 null",
		"patrol.criminal_cases":       "82 100 -18",
		"patrol.public_order_cases":   "87 100 -13",
		"campus.hazards":              "320 0 null", // back-entered in 2021
		"campus.schools_involved":     "189 0 null",
		"campus.rectified_on_spot":    "232 0 null",
		"campus.notices":              "100 0 null",
	}
	// This year to date: nothing of the campus section was done this year.
	now := time.Now().In(time.FixedZone("CST", 8*3600))
	ytdQuery := fmt.Sprintf("from=%d-01-01&to=%s", now.Year(), now.Format("2006-01-02"))
	ytd := map[string]string{
		"campus.hazards":           "0 0 null",
		"campus.schools_involved":  "0 0 null",
		"campus.rectified_on_spot": "0 0 null",
		"campus.notices":           "0 0 null",
	}
	const yearQuery = "from=2021-01-01&to=2021-12-31"

	// (1) The period report.
	step = time.Now()
	sum := summaryFigures(t, cmd, yearQuery)
	wantFigures(t, "summary 2021", sum, year)
	// The devices by type, beside the figure: in the report, the workbook
	// (a row per type) and the briefing (prose and sub-rows).
	byType := map[string]string{
		"fourcuts.devices_seized:cat_pool": "50 0 null", "fourcuts.devices_seized:goip": "29 0 null", "fourcuts.devices_seized:phone": "0 0 null",
		"fourcuts.devices_seized:computer": "0 0 null", "fourcuts.devices_seized:server": "0 0 null",
	}
	wantFigures(t, "summary 2021", sum, byType)
	t.Logf("GET /reports/summary?%s: %v", yearQuery, time.Since(step).Round(time.Millisecond))
	wantFigures(t, "summary this year", summaryFigures(t, cmd, ytdQuery), ytd)

	// (3)–(5) The documents, timed.
	docs := map[string][]byte{}
	for _, q := range []string{yearQuery, ytdQuery} {
		for _, f := range []string{"xlsx", "pdf", "docx"} {
			step := time.Now()
			docs[q+f] = cmd.download(t, "/reports/summary."+f+"?"+q)
			t.Logf("summary.%s?%s: %v, %d bytes", f, q, time.Since(step).Round(time.Millisecond), len(docs[q+f]))
		}
	}
	if dir := os.Getenv("ZHUDUN_E2E_ARTIFACTS"); dir != "" {
		for _, f := range []string{"pdf", "docx"} {
			_ = os.WriteFile(filepath.Join(dir, "press-briefing-2021."+f), docs[yearQuery+f], 0o644)
		}
	}
	wantFigures(t, "xlsx 2021", summaryXLSXFigures(t, docs[yearQuery+"xlsx"]), year)
	wantFigures(t, "xlsx 2021", summaryXLSXFigures(t, docs[yearQuery+"xlsx"]), byType)
	wantFigures(t, "xlsx this year", summaryXLSXFigures(t, docs[ytdQuery+"xlsx"]), ytd)

	// The briefing's words: a table row per figure (指标 · 本期 · 去年同期 ·
	// 同比) and the figure in the section's prose.
	yearRows := [][]string{
		{"办理网络犯罪案件", "598起", "2起", "+29800.0%"},
		{"采取刑事强制措施", "836人", "1人", "+83500.0%"},
		{"破获“四断”案件", "127起", "0起", "—"},
		{"抓获犯罪嫌疑人", "66人", "0人", "—"},
		{"扣押冻结涉案资金", "198万元", "0元", "—"},
		{"收缴电话卡", "1210张", "0张", "—"},
		{"收缴猫池、GoIP等设备", "79台", "0台", "—"},
		{"其中：猫池", "50台", "0台", "—"},
		{"其中：GoIP", "29台", "0台", "—"},
		{"发现恶意账号", "120万个", "0个", "—"},
		{"接处警情", "16万起", "200起", "+79900.0%"},
		{"救助服务群众", "8500起", "0起", "—"},
		{"调解矛盾纠纷", "2万起", "0起", "—"},
		{"刑事案件", "82起", "100起", "-18.0%"},
		{"治安案件", "87起", "100起", "-13.0%"},
		{"排查校园安全隐患", "320处", "0处", "—"},
		{"涉及学校", "189所", "0所", "—"},
		{"当场整改", "232处", "0处", "—"},
		{"下发《责令限期整改通知书》", "100份", "0份", "—"},
	}
	yearProse := []string{
		"办理网络犯罪案件598起，同比上升29800.0%", "采取刑事强制措施836人，同比上升83500.0%",
		"破获“四断”案件127起，去年同期为零", "抓获犯罪嫌疑人66人，去年同期为零", "扣押冻结涉案资金198万元，去年同期为零",
		"收缴电话卡1210张，去年同期为零", "收缴猫池、GoIP等设备79台，其中猫池50台、GoIP29台，去年同期为零", "发现恶意账号120万个，去年同期为零",
		"接处警情16万起，同比上升79900.0%", "救助服务群众8500起，去年同期为零", "调解矛盾纠纷2万起，去年同期为零",
		"刑事案件82起，同比下降18.0%", "治安案件87起，同比下降13.0%",
		"排查校园安全隐患320处，去年同期为零", "涉及学校189所，去年同期为零", "当场整改232处，去年同期为零",
		"下发《责令限期整改通知书》100份，去年同期为零",
		"关于2021年主要工作数据的通报",
	}
	ytdRows := [][]string{
		{"排查校园安全隐患", "0处", "0处", "—"},
		{"涉及学校", "0所", "0所", "—"},
		{"当场整改", "0处", "0处", "—"},
		{"下发《责令限期整改通知书》", "0份", "0份", "—"},
	}
	ytdProse := []string{"排查校园安全隐患0处，去年同期亦为零", "涉及学校0所，去年同期亦为零", "当场整改0处，去年同期亦为零",
		"下发《责令限期整改通知书》0份，去年同期亦为零"}
	for _, c := range []struct {
		what  string
		query string
		rows  [][]string
		prose []string
	}{{"2021", yearQuery, yearRows, yearProse}, {"this year", ytdQuery, ytdRows, ytdProse}} {
		for _, d := range []struct {
			kind  string
			cells []string
		}{{"PDF", pdfText(t, docs[c.query+"pdf"])}, {"docx", docxParagraphs(t, docs[c.query+"docx"])}} {
			for _, w := range c.rows {
				if !containsRun(d.cells, w) {
					t.Errorf("the %s %s has no table row %q", c.what, d.kind, w)
				}
			}
			// Prose is broken into lines in the PDF: read it joined.
			all := strings.ReplaceAll(strings.Join(d.cells, ""), "\u3000", "")
			for _, w := range c.prose {
				if !strings.Contains(all, w) {
					t.Errorf("the %s %s does not say %q; its text: %s", c.what, d.kind, w, all)
				}
			}
		}
	}

	// (2) The dashboard page: the whole year 2021 chosen, then this year to
	// date; each row's raw value and the number it shows.
	p := e.newPage(t, "commander", 1440, 900)
	p.login("city.commander", e.password("city.commander"))
	p.open("/today?year=2021")
	trends(p, map[string][3]string{
		"cyber.cases_handled":         {"598", "598", "+29800.0%"},
		"cyber.people_coercive":       {"836", "836", "+83500.0%"},
		"fourcuts.cases_solved":       {"127", "127", "—"},
		"fourcuts.suspects_caught":    {"66", "66", "—"},
		"fourcuts.funds_seized_fen":   {"198000000", "1980000.00", "—"},
		"fourcuts.sim_cards_seized":   {"1210", "1210", "—"},
		"fourcuts.devices_seized":     {"79", "79", "—"},
		"fourcuts.malicious_accounts": {"1200000", "1200000", "—"},
		"patrol.incidents":            {"160000", "160000", "+79900.0%"},
		"patrol.rescues_services":     {"8500", "8500", "—"},
		"patrol.disputes_mediated":    {"20000", "20000", "—"},
		"patrol.criminal_cases":       {"82", "82", "−18.0%"},
		"patrol.public_order_cases":   {"87", "87", "−13.0%"},
		"campus.hazards":              {"320", "320", "—"},
		"campus.schools_involved":     {"189", "189", "—"},
		"campus.rectified_on_spot":    {"232", "232", "—"},
		"campus.notices":              {"100", "100", "—"},
	})
	p.shot("today-2021")
	eval[bool](p, `(document.querySelector('[data-testid="today-trends"]').scrollIntoView(), true)`)
	p.shot("today-2021-trends")
	p.open("/today")
	trends(p, map[string][3]string{
		"campus.hazards":           {"0", "0", "—"},
		"campus.schools_involved":  {"0", "0", "—"},
		"campus.rectified_on_spot": {"0", "0", "—"},
		"campus.notices":           {"0", "0", "—"},
	})
	eval[bool](p, `(document.querySelector('[data-testid="today-trends"]').scrollIntoView(), true)`)
	p.shot("today-this-year-trends")
	t.Logf("the whole test: %v", time.Since(begun).Round(time.Millisecond))
}

// summaryFigures reads the period report as "section.figure" → "value
// last_year change", and each breakdown as "section.figure:key".
func summaryFigures(t *testing.T, a *api, query string) map[string]string {
	t.Helper()
	var raw map[string]map[string]struct {
		pressFigure
		Breakdown map[string]pressFigure `json:"breakdown"`
	}
	if code := a.call("GET", "/reports/summary?"+query, nil, &raw); code != 200 {
		t.Fatalf("summary %s: %d %s", query, code, a.last)
	}
	out := map[string]string{}
	for s, figs := range raw {
		for n, f := range figs {
			out[s+"."+n] = f.pressFigure.String()
			for k, b := range f.Breakdown {
				out[s+"."+n+":"+k] = b.String()
			}
		}
	}
	return out
}

// summaryXLSXFigures reads the briefing's workbook, a sheet per section
// named as the briefing heads it, a row per figure (label, key, value,
// last year, change, …), as "section.figure" → "value last_year change".
func summaryXLSXFigures(t *testing.T, body []byte) map[string]string {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sheets := map[string]string{"打击网络违法犯罪": "cyber", "“四断”专项行动": "fourcuts", "电动自行车消防安全治理": "fire",
		"平安校园建设": "campus", "网格驻巡与接处警": "patrol", "“铸盾”工程": "zhudun"}
	out := map[string]string{}
	for _, name := range x.GetSheetList() {
		sec, ok := sheets[name]
		if !ok {
			t.Fatalf("the workbook has a sheet %q", name)
		}
		rows, err := x.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows[1:] {
			if len(r) < 4 {
				t.Fatalf("sheet %s: row %q", name, r)
			}
			pct := "null"
			if len(r) > 4 && r[4] != "" {
				pct = r[4]
			}
			out[sec+"."+r[1]] = r[2] + " " + r[3] + " " + pct
		}
	}
	return out
}

var (
	docxPara = regexp.MustCompile(`(?s)<w:p[ >].*?</w:p>`)
	docxText = regexp.MustCompile(`(?s)<w:t(?: [^>]*)?>(.*?)</w:t>`)
)

// docxParagraphs is the text of each paragraph of a .docx's body (a
// table cell is a paragraph), in order, read from word/document.xml.
func docxParagraphs(t *testing.T, body []byte) []string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	var doc []byte
	for _, f := range z.File {
		if f.Name == "word/document.xml" {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			doc, _ = io.ReadAll(r)
			r.Close()
		}
	}
	if doc == nil {
		t.Fatal("the .docx has no word/document.xml")
	}
	var out []string
	for _, p := range docxPara.FindAll(doc, -1) {
		var b strings.Builder
		for _, m := range docxText.FindAllSubmatch(p, -1) {
			b.WriteString(html.UnescapeString(string(m[1])))
		}
		out = append(out, b.String())
	}
	return out
}

// trends waits until each row of the dashboard's trends has its raw value
// (data-value), shows its number and its change: key → {raw, shown,
// change}.
func trends(p *page, want map[string][3]string) {
	p.t.Helper()
	for k, w := range want {
		p.waitFor("the trend "+k+" to be "+w[0], fmt.Sprintf(`(() => {
			const li = document.querySelector('[data-testid="today-trend-%s"]')
			return !!li && li.dataset.value === %q && li.querySelector('.n').innerText.trim() === %q && li.querySelector('.chg').innerText.trim() === %q })()`,
			k, w[0], w[1], w[2]))
	}
}

// pressIncidents imports the patrol year through the history importer as
// the city's commander: 160,000 incidents received in 2021 (one every 3
// minutes or so, over the demo city's grids) — 8,500 closed as rescued,
// 20,000 mediated, 82 criminal cases (a quarter of them disputes), 87
// public-order cases, the rest handled or referred, of every category —
// and 200 in 2020: 100 criminal cases, 100 public-order cases.
func pressIncidents(t *testing.T, cmd *api) {
	t.Helper()
	var fc struct {
		Features []patrolGrid `json:"features"`
	}
	if code := cmd.call("GET", "/grids", nil, &fc); code != 200 || len(fc.Features) == 0 {
		t.Fatalf("GET /grids: %d %s", code, cmd.last)
	}
	type row struct {
		category, outcome string
		received          time.Time
	}
	const n2021 = 160000
	kinds := make([]row, 0, n2021)
	add := func(n int, category func(i int) string, outcome string) {
		for i := range n {
			kinds = append(kinds, row{category: category(i), outcome: outcome})
		}
	}
	is := func(c string) func(int) string { return func(int) string { return c } }
	add(8500, is("rescue"), "rescued")
	add(20000, is("dispute"), "mediated")
	add(82, func(i int) string { return map[bool]string{true: "dispute", false: "criminal"}[i%4 == 0] }, "criminal_case")
	add(87, is("public_order"), "public_order_case")
	others := []string{"traffic", "other", "fire", "criminal", "public_order", "dispute", "rescue"}
	rest := n2021 - len(kinds)
	add(rest, func(i int) string { return others[i%len(others)] }, "handled")
	for i := range kinds[n2021-rest:] {
		if i%10 == 0 {
			kinds[n2021-rest+i].outcome = "referred" // one in ten handed to another agency
		}
	}
	// Incident i is received at minute i·525600/160000 of 2021 (Beijing)
	// and gets kind 7919·i mod 160000 (7919 is prime to 160000): the kinds
	// spread over the year.
	start := cst(2021, 1, 1, 0, 0)
	rows := make([]row, 0, n2021+200)
	for i := range n2021 {
		r := kinds[(i*7919)%n2021]
		r.received = start.Add(time.Duration(i*525600/n2021) * time.Minute)
		rows = append(rows, r)
	}
	for i := range 200 {
		r := row{category: "criminal", outcome: "criminal_case", received: cst(2020, 1, 1, 8, 0).AddDate(0, 0, i*366/200)}
		if i%2 == 1 {
			r.category, r.outcome = "public_order", "public_order_case"
		}
		rows = append(rows, r)
	}
	const chunk = 10000
	for c := 0; c*chunk < len(rows); c++ {
		var b strings.Builder
		b.WriteString("category,lon,lat,received_at,closed_at,outcome\n")
		part := rows[c*chunk : min(len(rows), (c+1)*chunk)]
		for i, r := range part {
			g := fc.Features[(c*chunk+i)%len(fc.Features)].Properties.PatrolPoint
			closed := r.received.Add(40 * time.Minute).Format("2006-01-02 15:04")
			fmt.Fprintf(&b, "%s,%.6f,%.6f,%s,%s,%s\n", r.category, g[0], g[1], r.received.Format("2006-01-02 15:04"), closed, r.outcome)
		}
		source := fmt.Sprintf("110警情导出-%02d.csv", c+1)
		req, _ := http.NewRequest("POST", cmd.url+"/api/v1/incidents/import?source="+url.QueryEscape(source), strings.NewReader(b.String()))
		req.Header.Set("Content-Type", "text/csv")
		resp, err := (&http.Client{Jar: cmd.c.Jar, Timeout: 3 * time.Minute}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := fmt.Sprintf(`{"rows":%d,"stored":%d,"skipped":0}`, len(part), len(part)); resp.StatusCode != 200 || strings.TrimSpace(string(body)) != want {
			t.Fatalf("import %s (%d bytes): %d %s, want %s", source, b.Len(), resp.StatusCode, body, want)
		}
	}
}

// pressCampus back-enters the campus year 2021 as 经文保's supervisor: 189
// primary schools imported at a 历下 station, one round (April to June
// 2021), a visit to each in April — 320 hazards (131 schools with two, 58
// with one: each school once among those involved), 232 rectified on the
// spot — a notice issued on 10 May for each of the 88 others (deadline 31
// May); on re-inspection on 1 June 30 notices are closed and 12 re-issued
// as new notices (100 in all, numbered in 2021's series).
func pressCampus(t *testing.T, sup *api) {
	t.Helper()
	var csv strings.Builder
	csv.WriteString("学校代码,学校名称,类型,办学性质,区县代码,派出所,联系人,联系电话\n")
	for i := range 189 {
		fmt.Fprintf(&csv, "TB2021%03d,通报第%d小学,小学,公办,370102,ST370102-01,王老师,139053100%02d\n", i, i+1, i%100)
	}
	req, _ := http.NewRequest("POST", sup.url+"/api/v1/campus/schools/import", strings.NewReader(csv.String()))
	req.Header.Set("Content-Type", "text/csv")
	resp, err := sup.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"imported":189`)) {
		t.Fatalf("school import: %d %s", resp.StatusCode, body)
	}
	var schools struct {
		Items []struct {
			ID   int64  `json:"id"`
			Code string `json:"code"`
		} `json:"items"`
	}
	if code := sup.call("GET", "/campus/schools?limit=500&station=ST370102-01", nil, &schools); code != 200 {
		t.Fatalf("schools: %d %s", code, sup.last)
	}
	var ids []int64
	for _, s := range schools.Items {
		if strings.HasPrefix(s.Code, "TB2021") {
			ids = append(ids, s.ID)
		}
	}
	if len(ids) != 189 {
		t.Fatalf("%d of the imported schools listed, want 189", len(ids))
	}
	var dict struct {
		Checklists map[string]struct {
			Items []struct {
				ID   string `json:"id"`
				Text string `json:"text"`
			} `json:"items"`
		} `json:"checklists"`
	}
	if code := sup.call("GET", "/dictionaries/campus", nil, &dict); code != 200 || len(dict.Checklists["primary"].Items) < 2 {
		t.Fatalf("dictionaries: %d %s", code, sup.last)
	}
	items := dict.Checklists["primary"].Items
	type created struct {
		ID int64 `json:"id"`
	}
	var g, round created
	if err := sup.send("POST", "/campus/groups", map[string]any{"name": "通报数据联合督导组", "members": []map[string]any{
		{"name": "刘科长", "agency": "police"}, {"name": "孙老师", "agency": "education"}}}, &g); err != nil {
		t.Fatal(err)
	}
	if err := sup.send("POST", "/campus/rounds", map[string]any{"name": "平安校园全面排查", "group_id": g.ID,
		"start_day": "2021-04-01", "end_day": "2021-06-30", "schools": ids}, &round); err != nil {
		t.Fatal(err)
	}
	open := make([][]int64, len(ids)) // per school, the hazards awaiting a notice
	inParallel(t, len(ids), func(i int) error {
		var rs []map[string]any
		for j, it := range items {
			r := map[string]any{"item": it.ID, "result": "pass"}
			if j == 0 || (j == 1 && i < 131) {
				r["result"], r["hazard"] = "fail", map[string]any{"severity": "general", "description": "检查发现：" + it.Text, "rectified_on_spot": !(j == 0 && i < 88)}
			}
			rs = append(rs, r)
		}
		var v struct {
			Hazards []struct {
				ID     int64  `json:"id"`
				Status string `json:"status"`
			} `json:"hazards"`
		}
		at := cst(2021, 4, 1+i%30, 9, 0) // April 2021, Beijing time
		if err := sup.send("POST", "/campus/visits", map[string]any{"round_id": round.ID, "school_id": ids[i], "mode": "overt",
			"at": at, "officers": []string{"张警官", "李警官"}, "results": rs}, &v); err != nil {
			return err
		}
		for _, h := range v.Hazards {
			if h.Status == "open" {
				open[i] = append(open[i], h.ID)
			}
		}
		return nil
	})
	var hazards []int64
	for _, o := range open {
		hazards = append(hazards, o...)
	}
	if len(hazards) != 88 {
		t.Fatalf("%d hazards await a notice, want 88", len(hazards))
	}
	notices := make([]int64, len(hazards))
	numbers := make([]string, len(hazards))
	inParallel(t, len(hazards), func(i int) error {
		var n struct {
			ID     int64  `json:"id"`
			Number string `json:"number"`
		}
		err := sup.send("POST", "/campus/notices", map[string]any{"hazards": []int64{hazards[i]}, "legal_basis": "internal_security_19",
			"issued_at": cst(2021, 5, 10, 10, 0), "deadline": "2021-05-31", "school_rep": "王建国", "officers": []string{"张警官", "李警官"}}, &n)
		notices[i], numbers[i] = n.ID, n.Number
		return err
	})
	for _, n := range numbers {
		if !strings.Contains(n, "责改字〔2021〕") {
			t.Fatalf("a notice issued on 10 May 2021 is numbered %s", n)
		}
	}
	inParallel(t, 42, func(i int) error {
		body := map[string]any{"outcome": "close", "reason": "复查合格", "at": cst(2021, 6, 1, 10, 0)}
		if i >= 30 {
			body = map[string]any{"outcome": "reissue", "deadline": "2021-06-30", "reason": "复查仍未整改，重新下达", "at": cst(2021, 6, 1, 10, 0)}
		}
		return sup.send("POST", fmt.Sprintf("/campus/notices/%d/reinspect", notices[i]), body, nil)
	})
}
