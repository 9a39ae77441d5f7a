package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/zhudun/zhudun"
)

// PreviousLogin is the caller's newest session begun before its current
// one: the sign-in a user checks to notice one that was not theirs. The
// current session is left out, so the answer stays the same all session
// long; sessions are kept (revoked, not deleted) until retention.
func (s *Store) PreviousLogin(ctx context.Context) (*zhudun.LoginRecord, error) {
	c := zhudun.CallerFrom(ctx)
	if c == nil || c.UserID == 0 || c.SessionID == "" {
		return nil, zhudun.Errorf(zhudun.EUNAUTHORIZED, "not signed in")
	}
	var r zhudun.LoginRecord
	err := s.queryRow(ctx, `SELECT p.created_at, p.client_addr FROM sessions p JOIN sessions cur ON cur.id = ?
		WHERE p.user_id = ? AND p.id <> cur.id AND p.created_at <= cur.created_at ORDER BY p.created_at DESC, p.id DESC LIMIT 1`,
		c.SessionID, c.UserID).Scan(&r.At, &r.ClientAddr)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, s.internal("previous login", err)
	}
	r.At = r.At.UTC()
	return &r, nil
}
