package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
	"github.com/zhudun/zhudun/sqlstore/storetest"
)

func TestConformance(t *testing.T) { storetest.Run(t, backend()) }

// BenchmarkCreateIncidentParallel: go test -run x -bench . ./sqlite
func BenchmarkCreateIncidentParallel(b *testing.B) { storetest.BenchCreateIncident(b, backend()) }

// The cases' hot paths (docs/cases.md "Scale"; the 200,000-case figures are
// bench/cases'): go test -run x -bench 'Case|Cyber' ./sqlite
func BenchmarkCaseDetail(b *testing.B)     { storetest.BenchCaseDetail(b, backend()) }
func BenchmarkCaseXref(b *testing.B)       { storetest.BenchCaseXref(b, backend()) }
func BenchmarkCyberReport(b *testing.B)    { storetest.BenchCyberReport(b, backend()) }
func BenchmarkCaseAlertsPage(b *testing.B) { storetest.BenchCaseAlertsPage(b, backend()) }
func BenchmarkSchoolPoints(b *testing.B)   { storetest.BenchSchoolPoints(b, backend()) }

// E-bike fire intake and statistics (docs/fire.md): go test -run x -bench Fire ./sqlite
func BenchmarkFireIntake(b *testing.B) { storetest.BenchFireIntake(b, backend()) }
func BenchmarkFireStats(b *testing.B)  { storetest.BenchFireStats(b, backend()) }

// BenchmarkDashboardToday: the command dashboard's today for a city commander on a busy day.
func BenchmarkDashboardToday(b *testing.B) { storetest.BenchDashboardToday(b, backend()) }

// BenchmarkFindingRun: one live-engine run's change of 2,000 findings
// (docs/live.md "Speed"): go test -run x -bench FindingRun ./sqlite
func BenchmarkFindingRun(b *testing.B)        { storetest.BenchFindingRun(b, backend()) }
func BenchmarkSaveShiftCoverage(b *testing.B) { storetest.BenchSaveShiftCoverage(b, backend()) }

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
		Explain: func(t testing.TB, db *sql.DB, q string, args []any) string {
			// Planned against the statistics of a city, not of the test's
			// few rows: SQLite plans by sqlite_stat1, which may be written
			// to stand for another database (taken from bench/load's 2 M
			// incidents over 2 573 grids, with 3 000 of them open).
			ctx := context.Background()
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			for _, s := range append([]string{`DELETE FROM sqlite_stat1`}, cityStats...) {
				if _, err := conn.ExecContext(ctx, s); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
			if _, err := conn.ExecContext(ctx, `ANALYZE sqlite_schema`); err != nil {
				t.Fatal(err)
			}
			rows, err := conn.QueryContext(ctx, `EXPLAIN QUERY PLAN `+q, args...)
			if err != nil {
				t.Fatalf("explain %s: %v", q, err)
			}
			defer rows.Close()
			var b strings.Builder
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				b.WriteString(detail + "\n")
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			return b.String()
		},
	}
}

// cityStats are sqlite_stat1 rows for a city's database (see Explain).
var cityStats = func() []string {
	var out []string
	for _, r := range [][3]string{
		{"depts", "depts_parent", "52 4"}, {"depts", "depts_path", "52 1"}, {"depts", "sqlite_autoindex_depts_1", "52 1"},
		{"grids", "grids_bbox", "2573 30 30"}, {"grids", "grids_station", "2573 72"}, {"grids", "sqlite_autoindex_grids_1", "2573 1"},
		{"units", "units_station", "72 2"}, {"units", "sqlite_autoindex_units_1", "72 1"},
		{"incidents", "incidents_received", "2000000 1"}, {"incidents", "incidents_station", "2000000 55556 1"},
		{"incidents", "incidents_open", "3000 1"}, {"incidents", "incidents_open_station", "3000 84 1"},
		{"incidents", "incidents_creator", "20000 400 20 20"}, {"incidents", "incidents_open_creator", "3000 60 3 3"},
		{"incidents", "incidents_lent", "200 6"}, {"incidents", "incidents_phone_idx", "40000 2"},
	} {
		out = append(out, "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('"+r[0]+"', '"+r[1]+"', '"+r[2]+"')")
	}
	return out
}()
