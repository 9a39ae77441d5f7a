package gateway_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/jt808"
	"github.com/zhudun/zhudun/jt808/gateway"
	"github.com/zhudun/zhudun/jt808/jt808sim"
)

// TestSubpacketsNeedAuthentication: a connection that has not
// authenticated holds no sub-packets (else 256 KiB each of 20,000 anonymous
// connections, 5 GiB, before any credential): its parts are answered
// result 1 and not kept, and a part speaking for another terminal than
// the authenticated one is refused alike.
func TestSubpacketsNeedAuthentication(t *testing.T) {
	h := newHarness(t, gateway.Config{})
	tm := h.dial("13800138000", true)
	frames, serials, err := tm.Subpackets(jt808.MsgBatchLocation, make([]byte, 2000), 500)
	h.must(err)
	h.must(tm.Write(frames[0]))
	r, err := tm.General(serials[0], jt808.MsgBatchLocation)
	h.expect("a part before authentication", r, err, jt808.ResultFailure)
	h.online(tm)
	h.must(tm.Write(frames[1]))
	r, err = tm.General(serials[1], jt808.MsgBatchLocation)
	h.expect("a part after authentication", r, err, jt808.ResultOK)
}

// TestAuthTimeout: a connection that talks but never authenticates is
// closed after AuthTimeout (it would hold a slot of MaxConns for ever,
// one byte per idle timeout); an authenticated one talking stays.
func TestAuthTimeout(t *testing.T) {
	h := newHarness(t, gateway.Config{AuthTimeout: 300 * time.Millisecond})
	anon := h.dial("13800138000", false)
	term := h.dial("13900139000", false)
	h.online(term)
	closed := false
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); {
		r, err := term.Heartbeat()
		h.expect("authenticated heartbeat", r, err, jt808.ResultOK)
		if _, err := anon.Heartbeat(); errors.Is(err, jt808sim.ErrClosed) {
			closed = true
			break
		}
		time.Sleep(50 * time.Millisecond) // the terminals' heartbeat interval, not a wait for the server
	}
	if !closed {
		t.Fatal("an unauthenticated connection sending heartbeats stayed open")
	}
	r, err := term.Heartbeat()
	h.expect("authenticated heartbeat after", r, err, jt808.ResultOK)
	if !strings.Contains(h.log.String(), "no terminal authenticated in time") {
		t.Error("no log line for the unauthenticated connection")
	}
}

// takeoverAlerts returns the security.terminal_takeover alerts.
func (h *harness) takeoverAlerts() []*zhudun.Alert {
	h.t.Helper()
	as, _, err := h.store.FindAlerts(h.sys, zhudun.AlertFilter{Event: zhudun.SecTerminalTakeover})
	h.must(err)
	return as
}

func (h *harness) auditCount(action string) int {
	h.t.Helper()
	_, n, err := h.store.FindAudit(h.sys, zhudun.AuditFilter{Action: action})
	h.must(err)
	return n
}

// TestTakeoverRefused is the review's finding 1 as an attack: a
// registration with the car's phone from another device (its terminal id
// differs) is answered 0x8100 result 3 without a code; the car's code
// still works, the attacker cannot report, and a security alert names the
// unit (never the phone: the harness checks the log).
func TestTakeoverRefused(t *testing.T) {
	h := newHarness(t, gateway.Config{RegisterEvery: time.Nanosecond})
	real := h.dial("13800138000", false)
	oldCode := h.online(real)
	evil := h.dial("13800138000", false)
	evil.DeviceID = "EVIL1"
	res, code, err := evil.Register()
	h.expect("another device registers the car's phone", res, err, jt808.RegisterTerminalTaken)
	if code != "" {
		t.Fatalf("a code for the other device: %q", code)
	}
	r, err := evil.Authenticate(oldCode + "x")
	h.expect("the other device guesses", r, err, jt808.ResultFailure)
	sos := jt808sim.Fix(116.4, 39.9, time.Now().UTC().Add(-time.Minute).Truncate(time.Second))
	sos.Alarm = jt808.AlarmEmergency
	real2 := h.dial("13800138000", false)
	r, err = real2.Authenticate(oldCode)
	h.expect("the car's code after the attempt", r, err, jt808.ResultOK)
	r, err = real.Heartbeat()
	h.expect("the car's connection after the attempt", r, err, jt808.ResultOK)
	if evs := h.events("unit.alarm"); len(evs) != 0 {
		t.Fatalf("alarm events: %d", len(evs))
	}
	as := h.takeoverAlerts()
	if len(as) != 1 || as[0].Subject != "ST1-C1" || as[0].ClientAddr != "127.0.0.1" || !strings.Contains(string(as[0].Detail), "EVIL1") {
		t.Fatalf("takeover alerts: %+v", as)
	}
	if !strings.Contains(h.log.String(), "bound to another device") {
		t.Error("no log line for the refused registration")
	}
}

// TestRearm: once an administrator cleared and set the unit's terminal
// again (the device was replaced), a new device registers and the old
// device's code is gone.
func TestRearm(t *testing.T) {
	h := newHarness(t, gateway.Config{RegisterEvery: time.Nanosecond})
	old := h.dial("13800138000", false)
	oldCode := h.online(old)
	for _, term := range []string{"", "013800138000"} {
		_, err := h.store.UpdateUnit(h.sys, h.car.ID, zhudun.UnitUpdate{Terminal: &term})
		h.must(err)
	}
	repl := h.dial("13800138000", false)
	repl.DeviceID = "NEW2"
	h.online(repl)
	again := h.dial("13800138000", false)
	r, err := again.Authenticate(oldCode)
	h.expect("the replaced device's code", r, err, jt808.ResultFailure)
	back := h.dial("13800138000", false)
	res, _, err := back.Register()
	h.expect("the replaced device registers", res, err, jt808.RegisterTerminalTaken)
}

// TestRegistrationFlood is the review's finding 2: registrations of one
// phone reach the store once per RegisterEvery (the others answered result
// 1: no audit row, no alert write), and a connection sending more than
// three is closed.
func TestRegistrationFlood(t *testing.T) {
	h := newHarness(t, gateway.Config{})
	tm := h.dial("13800138000", false)
	code := h.online(tm)
	for i := range 2 {
		res, c, err := tm.Register()
		h.expect("a registration within the interval", res, err, jt808.RegisterVehicleTaken)
		if c != "" {
			t.Fatalf("registration %d: a code", i)
		}
	}
	if _, _, err := tm.Register(); !errors.Is(err, jt808sim.ErrClosed) {
		t.Fatalf("the fourth registration on a connection: %v", err)
	}
	for i := range 20 {
		evil := h.dial("13800138000", i%2 == 0)
		evil.DeviceID = "EVIL" + string(rune('A'+i))
		res, _, err := evil.Register()
		h.expect("a flood from new connections", res, err, jt808.RegisterVehicleTaken)
		evil.Close()
	}
	if n := h.auditCount("unit.terminal_register"); n != 1 {
		t.Fatalf("%d registration audit rows, want 1", n)
	}
	if as := h.takeoverAlerts(); len(as) != 0 {
		t.Fatalf("alerts: %+v", as)
	}
	// The van is another phone: not held back by the car's interval.
	h.online(h.dial("13900139000", false))
	real := h.dial("13800138000", false)
	r, err := real.Authenticate(code)
	h.expect("the car's code after the flood", r, err, jt808.ResultOK)
}

// TestPerAddressLimit is the review's finding 3: past MaxConnsPerAddr a
// connection from the same address is closed at once; one closing frees
// its slot.
func TestPerAddressLimit(t *testing.T) {
	h := newHarness(t, gateway.Config{MaxConnsPerAddr: 2})
	a := h.dial("13800138000", false)
	h.online(a)
	b := h.dial("13900139000", false)
	h.online(b)
	c := h.dial("13800138000", false)
	if _, err := c.Recv(); !errors.Is(err, jt808sim.ErrClosed) {
		t.Fatalf("a third connection from the address: %v", err)
	}
	if !strings.Contains(h.log.String(), "too many connections from the address") {
		t.Error("no log line for the refusal")
	}
	b.Close()
	for deadline := time.Now().Add(5 * time.Second); ; {
		d := h.dial("13900139000", false)
		if r, err := d.Heartbeat(); err == nil && r == jt808.ResultFailure { // served (not authenticated)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the freed slot was not given back")
		}
		time.Sleep(20 * time.Millisecond) // polling the server's bookkeeping, with a deadline
	}
	r, err := a.Heartbeat()
	h.expect("the first connection", r, err, jt808.ResultOK)
}
