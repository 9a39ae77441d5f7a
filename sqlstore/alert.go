package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/zhudun/zhudun"
)

var _ zhudun.AlertService = (*Store)(nil)

// raise is RaiseSecurityEvent for callers that are on their way to return
// another error: a failure to store the alert is logged, not returned.
func (s *Store) raise(ctx context.Context, ev zhudun.SecurityEvent) {
	if err := s.RaiseSecurityEvent(ctx, ev); err != nil {
		s.log.Error("security event not stored", "event", ev.Event, "err", err)
	}
}

// RaiseSecurityEvent logs a security event and raises it as an alert to the
// audit administrator: one slog record with an "event" attribute, an alert
// row, an audit row with the event's name as its action (so the collector
// receives it too; not for a failed chain verification) and an alert.raised event on the stream. A repeat of the
// same event about the same subject within zhudun.AlertQuietPeriod only
// counts on the open alert (logged at debug level), so that a flood of
// refused sign-ins stays one alert.
func (s *Store) RaiseSecurityEvent(ctx context.Context, ev zhudun.SecurityEvent) error {
	if !slices.Contains(zhudun.SecurityEventNames(), ev.Event) {
		return zhudun.FieldError("event", "unknown security event %q", ev.Event)
	}
	if ev.Subject == "" {
		ev.Subject = ev.Username
	}
	detail := sql.NullString{}
	var raw json.RawMessage
	if len(ev.Detail) > 0 {
		raw = Detail(ev.Detail)
		detail = sql.NullString{String: string(raw), Valid: true}
	}
	// The alert is written as the system: the event happened to the
	// caller (a locked-out user), it was not done by it.
	sys := zhudun.WithCaller(ctx, &zhudun.Caller{Username: "zhudun", DeptPath: "/", ClientAddr: ev.ClientAddr, System: true})
	folded := false
	var id int64
	err := s.write(sys, func(ctx context.Context, tx *Tx) error {
		var n int
		err := tx.queryRow(ctx, `SELECT id, count FROM alerts WHERE event = ? AND subject = ? AND last_at > ? AND acked_at IS NULL ORDER BY id DESC LIMIT 1`,
			ev.Event, ev.Subject, tx.now.Add(-zhudun.AlertQuietPeriod)).Scan(&id, &n)
		if err == nil {
			folded = true
			_, err := tx.exec(ctx, `UPDATE alerts SET count = count + 1, last_at = ? WHERE id = ?`, tx.now, id)
			return tx.s.internalIf("alert fold", err)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return tx.s.internal("alert find", err)
		}
		if err := tx.queryRow(ctx, `INSERT INTO alerts (at, last_at, event, subject, username, client_addr, detail, count) VALUES (?, ?, ?, ?, ?, ?, ?, 1) RETURNING id`,
			tx.now, tx.now, ev.Event, ev.Subject, ev.Username, ev.ClientAddr, detail).Scan(&id); err != nil {
			return tx.s.internal("alert insert", err)
		}
		// A failed verification gets no audit row: appending to a chain
		// found broken would re-sign its anchor over the break.
		if ev.Event != zhudun.SecAuditVerifyFailed {
			if err := tx.audit(ctx, &zhudun.AuditEntry{Action: ev.Event, ObjectType: "alert", ObjectID: itoa(id), Result: zhudun.ResultDenied, Detail: raw}); err != nil {
				return err
			}
		}
		a := &zhudun.Alert{ID: id, At: tx.now, LastAt: tx.now, Event: ev.Event, Subject: ev.Subject, Username: ev.Username,
			ClientAddr: ev.ClientAddr, Detail: raw, Count: 1}
		return tx.emit(ctx, zhudun.Event{Type: "alert.raised", Perm: zhudun.PermAuditRead, DeptPath: rootPath, DeptID: 1, Data: Detail(a)})
	})
	attrs := []any{"event", ev.Event, "subject", ev.Subject, "alert", id}
	if ev.Username != "" {
		attrs = append(attrs, "username", ev.Username)
	}
	if ev.ClientAddr != "" {
		attrs = append(attrs, "client_addr", ev.ClientAddr)
	}
	for k, v := range ev.Detail {
		attrs = append(attrs, k, v)
	}
	switch {
	case err != nil:
		s.log.Warn("security event", append(attrs, "stored", false)...)
	case folded:
		s.log.Debug("security event repeated", attrs...)
	default:
		s.log.Warn("security event", attrs...)
	}
	return err
}

const alertSelect = `SELECT id, at, last_at, event, subject, username, client_addr, detail, count, acked_at, acked_by FROM alerts`

func scanAlert(r scanner) (*zhudun.Alert, error) {
	var a zhudun.Alert
	var detail sql.NullString
	var acked sql.NullTime
	if err := r.Scan(&a.ID, &a.At, &a.LastAt, &a.Event, &a.Subject, &a.Username, &a.ClientAddr, &detail, &a.Count, &acked, &a.AckedBy); err != nil {
		return nil, err
	}
	a.At, a.LastAt, a.AckedAt = a.At.UTC(), a.LastAt.UTC(), nullTime(acked)
	if detail.Valid {
		a.Detail = json.RawMessage(detail.String)
	}
	return &a, nil
}

// FindAlerts lists alerts newest first (audit:read over the whole tree: the
// audit administrator).
func (s *Store) FindAlerts(ctx context.Context, f zhudun.AlertFilter) ([]*zhudun.Alert, int, error) {
	if !cityWide(zhudun.CallerFrom(ctx), zhudun.PermAuditRead) {
		return nil, 0, zhudun.Errorf(zhudun.EFORBIDDEN, "permission audit:read over the whole organisation required")
	}
	var w where
	if f.Event != "" {
		w.add("event = ?", f.Event)
	}
	if f.Unacked {
		w.add("acked_at IS NULL")
	}
	if f.AfterID > 0 {
		w.add("id > ?", f.AfterID)
	}
	var total int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM alerts`+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, s.internal("alert count", err)
	}
	off, lim := page(f.Offset, f.Limit)
	rows, err := s.query(ctx, alertSelect+w.sql()+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(w.args, lim, off)...)
	if err != nil {
		return nil, 0, s.internal("alert list", err)
	}
	defer rows.Close()
	out := []*zhudun.Alert{}
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, 0, s.internal("alert scan", err)
		}
		out = append(out, a)
	}
	return out, total, s.internalIf("alert rows", rows.Err())
}

// AckAlert marks an alert as seen by the audit administrator (audited).
func (s *Store) AckAlert(ctx context.Context, id int64) (*zhudun.Alert, error) {
	c := zhudun.CallerFrom(ctx)
	if !cityWide(c, zhudun.PermAuditRead) {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission audit:read over the whole organisation required")
	}
	var out *zhudun.Alert
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		a, err := scanAlert(tx.queryRow(ctx, alertSelect+` WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return zhudun.Errorf(zhudun.ENOTFOUND, "alert not found")
		}
		if err != nil {
			return tx.s.internal("alert load", err)
		}
		if a.AckedAt != nil {
			out = a
			return nil
		}
		if _, err := tx.exec(ctx, `UPDATE alerts SET acked_at = ?, acked_by = ? WHERE id = ?`, tx.now, c.Username, id); err != nil {
			return tx.s.internal("alert ack", err)
		}
		now := tx.now
		a.AckedAt, a.AckedBy = &now, c.Username
		out = a
		if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "alert.ack", ObjectType: "alert", ObjectID: itoa(id), Detail: Detail(map[string]any{"event": a.Event})}); err != nil {
			return err
		}
		return tx.emit(ctx, zhudun.Event{Type: "alert.acked", Perm: zhudun.PermAuditRead, DeptPath: rootPath, DeptID: 1, Data: Detail(a)})
	})
	return out, err
}

// checkAdminAddress raises security.admin_new_address when an
// administrator signs in from an address none of its earlier sessions
// came from. The first sign-in ever sets the baseline and raises nothing.
func (s *Store) checkAdminAddress(ctx context.Context, userID int64, username string, roles []string, addr, sessionID string) {
	if !slices.ContainsFunc(roles, zhudun.IsAdminRole) {
		return
	}
	var before, same int
	err := s.queryRow(ctx, `SELECT COUNT(*), COUNT(CASE WHEN client_addr = ? THEN 1 END) FROM sessions WHERE user_id = ? AND id <> ?`,
		addr, userID, sessionID).Scan(&before, &same)
	if err != nil {
		s.log.Error("admin address check", "err", err)
		return
	}
	if before > 0 && same == 0 {
		s.raise(ctx, zhudun.SecurityEvent{Event: zhudun.SecAdminNewAddress, Subject: username + "@" + addr, Username: username, ClientAddr: addr,
			Detail: map[string]any{"roles": roles}})
	}
}

// AlertLimiter raises a security event at most once per subject per
// interval, off the caller's goroutine: for detectors on a hot path (the
// bus dropping forged events) where an attacker controls the rate, so that
// a flood costs one database write per interval, not one per message. The
// folding in RaiseSecurityEvent counts only what gets through.
type AlertLimiter struct {
	s     *Store
	every time.Duration
	mu    sync.Mutex
	last  map[string]time.Time
}

// NewAlertLimiter returns a limiter raising through s.
func (s *Store) NewAlertLimiter(every time.Duration) *AlertLimiter {
	return &AlertLimiter{s: s, every: every, last: map[string]time.Time{}}
}

// Raise raises ev unless one with the same event and subject went out
// within the interval. It never blocks on the database.
func (l *AlertLimiter) Raise(ev zhudun.SecurityEvent) bool {
	key := ev.Event + "\x00" + ev.Subject
	now := time.Now()
	l.mu.Lock()
	if t, ok := l.last[key]; ok && now.Sub(t) < l.every {
		l.mu.Unlock()
		return false
	}
	if len(l.last) >= 1024 { // bounded: forget everything rather than grow
		clear(l.last)
	}
	l.last[key] = now
	l.mu.Unlock()
	go l.s.raise(context.Background(), ev)
	return true
}
