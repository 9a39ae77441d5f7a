package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/zhudun/zhudun"
)

// Photos of hazards (issue 14, docs/campus.md "Photos"): checked by their
// content, stored as taken, read back for the HTTP layer to strip.

// AddHazardPhoto stores a photo of a hazard (campus:inspect over it): kind
// found, or rectified for the on-the-spot fix. Audited campus.photo.add
// with its size and type, never its content.
func (s *Store) AddHazardPhoto(ctx context.Context, hazardID int64, kind string, data []byte) (*zhudun.Photo, error) {
	if kind != zhudun.PhotoFound && kind != zhudun.PhotoRectified {
		return nil, zhudun.FieldError("kind", "kind is found or rectified")
	}
	typ, err := zhudun.SniffPhoto(data)
	if err != nil {
		return nil, err
	}
	if !zhudun.CallerFrom(ctx).Has(zhudun.PermCampusInspect) {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission campus:inspect required")
	}
	p := &zhudun.Photo{HazardID: hazardID, Kind: kind, ContentType: typ, Size: len(data), CreatedBy: zhudun.CallerFrom(ctx).Username}
	err = s.write(ctx, func(ctx context.Context, tx *Tx) error {
		hs, _, err := tx.s.findHazardsTx(ctx, tx, zhudun.PermCampusInspect, "h.id = ?", []any{hazardID})
		if err != nil {
			return err
		}
		if len(hs) == 0 {
			return zhudun.Errorf(zhudun.ENOTFOUND, "hazard %d not found", hazardID)
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM campus_photos WHERE hazard_id = ?`, hazardID).Scan(&n); err != nil {
			return tx.s.internal("photo count", err)
		}
		if n >= 10 {
			return zhudun.Errorf(zhudun.ECONFLICT, "a hazard has at most 10 photos")
		}
		p.CreatedAt = tx.now
		if err := tx.queryRow(ctx, `INSERT INTO campus_photos (hazard_id, kind, content_type, size, data, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			hazardID, kind, typ, len(data), data, p.CreatedBy, tx.now).Scan(&p.ID); err != nil {
			return tx.s.internal("photo insert", err)
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "campus.photo.add", ObjectType: "campus_hazard", ObjectID: fmt.Sprint(hazardID),
			Detail: Detail(map[string]any{"photo": p.ID, "kind": kind, "content_type": typ, "size": len(data)})})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// HazardPhotos lists a hazard's photos (campus:read over it).
func (s *Store) HazardPhotos(ctx context.Context, hazardID int64) ([]*zhudun.Photo, error) {
	pred, args, err := campusPred(ctx, zhudun.PermCampusRead, "h.round_id")
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT p.id, p.hazard_id, p.kind, p.content_type, p.size, p.created_by, p.created_at FROM campus_photos p
		JOIN campus_hazards h ON h.id = p.hazard_id JOIN campus_schools sc ON sc.id = h.school_id JOIN depts sd ON sd.id = sc.station_id
		WHERE `+pred+` AND p.hazard_id = ? ORDER BY p.id`, append(args, hazardID)...)
	if err != nil {
		return nil, s.internal("photos", err)
	}
	defer rows.Close()
	out := []*zhudun.Photo{}
	for rows.Next() {
		var p zhudun.Photo
		if err := rows.Scan(&p.ID, &p.HazardID, &p.Kind, &p.ContentType, &p.Size, &p.CreatedBy, &p.CreatedAt); err != nil {
			return nil, s.internal("photo scan", err)
		}
		p.CreatedAt = p.CreatedAt.UTC()
		out = append(out, &p)
	}
	return out, s.internalIf("photos rows", rows.Err())
}

// PhotoData returns a photo's stored bytes and type (campus:read over its
// hazard); outside the scope it is ENOTFOUND.
func (s *Store) PhotoData(ctx context.Context, id int64) ([]byte, string, error) {
	pred, args, err := campusPred(ctx, zhudun.PermCampusRead, "h.round_id")
	if err != nil {
		return nil, "", err
	}
	var data []byte
	var typ string
	err = s.queryRow(ctx, `SELECT p.data, p.content_type FROM campus_photos p JOIN campus_hazards h ON h.id = p.hazard_id
		JOIN campus_schools sc ON sc.id = h.school_id JOIN depts sd ON sd.id = sc.station_id WHERE `+pred+` AND p.id = ?`, append(args, id)...).Scan(&data, &typ)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", zhudun.Errorf(zhudun.ENOTFOUND, "photo %d not found", id)
	}
	if err != nil {
		return nil, "", s.internal("photo load", err)
	}
	return data, typ, nil
}
