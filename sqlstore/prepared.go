package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// prepared keeps the statements that run on every request prepared on
// each connection that ran them: SQLite (modernc) otherwise parses and
// plans the text on every call, which under load was a fifth of the
// server's CPU. Only fixed texts go here, named at their call sites (the
// session, the caller, a creation's rows): a text built from filters or a
// row count would fill it with one-off statements, each held open on
// every connection.
type prepared struct {
	m sync.Map // rebound text → *sql.Stmt
}

func (s *Store) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	q = s.dialect.Rebind(q)
	if st, ok := s.prep.m.Load(q); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if old, loaded := s.prep.m.LoadOrStore(q, st); loaded {
		st.Close()
		return old.(*sql.Stmt), nil
	}
	return st, nil
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
	st, err := tx.s.stmt(ctx, q)
	if err != nil {
		return tx.queryRow(ctx, q, args...)
	}
	return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
}

// execFixed is exec for a fixed text on the hot path, in the transaction.
func (tx *Tx) execFixed(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := tx.s.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
}

func (p *prepared) close() {
	p.m.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
}
