package attack

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun/internal/syncbuf"

	"github.com/nats-io/nats.go"
)

func digits(n int) string {
	var b strings.Builder
	for range n {
		d, _ := rand.Int(rand.Reader, big.NewInt(10))
		b.WriteByte(byte('0' + d.Int64()))
	}
	return b.String()
}

// residentID is a valid 18-digit resident ID number (GB 11643 check digit).
func residentID() string {
	body := "370102" + "1985" + fmt.Sprintf("%02d%02d", 1+time.Now().Nanosecond()%12, 10) + digits(3)
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, c := range body {
		sum += int(c-'0') * w[i]
	}
	return body + string("10X98765432"[sum%11])
}

// grepTree names the files under dir holding any of needles.
func grepTree(t *testing.T, dir string, needles ...string) []string {
	t.Helper()
	var hits []string
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() || fi.Size() > 256<<20 {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		for _, n := range needles {
			if strings.Contains(string(b), n) {
				hits = append(hits, p+": "+n)
			}
		}
		return nil
	})
	return hits
}

// TestPersonalDataNowhere (issue 19.2, issue 20.3 and 20.6): after searches
// and exports by phone and resident ID — allowed, denied, malformed — no
// clear phone or ID number is in any column of audit_log, in alerts, in the
// server's log, in an answer that was refused, on the bus (everything under
// `>` on the machine's NATS while it happens) or in the JetStream store on
// disk; the incident's address is not clear in the store either.
func TestPersonalDataNowhere(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s := start(t, b)
		var bus syncbuf.Buffer
		if b.pg {
			nc, err := nats.Connect(natsURL())
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			var mu sync.Mutex
			if _, err := nc.Subscribe(">", func(m *nats.Msg) {
				mu.Lock()
				defer mu.Unlock()
				fmt.Fprintf(&bus, "%s %v %s\n", m.Subject, m.Header, m.Data)
			}); err != nil {
				t.Fatal(err)
			}
			nc.Flush()
		}
		phone, caller, id := "139"+digits(8), "137"+digits(8), residentID()
		address := "泉城路" + digits(6) + "号"
		admin := s.login("lixia.sysadmin")
		disp := s.login("lixia.dispatcher")
		officer := s.login("lixia.officer01")
		code, body := call(t, "POST", s.url+"/api/v1/users", admin, fmt.Sprintf(
			`{"username":"pii.target","name":"张测试","dept_code":"SB370102","password":"Xy7#kq9!Lm2p","phone":%q,"id_number":%q}`, phone, id))
		if code != 201 {
			t.Fatalf("create user: %d %s", code, body)
		}
		code, body = call(t, "POST", s.url+"/api/v1/incidents", disp, fmt.Sprintf(
			`{"category":"fire","lon":117.0,"lat":36.66,"address":%q,"caller_phone":%q}`, address, caller))
		if code != 201 {
			t.Fatalf("create incident: %d %s", code, body)
		}
		reason := url.QueryEscape("核查来电人身份")
		type q struct {
			who, tok, path string
			allowed        bool // the answer may hold the match (masked)
		}
		answers := map[string]string{}
		for _, c := range []q{
			{"sysadmin", admin, "/api/v1/users?phone=" + phone, false},
			{"sysadmin", admin, "/api/v1/users?id_number=" + id, false},
			{"sysadmin", admin, "/api/v1/users?phone=" + phone + "&reason=" + reason, true},
			{"sysadmin", admin, "/api/v1/users?id_number=" + id + "&reason=" + reason, true},
			{"sysadmin", admin, "/api/v1/users/export?phone=" + phone + "&id_number=" + id, false},
			{"sysadmin", admin, "/api/v1/users/export?phone=" + phone + "&id_number=" + id + "&reason=" + reason, true},
			{"sysadmin", admin, "/api/v1/users?phone=" + phone + "x&reason=" + reason, false},
			{"sysadmin", admin, "/api/v1/users?id_number=" + id[:17] + "&reason=" + reason, false},
			{"dispatcher", disp, "/api/v1/incidents?phone=" + caller, false},
			{"dispatcher", disp, "/api/v1/incidents?phone=" + caller + "&reason=" + reason, true},
			{"officer", officer, "/api/v1/incidents?phone=" + caller + "&reason=" + reason, false},
			{"officer", officer, "/api/v1/users?phone=" + phone + "&reason=" + reason, false},
		} {
			code, body := call(t, "GET", s.url+c.path, c.tok, "")
			answers[c.who+" "+c.path] = fmt.Sprint(code)
			for _, v := range []string{phone, caller, id, id[:17]} {
				if strings.Contains(body, v) {
					t.Errorf("%s %s answered %d with a clear value: %s", c.who, c.path, code, body)
				}
			}
			if !c.allowed && code == 200 && strings.Contains(c.path, "phone=") {
				t.Errorf("%s %s: 200 — a search by personal data without pii:search and a reason must be refused: %s", c.who, c.path, body)
			}
		}
		t.Logf("answers: %v", answers)
		time.Sleep(time.Second) // outbox → bus
		secret := []string{phone, caller, id, id[:17], phone[3:], caller[3:]}
		where := map[string]string{"audit_log": s.auditText(), "log": s.logs.String(), "bus": bus.String()}
		rows, err := s.db().Query(`SELECT event, subject, username, client_addr, detail FROM alerts`)
		if err != nil {
			t.Fatal(err)
		}
		var alerts strings.Builder
		for rows.Next() {
			var e, sub, u, a, d any
			rows.Scan(&e, &sub, &u, &a, &d)
			fmt.Fprintln(&alerts, e, sub, u, a, d)
		}
		rows.Close()
		where["alerts"] = alerts.String()
		for name, text := range where {
			for _, v := range secret {
				if strings.Contains(text, v) {
					t.Errorf("clear personal data %q in %s", v, name)
				}
			}
		}
		if !strings.Contains(where["audit_log"], "pii") {
			t.Errorf("no audit row records a personal-data search")
		}
		store := filepath.Join(s.data, "nats")
		if b.pg {
			store = "/var/lib/nats-server"
		}
		if _, err := os.Stat(store); err != nil {
			t.Fatalf("JetStream store %s: %v", store, err)
		}
		if hits := grepTree(t, store, append(secret, address, "张测试")...); len(hits) > 0 {
			t.Errorf("clear values in the JetStream store: %v", hits)
		}
		if b.pg && !strings.Contains(bus.String(), "zhudun.events.") {
			t.Errorf("the bus capture saw no zhudun event: it watched the wrong server")
		}
	})
}
