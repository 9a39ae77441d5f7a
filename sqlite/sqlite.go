// Package sqlite is zhudun's embedded backend: pure-Go SQLite (modernc.org)
// in one file, WAL mode, with writes serialised across processes by
// BEGIN IMMEDIATE so that the server and the CLI can share the file.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/zhudun/zhudun/sqlstore"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is the SQLite dialect of sqlstore.
type Dialect struct {
	// Every is how often the store checkpoints the write-ahead log
	// (sqlstore.Checkpointer); 0 means DefaultCheckpointEvery.
	Every time.Duration
}

// DefaultCheckpointEvery is the background checkpoint interval: at 500
// creations a second the log grows by a few hundred pages in this time.
const DefaultCheckpointEvery = 250 * time.Millisecond

// CheckpointEvery implements sqlstore.Checkpointer.
func (d Dialect) CheckpointEvery() time.Duration {
	if d.Every > 0 {
		return d.Every
	}
	return DefaultCheckpointEvery
}

// Checkpoint implements sqlstore.Checkpointer with a passive checkpoint: it
// never waits for readers (and the store runs it between its own writers).
// Busy answers (another process checkpointing) are expected.
func (Dialect) Checkpoint(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
	return err
}

var _ sqlstore.Dialect = Dialect{}

// Name implements sqlstore.Dialect.
func (Dialect) Name() string { return "sqlite" }

// Rebind implements sqlstore.Dialect; SQLite takes ? as it is.
func (Dialect) Rebind(q string) string { return q }

// Migrations implements sqlstore.Dialect.
func (Dialect) Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// LockMigrations implements sqlstore.Dialect: every transaction already
// begins IMMEDIATE, which takes the database's write lock.
func (Dialect) LockMigrations(context.Context, *sql.Tx) error { return nil }

// SingleWriter implements sqlstore.SingleWriter: SQLite takes one writer at
// a time, and the store queues its own.
func (Dialect) SingleWriter() bool { return true }

// LockChain implements sqlstore.Dialect: see LockMigrations.
func (Dialect) LockChain(context.Context, *sql.Tx) error { return nil }

// IsUniqueViolation implements sqlstore.Dialect.
func (Dialect) IsUniqueViolation(err error) bool {
	var e *msqlite.Error
	if errors.As(err, &e) {
		return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// Backup implements sqlstore.Dialect with VACUUM INTO, which reads one
// consistent snapshot while writers go on.
func (Dialect) Backup(ctx context.Context, db *sql.DB, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s exists; refusing to overwrite", path)
	}
	_, err := db.ExecContext(ctx, `VACUUM INTO ?`, path)
	return err
}

// OpenDB opens (creating if needed) the SQLite file at path with the pragmas
// zhudun relies on.
func OpenDB(path string) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// Pages read through a memory map rather than a pread each: under load
	// (2 M incidents, 50 boards and 500 creations a second) the preads of
	// the connections' page-cache misses were a twentieth of the server's
	// CPU. The map is address space, not memory; the OS shares its pages
	// among the connections.
	q.Add("_pragma", "mmap_size(4294967296)")
	// A backstop (SQLite's default is 1000 pages): a store checkpoints in the
	// background between its writers (sqlstore.Checkpointer).
	q.Add("_pragma", "wal_autocheckpoint(4000)")
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	dsn := "file:" + escapePath(path) + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// Connections kept, not reopened: opening one re-reads and parses the
	// schema, which took a quarter of the server's CPU under load with the
	// database/sql default of two idle connections. Not bounded: a
	// transaction that reads the policy or a caller through the pool while
	// it holds its connection must always find another (a bound of four
	// deadlocked under load); writers queue in the store (SingleWriter).
	// Sixteen kept still churned under 50 clients and 500 creations a
	// second: a third of the CPU went to new connections' schema and
	// statistics loads. Each kept connection costs its page cache (2 MB at
	// most); an idle one closes after 10 minutes.
	db.SetMaxIdleConns(max(64*runtime.NumCPU(), 128))
	db.SetConnMaxIdleTime(10 * time.Minute)
	_ = os.Chmod(path, 0o600)
	return db, nil
}

func escapePath(p string) string {
	return strings.ReplaceAll(strings.ReplaceAll(p, "%", "%25"), "?", "%3F")
}

// Open opens the store at path and applies migrations and the built-in roles.
func Open(ctx context.Context, path string, o sqlstore.Options) (*sqlstore.Store, error) {
	db, err := OpenDB(path)
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
