package gateway_test

import (
	"testing"

	"github.com/zhudun/zhudun/jt808"
	"github.com/zhudun/zhudun/jt808/gateway"
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
