package gateway_test

import (
	"errors"
	"strings"
	"testing"
	"time"

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
