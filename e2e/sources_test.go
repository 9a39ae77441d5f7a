package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The system administrator manages event sources in the UI (issue 10.1):
// adds a carrier, sees its key once, the carrier pushes with it (one line
// accepted, one rejected with its reason, both counted on the page), and a
// disabled source's key is refused.
func TestSourcesPage(t *testing.T) {
	e := start(t)
	p := e.newPage(t, "sysadmin", 1366, 768)
	p.firstLogin("sysadmin")
	if nav := p.textOf(`[data-testid="side-nav"]`); !strings.Contains(nav, "数据接入源") {
		p.fatalf("navigation lacks 数据接入源: %q", nav)
	}
	p.nav("sources", "/system/sources")
	p.waitTextIn(`[data-testid="breadcrumb"]`, "数据接入源")
	p.waitTextIn(`[data-testid="sources-table"]`, "暂无接入源")

	p.click(`[data-testid="source-new"]`)
	p.within(300*time.Millisecond, "the new-source form", visibleJS("#sc-name"))
	// A carrier is given its cards, texts, calls and addresses by default.
	for _, ty := range []string{"sim", "sms", "cdr", "ip"} {
		if !eval[bool](p, `[...document.querySelectorAll('[data-testid="sc-types"] .el-checkbox.is-checked')].some(el => el.innerText.startsWith('`+ty+` '))`) {
			p.fatalf("type %s not checked for a carrier", ty)
		}
	}
	if eval[bool](p, `[...document.querySelectorAll('[data-testid="sc-types"] .el-checkbox.is-checked')].some(el => el.innerText.startsWith('reg '))`) {
		p.fatalf("reg checked for a carrier")
	}
	p.typeInto("#sc-name", "Bad Name")
	p.click(`[data-testid="sc-submit"]`)
	p.waitText("名称须以小写字母或数字开头")
	p.typeInto("#sc-name", "cmcc-sd")
	p.shot("new-source")
	p.click(`[data-testid="sc-submit"]`)
	p.waitVisible(`[data-testid="source-key-dialog"] [data-testid="source-key"]`)
	p.waitText("密钥只显示这一次")
	key := eval[string](p, `document.querySelector('[data-testid="source-key-dialog"] input').value`)
	if len(key) < 32 {
		p.fatalf("key %q: too short", key)
	}
	p.shot("source-key-once")
	p.click(`[data-testid="source-key-done"]`)
	p.waitTextIn(`[data-testid="sources-table"]`, "cmcc-sd")
	p.waitTextIn(`[data-testid="sources-table"]`, "运营商")
	if s := p.text(); strings.Contains(s, key) {
		p.fatalf("the key is still on the page after the dialog closed")
	}

	// The carrier pushes one good line and one malformed one.
	sim := `{"type":"sim","ts":"2021-06-01T08:00:00+08:00","msisdn":"13912345678","imsi":"460001234567890","holder":"370102199001011231","outlet":"o1","action":"activate"}`
	code, body := postEvents(t, e.url, key, sim+"\n"+`{"type":"sim","ts":"not a time"}`+"\n")
	if code != http.StatusOK {
		t.Fatalf("push: %d %s", code, body)
	}
	var res struct{ Accepted, Rejected int }
	if err := json.Unmarshal([]byte(body), &res); err != nil || res.Accepted != 1 || res.Rejected != 1 {
		t.Fatalf("push answered %s, want 1 accepted and 1 rejected", body)
	}
	p.noDialog() // the key dialog's overlay fades out over the page
	p.click(`[data-testid="sources-refresh"]`)
	p.waitTextIn(`[data-count="cmcc-sd"]`, "接收 1 · 拒收 1")
	p.waitTextIn(`[data-testid="source-rejects"]`, "cmcc-sd")
	if s := p.text(); strings.Contains(s, "370102199001011231") || strings.Contains(s, "13912345678") {
		p.fatalf("the page shows an event's holder or number")
	}
	p.shot("source-counted")

	// Disabled: its key is refused.
	p.click(`[data-testid="source-disable-cmcc-sd"]`)
	p.waitVisible(`.el-message-box`)
	p.waitText("其密钥立即失效")
	p.click(`.el-message-box__btns .el-button--primary`)
	p.waitTextIn(`[data-status="cmcc-sd"]`, "已停用")
	if code, body := postEvents(t, e.url, key, sim+"\n"); code != http.StatusUnauthorized {
		t.Fatalf("push with a disabled source's key: %d %s, want 401", code, body)
	}
	p.shot("source-disabled")
}

func postEvents(t *testing.T, base, key, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/api/v1/events", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
