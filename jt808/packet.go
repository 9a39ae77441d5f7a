package jt808

import (
	"encoding/binary"
	"strings"
)

// Body attribute bits.
const (
	attrLenMask    = 0x03ff
	attrEncryptRSA = 1 << 10
	attrEncMask    = 0x1c00
	attrSubpacket  = 1 << 13
	attrVersion    = 1 << 14 // set: the 2019 header
)

// Header is a message header of either version.
type Header struct {
	MsgID uint16
	// V2019 is bit 14 of the body attributes: a protocol-version byte
	// and a 10-byte terminal phone follow (2013: a 6-byte phone).
	V2019        bool
	ProtoVersion byte   // 2019 only
	Encryption   uint16 // bits 10–12 of the attributes; 0 = clear
	Serial       uint16
	// Total and Index number a sub-packet (bit 13); both 0 otherwise.
	Total, Index uint16
	phone        [10]byte // BCD, as sent
	phoneLen     int
}

// Subpacket reports whether the message is one part of a longer one.
func (h *Header) Subpacket() bool { return h.Total > 0 }

// Phone is the terminal phone as its BCD digits say (12 digits in 2013,
// 20 in 2019, leading zeros included).
func (h *Header) Phone() string {
	var b strings.Builder
	b.Grow(2 * h.phoneLen)
	for _, x := range h.phone[:h.phoneLen] {
		b.WriteByte('0' + x>>4)
		b.WriteByte('0' + x&0x0f)
	}
	return b.String()
}

// PhoneKey is the phone without its leading zeros: how a terminal is
// matched to a unit whatever the padding of its version.
func (h *Header) PhoneKey() string { return TrimPhone(h.Phone()) }

// TrimPhone removes leading zeros and surrounding spaces from a terminal
// phone as written anywhere (a unit's terminal field, a header).
func TrimPhone(s string) string { return strings.TrimLeft(strings.TrimSpace(s), "0") }

// SetPhone sets the terminal phone from decimal digits, left-padded with
// zeros to the version's width (12 or 20 digits). Non-digits and digits
// past the width are an error.
func (h *Header) SetPhone(digits string) error {
	n := 6
	if h.V2019 {
		n = 10
	}
	if len(digits) > 2*n {
		return ErrBCD
	}
	digits = strings.Repeat("0", 2*n-len(digits)) + digits
	for i := 0; i < n; i++ {
		hi, lo := digits[2*i]-'0', digits[2*i+1]-'0'
		if hi > 9 || lo > 9 {
			return ErrBCD
		}
		h.phone[i] = hi<<4 | lo
	}
	h.phoneLen = n
	return nil
}

// Packet is one decoded frame: its header and its body.
type Packet struct {
	Header
	Body []byte
}

// Decoder decodes frames into one reused buffer: the Packet it returns,
// its Body included, is valid until the next Decode.
type Decoder struct {
	buf []byte
	p   Packet
}

// Decode unescapes a frame (the bytes between its flags), checks its check
// code and body length and splits header from body.
func (d *Decoder) Decode(frame []byte) (*Packet, error) {
	var err error
	d.buf, err = Unescape(d.buf[:0], frame)
	if err != nil {
		return nil, err
	}
	b := d.buf
	if len(b) < 13 { // 2013 header (12) and the check code
		return nil, ErrShort
	}
	if CheckCode(b[:len(b)-1]) != b[len(b)-1] {
		return nil, ErrCheck
	}
	b = b[:len(b)-1]
	p := &d.p
	*p = Packet{}
	p.MsgID = binary.BigEndian.Uint16(b)
	attr := binary.BigEndian.Uint16(b[2:])
	p.V2019 = attr&attrVersion != 0
	p.Encryption = attr & attrEncMask >> 10
	n := 4
	if p.V2019 {
		p.ProtoVersion = b[n]
		n++
		p.phoneLen = 10
	} else {
		p.phoneLen = 6
	}
	if len(b) < n+p.phoneLen+2 {
		return nil, ErrShort
	}
	for i, x := range b[n : n+p.phoneLen] {
		if x>>4 > 9 || x&0x0f > 9 {
			return nil, ErrBCD
		}
		p.phone[i] = x
	}
	n += p.phoneLen
	p.Serial = binary.BigEndian.Uint16(b[n:])
	n += 2
	if attr&attrSubpacket != 0 {
		if len(b) < n+4 {
			return nil, ErrShort
		}
		p.Total, p.Index = binary.BigEndian.Uint16(b[n:]), binary.BigEndian.Uint16(b[n+2:])
		n += 4
		if p.Total == 0 || p.Index == 0 || p.Index > p.Total {
			return nil, ErrSubpack
		}
	}
	if len(b)-n != int(attr&attrLenMask) {
		return nil, ErrLength
	}
	p.Body = b[n:]
	return p, nil
}

// Decode decodes one frame into a Packet of its own (see Decoder for the
// allocation-free form).
func Decode(frame []byte) (*Packet, error) {
	var d Decoder
	p, err := d.Decode(frame)
	if err != nil {
		return nil, err
	}
	out := *p
	out.Body = append([]byte(nil), p.Body...)
	return &out, nil
}

// MaxBody is the longest body one frame carries (10 bits of length).
const MaxBody = attrLenMask

// AppendFrame appends a whole frame — flag, escaped header, body and check
// code, flag — for header h (its version, phone, serial and sub-packet
// numbers) and body to dst. A body longer than MaxBody is an error
// (ErrLength): a caller splits it into sub-packets.
func AppendFrame(dst []byte, h *Header, body []byte) ([]byte, error) {
	if len(body) > MaxBody {
		return dst, ErrLength
	}
	var raw [21]byte
	binary.BigEndian.PutUint16(raw[0:], h.MsgID)
	attr := uint16(len(body)) | h.Encryption<<10&attrEncMask
	if h.V2019 {
		attr |= attrVersion
	}
	if h.Total > 0 {
		attr |= attrSubpacket
	}
	binary.BigEndian.PutUint16(raw[2:], attr)
	n := 4
	pl := 6
	if h.V2019 {
		raw[n] = h.ProtoVersion
		n++
		pl = 10
	}
	if h.phoneLen <= pl { // raw is zeroed: a shorter phone is padded on the left
		copy(raw[n+pl-h.phoneLen:n+pl], h.phone[:h.phoneLen])
	} else { // a 2019 phone in a 2013 header keeps its low digits
		copy(raw[n:n+pl], h.phone[h.phoneLen-pl:h.phoneLen])
	}
	n += pl
	binary.BigEndian.PutUint16(raw[n:], h.Serial)
	n += 2
	if h.Total > 0 {
		binary.BigEndian.PutUint16(raw[n:], h.Total)
		binary.BigEndian.PutUint16(raw[n+2:], h.Index)
		n += 4
	}
	check := CheckCode(raw[:n]) ^ CheckCode(body)
	dst = append(dst, Flag)
	dst = AppendEscaped(dst, raw[:n])
	dst = AppendEscaped(dst, body)
	dst = AppendEscaped(dst, []byte{check})
	return append(dst, Flag), nil
}

// Reply returns the header of a message to the terminal that sent h: its
// version, protocol version and phone, a new id and serial, no sub-packet.
func (h *Header) Reply(msgID, serial uint16) Header {
	return Header{MsgID: msgID, V2019: h.V2019, ProtoVersion: h.ProtoVersion, Serial: serial, phone: h.phone, phoneLen: h.phoneLen}
}
