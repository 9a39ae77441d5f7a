// Package gateway is the JT/T 808 gateway: a TCP server that terminals in
// police cars connect to. It authenticates them (registration 0x0100,
// authentication 0x0102), answers every message that needs it, and turns
// their location reports into unit positions through the same store call
// the HTTP position route makes (stored, streamed as unit.position, not
// audited), their alarm bits into unit alarms. One goroutine per
// connection; buffers, pending sub-packets and connections are bounded.
package gateway

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/jt808"
)

// Store is what the gateway needs of the platform: terminals' credentials,
// unit positions (as POST /units/{id}/positions) and unit alarms.
type Store interface {
	zhudun.TerminalService
	zhudun.UnitAlarmService
	AddPositions(ctx context.Context, id int64, ps []zhudun.Position) (*zhudun.Unit, error)
}

// Config configures a gateway.
type Config struct {
	Store Store
	// OnUnit, if set, receives each unit a position moved, as the HTTP
	// route hands it to the server's dispatch index (serve sets it; a
	// gateway in its own process leaves it nil: the bus brings the
	// unit.position event to the servers).
	OnUnit       func(*zhudun.Unit)
	Logger       *slog.Logger
	IdleTimeout  time.Duration // no byte for this long closes a connection; 0 means 180 s
	WriteTimeout time.Duration // 0 means 10 s
	// AuthTimeout is how long a connection may stay without an
	// authenticated terminal (from connecting, a registration or a
	// logout); 0 means 60 s. Without it anonymous connections sending a
	// byte now and then would hold every slot of MaxConns.
	AuthTimeout time.Duration
	MaxConns    int // connections at once; 0 means 20,000
	// MaxConnsPerAddr bounds the connections from one IP address; 0 means
	// 64. Without it one host re-dialling holds every slot of MaxConns.
	// Terminals behind one NAT (an APN gateway) need it raised.
	MaxConnsPerAddr int
	// RegisterEvery is how often a registration of one terminal phone
	// reaches the store; 0 means a minute. Others in between are answered
	// 0x8100 result 1, so that a flood costs no write (nor audit row) per
	// frame.
	RegisterEvery time.Duration
	Now           func() time.Time
}

// DefaultIdleTimeout is how long a silent connection stays open: three
// default heartbeat intervals (60 s) of JT/T 808.
const DefaultIdleTimeout = 180 * time.Second

// DefaultAuthTimeout is how long a connection may stay unauthenticated: a
// terminal registers and authenticates as soon as it connects.
const DefaultAuthTimeout = 60 * time.Second

// DefaultMaxConnsPerAddr is the default of Config.MaxConnsPerAddr.
const DefaultMaxConnsPerAddr = 64

// DefaultRegisterEvery is the default of Config.RegisterEvery.
const DefaultRegisterEvery = time.Minute

// maxRegistrations is how many registrations one connection may send; the
// next closes it. A terminal registers once, and again only after a
// refusal it can do nothing about.
const maxRegistrations = 3

// maxBatch bounds one store call, as the HTTP route does.
const maxBatch = 1000

// Server is a running gateway.
type Server struct {
	cfg   Config
	log   *slog.Logger
	conns atomic.Int64
	mu    sync.Mutex
	open  map[net.Conn]struct{}
	hosts map[string]int // open connections per IP address (under mu)
	wg    sync.WaitGroup
	regMu sync.Mutex
	regAt map[string]time.Time // phone key: when its last registration reached the store
}

// New returns a gateway over cfg.Store.
func New(cfg Config) *Server {
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	if cfg.AuthTimeout <= 0 {
		cfg.AuthTimeout = DefaultAuthTimeout
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 20000
	}
	if cfg.MaxConnsPerAddr <= 0 {
		cfg.MaxConnsPerAddr = DefaultMaxConnsPerAddr
	}
	if cfg.RegisterEvery <= 0 {
		cfg.RegisterEvery = DefaultRegisterEvery
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{cfg: cfg, log: log.With("component", "jt808"), open: map[net.Conn]struct{}{}, hosts: map[string]int{}, regAt: map[string]time.Time{}}
}

// Conns is the number of open connections.
func (s *Server) Conns() int { return int(s.conns.Load()) }

// Serve accepts terminals on ln until ctx ends, then closes the listener
// and every connection and returns once their goroutines have.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	stop := context.AfterFunc(ctx, func() {
		ln.Close()
		s.mu.Lock()
		for c := range s.open {
			c.Close()
		}
		s.mu.Unlock()
	})
	defer stop()
	defer s.wg.Wait()
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, net.ErrClosed) {
				return err
			}
			// Out of file descriptors and the like: back off, as net/http does.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.log.Warn("jt808 accept", "err", err, "retry_in", delay)
			select {
			case <-time.After(delay):
				continue
			case <-ctx.Done():
				return nil
			}
		}
		delay = 0
		if s.conns.Add(1) > int64(s.cfg.MaxConns) {
			s.conns.Add(-1)
			s.log.Warn("jt808 connection refused: too many connections", "remote", c.RemoteAddr().String(), "max", s.cfg.MaxConns)
			c.Close()
			continue
		}
		host := hostOf(c)
		s.mu.Lock()
		if s.hosts[host] >= s.cfg.MaxConnsPerAddr {
			s.mu.Unlock()
			s.conns.Add(-1)
			s.log.Warn("jt808 connection refused: too many connections from the address", "remote", host, "max", s.cfg.MaxConnsPerAddr)
			c.Close()
			continue
		}
		s.hosts[host]++
		s.open[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.open, c)
				if s.hosts[host]--; s.hosts[host] <= 0 {
					delete(s.hosts, host)
				}
				s.mu.Unlock()
				s.conns.Add(-1)
				c.Close()
			}()
			s.serveConn(ctx, c)
		}()
	}
}

// session is one terminal's connection.
type session struct {
	s       *Server
	c       net.Conn
	ctx     context.Context // the system caller "jt808", from the terminal's address
	log     *slog.Logger
	split   jt808.Splitter
	dec     jt808.Decoder
	re      jt808.Reassembler
	out     []byte
	body    []byte
	serial  uint16 // the platform's serial towards this terminal
	unitID  int64  // set once authenticated
	key     string // the authenticated terminal's phone key
	alarm   uint32
	alarmOK bool      // alarm holds what the store last heard
	authBy  time.Time // while not authenticated: when the connection is closed
	regs    int       // registrations received
	closing bool
}

// hostOf is the IP address of c's peer.
func hostOf(c net.Conn) string {
	remote := c.RemoteAddr().String()
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return remote
	}
	return host
}

// reserveRegistration reports whether a registration of the phone key may
// reach the store now, and if so counts it.
func (s *Server) reserveRegistration(key string, now time.Time) bool {
	s.regMu.Lock()
	defer s.regMu.Unlock()
	if t, ok := s.regAt[key]; ok && now.Sub(t) < s.cfg.RegisterEvery {
		return false
	}
	if len(s.regAt) >= 4096 { // only known phones stay: sweep the old ones
		for k, t := range s.regAt {
			if now.Sub(t) >= s.cfg.RegisterEvery {
				delete(s.regAt, k)
			}
		}
	}
	s.regAt[key] = now
	return true
}

// releaseRegistration forgets a reservation that wrote nothing (no unit
// has the phone), so that unknown phones do not fill the map.
func (s *Server) releaseRegistration(key string, at time.Time) {
	s.regMu.Lock()
	if s.regAt[key].Equal(at) {
		delete(s.regAt, key)
	}
	s.regMu.Unlock()
}

func (s *Server) serveConn(ctx context.Context, c net.Conn) {
	remote := c.RemoteAddr().String()
	host := hostOf(c)
	caller := zhudun.SystemCaller("jt808")
	caller.ClientAddr = host
	ss := &session{s: s, c: c, ctx: zhudun.WithCaller(ctx, caller), log: s.log.With("remote", remote), authBy: s.cfg.Now().Add(s.cfg.AuthTimeout)}
	ss.log.Debug("jt808 connected")
	buf := make([]byte, 4096)
	for !ss.closing {
		deadline := s.cfg.Now().Add(s.cfg.IdleTimeout)
		if ss.unitID == 0 && ss.authBy.Before(deadline) {
			deadline = ss.authBy
		}
		c.SetReadDeadline(deadline)
		n, err := c.Read(buf)
		if n > 0 {
			ss.split.Write(buf[:n], ss.frame)
		}
		if err != nil {
			var ne net.Error
			switch {
			case errors.As(err, &ne) && ne.Timeout() && ss.unitID == 0 && !s.cfg.Now().Before(ss.authBy):
				ss.log.Info("jt808 connection closed: no terminal authenticated in time", "timeout", s.cfg.AuthTimeout)
			case errors.As(err, &ne) && ne.Timeout():
				ss.log.Info("jt808 idle connection closed", "unit", ss.unitID, "idle", s.cfg.IdleTimeout)
			case ctx.Err() != nil:
			default:
				ss.log.Debug("jt808 disconnected", "unit", ss.unitID, "err", err)
			}
			return
		}
	}
}

// frame handles one candidate frame from the splitter.
func (ss *session) frame(f []byte, err error) {
	if ss.closing {
		return
	}
	if err != nil {
		ss.log.Warn("jt808 frame dropped", "reason", err.Error(), "unit", ss.unitID)
		return
	}
	p, err := ss.dec.Decode(f)
	if err != nil {
		// The reason and size only: a frame carries a phone and positions.
		ss.log.Warn("jt808 frame dropped", "reason", err.Error(), "bytes", len(f), "unit", ss.unitID)
		return
	}
	if p.Encryption != 0 { // RSA bodies: not offered by this platform
		ss.general(p, jt808.ResultUnsupported)
		return
	}
	if p.Subpacket() {
		if ss.unitID == 0 || p.PhoneKey() != ss.key {
			// Parts are memory held for the connection: only an
			// authenticated terminal, speaking for itself, has any.
			ss.general(p, jt808.ResultFailure)
			return
		}
		// Each part is answered with its own serial; the whole message
		// is handled once, when its last part comes.
		ss.general(p, jt808.ResultOK)
		body, done, err := ss.re.Add(p, ss.s.cfg.Now())
		if err != nil {
			ss.log.Warn("jt808 sub-packet dropped", "reason", err.Error(), "msg", p.MsgID, "unit", ss.unitID)
			return
		}
		if !done {
			return
		}
		whole := *p
		whole.Body, whole.Total, whole.Index = body, 0, 0
		ss.handle(&whole, false)
		return
	}
	ss.handle(p, true)
}

// handle acts on one whole message; answer is false for a reassembled one
// (its parts were answered).
func (ss *session) handle(p *jt808.Packet, answer bool) {
	general := func(result byte) {
		if answer {
			ss.general(p, result)
		}
	}
	switch p.MsgID {
	case jt808.MsgRegister:
		ss.register(p)
		return
	case jt808.MsgAuthenticate:
		ss.authenticate(p, general)
		return
	case jt808.MsgTerminalResponse:
		return // answers to the platform's commands: nothing sent yet needs one
	}
	if ss.unitID == 0 || p.PhoneKey() != ss.key {
		// Not authenticated, or speaking for another terminal than the
		// one that authenticated on this connection.
		general(jt808.ResultFailure)
		return
	}
	switch p.MsgID {
	case jt808.MsgHeartbeat:
		general(jt808.ResultOK)
	case jt808.MsgLogout:
		general(jt808.ResultOK)
		ss.log.Info("jt808 terminal logged out", "unit", ss.unitID)
		ss.unitID, ss.key = 0, ""
		ss.authBy = ss.s.cfg.Now().Add(ss.s.cfg.AuthTimeout)
	case jt808.MsgLocation:
		l, err := jt808.ParseLocation(p.Body)
		if err != nil {
			ss.log.Warn("jt808 location dropped", "reason", err.Error(), "unit", ss.unitID)
			general(jt808.ResultBadMessage)
			return
		}
		general(ss.locations([]jt808.Location{l}))
	case jt808.MsgBatchLocation:
		b, err := jt808.ParseBatch(p.Body)
		if err != nil {
			ss.log.Warn("jt808 batch dropped", "reason", err.Error(), "unit", ss.unitID)
			general(jt808.ResultBadMessage)
			return
		}
		general(ss.locations(b.Locations))
	default:
		general(jt808.ResultUnsupported)
	}
}

func (ss *session) register(p *jt808.Packet) {
	if ss.regs++; ss.regs > maxRegistrations {
		ss.log.Warn("jt808 connection closed: too many registrations", "max", maxRegistrations)
		ss.closing = true
		return
	}
	r, err := jt808.ParseRegistration(p.Body, p.V2019)
	if err != nil {
		ss.log.Warn("jt808 registration dropped", "reason", err.Error())
		ss.general(p, jt808.ResultBadMessage)
		return
	}
	key, now := p.PhoneKey(), ss.s.cfg.Now()
	result, code := byte(jt808.RegisterOK), ""
	if !ss.s.reserveRegistration(key, now) {
		// Not even a read: a flood of one phone costs nothing past the
		// first per interval.
		result = jt808.RegisterVehicleTaken
		ss.log.Info("jt808 registration refused: the terminal registered less than the interval ago", "every", ss.s.cfg.RegisterEvery)
	} else {
		reg, err := ss.s.cfg.Store.RegisterTerminal(ss.ctx, p.Phone(), zhudun.TerminalDevice{Maker: r.Maker, Model: r.Model, ID: r.TerminalID})
		var ze *zhudun.Error
		switch zhudun.ErrorCode(err) {
		case "":
			code = reg.Code
			ss.log.Info("jt808 terminal registered", "unit", reg.UnitID, "callsign", reg.Callsign)
		case zhudun.ENOTFOUND:
			ss.s.releaseRegistration(key, now)
			result = jt808.RegisterNoSuchTerminal
			ss.log.Info("jt808 registration of a terminal no unit names")
		case zhudun.ECONFLICT:
			if errors.As(err, &ze) && ze.Field == "device" {
				// The store raised security.terminal_takeover with the unit.
				result = jt808.RegisterTerminalTaken
				ss.log.Warn("jt808 registration refused: the terminal is bound to another device")
			} else {
				result = jt808.RegisterNoSuchTerminal
				ss.log.Warn("jt808 registration refused: two units name the terminal")
			}
		default:
			ss.s.releaseRegistration(key, now)
			ss.log.Error("jt808 registration", "err", err)
			return // no answer: the terminal registers again
		}
	}
	// A registration ends what this connection was authenticated as.
	ss.unitID, ss.key, ss.alarmOK = 0, "", false
	ss.authBy = ss.s.cfg.Now().Add(ss.s.cfg.AuthTimeout)
	ss.body = jt808.AppendRegisterResponse(ss.body[:0], p.Serial, result, code)
	ss.send(p, jt808.MsgRegisterResponse, ss.body)
}

func (ss *session) authenticate(p *jt808.Packet, general func(byte)) {
	a, err := jt808.ParseAuthentication(p.Body, p.V2019)
	if err != nil {
		general(jt808.ResultBadMessage)
		return
	}
	id, err := ss.s.cfg.Store.AuthenticateTerminal(ss.ctx, p.Phone(), a.Code)
	switch zhudun.ErrorCode(err) {
	case "":
		ss.unitID, ss.key, ss.alarmOK = id, p.PhoneKey(), false
		ss.log.Info("jt808 terminal authenticated", "unit", id)
		general(jt808.ResultOK)
	case zhudun.EUNAUTHORIZED:
		ss.log.Warn("jt808 authentication refused; connection closed")
		general(jt808.ResultFailure)
		ss.closing = true
	default:
		ss.log.Error("jt808 authentication", "err", err)
		general(jt808.ResultFailure)
	}
}

// locations stores the fixes of a report as unit positions and its alarm
// bits as unit alarms; it returns the result for the 0x8001.
func (ss *session) locations(ls []jt808.Location) byte {
	now := ss.s.cfg.Now()
	ps := make([]zhudun.Position, 0, len(ls))
	for _, l := range ls {
		// Unlocated fixes carry no position; a clock far ahead would be
		// refused with the whole batch, so it is dropped alone.
		if !l.Fixed() || l.Time.IsZero() || l.Time.After(now.Add(time.Minute)) || math.Abs(l.Lat) > 90 || math.Abs(l.Lon) > 180 {
			continue
		}
		ps = append(ps, zhudun.Position{Lon: l.Lon, Lat: l.Lat, TS: l.Time})
	}
	result := byte(jt808.ResultOK)
	for len(ps) > 0 {
		n := min(len(ps), maxBatch)
		u, err := ss.s.cfg.Store.AddPositions(ss.ctx, ss.unitID, ps[:n])
		ps = ps[n:]
		if err != nil {
			ss.log.Error("jt808 positions not stored", "unit", ss.unitID, "err", err)
			if zhudun.ErrorCode(err) == zhudun.EINVALID {
				result = jt808.ResultBadMessage
			} else {
				result = jt808.ResultFailure // the terminal keeps them and sends again
			}
			continue
		}
		if ss.s.cfg.OnUnit != nil {
			ss.s.cfg.OnUnit(u)
		}
	}
	for i := range ls {
		ss.alarmReport(&ls[i])
	}
	return result
}

// alarmReport tells the store of a change in the alarm bits (only then:
// most reports carry none, or the same as the last).
func (ss *session) alarmReport(l *jt808.Location) {
	if ss.alarmOK && l.Alarm == ss.alarm {
		return
	}
	a := zhudun.UnitAlarm{UnitID: ss.unitID, Kinds: jt808.AlarmNames(l.Alarm), At: l.Time}
	if l.Fixed() {
		lon, lat := l.Lon, l.Lat
		a.Lon, a.Lat = &lon, &lat
	}
	if a.At.IsZero() {
		a.At = ss.s.cfg.Now()
	}
	raised, err := ss.s.cfg.Store.ReportUnitAlarm(ss.ctx, a)
	if err != nil {
		ss.log.Error("jt808 alarm not stored", "unit", ss.unitID, "err", err)
		return
	}
	ss.alarm, ss.alarmOK = l.Alarm, true
	if len(raised) > 0 {
		ss.log.Warn("jt808 unit alarm", "unit", ss.unitID, "raised", raised)
	}
}

// general answers p with 0x8001.
func (ss *session) general(p *jt808.Packet, result byte) {
	ss.body = jt808.AppendGeneralResponse(ss.body[:0], p.Serial, p.MsgID, result)
	ss.send(p, jt808.MsgPlatformResponse, ss.body)
}

// send frames a reply in the terminal's version and writes it.
func (ss *session) send(p *jt808.Packet, msgID uint16, body []byte) {
	h := p.Reply(msgID, ss.serial)
	ss.serial++
	var err error
	ss.out, err = jt808.AppendFrame(ss.out[:0], &h, body)
	if err != nil {
		ss.log.Error("jt808 reply", "err", err)
		return
	}
	ss.c.SetWriteDeadline(ss.s.cfg.Now().Add(ss.s.cfg.WriteTimeout))
	if _, err := ss.c.Write(ss.out); err != nil {
		ss.log.Debug("jt808 write", "unit", ss.unitID, "err", err)
		ss.closing = true
	}
}
