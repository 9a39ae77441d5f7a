package sqlstore

import (
	"context"

	"github.com/zhudun/zhudun"
)

// The forwarders (package forward) read what was appended after their
// cursor and move the cursor only once the copy is out. These methods are
// the process's own plumbing, not services a caller reaches: no scope.

// AuditRowsAfter returns up to limit audit rows with seq > after, in order.
func (s *Store) AuditRowsAfter(ctx context.Context, after int64, limit int) ([]*zhudun.AuditEntry, error) {
	rows, err := s.query(ctx, `SELECT `+auditColumns+`
		FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, s.internal("audit after", err)
	}
	defer rows.Close()
	var out []*zhudun.AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, s.internal("audit after scan", err)
		}
		out = append(out, e)
	}
	return out, s.internalIf("audit after rows", rows.Err())
}

// AlertsAfter returns up to limit alerts with id > after, in order.
func (s *Store) AlertsAfter(ctx context.Context, after int64, limit int) ([]*zhudun.Alert, error) {
	rows, err := s.query(ctx, alertSelect+` WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, s.internal("alerts after", err)
	}
	defer rows.Close()
	var out []*zhudun.Alert
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, s.internal("alerts after scan", err)
		}
		out = append(out, a)
	}
	return out, s.internalIf("alerts after rows", rows.Err())
}

// ForwardCursor returns how far the forwarder name has got (0 at first).
func (s *Store) ForwardCursor(ctx context.Context, name string) (int64, error) {
	var n int64
	err := s.queryRow(ctx, `SELECT COALESCE(MAX(last_id), 0) FROM forward_cursors WHERE name = ?`, name).Scan(&n)
	return n, s.internalIf("forward cursor", err)
}

// SetForwardCursor records that the forwarder name has sent everything up
// to and including id.
func (s *Store) SetForwardCursor(ctx context.Context, name string, id int64) error {
	_, err := s.execDB(ctx, `INSERT INTO forward_cursors (name, last_id, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id, updated_at = excluded.updated_at`, name, id, s.clock())
	return s.internalIf("forward cursor set", err)
}
