package attack

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLockoutRace (issue 19.1, issue 20.4): 50 wrong passwords sent at once
// to one account get at most the threshold (5) checked — at most 5 answers
// are a plain 401, the rest refused unchecked (423 locked, 429 throttled) —
// the right password afterwards is refused too, and the lockout is one
// `security.lockout` log record and one alert, on the audit administrator's
// page, on its live stream and at the webhook.
func TestLockoutRace(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		hook := startWebhook(t)
		s := start(t, b, "--alert-webhook", hook.url)
		// Sign in first: the flood below throttles this address's sign-ins.
		audit := s.login("auditadmin")
		live := record(s.stream(audit))
		const victim = "lixia.officer01"
		var mu sync.Mutex
		codes := map[int]int{}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				code, _ := call(t, "POST", s.url+"/api/v1/auth/login", "", fmt.Sprintf(`{"username":%q,"password":"Wrong#pass%02d"}`, victim, i))
				mu.Lock()
				codes[code]++
				mu.Unlock()
			}()
		}
		close(start)
		wg.Wait()
		if codes[401] > 5 || codes[200] != 0 || codes[401]+codes[423]+codes[429] != 50 {
			t.Errorf("50 parallel wrong passwords answered %v: want at most 5 checked (401), the rest 423/429", codes)
		}
		if code, body := call(t, "POST", s.url+"/api/v1/auth/login", "", fmt.Sprintf(`{"username":%q,"password":%q}`, victim, s.passwords[victim])); code == 200 {
			t.Errorf("the right password after the race: %d %s — the account is not locked", code, body)
		}
		// The store's own count: failed sign-ins of the victim in the audit trail.
		var checked int
		if err := s.db().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login' AND result <> 'ok' AND object_id = `+ph(b), victim).Scan(&checked); err != nil {
			t.Fatal(err)
		}
		t.Logf("answers %v; %d failed sign-in rows", codes, checked)

		var recs []map[string]any
		checkFor(t, 5*time.Second, "the security.lockout log record", func() bool {
			recs = nil
			for _, r := range s.logRecords("security.lockout") {
				if r["subject"] == victim {
					recs = append(recs, r)
				}
			}
			return len(recs) > 0
		})
		time.Sleep(500 * time.Millisecond) // a second record would be written by now
		recs = nil
		for _, r := range s.logRecords("security.lockout") {
			if r["subject"] == victim {
				recs = append(recs, r)
			}
		}
		if len(recs) != 1 {
			t.Errorf("%d security.lockout log records for %s, want exactly 1: %v", len(recs), victim, recs)
		}
		code, body := call(t, "GET", s.url+"/api/v1/alerts", audit, "")
		if code != 200 || strings.Count(body, "\"event\":\"security.lockout\"") != 1 || !strings.Contains(body, victim) {
			t.Errorf("alerts page: %d %s — want one security.lockout alert for %s", code, body, victim)
		}
		checkFor(t, 5*time.Second, "the lockout alert on the audit administrator's stream", func() bool {
			return strings.Contains(live.text(), "security.lockout")
		})
		checkFor(t, 10*time.Second, "the lockout alert at the webhook", func() bool {
			return strings.Contains(hook.body.String(), "security.lockout") && strings.Contains(hook.body.String(), victim)
		})
	})
}
