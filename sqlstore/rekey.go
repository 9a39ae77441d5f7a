package sqlstore

import (
	"context"
	"strconv"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/pii"
)

// RekeyPII re-seals every personal field — users' phones, ID numbers and
// TOTP secrets, incidents' caller phones, appeals' resident IDs, case people's
// ID numbers and phones, the modules' contacts, fire reporters and photos — under the
// keyring's active key and recomputes every blind index under the active
// index key. Run it after
// adding a key (zhudun keys rotate); old keys can be retired once it has run.
// It returns the number of rows rewritten.
func (s *Store) RekeyPII(ctx context.Context) (int, error) {
	c := zhudun.CallerFrom(ctx)
	if c == nil || !c.System {
		return 0, zhudun.Errorf(zhudun.EFORBIDDEN, "key rotation is an installer command")
	}
	type row struct {
		id                      int64
		phone, idno, tsec, tpen string
	}
	rs, err := s.query(ctx, `SELECT id, phone_enc, idno_enc, totp_secret, totp_pending FROM users ORDER BY id`)
	if err != nil {
		return 0, s.internal("rekey list", err)
	}
	var all []row
	for rs.Next() {
		var r row
		if err := rs.Scan(&r.id, &r.phone, &r.idno, &r.tsec, &r.tpen); err != nil {
			rs.Close()
			return 0, s.internal("rekey scan", err)
		}
		all = append(all, r)
	}
	rs.Close()
	n := 0
	err = s.write(ctx, func(ctx context.Context, tx *Tx) error {
		for _, r := range all {
			if r.phone == "" && r.idno == "" && r.tsec == "" && r.tpen == "" {
				continue
			}
			phone, err := s.reseal(r.phone, piiAAD("phone", r.id))
			if err != nil {
				return err
			}
			idno, err := s.reseal(r.idno, piiAAD("idno", r.id))
			if err != nil {
				return err
			}
			tsec, err := s.reseal(r.tsec, totpAAD(r.id))
			if err != nil {
				return err
			}
			tpen, err := s.reseal(r.tpen, totpAAD(r.id))
			if err != nil {
				return err
			}
			var pidx, iidx string
			if phone.clear != "" {
				canon, _ := pii.NormalizePhone(phone.clear)
				pidx = s.keys.Index("phone", canon)
			}
			if idno.clear != "" {
				canon, _ := pii.NormalizeIDNumber(idno.clear)
				iidx = s.keys.Index("idno", canon)
			}
			if _, err := tx.exec(ctx, `UPDATE users SET phone_enc = ?, phone_idx = ?, idno_enc = ?, idno_idx = ?, totp_secret = ?, totp_pending = ? WHERE id = ?`,
				phone.sealed, pidx, idno.sealed, iidx, tsec.sealed, tpen.sealed, r.id); err != nil {
				return tx.s.internal("rekey update", err)
			}
			n++
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	ni, err := s.rekeyIncidents(ctx)
	if err != nil {
		return n, err
	}
	na, err := s.rekeyAppeals(ctx)
	if err != nil {
		return n + ni, err
	}
	ni += na
	np, err := s.rekeyPeople(ctx)
	if err != nil {
		return n + ni, err
	}
	ni += np
	nf, err := s.rekeyAttachments(ctx)
	if err != nil {
		return n + ni, err
	}
	ni += nf
	// The modules' contacts, reporters and photos (campus, fire, 铸盾).
	nmod, err := s.rekeyModules(ctx)
	if err != nil {
		return n + ni, err
	}
	ni += nmod
	// the cross-reference's blind indexes follow the index key
	nm, err := s.rebuildCaseMarks(ctx)
	if err != nil {
		return n + ni, err
	}
	err = s.write(ctx, func(ctx context.Context, tx *Tx) error {
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "keys.rekey", ObjectType: "pii", Detail: Detail(map[string]int{"users": n, "incidents": ni, "people": np, "modules": nmod, "cases_marked": nm})})
	})
	return n + ni, err
}

// rekeyIncidents re-seals caller phones in batches of 1,000 rows, one
// transaction each, so that millions of incidents never hold the write lock
// for long; an interrupted run is safely resumed (rows already under the
// active key are only re-indexed).
func (s *Store) rekeyIncidents(ctx context.Context) (int, error) {
	return s.rekeyBatches(ctx, "incidents", `SELECT id, phone_enc FROM incidents WHERE id > ? AND phone_enc <> '' ORDER BY id LIMIT 1000`, 1,
		func(ctx context.Context, tx *Tx, id int64, enc []string) (bool, error) {
			rs, err := s.reseal(enc[0], incidentAAD(id))
			if err != nil {
				return false, err
			}
			canon, _ := pii.NormalizePhone(rs.clear)
			if _, err := tx.exec(ctx, `UPDATE incidents SET phone_enc = ?, phone_idx = ? WHERE id = ?`, rs.sealed, s.keys.Index("phone", canon), id); err != nil {
				return false, tx.s.internal("rekey incident update", err)
			}
			return true, nil
		})
}

// rekeyBatches runs fn over the rows q selects — the id and ncols sealed
// columns, "id > ?" bound to the last id seen, at most 1,000 at a time —
// in one transaction per batch, and counts the rows fn rewrote.
func (s *Store) rekeyBatches(ctx context.Context, what, q string, ncols int, fn func(ctx context.Context, tx *Tx, id int64, cols []string) (bool, error)) (int, error) {
	n := 0
	type row struct {
		id   int64
		cols []string
	}
	for after := int64(0); ; {
		rows, err := s.query(ctx, q, after)
		if err != nil {
			return n, s.internal("rekey "+what, err)
		}
		var batch []row
		for rows.Next() {
			r := row{cols: make([]string, ncols)}
			dst := []any{&r.id}
			for i := range r.cols {
				dst = append(dst, &r.cols[i])
			}
			if err := rows.Scan(dst...); err != nil {
				rows.Close()
				return n, s.internal("rekey "+what+" scan", err)
			}
			batch = append(batch, r)
		}
		rows.Close()
		if len(batch) == 0 {
			return n, nil
		}
		err = s.write(ctx, func(ctx context.Context, tx *Tx) error {
			for _, r := range batch {
				changed, err := fn(ctx, tx, r.id, r.cols)
				if err != nil {
					return err
				}
				if changed {
					n++
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		after = batch[len(batch)-1].id
	}
}

type resealed struct{ clear, sealed string }

func (s *Store) reseal(sealed string, aad []byte) (resealed, error) {
	if sealed == "" {
		return resealed{}, nil
	}
	b, err := s.keys.Open(sealed, aad)
	if err != nil {
		return resealed{}, s.internal("rekey open", err)
	}
	out := resealed{clear: string(b), sealed: sealed}
	if s.keys.NeedsRotation(sealed) {
		if out.sealed, err = s.keys.Seal(b, aad); err != nil {
			return resealed{}, s.internal("rekey seal", err)
		}
	}
	return out, nil
}

// rekeyAppeals re-seals and re-indexes the resident IDs of appeals (few:
// one transaction).
func (s *Store) rekeyAppeals(ctx context.Context) (int, error) {
	n := 0
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, idno_enc FROM appeals WHERE idno_enc <> '' ORDER BY id`)
		if err != nil {
			return tx.s.internal("rekey appeals", err)
		}
		type row struct {
			id  int64
			enc string
		}
		var all []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.enc); err != nil {
				rows.Close()
				return tx.s.internal("rekey appeals scan", err)
			}
			all = append(all, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return tx.s.internal("rekey appeals rows", err)
		}
		for _, r := range all {
			rs, err := s.reseal(r.enc, appealAAD(r.id))
			if err != nil {
				return err
			}
			canon, _ := pii.NormalizeIDNumber(rs.clear)
			if _, err := tx.exec(ctx, `UPDATE appeals SET idno_enc = ?, idno_idx = ? WHERE id = ?`, rs.sealed, s.keys.Index("idno", canon), r.id); err != nil {
				return tx.s.internal("rekey appeal update", err)
			}
			n++
		}
		return nil
	})
	return n, err
}

// rekeyPeople re-seals and re-indexes case people's ID numbers and phones
// in batches of 1,000, as rekeyIncidents does (a bureau holds millions).
func (s *Store) rekeyPeople(ctx context.Context) (int, error) {
	return s.rekeyBatches(ctx, "people", `SELECT id, idno_enc, phone_enc FROM people WHERE id > ? AND (idno_enc <> '' OR phone_enc <> '') ORDER BY id LIMIT 1000`, 2,
		func(ctx context.Context, tx *Tx, id int64, enc []string) (bool, error) {
			idno, err := s.reseal(enc[0], personAAD(id, "idno"))
			if err != nil {
				return false, err
			}
			phone, err := s.reseal(enc[1], personAAD(id, "phone"))
			if err != nil {
				return false, err
			}
			var iidx, pidx string
			if idno.clear != "" {
				canon, _ := pii.NormalizeIDNumber(idno.clear)
				iidx = s.keys.Index("idno", canon)
			}
			if phone.clear != "" {
				canon, _ := pii.NormalizePhone(phone.clear)
				pidx = s.keys.Index("phone", canon)
			}
			if _, err := tx.exec(ctx, `UPDATE people SET idno_enc = ?, idno_idx = ?, phone_enc = ?, phone_idx = ? WHERE id = ?`,
				idno.sealed, iidx, phone.sealed, pidx, id); err != nil {
				return false, tx.s.internal("rekey person update", err)
			}
			return true, nil
		})
}

// rekeyAttachments re-seals the attachments' file keys (16 bytes each; the
// files themselves are not rewritten) in batches of 1,000.
func (s *Store) rekeyAttachments(ctx context.Context) (int, error) {
	return s.rekeyBatches(ctx, "attachments", `SELECT id, blob, key_enc FROM case_attachments WHERE id > ? AND key_enc <> '' ORDER BY id LIMIT 1000`, 2,
		func(ctx context.Context, tx *Tx, id int64, c []string) (bool, error) {
			k, err := s.reseal(c[1], blobAAD(c[0]))
			if err != nil || k.sealed == c[1] {
				return false, err
			}
			if _, err := tx.exec(ctx, `UPDATE case_attachments SET key_enc = ? WHERE id = ?`, k.sealed, id); err != nil {
				return false, tx.s.internal("rekey attachment", err)
			}
			return true, nil
		})
}

// rekeyModules re-seals the modules' sealed columns: school contacts'
// and 铸盾 community contacts' phones (re-indexed), fire reporters' name,
// phone (re-indexed), e-mail, account and device, and fire photos.
func (s *Store) rekeyModules(ctx context.Context) (int, error) {
	total := 0
	contacts := func(table string, aad func(int64) []byte) error {
		n, err := s.rekeyBatches(ctx, table, `SELECT id, phone_enc FROM `+table+` WHERE id > ? AND phone_enc <> '' ORDER BY id LIMIT 1000`, 1,
			func(ctx context.Context, tx *Tx, id int64, enc []string) (bool, error) {
				rs, err := s.reseal(enc[0], aad(id))
				if err != nil {
					return false, err
				}
				canon, _ := pii.NormalizePhone(rs.clear)
				if _, err := tx.exec(ctx, `UPDATE `+table+` SET phone_enc = ?, phone_idx = ? WHERE id = ?`, rs.sealed, s.keys.Index("phone", canon), id); err != nil {
					return false, tx.s.internal("rekey "+table, err)
				}
				return true, nil
			})
		total += n
		return err
	}
	if err := contacts("campus_contacts", schoolAAD); err != nil {
		return total, err
	}
	if err := contacts("zd_community_contacts", communityAAD); err != nil {
		return total, err
	}
	fields := []string{"name", "phone", "email", "account", "device"}
	n, err := s.rekeyBatches(ctx, "fire_reports", `SELECT id, name_enc, phone_enc, email_enc, account_enc, device_enc FROM fire_reports
		WHERE id > ? AND (name_enc <> '' OR phone_enc <> '' OR email_enc <> '' OR account_enc <> '' OR device_enc <> '') ORDER BY id LIMIT 1000`, len(fields),
		func(ctx context.Context, tx *Tx, id int64, enc []string) (bool, error) {
			out := make([]any, 0, len(fields)+2)
			var phoneIdx string
			for i, f := range fields {
				rs, err := s.reseal(enc[i], fireAAD(id, f))
				if err != nil {
					return false, err
				}
				out = append(out, rs.sealed)
				if f == "phone" && rs.clear != "" {
					canon, _ := pii.NormalizePhone(rs.clear)
					phoneIdx = s.keys.Index("phone", canon)
				}
			}
			out = append(out, phoneIdx, id)
			if _, err := tx.exec(ctx, `UPDATE fire_reports SET name_enc = ?, phone_enc = ?, email_enc = ?, account_enc = ?, device_enc = ?, phone_idx = ? WHERE id = ?`, out...); err != nil {
				return false, tx.s.internal("rekey fire report", err)
			}
			return true, nil
		})
	total += n
	if err != nil {
		return total, err
	}
	// A photo's AAD names its report and kind, which the batch reads as
	// sealed columns' neighbours: selected as text and passed through.
	n, err = s.rekeyBatches(ctx, "fire_photos", `SELECT id, CAST(report_id AS TEXT), kind, data_enc FROM fire_photos WHERE id > ? ORDER BY id LIMIT 1000`, 3,
		func(ctx context.Context, tx *Tx, id int64, c []string) (bool, error) {
			reportID, err := strconv.ParseInt(c[0], 10, 64)
			if err != nil {
				return false, tx.s.internal("rekey fire photo", err)
			}
			rs, err := s.reseal(c[2], firePhotoAAD(reportID, c[1]))
			if err != nil || rs.sealed == c[2] {
				return false, err
			}
			if _, err := tx.exec(ctx, `UPDATE fire_photos SET data_enc = ? WHERE id = ?`, rs.sealed, id); err != nil {
				return false, tx.s.internal("rekey fire photo", err)
			}
			return true, nil
		})
	return total + n, err
}
