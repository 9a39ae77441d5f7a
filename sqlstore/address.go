package sqlstore

import (
	"context"
	"strings"

	"github.com/zhudun/zhudun"
)

var _ zhudun.Geocoder = (*Store)(nil)

// The local standard-address table: what the address box searches when the
// bureau's address service is not configured (the demo fills it with
// generated rows).

// ReplaceAddresses replaces the table (system caller only), audited.
func (s *Store) ReplaceAddresses(ctx context.Context, as []zhudun.AddressMatch) error {
	if err := systemOnly(ctx); err != nil {
		return err
	}
	generated := 0
	return s.write(ctx, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM std_addresses`); err != nil {
			return tx.s.internal("addresses clear", err)
		}
		for i, a := range as {
			a.Address = strings.TrimSpace(a.Address)
			if a.Address == "" || len([]rune(a.Address)) > 128 || a.Lon < -180 || a.Lon > 180 || a.Lat < -90 || a.Lat > 90 {
				return zhudun.FieldError("address", "address %d: text (1–128 characters) and a WGS-84 point are required", i)
			}
			if a.Generated {
				generated++
			}
			if _, err := tx.exec(ctx, `INSERT INTO std_addresses (address, district, lon, lat, generated) VALUES (?, ?, ?, ?, ?)`,
				a.Address, a.District, a.Lon, a.Lat, a.Generated); err != nil {
				return tx.s.internal("address insert", err)
			}
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "address.import", ObjectType: "address", ObjectID: itoa(int64(len(as))),
			Detail: Detail(map[string]any{"rows": len(as), "generated": generated})})
	})
}

// Geocode implements zhudun.Geocoder over the local table: addresses
// containing q, shortest first (the closest to what was typed).
func (s *Store) Geocode(ctx context.Context, q string, limit int) ([]zhudun.AddressMatch, error) {
	if zhudun.CallerFrom(ctx) == nil {
		return nil, zhudun.Errorf(zhudun.EUNAUTHORIZED, "sign in first")
	}
	q = strings.TrimSpace(q)
	if n := len([]rune(q)); n < 2 || n > 64 {
		return nil, zhudun.FieldError("q", "type 2 to 64 characters of the address")
	}
	if limit <= 0 || limit > 20 {
		limit = 10
	}
	rows, err := s.query(ctx, `SELECT address, district, lon, lat, generated FROM std_addresses WHERE LOWER(address) LIKE ? ESCAPE '\'
		ORDER BY LENGTH(address), address LIMIT ?`, likeArg(q), limit)
	if err != nil {
		return nil, s.internal("geocode", err)
	}
	defer rows.Close()
	out := []zhudun.AddressMatch{}
	for rows.Next() {
		var a zhudun.AddressMatch
		if err := rows.Scan(&a.Address, &a.District, &a.Lon, &a.Lat, &a.Generated); err != nil {
			return nil, s.internal("geocode scan", err)
		}
		out = append(out, a)
	}
	return out, s.internalIf("geocode rows", rows.Err())
}
