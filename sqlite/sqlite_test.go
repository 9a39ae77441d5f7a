package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"

	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
	"github.com/zhudun/zhudun/sqlstore/storetest"
)

func TestConformance(t *testing.T) { storetest.Run(t, backend()) }

// BenchmarkCreateIncidentParallel: go test -run x -bench . ./sqlite
func BenchmarkCreateIncidentParallel(b *testing.B) { storetest.BenchCreateIncident(b, backend()) }

func backend() storetest.Backend {
	return storetest.Backend{
		Open: func() func(t testing.TB, name string, o sqlstore.Options) *sqlstore.Store {
			var mu sync.Mutex
			dirs := map[testing.TB]string{}
			return func(t testing.TB, name string, o sqlstore.Options) *sqlstore.Store {
				mu.Lock()
				dir, ok := dirs[t]
				if !ok {
					dir = t.TempDir()
					dirs[t] = dir
				}
				mu.Unlock()
				s, err := sqlite.Open(context.Background(), filepath.Join(dir, name+".db"), o)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			}
		}(),
		DropAuditGuards: func(t *testing.T, db *sql.DB) {
			for _, q := range []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`,
				`DROP TRIGGER audit_anchor_forward`, `DROP TRIGGER audit_anchor_no_delete`} {
				if _, err := db.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
		},
	}
}
