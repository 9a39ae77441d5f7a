package jt808

import (
	"bytes"
	"testing"
	"time"
)

// FuzzDecode feeds random and mutated bytes to the splitter, the decoder
// and every body parser (no panic, bounded buffers), then hides two valid
// frames in the same bytes, split at places the input chooses: both must
// still come out, in order, whatever surrounds them. Seeds in
// testdata/fuzz/FuzzDecode are the cited vectors and broken forms of them.
func FuzzDecode(f *testing.F) {
	for _, v := range []string{vHeartbeat2013, vHeartbeatEscaped, vRegister2019, vAuth2013, vBatch2013, vLocation2019, vLocationBadCheck} {
		f.Add(unhex(f, v), uint8(7))
	}
	f.Add([]byte{Flag, Flag, Escape, Flag}, uint8(1))
	heartbeat, location := unhex(f, vHeartbeat2013), unhex(f, vLocation2019)
	f.Fuzz(func(t *testing.T, data []byte, cut uint8) {
		var s Splitter
		var d Decoder
		var r Reassembler
		parse := func(fr []byte, err error) {
			if err != nil {
				return
			}
			if len(fr) > MaxFrame {
				t.Fatalf("frame of %d bytes past the limit", len(fr))
			}
			p, err := d.Decode(fr)
			if err != nil {
				return
			}
			if p.Subpacket() {
				r.Add(p, zeroTime)
			}
			ParseRegistration(p.Body, p.V2019)
			ParseAuthentication(p.Body, p.V2019)
			ParseGeneralResponse(p.Body)
			ParseLocation(p.Body)
			ParseBatch(p.Body)
		}
		s.Write(data, parse)
		if s.Pending() > MaxFrame {
			t.Fatalf("splitter holds %d bytes", s.Pending())
		}
		if _, n := r.Pending(); n > 256<<10 {
			t.Fatalf("reassembler holds %d bytes", n)
		}

		// The mixed stream: data, a heartbeat, data, a location, data.
		stream := append(append(append(append(append([]byte(nil), data...), heartbeat...), data...), location...), data...)
		var got [][]byte
		var s2 Splitter
		step := int(cut%16) + 1
		for i := 0; i < len(stream); i += step {
			s2.Write(stream[i:min(i+step, len(stream))], func(fr []byte, err error) {
				if err == nil {
					if p, err := Decode(fr); err == nil {
						got = append(got, append([]byte{byte(p.MsgID >> 8), byte(p.MsgID)}, p.Body...))
					}
				}
			})
		}
		want := [][]byte{{0x00, 0x02}, append([]byte{0x02, 0x00}, unhexBody(t, location)...)}
		j := 0
		for _, g := range got {
			if j < len(want) && bytes.Equal(g, want[j]) {
				j++
			}
		}
		if j != len(want) {
			t.Fatalf("valid frames in the stream: found %d of %d (%d decoded)", j, len(want), len(got))
		}
	})
}

func unhexBody(t *testing.T, frame []byte) []byte {
	p, err := Decode(frame[1 : len(frame)-1])
	if err != nil {
		t.Fatal(err)
	}
	return p.Body
}

var zeroTime = time.Time{}
