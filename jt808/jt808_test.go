package jt808

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

// Test vectors. Each frame is copied as hex from a public source named
// beside it; the expected values are the ones that source states (its
// assertions or the JSON it pairs with the frame), written out here by hand.
const (
	// SmallChi/JT808, src/JT808.Protocol.Test/MessageBody/JT808_0x0002Test.cs (Test2): 2013 heartbeat.
	vHeartbeat2013 = "7E00020000012345678900000A817E"
	// Same file (Test3): 2013 heartbeat whose check code is 0x7e, sent escaped as 7D 02.
	vHeartbeatEscaped = "7E00020000040021679287002B7D027E"
	// SmallChi/JT808, .../JT808_0x0001Test.cs (Test2): 2013 terminal general response to a heartbeat.
	vTerminalResponse2013 = "7E0001000501234567890004B303E8000200D37E"
	// SmallChi/JT808, .../JT808_0x0100Test.cs (Test1_1): 2013 registration.
	vRegister2013 = "7E0100002D000123456789000A002800323132333430736D616C6C6368693132333030303030303030304348493132333001D4C1413132333435BA7E"
	// Same file (Test2019_2): 2019 registration, protocol version 1.
	vRegister2019 = "7E010040540100000000000123456789000A00280032303030303030303132333430303030303030303030303030303030303030736D616C6C63686931323330303030303030303030303030303030303030303030303043484931323301D4C1413132333435B27E"
	// SmallChi/JT808, .../JT808_0x0102Test.cs (Test4): 2013 authentication.
	vAuth2013 = "7E010200090123456789003039343536313231313131BE7E"
	// SmallChi/JT808, .../JT808_0x0704Test.cs (Test2): 2013 batch of two locations.
	vBatch2013 = "7E0704005311223344556622B80002000026000000010000000200BA7F0E07E4F11C0028003C0000180715101010010400000064020200370026000000020000000100CB735507E6A32300290036007818071510103001040000006002020042D47E"
	// makeclan/xtream-codec, debug/jt/jt-808-server-spring-boot-starter-debug-ui/src/utils/codec-utils.ts
	// (BuiltinMessage0200): 2019 location with additional items 0x01 (mileage 12) and 0x02 (fuel 100).
	vLocation2019 = "7e02004026010000000001391234432900000000006f0000001601dc9a0707456246007b004200032501292233440202006401040000000c417e"
	// Same file (BuiltinMessage0704): 2019 batch of two locations.
	vBatch2019 = "7e0704403f01000000000139123443290000000200001c000000010000000101d907f2073d336c029a00210059241029213903001c000000010000000101d907f3073d336d03090043005a241029213903f87e"
	// SmallChi/JT808, .../JT808_0x0200Test.cs (Test_Device_AttachInfo1_1): a device's 2013 location that
	// the project reads with its check-code verification off (JT808Serializer1): its check code is wrong.
	vLocationBadCheck = "7E0200003F011111111111047D0100000000000C00C30161A2AA06BE84A000070000008C21082422494401040056AF7302020000030200002504000000002B040000000030011B310110FB0200657E"
)

// Replies the platform sends, against frames their sources expect.
const (
	// SmallChi/JT808, .../JT808_0x8100Test.cs (Test1): 0x8100, answering serial 100, result 0, code "123456".
	vRegisterOK2013 = "7E81000009012345678900000A006400313233343536687E"
	// Same file (Test3): 0x8100 result 4 (no such terminal): no code.
	vRegisterNoTerminal2013 = "7E81000003012345678900000A006404617E"
	// makeclan/xtream-codec, codec-utils.ts (BuiltinMessage8001): 2019 0x8001 answering 0x0200 serial 111.
	vPlatformResponse2019 = "7e8001400501000000000139123443290000006f020000dc7e"
	// Same file (BuiltinMessage8100): 2019 0x8100 answering serial 111 with code "ok..ok..ok".
	vRegisterOK2019 = "7e8100400d01000000000139123443290000006f006f6b2e2e6f6b2e2e6f6bd27e"
)

// unhex reads a vector; spaces group bytes for the reader.
func unhex(tb testing.TB, s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		tb.Fatalf("vector %q: %v", s, err)
	}
	return b
}

// frames splits a whole stream and decodes every frame in it.
func frames(t testing.TB, stream []byte) ([]*Packet, []error) {
	var s Splitter
	var ps []*Packet
	var errs []error
	s.Write(stream, func(f []byte, err error) {
		if err == nil {
			var p *Packet
			p, err = Decode(f)
			if err == nil {
				ps = append(ps, p)
				return
			}
		}
		errs = append(errs, err)
	})
	return ps, errs
}

func one(t *testing.T, s string) *Packet {
	t.Helper()
	ps, errs := frames(t, unhex(t, s))
	if len(ps) != 1 || len(errs) != 0 {
		t.Fatalf("%s: %d packets, errors %v", s, len(ps), errs)
	}
	return ps[0]
}

func TestHeaders(t *testing.T) {
	for _, c := range []struct {
		name, frame string
		msg         uint16
		v2019       bool
		proto       byte
		phone, key  string
		serial      uint16
		bodyLen     int
	}{
		{"heartbeat 2013", vHeartbeat2013, MsgHeartbeat, false, 0, "012345678900", "12345678900", 10, 0},
		{"escaped check code", vHeartbeatEscaped, MsgHeartbeat, false, 0, "040021679287", "40021679287", 43, 0},
		{"terminal response 2013", vTerminalResponse2013, MsgTerminalResponse, false, 0, "012345678900", "12345678900", 1203, 5},
		{"register 2013", vRegister2013, MsgRegister, false, 0, "000123456789", "123456789", 10, 45},
		{"register 2019", vRegister2019, MsgRegister, true, 1, "00000000000123456789", "123456789", 10, 84},
		{"auth 2013", vAuth2013, MsgAuthenticate, false, 0, "012345678900", "12345678900", 12345, 9},
		{"batch 2013", vBatch2013, MsgBatchLocation, false, 0, "112233445566", "112233445566", 8888, 83},
		{"location 2019", vLocation2019, MsgLocation, true, 1, "00000000013912344329", "13912344329", 0, 38},
		{"batch 2019", vBatch2019, MsgBatchLocation, true, 1, "00000000013912344329", "13912344329", 0, 63},
	} {
		p := one(t, c.frame)
		if p.MsgID != c.msg || p.V2019 != c.v2019 || p.ProtoVersion != c.proto || p.Phone() != c.phone || p.PhoneKey() != c.key ||
			p.Serial != c.serial || len(p.Body) != c.bodyLen || p.Subpacket() || p.Encryption != 0 {
			t.Errorf("%s: %#04x v2019=%v proto=%d phone=%s key=%s serial=%d body=%d", c.name, p.MsgID, p.V2019, p.ProtoVersion, p.Phone(), p.PhoneKey(), p.Serial, len(p.Body))
		}
	}
}

func TestRegistration(t *testing.T) {
	r, err := ParseRegistration(one(t, vRegister2013).Body, false)
	plate := []byte("\xd4\xc1A12345") // 粤A12345 in GBK
	if err != nil || r.Province != 40 || r.City != 50 || r.Maker != "12340" || r.Model != "smallchi123000000000" ||
		r.TerminalID != "CHI1230" || r.PlateColor != 1 || !bytes.Equal(r.Plate, plate) {
		t.Errorf("2013: %+v %v", r, err)
	}
	p := one(t, vRegister2019)
	r, err = ParseRegistration(p.Body, p.V2019)
	if err != nil || r.Province != 40 || r.City != 50 || r.Maker != "00000001234" || r.Model != strings.Repeat("0", 19)+"smallchi123" ||
		r.TerminalID != strings.Repeat("0", 24)+"CHI123" || r.PlateColor != 1 || !bytes.Equal(r.Plate, plate) {
		t.Errorf("2019: %+v %v", r, err)
	}
	if _, err := ParseRegistration([]byte{0, 1, 0}, false); !errors.Is(err, ErrBody) {
		t.Errorf("short body: %v", err)
	}
}

func TestAuthentication(t *testing.T) {
	a, err := ParseAuthentication(one(t, vAuth2013).Body, false)
	if err != nil || a.Code != "456121111" {
		t.Errorf("2013: %+v %v", a, err)
	}
	body := append([]byte{6}, "abc123"...)
	body = append(body, "861234567890123"...)
	body = append(body, "V1.2.3\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"...)
	a, err = ParseAuthentication(body, true)
	if err != nil || a.Code != "abc123" || a.IMEI != "861234567890123" || a.Software != "V1.2.3" {
		t.Errorf("2019: %+v %v", a, err)
	}
	if _, err := ParseAuthentication([]byte{9, 'a'}, true); !errors.Is(err, ErrBody) {
		t.Errorf("2019 code longer than the body: %v", err)
	}
}

func TestTerminalResponse(t *testing.T) {
	r, err := ParseGeneralResponse(one(t, vTerminalResponse2013).Body)
	if err != nil || r != (GeneralResponse{Serial: 1000, MsgID: MsgHeartbeat, Result: 0}) {
		t.Errorf("%+v %v", r, err)
	}
}

func TestLocation2019(t *testing.T) {
	l, err := ParseLocation(one(t, vLocation2019).Body)
	if err != nil {
		t.Fatal(err)
	}
	// Status 22 = 0b10110: fixed, south latitude: the source gives the
	// magnitudes (31234567, 121987654); the sign comes from bit 2.
	want := time.Date(2025, 1, 29, 14, 33, 44, 0, time.UTC) // 22:33:44 in UTC+8
	if l.Alarm != 111 || l.Status != 22 || l.Lat != -31.234567 || l.Lon != 121.987654 || l.Altitude != 123 || l.Speed != 6.6 ||
		l.Direction != 3 || !l.Time.Equal(want) || !l.Fixed() || l.Truncated != 0 {
		t.Errorf("%+v", l)
	}
	if len(l.Items) != 2 || l.Items[0].ID != 0x02 || !bytes.Equal(l.Items[0].Value, []byte{0, 100}) ||
		l.Items[1].ID != 0x01 || !bytes.Equal(l.Items[1].Value, []byte{0, 0, 0, 12}) {
		t.Errorf("items %+v", l.Items)
	}
	if got := AlarmNames(l.Alarm); strings.Join(got, ",") != "emergency,overspeed,fatigue,danger_warning,gnss_antenna_cut,gnss_antenna_short" {
		t.Errorf("alarm 111: %v", got) // 111 = 0b1101111: bits 0–3, 5, 6
	}
}

func TestBatch(t *testing.T) {
	b, err := ParseBatch(one(t, vBatch2013).Body)
	if err != nil || b.Type != 0 || len(b.Locations) != 2 {
		t.Fatalf("2013: %+v %v", b, err)
	}
	l0, l1 := b.Locations[0], b.Locations[1]
	if l0.Alarm != 1 || l0.Status != 2 || l0.Lat != 12.222222 || l0.Lon != 132.444444 || l0.Speed != 6 || l0.Direction != 0 ||
		l0.Altitude != 40 || !l0.Time.Equal(time.Date(2018, 7, 15, 2, 10, 10, 0, time.UTC)) || len(l0.Items) != 2 {
		t.Errorf("2013 first: %+v", l0)
	}
	if l1.Alarm != 2 || l1.Status != 1 || l1.Lat != 13.333333 || l1.Lon != 132.555555 || l1.Speed != 5.4 || l1.Direction != 120 ||
		!l1.Time.Equal(time.Date(2018, 7, 15, 2, 10, 30, 0, time.UTC)) || l1.Fixed() || !bytes.Equal(l1.Items[0].Value, []byte{0, 0, 0, 0x60}) {
		t.Errorf("2013 second: %+v", l1)
	}
	b, err = ParseBatch(one(t, vBatch2019).Body)
	if err != nil || len(b.Locations) != 2 {
		t.Fatalf("2019: %+v %v", b, err)
	}
	l0, l1 = b.Locations[0], b.Locations[1]
	if l0.Lat != 31.000562 || l0.Lon != 121.451372 || l0.Altitude != 666 || l0.Speed != 3.3 || l0.Direction != 89 ||
		l1.Lat != 31.000563 || l1.Altitude != 777 || l1.Speed != 6.7 || l1.Direction != 90 ||
		!l1.Time.Equal(time.Date(2024, 10, 29, 13, 39, 3, 0, time.UTC)) {
		t.Errorf("2019: %+v %+v", l0, l1)
	}
	for _, bad := range []string{"", "0002", "000200" + "0005" + "0000000000", "ffff00"} {
		if _, err := ParseBatch(unhex(t, bad)); err == nil {
			t.Errorf("batch %q parsed", bad)
		}
	}
}

func TestBadFrames(t *testing.T) {
	// The device frame with a wrong check code, then frames broken by hand.
	heartbeat := unhex(t, vHeartbeat2013)
	for name, f := range map[string]struct {
		frame []byte
		want  error
	}{
		"bad check code":    {unhex(t, vLocationBadCheck), ErrCheck},
		"flipped body byte": {flip(heartbeat, 8), ErrCheck},
		"bad escape":        {[]byte{Flag, 0x00, 0x02, 0x7d, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Flag}, ErrEscape},
		"escape at the end": {[]byte{Flag, 0x00, 0x02, 0x7d, Flag}, ErrEscape},
		"too short":         {[]byte{Flag, 0x00, 0x02, 0x00, 0x02, Flag}, ErrShort},
		"length disagrees":  {withCheck(unhex(t, "0002000301234567890000 0A")), ErrLength},
		"bcd phone":         {withCheck(unhex(t, "000200000A2345678900000A")), ErrBCD},
		"subpacket index 0": {withCheck(unhex(t, "0200200001234567890000 0A00020000")), ErrSubpack},
		"index past total":  {withCheck(unhex(t, "0200200001234567890000 0A00020003")), ErrSubpack},
		"2019 header cut":   {withCheck(unhex(t, "0002400001000000")), ErrShort},
	} {
		_, errs := frames(t, f.frame)
		if len(errs) != 1 || !errors.Is(errs[0], f.want) {
			t.Errorf("%s: %v, want %v", name, errs, f.want)
		}
	}
}

func flip(f []byte, i int) []byte {
	out := append([]byte(nil), f...)
	out[i] ^= 0x01
	return out
}

// withCheck frames raw header+body bytes with a right check code.
func withCheck(raw []byte) []byte {
	out := append([]byte{Flag}, AppendEscaped(nil, append(raw, CheckCode(raw)))...)
	return append(out, Flag)
}

func TestReplies(t *testing.T) {
	h := Header{MsgID: MsgRegisterResponse, Serial: 10}
	if err := h.SetPhone("12345678900"); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		h    Header
		body []byte
		want string
	}{
		"0x8100 ok 2013":          {h, AppendRegisterResponse(nil, 100, RegisterOK, "123456"), vRegisterOK2013},
		"0x8100 no terminal 2013": {h, AppendRegisterResponse(nil, 100, RegisterNoSuchTerminal, "ignored"), vRegisterNoTerminal2013},
		"0x8001 2019":             {v2019(t, MsgPlatformResponse), AppendGeneralResponse(nil, 111, MsgLocation, ResultOK), vPlatformResponse2019},
		"0x8100 ok 2019":          {v2019(t, MsgRegisterResponse), AppendRegisterResponse(nil, 111, RegisterOK, "ok..ok..ok"), vRegisterOK2019},
	} {
		got, err := AppendFrame(nil, &c.h, c.body)
		if err != nil || !strings.EqualFold(hex.EncodeToString(got), c.want) {
			t.Errorf("%s: %x %v, want %s", name, got, err, c.want)
		}
	}
	r, err := ParseRegisterResponse(one(t, vRegisterOK2019).Body)
	if err != nil || r != (RegisterResponse{Serial: 111, Result: RegisterOK, Code: "ok..ok..ok"}) {
		t.Errorf("parse 0x8100: %+v %v", r, err)
	}
}

func v2019(t *testing.T, id uint16) Header {
	h := Header{MsgID: id, V2019: true, ProtoVersion: 1}
	if err := h.SetPhone("13912344329"); err != nil {
		t.Fatal(err)
	}
	return h
}

// TestEscapingBothWays: a body full of 0x7e and 0x7d goes out escaped (no
// bare flag inside) and comes back whole, in both versions.
func TestEscapingBothWays(t *testing.T) {
	body := []byte{0x7e, 0x7d, 0x01, 0x02, 0x7d, 0x7e, 0x7e, 0x00}
	for _, v := range []bool{false, true} {
		h := Header{MsgID: 0x0900, V2019: v, Serial: 0x7e7d}
		h.SetPhone("13800138000")
		f, err := AppendFrame(nil, &h, body)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.IndexByte(f[1:len(f)-1], Flag) >= 0 {
			t.Fatalf("a bare 0x7e inside %x", f)
		}
		p := one(t, hex.EncodeToString(f))
		if !bytes.Equal(p.Body, body) || p.Serial != 0x7e7d || p.V2019 != v || p.PhoneKey() != "13800138000" {
			t.Errorf("v2019=%v: %+v %x", v, p.Header, p.Body)
		}
	}
	if _, err := AppendFrame(nil, &Header{}, make([]byte, MaxBody+1)); !errors.Is(err, ErrLength) {
		t.Errorf("body past 1023 bytes: %v", err)
	}
}

// TestSplitter: several frames in one write, one frame byte by byte,
// garbage between them, a run without flags past the limit.
func TestSplitter(t *testing.T) {
	a, b := unhex(t, vHeartbeat2013), unhex(t, vLocation2019)
	stream := append(append(append([]byte("garbage"), a...), 0x01, 0x02, 0x03), b...)
	stream = append(stream, a...)
	var got []uint16
	var drops []error
	var s Splitter
	collect := func(f []byte, err error) {
		if err != nil {
			drops = append(drops, err)
			return
		}
		p, err := Decode(f)
		if err != nil {
			drops = append(drops, err)
			return
		}
		got = append(got, p.MsgID)
	}
	s.Write(stream, collect)
	if len(got) != 3 || got[0] != MsgHeartbeat || got[1] != MsgLocation || got[2] != MsgHeartbeat {
		t.Errorf("one write: %x", got)
	}
	if len(drops) != 2 || !errors.Is(drops[0], ErrNotStart) || !errors.Is(drops[1], ErrShort) { // leading garbage; 01 02 03 between two frames
		t.Errorf("one write drops: %v", drops)
	}
	got, drops = nil, nil
	for i := range b {
		s.Write(b[i:i+1], collect)
	}
	if len(got) != 1 || got[0] != MsgLocation || len(drops) != 0 {
		t.Errorf("byte by byte: %x %v", got, drops)
	}
	got, drops = nil, nil
	s = Splitter{Max: 64}
	s.Write(append(append([]byte{Flag}, bytes.Repeat([]byte{1}, 1000)...), a...), collect)
	if len(got) != 1 || len(drops) != 1 || !errors.Is(drops[0], ErrTooLong) || s.Pending() != 0 {
		t.Errorf("overlong run: %x %v pending %d", got, drops, s.Pending())
	}
}

func TestReassembler(t *testing.T) {
	now := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	part := func(id, total, index uint16, body string) *Packet {
		return &Packet{Header: Header{MsgID: id, Total: total, Index: index, Serial: 1}, Body: []byte(body)}
	}
	var r Reassembler
	for _, p := range []*Packet{part(0x0704, 3, 2, "BB"), part(0x0704, 3, 1, "AA")} {
		if _, done, err := r.Add(p, now); done || err != nil {
			t.Fatalf("part %d: %v %v", p.Index, done, err)
		}
	}
	body, done, err := r.Add(part(0x0704, 3, 3, "C"), now)
	if !done || err != nil || string(body) != "AABBC" {
		t.Fatalf("out of order: %q %v %v", body, done, err)
	}
	if n, b := r.Pending(); n != 0 || b != 0 {
		t.Errorf("left pending: %d messages, %d bytes", n, b)
	}
	// Bounds: messages, parts, bytes; a stalled message expires.
	r = Reassembler{MaxPending: 2, MaxParts: 8, MaxBytes: 10, Expiry: time.Minute}
	r.Add(part(1, 2, 1, "x"), now)
	r.Add(part(2, 2, 1, "x"), now)
	if _, _, err := r.Add(part(3, 2, 1, "x"), now); !errors.Is(err, ErrTooMany) {
		t.Errorf("third message: %v", err)
	}
	if _, _, err := r.Add(part(1, 9, 1, "x"), now); !errors.Is(err, ErrSubpack) {
		t.Errorf("nine parts: %v", err)
	}
	if _, _, err := r.Add(part(1, 2, 2, "0123456789"), now); !errors.Is(err, ErrTooMany) {
		t.Errorf("past the bytes: %v", err)
	}
	if _, _, err := r.Add(part(3, 2, 1, "x"), now.Add(2*time.Minute)); err != nil {
		t.Errorf("after expiry: %v", err)
	}
	if n, b := r.Pending(); n != 1 || b != 1 {
		t.Errorf("after expiry: %d messages, %d bytes", n, b)
	}
	if parts := Split(make([]byte, 2500), 0); len(parts) != 3 || len(parts[2]) != 2500-2*MaxBody {
		t.Errorf("split: %d parts", len(parts))
	}
}

func TestRoundTripLocation(t *testing.T) {
	l := Location{Alarm: AlarmEmergency, Status: StatusFixed | StatusACC, Lat: 36.651234, Lon: -117.120987, Altitude: -12, Speed: 42.5,
		Direction: 271, Time: time.Date(2026, 12, 3, 5, 6, 7, 0, time.UTC), Items: []Item{{ID: 0x01, Value: []byte{0, 0, 1, 0}}}}
	got, err := ParseLocation(AppendLocation(nil, &l))
	if err != nil || got.Lat != l.Lat || got.Lon != l.Lon || got.Altitude != -12 || got.Speed != 42.5 || got.Direction != 271 ||
		!got.Time.Equal(l.Time) || got.Status&StatusWest == 0 || len(got.Items) != 1 {
		t.Errorf("%+v %v", got, err)
	}
	// A last item longer than the body: kept apart, the location stands.
	body := append(AppendLocation(nil, &Location{Time: l.Time}), 0xfb, 0x02, 0x00)
	if got, err := ParseLocation(body); err != nil || got.Truncated != 3 || len(got.Items) != 0 {
		t.Errorf("truncated item: %+v %v", got, err)
	}
	bad := AppendLocation(nil, &l)
	bad[23] = 0x13 // month 13
	if _, err := ParseLocation(bad); !errors.Is(err, ErrBody) {
		t.Errorf("month 13: %v", err)
	}
	bad[23] = 0x1a
	if _, err := ParseLocation(bad); !errors.Is(err, ErrBCD) {
		t.Errorf("BCD 1a: %v", err)
	}
}

// BenchmarkDecodeLocation: one 2019 location frame through the splitter,
// the decoder and the location parser, as the gateway does per report.
func BenchmarkDecodeLocation(b *testing.B) {
	f := unhex(b, vLocation2019)
	var s Splitter
	var d Decoder
	b.ReportAllocs()
	b.SetBytes(int64(len(f)))
	for b.Loop() {
		s.Write(f, func(fr []byte, ferr error) {
			if ferr != nil {
				b.Fatal(ferr)
			}
			p, err := d.Decode(fr)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := ParseLocation(p.Body); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkEncodeResponse: one 0x8001 reply into a reused buffer.
func BenchmarkEncodeResponse(b *testing.B) {
	h := Header{MsgID: MsgPlatformResponse, V2019: true, ProtoVersion: 1}
	h.SetPhone("13912344329")
	var buf, body []byte
	b.ReportAllocs()
	for b.Loop() {
		body = AppendGeneralResponse(body[:0], 111, MsgLocation, ResultOK)
		buf, _ = AppendFrame(buf[:0], &h, body)
	}
}
