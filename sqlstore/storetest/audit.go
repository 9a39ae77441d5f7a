package storetest

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/sqlstore"
)

// busy makes a few audited changes: 7 role.seed rows exist already, these
// add 5 dept.create and 2 user.create = 14 rows.
func (e *env) busy() {
	e.fixture()
	e.user("a1", "ST1", zhudun.RoleAuditAdmin)
	e.user("o1", "ST1", zhudun.RoleOfficer)
}

func (e *env) verify() *zhudun.AuditReport {
	e.t.Helper()
	rep, err := e.s.VerifyAudit(e.sys)
	if err != nil {
		e.t.Fatal(err)
	}
	return rep
}

func testAuditChain(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.busy()
	rep := e.verify()
	if !rep.OK || rep.Rows != 14 || rep.FirstSeq != 1 || rep.LastSeq != 14 || len(rep.HeadHash) != 64 {
		t.Fatalf("verify = %+v", rep)
	}
	rows, n, err := e.s.FindAudit(e.sys, zhudun.AuditFilter{Action: "dept.", Limit: 2})
	e.must(err)
	if n != 5 || len(rows) != 2 || rows[0].ObjectID != "SQ1" || rows[0].Seq <= rows[1].Seq {
		t.Fatalf("dept rows: %d %+v", n, rows)
	}
	if rows[0].PrevHash == "" || rows[0].Username != "test" {
		t.Fatalf("row fields: %+v", rows[0])
	}
	_, n, err = e.s.FindAudit(e.sys, zhudun.AuditFilter{ObjectType: "user", ObjectID: "o1"})
	e.must(err)
	if n != 1 {
		t.Fatalf("by object: %d", n)
	}
	// A wildcard in the filter is text, not a pattern.
	_, n, err = e.s.FindAudit(e.sys, zhudun.AuditFilter{Action: "%"})
	e.must(err)
	if n != 0 {
		t.Fatalf("action %%: %d", n)
	}
	officer := &zhudun.Caller{UserID: 99, DeptID: 1, DeptPath: "/1/", Perms: map[zhudun.Permission]zhudun.Scope{zhudun.PermIncidentRead: zhudun.ScopeAll}}
	if _, err := e.s.VerifyAudit(zhudun.WithCaller(e.sys, officer)); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("officer verifies: %v", err)
	}
}

func testAuditTamper(t *testing.T, b Backend) {
	cases := []struct {
		name    string
		sql     []string
		seq     int64
		reason  string
		guarded bool // the statement is refused while the triggers stand
	}{
		{"alter a row", []string{`UPDATE audit_log SET action = 'user.view' WHERE seq = 9`}, 9, "altered", true},
		{"delete the last row", []string{`DELETE FROM audit_log WHERE seq = 14`}, 14, "deleted", true},
		{"delete a middle row", []string{`DELETE FROM audit_log WHERE seq = 4`}, 4, "deleted", true},
		{"swap two rows", []string{`UPDATE audit_log SET seq = 100 WHERE seq = 5`, `UPDATE audit_log SET seq = 5 WHERE seq = 6`, `UPDATE audit_log SET seq = 6 WHERE seq = 100`}, 5, "altered", true},
		{"delete the last row and move the anchor back", []string{`DELETE FROM audit_log WHERE seq = 14`,
			`UPDATE audit_anchor SET head_seq = 13, head_hash = (SELECT hash FROM audit_log WHERE seq = 13)`}, 14, "database behind its witness at seq 14", true},
		{"move the anchor back", []string{`UPDATE audit_anchor SET head_seq = 13, head_hash = (SELECT hash FROM audit_log WHERE seq = 13)`}, 13, "anchor signature invalid", true},
		{"remove a row's signature", []string{`UPDATE audit_log SET sig = '' WHERE seq = 10`}, 10, "signature was removed", true},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			e := newEnv(t, b)
			e.busy()
			db := e.s.DB()
			if c.guarded {
				if _, err := db.Exec(c.sql[0]); err == nil {
					t.Fatalf("%s: the append-only guard let it through", c.sql[0])
				}
			}
			b.DropAuditGuards(t, db)
			for _, q := range c.sql {
				if _, err := db.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			rep := e.verify()
			if rep.OK || rep.Problem == nil || rep.Problem.Seq != c.seq || !strings.Contains(rep.Problem.Reason, c.reason) {
				t.Fatalf("verify = %+v / %+v; want row %d %q", rep, rep.Problem, c.seq, c.reason)
			}
		})
	}
}

// testAuditRollback is issue 19.6: the newest rows deleted and an older,
// validly signed anchor row put back passed verification. The witness
// outside the database still holds the newer head.
func testAuditRollback(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.busy() // 14 rows
	db := e.s.DB()
	if _, err := db.Exec(`CREATE TABLE saved_anchor AS SELECT * FROM audit_anchor`); err != nil {
		t.Fatal(err)
	}
	e.must(e.s.Record(e.sys, &zhudun.AuditEntry{Action: "test.after"})) // row 15
	e.must(e.s.Record(e.sys, &zhudun.AuditEntry{Action: "test.after"})) // row 16
	rollback := []string{`DELETE FROM audit_log WHERE seq > 14`,
		`UPDATE audit_anchor SET head_seq = (SELECT head_seq FROM saved_anchor), head_hash = (SELECT head_hash FROM saved_anchor),
			sig = (SELECT sig FROM saved_anchor)`}
	for _, q := range rollback {
		if _, err := db.Exec(q); err == nil {
			t.Fatalf("%s: the guards let it through", q)
		}
	}
	b.DropAuditGuards(t, db)
	for _, q := range rollback {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	rep := e.verify()
	if rep.OK || rep.Problem == nil || rep.Problem.Seq != 16 || !strings.Contains(rep.Problem.Reason, "database behind its witness at seq 16") {
		t.Fatalf("verify after rollback = %+v / %+v; want row 16 'database behind its witness at seq 16'", rep, rep.Problem)
	}
	// Without the witness the rolled-back database looks whole: that is
	// what the witness is for.
	s2 := b.Open(t, "main", sqlstore.Options{Keys: e.keys, Now: e.clock.Now})
	if rep, err := s2.VerifyAudit(e.sys); err != nil || !rep.OK || rep.LastSeq != 14 {
		t.Fatalf("verify without the witness = %+v %v", rep, err)
	}
}

// testAuditRecomputed: a row edited and every later hash recomputed (and
// the anchor's head moved along) is reported at the edited row, not at the
// head (issue 19.6). The hashes are recomputed the way an intruder who
// read the source would, with zhudun's own field layout.
func testAuditRecomputed(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.busy() // 14 rows
	rows, _, err := e.s.FindAudit(e.sys, zhudun.AuditFilter{Limit: 500})
	e.must(err)
	slices.Reverse(rows)
	b.DropAuditGuards(t, e.s.DB())
	prev := rows[7].Hash // row 8
	for _, r := range rows[8:] {
		if r.Seq == 9 {
			r.Action = "user.view"
		}
		r.PrevHash = prev
		detail := []byte(r.Detail)
		if len(detail) == 0 {
			detail = []byte("null")
		}
		r.Hash = gmcrypto.SM3Hex([]byte(r.PrevHash), []byte(fmt.Sprint(r.Seq)), []byte(r.At.UTC().Format(time.RFC3339Nano)),
			[]byte(fmt.Sprint(r.UserID)), []byte(r.Username), []byte(r.DeptCode), []byte(r.DeptPath), []byte(r.Action),
			[]byte(r.ObjectType), []byte(r.ObjectID), []byte(r.Result), []byte(r.ClientAddr), detail)
		prev = r.Hash
		if _, err := e.s.DB().Exec(rebind(e.s, `UPDATE audit_log SET action = ?, prev_hash = ?, hash = ? WHERE seq = ?`), r.Action, r.PrevHash, r.Hash, r.Seq); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.s.DB().Exec(rebind(e.s, `UPDATE audit_anchor SET head_hash = ?`), prev); err != nil {
		t.Fatal(err)
	}
	rep := e.verify()
	if rep.OK || rep.Problem == nil || rep.Problem.Seq != 9 || !strings.Contains(rep.Problem.Reason, "does not match its signature") {
		t.Fatalf("verify = %+v / %+v; want row 9 'does not match its signature'", rep, rep.Problem)
	}
}

// testAuditGuards: the append-only guards hold without any marker —
// inserting a row into audit_archiving used to switch the delete guard
// off (issue 19.6) — and the witness's own tampering is reported.
func testAuditGuards(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.busy()
	db := e.s.DB()
	if _, err := db.Exec(`INSERT INTO audit_archiving (id) VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DELETE FROM audit_log WHERE seq = 14`, `DELETE FROM audit_log`, `DELETE FROM audit_anchor`,
		`UPDATE audit_anchor SET base_seq = base_seq - 1`, `UPDATE audit_anchor SET head_seq = head_seq - 1`} {
		if _, err := db.Exec(q); err == nil {
			t.Errorf("%s: the guard let it through", q)
		}
	}
	if e.s.Dialect().Name() == "postgres" {
		for _, q := range []string{`TRUNCATE audit_log`, `TRUNCATE audit_anchor`} {
			if _, err := db.Exec(q); err == nil {
				t.Errorf("%s: the guard let it through", q)
			}
		}
	}
	if rep := e.verify(); !rep.OK || rep.Rows != 14 {
		t.Fatalf("verify after refused deletes = %+v %+v", rep, rep.Problem)
	}
	// A forged head appended to the witness is caught by its signature.
	path := e.witness.Path()
	good, err := os.ReadFile(path)
	e.must(err)
	first := strings.Fields(string(good))[0] // this database's instance id
	e.must(os.WriteFile(path, append(append([]byte{}, good...), first+" 99 "+strings.Repeat("a", 64)+" forged\n"...), 0o600))
	want := fmt.Sprintf("witness entry %d is malformed or its signature is invalid", strings.Count(string(good), "\n")+1)
	if rep := e.verify(); rep.OK || !strings.Contains(rep.Problem.Reason, want) {
		t.Fatalf("verify with a forged witness entry = %+v", rep.Problem)
	}
	// A witness emptied while the database holds witnessed rows.
	e.must(os.WriteFile(path, nil, 0o600))
	if rep := e.verify(); rep.OK || !strings.Contains(rep.Problem.Reason, "witness missing") {
		t.Fatalf("verify with an emptied witness = %+v", rep.Problem)
	}
}

func rebind(s *sqlstore.Store, q string) string { return s.Dialect().Rebind(q) }

func testAuditConcurrent(t *testing.T, b Backend) {
	e := newEnv(t, b)
	s2 := b.Open(t, "main", optionsLike(e)) // a second process: the CLI beside the server
	var wg sync.WaitGroup
	errs := make(chan error, 80)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			s := e.s
			if w%2 == 1 {
				s = s2
			}
			for i := 0; i < 20; i++ {
				errs <- s.Record(e.sys, &zhudun.AuditEntry{Action: "test.write", ObjectID: fmt.Sprintf("%d-%d", w, i)})
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	rep := e.verify()
	if !rep.OK || rep.Rows != 87 || rep.LastSeq != 87 {
		t.Fatalf("verify after concurrent writers = %+v %+v", rep, rep.Problem)
	}
}

func testOutbox(t *testing.T, b Backend) {
	e := newEnv(t, b)
	// Drain the seed events first.
	pend, err := e.s.PendingEvents(e.sys, 100)
	e.must(err)
	if len(pend) != 7 {
		t.Fatalf("seed events = %d; want 7 audit.appended", len(pend))
	}
	ids := []int64{}
	for _, p := range pend {
		ids = append(ids, p.ID)
	}
	e.must(e.s.MarkPublished(e.sys, ids))
	select {
	case <-e.s.OutboxNotify():
	default:
	}
	d := zhudun.Dept{Code: "SB1", Name: "一分局", Kind: zhudun.DeptSubBureau}
	e.must(e.s.CreateDept(e.sys, &d))
	select {
	case <-e.s.OutboxNotify():
	default:
		t.Fatal("no notification after a change")
	}
	pend, err = e.s.PendingEvents(e.sys, 100)
	e.must(err)
	if len(pend) != 2 {
		t.Fatalf("events = %+v", pend)
	}
	a, dc := pend[0], pend[1]
	if len(a.Source) != 32 || a.Source != dc.Source {
		t.Fatalf("event sources %q %q; want this database's 32-hex instance id", a.Source, dc.Source)
	}
	if a.Type != "audit.appended" || a.Perm != zhudun.PermAuditRead || a.ID >= dc.ID {
		t.Fatalf("first event %+v", a)
	}
	if dc.Type != "dept.created" || dc.Perm != zhudun.PermDeptRead || dc.DeptPath != d.Path || dc.DeptID != d.ID || !strings.Contains(string(dc.Data), `"code":"SB1"`) {
		t.Fatalf("dept event %+v %s", dc, dc.Data)
	}
	e.must(e.s.MarkPublished(e.sys, []int64{a.ID, dc.ID}))
	pend, err = e.s.PendingEvents(e.sys, 100)
	e.must(err)
	if len(pend) != 0 {
		t.Fatalf("pending after publish: %d", len(pend))
	}
}

func testAuditArchive(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.busy() // 14 rows at 2026-03-01
	if _, err := e.s.ArchiveAudit(e.sys, e.clock.Now(), &bytes.Buffer{}); code(err) != zhudun.EINVALID {
		t.Fatalf("archive inside the retention period: %v", err)
	}
	e.clock.Advance(200 * 24 * time.Hour)
	e.user("late", "ST1", zhudun.RoleOfficer) // row 15, after the cutoff
	var buf bytes.Buffer
	n, err := e.s.ArchiveAudit(e.sys, e.clock.Now().Add(-190*24*time.Hour), &buf)
	if err != nil || n != 14 {
		t.Fatalf("archive: %d %v", n, err)
	}
	arch, err := e.s.VerifyAuditArchive(e.sys, bytes.NewReader(buf.Bytes()))
	if err != nil || !arch.OK || arch.Rows != 14 || arch.FirstSeq != 1 || arch.LastSeq != 14 {
		t.Fatalf("archive verify: %+v %+v %v", arch, arch.Problem, err)
	}
	rep := e.verify()
	if !rep.OK || rep.Rows != 2 || rep.FirstSeq != 15 || rep.LastSeq != 16 { // row 15 and the audit.archive row
		t.Fatalf("table after archive: %+v %+v", rep, rep.Problem)
	}
	// An edited archive is caught.
	bad := bytes.Replace(buf.Bytes(), []byte(`"action":"dept.create"`), []byte(`"action":"dept.delete"`), 1)
	arch, err = e.s.VerifyAuditArchive(e.sys, bytes.NewReader(bad))
	if err != nil || arch.OK || arch.Problem == nil || arch.Problem.Seq != 8 {
		t.Fatalf("tampered archive: %+v %+v %v", arch, arch.Problem, err)
	}
	// A truncated archive is caught.
	lines := bytes.SplitAfter(buf.Bytes(), []byte("\n"))
	arch, _ = e.s.VerifyAuditArchive(e.sys, bytes.NewReader(bytes.Join(lines[:len(lines)-2], nil)))
	if arch.OK || arch.Problem == nil || !strings.Contains(arch.Problem.Reason, "deleted") {
		t.Fatalf("truncated archive: %+v", arch.Problem)
	}
}
