package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/zhudun/zhudun/internal/testpg"
)

// TestCaseFromGang (issue 12, item 7): the engine finds a cat pool's
// gang; the analyst opens a case from the gang page (立案侦查), lands on
// the case with the gang's entities, adds a suspect with resident ID and
// phone (shown masked), a criminal detention and frozen funds typed in
// yuan (stored in fen), files the case (立案: its number) and sees the
// suspect's person page; saves a search on the case list; an analyst of
// another division is denied the case by list, id and page.
//
// Both backends: SQLite, and a fresh PostgreSQL database.
func TestCaseFromGang(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { caseFromGang(t, start(t)) })
	t.Run("postgres", func(t *testing.T) { caseFromGang(t, start(t, "--db", testpg.FreshDB(t))) })
}

func caseFromGang(t *testing.T, e *env) {
	feedSources(t, e, []map[string]any{
		{"name": "cmcc-sd", "kind": "carrier", "binding": "cmcc", "dept": "WAZD"},
		{"name": "wechat", "kind": "platform", "dept": "WAZD"},
	}, 1, 8, false)
	analyst := "wazd.analyst1"
	ana := e.apiLogin(t, analyst)
	var list struct {
		Total int
		Items []struct{ Gang string }
	}
	checkFor(t, 60*time.Second, "the engine to find the gang", func() bool {
		ana.call("GET", "/findings?limit=1", nil, &list)
		return list.Total > 0 && list.Items[0].Gang != ""
	})
	gang := list.Items[0].Gang
	// The case's days are in this Beijing year and before today, as the
	// report's default period (this year to today) takes them.
	year, daysAgo := beijingCalendar(time.Now())
	caught, detained, frozen := daysAgo(14), daysAgo(13), daysAgo(12)
	number := "〔" + year + "〕0001号" // filed now: this year's first

	// The campaign report before the case, as 网安支队's commander sees
	// it: the demo city has no case, nothing seized, no account confirmed.
	e.addUser(t, "wazd.commander", "commander", "WAZD")
	e.apiLogin(t, "wazd.commander") // the first password change
	cp := e.newPage(t, "commander", 1440, 900)
	cp.login("wazd.commander", e.password("wazd.commander"))
	cp.open("/cases/stats")
	cards(cp, map[string]string{"cases_handled": "0", "cases_filed": "0", "people_coercive": "0", "suspects_caught": "0",
		"funds_seized_fen": "0.00 元", "sim_cards_seized": "0", "devices_seized": "0", "malicious_accounts": "0"})

	p := e.newPage(t, "analyst", 1440, 900)
	p.login(analyst, e.password(analyst))

	// From the gang page: the dialog opens prefilled, the case is received.
	p.open("/fourcuts/gangs/" + gang)
	p.click(`[data-testid="gang-open-case"]`)
	p.waitVisible(field("nc-title"))
	if v := eval[string](p, `document.querySelector('input[data-testid="nc-title"]').value`); !strings.Contains(v, gang) {
		t.Fatalf("the new case's title is not prefilled with the gang: %q", v)
	}
	p.click(`[data-testid="nc-submit"]`)
	p.waitFor("the case page", `/^\/cases\/\d+$/.test(location.pathname) && !!document.querySelector('[data-testid="case-ref"]')`)
	id := strings.TrimPrefix(p.path(), "/cases/")
	p.waitTextIn(`[data-testid="case-ref"]`, "SA"+year+"-")
	p.waitTextIn(`[data-testid="case-status"]`, "已受案")
	caseTab(p, "entities")
	p.waitTextIn(`[data-testid="case-entities"]`, "1478")
	p.waitVisible(`[data-testid="case-entity-graph"]`)
	p.shot("case-entities")

	// A suspect with resident ID and phone: only masks come back.
	idno := idNumber("37010219900307123")
	caseTab(p, "people")
	p.click(`[data-testid="case-person-add"]`)
	p.typeInto(field("cp-name"), "王某某")
	p.typeInto(field("cp-id"), idno)
	p.typeInto(field("cp-phone"), "13912345678")
	p.click(`[data-testid="cp-submit"]`)
	p.waitTextIn(`[data-testid="case-people"]`, "王某某")
	p.waitTextIn(`[data-testid="case-people"]`, "犯罪嫌疑人")
	if txt := p.textOf(`[data-testid="case-people"]`); strings.Contains(txt, idno) || strings.Contains(txt, "13912345678") {
		t.Fatalf("the people table shows clear personal data: %s", txt)
	}

	// A criminal detention on the suspect (the only suspect is chosen).
	caseTab(p, "measures")
	p.click(`[data-testid="case-measure-add"]`)
	p.click(`[data-testid="cm-kind"]`)
	p.click(`[data-testid="cm-kind-detention"]`)
	p.typeInto("input#cm-from", detained)
	p.press("\r")
	p.typeInto(field("cm-authority"), "济南市公安局")
	p.typeInto(field("cm-document"), "济公网拘字〔"+year+"〕0001号")
	p.click(`[data-testid="cm-submit"]`)
	p.waitTextIn(`[data-testid="case-measures"]`, "刑事拘留")
	p.waitTextIn(`[data-testid="case-measures"]`, detained)

	// 抓获: the suspect's apprehension day.
	caseTab(p, "people")
	p.click(`[data-testid^="case-apprehend-"]`)
	p.typeInto("input#ca-on", caught)
	p.press("\r") // the dialog's one-field form submits on Enter
	p.waitTextIn(`[data-testid="case-people"]`, caught)

	// Frozen funds typed with separators: sent as yuan text, stored in fen.
	caseTab(p, "seizures")
	p.click(`[data-testid="case-seizure-add"]`)
	p.typeInto(field("cz-amount"), "1,980,000.5")
	p.typeInto(field("cz-bank"), "中国工商银行")
	p.typeInto(field("cz-account"), "6222020200001234567")
	p.typeInto("input#cz-frozen-on", frozen)
	p.press("\r")
	p.click(`[data-testid="cz-submit"]`)
	p.waitTextIn(`[data-testid="case-seizures"]`, "1,980,000.50")
	p.waitTextIn(`[data-testid="case-funds-total"]`, "1,980,000.50")
	var c struct {
		Status   string
		Number   string
		Seizures []struct {
			AmountFen int64 `json:"amount_fen"`
			State     string
		}
		Measures []struct{ Kind string }
		People   []struct {
			Person int64
			IDNo   string `json:"id_number"`
		}
	}
	if code := ana.call("GET", "/cases/"+id, nil, &c); code != 200 || len(c.Seizures) != 1 || c.Seizures[0].AmountFen != 198000050 || c.Seizures[0].State != "frozen" ||
		len(c.Measures) != 1 || c.Measures[0].Kind != "detention" || len(c.People) != 1 || c.People[0].IDNo == idno {
		t.Fatalf("case %s: %d %s", id, code, ana.last)
	}
	p.shot("case-seizures")

	// The report follows (this year to today, the page's default): one
	// case received, not filed; one person detained, once; one suspect
	// caught; 1,980,000.50 yuan frozen.
	cp.click(`[data-testid="cyber-search"]`)
	cards(cp, map[string]string{"cases_handled": "1", "cases_filed": "0", "people_coercive": "1", "suspects_caught": "1",
		"funds_seized_fen": "1,980,000.50 元", "sim_cards_seized": "0", "devices_seized": "0", "malicious_accounts": "0"})
	cp.shot("report-after-seizure")

	// 立案: the only valid next steps are shown; filing gives the number.
	p.waitVisible(`[data-testid="case-step-filed"]`)
	if eval[bool](p, `!!document.querySelector('[data-testid="case-step-solved"]')`) {
		t.Fatal("a received case offers 破案")
	}
	p.click(`[data-testid="case-step-filed"]`)
	p.click(`[data-testid="case-step-submit"]`)
	p.waitTextIn(`[data-testid="case-status"]`, "已立案")
	p.waitTextIn(`[data-testid="case-ref"]`, number)
	p.waitVisible(`[data-testid="case-step-solved"]`)
	p.waitVisible(`[data-testid="case-step-revoked"]`)
	caseTab(p, "timeline")
	p.waitTextIn(`[data-testid="case-timeline"]`, "已受案 → 已立案")
	p.shot("case-filed")
	cp.click(`[data-testid="cyber-search"]`)
	cards(cp, map[string]string{"cases_handled": "1", "cases_filed": "1", "cases_solved": "0"})

	// 附件: a screenshot uploaded on the page is listed and downloads as an
	// attachment; an HTML page named .pdf is refused, saying why.
	dir := t.TempDir()
	shot, fake := filepath.Join(dir, "现场截图.png"), filepath.Join(dir, "调证回执.pdf")
	if err := os.WriteFile(shot, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fake, []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), 0o600); err != nil {
		t.Fatal(err)
	}
	caseTab(p, "attachments")
	p.do(chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="case-attachment-file"]`), []string{shot}))
	p.waitTextIn(`[data-testid="case-attachments"]`, "现场截图.png")
	p.waitTextIn(`[data-testid="case-attachments"]`, "PNG")
	p.waitTextIn(`#tab-attachments`, "附件 (1)")
	p.do(chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="case-attachment-file"]`), []string{fake}))
	p.waitTextIn(`[data-testid="case-attachment-error"]`, "调证回执.pdf 未能上传")
	p.waitTextIn(`[data-testid="case-attachment-error"]`, "HTML")
	p.shot("case-attachments")
	var atts struct {
		Total int
		Items []struct {
			ID   int64
			Name string
		}
	}
	if code := ana.call("GET", "/cases/"+id+"/attachments", nil, &atts); code != 200 || atts.Total != 1 || atts.Items[0].Name != "现场截图.png" {
		t.Fatalf("attachments: %d %s", code, ana.last)
	}
	if got := eval[string](p, fmt.Sprintf(`fetch('/api/v1/cases/%s/attachments/%d').then((r) => r.status + ' ' + r.headers.get('content-type') + ' ' + r.headers.get('content-disposition'))`,
		id, atts.Items[0].ID)); got != "200 image/png attachment; filename*=utf-8''%E7%8E%B0%E5%9C%BA%E6%88%AA%E5%9B%BE.png" {
		t.Fatalf("the download: %s", got)
	}

	// 编辑: the title changed in the dialog; the timeline says from what.
	p.click(`[data-testid="case-edit"]`)
	p.typeInto(field("ce-title"), "猫池窝点帮信案")
	p.click(`[data-testid="ce-submit"]`)
	p.waitTextIn(`[data-testid="case-title"]`, "猫池窝点帮信案")
	caseTab(p, "timeline")
	p.waitTextIn(`[data-testid="case-timeline"]`, "编辑案件信息")
	p.waitTextIn(`[data-testid="case-timeline"]`, "→ 猫池窝点帮信案")
	p.waitTextIn(`[data-testid="case-timeline"]`, "上传附件：现场截图.png")
	p.shot("case-edited")

	// The person page: the case and the detention.
	caseTab(p, "people")
	p.click(fmt.Sprintf(`[data-testid="case-person-link-%d"]`, c.People[0].Person))
	p.waitFor("the person page", `location.pathname.startsWith('/people/')`)
	p.waitTextIn(`[data-testid="person-cases"]`, number)
	p.waitTextIn(`[data-testid="person-measures"]`, "刑事拘留")
	p.shot("person")
	p.click(`[data-testid="person-header"] [data-testid="pii-show"]`)
	p.typeInto(`textarea[data-testid="person-pii-reason"]`, "核实犯罪嫌疑人身份")
	p.click(`[data-testid="person-pii-submit"]`)
	p.waitTextIn(`[data-testid="person-pii-result"]`, idno)
	p.waitTextIn(`[data-testid="person-pii-result"]`, "13912345678")
	p.click(`[data-testid="person-pii-close"]`)
	p.noDialog()
	if strings.Contains(p.text(), idno) {
		t.Fatal("the clear ID stays on the page after the dialog closed")
	}

	// The list, a saved search picked again after a reset.
	p.nav("caseList", "/cases")
	p.waitTextIn(`[data-testid="cases-table"]`, number)
	p.typeInto(field("cf-q"), "0001")
	p.click(`[data-testid="cf-apply"]`)
	p.click(`[data-testid="cs-save"]`)
	p.typeInto(field("cs-name"), "e2e-search")
	p.click(`[data-testid="cs-submit"]`)
	p.noDialog()
	p.click(`[data-testid="cf-reset"]`)
	p.waitFor("the filters reset", `document.querySelector('input[data-testid="cf-q"]').value === ''`)
	p.click(`[data-testid="cs-pick"]`)
	p.click(`[data-testid="cs-item-e2e-search"]`)
	p.waitFor("the saved search applied", `document.querySelector('input[data-testid="cf-q"]').value === '0001' && location.search.includes('q=0001')`)
	p.waitTextIn(`[data-testid="cases-table"]`, number)
	p.shot("cases")

	// A campaign created on its page, tagged on the case page.
	p.nav("campaigns", "/cases/campaigns")
	p.click(`[data-testid="campaign-new"]`)
	campaign := "净网" + year
	p.typeInto(field("cg-name"), campaign)
	p.typeInto("input#cg-from", year+"-01-01")
	p.typeInto("input#cg-to", year+"-12-31")
	p.press("\r")
	p.click(`[data-testid="cg-submit"]`)
	p.waitTextIn(`[data-testid="campaigns-table"]`, campaign)
	p.open("/cases/" + id)
	p.click(`[data-testid="case-campaign-pick"]`)
	p.clickText(".el-select-dropdown__item", campaign)
	p.waitTextIn(`[data-testid="case-header"]`, campaign)

	// 串案: another case linked by its receipt, with a reason.
	var linked struct {
		ID      int64
		Receipt string
	}
	if code := ana.call("POST", "/cases", map[string]any{"title": "同一资金账户的另一起诈骗案", "type": "telecom_fraud"}, &linked); code != http.StatusCreated {
		t.Fatalf("linked case: %d %s", code, ana.last)
	}
	// 交叉比对: the other case freezes money in the same account — the
	// case page's alerts tab says so, the account masked.
	if code := ana.call("POST", fmt.Sprintf("/cases/%d/seizures", linked.ID), map[string]any{"kind": "funds", "amount": "20000.00", "state": "frozen",
		"frozen_on": daysAgo(13), "bank": "中国工商银行", "account": "6222020200001234567"}, nil); code != http.StatusCreated {
		t.Fatalf("the other case's seizure: %d %s", code, ana.last)
	}
	p.open("/cases/" + id)
	p.waitVisible(`[data-testid="case-ref"]`)
	caseTab(p, "alerts")
	p.waitTextIn(`[data-testid="case-alerts"]`, "银行账户")
	p.waitTextIn(`[data-testid="case-alerts"]`, "4567")
	if s := p.textOf(`[data-testid="case-alerts"]`); strings.Contains(s, "6222020200001234567") {
		p.fatalf("the alert shows the account in clear: %q", s)
	}
	caseTab(p, "links")
	p.click(`[data-testid="case-link-add"]`)
	p.typeInto(field("cl-other"), linked.Receipt)
	p.typeInto(`textarea[data-testid="cl-reason"]`, "同一收款账户")
	p.click(`[data-testid="cl-submit"]`)
	p.waitTextIn(`[data-testid="case-links"]`, linked.Receipt)
	p.waitTextIn(`[data-testid="case-links"]`, "同一收款账户")

	// 并案: a duplicate received later is merged into the filed case.
	var dup struct{ ID int64 }
	if code := ana.call("POST", "/cases", map[string]any{"title": "重复受理的同一团伙案", "type": "telecom_fraud"}, &dup); code != http.StatusCreated {
		t.Fatalf("second case: %d %s", code, ana.last)
	}
	p.open(fmt.Sprintf("/cases/%d", dup.ID))
	p.click(`[data-testid="case-merge"]`)
	p.typeInto(field("cl-other"), id)
	p.typeInto(`textarea[data-testid="cl-reason"]`, "同一团伙重复受理")
	p.click(`[data-testid="cl-submit"]`)
	p.click(`.el-message-box__btns .el-button--primary`)
	p.waitFor("the surviving case", fmt.Sprintf(`location.pathname === '/cases/%s'`, id))
	var merged struct {
		Status     string
		MergedInto int64 `json:"merged_into"`
	}
	if code := ana.call("GET", fmt.Sprintf("/cases/%d", dup.ID), nil, &merged); code != 200 || merged.Status != "merged" || fmt.Sprint(merged.MergedInto) != id {
		t.Fatalf("merged case: %d %s", code, ana.last)
	}

	// The report again: the linked case joins with its 20,000.00 frozen,
	// the merged duplicate never counts; the campaign is the case alone.
	cp.open("/cases/stats") // the campaign list loads with the page
	cards(cp, map[string]string{"cases_handled": "2", "cases_filed": "1", "people_coercive": "1", "suspects_caught": "1", "funds_seized_fen": "2,000,000.50 元"})
	cp.click(`[data-testid="cyber-campaign"]`)
	cp.clickText(".el-select-dropdown__item", campaign)
	cp.click(`[data-testid="cyber-search"]`)
	cp.waitTextIn(`[data-testid="cyber-scope"]`, campaign)
	cards(cp, map[string]string{"cases_handled": "1", "cases_filed": "1", "people_coercive": "1", "suspects_caught": "1", "funds_seized_fen": "1,980,000.50 元"})
	cp.shot("report-campaign")

	// Every label follows the language switch.
	p.waitTextIn(`[data-testid="case-status"]`, "已立案")
	p.within(10*time.Second, "the messages to go", `!document.querySelector('.el-message')`)
	p.switchLanguage("en")
	p.waitTextIn(`[data-testid="case-status"]`, "Filed")
	p.assertNoChinese("case page")
	caseTab(p, "seizures")
	p.assertNoChinese("case seizures")
	p.click(`[data-testid="case-seizure-add"]`)
	p.assertNoChinese("seizure dialog")
	p.clickText(`[data-testid="case-seizure-dialog"] .el-radio-button`, "Devices")
	p.click(`[data-testid="cz-device-type"]`)
	p.click(`[data-testid="cz-device-cat_pool"]`)
	p.waitVisible(field("cz-slots"))
	p.assertNoChinese("seizure dialog, devices")
	p.shot("seizure-dialog-en")
	p.click(`[data-testid="case-seizure-dialog"] .el-dialog__headerbtn`)
	for _, d := range []struct{ tab, open, dialog string }{
		{"people", "case-person-add", "case-person-dialog"}, {"measures", "case-measure-add", "case-measure-dialog"},
		{"links", "case-link-add", "case-link-dialog"},
	} {
		caseTab(p, d.tab)
		p.assertNoChinese("case tab " + d.tab)
		p.click(`[data-testid="` + d.open + `"]`)
		p.waitVisible(`[data-testid="` + d.dialog + `"]`)
		p.assertNoChinese(d.dialog)
		p.click(`[data-testid="` + d.dialog + `"] .el-dialog__headerbtn`)
	}
	caseTab(p, "people")
	p.click(fmt.Sprintf(`[data-testid="case-person-link-%d"]`, c.People[0].Person))
	p.waitFor("the person page", `location.pathname.startsWith('/people/')`)
	p.waitVisible(`[data-testid="person-measures"]`)
	p.assertNoChinese("person page")
	p.nav("caseList", "/cases")
	p.assertNoChinese("case list")
	// The new-case dialog opens within 300 ms of the click (its lists load behind it).
	p.settle()
	ms := eval[float64](p, `new Promise(res => {
		const t0 = performance.now()
		document.querySelector('[data-testid="case-new"]').click()
		const tick = () => {
			const el = document.querySelector('input[data-testid="nc-title"]')
			if (el && el.getBoundingClientRect().width > 0) return res(performance.now() - t0)
			if (performance.now() - t0 > 5000) return res(99999)
			requestAnimationFrame(tick)
		}
		tick()
	})`)
	if ms > 300 {
		t.Fatalf("the new-case dialog took %.0f ms to open", ms)
	}
	t.Logf("new-case dialog open in %.0f ms", ms)
	p.assertNoChinese("new-case dialog")
	p.click(`[data-testid="nc-cancel"]`)
	p.noDialog()
	p.nav("campaigns", "/cases/campaigns")
	p.assertNoChinese("campaigns")
	p.shot("campaigns-en")
	p.switchLanguage("zh-CN")

	// Another division's analyst: not in the list, 404 by id, page says so.
	other := "zazd.analyst"
	e.addUser(t, other, "analyst", "ZAZD")
	zz := e.apiLogin(t, other)
	var cl struct{ Total int }
	if code := zz.call("GET", "/cases", nil, &cl); code != 200 || cl.Total != 0 {
		t.Fatalf("another division lists %d cases: %d %s", cl.Total, code, zz.last)
	}
	if code := zz.call("GET", "/cases/"+id, nil, nil); code != 404 {
		t.Fatalf("another division reads case %s: %d", id, code)
	}
	q := e.newPage(t, "zazd", 1280, 800)
	q.login(other, e.password(other))
	q.open("/cases/" + id)
	q.waitText("案件不存在，或不在您的数据范围内")

	stationsDenied(t, e, ana, id)
}

// stationsDenied: an analyst of 历下's first station opens a case that
// freezes money in the account of the case from the gang; the station is
// alerted, the case's other readers too. A second station's analyst and
// commander are denied the first station's case by list, id, alerts, the
// event stream and the report's export; the sub-bureau over both sees it.
func stationsDenied(t *testing.T, e *env, ana *api, gangCase string) {
	const st1, st2 = "ST370102-01", "ST370102-02"
	year, daysAgo := beijingCalendar(time.Now())
	e.addUser(t, "st1.analyst", "analyst", st1)
	e.addUser(t, "st2.analyst", "analyst", st2)
	e.addUser(t, "st2.commander", "commander", st2)
	s1, s2 := e.apiLogin(t, "st1.analyst"), e.apiLogin(t, "st2.analyst")
	ev1, ev2 := s1.stream(t), s2.stream(t)
	var sc struct {
		ID    int64
		Title string
	}
	if code := s1.call("POST", "/cases", map[string]any{"title": "一所受理的冒充客服诈骗案", "type": "telecom_fraud"}, &sc); code != http.StatusCreated {
		t.Fatalf("station case: %d %s", code, s1.last)
	}
	if code := s1.call("POST", fmt.Sprintf("/cases/%d/seizures", sc.ID), map[string]any{"kind": "funds", "amount": "50000.00", "state": "frozen",
		"frozen_on": daysAgo(11), "bank": "中国工商银行", "account": "6222020200001234567"}, nil); code != http.StatusCreated {
		t.Fatalf("station seizure: %d %s", code, s1.last)
	}
	alertOf := func(c int64) func(sseEvent) bool {
		return func(ev sseEvent) bool {
			return ev.Type == "case.alert" && strings.Contains(ev.Raw, fmt.Sprintf(`"case_id":%d`, c))
		}
	}
	ev1.until(t, 30*time.Second, "the first station's alert", alertOf(sc.ID))
	// Its two alerts (the gang's case and the linked one hold the account;
	// the merged duplicate alerts nobody) name 网安支队, not its cases.
	type alerts struct {
		Items []struct {
			Other struct {
				Visible bool   `json:"visible"`
				Dept    string `json:"dept"`
				Title   string `json:"title"`
			} `json:"other"`
		}
	}
	var al alerts
	if code := s1.call("GET", fmt.Sprintf("/cases/%d/alerts", sc.ID), nil, &al); code != 200 || len(al.Items) != 2 {
		t.Fatalf("the first station's alerts: %d %s", code, s1.last)
	}
	for _, a := range al.Items {
		if a.Other.Visible || a.Other.Title != "" || a.Other.Dept != "WAZD" {
			t.Errorf("the first station's alert on 网安支队's case: %s", s1.last)
		}
	}
	// And the gang's case is told whom to ask, not what the station holds.
	var ga alerts
	if code := ana.call("GET", "/cases/"+gangCase+"/alerts", nil, &ga); code != 200 || len(ga.Items) == 0 ||
		ga.Items[0].Other.Visible || ga.Items[0].Other.Dept != st1 || ga.Items[0].Other.Title != "" {
		t.Fatalf("the gang case's newest alert: %d %s", code, ana.last)
	}

	// The second station: the events of its own new case come, and none
	// of the first station's case before them (one stream, in order).
	var own struct{ ID int64 }
	if code := s2.call("POST", "/cases", map[string]any{"title": "二所受理的案件", "type": "telecom_fraud"}, &own); code != http.StatusCreated {
		t.Fatalf("second station's case: %d %s", code, s2.last)
	}
	before := ev2.until(t, 30*time.Second, "the second station's own case.created", func(ev sseEvent) bool {
		return ev.Type == "case.created" && strings.Contains(ev.Raw, fmt.Sprintf(`"id":%d`, own.ID))
	})
	for _, ev := range before {
		if strings.HasPrefix(ev.Type, "case.") {
			t.Errorf("the second station was told of another case: %s %s", ev.Type, ev.Raw)
		}
	}
	var cl struct {
		Total int
		Items []struct{ ID int64 }
	}
	if code := s2.call("GET", "/cases", nil, &cl); code != 200 || cl.Total != 1 || len(cl.Items) != 1 || cl.Items[0].ID != own.ID {
		t.Fatalf("the second station lists: %d %s", code, s2.last)
	}
	if code := s2.call("GET", fmt.Sprintf("/cases?q=%s", "冒充客服"), nil, &cl); code != 200 || cl.Total != 0 {
		t.Fatalf("the second station finds the first's case by title: %d %s", code, s2.last)
	}
	for _, path := range []string{fmt.Sprintf("/cases/%d", sc.ID), fmt.Sprintf("/cases/%d/alerts", sc.ID), "/cases/" + gangCase, "/cases/" + gangCase + "/alerts"} {
		if code := s2.call("GET", path, nil, nil); code != 404 {
			t.Errorf("the second station GET %s: %d %s", path, code, s2.last)
		}
	}

	// The export: the second station's commander has its own case only;
	// the first station's figures are 404; 历下分局 over both has both.
	period := "/reports/cyber?from=" + year + "-01-01&to=" + daysAgo(0) + "&format=xlsx" // the page's default period
	c2 := e.apiLogin(t, "st2.commander")
	wantFigures(t, "second station's export", xlsxFigures(t, c2.download(t, period)), map[string]string{
		"cases_handled": "1 0 null", "funds_seized_fen": "0 0 null", "people_coercive": "0 0 null"})
	if code := c2.call("GET", period+"&dept="+st1, nil, nil); code != 404 {
		t.Errorf("the second station's commander exports the first station's figures: %d", code)
	}
	sb := e.apiLogin(t, "lixia.commander")
	wantFigures(t, "历下分局's export", xlsxFigures(t, sb.download(t, period)), map[string]string{
		"cases_handled": "2 0 null", "funds_seized_fen": "5000000 0 null"})

	// In the browser: not in the list, the page says so.
	q := e.newPage(t, "st2", 1280, 800)
	q.login("st2.analyst", e.password("st2.analyst"))
	q.open("/cases")
	q.waitTextIn(`[data-testid="cases-table"]`, "二所受理的案件")
	if strings.Contains(q.textOf(`[data-testid="cases-table"]`), sc.Title) {
		q.fatalf("the second station's list shows the first station's case")
	}
	q.open(fmt.Sprintf("/cases/%d", sc.ID))
	q.waitText("案件不存在，或不在您的数据范围内")
}

// field is the selector of a form field by its data-testid: Element
// Plus puts the attribute on the native input, or on a wrapper of it.
func field(id string) string {
	return fmt.Sprintf(`input[data-testid=%q], [data-testid=%q] input`, id, id)
}

// caseTab opens a tab of the case page once every dialog has closed.
func caseTab(p *page, name string) {
	p.t.Helper()
	p.noDialog()
	p.click("#tab-" + name)
	p.waitFor("the tab "+name, fmt.Sprintf(`!!document.querySelector('#tab-%s.is-active')`, name))
}

// beijingCalendar is the year in Beijing at now — the year the server
// writes into receipts and numbers filed now — and daysAgo, the day k
// days before today in Beijing, never before 1 January of that year: a
// day always in the past (or today) and in the statistics page's default
// period, this year to today. On the first days of January the days
// clamp to 1 January, equal rather than reversed, so their order holds.
// (A run across midnight on 31 December in Beijing straddles two years
// and is not year-proof; nothing short of a fake clock in the server is.)
func beijingCalendar(now time.Time) (year string, daysAgo func(k int) string) {
	today := now.In(time.FixedZone("CST", 8*3600))
	jan1 := time.Date(today.Year(), time.January, 1, 0, 0, 0, 0, today.Location())
	return strconv.Itoa(today.Year()), func(k int) string {
		d := today.AddDate(0, 0, -k)
		if d.Before(jan1) {
			d = jan1
		}
		return d.Format(time.DateOnly)
	}
}

// TestBeijingCalendar: the year is Beijing's (16:10 UTC on 31 December is
// already the new year there), and the days before today clamp to its
// 1 January, keeping their order.
func TestBeijingCalendar(t *testing.T) {
	for _, c := range []struct {
		now        time.Time
		year       string
		d0, d1, d7 string
	}{
		{time.Date(2026, 12, 3, 14, 40, 0, 0, time.UTC), "2026", "2026-12-03", "2026-12-02", "2026-11-26"},
		{time.Date(2026, 12, 31, 16, 10, 0, 0, time.UTC), "2027", "2027-01-01", "2027-01-01", "2027-01-01"},
		{time.Date(2027, 1, 3, 15, 59, 0, 0, time.UTC), "2027", "2027-01-03", "2027-01-02", "2027-01-01"},
		{time.Date(2028, 3, 1, 0, 0, 0, 0, time.UTC), "2028", "2028-03-01", "2028-02-29", "2028-02-23"},
	} {
		year, daysAgo := beijingCalendar(c.now)
		if year != c.year || daysAgo(0) != c.d0 || daysAgo(1) != c.d1 || daysAgo(7) != c.d7 {
			t.Errorf("%v: %s %s %s %s; want %s %s %s %s", c.now, year, daysAgo(0), daysAgo(1), daysAgo(7), c.year, c.d0, c.d1, c.d7)
		}
	}
}
