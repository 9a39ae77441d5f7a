// Package jt808 is the JT/T 808 protocol (2013 and 2019) of vehicle
// positioning terminals: framing (0x7e delimiters, 0x7d escaping, XOR check
// code), the message header of both versions, the messages a positioning
// platform answers and sub-packet reassembly. It has no network code: the
// gateway in jt808/gateway reads bytes and hands them here.
package jt808

import (
	"bytes"
	"errors"
)

// Framing bytes.
const (
	Flag   = 0x7e // starts and ends every frame
	Escape = 0x7d // 0x7d 0x01 stands for 0x7d, 0x7d 0x02 for 0x7e
)

// MaxFrame is the longest escaped frame content (between the flags) the
// Splitter keeps: the longest header (21 bytes), the longest body the length
// field can say (1023) and the check code, every byte escaped.
const MaxFrame = 2 * (21 + 1023 + 1)

// Errors of framing and decoding. A frame failing any of them is dropped;
// the stream goes on with the next flag.
var (
	ErrTooLong  = errors.New("jt808: frame longer than the limit")
	ErrEscape   = errors.New("jt808: bad escape sequence")
	ErrCheck    = errors.New("jt808: check code mismatch")
	ErrShort    = errors.New("jt808: frame shorter than its header")
	ErrLength   = errors.New("jt808: body length differs from the header's")
	ErrBCD      = errors.New("jt808: bad BCD digit")
	ErrBody     = errors.New("jt808: malformed message body")
	ErrSubpack  = errors.New("jt808: bad sub-packet numbering")
	ErrTooMany  = errors.New("jt808: too many pending sub-packets")
	ErrNotStart = errors.New("jt808: bytes before the first flag")
)

// Splitter cuts a byte stream into frames. Every 0x7e is a delimiter: the
// bytes between two of them are one candidate frame, so a frame that follows
// garbage (or a dropped frame) is still found, whatever the garbage held.
// Several frames in one read and one frame over several reads both work.
// The buffer never grows past Max: a longer run without a flag is dropped
// whole and reported once.
type Splitter struct {
	Max      int // 0 means MaxFrame
	buf      []byte
	started  bool // a flag has been seen
	overflow bool // the current run passed Max
	garbage  bool // bytes came before the first flag
}

// Write feeds p and calls fn for each complete run between flags: with
// err nil for a candidate frame (escaped, flags removed; valid only during
// the call), or with ErrTooLong / ErrNotStart for what was dropped.
func (s *Splitter) Write(p []byte, fn func(frame []byte, err error)) {
	max := s.Max
	if max <= 0 {
		max = MaxFrame
	}
	for len(p) > 0 {
		i := bytes.IndexByte(p, Flag)
		if i < 0 {
			s.add(p, max)
			return
		}
		s.add(p[:i], max)
		switch {
		case !s.started:
			if s.garbage {
				fn(nil, ErrNotStart)
			}
		case s.overflow:
			fn(nil, ErrTooLong)
		case len(s.buf) > 0:
			fn(s.buf, nil)
		}
		s.buf, s.started, s.overflow, s.garbage = s.buf[:0], true, false, false
		p = p[i+1:]
	}
}

// Pending is the number of bytes held for an unfinished frame.
func (s *Splitter) Pending() int { return len(s.buf) }

func (s *Splitter) add(b []byte, max int) {
	if len(b) == 0 {
		return
	}
	if !s.started {
		s.garbage = true
		return
	}
	if s.overflow {
		return
	}
	if len(s.buf)+len(b) > max {
		s.overflow, s.buf = true, s.buf[:0]
		return
	}
	s.buf = append(s.buf, b...)
}

// Unescape appends the unescaped form of src (a frame without its flags)
// to dst.
func Unescape(dst, src []byte) ([]byte, error) {
	for len(src) > 0 {
		i := bytes.IndexByte(src, Escape)
		if i < 0 {
			return append(dst, src...), nil
		}
		dst = append(dst, src[:i]...)
		if i+1 >= len(src) {
			return dst, ErrEscape
		}
		switch src[i+1] {
		case 0x01:
			dst = append(dst, Escape)
		case 0x02:
			dst = append(dst, Flag)
		default:
			return dst, ErrEscape
		}
		src = src[i+2:]
	}
	return dst, nil
}

// AppendEscaped appends src to dst with 0x7e and 0x7d escaped.
func AppendEscaped(dst, src []byte) []byte {
	for _, b := range src {
		switch b {
		case Flag:
			dst = append(dst, Escape, 0x02)
		case Escape:
			dst = append(dst, Escape, 0x01)
		default:
			dst = append(dst, b)
		}
	}
	return dst
}

// CheckCode is the XOR of every byte of the header and body.
func CheckCode(b []byte) byte {
	var c byte
	for _, x := range b {
		c ^= x
	}
	return c
}
