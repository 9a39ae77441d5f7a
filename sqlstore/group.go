package sqlstore

import (
	"context"
	"sync"
)

// Group commit. Every audited change appends to one chain, so concurrent
// writers serialise on the chain's head for the rest of their transaction,
// commit (a WAL flush) included: one fsync per request, one request at a
// time. writeGrouped runs the changes that queue up meanwhile in one
// transaction instead — each in its own savepoint, in queue order, so the
// chain stays one strict line — and commits them together. Each caller
// returns only after the commit that holds its rows (or with the error that
// undid them): nothing is acknowledged before it is durable, and a change
// whose audit row fails fails.

// maxGroup bounds one group: a longer one would make its first caller wait
// for the others' work.
const maxGroup = 64

type groupReq struct {
	ctx  context.Context
	fn   func(ctx context.Context, tx *Tx) error
	done chan error
}

// committer holds the queue of grouped writes; one leader goroutine at a
// time drains it.
type committer struct {
	mu      sync.Mutex
	queue   []*groupReq
	leading bool
}

// writeGrouped is write for changes that may share their transaction with
// other callers' (fn must not call write or writeGrouped itself, and must
// leave the transaction usable only through tx).
func (s *Store) writeGrouped(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	if err := ctx.Err(); err != nil {
		return s.internal("group", err)
	}
	r := &groupReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	g := &s.group
	g.mu.Lock()
	g.queue = append(g.queue, r)
	if !g.leading {
		g.leading = true
		go s.lead()
	}
	g.mu.Unlock()
	// Waited for even when ctx ends: the group may be committing the
	// caller's rows, and the caller must not be told they were not.
	return <-r.done
}

// lead commits groups until the queue is empty.
func (s *Store) lead() {
	g := &s.group
	for {
		g.mu.Lock()
		batch := g.queue
		if len(batch) > maxGroup {
			batch = batch[:maxGroup]
		}
		g.queue = g.queue[len(batch):]
		if len(batch) == 0 {
			g.queue = nil
			g.leading = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		s.commitGroup(batch)
	}
}

// commitGroup runs batch in one transaction and tells each caller its
// outcome.
func (s *Store) commitGroup(batch []*groupReq) {
	// The group's transaction belongs to no single caller: one caller's
	// cancellation must not roll back the others' changes (nor, on
	// PostgreSQL, break the connection they share).
	bg := context.Background()
	fail := func(reqs []*groupReq, err error) {
		for _, r := range reqs {
			r.done <- err
		}
	}
	unlock, _ := s.lockWriter(bg)
	defer unlock()
	stx, err := s.db.BeginTx(bg, nil)
	if err != nil {
		fail(batch, s.internal("begin", err))
		return
	}
	var ok []*groupReq // callers whose changes are in the transaction
	var head *Tx
	events := 0
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.done <- s.internal("group", err)
			continue
		}
		ctx := context.WithoutCancel(r.ctx)
		if _, err := stx.ExecContext(bg, `SAVEPOINT grouped`); err != nil {
			_ = stx.Rollback()
			fail(ok, s.internal("savepoint", err))
			fail(batch[i:], s.internal("savepoint", err))
			return
		}
		tx := &Tx{Tx: stx, s: s, now: s.clock()}
		if err := r.fn(ctx, tx); err != nil {
			// Undo this caller's statements, audit row included; the
			// anchor goes back to the previous caller's head.
			if _, rerr := stx.ExecContext(bg, `ROLLBACK TO SAVEPOINT grouped`); rerr != nil {
				_ = stx.Rollback()
				fail(ok, s.internal("rollback to savepoint", rerr))
				r.done <- err
				fail(batch[i+1:], s.internal("rollback to savepoint", rerr))
				return
			}
			r.done <- err
			continue
		}
		if _, err := stx.ExecContext(bg, `RELEASE SAVEPOINT grouped`); err != nil {
			_ = stx.Rollback()
			fail(ok, s.internal("release savepoint", err))
			fail(batch[i:], s.internal("release savepoint", err))
			return
		}
		ok = append(ok, r)
		if tx.head != nil {
			head = tx
		}
		events += tx.events
	}
	if len(ok) == 0 {
		_ = stx.Rollback()
		return
	}
	if err := stx.Commit(); err != nil {
		fail(ok, s.internal("commit", err))
		return
	}
	var werr error
	if head != nil {
		werr = s.witnessHead(bg, head.head.Seq, head.head.Hash)
	}
	if events > 0 {
		select {
		case s.notify <- struct{}{}:
		default:
		}
	}
	fail(ok, werr)
}
