package attack

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun/internal/syncbuf"

	"github.com/zhudun/zhudun/cli"
)

// TestStreamEndsAtLogout (issue 19.5): a stream opened with a session ends
// within a second of signing out, and the token opens no new one.
func TestStreamEndsAtLogout(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s := start(t, b)
		tok := s.login("lixia.dispatcher")
		live := record(s.stream(tok))
		if code, body := call(t, "POST", s.url+"/api/v1/auth/logout", tok, ""); code != 204 {
			t.Fatalf("logout: %d %s", code, body)
		}
		checkFor(t, 2*time.Second, "the stream to end after logout", live.isClosed)
		if code, _ := call(t, "GET", s.url+"/api/v1/events/stream", tok, ""); code != 401 {
			t.Errorf("stream with a signed-out token: %d, want 401", code)
		}
	})
}

// TestAnonymousFlood (issue 19.8): 400 junk requests without a session from
// one address are rate-limited, and their denials are a few audit rows with
// counts that add up to every audited denial — not 400 rows.
func TestAnonymousFlood(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s := start(t, b)
		db := s.db()
		var before int
		db.QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&before)
		var mu sync.Mutex
		codes := map[int]int{}
		var wg sync.WaitGroup
		for i := range 400 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				path := []string{"/api/v1/users", "/api/v1/incidents?x=" + fmt.Sprint(i), "/api/v1/audit"}[i%3]
				code, _ := call(t, "GET", s.url+path, "", "")
				mu.Lock()
				codes[code]++
				mu.Unlock()
			}()
			if i%50 == 49 {
				wg.Wait()
			}
		}
		wg.Wait()
		if codes[429] == 0 || codes[200] != 0 {
			t.Errorf("400 anonymous requests answered %v: want some 429 and no 200", codes)
		}
		s.stop() // open spans are appended on shutdown
		var rows, counted int
		r, err := db.Query(`SELECT detail FROM audit_log WHERE action = 'request.denied' AND seq > ` + fmt.Sprint(before))
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
			var d string
			r.Scan(&d)
			var m struct{ Count int }
			json.Unmarshal([]byte(d), &m)
			rows++
			counted += max(m.Count, 1)
		}
		r.Close()
		t.Logf("answers %v; %d request.denied rows counting %d denials", codes, rows, counted)
		if rows == 0 || rows > 20 {
			t.Errorf("%d request.denied rows for 400 anonymous requests, want a few spans (1–20)", rows)
		}
		if counted < codes[401] {
			t.Errorf("the spans count %d denials, fewer than the %d answered 401", counted, codes[401])
		}
	})
}

// TestAuditRollbackDetected (issue 19.6): the database's owner deletes the
// newest audit rows (triggers off), or puts back an older copy of the
// database; `zhudun audit verify` reports the database behind its witness.
func TestAuditRollbackDetected(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s := start(t, b)
		admin := s.login("lixia.sysadmin")
		mk := func(code string) {
			if c, body := call(t, "POST", s.url+"/api/v1/depts", admin, fmt.Sprintf(`{"code":%q,"name":"回滚测试%s","kind":"station","parent_code":"SB370102"}`, code, code)); c != 201 {
				t.Fatalf("dept %s: %d %s", code, c, body)
			}
		}
		mk("RB1")
		var old string
		var anchor [5]any // base_seq, base_hash, head_seq, head_hash, sig
		db := s.db()
		if b.pg {
			// The owner keeps the anchor row as it is now, signature and all.
			if err := db.QueryRow(`SELECT base_seq, base_hash, head_seq, head_hash, sig FROM audit_anchor`).Scan(&anchor[0], &anchor[1], &anchor[2], &anchor[3], &anchor[4]); err != nil {
				t.Fatal(err)
			}
		} else {
			// A copy as the owner would keep one: consistent, while serving.
			old = filepath.Join(t.TempDir(), "old.db")
			if _, err := db.Exec(`VACUUM INTO '` + old + `'`); err != nil {
				t.Fatal(err)
			}
			if c, err := sql.Open("sqlite", old); err == nil {
				var ok string
				c.QueryRow(`PRAGMA integrity_check`).Scan(&ok)
				c.Close()
				t.Logf("old copy: %s", ok)
			}
		}
		mk("RB2")
		mk("RB3")
		s.stop()
		args := []string{"audit", "verify", "--data", s.data}
		if b.pg {
			args = append(args, "--db", s.dsn, "--nats", natsURL())
			// The owner switches the triggers off, deletes the rows written
			// since the anchor it kept and puts that anchor back.
			conn, err := db.Conn(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{`SET session_replication_role = replica`,
				`DELETE FROM audit_log WHERE seq > $1`,
				`UPDATE audit_anchor SET base_seq = $1, base_hash = $2, head_seq = $3, head_hash = $4, sig = $5`} {
				var args []any
				switch {
				case strings.HasPrefix(q, "DELETE"):
					args = anchor[2:3]
				case strings.HasPrefix(q, "UPDATE"):
					args = anchor[:]
				}
				if _, err := conn.ExecContext(t.Context(), q, args...); err != nil {
					t.Fatal(q, err)
				}
			}
			conn.Close()
		} else {
			db.Close()
			for _, f := range []string{"zhudun.db-wal", "zhudun.db-shm"} {
				os.Remove(filepath.Join(s.data, f))
			}
			// Put in place as a new file: a handle the stopped server might
			// still hold keeps the replaced one.
			if err := os.Rename(old, filepath.Join(s.data, "zhudun.db")); err != nil {
				t.Fatal(err)
			}
		}
		var out, errs syncbuf.Buffer
		code := cli.Main(t.Context(), args, strings.NewReader(""), &out, &errs)
		if code == 0 || !strings.Contains(out.String()+errs.String(), "behind its witness") {
			t.Errorf("audit verify after a rollback: exit %d\n%s%s", code, out.String(), errs.String())
		}
	})
}
