package sqlstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
)

// Case attachments (docs/cases.md). The content goes to the blob store
// encrypted (SM4-GCM) under a key of its own, random per file; that key is
// sealed with the keyring's pii key bound to the blob's name and kept in
// the row (key_enc). The row holds the SM3 digest of the content, checked
// on every download. A deletion keeps the row and destroys the content:
// key_enc emptied in the transaction (the blob can no longer be read even
// if its removal fails), the blob removed after it.

var _ zhudun.AttachmentService = (*Store)(nil)

const attachSelect = `SELECT id, case_id, name, type, size, sm3, uploaded_by, uploaded_at, deleted_by, deleted_at, delete_reason FROM case_attachments`

func scanAttachment(r scanner) (*zhudun.Attachment, error) {
	var a zhudun.Attachment
	var del sql.NullTime
	if err := r.Scan(&a.ID, &a.CaseID, &a.Name, &a.Type, &a.Size, &a.SM3, &a.UploadedBy, &a.UploadedAt, &a.DeletedBy, &del, &a.DeleteWhy); err != nil {
		return nil, err
	}
	a.UploadedAt = a.UploadedAt.UTC()
	a.DeletedAt = nullTime(del)
	if t, ok := zhudun.AttachmentTypeByID(a.Type); ok {
		a.MIME = t.MIME
	}
	return &a, nil
}

func blobAAD(blob string) []byte { return []byte("case_attachments/" + blob + "/key") }

func (s *Store) blobStore() (zhudun.BlobStore, error) {
	if s.blobs == nil {
		return nil, zhudun.Errorf(zhudun.EUNAVAILABLE, "no attachment store is configured")
	}
	return s.blobs, nil
}

func sm3Hex(data []byte) string {
	h := gmcrypto.NewSM3()
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// AddAttachment stores a file of a case the caller may write: its type
// sniffed from the content, its name cleaned, at most
// zhudun.MaxAttachmentSize, within the case's count and bytes (one
// conditional statement, so concurrent uploads cannot pass the limits
// together). The blob is written before the transaction and removed when
// it fails, so that a refused upload leaves nothing. Audited
// case.attachment.add (without the file's name, which may name a person).
func (s *Store) AddAttachment(ctx context.Context, caseID int64, name string, data []byte) (*zhudun.Attachment, error) {
	if int64(len(data)) > zhudun.MaxAttachmentSize {
		return nil, &zhudun.Error{Code: zhudun.ETOOLARGE, Message: fmt.Sprintf("a file is at most %d MiB", zhudun.MaxAttachmentSize>>20)}
	}
	typ, err := zhudun.SniffAttachment(data)
	if err != nil {
		return nil, err
	}
	name = zhudun.CleanAttachmentName(name)
	blobs, err := s.blobStore()
	if err != nil {
		return nil, err
	}
	// Scope first: a caller who may not write the case stores nothing.
	if c, err := s.caseInScope(ctx, s, caseID, zhudun.PermCaseWrite); err != nil {
		return nil, err
	} else if c.Status == zhudun.CaseMerged {
		return nil, zhudun.Errorf(zhudun.ECONFLICT, "case %d was merged into case %d: write to that one", caseID, *c.MergedInto)
	}
	rnd := make([]byte, 16)
	_, _ = rand.Read(rnd)
	blob := hex.EncodeToString(rnd)
	key := gmcrypto.NewFileKey()
	keyEnc, err := s.keys.Seal(key, blobAAD(blob))
	if err != nil {
		return nil, err
	}
	// The digest is taken from the content before a byte leaves for the
	// blob store, and every download is checked against it.
	digest := sm3Hex(data)
	var enc bytes.Buffer
	if err := gmcrypto.EncryptFile(&enc, bytes.NewReader(data), key, []byte(blob)); err != nil {
		return nil, s.internal("attachment encrypt", err)
	}
	if err := blobs.Put(ctx, blob, &enc); err != nil {
		return nil, s.internal("attachment put", err)
	}
	var out *zhudun.Attachment
	err = s.write(ctx, func(ctx context.Context, tx *Tx) error {
		c, err := tx.writableCase(ctx, caseID)
		if err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE cases SET attach_count = attach_count + 1, attach_bytes = attach_bytes + ?, updated_at = ?
			WHERE id = ? AND attach_count < ? AND attach_bytes + ? <= ?`,
			len(data), tx.now, caseID, zhudun.MaxCaseAttachments, len(data), zhudun.MaxCaseAttachBytes)
		if err != nil {
			return tx.s.internal("attachment quota", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return &zhudun.Error{Code: zhudun.ETOOLARGE, Message: fmt.Sprintf("a case holds at most %d files and %d MiB: delete some first",
				zhudun.MaxCaseAttachments, zhudun.MaxCaseAttachBytes>>20)}
		}
		var id int64
		if err := tx.queryRow(ctx, `INSERT INTO case_attachments (case_id, name, type, size, sm3, blob, key_enc, uploaded_by, uploaded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			caseID, name, typ.ID, len(data), digest, blob, keyEnc, zhudun.CallerFrom(ctx).Username, tx.now).Scan(&id); err != nil {
			return tx.s.internal("attachment insert", err)
		}
		if err := tx.caseNote(ctx, c, "attachment.add", name, nil); err != nil {
			return err
		}
		if out, err = tx.s.attachment(ctx, tx, caseID, id); err != nil {
			return err
		}
		return tx.caseChanged(ctx, "case.attachment.add", c, map[string]any{"attachment": id, "type": typ.ID, "size": len(data), "sm3": digest})
	})
	if err != nil {
		if derr := blobs.Delete(context.WithoutCancel(ctx), blob); derr != nil {
			s.log.Error("attachment: removing the blob of a failed upload", "blob", blob, "err", derr)
		}
		return nil, err
	}
	return out, nil
}

func (s *Store) attachment(ctx context.Context, q querier, caseID, id int64) (*zhudun.Attachment, error) {
	a, err := scanAttachment(q.queryRow(ctx, attachSelect+` WHERE id = ? AND case_id = ?`, id, caseID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "attachment %d not found", id)
	}
	if err != nil {
		return nil, s.internal("attachment", err)
	}
	return a, nil
}

// CaseAttachments lists a case's attachments (case:read), deleted ones
// with who deleted them and why, oldest first.
func (s *Store) CaseAttachments(ctx context.Context, caseID int64) ([]*zhudun.Attachment, error) {
	if _, err := s.caseInScope(ctx, s, caseID, zhudun.PermCaseRead); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, attachSelect+` WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, s.internal("attachments", err)
	}
	defer rows.Close()
	out := []*zhudun.Attachment{}
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, s.internal("attachment scan", err)
		}
		out = append(out, a)
	}
	return out, s.internalIf("attachments rows", rows.Err())
}

// ReadAttachment returns a live attachment of a case the caller may read,
// decrypted and checked against its SM3 digest. A download is an unmasked
// view of what the file holds: audited case.attachment.download before
// the content is returned; a file failing its check is audited as a
// failure, logged, and not returned (EINTERNAL).
func (s *Store) ReadAttachment(ctx context.Context, caseID, id int64) (*zhudun.Attachment, []byte, error) {
	blobs, err := s.blobStore()
	if err != nil {
		return nil, nil, err
	}
	c, err := s.caseInScope(ctx, s, caseID, zhudun.PermCaseRead)
	if err != nil {
		return nil, nil, err
	}
	var blob, keyEnc string
	a, err := scanAttachment(s.queryRow(ctx, attachSelect+` WHERE id = ? AND case_id = ?`, id, caseID))
	if err == nil {
		err = s.queryRow(ctx, `SELECT blob, key_enc FROM case_attachments WHERE id = ?`, id).Scan(&blob, &keyEnc)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, zhudun.Errorf(zhudun.ENOTFOUND, "attachment %d not found", id)
	}
	if err != nil {
		return nil, nil, s.internal("attachment", err)
	}
	if a.DeletedAt != nil || keyEnc == "" {
		return nil, nil, zhudun.Errorf(zhudun.ENOTFOUND, "attachment %d was deleted", id)
	}
	data, why := s.openBlob(ctx, blobs, blob, keyEnc, a)
	if why != "" {
		// A deletion that committed meanwhile (key emptied, blob removed)
		// is a deleted file, not a failed check.
		var now string
		if err := s.queryRow(ctx, `SELECT key_enc FROM case_attachments WHERE id = ?`, id).Scan(&now); err == nil && now == "" {
			return nil, nil, zhudun.Errorf(zhudun.ENOTFOUND, "attachment %d was deleted", id)
		}
	}
	detail := map[string]any{"attachment": id, "sm3": a.SM3, "receipt": c.Receipt}
	entry := &zhudun.AuditEntry{Action: "case.attachment.download", ObjectType: "case", ObjectID: fmt.Sprint(caseID)}
	if why != "" {
		detail["integrity"] = why
		entry.Result = zhudun.ResultFailed
		s.log.Error("attachment failed its integrity check", "case", caseID, "attachment", id, "why", why)
	}
	entry.Detail = Detail(detail)
	if err := s.write(ctx, func(ctx context.Context, tx *Tx) error { return tx.audit(ctx, entry) }); err != nil {
		return nil, nil, err
	}
	if why != "" {
		return nil, nil, zhudun.Errorf(zhudun.EINTERNAL, "attachment %d failed its integrity check", id)
	}
	return a, data, nil
}

// openBlob reads and decrypts a blob and checks its digest; why says what
// failed ("" when nothing did).
func (s *Store) openBlob(ctx context.Context, blobs zhudun.BlobStore, blob, keyEnc string, a *zhudun.Attachment) ([]byte, string) {
	key, err := s.keys.Open(keyEnc, blobAAD(blob))
	if err != nil {
		return nil, "key does not open"
	}
	r, err := blobs.Open(ctx, blob)
	if err != nil {
		return nil, "blob missing"
	}
	defer r.Close()
	var out bytes.Buffer
	out.Grow(int(a.Size))
	if err := gmcrypto.DecryptFile(&out, r, key, []byte(blob)); err != nil {
		return nil, "decryption failed (altered or truncated)"
	}
	if int64(out.Len()) != a.Size || sm3Hex(out.Bytes()) != a.SM3 {
		return nil, "SM3 digest mismatch"
	}
	return out.Bytes(), ""
}

// DeleteAttachment deletes a live attachment of a case the caller may
// write, with a reason (4–500 characters): the record stays with who, when
// and why; the content's key is destroyed in the transaction and the blob
// removed after it. Audited case.attachment.delete.
func (s *Store) DeleteAttachment(ctx context.Context, caseID, id int64, reason string) (*zhudun.Attachment, error) {
	reason = strings.TrimSpace(reason)
	if err := zhudun.ValidReason("reason", reason); err != nil {
		return nil, err
	}
	blobs, err := s.blobStore()
	if err != nil {
		return nil, err
	}
	var out *zhudun.Attachment
	var blob string
	err = s.write(ctx, func(ctx context.Context, tx *Tx) error {
		c, err := tx.writableCase(ctx, caseID)
		if err != nil {
			return err
		}
		a, err := tx.s.attachment(ctx, tx, caseID, id)
		if err != nil {
			return err
		}
		if a.DeletedAt != nil {
			return zhudun.Errorf(zhudun.ECONFLICT, "attachment %d was deleted already", id)
		}
		if err := tx.queryRow(ctx, `SELECT blob FROM case_attachments WHERE id = ?`, id).Scan(&blob); err != nil {
			return tx.s.internal("attachment blob", err)
		}
		res, err := tx.exec(ctx, `UPDATE case_attachments SET key_enc = '', deleted_by = ?, deleted_at = ?, delete_reason = ?
			WHERE id = ? AND deleted_at IS NULL`, zhudun.CallerFrom(ctx).Username, tx.now, reason, id)
		if err != nil {
			return tx.s.internal("attachment delete", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return zhudun.Errorf(zhudun.ECONFLICT, "attachment %d was deleted already", id)
		}
		if _, err := tx.exec(ctx, `UPDATE cases SET attach_count = attach_count - 1, attach_bytes = attach_bytes - ?, updated_at = ? WHERE id = ?`,
			a.Size, tx.now, caseID); err != nil {
			return tx.s.internal("attachment quota", err)
		}
		if err := tx.caseNote(ctx, c, "attachment.delete", a.Name+"："+reason, nil); err != nil {
			return err
		}
		if out, err = tx.s.attachment(ctx, tx, caseID, id); err != nil {
			return err
		}
		return tx.caseChanged(ctx, "case.attachment.delete", c, map[string]any{"attachment": id, "sm3": a.SM3, "reason": reason})
	})
	if err != nil {
		return nil, err
	}
	if err := blobs.Delete(ctx, blob); err != nil {
		// the key is gone: what is left cannot be read
		s.log.Error("attachment: removing a deleted attachment's blob", "blob", blob, "err", err)
	}
	return out, nil
}

// AttachmentBlobs names the blobs of the live attachments (deleted ones
// have no content): what a backup must carry beside the database. The
// installer's commands only.
func (s *Store) AttachmentBlobs(ctx context.Context) ([]string, error) {
	if !zhudun.CallerFrom(ctx).System {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "the installer's commands only")
	}
	rows, err := s.query(ctx, `SELECT blob FROM case_attachments WHERE key_enc <> '' ORDER BY id`)
	if err != nil {
		return nil, s.internal("attachment blobs", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			return nil, s.internal("attachment blobs scan", err)
		}
		out = append(out, b)
	}
	return out, s.internalIf("attachment blobs", rows.Err())
}

// VerifyAttachments reads every live attachment from the store's blob
// store, decrypts it and checks its SM3 digest, as a download would,
// without auditing a download (nothing is shown to anyone). It returns how
// many were checked and, per failing one, "attachment ID of case ID: why"
// — never a file name, which may name a person. The installer's commands
// only (backup and restore).
func (s *Store) VerifyAttachments(ctx context.Context) (int, []string, error) {
	if !zhudun.CallerFrom(ctx).System {
		return 0, nil, zhudun.Errorf(zhudun.EFORBIDDEN, "the installer's commands only")
	}
	blobs, err := s.blobStore()
	if err != nil {
		return 0, nil, err
	}
	type live struct {
		a            *zhudun.Attachment
		blob, keyEnc string
	}
	var all []live
	rows, err := s.query(ctx, attachSelect+` WHERE key_enc <> '' ORDER BY id`)
	if err != nil {
		return 0, nil, s.internal("verify attachments", err)
	}
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			rows.Close()
			return 0, nil, s.internal("verify attachments scan", err)
		}
		all = append(all, live{a: a})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, nil, s.internal("verify attachments", err)
	}
	var problems []string
	for i := range all {
		l := &all[i]
		if err := s.queryRow(ctx, `SELECT blob, key_enc FROM case_attachments WHERE id = ?`, l.a.ID).Scan(&l.blob, &l.keyEnc); err != nil {
			return 0, nil, s.internal("verify attachment", err)
		}
		if _, why := s.openBlob(ctx, blobs, l.blob, l.keyEnc, l.a); why != "" {
			problems = append(problems, fmt.Sprintf("attachment %d of case %d: %s", l.a.ID, l.a.CaseID, why))
		}
	}
	return len(all), problems, nil
}
