package zhudun

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Source kinds: who an external system feeding events is.
const (
	SourceCarrier  = "carrier"
	SourcePlatform = "platform"
	SourceOpen311  = "open311"
)

// SourceEventTypes are the contract's event types (docs/spec/events.md) a
// source may be given.
var SourceEventTypes = []string{"sim", "reg", "sms", "cdr", "ip"}

// DefaultSourceTypes returns the event types a source of kind gets when
// none are named: a carrier its subscribers' cards, texts, calls and
// addresses; a platform its registrations and addresses; an open311
// system none (it must be given them).
func DefaultSourceTypes(kind string) []string {
	switch kind {
	case SourceCarrier:
		return []string{"sim", "sms", "cdr", "ip"}
	case SourcePlatform:
		return []string{"reg", "ip"}
	}
	return nil
}

// Source is an external system (a carrier's, a platform's) that pushes
// events with an API key. Its events are stamped with its Name as their
// src; which network or platform an entity belongs to still comes from the
// events themselves.
type Source struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	// Binding is the carrier network code or platform name whose entities
	// the source's cut lists carry (its name unless set): a card is on a
	// network by its sim events' carrier, an account on a platform by its
	// reg events' platform.
	Binding   string    `json:"binding"`
	DeptCode  string    `json:"dept"`
	DeptPath  string    `json:"-"`
	Types     []string  `json:"types"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// May reports whether the source was given event type t.
func (s *Source) May(t string) bool { return slices.Contains(s.Types, t) }

// NewSource is what CreateSource needs. Empty DeptCode means the root;
// empty Types the kind's defaults.
type NewSource struct {
	Name     string
	Kind     string
	Binding  string // empty: Name
	DeptCode string
	Types    []string
}

var sourceNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// ValidSourceName reports whether name is 1–32 of a–z, 0–9, '_' and '-',
// starting with a letter or digit: it becomes every event's src and part of
// bus message ids.
func ValidSourceName(name string) bool { return sourceNameRE.MatchString(name) }

// Validate checks n and fills its defaults.
func (n *NewSource) Validate() error {
	n.Name = strings.TrimSpace(n.Name)
	if !ValidSourceName(n.Name) {
		return FieldError("name", "a source name is 1–32 of a–z, 0–9, _ and -")
	}
	switch n.Kind {
	case SourceCarrier, SourcePlatform, SourceOpen311:
	default:
		return FieldError("kind", "kind must be carrier, platform or open311")
	}
	if n.DeptCode == "" {
		n.DeptCode = RootDeptCode
	}
	n.Binding = strings.TrimSpace(n.Binding)
	if n.Binding == "" {
		n.Binding = n.Name
	}
	if len(n.Binding) > 64 || strings.ContainsAny(n.Binding, ",\n\r\t") {
		return FieldError("binding", "a binding is at most 64 characters, without commas or line breaks")
	}
	if n.Kind == SourceOpen311 && len(n.Types) == 0 {
		// An Open311 client posts e-bike fire reports (docs/fire.md), not
		// Four Cuts events: it needs no event type, and without one its
		// key pushes none.
		n.Types = []string{}
		return nil
	}
	if len(n.Types) == 0 {
		n.Types = DefaultSourceTypes(n.Kind)
	}
	types, err := NormalizeSourceTypes(n.Types)
	if err != nil {
		return err
	}
	n.Types = types
	return nil
}

// NormalizeSourceTypes checks a list of event types and returns it in the
// contract's order without duplicates; it must not be empty.
func NormalizeSourceTypes(types []string) ([]string, error) {
	var out []string
	for _, t := range types {
		t = strings.TrimSpace(t)
		if !slices.Contains(SourceEventTypes, t) {
			return nil, FieldError("types", "unknown event type %q (sim, reg, sms, cdr, ip)", t)
		}
	}
	for _, t := range SourceEventTypes {
		for _, u := range types {
			if strings.TrimSpace(u) == t {
				out = append(out, t)
				break
			}
		}
	}
	if len(out) == 0 {
		return nil, FieldError("types", "a source must be given at least one event type")
	}
	return out, nil
}

// IngestChunk is the outcome of one request (a chunk) a source sent, as it
// was answered: resending the same chunk id gets the same answer.
type IngestChunk struct {
	SourceID int64
	ChunkID  string
	Accepted int64
	Rejected int64
	// Rejects is the answer's list of rejected lines, JSON.
	Rejects []byte
	// Reasons counts the rejects by reason (up to the quoted value), for
	// the status page.
	Reasons map[string]int64
}

// IngestHour is one source's counts over one hour (UTC).
type IngestHour struct {
	Source   string           `json:"source"`
	Hour     time.Time        `json:"hour"`
	Accepted int64            `json:"accepted"`
	Rejected int64            `json:"rejected"`
	Reasons  map[string]int64 `json:"reasons,omitempty"`
}

// SourceService manages sources (source:write over the whole organisation)
// and their chunks. Every change is audited; a key is returned once, by
// CreateSource and RotateSourceKey, and stored only as its hash.
// Errors: EINVALID, ENOTFOUND, ECONFLICT, EFORBIDDEN, EUNAUTHORIZED
// (SourceByKey: an unknown or disabled key), EUNAVAILABLE.
type SourceService interface {
	CreateSource(ctx context.Context, n NewSource) (*Source, string, error)
	FindSources(ctx context.Context) ([]*Source, error)
	DisableSource(ctx context.Context, name string) (*Source, error)
	RotateSourceKey(ctx context.Context, name string) (*Source, string, error)
	// SourceByKey finds the enabled source whose key this is; it needs no
	// caller (the key is the credential).
	SourceByKey(ctx context.Context, key string) (*Source, error)
	// IngestChunkDone returns the recorded answer to a chunk, or ENOTFOUND.
	IngestChunkDone(ctx context.Context, sourceID int64, chunkID string) (*IngestChunk, error)
	// RecordIngestChunk records a chunk's answer and adds it to the hour's
	// counts, once: a second record of the same chunk is ECONFLICT.
	RecordIngestChunk(ctx context.Context, c *IngestChunk) error
	// IngestHours lists the counts of the hours since since, per source
	// (source:write).
	IngestHours(ctx context.Context, since time.Time) ([]*IngestHour, error)
}

// IngestBatch is one bus message of the ingest stream: canonical JSON
// Lines events of one partition (docs/ingest.md).
type IngestBatch struct {
	Partition int
	// ID is unique per source, chunk, partition and batch number: the same
	// chunk resent splits into the same ids, which JetStream de-duplicates.
	ID     string
	Source string
	Chunk  string
	Events int
	Body   []byte
}

// IngestDelivery is one ingest stream message as the live engine reads
// it: its stream sequence, id, source and opened body (canonical JSON
// Lines). Bad is set for a message whose tag or seal failed: it carries
// no body and is counted, not fed.
type IngestDelivery struct {
	Seq    uint64
	ID     string
	Source string
	Events int
	Body   []byte
	Bad    bool
	// Published is when the stream stored the message (its metadata):
	// the live engine reports how old the oldest message of each run was
	// when its findings committed.
	Published time.Time
}
