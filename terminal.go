package zhudun

import (
	"context"
	"strings"
	"time"
)

// TerminalKey is how a vehicle terminal's phone (its JT/T 808 identity)
// is compared with a unit's Terminal field: without surrounding spaces and
// leading zeros, since the 2013 header pads it to 12 digits and the 2019
// header to 20.
func TerminalKey(phone string) string { return strings.TrimLeft(strings.TrimSpace(phone), "0") }

// TerminalRegistration is what a terminal's registration gives it: the
// unit it is bound to and a fresh authentication code.
type TerminalRegistration struct {
	UnitID   int64
	Callsign string
	Code     string // shown once, in the 0x8100 reply; kept only as a hash
}

// TerminalDevice is the device identity a registration (0x0100) carries:
// manufacturer id, terminal model and terminal id. The first registration
// of a phone binds it (trust on first use); a later one from another
// identity is refused until an administrator re-arms the unit.
type TerminalDevice struct {
	Maker, Model, ID string
}

// TerminalService holds the vehicle terminals' credentials (JT/T 808). A
// terminal is known when a unit's Terminal field names its phone. A code
// is issued at registration and stays valid across reconnects and restarts
// until the same device registers again. Only the system caller (the
// gateway) uses it. Errors: ENOTFOUND (no unit has the terminal, or the
// terminal never registered), ECONFLICT (two units name it; with Field
// "device": the phone is bound to another device, the attempt raised
// security.terminal_takeover), EUNAUTHORIZED (wrong code), EFORBIDDEN (not
// the system caller).
type TerminalService interface {
	RegisterTerminal(ctx context.Context, phone string, dev TerminalDevice) (*TerminalRegistration, error)
	AuthenticateTerminal(ctx context.Context, phone, code string) (unitID int64, err error)
}

// UnitAlarm is an alarm a unit's terminal raised with a position report:
// the alarm kinds set (jt808.AlarmNames), the fix it came with.
type UnitAlarm struct {
	UnitID int64     `json:"unit_id"`
	Kinds  []string  `json:"kinds"`
	Lon    *float64  `json:"lon,omitempty"`
	Lat    *float64  `json:"lat,omitempty"`
	At     time.Time `json:"at"`
}

// AlarmEmergency is the alarm kind of a terminal's emergency button: it
// alerts the unit's station and dispatchers on screen.
const AlarmEmergency = "emergency"

// AlarmRepeatInterval is how long after a unit's alarm kind was announced
// it is not announced again (stored, but no new pop-up): a bit toggling
// set/clear, by a faulty terminal or one whose code leaked, would else
// sound the dispatchers' screens with every report.
const AlarmRepeatInterval = 30 * time.Second

// UnitAlarmService records terminals' alarms (system caller only). A kind
// is raised — stored and streamed as a unit.alarm event to everyone who
// may read the unit (its station, the dispatchers above it) — when it was
// not already up and was not announced within AlarmRepeatInterval; kinds
// gone from a report are cleared. Alarms are telemetry like positions: not
// audited. Errors: ENOTFOUND, EFORBIDDEN.
type UnitAlarmService interface {
	ReportUnitAlarm(ctx context.Context, a UnitAlarm) (raised []string, err error)
}

// UnitAlarmEntry is an announced alarm as the command screens list it: what
// the unit.alarm event said, and its acknowledgement once one user made it.
type UnitAlarmEntry struct {
	ID          int64      `json:"id"`
	UnitID      int64      `json:"unit_id"`
	Callsign    string     `json:"callsign"`
	Station     string     `json:"station"`
	StationName string     `json:"station_name"`
	Kinds       []string   `json:"kinds"`  // up with it
	Raised      []string   `json:"raised"` // announced by it
	Emergency   bool       `json:"emergency"`
	Lon         *float64   `json:"lon,omitempty"`
	Lat         *float64   `json:"lat,omitempty"`
	At          time.Time  `json:"at"` // the report's time
	RaisedAt    time.Time  `json:"raised_at"`
	Cleared     bool       `json:"cleared"` // the terminal no longer reports it
	AckedAt     *time.Time `json:"acked_at,omitempty"`
	AckedBy     string     `json:"acked_by,omitempty"`
	AckNote     string     `json:"ack_note,omitempty"`
}

// MaxAlarmAckNote bounds an acknowledgement's note (characters).
const MaxAlarmAckNote = 500

// UnitAlarmAckService lists the announced alarms nobody has acknowledged
// yet, within the caller's unit:read scope (a station's officers see their
// own units' alarms, a dispatcher those below the dispatcher's department),
// newest first, at most limit (1–500, default 200); and acknowledges one:
// whoever receives an alarm may acknowledge it, once — the first of several
// at the same time wins, the others get ECONFLICT. An acknowledgement is
// audited (unit.alarm_ack) and streamed (unit.alarm.acked) to the alarm's
// receivers, so that every command screen takes it off. Errors: ENOTFOUND
// (no such alarm in scope), ECONFLICT, EINVALID (note too long), EFORBIDDEN.
type UnitAlarmAckService interface {
	OpenUnitAlarms(ctx context.Context, limit int) ([]UnitAlarmEntry, error)
	AckUnitAlarm(ctx context.Context, id int64, note string) (*UnitAlarmEntry, error)
}
