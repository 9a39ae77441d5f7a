package attack

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestDormantAccountDisabled (issue 20.5, 访问控制 c): an account nobody
// signed in to for longer than the policy's dormant days (default 90) is
// disabled by the server's sweep — at start-up, then hourly — with a
// user.disable_dormant audit row, and can no longer sign in.
func TestDormantAccountDisabled(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s := start(t, b)
		const who = "lixia.officer02"
		pw := s.passwords[who]
		s.stop()
		db := s.db()
		old := time.Now().Add(-100 * 24 * time.Hour).UTC()
		q := `UPDATE users SET created_at = ` + ph(b) + `, last_login_at = NULL, enabled_at = NULL WHERE username = '` + who + `'`
		if _, err := db.Exec(q, old); err != nil {
			t.Fatal(err)
		}
		s2 := restart(s)
		var n int
		checkFor(t, 10*time.Second, "the dormant sweep's audit row", func() bool {
			db.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'user.disable_dormant' AND object_id LIKE '%` + who + `%'`).Scan(&n)
			if n == 0 {
				db.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'user.disable_dormant' AND detail LIKE '%` + who + `%'`).Scan(&n)
			}
			return n > 0
		})
		if n != 1 {
			t.Errorf("%d user.disable_dormant rows for %s, want 1", n, who)
		}
		code, body := call(t, "POST", s2.url+"/api/v1/auth/login", "", fmt.Sprintf(`{"username":%q,"password":%q}`, who, pw))
		if code == 200 || !strings.Contains(body, "error") {
			t.Errorf("a dormant account signs in: %d %s", code, body)
		}
		// A recent account is left alone.
		s2.login("lixia.officer01")
	})
}
