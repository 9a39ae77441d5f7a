package natsbus

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/zhudun/zhudun"
)

// tagHeader carries a message's HMAC-SM3 tag (see tagged).
const tagHeader = "Zhudun-Tag"

// BadEventMAC is the slog "event" attribute of the line logged for every
// event a subscriber drops, so that a log collector can alert on it.
const BadEventMAC = "security.bad_event_mac"

// wire is an event as stored on the bus: routing metadata in clear (the
// subscriber filters on it, and it carries no personal data), the payload
// sealed, so that neither JetStream's block files nor a cluster's disks hold
// an incident's address or a caller's name.
type wire struct {
	ID       int64             `json:"id"`
	Type     string            `json:"type"`
	At       time.Time         `json:"at"`
	Sealed   string            `json:"sealed"`
	Source   string            `json:"source,omitempty"`
	Perm     zhudun.Permission `json:"perm"`
	DeptPath string            `json:"dept_path,omitempty"`
	DeptID   int64             `json:"dept_id,omitempty"`
	OwnerID  int64             `json:"owner_id,omitempty"`
}

// sealAAD binds a sealed payload to its event, so that a payload copied
// into another message's envelope fails to open.
func sealAAD(src string, id int64, typ string) []byte {
	return fmt.Appendf(nil, "zhudun-event\x00%s\x00%d\x00%s", src, id, typ)
}

// tagged is what the tag covers: the subject and the whole payload, framed
// by a NUL that neither may contain (subjects are validated by Publish,
// and NATS subjects carry no control characters).
func tagged(subject string, data []byte) []byte {
	m := make([]byte, 0, len(subject)+1+len(data))
	m = append(m, subject...)
	m = append(m, 0)
	return append(m, data...)
}

// encode turns e into its sealed, tagged message.
func (b *Bus) encode(e zhudun.Event) (*nats.Msg, error) {
	data := []byte(e.Data)
	if len(data) == 0 {
		data = []byte("null")
	}
	sealed, err := b.cfg.Keys.SealEvent(data, sealAAD(e.Source, e.ID, e.Type))
	if err != nil {
		return nil, err
	}
	payload, err := json.Marshal(wire{ID: e.ID, Type: e.Type, At: e.At, Sealed: sealed, Source: e.Source,
		Perm: e.Perm, DeptPath: e.DeptPath, DeptID: e.DeptID, OwnerID: e.OwnerID})
	if err != nil {
		return nil, fmt.Errorf("natsbus: encode event %d: %w", e.ID, err)
	}
	subject := b.subject(e)
	tag, err := b.cfg.Keys.SignEvent(tagged(subject, payload))
	if err != nil {
		return nil, err
	}
	msg := nats.NewMsg(subject)
	msg.Data = payload
	msg.Header.Set(tagHeader, tag)
	return msg, nil
}

// decode checks a delivered message and returns its event; ok is false for
// a message that must be dropped, which decode has counted and logged.
// Nothing of the payload is logged: it may be personal data, or an
// attacker's text.
func (b *Bus) decode(subject string, h nats.Header, data []byte) (zhudun.Event, bool) {
	if !b.cfg.Keys.VerifyEvent(tagged(subject, data), h.Get(tagHeader)) {
		return zhudun.Event{}, b.reject(subject, "tag missing or wrong")
	}
	var w wire
	if err := json.Unmarshal(data, &w); err != nil {
		// Tagged by a zhudun but not decodable: a newer version's format.
		b.log.Warn("skipping undecodable event", "subject", subject, "err", err)
		return zhudun.Event{}, false
	}
	if subject != b.cfg.SubjectPrefix+"."+w.Type {
		return zhudun.Event{}, b.reject(subject, "type does not match subject")
	}
	plain, err := b.cfg.Keys.OpenEvent(w.Sealed, sealAAD(w.Source, w.ID, w.Type))
	if err != nil {
		return zhudun.Event{}, b.reject(subject, "payload does not open")
	}
	return zhudun.Event{ID: w.ID, Type: w.Type, At: w.At, Data: plain, Source: w.Source,
		Perm: w.Perm, DeptPath: w.DeptPath, DeptID: w.DeptID, OwnerID: w.OwnerID}, true
}

// reject counts and logs a dropped message; it returns false for decode.
func (b *Bus) reject(subject, why string) bool {
	n := b.rejected.Add(1)
	b.log.Warn("dropped an event that fails its MAC: forged, altered or under an unknown key",
		"event", BadEventMAC, "subject", subject, "reason", why, "dropped_total", n)
	if b.cfg.OnReject != nil {
		b.cfg.OnReject(subject, why)
	}
	return false
}

// Rejected returns how many delivered messages this Bus's subscriptions
// dropped for failing their tag or seal (each subscription counts its own
// copy). It only grows.
func (b *Bus) Rejected() uint64 { return b.rejected.Load() }
