package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
)

var _ zhudun.UnitService = (*Store)(nil)

// Units are scoped by their owning station.
var unitCols = scopeCols{Path: "d.path", DeptID: "u.station_id"}

const unitSelect = `SELECT u.id, u.callsign, u.kind, u.station_id, d.code, d.name, d.path, u.terminal, u.status, u.status_label,
	u.incident_id, u.lon, u.lat, u.position_at, u.version, u.created_at, u.updated_at
	FROM units u JOIN depts d ON d.id = u.station_id`

func scanUnit(r scanner) (*zhudun.Unit, error) {
	var u zhudun.Unit
	var inc sql.NullInt64
	var lon, lat sql.NullFloat64
	var at sql.NullTime
	if err := r.Scan(&u.ID, &u.Callsign, &u.Kind, &u.StationID, &u.StationCode, &u.StationName, &u.DeptPath, &u.Terminal, &u.Status, &u.StatusLabel,
		&inc, &lon, &lat, &at, &u.Version, &u.CreatedAt, &u.UpdatedAt); err != nil {
		return nil, err
	}
	if inc.Valid {
		u.IncidentID = &inc.Int64
	}
	if lon.Valid && lat.Valid && at.Valid {
		u.Lon, u.Lat, u.PositionAt = &lon.Float64, &lat.Float64, nullTime(at)
	}
	u.Stale = u.PositionAt == nil
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return &u, nil
}

// CreateUnit adds an off-duty unit to a station in the caller's unit:write scope.
func (s *Store) CreateUnit(ctx context.Context, nu zhudun.NewUnit) (*zhudun.Unit, error) {
	nu.Callsign, nu.Terminal = strings.TrimSpace(nu.Callsign), strings.TrimSpace(nu.Terminal)
	if n := len([]rune(nu.Callsign)); n == 0 || n > 32 {
		return nil, zhudun.FieldError("callsign", "callsign must be 1–32 characters")
	}
	if !zhudun.ValidUnitKind(nu.Kind) {
		return nil, zhudun.FieldError("kind", "kind must be car, foot or ebike")
	}
	if len(nu.Terminal) > 64 {
		return nil, zhudun.FieldError("terminal", "terminal must be at most 64 characters")
	}
	var out *zhudun.Unit
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		d, err := tx.deptInScope(ctx, nu.StationCode, zhudun.PermUnitWrite)
		if err != nil {
			if zhudun.ErrorCode(err) == zhudun.ENOTFOUND {
				return zhudun.FieldError("station", "station %s not found", nu.StationCode)
			}
			return err
		}
		var id int64
		err = tx.queryRow(ctx, `INSERT INTO units (callsign, kind, station_id, terminal, status, status_label, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`, nu.Callsign, nu.Kind, d.ID, nu.Terminal, zhudun.UnitOffDuty, zhudun.UnitOffDuty, tx.now, tx.now).Scan(&id)
		if err != nil {
			if tx.s.dialect.IsUniqueViolation(err) {
				return &zhudun.Error{Code: zhudun.ECONFLICT, Field: "callsign", Message: "callsign " + nu.Callsign + " is taken"}
			}
			return tx.s.internal("unit insert", err)
		}
		u, err := tx.unitByID(ctx, id)
		if err != nil {
			return err
		}
		out = u
		if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "unit.create", ObjectType: "unit", ObjectID: u.Callsign,
			Detail: Detail(map[string]any{"kind": u.Kind, "station": u.StationCode, "terminal": u.Terminal})}); err != nil {
			return err
		}
		return tx.unitEvent(ctx, "unit.created", u)
	})
	return out, err
}

func (tx *Tx) unitEvent(ctx context.Context, typ string, u *zhudun.Unit) error {
	return tx.emit(ctx, zhudun.Event{Type: typ, Perm: zhudun.PermUnitRead, DeptPath: u.DeptPath, DeptID: u.StationID, Data: Detail(u)})
}

func (tx *Tx) unitByID(ctx context.Context, id int64) (*zhudun.Unit, error) {
	u, err := scanUnit(tx.queryRow(ctx, unitSelect+` WHERE u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "unit not found")
	}
	if err != nil {
		return nil, tx.s.internal("unit load", err)
	}
	return u, nil
}

// unitInScope loads a unit visible under perm, or ENOTFOUND. Its statement
// stays prepared (one text per shape of scope): positions call it for every
// fix, and parsing it, the insert and the update was a sixth of the
// server's CPU at 2,000 fixes a second.
func (tx *Tx) unitInScope(ctx context.Context, id int64, perm zhudun.Permission) (*zhudun.Unit, error) {
	var w where
	if _, err := scoped(ctx, &w, perm, unitCols); err != nil {
		return nil, err
	}
	w.add("u.id = ?", id)
	u, err := scanUnit(tx.queryRowBuilt(ctx, unitSelect+w.sql(), w.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "unit not found")
	}
	if err != nil {
		return nil, tx.s.internal("unit load", err)
	}
	return u, nil
}

// setUnitState changes a unit's state and bumps its version; the caller
// audits and emits.
func (tx *Tx) setUnitState(ctx context.Context, u *zhudun.Unit, status, label string, incident *int64) error {
	var inc any
	if incident != nil {
		inc = *incident
	}
	if _, err := tx.exec(ctx, `UPDATE units SET status = ?, status_label = ?, incident_id = ?, version = version + 1, updated_at = ? WHERE id = ?`,
		status, label, inc, tx.now, u.ID); err != nil {
		return tx.s.internal("unit state", err)
	}
	u.Status, u.StatusLabel, u.IncidentID, u.Version, u.UpdatedAt = status, label, incident, u.Version+1, tx.now
	return nil
}

// FindUnits lists units inside the caller's unit:read scope, by callsign.
func (s *Store) FindUnits(ctx context.Context, f zhudun.UnitFilter) ([]*zhudun.Unit, int, error) {
	var w where
	if _, err := scoped(ctx, &w, zhudun.PermUnitRead, unitCols); err != nil {
		return nil, 0, err
	}
	if f.ID != 0 {
		w.add("u.id = ?", f.ID)
	}
	if f.Station != "" {
		w.add("d.code = ?", f.Station)
	}
	if f.Under != "" {
		w.add("d.path LIKE (SELECT x.path FROM depts x WHERE x.code = ?) || '%'", f.Under)
	}
	if f.Status != "" {
		w.add("u.status = ?", f.Status)
	}
	if f.Callsign != "" {
		w.add("u.callsign = ?", f.Callsign)
	}
	var total int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM units u JOIN depts d ON d.id = u.station_id`+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, s.internal("unit count", err)
	}
	off, lim := page(f.Offset, f.Limit)
	rows, err := s.query(ctx, unitSelect+w.sql()+` ORDER BY u.callsign LIMIT ? OFFSET ?`, append(w.args, lim, off)...)
	if err != nil {
		return nil, 0, s.internal("unit list", err)
	}
	defer rows.Close()
	var out []*zhudun.Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, 0, s.internal("unit scan", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, s.internal("unit rows", err)
	}
	rows.Close()
	return out, total, s.loadCrews(ctx, s, out)
}

// FindUnitByID returns one unit inside the caller's unit:read scope.
func (s *Store) FindUnitByID(ctx context.Context, id int64) (*zhudun.Unit, error) {
	us, _, err := s.FindUnits(ctx, zhudun.UnitFilter{ID: id, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(us) == 0 {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "unit not found")
	}
	return us[0], nil
}

// AllUnits returns every unit, unscoped, for the in-process dispatch index
// (system caller only).
func (s *Store) AllUnits(ctx context.Context) ([]*zhudun.Unit, error) {
	if err := systemOnly(ctx); err != nil {
		return nil, err
	}
	var out []*zhudun.Unit
	for off := 0; ; off += 500 {
		us, _, err := s.FindUnits(ctx, zhudun.UnitFilter{Offset: off, Limit: 500})
		if err != nil {
			return nil, err
		}
		out = append(out, us...)
		if len(us) < 500 {
			return out, nil
		}
	}
}

// SetUnitStatus records a status a crew reported (a base state or a custom
// label). Reporting on scene while dispatched records the arrival at the
// incident, as POST /incidents/{id}/arrive does.
func (s *Store) SetUnitStatus(ctx context.Context, id int64, label string) (*zhudun.Unit, error) {
	st, ok := zhudun.ResolveUnitStatus(strings.TrimSpace(label))
	if !ok {
		return nil, zhudun.FieldError("status", "unknown status %q", label)
	}
	var out *zhudun.Unit
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		u, err := tx.unitForStatus(ctx, id)
		if err != nil {
			return err
		}
		if err := zhudun.UnitStatusChange(u.Status, st.Base); err != nil {
			return err
		}
		if st.Base == zhudun.UnitOnScene && u.Status == zhudun.UnitDispatched && u.IncidentID != nil {
			inc, err := tx.incidentByID(ctx, *u.IncidentID)
			if err != nil {
				return err
			}
			if err := tx.arrive(ctx, inc, u); err != nil {
				return err
			}
		}
		from := u.StatusLabel
		if err := tx.setUnitState(ctx, u, st.Base, st.Label, u.IncidentID); err != nil {
			return err
		}
		out = u
		if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "unit.status", ObjectType: "unit", ObjectID: u.Callsign,
			Detail: Detail(map[string]any{"from": from, "to": st.Label, "base": st.Base})}); err != nil {
			return err
		}
		return tx.unitEvent(ctx, "unit.status", u)
	})
	return out, err
}

// maxPositionBatch bounds one upload of fixes.
const maxPositionBatch = 1000

// AddPositions stores a batch of fixes of a unit (unit:write scope). The
// latest fix becomes the unit's position when it is newer than the one held;
// one unit.position event carries it. Positions are telemetry: not audited.
func (s *Store) AddPositions(ctx context.Context, id int64, ps []zhudun.Position) (*zhudun.Unit, error) {
	if len(ps) == 0 {
		return nil, zhudun.FieldError("positions", "no positions")
	}
	if len(ps) > maxPositionBatch {
		return nil, zhudun.FieldError("positions", "at most %d positions per request", maxPositionBatch)
	}
	now := s.clock()
	latest := -1
	for i, p := range ps {
		if math.IsNaN(p.Lon) || math.IsNaN(p.Lat) || math.Abs(p.Lon) > 180 || math.Abs(p.Lat) > 90 {
			return nil, zhudun.FieldError("positions", "position %d: coordinates out of range", i)
		}
		if p.TS.IsZero() {
			return nil, zhudun.FieldError("positions", "position %d: ts is required", i)
		}
		if p.TS.After(now.Add(time.Minute)) {
			return nil, zhudun.FieldError("positions", "position %d: ts is in the future", i)
		}
		if latest < 0 || p.TS.After(ps[latest].TS) {
			latest = i
		}
	}
	var out *zhudun.Unit
	// Grouped: at a city's rate (2,000 fixes a second from terminals and
	// crews' phones) a transaction, and an fsync, per fix held the writer
	// lock for everything else; a group shares one commit. Positions write
	// no audit row, so a group of them is cheap to run again with
	// savepoints if one fails.
	err := s.writeGrouped(ctx, func(ctx context.Context, tx *Tx) error {
		u, err := tx.unitInScope(ctx, id, zhudun.PermUnitWrite)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if _, err := tx.execFixed(ctx, `INSERT INTO unit_positions (unit_id, lon, lat, ts, received_at) VALUES (?, ?, ?, ?, ?)`,
				u.ID, p.Lon, p.Lat, p.TS.UTC().Truncate(time.Microsecond), tx.now); err != nil {
				return tx.s.internal("position insert", err)
			}
		}
		p := ps[latest]
		ts := p.TS.UTC().Truncate(time.Microsecond)
		if u.PositionAt == nil || ts.After(*u.PositionAt) {
			if _, err := tx.execFixed(ctx, `UPDATE units SET lon = ?, lat = ?, position_at = ? WHERE id = ?`, p.Lon, p.Lat, ts, u.ID); err != nil {
				return tx.s.internal("unit position", err)
			}
			u.Lon, u.Lat, u.PositionAt = &p.Lon, &p.Lat, &ts
			u.Stale = false
			out = u
			if len(ps) > 1 {
				// A batch (a terminal's 0x0704, a client's upload) carries
				// every fix: patrol coverage joins them all, not just the newest.
				return tx.emit(ctx, zhudun.Event{Type: "unit.position", Perm: zhudun.PermUnitRead, DeptPath: u.DeptPath, DeptID: u.StationID,
					Data: Detail(struct {
						*zhudun.Unit
						Fixes []zhudun.Position `json:"fixes"`
					}{u, ps})})
			}
			return tx.unitEvent(ctx, "unit.position", u)
		}
		out = u
		return nil
	})
	return out, err
}

// maxTrackWindow bounds how far back UnitTrack reads: the live map draws the
// last 30 minutes; a longer history is a report, not a map layer.
const maxTrackWindow = 24 * time.Hour

// maxTrackPoints bounds one track: a fix a second for 30 minutes is 1,800.
const maxTrackPoints = 5000

// UnitTrack returns a unit's fixes since since, oldest first (unit:read
// scope; ENOTFOUND outside it). At most 5,000 fixes, the newest ones.
func (s *Store) UnitTrack(ctx context.Context, id int64, since time.Time) ([]zhudun.Position, error) {
	now := s.clock()
	if since.IsZero() || since.Before(now.Add(-maxTrackWindow)) {
		return nil, zhudun.FieldError("since", "since must be within the last 24 hours")
	}
	var w where
	if _, err := scoped(ctx, &w, zhudun.PermUnitRead, unitCols); err != nil {
		return nil, err
	}
	w.add("u.id = ?", id)
	var uid int64
	if err := s.queryRow(ctx, `SELECT u.id FROM units u JOIN depts d ON d.id = u.station_id`+w.sql(), w.args...).Scan(&uid); errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "unit not found")
	} else if err != nil {
		return nil, s.internal("unit track scope", err)
	}
	// Newest first on the index (unit_id, ts), then turned around: a unit
	// sending faster than the bound keeps its latest fixes on the map.
	rows, err := s.query(ctx, `SELECT lon, lat, ts FROM unit_positions WHERE unit_id = ? AND ts >= ? ORDER BY ts DESC LIMIT ?`,
		uid, since.UTC().Truncate(time.Microsecond), maxTrackPoints)
	if err != nil {
		return nil, s.internal("unit track", err)
	}
	defer rows.Close()
	out := []zhudun.Position{}
	for rows.Next() {
		var p zhudun.Position
		if err := rows.Scan(&p.Lon, &p.Lat, &p.TS); err != nil {
			return nil, s.internal("unit track scan", err)
		}
		p.TS = p.TS.UTC()
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, s.internal("unit track rows", err)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}
