// Package sqlstore implements zhudun's services over database/sql. The SQL
// here is the dialect-neutral part (written with ? placeholders); what differs
// between SQLite and PostgreSQL — migrations, locking, backup, error
// classification — lives in each backend's adapter package (sqlite/,
// postgres/) behind the Dialect interface. One conformance suite
// (sqlstore/storetest) runs every service against both.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zhudun/zhudun"
)

// Dialect is what a backend adapter supplies.
type Dialect interface {
	// Name is "sqlite" or "postgres".
	Name() string
	// Rebind turns ? placeholders into the backend's own.
	Rebind(q string) string
	// Migrations holds NNNN_name.sql files applied in order.
	Migrations() fs.FS
	// LockMigrations serialises migration runs across processes.
	LockMigrations(ctx context.Context, tx *sql.Tx) error
	// LockChain serialises audit appends across processes for the rest of tx
	// so that the log stays one linear chain.
	LockChain(ctx context.Context, tx *sql.Tx) error
	// IsUniqueViolation reports whether err is a unique-constraint failure.
	IsUniqueViolation(err error) bool
	// Backup writes a consistent copy of the database to path.
	Backup(ctx context.Context, db *sql.DB, path string) error
}

// XactLocker is a Dialect that serialises a kind of write across processes
// with a lock held to the end of the transaction (PostgreSQL's advisory
// locks). SQLite needs none: one writer at a time is its nature.
type XactLocker interface {
	LockXact(ctx context.Context, tx *sql.Tx, key int64) error
}

// workbenchLock is the lock of the analysts' and sources' decisions:
// reviews, two-person approvals, promotions, acks, appeals and the
// allowlist. They read a status and write the next one, so two of them at
// once on one finding (or request, or appeal) must not both read the old
// status — on PostgreSQL at READ COMMITTED they would. Serialising them all
// is simplest and costs nothing at their rate (people and carriers' syncs,
// not the engine, which never writes these columns).
const workbenchLock = 0x7a68647762 // "zhdwb"

// lockWorkbench takes the workbench lock for the rest of tx, then reads
// the clock again: the transaction's time is then in the order the
// decisions commit, which a cut list's ?since= relies on.
func (tx *Tx) lockWorkbench(ctx context.Context) error {
	l, ok := tx.s.dialect.(XactLocker)
	if !ok {
		return nil
	}
	if err := l.LockXact(ctx, tx.Tx, workbenchLock); err != nil {
		return tx.s.internal("workbench lock", err)
	}
	tx.now = tx.s.clock()
	return nil
}

// Keys is what the store needs from the keyring: sealing personal fields,
// their blind indexes and the audit anchor's signature. The keys never enter
// the database.
type Keys interface {
	Seal(plaintext, aad []byte) (string, error)
	Open(sealed string, aad []byte) ([]byte, error)
	NeedsRotation(sealed string) bool
	Index(kind, normalized string) string
	SignAnchor(msg []byte) string
	VerifyAnchor(msg []byte, sig string) bool
	// KeyIDs lists the ids of a purpose's keys, ascending; the last is the
	// active one. Retention uses it to find what old keys still seal.
	KeyIDs(purpose string) []int
}

// Store implements the core services. It is safe for concurrent use.
type Store struct {
	db      *sql.DB
	dialect Dialect
	keys    Keys
	blobs   zhudun.BlobStore // case attachments' content; nil: attachments unavailable
	log     *slog.Logger
	now     func() time.Time
	notify  chan struct{} // outbox has new rows; relays wake up early

	overrides zhudun.PolicyOverrides // start-up settings that win over the stored policy
	pol       policyCache
	witness   zhudun.AuditWitness // nil: the chain's head is kept in the database only
	instance  string              // settings.instance_id, the Source of this database's events

	limits    atomic.Pointer[zhudun.LoginLimits]
	limitsSet atomic.Pointer[zhudun.LoginLimits] // what SetLoginLimits was given: explicit values win over the policy
	piiSearch PIISearchLimit
	alert     SecurityAlert
	group     committer     // writeGrouped's queue
	wlock     chan struct{} // held by this process's writer; nil where the backend takes writers in parallel
	counts    cappedCounts  // list counts found past their cap
	grids     gridCache     // every grid at one grid_version, for creations' lookups
	pruneMu   sync.Mutex    // guards pruneAt
	pruneAt   time.Time     // when MarkPublished next forgets old events
	prep      prepared      // the hot path's statements, prepared once per connection
	trace     func(q string, args []any)
	stopMaint []func() // end the background upkeep (Checkpointer, Analyzer) and wait for it
	twoPerson int      // Options.TwoPersonAbove
}

// SingleWriter is implemented by a Dialect whose database takes one writer
// at a time (SQLite). The store then queues its writers itself, in order,
// instead of letting them poll the database's lock: a writer that finds it
// taken sleeps in the busy handler and loses its turn to newer ones, which
// is what made SQLite's creations take seconds under load.
type SingleWriter interface {
	SingleWriter() bool
}

// Checkpointer is implemented by a Dialect whose write-ahead log the store
// copies into the database itself, in the background, between its own
// writers (SQLite; see checkpoint.go).
type Checkpointer interface {
	// CheckpointEvery is the interval between checkpoints.
	CheckpointEvery() time.Duration
	// Checkpoint copies the log into the database.
	Checkpoint(ctx context.Context, db *sql.DB) error
}

// Analyzer is implemented by a Dialect whose planner statistics the store
// keeps current itself (PostgreSQL; see analyze.go).
type Analyzer interface {
	// AnalyzeEvery is the interval between checks.
	AnalyzeEvery() time.Duration
	// Analyze refreshes the statistics that changed enough since the
	// previous call, given what that call returned (0 the first time).
	Analyze(ctx context.Context, db *sql.DB, last int64) (int64, error)
}

// Options configure a Store.
type Options struct {
	Keys Keys
	// Blobs keeps case attachments' content (encrypted by the store); nil
	// answers attachments with EUNAVAILABLE.
	Blobs  zhudun.BlobStore
	Logger *slog.Logger
	Now    func() time.Time // for tests; default time.Now
	// Policy overrides fields of the policy stored in the database (the
	// start-up flags); nil fields leave the stored value in force.
	Policy zhudun.PolicyOverrides
	// Witness keeps the audit chain's head outside the database (see
	// zhudun.AuditWitness); every process writing the database must use the
	// same one. Nil keeps it in the database only (tests of other parts).
	Witness zhudun.AuditWitness
	// LoginLimits are the sign-in limits; zero fields take
	// zhudun.DefaultLoginLimits. SetLoginLimits changes them later.
	LoginLimits zhudun.LoginLimits
	// PIISearch limits searches by personal data per user (default 30 an
	// hour).
	PIISearch PIISearchLimit
	// Alert receives security events that must reach the audit
	// administrator (a personal-data search burst). Nil: logged only.
	Alert SecurityAlert
	// Trace, if set, receives every statement the incident lists build, as
	// sent (rebound) with its arguments, for plan tests and diagnosis. The
	// arguments may hold a searched phone's keyed index: never log them.
	Trace func(q string, args []any)
	// TwoPersonAbove, when above 0, is the two-person rule of the review: a
	// confirmation of more than this many entities at once waits for a
	// second analyst's approval (docs/cutlists.md). 0: off.
	TwoPersonAbove int
}

// PIISearchLimit is how many searches by personal data one user may make in
// Window before the capability locks.
type PIISearchLimit struct {
	Max    int
	Window time.Duration
}

// SecurityAlert is the hook through which the store raises a security event
// (event is a name like "security.pii_search_burst", subject the account or
// address concerned, detail never personal data) to the alert service. Every
// event is also logged as a slog record with the attribute event=<name>.
type SecurityAlert func(ctx context.Context, event, subject string, detail map[string]any) error

// New wraps an open database. Call Migrate before use.
func New(db *sql.DB, d Dialect, o Options) *Store {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
		if os.Getenv("ZHUDUN_TEST_LOG") != "" {
			o.Logger = slog.Default()
		}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.PIISearch.Max <= 0 {
		o.PIISearch.Max = 30
	}
	if o.PIISearch.Window <= 0 {
		o.PIISearch.Window = time.Hour
	}
	s := &Store{db: db, dialect: d, keys: o.Keys, blobs: o.Blobs, log: o.Logger, now: o.Now, notify: make(chan struct{}, 1), overrides: o.Policy,
		piiSearch: o.PIISearch, alert: o.Alert, witness: o.Witness, counts: cappedCounts{ttl: cappedCountTTL}, trace: o.Trace,
		twoPerson: o.TwoPersonAbove}
	if sw, ok := d.(SingleWriter); ok && sw.SingleWriter() {
		s.wlock = make(chan struct{}, 1)
	}
	s.SetLoginLimits(o.LoginLimits)
	if c, ok := d.(Checkpointer); ok {
		s.stopMaint = append(s.stopMaint, s.startCheckpoints(c))
	}
	if a, ok := d.(Analyzer); ok {
		s.stopMaint = append(s.stopMaint, s.startAnalyzer(a))
	}
	return s
}

// DB returns the underlying database (backups, tests).
func (s *Store) DB() *sql.DB { return s.db }

// Dialect returns the backend's dialect.
func (s *Store) Dialect() Dialect { return s.dialect }

// Close closes the database, and the witness when it can be closed.
func (s *Store) Close() error {
	if c, ok := s.witness.(io.Closer); ok {
		c.Close()
	}
	for _, stop := range s.stopMaint {
		stop()
	}
	s.prep.close()
	return s.db.Close()
}

// Ping checks the database.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return &zhudun.Error{Code: zhudun.EUNAVAILABLE, Message: "database unavailable"}
	}
	return nil
}

// Backup writes a consistent copy of the database to path.
func (s *Store) Backup(ctx context.Context, path string) error {
	return s.dialect.Backup(ctx, s.db, path)
}

// clock returns now in UTC at the microsecond precision both backends keep,
// so that a time read back equals the time written (the audit hash needs it).
func (s *Store) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Tx is a write transaction. Its methods take the caller's context first,
// as write's fn receives it.
type Tx struct {
	*sql.Tx
	s      *Store
	now    time.Time
	events int
	head   *zhudun.AuditEntry // the last audit row this transaction appended
	grp    *groupState        // set in a group commit: audit and outbox rows wait for its end
	stmts  int                // statements sent through the Tx's methods (see commitGroup)
	// cases and findings whose cyber rollup rows the commit derives again
	// (cyberrollup.go)
	rollCases, rollFindings map[int64]bool
}

// write runs fn in a transaction and commits it; every change, its audit row
// and its outbox event commit together or not at all.
func (s *Store) write(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	unlock, err := s.lockWriter(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	stx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.internal("begin", err)
	}
	tx := &Tx{Tx: stx, s: s, now: s.clock()}
	if err := fn(ctx, tx); err != nil {
		_ = stx.Rollback()
		return err
	}
	if err := tx.flushCyberRollup(ctx); err != nil {
		_ = stx.Rollback()
		return err
	}
	if err := stx.Commit(); err != nil {
		return s.internal("commit", err)
	}
	if tx.head != nil {
		if err := s.witnessHead(ctx, tx.head.Seq, tx.head.Hash); err != nil {
			return err
		}
	}
	if tx.events > 0 {
		select {
		case s.notify <- struct{}{}:
		default:
		}
	}
	return nil
}

// writeWorkbench is write for the workbench's decisions: fn runs under
// the workbench lock (lockWorkbench).
func (s *Store) writeWorkbench(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	return s.write(ctx, func(ctx context.Context, tx *Tx) error {
		if err := tx.lockWorkbench(ctx); err != nil {
			return err
		}
		return fn(ctx, tx)
	})
}

// lockWriter waits for this process's turn to write (see SingleWriter).
func (s *Store) lockWriter(ctx context.Context) (unlock func(), err error) {
	if s.wlock == nil {
		return func() {}, nil
	}
	select {
	case s.wlock <- struct{}{}:
		return func() { <-s.wlock }, nil
	case <-ctx.Done():
		return nil, s.internal("writer", ctx.Err())
	}
}

// execDB runs one write statement outside a transaction, in the writers'
// queue.
func (s *Store) execDB(ctx context.Context, q string, args ...any) (sql.Result, error) {
	unlock, err := s.lockWriter(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return s.db.ExecContext(ctx, s.dialect.Rebind(q), args...)
}

// writeRow runs one write statement with RETURNING outside a transaction,
// in the writers' queue, and scans its row into dest: the login and
// personal-data-search counters. Outside the queue such a write waited on
// SQLite's lock behind queued transactions, so a sign-in that succeeded
// could clear a counter before the rest of a burst had claimed it.
func (s *Store) writeRow(ctx context.Context, dest []any, q string, args ...any) error {
	unlock, err := s.lockWriter(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	return s.db.QueryRowContext(ctx, s.dialect.Rebind(q), args...).Scan(dest...)
}

func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	tx.stmts++
	return tx.ExecContext(ctx, tx.s.dialect.Rebind(q), args...)
}

func (tx *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	tx.stmts++
	return tx.QueryContext(ctx, tx.s.dialect.Rebind(q), args...)
}

func (tx *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	tx.stmts++
	return tx.QueryRowContext(ctx, tx.s.dialect.Rebind(q), args...)
}

func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, s.dialect.Rebind(q), args...)
}

func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return s.db.QueryRowContext(ctx, s.dialect.Rebind(q), args...)
}

// internal logs err in full and returns an EINTERNAL error that shows nothing.
func (s *Store) internal(op string, err error) error {
	var ze *zhudun.Error
	if errors.As(err, &ze) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &zhudun.Error{Code: zhudun.EUNAVAILABLE, Message: "request cancelled or timed out"}
	}
	s.log.Error("store", "op", op, "err", err)
	return &zhudun.Error{Code: zhudun.EINTERNAL, Message: "internal error"}
}

// Migrate applies the dialect's migrations that are not applied yet, each in
// its own transaction, holding a cross-process lock. It returns the versions
// applied.
func (s *Store) Migrate(ctx context.Context) ([]int, error) {
	files, err := fs.Glob(s.dialect.Migrations(), "*.sql")
	if err != nil {
		return nil, err
	}
	type mig struct {
		v    int
		name string
	}
	var migs []mig
	for _, f := range files {
		v, err := strconv.Atoi(strings.SplitN(f, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", f)
		}
		migs = append(migs, mig{v, f})
	}
	sort.Slice(migs, func(i, j int) bool { return migs[i].v < migs[j].v })
	// Two files of one number: the second would be taken as applied.
	for i := 1; i < len(migs); i++ {
		if migs[i].v == migs[i-1].v {
			return nil, fmt.Errorf("migrations %s and %s have the same number", migs[i-1].name, migs[i].name)
		}
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)`); err != nil {
		return nil, fmt.Errorf("migrations table: %w", err)
	}
	var applied []int
	for _, m := range migs {
		done, err := s.applyMigration(ctx, m.v, m.name)
		if err != nil {
			return applied, err
		}
		if done {
			applied = append(applied, m.v)
		}
	}
	return applied, nil
}

func (s *Store) applyMigration(ctx context.Context, v int, name string) (bool, error) {
	body, err := fs.ReadFile(s.dialect.Migrations(), name)
	if err != nil {
		return false, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	if err := s.dialect.LockMigrations(ctx, tx); err != nil {
		return false, fmt.Errorf("migration lock: %w", err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, s.dialect.Rebind(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), v).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return false, fmt.Errorf("migration %s: %w", name, err)
	}
	if step := s.migrationSteps()[v]; step != nil {
		if err := step(ctx, tx); err != nil {
			return false, fmt.Errorf("migration %s: %w", name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, s.dialect.Rebind(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`), v, s.clock()); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// migrationSteps are the Go steps of migrations, run after the version's
// SQL in its transaction: a backfill whose SQL is the same the store writes
// with (one derivation, not a second copy in a .sql file to drift).
func (s *Store) migrationSteps() map[int]func(ctx context.Context, tx *sql.Tx) error {
	return map[int]func(ctx context.Context, tx *sql.Tx) error{30: s.backfillCyberRollup}
}

// SchemaVersion returns the highest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v)
	return int(v.Int64), err
}

// page clamps offset and limit; lists never return more than 500 rows.
func page(offset, limit int) (int, int) {
	if offset < 0 {
		offset = 0
	}
	if limit <= 0 {
		limit = 50
	}
	if limit > 500 {
		limit = 500
	}
	return offset, limit
}

// likeArg escapes LIKE wildcards in a user's search text.
func likeArg(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + strings.ToLower(r.Replace(q)) + "%"
}

// where collects predicates and their arguments.
type where struct {
	parts []string
	args  []any
}

func (w *where) add(pred string, args ...any) {
	w.parts = append(w.parts, pred)
	w.args = append(w.args, args...)
}

func (w *where) sql() string {
	if len(w.parts) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.parts, " AND ")
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// Init applies migrations and seeds the built-in roles; every process that
// opens the store calls it, and both steps are idempotent and locked.
func (s *Store) Init(ctx context.Context) error {
	if _, err := s.Migrate(ctx); err != nil {
		return err
	}
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'instance_id'`).Scan(&s.instance); err != nil {
		return fmt.Errorf("instance id: %w", err)
	}
	if err := s.EnsureBuiltinRoles(ctx); err != nil {
		return err
	}
	return s.witnessBaseline(ctx)
}
