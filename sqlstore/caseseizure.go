package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/zhudun/zhudun"
)

// Seizures, the engine's entities and campaigns of cases (docs/cases.md).

const seizureSelect = `SELECT id, case_id, kind, amount_fen, account, bank, state, frozen_on, seized_on, returned_on, count, items,
	device_type, slots, note, created_by, created_at FROM case_seizures`

func scanSeizure(r scanner) (*zhudun.Seizure, error) {
	var z zhudun.Seizure
	var items string
	if err := r.Scan(&z.ID, &z.CaseID, &z.Kind, &z.AmountFen, &z.Account, &z.Bank, &z.State, &z.FrozenOn, &z.SeizedOn, &z.ReturnedOn,
		&z.Count, &items, &z.DeviceType, &z.Slots, &z.Note, &z.CreatedBy, &z.CreatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(items), &z.Items); err != nil {
		return nil, err
	}
	if z.Kind == zhudun.SeizureFunds {
		z.Amount = zhudun.FormatFen(z.AmountFen)
	}
	z.CreatedAt = z.CreatedAt.UTC()
	return &z, nil
}

func (s *Store) caseSeizures(ctx context.Context, q querier, id int64) ([]*zhudun.Seizure, error) {
	rows, err := q.query(ctx, seizureSelect+` WHERE case_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, s.internal("case seizures", err)
	}
	defer rows.Close()
	out := []*zhudun.Seizure{}
	for rows.Next() {
		z, err := scanSeizure(rows)
		if err != nil {
			return nil, s.internal("case seizure scan", err)
		}
		out = append(out, z)
	}
	return out, s.internalIf("case seizures rows", rows.Err())
}

// AddSeizure records a seizure of a case (case:write in scope), checked by
// its kind (zhudun.NewSeizure.Validate). Audited case.seizure.add.
func (s *Store) AddSeizure(ctx context.Context, id int64, n zhudun.NewSeizure) (*zhudun.Seizure, error) {
	z, err := n.Validate()
	if err != nil {
		return nil, err
	}
	var out *zhudun.Seizure
	err = s.write(ctx, func(ctx context.Context, tx *Tx) error {
		c, err := tx.writableCase(ctx, id)
		if err != nil {
			return err
		}
		if out, err = tx.addSeizure(ctx, c, z); err != nil {
			return err
		}
		return tx.caseChanged(ctx, "case.seizure.add", c, map[string]any{"seizure": out.ID, "kind": z.Kind, "amount_fen": z.AmountFen,
			"count": z.Count, "device_type": z.DeviceType, "state": z.State})
	})
	return out, err
}

// addSeizure records seizure z (validated) of writable case c and marks
// the case with the identifiers it names (the cross-reference), without
// an audit row.
func (tx *Tx) addSeizure(ctx context.Context, c *zhudun.Case, z *zhudun.Seizure) (*zhudun.Seizure, error) {
	items := z.Items
	if items == nil {
		items = []string{}
	}
	ib, _ := json.Marshal(items)
	var sid int64
	if err := tx.queryRow(ctx, `INSERT INTO case_seizures (case_id, kind, amount_fen, account, bank, state, frozen_on, seized_on, returned_on,
		count, items, device_type, slots, note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.ID, z.Kind, z.AmountFen, z.Account, z.Bank, z.State, z.FrozenOn, z.SeizedOn, z.ReturnedOn, z.Count, string(ib), z.DeviceType, z.Slots,
		z.Note, zhudun.CallerFrom(ctx).Username, tx.now).Scan(&sid); err != nil {
		return nil, tx.s.internal("seizure insert", err)
	}
	tx.rollupCase(c.ID)
	out, err := scanSeizure(tx.queryRow(ctx, seizureSelect+` WHERE id = ?`, sid))
	if err != nil {
		return nil, tx.s.internal("seizure load", err)
	}
	if err := tx.markCase(ctx, c, "seizure", tx.seizureMarks(out)); err != nil {
		return nil, err
	}
	return out, nil
}

// visibleFindings loads the findings (never leads; live or withdrawn)
// matching pred within the caller's finding:read scope.
func (tx *Tx) visibleFindings(ctx context.Context, pred string, args ...any) ([]*zhudun.Finding, error) {
	var w where
	w.add("f.kind = ?", zhudun.KindFinding)
	w.add(pred, args...)
	if _, err := scoped(ctx, &w, zhudun.PermFindingRead, scopeCols{Path: "d.path", DeptID: "f.dept_id"}); err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, findingSelect+w.sql()+` ORDER BY f.id`, w.args...)
	if err != nil {
		return nil, tx.s.internal("case findings", err)
	}
	defer rows.Close()
	var out []*zhudun.Finding
	for rows.Next() {
		f, err := scanFinding(rows)
		if err != nil {
			return nil, tx.s.internal("case finding scan", err)
		}
		out = append(out, f)
	}
	return out, tx.s.internalIf("case findings rows", rows.Err())
}

// findingsByID loads the findings named, each within the caller's
// finding:read scope; one outside it (or unknown) fails the whole request
// as ENOTFOUND, so that nothing is added silently short.
func (tx *Tx) findingsByID(ctx context.Context, ids []int64) ([]*zhudun.Finding, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	fs, err := tx.visibleFindings(ctx, "f.id IN (?"+strings.Repeat(", ?", len(ids)-1)+")", args...)
	if err != nil {
		return nil, err
	}
	if len(fs) != len(ids) {
		have := map[int64]bool{}
		for _, f := range fs {
			have[f.ID] = true
		}
		for _, id := range ids {
			if !have[id] {
				return nil, zhudun.Errorf(zhudun.ENOTFOUND, "finding %d not found", id)
			}
		}
	}
	return fs, nil
}

// addEntities adds the findings' entities to a case with their evidence
// as it stands; an entity the case holds already is left as it is.
func (tx *Tx) addEntities(ctx context.Context, id int64, fs []*zhudun.Finding) ([]*zhudun.CaseEntity, error) {
	out := []*zhudun.CaseEntity{}
	by := zhudun.CallerFrom(ctx).Username
	// A black account held by a case counts in its campaigns' figures: a
	// review of it meanwhile must see this case hold it, or be seen by
	// its rollup (cyberrollup.go)
	if slices.ContainsFunc(fs, func(f *zhudun.Finding) bool { return f.Category == "black_account" }) {
		if err := tx.lockWorkbench(ctx); err != nil {
			return nil, err
		}
	}
	for _, f := range fs {
		ev := f.Evidence
		if len(ev) == 0 {
			ev = json.RawMessage("[]")
		}
		var eid int64
		err := tx.queryRow(ctx, `INSERT INTO case_entities (case_id, finding_id, category, entity_type, entity, gang, evidence, added_by, added_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, category, entity) DO NOTHING RETURNING id`,
			id, f.ID, f.Category, f.EntityType, f.Entity, f.Gang, string(ev), by, tx.now).Scan(&eid)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, tx.s.internal("case entity", err)
		}
		fid := f.ID
		if f.Category == "black_account" {
			// counts in the figures of the case's campaigns once confirmed
			tx.rollupCase(id)
		}
		out = append(out, &zhudun.CaseEntity{ID: eid, CaseID: id, FindingID: &fid, Category: f.Category, EntityType: f.EntityType,
			Entity: f.Entity, Gang: f.Gang, Evidence: ev, AddedBy: by, AddedAt: tx.now})
	}
	var marks []mark
	for _, e := range out {
		if m, ok := tx.entityMark(e.EntityType, e.Entity); ok {
			marks = append(marks, m)
		}
	}
	if len(marks) > 0 {
		c, err := scanCase(tx.queryRow(ctx, caseSelect+` WHERE c.id = ?`, id))
		if err != nil {
			return nil, tx.s.internal("case load", err)
		}
		if err := tx.markCase(ctx, c, "entity", marks); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) caseEntities(ctx context.Context, q querier, id int64) ([]*zhudun.CaseEntity, error) {
	rows, err := q.query(ctx, `SELECT id, case_id, finding_id, category, entity_type, entity, gang, evidence, added_by, added_at
		FROM case_entities WHERE case_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, s.internal("case entities", err)
	}
	defer rows.Close()
	out := []*zhudun.CaseEntity{}
	for rows.Next() {
		var e zhudun.CaseEntity
		var fid sql.NullInt64
		var ev string
		if err := rows.Scan(&e.ID, &e.CaseID, &fid, &e.Category, &e.EntityType, &e.Entity, &e.Gang, &ev, &e.AddedBy, &e.AddedAt); err != nil {
			return nil, s.internal("case entity scan", err)
		}
		if fid.Valid {
			e.FindingID = &fid.Int64
		}
		e.Evidence, e.AddedAt = json.RawMessage(ev), e.AddedAt.UTC()
		out = append(out, &e)
	}
	return out, s.internalIf("case entities rows", rows.Err())
}

// AddCaseEntities adds findings of the caller's finding:read scope to a
// case of its case:write scope and returns the entities added (those the
// case held already are not). Audited case.entity.add when any is.
func (s *Store) AddCaseEntities(ctx context.Context, id int64, findings []int64) ([]*zhudun.CaseEntity, error) {
	if len(findings) == 0 || len(findings) > 5000 {
		return nil, zhudun.FieldError("findings", "1 to 5000 findings are required")
	}
	var out []*zhudun.CaseEntity
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		c, err := tx.writableCase(ctx, id)
		if err != nil {
			return err
		}
		fs, err := tx.findingsByID(ctx, findings)
		if err != nil {
			return err
		}
		if out, err = tx.addEntities(ctx, id, fs); err != nil || len(out) == 0 {
			return err
		}
		ids := make([]int64, len(out))
		for i, e := range out {
			ids[i] = *e.FindingID
		}
		return tx.caseChanged(ctx, "case.entity.add", c, map[string]any{"findings": ids})
	})
	return out, err
}

const campaignSelect = `SELECT p.id, p.name, p.from_day, p.to_day, d.code, d.path, p.created_by, p.created_at
	FROM campaigns p JOIN depts d ON d.id = p.dept_id`

func scanCampaign(r scanner) (*zhudun.Campaign, error) {
	var p zhudun.Campaign
	if err := r.Scan(&p.ID, &p.Name, &p.From, &p.To, &p.DeptCode, &p.DeptPath, &p.CreatedBy, &p.CreatedAt); err != nil {
		return nil, err
	}
	p.CreatedAt = p.CreatedAt.UTC()
	return &p, nil
}

// CreateCampaign creates a campaign in a department of the caller's
// case:write scope (its own by default); it reaches the cases of that
// department's subtree. A name taken is ECONFLICT. Audited
// campaign.create.
func (s *Store) CreateCampaign(ctx context.Context, n zhudun.NewCampaign) (*zhudun.Campaign, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	c := zhudun.CallerFrom(ctx)
	if !c.Has(zhudun.PermCaseWrite) {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission case:write required")
	}
	var out *zhudun.Campaign
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		code := n.Dept
		if code == "" {
			code = c.DeptCode
		}
		d, err := tx.deptInScope(ctx, code, zhudun.PermCaseWrite)
		if err != nil {
			return zhudun.FieldError("dept", "%s", zhudun.ErrorMessage(err))
		}
		var taken int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM campaigns WHERE name = ?`, n.Name).Scan(&taken); err != nil {
			return tx.s.internal("campaign check", err)
		}
		if taken > 0 {
			return zhudun.Errorf(zhudun.ECONFLICT, "a campaign %s exists already", n.Name)
		}
		var id int64
		if err := tx.queryRow(ctx, `INSERT INTO campaigns (name, from_day, to_day, dept_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			n.Name, n.From, n.To, d.ID, c.Username, tx.now).Scan(&id); err != nil {
			if tx.s.dialect.IsUniqueViolation(err) {
				return zhudun.Errorf(zhudun.ECONFLICT, "a campaign %s exists already", n.Name)
			}
			return tx.s.internal("campaign insert", err)
		}
		if out, err = scanCampaign(tx.queryRow(ctx, campaignSelect+` WHERE p.id = ?`, id)); err != nil {
			return tx.s.internal("campaign load", err)
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "campaign.create", ObjectType: "campaign", ObjectID: fmt.Sprint(id),
			Detail: Detail(map[string]any{"name": n.Name, "from": n.From, "to": n.To, "dept": d.Code})})
	})
	return out, err
}

// FindCampaigns lists the campaigns a holder of case:read sees: those of
// departments in its scope and those that reach its own department (a
// city-wide campaign is every station's).
func (s *Store) FindCampaigns(ctx context.Context) ([]*zhudun.Campaign, error) {
	f, err := zhudun.ScopeFor(ctx, zhudun.PermCaseRead)
	if err != nil {
		return nil, err
	}
	pred, args, err := scopeSQL(f, scopeCols{Path: "d.path", DeptID: "p.dept_id"})
	if err != nil {
		return nil, err
	}
	c := zhudun.CallerFrom(ctx)
	rows, err := s.query(ctx, campaignSelect+` WHERE (`+pred+` OR ? LIKE d.path || '%') ORDER BY p.from_day DESC, p.id DESC`, append(args, c.DeptPath)...)
	if err != nil {
		return nil, s.internal("campaigns", err)
	}
	defer rows.Close()
	out := []*zhudun.Campaign{}
	for rows.Next() {
		p, err := scanCampaign(rows)
		if err != nil {
			return nil, s.internal("campaign scan", err)
		}
		out = append(out, p)
	}
	return out, s.internalIf("campaigns rows", rows.Err())
}

// tagCampaign tags case id of department d with campaign cp, which must
// reach d (d in the campaign department's subtree).
func (tx *Tx) tagCampaign(ctx context.Context, id int64, d *zhudun.Dept, cp int64) error {
	p, err := scanCampaign(tx.queryRow(ctx, campaignSelect+` WHERE p.id = ?`, cp))
	if errors.Is(err, sql.ErrNoRows) {
		return zhudun.FieldError("campaigns", "campaign %d not found", cp)
	}
	if err != nil {
		return tx.s.internal("campaign load", err)
	}
	if !strings.HasPrefix(d.Path, p.DeptPath) {
		return zhudun.FieldError("campaigns", "campaign %s does not reach department %s", p.Name, d.Code)
	}
	_, err = tx.exec(ctx, `INSERT INTO case_campaigns (case_id, campaign_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, cp)
	tx.rollupCase(id)
	return tx.s.internalIf("case campaign", err)
}

// TagCase tags a case of the caller's case:write scope with a campaign
// that reaches its department. Audited case.campaign.add.
func (s *Store) TagCase(ctx context.Context, id, campaign int64) (*zhudun.CaseDetail, error) {
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		c, err := tx.writableCase(ctx, id)
		if err != nil {
			return err
		}
		d, err := scanDept(tx.queryRow(ctx, deptSelect+` WHERE d.id = ?`, c.DeptID))
		if err != nil {
			return tx.s.internal("case dept", err)
		}
		if err := tx.tagCampaign(ctx, id, d, campaign); err != nil {
			return err
		}
		return tx.caseChanged(ctx, "case.campaign.add", c, map[string]any{"campaign": campaign})
	})
	if err != nil {
		return nil, err
	}
	return s.caseDetail(ctx, s, id, zhudun.PermCaseWrite)
}
