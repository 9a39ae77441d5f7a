// Package fourcuts is the Four Cuts engine (断卡·断号·断设备·断软件): it reads
// carrier and platform events (docs/spec/events.md), keeps per-entity
// aggregates whose value does not depend on the order events arrive in, and at
// the end derives findings — black cards, accounts, lines, devices and
// software — grouped into gangs.
//
// The package is pure: no I/O beyond the io.Writer a caller hands it, no
// database, no network. Feed syntax (JSON Lines, CSV, gzip) lives in
// fourcuts/feed; this package owns the event model, identifier
// normalisation, the detectors, the graph stage and the findings.
package fourcuts

// Type is an event type of the contract.
type Type uint8

// The five event types.
const (
	TypeNone Type = iota
	TypeSim
	TypeReg
	TypeSMS
	TypeCDR
	TypeIP
	numTypes
)

// TypeNames are the contract's names of the event types, by Type.
var TypeNames = [...]string{"", "sim", "reg", "sms", "cdr", "ip"}

func (t Type) String() string {
	if int(t) < len(TypeNames) {
		return TypeNames[t]
	}
	return "?"
}

// Action of a sim event.
type Action uint8

// Sim actions.
const (
	ActionNone Action = iota
	ActionActivate
	ActionCancel
)

// Dir of a cdr event.
type Dir uint8

// Call directions: MO means the record's msisdn called, MT that it was called.
const (
	DirNone Dir = iota
	DirMO
	DirMT
)

// SMSKind classifies an sms event.
type SMSKind uint8

// SMS kinds; unknown kinds are kept as SMSOther.
const (
	SMSOTP SMSKind = iota
	SMSNotice
	SMSMarketing
	SMSOther
)

// IPKind is what intelligence says an address is.
type IPKind uint8

// Address kinds; IPUnknown means no intelligence or an unknown kind.
const (
	IPUnknown IPKind = iota
	IPMobile
	IPBroadband
	IPIDC
	IPProxy
	IPDialup
)

// IPKindNames are the contract's names of the address kinds.
var IPKindNames = [...]string{"", "mobile", "broadband", "idc", "proxy", "dialup"}

// Flags are the client-side risk signals of a reg event.
type Flags uint8

// Risk flags.
const (
	FlagEmulator Flags = 1 << iota
	FlagRoot
	FlagHook
	FlagVPN
	FlagProxy
	FlagMultiOpen
)

// FlagNames are the contract's names of the flags, by bit position.
var FlagNames = [...]string{"emulator", "root", "hook", "vpn", "proxy", "multi_open"}

// Event is one parsed, validated event with every identifier in canonical
// form. Byte slices point into a buffer owned by whoever produced the event
// and are valid only until the producer's next call; the engine copies what
// it keeps.
type Event struct {
	Type Type
	// TS is the event time in Unix milliseconds.
	TS int64

	Msisdn, Peer, IMSI, ICCID, IMEI, IP, Device []byte
	Holder, Platform, Account, Cell, Region     []byte
	Outlet, Carrier, Sender, Model, OS          []byte
	ASN, ISP, Src                               []byte

	Action Action
	Dir    Dir
	SMS    SMSKind
	IPKind IPKind
	Flags  Flags
	// Dur is the seconds talked of a cdr event.
	Dur int32
	// Shared is the estimated number of users behind an address (0 unknown).
	Shared int64
}

// Reset clears ev for reuse.
func (ev *Event) Reset() { *ev = Event{} }
