// Package live is the Four Cuts engine as a stream (issue 10, docs/live.md):
// a durable consumer on the ingest stream feeds a fourcuts.Engine;
// detection runs again whenever the feed goes quiet, and at least every
// few seconds while it flows; each run's findings and leads are diffed
// against the stored ones — new ones inserted, changed ones updated in
// place, vanished ones withdrawn — and written with a checkpoint of the
// engine's aggregates in one transaction, after which the messages it
// covers are acknowledged. A process killed at any moment restarts from
// its last checkpoint and replays the rest of the stream.
//
// The engine stays pure (fourcuts); this package owns the state that
// outlives a request, and httpapi only lists what the store holds.
package live

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/fourcuts"
	"github.com/zhudun/zhudun/fourcuts/feed"
	"github.com/zhudun/zhudun/sqlstore"
)

// Store is what the engine needs from the database (sqlstore.Store).
type Store interface {
	EngineFindings(ctx context.Context) ([]*zhudun.Finding, error)
	// EngineCheckpoint is ENOTFOUND before the first checkpoint.
	EngineCheckpoint(ctx context.Context, name string) (*zhudun.EngineCheckpoint, error)
	ApplyFindingChange(ctx context.Context, ch *zhudun.FindingChange) error
}

// Consumer reads the ingest stream in sequence order.
type Consumer interface {
	// Fetch returns up to max deliveries, waiting up to wait; none when
	// nothing new arrived.
	Fetch(ctx context.Context, max int, wait time.Duration) ([]zhudun.IngestDelivery, error)
	// AckThrough acknowledges every delivery up to seq.
	AckThrough(ctx context.Context, seq uint64) error
}

// Stream opens the durable consumer name delivering from sequence start.
type Stream func(ctx context.Context, name string, start uint64) (Consumer, error)

// Config configures a Service.
type Config struct {
	Store  Store
	Stream Stream
	Engine fourcuts.Config // zero fields take the defaults; Leads is always on
	// Name names the durable consumer and the checkpoint (default "live").
	Name string
	// Quiet: detection runs once no message arrived for this long
	// (default 300 ms), but not sooner than three times that after the last
	// such run, so that a trickle of messages just over Quiet apart does not
	// rewrite the checkpoint at every gap. Every: while messages keep
	// arriving, it runs at least this often (default 5 s). These runs are
	// full: every change, and the checkpoint.
	Quiet, Every time.Duration
	// NewEvery: between full runs, while messages keep arriving, detection
	// also runs this often (default 1 s; negative: never) and writes only
	// what is new — findings and leads not stored, and withdrawn ones found
	// again — without a checkpoint, so that a finding reaches the analysts
	// within about NewEvery of the event that completed it, without
	// rewriting every finding whose counts moved, nor the whole state,
	// every second (docs/live.md, "Early runs").
	NewEvery time.Duration
	// Batch is the most messages fetched at once (default 64).
	Batch int
	// Allow is the analysts' allowlist, read again every second (default:
	// the Store, when it keeps one).
	Allow  Allowlister
	Logger *slog.Logger
	// Workers, when set, receives this process's heartbeat (heartbeat.go).
	Workers Workers
	// Crash, for tests, is called after each checkpoint is written and
	// before its messages are acknowledged.
	Crash func()
	// SeenFor is how long the id of a message fed is remembered (default
	// DefaultSeenFor). A message republished later than
	// that is fed again, which changes no finding: the engine counts only
	// distinct things. Without a bound the set grows with every message.
	SeenFor time.Duration
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
	// Fence, when not 0, is the fencing token this engine took
	// (Fences.TakeFence) when it took its lease: written with every
	// checkpoint, and Run stops once the store refuses it (another worker
	// took a newer one).
	Fence uint64
}

// DefaultSeenFor is how long a fed message's id is remembered: the ingest
// stream's default age (natsbus.DefaultIngestMaxAge), past which JetStream
// has discarded the message anyway.
const DefaultSeenFor = 30 * 24 * time.Hour

// Service runs the live engine.
type Service struct {
	cfg Config
	log *slog.Logger

	eng      *fourcuts.Engine
	seq      uint64           // last stream sequence fed to eng
	seen     map[string]int64 // ids of the messages fed (and when, Unix seconds): a chunk republished after the stream's duplicate window counts once
	orig     *origins         // per entity, the source of the first event naming it (origin.go)
	state    []byte           // the last checkpoint's state, its buffer reused by the next
	stored   map[string]*zhudun.Finding
	nextGang int
	nets     map[string][]string // this run's networks, by category and entity
	allowKey string              // the allowlist the engine holds
	allowAt  time.Time
	rerun    bool // detect once without new events (the allowlist changed while down)
	runs     atomic.Int64
	events   atomic.Int64  // the engine's event count, for tests and logs
	fedSeq   atomic.Uint64 // s.seq, for the heartbeat
	beat     chan struct{} // a commit asks the heartbeat to report at once
	oldest   time.Time     // when the oldest message fed since the last commit was stored
}

// New returns a Service; Run starts it.
func New(c Config) *Service {
	if c.Name == "" {
		c.Name = "live"
	}
	loopDefaults(&c.Quiet, &c.Every, &c.Batch, &c.Logger)
	if c.SeenFor <= 0 {
		c.SeenFor = DefaultSeenFor
	}
	if c.NewEvery == 0 {
		c.NewEvery = time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	c.Engine.Leads = true
	if a, ok := c.Store.(Allowlister); ok && c.Allow == nil {
		c.Allow = a
	}
	return &Service{cfg: c, log: c.Logger.With("component", "live", "engine", c.Name), beat: make(chan struct{}, 1)}
}

// loopDefaults fills the read loop's settings a stage left zero: quiet
// 300 ms, every 5 s, batches of 64, no log.
func loopDefaults(quiet, every *time.Duration, batch *int, log **slog.Logger) {
	if *quiet <= 0 {
		*quiet = 300 * time.Millisecond
	}
	if *every <= 0 {
		*every = 5 * time.Second
	}
	if *batch <= 0 {
		*batch = 64
	}
	if *log == nil {
		*log = slog.New(slog.DiscardHandler)
	}
}

// quietGap is how long after a full run the next may come on quiet.
func quietGap(quiet time.Duration) time.Duration { return 3 * quiet }

// Run consumes until ctx ends. A failure (database or bus down) restarts
// the consumer from the last checkpoint after a pause, so what was fed but
// not checkpointed is read again.
func (s *Service) Run(ctx context.Context) error {
	if s.cfg.Workers != nil {
		beat, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); s.heartbeat(beat) }()
		defer func() { stop(); <-done }()
	}
	for {
		err := s.run(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if s.cfg.Fence != 0 && zhudun.ErrorCode(err) == zhudun.ECONFLICT {
			// Fenced off: another worker holds the lease now and has
			// written past this one. Running on would only be refused.
			s.log.Warn("live engine fenced off; stopping", "fence", s.cfg.Fence, "err", err)
			return err
		}
		s.log.Error("live engine stopped; restarting from its checkpoint", "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(2 * time.Second):
		}
	}
}

// Events is the number of events the engine holds (restored ones too).
func (s *Service) Events() int64 { return s.events.Load() }

// Runs is the number of detections committed since the service started.
func (s *Service) Runs() int { return int(s.runs.Load()) }

func (s *Service) run(ctx context.Context) error {
	if err := s.restore(ctx); err != nil {
		return err
	}
	c, err := s.cfg.Stream(ctx, s.cfg.Name, s.seq+1)
	if err != nil {
		return err
	}
	var (
		fed       int    // messages fed since the checkpoint
		fresh     int    // messages fed since the last run, full or early
		last      uint64 // last delivered sequence, fed or skipped
		acked     = s.seq
		lastRun   = time.Now()
		lastEarly = lastRun
		src       string // source of the first message fed since the checkpoint
		arena     []byte
		ev        fourcuts.Event
		bad, lost int
		pending   *write // the run being written, at most one
	)
	// settle takes in the pending write once it is done (waiting for it
	// when block): an error ends the loop (Run restarts from the last
	// checkpoint, and memory is restored from the database); a checkpoint
	// that is durable now has its messages acknowledged.
	settle := func(block bool) error {
		if pending == nil {
			return nil
		}
		var err error
		if block {
			err = <-pending.done
		} else {
			select {
			case err = <-pending.done:
			default:
				return nil
			}
		}
		w := pending
		pending = nil
		if err != nil {
			return err
		}
		if w.full {
			if s.cfg.Crash != nil {
				s.cfg.Crash()
			}
			if w.ackTo > acked {
				if err := c.AckThrough(ctx, w.ackTo); err != nil {
					return err
				}
				acked = w.ackTo
			}
		}
		return nil
	}
	// A run still being written when the loop ends is waited for: a
	// restarted loop must restore from a database no write of this one
	// changes afterwards.
	defer func() {
		if pending != nil {
			<-pending.done
		}
	}()
	// due runs detection when one is due: a full run once the feed went
	// quiet, Every after the last, or when the allowlist changed; else an
	// early one NewEvery after the last run of either kind. It is asked
	// after every message, not only between batches, so that a batch that
	// takes seconds to add (a loaded machine) does not hold runs back.
	//
	// A run's detection and diff happen here; its write goes to the
	// database on a goroutine of its own (commit), so that the loop goes on
	// feeding meanwhile — a full run's write takes hundreds of milliseconds,
	// and the messages it would hold up are what the next run's latency is
	// made of. The next run waits for it first: writes stay in order.
	due := func(quiet, allowed bool) error {
		full := (fed > 0 && (quiet && time.Since(lastRun) >= quietGap(s.cfg.Quiet) || time.Since(lastRun) >= s.cfg.Every)) || allowed
		early := !full && fresh > 0 && s.cfg.NewEvery > 0 && time.Since(lastEarly) >= s.cfg.NewEvery
		if !full && !early {
			return nil
		}
		if err := settle(true); err != nil {
			return err
		}
		var ackTo uint64
		if full && last <= s.seq {
			ackTo = last
		}
		pending = s.commit(ctx, src, full, ackTo)
		if full {
			fed, fresh, lastRun, lastEarly = 0, 0, time.Now(), time.Now()
			if bad+lost > 0 {
				s.log.Error("ingest messages not fed", "refused", bad, "lines", lost)
				bad, lost = 0, 0
			}
		} else {
			fresh, lastEarly = 0, time.Now()
		}
		return nil
	}
	fetched := prefetch(ctx, c, s.cfg.Batch, s.cfg.Quiet)
	defer fetched.stop()
	for {
		var done <-chan error
		if pending != nil {
			done = pending.done
		}
		ds, wrote, err := fetched.next(ctx, done)
		if err != nil {
			return err
		}
		if wrote != nil {
			// The write ended before the next batch came: take it in now, so
			// that its checkpoint is acknowledged at once rather than after
			// the fetch's wait.
			pending.done <- *wrote // settle reads it back
			if err := settle(true); err != nil {
				return err
			}
			continue
		}
		for _, d := range ds {
			last = max(last, d.Seq)
			if ok, refused := admit(&d, &s.seq, s.seen, s.cfg.Now()); !ok {
				if refused {
					bad++
				}
				continue
			}
			if fed == 0 {
				src = d.Source
			}
			if s.oldest.IsZero() || !d.Published.IsZero() && d.Published.Before(s.oldest) {
				s.oldest = d.Published // reset by each run, full or early
			}
			body := d.Body
			for len(body) > 0 {
				line := body
				if i := bytes.IndexByte(body, '\n'); i >= 0 {
					line, body = body[:i], body[i+1:]
				} else {
					body = nil
				}
				if len(line) == 0 {
					continue
				}
				if fourcuts.IsTimes(line) {
					// The linked subset's times (the global stage of the
					// scale-out, docs/live.md).
					if s.eng.MergeTimes(line) != nil {
						lost++
					}
					s.orig.pad(s.eng.Sizes())
					continue
				}
				ev.Reset()
				var reason string
				arena, reason = feed.DecodeJSON(line, &ev, arena[:0])
				if reason != "" {
					lost++ // the ingest service wrote it canonical: a bug, counted
					continue
				}
				before := s.eng.Sizes()
				s.eng.Add(&ev)
				s.orig.note(d.Source, &ev, before, s.eng)
			}
			s.seq = d.Seq
			s.events.Store(s.eng.Events())
			s.fedSeq.Store(s.seq)
			fed++
			fresh++
			if err := due(false, false); err != nil {
				return err
			}
		}
		if err := settle(false); err != nil {
			return err
		}
		allowed, err := s.loadAllow(ctx, false)
		if err != nil {
			return err
		}
		allowed = allowed || s.rerun
		s.rerun = false
		if err := due(len(ds) == 0, allowed); err != nil {
			return err
		}
		if len(ds) == 0 {
			// Quiet: nothing fed meanwhile, so the run just issued (if any)
			// is the last for now — take it in, so that its checkpoint is
			// acknowledged without waiting for the next message.
			if err := settle(true); err != nil {
				return err
			}
		}
		if fed == 0 && pending == nil && last > acked && last <= s.seq {
			if err := c.AckThrough(ctx, last); err != nil {
				return err
			}
			acked = last
		}
	}
}

// prefetcher fetches (and so authenticates and opens) the next batch on a
// goroutine of its own while the engine adds the last one or commits: on
// two cores the bus's work overlaps the engine's instead of waiting for it.
// One batch is held ahead at most; an error ends it and is handed on.
type prefetcher struct {
	out    chan fetchResult
	cancel context.CancelFunc
	done   chan struct{}
}

type fetchResult struct {
	ds  []zhudun.IngestDelivery
	err error
}

func prefetch(ctx context.Context, c Consumer, batch int, wait time.Duration) *prefetcher {
	ctx, cancel := context.WithCancel(ctx)
	p := &prefetcher{out: make(chan fetchResult, 1), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		for {
			ds, err := c.Fetch(ctx, batch, wait)
			select {
			case p.out <- fetchResult{ds, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return p
}

// next is the next batch: none when the stream had nothing new for the
// fetch's wait. When write (a run's write in flight; nil: none) ends
// first, its outcome comes back instead (wrote not nil) and the batch
// stays for the next call.
func (p *prefetcher) next(ctx context.Context, write <-chan error) (ds []zhudun.IngestDelivery, wrote *error, err error) {
	select {
	case r := <-p.out:
		return r.ds, nil, r.err
	case werr := <-write:
		return nil, &werr, nil
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
}

// stop ends the fetching and waits for it, so that a restarted loop's
// consumer never meets this one's.
func (p *prefetcher) stop() {
	p.cancel()
	<-p.done
}

// restore loads the checkpoint (an engine snapshot, the sequence it
// covers and the message ids fed) and the stored findings. A checkpoint
// this build cannot read is dropped: the stream is replayed from its
// start, and the diffs bring the stored findings to what it yields.
func (s *Service) restore(ctx context.Context) error {
	s.eng, s.seq, s.seen, s.orig = fourcuts.NewEngine(s.cfg.Engine), 0, map[string]int64{}, newOrigins()
	cp, err := s.cfg.Store.EngineCheckpoint(ctx, s.cfg.Name)
	switch {
	case zhudun.ErrorCode(err) == zhudun.ENOTFOUND:
	case err != nil:
		return err
	default:
		if seen, orig, snap, ok := decodeState(cp.State, s.cfg.Now()); !ok {
			s.log.Warn("checkpoint unreadable by this build; replaying the stream from its start")
		} else if err := s.eng.LoadSnapshot(snap); err != nil {
			s.log.Warn("engine snapshot unreadable by this build; replaying the stream from its start", "err", err)
		} else {
			s.seq, s.seen, s.orig = cp.Seq, seen, orig.attach(s.eng)
		}
	}
	all, err := s.cfg.Store.EngineFindings(ctx)
	if err != nil {
		return err
	}
	s.stored, s.nextGang = make(map[string]*zhudun.Finding, len(all)), 1
	for _, f := range all {
		s.stored[sqlstore.FindingKey(f.Kind, f.Category, f.EntityType, f.Entity)] = f
		if n := gangNumber(f.Gang); n >= s.nextGang {
			s.nextGang = n + 1
		}
	}
	s.allowKey = ""
	changed, err := s.loadAllow(ctx, true)
	if err != nil {
		return err
	}
	// The allowlist may have changed while the engine was down: detect
	// once more over the restored state.
	s.rerun = changed && s.seq > 0
	s.events.Store(s.eng.Events())
	s.fedSeq.Store(s.seq)
	s.log.Info("live engine restored", "seq", s.seq, "events", s.eng.Events(), "findings", len(all))
	return nil
}

// admit says whether delivery d is to be fed, and then records its id as
// fed at now: not when the checkpoint (seq) covers it — redelivered —, nor
// when its tag failed (refused), nor when a message of its id was fed
// before (a chunk republished after the stream's duplicate window); seq
// moves past a delivery skipped so.
func admit(d *zhudun.IngestDelivery, seq *uint64, seen map[string]int64, now time.Time) (ok, refused bool) {
	if d.Seq <= *seq {
		return false, false
	}
	if _, dup := seen[d.ID]; dup || d.Bad {
		*seq = d.Seq
		return false, d.Bad
	}
	seen[d.ID] = now.Unix()
	return true, false
}

// pruneSeen forgets the message ids fed before cutoff.
func pruneSeen(seen map[string]int64, cutoff time.Time) {
	c := cutoff.Unix()
	for id, at := range seen {
		if at < c {
			delete(seen, id)
		}
	}
}

// state: "LV4", the number of message ids and each (length, bytes, the
// Unix second it was fed), the origins (origin.go: by number hash and
// engine id), then the engine's snapshot. "LV3" (origins by entity name),
// "LV2" (those, and ids without times: taken as fed now) and "LV1" (no
// origins: its entities' findings fall back to the window's source) are
// still read.
func encodeState(b []byte, seen map[string]int64, orig *origins, eng *fourcuts.Engine) []byte {
	b = appendSeen(append(b, "LV4"...), seen)
	return eng.AppendSnapshot(orig.appendTo(b))
}

// appendSeen appends the message ids fed: their number, then each
// (length, bytes, the Unix second it was fed), in order.
func appendSeen(b []byte, seen map[string]int64) []byte {
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	b = binary.AppendUvarint(b, uint64(len(ids)))
	for _, id := range ids {
		b = binary.AppendUvarint(b, uint64(len(id)))
		b = append(b, id...)
		b = binary.AppendVarint(b, seen[id])
	}
	return b
}

// readSeen reads appendSeen's ids; without times (LV2, LV1) each is taken
// as fed at now.
func readSeen(b []byte, times bool, now time.Time) (map[string]int64, []byte, bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return nil, nil, false
	}
	b = b[k:]
	seen := make(map[string]int64, n)
	for range n {
		l, k := binary.Uvarint(b)
		if k <= 0 || l > uint64(len(b)-k) {
			return nil, nil, false
		}
		id := string(b[k : k+int(l)])
		b = b[k+int(l):]
		at := now.Unix()
		if times {
			if at, k = binary.Varint(b); k <= 0 {
				return nil, nil, false
			}
			b = b[k:]
		}
		seen[id] = at
	}
	return seen, b, true
}

func decodeState(b []byte, now time.Time) (map[string]int64, *savedOrigins, []byte, bool) {
	if len(b) < 3 {
		return nil, nil, nil, false
	}
	ver := string(b[:3])
	if ver != "LV1" && ver != "LV2" && ver != "LV3" && ver != "LV4" {
		return nil, nil, nil, false
	}
	seen, b, ok := readSeen(b[3:], ver != "LV1" && ver != "LV2", now)
	if !ok {
		return nil, nil, nil, false
	}
	orig := &savedOrigins{o: newOrigins()}
	switch ver {
	case "LV4":
		o, rest, ok := decodeOrigins(b)
		if !ok {
			return nil, nil, nil, false
		}
		orig.o, b = o, rest
	case "LV2", "LV3":
		if orig, b, ok = decodeLegacyOrigins(b); !ok {
			return nil, nil, nil, false
		}
	}
	return seen, orig, b, true
}

// write is a run's change on its way to the database: done gets the
// outcome once; a full run's checkpoint covers the deliveries through
// ackTo (0: none to acknowledge).
type write struct {
	done  chan error
	full  bool
	ackTo uint64
}

// commit runs detection and diffs it against the stored findings. A full
// run writes the whole change with the checkpoint covering everything
// fed. An early one (full false) writes only what is new — findings not
// stored, withdrawn ones found again — and no checkpoint: after a crash
// the rows it created are there when the checkpoint's state is restored,
// so the replay finds them stored and creates nothing twice, and the next
// full run brings every row to its state (docs/live.md, "Early runs").
//
// It detects and diffs here and, when there is something to write (always
// for a full run: the checkpoint), starts the write and returns it; nil
// when there is nothing to write. Memory (the stored findings) is brought
// to the change at once: if the write fails, the loop ends and restore
// reads the database again.
func (s *Service) commit(ctx context.Context, src string, full bool, ackTo uint64) *write {
	t0 := time.Now()
	res := s.eng.Detect()
	detectMS := time.Since(t0).Milliseconds()
	s.networks(res)
	ch := s.diff(res, src, full)
	if s.cfg.Fence != 0 {
		ch.Fence = zhudun.EngineFence{Name: s.cfg.Name, Token: s.cfg.Fence}
	}
	if full {
		pruneSeen(s.seen, s.cfg.Now().Add(-s.cfg.SeenFor))
		// The buffer of the last checkpoint is written over: its write has
		// ended (a run waits for the one before), and fresh tens of MiB
		// cost more to fault in and clear than to fill.
		s.state = encodeState(s.state[:0], s.seen, s.orig, s.eng)
		ch.Checkpoint = &zhudun.EngineCheckpoint{Name: s.cfg.Name, Seq: s.seq, State: s.state}
	}
	for _, f := range ch.Upsert {
		s.stored[sqlstore.FindingKey(f.Kind, f.Category, f.EntityType, f.Entity)] = f
	}
	if len(ch.Withdraw) > 0 {
		// One pass over the stored findings, not one per withdrawal: a
		// full run may withdraw thousands (what early runs found at a
		// partial state that the whole feed no longer supports).
		gone := make(map[int64]bool, len(ch.Withdraw))
		for _, id := range ch.Withdraw {
			gone[id] = true
		}
		for _, f := range s.stored {
			if gone[f.ID] {
				f.Status = zhudun.FindingWithdrawn
			}
		}
	}
	oldest := s.oldest
	s.oldest = time.Time{}
	logArgs := []any{"seq", s.seq, "events", s.eng.Events(), "findings", len(res.Findings), "leads", len(res.Leads),
		"changed", len(ch.Upsert), "withdrawn", len(ch.Withdraw), "detect_ms", detectMS, "full", full}
	// done is the run's end once it is in the database (or there was
	// nothing to write).
	tw := time.Now()
	done := func() {
		// age_ms: how long the oldest message of this run waited for its
		// findings to commit — an upper bound of the lag from an event to
		// the finding it completed (bench/live reads it).
		age := int64(-1)
		if !oldest.IsZero() {
			age = time.Since(oldest).Milliseconds()
		}
		s.runs.Add(1)
		select {
		case s.beat <- struct{}{}:
		default:
		}
		s.log.Info("live findings", append(logArgs, "age_ms", age, "write_ms", time.Since(tw).Milliseconds(), "commit_ms", time.Since(t0).Milliseconds())...)
	}
	if !full && len(ch.Upsert) == 0 {
		done()
		return nil
	}
	w := &write{done: make(chan error, 1), full: full, ackTo: ackTo}
	go func() {
		err := s.cfg.Store.ApplyFindingChange(ctx, ch)
		if err == nil {
			done()
		}
		w.done <- err
	}()
	return w
}

// diff turns a detection into the change against the stored findings;
// unless full, only what is new (findings not stored, withdrawn ones found
// again). Stored ones are copied, never changed here: if the change fails
// to commit, memory still equals the database.
func (s *Service) diff(res *fourcuts.Result, src string, full bool) *zhudun.FindingChange {
	gangs := s.gangIDs(res.Findings)
	ch := &zhudun.FindingChange{}
	found := map[string]bool{}
	add := func(kind string, f *fourcuts.Finding) {
		key := sqlstore.FindingKey(kind, f.Category, f.EntityType, f.Entity)
		found[key] = true
		old := s.stored[key]
		if !full && old != nil && old.Status == zhudun.FindingLive {
			return // an early run writes only what is new
		}
		n := contractFinding(kind, f)
		if n.Gang != "" {
			n.Gang = gangs[n.Gang]
		}
		n.Networks = s.nets[n.Category+"\x00"+n.Entity]
		if old == nil {
			n.Source = src
			if o, ok := s.orig.of(s.eng, n.EntityType, n.Entity); ok {
				n.Source = o
			}
			ch.Upsert = append(ch.Upsert, n)
			return
		}
		if old.Status == zhudun.FindingLive && old.Entity == n.Entity && old.Score == n.Score && old.Gang == n.Gang &&
			old.FirstSeen.Equal(n.FirstSeen) && old.LastSeen.Equal(n.LastSeen) && string(old.Evidence) == string(n.Evidence) &&
			slices.Equal(old.Networks, n.Networks) && slices.Equal(old.Links, n.Links) {
			return
		}
		u := *old
		u.Entity, u.Score, u.Gang, u.FirstSeen, u.LastSeen, u.Evidence, u.Status = n.Entity, n.Score, n.Gang, n.FirstSeen, n.LastSeen, n.Evidence, zhudun.FindingLive
		u.Networks, u.Links = n.Networks, n.Links
		ch.Upsert = append(ch.Upsert, &u)
	}
	for i := range res.Findings {
		add(zhudun.KindFinding, &res.Findings[i])
	}
	for i := range res.Leads {
		add(zhudun.KindLead, &res.Leads[i])
	}
	if !full {
		return ch
	}
	for key, f := range s.stored {
		// A finding an analyst promoted from a lead is the analyst's: the
		// engine does not withdraw it for not finding it itself.
		if !found[key] && f.Status == zhudun.FindingLive && f.PromotedAt == nil {
			ch.Withdraw = append(ch.Withdraw, f.ID)
		}
	}
	slices.Sort(ch.Withdraw)
	return ch
}

// gangIDs maps this run's gang ids (fourcuts numbers them afresh each
// run) to stored ones: a gang keeps the oldest stored id among its members'
// (ids are numbered in order of creation, so the older id survives a
// merge); when a gang split, the larger part keeps it and the other gets a
// new id, as does a gang none of whose members had one.
func (s *Service) gangIDs(fs []fourcuts.Finding) map[string]string {
	type gang struct {
		run   string
		size  int
		known []int
	}
	byRun := map[string]*gang{}
	for i := range fs {
		f := &fs[i]
		g := byRun[f.Gang]
		if g == nil {
			g = &gang{run: f.Gang}
			byRun[f.Gang] = g
		}
		g.size++
		et := f.EntityType
		if old := s.stored[sqlstore.FindingKey(zhudun.KindFinding, f.Category, et, f.Entity)]; old != nil {
			if n := gangNumber(old.Gang); n > 0 {
				g.known = append(g.known, n)
			}
		}
	}
	order := make([]*gang, 0, len(byRun))
	for _, g := range byRun {
		slices.Sort(g.known)
		order = append(order, g)
	}
	slices.SortFunc(order, func(a, b *gang) int {
		if a.size != b.size {
			return b.size - a.size
		}
		return strings.Compare(a.run, b.run)
	})
	taken := map[int]bool{}
	out := make(map[string]string, len(order))
	for _, g := range order {
		id := 0
		for _, n := range g.known {
			if !taken[n] {
				id = n
				break
			}
		}
		if id == 0 {
			id = s.nextGang
			s.nextGang++
		}
		taken[id] = true
		out[g.run] = fmt.Sprintf("G-%06d", id)
	}
	return out
}

func gangNumber(g string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(g, "G-"))
	if err != nil || !strings.HasPrefix(g, "G-") {
		return 0
	}
	return n
}

// contractFinding is f in the contract's shape (the same rounding as
// zhudun detect's output): its score and evidence as f.AppendJSON writes
// them. They are cut from that JSON rather than decoded with
// encoding/json (a run converts every finding, thousands, and the
// reflection was a tenth of a run): the score follows the first
// `,"score":` and ends at `,"gang":`, the evidence is the last member —
// the entity before them is escaped, so neither text can occur in it
// unescaped. TestContractFindingAsDecoded compares with encoding/json.
func contractFinding(kind string, f *fourcuts.Finding) *zhudun.Finding {
	b := f.AppendJSON(nil)
	score, evidence, ok := cutScoreEvidence(b)
	if !ok {
		panic(errors.New("live: a finding's own JSON does not have its score and evidence where AppendJSON writes them: " + f.Category))
	}
	return &zhudun.Finding{Kind: kind, Category: f.Category, EntityType: f.EntityType, Entity: f.Entity, Score: score, Gang: f.Gang,
		FirstSeen: time.UnixMilli(f.FirstSeen).UTC(), LastSeen: time.UnixMilli(f.LastSeen).UTC(), Evidence: evidence, Status: zhudun.FindingLive, Links: f.Links}
}

func cutScoreEvidence(b []byte) (float64, json.RawMessage, bool) {
	const scoreKey, gangKey, evKey = `,"score":`, `,"gang":`, `,"evidence":`
	i := bytes.Index(b, []byte(scoreKey))
	if i < 0 {
		return 0, nil, false
	}
	rest := b[i+len(scoreKey):]
	j := bytes.Index(rest, []byte(gangKey))
	if j < 0 {
		return 0, nil, false
	}
	score, err := strconv.ParseFloat(string(rest[:j]), 64)
	if err != nil {
		return 0, nil, false
	}
	k := bytes.Index(rest, []byte(evKey))
	if k < 0 || len(b) == 0 || b[len(b)-1] != '}' {
		return 0, nil, false
	}
	ev := rest[k+len(evKey) : len(rest)-1]
	if !json.Valid(ev) {
		return 0, nil, false
	}
	return score, json.RawMessage(ev), true
}
