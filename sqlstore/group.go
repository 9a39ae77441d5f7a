package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"sync"

	"github.com/zhudun/zhudun"
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
	ctx      context.Context
	fn       func(ctx context.Context, tx *Tx) error
	done     chan error
	answered bool // done was sent to (by the leader only)
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
// outcome. It first runs the callers one after another without savepoints:
// on PostgreSQL each savepoint is a round trip under the chain's lock, as
// long as a creation's own insert, and a caller almost never fails once it
// has sent a statement (its checks run before). A caller that fails before
// sending one left nothing to undo. Only if one fails after sending a
// statement is the transaction rolled back and the batch run again, each
// caller in its own savepoint.
func (s *Store) commitGroup(batch []*groupReq) {
	unlock, _ := s.lockWriter(context.Background())
	defer unlock()
	if !s.runGroup(batch, false) {
		s.runGroup(batch, true)
	}
}

// runGroup is one attempt at commitGroup. Without savepoints it returns
// false, having answered only callers that failed before any statement or
// whose context ended, when a caller failed after sending statements; the
// callers it answered are marked and skipped by the next attempt.
func (s *Store) runGroup(batch []*groupReq, savepoints bool) bool {
	// The group's transaction belongs to no single caller: one caller's
	// cancellation must not roll back the others' changes (nor, on
	// PostgreSQL, break the connection they share).
	bg := context.Background()
	answer := func(r *groupReq, err error) {
		r.answered = true
		r.done <- err
	}
	fail := func(reqs []*groupReq, err error) {
		for _, r := range reqs {
			if !r.answered {
				answer(r, err)
			}
		}
	}
	stx, err := s.db.BeginTx(bg, nil)
	if err != nil {
		fail(batch, s.internal("begin", err))
		return true
	}
	var ok []*groupReq // callers whose changes are in the transaction
	var head *Tx
	events := 0
	grp := &groupState{}
	savepoint := "" // what opens the next caller's savepoint
	if savepoints {
		savepoint = `SAVEPOINT grouped`
	}
	for i, r := range batch {
		if r.answered {
			continue
		}
		if err := r.ctx.Err(); err != nil {
			answer(r, s.internal("group", err))
			continue
		}
		ctx := context.WithoutCancel(r.ctx)
		if savepoint != "" {
			if _, err := stx.ExecContext(bg, savepoint); err != nil {
				_ = stx.Rollback()
				fail(ok, s.internal("savepoint", err))
				fail(batch[i:], s.internal("savepoint", err))
				return true
			}
		}
		tx := &Tx{Tx: stx, s: s, now: s.clock(), grp: grp}
		mark := grp.mark()
		if err := r.fn(ctx, tx); err != nil {
			grp.undo(mark)
			if !savepoints {
				if tx.stmts > 0 {
					_ = stx.Rollback() // and again, with savepoints
					return false
				}
				answer(r, err) // nothing of it reached the database
				continue
			}
			// Undo this caller's statements, audit row included; the
			// anchor goes back to the previous caller's head.
			if _, rerr := stx.ExecContext(bg, `ROLLBACK TO SAVEPOINT grouped`); rerr != nil {
				_ = stx.Rollback()
				fail(ok, s.internal("rollback to savepoint", rerr))
				answer(r, err)
				fail(batch[i+1:], s.internal("rollback to savepoint", rerr))
				return true
			}
			answer(r, err)
			// The savepoint stays, empty: the next caller's work runs in it.
			savepoint = ""
			continue
		}
		if savepoints {
			// Released with the next savepoint's opening, in one round trip
			// (a statement without arguments may hold several); the last is
			// released by the commit.
			savepoint = `RELEASE SAVEPOINT grouped; SAVEPOINT grouped`
		}
		ok = append(ok, r)
		if tx.head != nil {
			head = tx
		}
		events += tx.events
	}
	if len(ok) == 0 {
		_ = stx.Rollback()
		return true
	}
	if err := grp.flush(bg, stx, s); err != nil {
		_ = stx.Rollback()
		fail(ok, err)
		return true
	}
	if err := stx.Commit(); err != nil {
		fail(ok, s.internal("commit", err))
		return true
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
	return true
}

// groupState is what a group's callers append to the audit chain and the
// outbox, written once at the group's end (flush) instead of per caller:
// on PostgreSQL each statement is a round trip, and per caller the chain
// cost four (lock, read the anchor, insert, re-sign the anchor), plus one
// per event and one for the rollup's counts (summed here over the group). The chain's head is kept here, so rows are numbered and linked in
// queue order exactly as if each had been written at once; the anchor is
// read (and locked) at the group's first audit row and signed once, over
// the group's last.
type groupState struct {
	chained            bool // the anchor is locked and read
	baseSeq, headSeq   int64
	baseHash, headHash string
	rows               []*zhudun.AuditEntry
	events             []zhudun.Event
	rollups            []rollupDelta // merged into one upsert
	// gridV is grid_version as read by the group's first grid lookup
	// (gridRead says it was): one read per group, not per creation. Kept
	// through a caller's rollback, as reading changed nothing.
	gridV    int64
	gridRead bool
}

// groupMark is a groupState to go back to when a caller's savepoint is
// rolled back.
type groupMark struct {
	chained        bool
	headSeq        int64
	headHash       string
	nrows, nevents int
	nrollups       int
}

func (g *groupState) mark() groupMark {
	return groupMark{g.chained, g.headSeq, g.headHash, len(g.rows), len(g.events), len(g.rollups)}
}

// undo forgets what a failed caller appended. The anchor's lock, taken in
// the caller's savepoint, went with it (PostgreSQL releases a lock taken
// after a savepoint rolled back to), so the next row locks and reads again.
func (g *groupState) undo(m groupMark) {
	g.chained, g.headSeq, g.headHash = m.chained, m.headSeq, m.headHash
	clear(g.rows[m.nrows:])
	g.rows = g.rows[:m.nrows]
	clear(g.events[m.nevents:])
	g.events = g.events[:m.nevents]
	clear(g.rollups[m.nrollups:])
	g.rollups = g.rollups[:m.nrollups]
}

// audit is Tx.audit in a group: e's actor fields are filled in.
func (g *groupState) audit(ctx context.Context, tx *Tx, e *zhudun.AuditEntry) error {
	if err := g.chain(ctx, tx, e); err != nil {
		return err
	}
	tx.head = e
	return tx.emit(ctx, auditEvent(e))
}

// chain numbers, links and signs e after the group's head and keeps it to
// be written by flushChain.
func (g *groupState) chain(ctx context.Context, tx *Tx, e *zhudun.AuditEntry) error {
	if !g.chained {
		if err := tx.s.dialect.LockChain(ctx, tx.Tx); err != nil {
			return tx.s.internal("audit lock", err)
		}
		err := tx.queryRowFixed(ctx, `SELECT base_seq, base_hash, head_seq, head_hash FROM audit_anchor WHERE id = 1`).Scan(&g.baseSeq, &g.baseHash, &g.headSeq, &g.headHash)
		if err != nil {
			return tx.s.internal("audit anchor", err)
		}
		g.chained = true
	}
	e.Seq = g.headSeq + 1
	e.PrevHash = g.headHash
	e.At = tx.now
	e.Hash = auditHash(e)
	e.Sig = tx.s.keys.SignAnchor(rowMessage(e.Seq, e.Hash))
	g.rows = append(g.rows, e)
	g.headSeq, g.headHash = e.Seq, e.Hash
	return nil
}

// flushChunk bounds a multi-row INSERT's parameters (15 a row) well below
// both backends' limits.
const flushChunk = 64

// insertRows inserts rows of width values each (args, row after row) with
// head ("INSERT INTO t (a, b) VALUES ") and tail (an ON CONFLICT clause or
// ""). PostgreSQL takes them as multi-row statements of up to flushChunk
// rows, one round trip each. SQLite, in the process, takes them through one
// prepared single-row statement executed per row: a multi-row text is new
// for every group size and was parsed and planned afresh each time, a
// twentieth of the server's CPU under 500 creations a second.
func (s *Store) insertRows(ctx context.Context, stx *sql.Tx, head string, width int, tail string, args []any) error {
	one := "(?" + strings.Repeat(", ?", width-1) + ")"
	if sw, ok := s.dialect.(SingleWriter); ok && sw.SingleWriter() {
		st, err := s.stmt(ctx, head+one+tail)
		if err != nil {
			return err
		}
		st = stx.StmtContext(ctx, st)
		for ; len(args) > 0; args = args[width:] {
			if _, err := st.ExecContext(ctx, args[:width]...); err != nil {
				return err
			}
		}
		return nil
	}
	for len(args) > 0 {
		n := min(len(args)/width, flushChunk)
		var q strings.Builder
		q.WriteString(head)
		for i := range n {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(one)
		}
		q.WriteString(tail)
		if _, err := stx.ExecContext(ctx, s.dialect.Rebind(q.String()), args[:n*width]...); err != nil {
			return err
		}
		args = args[n*width:]
	}
	return nil
}

// flush writes the group's audit rows, the anchor over their head and the
// outbox events, in the order they were appended. An error here fails the
// whole group: no caller's change is stored without its audit row.
func (g *groupState) flush(ctx context.Context, stx *sql.Tx, s *Store) error {
	if len(g.rollups) > 0 {
		sum := rollupDelta{}
		for _, r := range g.rollups {
			for k, n := range r {
				sum[k] += n
			}
		}
		if err := (&Tx{Tx: stx, s: s}).flushRollup(ctx, sum); err != nil {
			return err
		}
	}
	if err := g.flushChain(ctx, stx, s); err != nil {
		return err
	}
	return g.flushEvents(ctx, stx, s)
}

// flushChain writes the audit rows and re-signs the anchor over the last.
func (g *groupState) flushChain(ctx context.Context, stx *sql.Tx, s *Store) error {
	args := make([]any, 0, 15*len(g.rows))
	for _, e := range g.rows {
		detail := sql.NullString{}
		if len(e.Detail) > 0 {
			detail = sql.NullString{String: string(e.Detail), Valid: true}
		}
		args = append(args, e.Seq, e.At, e.UserID, e.Username, e.DeptCode, e.DeptPath, e.Action, e.ObjectType, e.ObjectID, e.Result, e.ClientAddr, detail, e.PrevHash, e.Hash, e.Sig)
	}
	if err := s.insertRows(ctx, stx, `INSERT INTO audit_log (`+auditColumns+`) VALUES `, 15, "", args); err != nil {
		return s.internal("audit insert", err)
	}
	if len(g.rows) > 0 {
		last := g.rows[len(g.rows)-1]
		sig := s.keys.SignAnchor(anchorMessage(g.baseSeq, g.baseHash, last.Seq, last.Hash))
		st, err := s.stmt(ctx, `UPDATE audit_anchor SET head_seq = ?, head_hash = ?, sig = ?, updated_at = ? WHERE id = 1`)
		if err == nil {
			_, err = stx.StmtContext(ctx, st).ExecContext(ctx, last.Seq, last.Hash, sig, last.At)
		}
		if err != nil {
			return s.internal("audit anchor update", err)
		}
	}
	return nil
}

// flushEvents writes the outbox events.
func (g *groupState) flushEvents(ctx context.Context, stx *sql.Tx, s *Store) error {
	args := make([]any, 0, 7*len(g.events))
	for _, e := range g.events {
		args = append(args, e.Type, e.At, string(e.Perm), e.DeptPath, e.DeptID, e.OwnerID, string(e.Data))
	}
	if err := s.insertRows(ctx, stx, `INSERT INTO outbox (type, at, perm, dept_path, dept_id, owner_id, data) VALUES `, 7, "", args); err != nil {
		return s.internal("outbox insert", err)
	}
	return nil
}
