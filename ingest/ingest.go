// Package ingest is the service behind POST /api/v1/events: it checks a
// source's key (from a cache while the database is down), reads the body
// with the feed reader's rules, refuses event types the source was not
// given, applies the source's rate, puts the events durably into the
// ingest stream in batches per partition, and remembers each chunk so that
// a resent one is answered again and not stored twice (docs/ingest.md).
// httpapi only translates requests to it.
package ingest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/fourcuts"
	"github.com/zhudun/zhudun/fourcuts/feed"
)

// Store is what the service needs from the database.
type Store interface {
	SourceByKey(ctx context.Context, key string) (*zhudun.Source, error)
	IngestChunkDone(ctx context.Context, sourceID int64, chunkID string) (*zhudun.IngestChunk, error)
	RecordIngestChunk(ctx context.Context, c *zhudun.IngestChunk) error
}

// Stream is the ingest stream (natsbus.IngestStream).
type Stream interface {
	Partitions() int
	// Room is ETOOMANY when n more bytes do not fit.
	Room(ctx context.Context, n int64) error
	// Publish returns once every batch is stored.
	Publish(ctx context.Context, batches []zhudun.IngestBatch) error
}

// Pseudonymizer turns a holder into a keyed pseudonym (gmcrypto's blind
// index): holders never travel or rest in clear.
type Pseudonymizer interface {
	Index(kind, normalized string) string
}

// Config configures a Service.
type Config struct {
	Store  Store
	Stream Stream
	Keys   Pseudonymizer
	Logger *slog.Logger
	// Rate and Burst are each source's allowance in events per second
	// (default 200 000 a second, bursts of 2 000 000).
	Rate  float64
	Burst float64
	// MaxEvents bounds one request (default 1 000 000: send chunks).
	MaxEvents int
	// MaxDecoded bounds one request's decompressed bytes (default 512 MiB).
	MaxDecoded int64
	// KeyCache is how long a verified key is served from memory while the
	// database does not answer (default 1 hour).
	KeyCache time.Duration
	Now      func() time.Time
}

// Service accepts events from sources. It is safe for concurrent use.
type Service struct {
	cfg Config
	log *slog.Logger

	mu      sync.Mutex
	keys    map[[32]byte]cachedKey
	buckets map[int64]*bucket
}

type cachedKey struct {
	src *zhudun.Source
	at  time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// New returns a Service.
func New(c Config) *Service {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Rate <= 0 {
		c.Rate = 200000
	}
	if c.Burst <= 0 {
		c.Burst = 2000000
	}
	if c.MaxEvents <= 0 {
		c.MaxEvents = 1000000
	}
	if c.MaxDecoded <= 0 {
		c.MaxDecoded = 512 << 20
	}
	if c.KeyCache <= 0 {
		c.KeyCache = time.Hour
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return &Service{cfg: c, log: c.Logger.With("component", "ingest"), keys: map[[32]byte]cachedKey{}, buckets: map[int64]*bucket{}}
}

// Authenticate returns the source of an API key: EUNAUTHORIZED for a
// wrong or disabled one. The database decides whenever it answers; while
// it does not, a key it accepted within KeyCache is served from memory (a
// disabling or rotation made meanwhile takes effect when it answers again)
// and any other key is EUNAVAILABLE.
func (s *Service) Authenticate(ctx context.Context, key string) (*zhudun.Source, error) {
	h := sha256.Sum256([]byte(key))
	src, err := s.cfg.Store.SourceByKey(ctx, key)
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	switch zhudun.ErrorCode(err) {
	case "":
		s.keys[h] = cachedKey{src: src, at: now}
		return src, nil
	case zhudun.EUNAVAILABLE, zhudun.EINTERNAL:
		if c, ok := s.keys[h]; ok && now.Sub(c.at) < s.cfg.KeyCache {
			s.log.Warn("database unavailable: source key served from the cache", "source", c.src.Name)
			return c.src, nil
		}
		return nil, err
	default:
		delete(s.keys, h)
		return nil, err
	}
}

// Reject is one rejected line of a request.
type Reject struct {
	Line   int64  `json:"line"`
	Reason string `json:"reason"`
}

// Result is the answer to a request.
type Result struct {
	Accepted int64    `json:"accepted"`
	Rejected int64    `json:"rejected"`
	Rejects  []Reject `json:"rejects"`
	// Duplicate is set when the chunk had been accepted before: nothing
	// was stored again, and the counts are the first answer's.
	Duplicate bool `json:"duplicate,omitempty"`
}

// maxRejects bounds the rejects listed in one answer (all are counted).
const maxRejects = 10000

// batchBytes is the largest batch body: sealed (33 bytes more) and with
// its headers it stays under NATS's default 1 MiB payload, with room for a
// format-1 message's base64 (+33 %) had it to be written again.
const batchBytes = 640 << 10

// Accept reads one request body (JSON Lines, or CSV when csv is set;
// plain or gzip) from src and puts its valid events into the stream.
// chunkID, when given, makes the request idempotent: a chunk accepted
// before is answered as it was, and nothing is stored again.
// Errors: EFORBIDDEN (an event of a type the source was not given: nothing
// is accepted), ETOOMANY with RetryAfter (the source's rate, or a full
// stream), ETOOLARGE, EINVALID (a bad chunk id), EUNAVAILABLE.
func (s *Service) Accept(ctx context.Context, src *zhudun.Source, chunkID string, body io.Reader, csv bool) (*Result, error) {
	if chunkID != "" {
		if !validChunkID(chunkID) {
			return nil, zhudun.FieldError("chunk", "a chunk id is 1–128 of A–Z, a–z, 0–9, '-', '_' and '.'")
		}
		done, err := s.cfg.Store.IngestChunkDone(ctx, src.ID, chunkID)
		if err == nil {
			res := &Result{Accepted: done.Accepted, Rejected: done.Rejected, Duplicate: true}
			if err := json.Unmarshal(done.Rejects, &res.Rejects); err != nil || res.Rejects == nil {
				res.Rejects = []Reject{}
			}
			return res, nil
		}
		if zhudun.ErrorCode(err) != zhudun.ENOTFOUND {
			// The database does not answer: JetStream's duplicate window
			// still guards a retry within two minutes (docs/ingest.md).
			s.log.Warn("chunk record unavailable; relying on the stream's duplicate window", "source", src.Name)
		}
	}
	msgID := chunkID
	if msgID == "" {
		var b [12]byte
		rand.Read(b[:])
		msgID = "r" + hex.EncodeToString(b[:])
	}
	p := newPacker(src.Name, chunkID, msgID, s.cfg.Stream.Partitions())
	res := &Result{Rejects: []Reject{}}
	reasons := map[string]int64{}
	var forbidden fourcuts.Type
	var events int64
	var holder []byte
	br := &bodyReader{r: body}
	_, err := feed.ReadStream(ctx, "body", br, csv, s.cfg.MaxDecoded, func(b *feed.Batch) {
		for i := range b.Events {
			ev := &b.Events[i]
			if !src.May(ev.Type.String()) {
				if forbidden == fourcuts.TypeNone {
					forbidden = ev.Type
				}
				continue
			}
			events++
			if events > int64(s.cfg.MaxEvents) {
				continue
			}
			ev.Src = []byte(src.Name)
			if ev.Holder != nil {
				holder = append(holder[:0], "h:"...)
				holder = append(holder, s.cfg.Keys.Index("fourcuts-holder", string(ev.Holder))[:32]...)
				ev.Holder = holder
			}
			p.add(ev)
		}
	}, func(r feed.Reject) {
		res.Rejected++
		reasons[reasonClass(r.Reason)]++
		if len(res.Rejects) < maxRejects {
			res.Rejects = append(res.Rejects, Reject{Line: r.Line, Reason: r.Reason})
		}
	})
	switch {
	case br.err != nil:
		// The body broke off (a client gone, a limit): nothing of it is
		// accepted, the client sends the chunk again.
		if zhudun.ErrorCode(br.err) != zhudun.EINTERNAL {
			return nil, br.err
		}
		return nil, zhudun.Errorf(zhudun.EINVALID, "the request body could not be read whole")
	case err == feed.ErrTooLarge:
		return nil, &zhudun.Error{Code: zhudun.ETOOLARGE, Message: "request over " + strconv.FormatInt(s.cfg.MaxDecoded>>20, 10) + " MiB decompressed: send smaller chunks"}
	case err != nil:
		return nil, &zhudun.Error{Code: zhudun.EUNAVAILABLE, Message: "request cancelled"}
	case forbidden != fourcuts.TypeNone:
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "source %s may not send %s events (it may send %s); nothing was accepted", src.Name, forbidden, strings.Join(src.Types, ","))
	case events > int64(s.cfg.MaxEvents):
		return nil, &zhudun.Error{Code: zhudun.ETOOLARGE, Message: "more than " + strconv.Itoa(s.cfg.MaxEvents) + " events in one request: send smaller chunks"}
	}
	batches := p.finish()
	res.Accepted = events
	if events > 0 {
		if err := s.take(src.ID, float64(events)); err != nil {
			return nil, err
		}
		// The sealed size: the body, its nonce and tag, and headers.
		if err := s.cfg.Stream.Room(ctx, p.bytes+int64(len(batches))*512); err != nil {
			s.refund(src.ID, float64(events))
			return nil, err
		}
		if err := s.cfg.Stream.Publish(ctx, batches); err != nil {
			s.refund(src.ID, float64(events))
			return nil, err
		}
	}
	rejects, _ := json.Marshal(res.Rejects)
	if chunkID != "" || events > 0 || res.Rejected > 0 {
		c := &zhudun.IngestChunk{SourceID: src.ID, ChunkID: msgID, Accepted: res.Accepted, Rejected: res.Rejected, Rejects: rejects, Reasons: reasons}
		if err := s.cfg.Store.RecordIngestChunk(context.WithoutCancel(ctx), c); err != nil && zhudun.ErrorCode(err) != zhudun.ECONFLICT {
			s.log.Warn("chunk not recorded (its events are in the stream)", "source", src.Name, "err", err)
		}
	}
	return res, nil
}

// take removes n events from the source's allowance, all or nothing:
// ETOOMANY with the wait until they would fit. A request larger than the
// burst passes when the bucket is full, leaving it in debt.
func (s *Service) take(id int64, n float64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	b := s.buckets[id]
	if b == nil {
		b = &bucket{tokens: s.cfg.Burst, at: now}
		s.buckets[id] = b
	}
	b.tokens = min(s.cfg.Burst, b.tokens+now.Sub(b.at).Seconds()*s.cfg.Rate)
	b.at = now
	need := min(n, s.cfg.Burst)
	if b.tokens < need {
		wait := (need - b.tokens) / s.cfg.Rate
		return &zhudun.Error{Code: zhudun.ETOOMANY, Message: "over this source's event rate; retry later", RetryAfter: max(1, int(wait+0.999))}
	}
	b.tokens -= n
	return nil
}

func (s *Service) refund(id int64, n float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.buckets[id]; b != nil {
		b.tokens = min(s.cfg.Burst, b.tokens+n)
	}
}

func validChunkID(id string) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// reasonClass is a reject reason without the value it quotes: the status
// page groups by it, and a value may be personal data.
func reasonClass(r string) string {
	if i := strings.IndexByte(r, '"'); i >= 0 {
		r = r[:i]
	}
	return strings.TrimRight(r, " :")
}

// bodyReader remembers a read error other than the end of the body.
type bodyReader struct {
	r   io.Reader
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}
