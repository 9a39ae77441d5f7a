package live

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/fourcuts"
	"github.com/zhudun/zhudun/fourcuts/feed"
)

// Members is the partition workers' membership (natsbus.Members): a
// worker beats; one whose lease lapsed drops out of Alive.
type Members interface {
	Beat(ctx context.Context, id string) error
	Leave(ctx context.Context, id string) error
	Alive(ctx context.Context) ([]string, error)
}

// Checkpoints is what a partition worker needs from the database: its
// partitions' checkpoints (a FindingChange with only a checkpoint).
type Checkpoints interface {
	EngineCheckpoint(ctx context.Context, name string) (*zhudun.EngineCheckpoint, error)
	ApplyFindingChange(ctx context.Context, ch *zhudun.FindingChange) error
}

// PartitionConfig configures a partition worker, the first stage of the
// scale-out (docs/live.md, "Scale-out").
type PartitionConfig struct {
	Store Checkpoints
	// Open opens a consumer on one partition of the ingest stream,
	// delivering from sequence start.
	Open func(ctx context.Context, partition int, start uint64) (Consumer, error)
	// Emit publishes the linked subset to the link stream and returns once
	// JetStream has stored it.
	Emit       func(ctx context.Context, batches []zhudun.IngestBatch) error
	Members    Members
	Partitions int
	// ID names this worker among the members (default host/pid/start).
	ID     string
	Engine fourcuts.Config
	// Lease: a worker beats every Lease/3 and looks again at who is alive
	// (default 9 s; the Members bucket's TTL must be Lease).
	Lease        time.Duration
	Quiet, Every time.Duration // as Config (defaults 300 ms and 5 s)
	Batch        int           // default 64
	Logger       *slog.Logger
	// Workers, when set, receives this worker's heartbeat (name
	// "partitions", the events it fed), for the status page.
	Workers Workers
}

// PartitionWorker owns the partitions assigned to it among the live
// members (rendezvous hashing: a worker that joins or leaves moves only
// the partitions it gains or held), and for each holds an engine fed that
// partition's events, passing the linked subset on to the link stream.
type PartitionWorker struct {
	cfg    PartitionConfig
	log    *slog.Logger
	events atomic.Int64 // events fed by this worker since it started
	linked atomic.Int64 // of which passed on
	owned  atomic.Int64 // partitions held now
}

// NewPartitionWorker returns a worker; Run starts it.
func NewPartitionWorker(c PartitionConfig) *PartitionWorker {
	if c.ID == "" {
		host, _ := os.Hostname()
		c.ID = fmt.Sprintf("%s/%d/%d", host, os.Getpid(), time.Now().UnixMilli())
	}
	if c.Lease <= 0 {
		c.Lease = 9 * time.Second
	}
	loopDefaults(&c.Quiet, &c.Every, &c.Batch, &c.Logger)
	return &PartitionWorker{cfg: c, log: c.Logger.With("component", "live", "worker", c.ID)}
}

// Events is the number of events this worker fed.
func (w *PartitionWorker) Events() int64 { return w.events.Load() }

// Linked is the number of events passed on to the link stream.
func (w *PartitionWorker) Linked() int64 { return w.linked.Load() }

// Owned is the number of partitions this worker holds now.
func (w *PartitionWorker) Owned() int { return int(w.owned.Load()) }

// PartitionCheckpoint names partition p's checkpoint.
func PartitionCheckpoint(p int) string { return "part-" + strconv.Itoa(p) }

// Owner is the member that owns partition p: the highest hash of
// (member, p) — rendezvous hashing. FNV-1a's last bytes barely reach its
// high bits, so its sum is mixed again before the comparison.
func Owner(members []string, p int) string {
	best, bh := "", uint64(0)
	for _, m := range members {
		h := fnv.New64a()
		h.Write([]byte(m))
		h.Write([]byte{0, byte(p), byte(p >> 8)})
		if v := mix(h.Sum64()); best == "" || v > bh || v == bh && m < best {
			best, bh = m, v
		}
	}
	return best
}

// mix is a 64-bit finaliser (MurmurHash3's).
func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	return x ^ x>>33
}

// Run beats, follows the membership and runs the partitions this worker
// owns until ctx ends; then it leaves, so that the others take its
// partitions over at once.
func (w *PartitionWorker) Run(ctx context.Context) error {
	type running struct {
		stop context.CancelFunc
		done chan struct{}
	}
	parts := map[int]*running{}
	var wg sync.WaitGroup
	if w.cfg.Workers != nil {
		host, _ := os.Hostname()
		hb, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			beat(hb, w.cfg.Workers, w.log, &zhudun.EngineWorker{ID: w.cfg.ID + "#partitions", Name: "partitions", Host: host, PID: os.Getpid(), Started: time.Now().UTC()},
				func(e *zhudun.EngineWorker) { e.Events = w.events.Load() }, nil)
		}()
		defer func() { stop(); <-done }()
	}
	defer func() {
		for _, r := range parts {
			r.stop()
		}
		wg.Wait()
		leave, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if err := w.cfg.Members.Leave(leave, w.cfg.ID); err != nil {
			w.log.Warn("partition worker left to expire", "err", err)
		}
	}()
	// Beats go on while a partition is being stopped (which waits for its
	// commit): a lease lapses only when the worker is gone.
	beats, stopBeats := context.WithCancel(ctx)
	beatOK := atomic.Bool{}
	beatDone := make(chan struct{})
	go func() {
		defer close(beatDone)
		t := time.NewTicker(w.cfg.Lease / 4)
		defer t.Stop()
		for {
			err := w.cfg.Members.Beat(beats, w.cfg.ID)
			if err != nil && beats.Err() == nil {
				w.log.Warn("partition worker beat failed", "err", err)
			}
			beatOK.Store(err == nil)
			select {
			case <-beats.Done():
				return
			case <-t.C:
			}
		}
	}()
	defer func() { stopBeats(); <-beatDone }()
	tick := time.NewTicker(w.cfg.Lease / 4)
	defer tick.Stop()
	// Workers started together see one another before taking partitions:
	// the first look waits one beat.
	select {
	case <-ctx.Done():
		return nil
	case <-tick.C:
	}
	for {
		members, err := w.cfg.Members.Alive(ctx)
		if err != nil || !beatOK.Load() {
			// Cut off from the bus: its lease will lapse and the others take
			// the partitions; stop them here too rather than race them.
			w.log.Warn("membership unavailable; releasing partitions", "err", err)
			members = nil
		} else if !slices.Contains(members, w.cfg.ID) {
			members = append(members, w.cfg.ID)
		}
		for p := range w.cfg.Partitions {
			mine := members != nil && Owner(members, p) == w.cfg.ID
			r := parts[p]
			if r != nil {
				select {
				case <-r.done:
					delete(parts, p)
					r = nil
				default:
				}
			}
			switch {
			case mine && r == nil:
				pctx, stop := context.WithCancel(ctx)
				r = &running{stop: stop, done: make(chan struct{})}
				parts[p] = r
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer close(r.done)
					w.partition(pctx, p)
				}()
			case !mine && r != nil:
				r.stop()
				<-r.done
				delete(parts, p)
			}
		}
		w.owned.Store(int64(len(parts)))
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// partition runs partition p until ctx ends, restarting from its
// checkpoint after a failure.
func (w *PartitionWorker) partition(ctx context.Context, p int) {
	w.log.Info("partition taken", "partition", p)
	for {
		err := w.runPartition(ctx, p)
		if ctx.Err() != nil {
			w.log.Info("partition released", "partition", p)
			return
		}
		w.log.Error("partition stopped; restarting from its checkpoint", "partition", p, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(2 * time.Second):
		}
	}
}

// part is one partition's state: its engine, the last sequence fed, the
// ids of the messages fed, and what it last passed on of the times.
type part struct {
	eng  *fourcuts.Engine
	seq  uint64
	seen map[string]int64
	mark fourcuts.LinkMark
}

// runPartition: restore, then read, feed and pass on — the checkpoint
// written only once the link stream holds what it covers, and the
// messages acknowledged only after the checkpoint. Whatever a crash
// interrupts is read again and passed on again; the global stage counts
// it once (the engine counts distinct things; times merge by min and max).
func (w *PartitionWorker) runPartition(ctx context.Context, p int) error {
	name := PartitionCheckpoint(p)
	st := &part{eng: fourcuts.NewEngine(w.cfg.Engine), seen: map[string]int64{}}
	cp, err := w.cfg.Store.EngineCheckpoint(ctx, name)
	switch {
	case zhudun.ErrorCode(err) == zhudun.ENOTFOUND:
	case err != nil:
		return err
	default:
		if seen, snap, ok := decodePartState(cp.State); !ok {
			w.log.Warn("partition checkpoint unreadable by this build; replaying the partition from its start", "partition", p)
		} else if err := st.eng.LoadSnapshot(snap); err != nil {
			w.log.Warn("partition snapshot unreadable by this build; replaying the partition from its start", "partition", p, "err", err)
		} else {
			st.seq, st.seen = cp.Seq, seen
		}
	}
	c, err := w.cfg.Open(ctx, p, st.seq+1)
	if err != nil {
		return err
	}
	var (
		fed     int    // messages fed since the checkpoint
		first   uint64 // first sequence fed since the checkpoint
		last    uint64
		acked   = st.seq
		lastRun = time.Now()
		out     []zhudun.IngestBatch // the linked subset since the checkpoint, one batch per run of one source
		arena   []byte
		ev      fourcuts.Event
		lastSrc string
	)
	for {
		ds, err := c.Fetch(ctx, w.cfg.Batch, w.cfg.Quiet)
		if err != nil {
			return err
		}
		for _, d := range ds {
			last = max(last, d.Seq)
			if ok, _ := admit(&d, &st.seq, st.seen, time.Now()); !ok {
				continue
			}
			if fed == 0 {
				first = d.Seq
			}
			for line := range linesOf(d.Body) {
				ev.Reset()
				var reason string
				if arena, reason = feed.DecodeJSON(line, &ev, arena[:0]); reason != "" {
					continue // the ingest service wrote it canonical
				}
				w.events.Add(1)
				if st.eng.AddLinked(&ev) {
					out = appendLinked(out, p, d.Source, line, 1)
					w.linked.Add(1)
				}
			}
			lastSrc = d.Source
			st.seq = d.Seq
			fed++
		}
		if fed > 0 && (len(ds) == 0 && time.Since(lastRun) >= quietGap(w.cfg.Quiet) || time.Since(lastRun) >= w.cfg.Every) {
			if err := w.commit(ctx, p, st, out, first, lastSrc); err != nil {
				return err
			}
			fed, out, lastRun = 0, nil, time.Now()
		}
		if fed == 0 && last > acked && last <= st.seq {
			if err := c.AckThrough(ctx, last); err != nil {
				return err
			}
			acked = last
		}
	}
}

// commit passes the window's linked subset and the times that moved on to
// the link stream, then writes the partition's checkpoint.
func (w *PartitionWorker) commit(ctx context.Context, p int, st *part, out []zhudun.IngestBatch, first uint64, src string) error {
	for line := range linesOf(st.eng.AppendTimes(nil, &st.mark)) {
		out = appendLinked(out, p, src, line, 0)
	}
	// Ids: the same window read again after a crash makes the same ids,
	// which the link stream and the global stage skip.
	for i := range out {
		out[i].ID = fmt.Sprintf("%s.%d.%d.%d", PartitionCheckpoint(p), first, st.seq, i)
	}
	if len(out) > 0 {
		if err := w.cfg.Emit(ctx, out); err != nil {
			return err
		}
	}
	pruneSeen(st.seen, time.Now().Add(-DefaultSeenFor))
	cp := &zhudun.EngineCheckpoint{Name: PartitionCheckpoint(p), Seq: st.seq, State: encodePartState(st.seen, st.eng)}
	if err := w.cfg.Store.ApplyFindingChange(ctx, &zhudun.FindingChange{Checkpoint: cp}); err != nil {
		return err
	}
	// bench/live reads these: a worker's events per second, and the state
	// it holds per entity.
	w.log.Info("partition committed", "partition", p, "seq", st.seq, "events", st.eng.Events(), "entities", st.eng.Entities(),
		"state_bytes", len(cp.State), "fed", w.events.Load(), "linked", w.linked.Load())
	return nil
}

// linkBytes bounds a link message's body, as the ingest service bounds
// its batches: sealed, it stays well under NATS's 1 MiB payload.
const linkBytes = 640 << 10

// appendLinked appends one line of the linked subset (events of them) to
// the window's batches: to the last one when it is src's and has room,
// else to a new one (a source's run in stream order: the global stage
// notes each entity's origin from the message's source).
func appendLinked(out []zhudun.IngestBatch, p int, src string, line []byte, events int) []zhudun.IngestBatch {
	n := len(out)
	if n == 0 || out[n-1].Source != src || len(out[n-1].Body)+len(line) >= linkBytes {
		out = append(out, zhudun.IngestBatch{Partition: p, Source: src, Body: make([]byte, 0, 64<<10)})
		n++
	}
	b := &out[n-1]
	b.Body = append(append(b.Body, line...), '\n')
	b.Events += events
	return out
}

// linesOf yields the non-empty lines of a body.
func linesOf(body []byte) func(func([]byte) bool) {
	return func(yield func([]byte) bool) {
		for len(body) > 0 {
			line := body
			if i := bytes.IndexByte(body, '\n'); i >= 0 {
				line, body = body[:i], body[i+1:]
			} else {
				body = nil
			}
			if len(line) > 0 && !yield(line) {
				return
			}
		}
	}
}

// A partition's state: "LP1", the message ids fed (appendSeen), then the
// engine's snapshot.
func encodePartState(seen map[string]int64, eng *fourcuts.Engine) []byte {
	return eng.AppendSnapshot(appendSeen(append([]byte(nil), "LP1"...), seen))
}

func decodePartState(b []byte) (map[string]int64, []byte, bool) {
	if len(b) < 3 || string(b[:3]) != "LP1" {
		return nil, nil, false
	}
	return readSeen(b[3:], true, time.Time{})
}
