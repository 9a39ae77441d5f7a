// Package natsbus implements zhudun.Bus on NATS JetStream: an embedded,
// in-process server for the single binary, or an external server or cluster.
//
// It uses only JetStream features that nats-server 2.9 understands (one
// filter subject per consumer, no 2.10+ stream or consumer options), because
// Debian ships 2.9.
package natsbus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zhudun/zhudun"
)

// Defaults for Config.
const (
	DefaultStreamName    = "ZHUDUN"
	DefaultSubjectPrefix = "zhudun.events"
	DefaultMaxAge        = 7 * 24 * time.Hour

	// dupWindow bounds how long Publish remembers an event ID: a relay that
	// republishes after a crash does so within seconds, not minutes.
	dupWindow = 2 * time.Minute
)

// Config configures Open.
type Config struct {
	// URL of an external NATS server or cluster ("nats://host:4222", comma
	// separated for several). Empty starts an embedded server under DataDir.
	URL string
	// DataDir holds the embedded server's file store (DataDir/nats). Required
	// when URL is empty, unused otherwise.
	DataDir string
	// Logger receives the bus's and the embedded server's logs; nil means
	// slog.Default().
	Logger *slog.Logger
	// StreamName is the JetStream stream; default DefaultStreamName.
	StreamName string
	// SubjectPrefix replaces the "zhudun.events" of zhudun.Event.Subject:
	// events are published on SubjectPrefix + "." + Type and the stream
	// captures SubjectPrefix + ".>". Default DefaultSubjectPrefix, which
	// gives exactly Event.Subject(). Tests set it so that runs sharing one
	// server do not see each other's events.
	SubjectPrefix string
	// MaxAge is how long the stream keeps events; default DefaultMaxAge.
	MaxAge time.Duration
	// Keys tags every published event with HMAC-SM3 and seals its payload
	// with SM4-GCM; subscribers drop what fails the tag. Required: the bus
	// is a trust boundary, and anyone who can publish on NATS could
	// otherwise put an incident on a dispatcher's screen or move a unit.
	Keys Keys

	// TLS and credentials for an external server. CAFile alone makes the
	// connection TLS with the server's certificate checked against it;
	// CertFile and KeyFile add a client certificate; CredsFile is a NATS
	// credentials (JWT + nkey) file.
	CAFile, CertFile, KeyFile, CredsFile string
	// Insecure allows a plain (non-TLS) connection to a server that is not
	// on the loopback interface. Without it Open refuses one, since events
	// and credentials would cross the network in clear.
	Insecure bool
	// OnReject, if set, is told of every event a subscription drops for
	// failing its tag or seal (after the log line). It runs on the
	// subscription's goroutine and must not block: the server hands it to
	// the store's alerts through a per-subject limiter.
	OnReject func(subject, reason string)
}

// Keys signs, verifies, seals and opens events; *gmcrypto.Keyring
// implements it with its bus keys.
type Keys interface {
	SignEvent(msg []byte) (string, error)
	VerifyEvent(msg []byte, tag string) bool
	SealEvent(plaintext, aad []byte) (string, error)
	OpenEvent(sealed string, aad []byte) ([]byte, error)
	// SealEventRaw and OpenEventRaw are the binary forms (key id,
	// nonce, ciphertext, GCM tag), appending to dst.
	SealEventRaw(dst, plaintext, aad []byte) ([]byte, error)
	OpenEventRaw(dst, sealed, aad []byte) ([]byte, error)
}

// Bus is a zhudun.Bus on NATS JetStream. Create it with Open.
type Bus struct {
	cfg        Config
	log        *slog.Logger
	ns         *server.Server // nil for an external server
	nsOpts     *server.Options
	nc         *nats.Conn
	js         jetstream.JetStream
	connClosed chan struct{} // closed by the connection's ClosedHandler
	lockKey    string        // key in openDirs while open, "" if external

	mu     sync.Mutex
	closed bool
	done   chan struct{} // closed by Close: stops subscriptions
	subs   sync.WaitGroup

	rejected atomic.Uint64 // events dropped for failing their tag or seal
}

var _ zhudun.Bus = (*Bus)(nil)

// openDirs holds the store directories of embedded servers open in this
// process. nats-server does not lock its store directory, and two servers on
// the same files would corrupt them; guarding across processes is left to the
// caller's lock on the data directory.
var openDirs sync.Map

// Open starts or connects to NATS and makes sure the stream exists with the
// configured subjects and limits (creating or updating it). Errors are
// EINVALID for a bad Config, ECONFLICT when DataDir is already used by an open
// Bus in this process, and EUNAVAILABLE when the server cannot be reached or
// started.
func Open(ctx context.Context, cfg Config) (*Bus, error) {
	if cfg.StreamName == "" {
		cfg.StreamName = DefaultStreamName
	}
	if cfg.SubjectPrefix == "" {
		cfg.SubjectPrefix = DefaultSubjectPrefix
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.Keys == nil {
		return nil, zhudun.FieldError("Keys", "the bus needs keys to tag and seal events")
	}
	if _, err := cfg.Keys.SignEvent(nil); err != nil {
		return nil, zhudun.FieldError("Keys", "the keyring has no bus key")
	}
	tlsOpts, err := transport(cfg)
	if err != nil {
		return nil, err
	}
	b := &Bus{
		cfg:        cfg,
		log:        cfg.Logger,
		connClosed: make(chan struct{}),
		done:       make(chan struct{}),
	}
	if b.log == nil {
		b.log = slog.Default()
	}
	b.log = b.log.With("component", "natsbus")

	opts := []nats.Option{
		nats.Name("zhudun"),
		nats.ClosedHandler(func(*nats.Conn) { close(b.connClosed) }),
		nats.DrainTimeout(5 * time.Second),
	}
	if cfg.URL == "" {
		if cfg.DataDir == "" {
			return nil, zhudun.FieldError("DataDir", "data directory is required for the embedded bus")
		}
		if err := b.startServer(); err != nil {
			return nil, err
		}
		opts = append(opts, nats.InProcessServer(b.ns))
	} else {
		opts = append(opts, tlsOpts...)
		opts = append(opts,
			nats.MaxReconnects(-1), // keep trying forever: the server or cluster will come back
			nats.ReconnectWait(time.Second),
			// Fail publishes at once while disconnected rather than buffer
			// them: the outbox relay retries, and an error says the truth.
			nats.ReconnectBufSize(-1),
			nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
				if err != nil { // nil when Close drains the connection
					b.log.Warn("disconnected from NATS", "err", err)
				}
			}),
			nats.ReconnectHandler(func(nc *nats.Conn) {
				b.log.Info("reconnected to NATS", "url", nc.ConnectedUrlRedacted())
			}),
		)
	}

	url := cfg.URL
	if url == "" {
		url = "in-process" // ignored by nats.InProcessServer
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		b.stopServer()
		return nil, unavailable("connect to NATS", err)
	}
	b.nc = nc
	if b.js, err = jetstream.New(nc); err != nil {
		b.Close()
		return nil, unavailable("JetStream", err)
	}
	_, err = b.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:       cfg.StreamName,
		Subjects:   []string{cfg.SubjectPrefix + ".>"},
		Retention:  jetstream.LimitsPolicy,
		Discard:    jetstream.DiscardOld,
		Storage:    jetstream.FileStorage,
		MaxAge:     cfg.MaxAge,
		Duplicates: dupWindow,
		Replicas:   1,
	})
	if err != nil {
		b.Close()
		return nil, busError("ensure stream "+cfg.StreamName, err)
	}
	return b, nil
}

// startServer starts the embedded JetStream server without any listener.
func (b *Bus) startServer() error {
	dir, err := filepath.Abs(filepath.Join(b.cfg.DataDir, "nats"))
	if err != nil {
		return zhudun.FieldError("DataDir", "bad data directory: %v", err)
	}
	if _, loaded := openDirs.LoadOrStore(dir, true); loaded {
		return zhudun.Errorf(zhudun.ECONFLICT, "bus data directory %s is already in use", dir)
	}
	b.lockKey = dir
	b.nsOpts = &server.Options{
		ServerName: "zhudun",
		JetStream:  true,
		StoreDir:   dir,
		DontListen: true, // clients connect in-process; no TCP port at all
		NoSigs:     true, // signals belong to the zhudun process, not the bus
	}
	ns, err := server.NewServer(b.nsOpts)
	if err != nil {
		b.stopServer()
		return unavailable("configure embedded NATS", err)
	}
	ns.SetLoggerV2(serverLog{b.log.With("component", "nats-server")}, false, false, false)
	b.ns = ns
	ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		b.stopServer()
		return zhudun.Errorf(zhudun.EUNAVAILABLE, "embedded NATS did not start")
	}
	return nil
}

// stopServer shuts the embedded server down, waits until its store is
// released, and frees the data directory for another Open.
func (b *Bus) stopServer() {
	if b.ns != nil {
		b.ns.Shutdown()
		b.ns.WaitForShutdown()
	}
	if b.lockKey != "" {
		openDirs.Delete(b.lockKey)
	}
}

// subject maps an event to its subject under the configured prefix.
func (b *Bus) subject(e zhudun.Event) string { return b.cfg.SubjectPrefix + "." + e.Type }

// Publish sends e and waits for JetStream to store it. The message ID
// "zhudun-<Source>-<ID>" makes a second publish of the same event within two
// minutes a no-op, while events of different databases sharing a cluster
// (whose ids both start at 1) never collide. Errors are EINVALID for a type that is not a valid subject,
// EUNAVAILABLE when the server cannot be reached or does not answer in time.
func (b *Bus) Publish(ctx context.Context, e zhudun.Event) error {
	if e.Type == "" || strings.ContainsAny(e.Type, " \t\r\n*>") || strings.HasPrefix(e.Type, ".") ||
		strings.HasSuffix(e.Type, ".") || strings.Contains(e.Type, "..") {
		return zhudun.FieldError("type", "event type %q is not a valid subject", e.Type)
	}
	msg, err := b.encode(e)
	if err != nil {
		return err
	}
	_, err = b.js.PublishMsg(ctx, msg,
		jetstream.WithMsgID(msgID(e)),
		jetstream.WithExpectStream(b.cfg.StreamName))
	if err != nil {
		return busError("publish", err)
	}
	return nil
}

// PublishAll publishes events in order without waiting for each one's
// acknowledgement before sending the next (the relay's batches: a
// thousand findings of one engine run would otherwise wait a round trip
// each). It returns how many, from the first, JetStream acknowledged; the
// rest are to be published again (their message ids make a repeat within
// the duplicate window a no-op).
func (b *Bus) PublishAll(ctx context.Context, evs []zhudun.Event) (int, error) {
	futures := make([]jetstream.PubAckFuture, 0, len(evs))
	var sendErr error
	for _, e := range evs {
		if e.Type == "" || strings.ContainsAny(e.Type, " \t\r\n*>") || strings.HasPrefix(e.Type, ".") ||
			strings.HasSuffix(e.Type, ".") || strings.Contains(e.Type, "..") {
			sendErr = zhudun.FieldError("type", "event type %q is not a valid subject", e.Type)
			break
		}
		msg, err := b.encode(e)
		if err != nil {
			sendErr = err
			break
		}
		f, err := b.js.PublishMsgAsync(msg, jetstream.WithMsgID(msgID(e)), jetstream.WithExpectStream(b.cfg.StreamName))
		if err != nil {
			sendErr = busError("publish", err)
			break
		}
		futures = append(futures, f)
	}
	n := 0
	for _, f := range futures {
		select {
		case <-f.Ok():
			n++
			continue
		case err := <-f.Err():
			return n, busError("publish", err)
		case <-ctx.Done():
			return n, busError("publish", ctx.Err())
		case <-time.After(30 * time.Second):
			return n, zhudun.Errorf(zhudun.EUNAVAILABLE, "bus unavailable: no acknowledgement from JetStream")
		}
	}
	return n, sendErr
}

func msgID(e zhudun.Event) string {
	src := e.Source
	if src == "" {
		src = "event"
	}
	return "zhudun-" + src + "-" + strconv.FormatInt(e.ID, 10)
}

// Subscribe delivers events published after the call, in order, to fn on one
// goroutine until ctx ends or the Bus is closed. It returns once the consumer
// exists. The consumer is an ordered, ephemeral JetStream consumer: after a
// reconnect or server restart the client library recreates it from the last
// delivered sequence, so nothing is skipped or repeated. fn is never called
// after ctx is done. Errors are EUNAVAILABLE.
func (b *Bus) Subscribe(ctx context.Context, fn func(zhudun.Event)) error {
	// The stream's last sequence at the time of the call, rather than
	// DeliverNew: if the consumer is recreated before it delivers anything,
	// DeliverNew would skip what was published meanwhile.
	s, err := b.js.Stream(ctx, b.cfg.StreamName)
	if err != nil {
		return unavailable("subscribe", err)
	}
	cons, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{b.cfg.SubjectPrefix + ".>"}, // one filter: 2.9 has no more
		DeliverPolicy:  jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:    s.CachedInfo().State.LastSeq + 1,
	})
	if err != nil {
		return unavailable("subscribe", err)
	}
	it, err := cons.Messages()
	if err != nil {
		return unavailable("subscribe", err)
	}

	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		it.Stop()
		return zhudun.Errorf(zhudun.EUNAVAILABLE, "bus is closed")
	}
	b.subs.Add(2)
	b.mu.Unlock()

	go func() {
		defer b.subs.Done()
		select {
		case <-ctx.Done():
		case <-b.done:
		}
		it.Stop() // makes Next return ErrMsgIteratorClosed, also mid-reconnect
	}()
	go func() {
		defer b.subs.Done()
		for {
			msg, err := it.Next()
			if err != nil {
				if errors.Is(err, jetstream.ErrMsgIteratorClosed) || ctx.Err() != nil {
					return
				}
				if b.nc.IsClosed() {
					return
				}
				// Transient (timeouts while the server restarts); the
				// ordered consumer resets itself on the next call. The pause
				// keeps a persistent error from spinning.
				b.log.Debug("subscription interrupted", "err", err)
				select {
				case <-ctx.Done():
					return
				case <-time.After(100 * time.Millisecond):
				}
				continue
			}
			e, ok := b.decode(msg.Subject(), msg.Headers(), msg.Data())
			if !ok {
				continue
			}
			if ctx.Err() != nil {
				return
			}
			fn(e)
		}
	}()
	return nil
}

// Ping checks that the connection is up and JetStream answers for the stream.
// Errors are EUNAVAILABLE.
func (b *Bus) Ping(ctx context.Context) error {
	if st := b.nc.Status(); st != nats.CONNECTED {
		return zhudun.Errorf(zhudun.EUNAVAILABLE, "bus unavailable: connection %s", st)
	}
	if _, err := b.js.Stream(ctx, b.cfg.StreamName); err != nil {
		return unavailable("ping", err)
	}
	return nil
}

// Close stops the subscriptions and waits for their fn to return, drains the
// connection, and shuts the embedded server down, releasing DataDir. Do not
// call it from inside a subscription's fn. Calling it again returns nil.
func (b *Bus) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	close(b.done)
	b.mu.Unlock()

	b.subs.Wait()
	var err error
	if b.nc != nil {
		if err = b.nc.Drain(); err == nil {
			<-b.connClosed
		} else {
			b.nc.Close()
		}
	}
	b.stopServer()
	return err
}

// busError is unavailable(op, err), except that a JetStream API error other
// than 503 is EINTERNAL: the server answered, and refused.
func busError(op string, err error) error {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && apiErr.Code != 503 {
		return fmt.Errorf("%w: %w", zhudun.Errorf(zhudun.EINTERNAL, "internal error"), err)
	}
	return unavailable(op, err)
}

// unavailable wraps a NATS error as EUNAVAILABLE, keeping the cause for logs:
// zhudun.ErrorCode and ErrorMessage see the *zhudun.Error, Error() shows both.
func unavailable(op string, cause error) error {
	return fmt.Errorf("%w: %w", zhudun.Errorf(zhudun.EUNAVAILABLE, "bus unavailable: %s", op), cause)
}

// serverLog routes the embedded server's log to slog. Its notices are chatty
// start-up banners, so they go to debug.
type serverLog struct{ l *slog.Logger }

func (s serverLog) Noticef(format string, v ...any) { s.log(slog.LevelDebug, format, v) }
func (s serverLog) Debugf(format string, v ...any)  { s.log(slog.LevelDebug, format, v) }
func (s serverLog) Tracef(format string, v ...any)  { s.log(slog.LevelDebug, format, v) }
func (s serverLog) Warnf(format string, v ...any)   { s.log(slog.LevelWarn, format, v) }
func (s serverLog) Errorf(format string, v ...any)  { s.log(slog.LevelError, format, v) }

// Fatalf only logs: the server must not exit the zhudun process.
func (s serverLog) Fatalf(format string, v ...any) { s.log(slog.LevelError, format, v) }

func (s serverLog) log(level slog.Level, format string, v []any) {
	ctx := context.Background()
	if s.l.Enabled(ctx, level) {
		s.l.Log(ctx, level, fmt.Sprintf(format, v...))
	}
}
