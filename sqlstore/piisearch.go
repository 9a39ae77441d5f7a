package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/zhudun/zhudun"
)

// A search by personal data is a use of personal data: an exact-match filter
// on a phone or resident ID tells the caller whether the value it guessed is
// someone's, which is what the mask hides. So it needs pii:view or
// pii:search, a stated reason, an audit row like an unmasked view, and a
// per-user rate limit past which the capability locks and the audit
// administrator is alerted.

// piiSearch is a search by personal data that has been allowed: Perm is the
// permission whose scope bounds the results, and done audits it.
type piiSearch struct {
	perm   zhudun.Permission
	object string
	fields []string
	reason string
}

// beginPIISearch checks and counts one search by the personal-data fields
// named in fields, on object ("user", "incident"). It returns nil, nil when
// fields is empty (not a search by personal data) or the caller is the
// installer's CLI.
func (s *Store) beginPIISearch(ctx context.Context, object string, fields []string, reason string) (*piiSearch, error) {
	if len(fields) == 0 {
		return nil, nil
	}
	c := zhudun.CallerFrom(ctx)
	if c == nil {
		return nil, zhudun.Errorf(zhudun.EUNAUTHORIZED, "not signed in")
	}
	if c.System {
		return nil, nil
	}
	perm, ok := piiSearchPerm(c)
	if !ok {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "searching by %s needs pii:view or pii:search", strings.Join(fields, ", "))
	}
	reason = strings.TrimSpace(reason)
	if n := len([]rune(reason)); n < 4 || n > 200 {
		return nil, &zhudun.Error{Code: zhudun.EFORBIDDEN, Field: "reason",
			Message: "searching by personal data needs the reason for the query (查询事由, reason=), 4–200 characters"}
	}
	if err := s.countPIISearch(ctx, c); err != nil {
		return nil, err
	}
	return &piiSearch{perm: perm, object: object, fields: fields, reason: reason}, nil
}

// piiSearchPerm picks the caller's wider of pii:view and pii:search.
func piiSearchPerm(c *zhudun.Caller) (zhudun.Permission, bool) {
	v, okV := c.Perms[zhudun.PermPIIView]
	sr, okS := c.Perms[zhudun.PermPIISearch]
	okV, okS = okV && v.Valid(), okS && sr.Valid()
	switch {
	case okV && okS && sr.Wider(v):
		return zhudun.PermPIISearch, true
	case okV:
		return zhudun.PermPIIView, true
	case okS:
		return zhudun.PermPIISearch, true
	}
	return "", false
}

// countPIISearch takes one search from the caller's allowance in one
// statement. The search past the limit locks the capability, is refused,
// and raises security.pii_search_burst; a locked capability refuses every
// search until a security administrator clears it (UnlockPIISearch).
func (s *Store) countPIISearch(ctx context.Context, c *zhudun.Caller) error {
	now := s.clock()
	lim := s.piiSearch
	nowUS := now.UnixMicro()
	expired := nowUS - lim.Window.Microseconds()
	var n int
	err := s.writeRow(ctx, []any{&n}, `INSERT INTO pii_search_quota (user_id, searches, window_start) VALUES (?, 1, ?)
		ON CONFLICT (user_id) DO UPDATE SET
			searches = CASE WHEN pii_search_quota.window_start <= ? THEN 1 ELSE pii_search_quota.searches + 1 END,
			window_start = CASE WHEN pii_search_quota.window_start <= ? THEN ? ELSE pii_search_quota.window_start END
		WHERE pii_search_quota.locked_at IS NULL
		RETURNING searches`, c.UserID, nowUS, expired, expired, nowUS)
	if isNoRows(err) {
		return lockedPIISearch()
	}
	if err != nil {
		return s.internal("pii search count", err)
	}
	if n <= lim.Max {
		return nil
	}
	// Over the limit: the first to get here locks and tells; the others
	// racing it are refused all the same.
	var first bool
	err = s.write(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE pii_search_quota SET locked_at = ? WHERE user_id = ? AND locked_at IS NULL`, tx.now, c.UserID)
		if err != nil {
			return tx.s.internal("pii search lock", err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return nil
		}
		first = true
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "pii.search_locked", ObjectType: "user", ObjectID: c.Username, Result: zhudun.ResultDenied,
			Detail: Detail(map[string]any{"searches": n, "limit": lim.Max, "window_seconds": int(lim.Window.Seconds())})})
	})
	if err != nil {
		return err
	}
	if first {
		s.securityEvent(ctx, "security.pii_search_burst", c.Username, map[string]any{
			"searches": n, "limit": lim.Max, "window_seconds": int(lim.Window.Seconds()), "client_addr": c.ClientAddr})
	}
	return lockedPIISearch()
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

func lockedPIISearch() error {
	return zhudun.Errorf(zhudun.EFORBIDDEN, "searching by personal data is locked for your account after too many searches; a security administrator can restore it")
}

// done audits an allowed search: who, why, which kinds of field and how many
// records matched — never the values searched for. A search whose row
// cannot be written fails.
func (p *piiSearch) done(ctx context.Context, s *Store, matched int) error {
	if p == nil {
		return nil
	}
	return s.Record(ctx, &zhudun.AuditEntry{Action: "pii.search", ObjectType: p.object,
		Detail: Detail(map[string]any{"reason": p.reason, "fields": p.fields, "matched": matched})})
}

// UnlockPIISearch clears a locked personal-data search capability (role:grant
// whose scope covers the user: the security administrator).
func (s *Store) UnlockPIISearch(ctx context.Context, id int64) error {
	return s.write(ctx, func(ctx context.Context, tx *Tx) error {
		u, err := tx.userInScope(ctx, id, zhudun.PermRoleGrant)
		if err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE pii_search_quota SET locked_at = NULL, searches = 0 WHERE user_id = ? AND locked_at IS NOT NULL`, u.ID)
		if err != nil {
			return tx.s.internal("pii search unlock", err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return zhudun.Errorf(zhudun.ECONFLICT, "searching by personal data is not locked for %s", u.Username)
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "pii.search_unlock", ObjectType: "user", ObjectID: u.Username})
	})
}

// securityEvent logs a security event as one slog record with its name in
// the "event" attribute and hands it to the alert hook, if any. A failing
// hook is logged: the event's audit row is already written.
func (s *Store) securityEvent(ctx context.Context, event, subject string, detail map[string]any) {
	if s.alert == nil {
		// No hook: the store's own alerts (alert.go) log and raise it.
		ev := zhudun.SecurityEvent{Event: event, Subject: subject, Username: subject, Detail: detail}
		if c := zhudun.CallerFrom(ctx); c != nil {
			ev.ClientAddr = c.ClientAddr
		}
		s.raise(ctx, ev)
		return
	}
	attrs := []any{"event", event, "subject", subject}
	for k, v := range detail {
		attrs = append(attrs, k, v)
	}
	s.log.Warn("security event", attrs...)
	if s.alert == nil {
		return
	}
	if err := s.alert(ctx, event, subject, detail); err != nil {
		s.log.Error("security alert", "event", event, "err", err)
	}
}
