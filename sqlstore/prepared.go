package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// prepared keeps the statements that run on every request prepared on
// each connection that ran them: SQLite (modernc) otherwise parses and
// plans the text on every call, which under load was a fifth of the
// server's CPU. Only fixed texts go here, named at their call sites (the
// session, the caller, a creation's rows): a text built from filters or a
// row count would fill it with one-off statements, each held open on
// every connection.
//
// The incident lists' statements are built (scope, filters, a list of
// department ids), but a bureau's users ask the same few shapes again and
// again: the board and the history of each scope. They are kept too, up to
// maxBuilt texts; past that a built text runs unprepared (queryBuilt).
type prepared struct {
	m     sync.Map // rebound text → *sql.Stmt
	built atomic.Int32
}

// maxBuilt bounds the built texts kept prepared: each holds a statement
// open on every connection that ran it.
const maxBuilt = 256

func (s *Store) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	return s.prepare(ctx, s.dialect.Rebind(q), false)
}

// prepare returns q's statement (q already rebound), preparing it if it is
// fixed or if fewer than maxBuilt built texts are kept; nil, nil if not.
func (s *Store) prepare(ctx context.Context, q string, built bool) (*sql.Stmt, error) {
	if st, ok := s.prep.m.Load(q); ok {
		return st.(*sql.Stmt), nil
	}
	if built && s.prep.built.Load() >= maxBuilt {
		return nil, nil
	}
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if old, loaded := s.prep.m.LoadOrStore(q, st); loaded {
		st.Close()
		return old.(*sql.Stmt), nil
	}
	if built {
		s.prep.built.Add(1)
	}
	return st, nil
}

// queryBuilt is query for a built text that recurs (a list's statements).
func (s *Store) queryBuilt(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s.trace != nil {
		s.trace(s.dialect.Rebind(q), args)
	}
	st, err := s.prepare(ctx, s.dialect.Rebind(q), true)
	if err != nil || st == nil {
		return s.query(ctx, q, args...)
	}
	return st.QueryContext(ctx, args...)
}

// queryRowBuilt is queryRow for a built text that recurs.
func (s *Store) queryRowBuilt(ctx context.Context, q string, args ...any) *sql.Row {
	if s.trace != nil {
		s.trace(s.dialect.Rebind(q), args)
	}
	st, err := s.prepare(ctx, s.dialect.Rebind(q), true)
	if err != nil || st == nil {
		return s.queryRow(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// queryRowFixed is queryRow for a fixed text on the hot path.
func (s *Store) queryRowFixed(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := s.stmt(ctx, q)
	if err != nil {
		return s.queryRow(ctx, q, args...) // the same error, reported by Scan
	}
	return st.QueryRowContext(ctx, args...)
}

// queryFixed is query for a fixed text on the hot path.
func (s *Store) queryFixed(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := s.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryRowFixed is queryRow for a fixed text on the hot path, in the
// transaction (the statement prepared on its connection is reused).
func (tx *Tx) queryRowFixed(ctx context.Context, q string, args ...any) *sql.Row {
	tx.stmts++
	st, err := tx.s.stmt(ctx, q)
	if err != nil {
		return tx.queryRow(ctx, q, args...)
	}
	return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
}

// execFixed is exec for a fixed text on the hot path, in the transaction:
// an engine run writes thousands of findings and outbox rows, and a batch
// of positions as many rows, with the same few statements, which SQLite
// would otherwise parse once per row.
func (tx *Tx) execFixed(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := tx.s.stmt(ctx, q)
	if err != nil {
		return tx.exec(ctx, q, args...)
	}
	tx.stmts++
	return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
}

// queryRowBuilt is queryRow for a built text that recurs, in the
// transaction (a scope predicate: one text per shape of scope).
func (tx *Tx) queryRowBuilt(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := tx.s.prepare(ctx, tx.s.dialect.Rebind(q), true)
	if err != nil || st == nil {
		return tx.queryRow(ctx, q, args...)
	}
	tx.stmts++
	return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
}

func (p *prepared) close() {
	p.m.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
}

// queryFixed is query for a fixed text on the hot path, in the transaction.
func (tx *Tx) queryFixed(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	tx.stmts++
	st, err := tx.s.stmt(ctx, q)
	if err != nil {
		return tx.query(ctx, q, args...)
	}
	return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
}
