// Package jt808sim is a simulated JT/T 808 vehicle terminal, for tests
// and load runs: it speaks to a platform over any net.Conn, in either
// version, and reads the platform's replies.
package jt808sim

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/zhudun/zhudun/jt808"
)

// Terminal is one simulated terminal on one connection.
type Terminal struct {
	Conn  net.Conn
	V2019 bool
	Phone string
	// FixedSerial, when set, is sent as the serial of every message, as
	// some terminals do.
	FixedSerial uint16
	Timeout     time.Duration // for each reply; 0 means 5 s
	// DeviceID is the terminal id Register sends; "" means "T1". The
	// manufacturer and model are always ZHDUN and SIM-1.
	DeviceID string
	serial   uint16
	split    jt808.Splitter
	queue    []*jt808.Packet
	buf      [4096]byte
}

// Dial connects a terminal to addr.
func Dial(addr, phone string, v2019 bool) (*Terminal, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &Terminal{Conn: c, V2019: v2019, Phone: phone}, nil
}

// Close closes the connection.
func (t *Terminal) Close() error { return t.Conn.Close() }

// header returns the next header for msgID.
func (t *Terminal) header(msgID uint16) (jt808.Header, error) {
	t.serial++
	h := jt808.Header{MsgID: msgID, V2019: t.V2019, Serial: t.serial}
	if t.V2019 {
		h.ProtoVersion = 1
	}
	if t.FixedSerial != 0 {
		h.Serial = t.FixedSerial
	}
	return h, h.SetPhone(t.Phone)
}

// Frame builds a frame for msgID and body without sending it; it returns
// the frame and its serial.
func (t *Terminal) Frame(msgID uint16, body []byte) ([]byte, uint16, error) {
	h, err := t.header(msgID)
	if err != nil {
		return nil, 0, err
	}
	f, err := jt808.AppendFrame(nil, &h, body)
	return f, h.Serial, err
}

// Subpackets builds the frames of body split into parts of size bytes.
func (t *Terminal) Subpackets(msgID uint16, body []byte, size int) ([][]byte, []uint16, error) {
	parts := jt808.Split(body, size)
	var frames [][]byte
	var serials []uint16
	for i, p := range parts {
		h, err := t.header(msgID)
		if err != nil {
			return nil, nil, err
		}
		h.Total, h.Index = uint16(len(parts)), uint16(i+1)
		f, err := jt808.AppendFrame(nil, &h, p)
		if err != nil {
			return nil, nil, err
		}
		frames, serials = append(frames, f), append(serials, h.Serial)
	}
	return frames, serials, nil
}

// Send sends one message and returns its serial.
func (t *Terminal) Send(msgID uint16, body []byte) (uint16, error) {
	f, serial, err := t.Frame(msgID, body)
	if err != nil {
		return 0, err
	}
	return serial, t.Write(f)
}

// Write sends raw bytes.
func (t *Terminal) Write(b []byte) error {
	t.Conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, err := t.Conn.Write(b)
	return err
}

// ErrClosed: the platform closed the connection.
var ErrClosed = errors.New("jt808sim: connection closed by the platform")

// Recv returns the next message from the platform (ErrClosed when the
// connection ends; a timeout error when nothing comes in time).
func (t *Terminal) Recv() (*jt808.Packet, error) {
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	deadline := time.Now().Add(timeout)
	for len(t.queue) == 0 {
		t.Conn.SetReadDeadline(deadline)
		n, err := t.Conn.Read(t.buf[:])
		var bad error
		t.split.Write(t.buf[:n], func(f []byte, ferr error) {
			if ferr != nil {
				bad = ferr
				return
			}
			p, derr := jt808.Decode(f)
			if derr != nil {
				bad = derr
				return
			}
			t.queue = append(t.queue, p)
		})
		if bad != nil {
			return nil, fmt.Errorf("jt808sim: bad frame from the platform: %w", bad)
		}
		if err != nil && len(t.queue) == 0 {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return nil, err
			}
			return nil, ErrClosed
		}
	}
	p := t.queue[0]
	t.queue = t.queue[1:]
	return p, nil
}

// General reads the next message and checks it is a 0x8001 answering
// serial and msgID; it returns the result.
func (t *Terminal) General(serial, msgID uint16) (byte, error) {
	p, err := t.Recv()
	if err != nil {
		return 0, err
	}
	if err := t.sameTerminal(p); err != nil {
		return 0, err
	}
	if p.MsgID != jt808.MsgPlatformResponse {
		return 0, fmt.Errorf("jt808sim: got %#04x, want 0x8001", p.MsgID)
	}
	r, err := jt808.ParseGeneralResponse(p.Body)
	if err != nil {
		return 0, err
	}
	if r.Serial != serial || r.MsgID != msgID {
		return 0, fmt.Errorf("jt808sim: 0x8001 answers %#04x serial %d, want %#04x serial %d", r.MsgID, r.Serial, msgID, serial)
	}
	return r.Result, nil
}

// sameTerminal checks a reply is framed for this terminal: its version
// and phone.
func (t *Terminal) sameTerminal(p *jt808.Packet) error {
	if p.V2019 != t.V2019 || p.PhoneKey() != jt808.TrimPhone(t.Phone) {
		return fmt.Errorf("jt808sim: reply framed as v2019=%v for another phone", p.V2019)
	}
	return nil
}

// Register sends 0x0100 and returns the 0x8100 result and code.
func (t *Terminal) Register() (byte, string, error) {
	body := make([]byte, 4, 64)
	mk, md, id := 5, 20, 7
	if t.V2019 {
		mk, md, id = 11, 30, 30
	}
	body = append(body, pad("ZHDUN", mk)...)
	body = append(body, pad("SIM-1", md)...)
	dev := t.DeviceID
	if dev == "" {
		dev = "T1"
	}
	body = append(body, pad(dev, id)...)
	body = append(body, 1)
	body = append(body, "\xc2\xb3A12345"...) // 鲁A12345 in GBK
	serial, err := t.Send(jt808.MsgRegister, body)
	if err != nil {
		return 0, "", err
	}
	p, err := t.Recv()
	if err != nil {
		return 0, "", err
	}
	if err := t.sameTerminal(p); err != nil {
		return 0, "", err
	}
	if p.MsgID != jt808.MsgRegisterResponse {
		return 0, "", fmt.Errorf("jt808sim: got %#04x, want 0x8100", p.MsgID)
	}
	r, err := jt808.ParseRegisterResponse(p.Body)
	if err != nil {
		return 0, "", err
	}
	if r.Serial != serial {
		return 0, "", fmt.Errorf("jt808sim: 0x8100 answers serial %d, want %d", r.Serial, serial)
	}
	return r.Result, r.Code, nil
}

func pad(s string, n int) []byte {
	b := make([]byte, n)
	copy(b, s)
	return b
}

// AuthBody is the 0x0102 body for code in the terminal's version.
func (t *Terminal) AuthBody(code string) []byte {
	if !t.V2019 {
		return []byte(code)
	}
	b := append([]byte{byte(len(code))}, code...)
	b = append(b, pad("861234567890123", 15)...)
	return append(b, pad("SIM 1.0", 20)...)
}

// Authenticate sends 0x0102 and returns the 0x8001 result.
func (t *Terminal) Authenticate(code string) (byte, error) {
	serial, err := t.Send(jt808.MsgAuthenticate, t.AuthBody(code))
	if err != nil {
		return 0, err
	}
	return t.General(serial, jt808.MsgAuthenticate)
}

// Heartbeat sends 0x0002 and returns the 0x8001 result.
func (t *Terminal) Heartbeat() (byte, error) {
	serial, err := t.Send(jt808.MsgHeartbeat, nil)
	if err != nil {
		return 0, err
	}
	return t.General(serial, jt808.MsgHeartbeat)
}

// Report sends one 0x0200 and returns the 0x8001 result.
func (t *Terminal) Report(l jt808.Location) (byte, error) {
	serial, err := t.Send(jt808.MsgLocation, jt808.AppendLocation(nil, &l))
	if err != nil {
		return 0, err
	}
	return t.General(serial, jt808.MsgLocation)
}

// Batch sends one 0x0704 and returns the 0x8001 result.
func (t *Terminal) Batch(ls []jt808.Location) (byte, error) {
	serial, err := t.Send(jt808.MsgBatchLocation, jt808.AppendBatch(nil, 0, ls))
	if err != nil {
		return 0, err
	}
	return t.General(serial, jt808.MsgBatchLocation)
}

// Fix is a located fix at lon, lat and time at (UTC), moving north at
// 40 km/h.
func Fix(lon, lat float64, at time.Time) jt808.Location {
	return jt808.Location{Status: jt808.StatusFixed | jt808.StatusACC, Lon: lon, Lat: lat, Speed: 40, Time: at}
}
