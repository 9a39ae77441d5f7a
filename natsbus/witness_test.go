package natsbus

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
)

// openTestWitness opens a witness on a stream and subjects of its own on
// the machine's NATS server and deletes the stream afterwards.
func openTestWitness(t *testing.T) *Witness {
	t.Helper()
	url := os.Getenv("ZHUDUN_TEST_NATS")
	if url == "" {
		url = "nats://127.0.0.1:4222"
	}
	id := rand.Text()
	w, err := OpenWitness(t.Context(), WitnessConfig{URL: url, Logger: testLogger(t), StreamName: "ZHUDUN_TEST_W_" + id, SubjectPrefix: "zhudun.testw." + id})
	if err != nil {
		t.Fatalf("OpenWitness(%s): %v", url, err)
	}
	t.Cleanup(func() {
		w.Close() // a store may have closed it already; delete through a fresh one
		c, err := OpenWitness(context.Background(), w.cfg)
		if err != nil {
			t.Errorf("reopen to delete stream: %v", err)
			return
		}
		defer c.Close()
		if err := c.js.DeleteStream(context.Background(), w.cfg.StreamName); err != nil {
			t.Errorf("delete stream: %v", err)
		}
	})
	return w
}

// TestWitnessStream: heads come back per instance in the order written, and
// the stream refuses to delete or purge them.
func TestWitnessStream(t *testing.T) {
	w := openTestWitness(t)
	ctx := t.Context()
	for _, h := range []zhudun.AuditHead{{Instance: "a", Seq: 1, Hash: "h1", Sig: "s1"}, {Instance: "b", Seq: 7, Hash: "x", Sig: "y"},
		{Instance: "a", Seq: 3, Hash: "h3", Sig: "s3"}, {Instance: "a", Seq: 2, Hash: "h2", Sig: "s2"}} {
		if err := w.Append(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	if err := w.Heads(ctx, "a", func(h zhudun.AuditHead) error {
		got = append(got, fmt.Sprintf("%d:%s:%s", h.Seq, h.Hash, h.Sig))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "1:h1:s1 3:h3:s3 2:h2:s2" {
		t.Fatalf("heads of a: %v", got)
	}
	n := 0
	if err := w.Heads(ctx, "nobody", func(zhudun.AuditHead) error { n++; return nil }); err != nil || n != 0 {
		t.Fatalf("heads of an unknown instance: %d %v", n, err)
	}
	s, err := w.js.Stream(ctx, w.cfg.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteMsg(ctx, 1); err == nil {
		t.Error("the witness stream deleted a message")
	}
	if err := s.Purge(ctx); err == nil {
		t.Error("the witness stream was purged")
	}
}

// TestWitnessCatchesRollback: a store on SQLite witnessed on NATS; the
// newest rows deleted and the older anchor put back are reported.
func TestWitnessCatchesRollback(t *testing.T) {
	w := openTestWitness(t)
	keys := gmcrypto.Generate()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "zhudun.db"), sqlstore.Options{Keys: keys, Witness: w})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sys := zhudun.WithCaller(t.Context(), zhudun.SystemCaller("test"))
	db := s.DB()
	if _, err := db.Exec(`CREATE TABLE saved AS SELECT * FROM audit_anchor`); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ { // rows 8, 9, 10 after the 7 role.seed rows
		if err := s.Record(sys, &zhudun.AuditEntry{Action: "test.write"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{`DROP TRIGGER audit_log_no_delete`, `DROP TRIGGER audit_anchor_forward`, `DELETE FROM audit_log WHERE seq > 7`,
		`UPDATE audit_anchor SET head_seq = (SELECT head_seq FROM saved), head_hash = (SELECT head_hash FROM saved), sig = (SELECT sig FROM saved)`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	rep, err := s.VerifyAudit(sys)
	if err != nil || rep.OK || rep.Problem.Seq != 10 || !strings.Contains(rep.Problem.Reason, "database behind its witness at seq 10") {
		t.Fatalf("verify = %+v %+v %v; want row 10 'database behind its witness at seq 10'", rep, rep.Problem, err)
	}
}
