package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// TestAnonymousFlood: requests without a valid session are limited per
// address, and a flood of identical refusals is one audit row with its count
// and time span — appended at shutdown at the latest — instead of a row (and
// the write lock) per request. Traffic with a valid session is not
// anonymous and is not limited (issue 19 item 8).
func TestAnonymousFlood(t *testing.T) {
	h := newHarness(t)
	before := h.do("aud", "GET", "/api/v1/audit?action=request.denied", nil).total()
	// 400 junk writes without a session, 50 at a time.
	statuses := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < 50; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 8; i++ {
				req, _ := http.NewRequest("POST", h.srv.URL+"/api/v1/users", strings.NewReader(`{"username":"x"}`))
				req.Header.Set("Content-Type", "application/json")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				mu.Lock()
				statuses[res.StatusCode]++
				if res.StatusCode == 429 && res.Header.Get("Retry-After") == "" {
					t.Error("429 without Retry-After")
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	// The harness signed 8 users in from this address first (8 of the burst
	// of 60); the flood takes the rest of the burst and what refills at 10 a
	// second while it runs.
	if statuses[401]+statuses[429] != 400 || statuses[401] < 40 || statuses[401] > 120 || statuses[429] < 280 {
		t.Errorf("400 anonymous junk requests: %v; want about 52 refused as 401 and the rest 429", statuses)
	}
	if n := h.do("aud", "GET", "/api/v1/audit?action=request.denied", nil).total(); n != before {
		t.Errorf("%d denial rows appended during the flood; want none until the spans close", n-before)
	}
	if err := h.api.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	res := h.do("aud", "GET", "/api/v1/audit?action=request.denied&user=(anonymous)", nil)
	var list struct {
		Items []struct {
			ObjectID   string          `json:"object_id"`
			ClientAddr string          `json:"client_addr"`
			Detail     json.RawMessage `json:"detail"`
		}
	}
	json.Unmarshal(res.body, &list)
	counts := map[string]int{}
	for _, it := range list.Items {
		var d struct {
			Reason      string
			Count       int
			First, Last string
		}
		json.Unmarshal(it.Detail, &d)
		if it.ObjectID != "POST /api/v1/users" || it.ClientAddr != "127.0.0.1" || d.First == "" || d.Last < d.First {
			t.Errorf("denial row %+v %s", it, it.Detail)
		}
		counts[d.Reason] += d.Count
	}
	if len(list.Items) != 2 || counts["sign in first"] != statuses[401] || counts["too many requests without a session from your address; slow down"] != statuses[429] {
		t.Errorf("denial rows: %d, counts %v; want 2 rows counting %d and %d", len(list.Items), counts, statuses[401], statuses[429])
	}
	// With a valid session nothing is anonymous: 200 requests at once from
	// the same, exhausted address all pass.
	ok := 0
	for w := 0; w < 50; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 4; i++ {
				req, _ := http.NewRequest("GET", h.srv.URL+"/api/v1/me", nil)
				req.Header.Set("Authorization", "Bearer "+h.tokens["off1"])
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				mu.Lock()
				if res.StatusCode == 200 {
					ok++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ok != 200 {
		t.Errorf("%d of 200 requests with a session passed; want all", ok)
	}
	// A forged token is anonymous: sent over and over from one address, it
	// runs into the limit like no token at all (within the burst of 60 and
	// what refills meanwhile).
	got429 := 0
	for i := 0; i < 150 && got429 == 0; i++ {
		req, _ := http.NewRequest("GET", h.srv.URL+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer forged")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode == 429 {
			got429 = i + 1
		}
	}
	if got429 == 0 {
		t.Error("150 requests with a forged token were never limited")
	}
}

// TestUnknownNameLocks: over HTTP, a name without an account answers like
// an existing one — 401 four times, then 423 with Retry-After (issue 19
// item 9).
func TestUnknownNameLocks(t *testing.T) {
	h := newHarness(t)
	for _, name := range []string{"nosuchuser", "off2"} {
		for i := 1; i <= 5; i++ {
			res := h.do("", "POST", "/api/v1/auth/login", map[string]string{"username": name, "password": "Wrong!pass1"})
			want := 401
			if i == 5 {
				want = 423
			}
			if res.status != want {
				t.Fatalf("%s attempt %d: %d %s; want %d", name, i, res.status, res.body, want)
			}
			if i == 5 && res.header.Get("Retry-After") != "900" {
				t.Errorf("%s locked with Retry-After %q; want 900", name, res.header.Get("Retry-After"))
			}
		}
		res := h.do("", "POST", "/api/v1/auth/login", map[string]string{"username": name, "password": pw})
		if res.status != 423 || res.header.Get("Retry-After") == "" {
			t.Errorf("%s while locked: %d, Retry-After %q; want 423 with one", name, res.status, res.header.Get("Retry-After"))
		}
	}
}
