package sqlstore

import (
	"context"
	"time"

	"github.com/zhudun/zhudun"
)

var _ zhudun.EngineStatusService = (*Store)(nil)

// EngineHeartbeat upserts the worker's row and deletes rows not seen for
// a day (workers that were killed: a clean stop deletes its own). A
// heartbeat is telemetry, not a change anyone made: it is not audited
// (it would add a row to the audit chain every 10 s per worker).
func (s *Store) EngineHeartbeat(ctx context.Context, w *zhudun.EngineWorker) error {
	return s.write(ctx, func(ctx context.Context, tx *Tx) error {
		w.Seen = tx.now
		if _, err := tx.exec(ctx, `INSERT INTO engine_workers (id, name, host, pid, started, seen, seq, events) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET seen = excluded.seen, seq = excluded.seq, events = excluded.events`,
			w.ID, w.Name, w.Host, w.PID, w.Started.UTC(), tx.now, int64(w.Seq), w.Events); err != nil {
			return tx.s.internal("engine heartbeat", err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM engine_workers WHERE seen < ?`, tx.now.Add(-24*time.Hour)); err != nil {
			return tx.s.internal("engine workers purge", err)
		}
		return nil
	})
}

// EngineWorkerStopped deletes a worker's row.
func (s *Store) EngineWorkerStopped(ctx context.Context, id string) error {
	return s.write(ctx, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM engine_workers WHERE id = ?`, id); err != nil {
			return tx.s.internal("engine worker stop", err)
		}
		return nil
	})
}

// EngineWorkers lists the workers seen within the last day, alive ones
// (seen within zhudun.WorkerAlive) first (source:write).
func (s *Store) EngineWorkers(ctx context.Context) ([]*zhudun.EngineWorker, error) {
	if err := requireSourceAdmin(ctx); err != nil {
		return nil, err
	}
	now := s.clock()
	rows, err := s.query(ctx, `SELECT id, name, host, pid, started, seen, seq, events FROM engine_workers WHERE seen >= ? ORDER BY seen DESC, id`,
		now.Add(-24*time.Hour))
	if err != nil {
		return nil, s.internal("engine workers", err)
	}
	defer rows.Close()
	out := []*zhudun.EngineWorker{}
	for rows.Next() {
		var w zhudun.EngineWorker
		var seq int64
		if err := rows.Scan(&w.ID, &w.Name, &w.Host, &w.PID, &w.Started, &w.Seen, &seq, &w.Events); err != nil {
			return nil, s.internal("engine worker scan", err)
		}
		w.Seq, w.Started, w.Seen = uint64(seq), w.Started.UTC(), w.Seen.UTC()
		w.Alive = now.Sub(w.Seen) < zhudun.WorkerAlive
		out = append(out, &w)
	}
	return out, s.internalIf("engine worker rows", rows.Err())
}

// EngineCheckpoints lists the checkpoints without their state, with its
// size (source:write).
func (s *Store) EngineCheckpoints(ctx context.Context) ([]*zhudun.CheckpointInfo, error) {
	if err := requireSourceAdmin(ctx); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT name, seq, at, LENGTH(state) FROM engine_checkpoints ORDER BY name`)
	if err != nil {
		return nil, s.internal("engine checkpoints", err)
	}
	defer rows.Close()
	out := []*zhudun.CheckpointInfo{}
	for rows.Next() {
		var c zhudun.CheckpointInfo
		var seq int64
		if err := rows.Scan(&c.Name, &seq, &c.At, &c.Size); err != nil {
			return nil, s.internal("engine checkpoint scan", err)
		}
		c.Seq, c.At = uint64(seq), c.At.UTC()
		out = append(out, &c)
	}
	return out, s.internalIf("engine checkpoint rows", rows.Err())
}
