package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
)

// emit writes an event to the outbox in the change's transaction; the relay
// publishes it to the bus after commit.
func (tx *Tx) emit(ctx context.Context, e zhudun.Event) error {
	if len(e.Data) == 0 {
		e.Data = []byte("{}")
	}
	if tx.grp != nil {
		e.At = tx.now
		tx.grp.events = append(tx.grp.events, e)
		tx.events++
		return nil
	}
	_, err := tx.execFixed(ctx, `INSERT INTO outbox (type, at, perm, dept_path, dept_id, owner_id, data) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		e.Type, tx.now, string(e.Perm), e.DeptPath, e.DeptID, e.OwnerID, string(e.Data))
	if err != nil {
		return tx.s.internal("outbox insert", err)
	}
	tx.events++
	return nil
}

// OutboxNotify is signalled (without blocking) after a commit that emitted
// events in this process; other processes' events are found by polling.
func (s *Store) OutboxNotify() <-chan struct{} { return s.notify }

// PendingEvents returns up to limit unpublished events in id order.
func (s *Store) PendingEvents(ctx context.Context, limit int) ([]zhudun.Event, error) {
	return s.PendingEventsAfter(ctx, 0, limit)
}

// PendingEventsAfter returns up to limit unpublished events with ids above
// after, in id order: the relay reads on past what it has published but
// not yet marked.
func (s *Store) PendingEventsAfter(ctx context.Context, after int64, limit int) ([]zhudun.Event, error) {
	rows, err := s.queryFixed(ctx, `SELECT id, type, at, perm, dept_path, dept_id, owner_id, data FROM outbox WHERE published_at IS NULL AND id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, s.internal("outbox pending", err)
	}
	defer rows.Close()
	var out []zhudun.Event
	for rows.Next() {
		var e zhudun.Event
		var perm, data string
		var deptID, ownerID sql.NullInt64
		if err := rows.Scan(&e.ID, &e.Type, &e.At, &perm, &e.DeptPath, &deptID, &ownerID, &data); err != nil {
			return nil, s.internal("outbox scan", err)
		}
		e.Perm, e.Data, e.DeptID, e.OwnerID, e.At = zhudun.Permission(perm), []byte(data), deptID.Int64, ownerID.Int64, e.At.UTC()
		e.Source = s.instance
		out = append(out, e)
	}
	return out, s.internalIf("outbox rows", rows.Err())
}

// MarkPublished records that the events with these ids were published,
// and forgets published events older than a day: the bus holds them from
// then on, and they can be rebuilt from the tables they describe. The ids
// go in chunks of one statement each, not one statement per event: the
// relay marks every event it sends, under the writer lock that the group
// commits of new incidents wait for (at 500 creations/s, 2 000 single-row
// updates a second on PostgreSQL). The prune runs at most once a minute.
func (s *Store) MarkPublished(ctx context.Context, ids []int64) error {
	now := s.clock()
	unlock, err := s.lockWriter(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.internal("outbox mark", err)
	}
	defer tx.Rollback()
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		args := make([]any, 0, 1+len(chunk))
		args = append(args, now)
		for _, id := range chunk {
			args = append(args, id)
		}
		q := `UPDATE outbox SET published_at = ? WHERE id IN (?` + strings.Repeat(", ?", len(chunk)-1) + `)`
		if _, err := tx.ExecContext(ctx, s.dialect.Rebind(q), args...); err != nil {
			return s.internal("outbox mark", err)
		}
	}
	s.pruneMu.Lock()
	prune := !now.Before(s.pruneAt)
	if prune {
		s.pruneAt = now.Add(time.Minute)
	}
	s.pruneMu.Unlock()
	if prune {
		if _, err := tx.ExecContext(ctx, s.dialect.Rebind(`DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < ?`), now.Add(-24*time.Hour)); err != nil {
			return s.internal("outbox prune", err)
		}
	}
	return s.internalIf("outbox mark commit", tx.Commit())
}
