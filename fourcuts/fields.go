package fourcuts

// Field identifies a field name of the contract. Readers map names to
// fields with LookupField, collect raw values in a RawEvent, and Build turns
// them into a validated, canonical Event.
type Field uint8

// Fields of the contract. FieldUnknown is any other name (kept as an
// attribute by the contract, ignored by the engine).
const (
	FieldUnknown Field = iota
	FieldType
	FieldTS
	FieldSrc
	FieldMsisdn
	FieldIMSI
	FieldICCID
	FieldHolder
	FieldOutlet
	FieldCarrier
	FieldRegion
	FieldAction
	FieldPlatform
	FieldAccount
	FieldDevice
	FieldIMEI
	FieldIP
	FieldModel
	FieldOS
	FieldFlags
	FieldSender
	FieldKind
	FieldPeer
	FieldDir
	FieldDur
	FieldCell
	FieldASN
	FieldISP
	FieldShared
	NumFields
)

// FieldNames are the contract's names, by Field.
var FieldNames = [NumFields]string{"", "type", "ts", "src", "msisdn", "imsi", "iccid", "holder", "outlet",
	"carrier", "region", "action", "platform", "account", "device", "imei", "ip", "model", "os", "flags",
	"sender", "kind", "peer", "dir", "dur", "cell", "asn", "isp", "shared"}

// LookupField maps a field name to its Field without allocating.
func LookupField(name []byte) Field {
	switch string(name) {
	case "type":
		return FieldType
	case "ts":
		return FieldTS
	case "src":
		return FieldSrc
	case "msisdn":
		return FieldMsisdn
	case "imsi":
		return FieldIMSI
	case "iccid":
		return FieldICCID
	case "holder":
		return FieldHolder
	case "outlet":
		return FieldOutlet
	case "carrier":
		return FieldCarrier
	case "region":
		return FieldRegion
	case "action":
		return FieldAction
	case "platform":
		return FieldPlatform
	case "account":
		return FieldAccount
	case "device":
		return FieldDevice
	case "imei":
		return FieldIMEI
	case "ip":
		return FieldIP
	case "model":
		return FieldModel
	case "os":
		return FieldOS
	case "flags":
		return FieldFlags
	case "sender":
		return FieldSender
	case "kind":
		return FieldKind
	case "peer":
		return FieldPeer
	case "dir":
		return FieldDir
	case "dur":
		return FieldDur
	case "cell":
		return FieldCell
	case "asn":
		return FieldASN
	case "isp":
		return FieldISP
	case "shared":
		return FieldShared
	}
	return FieldUnknown
}

// RawEvent collects the raw values of one line before validation. A value
// set twice keeps the last (the contract's "last key wins").
type RawEvent struct {
	Vals [NumFields][]byte
	// Set marks fields present with a non-null value; Num marks values that
	// were JSON numbers (integers only: readers reject other numbers).
	Set, Num uint32
}

// Reset clears r.
func (r *RawEvent) Reset() { r.Set, r.Num = 0, 0 }

// Put records a string value (an empty one counts as absent).
func (r *RawEvent) Put(f Field, v []byte) {
	if f == FieldUnknown {
		return
	}
	if len(v) == 0 {
		r.Set &^= 1 << f
		return
	}
	r.Vals[f] = v
	r.Set |= 1 << f
	r.Num &^= 1 << f
}

// PutNumber records an integer value given as a JSON number.
func (r *RawEvent) PutNumber(f Field, v []byte) {
	if f == FieldUnknown {
		return
	}
	r.Vals[f] = v
	r.Set |= 1 << f
	r.Num |= 1 << f
}

// PutNull records an explicit null: the field is absent.
func (r *RawEvent) PutNull(f Field) {
	if f != FieldUnknown {
		r.Set &^= 1 << f
	}
}

func (r *RawEvent) has(f Field) bool { return r.Set&(1<<f) != 0 }

// MaxCanonicalGrowth bounds how much longer than its raw values an event's
// canonical values can be; Build never appends more than
// RawLen()+MaxCanonicalGrowth bytes to the arena.
const MaxCanonicalGrowth = 256

// RawLen is the total length of the raw values.
func (r *RawEvent) RawLen() int {
	n := 0
	for f := Field(1); f < NumFields; f++ {
		if r.has(f) {
			n += len(r.Vals[f])
		}
	}
	return n
}

var required = [numTypes][]Field{
	TypeSim: {FieldMsisdn, FieldIMSI, FieldHolder, FieldOutlet, FieldAction},
	TypeReg: {FieldPlatform, FieldAccount, FieldMsisdn},
	TypeSMS: {FieldMsisdn, FieldSender},
	TypeCDR: {FieldMsisdn, FieldPeer, FieldDir, FieldDur},
	TypeIP:  {FieldIP},
}

// textOnly fields must be JSON strings: a number there is a wrong type.
const textOnly = 1<<FieldType | 1<<FieldTS | 1<<FieldAction | 1<<FieldDir | 1<<FieldKind | 1<<FieldFlags |
	1<<FieldIP | 1<<FieldCell

// Build validates r and fills ev with canonical values appended to arena.
// It returns the grown arena, or a rejection reason. The arena must have
// capacity for RawLen()+MaxCanonicalGrowth more bytes, so that earlier
// values do not move while later ones are appended.
func (r *RawEvent) Build(ev *Event, arena []byte) ([]byte, string) {
	*ev = Event{}
	if !r.has(FieldType) {
		return arena, "missing field type"
	}
	if bad := r.Num & textOnly; bad != 0 {
		for f := Field(1); f < NumFields; f++ {
			if bad&(1<<f) != 0 {
				return arena, "field " + FieldNames[f] + ": wrong type (number)"
			}
		}
	}
	switch string(r.Vals[FieldType]) {
	case "sim":
		ev.Type = TypeSim
	case "reg":
		ev.Type = TypeReg
	case "sms":
		ev.Type = TypeSMS
	case "cdr":
		ev.Type = TypeCDR
	case "ip":
		ev.Type = TypeIP
	default:
		return arena, "unknown type " + quoteShort(r.Vals[FieldType])
	}
	if !r.has(FieldTS) {
		return arena, "missing field ts"
	}
	ts, ok := ParseTS(r.Vals[FieldTS])
	if !ok {
		return arena, "field ts: not an RFC 3339 time with offset: " + quoteShort(r.Vals[FieldTS])
	}
	ev.TS = ts
	for _, f := range required[ev.Type] {
		if !r.has(f) {
			return arena, "missing field " + FieldNames[f]
		}
	}
	if cap(arena)-len(arena) < r.RawLen()+MaxCanonicalGrowth {
		// Callers are expected to reserve; never move earlier values.
		return arena, "internal: arena too small"
	}
	var reason string
	put := func(f Field, dst *[]byte, fn func(dst, src []byte) ([]byte, bool)) {
		if reason != "" || !r.has(f) {
			return
		}
		start := len(arena)
		var ok bool
		arena, ok = fn(arena, r.Vals[f])
		if !ok {
			if f == FieldHolder { // personal information: never echoed
				reason = "field holder: malformed value"
			} else {
				reason = "field " + FieldNames[f] + ": malformed value " + quoteShort(r.Vals[f])
			}
			arena = arena[:start]
			return
		}
		*dst = arena[start:len(arena):len(arena)]
	}
	put(FieldSrc, &ev.Src, AppendOpaque)
	switch ev.Type {
	case TypeSim:
		put(FieldMsisdn, &ev.Msisdn, AppendMsisdn)
		put(FieldIMSI, &ev.IMSI, AppendIMSI)
		put(FieldICCID, &ev.ICCID, AppendICCID)
		put(FieldHolder, &ev.Holder, AppendHolder)
		put(FieldOutlet, &ev.Outlet, AppendOpaque)
		put(FieldCarrier, &ev.Carrier, AppendLower)
		put(FieldRegion, &ev.Region, AppendRegion)
		switch string(r.Vals[FieldAction]) {
		case "activate":
			ev.Action = ActionActivate
		case "cancel":
			ev.Action = ActionCancel
		default:
			if reason == "" {
				reason = "field action: malformed value " + quoteShort(r.Vals[FieldAction])
			}
		}
	case TypeReg:
		put(FieldPlatform, &ev.Platform, AppendLower)
		put(FieldAccount, &ev.Account, AppendOpaque)
		put(FieldMsisdn, &ev.Msisdn, AppendMsisdn)
		put(FieldDevice, &ev.Device, AppendOpaque)
		put(FieldIMEI, &ev.IMEI, AppendIMEI)
		put(FieldIP, &ev.IP, AppendIP)
		put(FieldModel, &ev.Model, AppendOpaque)
		put(FieldOS, &ev.OS, AppendOpaque)
		if r.has(FieldFlags) && reason == "" {
			ev.Flags = parseFlags(r.Vals[FieldFlags])
		}
	case TypeSMS:
		put(FieldMsisdn, &ev.Msisdn, AppendMsisdn)
		put(FieldSender, &ev.Sender, AppendOpaque)
		put(FieldPlatform, &ev.Platform, AppendLower)
		ev.SMS = SMSOTP
		if r.has(FieldKind) {
			switch string(r.Vals[FieldKind]) {
			case "otp":
			case "notice":
				ev.SMS = SMSNotice
			case "marketing":
				ev.SMS = SMSMarketing
			default:
				ev.SMS = SMSOther
			}
		}
	case TypeCDR:
		put(FieldMsisdn, &ev.Msisdn, AppendMsisdn)
		put(FieldPeer, &ev.Peer, AppendPeer)
		put(FieldIMSI, &ev.IMSI, AppendIMSI)
		put(FieldIMEI, &ev.IMEI, AppendIMEI)
		put(FieldCell, &ev.Cell, AppendCell)
		switch string(r.Vals[FieldDir]) {
		case "mo", "MO":
			ev.Dir = DirMO
		case "mt", "MT":
			ev.Dir = DirMT
		default:
			if reason == "" {
				reason = "field dir: malformed value " + quoteShort(r.Vals[FieldDir])
			}
		}
		if d, ok := parseUint(r.Vals[FieldDur]); ok && d < 1<<31 {
			ev.Dur = int32(d)
		} else if reason == "" {
			reason = "field dur: malformed value " + quoteShort(r.Vals[FieldDur])
		}
	case TypeIP:
		put(FieldIP, &ev.IP, AppendIP)
		put(FieldASN, &ev.ASN, AppendOpaque)
		put(FieldISP, &ev.ISP, AppendOpaque)
		put(FieldRegion, &ev.Region, AppendRegion)
		if r.has(FieldKind) {
			switch string(r.Vals[FieldKind]) {
			case "mobile":
				ev.IPKind = IPMobile
			case "broadband":
				ev.IPKind = IPBroadband
			case "idc":
				ev.IPKind = IPIDC
			case "proxy":
				ev.IPKind = IPProxy
			case "dialup":
				ev.IPKind = IPDialup
			}
		}
		if r.has(FieldShared) {
			if v, ok := parseUint(r.Vals[FieldShared]); ok {
				ev.Shared = v
			} else if reason == "" {
				reason = "field shared: malformed value " + quoteShort(r.Vals[FieldShared])
			}
		}
	}
	if reason != "" {
		return arena, reason
	}
	return arena, ""
}

func parseFlags(b []byte) Flags {
	var f Flags
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] != '|' && b[i] != ',' {
			i++
		}
		tok := b[:i]
		for len(tok) > 0 && tok[0] == ' ' {
			tok = tok[1:]
		}
		for len(tok) > 0 && tok[len(tok)-1] == ' ' {
			tok = tok[:len(tok)-1]
		}
		switch string(tok) {
		case "emulator":
			f |= FlagEmulator
		case "root":
			f |= FlagRoot
		case "hook":
			f |= FlagHook
		case "vpn":
			f |= FlagVPN
		case "proxy":
			f |= FlagProxy
		case "multi_open":
			f |= FlagMultiOpen
		}
		if i == len(b) {
			break
		}
		b = b[i+1:]
	}
	return f
}

// quoteShort quotes at most 40 bytes of a value for a rejection reason; a
// holder-like value is never quoted in full.
func quoteShort(b []byte) string {
	const max = 40
	s := b
	cut := false
	if len(s) > max {
		s, cut = s[:max], true
	}
	out := make([]byte, 0, len(s)+8)
	out = append(out, '"')
	for _, c := range s {
		if c < 0x20 || c == '"' || c == '\\' || c >= 0x7f {
			out = append(out, '?')
			continue
		}
		out = append(out, c)
	}
	if cut {
		out = append(out, "…"...)
	}
	return string(append(out, '"'))
}
