package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/zhudun/zhudun"
)

// The escalation of an e-bike fire report (issue 15 item 3, docs/fire.md):
// steps checked against zhudun.FireNext, photos, overdue orders.

// MaxFireMediaBytes is the Open311 upload's limit (the route's own).
const MaxFireMediaBytes = 10 << 20

// sniffFireMedia accepts a JPEG or PNG of at most 10 MiB, by its content.
func sniffFireMedia(b []byte) (string, error) {
	switch {
	case len(b) == 0:
		return "", zhudun.FieldError("media", "the upload is empty")
	case len(b) > MaxFireMediaBytes:
		return "", zhudun.FieldError("media", "media is at most 10 MiB")
	case len(b) > 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return "image/jpeg", nil
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png", nil
	}
	return "", zhudun.FieldError("media", "media is a JPEG or PNG image")
}

func firePhotoAAD(reportID int64, kind string) []byte {
	return []byte("fire_photos/" + itoa(reportID) + "/" + kind)
}

// insertFirePhoto seals and stores a photo of a report.
func (tx *Tx) insertFirePhoto(ctx context.Context, reportID int64, stepID *int64, kind, typ string, data []byte) error {
	enc, err := tx.s.keys.Seal(data, firePhotoAAD(reportID, kind))
	if err != nil {
		return tx.s.internal("fire photo seal", err)
	}
	if _, err := tx.exec(ctx, `INSERT INTO fire_photos (report_id, step_id, kind, content_type, size, data_enc, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, reportID, stepID, kind, typ, len(data), enc, zhudun.CallerFrom(ctx).Username, tx.now); err != nil {
		return tx.s.internal("fire photo insert", err)
	}
	return nil
}

func (s *Store) openFirePhoto(row *sql.Row) ([]byte, string, error) {
	var reportID int64
	var kind, typ, enc string
	if err := row.Scan(&reportID, &kind, &typ, &enc); errors.Is(err, sql.ErrNoRows) {
		return nil, "", zhudun.Errorf(zhudun.ENOTFOUND, "photo not found")
	} else if err != nil {
		return nil, "", s.internal("fire photo", err)
	}
	data, err := s.keys.Open(enc, firePhotoAAD(reportID, kind))
	if err != nil {
		return nil, "", s.internal("fire photo open", err)
	}
	return zhudun.StripPhotoMetadata(data), typ, nil
}

// FireMedia returns the Open311 upload published under name (public: its
// media_url), its metadata (EXIF GPS) stripped.
func (s *Store) FireMedia(ctx context.Context, name string) ([]byte, string, error) {
	if len(name) != 32 || strings.Trim(name, "0123456789abcdef") != "" {
		return nil, "", zhudun.Errorf(zhudun.ENOTFOUND, "media not found")
	}
	return s.openFirePhoto(s.queryRow(ctx, `SELECT p.report_id, p.kind, p.content_type, p.data_enc FROM fire_photos p
		JOIN fire_reports fr ON fr.id = p.report_id WHERE fr.media_name = ? AND p.kind = 'media' ORDER BY p.id LIMIT 1`, name))
}

// AddFirePhoto stores an officer's photo of a report (fire:write over
// it), to be attached to the next step that names it. Audited
// fire.photo.add with its size and type.
func (s *Store) AddFirePhoto(ctx context.Context, id int64, data []byte) (int64, error) {
	typ, err := zhudun.SniffPhoto(data)
	if err != nil {
		return 0, err
	}
	var pid int64
	err = s.write(ctx, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.s.fireInScope(ctx, tx, id, zhudun.PermFireWrite); err != nil {
			return err
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM fire_photos WHERE report_id = ?`, id).Scan(&n); err != nil {
			return tx.s.internal("fire photo count", err)
		}
		if n >= 50 {
			return zhudun.Errorf(zhudun.ECONFLICT, "a report has at most 50 photos")
		}
		if err := tx.insertFirePhoto(ctx, id, nil, "step", typ, data); err != nil {
			return err
		}
		if err := tx.queryRow(ctx, `SELECT MAX(id) FROM fire_photos WHERE report_id = ?`, id).Scan(&pid); err != nil {
			return tx.s.internal("fire photo id", err)
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "fire.photo.add", ObjectType: "fire_report", ObjectID: itoa(id),
			Detail: Detail(map[string]any{"photo": pid, "content_type": typ, "size": len(data)})})
	})
	return pid, err
}

// FirePhoto returns a photo of a report of the caller's fire:read scope,
// metadata stripped.
func (s *Store) FirePhoto(ctx context.Context, id int64) ([]byte, string, error) {
	pred, args, err := firePred(ctx, zhudun.PermFireRead)
	if err != nil {
		return nil, "", err
	}
	return s.openFirePhoto(s.queryRow(ctx, `SELECT p.report_id, p.kind, p.content_type, p.data_enc FROM fire_photos p
		JOIN fire_reports fr ON fr.id = p.report_id JOIN depts sd ON sd.id = fr.station_id WHERE `+pred+` AND p.id = ?`, append(args, id)...))
}

// AddFireStep records one step of the escalation on a report of the
// caller's fire:write scope: the transition checked against the report's
// status as it is in the transaction (a step racing another sees the
// other's status and is refused), the actor and time stamped, the named
// photos attached. Audited fire.step.<action>.
func (s *Store) AddFireStep(ctx context.Context, id int64, in zhudun.FireStepInput) (*zhudun.FireReport, error) {
	if err := in.Validate(s.clock()); err != nil {
		return nil, err
	}
	if !zhudun.CallerFrom(ctx).Has(zhudun.PermFireWrite) {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission fire:write required")
	}
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		x, err := tx.s.fireInScope(ctx, tx, id, zhudun.PermFireWrite)
		if err != nil {
			return err
		}
		to, err := zhudun.FireNext(x.Status, in.Action)
		if err != nil {
			return err
		}
		var caseID any
		referred := x.ReferredTo
		switch in.Action {
		case zhudun.FireActRefer:
			referred = in.Target
			if in.Target == zhudun.ReferStation {
				d, err := tx.deptInScope(ctx, in.TargetDept, zhudun.PermFireRead)
				if err != nil || d.Kind != zhudun.DeptStation {
					// A station beyond the caller's reach is still a valid
					// target: look it up by code alone.
					var kind string
					if e := tx.queryRow(ctx, `SELECT kind FROM depts WHERE code = ? AND disabled = FALSE`, in.TargetDept).Scan(&kind); e != nil || kind != zhudun.DeptStation {
						return zhudun.FieldError("target_dept", "%s is not an active station", in.TargetDept)
					}
				}
				referred = "station:" + in.TargetDept
			}
		case zhudun.FireActCriminal:
			if _, err := tx.s.caseInScope(ctx, tx, in.CaseID, zhudun.PermCaseRead); err != nil {
				return zhudun.FieldError("case_id", "case %d is not found in your case:read scope", in.CaseID)
			}
			caseID = in.CaseID
		}
		var stepID int64
		if err := tx.queryRow(ctx, `INSERT INTO fire_steps (report_id, action, from_status, to_status, note, target, target_dept, deadline,
			decision, amount_fen, legal_basis, consequence, case_id, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			id, in.Action, x.Status, to, in.Note, in.Target, in.TargetDept, in.Deadline, in.Decision, in.AmountFen, in.LegalBasis,
			in.Consequence, caseID, zhudun.CallerFrom(ctx).Username, tx.now).Scan(&stepID); err != nil {
			return tx.s.internal("fire step insert", err)
		}
		for _, pid := range in.Photos {
			res, err := tx.exec(ctx, `UPDATE fire_photos SET step_id = ? WHERE id = ? AND report_id = ? AND step_id IS NULL AND kind = 'step'`, stepID, pid, id)
			if err != nil {
				return tx.s.internal("fire step photo", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return zhudun.FieldError("photos", "photo %d is not an unattached photo of this report", pid)
			}
		}
		deadline := x.Deadline
		if in.Action == zhudun.FireActOrder {
			deadline = in.Deadline
		}
		var closed any
		if zhudun.FireClosed(to) {
			closed = tx.now
		}
		q := `UPDATE fire_reports SET status = ?, deadline = ?, referred_to = ?, updated_at = ?, closed_at = COALESCE(closed_at, ?)`
		args := []any{to, deadline, referred, tx.now, closed}
		if caseID != nil {
			q, args = q+`, case_id = ?`, append(args, caseID)
		}
		// The status in the WHERE makes a racing step fail here even where
		// the read above was not locked (PostgreSQL read committed).
		res, err := tx.exec(ctx, q+` WHERE id = ? AND status = ?`, append(args, id, x.Status)...)
		if err != nil {
			return tx.s.internal("fire step update", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return zhudun.Errorf(zhudun.ECONFLICT, "the report changed meanwhile; reload it")
		}
		detail := map[string]any{"step": stepID, "from": x.Status, "to": to, "photos": len(in.Photos)}
		switch in.Action {
		case zhudun.FireActRefer:
			detail["target"] = referred
		case zhudun.FireActOrder:
			detail["deadline"], detail["legal_basis"] = in.Deadline, in.LegalBasis
		case zhudun.FireActPenalize:
			detail["decision"], detail["amount_fen"], detail["legal_basis"] = in.Decision, in.AmountFen, in.LegalBasis
		case zhudun.FireActCriminal:
			detail["case_id"], detail["consequence"] = in.CaseID, in.Consequence
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "fire.step." + in.Action, ObjectType: "fire_report", ObjectID: itoa(id),
			Detail: Detail(detail)})
	})
	if err != nil {
		return nil, err
	}
	return s.FindFireReportByID(ctx, id)
}

// EscalateOverdueFireOrders alerts, once per order, the station and its
// district (sub-bureau) of every report ordered to correct whose deadline
// has passed, and records an overdue step (the status stays ordered: the
// officer decides between corrected and a penalty). System caller only;
// several servers may run it (the alert's key makes it once).
func (s *Store) EscalateOverdueFireOrders(ctx context.Context) ([]*zhudun.FireAlert, error) {
	if err := systemOnly(ctx); err != nil {
		return nil, err
	}
	today := s.clock().In(zhudun.CST()).Format("2006-01-02")
	var out []*zhudun.FireAlert
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT fr.id, fr.deadline, sd.code, COALESCE(pd.code, '') FROM fire_reports fr JOIN depts sd ON sd.id = fr.station_id
			LEFT JOIN depts pd ON pd.id = sd.parent_id WHERE fr.status = ? AND fr.deadline <> '' AND fr.deadline < ? AND fr.escalated_at IS NULL
			ORDER BY fr.id LIMIT 1000`, zhudun.FireOrdered, today)
		if err != nil {
			return tx.s.internal("fire overdue", err)
		}
		type due struct {
			id                  int64
			deadline, st, distr string
		}
		var dues []due
		for rows.Next() {
			var d due
			if err := rows.Scan(&d.id, &d.deadline, &d.st, &d.distr); err != nil {
				rows.Close()
				return tx.s.internal("fire overdue scan", err)
			}
			dues = append(dues, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return tx.s.internal("fire overdue rows", err)
		}
		for _, d := range dues {
			res, err := tx.exec(ctx, `UPDATE fire_reports SET escalated_at = ?, updated_at = ? WHERE id = ? AND escalated_at IS NULL`, tx.now, tx.now, d.id)
			if err != nil {
				return tx.s.internal("fire escalate", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				continue
			}
			recips := []string{"station:" + d.st}
			if d.distr != "" {
				recips = append(recips, "district:"+d.distr)
			}
			for _, rc := range recips {
				a := &zhudun.FireAlert{ReportID: d.id, Recipient: rc, Deadline: d.deadline, At: tx.now}
				if err := tx.queryRow(ctx, `INSERT INTO fire_alerts (report_id, recipient, deadline, at) VALUES (?, ?, ?, ?) RETURNING id`,
					d.id, rc, d.deadline, tx.now).Scan(&a.ID); err != nil {
					return tx.s.internal("fire alert", err)
				}
				out = append(out, a)
			}
			if _, err := tx.exec(ctx, `INSERT INTO fire_steps (report_id, action, from_status, to_status, note, target, target_dept, deadline,
				decision, amount_fen, legal_basis, consequence, actor, at) VALUES (?, ?, ?, ?, ?, '', '', ?, '', 0, '', '', ?, ?)`,
				d.id, zhudun.FireActOverdue, zhudun.FireOrdered, zhudun.FireOrdered, "逾期未改正，已升级提醒 Overdue: escalated to "+strings.Join(recips, ", "),
				d.deadline, zhudun.CallerFrom(ctx).Username, tx.now); err != nil {
				return tx.s.internal("fire overdue step", err)
			}
			if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "fire.order.overdue", ObjectType: "fire_report", ObjectID: itoa(d.id),
				Detail: Detail(map[string]any{"deadline": d.deadline, "recipients": recips})}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// FindFireAlerts lists the overdue alerts of the reports of the caller's
// fire:read scope, newest first.
func (s *Store) FindFireAlerts(ctx context.Context) ([]*zhudun.FireAlert, error) {
	pred, args, err := firePred(ctx, zhudun.PermFireRead)
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT a.id, a.report_id, a.recipient, a.deadline, a.at FROM fire_alerts a JOIN fire_reports fr ON fr.id = a.report_id
		JOIN depts sd ON sd.id = fr.station_id WHERE `+pred+` ORDER BY a.id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, s.internal("fire alerts", err)
	}
	defer rows.Close()
	out := []*zhudun.FireAlert{}
	for rows.Next() {
		var a zhudun.FireAlert
		if err := rows.Scan(&a.ID, &a.ReportID, &a.Recipient, &a.Deadline, &a.At); err != nil {
			return nil, s.internal("fire alert scan", err)
		}
		a.At = a.At.UTC()
		out = append(out, &a)
	}
	return out, s.internalIf("fire alerts rows", rows.Err())
}
