package sqlstore

import (
	"context"

	"github.com/zhudun/zhudun"
)

// Hooks for group_test.go, which drives a group with callers that fail
// after appending to the chain (no exported change does).

func (s *Store) WriteGroupedForTest(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	return s.writeGrouped(ctx, fn)
}

func (tx *Tx) AuditForTest(ctx context.Context, e *zhudun.AuditEntry) error { return tx.audit(ctx, e) }

func (s *Store) GroupQueuedForTest() int {
	s.group.mu.Lock()
	defer s.group.mu.Unlock()
	return len(s.group.queue)
}

func (tx *Tx) ExecForTest(ctx context.Context, q string) error {
	_, err := tx.exec(ctx, q)
	return err
}
