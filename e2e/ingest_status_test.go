package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The system administrator watches the live engine (issue 10.7): after a
// carrier pushes one good line and one malformed one, 系统管理 → 接入状态
// shows, within a user's wait, the embedded engine's worker alive, its
// checkpoint at the stream's one message with no lag on any partition, the
// durable consumer with nothing pending, and the source's hour: 1 event
// accepted, 1 line rejected with its reason.
func TestIngestStatusPage(t *testing.T) {
	e := start(t)
	p := e.newPage(t, "sysadmin", 1366, 768)
	p.firstLogin("sysadmin")
	a := e.apiLogin(t, "sysadmin")
	var src struct{ Key string }
	if code := a.call("POST", "/sources", map[string]any{"name": "cmcc-sd", "kind": "carrier"}, &src); code != http.StatusCreated {
		t.Fatalf("create source: %d %s", code, a.last)
	}
	sim := `{"type":"sim","ts":"2021-06-01T08:00:00+08:00","msisdn":"13912345678","imsi":"460001234567890","holder":"370102199001011231","outlet":"o1","action":"activate"}`
	if code, body := postEvents(t, e.url, src.Key, sim+"\n"+`{"type":"sim","ts":"not a time"}`+"\n"); code != http.StatusOK {
		t.Fatalf("push: %d %s", code, body)
	}
	// The engine checkpoints once the feed has been quiet for 1 s.
	checkFor(t, 30*time.Second, "the engine's checkpoint to cover the push", func() bool {
		var st struct {
			Engines []struct {
				Checkpoint *struct{ Seq int }
			}
		}
		a.call("GET", "/ingest/status", nil, &st)
		return len(st.Engines) == 1 && st.Engines[0].Checkpoint != nil && st.Engines[0].Checkpoint.Seq == 1
	})

	if nav := p.textOf(`[data-testid="side-nav"]`); !strings.Contains(nav, "接入状态") {
		p.fatalf("navigation lacks 接入状态: %q", nav)
	}
	p.nav("ingestStatus", "/system/ingest-status")
	p.waitTextIn(`[data-testid="breadcrumb"]`, "接入状态")
	wait := 3 * time.Second // the page loads one request
	p.within(wait, "the worker alive", `!!document.querySelector('[data-testid="ingest-workers"] [data-alive="true"]')`)
	p.within(wait, "the engine live", `!!document.querySelector('[data-engine="live"]')`)
	for sel, want := range map[string]string{
		`[data-engine="live"] [data-testid="cp-seq"]`:                  "1",
		`[data-engine="live"] [data-testid="stream-last"]`:             "1",
		`[data-engine="live"] [data-testid="stream-lag"]`:              "0",
		`[data-engine="live"] [data-testid="consumer"]`:                "待投递 0 · 待确认 0",
		`[data-accepted="cmcc-sd"]`:                                    "1",
		`[data-testid="ingest-workers"] [data-testid="worker-seq"]`:    "1", // its heartbeat follows the commit
		`[data-testid="ingest-workers"] [data-testid="worker-events"]`: "1",
		`[data-rejected="cmcc-sd"]`:                                    "1",
	} {
		p.within(wait, sel+" = "+want, `(() => { const el = document.querySelector(`+jsString(sel)+`); return !!el && el.innerText.trim() === `+jsString(want)+` })()`)
	}
	if got := p.textOf(`[data-testid="ingest-workers"]`); !strings.Contains(got, "在线") {
		p.fatalf("workers table %q", got)
	}
	// 16 partitions, every one with no lag; the push's card went to one.
	if n := eval[int](p, `document.querySelectorAll('[data-engine="live"] [data-lag]').length`); n != 16 {
		p.fatalf("%d partitions shown, want 16", n)
	}
	if n := eval[int](p, `[...document.querySelectorAll('[data-engine="live"] [data-lag]')].filter(el => el.innerText.trim() !== '0').length`); n != 0 {
		p.fatalf("%d partitions shown behind", n)
	}
	if got := p.textOf(`[data-testid="ingest-hours"]`); !strings.Contains(got, "ts") || !strings.Contains(got, "× 1") {
		p.fatalf("hours table lacks the reject's reason: %q", got)
	}
	if s := p.text(); strings.Contains(s, "370102199001011231") || strings.Contains(s, "13912345678") {
		p.fatalf("the page shows an event's holder or number")
	}
	p.shot("ingest-status")
}

// jsString is s as a JavaScript string literal (JSON's is one).
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
