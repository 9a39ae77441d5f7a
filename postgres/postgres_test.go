package postgres_test

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/zhudun/zhudun/internal/testpg"
	"github.com/zhudun/zhudun/postgres"
	"github.com/zhudun/zhudun/sqlstore"
	"github.com/zhudun/zhudun/sqlstore/storetest"
)

func TestConformance(t *testing.T) { storetest.Run(t, backend()) }

// BenchmarkCreateIncidentParallel: go test -run x -bench . ./postgres
func BenchmarkCreateIncidentParallel(b *testing.B) { storetest.BenchCreateIncident(b, backend()) }

// The cases' hot paths (docs/cases.md "Scale"; the 200,000-case figures are
// bench/cases'): go test -run x -bench 'Case|Cyber' ./postgres
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
// (docs/live.md "Speed"): go test -run x -bench FindingRun ./postgres
func BenchmarkFindingRun(b *testing.B)        { storetest.BenchFindingRun(b, backend()) }
func BenchmarkSaveShiftCoverage(b *testing.B) { storetest.BenchSaveShiftCoverage(b, backend()) }

// tripCounter counts the statements pgx sends, each a round trip (database/sql
// sends BEGIN, COMMIT and savepoints as statements too).
type tripCounter struct{ n atomic.Int64 }

func (c *tripCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (*tripCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func backend() storetest.Backend {
	var mu sync.Mutex
	dsns := map[testing.TB]string{}
	trips := &tripCounter{}
	return storetest.Backend{
		RoundTrips: trips.n.Load,
		Open: func(t testing.TB, name string, o sqlstore.Options) *sqlstore.Store {
			mu.Lock()
			dsn, ok := dsns[t]
			mu.Unlock()
			if !ok {
				dsn = testpg.FreshDB(t)
				mu.Lock()
				dsns[t] = dsn
				mu.Unlock()
			}
			cfg, err := pgx.ParseConfig(dsn)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Tracer = trips
			conn := stdlib.RegisterConnConfig(cfg)
			t.Cleanup(func() { stdlib.UnregisterConnConfig(conn) })
			s, err := postgres.Open(context.Background(), conn, o)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		DropAuditGuards: func(t *testing.T, db *sql.DB) {
			for _, q := range []string{`DROP TRIGGER audit_log_no_update ON audit_log`, `DROP TRIGGER audit_log_no_truncate ON audit_log`,
				`DROP TRIGGER audit_anchor_forward ON audit_anchor`, `DROP TRIGGER audit_anchor_no_truncate ON audit_anchor`} {
				if _, err := db.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
		},
		Explain: func(t testing.TB, db *sql.DB, q string, args []any) string {
			tx, err := db.Begin()
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			// ANALYZE first: a table never analyzed is planned as if it
			// were large, which is the opposite of what this guards.
			for _, s := range []string{`ANALYZE incidents`, `SET LOCAL enable_seqscan = off`} {
				if _, err := tx.Exec(s); err != nil {
					t.Fatal(err)
				}
			}
			rows, err := tx.Query(`EXPLAIN `+q, args...)
			if err != nil {
				t.Fatalf("explain %s: %v", q, err)
			}
			defer rows.Close()
			var b strings.Builder
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					t.Fatal(err)
				}
				b.WriteString(line + "\n")
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			return b.String()
		},
	}
}

func TestRebind(t *testing.T) {
	cases := map[string]string{
		`SELECT ? , ?`:                        `SELECT $1 , $2`,
		`WHERE a LIKE ? ESCAPE '\' AND b = ?`: `WHERE a LIKE $1 ESCAPE '\' AND b = $2`,
		`SELECT '?' , ?`:                      `SELECT '?' , $1`,
		`INSERT INTO t VALUES (?, ?, ?)`:      `INSERT INTO t VALUES ($1, $2, $3)`,
	}
	for in, want := range cases {
		if got := (postgres.Dialect{}).Rebind(in); got != want {
			t.Errorf("Rebind(%q) = %q, want %q", in, got, want)
		}
	}
}
