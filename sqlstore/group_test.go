package sqlstore_test

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/internal/testpg"
	"github.com/zhudun/zhudun/postgres"
	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
)

// TestGroupUndo: callers that fail after appending audit rows and events
// (some after statements of their own, some before sending any), between
// callers that succeed in the same group, leave nothing behind —
// the group's chain head, its pending rows and events go back to the
// previous caller's — and the chain the others wrote verifies.
func TestGroupUndo(t *testing.T) {
	open := map[string]func(t *testing.T, o sqlstore.Options) (*sqlstore.Store, error){
		"sqlite": func(t *testing.T, o sqlstore.Options) (*sqlstore.Store, error) {
			return sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "z.db"), o)
		},
		"postgres": func(t *testing.T, o sqlstore.Options) (*sqlstore.Store, error) {
			return postgres.Open(context.Background(), testpg.FreshDB(t), o)
		},
	}
	for name, open := range open {
		t.Run(name, func(t *testing.T) {
			s, err := open(t, sqlstore.Options{Keys: gmcrypto.Generate()})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
			before, err := s.VerifyAudit(sys)
			if err != nil || !before.OK {
				t.Fatalf("verify before: %+v %v", before, err)
			}
			pending, err := s.PendingEvents(sys, 10000)
			if err != nil {
				t.Fatal(err)
			}
			const n = 20 // caller 0 holds the first group until 1…19 queue for the second
			failed := errors.New("failed after its audit row")
			errs := make([]error, n)
			var wg sync.WaitGroup
			entered, release := make(chan struct{}), make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = s.WriteGroupedForTest(sys, func(ctx context.Context, tx *sqlstore.Tx) error {
						if i%4 == 1 {
							return failed // before any statement: nothing to undo in the database
						}
						if err := tx.AuditForTest(ctx, &zhudun.AuditEntry{Action: "test.group", ObjectType: "test", ObjectID: strconv.Itoa(i)}); err != nil {
							return err
						}
						if i%4 == 3 {
							// A statement of its own, then failure: the
							// group is run again with savepoints.
							// Its row must not outlive it (see the count of events).
							if err := tx.ExecForTest(ctx, `INSERT INTO outbox (type, at, perm, dept_path, data) VALUES ('test.leak', CURRENT_TIMESTAMP, 'audit:read', '/', '{}')`); err != nil {
								return err
							}
						}
						if i == 0 {
							close(entered)
							<-release
						}
						if i%2 == 1 {
							return failed
						}
						return nil
					})
				}()
				if i == 0 {
					<-entered // caller 0's group is closed: the rest form the next
				}
			}
			for s.GroupQueuedForTest() < n-1 {
				time.Sleep(time.Millisecond)
			}
			close(release)
			wg.Wait()
			for i, err := range errs {
				if i%2 == 1 && !errors.Is(err, failed) || i%2 == 0 && err != nil {
					t.Errorf("caller %d: %v", i, err)
				}
			}
			// 0, 2, 4, …, 18: ten rows.
			rep, err := s.VerifyAudit(sys)
			if err != nil || !rep.OK || rep.Rows != before.Rows+10 || rep.LastSeq != before.LastSeq+10 {
				t.Fatalf("verify after = %+v %v (before %+v)", rep, err, before)
			}
			rows, total, err := s.FindAudit(sys, zhudun.AuditFilter{Action: "test.group", Limit: 100})
			if err != nil || total != 10 {
				t.Fatalf("test.group rows = %d, %v; want 10", total, err)
			}
			for _, r := range rows {
				if i, _ := strconv.Atoi(r.ObjectID); i%2 == 1 {
					t.Errorf("row of failed caller %d stored", i)
				}
			}
			after, err := s.PendingEvents(sys, 10000)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(after) - len(pending); got != 10 {
				t.Errorf("%d new events; want 10 (one audit.appended per stored row)", got)
			}
		})
	}
}
