package sqlstore

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
)

var (
	_ zhudun.TerminalService  = (*Store)(nil)
	_ zhudun.UnitAlarmService = (*Store)(nil)
)

// terminalCodeHash is how a terminal's authentication code is kept: SM3
// under its own domain prefix. A code is 128 random bits, so a plain hash
// is enough, and a copy of the database holds no terminal's code.
func terminalCodeHash(code string) string {
	return gmcrypto.SM3Hex([]byte("zhudun-terminal-code"), []byte(code))
}

// newTerminalCode returns 22 characters of base64url (128 bits): ASCII,
// which every terminal's STRING field takes.
func newTerminalCode() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// unitByTerminal finds the one unit whose terminal is key (ENOTFOUND: none;
// ECONFLICT: two units name it, which UpdateUnit refuses but older rows
// may hold).
func (tx *Tx) unitByTerminal(ctx context.Context, key string) (*zhudun.Unit, error) {
	rows, err := tx.query(ctx, unitSelect+` WHERE ltrim(u.terminal, '0') = ? LIMIT 2`, key)
	if err != nil {
		return nil, tx.s.internal("unit by terminal", err)
	}
	defer rows.Close()
	var us []*zhudun.Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, tx.s.internal("unit by terminal", err)
		}
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, tx.s.internal("unit by terminal", err)
	}
	switch len(us) {
	case 0:
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "no unit has this terminal")
	case 1:
		return us[0], nil
	}
	return nil, zhudun.Errorf(zhudun.ECONFLICT, "two units name this terminal")
}

// RegisterTerminal issues a new code to the terminal of the unit naming
// phone, which replaces any earlier one (audited as
// unit.terminal_register: a credential changes hands). The first
// registration binds the phone to dev (trust on first use: the phone is in
// every frame and on the units list, the device identity is not shown
// anywhere); a registration from another device is refused with ECONFLICT
// on "device", the bound terminal's code stays valid, and the attempt
// raises security.terminal_takeover (audited by it, folded with its
// repeats) with the unit's callsign, never the phone.
func (s *Store) RegisterTerminal(ctx context.Context, phone string, dev zhudun.TerminalDevice) (*zhudun.TerminalRegistration, error) {
	if err := systemOnly(ctx); err != nil {
		return nil, err
	}
	key := zhudun.TerminalKey(phone)
	if key == "" {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "no unit has this terminal")
	}
	code := newTerminalCode()
	var out *zhudun.TerminalRegistration
	var takeover *zhudun.SecurityEvent
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		u, err := tx.unitByTerminal(ctx, key)
		if err != nil {
			return err
		}
		var boundUnit int64
		var maker, model, id sql.NullString
		err = tx.queryRow(ctx, `SELECT unit_id, device_maker, device_model, device_id FROM terminal_auth WHERE phone_key = ?`, key).Scan(&boundUnit, &maker, &model, &id)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return tx.s.internal("terminal binding", err)
		}
		// A row of another unit is stale (UpdateUnit deletes it when the
		// phone moves; older rows may hold one): it binds nothing.
		bound := err == nil && boundUnit == u.ID && id.Valid
		if bound && (maker.String != dev.Maker || model.String != dev.Model || id.String != dev.ID) {
			takeover = &zhudun.SecurityEvent{Event: zhudun.SecTerminalTakeover, Subject: u.Callsign, Username: zhudun.CallerFrom(ctx).Username,
				ClientAddr: zhudun.CallerFrom(ctx).ClientAddr, Detail: map[string]any{"unit": u.Callsign, "station": u.StationCode,
					"device": deviceDetail(dev), "bound_device": deviceDetail(zhudun.TerminalDevice{Maker: maker.String, Model: model.String, ID: id.String})}}
			return nil
		}
		if _, err := tx.exec(ctx, `INSERT INTO terminal_auth (phone_key, unit_id, code_hash, registered_at, device_maker, device_model, device_id) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (phone_key) DO UPDATE SET unit_id = excluded.unit_id, code_hash = excluded.code_hash,
			registered_at = excluded.registered_at, authenticated_at = NULL, device_maker = excluded.device_maker,
			device_model = excluded.device_model, device_id = excluded.device_id`, key, u.ID, terminalCodeHash(code), tx.now, dev.Maker, dev.Model, dev.ID); err != nil {
			return tx.s.internal("terminal register", err)
		}
		out = &zhudun.TerminalRegistration{UnitID: u.ID, Callsign: u.Callsign, Code: code}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "unit.terminal_register", ObjectType: "unit", ObjectID: u.Callsign,
			Detail: Detail(map[string]any{"station": u.StationCode, "device": deviceDetail(dev), "first_binding": !bound})})
	})
	if err != nil {
		return nil, err
	}
	if takeover != nil {
		s.raise(ctx, *takeover)
		return nil, &zhudun.Error{Code: zhudun.ECONFLICT, Field: "device", Message: "the terminal is registered from another device"}
	}
	return out, nil
}

// deviceDetail is a device identity for audit rows and alerts (no personal
// data: the maker's, model's and device's own ids).
func deviceDetail(d zhudun.TerminalDevice) map[string]string {
	return map[string]string{"maker": d.Maker, "model": d.Model, "id": d.ID}
}

// AuthenticateTerminal checks a terminal's code. The unit must still name
// the terminal: a terminal moved to another unit registers again.
func (s *Store) AuthenticateTerminal(ctx context.Context, phone, code string) (int64, error) {
	if err := systemOnly(ctx); err != nil {
		return 0, err
	}
	key := zhudun.TerminalKey(phone)
	refused := zhudun.Errorf(zhudun.EUNAUTHORIZED, "terminal authentication refused")
	var unitID int64
	var hash, terminal string
	err := s.queryRow(ctx, `SELECT t.unit_id, t.code_hash, u.terminal FROM terminal_auth t JOIN units u ON u.id = t.unit_id WHERE t.phone_key = ?`,
		key).Scan(&unitID, &hash, &terminal)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, refused
	}
	if err != nil {
		return 0, s.internal("terminal auth", err)
	}
	if key == "" || zhudun.TerminalKey(terminal) != key || subtle.ConstantTimeCompare([]byte(hash), []byte(terminalCodeHash(code))) != 1 {
		return 0, refused
	}
	if _, err := s.execDB(ctx, `UPDATE terminal_auth SET authenticated_at = ? WHERE phone_key = ?`, s.clock().UTC(), key); err != nil {
		return 0, s.internal("terminal auth", err)
	}
	return unitID, nil
}

// unitAlarmEvent is the data of a unit.alarm event.
type unitAlarmEvent struct {
	ID int64 `json:"id"` // the unit_alarms row, which POST /unit-alarms/{id}/ack names
	zhudun.UnitAlarm
	Callsign    string   `json:"callsign"`
	Station     string   `json:"station"`
	StationName string   `json:"station_name"`
	Raised      []string `json:"raised"`
	Emergency   bool     `json:"emergency"`
}

// ReportUnitAlarm records the kinds a terminal's report has up. Kinds not
// up before are raised (a new open row, a unit.alarm event to the unit's
// readers); an empty report clears the open row.
func (s *Store) ReportUnitAlarm(ctx context.Context, a zhudun.UnitAlarm) ([]string, error) {
	if err := systemOnly(ctx); err != nil {
		return nil, err
	}
	var kinds []string
	for _, k := range a.Kinds {
		if k != "" && !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	var raised []string
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		u, err := tx.unitByID(ctx, a.UnitID)
		if err != nil {
			return err
		}
		var openID int64
		var open string
		err = tx.queryRow(ctx, `SELECT id, kinds FROM unit_alarms WHERE unit_id = ? AND cleared_at IS NULL ORDER BY id DESC LIMIT 1`, u.ID).Scan(&openID, &open)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return tx.s.internal("unit alarm", err)
		}
		up := strings.Split(open, ",")
		for _, k := range kinds {
			if openID == 0 || !slices.Contains(up, k) {
				raised = append(raised, k)
			}
		}
		cur := strings.Join(kinds, ",")
		switch {
		case openID != 0 && (len(kinds) == 0 || len(raised) > 0):
			if _, err := tx.exec(ctx, `UPDATE unit_alarms SET cleared_at = ? WHERE id = ?`, tx.now, openID); err != nil {
				return tx.s.internal("unit alarm clear", err)
			}
		case openID != 0 && cur != open: // fewer kinds up: remember which
			_, err := tx.exec(ctx, `UPDATE unit_alarms SET kinds = ? WHERE id = ?`, cur, openID)
			return tx.s.internalIf("unit alarm", err)
		}
		if len(raised) == 0 {
			return nil
		}
		// De-bouncing: a kind announced within AlarmRepeatInterval is up
		// again (the row says so) but not announced.
		recent, err := tx.recentAlarmKinds(ctx, u.ID, tx.now.Add(-zhudun.AlarmRepeatInterval))
		if err != nil {
			return err
		}
		raised = slices.DeleteFunc(raised, func(k string) bool { return slices.Contains(recent, k) })
		at := a.At.UTC().Truncate(time.Microsecond)
		var rowID int64
		if err := tx.queryRow(ctx, `INSERT INTO unit_alarms (unit_id, kinds, lon, lat, at, raised_at, raised) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			u.ID, cur, nullFloat(a.Lon), nullFloat(a.Lat), at, tx.now, strings.Join(raised, ",")).Scan(&rowID); err != nil {
			return tx.s.internal("unit alarm insert", err)
		}
		if len(raised) == 0 {
			return nil
		}
		a.Kinds, a.At = kinds, at
		ev := unitAlarmEvent{ID: rowID, UnitAlarm: a, Callsign: u.Callsign, Station: u.StationCode, StationName: u.StationName,
			Raised: raised, Emergency: slices.Contains(raised, zhudun.AlarmEmergency)}
		return tx.emit(ctx, zhudun.Event{Type: "unit.alarm", Perm: zhudun.PermUnitRead, DeptPath: u.DeptPath, DeptID: u.StationID, Data: Detail(ev)})
	})
	if err != nil {
		return nil, err
	}
	return raised, nil
}

// recentAlarmKinds returns the kinds announced for a unit since since.
func (tx *Tx) recentAlarmKinds(ctx context.Context, unitID int64, since time.Time) ([]string, error) {
	rows, err := tx.query(ctx, `SELECT raised FROM unit_alarms WHERE unit_id = ? AND raised_at > ? AND raised IS NOT NULL`, unitID, since)
	if err != nil {
		return nil, tx.s.internal("unit alarm recent", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, tx.s.internal("unit alarm recent", err)
		}
		out = append(out, strings.Split(r, ",")...)
	}
	return out, tx.s.internalIf("unit alarm recent", rows.Err())
}

func nullFloat(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}
