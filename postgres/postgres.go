// Package postgres is zhudun's production backend: PostgreSQL through pgx's
// database/sql driver. Audit appends serialise on the anchor row
// (SELECT … FOR UPDATE); migrations on an advisory lock.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/zhudun/zhudun/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is the PostgreSQL dialect of sqlstore.
type Dialect struct {
	// Every is how often the store checks whether a table's statistics
	// need refreshing (sqlstore.Analyzer); 0 means DefaultAnalyzeEvery.
	Every time.Duration
}

// DefaultAnalyzeEvery is the interval of the statistics check; a quiet
// database costs one catalogue read per check.
const DefaultAnalyzeEvery = 10 * time.Second

// AnalyzeEvery implements sqlstore.Analyzer.
func (d Dialect) AnalyzeEvery() time.Duration {
	if d.Every > 0 {
		return d.Every
	}
	return DefaultAnalyzeEvery
}

// analyzeAfter is how many changed incidents make the status statistics
// stale: the rule migration 0012 gives autovacuum.
const analyzeAfter = 2000

// Analyze implements sqlstore.Analyzer: once analyzeAfter incidents were
// inserted, updated or deleted since the previous analysis (last, the
// table's change counter as Analyze returned it), incidents.status is
// analysed again — that column alone, whose estimate of the open rows the
// boards' plans rest on, from a 3 000-row sample (its statistics target is
// 10, migration 0015): 30–50 ms, where a whole ANALYZE of 2 M incidents
// reads a 30 000-row sample of every column for 3 s and, every 10 s under
// 500 creations a second, held creations' p99 at 0.4 s.
func (Dialect) Analyze(ctx context.Context, db *sql.DB, last int64) (int64, error) {
	var n int64
	err := db.QueryRowContext(ctx, `SELECT n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables
		WHERE schemaname = current_schema() AND relname = 'incidents'`).Scan(&n)
	if err != nil {
		return last, err
	}
	if n-last < analyzeAfter && n >= last {
		return last, nil
	}
	if _, err := db.ExecContext(ctx, `ANALYZE incidents (status)`); err != nil {
		return last, err
	}
	return n, nil
}

var _ sqlstore.Dialect = Dialect{}

// Name implements sqlstore.Dialect.
func (Dialect) Name() string { return "postgres" }

// Rebind implements sqlstore.Dialect: ? becomes $1, $2, … (outside quotes).
func (Dialect) Rebind(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	inQuote := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Migrations implements sqlstore.Dialect.
func (Dialect) Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// migrationLockKey is an arbitrary constant shared by every zhudun process.
const migrationLockKey = 0x7a68756475

// LockMigrations implements sqlstore.Dialect.
func (Dialect) LockMigrations(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey)
	return err
}

// LockXact implements sqlstore.XactLocker.
func (Dialect) LockXact(ctx context.Context, tx *sql.Tx, key int64) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, key)
	return err
}

// LockChain implements sqlstore.Dialect.
func (Dialect) LockChain(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `SELECT id FROM audit_anchor WHERE id = 1 FOR UPDATE`)
	return err
}

// IsUniqueViolation implements sqlstore.Dialect.
func (Dialect) IsUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// Backup implements sqlstore.Dialect: PostgreSQL is backed up with its own
// tools (pg_dump, base backups with WAL archiving), not by zhudun.
func (Dialect) Backup(context.Context, *sql.DB, string) error {
	return errors.New("backup: on PostgreSQL use pg_dump or your base-backup tooling (see README, Production)")
}

// OpenDB opens a pool to dsn (postgres://…).
func OpenDB(ctx context.Context, dsn string) (*sql.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	// A pool sized to the machine, every connection kept: the database/sql
	// default of two idle connections made a busy server open (fork, sign
	// in) a PostgreSQL connection for most requests, and more connections
	// than cores only queue inside PostgreSQL instead of here.
	// Not fewer than 20: a transaction may read through the pool while it
	// holds its connection (the policy, a caller), and a small bound
	// deadlocks under load.
	n := min(max(4*runtime.NumCPU(), 20), 40)
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(10 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	return db, nil
}

// Open opens the store at dsn and applies migrations and the built-in roles.
func Open(ctx context.Context, dsn string, o sqlstore.Options) (*sqlstore.Store, error) {
	db, err := OpenDB(ctx, dsn)
	if err != nil {
		return nil, err
	}
	s := sqlstore.New(db, Dialect{}, o)
	if err := s.Init(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}
