package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun/cli"
	"github.com/zhudun/zhudun/fourcuts"
)

// catPool is a small city for the live engine: forty residents who call
// each other and back, and cat pools — per pool one modem whose cards,
// opened at one outlet on cmcc, call strangers briefly, each card
// verifying one WeChat account through a line of its own. With
// studio, every account was registered from one studio phone: the pools
// become one gang. Carrier events (sim, cdr) and platform events (reg)
// come apart, as each source may send only its own types.
func catPool(pools, cards int, studio bool) (carrier, platform string) {
	var c, p strings.Builder
	luhn := func(body string) string { return body + string(fourcuts.LuhnDigit(body)) }
	ts := func(day, hour, min int) string { return fmt.Sprintf("2026-11-%02dT%02d:%02d:00+08:00", day, hour, min) }
	cdr := func(msisdn, peer, dir string, dur int, imsi, imei, cell, when string) {
		fmt.Fprintf(&c, `{"type":"cdr","ts":%q,"msisdn":%q,"peer":%q,"dir":%q,"dur":%d,"imsi":%q,"imei":%q,"cell":%q}`+"\n", when, msisdn, peer, dir, dur, imsi, imei, cell)
	}
	const n = 40
	for i := 0; i < n; i++ {
		a, b := fmt.Sprintf("1390000%04d", i), fmt.Sprintf("1390000%04d", (i+1)%n)
		for d := 1; d <= 3; d++ {
			cdr(a, b, "mo", 120, fmt.Sprintf("4600000000%05d", i), luhn(fmt.Sprintf("861234000%05d", i)), "460-00-1-1", ts(d, 10, 0))
			cdr(b, a, "mt", 120, fmt.Sprintf("4600000000%05d", (i+1)%n), luhn(fmt.Sprintf("861234000%05d", (i+1)%n)), "460-00-1-2", ts(d, 10, 0))
		}
	}
	for m := 0; m < pools; m++ {
		modem := luhn(fmt.Sprintf("865000000%05d", m))
		for k := 0; k < cards; k++ {
			id := m*1000 + k
			card, imsi := fmt.Sprintf("1478%07d", id), fmt.Sprintf("46007%010d", id)
			fmt.Fprintf(&c, `{"type":"sim","ts":%q,"msisdn":%q,"imsi":%q,"holder":"370102199001011231","outlet":"OUT-济南历下A","carrier":"cmcc","region":"370102","action":"activate"}`+"\n", ts(1, 1, k%60), card, imsi)
			for q := 0; q < 25; q++ {
				cdr(card, fmt.Sprintf("1390000%04d", (k*5+q)%n), "mo", 12, imsi, modem, fmt.Sprintf("460-00-9-%d", m+1), ts(2+q%3, 9+q/3, k%60))
			}
			phone := ""
			if studio {
				phone = `,"imei":"` + luhn("86111100000001") + `"`
			}
			fmt.Fprintf(&p, `{"type":"reg","ts":%q,"platform":"wechat","account":"wx%06d","msisdn":%q,"device":"fp-pool-%d","ip":"27.%d.%d.%d","model":"Redmi 9","os":"Android 10"%s}`+"\n",
				ts(4, 3, k%60), id, card, id, 100+m, k/200, k%200+1, phone)
		}
	}
	return c.String(), p.String()
}

// feedSources creates the sources (as the system administrator) and pushes
// the cat-pool city through them: the carrier's events by "cmcc-sd", the
// platform's by "wechat". It returns each source's key.
func feedSources(t *testing.T, e *env, sources []map[string]any, pools, cards int, studio bool) map[string]string {
	t.Helper()
	admin := e.apiLogin(t, "sysadmin")
	keys := map[string]string{}
	for _, s := range sources {
		var res struct{ Key string }
		if code := admin.call("POST", "/sources", s, &res); code != http.StatusCreated {
			t.Fatalf("source %v: %d %s", s["name"], code, admin.last)
		}
		keys[s["name"].(string)] = res.Key
	}
	carrier, platform := catPool(pools, cards, studio)
	for src, body := range map[string]string{"cmcc-sd": carrier, "wechat": platform} {
		if code, res := postEvents(t, e.url, keys[src], body); code != http.StatusOK || !strings.Contains(res, `"rejected":0`) {
			t.Fatalf("push %s: %d %s", src, code, res)
		}
	}
	return keys
}

// keyGet fetches a source's route with its key.
func keyGet(t *testing.T, base, key, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/v1"+path, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestFourCutsLoop is issue 11's whole loop in the browser, on the live
// engine: carriers and a platform push their feeds while the analyst has
// the findings page open — the findings appear without a reload; the
// analyst opens the gang's graph, reads a card's evidence, confirms the
// whole gang with a reason; the carrier's key fetches the cards (the
// platform's key does not, another carrier gets none), acks one cut — the
// page shows 已处置; an officer enters the resident's appeal, the analyst
// restores — the carrier's next fetch carries the restoration; an analyst
// of another division sees none of it; the audit log holds every step.
func TestFourCutsLoop(t *testing.T) {
	e := start(t)
	admin := e.apiLogin(t, "sysadmin")
	keys := map[string]string{}
	for _, s := range []map[string]any{
		{"name": "cmcc-sd", "kind": "carrier", "binding": "cmcc", "dept": "WAZD"},
		{"name": "cucc-sd", "kind": "carrier", "binding": "cucc", "dept": "WAZD"},
		{"name": "wechat", "kind": "platform", "dept": "WAZD"},
	} {
		var res struct{ Key string }
		if code := admin.call("POST", "/sources", s, &res); code != http.StatusCreated {
			t.Fatalf("source %v: %d %s", s["name"], code, admin.last)
		}
		keys[s["name"].(string)] = res.Key
	}
	other := "zazd.analyst"
	var out strings.Builder
	if code := cli.Main(context.Background(), []string{"user", "add", "--data", e.data, "--username", other, "--role", "analyst", "--dept", "ZAZD", "--password-stdin"},
		strings.NewReader("Zazd!Analyst2026\n"), &out, &out); code != 0 {
		t.Fatalf("user add: %s", out.String())
	}
	e.setPassword(other, "Zazd!Analyst2026")

	analyst := "wazd.analyst1"
	p := e.newPage(t, "analyst", 1440, 900)
	p.firstLogin(analyst)
	p.nav("findings", "/fourcuts/findings")
	p.waitTextIn(`[data-testid="findings-table"]`, "暂无符合条件的发现")

	// The feeds arrive while the page is open.
	carrier, platform := catPool(1, 8, false)
	for src, body := range map[string]string{"cmcc-sd": carrier, "wechat": platform} {
		if code, res := postEvents(t, e.url, keys[src], body); code != http.StatusOK || !strings.Contains(res, `"rejected":0`) {
			t.Fatalf("push %s: %d %s", src, code, res)
		}
	}
	// The engine detects once the feed is quiet for a second; the page
	// refreshes on the finding events.
	p.within(20*time.Second, "the findings to appear without a reload", `(() => { const el = document.querySelector('[data-testid="findings-table"]'); return !!el && el.innerText.includes('14780000000') && el.innerText.includes('wechat:wx000000') })()`)
	p.shot("findings-live")

	ana := e.apiLogin(t, analyst)
	var list struct {
		Total int
		Items []struct {
			ID             int64
			Entity, Gang   string
			Status, Engine string
		}
	}
	ana.call("GET", "/findings?category=black_card&sort=%2Bid", nil, &list)
	if list.Total != 8 {
		t.Fatalf("black cards: %d (%s)", list.Total, ana.last)
	}
	card, gang := list.Items[0], list.Items[0].Gang
	if card.Entity != "14780000000" || card.Status != "new" || gang == "" {
		t.Fatalf("first card %+v", card)
	}

	// Its gang: 8 cards, 8 accounts, 8 lines, 8 fingerprints, the modem
	// and the outlet; 8 card–modem, 8 card–outlet, 24 account links.
	p.click(fmt.Sprintf(`[data-testid="finding-gang-%d"]`, card.ID))
	p.waitFor("the gang page", fmt.Sprintf(`location.pathname === %q`, "/fourcuts/gangs/"+gang))
	p.within(3*time.Second, "the graph drawn", `(() => { const g = document.querySelector('[data-testid="gang-graph"]'); return !!g && g.dataset.nodes === '34' && g.dataset.edges === '40' && !!g.querySelector('canvas') })()`)
	for fig, want := range map[string]string{"members": "33", "black_card": "8", "black_account": "8", "black_device": "1", "outlets": "1", "confirmed": "0"} {
		p.within(time.Second, "figure "+fig, fmt.Sprintf(`(() => { const el = document.querySelector('[data-figure=%q] .card-n'); return !!el && el.innerText.trim() === %q })()`, fig, want))
	}
	p.clickText(`[data-testid="gang-members"] a`, "14780000000")
	p.waitTextIn(`[data-testid="gang-member"]`, "插过黑设备") // in_black_device, in plain words
	p.waitTextIn(`[data-testid="gang-member"]`, "该卡曾插在已判定的猫池")
	p.shot("gang-evidence")

	// Confirm the whole gang with a reason.
	p.click(`[data-testid="gang-review"]`)
	p.within(300*time.Millisecond, "the review dialog", visibleJS(`[data-testid="review-dialog"] #review-reason`))
	p.typeInto("#review-reason", "猫池设备及其卡、账号，证据充分")
	p.click(`[data-testid="review-submit"]`)
	p.within(5*time.Second, "the gang confirmed", `(() => { const el = document.querySelector('[data-figure="confirmed"] .card-n'); return !!el && el.innerText.trim() === '33' })()`)

	// The carrier fetches its list; the platform its own; another carrier none.
	code, body := keyGet(t, e.url, keys["cmcc-sd"], "/cutlists/black_card")
	if code != 200 || strings.Count(body, `"status":"confirmed"`) != 8 || !strings.Contains(body, `"entity":"14780000000"`) {
		t.Fatalf("cmcc's black cards: %d %s", code, body)
	}
	since := body[strings.Index(body, `"next_since":"`)+len(`"next_since":"`):]
	since = since[:strings.IndexByte(since, '"')]
	if code, body := keyGet(t, e.url, keys["cucc-sd"], "/cutlists/black_card"); code != 200 || strings.Contains(body, "1478") {
		t.Fatalf("cucc's black cards: %d %s", code, body)
	}
	if code, _ := keyGet(t, e.url, keys["wechat"], "/cutlists/black_card"); code != http.StatusForbidden {
		t.Fatalf("the platform fetched cards: %d", code)
	}
	if code, body := keyGet(t, e.url, keys["wechat"], "/cutlists/black_account"); code != 200 || strings.Count(body, `"status":"confirmed"`) != 8 {
		t.Fatalf("wechat's accounts: %d %s", code, body)
	}
	if code, body := keyGet(t, e.url, keys["cmcc-sd"], "/cutlists/black_card?format=csv"); code != 200 || !strings.HasPrefix(body, "id,entity") && !strings.Contains(strings.SplitN(body, "\n", 2)[0], "entity") {
		t.Fatalf("cmcc's CSV: %d %s", code, body)
	}

	// The carrier cuts one card; the findings page shows it.
	req, _ := http.NewRequest("POST", e.url+"/api/v1/cutlists/black_card/ack", strings.NewReader(`{"items":[{"entity":"14780000000","status":"cut"}]}`))
	req.Header.Set("Authorization", "Bearer "+keys["cmcc-sd"])
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("ack: %v %v", resp, err)
	}
	p.nav("findings", "/fourcuts/findings")
	p.within(5*time.Second, "the card shown cut", fmt.Sprintf(`(() => { const el = document.querySelector('[data-status="%d"]'); return !!el && el.innerText.trim() === '已处置' })()`, card.ID))

	// The resident appeals at a station; the officer enters it.
	op := e.newPage(t, "officer", 1366, 800)
	op.firstLogin("lixia.officer01")
	op.nav("appeals", "/fourcuts/appeals")
	op.click(`[data-testid="appeal-new"]`)
	op.within(300*time.Millisecond, "the appeal form", visibleJS("#appeal-entity"))
	op.typeInto("#appeal-entity", "14780000000")
	op.typeInto("#appeal-idno", idNumber("37010219900101123"))
	op.typeInto("#appeal-reason", "本人正常使用的号码，被误停机")
	op.click(`[data-testid="appeal-submit"]`)
	op.waitTextIn(`[data-testid="appeal-created"]`, "申诉已登记")
	if s := op.text(); strings.Contains(s, idNumber("37010219900101123")) {
		op.fatalf("the page shows the resident's ID in clear")
	}
	op.shot("appeal-entered")

	// The analyst restores it.
	p.front()
	var appeals struct {
		Items []struct{ ID int64 }
	}
	if ana.call("GET", "/appeals?status=open", nil, &appeals); len(appeals.Items) != 1 {
		t.Fatalf("open appeals: %s", ana.last)
	}
	p.nav("appeals", "/fourcuts/appeals")
	p.click(fmt.Sprintf(`[data-testid="appeal-decide-%d"]`, appeals.Items[0].ID))
	p.within(300*time.Millisecond, "the decision dialog", visibleJS("#appeal-decide-reason"))
	p.typeInto("#appeal-decide-reason", "核实为机主本人正常使用，恢复")
	p.click(`[data-testid="appeal-decide-submit"]`)
	p.within(5*time.Second, "the appeal decided", `(() => { const el = document.querySelector('[data-testid="appeals-table"]'); return !!el && !el.innerText.includes('14780000000') })()`)

	// The carrier's next fetch carries the cut and the restoration.
	code, body = keyGet(t, e.url, keys["cmcc-sd"], "/cutlists/black_card?since="+url.QueryEscape(since))
	if code != 200 || !strings.Contains(body, `"entity":"14780000000"`) || !strings.Contains(body, `"status":"restored"`) || strings.Count(body, `"entity":`) != 1 {
		t.Fatalf("the next fetch: %d %s", code, body)
	}
	p.nav("findings", "/fourcuts/findings")
	p.within(5*time.Second, "the card shown restored", fmt.Sprintf(`(() => { const el = document.querySelector('[data-status="%d"]'); return !!el && el.innerText.trim() === '申诉恢复' })()`, card.ID))

	// An analyst of another division sees none of it.
	q := e.newPage(t, "other", 1366, 800)
	q.login(other, e.password(other)) // set by the installer: no change asked
	q.nav("findings", "/fourcuts/findings")
	q.waitTextIn(`[data-testid="findings-table"]`, "暂无符合条件的发现")
	q.open("/fourcuts/gangs/" + gang)
	q.waitTextIn(`[data-testid="gang-page"]`, "没有这个团伙")
	oa := e.apiLogin(t, other)
	if code := oa.call("GET", "/gangs/"+gang, nil, nil); code != http.StatusNotFound {
		t.Fatalf("another division's gang: %d", code)
	}

	// Every step is in the audit log.
	aud := e.apiLogin(t, "auditadmin")
	for action, want := range map[string]int{"finding.confirm": 33, "cutlist.fetch": 5, "cutlist.ack": 1, "appeal.create": 1, "appeal.restore": 1} {
		var res struct{ Total int }
		if code := aud.call("GET", "/audit?action="+action, nil, &res); code != 200 || res.Total != want {
			t.Errorf("audit %s: %d rows (%d %s); want %d", action, res.Total, code, aud.last, want)
		}
	}
}

// TestGangGraphLarge: a gang of 2,020 members (twenty cat pools of 25
// cards whose accounts one studio phone registered), its outlet and the phone are
// drawn as a graph a person can use: it appears within the wait of a page
// load, every node and link is there, a member found by the search box
// shows its evidence beside the graph.
func TestGangGraphLarge(t *testing.T) {
	e := start(t)
	feedSources(t, e, []map[string]any{
		{"name": "cmcc-sd", "kind": "carrier", "binding": "cmcc", "dept": "WAZD"},
		{"name": "wechat", "kind": "platform", "dept": "WAZD"},
	}, 20, 25, true)
	analyst := "wazd.analyst1"
	ana := e.apiLogin(t, analyst)
	var list struct {
		Total int
		Items []struct{ Gang string }
	}
	// The engine detects once the feed is quiet; on a loaded machine (CI
	// runs packages side by side) its runs over 13,740 events take longer.
	last := -1
	defer func() {
		if t.Failed() {
			t.Logf("last findings total seen: %d", last)
		}
	}()
	checkFor(t, 3*time.Minute, "the engine to find the gang", func() bool {
		ana.call("GET", "/findings?limit=1", nil, &list)
		last = list.Total
		return list.Total == 2020
	})
	gang := list.Items[0].Gang
	var g struct{ Nodes, Edges []any }
	ana.call("GET", "/gangs/"+gang, nil, &g)
	// 2,020 members (500 cards, 500 accounts, 500 fingerprints, 500 lines,
	// 20 modems), the outlet and the studio's phone (no finding: it never
	// carried a card, but it ties the pools into one gang); 500 card–modem,
	// 500 card–outlet and per account its card, fingerprint, line and the
	// phone.
	if len(g.Nodes) != 2022 || len(g.Edges) != 3000 {
		t.Fatalf("gang %s: %d nodes, %d edges", gang, len(g.Nodes), len(g.Edges))
	}

	p := e.newPage(t, "analyst", 1440, 900)
	p.login(analyst, e.password(analyst))
	p.open("/fourcuts/gangs/" + gang)
	p.within(5*time.Second, "the 2,022-node graph drawn", `(() => { const g = document.querySelector('[data-testid="gang-graph"]'); return !!g && g.dataset.nodes === '2022' && g.dataset.edges === '3000' && !!g.querySelector('canvas') })()`)
	p.within(time.Second, "the figures", `(() => { const el = document.querySelector('[data-figure="members"] .card-n'); return !!el && el.innerText.trim() === '2020' })()`)
	p.shot("graph-2022")
	p.typeInto(`input[data-testid="gang-search"]`, "14780019024")
	p.clickText(`.el-autocomplete-suggestion li`, "14780019024")
	p.within(time.Second, "the searched member's evidence", `(() => { const el = document.querySelector('[data-testid="gang-member"]'); return !!el && el.innerText.includes('14780019024') && el.innerText.includes('插过黑设备') })()`)
	p.shot("graph-2022-selected")
}
