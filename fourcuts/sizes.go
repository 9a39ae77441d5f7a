package fourcuts

// Sizes counts the entities the engine has interned, by kind. Ids are
// dense and handed out in order, so the ids at or above an earlier count
// are the entities added since: the live engine attributes each new one to
// the source of the event that added it (live/origin.go) by comparing the
// counts before and after Add, instead of looking every event's fields up
// in a map of its own.
type Sizes struct{ Nums, IMEIs, IPs, Devices, Accounts int }

// Sizes is how many entities of each kind the engine holds.
func (e *Engine) Sizes() Sizes {
	return Sizes{e.nums.len(), e.imeis.len(), e.ips.len(), e.devices.len(), e.accounts.len()}
}

// EntityID is the id of an entity as findings name it (entity type
// "msisdn", "imei", "ip", "device" or "account" and the finding's entity),
// without adding it; false when the engine does not hold it. An IMEI is
// found by its first IMEIBody digits, as the engine keys devices.
func (e *Engine) EntityID(entityType, name string) (int, bool) {
	var t *table
	switch entityType {
	case "msisdn":
		t = &e.nums
	case "imei":
		body := name
		if len(body) > IMEIBody {
			body = body[:IMEIBody]
		}
		return e.imeis.lookup([]byte(body), true)
	case "ip":
		t = &e.ips
	case "device":
		t = &e.devices
	case "account":
		t = &e.accounts
	default:
		return 0, false
	}
	return t.lookup([]byte(name), false)
}

// lookup finds key without adding it. With imei, key is an IMEI's body (or
// a shorter form) and matches as idIMEI does: every name that starts with
// a full body, or the name equal to a shorter one.
func (t *table) lookup(key []byte, imei bool) (int, bool) {
	if len(t.slots) == 0 {
		return 0, false
	}
	h := hashBytes(key)
	k0, k1 := inline(key)
	const bm = 1<<(8*(IMEIBody-8)) - 1
	mask := uint64(len(t.slots) - 1)
	for i := h >> t.shift; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.id == 0 {
			return 0, false
		}
		if sl.h != h {
			continue
		}
		id := int(sl.id - 1)
		if imei {
			if len(key) == IMEIBody && sl.n >= IMEIBody && sl.k0 == k0 && sl.k1&bm == k1 ||
				len(key) < IMEIBody && sl.n == uint32(len(key)) && sl.k0 == k0 && sl.k1 == k1 {
				return id, true
			}
			continue
		}
		if t.names[id] == string(key) {
			return id, true
		}
	}
}
