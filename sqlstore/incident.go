package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/pii"
)

var _ zhudun.IncidentService = (*Store)(nil)

const incidentFrom = ` FROM incidents i JOIN grids g ON g.id = i.grid_id JOIN depts d ON d.id = i.station_id
	LEFT JOIN units un ON un.id = i.unit_id LEFT JOIN depts l ON l.id = i.lent_station_id`

const incidentSelect = `SELECT i.id, i.category, i.category_version, i.lon, i.lat, i.address, i.source, i.phone_mask, i.priority, i.status,
	i.grid_id, g.code, g.name, i.station_id, d.code, d.name, d.path, i.unit_id, COALESCE(un.callsign, ''), COALESCE(l.code, ''),
	i.recommended_unit_id, i.override_reason, i.received_at, i.dispatched_at, i.arrived_at, i.closed_at, i.outcome, i.note, i.case_ref,
	i.imported, i.created_by, i.created_at, i.updated_at` + incidentFrom

func scanIncident(r scanner) (*zhudun.Incident, error) {
	var x zhudun.Incident
	var unit, rec, by sql.NullInt64
	var disp, arr, clo sql.NullTime
	if err := r.Scan(&x.ID, &x.Category, &x.CategoryVersion, &x.Lon, &x.Lat, &x.Address, &x.Source, &x.CallerPhone, &x.Priority, &x.Status,
		&x.GridID, &x.GridCode, &x.GridName, &x.StationID, &x.StationCode, &x.StationName, &x.DeptPath, &unit, &x.UnitCallsign, &x.LentTo,
		&rec, &x.OverrideReason, &x.ReceivedAt, &disp, &arr, &clo, &x.Outcome, &x.Note, &x.CaseRef,
		&x.Imported, &by, &x.CreatedAt, &x.UpdatedAt); err != nil {
		return nil, err
	}
	if unit.Valid {
		x.UnitID = &unit.Int64
	}
	if rec.Valid {
		x.RecommendedUnit = &rec.Int64
	}
	x.CreatedBy = by.Int64
	x.DispatchedAt, x.ArrivedAt, x.ClosedAt = nullTime(disp), nullTime(arr), nullTime(clo)
	x.ReceivedAt, x.CreatedAt, x.UpdatedAt = x.ReceivedAt.UTC(), x.CreatedAt.UTC(), x.UpdatedAt.UTC()
	if c, ok := zhudun.LookupCategory(x.CategoryVersion, x.Category); ok {
		x.CategoryName = c.Name
	}
	return &x, nil
}

// incidentScope is the data-scope predicate of incidents: the owning
// station's department (by the scope's kind), or — while a unit of another
// station is assigned — that station's, or the caller created it. It is
// built only from the typed filter and the caller's id, never request text,
// and fails closed on anything unknown.
func incidentScope(ctx context.Context, perm zhudun.Permission) (string, []any, error) {
	f, err := zhudun.ScopeFor(ctx, perm)
	if err != nil {
		return "", nil, err
	}
	uid := zhudun.CallerFrom(ctx).UserID
	switch f.Kind {
	case zhudun.ScopeAll:
		return "1 = 1", nil, nil
	case zhudun.ScopeSubtree:
		// On the incidents' own columns, so that an index on them serves
		// the list in its order; the subtree's stations are a few rows.
		if f.DeptPath != "" {
			return "(i.station_id IN (SELECT id FROM depts WHERE path LIKE ?) OR i.lent_station_id IN (SELECT id FROM depts WHERE path LIKE ?) OR i.created_by = ?)",
				[]any{f.DeptPath + "%", f.DeptPath + "%", uid}, nil
		}
	case zhudun.ScopeDept:
		if f.DeptID != 0 {
			return "(i.station_id = ? OR i.lent_station_id = ? OR i.created_by = ?)", []any{f.DeptID, f.DeptID, uid}, nil
		}
	case zhudun.ScopeSelf:
		if f.UserID != 0 {
			return "i.created_by = ?", []any{f.UserID}, nil
		}
	}
	return "", nil, zhudun.Errorf(zhudun.EFORBIDDEN, "data scope not recognised")
}

// listScope is incidentScope for the lists, whole (pred, args) and split
// into disjoint parts whose union is the scope: counted one by one, each is
// served by its own index (station, lent station, creator), where the OR of
// them made a count scan the table (SQLite: 0.2 s of CPU for a station's
// first 10 001 of 2 million; the count with its total ran for every list).
//
// A subtree's departments are looked up first (a few rows of a small table)
// and named in the statements as a list of ids. With the subquery the plan
// rested on the planner's estimate of the open incidents: PostgreSQL's
// statistics, taken when the open board was empty, said one row, and the
// plan joined every open incident to a scan of the departments (2 M closed,
// 9 700 open: 40 ms a count, 218 ms under load, a quarter of the server's
// database time). An id list is an index condition whatever the estimate.
// The page's predicate (pred) keeps the subqueries: given an id list,
// SQLite answers a history page by the OR of three indexes, every matching
// row of a district fetched and sorted for the first 50 (0.15 s, against
// 0.1 ms walking incidents_received backwards with the subqueries).
type listScope struct {
	pred      string
	args      []any
	parts     []string
	partsArgs [][]any
}

func (s *Store) incidentListScope(ctx context.Context, perm zhudun.Permission) (listScope, error) {
	f, err := zhudun.ScopeFor(ctx, perm)
	if err != nil {
		return listScope{}, err
	}
	pred, args, err := incidentScope(ctx, perm)
	if err != nil {
		return listScope{}, err
	}
	uid := zhudun.CallerFrom(ctx).UserID
	var ids []any
	switch {
	case f.Kind == zhudun.ScopeSubtree && f.DeptPath != "":
		if ids, err = s.subtreeIDs(ctx, f.DeptPath); err != nil {
			return listScope{}, err
		}
	case f.Kind == zhudun.ScopeDept && f.DeptID != 0:
		ids = []any{f.DeptID}
	default:
		return listScope{pred, args, []string{pred}, [][]any{args}}, nil
	}
	in := "IN (?" + strings.Repeat(", ?", len(ids)-1) + ")"
	cat := func(parts ...[]any) []any {
		var out []any
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	// station_id is never NULL; lent_station_id and created_by may be.
	return listScope{
		pred: pred,
		args: args,
		parts: []string{
			"i.station_id " + in,
			"(i.lent_station_id " + in + " AND i.station_id NOT " + in + ")",
			"(i.created_by = ? AND i.station_id NOT " + in + " AND (i.lent_station_id IS NULL OR i.lent_station_id NOT " + in + "))",
		},
		partsArgs: [][]any{ids, cat(ids, ids), cat([]any{uid}, ids, ids)},
	}, nil
}

// subtreeIDs returns the ids of the departments under path (path included),
// ascending; never empty, as 0 (no department's id) stands for none, which
// keeps "NOT IN" true where an empty list would be a syntax error and NULL
// would make it unknown.
func (s *Store) subtreeIDs(ctx context.Context, path string) ([]any, error) {
	rows, err := s.queryFixed(ctx, `SELECT id FROM depts WHERE path LIKE ? ORDER BY id`, path+"%")
	if err != nil {
		return nil, s.internal("scope depts", err)
	}
	defer rows.Close()
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, s.internal("scope depts", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, s.internal("scope depts", err)
	}
	if len(ids) == 0 {
		ids = []any{int64(0)}
	}
	return ids, nil
}

func (tx *Tx) incidentByID(ctx context.Context, id int64) (*zhudun.Incident, error) {
	x, err := scanIncident(tx.queryRowFixed(ctx, incidentSelect+` WHERE i.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "incident not found")
	}
	if err != nil {
		return nil, tx.s.internal("incident load", err)
	}
	return x, nil
}

func (tx *Tx) incidentInScope(ctx context.Context, id int64, perm zhudun.Permission) (*zhudun.Incident, error) {
	pred, args, err := incidentScope(ctx, perm)
	if err != nil {
		return nil, err
	}
	x, err := scanIncident(tx.queryRow(ctx, incidentSelect+` WHERE `+pred+` AND i.id = ?`, append(args, id)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "incident not found")
	}
	if err != nil {
		return nil, tx.s.internal("incident load", err)
	}
	return x, nil
}

// incidentEvents emits typ to the owning station's scope and, while a unit
// is lent, to the lending station's too (a browser that sees both gets it
// twice; the incident id tells them apart). The caller's phone never goes in.
func (tx *Tx) incidentEvents(ctx context.Context, typ string, x *zhudun.Incident, lentPath string, lentID int64) error {
	data := *x
	data.CallerPhone = ""
	b := Detail(&data)
	if err := tx.emit(ctx, zhudun.Event{Type: typ, Perm: zhudun.PermIncidentRead, DeptPath: x.DeptPath, DeptID: x.StationID, OwnerID: x.CreatedBy, Data: b}); err != nil {
		return err
	}
	if lentPath != "" {
		return tx.emit(ctx, zhudun.Event{Type: typ, Perm: zhudun.PermIncidentRead, DeptPath: lentPath, DeptID: lentID, Data: b})
	}
	return nil
}

func incidentAAD(id int64) []byte { return []byte("incidents/" + strconv.FormatInt(id, 10) + "/phone") }

// rollupKey is one cell of patrol_rollup.
type rollupKey struct {
	grain, day    string
	station, grid int64
	dim, val      string
}

// rollupDelta accumulates changes to the rollup within a transaction.
type rollupDelta map[rollupKey]int64

// add counts delta for dimension dim = val of an incident received at t, at
// both grains.
func (r rollupDelta) add(station, grid int64, t time.Time, dim, val string, delta int64) {
	l := t.In(zhudun.CST())
	r[rollupKey{"d", l.Format("2006-01-02"), station, grid, dim, val}] += delta
	r[rollupKey{"m", l.Format("2006-01") + "-01", station, grid, dim, val}] += delta
}

// responseMinutes rounds a response up to the minute it ended in.
func responseMinutes(received, arrived time.Time) int64 {
	d := arrived.Sub(received)
	if d <= 0 {
		return 0
	}
	return int64(math.Ceil(d.Seconds() / 60))
}

// incident counts a whole incident as it stands. Only the outcome (which
// also gives the count) is kept per grid; category, source and response
// minutes are kept per station (grid_id 0). Per-grid histograms would hold
// about as many rows as there are incidents — a city's grids see a few
// incidents a day each — and the year report must stay under a second.
func (r rollupDelta) incident(station, grid int64, received time.Time, category, source, outcome string, arrived *time.Time, sign int64) {
	r.add(station, 0, received, "c", category, sign)
	r.add(station, 0, received, "s", source, sign)
	r.add(station, grid, received, "o", outcome, sign)
	if arrived != nil {
		r.add(station, 0, received, "r", strconv.FormatInt(responseMinutes(received, *arrived), 10), sign)
	}
}

// flush applies the deltas with one multi-row upsert (one round trip, not
// one per key), in key order: each upserted row stays locked to the end of
// the transaction, and two transactions taking the same rows in different
// (map) orders deadlock on PostgreSQL.
func (tx *Tx) flushRollup(ctx context.Context, r rollupDelta) error {
	if tx.grp != nil {
		tx.grp.rollups = append(tx.grp.rollups, r) // written at the group's end
		return nil
	}
	keys := make([]rollupKey, 0, len(r))
	for k, n := range r {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b rollupKey) int {
		return cmp.Or(cmp.Compare(a.grain, b.grain), cmp.Compare(a.day, b.day), cmp.Compare(a.station, b.station),
			cmp.Compare(a.grid, b.grid), cmp.Compare(a.dim, b.dim), cmp.Compare(a.val, b.val))
	})
	args := make([]any, 0, 7*len(keys))
	for _, k := range keys {
		args = append(args, k.grain, k.day, k.station, k.grid, k.dim, k.val, r[k])
	}
	tx.stmts++
	if err := tx.s.insertRows(ctx, tx.Tx, `INSERT INTO patrol_rollup (grain, day, station_id, grid_id, dim, val, n) VALUES `, 7,
		` ON CONFLICT (grain, day, station_id, grid_id, dim, val) DO UPDATE SET n = patrol_rollup.n + excluded.n`, args); err != nil {
		return tx.s.internal("rollup", err)
	}
	return nil
}

// checkNewIncident validates and defaults n; now is the transaction clock.
func checkNewIncident(n *zhudun.NewIncident, now time.Time, history bool) error {
	n.Category, n.Source, n.Address = strings.TrimSpace(n.Category), strings.TrimSpace(n.Source), strings.TrimSpace(n.Address)
	if _, ok := zhudun.LookupCategory(zhudun.CurrentCategoryVersion(), n.Category); !ok {
		return zhudun.FieldError("category", "unknown category %q", n.Category)
	}
	if math.IsNaN(n.Lon) || math.IsNaN(n.Lat) || math.IsInf(n.Lon, 0) || math.IsInf(n.Lat, 0) || math.Abs(n.Lon) > 180 || math.Abs(n.Lat) > 90 || (n.Lon == 0 && n.Lat == 0) {
		return zhudun.FieldError("lon", "lon and lat must be a WGS-84 point")
	}
	if n.Source == "" {
		n.Source = zhudun.Source110
	}
	if !zhudun.ValidSource(n.Source) {
		return zhudun.FieldError("source", "source must be 110, walk_in, patrol or online")
	}
	if n.Priority == 0 {
		n.Priority = 2
	}
	if n.Priority < 1 || n.Priority > 3 {
		return zhudun.FieldError("priority", "priority must be 1 (urgent), 2 or 3 (routine)")
	}
	if len([]rune(n.Address)) > 200 {
		return zhudun.FieldError("address", "address must be at most 200 characters")
	}
	if strings.TrimSpace(n.CallerPhone) != "" {
		if _, err := pii.NormalizePhone(n.CallerPhone); err != nil {
			return zhudun.FieldError("caller_phone", "%s", zhudun.ErrorMessage(err))
		}
	}
	if n.ReceivedAt != nil {
		t := n.ReceivedAt.UTC().Truncate(time.Microsecond)
		if t.After(now.Add(time.Minute)) {
			return zhudun.FieldError("received_at", "received_at is in the future")
		}
		if t.Before(now.AddDate(-20, 0, 0)) {
			return zhudun.FieldError("received_at", "received_at is more than 20 years ago")
		}
		n.ReceivedAt = &t
	}
	if !history {
		if n.DispatchedAt != nil || n.ArrivedAt != nil || n.ClosedAt != nil || n.Outcome != "" {
			return zhudun.FieldError("closed_at", "handling times and outcome are set by dispatching, arriving and closing")
		}
		return nil
	}
	if n.ReceivedAt == nil {
		return zhudun.FieldError("received_at", "received_at is required")
	}
	prev, prevName := *n.ReceivedAt, "received_at"
	for _, s := range []struct {
		name string
		t    **time.Time
	}{{"dispatched_at", &n.DispatchedAt}, {"arrived_at", &n.ArrivedAt}, {"closed_at", &n.ClosedAt}} {
		if *s.t == nil {
			continue
		}
		t := (*s.t).UTC().Truncate(time.Microsecond)
		if t.Before(prev) {
			return zhudun.FieldError(s.name, "%s is before %s", s.name, prevName)
		}
		if t.After(now.Add(time.Minute)) {
			return zhudun.FieldError(s.name, "%s is in the future", s.name)
		}
		*s.t, prev, prevName = &t, t, s.name
	}
	if n.ArrivedAt != nil && n.DispatchedAt == nil {
		return zhudun.FieldError("dispatched_at", "an arrival needs a dispatch time")
	}
	if (n.ClosedAt == nil) != (n.Outcome == "") {
		return zhudun.FieldError("outcome", "closed_at and outcome go together")
	}
	if n.Outcome != "" && !zhudun.ValidOutcome(n.Outcome) {
		return zhudun.FieldError("outcome", "unknown outcome %q", n.Outcome)
	}
	return nil
}

// insertIncident stores a checked incident in grid g and counts it in r.
func (tx *Tx) insertIncident(ctx context.Context, n *zhudun.NewIncident, g *zhudun.Grid, history bool, r rollupDelta) (int64, error) {
	received := tx.now
	if n.ReceivedAt != nil {
		received = *n.ReceivedAt
	}
	status := zhudun.IncidentReceived
	switch {
	case n.ClosedAt != nil:
		status = zhudun.IncidentClosed
	case n.ArrivedAt != nil:
		status = zhudun.IncidentOnScene
	case n.DispatchedAt != nil:
		status = zhudun.IncidentDispatched
	}
	c := zhudun.CallerFrom(ctx)
	var id int64
	err := tx.queryRowFixed(ctx, `INSERT INTO incidents (category, category_version, lon, lat, address, source, priority, status, grid_id, station_id,
		received_at, dispatched_at, arrived_at, closed_at, outcome, imported, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		n.Category, zhudun.CurrentCategoryVersion(), n.Lon, n.Lat, n.Address, n.Source, n.Priority, status, g.ID, g.StationID,
		received, nullTimeArg(n.DispatchedAt), nullTimeArg(n.ArrivedAt), nullTimeArg(n.ClosedAt), n.Outcome, history, nullID(c.UserID), tx.now, tx.now).Scan(&id)
	if err != nil {
		return 0, tx.s.internal("incident insert", err)
	}
	if strings.TrimSpace(n.CallerPhone) != "" {
		canon, err := pii.NormalizePhone(n.CallerPhone)
		if err != nil {
			return 0, zhudun.FieldError("caller_phone", "%s", zhudun.ErrorMessage(err))
		}
		enc, err := tx.s.keys.Seal([]byte(canon), incidentAAD(id))
		if err != nil {
			return 0, tx.s.internal("seal", err)
		}
		if _, err := tx.exec(ctx, `UPDATE incidents SET phone_enc = ?, phone_idx = ?, phone_mask = ? WHERE id = ?`,
			enc, tx.s.keys.Index("phone", canon), pii.MaskPhone(canon), id); err != nil {
			return 0, tx.s.internal("incident phone", err)
		}
	}
	r.incident(g.StationID, g.ID, received, n.Category, n.Source, n.Outcome, n.ArrivedAt, 1)
	return id, nil
}

// created is the row insertIncident stored for a new (not imported)
// incident, as incidentByID would read it back: the creation's hottest
// path, which on PostgreSQL spent a round trip on the read under the
// group's lock. TestConformance/CreatedAsStored compares the two.
func created(n *zhudun.NewIncident, g *zhudun.Grid, id int64, now time.Time, by int64) *zhudun.Incident {
	x := &zhudun.Incident{ID: id, Category: n.Category, CategoryVersion: zhudun.CurrentCategoryVersion(), Lon: n.Lon, Lat: n.Lat,
		Address: n.Address, Source: n.Source, Priority: n.Priority, Status: zhudun.IncidentReceived,
		GridID: g.ID, GridCode: g.Code, GridName: g.Name, StationID: g.StationID, StationCode: g.StationCode, StationName: g.StationName,
		DeptPath: g.DeptPath, ReceivedAt: now, CreatedBy: by, CreatedAt: now, UpdatedAt: now}
	if n.ReceivedAt != nil {
		x.ReceivedAt = *n.ReceivedAt // checkNewIncident made it UTC, to the microsecond
	}
	if canon, err := pii.NormalizePhone(n.CallerPhone); err == nil && strings.TrimSpace(n.CallerPhone) != "" {
		x.CallerPhone = pii.MaskPhone(canon)
	}
	if c, ok := zhudun.LookupCategory(x.CategoryVersion, x.Category); ok {
		x.CategoryName = c.Name
	}
	return x
}

func nullTimeArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// CreateIncident records an incident at a point inside a grid whose station
// is in the caller's incident:write scope. A received_at given explicitly
// is audited as such.
func (s *Store) CreateIncident(ctx context.Context, n zhudun.NewIncident) (*zhudun.Incident, error) {
	f, err := zhudun.ScopeFor(ctx, zhudun.PermIncidentWrite)
	if err != nil {
		return nil, err
	}
	var out *zhudun.Incident
	// Grouped: creations are the busiest change, and each one's audit row
	// would otherwise commit alone, holding the chain for its fsync.
	err = s.writeGrouped(ctx, func(ctx context.Context, tx *Tx) error {
		if err := checkNewIncident(&n, tx.now, false); err != nil {
			return err
		}
		g, err := tx.gridAt(ctx, n.Lon, n.Lat)
		if errors.Is(err, sql.ErrNoRows) {
			return zhudun.FieldError("lon", "the point is outside every grid")
		}
		if err != nil {
			return err
		}
		if !f.Covers(g.DeptPath, g.StationID, 0) {
			return zhudun.FieldError("lon", "the point lies in a grid outside your area")
		}
		r := rollupDelta{}
		id, err := tx.insertIncident(ctx, &n, g, false, r)
		if err != nil {
			return err
		}
		if err := tx.flushRollup(ctx, r); err != nil {
			return err
		}
		x := created(&n, g, id, tx.now, zhudun.CallerFrom(ctx).UserID)
		out = x
		detail := map[string]any{"category": x.Category, "category_version": x.CategoryVersion, "source": x.Source, "grid": x.GridCode,
			"station": x.StationCode, "priority": x.Priority, "caller_phone": x.CallerPhone != ""}
		if n.ReceivedAt != nil {
			detail["received_at_set"] = x.ReceivedAt
		}
		if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "incident.create", ObjectType: "incident", ObjectID: itoa(id), Detail: Detail(detail)}); err != nil {
			return err
		}
		return tx.incidentEvents(ctx, "incident.created", x, "", 0)
	})
	return out, err
}

// ImportIncidents stores history: the installer's system caller anywhere,
// a holder of incident:import in the stations of its scope. Rows that fail
// their checks, fall outside every grid or outside the caller's area are
// returned; the rest are stored in one transaction (none of them when the
// import is AllOrNothing and a row was rejected) with one audit row for the
// batch, which records that received_at was set for every row. Rows whose
// ImportKey was imported before are skipped: neither stored nor returned;
// a key imported before into another department's station is a rejection,
// not a skip, for a caller whose scope does not reach it.
func (s *Store) ImportIncidents(ctx context.Context, imp zhudun.IncidentImport) (int, []zhudun.ImportRowError, error) {
	f, err := zhudun.ScopeFor(ctx, zhudun.PermIncidentImport)
	if err != nil {
		return 0, nil, err
	}
	rows := imp.Rows
	var bad []zhudun.ImportRowError
	stored := 0
	err = s.write(ctx, func(ctx context.Context, tx *Tx) error {
		bad, stored = bad[:0], 0 // a retried transaction starts over
		skipped := 0
		r := rollupDelta{}
		var first, last int64
		grids := map[[2]float64]*zhudun.Grid{}
		for i := range rows {
			n := rows[i]
			if err := checkNewIncident(&n, tx.now, true); err != nil {
				var ze *zhudun.Error
				errors.As(err, &ze)
				bad = append(bad, zhudun.ImportRowError{Row: i, Field: ze.Field, Message: ze.Message})
				continue
			}
			if n.ImportKey != "" {
				var path sql.NullString
				var station, owner sql.NullInt64
				err := tx.queryRow(ctx, `SELECT d.path, i.station_id, i.created_by FROM incident_imports k
					LEFT JOIN incidents i ON i.id = k.incident_id LEFT JOIN depts d ON d.id = i.station_id WHERE k.import_key = ?`, n.ImportKey).Scan(&path, &station, &owner)
				if err == nil {
					if !f.Covers(path.String, station.Int64, owner.Int64) {
						field := "id"
						if strings.HasPrefix(n.ImportKey, "line:") {
							field = "source"
						}
						bad = append(bad, zhudun.ImportRowError{Row: i, Field: field, Message: "imported before under this key by another department; give the file another source name"})
						continue
					}
					skipped++
					continue // imported by an earlier run
				}
				if !errors.Is(err, sql.ErrNoRows) {
					return tx.s.internal("import key", err)
				}
			}
			g, ok := grids[[2]float64{n.Lon, n.Lat}]
			if !ok {
				var err error
				g, err = tx.gridAt(ctx, n.Lon, n.Lat)
				if errors.Is(err, sql.ErrNoRows) {
					bad = append(bad, zhudun.ImportRowError{Row: i, Field: "lon", Message: "the point is outside every grid"})
					continue
				}
				if err != nil {
					return err
				}
				grids[[2]float64{n.Lon, n.Lat}] = g
			}
			if !f.Covers(g.DeptPath, g.StationID, 0) {
				bad = append(bad, zhudun.ImportRowError{Row: i, Field: "lon", Message: "the point lies in grid " + g.Code + ", outside your area"})
				continue
			}
			if imp.CheckOnly || (imp.AllOrNothing && len(bad) > 0) {
				continue // nothing will be stored: only look for more problems
			}
			id, err := tx.insertIncident(ctx, &n, g, true, r)
			if err != nil {
				return err
			}
			if n.ImportKey != "" {
				if _, err := tx.exec(ctx, `INSERT INTO incident_imports (import_key, incident_id, imported_at) VALUES (?, ?, ?)`, n.ImportKey, id, tx.now); err != nil {
					return tx.s.internal("import key insert", err)
				}
			}
			if first == 0 {
				first = id
			}
			last = id
			stored++
		}
		if imp.CheckOnly || (imp.AllOrNothing && len(bad) > 0) {
			return errRejected // rolls back whatever the rows before wrote
		}
		if stored == 0 {
			return nil
		}
		if err := tx.flushRollup(ctx, r); err != nil {
			return err
		}
		detail := map[string]any{"rows": stored, "first_id": first, "last_id": last, "received_at_set": true, "rejected": len(bad), "skipped": skipped}
		if imp.Source != "" {
			detail["source"] = imp.Source
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "incident.import", ObjectType: "incident", ObjectID: itoa(first) + "-" + itoa(last), Detail: Detail(detail)})
	})
	if errors.Is(err, errRejected) {
		return 0, bad, nil
	}
	if err != nil {
		return 0, nil, err
	}
	return stored, bad, nil
}

// incidentFilterWhere is the list's plain filters (all but the caller's
// phone, which is a search of personal data): the list and the
// dashboard's tally select the same incidents with them.
func incidentFilterWhere(f zhudun.IncidentFilter) where {
	var w where
	if f.ID != 0 {
		w.add("i.id = ?", f.ID)
	}
	if f.Status != "" {
		w.add("i.status = ?", f.Status)
	}
	if f.Open != nil {
		// Literal, not a parameter: it must match the partial index
		// incidents_open's predicate for the planner to use it.
		if *f.Open {
			w.add("i.status <> '" + zhudun.IncidentClosed + "'")
		} else {
			w.add("i.status = '" + zhudun.IncidentClosed + "'")
		}
	}
	if f.Category != "" {
		w.add("i.category = ?", f.Category)
	}
	if f.Source != "" {
		w.add("i.source = ?", f.Source)
	}
	if f.Station != "" {
		w.add("d.code = ?", f.Station)
	}
	if f.Grid != "" {
		w.add("g.code = ?", f.Grid)
	}
	if !f.From.IsZero() {
		w.add("i.received_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		w.add("i.received_at < ?", f.To.UTC())
	}
	return w
}

// FindIncidents lists incidents in the caller's incident:read scope, newest first.
func (s *Store) FindIncidents(ctx context.Context, f zhudun.IncidentFilter) ([]*zhudun.Incident, int, error) {
	sc, err := s.incidentListScope(ctx, zhudun.PermIncidentRead)
	if err != nil {
		return nil, 0, err
	}
	// w: the filters; the scope is added to it after the count, which
	// takes the scope part by part (listScope).
	w := incidentFilterWhere(f)
	var search *piiSearch
	if f.Phone != "" {
		// A search by the caller's phone: see piisearch.go.
		if search, err = s.beginPIISearch(ctx, "incident", []string{"phone"}, f.Reason); err != nil {
			return nil, 0, err
		}
		if search != nil {
			pp, pa, err := incidentScope(ctx, search.perm)
			if err != nil {
				return nil, 0, err
			}
			w.add(pp, pa...)
		}
		canon, err := pii.NormalizePhone(f.Phone)
		if err != nil {
			return nil, 0, zhudun.FieldError("phone", "%s", zhudun.ErrorMessage(err))
		}
		w.add("i.phone_idx = ?", s.keys.Index("phone", canon))
	}
	parts, partArgs := sc.parts, sc.partsArgs
	// The open board is counted part by part too: the open incidents have
	// partial indexes per part (migration 0010), where the whole scope
	// through incidents_open looked up every open row in the table (28 000
	// open: 19 ms a board, the server's largest cost under load).
	// Counted on incidents alone unless a filter names the station's or
	// grid's code: grid_id and station_id are NOT NULL foreign keys, so the
	// joins keep every row, and without them the count is read from the
	// scope's index alone (SQLite, 2 M, a district's 10 001: 0.17 s of row
	// reads for the joins' keys, 0.01 s covered).
	countFrom := ` FROM incidents i`
	if f.Station != "" || f.Grid != "" {
		countFrom = incidentFrom
	}
	total := 0
	key := countKey(countFrom+w.sql(), append(append([]any{}, w.args...), fmt.Sprint(parts), fmt.Sprint(partArgs)))
	if s.counts.capped(key, s.now()) {
		total, parts = zhudun.ListCountCap+1, nil
	}
	for i, part := range parts {
		// The parts are disjoint: their counts add up, to the cap.
		var pw where
		pw.add(part, partArgs[i]...)
		pw.parts, pw.args = append(pw.parts, w.parts...), append(pw.args, w.args...)
		var n int
		if err := s.queryRowBuilt(ctx, `SELECT COUNT(*) FROM (SELECT 1`+countFrom+pw.sql()+` LIMIT ?) c`, append(pw.args, zhudun.ListCountCap+1-total)...).Scan(&n); err != nil {
			return nil, 0, s.internal("incident count", err)
		}
		if total += n; total > zhudun.ListCountCap {
			s.counts.remember(key, s.now())
			break
		}
	}
	w.parts, w.args = append([]string{sc.pred}, w.parts...), append(append([]any{}, sc.args...), w.args...)
	off, lim := page(f.Offset, f.Limit)
	if f.After != nil {
		// Keyset: the index on (received_at, id) starts right there.
		w.add("(i.received_at, i.id) < (?, ?)", f.After.ReceivedAt.UTC(), f.After.ID)
		off = 0
	}
	rows, err := s.queryBuilt(ctx, incidentSelect+w.sql()+` ORDER BY i.received_at DESC, i.id DESC LIMIT ? OFFSET ?`, append(w.args, lim, off)...)
	if err != nil {
		return nil, 0, s.internal("incident list", err)
	}
	defer rows.Close()
	var out []*zhudun.Incident
	for rows.Next() {
		x, err := scanIncident(rows)
		if err != nil {
			return nil, 0, s.internal("incident scan", err)
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, s.internal("incident rows", err)
	}
	rows.Close()
	if err := search.done(ctx, s, total); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// FindIncidentByID returns one incident in the caller's incident:read scope.
func (s *Store) FindIncidentByID(ctx context.Context, id int64) (*zhudun.Incident, error) {
	if id <= 0 {
		// No row has it, and the filter's zero means "any incident".
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "incident not found")
	}
	xs, _, err := s.FindIncidents(ctx, zhudun.IncidentFilter{ID: id, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(xs) == 0 {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "incident not found")
	}
	return xs[0], nil
}

// DispatchIncident assigns an available unit (unit:write scope) to an open
// incident (incident:write scope), or reassigns it; the previous unit goes
// back to patrolling. Choosing another unit than the recommended one needs a
// reason. A unit of another station lends that station sight of the
// incident until it is closed; the loan is audited (incident.lend).
func (s *Store) DispatchIncident(ctx context.Context, id int64, d zhudun.Dispatch) (*zhudun.Incident, error) {
	// The reason is kept in the incident's history and events, not only
	// the audit row: mask personal numbers in it here.
	d.Reason = pii.MaskText(strings.TrimSpace(d.Reason))
	if len([]rune(d.Reason)) > 200 {
		return nil, zhudun.FieldError("reason", "reason must be at most 200 characters")
	}
	if d.Recommended == nil || *d.Recommended != d.UnitID {
		if len([]rune(d.Reason)) < 2 {
			return nil, zhudun.FieldError("reason", "a reason is required when not dispatching the recommended unit")
		}
	}
	var out *zhudun.Incident
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		x, err := tx.incidentInScope(ctx, id, zhudun.PermIncidentWrite)
		if err != nil {
			return err
		}
		if x.Status != zhudun.IncidentReceived && x.Status != zhudun.IncidentDispatched {
			return zhudun.Errorf(zhudun.ECONFLICT, "the incident is %s; only received or dispatched incidents can be dispatched", x.Status)
		}
		u, err := tx.unitInScope(ctx, d.UnitID, zhudun.PermUnitWrite)
		if err != nil {
			if zhudun.ErrorCode(err) == zhudun.ENOTFOUND {
				return &zhudun.Error{Code: zhudun.ENOTFOUND, Field: "unit", Message: "unit not found"}
			}
			return err
		}
		if x.UnitID != nil && *x.UnitID == u.ID {
			return zhudun.Errorf(zhudun.ECONFLICT, "unit %s is already assigned", u.Callsign)
		}
		if !zhudun.UnitAvailable(u.Status) {
			return &zhudun.Error{Code: zhudun.ECONFLICT, Field: "unit", Message: "unit " + u.Callsign + " is " + u.Status + ", not available"}
		}
		// A reassignment frees the previous unit.
		if x.UnitID != nil {
			prev, err := tx.unitByID(ctx, *x.UnitID)
			if err != nil {
				return err
			}
			if prev.IncidentID != nil && *prev.IncidentID == x.ID {
				if err := tx.setUnitState(ctx, prev, zhudun.UnitPatrolling, zhudun.UnitPatrolling, nil); err != nil {
					return err
				}
				if err := tx.unitEvent(ctx, "unit.status", prev); err != nil {
					return err
				}
			}
		}
		var lent any
		var lentPath string
		var lentID int64
		if u.StationID != x.StationID {
			lent, lentPath, lentID = u.StationID, u.DeptPath, u.StationID
		}
		var rec any
		if d.Recommended != nil {
			rec = *d.Recommended
		}
		reason := d.Reason
		if d.Recommended != nil && *d.Recommended == u.ID {
			reason = ""
		}
		if _, err := tx.exec(ctx, `UPDATE incidents SET status = ?, unit_id = ?, lent_station_id = ?, recommended_unit_id = ?, override_reason = ?,
			dispatched_at = COALESCE(dispatched_at, ?), updated_at = ? WHERE id = ?`,
			zhudun.IncidentDispatched, u.ID, lent, rec, reason, tx.now, tx.now, x.ID); err != nil {
			return tx.s.internal("incident dispatch", err)
		}
		if err := tx.setUnitState(ctx, u, zhudun.UnitDispatched, zhudun.UnitDispatched, &x.ID); err != nil {
			return err
		}
		nx, err := tx.incidentByID(ctx, x.ID)
		if err != nil {
			return err
		}
		out = nx
		detail := map[string]any{"unit": u.Callsign, "unit_station": u.StationCode, "recommended": d.Recommended, "override_reason": reason}
		if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "incident.dispatch", ObjectType: "incident", ObjectID: itoa(x.ID), Detail: Detail(detail)}); err != nil {
			return err
		}
		if lentPath != "" {
			if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "incident.lend", ObjectType: "incident", ObjectID: itoa(x.ID),
				Detail: Detail(map[string]any{"owner_station": x.StationCode, "lent_station": u.StationCode, "unit": u.Callsign,
					"effect": "the lending station sees the incident while the unit is assigned"})}); err != nil {
				return err
			}
		}
		if err := tx.unitEvent(ctx, "unit.status", u); err != nil {
			return err
		}
		return tx.incidentEvents(ctx, "incident.dispatched", nx, lentPath, lentID)
	})
	return out, err
}

// arrive records the arrival of u at x; the caller audits.
func (tx *Tx) arrive(ctx context.Context, x *zhudun.Incident, u *zhudun.Unit) error {
	if x.Status != zhudun.IncidentDispatched {
		return zhudun.Errorf(zhudun.ECONFLICT, "the incident is %s; only a dispatched incident can be arrived at", x.Status)
	}
	if _, err := tx.exec(ctx, `UPDATE incidents SET status = ?, arrived_at = ?, updated_at = ? WHERE id = ?`, zhudun.IncidentOnScene, tx.now, tx.now, x.ID); err != nil {
		return tx.s.internal("incident arrive", err)
	}
	r := rollupDelta{}
	r.add(x.StationID, 0, x.ReceivedAt, "r", strconv.FormatInt(responseMinutes(x.ReceivedAt, tx.now), 10), 1)
	if err := tx.flushRollup(ctx, r); err != nil {
		return err
	}
	if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "incident.arrive", ObjectType: "incident", ObjectID: itoa(x.ID),
		Detail: Detail(map[string]any{"unit": u.Callsign, "response_seconds": int64(tx.now.Sub(x.ReceivedAt).Seconds())})}); err != nil {
		return err
	}
	nx, err := tx.incidentByID(ctx, x.ID)
	if err != nil {
		return err
	}
	*x = *nx
	lentPath, lentID := "", int64(0)
	if u.StationID != x.StationID {
		lentPath, lentID = u.DeptPath, u.StationID
	}
	return tx.incidentEvents(ctx, "incident.arrived", x, lentPath, lentID)
}

// ArriveIncident records that the assigned unit reached the scene.
func (s *Store) ArriveIncident(ctx context.Context, id int64) (*zhudun.Incident, error) {
	var out *zhudun.Incident
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		x, err := tx.incidentInScope(ctx, id, zhudun.PermIncidentWrite)
		if err != nil {
			return err
		}
		if x.UnitID == nil {
			return zhudun.Errorf(zhudun.ECONFLICT, "no unit is assigned")
		}
		u, err := tx.unitByID(ctx, *x.UnitID)
		if err != nil {
			return err
		}
		if err := tx.arrive(ctx, x, u); err != nil {
			return err
		}
		if err := tx.setUnitState(ctx, u, zhudun.UnitOnScene, zhudun.UnitOnScene, &x.ID); err != nil {
			return err
		}
		out = x
		return tx.unitEvent(ctx, "unit.status", u)
	})
	return out, err
}

// CloseIncident closes an open incident with its outcome; the assigned unit
// patrols again and a loan of sight to its station ends.
func (s *Store) CloseIncident(ctx context.Context, id int64, c zhudun.IncidentClose) (*zhudun.Incident, error) {
	c.Outcome, c.Note, c.CaseRef = strings.TrimSpace(c.Outcome), strings.TrimSpace(c.Note), strings.TrimSpace(c.CaseRef)
	if !zhudun.ValidOutcome(c.Outcome) {
		return nil, zhudun.FieldError("outcome", "outcome must be handled, criminal_case, public_order_case, mediated, rescued or referred")
	}
	if len([]rune(c.Note)) > 1000 {
		return nil, zhudun.FieldError("note", "note must be at most 1000 characters")
	}
	if len([]rune(c.CaseRef)) > 64 {
		return nil, zhudun.FieldError("case_ref", "case_ref must be at most 64 characters")
	}
	var out *zhudun.Incident
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		x, err := tx.incidentInScope(ctx, id, zhudun.PermIncidentWrite)
		if err != nil {
			return err
		}
		if x.Status == zhudun.IncidentClosed {
			return zhudun.Errorf(zhudun.ECONFLICT, "the incident is already closed")
		}
		var u *zhudun.Unit
		lentPath, lentID := "", int64(0)
		if x.UnitID != nil {
			if u, err = tx.unitByID(ctx, *x.UnitID); err != nil {
				return err
			}
			if x.LentTo != "" {
				lentPath, lentID = u.DeptPath, u.StationID
			}
		}
		if _, err := tx.exec(ctx, `UPDATE incidents SET status = ?, closed_at = ?, outcome = ?, note = ?, case_ref = ?, lent_station_id = NULL, updated_at = ? WHERE id = ?`,
			zhudun.IncidentClosed, tx.now, c.Outcome, c.Note, c.CaseRef, tx.now, x.ID); err != nil {
			return tx.s.internal("incident close", err)
		}
		r := rollupDelta{}
		r.add(x.StationID, x.GridID, x.ReceivedAt, "o", "", -1)
		r.add(x.StationID, x.GridID, x.ReceivedAt, "o", c.Outcome, 1)
		if err := tx.flushRollup(ctx, r); err != nil {
			return err
		}
		detail := map[string]any{"outcome": c.Outcome, "case_ref": c.CaseRef}
		if x.LentTo != "" {
			detail["lend_ended"] = x.LentTo
		}
		if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "incident.close", ObjectType: "incident", ObjectID: itoa(x.ID), Detail: Detail(detail)}); err != nil {
			return err
		}
		if u != nil && u.IncidentID != nil && *u.IncidentID == x.ID {
			if err := tx.setUnitState(ctx, u, zhudun.UnitPatrolling, zhudun.UnitPatrolling, nil); err != nil {
				return err
			}
			if err := tx.unitEvent(ctx, "unit.status", u); err != nil {
				return err
			}
		}
		nx, err := tx.incidentByID(ctx, x.ID)
		if err != nil {
			return err
		}
		out = nx
		return tx.incidentEvents(ctx, "incident.closed", nx, lentPath, lentID)
	})
	return out, err
}

// RevealIncidentPII returns the caller's phone in clear to a holder of
// pii:view whose scope covers the incident, and audits the view.
func (s *Store) RevealIncidentPII(ctx context.Context, id int64, reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) < 4 || len([]rune(reason)) > 200 {
		return "", zhudun.FieldError("reason", "state the reason for the query (查询事由), 4–200 characters")
	}
	var phone string
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		pred, args, err := incidentScope(ctx, zhudun.PermPIIView)
		if err != nil {
			return err
		}
		var enc string
		err = tx.queryRow(ctx, `SELECT i.phone_enc`+incidentFrom+` WHERE `+pred+` AND i.id = ?`, append(args, id)...).Scan(&enc)
		if errors.Is(err, sql.ErrNoRows) {
			return zhudun.Errorf(zhudun.ENOTFOUND, "incident not found")
		}
		if err != nil {
			return tx.s.internal("incident pii", err)
		}
		if enc != "" {
			b, err := tx.s.keys.Open(enc, incidentAAD(id))
			if err != nil {
				return tx.s.internal("pii open", err)
			}
			phone = string(b)
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "pii.view", ObjectType: "incident", ObjectID: itoa(id),
			Detail: Detail(map[string]any{"reason": reason, "fields": []string{"caller_phone"}})})
	})
	return phone, err
}
