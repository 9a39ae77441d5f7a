package feed

import (
	"strconv"

	"github.com/zhudun/zhudun/fourcuts"
)

// AppendJSON appends ev as one JSON Lines record of the contract (with its
// line end) in canonical form: what DecodeJSON reads back into an equal
// event. The ingest stream carries events this way, so that its consumer
// decodes them with the reader's own rules.
func AppendJSON(dst []byte, ev *fourcuts.Event) []byte {
	dst = append(dst, `{"type":"`...)
	dst = append(dst, fourcuts.TypeNames[ev.Type]...)
	dst = append(dst, `","ts":"`...)
	dst = fourcuts.AppendTS(dst, ev.TS)
	dst = append(dst, '"')
	str := func(name string, v []byte) {
		if v == nil {
			return
		}
		dst = append(dst, `,"`...)
		dst = append(dst, name...)
		dst = append(dst, `":`...)
		dst = appendJSONString(dst, v)
	}
	str("src", ev.Src)
	switch ev.Type {
	case fourcuts.TypeSim:
		str("msisdn", ev.Msisdn)
		str("imsi", ev.IMSI)
		str("iccid", ev.ICCID)
		str("holder", ev.Holder)
		str("outlet", ev.Outlet)
		str("carrier", ev.Carrier)
		str("region", ev.Region)
		if ev.Action == fourcuts.ActionCancel {
			dst = append(dst, `,"action":"cancel"`...)
		} else {
			dst = append(dst, `,"action":"activate"`...)
		}
	case fourcuts.TypeReg:
		str("platform", ev.Platform)
		str("account", ev.Account)
		str("msisdn", ev.Msisdn)
		str("device", ev.Device)
		str("imei", ev.IMEI)
		str("ip", ev.IP)
		str("model", ev.Model)
		str("os", ev.OS)
		if ev.Flags != 0 {
			dst = append(dst, `,"flags":"`...)
			first := true
			for i, name := range fourcuts.FlagNames {
				if ev.Flags&(1<<i) != 0 {
					if !first {
						dst = append(dst, '|')
					}
					dst = append(dst, name...)
					first = false
				}
			}
			dst = append(dst, '"')
		}
	case fourcuts.TypeSMS:
		str("msisdn", ev.Msisdn)
		str("sender", ev.Sender)
		str("platform", ev.Platform)
		switch ev.SMS {
		case fourcuts.SMSNotice:
			dst = append(dst, `,"kind":"notice"`...)
		case fourcuts.SMSMarketing:
			dst = append(dst, `,"kind":"marketing"`...)
		case fourcuts.SMSOther:
			dst = append(dst, `,"kind":"other"`...)
		}
	case fourcuts.TypeCDR:
		str("msisdn", ev.Msisdn)
		str("peer", ev.Peer)
		if ev.Dir == fourcuts.DirMT {
			dst = append(dst, `,"dir":"mt"`...)
		} else {
			dst = append(dst, `,"dir":"mo"`...)
		}
		dst = append(dst, `,"dur":`...)
		dst = strconv.AppendInt(dst, int64(ev.Dur), 10)
		str("imsi", ev.IMSI)
		str("imei", ev.IMEI)
		str("cell", ev.Cell)
	case fourcuts.TypeIP:
		str("ip", ev.IP)
		str("asn", ev.ASN)
		str("isp", ev.ISP)
		str("region", ev.Region)
		if ev.IPKind != fourcuts.IPUnknown {
			dst = append(dst, `,"kind":"`...)
			dst = append(dst, fourcuts.IPKindNames[ev.IPKind]...)
			dst = append(dst, '"')
		}
		if ev.Shared != 0 {
			dst = append(dst, `,"shared":`...)
			dst = strconv.AppendInt(dst, ev.Shared, 10)
		}
	}
	return append(dst, "}\n"...)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends v (valid UTF-8: the reader checked it) as a JSON
// string.
func appendJSONString(dst, v []byte) []byte {
	dst = append(dst, '"')
	for _, c := range v {
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
