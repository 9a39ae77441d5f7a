package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/pii"
)

// 铸盾 (issue 16, docs/zhudun.md): communities, the level rule, safe
// units and grid targets. Cameras are in shieldcamera.go, the monthly
// figures and the statistics in shieldreport.go.

var _ zhudun.ZhudunService = (*Store)(nil)

// zdPred is the data scope of a 铸盾 table aliased x, joined with its
// station as sd: a station sees its own, a subtree its stations', scope
// all everything; anything else fails closed.
func zdPred(ctx context.Context, perm zhudun.Permission) (string, []any, error) {
	f, err := zhudun.ScopeFor(ctx, perm)
	if err != nil {
		return "", nil, err
	}
	return scopeSQL(f, scopeCols{Path: "sd.path", DeptID: "x.station_id"})
}

// zdStation resolves an active station of the caller's zhudun:write scope,
// caching by code.
func (tx *Tx) zdStation(ctx context.Context, code string, cache map[string]*zhudun.Dept) (*zhudun.Dept, error) {
	if d, ok := cache[code]; ok {
		return d, nil
	}
	d, err := tx.deptInScope(ctx, code, zhudun.PermZhudunWrite)
	if err != nil {
		return nil, zhudun.FieldError("station", "%s", zhudun.ErrorMessage(err))
	}
	if d.Kind != zhudun.DeptStation || d.Disabled {
		return nil, zhudun.FieldError("station", "%s is not an active station", code)
	}
	cache[code] = d
	return d, nil
}

func zdWriter(ctx context.Context) error {
	if !zhudun.CallerFrom(ctx).Has(zhudun.PermZhudunWrite) {
		return zhudun.Errorf(zhudun.EFORBIDDEN, "permission zhudun:write required")
	}
	return nil
}

func communityAAD(id int64) []byte {
	return []byte("zd_community_contacts/" + strconv.FormatInt(id, 10) + "/phone")
}

// levelRule returns the edition in force: the newest stored, else the
// built-in edition 1.
func (s *Store) levelRule(ctx context.Context, q querier) (zhudun.LevelRule, error) {
	var body string
	err := q.queryRow(ctx, `SELECT body FROM zd_level_rules ORDER BY version DESC LIMIT 1`).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return zhudun.DefaultLevelRule(), nil
	}
	if err != nil {
		return zhudun.LevelRule{}, s.internal("level rule", err)
	}
	var r zhudun.LevelRule
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		return zhudun.LevelRule{}, s.internal("level rule decode", err)
	}
	return r, nil
}

// LevelRule returns the level rule in force (zhudun:read).
func (s *Store) LevelRule(ctx context.Context) (zhudun.LevelRule, error) {
	if !zhudun.CallerFrom(ctx).Has(zhudun.PermZhudunRead) && !zhudun.CallerFrom(ctx).Has(zhudun.PermZhudunWrite) {
		return zhudun.LevelRule{}, zhudun.Errorf(zhudun.EFORBIDDEN, "permission zhudun:read required")
	}
	return s.levelRule(ctx, s)
}

// cityWideWriter checks that the caller keeps the bureau's own 铸盾 data
// (what names it): zhudun:write at the whole city's scope (scope all, or
// the subtree at the root department).
func (s *Store) cityWideWriter(ctx context.Context, what string) error {
	if err := zdWriter(ctx); err != nil {
		return err
	}
	f, err := zhudun.ScopeFor(ctx, zhudun.PermZhudunWrite)
	if err != nil {
		return err
	}
	var rootPath string
	if err := s.queryRow(ctx, `SELECT path FROM depts WHERE code = ?`, zhudun.RootDeptCode).Scan(&rootPath); err != nil {
		return s.internal("root dept", err)
	}
	if f.Kind != zhudun.ScopeAll && !(f.Kind == zhudun.ScopeSubtree && f.DeptPath == rootPath) {
		return zhudun.Errorf(zhudun.EFORBIDDEN, "%s is the bureau's: a city-wide zhudun:write scope is required", what)
	}
	return nil
}

// SaveLevelRule stores a new edition of the rule and recomputes every
// community's score and level under it in the same transaction. Only a
// caller whose zhudun:write scope is the whole city edits the bureau's
// dictionary. Audited zhudun.rule.save.
func (s *Store) SaveLevelRule(ctx context.Context, r zhudun.LevelRule) (zhudun.LevelRule, error) {
	if err := s.cityWideWriter(ctx, "the level rule"); err != nil {
		return r, err
	}
	if err := r.Validate(); err != nil {
		return r, err
	}
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		cur, err := tx.s.levelRule(ctx, tx)
		if err != nil {
			return err
		}
		r.Version, r.CreatedBy, r.CreatedAt = cur.Version+1, zhudun.CallerFrom(ctx).Username, tx.now.UTC()
		body, _ := json.Marshal(r)
		if _, err := tx.exec(ctx, `INSERT INTO zd_level_rules (version, body, created_by, created_at) VALUES (?, ?, ?, ?)`,
			r.Version, string(body), r.CreatedBy, tx.now); err != nil {
			if tx.s.dialect.IsUniqueViolation(err) {
				return zhudun.Errorf(zhudun.ECONFLICT, "the rule was changed meanwhile; reload it")
			}
			return tx.s.internal("level rule insert", err)
		}
		rows, err := tx.query(ctx, `SELECT id, households, facilities, score, level FROM zd_communities`)
		if err != nil {
			return tx.s.internal("level recompute", err)
		}
		type upd struct {
			id      int64
			score   int
			level   string
			changed bool
		}
		var ups []upd
		for rows.Next() {
			var id int64
			var hh, oldScore int
			var fac, oldLevel string
			if err := rows.Scan(&id, &hh, &fac, &oldScore, &oldLevel); err != nil {
				rows.Close()
				return tx.s.internal("level recompute scan", err)
			}
			m := map[string]int{}
			_ = json.Unmarshal([]byte(fac), &m)
			sc, lv := r.Score(hh, m)
			ups = append(ups, upd{id, sc, lv, sc != oldScore || lv != oldLevel})
		}
		rows.Close()
		for _, u := range ups {
			if _, err := tx.exec(ctx, `UPDATE zd_communities SET score = ?, level = ?, rule_version = ? WHERE id = ?`, u.score, u.level, r.Version, u.id); err != nil {
				return tx.s.internal("level recompute update", err)
			}
			if u.changed {
				if err := tx.recordLevel(ctx, u.id, u.level, u.score, r.Version); err != nil {
					return err
				}
			}
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "zhudun.rule.save", ObjectType: "level_rule", ObjectID: fmt.Sprint(r.Version),
			Detail: Detail(map[string]any{"version": r.Version, "criteria": r.Criteria, "smart": r.Smart, "basic": r.Basic, "communities": len(ups)})})
	})
	return r, err
}

const communitySelect = `SELECT x.id, x.code, x.name, x.address, x.district, x.station_id, sd.path, sd.code, sd.name, x.grid, x.lon, x.lat,
	x.boundary, x.households, x.property_company, x.facilities, x.score, x.level, x.rule_version, x.generated, x.created_at, x.updated_at
	FROM zd_communities x JOIN depts sd ON sd.id = x.station_id`

func scanCommunity(r scanner) (*zhudun.Community, error) {
	var c zhudun.Community
	var lon, lat sql.NullFloat64
	var boundary, fac string
	if err := r.Scan(&c.ID, &c.Code, &c.Name, &c.Address, &c.District, &c.StationID, &c.StationPath, &c.Station, &c.StationName, &c.Grid,
		&lon, &lat, &boundary, &c.Households, &c.PropertyCompany, &fac, &c.Score, &c.Level, &c.RuleVersion, &c.Generated,
		&c.CreatedAt, &c.UpdatedAt); err != nil {
		return nil, err
	}
	if lon.Valid && lat.Valid {
		c.Lon, c.Lat = &lon.Float64, &lat.Float64
	}
	if boundary != "" {
		_ = json.Unmarshal([]byte(boundary), &c.Boundary)
	}
	c.Facilities = map[string]int{}
	_ = json.Unmarshal([]byte(fac), &c.Facilities)
	c.Contacts = []zhudun.PropertyContact{}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, nil
}

// recordLevel keeps a community's level from now on (zd_community_levels,
// migration 0040): the statistics of a past day read the level in force
// then. Called wherever a level is computed anew and differs.
func (tx *Tx) recordLevel(ctx context.Context, id int64, level string, score, version int) error {
	if _, err := tx.exec(ctx, `INSERT INTO zd_community_levels (community_id, level, score, rule_version, valid_from) VALUES (?, ?, ?, ?, ?)`,
		id, level, score, version, tx.now); err != nil {
		return tx.s.internal("community level history", err)
	}
	return nil
}

// insertCommunity stores one validated community in tx; it does not audit.
func (tx *Tx) insertCommunity(ctx context.Context, n *zhudun.NewCommunity, rule zhudun.LevelRule, stations map[string]*zhudun.Dept) (int64, error) {
	st, err := tx.zdStation(ctx, n.Station, stations)
	if err != nil {
		return 0, err
	}
	phones, err := communityPhones(n.Contacts)
	if err != nil {
		return 0, err
	}
	if err := tx.communityGrid(ctx, n, st.ID); err != nil {
		return 0, err
	}
	fac := map[string]int{}
	for k, v := range n.Facilities {
		fac[k] = v
	}
	score, level := rule.Score(n.Households, fac)
	facJSON, _ := json.Marshal(fac)
	boundary := communityBoundary(n)
	var id int64
	if err := tx.queryRow(ctx, `INSERT INTO zd_communities (code, name, address, district, station_id, grid, lon, lat, boundary, households,
		property_company, facilities, score, level, rule_version, generated, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		n.Code, n.Name, n.Address, n.District, st.ID, n.Grid, n.Lon, n.Lat, boundary, n.Households, n.PropertyCompany, string(facJSON),
		score, level, rule.Version, n.Generated, zhudun.CallerFrom(ctx).Username, tx.now, tx.now).Scan(&id); err != nil {
		if tx.s.dialect.IsUniqueViolation(err) {
			return 0, zhudun.FieldError("code", "community code %s is registered already", n.Code)
		}
		return 0, tx.s.internal("community insert", err)
	}
	if err := tx.recordLevel(ctx, id, level, score, rule.Version); err != nil {
		return 0, err
	}
	if err := tx.insertContacts(ctx, id, n.Contacts, phones); err != nil {
		return 0, err
	}
	return id, nil
}

// communityPhones normalises the contacts' phones (EINVALID naming the
// contact).
func communityPhones(cs []zhudun.NewPropertyContact) ([]string, error) {
	return normalizePhones(cs, func(c zhudun.NewPropertyContact) string { return c.Phone })
}

// normalizePhones normalises each contact's phone ("" where none is
// given), EINVALID naming the first bad contact: nothing is written before
// every phone is good.
func normalizePhones[C any](cs []C, phone func(C) string) ([]string, error) {
	phones := make([]string, len(cs))
	for i, c := range cs {
		if strings.TrimSpace(phone(c)) == "" {
			continue
		}
		p, err := pii.NormalizePhone(phone(c))
		if err != nil {
			return nil, zhudun.FieldError("contacts", "contact %d: %s", i+1, zhudun.ErrorMessage(err))
		}
		phones[i] = p
	}
	return phones, nil
}

// insertContacts stores a community's contacts, phones sealed to the row.
func (tx *Tx) insertContacts(ctx context.Context, id int64, cs []zhudun.NewPropertyContact, phones []string) error {
	for i, c := range cs {
		var cid int64
		if err := tx.queryRow(ctx, `INSERT INTO zd_community_contacts (community_id, name) VALUES (?, ?) RETURNING id`, id, strings.TrimSpace(c.Name)).Scan(&cid); err != nil {
			return tx.s.internal("community contact insert", err)
		}
		if phones[i] == "" {
			continue
		}
		enc, err := tx.s.keys.Seal([]byte(phones[i]), communityAAD(cid))
		if err != nil {
			return tx.s.internal("community contact seal", err)
		}
		if _, err := tx.exec(ctx, `UPDATE zd_community_contacts SET phone_enc = ?, phone_idx = ?, phone_mask = ? WHERE id = ?`,
			enc, tx.s.keys.Index("phone", phones[i]), pii.MaskPhone(phones[i]), cid); err != nil {
			return tx.s.internal("community contact phone", err)
		}
	}
	return nil
}

// communityGrid checks that a community's grid (if any) is its station's.
func (tx *Tx) communityGrid(ctx context.Context, n *zhudun.NewCommunity, stationID int64) error {
	if n.Grid == "" {
		return nil
	}
	var gs int64
	err := tx.queryRow(ctx, `SELECT station_id FROM grids WHERE code = ?`, n.Grid).Scan(&gs)
	if err != nil || gs != stationID {
		return zhudun.FieldError("grid", "grid %s is not a grid of station %s", n.Grid, n.Station)
	}
	return nil
}

func communityBoundary(n *zhudun.NewCommunity) string {
	if len(n.Boundary) == 0 {
		return ""
	}
	b, _ := json.Marshal(n.Boundary)
	return string(b)
}

// UpdateCommunity edits a community of the caller's zhudun:write scope:
// everything but its code and its station (a move between stations is a
// transfer of records, not an edit). Its level is computed again under the
// rule in force and kept from now on when it changed. Contacts are
// replaced when given (nil keeps them: the phones are sealed, the form
// never sees them). Audited zhudun.community.update (no phones).
func (s *Store) UpdateCommunity(ctx context.Context, id int64, n zhudun.NewCommunity) (*zhudun.Community, error) {
	if err := zdWriter(ctx); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		pred, args, err := zdPred(ctx, zhudun.PermZhudunWrite)
		if err != nil {
			return err
		}
		cur, err := scanCommunity(tx.queryRow(ctx, communitySelect+` WHERE `+pred+` AND x.id = ?`, append(args, id)...))
		if errors.Is(err, sql.ErrNoRows) {
			return zhudun.Errorf(zhudun.ENOTFOUND, "community %d not found", id)
		}
		if err != nil {
			return tx.s.internal("community load", err)
		}
		n.Code, n.Station = cur.Code, cur.Station
		if err := n.Validate(); err != nil {
			return err
		}
		var phones []string
		if n.Contacts != nil {
			if phones, err = communityPhones(n.Contacts); err != nil {
				return err
			}
		}
		if err := tx.communityGrid(ctx, &n, cur.StationID); err != nil {
			return err
		}
		rule, err := tx.s.levelRule(ctx, tx)
		if err != nil {
			return err
		}
		fac := map[string]int{}
		for k, v := range n.Facilities {
			fac[k] = v
		}
		score, level := rule.Score(n.Households, fac)
		facJSON, _ := json.Marshal(fac)
		if _, err := tx.exec(ctx, `UPDATE zd_communities SET name = ?, address = ?, district = ?, grid = ?, lon = ?, lat = ?, boundary = ?,
			households = ?, property_company = ?, facilities = ?, score = ?, level = ?, rule_version = ?, updated_at = ? WHERE id = ?`,
			n.Name, n.Address, n.District, n.Grid, n.Lon, n.Lat, communityBoundary(&n), n.Households, n.PropertyCompany, string(facJSON),
			score, level, rule.Version, tx.now, id); err != nil {
			return tx.s.internal("community update", err)
		}
		if score != cur.Score || level != cur.Level {
			if err := tx.recordLevel(ctx, id, level, score, rule.Version); err != nil {
				return err
			}
		}
		if n.Contacts != nil {
			if _, err := tx.exec(ctx, `DELETE FROM zd_community_contacts WHERE community_id = ?`, id); err != nil {
				return tx.s.internal("community contacts delete", err)
			}
			if err := tx.insertContacts(ctx, id, n.Contacts, phones); err != nil {
				return err
			}
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "zhudun.community.update", ObjectType: "community", ObjectID: fmt.Sprint(id),
			Detail: Detail(map[string]any{"code": cur.Code, "name": n.Name, "households": n.Households, "facilities": fac,
				"level": map[string]any{"from": cur.Level, "to": level}, "contacts_replaced": n.Contacts != nil})})
	})
	if err != nil {
		return nil, err
	}
	return s.findCommunity(ctx, id, zhudun.PermZhudunWrite)
}

// CreateCommunity registers a community at a station of the caller's
// zhudun:write scope, its level computed under the rule in force.
// Audited zhudun.community.create (no phones).
func (s *Store) CreateCommunity(ctx context.Context, n zhudun.NewCommunity) (*zhudun.Community, error) {
	if err := zdWriter(ctx); err != nil {
		return nil, err
	}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	var id int64
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		rule, err := tx.s.levelRule(ctx, tx)
		if err != nil {
			return err
		}
		if id, err = tx.insertCommunity(ctx, &n, rule, map[string]*zhudun.Dept{}); err != nil {
			return err
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "zhudun.community.create", ObjectType: "community", ObjectID: fmt.Sprint(id),
			Detail: Detail(map[string]any{"code": n.Code, "name": n.Name, "station": n.Station, "generated": n.Generated})})
	})
	if err != nil {
		return nil, err
	}
	return s.findCommunity(ctx, id, zhudun.PermZhudunWrite)
}

// ImportCommunities stores rows all or nothing; every row's errors are
// returned (Row is the file's line, the header being line 1). Audited
// zhudun.community.import once.
func (s *Store) ImportCommunities(ctx context.Context, rows []zhudun.NewCommunity) (int, []zhudun.ImportRowError, error) {
	if err := zdWriter(ctx); err != nil {
		return 0, nil, err
	}
	if len(rows) == 0 || len(rows) > 20000 {
		return 0, nil, zhudun.FieldError("file", "1 to 20000 rows")
	}
	var bad []zhudun.ImportRowError
	rowErr := func(i int, err error) { bad = append(bad, rowError(i+2, err)) }
	codes := map[string]int{}
	invalid := map[int]bool{}
	for i := range rows {
		if err := rows[i].Validate(); err != nil {
			rowErr(i, err)
			invalid[i] = true
			continue
		}
		if j, dup := codes[rows[i].Code]; dup {
			rowErr(i, zhudun.FieldError("code", "community code %s repeats row %d", rows[i].Code, j+2))
			invalid[i] = true
			continue
		}
		codes[rows[i].Code] = i
	}
	// The valid rows are tried too (and rolled back), so that one report
	// names every row's problem, the stations' included.
	errBadRows := errors.New("rows refused")
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		rule, err := tx.s.levelRule(ctx, tx)
		if err != nil {
			return err
		}
		stations := map[string]*zhudun.Dept{}
		for i := range rows {
			if invalid[i] {
				continue
			}
			if _, err := tx.insertCommunity(ctx, &rows[i], rule, stations); err != nil {
				if zhudun.ErrorCode(err) != zhudun.EINVALID && zhudun.ErrorCode(err) != zhudun.ENOTFOUND {
					return err
				}
				rowErr(i, err)
			}
		}
		if len(bad) > 0 {
			return errBadRows // roll every row back
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "zhudun.community.import", ObjectType: "community",
			Detail: Detail(map[string]any{"rows": len(rows)})})
	})
	if errors.Is(err, errBadRows) {
		sort.SliceStable(bad, func(i, j int) bool { return bad[i].Row < bad[j].Row })
		return 0, bad, nil
	}
	if err != nil {
		return 0, nil, err
	}
	return len(rows), nil, nil
}

func rowError(line int, err error) zhudun.ImportRowError {
	var ze *zhudun.Error
	field := ""
	if errors.As(err, &ze) {
		field = ze.Field
	}
	return zhudun.ImportRowError{Row: line, Field: field, Message: zhudun.ErrorMessage(err)}
}

func (s *Store) findCommunity(ctx context.Context, id int64, perm zhudun.Permission) (*zhudun.Community, error) {
	pred, args, err := zdPred(ctx, perm)
	if err != nil {
		return nil, err
	}
	c, err := scanCommunity(s.queryRow(ctx, communitySelect+` WHERE `+pred+` AND x.id = ?`, append(args, id)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "community %d not found", id)
	}
	if err != nil {
		return nil, s.internal("community load", err)
	}
	if err := s.communityContacts(ctx, []*zhudun.Community{c}); err != nil {
		return nil, err
	}
	return c, nil
}

// FindCommunityByID returns a community of the caller's zhudun:read
// scope, contacts masked, with its score's breakdown under the rule in
// force (the rule every community is levelled under); outside the scope
// it is ENOTFOUND.
func (s *Store) FindCommunityByID(ctx context.Context, id int64) (*zhudun.Community, error) {
	c, err := s.findCommunity(ctx, id, zhudun.PermZhudunRead)
	if err != nil {
		return nil, err
	}
	rule, err := s.levelRule(ctx, s)
	if err != nil {
		return nil, err
	}
	c.Breakdown = rule.Breakdown(c.Households, c.Facilities)
	return c, nil
}

// FindCommunities lists the communities of the caller's zhudun:read
// scope (narrowed to a station when given) by code.
func (s *Store) FindCommunities(ctx context.Context, station string) ([]*zhudun.Community, error) {
	pred, args, err := zdPred(ctx, zhudun.PermZhudunRead)
	if err != nil {
		return nil, err
	}
	if station != "" {
		pred += " AND sd.code = ?"
		args = append(args, station)
	}
	rows, err := s.query(ctx, communitySelect+` WHERE `+pred+` ORDER BY x.code LIMIT 5000`, args...)
	if err != nil {
		return nil, s.internal("communities", err)
	}
	defer rows.Close()
	out := []*zhudun.Community{}
	for rows.Next() {
		c, err := scanCommunity(rows)
		if err != nil {
			return nil, s.internal("community scan", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, s.internal("communities rows", err)
	}
	return out, s.communityContacts(ctx, out)
}

func (s *Store) communityContacts(ctx context.Context, list []*zhudun.Community) error {
	if len(list) == 0 {
		return nil
	}
	by := map[int64]*zhudun.Community{}
	for _, c := range list {
		by[c.ID] = c
	}
	for start := 0; start < len(list); start += 500 {
		end := min(start+500, len(list))
		args := make([]any, 0, end-start)
		for _, c := range list[start:end] {
			args = append(args, c.ID)
		}
		rows, err := s.query(ctx, `SELECT id, community_id, name, phone_mask FROM zd_community_contacts WHERE community_id IN (?`+
			strings.Repeat(", ?", len(args)-1)+`) ORDER BY id`, args...)
		if err != nil {
			return s.internal("community contacts", err)
		}
		for rows.Next() {
			var pc zhudun.PropertyContact
			var cid int64
			if err := rows.Scan(&pc.ID, &cid, &pc.Name, &pc.PhoneMasked); err != nil {
				rows.Close()
				return s.internal("community contact scan", err)
			}
			by[cid].Contacts = append(by[cid].Contacts, pc)
		}
		rows.Close()
	}
	return nil
}

// --- safe units -------------------------------------------------------------

const safeUnitSelect = `SELECT x.id, x.name, x.kind, x.address, x.district, x.station_id, sd.path, sd.code, x.status, x.applied_on,
	x.inspected_on, x.decided_on, x.reason, x.checklist, x.updated_at FROM zd_safe_units x JOIN depts sd ON sd.id = x.station_id`

func scanSafeUnit(r scanner) (*zhudun.SafeUnit, error) {
	var u zhudun.SafeUnit
	var cl string
	if err := r.Scan(&u.ID, &u.Name, &u.Kind, &u.Address, &u.District, &u.StationID, &u.StationPath, &u.Station, &u.Status, &u.AppliedOn,
		&u.InspectedOn, &u.DecidedOn, &u.Reason, &cl, &u.UpdatedAt); err != nil {
		return nil, err
	}
	_ = json.Unmarshal([]byte(cl), &u.Checklist)
	u.UpdatedAt = u.UpdatedAt.UTC()
	return &u, nil
}

// CreateSafeUnit records an application at a station of the caller's
// zhudun:write scope. Audited zhudun.safeunit.apply.
func (s *Store) CreateSafeUnit(ctx context.Context, n zhudun.NewSafeUnit) (*zhudun.SafeUnit, error) {
	if err := zdWriter(ctx); err != nil {
		return nil, err
	}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	var id int64
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		st, err := tx.zdStation(ctx, n.Station, map[string]*zhudun.Dept{})
		if err != nil {
			return err
		}
		if err := tx.queryRow(ctx, `INSERT INTO zd_safe_units (name, kind, address, district, station_id, status, applied_on, created_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, n.Name, n.Kind, strings.TrimSpace(n.Address), n.District, st.ID,
			zhudun.CertApplied, n.AppliedOn, zhudun.CallerFrom(ctx).Username, tx.now).Scan(&id); err != nil {
			return tx.s.internal("safe unit insert", err)
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "zhudun.safeunit.apply", ObjectType: "safe_unit", ObjectID: fmt.Sprint(id),
			Detail: Detail(map[string]any{"name": n.Name, "kind": n.Kind, "station": n.Station, "applied_on": n.AppliedOn})})
	})
	if err != nil {
		return nil, err
	}
	return s.safeUnit(ctx, s, id, zhudun.PermZhudunWrite)
}

func (s *Store) safeUnit(ctx context.Context, q querier, id int64, perm zhudun.Permission) (*zhudun.SafeUnit, error) {
	pred, args, err := zdPred(ctx, perm)
	if err != nil {
		return nil, err
	}
	u, err := scanSafeUnit(q.queryRow(ctx, safeUnitSelect+` WHERE `+pred+` AND x.id = ?`, append(args, id)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "safe unit %d not found", id)
	}
	if err != nil {
		return nil, s.internal("safe unit load", err)
	}
	return u, nil
}

// ActOnSafeUnit takes one certification step (zhudun.NextCertStatus
// decides it). The step applies only to the state it was decided on
// (UPDATE … WHERE status = from), so two steps at once cannot both pass.
// Audited zhudun.safeunit.<action> with the reason.
func (s *Store) ActOnSafeUnit(ctx context.Context, id int64, a zhudun.SafeUnitAction) (*zhudun.SafeUnit, error) {
	if err := zdWriter(ctx); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		u, err := tx.s.safeUnit(ctx, tx, id, zhudun.PermZhudunWrite)
		if err != nil {
			return err
		}
		next, err := zhudun.NextCertStatus(u.Status, u.Checklist, a)
		if err != nil {
			return err
		}
		if a.On < u.AppliedOn {
			return zhudun.FieldError("on", "before the application (%s)", u.AppliedOn)
		}
		reason := strings.TrimSpace(a.Reason)
		var res sql.Result
		switch a.Action {
		case "inspect":
			cl, _ := json.Marshal(a.Checklist)
			res, err = tx.exec(ctx, `UPDATE zd_safe_units SET status = ?, inspected_on = ?, checklist = ?, updated_at = ? WHERE id = ? AND status = ?`,
				next, a.On, string(cl), tx.now, id, u.Status)
		case "certify":
			res, err = tx.exec(ctx, `UPDATE zd_safe_units SET status = ?, certified_on = ?, decided_on = ?, reason = '', updated_at = ? WHERE id = ? AND status = ?`,
				next, a.On, a.On, tx.now, id, u.Status)
		default: // refuse, revoke
			res, err = tx.exec(ctx, `UPDATE zd_safe_units SET status = ?, decided_on = ?, reason = ?, updated_at = ? WHERE id = ? AND status = ?`,
				next, a.On, reason, tx.now, id, u.Status)
		}
		if err != nil {
			return tx.s.internal("safe unit step", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return zhudun.Errorf(zhudun.ECONFLICT, "the unit changed meanwhile; reload it")
		}
		var e *zhudun.AuditEntry
		switch a.Action { // literal actions: the UI's label scan reads them
		case "inspect":
			e = &zhudun.AuditEntry{Action: "zhudun.safeunit.inspect"}
		case "certify":
			e = &zhudun.AuditEntry{Action: "zhudun.safeunit.certify"}
		case "refuse":
			e = &zhudun.AuditEntry{Action: "zhudun.safeunit.refuse"}
		default:
			e = &zhudun.AuditEntry{Action: "zhudun.safeunit.revoke"}
		}
		e.ObjectType, e.ObjectID = "safe_unit", fmt.Sprint(id)
		e.Detail = Detail(map[string]any{"from": u.Status, "to": next, "on": a.On, "reason": reason})
		return tx.audit(ctx, e)
	})
	if err != nil {
		return nil, err
	}
	return s.safeUnit(ctx, s, id, zhudun.PermZhudunRead)
}

// FindSafeUnits lists the safe units of the caller's zhudun:read scope.
func (s *Store) FindSafeUnits(ctx context.Context) ([]*zhudun.SafeUnit, error) {
	pred, args, err := zdPred(ctx, zhudun.PermZhudunRead)
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, safeUnitSelect+` WHERE `+pred+` ORDER BY x.id LIMIT 5000`, args...)
	if err != nil {
		return nil, s.internal("safe units", err)
	}
	defer rows.Close()
	out := []*zhudun.SafeUnit{}
	for rows.Next() {
		u, err := scanSafeUnit(rows)
		if err != nil {
			return nil, s.internal("safe unit scan", err)
		}
		out = append(out, u)
	}
	return out, s.internalIf("safe units rows", rows.Err())
}

// --- grid targets -----------------------------------------------------------

// SetGridTarget sets a grid's coverage target (percent) for a grid of the
// caller's zhudun:write scope. Audited zhudun.grid.target.
func (s *Store) SetGridTarget(ctx context.Context, grid string, pct float64) error {
	if err := zdWriter(ctx); err != nil {
		return err
	}
	if !(pct >= 0 && pct <= 100) {
		return zhudun.FieldError("target_pct", "a share of 0 to 100")
	}
	pred, args, err := zdPred(ctx, zhudun.PermZhudunWrite)
	if err != nil {
		return err
	}
	return s.write(ctx, func(ctx context.Context, tx *Tx) error {
		var id int64
		err := tx.queryRow(ctx, `SELECT x.id FROM grids x JOIN depts sd ON sd.id = x.station_id WHERE `+pred+` AND x.code = ?`,
			append(args, grid)...).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return zhudun.Errorf(zhudun.ENOTFOUND, "grid %s not found", grid)
		}
		if err != nil {
			return tx.s.internal("grid target load", err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM zd_grid_targets WHERE grid_id = ?`, id); err != nil {
			return tx.s.internal("grid target", err)
		}
		if _, err := tx.exec(ctx, `INSERT INTO zd_grid_targets (grid_id, target_pct, updated_at) VALUES (?, ?, ?)`, id, pct, tx.now); err != nil {
			return tx.s.internal("grid target", err)
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "zhudun.grid.target", ObjectType: "grid", ObjectID: grid,
			Detail: Detail(map[string]any{"target_pct": pct})})
	})
}

// GridTargets returns the targets of the grids of the caller's
// zhudun:read scope, by grid code.
func (s *Store) GridTargets(ctx context.Context) (map[string]float64, error) {
	pred, args, err := zdPred(ctx, zhudun.PermZhudunRead)
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT x.code, t.target_pct FROM zd_grid_targets t JOIN grids x ON x.id = t.grid_id
		JOIN depts sd ON sd.id = x.station_id WHERE `+pred, args...)
	if err != nil {
		return nil, s.internal("grid targets", err)
	}
	defer rows.Close()
	out := map[string]float64{}
	for rows.Next() {
		var c string
		var p float64
		if err := rows.Scan(&c, &p); err != nil {
			return nil, s.internal("grid target scan", err)
		}
		out[c] = p
	}
	return out, s.internalIf("grid targets rows", rows.Err())
}
