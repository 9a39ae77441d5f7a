package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/pii"
)

// E-bike fire safety (issue 15, docs/fire.md): intake and reads. The
// escalation is in firestep.go, the statistics in firestats.go.

var _ zhudun.FireStore = (*Store)(nil)

// firePred is the data scope of reports (alias fr, station sd) for perm.
func firePred(ctx context.Context, perm zhudun.Permission) (string, []any, error) {
	f, err := zhudun.ScopeFor(ctx, perm)
	if err != nil {
		return "", nil, err
	}
	return scopeSQL(f, scopeCols{Path: "sd.path", DeptID: "fr.station_id"})
}

func fireAAD(id int64, field string) []byte {
	return []byte("fire_reports/" + strconv.FormatInt(id, 10) + "/" + field)
}

const fireSelect = `SELECT fr.id, fr.token, fr.service_code, fr.description, fr.attributes, fr.lat_text, fr.long_text, fr.lon, fr.lat,
	fr.address, fr.address_id, fr.zipcode, g.code, fr.station_id, sd.path, sd.code, sd.name, COALESCE(pd.code, ''), COALESCE(pd.name, ''),
	fr.reporter_kind, fr.source, fr.name_mask, fr.phone_mask, fr.email_mask, fr.media_url, fr.media_name, fr.status, fr.deadline,
	fr.escalated_at, fr.referred_to, fr.place_id, fp.flagged_at, fr.case_id, fr.requested_at, fr.updated_at, fr.closed_at
	FROM fire_reports fr JOIN grids g ON g.id = fr.grid_id JOIN depts sd ON sd.id = fr.station_id LEFT JOIN depts pd ON pd.id = sd.parent_id
	JOIN fire_places fp ON fp.id = fr.place_id`

func (s *Store) scanFire(r scanner) (*zhudun.FireReport, error) {
	var x zhudun.FireReport
	var attrs string
	var esc, flagged, closed sql.NullTime
	var caseID sql.NullInt64
	if err := r.Scan(&x.ID, &x.Token, &x.ServiceCode, &x.Description, &attrs, &x.Lat, &x.Long, &x.Lon, &x.LatV,
		&x.Address, &x.AddressID, &x.Zipcode, &x.GridCode, &x.StationID, &x.StationPath, &x.Station, &x.StationName, &x.District, &x.DistrictName,
		&x.ReporterKind, &x.Source, &x.ReporterName, &x.PhoneMasked, &x.EmailMasked, &x.MediaURL, &x.MediaID, &x.Status, &x.Deadline,
		&esc, &x.ReferredTo, &x.PlaceID, &flagged, &caseID, &x.RequestedAt, &x.UpdatedAt, &closed); err != nil {
		return nil, err
	}
	x.Attributes = map[string][]string{}
	if err := json.Unmarshal([]byte(attrs), &x.Attributes); err != nil {
		return nil, err
	}
	x.RequestedAt, x.UpdatedAt = x.RequestedAt.UTC(), x.UpdatedAt.UTC()
	if esc.Valid {
		t := esc.Time.UTC()
		x.EscalatedAt = &t
	}
	if closed.Valid {
		t := closed.Time.UTC()
		x.ClosedAt = &t
	}
	x.Repeat = flagged.Valid
	x.CaseID = caseID.Int64
	x.Overdue = zhudun.IsFireOrderOverdue(x.Status, x.Deadline, s.clock())
	x.Steps, x.RepeatOf = []zhudun.FireStep{}, []int64{}
	return &x, nil
}

// fireLocation is where a report is: the point, the address and the
// strings Open311 returns.
type fireLocation struct {
	lon, lat        float64
	latText, lonTxt string
	address, addrID string
}

// parseDegrees reads a decimal degree within [-lim, lim].
func parseDegrees(s string, lim float64) (float64, bool) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < -lim || v > lim {
		return 0, false
	}
	return v, true
}

// locate resolves a report's place: lat/long as sent, else the standard
// address of address_id, else the shortest standard address containing
// address_string (the local address table, as the address box's).
func (tx *Tx) locate(ctx context.Context, n *zhudun.NewFireReport) (*fireLocation, error) {
	l := &fireLocation{address: strings.TrimSpace(n.AddressText), addrID: strings.TrimSpace(n.AddressID)}
	if n.Lat != "" {
		lat, ok1 := parseDegrees(n.Lat, 90)
		lon, ok2 := parseDegrees(n.Long, 180)
		if !ok1 || !ok2 {
			return nil, zhudun.FieldError("lat", "lat and long are WGS-84 decimal degrees")
		}
		l.lat, l.lon, l.latText, l.lonTxt = lat, lon, n.Lat, n.Long
	}
	var row *sql.Row
	switch {
	case l.addrID != "":
		id, err := strconv.ParseInt(l.addrID, 10, 64)
		if err != nil || id <= 0 {
			return nil, zhudun.FieldError("address_id", "unknown address_id")
		}
		row = tx.queryRow(ctx, `SELECT id, address, lon, lat FROM std_addresses WHERE id = ?`, id)
	case n.Lat == "":
		q := l.address
		if utf8.RuneCountInString(q) < 2 {
			return nil, zhudun.FieldError("address_string", "an address of at least 2 characters")
		}
		row = tx.queryRow(ctx, `SELECT id, address, lon, lat FROM std_addresses WHERE LOWER(address) LIKE ? ESCAPE '\'
			ORDER BY LENGTH(address), id LIMIT 1`, likeArg(q))
	default:
		return l, nil
	}
	var id int64
	var addr string
	var lon, lat float64
	if err := row.Scan(&id, &addr, &lon, &lat); errors.Is(err, sql.ErrNoRows) {
		if l.addrID != "" {
			return nil, zhudun.FieldError("address_id", "unknown address_id")
		}
		return nil, zhudun.FieldError("address_string", "the address is not in the standard address table; send lat and long")
	} else if err != nil {
		return nil, tx.s.internal("fire address", err)
	}
	l.addrID = strconv.FormatInt(id, 10)
	if l.address == "" {
		l.address = addr
	}
	if n.Lat == "" {
		l.lon, l.lat = lon, lat
		l.latText, l.lonTxt = strconv.FormatFloat(lat, 'f', -1, 64), strconv.FormatFloat(lon, 'f', -1, 64)
	}
	return l, nil
}

// firePlaceLock is the base of the per-station locks of placeFor.
const firePlaceLock = 0x7a6866700000 // "zhfp" and the station's id

// placeFor finds the place of a new report — the nearest place within
// RepeatRadiusM, or the one of the same standard address, whose last
// report is within RepeatWindow — and counts the report there (the count
// and the repeat flag in one statement), or opens a new place. It
// returns the place and whether it is now a repeat location.
func (tx *Tx) placeFor(ctx context.Context, l *fireLocation, stationID int64) (int64, bool, error) {
	// Two first reports of one place at once would otherwise both find no
	// place and open two (PostgreSQL at READ COMMITTED; SQLite has one
	// writer): places are per station, so intake is serialised per
	// station, at a rate of people reporting.
	if lk, ok := tx.s.dialect.(XactLocker); ok {
		if err := lk.LockXact(ctx, tx.Tx, firePlaceLock+stationID); err != nil {
			return 0, false, tx.s.internal("fire place lock", err)
		}
	}
	since := tx.now.Add(-zhudun.RepeatWindow)
	dLat := zhudun.RepeatRadiusM / 111_000.0
	dLon := dLat / math.Max(0.1, math.Cos(l.lat*math.Pi/180))
	rows, err := tx.query(ctx, `SELECT id, lon, lat, address_id FROM fire_places WHERE last_at >= ? AND
		((lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?) OR (address_id <> '' AND address_id = ?)) ORDER BY id`,
		since, l.lat-dLat, l.lat+dLat, l.lon-dLon, l.lon+dLon, l.addrID)
	if err != nil {
		return 0, false, tx.s.internal("fire places", err)
	}
	best, bestD := int64(0), math.Inf(1)
	for rows.Next() {
		var id int64
		var lon, lat float64
		var aid string
		if err := rows.Scan(&id, &lon, &lat, &aid); err != nil {
			rows.Close()
			return 0, false, tx.s.internal("fire place scan", err)
		}
		d := zhudun.DistanceM(l.lon, l.lat, lon, lat)
		if l.addrID != "" && aid == l.addrID {
			d = 0
		}
		if d <= zhudun.RepeatRadiusM && d < bestD {
			best, bestD = id, d
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, false, tx.s.internal("fire places rows", err)
	}
	if best != 0 {
		var n int
		if err := tx.queryRow(ctx, `UPDATE fire_places SET reports = reports + 1, last_at = ?, flagged_at = COALESCE(flagged_at, ?)
			WHERE id = ? RETURNING reports`, tx.now, tx.now, best).Scan(&n); err != nil {
			return 0, false, tx.s.internal("fire place count", err)
		}
		return best, n >= 2, nil
	}
	var id int64
	if err := tx.queryRow(ctx, `INSERT INTO fire_places (station_id, lon, lat, address, address_id, reports, last_at) VALUES (?, ?, ?, ?, ?, 1, ?) RETURNING id`,
		stationID, l.lon, l.lat, l.address, l.addrID, tx.now).Scan(&id); err != nil {
		return 0, false, tx.s.internal("fire place insert", err)
	}
	return id, false, nil
}

func newFireToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// maskName keeps a name's first character.
func maskName(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) == 0 {
		return ""
	}
	return string(r[0]) + strings.Repeat("*", max(1, len(r)-1))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// maskEmail keeps the first character and the domain.
func maskEmail(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 {
		return ""
	}
	return string([]rune(s)[0]) + "***" + s[at:]
}

// CreateFireReportFromSource takes a report posted with the API key of an
// enabled open311 source (Open311 POST requests). The source is the audit
// actor; the reporter's kind comes from attribute reporter_kind.
func (s *Store) CreateFireReportFromSource(ctx context.Context, src *zhudun.Source, n zhudun.NewFireReport) (*zhudun.FireReport, error) {
	if src == nil || src.Kind != zhudun.SourceOpen311 || src.Disabled {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "the API key is not an Open311 source's")
	}
	n.UnitID = 0
	kind := ""
	if v := n.Attributes["reporter_kind"]; len(v) == 1 {
		kind = v[0]
	}
	n.ReporterKind = kind
	return s.createFire(sourceCaller(ctx, src), n, src.Name)
}

// CreateFireReport takes a report from the patrol page (fire:write): the
// point is the unit's position as the page sent it; the station must be in
// the caller's fire:write scope.
func (s *Store) CreateFireReport(ctx context.Context, n zhudun.NewFireReport) (*zhudun.FireReport, error) {
	f, err := zhudun.ScopeFor(ctx, zhudun.PermFireWrite)
	if err != nil {
		return nil, err
	}
	n.ReporterKind = zhudun.ReporterPatrol
	if n.Attributes == nil {
		n.Attributes = map[string][]string{}
	}
	// The patrol page is not a reporter of the public lists.
	n.Attributes["reporter_kind"] = []string{zhudun.ReporterResident}
	n.FirstName, n.LastName, n.Phone, n.Email, n.AccountID, n.DeviceID = "", "", "", "", "", ""
	ctx = context.WithValue(ctx, fireScopeKey{}, f)
	return s.createFire(ctx, n, "patrol")
}

type fireScopeKey struct{}

func (s *Store) createFire(ctx context.Context, n zhudun.NewFireReport, source string) (*zhudun.FireReport, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	svc, _ := zhudun.FireServiceByCode(n.ServiceCode)
	attrs, err := zhudun.CheckFireAttributes(svc, n.Attributes, s.clock())
	if err != nil {
		return nil, err
	}
	if n.ReporterKind == "" {
		n.ReporterKind = attrs["reporter_kind"][0]
	}
	phone := ""
	if strings.TrimSpace(n.Phone) != "" {
		if phone, err = pii.NormalizePhone(n.Phone); err != nil {
			return nil, zhudun.FieldError("phone", "%s", zhudun.ErrorMessage(err))
		}
	}
	var mediaType string
	if len(n.Media) > 0 {
		if mediaType, err = sniffFireMedia(n.Media); err != nil {
			return nil, err
		}
	}
	// Phone and ID numbers typed into the free text are masked as they
	// come in: the reporter's contact belongs in the sealed phone field,
	// and a description is shown to officers and, masked, to the public.
	n.Description = pii.MaskText(n.Description)
	for k, vs := range attrs {
		for i := range vs {
			vs[i] = pii.MaskText(vs[i])
		}
		attrs[k] = vs
	}
	attrJSON, _ := json.Marshal(attrs)
	var id int64
	err = s.write(ctx, func(ctx context.Context, tx *Tx) error {
		l, err := tx.locate(ctx, &n)
		if err != nil {
			return err
		}
		g, err := tx.gridAt(ctx, l.lon, l.lat)
		if errors.Is(err, sql.ErrNoRows) {
			return zhudun.FieldError("lat", "the location is outside the city's patrol grids")
		}
		if err != nil {
			return err
		}
		if f, ok := ctx.Value(fireScopeKey{}).(zhudun.ScopeFilter); ok && !f.Covers(g.DeptPath, g.StationID, 0) {
			return zhudun.FieldError("lat", "the location lies in a grid outside your area")
		}
		place, repeat, err := tx.placeFor(ctx, l, g.StationID)
		if err != nil {
			return err
		}
		var unit any
		if n.UnitID > 0 {
			unit = n.UnitID
		}
		media := ""
		if mediaType != "" {
			media = newFireToken()
		}
		if err := tx.queryRow(ctx, `INSERT INTO fire_reports (token, service_code, description, attributes, lat_text, long_text, lon, lat,
			address, address_id, zipcode, grid_id, station_id, place_id, reporter_kind, source, media_url, media_name, unit_id, status,
			created_by, requested_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			newFireToken(), n.ServiceCode, n.Description, string(attrJSON), l.latText, l.lonTxt, l.lon, l.lat, l.address, l.addrID,
			strings.TrimSpace(n.Zipcode), g.ID, g.StationID, place, n.ReporterKind, source, n.MediaURL, media, unit,
			zhudun.FireInvestigating, zhudun.CallerFrom(ctx).Username, tx.now, tx.now).Scan(&id); err != nil {
			return tx.s.internal("fire insert", err)
		}
		if err := tx.sealReporter(ctx, id, &n, phone); err != nil {
			return err
		}
		if mediaType != "" {
			if err := tx.insertFirePhoto(ctx, id, nil, "media", mediaType, n.Media); err != nil {
				return err
			}
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "fire.report.create", ObjectType: "fire_report", ObjectID: itoa(id),
			Detail: Detail(map[string]any{"service_code": n.ServiceCode, "station": g.StationCode, "grid": g.Code, "source": source,
				"reporter_kind": n.ReporterKind, "place": place, "repeat": repeat, "media": mediaType != "",
				"reporter_contact": phone != "" || n.Email != ""})})
	})
	if err != nil {
		return nil, err
	}
	x, err := s.fireByID(ctx, id)
	if err != nil {
		return nil, err
	}
	x.AccountID = n.AccountID
	return x, nil
}

// sealReporter seals the reporter's personal data, bound to the row.
func (tx *Tx) sealReporter(ctx context.Context, id int64, n *zhudun.NewFireReport, phone string) error {
	// A Chinese name is family name then given name, without a space.
	last, first := strings.TrimSpace(n.LastName), strings.TrimSpace(n.FirstName)
	name := last + first
	if isASCII(last) && isASCII(first) {
		name = strings.TrimSpace(first + " " + last)
	}
	type f struct{ col, field, v, mask, mcol string }
	fields := []f{{"name_enc", "name", name, maskName(name), "name_mask"}, {"phone_enc", "phone", phone, pii.MaskPhone(phone), "phone_mask"},
		{"email_enc", "email", strings.TrimSpace(n.Email), maskEmail(strings.TrimSpace(n.Email)), "email_mask"},
		{"account_enc", "account", strings.TrimSpace(n.AccountID), "", ""}, {"device_enc", "device", strings.TrimSpace(n.DeviceID), "", ""}}
	for _, x := range fields {
		if x.v == "" {
			continue
		}
		enc, err := tx.s.keys.Seal([]byte(x.v), fireAAD(id, x.field))
		if err != nil {
			return tx.s.internal("fire seal", err)
		}
		q, args := `UPDATE fire_reports SET `+x.col+` = ?`, []any{enc}
		if x.mcol != "" {
			q, args = q+`, `+x.mcol+` = ?`, append(args, x.mask)
		}
		if x.field == "phone" {
			q, args = q+`, phone_idx = ?`, append(args, tx.s.keys.Index("phone", phone))
		}
		if _, err := tx.exec(ctx, q+` WHERE id = ?`, append(args, id)...); err != nil {
			return tx.s.internal("fire seal write", err)
		}
	}
	return nil
}

// fireByID loads a report without a scope check (after a write).
func (s *Store) fireByID(ctx context.Context, id int64) (*zhudun.FireReport, error) {
	x, err := s.scanFire(s.queryRow(ctx, fireSelect+` WHERE fr.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "report %d not found", id)
	}
	if err != nil {
		return nil, s.internal("fire load", err)
	}
	return x, s.fireDetails(ctx, s, []*zhudun.FireReport{x})
}

// fireDetails fills the steps and the earlier reports of the same place.
func (s *Store) fireDetails(ctx context.Context, q querier, xs []*zhudun.FireReport) error {
	for _, x := range xs {
		rows, err := q.query(ctx, `SELECT id, action, from_status, to_status, note, target, target_dept, deadline, decision, amount_fen,
			legal_basis, consequence, case_id, actor, at FROM fire_steps WHERE report_id = ? ORDER BY id`, x.ID)
		if err != nil {
			return s.internal("fire steps", err)
		}
		for rows.Next() {
			var st zhudun.FireStep
			var cid sql.NullInt64
			if err := rows.Scan(&st.ID, &st.Action, &st.From, &st.To, &st.Note, &st.Target, &st.TargetDept, &st.Deadline, &st.Decision,
				&st.AmountFen, &st.LegalBasis, &st.Consequence, &cid, &st.Actor, &st.At); err != nil {
				rows.Close()
				return s.internal("fire step scan", err)
			}
			st.CaseID, st.At, st.Photos = cid.Int64, st.At.UTC(), []int64{}
			x.Steps = append(x.Steps, st)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return s.internal("fire steps rows", err)
		}
		prows, err := q.query(ctx, `SELECT id, step_id FROM fire_photos WHERE report_id = ? AND step_id IS NOT NULL ORDER BY id`, x.ID)
		if err != nil {
			return s.internal("fire step photos", err)
		}
		for prows.Next() {
			var pid, sid int64
			if err := prows.Scan(&pid, &sid); err != nil {
				prows.Close()
				return s.internal("fire step photo scan", err)
			}
			for i := range x.Steps {
				if x.Steps[i].ID == sid {
					x.Steps[i].Photos = append(x.Steps[i].Photos, pid)
				}
			}
		}
		prows.Close()
		rrows, err := q.query(ctx, `SELECT id FROM fire_reports WHERE place_id = ? AND id < ? AND requested_at >= ? ORDER BY id`,
			x.PlaceID, x.ID, x.RequestedAt.Add(-zhudun.RepeatWindow))
		if err != nil {
			return s.internal("fire repeats", err)
		}
		for rrows.Next() {
			var rid int64
			if err := rrows.Scan(&rid); err != nil {
				rrows.Close()
				return s.internal("fire repeat scan", err)
			}
			x.RepeatOf = append(x.RepeatOf, rid)
		}
		rrows.Close()
	}
	return nil
}

// fireWhere adds a filter's predicates.
func fireWhere(w *where, f zhudun.FireFilter) {
	if len(f.IDs) > 0 {
		ph := strings.TrimSuffix(strings.Repeat("?, ", len(f.IDs)), ", ")
		args := make([]any, len(f.IDs))
		for i, id := range f.IDs {
			args[i] = id
		}
		w.add("fr.id IN ("+ph+")", args...)
	}
	if f.ServiceCode != "" {
		w.add("fr.service_code = ?", f.ServiceCode)
	}
	switch f.Status {
	case "":
	case "open":
		w.add("fr.closed_at IS NULL")
	case "closed":
		w.add("fr.closed_at IS NOT NULL")
	default:
		w.add("fr.status = ?", f.Status)
	}
	if f.Station != "" {
		w.add("sd.code = ?", f.Station)
	}
	if f.Repeat {
		w.add("fp.flagged_at IS NOT NULL")
	}
	if !f.From.IsZero() {
		w.add("fr.requested_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		w.add("fr.requested_at <= ?", f.To.UTC())
	}
}

// PublicFireReports lists reports for the public Open311 reads: no caller
// needed, the filter's window (the handler defaults it to 90 days) and at
// most 1000 rows, newest first. Callers must show only public fields.
func (s *Store) PublicFireReports(ctx context.Context, f zhudun.FireFilter) ([]*zhudun.FireReport, error) {
	var w where
	fireWhere(&w, f)
	lim := f.Limit
	if lim <= 0 || lim > 1000 {
		lim = 1000
	}
	rows, err := s.query(ctx, fireSelect+w.sql()+` ORDER BY fr.requested_at DESC, fr.id DESC LIMIT ?`, append(w.args, lim)...)
	if err != nil {
		return nil, s.internal("fire public", err)
	}
	defer rows.Close()
	out := []*zhudun.FireReport{}
	for rows.Next() {
		x, err := s.scanFire(rows)
		if err != nil {
			return nil, s.internal("fire public scan", err)
		}
		out = append(out, x)
	}
	return out, s.internalIf("fire public rows", rows.Err())
}

// FireReportByToken resolves an Open311 token (public).
func (s *Store) FireReportByToken(ctx context.Context, token string) (*zhudun.FireReport, error) {
	if len(token) != 32 || strings.Trim(token, "0123456789abcdef") != "" {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "token not found")
	}
	x, err := s.scanFire(s.queryRow(ctx, fireSelect+` WHERE fr.token = ?`, token))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "token not found")
	}
	if err != nil {
		return nil, s.internal("fire token", err)
	}
	return x, nil
}

// FindFireReports lists the reports of the caller's fire:read scope,
// newest first.
func (s *Store) FindFireReports(ctx context.Context, f zhudun.FireFilter) ([]*zhudun.FireReport, int, error) {
	pred, args, err := firePred(ctx, zhudun.PermFireRead)
	if err != nil {
		return nil, 0, err
	}
	w := where{parts: []string{pred}, args: args}
	if f.Status == zhudun.FireOverdue {
		// An order whose deadline (a whole China day) has passed: the
		// same test as IsFireOrderOverdue, as the list marks each row.
		f.Status = zhudun.FireOrdered
		w.add("fr.deadline <> '' AND fr.deadline < ?", tx0Day(s.clock()))
	}
	fireWhere(&w, f)
	from := ` FROM fire_reports fr JOIN depts sd ON sd.id = fr.station_id JOIN fire_places fp ON fp.id = fr.place_id`
	var total int
	if err := s.queryRow(ctx, `SELECT COUNT(*)`+from+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, s.internal("fire count", err)
	}
	off, lim := page(f.Offset, f.Limit)
	rows, err := s.query(ctx, fireSelect+w.sql()+` ORDER BY fr.requested_at DESC, fr.id DESC LIMIT ? OFFSET ?`, append(w.args, lim, off)...)
	if err != nil {
		return nil, 0, s.internal("fire list", err)
	}
	out := []*zhudun.FireReport{}
	for rows.Next() {
		x, err := s.scanFire(rows)
		if err != nil {
			rows.Close()
			return nil, 0, s.internal("fire scan", err)
		}
		out = append(out, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, s.internal("fire rows", err)
	}
	return out, total, nil
}

// FindFireReportByID returns a report of the caller's fire:read scope
// with its steps; outside it, ENOTFOUND.
func (s *Store) FindFireReportByID(ctx context.Context, id int64) (*zhudun.FireReport, error) {
	return s.fireInScope(ctx, s, id, zhudun.PermFireRead)
}

func (s *Store) fireInScope(ctx context.Context, q querier, id int64, perm zhudun.Permission) (*zhudun.FireReport, error) {
	pred, args, err := firePred(ctx, perm)
	if err != nil {
		return nil, err
	}
	x, err := s.scanFire(q.queryRow(ctx, fireSelect+` WHERE `+pred+` AND fr.id = ?`, append(args, id)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "report %d not found", id)
	}
	if err != nil {
		return nil, s.internal("fire load", err)
	}
	return x, s.fireDetails(ctx, q, []*zhudun.FireReport{x})
}

// FirePlaces lists the repeat locations of the caller's fire:read scope
// (the map layer), the latest first, at most 2000.
func (s *Store) FirePlaces(ctx context.Context) ([]*zhudun.FirePlace, error) {
	f, err := zhudun.ScopeFor(ctx, zhudun.PermFireRead)
	if err != nil {
		return nil, err
	}
	pred, args, err := scopeSQL(f, scopeCols{Path: "sd.path", DeptID: "fp.station_id"})
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT fp.id, fp.lon, fp.lat, fp.address, sd.code, fp.reports, fp.flagged_at, fp.last_at FROM fire_places fp
		JOIN depts sd ON sd.id = fp.station_id WHERE `+pred+` AND fp.flagged_at IS NOT NULL ORDER BY fp.last_at DESC, fp.id LIMIT 2000`, args...)
	if err != nil {
		return nil, s.internal("fire places", err)
	}
	defer rows.Close()
	out := []*zhudun.FirePlace{}
	for rows.Next() {
		var p zhudun.FirePlace
		if err := rows.Scan(&p.ID, &p.Lon, &p.Lat, &p.Address, &p.Station, &p.Reports, &p.FlaggedAt, &p.LastAt); err != nil {
			return nil, s.internal("fire place scan", err)
		}
		p.FlaggedAt, p.LastAt = p.FlaggedAt.UTC(), p.LastAt.UTC()
		out = append(out, &p)
	}
	return out, s.internalIf("fire places rows", rows.Err())
}

// RevealFireReporter returns a report's reporter in clear (name, phone,
// e-mail) to a holder of pii:view whose fire:read scope covers the
// report, and audits the view with its reason (pii.view).
func (s *Store) RevealFireReporter(ctx context.Context, id int64, reason string) (*zhudun.FireReporter, error) {
	reason = strings.TrimSpace(reason)
	if n := len([]rune(reason)); n < 4 || n > 200 {
		return nil, zhudun.FieldError("reason", "state the reason for the query (查询事由), 4–200 characters")
	}
	if !zhudun.CallerFrom(ctx).Has(zhudun.PermPIIView) {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission pii:view required")
	}
	out := &zhudun.FireReporter{}
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.s.fireInScope(ctx, tx, id, zhudun.PermFireRead); err != nil {
			return err
		}
		var name, phone, email string
		if err := tx.queryRow(ctx, `SELECT name_enc, phone_enc, email_enc FROM fire_reports WHERE id = ?`, id).Scan(&name, &phone, &email); err != nil {
			return tx.s.internal("fire reporter", err)
		}
		for _, f := range []struct {
			enc, field string
			dst        *string
		}{{name, "name", &out.Name}, {phone, "phone", &out.Phone}, {email, "email", &out.Email}} {
			if f.enc == "" {
				continue
			}
			b, err := tx.s.keys.Open(f.enc, fireAAD(id, f.field))
			if err != nil {
				return tx.s.internal("fire reporter open", err)
			}
			*f.dst = string(b)
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "pii.view", ObjectType: "fire_report", ObjectID: itoa(id),
			Detail: Detail(map[string]any{"reason": reason, "fields": []string{"name", "phone", "email"}})})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
