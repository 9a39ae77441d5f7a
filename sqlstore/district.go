package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/geo"
)

var _ zhudun.DistrictService = (*Store)(nil)

// ReplaceDistricts replaces every district in one transaction, audited as
// one district.import row listing the codes (system caller only: zhudun
// import districts, and the demo at its first start).
func (s *Store) ReplaceDistricts(ctx context.Context, ds []zhudun.District) error {
	if err := systemOnly(ctx); err != nil {
		return err
	}
	if len(ds) == 0 {
		return zhudun.FieldError("districts", "no districts")
	}
	codes := make([]string, 0, len(ds))
	for i, d := range ds {
		if len(d.Code) != 6 || d.Name == "" || len(d.Boundary) == 0 {
			return zhudun.FieldError("districts", "district %d: code (six digits), name and boundary are required", i)
		}
		for pi, poly := range d.Boundary {
			for ri, ring := range poly {
				if msg := geo.RingProblem(ring); msg != "" {
					return zhudun.FieldError("boundary", "district %s polygon %d ring %d: %s", d.Code, pi, ri, msg)
				}
			}
		}
		codes = append(codes, d.Code)
	}
	return s.write(ctx, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM districts`); err != nil {
			return tx.s.internal("districts clear", err)
		}
		for _, d := range ds {
			b, err := json.Marshal(geo.MultiPolygon(d.Boundary))
			if err != nil {
				return zhudun.FieldError("boundary", "district %s: %v", d.Code, err)
			}
			box := geo.MultiPolygon(d.Boundary).Bounds()
			if _, err := tx.exec(ctx, `INSERT INTO districts (code, name, boundary, min_lon, min_lat, max_lon, max_lat, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				d.Code, d.Name, string(b), box.MinLon, box.MinLat, box.MaxLon, box.MaxLat, tx.now); err != nil {
				if tx.s.dialect.IsUniqueViolation(err) {
					return zhudun.FieldError("code", "district %s appears twice", d.Code)
				}
				return tx.s.internal("district insert", err)
			}
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "district.import", ObjectType: "district", ObjectID: fmt.Sprint(len(ds)),
			Detail: Detail(map[string]any{"codes": codes})})
	})
}

// FindDistricts returns every district in code order.
func (s *Store) FindDistricts(ctx context.Context) ([]zhudun.District, error) {
	if zhudun.CallerFrom(ctx) == nil {
		return nil, zhudun.Errorf(zhudun.EUNAUTHORIZED, "sign in first")
	}
	rows, err := s.query(ctx, `SELECT code, name, boundary, updated_at FROM districts ORDER BY code`)
	if err != nil {
		return nil, s.internal("districts", err)
	}
	defer rows.Close()
	out := []zhudun.District{}
	for rows.Next() {
		var d zhudun.District
		var b string
		if err := rows.Scan(&d.Code, &d.Name, &b, &d.UpdatedAt); err != nil {
			return nil, s.internal("district scan", err)
		}
		m, err := geo.ParseGeometry([]byte(b))
		if err != nil {
			return nil, s.internal("district "+d.Code+" boundary", err)
		}
		d.Boundary, d.UpdatedAt = m, d.UpdatedAt.UTC()
		out = append(out, d)
	}
	return out, s.internalIf("district rows", rows.Err())
}
