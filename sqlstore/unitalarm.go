package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/zhudun/zhudun"
)

var _ zhudun.UnitAlarmAckService = (*Store)(nil)

// unitAlarmSelect reads announced alarms with their unit and station; the
// caller's unit:read scope is added on d (the unit's station).
const unitAlarmSelect = `SELECT a.id, a.unit_id, u.callsign, d.code, d.name, d.path, u.station_id, a.kinds, a.raised, a.lon, a.lat, a.at,
	a.raised_at, a.cleared_at, a.acked_at, a.acked_by, a.ack_note
	FROM unit_alarms a JOIN units u ON u.id = a.unit_id JOIN depts d ON d.id = u.station_id`

// unitAlarmRow is an entry with what its event needs besides (the
// station's path and id, for the receivers).
type unitAlarmRow struct {
	zhudun.UnitAlarmEntry
	path      string
	stationID int64
}

func scanUnitAlarm(r scanner) (*unitAlarmRow, error) {
	var x unitAlarmRow
	var raised, by, note sql.NullString
	var lon, lat sql.NullFloat64
	var cleared, acked sql.NullTime
	var kinds string
	if err := r.Scan(&x.ID, &x.UnitID, &x.Callsign, &x.Station, &x.StationName, &x.path, &x.stationID, &kinds, &raised,
		&lon, &lat, &x.At, &x.RaisedAt, &cleared, &acked, &by, &note); err != nil {
		return nil, err
	}
	split := func(s string) []string {
		if s == "" {
			return []string{}
		}
		return strings.Split(s, ",")
	}
	x.Kinds, x.Raised = split(kinds), split(raised.String)
	x.Emergency = slices.Contains(x.Raised, zhudun.AlarmEmergency)
	if lon.Valid && lat.Valid {
		x.Lon, x.Lat = &lon.Float64, &lat.Float64
	}
	x.At, x.RaisedAt = x.At.UTC(), x.RaisedAt.UTC()
	x.Cleared = cleared.Valid
	if acked.Valid {
		t := acked.Time.UTC()
		x.AckedAt = &t
	}
	x.AckedBy, x.AckNote = by.String, note.String
	return &x, nil
}

// OpenUnitAlarms lists the announced alarms not yet acknowledged within the
// caller's unit:read scope, newest first.
func (s *Store) OpenUnitAlarms(ctx context.Context, limit int) ([]zhudun.UnitAlarmEntry, error) {
	switch {
	case limit == 0:
		limit = 200
	case limit < 1 || limit > 500:
		return nil, zhudun.FieldError("limit", "limit must be 1–500")
	}
	var w where
	if _, err := scoped(ctx, &w, zhudun.PermUnitRead, unitCols); err != nil {
		return nil, err
	}
	// The partial index unit_alarms_unacked holds exactly these rows.
	w.add("a.acked_at IS NULL AND a.raised IS NOT NULL AND a.raised <> ''")
	out := []zhudun.UnitAlarmEntry{}
	err := s.eachRow(ctx, unitAlarmSelect+w.sql()+` ORDER BY a.raised_at DESC, a.id DESC LIMIT ?`, func(sc scanner) error {
		x, err := scanUnitAlarm(sc)
		if err != nil {
			return err
		}
		out = append(out, x.UnitAlarmEntry)
		return nil
	}, append(w.args, limit)...)
	if err != nil {
		return nil, s.internal("open unit alarms", err)
	}
	return out, nil
}

// AckUnitAlarm records that the caller has taken the alarm on: who, when,
// the note. The update is conditional on the row being unacknowledged, so
// of simultaneous acknowledgements exactly one changes it; the others
// find it acknowledged and get ECONFLICT naming who did.
func (s *Store) AckUnitAlarm(ctx context.Context, id int64, note string) (*zhudun.UnitAlarmEntry, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > zhudun.MaxAlarmAckNote {
		return nil, zhudun.FieldError("note", "the note is longer than %d characters", zhudun.MaxAlarmAckNote)
	}
	c := zhudun.CallerFrom(ctx)
	if c == nil || c.UserID == 0 {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "an alarm is acknowledged by a person")
	}
	var out *zhudun.UnitAlarmEntry
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		var w where
		if _, err := scoped(ctx, &w, zhudun.PermUnitRead, unitCols); err != nil {
			return err
		}
		w.add("a.id = ? AND a.raised IS NOT NULL AND a.raised <> ''", id)
		x, err := scanUnitAlarm(tx.queryRow(ctx, unitAlarmSelect+w.sql(), w.args...))
		if errors.Is(err, sql.ErrNoRows) {
			return zhudun.Errorf(zhudun.ENOTFOUND, "alarm not found")
		}
		if err != nil {
			return tx.s.internal("unit alarm load", err)
		}
		if x.AckedAt != nil {
			return zhudun.Errorf(zhudun.ECONFLICT, "the alarm was acknowledged by %s already", ackedBy(x.AckedBy))
		}
		now := tx.now.UTC().Truncate(time.Microsecond)
		res, err := tx.exec(ctx, `UPDATE unit_alarms SET acked_at = ?, acked_by = ?, ack_note = ? WHERE id = ? AND acked_at IS NULL`,
			now, c.Username, note, id)
		if err != nil {
			return tx.s.internal("unit alarm ack", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			// Another acknowledgement committed between the read and
			// the update (PostgreSQL re-checks the row it waited for).
			return zhudun.Errorf(zhudun.ECONFLICT, "the alarm was acknowledged by someone else already")
		}
		x.AckedAt, x.AckedBy, x.AckNote = &now, c.Username, note
		out = &x.UnitAlarmEntry
		if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "unit.alarm_ack", ObjectType: "unit", ObjectID: x.Callsign,
			Detail: Detail(map[string]any{"alarm": id, "station": x.Station, "raised": x.Raised, "raised_at": x.RaisedAt, "note": note})}); err != nil {
			return err
		}
		return tx.emit(ctx, zhudun.Event{Type: "unit.alarm.acked", Perm: zhudun.PermUnitRead, DeptPath: x.path, DeptID: x.stationID, Data: Detail(out)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func ackedBy(u string) string {
	if u == "" {
		return "someone before the upgrade"
	}
	return u
}
