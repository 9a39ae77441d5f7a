package gateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/internal/syncbuf"
	"github.com/zhudun/zhudun/jt808"
	"github.com/zhudun/zhudun/jt808/gateway"
	"github.com/zhudun/zhudun/jt808/jt808sim"
	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
)

// harness: a store with one station and two units bound to terminals, and
// a gateway on a loopback port.
type harness struct {
	t      *testing.T
	store  *sqlstore.Store
	sys    context.Context
	addr   string
	car    *zhudun.Unit // terminal 013800138000
	van    *zhudun.Unit // terminal 13900139000
	moved  chan *zhudun.Unit
	log    *syncbuf.Buffer
	cancel context.CancelFunc
	done   chan error
}

func newHarness(t *testing.T, cfg gateway.Config) *harness {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "z.db"), sqlstore.Options{Keys: gmcrypto.Generate()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := &harness{t: t, store: st, sys: zhudun.WithCaller(ctx, zhudun.SystemCaller("test")), moved: make(chan *zhudun.Unit, 100), log: &syncbuf.Buffer{}}
	for _, d := range []zhudun.Dept{{Code: "SB1", Name: "历下分局", Kind: zhudun.DeptSubBureau, ParentCode: zhudun.RootDeptCode},
		{Code: "ST1", Name: "一所", Kind: zhudun.DeptStation, ParentCode: "SB1"}} {
		if err := st.CreateDept(h.sys, &d); err != nil {
			t.Fatal(err)
		}
	}
	h.car, err = st.CreateUnit(h.sys, zhudun.NewUnit{Callsign: "ST1-C1", Kind: "car", StationCode: "ST1", Terminal: "013800138000"})
	if err != nil {
		t.Fatal(err)
	}
	h.van, err = st.CreateUnit(h.sys, zhudun.NewUnit{Callsign: "ST1-C2", Kind: "car", StationCode: "ST1", Terminal: "13900139000"})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Store = st
	cfg.OnUnit = func(u *zhudun.Unit) { h.moved <- u }
	cfg.Logger = slog.New(slog.NewTextHandler(h.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.addr = ln.Addr().String()
	gctx, cancel := context.WithCancel(ctx)
	h.cancel, h.done = cancel, make(chan error, 1)
	gw := gateway.New(cfg)
	go func() { h.done <- gw.Serve(gctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-h.done
		// No personal data in the log: neither terminal's phone.
		if l := h.log.String(); strings.Contains(l, "13800138000") || strings.Contains(l, "13900139000") {
			t.Errorf("a terminal phone in the log:\n%s", l)
		}
	})
	return h
}

func (h *harness) dial(phone string, v2019 bool) *jt808sim.Terminal {
	h.t.Helper()
	tm, err := jt808sim.Dial(h.addr, phone, v2019)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { tm.Close() })
	return tm
}

func (h *harness) must(err error) {
	h.t.Helper()
	if err != nil {
		h.t.Fatal(err)
	}
}

// online registers and authenticates a terminal; it returns the code.
func (h *harness) online(tm *jt808sim.Terminal) string {
	h.t.Helper()
	res, code, err := tm.Register()
	h.must(err)
	if res != jt808.RegisterOK || code == "" {
		h.t.Fatalf("register: result %d code %q", res, code)
	}
	if r, err := tm.Authenticate(code); err != nil || r != jt808.ResultOK {
		h.t.Fatalf("authenticate: %d %v", r, err)
	}
	return code
}

func (h *harness) expect(what string, got byte, err error, want byte) {
	h.t.Helper()
	if err != nil || got != want {
		h.t.Fatalf("%s: result %d, err %v; want %d", what, got, err, want)
	}
}

// events returns the outbox events of type typ.
func (h *harness) events(typ string) []zhudun.Event {
	h.t.Helper()
	evs, err := h.store.PendingEvents(h.sys, 10000)
	h.must(err)
	var out []zhudun.Event
	for _, e := range evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func (h *harness) positions(id int64) int {
	h.t.Helper()
	var n int
	h.must(h.store.DB().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM unit_positions WHERE unit_id = ?`, id).Scan(&n))
	return n
}

// TestTerminalSession drives one terminal of each version through the
// whole story: unknown terminal refused, registration, a wrong code (the
// connection closes), the right one after reconnecting, heartbeat, single
// and batch reports stored and streamed as HTTP positions are, an unknown
// message, logout.
func TestTerminalSession(t *testing.T) {
	for _, v2019 := range []bool{false, true} {
		name := map[bool]string{false: "2013", true: "2019"}[v2019]
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, gateway.Config{})
			stranger := h.dial("13700137000", v2019)
			res, code, err := stranger.Register()
			h.expect("unknown terminal registers", res, err, jt808.RegisterNoSuchTerminal)
			if code != "" {
				t.Fatalf("a code for an unknown terminal: %q", code)
			}
			r, err := stranger.Heartbeat()
			h.expect("heartbeat before authenticating", r, err, jt808.ResultFailure)

			tm := h.dial("13800138000", v2019)
			res, code, err = tm.Register()
			h.expect("register", res, err, jt808.RegisterOK)
			r, err = tm.Authenticate(code + "x")
			h.expect("wrong code", r, err, jt808.ResultFailure)
			if _, err := tm.Recv(); !errors.Is(err, jt808sim.ErrClosed) {
				t.Fatalf("after a wrong code the connection stays: %v", err)
			}

			// A new connection with the code from before: accepted.
			tm = h.dial("013800138000", v2019)
			r, err = tm.Authenticate(code)
			h.expect("authenticate after reconnecting", r, err, jt808.ResultOK)
			r, err = tm.Heartbeat()
			h.expect("heartbeat", r, err, jt808.ResultOK)

			at := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
			r, err = tm.Report(jt808sim.Fix(117.001234, 36.651234, at))
			h.expect("location", r, err, jt808.ResultOK)
			u := <-h.moved
			if u.ID != h.car.ID || *u.Lon != 117.001234 || *u.Lat != 36.651234 || !u.PositionAt.Equal(at) {
				t.Fatalf("unit after the report: %+v", u)
			}
			stored, err := h.store.FindUnitByID(h.sys, h.car.ID)
			h.must(err)
			if *stored.Lon != 117.001234 || !stored.PositionAt.Equal(at) {
				t.Fatalf("stored unit: %+v", stored)
			}
			evs := h.events("unit.position")
			if len(evs) != 1 || evs[0].Perm != zhudun.PermUnitRead || evs[0].DeptPath != stored.DeptPath {
				t.Fatalf("unit.position events: %+v", evs)
			}
			var ev zhudun.Unit
			h.must(json.Unmarshal(evs[0].Data, &ev))
			if ev.ID != h.car.ID || *ev.Lon != 117.001234 {
				t.Fatalf("event data: %s", evs[0].Data)
			}

			// A batch: two fixes and one without a fix (not stored).
			noFix := jt808sim.Fix(0, 0, at)
			noFix.Status = 0
			r, err = tm.Batch([]jt808.Location{jt808sim.Fix(117.002, 36.652, at.Add(10*time.Second)), noFix, jt808sim.Fix(117.003, 36.653, at.Add(20*time.Second))})
			h.expect("batch", r, err, jt808.ResultOK)
			if u := <-h.moved; *u.Lon != 117.003 || h.positions(h.car.ID) != 3 {
				t.Fatalf("after the batch: %+v, %d positions", u, h.positions(h.car.ID))
			}

			serial, err := tm.Send(0x0900, []byte{0x41, 1, 2, 3})
			h.must(err)
			r, err = tm.General(serial, 0x0900)
			h.expect("unknown message", r, err, jt808.ResultUnsupported)

			// Positions are telemetry: not audited.
			rows, _, err := h.store.FindAudit(h.sys, zhudun.AuditFilter{Action: "unit."})
			h.must(err)
			for _, a := range rows {
				if a.Action != "unit.create" && a.Action != "unit.terminal_register" {
					t.Errorf("audited: %s", a.Action)
				}
			}
			r, err = tm.Heartbeat()
			h.expect("heartbeat", r, err, jt808.ResultOK)
			serial, err = tm.Send(jt808.MsgLogout, nil)
			h.must(err)
			r, err = tm.General(serial, jt808.MsgLogout)
			h.expect("logout", r, err, jt808.ResultOK)
			r, err = tm.Heartbeat()
			h.expect("heartbeat after logout", r, err, jt808.ResultFailure)
		})
	}
}

// TestReRegistration: registering again answers result 0 with a new code;
// the old one is refused from then on, the new one works.
func TestReRegistration(t *testing.T) {
	h := newHarness(t, gateway.Config{RegisterEvery: time.Nanosecond})
	tm := h.dial("13900139000", true)
	old := h.online(tm)
	res, code, err := tm.Register()
	h.expect("re-register", res, err, jt808.RegisterOK)
	if code == old || code == "" {
		t.Fatalf("new code %q, old %q", code, old)
	}
	tm = h.dial("13900139000", true)
	r, err := tm.Authenticate(old)
	h.expect("old code", r, err, jt808.ResultFailure)
	tm = h.dial("13900139000", true)
	r, err = tm.Authenticate(code)
	h.expect("new code", r, err, jt808.ResultOK)
	// This connection speaks for the van only: a frame with the car's
	// phone is refused.
	other := &jt808sim.Terminal{Conn: tm.Conn, V2019: true, Phone: "13800138000"}
	serial, err := other.Send(jt808.MsgHeartbeat, nil)
	h.must(err)
	r, err = other.General(serial, jt808.MsgHeartbeat)
	h.expect("another terminal's frame on this connection", r, err, jt808.ResultFailure)
}

// TestFraming: escaped bytes in a body, several frames in one write, one
// frame byte by byte, garbage and a bad check code between them: every
// good frame answered, the bad ones dropped with a log line, the
// connection alive.
func TestFraming(t *testing.T) {
	h := newHarness(t, gateway.Config{})
	tm := h.dial("13800138000", false)
	h.online(tm)
	at := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
	// Latitude 36.077181 is 0x02267e7d: both special bytes in the body.
	fix := jt808sim.Fix(117.0, 36.077181, at)
	f1, s1, err := tm.Frame(jt808.MsgLocation, jt808.AppendLocation(nil, &fix))
	h.must(err)
	if !strings.Contains(string(f1), "\x7d\x02\x7d\x01") {
		t.Fatalf("the frame does not escape 7e 7d: %x", f1)
	}
	f2, s2, err := tm.Frame(jt808.MsgHeartbeat, nil)
	h.must(err)
	bad, _, err := tm.Frame(jt808.MsgHeartbeat, nil)
	h.must(err)
	bad[len(bad)-2] ^= 0xff // the check code
	stream := append(append(append(append([]byte("\x00garbage\x7e\x01\x02"), f1...), bad...), "more garbage"...), f2...)
	h.must(tm.Write(stream))
	r, err := tm.General(s1, jt808.MsgLocation)
	h.expect("location in a mixed write", r, err, jt808.ResultOK)
	r, err = tm.General(s2, jt808.MsgHeartbeat)
	h.expect("heartbeat in a mixed write", r, err, jt808.ResultOK)
	if u := <-h.moved; *u.Lat != 36.077181 {
		t.Fatalf("escaped latitude: %v", *u.Lat)
	}
	f3, s3, err := tm.Frame(jt808.MsgHeartbeat, nil)
	h.must(err)
	for i := range f3 {
		h.must(tm.Write(f3[i : i+1]))
	}
	r, err = tm.General(s3, jt808.MsgHeartbeat)
	h.expect("heartbeat byte by byte", r, err, jt808.ResultOK)
	// 3 KiB without a flag: dropped whole, then the connection goes on.
	h.must(tm.Write(append(append([]byte{0x7e}, make([]byte, 3000)...), 0x7e)))
	r, err = tm.Heartbeat()
	h.expect("heartbeat after an overlong frame", r, err, jt808.ResultOK)
	log := h.log.String()
	for _, reason := range []string{jt808.ErrCheck.Error(), jt808.ErrTooLong.Error(), jt808.ErrShort.Error()} {
		if !strings.Contains(log, "jt808 frame dropped") || !strings.Contains(log, reason) {
			t.Errorf("no log line for %q:\n%s", reason, log)
		}
	}
}

// TestSubpackets: a batch sent in three parts by a terminal whose serial
// is always 1: each part answered 0x8001 result 0 with its serial, the
// positions stored once the last part came.
func TestSubpackets(t *testing.T) {
	h := newHarness(t, gateway.Config{})
	tm := h.dial("13800138000", true)
	h.online(tm)
	tm.FixedSerial = 1
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	var ls []jt808.Location
	for i := range 40 {
		ls = append(ls, jt808sim.Fix(117+float64(i)/1000, 36.6, at.Add(time.Duration(i)*time.Second)))
	}
	frames, serials, err := tm.Subpackets(jt808.MsgBatchLocation, jt808.AppendBatch(nil, 1, ls), 500)
	h.must(err)
	if len(frames) != 3 {
		t.Fatalf("%d parts", len(frames))
	}
	for i, f := range frames {
		h.must(tm.Write(f))
		r, err := tm.General(serials[i], jt808.MsgBatchLocation)
		h.expect("part", r, err, jt808.ResultOK)
		if serials[i] != 1 {
			t.Fatalf("serial %d", serials[i])
		}
		if n := h.positions(h.car.ID); i < 2 && n != 0 {
			t.Fatalf("%d positions stored before the last part", n)
		}
	}
	u := <-h.moved
	if h.positions(h.car.ID) != 40 || *u.Lon != 117.039 {
		t.Fatalf("after the parts: %d positions, unit at %v", h.positions(h.car.ID), *u.Lon)
	}
	// The same serial again is served, not taken for a repeat.
	r, err := tm.Heartbeat()
	h.expect("heartbeat with serial 1", r, err, jt808.ResultOK)
	r, err = tm.Heartbeat()
	h.expect("heartbeat with serial 1 again", r, err, jt808.ResultOK)
}

// TestEmergencyAlarm: the emergency bit raises one unit.alarm event for
// the unit's station (and so its dispatchers) while it is held, and not
// again when it toggles within zhudun.AlarmRepeatInterval.
func TestEmergencyAlarm(t *testing.T) {
	h := newHarness(t, gateway.Config{})
	tm := h.dial("13800138000", false)
	h.online(tm)
	at := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
	sos := jt808sim.Fix(117.01, 36.61, at)
	sos.Alarm = jt808.AlarmEmergency
	for i := range 3 {
		r, err := tm.Report(sos)
		h.expect("emergency report", r, err, jt808.ResultOK)
		sos.Time = sos.Time.Add(time.Second)
		if i == 0 {
			if evs := h.events("unit.alarm"); len(evs) != 1 {
				t.Fatalf("%d alarm events after the first press", len(evs))
			}
		}
	}
	// The review's finding 4: the bit toggling set/clear (20 times) is
	// announced no more: once per zhudun.AlarmRepeatInterval per unit
	// (the interval running out: storetest UnitAlarms).
	calm := jt808sim.Fix(117.01, 36.61, at.Add(5*time.Second))
	for range 20 {
		r, err := tm.Report(calm)
		h.expect("calm report", r, err, jt808.ResultOK)
		r, err = tm.Report(sos)
		h.expect("pressed again", r, err, jt808.ResultOK)
	}
	evs := h.events("unit.alarm")
	if len(evs) != 1 {
		t.Fatalf("%d alarm events, want 1", len(evs))
	}
	var a struct {
		UnitID    int64    `json:"unit_id"`
		Callsign  string   `json:"callsign"`
		Emergency bool     `json:"emergency"`
		Raised    []string `json:"raised"`
		Lon       float64  `json:"lon"`
	}
	h.must(json.Unmarshal(evs[0].Data, &a))
	if a.UnitID != h.car.ID || a.Callsign != "ST1-C1" || !a.Emergency || a.Lon != 117.01 || evs[0].DeptPath != h.car.DeptPath || evs[0].Perm != zhudun.PermUnitRead {
		t.Fatalf("alarm event %+v on %s", a, evs[0].DeptPath)
	}
}

// TestIdleTimeout: a silent connection is closed after the timeout; one
// that keeps talking stays.
func TestIdleTimeout(t *testing.T) {
	h := newHarness(t, gateway.Config{IdleTimeout: 300 * time.Millisecond})
	quiet := h.dial("13800138000", false)
	h.online(quiet)
	talk := h.dial("13900139000", false)
	h.online(talk)
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		r, err := talk.Heartbeat()
		h.expect("heartbeat", r, err, jt808.ResultOK)
		time.Sleep(100 * time.Millisecond) // the terminal's heartbeat interval, not a wait for the server
	}
	quiet.Timeout = 3 * time.Second
	if _, err := quiet.Recv(); !errors.Is(err, jt808sim.ErrClosed) {
		t.Fatalf("the silent connection: %v", err)
	}
	if !strings.Contains(h.log.String(), "jt808 idle connection closed") {
		t.Error("no log line for the idle connection")
	}
}

// TestLimitsAndShutdown: past MaxConns a connection is closed at once;
// cancelling the context closes the rest and Serve returns.
func TestLimitsAndShutdown(t *testing.T) {
	h := newHarness(t, gateway.Config{MaxConns: 1})
	first := h.dial("13800138000", false)
	h.online(first)
	second := h.dial("13900139000", false)
	if _, err := second.Recv(); !errors.Is(err, jt808sim.ErrClosed) {
		t.Fatalf("a connection past the limit: %v", err)
	}
	h.cancel()
	select {
	case err := <-h.done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
		h.done <- nil // for the cleanup
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not return after cancel")
	}
	if _, err := first.Recv(); !errors.Is(err, jt808sim.ErrClosed) {
		t.Fatalf("a connection after shutdown: %v", err)
	}
}
