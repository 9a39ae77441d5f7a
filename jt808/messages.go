package jt808

import (
	"bytes"
	"encoding/binary"
	"time"
)

// Message ids the platform handles.
const (
	MsgTerminalResponse = 0x0001 // terminal general response
	MsgHeartbeat        = 0x0002
	MsgLogout           = 0x0003
	MsgRegister         = 0x0100
	MsgAuthenticate     = 0x0102
	MsgLocation         = 0x0200
	MsgBatchLocation    = 0x0704
	MsgPlatformResponse = 0x8001 // platform general response
	MsgRegisterResponse = 0x8100
)

// Results of the platform general response (0x8001).
const (
	ResultOK          = 0
	ResultFailure     = 1
	ResultBadMessage  = 2
	ResultUnsupported = 3
	ResultAlarmAck    = 4
)

// Results of the registration response (0x8100).
const (
	RegisterOK             = 0
	RegisterVehicleTaken   = 1
	RegisterNoSuchVehicle  = 2
	RegisterTerminalTaken  = 3
	RegisterNoSuchTerminal = 4
)

// Registration is the body of 0x0100. Text fields are as sent (ASCII in
// practice, NUL padding removed); the plate is GBK, kept as bytes.
type Registration struct {
	Province, City uint16
	Maker          string
	Model          string
	TerminalID     string
	PlateColor     byte
	Plate          []byte
}

// ParseRegistration reads a 0x0100 body: 2019 widths (maker 11, model 30,
// terminal id 30) or 2013 widths (5, 20, 7). A body too short for even the
// fixed part is ErrBody; 2011 terminals' shorter model field is read as far
// as it goes.
func ParseRegistration(body []byte, v2019 bool) (Registration, error) {
	var r Registration
	mk, md, id := 5, 20, 7
	if v2019 {
		mk, md, id = 11, 30, 30
	}
	if len(body) < 4+mk {
		return r, ErrBody
	}
	r.Province, r.City = binary.BigEndian.Uint16(body), binary.BigEndian.Uint16(body[2:])
	b := body[4:]
	take := func(n int) string {
		n = min(n, len(b))
		s := string(bytes.TrimRight(b[:n], "\x00 "))
		b = b[n:]
		return s
	}
	r.Maker, r.Model, r.TerminalID = take(mk), take(md), take(id)
	if len(b) > 0 {
		r.PlateColor = b[0]
		r.Plate = bytes.TrimRight(b[1:], "\x00")
	}
	return r, nil
}

// Authentication is the body of 0x0102: the code, and in 2019 the IMEI
// and software version.
type Authentication struct {
	Code     string
	IMEI     string
	Software string
}

// ParseAuthentication reads a 0x0102 body: the whole body is the code in
// 2013; in 2019 a length byte precedes it, then IMEI (15) and software
// version (20).
func ParseAuthentication(body []byte, v2019 bool) (Authentication, error) {
	var a Authentication
	if !v2019 {
		a.Code = string(bytes.TrimRight(body, "\x00"))
		return a, nil
	}
	if len(body) < 1 || len(body) < 1+int(body[0]) {
		return a, ErrBody
	}
	n := int(body[0])
	a.Code = string(body[1 : 1+n])
	rest := body[1+n:]
	if len(rest) >= 15 {
		a.IMEI, rest = string(bytes.TrimRight(rest[:15], "\x00 ")), rest[15:]
	}
	if len(rest) > 0 {
		a.Software = string(bytes.TrimRight(rest[:min(20, len(rest))], "\x00 "))
	}
	return a, nil
}

// GeneralResponse is the body of 0x0001 and 0x8001: the serial and id of
// the message answered, and a result.
type GeneralResponse struct {
	Serial uint16
	MsgID  uint16
	Result byte
}

// ParseGeneralResponse reads a 0x0001 or 0x8001 body.
func ParseGeneralResponse(body []byte) (GeneralResponse, error) {
	if len(body) < 5 {
		return GeneralResponse{}, ErrBody
	}
	return GeneralResponse{binary.BigEndian.Uint16(body), binary.BigEndian.Uint16(body[2:]), body[4]}, nil
}

// AppendGeneralResponse appends a 0x8001 (or 0x0001) body.
func AppendGeneralResponse(dst []byte, serial, msgID uint16, result byte) []byte {
	dst = binary.BigEndian.AppendUint16(dst, serial)
	dst = binary.BigEndian.AppendUint16(dst, msgID)
	return append(dst, result)
}

// RegisterResponse is the body of 0x8100.
type RegisterResponse struct {
	Serial uint16
	Result byte
	Code   string // with RegisterOK only
}

// AppendRegisterResponse appends a 0x8100 body; the code goes only with
// RegisterOK, without a terminating NUL (the body's length bounds it).
func AppendRegisterResponse(dst []byte, serial uint16, result byte, code string) []byte {
	dst = binary.BigEndian.AppendUint16(dst, serial)
	dst = append(dst, result)
	if result == RegisterOK {
		dst = append(dst, code...)
	}
	return dst
}

// ParseRegisterResponse reads a 0x8100 body (for terminals and tests).
func ParseRegisterResponse(body []byte) (RegisterResponse, error) {
	if len(body) < 3 {
		return RegisterResponse{}, ErrBody
	}
	r := RegisterResponse{Serial: binary.BigEndian.Uint16(body), Result: body[2]}
	if r.Result == RegisterOK {
		r.Code = string(bytes.TrimRight(body[3:], "\x00"))
	}
	return r, nil
}

// Status bits of a location.
const (
	StatusACC      = 1 << 0
	StatusFixed    = 1 << 1 // positioned: without it the coordinates mean nothing
	StatusSouth    = 1 << 2
	StatusWest     = 1 << 3
	AlarmEmergency = 1 << 0
)

// Item is an additional information item of a location, kept as sent.
type Item struct {
	ID    byte
	Value []byte
}

// Location is the body of 0x0200 (and each item of 0x0704). Coordinates
// are WGS-84 degrees, signed from the status bits; the terminal's time
// (BCD, UTC+8) is converted to UTC.
type Location struct {
	Alarm, Status uint32
	Lat, Lon      float64
	Altitude      int     // metres
	Speed         float64 // km/h
	Direction     uint16  // degrees from north, 0–359
	Time          time.Time
	Items         []Item
	// Truncated counts the bytes of a last additional item that declared
	// more than the body held: some terminals send them; the rest is kept.
	Truncated int
}

// Fixed reports whether the terminal had a position fix.
func (l *Location) Fixed() bool { return l.Status&StatusFixed != 0 }

// locationLen is the fixed part of a location.
const locationLen = 28

var beijing = time.FixedZone("CST", 8*3600)

// ParseLocation reads a 0x0200 body.
func ParseLocation(body []byte) (Location, error) {
	var l Location
	if len(body) < locationLen {
		return l, ErrBody
	}
	l.Alarm, l.Status = binary.BigEndian.Uint32(body), binary.BigEndian.Uint32(body[4:])
	lat, lon := float64(binary.BigEndian.Uint32(body[8:]))/1e6, float64(binary.BigEndian.Uint32(body[12:]))/1e6
	if l.Status&StatusSouth != 0 {
		lat = -lat
	}
	if l.Status&StatusWest != 0 {
		lon = -lon
	}
	l.Lat, l.Lon = lat, lon
	l.Altitude = int(int16(binary.BigEndian.Uint16(body[16:])))
	l.Speed = float64(binary.BigEndian.Uint16(body[18:])) / 10
	l.Direction = binary.BigEndian.Uint16(body[20:])
	t, err := parseBCDTime(body[22:28])
	if err != nil {
		return l, err
	}
	l.Time = t
	rest := body[locationLen:]
	for len(rest) >= 2 {
		id, n := rest[0], int(rest[1])
		if len(rest) < 2+n {
			l.Truncated = len(rest)
			break
		}
		l.Items = append(l.Items, Item{ID: id, Value: rest[2 : 2+n]})
		rest = rest[2+n:]
	}
	if len(rest) == 1 {
		l.Truncated = 1
	}
	return l, nil
}

// parseBCDTime reads YYMMDDhhmmss in UTC+8. All zeros (no fix yet) is the
// zero time.
func parseBCDTime(b []byte) (time.Time, error) {
	var v [6]int
	zero := true
	for i, x := range b[:6] {
		hi, lo := x>>4, x&0x0f
		if hi > 9 || lo > 9 {
			return time.Time{}, ErrBCD
		}
		v[i] = int(hi)*10 + int(lo)
		zero = zero && x == 0
	}
	if zero {
		return time.Time{}, nil
	}
	if v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 59 {
		return time.Time{}, ErrBody
	}
	return time.Date(2000+v[0], time.Month(v[1]), v[2], v[3], v[4], v[5], 0, beijing).UTC(), nil
}

// AppendLocation appends a 0x0200 body for l (terminals and tests).
func AppendLocation(dst []byte, l *Location) []byte {
	st := l.Status &^ (StatusSouth | StatusWest)
	lat, lon := l.Lat, l.Lon
	if lat < 0 {
		st, lat = st|StatusSouth, -lat
	}
	if lon < 0 {
		st, lon = st|StatusWest, -lon
	}
	dst = binary.BigEndian.AppendUint32(dst, l.Alarm)
	dst = binary.BigEndian.AppendUint32(dst, st)
	dst = binary.BigEndian.AppendUint32(dst, uint32(lat*1e6+0.5))
	dst = binary.BigEndian.AppendUint32(dst, uint32(lon*1e6+0.5))
	dst = binary.BigEndian.AppendUint16(dst, uint16(int16(l.Altitude)))
	dst = binary.BigEndian.AppendUint16(dst, uint16(l.Speed*10+0.5))
	dst = binary.BigEndian.AppendUint16(dst, l.Direction)
	t := l.Time.In(beijing)
	for _, v := range []int{t.Year() % 100, int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second()} {
		dst = append(dst, byte(v/10)<<4|byte(v%10))
	}
	for _, it := range l.Items {
		dst = append(dst, it.ID, byte(len(it.Value)))
		dst = append(dst, it.Value...)
	}
	return dst
}

// Batch is the body of 0x0704: locations, normal (type 0) or filled in
// from a blind area (type 1).
type Batch struct {
	Type      byte
	Locations []Location
}

// ParseBatch reads a 0x0704 body. Each item's length bounds it; an item
// that does not parse makes the whole batch ErrBody.
func ParseBatch(body []byte) (Batch, error) {
	var b Batch
	if len(body) < 3 {
		return b, ErrBody
	}
	n := int(binary.BigEndian.Uint16(body))
	b.Type = body[2]
	rest := body[3:]
	if n > len(rest)/(2+locationLen) {
		return b, ErrBody
	}
	b.Locations = make([]Location, 0, n)
	for i := 0; i < n; i++ {
		if len(rest) < 2 {
			return b, ErrBody
		}
		m := int(binary.BigEndian.Uint16(rest))
		if len(rest) < 2+m {
			return b, ErrBody
		}
		l, err := ParseLocation(rest[2 : 2+m])
		if err != nil {
			return b, err
		}
		b.Locations = append(b.Locations, l)
		rest = rest[2+m:]
	}
	return b, nil
}

// AppendBatch appends a 0x0704 body (terminals and tests).
func AppendBatch(dst []byte, typ byte, ls []Location) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(ls)))
	dst = append(dst, typ)
	for i := range ls {
		at := len(dst)
		dst = append(dst, 0, 0)
		dst = AppendLocation(dst, &ls[i])
		binary.BigEndian.PutUint16(dst[at:], uint16(len(dst)-at-2))
	}
	return dst
}

// alarmNames names the alarm bits of JT/T 808 table 24 (2013 and 2019).
var alarmNames = [32]string{
	0: "emergency", 1: "overspeed", 2: "fatigue", 3: "danger_warning", 4: "gnss_fault",
	5: "gnss_antenna_cut", 6: "gnss_antenna_short", 7: "power_low", 8: "power_off",
	9: "lcd_fault", 10: "tts_fault", 11: "camera_fault", 12: "ic_card_fault",
	13: "overspeed_warning", 14: "fatigue_warning", 18: "driving_overtime", 19: "parking_overtime",
	20: "area", 21: "route", 22: "route_time", 23: "route_deviation", 24: "vss_fault",
	25: "fuel_abnormal", 26: "stolen", 27: "illegal_ignition", 28: "illegal_displacement",
	29: "collision", 30: "rollover", 31: "illegal_door",
}

// AlarmNames names the alarm bits set in a (reserved bits as "bit15" …).
func AlarmNames(a uint32) []string {
	var out []string
	for i := 0; i < 32; i++ {
		if a&(1<<i) == 0 {
			continue
		}
		if n := alarmNames[i]; n != "" {
			out = append(out, n)
		} else {
			out = append(out, "bit"+string(rune('0'+i/10))+string(rune('0'+i%10)))
		}
	}
	return out
}
